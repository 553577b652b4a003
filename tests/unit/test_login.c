/*
 * Unit tests for src/login.c: the user ID step, the password fallback
 * with its rate limit and the X.1280 9.2.1 rule, the login in progress
 * and its continuation, session establishment under a new ID, service
 * continuations and sign-out. A real store in a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "login.h"
#include "store_binding.h"
#include "store_user.h"

#define OLD_SID	"00112233445566778899aabbccddeeff" \
		"00112233445566778899aabbccddeeff"
#define OTHER_SID	"ffeeddccbbaa99887766554433221100" \
		"ffeeddccbbaa99887766554433221100"
#define PASSWORD	"correct horse battery"

static void	add_user(struct fixture *, const char *, int);
static int	sign_in(struct fixture *, const char *, const char *,
		    struct login_done *);

/* A user with a password; disabled when asked. */
static void
add_user(struct fixture *f, const char *id, int disabled)
{
	struct store_txn	txn;
	struct user		u;

	memset(&u, 0, sizeof(u));
	snprintf(u.id, sizeof(u.id), "%s", id);
	assert_int_equal(crypto_password_hash(PASSWORD, u.password_hash,
	    sizeof(u.password_hash)), 0);
	if (disabled)
		u.flags |= USER_DISABLED;
	assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* login_password() with a copy of the password (it wipes it). */
static int
sign_in(struct fixture *f, const char *user, const char *password,
    struct login_done *done)
{
	char	copy[64];

	snprintf(copy, sizeof(copy), "%s", password);
	return (login_password(&f->ctx, OLD_SID, user, copy, done));
}

static void
test_user_id_is_lowercased_and_checked(void **state)
{
	char	out[USER_ID_MAX], longer[USER_ID_MAX + 8];

	assert_int_equal(login_user_normalize("Alice.Smith", out), 0);
	assert_string_equal(out, "alice.smith");
	assert_int_equal(login_user_normalize("a b", out), -1);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(login_user_normalize(longer, out), -1);
}

static void
test_password_opens_a_new_session_and_ends_the_old_one(void **state)
{
	struct fixture		*f = *state;
	struct login_done	 done;
	struct session		 s;

	add_user(f, "alice", 0);
	assert_int_equal(sign_in(f, "alice", PASSWORD, &done), LOGIN_OK);
	/* No session fixation: the login lives under a new ID. */
	assert_string_not_equal(done.session_id, OLD_SID);
	assert_string_equal(done.return_to, LOGIN_RETURN_DEFAULT);
	assert_int_equal(login_session(&f->ctx, done.session_id, &s), 1);
	assert_string_equal(s.user_id, "alice");
	assert_int_equal(s.loa, SESSION_LOA_PASSWORD);
	assert_string_equal(s.amr, "pwd");
	assert_int_equal(login_session(&f->ctx, OLD_SID, &s), 0);
	assert_int_equal(login_signout(&f->ctx, done.session_id), 0);
	assert_int_equal(login_session(&f->ctx, done.session_id, &s), 0);
}

static void
test_wrong_password_unknown_and_disabled_users_fail_alike(void **state)
{
	struct fixture		*f = *state;
	struct login_done	 done;

	add_user(f, "bob", 1);
	assert_int_equal(sign_in(f, "bob", PASSWORD, &done), LOGIN_ERR_FAILED);
	assert_int_equal(sign_in(f, "nobody", PASSWORD, &done),
	    LOGIN_ERR_FAILED);
	add_user(f, "carol", 0);
	assert_int_equal(sign_in(f, "carol", "wrong", &done),
	    LOGIN_ERR_FAILED);
}

static void
test_password_attempts_are_limited_per_user(void **state)
{
	struct fixture		*f = *state;
	struct login_done	 done;
	int			 i;

	add_user(f, "dave", 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(sign_in(f, "dave", "wrong", &done),
		    LOGIN_ERR_FAILED);
	/* Then even the right password is refused until the window ends. */
	assert_int_equal(sign_in(f, "dave", PASSWORD, &done), LOGIN_ERR_RATE);
	f->ctx.now += 901;
	assert_int_equal(sign_in(f, "dave", PASSWORD, &done), LOGIN_OK);
}

static void
test_password_never_signs_in_a_user_with_an_authenticator(void **state)
{
	struct fixture		*f = *state;
	struct login_done	 done;

	add_user(f, "erin", 0);
	assert_int_equal(fixture_binding_add(f, "erin"), 0);
	/* X.1280 9.2.1. */
	assert_int_equal(sign_in(f, "erin", PASSWORD, &done),
	    LOGIN_ERR_OOB_ONLY);
}

static void
test_start_without_authenticator_asks_the_password(void **state)
{
	struct fixture		*f = *state;
	struct login_terminal	 t = { OLD_SID, "test" };
	uint32_t		 retry;

	add_user(f, "frank", 0);
	assert_int_equal(login_start(&f->ctx, &t, "frank", "", &retry),
	    LOGIN_ERR_PASSWORD);
	/* Unknown users get the same answer: nothing is revealed. */
	assert_int_equal(login_start(&f->ctx, &t, "nobody", "", &retry),
	    LOGIN_ERR_PASSWORD);
}

static void
test_start_shows_a_pending_request_that_cannot_continue_yet(void **state)
{
	struct fixture		*f = *state;
	struct login_terminal	 t = { OLD_SID, "test" };
	struct login_done	 done;
	struct session		 s;
	struct oob_view		 view;
	char			 user[USER_ID_MAX];
	uint32_t		 retry;

	add_user(f, "grace", 0);
	assert_int_equal(fixture_binding_add(f, "grace"), 0);
	assert_int_equal(login_start(&f->ctx, &t, "grace", "", &retry),
	    LOGIN_OK);
	assert_int_equal(login_progress(&f->ctx, OLD_SID, &s, &view),
	    LOGIN_OK);
	assert_string_equal(s.user_id, "grace");
	assert_int_equal(s.loa, SESSION_LOA_NONE);
	assert_string_equal(s.rp, f->cfg.base_url);
	assert_int_equal(view.state, OOB_PENDING);
	assert_int_equal(strlen(view.code), OFFSET_CODE_LEN);
	assert_int_equal(login_continue(&f->ctx, OLD_SID, &done),
	    LOGIN_ERR_NOT_APPROVED);
	/* A retry is a new request for the same login (X.1280 8.3). */
	assert_int_equal(login_again(&f->ctx, &t, 0, user, &retry), LOGIN_OK);
	assert_string_equal(user, "grace");
}

static void
test_another_browser_waits_for_the_pending_request(void **state)
{
	struct fixture		*f = *state;
	struct login_terminal	 t = { OLD_SID, "test" };
	struct login_terminal	 other = { OTHER_SID, "test" };
	uint32_t		 retry;

	add_user(f, "heidi", 0);
	assert_int_equal(fixture_binding_add(f, "heidi"), 0);
	assert_int_equal(login_start(&f->ctx, &t, "heidi", "", &retry),
	    LOGIN_OK);
	/* X.1280 9.2.4: one pending request per user. */
	retry = 0;
	assert_int_equal(login_start(&f->ctx, &other, "heidi", "", &retry),
	    LOGIN_ERR_BUSY);
	assert_true(retry > 0);
}

static void
test_no_login_in_progress(void **state)
{
	struct fixture		*f = *state;
	struct login_terminal	 t = { OLD_SID, "test" };
	struct login_done	 done;
	struct session		 s;
	struct oob_view		 view;
	char			 user[USER_ID_MAX];
	uint32_t		 retry;

	assert_int_equal(login_progress(&f->ctx, OLD_SID, &s, &view),
	    LOGIN_ERR_NO_LOGIN);
	assert_int_equal(login_continue(&f->ctx, OLD_SID, &done),
	    LOGIN_ERR_NO_LOGIN);
	assert_int_equal(login_again(&f->ctx, &t, 1, user, &retry),
	    LOGIN_ERR_NO_LOGIN);
}

static void
test_continuation_carries_the_service_and_expires(void **state)
{
	struct fixture		*f = *state;
	struct login_terminal	 t = { OLD_SID, "test" };
	struct session		 s;
	struct oob_view		 view;
	char			 id[CONTINUATION_ID_LEN + 1], big[2048];
	uint32_t		 retry;

	add_user(f, "ivan", 0);
	assert_int_equal(fixture_binding_add(f, "ivan"), 0);
	assert_int_equal(login_continuation_add(&f->ctx, "https://sp.test",
	    "/saml/resume?x=1", id), LOGIN_OK);
	assert_int_equal(login_start(&f->ctx, &t, "ivan", id, &retry),
	    LOGIN_OK);
	assert_int_equal(login_progress(&f->ctx, OLD_SID, &s, &view),
	    LOGIN_OK);
	assert_string_equal(s.rp, "https://sp.test");
	assert_string_equal(s.return_to, "/saml/resume?x=1");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(login_continuation_add(&f->ctx, "https://sp.test",
	    big, id), LOGIN_ERR_INVALID);
	assert_int_equal(login_continuation_add(&f->ctx, "https://sp.test",
	    "/", id), LOGIN_OK);
	f->ctx.now += CONTINUATION_LIFETIME + 1;
	assert_int_equal(login_start(&f->ctx, &t, "ivan", id, &retry),
	    LOGIN_ERR_EXPIRED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_id_is_lowercased_and_checked),
#define T(name)	cmocka_unit_test_setup_teardown(name, fixture_setup_core, \
		    fixture_teardown)
		T(test_password_opens_a_new_session_and_ends_the_old_one),
		T(test_wrong_password_unknown_and_disabled_users_fail_alike),
		T(test_password_attempts_are_limited_per_user),
		T(test_password_never_signs_in_a_user_with_an_authenticator),
		T(test_start_without_authenticator_asks_the_password),
		T(test_start_shows_a_pending_request_that_cannot_continue_yet),
		T(test_another_browser_waits_for_the_pending_request),
		T(test_no_login_in_progress),
		T(test_continuation_carries_the_service_and_expires),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
