/*
 * Unit tests for the verifier side of X.1280 in src/oob.c: starting a
 * server-authentication request (8.2, 8.3) under the 9.2.4 rules, and
 * the authenticator's signed decision (8.4, 8.5) with its checks. The
 * device is a real P-256 key; the store a real one in a temporary
 * directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "device.h"
#include "fixture.h"
#include "oob.h"

#define SID		"00112233445566778899aabbccddeeff" \
			"00112233445566778899aabbccddeeff"
#define OTHER_SID	"ffeeddccbbaa99887766554433221100" \
			"ffeeddccbbaa99887766554433221100"
#define RP		"https://sp.example.org/shibboleth"

/* The fixture with one user's authenticator. */
struct oob_fixture {
	struct fixture	 f;
	EVP_PKEY	*device;
	struct binding	 b;
};

static int	oob_setup(void **);
static int	oob_teardown(void **);
static void	start(struct oob_fixture *, const char *, struct oob_view *,
		    enum oob_error);
static enum oob_error	decide(struct oob_fixture *, const struct binding *,
			    EVP_PKEY *, const char *, const char *,
			    const char *, const char *, uint32_t *);

/* An active binding for alice whose device key the test holds. */
static int
oob_setup(void **state)
{
	struct oob_fixture	*o;
	struct store_txn	 txn;
	unsigned char		 key[BINDING_KEY_LEN];

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return (-1);
	*state = o;
	if (fixture_store_open(&o->f) == -1 || fixture_core(&o->f) == -1 ||
	    (o->device = device_key_generate()) == NULL ||
	    device_key_public(o->device, o->b.pubkey) == -1 ||
	    crypto_random_hex(o->b.id, sizeof(o->b.id),
	    BINDING_ID_LEN / 2) == -1)
		return (-1);
	memset(key, 0x42, sizeof(key));
	strcpy(o->b.user_id, "alice");
	strcpy(o->b.label, "phone");
	o->b.loa = 3;
	o->b.state = BINDING_ACTIVE;
	o->b.created = o->f.ctx.now;
	if (crypto_wrap(&o->f.master, o->b.id, strlen(o->b.id), key,
	    sizeof(key), o->b.wrapped_key) == -1 ||
	    store_txn_begin(o->f.st, &txn, 1) == -1)
		return (-1);
	if (store_binding_put(&txn, &o->b) == -1) {
		store_txn_abort(&txn);
		return (-1);
	}
	return (store_txn_commit(&txn));
}

static int
oob_teardown(void **state)
{
	struct oob_fixture	*o = *state;
	int			 rc;

	EVP_PKEY_free(o->device);
	rc = fixture_store_close(&o->f);
	free(o);
	return (rc);
}

/* oob_start() for alice from the terminal session sid, expecting want. */
static void
start(struct oob_fixture *o, const char *sid, struct oob_view *view,
    enum oob_error want)
{
	struct oob_start_in	in;

	memset(&in, 0, sizeof(in));
	in.user_id = "alice";
	in.session_id = sid;
	in.rp = RP;
	in.tpub = o->f.ctx.addr;
	in.ua = "Mozilla/5.0 (X11; Linux x86_64)";
	assert_int_equal(oob_start(&o->f.ctx, &in, view), want);
}

/*
 * The authenticator's decision on request_id, signed by device over the
 * text of docs/protocol.md §5 with the request's offset.
 */
static enum oob_error
decide(struct oob_fixture *o, const struct binding *b, EVP_PKEY *device,
    const char *request_id, const char *decision, const char *code,
    const char *reason, uint32_t *state)
{
	struct store_txn	txn;
	struct oob_request	req;
	struct oob_decide_in	in;
	unsigned char		sig[DEVICE_SIG_LEN];
	char			text[OFFSET_MAX + 256], hash[65], sig64[96];

	assert_int_equal(store_txn_begin(o->f.st, &txn, 0), 0);
	assert_int_equal(store_oob_request_get(&txn, request_id, &req), 0);
	store_txn_abort(&txn);
	offset_hash_hex(req.offset, hash);
	snprintf(text, sizeof(text), "mutua-approve-v1\n%s\n%s\n%s\n%s",
	    request_id, hash, decision, code);
	assert_int_equal(device_sign(device, text, strlen(text), sig), 0);
	assert_int_equal(crypto_b64url_encode(sig, sizeof(sig), sig64,
	    sizeof(sig64)), 0);

	memset(&in, 0, sizeof(in));
	in.request_id = request_id;
	in.decision = decision;
	in.code = code;
	in.reason = reason;
	in.signature = sig64;
	return (oob_decide(&o->f.ctx, b, &in, state));
}

