/*
 * OAuth client registrations: strict JSON files, one client each.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "client.h"
#include "log.h"
#include "text.h"

static int	client_string(json_t *, const char *, char *, size_t, int,
		    char *, size_t);
static int	client_uri_valid(const char *);
static int	client_uris(json_t *, const char *, char (*)[CLIENT_URI_MAX],
		    size_t *, size_t, char *, size_t);
static int	client_scope_valid(const char *);
static int	client_claims(json_t *, unsigned int *, char *, size_t);
static int	client_grants(json_t *, struct client *, char *, size_t);
static int	client_keys(json_t *, struct client *, char *, size_t);
static int	client_sector(struct client *, char *, size_t);
static int	client_check(json_t *, struct client *, char *, size_t);
static int	client_name_cmp(const void *, const void *);
static int	client_uri_in(const char (*)[CLIENT_URI_MAX], size_t,
		    const char *);
static int	client_origins(json_t *, struct client *, char *, size_t);
static int	client_access_tokens(json_t *, struct client *, char *,
		    size_t);
static int	client_flag(json_t *, const char *, int *, char *, size_t);

static const char	*client_members[] = {
	"client_id", "client_name", "token_endpoint_auth_method",
	"client_secret_hash", "redirect_uris", "post_logout_redirect_uris",
	"scope", "claims", "subject_type", "sector_identifier",
	"id_token_signed_response_alg", "grant_types", "jwks",
	"require_pushed_authorization_requests", "allowed_cors_origins",
	"access_token_format", "resources", "require_consent", NULL
};

const char *
client_auth_name(enum client_auth auth)
{
	switch (auth) {
	case CLIENT_AUTH_SECRET_BASIC:
		return ("client_secret_basic");
	case CLIENT_AUTH_SECRET_POST:
		return ("client_secret_post");
	case CLIENT_AUTH_PRIVATE_KEY_JWT:
		return ("private_key_jwt");
	default:
		return ("none");
	}
}

/*
 * Copies the string member name into out (capacity cap). A missing
 * member is an error when required, else leaves out empty.
 */
static int
client_string(json_t *o, const char *name, char *out, size_t cap,
    int required, char *err, size_t errlen)
{
	json_t		*v;
	const char	*s;

	out[0] = '\0';
	if ((v = json_object_get(o, name)) == NULL) {
		if (!required)
			return (0);
		snprintf(err, errlen, "%s is required", name);
		return (-1);
	}
	if ((s = json_string_value(v)) == NULL || s[0] == '\0' ||
	    strlen(s) >= cap || strlen(s) != json_string_length(v)) {
		snprintf(err, errlen, "%s must be a string of 1 to %zu bytes",
		    name, cap - 1);
		return (-1);
	}
	strcpy(out, s);
	return (0);
}

/*
 * A redirect URI is absolute https, or http on the loopback interface
 * (RFC 8252 §7.3, for development and native clients), without a
 * fragment (RFC 6749 §3.1.2) and of visible ASCII only.
 */
static int
client_uri_valid(const char *uri)
{
	static const char	*loopback[] = {
		"http://127.0.0.1", "http://[::1]", "http://localhost", NULL
	};
	const char		*p, *host;
	size_t			 i, len;

	for (p = uri; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '#')
			return (0);
	}
	host = NULL;
	if (strncmp(uri, "https://", 8) == 0)
		host = uri + 8;
	for (i = 0; host == NULL && loopback[i] != NULL; i++) {
		len = strlen(loopback[i]);
		if (strncmp(uri, loopback[i], len) == 0 &&
		    (uri[len] == ':' || uri[len] == '/' || uri[len] == '\0'))
			host = uri + 7;
	}
	if (host == NULL || *host == '\0' || *host == '/' || *host == ':' ||
	    strchr(host, '@') != NULL)
		return (0);
	return (1);
}

