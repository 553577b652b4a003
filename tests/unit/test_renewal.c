/*
 * Unit tests for src/renewal.c (X.1280 Annex A): the password of a local
 * user is replaced after an out-of-band login when password_renewal is
 * on, and only then; users without a password or not in the store are
 * left alone. A real store in a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "renewal.h"
#include "store_user.h"

#define PASSWORD	"correct horse battery"

static void	add_user(struct fixture *, const char *, const char *);
static void	get_user(struct fixture *, const char *, struct user *);

static void
add_user(struct fixture *f, const char *id, const char *password)
{
	struct store_txn	txn;
	struct user		u;

	memset(&u, 0, sizeof(u));
	snprintf(u.id, sizeof(u.id), "%s", id);
	if (password != NULL)
		assert_int_equal(crypto_password_hash(password,
		    u.password_hash, sizeof(u.password_hash)), 0);
	assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
get_user(struct fixture *f, const char *id, struct user *u)
{
	struct store_txn	txn;

	assert_int_equal(store_txn_begin(f->st, &txn, 0), 0);
	assert_int_equal(store_user_get(&txn, id, u), 0);
	store_txn_abort(&txn);
}

static void
test_renewal_is_off_by_default(void **state)
{
	struct fixture	*f = *state;
	struct user	 before, after;

	assert_false(f->cfg.password_renewal);
	add_user(f, "alice", PASSWORD);
	get_user(f, "alice", &before);
	assert_int_equal(renewal_after_login(&f->ctx, "alice"), 0);
	get_user(f, "alice", &after);
	assert_string_equal(before.password_hash, after.password_hash);
	assert_true(crypto_password_verify(PASSWORD, after.password_hash));
}

static void
test_renewal_replaces_the_password_after_each_login(void **state)
{
	struct fixture	*f = *state;
	struct user	 first, second;

	f->cfg.password_renewal = 1;
	add_user(f, "alice", PASSWORD);
	assert_int_equal(renewal_after_login(&f->ctx, "alice"), 0);
	get_user(f, "alice", &first);
	/* The phished password is refused; a new hash is in its place. */
	assert_false(crypto_password_verify(PASSWORD, first.password_hash));
	assert_int_equal(strncmp(first.password_hash, "scrypt$", 7), 0);
	assert_int_equal(renewal_after_login(&f->ctx, "alice"), 0);
	get_user(f, "alice", &second);
	assert_string_not_equal(first.password_hash, second.password_hash);
}

static void
test_renewal_leaves_users_without_password_or_record(void **state)
{
	struct fixture	*f = *state;
	struct user	 u;

	f->cfg.password_renewal = 1;
	add_user(f, "bob", NULL);
	assert_int_equal(renewal_after_login(&f->ctx, "bob"), 0);
	get_user(f, "bob", &u);
	assert_string_equal(u.password_hash, "");
	/* A user of a directory has no record here: nothing to renew. */
	assert_int_equal(renewal_after_login(&f->ctx, "carol"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, fixture_setup_core, \
		    fixture_teardown)
		T(test_renewal_is_off_by_default),
		T(test_renewal_replaces_the_password_after_each_login),
		T(test_renewal_leaves_users_without_password_or_record),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
