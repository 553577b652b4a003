/*
 * vetting.c: the X.1254 enrolment and vetting record as a state machine.
 *
 * A vetting case follows an applicant from the request for a new
 * authenticator to its activation (X.1254 8.1 enrolment, 8.2.1-8.2.3
 * credential creation, issuance and activation). Each step is one of the
 * actions of /work/shared/standards/x1254-enrolment-actions.txt, named by
 * its exact code (C_USE_EXISTING_FACTOR ... B_CONFIRMATION), and becomes
 * one event of the append-only log (store_vetting.c). This file decides
 * which action may happen next and what it does to the case; it touches
 * neither the store nor Kore (enrolment.c runs the transactions).
 */
#ifndef MUTUA_VETTING_H
#define MUTUA_VETTING_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "store_binding.h"
#include "store_chain.h"
#include "store_user.h"

/*
 * The actions. The numbers are stored (as bits of struct vetting_case's
 * done mask): never reorder, only append.
 */
enum vetting_action {
	VETTING_C_USE_EXISTING_FACTOR = 0,
	VETTING_C_SELECT_NEW_FACTOR = 1,
	VETTING_C_USE_NEW_FACTOR = 2,
	VETTING_C_CHECK_ELIGIBILITY = 3,
	VETTING_I_REQUEST_FACTOR = 4,
	VETTING_I_FACTOR_DELIVERY = 5,
	VETTING_I_ARRANGE_VETTING = 6,
	VETTING_V_COMMENCE = 7,
	VETTING_V_PRESENT_PROOF = 8,
	VETTING_V_CREATE_DIGITAL_IDENTITY = 9,
	VETTING_V_HAND_OVER_FACTOR = 10,
	VETTING_V_VERIFY_IDENTITY = 11,
	VETTING_V_VET_PROOF = 12,
	VETTING_V_SOURCE = 13,
	VETTING_V_CHECK_LIVENESS = 14,
	VETTING_V_RECORD_PROOF_AUDIT_DATA = 15,
	VETTING_V_PREREGISTER_FACTOR = 16,
	VETTING_B_FACTOR_AND_ID = 17,
	VETTING_B_ACTIVATE = 18,
	VETTING_B_CONFIRMATION = 19,
	/* mutua's own, not X.1254: release after re-vetting (X.1280 9.2.2). */
	VETTING_R_RELEASE_FACTOR = 20,
	VETTING_ACTION_COUNT
};

#define VETTING_BIT(a)		(1U << (a))

enum vetting_channel {
	VETTING_CHANNEL_SELF = 1,	/* self-service, on /account */
	VETTING_CHANNEL_DESK = 2,	/* in person at the service desk */
	VETTING_CHANNEL_ONLINE = 3	/* remote vetting by desk staff */
};

enum vetting_purpose {
	VETTING_PURPOSE_ENROL = 1,	/* a new (first) authenticator */
	VETTING_PURPOSE_BACKUP = 2,	/* an additional authenticator */
	VETTING_PURPOSE_RELEASE = 3	/* suspend/revoke a lost one */
};

enum vetting_state {
	VETTING_STATE_OPEN = 1,		/* initiated */
	VETTING_STATE_ARRANGED = 2,	/* I_ARRANGE_VETTING: awaited at desk */
	VETTING_STATE_COMMENCED = 3,	/* V_COMMENCE: vetting under way */
	VETTING_STATE_VERIFIED = 4,	/* V_VERIFY_IDENTITY succeeded */
	VETTING_STATE_BOUND = 5,	/* B_FACTOR_AND_ID succeeded */
	VETTING_STATE_ACTIVE = 6,	/* B_ACTIVATE succeeded */
	VETTING_STATE_COMPLETE = 7,	/* B_CONFIRMATION (or release) done */
	VETTING_STATE_FAILED = 8	/* a failed action ended the case */
};

enum vetting_outcome {
	VETTING_OUTCOME_OK = 1,
	VETTING_OUTCOME_FAILED = 2,
	VETTING_OUTCOME_UNDONE = 3	/* V_CREATE_DIGITAL_IDENTITY undone */
};

enum vetting_role {
	VETTING_ROLE_APPLICANT = 1,
	VETTING_ROLE_STAFF = 2,
	VETTING_ROLE_SYSTEM = 3
};

/* Why an action was refused (shared with enrolment.c). */
enum vetting_error {
	VETTING_OK = 0,
	VETTING_ERR_STORE,		/* storage failure */
	VETTING_ERR_NOTFOUND,		/* no such case, user or binding */
	VETTING_ERR_CLOSED,		/* the case is complete or failed */
	VETTING_ERR_ORDER,		/* a prerequisite is missing */
	VETTING_ERR_LATE,		/* too late for this action */
	VETTING_ERR_REPEAT,		/* done already; happens once */
	VETTING_ERR_ELIGIBILITY,	/* C_CHECK_ELIGIBILITY to repeat */
	VETTING_ERR_CHANNEL,		/* not in this channel or purpose */
	VETTING_ERR_APPLICANT,		/* digital identity missing/present */
	VETTING_ERR_EVIDENCE,		/* evidence refused */
	VETTING_ERR_CODE,		/* unknown vetting code */
	VETTING_ERR_EXPIRED,		/* expired vetting code */
	VETTING_ERR_RATE,		/* too many guesses */
	VETTING_ERR_STALE_FORM,		/* replayed or outdated form */
	VETTING_ERR_INVALID,		/* malformed input */
	VETTING_ERR_NOT_ELIGIBLE,	/* C_CHECK_ELIGIBILITY failed */
	VETTING_ERR_DIRECTORY		/* the LDAP directory did not answer */
};

