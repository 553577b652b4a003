/*
 * Unit tests for the X.1254 vetting record: the state machine of
 * src/vetting.c (every action, every illegal transition of the case
 * shapes that occur, the undo of V_CREATE_DIGITAL_IDENTITY, eligibility
 * ageing, data minimisation, vetting codes) and the transactions of
 * src/enrolment.c over a real store (src/store_vetting.c) in a
 * fixture directory (fixture.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit.h"
#include "enrolment.h"
#include "fixture.h"
#include "outbox.h"
#include "store_binding.h"
#include "store_user.h"
#include "store_vetting.h"
#include "vetting.h"

#define T0		1700000000ULL
#define A(x)		VETTING_ ## x
#define OK		VETTING_OUTCOME_OK
#define FAIL		VETTING_OUTCOME_FAILED

/* Expected vetting_check() result for every action of one case shape. */
struct expect {
	const char		*shape;
	enum vetting_error	 want[VETTING_ACTION_COUNT];
};

struct ev_collect {
	char		 actions[64][40];
	uint32_t	 outcomes[64];
	int		 n;
};

static struct vetting_policy	policy;

static int	setup_env(void **);
static void	new_case(struct vetting_case *, uint32_t, uint32_t, uint32_t,
		    const char *);
static void	step(struct vetting_case *, uint32_t, uint32_t);
static void	check_table(const struct vetting_case *, const struct expect *);
static int	ev_collect_cb(void *, const struct vetting_event *);
static void	case_events(struct fixture *, const char *, struct ev_collect *);
static void	staff_do(struct fixture *, const char *, uint32_t, uint32_t,
		    const char *);
static void	desk_verified(struct fixture *, const char *, char *);
static void	bind_fake(struct fixture *, const char *, const char *,
		    struct binding *);
static int	user_exists(struct fixture *, const char *);
static uint32_t	binding_state(struct fixture *, const char *);

/* State machine: helpers. */

static void
new_case(struct vetting_case *c, uint32_t channel, uint32_t purpose,
    uint32_t loa, const char *user)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->id, "0123456789abcdef0123456789abcdef");
	strcpy(c->user_id, user);
	c->channel = channel;
	c->purpose = purpose;
	c->loa = loa;
	c->state = VETTING_STATE_OPEN;
	c->created = T0;
}

/* Asserts the action is allowed, then applies it. */
static void
step(struct vetting_case *c, uint32_t action, uint32_t outcome)
{
	enum vetting_error	e;

	e = vetting_check(&policy, c, action, T0 + 10);
	if (e != VETTING_OK)
		fail_msg("%s refused: %s", vetting_action_name(action),
		    vetting_error_text(e));
	vetting_apply(&policy, c, action, outcome, T0 + 10);
}

static void
check_table(const struct vetting_case *c, const struct expect *x)
{
	enum vetting_error	got;
	uint32_t		a;
	int			bad;

	bad = 0;
	for (a = 0; a < VETTING_ACTION_COUNT; a++) {
		got = vetting_check(&policy, c, a, T0 + 10);
		if (got != x->want[a]) {
			print_error("%s: %s gives %d (%s), expected %d\n",
			    x->shape, vetting_action_name(a), got,
			    vetting_error_text(got), x->want[a]);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* State machine: tests. */

static void
test_action_codes_round_trip(void **state)
{
	static const char	*codes[] = {
		"C_USE_EXISTING_FACTOR", "C_SELECT_NEW_FACTOR",
		"C_USE_NEW_FACTOR", "C_CHECK_ELIGIBILITY", "I_REQUEST_FACTOR",
		"I_FACTOR_DELIVERY", "I_ARRANGE_VETTING", "V_COMMENCE",
		"V_PRESENT_PROOF", "V_CREATE_DIGITAL_IDENTITY",
		"V_HAND_OVER_FACTOR", "V_VERIFY_IDENTITY", "V_VET_PROOF",
		"V_SOURCE", "V_CHECK_LIVENESS", "V_RECORD_PROOF_AUDIT_DATA",
		"V_PREREGISTER_FACTOR", "B_FACTOR_AND_ID", "B_ACTIVATE",
		"B_CONFIRMATION", "R_RELEASE_FACTOR"
	};
	int			i;

	assert_int_equal(sizeof(codes) / sizeof(codes[0]),
	    VETTING_ACTION_COUNT);
	for (i = 0; i < VETTING_ACTION_COUNT; i++) {
		assert_string_equal(vetting_action_name(i), codes[i]);
		assert_int_equal(vetting_action_from_name(codes[i]), i);
	}
	assert_null(vetting_action_name(VETTING_ACTION_COUNT));
	assert_int_equal(vetting_action_from_name("V_VET_ PROOF"), -1);
	assert_int_equal(vetting_action_from_name("v_commence"), -1);
}

static void
test_mask_parse(void **state)
{
	const char	*reason;
	uint32_t	 m;

	assert_int_equal(vetting_mask_parse("V_PRESENT_PROOF,V_VET_PROOF", &m,
	    &reason), 0);
	assert_int_equal(m, VETTING_BIT(A(V_PRESENT_PROOF)) |
	    VETTING_BIT(A(V_VET_PROOF)));
	assert_int_equal(vetting_mask_parse("V_PRESENT_PROOF,V_NOPE", &m,
	    &reason), -1);
	assert_int_equal(vetting_mask_parse("", &m, &reason), -1);
	assert_int_equal(vetting_mask_parse("V_PRESENT_PROOF,", &m, &reason),
	    -1);
}

static void
test_self_service_loa2_walks_its_actions(void **state)
{
	struct vetting_case	c;

	new_case(&c, VETTING_CHANNEL_SELF, VETTING_PURPOSE_ENROL, 2, "alice");
	step(&c, A(C_USE_EXISTING_FACTOR), OK);
	step(&c, A(C_SELECT_NEW_FACTOR), OK);
	step(&c, A(I_REQUEST_FACTOR), OK);
	step(&c, A(I_FACTOR_DELIVERY), OK);
	step(&c, A(B_FACTOR_AND_ID), OK);
	assert_int_equal(c.state, VETTING_STATE_BOUND);
	step(&c, A(B_ACTIVATE), OK);
	assert_int_equal(c.state, VETTING_STATE_ACTIVE);
	/* The confirmation waits for the proof of the new factor. */
	assert_int_equal(vetting_check(&policy, &c, A(B_CONFIRMATION),
	    T0 + 10), VETTING_ERR_ORDER);
	step(&c, A(C_USE_NEW_FACTOR), OK);
	step(&c, A(B_CONFIRMATION), OK);
	assert_int_equal(c.state, VETTING_STATE_COMPLETE);
	assert_int_equal(c.version, 8);
}

static void
test_desk_loa3_walks_every_vetting_action(void **state)
{
	struct vetting_case	c;

	/* A walk-in without an account: the identity is created. */
	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "");
	step(&c, A(V_COMMENCE), OK);
	assert_int_equal(c.state, VETTING_STATE_COMMENCED);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_CREATE_DIGITAL_IDENTITY), OK);
	assert_true(c.flags & VETTING_IDENTITY_CREATED);
	strcpy(c.user_id, "carol");
	step(&c, A(V_VET_PROOF), OK);
	step(&c, A(V_SOURCE), OK);
	step(&c, A(V_CHECK_LIVENESS), OK);
	step(&c, A(V_RECORD_PROOF_AUDIT_DATA), OK);
	step(&c, A(V_HAND_OVER_FACTOR), OK);
	step(&c, A(C_USE_NEW_FACTOR), OK);	/* the handed-over device */
	step(&c, A(C_SELECT_NEW_FACTOR), OK);
	step(&c, A(C_USE_EXISTING_FACTOR), OK);
	step(&c, A(V_VERIFY_IDENTITY), OK);
	assert_int_equal(c.state, VETTING_STATE_VERIFIED);
	step(&c, A(V_PREREGISTER_FACTOR), OK);
	step(&c, A(V_PREREGISTER_FACTOR), OK);	/* a new code: allowed */
	step(&c, A(B_FACTOR_AND_ID), OK);
	step(&c, A(B_ACTIVATE), OK);
	step(&c, A(B_CONFIRMATION), OK);
	assert_int_equal(c.state, VETTING_STATE_COMPLETE);
}