static int
client_uris(json_t *o, const char *name, char (*out)[CLIENT_URI_MAX],
    size_t *n, size_t min, char *err, size_t errlen)
{
	json_t		*arr, *v;
	const char	*s;
	size_t		 i;

	*n = 0;
	if ((arr = json_object_get(o, name)) == NULL && min == 0)
		return (0);
	if (!json_is_array(arr) || json_array_size(arr) < min ||
	    json_array_size(arr) > CLIENT_URIS_MAX) {
		snprintf(err, errlen, "%s must be an array of %zu to %d URIs",
		    name, min, CLIENT_URIS_MAX);
		return (-1);
	}
	json_array_foreach(arr, i, v) {
		if ((s = json_string_value(v)) == NULL ||
		    strlen(s) >= CLIENT_URI_MAX || !client_uri_valid(s)) {
			snprintf(err, errlen, "%s[%zu]: not an https (or "
			    "loopback http) URI without fragment, of at most "
			    "%d bytes", name, i, CLIENT_URI_MAX - 1);
			return (-1);
		}
		strcpy(out[(*n)++], s);
	}
	return (0);
}

/* RFC 6749 §3.3: scope tokens separated by single spaces. */
static int
client_scope_valid(const char *scope)
{
	const char	*p;

	if (scope[0] == ' ' || scope[0] == '\0')
		return (0);
	for (p = scope; *p != '\0'; p++) {
		if (*p == ' ') {
			if (p[1] == ' ' || p[1] == '\0')
				return (0);
			continue;
		}
		if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
			return (0);
	}
	return (1);
}

static int
client_claims(json_t *o, unsigned int *claims, char *err, size_t errlen)
{
	json_t		*arr, *v;
	const char	*s;
	size_t		 i;

	*claims = CLIENT_CLAIM_ALL;
	if ((arr = json_object_get(o, "claims")) == NULL)
		return (0);
	if (!json_is_array(arr))
		goto bad;
	*claims = 0;
	json_array_foreach(arr, i, v) {
		if ((s = json_string_value(v)) == NULL)
			goto bad;
		if (strcmp(s, "name") == 0)
			*claims |= CLIENT_CLAIM_NAME;
		else if (strcmp(s, "email") == 0)
			*claims |= CLIENT_CLAIM_EMAIL;
		else if (strcmp(s, "preferred_username") == 0)
			*claims |= CLIENT_CLAIM_USERNAME;
		else
			goto bad;
	}
	return (0);
bad:
	snprintf(err, errlen, "claims must be an array of \"name\", "
	    "\"email\", \"preferred_username\"");
	return (-1);
}

/*
 * grant_types: authorization_code (the default), refresh_token with it,
 * client_credentials (RFC 6749 §4.4) for a client that authenticates.
 */
static int
client_grants(json_t *o, struct client *c, char *err, size_t errlen)
{
	json_t		*arr, *v;
	const char	*s;
	size_t		 i;

	c->code = 1;
	c->refresh = c->credentials = 0;
	if ((arr = json_object_get(o, "grant_types")) == NULL)
		return (0);
	c->code = 0;
	if (!json_is_array(arr))
		goto bad;
	json_array_foreach(arr, i, v) {
		if ((s = json_string_value(v)) == NULL)
			goto bad;
		if (strcmp(s, "authorization_code") == 0)
			c->code = 1;
		else if (strcmp(s, "refresh_token") == 0)
			c->refresh = 1;
		else if (strcmp(s, "client_credentials") == 0)
			c->credentials = 1;
		else
			goto bad;
	}
	if ((c->code || c->credentials) && (c->code || !c->refresh))
		return (0);
bad:
	snprintf(err, errlen, "grant_types must be an array holding "
	    "\"authorization_code\" (optionally with \"refresh_token\"), "
	    "\"client_credentials\", or both");
	return (-1);
}