#define VETTING_ID_LEN		32	/* hex */
#define VETTING_FACTOR_MAX	24
#define VETTING_EVIDENCE_MAX	256
#define VETTING_HASH_LEN	(2 * CRYPTO_SHA256_LEN)

/*
 * The vetting code of I_ARRANGE_VETTING: 12 characters from an alphabet
 * without look-alikes (about 59 bits), shown as XXXX-XXXX-XXXX.
 */
#define VETTING_CODE_CHARS	12
#define VETTING_CODE_LEN	14	/* with the two dashes */

/* V_RECORD_PROOF_AUDIT_DATA keeps only this much of a document number. */
#define VETTING_DOC_TAIL	6

#define VETTING_IDENTITY_CREATED	0x01	/* by V_CREATE_DIGITAL_IDENTITY */
#define VETTING_IDENTITY_REMOVED	0x02	/* and undone */

struct vetting_case {
	char		id[VETTING_ID_LEN + 1];
	char		user_id[USER_ID_MAX];	/* "" until the identity exists */
	uint32_t	loa;			/* target level of assurance */
	uint32_t	channel;		/* enum vetting_channel */
	uint32_t	purpose;		/* enum vetting_purpose */
	uint32_t	state;			/* enum vetting_state */
	uint32_t	done;			/* VETTING_BIT of ok actions */
	uint32_t	flags;			/* VETTING_IDENTITY_* */
	uint32_t	version;		/* events so far: form replays */
	uint64_t	created;
	uint64_t	updated;
	uint64_t	eligibility_at;		/* last ok C_CHECK_ELIGIBILITY */
	uint64_t	code_expires;		/* of the vetting code, or 0 */
	char		code_hash[VETTING_HASH_LEN + 1];
	char		opened_by[USER_ID_MAX];
	char		staff[USER_ID_MAX];	/* the operator of V_COMMENCE */
	char		factor[VETTING_FACTOR_MAX];	/* C_SELECT_NEW_FACTOR */
	/* The binding the case produced; for a release, the target. */
	char		binding_id[BINDING_ID_LEN + 1];
};

struct vetting_event {
	uint64_t	seq;
	uint64_t	time;			/* unix time */
	char		case_id[VETTING_ID_LEN + 1];
	uint32_t	action;			/* enum vetting_action */
	uint32_t	outcome;		/* enum vetting_outcome */
	uint32_t	role;			/* enum vetting_role */
	char		actor[USER_ID_MAX];
	char		evidence[VETTING_EVIDENCE_MAX];	/* key=value ... */
	unsigned char	link[STORE_CHAIN_LEN];	/* its hash chain link */
};

/*
 * Which actions a level of assurance requires, and how old a check of
 * eligibility may be (idp.conf: vetting_loa2_actions,
 * vetting_loa3_actions, eligibility_max_age).
 */
struct vetting_policy {
	uint32_t	loa2;
	uint32_t	loa3;
	uint64_t	eligibility_max_age;	/* seconds */
};

/* LoA2: self-service after C_USE_EXISTING_FACTOR (DESIGN.md §5). */
#define VETTING_LOA2_DEFAULT	(VETTING_BIT(VETTING_C_USE_EXISTING_FACTOR) | \
	VETTING_BIT(VETTING_I_REQUEST_FACTOR) | \
	VETTING_BIT(VETTING_B_FACTOR_AND_ID) | \
	VETTING_BIT(VETTING_C_USE_NEW_FACTOR) | \
	VETTING_BIT(VETTING_B_ACTIVATE) | \
	VETTING_BIT(VETTING_B_CONFIRMATION))

/* LoA3: in person, proof vetted and recorded (DESIGN.md §5). */
#define VETTING_LOA3_DEFAULT	(VETTING_BIT(VETTING_V_COMMENCE) | \
	VETTING_BIT(VETTING_C_CHECK_ELIGIBILITY) | \
	VETTING_BIT(VETTING_V_PRESENT_PROOF) | \
	VETTING_BIT(VETTING_V_VET_PROOF) | \
	VETTING_BIT(VETTING_V_RECORD_PROOF_AUDIT_DATA) | \
	VETTING_BIT(VETTING_V_VERIFY_IDENTITY) | \
	VETTING_BIT(VETTING_V_PREREGISTER_FACTOR) | \
	VETTING_BIT(VETTING_B_FACTOR_AND_ID) | \
	VETTING_BIT(VETTING_B_ACTIVATE) | \
	VETTING_BIT(VETTING_B_CONFIRMATION))