static void
test_arranged_case_initiation_then_desk(void **state)
{
	struct vetting_case	c;

	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "dave");
	step(&c, A(C_USE_EXISTING_FACTOR), OK);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	step(&c, A(I_REQUEST_FACTOR), OK);
	step(&c, A(I_ARRANGE_VETTING), OK);
	assert_int_equal(c.state, VETTING_STATE_ARRANGED);
	assert_int_equal(vetting_check(&policy, &c, A(I_ARRANGE_VETTING),
	    T0 + 10), VETTING_ERR_REPEAT);
	/* Turned back at the desk: the request stays for another visit. */
	step(&c, A(V_COMMENCE), FAIL);
	assert_int_equal(c.state, VETTING_STATE_ARRANGED);
	step(&c, A(V_COMMENCE), OK);
	assert_int_equal(vetting_check(&policy, &c, A(I_FACTOR_DELIVERY),
	    T0 + 10), VETTING_ERR_LATE);
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_VET_PROOF), OK);
	step(&c, A(V_RECORD_PROOF_AUDIT_DATA), OK);
	step(&c, A(V_VERIFY_IDENTITY), OK);
	step(&c, A(V_PREREGISTER_FACTOR), OK);
	step(&c, A(B_FACTOR_AND_ID), OK);
	step(&c, A(B_ACTIVATE), OK);
	step(&c, A(B_CONFIRMATION), OK);
	assert_int_equal(c.state, VETTING_STATE_COMPLETE);
}

static void
test_release_after_revetting(void **state)
{
	struct vetting_case	c;

	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_RELEASE, 3, "erin");
	strcpy(c.binding_id, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	step(&c, A(V_COMMENCE), OK);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	assert_int_equal(vetting_check(&policy, &c, A(R_RELEASE_FACTOR),
	    T0 + 10), VETTING_ERR_ORDER);
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_VET_PROOF), OK);
	assert_int_equal(vetting_check(&policy, &c, A(V_VERIFY_IDENTITY),
	    T0 + 10), VETTING_ERR_ORDER);	/* the audit data first */
	step(&c, A(V_RECORD_PROOF_AUDIT_DATA), OK);
	step(&c, A(V_VERIFY_IDENTITY), OK);
	step(&c, A(R_RELEASE_FACTOR), OK);
	assert_int_equal(c.state, VETTING_STATE_COMPLETE);
}

