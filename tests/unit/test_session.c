/*
 * store_session.c: "sign out everywhere" deletes all of one user's
 * sessions, in batches, and nobody else's.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto.h"
#include "store.h"
#include "store_session.h"

#define MAP_SIZE	(16 * 1024 * 1024)

struct env {
	char		 dir[64];
	struct store	*st;
};

static int	rm_one(const char *, const struct stat *, int, struct FTW *);
static int	setup_env(void **);
static int	teardown_env(void **);
static void	add_sessions(struct store *, const char *, int, uint64_t);
static int	count_user(struct store *, const char *, int, uint64_t);
static void	test_del_user_removes_only_that_user(void **);
static void	test_del_user_without_sessions_is_zero(void **);

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return (remove(path));
}

static int
setup_env(void **state)
{
	struct env	*e;
	char		 err[256], path[96];

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return (-1);
	snprintf(e->dir, sizeof(e->dir), "/tmp/mutua-test-session-XXXXXX");
	if (mkdtemp(e->dir) == NULL) {
		free(e);
		return (-1);
	}
	snprintf(path, sizeof(path), "%s/env", e->dir);
	if (store_open(&e->st, path, MAP_SIZE, err, sizeof(err)) == -1) {
		fprintf(stderr, "store_open: %s\n", err);
		return (-1);
	}
	*state = e;
	return (0);
}

static int
teardown_env(void **state)
{
	struct env	*e = *state;

	store_close(e->st);
	(void)nftw(e->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(e);
	return (0);
}

/* Writes n sessions of user with IDs made from (user, i). */
static void
add_sessions(struct store *st, const char *user, int n, uint64_t now)
{
	struct store_txn	txn;
	struct session		s;
	char			id[64];
	int			i;

	assert_int_equal(store_txn_begin(st, &txn, 1), 0);
	for (i = 0; i < n; i++) {
		memset(&s, 0, sizeof(s));
		snprintf(id, sizeof(id), "%s-%d", user, i);
		store_session_key(id, s.key);
		snprintf(s.user_id, sizeof(s.user_id), "%s", user);
		s.loa = 2;
		s.created = now;
		s.expires = now + 3600;
		assert_int_equal(store_session_put(&txn, &s), 0);
	}
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* @return how many of the first n sessions of (user, i) are left. */
static int
count_user(struct store *st, const char *user, int n, uint64_t now)
{
	struct store_txn	txn;
	struct session		s;
	char			id[64], key[SESSION_KEY_LEN + 1];
	int			i, left;

	left = 0;
	assert_int_equal(store_txn_begin(st, &txn, 0), 0);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s-%d", user, i);
		store_session_key(id, key);
		if (store_session_get(&txn, key, now, &s) == 0)
			left++;
	}
	store_txn_abort(&txn);
	return (left);
}

static void
test_del_user_removes_only_that_user(void **state)
{
	struct env		*e = *state;
	struct store_txn	 txn;
	uint64_t		 now = 1700000000;

	/* More than one batch of 64, between the other users' sessions. */
	add_sessions(e->st, "alice", 150, now);
	add_sessions(e->st, "bob", 40, now);
	add_sessions(e->st, "alicia", 3, now);
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_session_del_user(&txn, "alice"), 150);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_int_equal(count_user(e->st, "alice", 150, now), 0);
	assert_int_equal(count_user(e->st, "bob", 40, now), 40);
	assert_int_equal(count_user(e->st, "alicia", 3, now), 3);
}

static void
test_del_user_without_sessions_is_zero(void **state)
{
	struct env		*e = *state;
	struct store_txn	 txn;

	add_sessions(e->st, "bob", 2, 1700000000);
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_session_del_user(&txn, "alice"), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_del_user_removes_only_that_user, setup_env,
		    teardown_env),
		cmocka_unit_test_setup_teardown(
		    test_del_user_without_sessions_is_zero, setup_env,
		    teardown_env),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
