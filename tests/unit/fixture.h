/*
 * fixture.c: what the unit tests share: a temporary directory removed
 * with everything in it, a store opened in one, and the core context
 * (configuration, master key, clock, address) that oob.c, enrolment.c
 * and the other core modules are called with.
 *
 * Each helper returns 0 or -1 and says why on stderr, so that a cmocka
 * setup function can return its result; the fixture_setup*() and
 * fixture_teardown() functions are such setup and teardown functions.
 */
#ifndef MUTUA_TEST_FIXTURE_H
#define MUTUA_TEST_FIXTURE_H

#include <stddef.h>

#include "config.h"
#include "core.h"
#include "crypto.h"
#include "store.h"

#define FIXTURE_DIR_MAX		64
#define FIXTURE_PATH_MAX	128
/* Each environment of a test store: enough for every test, and small. */
#define FIXTURE_MAP_SIZE	(16 * 1024 * 1024)
/* The address fixture_core() puts in the context (RFC 5737). */
#define FIXTURE_ADDR		"192.0.2.1"

struct fixture {
	char				 dir[FIXTURE_DIR_MAX];
	char				 path[FIXTURE_PATH_MAX]; /* the store */
	struct store			*st;
	struct config			 cfg;
	struct crypto_master_key	 master;
	struct core_ctx			 ctx;
};

/*
 * Makes a new directory $TMPDIR/mutua-PROGRAM-XXXXXX (mkdtemp(3), mode
 * 0700; /tmp when TMPDIR is unset), PROGRAM being the binary's name.
 * @param dir	receives the path (capacity dirlen, FIXTURE_DIR_MAX is
 *		enough)
 * @return 0 or -1.
 */
int	fixture_dir_make(char *dir, size_t dirlen);

/*
 * Removes dir and everything below it, without following links.
 * @return 0, or -1 when anything could not be removed.
 */
int	fixture_dir_remove(const char *dir);

/*
 * Writes the path of tests/unit/conf/name into out (capacity outlen).
 * @return 0, or -1 when it does not fit.
 */
int	fixture_conf_path(char *out, size_t outlen, const char *name);

/*
 * Makes f->dir with fixture_dir_make() and opens a store of
 * FIXTURE_MAP_SIZE in f->path (f->dir/env). Everything else in f is
 * zeroed. Release with fixture_store_close().
 * @return 0, or -1 (then nothing is left behind).
 */
int	fixture_store_open(struct fixture *f);

/*
 * Closes f->st when it is open and removes f->dir.
 * @return 0 or -1.
 */
int	fixture_store_close(struct fixture *f);

/*
 * Fills f->cfg with the defaults of config.c (conf/minimal.conf, so
 * that the tests run with what a deployment gets), data_dir f->path and
 * no outbox; f->master with a key of one repeated byte (see
 * fixture_master_key()); and f->ctx with them, f->st, the current time
 * and FIXTURE_ADDR. f must not move afterwards: f->ctx points into it.
 * @return 0 or -1.
 */
int	fixture_core(struct fixture *f);

/* Makes a master key of one repeated byte, with its key ID. */
void	fixture_master_key(struct crypto_master_key *mk, unsigned char fill);

/*
 * cmocka setup functions: allocate a fixture and set *state to it, with
 * a store (fixture_setup) or with a store and the core context
 * (fixture_setup_core). Release with fixture_teardown().
 */
/*
 * Adds an active LoA2 binding labelled "phone" for user_id, its K (all
 * 0x42) wrapped under the fixture's master key (needs fixture_core()).
 * @return 0 or -1.
 */
int	fixture_binding_add(struct fixture *f, const char *user_id);

int	fixture_setup(void **state);
int	fixture_setup_core(void **state);

/* cmocka teardown function: fixture_store_close() and free(). */
int	fixture_teardown(void **state);

#endif