/* Every action against the case shapes that occur, error by error. */
static void
test_illegal_transitions(void **state)
{
	enum vetting_error	 O = VETTING_OK, ORD = VETTING_ERR_ORDER,
				 LAT = VETTING_ERR_LATE,
				 REP = VETTING_ERR_REPEAT,
				 CHN = VETTING_ERR_CHANNEL,
				 APP = VETTING_ERR_APPLICANT;
	struct vetting_case	 c;
	/* C_USE_EXISTING, C_SELECT, C_USE_NEW, C_CHECK, I_REQUEST,
	 * I_DELIVERY, I_ARRANGE, V_COMMENCE, V_PRESENT, V_CREATE,
	 * V_HAND_OVER, V_VERIFY, V_VET, V_SOURCE, V_LIVENESS, V_RECORD,
	 * V_PREREGISTER, B_FACTOR_AND_ID, B_ACTIVATE, B_CONFIRMATION,
	 * R_RELEASE */
	const struct expect	 self_new = { "self-service, new", {
	    O, O, ORD, O, O, ORD, CHN, CHN, CHN, CHN, CHN, CHN, CHN, CHN, CHN,
	    CHN, CHN, ORD, ORD, ORD, CHN } };
	const struct expect	 self_bound = { "self-service, bound", {
	    LAT, LAT, O, O, LAT, LAT, CHN, CHN, CHN, CHN, CHN, CHN, CHN, CHN,
	    CHN, CHN, CHN, REP, O, ORD, CHN } };
	const struct expect	 walk_in = { "desk walk-in, new", {
	    O, O, ORD, O, O, ORD, ORD, O, ORD, ORD, ORD, ORD, ORD, ORD, ORD,
	    ORD, APP, ORD, ORD, ORD, CHN } };
	const struct expect	 commenced = { "desk, commenced", {
	    O, O, ORD, O, LAT, LAT, LAT, REP, O, ORD, ORD, ORD, ORD, ORD, ORD,
	    ORD, ORD, ORD, ORD, ORD, CHN } };
	const struct expect	 verified = { "desk, verified", {
	    O, O, ORD, O, LAT, LAT, LAT, REP, REP, LAT, O, REP, REP, LAT, LAT,
	    REP, O, ORD, ORD, ORD, CHN } };
	const struct expect	 bound = { "desk, bound", {
	    LAT, LAT, O, O, LAT, LAT, LAT, REP, REP, LAT, LAT, REP, REP, LAT,
	    LAT, REP, LAT, REP, O, ORD, CHN } };
	const struct expect	 active = { "desk, active", {
	    LAT, LAT, O, LAT, LAT, LAT, LAT, REP, REP, LAT, LAT, REP, REP,
	    LAT, LAT, REP, LAT, REP, REP, O, CHN } };
	const struct expect	 release = { "release, commenced", {
	    O, CHN, CHN, O, CHN, CHN, CHN, REP, O, CHN, CHN, ORD, ORD, ORD,
	    ORD, ORD, CHN, CHN, CHN, CHN, ORD } };

	new_case(&c, VETTING_CHANNEL_SELF, VETTING_PURPOSE_ENROL, 2, "alice");
	check_table(&c, &self_new);
	step(&c, A(C_USE_EXISTING_FACTOR), OK);
	step(&c, A(I_REQUEST_FACTOR), OK);
	step(&c, A(B_FACTOR_AND_ID), OK);
	check_table(&c, &self_bound);

	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "");
	check_table(&c, &walk_in);

	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "bob");
	step(&c, A(V_COMMENCE), OK);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	check_table(&c, &commenced);
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_VET_PROOF), OK);
	step(&c, A(V_RECORD_PROOF_AUDIT_DATA), OK);
	step(&c, A(V_VERIFY_IDENTITY), OK);
	check_table(&c, &verified);
	step(&c, A(V_PREREGISTER_FACTOR), OK);
	step(&c, A(B_FACTOR_AND_ID), OK);
	check_table(&c, &bound);
	step(&c, A(B_ACTIVATE), OK);
	check_table(&c, &active);

	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_RELEASE, 3, "bob");
	step(&c, A(V_COMMENCE), OK);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	check_table(&c, &release);
}

static void
test_closed_case_refuses_every_action(void **state)
{
	struct vetting_case	c;
	uint32_t		a;

	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "bob");
	step(&c, A(V_COMMENCE), OK);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_VET_PROOF), FAIL);
	assert_int_equal(c.state, VETTING_STATE_FAILED);
	for (a = 0; a < VETTING_ACTION_COUNT; a++)
		assert_int_equal(vetting_check(&policy, &c, a, T0 + 10),
		    VETTING_ERR_CLOSED);
	c.state = VETTING_STATE_COMPLETE;
	for (a = 0; a < VETTING_ACTION_COUNT; a++)
		assert_int_equal(vetting_check(&policy, &c, a, T0 + 10),
		    VETTING_ERR_CLOSED);
	assert_int_equal(vetting_check(&policy, &c, VETTING_ACTION_COUNT,
	    T0), VETTING_ERR_INVALID);
}

static void
test_binding_only_after_verification(void **state)
{
	struct vetting_case	c;

	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "bob");
	step(&c, A(V_COMMENCE), OK);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_VET_PROOF), OK);
	step(&c, A(V_RECORD_PROOF_AUDIT_DATA), OK);
	/* Even a forged record of a registration does not bind. */
	c.done |= VETTING_BIT(A(V_PREREGISTER_FACTOR));
	assert_int_equal(vetting_check(&policy, &c, A(B_FACTOR_AND_ID),
	    T0 + 10), VETTING_ERR_ORDER);
	c.done |= VETTING_BIT(A(B_FACTOR_AND_ID));
	assert_int_equal(vetting_check(&policy, &c, A(B_ACTIVATE), T0 + 10),
	    VETTING_ERR_ORDER);
	assert_int_equal(vetting_check(&policy, &c, A(V_PREREGISTER_FACTOR),
	    T0 + 10), VETTING_ERR_LATE);
}

static void
test_configuration_cannot_lift_loa3_verification(void **state)
{
	struct vetting_policy	saved;
	struct vetting_case	c;

	saved = policy;
	policy.loa3 = VETTING_BIT(A(B_ACTIVATE));
	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "bob");
	step(&c, A(V_COMMENCE), OK);
	assert_int_equal(vetting_check(&policy, &c, A(V_PREREGISTER_FACTOR),
	    T0 + 10), VETTING_ERR_ORDER);
	assert_true(vetting_mandatory(&policy, &c) &
	    VETTING_BIT(A(V_VERIFY_IDENTITY)));
	/* With the lighter policy the record data is optional. */
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_VET_PROOF), OK);
	step(&c, A(V_VERIFY_IDENTITY), OK);
	step(&c, A(V_PREREGISTER_FACTOR), OK);
	policy = saved;
}

static void
test_online_vetting_needs_liveness(void **state)
{
	struct vetting_case	c;

	new_case(&c, VETTING_CHANNEL_ONLINE, VETTING_PURPOSE_ENROL, 3, "bob");
	step(&c, A(V_COMMENCE), OK);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_VET_PROOF), OK);
	step(&c, A(V_RECORD_PROOF_AUDIT_DATA), OK);
	assert_int_equal(vetting_check(&policy, &c, A(V_VERIFY_IDENTITY),
	    T0 + 10), VETTING_ERR_ORDER);
	step(&c, A(V_CHECK_LIVENESS), OK);
	step(&c, A(V_VERIFY_IDENTITY), OK);
}