/*
 * allowed_cors_origins: the origins (scheme://host[:port], https or
 * loopback http, no path) of browser applications that call the token
 * endpoint themselves.
 */
static int
client_origins(json_t *o, struct client *c, char *err, size_t errlen)
{
	const char	*host;
	size_t		 i;

	if (client_uris(o, "allowed_cors_origins", c->origins, &c->norigins,
	    0, err, errlen) == -1)
		return (-1);
	for (i = 0; i < c->norigins; i++) {
		host = strstr(c->origins[i], "://") + 3;
		if (host[strcspn(host, "/?")] != '\0') {
			snprintf(err, errlen, "allowed_cors_origins[%zu]: an "
			    "origin (scheme://host[:port]) has no path", i);
			return (-1);
		}
	}
	return (0);
}

static int
client_keys(json_t *o, struct client *c, char *err, size_t errlen)
{
	json_t	*jwks, *keys, *v;
	char	 why[JOSE_ERR_MAX];
	size_t	 i;

	jwks = json_object_get(o, "jwks");
	if (c->auth != CLIENT_AUTH_PRIVATE_KEY_JWT) {
		if (jwks != NULL) {
			snprintf(err, errlen, "jwks is only for "
			    "private_key_jwt");
			return (-1);
		}
		return (0);
	}
	keys = json_object_get(jwks, "keys");
	if (!json_is_array(keys) || json_array_size(keys) == 0 ||
	    json_array_size(keys) > CLIENT_KEYS_MAX) {
		snprintf(err, errlen, "private_key_jwt needs jwks with 1 to "
		    "%d keys", CLIENT_KEYS_MAX);
		return (-1);
	}
	json_array_foreach(keys, i, v) {
		if (jose_key_import(v, &c->keys[c->nkeys], why,
		    sizeof(why)) == -1) {
			snprintf(err, errlen, "jwks.keys[%zu]: %s", i, why);
			return (-1);
		}
		c->nkeys++;
	}
	return (0);
}

/*
 * OpenID Connect Core §8.1: pairwise identifiers are per sector, by
 * default the host of the redirect URIs (which must then share it).
 */
static int
client_sector(struct client *c, char *err, size_t errlen)
{
	char		 host[CLIENT_SECTOR_MAX];
	const char	*p, *end;
	size_t		 i;

	if (!c->pairwise || c->sector[0] != '\0')
		return (0);
	for (i = 0; i < c->nredirect; i++) {
		p = strstr(c->redirect_uris[i], "://") + 3;
		end = p + strcspn(p, "/?");
		if ((size_t)(end - p) >= sizeof(host))
			goto bad;
		memcpy(host, p, end - p);
		host[end - p] = '\0';
		if (i == 0)
			strcpy(c->sector, host);
		else if (strcmp(c->sector, host) != 0)
			goto bad;
	}
	return (0);
bad:
	snprintf(err, errlen, "pairwise subjects with redirect URIs on "
	    "several hosts need a sector_identifier");
	return (-1);
}

