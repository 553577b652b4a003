/*
 * The provider's key set: current signing keys, keys published ahead
 * (".next") and retired keys published until their tokens expire
 * (".retired-<unix time>"), and the JWK Set document.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose.h"

static int	jose_keyset_add(struct jose_keyset *, const char *, int,
		    uint64_t, char *, size_t);

/* Adds the key in path to set; a duplicate kid is left out. */
static int
jose_keyset_add(struct jose_keyset *set, const char *path, int public_only,
    uint64_t not_after, char *err, size_t errlen)
{
	struct jose_key	key;
	size_t		i;

	if (set->n == JOSE_KEYSET_MAX) {
		snprintf(err, errlen, "%s: more than %d keys", path,
		    JOSE_KEYSET_MAX);
		return (-1);
	}
	if (jose_key_load_pem(path, public_only, &key, err, errlen) == -1)
		return (-1);
	key.not_after = not_after;
	for (i = 0; i < set->n; i++) {
		if (strcmp(set->keys[i].kid, key.kid) == 0) {
			jose_key_free(&key);
			return (0);
		}
	}
	set->keys[set->n++] = key;
	return (0);
}

int
jose_keyset_load(struct jose_keyset *set, const char *const *paths,
    size_t npaths, uint64_t now, uint64_t grace, char *err, size_t errlen)
{
	DIR		*dir;
	struct dirent	*de;
	char		 dcopy[PATH_MAX], bcopy[PATH_MAX], prefix[PATH_MAX];
	char		 file[PATH_MAX], *dname, *bname, *end;
	const char	*rest;
	unsigned long long	retired;
	size_t		 i, plen;
	int		 idx;

	memset(set, 0, sizeof(*set));
	set->es256 = set->rs256 = -1;
	for (i = 0; i < npaths; i++) {
		if (paths[i] == NULL || paths[i][0] == '\0')
			continue;
		if (strlen(paths[i]) >= sizeof(dcopy)) {
			snprintf(err, errlen, "key path too long");
			goto fail;
		}
		idx = (int)set->n;
		if (jose_keyset_add(set, paths[i], 0, 0, err, errlen) == -1)
			goto fail;
		if (set->keys[idx].alg == JOSE_ALG_ES256 && set->es256 == -1)
			set->es256 = idx;
		else if (set->keys[idx].alg == JOSE_ALG_RS256 &&
		    set->rs256 == -1)
			set->rs256 = idx;

		strcpy(dcopy, paths[i]);
		strcpy(bcopy, paths[i]);
		dname = dirname(dcopy);
		bname = basename(bcopy);
		snprintf(prefix, sizeof(prefix), "%s.", bname);
		plen = strlen(prefix);
		if ((dir = opendir(dname)) == NULL) {
			snprintf(err, errlen, "%s: %s", dname,
			    strerror(errno));
			goto fail;
		}
		while ((de = readdir(dir)) != NULL) {
			if (strncmp(de->d_name, prefix, plen) != 0)
				continue;
			rest = de->d_name + plen;
			snprintf(file, sizeof(file), "%s/%s", dname,
			    de->d_name);
			if (strcmp(rest, "next") == 0) {
				if (jose_keyset_add(set, file, 1, 0, err,
				    errlen) == -1)
					goto dir_fail;
				continue;
			}
			if (strncmp(rest, "retired-", 8) != 0)
				continue;
			errno = 0;
			retired = strtoull(rest + 8, &end, 10);
			if (errno != 0 || *end != '\0' || rest[8] < '0' ||
			    rest[8] > '9')
				continue;
			/* Its last tokens have expired: no longer needed. */
			if ((uint64_t)retired + grace <= now)
				continue;
			if (jose_keyset_add(set, file, 1,
			    (uint64_t)retired + grace, err, errlen) == -1)
				goto dir_fail;
		}
		closedir(dir);
	}
	return (0);

dir_fail:
	closedir(dir);
fail:
	jose_keyset_free(set);
	return (-1);
}

void
jose_keyset_free(struct jose_keyset *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		jose_key_free(&set->keys[i]);
	set->n = 0;
	set->es256 = set->rs256 = -1;
}

const struct jose_key *
jose_keyset_signer(const struct jose_keyset *set, enum jose_alg alg)
{
	int	idx;

	idx = alg == JOSE_ALG_ES256 ? set->es256 :
	    alg == JOSE_ALG_RS256 ? set->rs256 : -1;
	return (idx < 0 ? NULL : &set->keys[idx]);
}

uint64_t
jose_keyset_next_change(const struct jose_keyset *set, uint64_t now)
{
	uint64_t	next;
	size_t		i;

	next = UINT64_MAX;
	for (i = 0; i < set->n; i++)
		if (set->keys[i].not_after > now &&
		    set->keys[i].not_after < next)
			next = set->keys[i].not_after;
	return (next);
}

char *
jose_keyset_jwks(const struct jose_keyset *set, uint64_t now)
{
	json_t	*doc, *arr, *k;
	char	*out;
	size_t	 i;

	doc = json_object();
	arr = json_array();
	if (doc == NULL || arr == NULL ||
	    json_object_set(doc, "keys", arr) == -1)
		goto fail;
	for (i = 0; i < set->n; i++) {
		if (set->keys[i].not_after != 0 &&
		    set->keys[i].not_after <= now)
			continue;
		if ((k = jose_key_public(&set->keys[i])) == NULL ||
		    json_array_append_new(arr, k) == -1)
			goto fail;
	}
	out = json_dumps(doc, JSON_COMPACT);
	json_decref(arr);
	json_decref(doc);
	return (out);

fail:
	json_decref(arr);
	json_decref(doc);
	return (NULL);
}