static void
test_failure_after_identity_creation_asks_undo(void **state)
{
	struct vetting_case	c;
	int			undo;

	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "");
	step(&c, A(V_COMMENCE), OK);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_CREATE_DIGITAL_IDENTITY), OK);
	strcpy(c.user_id, "frank");
	step(&c, A(V_VET_PROOF), OK);
	assert_int_equal(vetting_check(&policy, &c, A(V_VERIFY_IDENTITY),
	    T0 + 10), VETTING_ERR_ORDER);
	step(&c, A(V_RECORD_PROOF_AUDIT_DATA), OK);
	undo = vetting_apply(&policy, &c, A(V_VERIFY_IDENTITY), FAIL, T0 + 10);
	assert_int_equal(undo, VETTING_UNDO_IDENTITY);
	assert_int_equal(c.state, VETTING_STATE_FAILED);
	vetting_undo_identity(&c);
	assert_true(c.flags & VETTING_IDENTITY_REMOVED);
	assert_false(c.done & VETTING_BIT(A(V_CREATE_DIGITAL_IDENTITY)));

	/* In the binding phase: the binding goes too. */
	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "");
	step(&c, A(V_COMMENCE), OK);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	step(&c, A(V_PRESENT_PROOF), OK);
	step(&c, A(V_CREATE_DIGITAL_IDENTITY), OK);
	strcpy(c.user_id, "frank");
	step(&c, A(V_VET_PROOF), OK);
	step(&c, A(V_RECORD_PROOF_AUDIT_DATA), OK);
	step(&c, A(V_VERIFY_IDENTITY), OK);
	step(&c, A(V_PREREGISTER_FACTOR), OK);
	step(&c, A(B_FACTOR_AND_ID), OK);
	strcpy(c.binding_id, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	undo = vetting_apply(&policy, &c, A(B_ACTIVATE), FAIL, T0 + 10);
	assert_int_equal(undo, VETTING_UNDO_IDENTITY | VETTING_UNDO_BINDING);

	/* Without a created identity nothing is undone but the binding. */
	new_case(&c, VETTING_CHANNEL_SELF, VETTING_PURPOSE_ENROL, 2, "gina");
	step(&c, A(C_USE_EXISTING_FACTOR), FAIL);	/* may try again */
	assert_int_equal(c.state, VETTING_STATE_OPEN);
	step(&c, A(C_USE_EXISTING_FACTOR), OK);
	step(&c, A(I_REQUEST_FACTOR), OK);
	assert_int_equal(vetting_apply(&policy, &c, A(I_FACTOR_DELIVERY),
	    FAIL, T0 + 10), 0);
	assert_int_equal(c.state, VETTING_STATE_FAILED);
}

static void
test_eligibility_repeated_when_case_is_old(void **state)
{
	struct vetting_case	c;
	uint64_t		late;

	policy.eligibility_max_age = 100;
	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_ENROL, 3, "bob");
	/* Mandatory at LoA3: never checked is stale at once. */
	step(&c, A(V_COMMENCE), OK);
	assert_int_equal(vetting_check(&policy, &c, A(V_PRESENT_PROOF),
	    T0 + 10), VETTING_ERR_ELIGIBILITY);
	step(&c, A(C_CHECK_ELIGIBILITY), OK);
	step(&c, A(V_PRESENT_PROOF), OK);
	late = T0 + 10 + 101;
	assert_true(vetting_eligibility_stale(&policy, &c, late));
	assert_int_equal(vetting_check(&policy, &c, A(V_VET_PROOF), late),
	    VETTING_ERR_ELIGIBILITY);
	assert_int_equal(vetting_check(&policy, &c, A(C_CHECK_ELIGIBILITY),
	    late), VETTING_OK);
	vetting_apply(&policy, &c, A(C_CHECK_ELIGIBILITY), OK, late);
	assert_int_equal(vetting_check(&policy, &c, A(V_VET_PROOF), late),
	    VETTING_OK);

	/* Not mandatory (LoA2): only an old case must check. */
	new_case(&c, VETTING_CHANNEL_SELF, VETTING_PURPOSE_ENROL, 2, "alice");
	step(&c, A(C_USE_EXISTING_FACTOR), OK);
	step(&c, A(I_REQUEST_FACTOR), OK);
	assert_int_equal(vetting_check(&policy, &c, A(B_FACTOR_AND_ID),
	    T0 + 50), VETTING_OK);
	assert_int_equal(vetting_check(&policy, &c, A(B_FACTOR_AND_ID),
	    T0 + 200), VETTING_ERR_ELIGIBILITY);
	policy.eligibility_max_age = VETTING_ELIGIBILITY_MAX_AGE;
}

static void
test_proof_evidence_keeps_six_characters(void **state)
{
	char		out[VETTING_EVIDENCE_MAX];
	const char	*why;

	assert_int_equal(vetting_proof_evidence("passport", "fi",
	    "2031-05-01", "ab-12 34", T0, out, &why), VETTING_OK);
	assert_string_equal(out, "doc_type=passport country=FI "
	    "expiry=2031-05-01 number_last6=AB1234");
	/* A full number is refused, not cut: it must never be sent. */
	assert_int_equal(vetting_proof_evidence("passport", "FI",
	    "2031-05-01", "XP1234567", T0, out, &why), VETTING_ERR_EVIDENCE);
	assert_non_null(strstr(why, "last 6"));
	assert_string_equal(out, "");
	assert_int_equal(vetting_proof_evidence("passport", "FI",
	    "2031-05-01", "1234567", T0, out, &why), VETTING_ERR_EVIDENCE);
	assert_int_equal(vetting_proof_evidence("passport", "FI",
	    "2031-05-01", "", T0, out, &why), VETTING_ERR_EVIDENCE);
	assert_int_equal(vetting_proof_evidence("passport", "FI",
	    "2031-05-01", "12/456", T0, out, &why), VETTING_ERR_EVIDENCE);
	/* T0 is 2023-11-14: an expired document, a bad date, a bad type. */
	assert_int_equal(vetting_proof_evidence("passport", "FI",
	    "2023-11-13", "123456", T0, out, &why), VETTING_ERR_EVIDENCE);
	assert_int_equal(vetting_proof_evidence("passport", "FI",
	    "2023-11-14", "123456", T0, out, &why), VETTING_OK);
	assert_int_equal(vetting_proof_evidence("passport", "FI",
	    "2027-02-29", "123456", T0, out, &why), VETTING_ERR_EVIDENCE);
	assert_int_equal(vetting_proof_evidence("passport", "FI",
	    "2028-02-29", "123456", T0, out, &why), VETTING_OK);
	assert_int_equal(vetting_proof_evidence("photo", "FI",
	    "2031-05-01", "123456", T0, out, &why), VETTING_ERR_EVIDENCE);
	assert_int_equal(vetting_proof_evidence("passport", "F1",
	    "2031-05-01", "123456", T0, out, &why), VETTING_ERR_EVIDENCE);
	assert_int_equal(vetting_proof_evidence("passport", "FINL",
	    "2031-05-01", "123456", T0, out, &why), VETTING_ERR_EVIDENCE);
}

