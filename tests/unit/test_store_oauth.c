/*
 * Unit tests for src/store_oauth.c: codes and tokens round trip and are
 * keyed by hash only (the value is nowhere in the database), expired
 * tokens read as absent, family revocation, parked requests are single
 * use, the jti cache refuses a replay until expiry, and the sweep
 * deletes expired records only.
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
#include "store_oauth.h"
#include "store_sweep.h"

#define CODE		"c0de-c0de-c0de-c0de-c0de-c0de-c0de-c0de-c0d"
#define TOKEN		"t0ken-t0ken-t0ken-t0ken-t0ken-t0ken-t0ken-t"

/* A fixture store and a write transaction on it, aborted at the end. */
struct env {
	struct fixture		f;
	struct store_txn	txn;
};

static int
setup(void **state)
{
	struct env	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return (-1);
	if (fixture_store_open(&e->f) == -1) {
		free(e);
		return (-1);
	}
	if (store_txn_begin(e->f.st, &e->txn, 1) == -1) {
		(void)fixture_store_close(&e->f);
		free(e);
		return (-1);
	}
	*state = e;
	return (0);
}

static int
teardown(void **state)
{
	struct env	*e = *state;
	int		 rc;

	store_txn_abort(&e->txn);
	rc = fixture_store_close(&e->f);
	free(e);
	return (rc);
}

struct search {
	const char	*needle;
	int		 found;
};

/* Notes whether the needle occurs in a key or a value. */
static int
contains_cb(void *arg, const struct store_val *k, const struct store_val *v)
{
	struct search	*s = arg;

	if (memmem(k->data, k->len, s->needle, strlen(s->needle)) != NULL ||
	    memmem(v->data, v->len, s->needle, strlen(s->needle)) != NULL)
		s->found = 1;
	return (0);
}