/* Checks and copies the members of o into c. */
static int
client_check(json_t *o, struct client *c, char *err, size_t errlen)
{
	const char	*key, *p;
	char		 auth[32], subject[16], alg[8], clean[CLIENT_NAME_MAX];
	json_t		*v;
	size_t		 i;

	if (!json_is_object(o)) {
		snprintf(err, errlen, "not a JSON object");
		return (-1);
	}
	json_object_foreach(o, key, v) {
		/* Members starting with "_" are comments. */
		if (key[0] == '_')
			continue;
		for (i = 0; client_members[i] != NULL; i++)
			if (strcmp(key, client_members[i]) == 0)
				break;
		if (client_members[i] == NULL) {
			snprintf(err, errlen, "unknown member \"%.64s\"", key);
			return (-1);
		}
	}
	if (client_string(o, "client_id", c->id, sizeof(c->id), 1, err,
	    errlen) == -1)
		return (-1);
	for (p = c->id; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._~:-", *p) != NULL)) {
			snprintf(err, errlen, "client_id may only hold "
			    "letters, digits and . _ ~ : -");
			return (-1);
		}
	}
	if (client_string(o, "client_name", c->name, sizeof(c->name), 0, err,
	    errlen) == -1 ||
	    client_string(o, "token_endpoint_auth_method", auth, sizeof(auth),
	    0, err, errlen) == -1 ||
	    client_string(o, "client_secret_hash", c->secret_hash,
	    sizeof(c->secret_hash), 0, err, errlen) == -1 ||
	    client_string(o, "scope", c->scope, sizeof(c->scope), 0, err,
	    errlen) == -1 ||
	    client_string(o, "subject_type", subject, sizeof(subject), 0,
	    err, errlen) == -1 ||
	    client_string(o, "sector_identifier", c->sector,
	    sizeof(c->sector), 0, err, errlen) == -1 ||
	    client_string(o, "id_token_signed_response_alg", alg,
	    sizeof(alg), 0, err, errlen) == -1)
		return (-1);
	/* The name is shown on the authenticator (docs/protocol.md §3). */
	if (c->name[0] != '\0' &&
	    text_display_name(clean, sizeof(clean), c->name) == -1) {
		snprintf(err, errlen, "client_name must be one line of text "
		    "(valid UTF-8, no control characters)");
		return (-1);
	}
	if (c->name[0] != '\0')
		strcpy(c->name, clean);
	else
		strcpy(c->name, c->id);

	if (auth[0] == '\0' || strcmp(auth, "client_secret_basic") == 0)
		c->auth = CLIENT_AUTH_SECRET_BASIC;
	else if (strcmp(auth, "client_secret_post") == 0)
		c->auth = CLIENT_AUTH_SECRET_POST;
	else if (strcmp(auth, "private_key_jwt") == 0)
		c->auth = CLIENT_AUTH_PRIVATE_KEY_JWT;
	else if (strcmp(auth, "none") == 0)
		c->auth = CLIENT_AUTH_NONE;
	else {
		snprintf(err, errlen, "token_endpoint_auth_method must be "
		    "client_secret_basic, client_secret_post, private_key_jwt "
		    "or none");
		return (-1);
	}
	/* Secrets are stored hashed only (crypto_password_hash()). */
	if (c->auth == CLIENT_AUTH_SECRET_BASIC ||
	    c->auth == CLIENT_AUTH_SECRET_POST) {
		if (strncmp(c->secret_hash, "scrypt$", 7) != 0) {
			snprintf(err, errlen, "client_secret_hash (scrypt$..., "
			    "from mutuactl client-secret) is required for %s",
			    client_auth_name(c->auth));
			return (-1);
		}
	} else if (c->secret_hash[0] != '\0') {
		snprintf(err, errlen, "client_secret_hash is not used by %s",
		    client_auth_name(c->auth));
		return (-1);
	}

	if (client_grants(o, c, err, errlen) == -1)
		return (-1);
	if (c->credentials && c->auth == CLIENT_AUTH_NONE) {
		/* RFC 6749 §4.4: only a confidential client. */
		snprintf(err, errlen, "client_credentials needs a client that "
		    "authenticates (token_endpoint_auth_method not none)");
		return (-1);
	}
	/* A client_credentials-only client has no users to redirect. */
	if (client_uris(o, "redirect_uris", c->redirect_uris, &c->nredirect,
	    (size_t)c->code, err, errlen) == -1 ||
	    client_uris(o, "post_logout_redirect_uris", c->logout_uris,
	    &c->nlogout, 0, err, errlen) == -1)
		return (-1);
	if (c->scope[0] == '\0')
		strcpy(c->scope, "openid");
	if (!client_scope_valid(c->scope)) {
		snprintf(err, errlen, "scope must be scope tokens separated "
		    "by single spaces");
		return (-1);
	}
	if (client_claims(o, &c->claims, err, errlen) == -1 ||
	    client_origins(o, c, err, errlen) == -1 ||
	    client_access_tokens(o, c, err, errlen) == -1)
		return (-1);
	if (client_flag(o, "require_pushed_authorization_requests",
	    &c->require_par, err, errlen) == -1 ||
	    client_flag(o, "require_consent", &c->require_consent, err,
	    errlen) == -1)
		return (-1);

	if (subject[0] == '\0' || strcmp(subject, "public") == 0)
		c->pairwise = 0;
	else if (strcmp(subject, "pairwise") == 0)
		c->pairwise = 1;
	else {
		snprintf(err, errlen, "subject_type must be public or "
		    "pairwise");
		return (-1);
	}
	if (client_sector(c, err, errlen) == -1)
		return (-1);

	c->id_token_alg = alg[0] == '\0' ? JOSE_ALG_ES256 :
	    jose_alg_parse(alg);
	if (c->id_token_alg == JOSE_ALG_NONE) {
		snprintf(err, errlen, "id_token_signed_response_alg must be "
		    "ES256 or RS256");
		return (-1);
	}
	return (client_keys(o, c, err, errlen));
}