static void
test_vetting_code_format_and_hash(void **state)
{
	char	code[VETTING_CODE_LEN + 1], other[VETTING_CODE_LEN + 1];
	char	h1[VETTING_HASH_LEN + 1], h2[VETTING_HASH_LEN + 1];
	char	typed[32];
	size_t	i;

	assert_int_equal(vetting_code_generate(code), 0);
	assert_int_equal(strlen(code), VETTING_CODE_LEN);
	assert_int_equal(code[4], '-');
	assert_int_equal(code[9], '-');
	assert_int_equal(vetting_code_generate(other), 0);
	assert_string_not_equal(code, other);
	assert_int_equal(vetting_code_hash(code, h1), 0);

	/* Typed at the desk: lower case, no dashes, spaces. */
	for (i = 0; code[i] != '\0'; i++)
		typed[i] = code[i] == '-' ? ' ' : (char)(code[i] | 0x20);
	typed[i] = '\0';
	assert_int_equal(vetting_code_hash(typed, h2), 0);
	assert_string_equal(h1, h2);

	assert_int_equal(vetting_code_hash("ABCD-EFGH-JKL", h2), -1);
	assert_int_equal(vetting_code_hash("ABCD-EFGH-JKLMN", h2), -1);
	assert_int_equal(vetting_code_hash("ABCD-EFGH-JKL0", h2), -1);
	assert_int_equal(vetting_code_hash("ABCD-EFGH-JKL_", h2), -1);
}

/* Store and transactions. */

/*
 * The core fixture, with vetting codes that live an hour and e-mail
 * written to the fixture directory.
 */
static int
setup_env(void **state)
{
	struct fixture	*e;

	if (fixture_setup_core(state) == -1)
		return (-1);
	e = *state;
	e->cfg.vetting_code_lifetime = 3600;
	snprintf(e->cfg.outbox_dir, sizeof(e->cfg.outbox_dir), "%s", e->dir);
	return (0);
}

static int
ev_collect_cb(void *arg, const struct vetting_event *ev)
{
	struct ev_collect	*c = arg;

	if (c->n == 64)
		return (1);
	snprintf(c->actions[c->n], sizeof(c->actions[0]), "%s",
	    vetting_action_name(ev->action));
	c->outcomes[c->n++] = ev->outcome;
	return (0);
}

static void
case_events(struct fixture *e, const char *id, struct ev_collect *out)
{
	struct store_txn	txn;

	memset(out, 0, sizeof(*out));
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_vetting_event_scan(&txn, id, 0, ev_collect_cb,
	    out), 0);
	store_txn_abort(&txn);
}

/* One staff action with the case's current version. */
static void
staff_do(struct fixture *e, const char *id, uint32_t action, uint32_t outcome,
    const char *evidence)
{
	struct enrolment_action	in;
	struct vetting_case	c;
	enum vetting_error	err;

	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	memset(&in, 0, sizeof(in));
	in.case_id = id;
	in.version = c.version;
	in.actor = "staff1";
	in.role = VETTING_ROLE_STAFF;
	in.action = action;
	in.outcome = outcome;
	in.evidence = evidence;
	err = enrolment_record(&e->ctx, &in);
	if (err != VETTING_OK)
		fail_msg("%s: %s", vetting_action_name(action),
		    vetting_error_text(err));
}

/* A walk-in at the desk, identity created, verified. */
static void
desk_verified(struct fixture *e, const char *user, char *id)
{
	struct enrolment_action	in;
	struct vetting_case	c;
	char			pw[ENROLMENT_PASSWORD_LEN + 1];

	assert_int_equal(enrolment_open(&e->ctx, "staff1", "",
	    VETTING_PURPOSE_ENROL, VETTING_CHANNEL_DESK, NULL, id), VETTING_OK);
	staff_do(e, id, A(C_CHECK_ELIGIBILITY), OK, "basis=directory");
	staff_do(e, id, A(V_PRESENT_PROOF), OK, "doc_type=passport");
	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	memset(&in, 0, sizeof(in));
	in.case_id = id;
	in.version = c.version;
	in.actor = "staff1";
	in.role = VETTING_ROLE_STAFF;
	assert_int_equal(enrolment_create_identity(&e->ctx, &in, user,
	    "Frank Walker", "frank@example.org", pw), VETTING_OK);
	assert_int_equal(strlen(pw), ENROLMENT_PASSWORD_LEN);
	assert_true(user_exists(e, user));
	staff_do(e, id, A(V_VET_PROOF), OK, NULL);
	staff_do(e, id, A(V_RECORD_PROOF_AUDIT_DATA), OK,
	    "doc_type=passport country=FI expiry=2031-05-01 "
	    "number_last6=AB1234");
}