static void
test_code_round_trip_keyed_by_hash(void **state)
{
	struct env		*e = *state;
	struct oauth_code	 c, got;
	struct search		 search = { CODE, 0 };

	memset(&c, 0, sizeof(c));
	strcpy(c.g.client_id, "rp");
	strcpy(c.g.user_id, "alice");
	strcpy(c.g.scope, "openid email");
	strcpy(c.g.amr, "oob");
	c.g.loa = 3;
	c.g.auth_time = 1000;
	strcpy(c.redirect_uri, "https://rp.example/cb");
	strcpy(c.nonce, "n");
	strcpy(c.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	c.expires = 1060;
	assert_int_equal(store_oauth_code_put(&e->txn, CODE, &c), 0);
	assert_int_equal(store_oauth_code_get(&e->txn, CODE, &got), 0);
	assert_memory_equal(&c, &got, sizeof(c));
	assert_int_equal(store_oauth_code_get(&e->txn, CODE "x", &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_scan(&e->txn, STORE_OAUTH_CODES, NULL, 0, NULL,
	    0, contains_cb, &search), 0);
	assert_false(search.found);
	/* The scan does see the record (it holds the redirect URI). */
	search.needle = "rp.example";
	store_scan(&e->txn, STORE_OAUTH_CODES, NULL, 0, NULL, 0, contains_cb,
	    &search);
	assert_true(search.found);
}

static void
test_tokens_expire_and_families_revoke(void **state)
{
	struct env		*e = *state;
	struct oauth_token	 t, got;
	struct oauth_family	 f, fgot;

	memset(&f, 0, sizeof(f));
	strcpy(f.id, "0123456789abcdef0123456789abcdef");
	strcpy(f.client_id, "rp");
	strcpy(f.user_id, "alice");
	f.expires = 5000;
	assert_int_equal(store_oauth_family_put(&e->txn, &f), 0);

	memset(&t, 0, sizeof(t));
	t.type = OAUTH_TOKEN_REFRESH;
	strcpy(t.g.client_id, "rp");
	strcpy(t.family, f.id);
	t.issued = 1000;
	t.expires = 2000;
	assert_int_equal(store_oauth_token_put(&e->txn, TOKEN, &t), 0);
	assert_int_equal(store_oauth_token_get(&e->txn, TOKEN, 1999, &got), 0);
	assert_string_equal(got.family, f.id);
	assert_int_equal(store_oauth_token_get(&e->txn, TOKEN, 2000, &got),
	    STORE_NOTFOUND);

	assert_int_equal(store_oauth_family_revoke(&e->txn, f.id), 0);
	assert_int_equal(store_oauth_family_get(&e->txn, f.id, &fgot), 0);
	assert_true(fgot.revoked);
	assert_int_equal(store_oauth_family_revoke(&e->txn,
	    "ffffffffffffffffffffffffffffffff"), STORE_NOTFOUND);
	assert_int_equal(store_oauth_token_del(&e->txn, TOKEN), 0);
	assert_int_equal(store_oauth_token_get(&e->txn, TOKEN, 1500, &got),
	    STORE_NOTFOUND);
}

static void
test_parked_request_is_single_use(void **state)
{
	struct env		*e = *state;
	struct oauth_authz	 a, got;

	memset(&a, 0, sizeof(a));
	strcpy(a.client_id, "rp");
	strcpy(a.state, "s");
	a.max_age = -1;
	a.prompt = OAUTH_PROMPT_LOGIN;
	a.created = 100;
	a.expires = 200;
	assert_int_equal(store_oauth_authz_put(&e->txn, 0, "id1", &a), 0);
	assert_int_equal(store_oauth_authz_take(&e->txn, 0, "id1", 150, &got),
	    0);
	assert_memory_equal(&a, &got, sizeof(a));
	assert_int_equal(store_oauth_authz_take(&e->txn, 0, "id1", 150, &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_oauth_authz_put(&e->txn, 0, "id2", &a), 0);
	assert_int_equal(store_oauth_authz_take(&e->txn, 0, "id2", 200, &got),
	    STORE_NOTFOUND);
	/* A pushed request (RFC 9126) is not found as a parked one. */
	assert_int_equal(store_oauth_authz_put(&e->txn, 1, "id3", &a), 0);
	assert_int_equal(store_oauth_authz_take(&e->txn, 0, "id3", 150, &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_oauth_authz_take(&e->txn, 1, "id3", 150, &got),
	    0);
}

static void
test_jti_replay_is_refused_until_expiry(void **state)
{
	struct env	*e = *state;

	assert_int_equal(store_oauth_jti_add(&e->txn, "rp", "j1", 200, 100),
	    0);
	assert_int_equal(store_oauth_jti_add(&e->txn, "rp", "j1", 200, 150),
	    STORE_EXISTS);
	/* Another client may use the same jti. */
	assert_int_equal(store_oauth_jti_add(&e->txn, "rp2", "j1", 200, 150),
	    0);
	/* Once expired the entry no longer counts. */
	assert_int_equal(store_oauth_jti_add(&e->txn, "rp", "j1", 400, 200),
	    0);
}

static void
test_sweep_deletes_expired_records_only(void **state)
{
	static struct store_sweeper	 sw;
	struct env			*e = *state;
	struct oauth_token		 t, got;
	char				 tok[32];
	int				 i;

	memset(&t, 0, sizeof(t));
	t.type = OAUTH_TOKEN_ACCESS;
	for (i = 0; i < 10; i++) {
		snprintf(tok, sizeof(tok), "token-%d", i);
		t.expires = i < 5 ? 100 : 1000;
		assert_int_equal(store_oauth_token_put(&e->txn, tok, &t), 0);
	}
	/* The sweep runs in a transaction of its own. */
	assert_int_equal(store_txn_commit(&e->txn), 0);
	assert_int_equal(store_sweep(e->f.st, &sw, 500), 5);
	assert_int_equal(store_sweep(e->f.st, &sw, 500), 0);
	assert_int_equal(store_txn_begin(e->f.st, &e->txn, 1), 0);
	for (i = 0; i < 10; i++) {
		snprintf(tok, sizeof(tok), "token-%d", i);
		assert_int_equal(store_oauth_token_get(&e->txn, tok, 500, &got),
		    i < 5 ? STORE_NOTFOUND : 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_code_round_trip_keyed_by_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tokens_expire_and_families_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_parked_request_is_single_use, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_jti_replay_is_refused_until_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sweep_deletes_expired_records_only, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