/* A boolean member, false when absent. @return 0 or -1. */
static int
client_flag(json_t *o, const char *name, int *out, char *err, size_t errlen)
{
	json_t	*v;

	v = json_object_get(o, name);
	if (v != NULL && !json_is_boolean(v)) {
		snprintf(err, errlen, "%s must be true or false", name);
		return (-1);
	}
	*out = json_is_true(v);
	return (0);
}

/*
 * access_token_format "opaque" (the default) or "jwt" (RFC 9068), and the
 * resources (RFC 8707) whose audience a JWT access token names: a JWT
 * must name one, so "jwt" needs at least one, and only "jwt" has any.
 */
static int
client_access_tokens(json_t *o, struct client *c, char *err, size_t errlen)
{
	char	format[8];

	if (client_string(o, "access_token_format", format, sizeof(format), 0,
	    err, errlen) == -1)
		return (-1);
	if (format[0] != '\0' && strcmp(format, "opaque") != 0 &&
	    strcmp(format, "jwt") != 0) {
		snprintf(err, errlen, "access_token_format must be opaque or "
		    "jwt");
		return (-1);
	}
	c->at_jwt = strcmp(format, "jwt") == 0;
	if (client_uris(o, "resources", c->resources, &c->nresources,
	    (size_t)c->at_jwt, err, errlen) == -1)
		return (-1);
	if (c->nresources > 0 && !c->at_jwt) {
		snprintf(err, errlen, "resources need access_token_format jwt");
		return (-1);
	}
	return (0);
}

int
client_resource(const struct client *c, const char *resource)
{
	size_t	i;

	for (i = 0; i < c->nresources; i++) {
		if (strcmp(c->resources[i], resource) == 0)
			return (1);
	}
	return (0);
}

int
client_load_file(const char *path, struct client *c, char *err,
    size_t errlen)
{
	struct stat	 st;
	json_error_t	 jerr;
	json_t		*o;
	char		*text;
	ssize_t		 n;
	int		 fd, rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", path);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > CLIENT_FILE_MAX) {
		close(fd);
		snprintf(err, errlen, "not a regular file of at most %d bytes",
		    CLIENT_FILE_MAX);
		return (-1);
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	n = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(text);
		snprintf(err, errlen, "short read");
		return (-1);
	}
	text[n] = '\0';
	o = json_loadb(text, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (o == NULL) {
		snprintf(err, errlen, "line %d: %s", jerr.line, jerr.text);
		return (-1);
	}
	rc = client_check(o, c, err, errlen);
	json_decref(o);
	if (rc == -1)
		client_free(c);
	return (rc);
}