/* What enrolment_register() does with a case's registration code. */
static void
bind_fake(struct fixture *e, const char *user, const char *id, struct binding *b)
{
	struct store_txn	txn;

	memset(b, 0, sizeof(*b));
	assert_int_equal(crypto_random_hex(b->id, sizeof(b->id),
	    BINDING_ID_LEN / 2), 0);
	strcpy(b->user_id, user);
	strcpy(b->authenticator_id, "dev-1");
	strcpy(b->label, "phone");
	strcpy(b->vetting_case, id);
	b->loa = 3;
	b->state = BINDING_ACTIVE;
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(enrolment_bound(&e->ctx, &txn, b), 0);
	assert_int_equal(store_binding_put(&txn, b), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static int
user_exists(struct fixture *e, const char *id)
{
	struct store_txn	txn;
	struct user		u;
	int			rc;

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	rc = store_user_get(&txn, id, &u);
	store_txn_abort(&txn);
	return (rc == 0);
}

static uint32_t
binding_state(struct fixture *e, const char *id)
{
	struct store_txn	txn;
	struct binding		b;

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_binding_get(&txn, id, &b), 0);
	store_txn_abort(&txn);
	return (b.state);
}

static void
test_store_case_and_events_round_trip(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct vetting_case	 c, got;
	struct vetting_event	 ev;
	struct ev_collect	 all;
	char			 id[VETTING_ID_LEN + 1];
	int			 i;

	new_case(&c, VETTING_CHANNEL_DESK, VETTING_PURPOSE_BACKUP, 3, "hana");
	c.done = 0x12345;
	c.eligibility_at = T0 + 5;
	strcpy(c.factor, "app");
	strcpy(c.code_hash, "ff");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_vetting_put(&txn, &c), 0);
	assert_int_equal(store_vetting_code_put(&txn, "ab", c.id), 0);
	for (i = 0; i < 3; i++) {
		memset(&ev, 0, sizeof(ev));
		strcpy(ev.case_id, c.id);
		ev.action = i == 0 ? A(V_COMMENCE) : A(V_PRESENT_PROOF);
		ev.outcome = i == 2 ? VETTING_OUTCOME_FAILED : OK;
		ev.role = VETTING_ROLE_STAFF;
		strcpy(ev.actor, "staff1");
		assert_int_equal(store_vetting_event_append(&txn, &ev), 0);
		assert_int_equal(ev.seq, (uint64_t)i + 1);
	}
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_vetting_get(&txn, c.id, &got), 0);
	assert_memory_equal(&got, &c, sizeof(c));
	assert_int_equal(store_vetting_code_get(&txn, "ab", id), 0);
	assert_string_equal(id, c.id);
	assert_int_equal(store_vetting_code_get(&txn, "ac", id),
	    STORE_NOTFOUND);
	store_txn_abort(&txn);

	case_events(e, c.id, &all);
	assert_int_equal(all.n, 3);
	assert_string_equal(all.actions[0], "V_COMMENCE");
	assert_int_equal(all.outcomes[2], VETTING_OUTCOME_FAILED);
	case_events(e, "00000000000000000000000000000000", &all);
	assert_int_equal(all.n, 0);
}

static void
test_enrolment_desk_flow_to_active_binding(void **state)
{
	struct fixture		*e = *state;
	struct enrolment_action	 in;
	struct vetting_case	 c;
	struct binding		 b;
	struct ev_collect	 evs;
	char			 id[VETTING_ID_LEN + 1];
	char			 code[OOB_REG_CODE_LEN + 1];

	desk_verified(e, "frank", id);
	staff_do(e, id, A(V_VERIFY_IDENTITY), OK, NULL);
	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	memset(&in, 0, sizeof(in));
	in.case_id = id;
	in.version = c.version;
	in.actor = "staff1";
	in.role = VETTING_ROLE_STAFF;
	assert_int_equal(enrolment_preregister(&e->ctx, &in, code),
	    VETTING_OK);
	assert_int_equal(strlen(code), OOB_REG_CODE_LEN);

	bind_fake(e, "frank", id, &b);
	assert_int_equal(binding_state(e, b.id), BINDING_PENDING);
	staff_do(e, id, A(B_ACTIVATE), OK, NULL);
	assert_int_equal(binding_state(e, b.id), BINDING_ACTIVE);
	staff_do(e, id, A(B_CONFIRMATION), OK, "channel=in-person");
	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	assert_int_equal(c.state, VETTING_STATE_COMPLETE);
	assert_string_equal(c.binding_id, b.id);
	assert_string_equal(c.user_id, "frank");

	case_events(e, id, &evs);
	assert_int_equal(evs.n, 11);
	assert_string_equal(evs.actions[0], "V_COMMENCE");
	assert_string_equal(evs.actions[3], "V_CREATE_DIGITAL_IDENTITY");
	assert_string_equal(evs.actions[7], "V_PREREGISTER_FACTOR");
	assert_string_equal(evs.actions[8], "B_FACTOR_AND_ID");
	assert_string_equal(evs.actions[10], "B_CONFIRMATION");
}

static void
test_enrolment_failed_verification_undoes_identity(void **state)
{
	struct fixture		*e = *state;
	struct vetting_case	 c;
	struct ev_collect	 evs;
	char			 id[VETTING_ID_LEN + 1];

	desk_verified(e, "frank", id);
	staff_do(e, id, A(V_VERIFY_IDENTITY), FAIL, "reason=photo-mismatch");
	assert_false(user_exists(e, "frank"));
	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	assert_int_equal(c.state, VETTING_STATE_FAILED);
	assert_true(c.flags & VETTING_IDENTITY_REMOVED);
	case_events(e, id, &evs);
	assert_string_equal(evs.actions[evs.n - 2], "V_VERIFY_IDENTITY");
	assert_int_equal(evs.outcomes[evs.n - 2], VETTING_OUTCOME_FAILED);
	assert_string_equal(evs.actions[evs.n - 1],
	    "V_CREATE_DIGITAL_IDENTITY");
	assert_int_equal(evs.outcomes[evs.n - 1], VETTING_OUTCOME_UNDONE);
	/* The case is closed: nothing more happens in it. */
	assert_int_equal(enrolment_preregister(&e->ctx,
	    &(struct enrolment_action){ id, c.version, "staff1",
	    VETTING_ROLE_STAFF, 0, 0, NULL, NULL }, (char [OOB_REG_CODE_LEN +
	    1]){ 0 }), VETTING_ERR_CLOSED);
}