#define VETTING_ELIGIBILITY_MAX_AGE	(30 * 86400)

/* The action's code ("V_PRESENT_PROOF"), or NULL when out of range. */
const char	*vetting_action_name(uint32_t);

/* @return the action with that exact code, or -1. */
int		 vetting_action_from_name(const char *);

const char	*vetting_outcome_name(uint32_t);	/* "ok", ... */
const char	*vetting_state_name(uint32_t);		/* "commenced", ... */
const char	*vetting_channel_name(uint32_t);	/* "desk", ... */
const char	*vetting_purpose_name(uint32_t);	/* "enrol", ... */
const char	*vetting_role_name(uint32_t);		/* "staff", ... */
const char	*vetting_error_text(enum vetting_error);
const char	*vetting_error_name(enum vetting_error);	/* "order" */

/*
 * Parses a comma-separated list of action codes into a mask.
 * @return 0, or -1 with a reason (an unknown code, an empty list).
 */
int	vetting_mask_parse(const char *list, uint32_t *mask,
	    const char **reason);

/* The default policy (the masks and age above). */
void	vetting_policy_default(struct vetting_policy *);

/*
 * The actions the case must complete with outcome ok: the policy's list
 * for its level, plus the rules no configuration can lift (LoA3 always
 * needs V_VERIFY_IDENTITY; an online vetting needs V_CHECK_LIVENESS; a
 * binding needs B_FACTOR_AND_ID and B_ACTIVATE; a release needs the
 * re-vetting and R_RELEASE_FACTOR instead of a binding).
 */
uint32_t	vetting_mandatory(const struct vetting_policy *,
		    const struct vetting_case *);

/*
 * 1 when C_CHECK_ELIGIBILITY must be done (again) before the vetting
 * and binding actions: it is mandatory and was never done, or the last
 * check, or the case itself when never checked, is older than the
 * policy's maximum age.
 */
int	vetting_eligibility_stale(const struct vetting_policy *,
	    const struct vetting_case *, uint64_t now);

/*
 * May action happen now in the case? Order, prerequisites, repetition,
 * channel and purpose, the applicant's identity and the freshness of
 * the eligibility check.
 * @return VETTING_OK or the reason it may not.
 */
enum vetting_error	vetting_check(const struct vetting_policy *,
			    const struct vetting_case *, uint32_t action,
			    uint64_t now);

/* vetting_apply() result bits: what the caller must undo. */
#define VETTING_UNDO_IDENTITY	0x01	/* remove the created account */
#define VETTING_UNDO_BINDING	0x02	/* revoke the produced binding */

/*
 * Applies an action that vetting_check() allowed, with its outcome, to
 * the case (state, done mask, eligibility time, version). A failure of
 * any action other than V_COMMENCE (applicant turned back) and
 * C_USE_EXISTING_FACTOR ends the case.
 * @return VETTING_UNDO_* bits for the caller to carry out and record.
 */
int	vetting_apply(const struct vetting_policy *, struct vetting_case *,
	    uint32_t action, uint32_t outcome, uint64_t now);

/* Marks the created identity undone (after the caller removed it). */
void	vetting_undo_identity(struct vetting_case *);

/* 1 when the case is complete or failed. */
int	vetting_closed(const struct vetting_case *);

/*
 * Builds the evidence of V_RECORD_PROOF_AUDIT_DATA (data minimisation,
 * X.1254 8.1.3): document type, issuing country, expiry and only the
 * last VETTING_DOC_TAIL characters of the document number. A longer
 * number is refused, never truncated: the full number must not reach
 * the server at all. No photo or document image is ever accepted.
 * @param doc_type	one of vetting_doc_types
 * @param country	ISO 3166-1 alpha-2 or alpha-3 code
 * @param expiry	YYYY-MM-DD, not before today
 * @param number_tail	1 to 6 letters or digits
 * @param out		capacity VETTING_EVIDENCE_MAX
 * @return VETTING_OK, or VETTING_ERR_EVIDENCE with a reason.
 */
enum vetting_error	vetting_proof_evidence(const char *doc_type,
			    const char *country, const char *expiry,
			    const char *number_tail, uint64_t now, char *out,
			    const char **reason);

/* The accepted identity documents, NULL-terminated. */
extern const char	*const vetting_doc_types[];

/* @return 1 when value is one of the NULL-terminated list. */
int	vetting_choice_valid(const char *const *list, const char *value);

/*
 * A new vetting code into code[VETTING_CODE_LEN + 1], XXXX-XXXX-XXXX.
 * @return 0 or -1.
 */
int	vetting_code_generate(char *code);

/*
 * The SHA-256 (hex) of a vetting code as typed at the desk: case and
 * spaces or dashes do not matter.
 * @return 0, or -1 when it cannot be a vetting code.
 */
int	vetting_code_hash(const char *typed, char *hash);

#endif