static void
test_start_shows_a_code_only_to_its_own_session(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_view		 view, seen;

	start(o, SID, &view, OOB_OK);
	assert_int_equal(strlen(view.code), OFFSET_CODE_LEN);
	assert_int_equal(view.state, OOB_PENDING);
	assert_string_equal(view.binding_id, o->b.id);
	assert_int_equal(view.nbindings, 1);
	assert_int_equal(view.expires, o->f.ctx.now +
	    o->f.cfg.oob_code_lifetime);

	assert_int_equal(oob_view(&o->f.ctx, view.request_id, SID, &seen),
	    OOB_OK);
	assert_string_equal(seen.code, view.code);
	/* Another browser cannot read the code or take the login. */
	assert_int_equal(oob_view(&o->f.ctx, view.request_id, OTHER_SID,
	    &seen), OOB_ERR_UNKNOWN_REQUEST);
	assert_int_equal(oob_consume(&o->f.ctx, view.request_id, OTHER_SID,
	    &seen), OOB_ERR_UNKNOWN_REQUEST);
	/* Nothing to consume before the approval. */
	assert_int_equal(oob_consume(&o->f.ctx, view.request_id, SID, &seen),
	    OOB_ERR_NOT_PENDING);
}

static void
test_start_without_an_active_binding_is_refused(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_start_in	 in;
	struct oob_view		 view;

	memset(&in, 0, sizeof(in));
	in.user_id = "bob";
	in.session_id = SID;
	in.rp = RP;
	in.tpub = o->f.ctx.addr;
	assert_int_equal(oob_start(&o->f.ctx, &in, &view),
	    OOB_ERR_NO_BINDING);
	assert_string_equal(view.code, "");
}

/* X.1280 9.2.4: one pending request per user. */
static void
test_second_terminal_waits_while_one_is_pending(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_view		 first, other, again, seen;

	start(o, SID, &first, OOB_OK);
	o->f.ctx.now += 10;
	start(o, OTHER_SID, &other, OOB_ERR_BUSY);
	assert_int_equal(other.retry_after,
	    o->f.cfg.oob_code_lifetime - 10);
	assert_string_equal(other.code, "");

	/* The same terminal asks again: a new request replaces its own. */
	start(o, SID, &again, OOB_OK);
	assert_string_not_equal(again.request_id, first.request_id);
	assert_int_equal(oob_view(&o->f.ctx, first.request_id, SID, &seen),
	    OOB_OK);
	assert_int_equal(seen.state, OOB_CANCELLED);

	/* Once the request expired, another terminal may start. */
	o->f.ctx.now += o->f.cfg.oob_code_lifetime;
	start(o, OTHER_SID, &other, OOB_OK);
}

static void
test_approval_is_consumed_once(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_view		 view, done;
	uint32_t		 st;

	start(o, SID, &view, OOB_OK);
	assert_int_equal(decide(o, &o->b, o->device, view.request_id,
	    "approve", view.code, "", &st), OOB_OK);
	assert_int_equal(st, OOB_APPROVED);
	/* The decision is final. */
	assert_int_equal(decide(o, &o->b, o->device, view.request_id,
	    "deny", "", "", &st), OOB_ERR_NOT_PENDING);

	assert_int_equal(oob_consume(&o->f.ctx, view.request_id, SID, &done),
	    OOB_OK);
	assert_string_equal(done.user_id, "alice");
	assert_string_equal(done.binding_id, o->b.id);
	assert_int_equal(done.loa, 3);
	assert_int_equal(oob_consume(&o->f.ctx, view.request_id, SID, &done),
	    OOB_ERR_NOT_PENDING);
}

static void
test_wrong_code_and_bad_signature_leave_the_request_pending(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_view		 view, seen;
	EVP_PKEY		*stranger;
	char			 wrong[OFFSET_CODE_LEN + 1];
	uint32_t		 st;

	start(o, SID, &view, OOB_OK);
	snprintf(wrong, sizeof(wrong), "%s", view.code);
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	assert_int_equal(decide(o, &o->b, o->device, view.request_id,
	    "approve", wrong, "", &st), OOB_ERR_WRONG_CODE);

	assert_non_null(stranger = device_key_generate());
	assert_int_equal(decide(o, &o->b, stranger, view.request_id,
	    "approve", view.code, "", &st), OOB_ERR_SIGNATURE);
	EVP_PKEY_free(stranger);

	assert_int_equal(oob_view(&o->f.ctx, view.request_id, SID, &seen),
	    OOB_OK);
	assert_int_equal(seen.state, OOB_PENDING);
	assert_int_equal(st, 0);
}

static void
test_request_of_another_binding_is_unknown(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_view		 view;
	struct binding		 other = o->b;
	uint32_t		 st;

	start(o, SID, &view, OOB_OK);
	other.id[0] = other.id[0] == 'a' ? 'b' : 'a';
	assert_int_equal(decide(o, &other, o->device, view.request_id,
	    "approve", view.code, "", &st), OOB_ERR_UNKNOWN_REQUEST);
}