static void
test_enrolment_failed_binding_undoes_identity_and_binding(void **state)
{
	struct fixture		*e = *state;
	struct enrolment_action	 in;
	struct vetting_case	 c;
	struct binding		 b;
	char			 id[VETTING_ID_LEN + 1];
	char			 code[OOB_REG_CODE_LEN + 1];

	desk_verified(e, "frank", id);
	staff_do(e, id, A(V_VERIFY_IDENTITY), OK, NULL);
	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	memset(&in, 0, sizeof(in));
	in.case_id = id;
	in.version = c.version;
	in.actor = "staff1";
	in.role = VETTING_ROLE_STAFF;
	assert_int_equal(enrolment_preregister(&e->ctx, &in, code),
	    VETTING_OK);
	bind_fake(e, "frank", id, &b);
	staff_do(e, id, A(B_ACTIVATE), FAIL, NULL);
	assert_int_equal(binding_state(e, b.id), BINDING_REVOKED);
	assert_false(user_exists(e, "frank"));
}

static void
test_enrolment_replayed_form_is_refused(void **state)
{
	struct fixture		*e = *state;
	struct enrolment_action	 in;
	struct vetting_case	 c;
	char			 id[VETTING_ID_LEN + 1];

	assert_int_equal(enrolment_open(&e->ctx, "staff1", "",
	    VETTING_PURPOSE_ENROL, VETTING_CHANNEL_DESK, NULL, id), VETTING_OK);
	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	memset(&in, 0, sizeof(in));
	in.case_id = id;
	in.version = c.version;
	in.actor = "staff1";
	in.role = VETTING_ROLE_STAFF;
	in.action = A(C_CHECK_ELIGIBILITY);
	in.outcome = OK;
	assert_int_equal(enrolment_record(&e->ctx, &in), VETTING_OK);
	/* The same form again: refused although the action is repeatable. */
	assert_int_equal(enrolment_record(&e->ctx, &in),
	    VETTING_ERR_STALE_FORM);
	/* Actions with their own calls cannot be smuggled in. */
	in.version = c.version + 1;
	in.action = A(B_FACTOR_AND_ID);
	assert_int_equal(enrolment_record(&e->ctx, &in), VETTING_ERR_INVALID);
	in.action = A(V_CREATE_DIGITAL_IDENTITY);
	assert_int_equal(enrolment_record(&e->ctx, &in), VETTING_ERR_INVALID);
	in.action = A(V_PRESENT_PROOF);
	in.outcome = VETTING_OUTCOME_UNDONE;
	assert_int_equal(enrolment_record(&e->ctx, &in), VETTING_ERR_INVALID);
}

static void
test_enrolment_vetting_code(void **state)
{
	struct fixture		*e = *state;
	struct user		 u;
	struct store_txn	 txn;
	struct vetting_case	 c;
	char			 id[VETTING_ID_LEN + 1], opened[VETTING_ID_LEN + 1];
	char			 code[VETTING_CODE_LEN + 1];
	char			 id2[VETTING_ID_LEN + 1];
	char			 code2[VETTING_CODE_LEN + 1];
	int			 mailed, i;

	memset(&u, 0, sizeof(u));
	strcpy(u.id, "ivan");
	strcpy(u.email, "ivan@example.org");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(enrolment_arrange(&e->ctx, "ivan", "pwd", id, code,
	    &mailed), VETTING_OK);
	assert_int_equal(mailed, 1);
	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	assert_int_equal(c.state, VETTING_STATE_ARRANGED);
	assert_int_equal(c.channel, VETTING_CHANNEL_DESK);
	assert_int_equal(enrolment_arrange(&e->ctx, "ivan", "pwd", id2, code2,
	    &mailed), VETTING_OK);

	assert_int_equal(enrolment_open_code(&e->ctx, "staff1",
	    "AAAA-AAAA-AAAA", opened), VETTING_ERR_CODE);
	assert_int_equal(enrolment_open_code(&e->ctx, "staff1", code,
	    opened), VETTING_OK);
	assert_string_equal(opened, id);
	/* Single use. */
	assert_int_equal(enrolment_open_code(&e->ctx, "staff1", code,
	    opened), VETTING_ERR_CODE);
	/* Expired. */
	e->ctx.now += 3601;
	assert_int_equal(enrolment_open_code(&e->ctx, "staff1", code2,
	    opened), VETTING_ERR_EXPIRED);
	e->ctx.now -= 3601;
	/* Guesses are limited per staff member: then even a good code. */
	for (i = 0; i < 5; i++)
		assert_int_equal(enrolment_open_code(&e->ctx, "staff2",
		    "BBBB-BBBB-BBBB", opened), VETTING_ERR_CODE);
	assert_int_equal(enrolment_open_code(&e->ctx, "staff2", code2,
	    opened), VETTING_ERR_RATE);
	assert_int_equal(enrolment_open_code(&e->ctx, "staff3", code2,
	    opened), VETTING_OK);
}

static void
test_enrolment_self_service_completes_on_first_use(void **state)
{
	struct fixture		*e = *state;
	struct user		 u;
	struct store_txn	 txn;
	struct vetting_case	 c;
	struct binding		 b;
	struct ev_collect	 evs;
	char			 id[VETTING_ID_LEN + 1];
	char			 code[OOB_REG_CODE_LEN + 1];

	memset(&u, 0, sizeof(u));
	strcpy(u.id, "judy");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(enrolment_self_service(&e->ctx, "judy", "pwd", 0, id,
	    code), VETTING_OK);
	bind_fake(e, "judy", id, &b);
	assert_int_equal(binding_state(e, b.id), BINDING_ACTIVE);
	enrolment_factor_used(&e->ctx, b.id);
	enrolment_factor_used(&e->ctx, b.id);	/* later logins: nothing */
	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	assert_int_equal(c.state, VETTING_STATE_COMPLETE);
	assert_int_equal(c.loa, 2);
	case_events(e, id, &evs);
	assert_int_equal(evs.n, 6);
	assert_string_equal(evs.actions[0], "C_USE_EXISTING_FACTOR");
	assert_string_equal(evs.actions[1], "I_REQUEST_FACTOR");
	assert_string_equal(evs.actions[2], "B_FACTOR_AND_ID");
	assert_string_equal(evs.actions[3], "B_ACTIVATE");
	assert_string_equal(evs.actions[4], "C_USE_NEW_FACTOR");
	assert_string_equal(evs.actions[5], "B_CONFIRMATION");
}

