/*
 * store_session.c: "sign out everywhere" deletes all of one user's
 * sessions, in batches, and nobody else's. store_sweep.c: the sweep
 * deletes what expired in each volatile database and nothing live, a
 * slice at a time.
 */
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
#include "fixture.h"
#include "ratelimit.h"
#include "store.h"
#include "store_oob.h"
#include "store_saml.h"
#include "store_session.h"
#include "store_sweep.h"

static void	add_sessions(struct store *, const char *, int, uint64_t);
static int	count_user(struct store *, const char *, int, uint64_t);
static void	test_del_user_removes_only_that_user(void **);
static void	test_del_user_without_sessions_is_zero(void **);
static void	add_volatile_records(struct store *, const char *, uint64_t,
		    uint64_t, struct continuation *, struct saml_pending *);
static void	test_sweep_deletes_expired_records_only(void **);
static void	test_sweep_goes_on_where_it_stopped(void **);

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
	struct fixture		*e = *state;
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
	struct fixture		*e = *state;
	struct store_txn	 txn;

	add_sessions(e->st, "bob", 2, 1700000000);
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_session_del_user(&txn, "alice"), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static const struct ratelimit_rule	TEST_RULE = { "test.rule", 1, 600 };

/*
 * One record of each swept kind for tag, expiring at expires (an OOB
 * request is kept OOB_REQUEST_KEEP longer), written at written; a
 * participant of the session (tag)-0.
 */
static void
add_volatile_records(struct store *st, const char *tag, uint64_t written,
    uint64_t expires, struct continuation *c, struct saml_pending *p)
{
	static struct saml_logout	l;
	struct store_txn		txn;
	struct saml_participant		part;
	struct oob_request		req;
	char				id[64], key[SESSION_KEY_LEN + 1];

	memset(&part, 0, sizeof(part));
	memset(&req, 0, sizeof(req));
	memset(&l, 0, sizeof(l));
	memset(c, 0, sizeof(*c));
	memset(p, 0, sizeof(*p));
	snprintf(id, sizeof(id), "%s-0", tag);
	store_session_key(id, key);
	snprintf(part.sp, sizeof(part.sp), "https://sp.example.org");
	snprintf(id, sizeof(id), "replay-%s", tag);
	c->expires = p->expires = l.expires = expires;
	p->binding = 1;
	snprintf(req.id, sizeof(req.id), "%.3s%029d", tag, 0);
	snprintf(req.user_id, sizeof(req.user_id), "%s", tag);
	req.created = written;
	req.expires = expires - OOB_REQUEST_KEEP;
	req.state = OOB_PENDING;

	assert_int_equal(store_txn_begin(st, &txn, 1), 0);
	assert_int_equal(store_saml_participant_add(&txn, key, &part), 0);
	assert_int_equal(store_saml_replay_add(&txn, id, expires, written),
	    0);
	assert_int_equal(ratelimit_hit(&txn, &TEST_RULE, tag,
	    expires - RATELIMIT_WINDOW_MAX, NULL), 0);
	assert_int_equal(store_continuation_add(&txn, c), 0);
	assert_int_equal(store_saml_pending_add(&txn, p), 0);
	assert_int_equal(store_saml_logout_put(&txn, &l), 0);
	assert_int_equal(store_oob_request_put(&txn, &req), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_sweep_deletes_expired_records_only(void **state)
{
	static struct store_sweeper	sw;
	static struct saml_pending	p_old, p_new, p;
	struct fixture			*e = *state;
	struct store_txn		txn;
	struct continuation		c_old, c_new, c;
	struct oob_request		req;
	struct saml_participant		part;
	char				key[SESSION_KEY_LEN + 1];
	uint64_t			now = 1700000000, then = now - 7200;

	/* "old" expired an hour ago; "new" lives on. */
	add_sessions(e->st, "old", 3, then);
	add_sessions(e->st, "new", 2, now);
	add_volatile_records(e->st, "old", then, now - 3600, &c_old, &p_old);
	add_volatile_records(e->st, "new", now, now + 600, &c_new, &p_new);

	/* 3 sessions, then one of each of the 7 other kinds. */
	assert_int_equal(store_sweep(e->st, &sw, now), 3 + 7);
	assert_int_equal(store_sweep(e->st, &sw, now), 0);

	/* Read as of "then", when all were live: only "new" is left. */
	assert_int_equal(count_user(e->st, "old", 3, then), 0);
	assert_int_equal(count_user(e->st, "new", 2, then), 2);
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	store_session_key("old-0", key);
	assert_int_equal(store_saml_participants(&txn, key, &part, 1), 0);
	store_session_key("new-0", key);
	assert_int_equal(store_saml_participants(&txn, key, &part, 1), 1);
	assert_int_equal(store_saml_replay_seen(&txn, "replay-old", then), 0);
	assert_int_equal(store_saml_replay_seen(&txn, "replay-new", then),
	    1);
	assert_int_equal(ratelimit_check(&txn, &TEST_RULE, "old",
	    now - 3600 - RATELIMIT_WINDOW_MAX, NULL), 0);
	assert_int_equal(ratelimit_check(&txn, &TEST_RULE, "new",
	    now + 600 - RATELIMIT_WINDOW_MAX, NULL), 1);
	assert_int_equal(store_continuation_get(&txn, c_old.id, then, &c),
	    STORE_NOTFOUND);
	assert_int_equal(store_continuation_get(&txn, c_new.id, then, &c),
	    0);
	assert_int_equal(store_saml_pending_take(&txn, p_old.id, then, &p),
	    STORE_NOTFOUND);
	assert_int_equal(store_saml_pending_take(&txn, p_new.id, then, &p),
	    0);
	assert_int_equal(store_oob_request_get(&txn,
	    "old00000000000000000000000000000", &req), STORE_NOTFOUND);
	assert_int_equal(store_oob_request_get(&txn,
	    "new00000000000000000000000000000", &req), 0);
	store_txn_abort(&txn);
}

static void
test_sweep_goes_on_where_it_stopped(void **state)
{
	static struct store_sweeper	sw;
	struct fixture			*e = *state;
	struct store_txn		txn;
	char				id[32];
	uint64_t			now = 1700000000;
	int				i, live;

	/* 600 records, every other one expired: 300 to go. */
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	for (i = 0; i < 600; i++) {
		snprintf(id, sizeof(id), "id-%04d", i);
		assert_int_equal(store_saml_replay_add(&txn, id,
		    i % 2 ? now + 60 : now - 60, now - 120), 0);
	}
	assert_int_equal(store_txn_commit(&txn), 0);

	/* 256 looked at per call: 128, 128, then the last 88 (44). */
	assert_int_equal(store_sweep(e->st, &sw, now), 128);
	assert_int_equal(store_sweep(e->st, &sw, now), 128);
	assert_int_equal(store_sweep(e->st, &sw, now), 44);
	/* Round again from the first key: nothing left to delete. */
	assert_int_equal(store_sweep(e->st, &sw, now), 0);
	assert_int_equal(store_sweep(e->st, &sw, now), 0);

	live = 0;
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	for (i = 0; i < 600; i++) {
		snprintf(id, sizeof(id), "id-%04d", i);
		if (store_saml_replay_seen(&txn, id, now - 120) == 1) {
			assert_true(i % 2 == 1);
			live++;
		}
	}
	store_txn_abort(&txn);
	assert_int_equal(live, 300);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_del_user_removes_only_that_user, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_del_user_without_sessions_is_zero, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_sweep_deletes_expired_records_only, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_sweep_goes_on_where_it_stopped, fixture_setup,
		    fixture_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
