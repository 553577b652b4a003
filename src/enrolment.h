/*
 * enrolment.c: X.1254 vetting cases as transactions.
 *
 * Each call loads a case, asks vetting.c whether the action may happen,
 * applies it and appends its event, in one write transaction together
 * with the audit record and the action's effect (an account created or
 * removed, a binding activated, suspended or revoked). The self-service
 * pages (web_account.c, web_enrol.c), the help desk (web_helpdesk*.c)
 * and the X.1280 registration (oob.c) call it; no Kore here.
 */
#ifndef MUTUA_ENROLMENT_H
#define MUTUA_ENROLMENT_H

#include <stdint.h>

#include "oob.h"
#include "store.h"
#include "vetting.h"

/* A staff form carries the case version it was rendered from. */
#define ENROLMENT_ANY_VERSION	UINT32_MAX

#define ENROLMENT_PASSWORD_LEN	16	/* the initial password, printed */
#define ENROLMENT_ACTOR_SYSTEM	"mutua"
/* The sign-in that may add a backup authenticator: out of band. */
#define ENROLMENT_SELF_SERVICE_LOA	2

/* One action, as a help-desk form or a hook reports it. */
struct enrolment_action {
	const char	*case_id;
	uint32_t	 version;	/* or ENROLMENT_ANY_VERSION */
	const char	*actor;		/* user or staff ID */
	uint32_t	 role;		/* enum vetting_role */
	uint32_t	 action;	/* enum vetting_action */
	uint32_t	 outcome;	/* enum vetting_outcome */
	const char	*evidence;	/* minimal key=value text, or NULL */
	const char	*factor;	/* C_SELECT_NEW_FACTOR: the choice */
};

/* The policy of the configuration (mandatory actions, eligibility age). */
void	enrolment_policy(const struct config *, struct vetting_policy *);

/*
 * Self-service LoA2 (X.1254 C_USE_EXISTING_FACTOR, I_REQUEST_FACTOR):
 * opens a case for the signed-in user and creates the single-use X.1280
 * registration code that binds the new (or backup) authenticator. A
 * user who has an active authenticator needs a session of at least
 * ENROLMENT_SELF_SERVICE_LOA for a backup (X.1280 9.2.1, 9.2.2).
 * @param amr		how the user signed in ("pwd", "oob")
 * @param loa		the level of the session
 * @param case_id	receives the case ID (VETTING_ID_LEN + 1)
 * @param code		receives the registration code (OOB_REG_CODE_LEN + 1)
 * @return VETTING_OK, VETTING_ERR_CHANNEL (a backup with a password
 *	   session) or the error of the case.
 */
enum vetting_error	enrolment_self_service(const struct core_ctx *,
			    const char *user_id, const char *amr, uint32_t loa,
			    char *case_id, char *code);

/*
 * Self-service request of a vetted (LoA3) authenticator: the case gets
 * I_ARRANGE_VETTING and a secret vetting code for the desk (e-mailed to
 * the outbox when one is configured and the user has an address).
 * @param code		receives the code (VETTING_CODE_LEN + 1)
 * @param mailed	receives 1 when an e-mail was written
 */
enum vetting_error	enrolment_arrange(const struct core_ctx *,
			    const char *user_id, const char *amr,
			    char *case_id, char *code, int *mailed);

/*
 * V_COMMENCE with the applicant's vetting code. Failed guesses are
 * rate-limited per staff member and per address.
 * @return VETTING_OK, VETTING_ERR_CODE, VETTING_ERR_EXPIRED,
 *	   VETTING_ERR_RATE, ...
 */
enum vetting_error	enrolment_open_code(const struct core_ctx *,
			    const char *staff, const char *typed,
			    char *case_id);

/*
 * V_COMMENCE without a prior request: a case for an existing user
 * (purpose enrol or backup; release with the binding to release), or
 * for a walk-in without an account (user_id "", enrol only).
 */
enum vetting_error	enrolment_open(const struct core_ctx *,
			    const char *staff, const char *user_id,
			    uint32_t purpose, uint32_t channel,
			    const char *binding_id, char *case_id);

