/*
 * The unit tests' shared fixture: temporary directories, test stores and
 * the core context. Linked into every test binary (GNUmakefile).
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "store_binding.h"

/* nftw(3) may keep this many directories open while it walks. */
#define FIXTURE_NFTW_FDS	8

static int	fixture_remove_one(const char *, const struct stat *, int,
		    struct FTW *);

int
fixture_dir_make(char *dir, size_t dirlen)
{
	const char	*tmp;
	int		 n;

	/* The fuzzers put theirs on a tmpfs: a commit there costs no flush. */
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	/* The binary's name tells whose directory a leftover one was. */
	n = snprintf(dir, dirlen, "%s/mutua-%s-XXXXXX", tmp,
	    program_invocation_short_name);
	if (n < 0 || (size_t)n >= dirlen) {
		fprintf(stderr, "fixture: directory name too long\n");
		return (-1);
	}
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "fixture: mkdtemp %s: %s\n", dir,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

static int
fixture_remove_one(const char *path, const struct stat *sb, int type,
    struct FTW *ftw)
{
	if (remove(path) == -1) {
		fprintf(stderr, "fixture: remove %s: %s\n", path,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

int
fixture_dir_remove(const char *dir)
{
	/* Depth first, so that each directory is empty when removed. */
	if (nftw(dir, fixture_remove_one, FIXTURE_NFTW_FDS,
	    FTW_DEPTH | FTW_PHYS) != 0)
		return (-1);
	return (0);
}

int
fixture_conf_path(char *out, size_t outlen, const char *name)
{
	const char	*slash;
	int		 n;

	/* conf/ sits beside this source file. */
	if ((slash = strrchr(__FILE__, '/')) == NULL)
		n = snprintf(out, outlen, "conf/%s", name);
	else
		n = snprintf(out, outlen, "%.*s/conf/%s",
		    (int)(slash - __FILE__), __FILE__, name);
	if (n < 0 || (size_t)n >= outlen)
		return (-1);
	return (0);
}

int
fixture_store_open(struct fixture *f)
{
	char	err[512];

	memset(f, 0, sizeof(*f));
	if (fixture_dir_make(f->dir, sizeof(f->dir)) == -1)
		return (-1);
	snprintf(f->path, sizeof(f->path), "%s/env", f->dir);
	if (store_open(&f->st, f->path, FIXTURE_MAP_SIZE, NULL, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "fixture: store_open: %s\n", err);
		(void)fixture_dir_remove(f->dir);
		return (-1);
	}
	return (0);
}

int
fixture_store_close(struct fixture *f)
{
	if (f->st != NULL)
		store_close(f->st);
	f->st = NULL;
	crypto_master_key_wipe(&f->master);
	return (fixture_dir_remove(f->dir));
}

void
fixture_master_key(struct crypto_master_key *mk, unsigned char fill)
{
	unsigned char	md[CRYPTO_SHA256_LEN];

	memset(mk->key, fill, sizeof(mk->key));
	crypto_sha256(mk->key, sizeof(mk->key), md);
	memcpy(mk->id, md, sizeof(mk->id));
}

int
fixture_core(struct fixture *f)
{
	char	path[FIXTURE_PATH_MAX], err[CONFIG_ERR_MAX];

	if (fixture_conf_path(path, sizeof(path), "minimal.conf") == -1) {
		fprintf(stderr, "fixture: path of minimal.conf too long\n");
		return (-1);
	}
	if (config_load(path, &f->cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "fixture: %s\n", err);
		return (-1);
	}
	snprintf(f->cfg.data_dir, sizeof(f->cfg.data_dir), "%s", f->path);
	f->cfg.map_size = FIXTURE_MAP_SIZE;
	fixture_master_key(&f->master, 0x4d);

	memset(&f->ctx, 0, sizeof(f->ctx));
	f->ctx.store = f->st;
	f->ctx.master = &f->master;
	f->ctx.cfg = &f->cfg;
	f->ctx.now = (uint64_t)time(NULL);
	f->ctx.addr = FIXTURE_ADDR;
	return (0);
}

int
fixture_binding_add(struct fixture *f, const char *user_id)
{
	struct store_txn	txn;
	struct binding		b;
	unsigned char		key[BINDING_KEY_LEN];

	memset(&b, 0, sizeof(b));
	memset(key, 0x42, sizeof(key));
	if (crypto_random_hex(b.id, sizeof(b.id), BINDING_ID_LEN / 2) == -1)
		return (-1);
	snprintf(b.user_id, sizeof(b.user_id), "%s", user_id);
	snprintf(b.label, sizeof(b.label), "phone");
	b.loa = 2;
	b.state = BINDING_ACTIVE;
	b.created = f->ctx.now;
	if (crypto_wrap(&f->master, b.id, strlen(b.id), key, sizeof(key),
	    b.wrapped_key) == -1 || store_txn_begin(f->st, &txn, 1) == -1)
		return (-1);
	if (store_binding_put(&txn, &b) == -1) {
		store_txn_abort(&txn);
		return (-1);
	}
	return (store_txn_commit(&txn));
}

int
fixture_setup(void **state)
{
	struct fixture	*f;

	if ((f = malloc(sizeof(*f))) == NULL)
		return (-1);
	if (fixture_store_open(f) == -1) {
		free(f);
		return (-1);
	}
	*state = f;
	return (0);
}

int
fixture_setup_core(void **state)
{
	if (fixture_setup(state) == -1)
		return (-1);
	if (fixture_core(*state) == -1) {
		(void)fixture_teardown(state);
		return (-1);
	}
	return (0);
}

int
fixture_teardown(void **state)
{
	struct fixture	*f = *state;
	int		 rc;

	rc = fixture_store_close(f);
	free(f);
	*state = NULL;
	return (rc);
}