static void
test_enrolment_release_suspends_binding(void **state)
{
	struct fixture		*e = *state;
	struct enrolment_action	 in;
	struct vetting_case	 c;
	struct binding		 b;
	char			 id[VETTING_ID_LEN + 1], rel[VETTING_ID_LEN + 1];
	char			 code[OOB_REG_CODE_LEN + 1];

	desk_verified(e, "kim", id);
	staff_do(e, id, A(V_VERIFY_IDENTITY), OK, NULL);
	assert_int_equal(enrolment_get(&e->ctx, id, &c), VETTING_OK);
	memset(&in, 0, sizeof(in));
	in.case_id = id;
	in.version = c.version;
	in.actor = "staff1";
	in.role = VETTING_ROLE_STAFF;
	assert_int_equal(enrolment_preregister(&e->ctx, &in, code),
	    VETTING_OK);
	bind_fake(e, "kim", id, &b);
	staff_do(e, id, A(B_ACTIVATE), OK, NULL);

	assert_int_equal(enrolment_open(&e->ctx, "staff1", "kim",
	    VETTING_PURPOSE_RELEASE, VETTING_CHANNEL_DESK, "nope", rel),
	    VETTING_ERR_NOTFOUND);
	assert_int_equal(enrolment_open(&e->ctx, "staff1", "kim",
	    VETTING_PURPOSE_RELEASE, VETTING_CHANNEL_DESK, b.id, rel),
	    VETTING_OK);
	staff_do(e, rel, A(C_CHECK_ELIGIBILITY), OK, NULL);
	staff_do(e, rel, A(V_PRESENT_PROOF), OK, NULL);
	staff_do(e, rel, A(V_VET_PROOF), OK, NULL);
	staff_do(e, rel, A(V_RECORD_PROOF_AUDIT_DATA), OK, NULL);
	assert_int_equal(enrolment_get(&e->ctx, rel, &c), VETTING_OK);
	in.case_id = rel;
	in.version = c.version;
	assert_int_equal(enrolment_release(&e->ctx, &in, 0), VETTING_ERR_ORDER);
	assert_int_equal(binding_state(e, b.id), BINDING_ACTIVE);
	staff_do(e, rel, A(V_VERIFY_IDENTITY), OK, NULL);
	assert_int_equal(enrolment_get(&e->ctx, rel, &c), VETTING_OK);
	in.version = c.version;
	assert_int_equal(enrolment_release(&e->ctx, &in, 0), VETTING_OK);
	assert_int_equal(binding_state(e, b.id), BINDING_SUSPENDED);
}

static void
test_outbox_writes_one_message_per_file(void **state)
{
	struct fixture	*e = *state;
	char		 path[256], buf[512];
	FILE		*fp;
	size_t		 n;

	assert_int_equal(outbox_write("", "a@example.org", "s", "b", T0), 0);
	assert_int_equal(outbox_write(e->dir, "", "s", "b", T0), 0);
	/* No header injection through the address or the subject. */
	assert_int_equal(outbox_write(e->dir, "a@example.org\r\nBcc: x@y",
	    "s", "b", T0), -1);
	assert_int_equal(outbox_write(e->dir, "a@example.org", "s\nX: y",
	    "b", T0), -1);
	assert_int_equal(outbox_write(e->dir, "a@example.org", "Hello",
	    "Body text", T0), 1);
	snprintf(path, sizeof(path), "ls %s/%llu-*.eml", e->dir,
	    (unsigned long long)T0);
	assert_non_null(fp = popen(path, "r"));
	assert_non_null(fgets(path, sizeof(path), fp));
	pclose(fp);
	path[strcspn(path, "\n")] = '\0';
	assert_non_null(fp = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "To: a@example.org\r\n"));
	assert_non_null(strstr(buf, "Subject: Hello\r\n"));
	assert_non_null(strstr(buf, "\r\n\r\nBody text"));
}

int
main(void)
{
#define S(f)	cmocka_unit_test_setup_teardown(f, setup_env, fixture_teardown)
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_action_codes_round_trip),
		cmocka_unit_test(test_mask_parse),
		cmocka_unit_test(test_self_service_loa2_walks_its_actions),
		cmocka_unit_test(test_desk_loa3_walks_every_vetting_action),
		cmocka_unit_test(test_arranged_case_initiation_then_desk),
		cmocka_unit_test(test_release_after_revetting),
		cmocka_unit_test(test_illegal_transitions),
		cmocka_unit_test(test_closed_case_refuses_every_action),
		cmocka_unit_test(test_binding_only_after_verification),
		cmocka_unit_test(
		    test_configuration_cannot_lift_loa3_verification),
		cmocka_unit_test(test_online_vetting_needs_liveness),
		cmocka_unit_test(test_failure_after_identity_creation_asks_undo),
		cmocka_unit_test(test_eligibility_repeated_when_case_is_old),
		cmocka_unit_test(test_proof_evidence_keeps_six_characters),
		cmocka_unit_test(test_vetting_code_format_and_hash),
		S(test_store_case_and_events_round_trip),
		S(test_enrolment_desk_flow_to_active_binding),
		S(test_enrolment_failed_verification_undoes_identity),
		S(test_enrolment_failed_binding_undoes_identity_and_binding),
		S(test_enrolment_replayed_form_is_refused),
		S(test_enrolment_vetting_code),
		S(test_enrolment_self_service_completes_on_first_use),
		S(test_enrolment_release_suspends_binding),
		S(test_outbox_writes_one_message_per_file),
	};

	vetting_policy_default(&policy);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