/*
 * Records an action without side effects beyond the case (proof,
 * checks, eligibility, factor choice, hand-over, verification), or with
 * the effect of B_ACTIVATE (the binding becomes active) and
 * B_CONFIRMATION (the applicant is informed). A failure ends the case
 * and undoes V_CREATE_DIGITAL_IDENTITY and the produced binding.
 */
enum vetting_error	enrolment_record(const struct core_ctx *,
			    const struct enrolment_action *);

/*
 * V_CREATE_DIGITAL_IDENTITY: creates the applicant's account with a
 * random initial password.
 * @param password	receives it (ENROLMENT_PASSWORD_LEN + 1): show it
 *			once, then wipe it
 */
enum vetting_error	enrolment_create_identity(const struct core_ctx *,
			    const struct enrolment_action *,
			    const char *user_id, const char *display_name,
			    const char *email, char *password);

/*
 * V_PREREGISTER_FACTOR: creates the single-use registration code (at
 * the case's level) with which the applicant's authenticator registers;
 * the binding it makes waits for B_ACTIVATE.
 * @param code	receives the code (OOB_REG_CODE_LEN + 1)
 */
enum vetting_error	enrolment_preregister(const struct core_ctx *,
			    const struct enrolment_action *, char *code);

/*
 * R_RELEASE_FACTOR (X.1280 9.2.2): suspends or revokes the case's target
 * binding after the re-vetting.
 */
enum vetting_error	enrolment_release(const struct core_ctx *,
			    const struct enrolment_action *, int revoke);

/*
 * Called by enrolment_register() in its transaction for a binding made
 * from a case's registration code: records B_FACTOR_AND_ID (and for
 * self-service B_ACTIVATE; a desk binding is left BINDING_PENDING).
 * @return 0, or -1 when the case does not allow it (no binding then).
 */
int	enrolment_bound(const struct core_ctx *, struct store_txn *,
	    struct binding *);

/*
 * Called after a login approved with binding_id: the first one proves
 * the new factor (C_USE_NEW_FACTOR) and, in self-service, completes the
 * case (B_CONFIRMATION).
 */
void	enrolment_factor_used(const struct core_ctx *, const char *binding_id);

/*
 * Leaves the audit record of a refused action ("vetting.refused"), in
 * its own transaction: the refusal is kept although nothing changed.
 */
void	enrolment_refused(const struct core_ctx *, const char *actor,
	    const char *case_id, uint32_t action, enum vetting_error);

/* Reads a case. @return VETTING_OK, VETTING_ERR_NOTFOUND or _STORE. */
enum vetting_error	enrolment_get(const struct core_ctx *, const char *id,
			    struct vetting_case *);

/* enrolment_register.c: registration codes (X.1280 8.1). */

struct enrolment_register_in {
	const char	*code;
	const char	*authenticator_id;
	const char	*device_public_key;	/* b64url point */
	const char	*label;
	const char	*signature;		/* b64url */
};

struct enrolment_register_out {
	char		binding_id[BINDING_ID_LEN + 1];
	char		user_id[USER_ID_MAX];
	unsigned char	key[BINDING_KEY_LEN];	/* K: wipe after sending */
	uint32_t	loa;
};

/*
 * Creates a single-use registration code for user (X.1280 8.1 step 6),
 * for the vetting case vetting_case (NULL or "": none), audited.
 * @param code	receives the code, hex, OOB_REG_CODE_LEN + 1 bytes
 * @return OOB_OK, OOB_ERR_INVALID (no such user, disabled, too long)
 *	   or OOB_ERR_STORE.
 */
enum oob_error	enrolment_code_create(const struct core_ctx *,
		    const char *user_id, uint32_t loa, uint32_t flags,
		    const char *created_by, const char *vetting_case,
		    char *code);

/*
 * Redeems a registration code and creates the binding (8.1 steps
 * 10-12): rate-limited per address, single use, the device's proof of
 * possession checked, K made and wrapped.
 * @return OOB_OK or the protocol error to answer.
 */
enum oob_error	enrolment_register(const struct core_ctx *,
		    const struct enrolment_register_in *,
		    struct enrolment_register_out *);

#endif
