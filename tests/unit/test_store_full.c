/*
 * Unit tests for a full store (src/store.c, src/store_sweep.c): when an
 * environment's LMDB map is full, a write fails as a whole, says why
 * (store_failure()), leaves every committed record readable, and the
 * sweep can still delete expired records in a map with no room left, so
 * that writes resume without anyone's help. The disk-full half (ENOSPC,
 * which LMDB meets at commit) needs a small file system and is tested
 * with a tmpfs in tests/integration/test_store_full.py.
 */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "store.h"
#include "store_session.h"
#include "store_sweep.h"

/* A small map: filled in a fraction of a second. */
#define SMALL_MAP	(1024 * 1024)
#define ERR_MAX		512
/* More records than a 1 MiB map holds: the fill loops stop before. */
#define FILL_MAX	20000

#define EXPIRES		1000	/* the filled sessions expire then */

static struct store_sweeper	sweeper;

static int	small_setup(void **);
static void	session_make(struct session *, unsigned int, uint64_t);
static int	session_write(struct store *, unsigned int, uint64_t);
static unsigned int	fill_sessions(struct store *);
static int	raw_write(struct store *, enum store_db, unsigned int);

/* The fixture's store, opened again with a 1 MiB map. */
static int
small_setup(void **state)
{
	struct fixture	*f;
	char		 err[ERR_MAX];

	if (fixture_setup(state) == -1)
		return (-1);
	f = *state;
	store_close(f->st);
	if (store_open(&f->st, f->path, SMALL_MAP, NULL, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "store_open: %s\n", err);
		return (-1);
	}
	f->ctx.store = f->st;
	return (0);
}

static void
session_make(struct session *s, unsigned int i, uint64_t expires)
{
	char	id[SESSION_ID_LEN + 1];

	memset(s, 0, sizeof(*s));
	snprintf(id, sizeof(id), "%064u", i);
	store_session_key(id, s->key);
	snprintf(s->user_id, sizeof(s->user_id), "user%u", i);
	/* A few hundred bytes, as a session with its return URL is. */
	memset(s->return_to, 'r', 300);
	strcpy(s->amr, "oob");
	s->loa = 2;
	s->created = 1;
	s->expires = expires;
}

/* One session in its own transaction. @return 0 or -1. */
static int
session_write(struct store *st, unsigned int i, uint64_t expires)
{
	struct store_txn	txn;
	struct session		s;

	session_make(&s, i, expires);
	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	if (store_session_put(&txn, &s) == -1) {
		store_txn_abort(&txn);
		return (-1);
	}
	return (store_txn_commit(&txn));
}

/* Writes sessions until the volatile map is full. @return how many. */
static unsigned int
fill_sessions(struct store *st)
{
	unsigned int	i;

	for (i = 0; i < FILL_MAX; i++)
		if (session_write(st, i, EXPIRES) == -1)
			return (i);
	fail_msg("a 1 MiB map held %u sessions", i);
	return (0);
}

/* A 200-byte record under key i in its own transaction. */
static int
raw_write(struct store *st, enum store_db db, unsigned int i)
{
	struct store_txn	txn;
	char			key[16], val[200];

	snprintf(key, sizeof(key), "k%08u", i);
	memset(val, 'v', sizeof(val));
	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	if (store_put(&txn, db, key, strlen(key), val, sizeof(val), 0) == -1)
		return (-1);
	return (store_txn_commit(&txn));
}

static void
test_store_full_map_fails_the_write_and_says_why(void **state)
{
	struct fixture		*f = *state;
	struct store_txn	 txn;
	struct session		 s, got;
	char			 why[128];
	unsigned int		 n, i;

	n = fill_sessions(f->st);
	assert_true(n > 100);
	assert_int_equal(store_failure(f->st, why, sizeof(why)),
	    STORE_FAIL_FULL);
	assert_non_null(strstr(why, "volatile: MDB_MAP_FULL"));

	/* Every committed record is intact; a read clears the failure. */
	assert_int_equal(store_txn_begin(f->st, &txn, 0), 0);
	assert_int_equal(store_failure(f->st, why, sizeof(why)),
	    STORE_FAIL_NONE);
	for (i = 0; i < n; i++) {
		session_make(&s, i, EXPIRES);
		assert_int_equal(store_session_get(&txn, s.key, EXPIRES - 1,
		    &got), 0);
		assert_string_equal(got.user_id, s.user_id);
	}
	assert_int_equal(store_txn_commit(&txn), 0);

	/* The durable environment has its own map and still has room. */
	assert_int_equal(raw_write(f->st, STORE_USERS, 1), 0);
	assert_int_equal(store_check(f->st), 0);
}

/*
 * A transaction spanning both environments whose durable part finds the
 * map full commits nothing: its volatile part is not left behind.
 */
static void
test_store_full_durable_map_commits_no_volatile_part(void **state)
{
	struct fixture		*f = *state;
	struct store_txn	 txn;
	struct store_val	 val;
	char			 why[128];
	unsigned int		 i;

	for (i = 0; i < FILL_MAX; i++)
		if (raw_write(f->st, STORE_ALERTS, i) == -1)
			break;
	assert_true(i < FILL_MAX);

	assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_SESSIONS, "orphan", 6, "x", 1,
	    0), 0);
	for (; i < FILL_MAX; i++)
		if (store_put(&txn, STORE_ALERTS, &i, sizeof(i), "v", 1,
		    0) == -1)
			break;
	assert_int_equal(store_txn_commit(&txn), -1);
	assert_int_equal(store_failure(f->st, why, sizeof(why)),
	    STORE_FAIL_FULL);
	assert_non_null(strstr(why, "durable: "));

	assert_int_equal(store_txn_begin(f->st, &txn, 0), 0);
	assert_int_equal(store_get(&txn, STORE_SESSIONS, "orphan", 6, &val),
	    STORE_NOTFOUND);
	store_txn_abort(&txn);
}

/*
 * The sweep deletes in a map that has no page left (LMDB copies every
 * page it changes), and once it has, writes succeed again.
 */
static void
test_store_full_map_is_freed_by_the_sweep(void **state)
{
	struct fixture	*f = *state;
	char		 why[128];
	unsigned int	 n;
	int		 swept, total, rounds;

	n = fill_sessions(f->st);
	assert_int_equal(session_write(f->st, n, EXPIRES + 3600), -1);
	assert_int_equal(store_failure(f->st, why, sizeof(why)),
	    STORE_FAIL_FULL);

	/* Not expired yet: nothing goes, and the sweep does not fail. */
	memset(&sweeper, 0, sizeof(sweeper));
	assert_int_equal(store_sweep(f->st, &sweeper, EXPIRES - 1), 0);

	total = 0;
	for (rounds = 0; rounds < 1000 && total < (int)n; rounds++) {
		if ((swept = store_sweep(f->st, &sweeper, EXPIRES)) == -1) {
			(void)store_failure(f->st, why, sizeof(why));
			fail_msg("sweep after %d of %u: %s", total, n, why);
		}
		total += swept;
	}
	assert_int_equal(total, n);
	assert_int_equal(session_write(f->st, n, EXPIRES + 3600), 0);
	/* And the map holds as many again. */
	for (; n > 0; n--)
		assert_int_equal(session_write(f->st, FILL_MAX + n,
		    EXPIRES + 3600), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, small_setup, \
		    fixture_teardown)
		T(test_store_full_map_fails_the_write_and_says_why),
		T(test_store_full_durable_map_commits_no_volatile_part),
		T(test_store_full_map_is_freed_by_the_sweep),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