void
client_free(struct client *c)
{
	size_t	i;

	for (i = 0; i < c->nkeys; i++)
		jose_key_free(&c->keys[i]);
	c->nkeys = 0;
	OPENSSL_cleanse(c->secret_hash, sizeof(c->secret_hash));
}

static int
client_name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

int
client_registry_load(struct client_registry *reg, const char *dir)
{
	DIR		 *d;
	struct dirent	 *de;
	struct client	 *c;
	char		**names, path[PATH_MAX], err[CLIENT_ERR_MAX];
	size_t		  n, i, len;
	int		  bad;

	memset(reg, 0, sizeof(*reg));
	bad = 0;
	if ((d = opendir(dir)) == NULL) {
		log_event("oidc.clients", "dir", dir, "count", "0",
		    "reason", strerror(errno), (char *)NULL);
		return (0);
	}
	names = calloc(CLIENT_COUNT_MAX, sizeof(*names));
	reg->clients = calloc(CLIENT_COUNT_MAX, sizeof(*reg->clients));
	if (names == NULL || reg->clients == NULL) {
		closedir(d);
		free(names);
		free(reg->clients);
		reg->clients = NULL;
		log_event("oidc.client.error", "file", dir, "reason",
		    "out of memory", (char *)NULL);
		return (1);
	}
	n = 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (n == CLIENT_COUNT_MAX) {
			log_event("oidc.client.error", "file", de->d_name,
			    "reason", "too many client files", (char *)NULL);
			bad++;
			continue;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), client_name_cmp);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		c = &reg->clients[reg->n];
		if (client_load_file(path, c, err, sizeof(err)) == -1) {
			log_event("oidc.client.error", "file", path, "reason",
			    err, (char *)NULL);
			bad++;
			continue;
		}
		if (client_find(reg, c->id) != NULL) {
			log_event("oidc.client.error", "file", path, "reason",
			    "client_id already loaded from another file",
			    (char *)NULL);
			client_free(c);
			bad++;
			continue;
		}
		reg->n++;
		log_event("oidc.client.loaded", "file", path, "client_id",
		    c->id, "auth", client_auth_name(c->auth), (char *)NULL);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return (bad);
}

void
client_registry_free(struct client_registry *reg)
{
	size_t	i;

	for (i = 0; i < reg->n; i++)
		client_free(&reg->clients[i]);
	free(reg->clients);
	memset(reg, 0, sizeof(*reg));
}

const struct client *
client_find(const struct client_registry *reg, const char *id)
{
	size_t	i;

	for (i = 0; i < reg->n; i++) {
		if (strcmp(reg->clients[i].id, id) == 0)
			return (&reg->clients[i]);
	}
	return (NULL);
}

/* RFC 6749 §3.1.2.3, OIDC Core §3.1.2.1: simple string comparison. */
static int
client_uri_in(const char (*list)[CLIENT_URI_MAX], size_t n, const char *uri)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i], uri) == 0)
			return (1);
	}
	return (0);
}

int
client_redirect_ok(const struct client *c, const char *uri)
{
	return (client_uri_in(c->redirect_uris, c->nredirect, uri));
}

int
client_logout_uri_ok(const struct client *c, const char *uri)
{
	return (client_uri_in(c->logout_uris, c->nlogout, uri));
}

int
client_origin_ok(const struct client *c, const char *origin)
{
	return (client_uri_in(c->origins, c->norigins, origin));
}

int
client_registry_origin_ok(const struct client_registry *reg,
    const char *origin)
{
	size_t	i;

	for (i = 0; i < reg->n; i++) {
		if (client_origin_ok(&reg->clients[i], origin))
			return (1);
	}
	return (0);
}

int
client_scope_ok(const struct client *c, const char *scope, size_t len)
{
	const char	*p, *end;

	for (p = c->scope; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, " ");
		if ((size_t)(end - p) == len && memcmp(p, scope, len) == 0)
			return (1);
	}
	return (0);
}