static void
test_expired_request_cannot_be_approved(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_view		 view, seen;
	uint32_t		 st;

	start(o, SID, &view, OOB_OK);
	o->f.ctx.now += o->f.cfg.oob_code_lifetime;
	assert_int_equal(decide(o, &o->b, o->device, view.request_id,
	    "approve", view.code, "", &st), OOB_ERR_EXPIRED);
	assert_int_equal(oob_consume(&o->f.ctx, view.request_id, SID, &seen),
	    OOB_ERR_EXPIRED);
}

static void
report_alert(void *arg, const struct oob_alert *a)
{
	(*(int *)arg)++;
}

static void
report_request(void *arg, const struct oob_request *r)
{
	fail_msg("a decided request is not pending: %s", r->id);
}

/*
 * "Not me" denies and raises an alert, shown on the user's other
 * authenticators (the one that denied knows already).
 */
static void
test_denial_not_me_alerts_the_other_authenticators(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_pending_cb	 cb;
	struct oob_view		 view;
	struct store_txn	 txn;
	struct binding		 backup = o->b;
	uint32_t		 st;
	int			 alerts = 0, count;

	assert_int_equal(crypto_random_hex(backup.id, sizeof(backup.id),
	    BINDING_ID_LEN / 2), 0);
	/* Not active: the request goes to the first authenticator. */
	backup.state = BINDING_SUSPENDED;
	assert_int_equal(store_txn_begin(o->f.st, &txn, 1), 0);
	assert_int_equal(store_binding_put(&txn, &backup), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	start(o, SID, &view, OOB_OK);
	assert_int_equal(decide(o, &o->b, o->device, view.request_id,
	    "deny", "", "not_me", &st), OOB_OK);
	assert_int_equal(st, OOB_DENIED);

	cb.request = report_request;
	cb.alert = report_alert;
	cb.arg = &alerts;
	assert_int_equal(oob_pending(&o->f.ctx, &o->b, &cb, &count), OOB_OK);
	assert_int_equal(alerts, 0);
	assert_int_equal(oob_pending(&o->f.ctx, &backup, &cb, &count), OOB_OK);
	assert_int_equal(alerts, 1);
}

static void
test_malformed_decisions_are_invalid(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_view		 view;
	uint32_t		 st;

	start(o, SID, &view, OOB_OK);
	assert_int_equal(decide(o, &o->b, o->device, view.request_id,
	    "maybe", view.code, "", &st), OOB_ERR_INVALID);
	assert_int_equal(decide(o, &o->b, o->device, view.request_id,
	    "deny", "", "because", &st), OOB_ERR_INVALID);
	assert_int_equal(decide(o, &o->b, o->device, view.request_id,
	    "approve", "12-456", "", &st), OOB_ERR_INVALID);
}

/* Guessing codes on a stolen device key is bounded per binding. */
static void
test_failed_approvals_are_rate_limited(void **state)
{
	struct oob_fixture	*o = *state;
	struct oob_view		 view;
	char			 wrong[OFFSET_CODE_LEN + 1];
	enum oob_error		 e;
	uint32_t		 st;
	int			 i;

	start(o, SID, &view, OOB_OK);
	snprintf(wrong, sizeof(wrong), "%s", view.code);
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	for (i = 0; i < 20; i++) {
		e = decide(o, &o->b, o->device, view.request_id, "approve",
		    wrong, "", &st);
		if (e == OOB_ERR_RATE)
			break;
		assert_int_equal(e, OOB_ERR_WRONG_CODE);
	}
	assert_int_equal(e, OOB_ERR_RATE);
	/* The right code no longer helps once the limit is reached. */
	assert_int_equal(decide(o, &o->b, o->device, view.request_id,
	    "approve", view.code, "", &st), OOB_ERR_RATE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_start_shows_a_code_only_to_its_own_session,
		    oob_setup, oob_teardown),
		cmocka_unit_test_setup_teardown(
		    test_start_without_an_active_binding_is_refused,
		    oob_setup, oob_teardown),
		cmocka_unit_test_setup_teardown(
		    test_second_terminal_waits_while_one_is_pending,
		    oob_setup, oob_teardown),
		cmocka_unit_test_setup_teardown(
		    test_approval_is_consumed_once,
		    oob_setup, oob_teardown),
		cmocka_unit_test_setup_teardown(
		    test_wrong_code_and_bad_signature_leave_the_request_pending,
		    oob_setup, oob_teardown),
		cmocka_unit_test_setup_teardown(
		    test_request_of_another_binding_is_unknown,
		    oob_setup, oob_teardown),
		cmocka_unit_test_setup_teardown(
		    test_expired_request_cannot_be_approved,
		    oob_setup, oob_teardown),
		cmocka_unit_test_setup_teardown(
		    test_denial_not_me_alerts_the_other_authenticators,
		    oob_setup, oob_teardown),
		cmocka_unit_test_setup_teardown(
		    test_malformed_decisions_are_invalid,
		    oob_setup, oob_teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_approvals_are_rate_limited,
		    oob_setup, oob_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
