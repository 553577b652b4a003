/*
 * X.1254 vetting cases: each action one transaction with its event,
 * its audit record and its effect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "binding.h"
#include "date.h"
#include "enrolment.h"
#include "outbox.h"
#include "ratelimit.h"
#include "store_binding.h"
#include "store_user.h"
#include "store_vetting.h"

/* Guesses of vetting codes at the desk (failed ones only). */
static const struct ratelimit_rule	ENROLMENT_CODE_STAFF =
	{ "vetting_code.staff", 5, 600 };
static const struct ratelimit_rule	ENROLMENT_CODE_ADDR =
	{ "vetting_code.addr", 20, 600 };

static enum vetting_error	enrolment_finish(struct store_txn *,
				    enum vetting_error);
static int	enrolment_event(struct store_txn *, const char *,
		    const struct vetting_case *, uint32_t, uint32_t, uint32_t,
		    const char *, const char *);
static enum vetting_error	enrolment_step(const struct core_ctx *,
				    struct store_txn *, struct vetting_case *,
				    uint32_t, uint32_t, uint32_t, const char *,
				    const char *);
static enum vetting_error	enrolment_load(const struct core_ctx *,
				    struct store_txn *,
				    const struct enrolment_action *,
				    struct vetting_case *);
static int	enrolment_undo(const struct core_ctx *, struct store_txn *,
		    struct vetting_case *, int, const char *);
static int	enrolment_binding_state(struct store_txn *,
		    const struct vetting_case *, const char *, uint32_t);
static enum vetting_error	enrolment_new_case(const struct core_ctx *,
				    struct vetting_case *, const char *,
				    uint32_t, uint32_t, uint32_t, const char *);
static void	enrolment_mail(const struct core_ctx *, const char *,
		    const char *, const char *, int *);

void
enrolment_policy(const struct config *cfg, struct vetting_policy *p)
{
	p->loa2 = cfg->vetting_loa2_actions;
	p->loa3 = cfg->vetting_loa3_actions;
	p->eligibility_max_age = cfg->eligibility_max_age;
}

static enum vetting_error
enrolment_finish(struct store_txn *txn, enum vetting_error e)
{
	if (e != VETTING_OK) {
		store_txn_abort(txn);
		return (e);
	}
	return (store_txn_commit(txn) == 0 ? VETTING_OK : VETTING_ERR_STORE);
}

/*
 * Appends one event of case c and its audit record ("vetting.<CODE>").
 * @return 0 or -1 (the transaction is failed).
 */
static int
enrolment_event(struct store_txn *txn, const char *actor,
    const struct vetting_case *c, uint32_t role, uint32_t action,
    uint32_t outcome, const char *evidence, const char *note)
{
	struct vetting_event	ev;
	char			event[AUDIT_EVENT_MAX];
	char			detail[AUDIT_DETAIL_MAX];

	memset(&ev, 0, sizeof(ev));
	ev.time = (uint64_t)time(NULL);
	strcpy(ev.case_id, c->id);
	ev.action = action;
	ev.outcome = outcome;
	ev.role = role;
	snprintf(ev.actor, sizeof(ev.actor), "%s", actor);
	snprintf(ev.evidence, sizeof(ev.evidence), "%s",
	    evidence != NULL ? evidence : "");
	if (store_vetting_event_append(txn, &ev) == -1)
		return (-1);
	snprintf(event, sizeof(event), "vetting.%s",
	    vetting_action_name(action));
	snprintf(detail, sizeof(detail), "case=%s role=%s%s%s%s%s", c->id,
	    vetting_role_name(role), ev.evidence[0] ? " " : "", ev.evidence,
	    note != NULL ? " " : "", note != NULL ? note : "");
	return (audit_write(txn, event, actor,
	    c->user_id[0] ? c->user_id : c->id, vetting_outcome_name(outcome),
	    detail));
}

/*
 * Checks, applies and records one action on c (not stored yet), then
 * carries out and records the undo a failure calls for.
 * @return VETTING_OK or why the action may not happen.
 */
static enum vetting_error
enrolment_step(const struct core_ctx *ctx, struct store_txn *txn,
    struct vetting_case *c, uint32_t action, uint32_t outcome,
    uint32_t role, const char *actor, const char *evidence)
{
	struct vetting_policy	p;
	enum vetting_error	e;
	int			undo;

	enrolment_policy(ctx->cfg, &p);
	if ((e = vetting_check(&p, c, action, ctx->now)) != VETTING_OK)
		return (e);
	undo = vetting_apply(&p, c, action, outcome, ctx->now);
	if (enrolment_event(txn, actor, c, role, action, outcome, evidence,
	    NULL) == -1)
		return (VETTING_ERR_STORE);
	if (undo != 0 && enrolment_undo(ctx, txn, c, undo, actor) == -1)
		return (VETTING_ERR_STORE);
	return (VETTING_OK);
}

/*
 * X.1254: V_CREATE_DIGITAL_IDENTITY "should be undo-able if
 * V_VERIFY_IDENTITY fails" and "invalidated if any of the following
 * enrollment actions fails": the account goes, with every binding made
 * for it, and the undo is an event of its own.
 */
static int
enrolment_undo(const struct core_ctx *ctx, struct store_txn *txn,
    struct vetting_case *c, int undo, const char *actor)
{
	struct binding	list[BINDINGS_PER_USER_MAX];
	char		evidence[VETTING_EVIDENCE_MAX];
	int		n, i, rc;

	rc = 0;
	if ((undo & VETTING_UNDO_BINDING) && enrolment_binding_state(txn, c,
	    c->binding_id, BINDING_REVOKED) == -1)
		return (-1);
	if (!(undo & VETTING_UNDO_IDENTITY))
		return (0);
	if ((n = store_binding_list(txn, c->user_id, list,
	    BINDINGS_PER_USER_MAX)) == -1)
		return (-1);
	for (i = 0; i < n && rc == 0; i++) {
		if (list[i].state != BINDING_REVOKED)
			rc = enrolment_binding_state(txn, c, list[i].id,
			    BINDING_REVOKED);
	}
	OPENSSL_cleanse(list, sizeof(list));
	if (rc == -1 || store_user_del(txn, c->user_id) == -1 ||
	    audit_write(txn, "user.deleted", actor, c->user_id, "ok",
	    "reason=V_CREATE_DIGITAL_IDENTITY undone") == -1)
		return (-1);
	vetting_undo_identity(c);
	snprintf(evidence, sizeof(evidence), "user=%s account=removed",
	    c->user_id);
	return (enrolment_event(txn, ENROLMENT_ACTOR_SYSTEM, c,
	    VETTING_ROLE_SYSTEM, VETTING_V_CREATE_DIGITAL_IDENTITY,
	    VETTING_OUTCOME_UNDONE, evidence, NULL));
}

/*
 * Moves a binding of the case's user to state for case c, audited
 * (binding_set_state()); a refused move fails txn. Revoking a binding
 * revoked already (by mutuactl, say) is no failure: undoing the case
 * must not stop there. @return 0 or -1.
 */
static int
enrolment_binding_state(struct store_txn *txn, const struct vetting_case *c,
    const char *binding_id, uint32_t state)
{
	char	detail[VETTING_ID_LEN + 8];

	snprintf(detail, sizeof(detail), "case=%s", c->id);
	switch (binding_set_state(txn, binding_id, c->user_id, state,
	    ENROLMENT_ACTOR_SYSTEM, detail)) {
	case BINDING_OK:
		return (0);
	case BINDING_ERR_REVOKED:
		if (state == BINDING_REVOKED)
			return (0);
		/* FALLTHROUGH */
	default:
		store_txn_fail(txn);
		return (-1);
	}
}

void
enrolment_refused(const struct core_ctx *ctx, const char *actor,
    const char *subject, uint32_t action, enum vetting_error e)
{
	struct store_txn	txn;
	char			detail[128];

	snprintf(detail, sizeof(detail), "action=%s reason=%s",
	    vetting_action_name(action) ? vetting_action_name(action) : "?",
	    vetting_error_name(e));
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return;
	audit_write(&txn, "vetting.refused", actor, subject, "denied", detail);
	store_txn_commit(&txn);
}

/* Loads the case of a staff form and checks the form's version. */
static enum vetting_error
enrolment_load(const struct core_ctx *ctx, struct store_txn *txn,
    const struct enrolment_action *in, struct vetting_case *c)
{
	int	rc;

	if (store_txn_begin(ctx->store, txn, 1) == -1)
		return (VETTING_ERR_STORE);
	if ((rc = store_vetting_get(txn, in->case_id, c)) != 0)
		return (rc == -1 ? VETTING_ERR_STORE : VETTING_ERR_NOTFOUND);
	/* A form rendered before the last event is a replay or stale. */
	if (in->version != ENROLMENT_ANY_VERSION && in->version != c->version)
		return (VETTING_ERR_STALE_FORM);
	return (VETTING_OK);
}

/* A new case in memory: ID, applicant, channel, purpose, level. */
static enum vetting_error
enrolment_new_case(const struct core_ctx *ctx, struct vetting_case *c,
    const char *user_id, uint32_t channel, uint32_t purpose, uint32_t loa,
    const char *opened_by)
{
	memset(c, 0, sizeof(*c));
	if (strlen(user_id) >= sizeof(c->user_id) ||
	    strlen(opened_by) >= sizeof(c->opened_by))
		return (VETTING_ERR_INVALID);
	if (crypto_random_hex(c->id, sizeof(c->id), VETTING_ID_LEN / 2) == -1)
		return (VETTING_ERR_STORE);
	strcpy(c->user_id, user_id);
	strcpy(c->opened_by, opened_by);
	c->channel = channel;
	c->purpose = purpose;
	c->loa = loa;
	c->state = VETTING_STATE_OPEN;
	c->created = ctx->now;
	c->updated = ctx->now;
	return (VETTING_OK);
}

/* A message to the applicant, when there is an outbox and an address. */
static void
enrolment_mail(const struct core_ctx *ctx, const char *to,
    const char *subject, const char *body, int *mailed)
{
	*mailed = outbox_write(ctx->cfg->outbox_dir, to, subject, body,
	    ctx->now) == 1;
}

enum vetting_error
enrolment_self_service(const struct core_ctx *ctx, const char *user_id,
    const char *amr, uint32_t loa, char *case_id, char *code)
{
	struct store_txn	txn;
	struct vetting_case	c;
	enum vetting_error	e;
	char			evidence[VETTING_EVIDENCE_MAX];
	int			backup;

	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (VETTING_ERR_STORE);
	backup = store_binding_count_active(&txn, user_id);
	store_txn_abort(&txn);
	if (backup == -1)
		return (VETTING_ERR_STORE);
	/*
	 * X.1280 9.2.1 and 9.2.2: once a user has an authenticator, a
	 * password session can no longer add one; a backup needs a login
	 * with an existing authenticator (or the help desk).
	 */
	if (backup > 0 && loa < ENROLMENT_SELF_SERVICE_LOA)
		return (VETTING_ERR_CHANNEL);
	backup = backup > 0;
	if ((e = enrolment_new_case(ctx, &c, user_id, VETTING_CHANNEL_SELF,
	    backup ? VETTING_PURPOSE_BACKUP : VETTING_PURPOSE_ENROL, 2,
	    user_id)) != VETTING_OK)
		return (e);
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (VETTING_ERR_STORE);
	snprintf(evidence, sizeof(evidence), "method=%s", amr);
	if ((e = enrolment_step(ctx, &txn, &c, VETTING_C_USE_EXISTING_FACTOR,
	    VETTING_OUTCOME_OK, VETTING_ROLE_APPLICANT, user_id,
	    evidence)) != VETTING_OK)
		return (enrolment_finish(&txn, e));
	snprintf(evidence, sizeof(evidence), "loa=2 backup=%d", backup);
	if ((e = enrolment_step(ctx, &txn, &c, VETTING_I_REQUEST_FACTOR,
	    VETTING_OUTCOME_OK, VETTING_ROLE_APPLICANT, user_id,
	    evidence)) != VETTING_OK)
		return (enrolment_finish(&txn, e));
	if (store_vetting_put(&txn, &c) == -1)
		return (enrolment_finish(&txn, VETTING_ERR_STORE));
	if ((e = enrolment_finish(&txn, VETTING_OK)) != VETTING_OK)
		return (e);

	/* The X.1280 registration (8.1) that will be B_FACTOR_AND_ID. */
	if (enrolment_code_create(ctx, user_id, 2,
	    backup ? BINDING_BACKUP : 0, user_id, c.id, code) != OOB_OK)
		return (VETTING_ERR_STORE);
	strcpy(case_id, c.id);
	return (VETTING_OK);
}

/*
 * X.1254 C_CHECK_ELIGIBILITY by the directory: whether user_id's entry
 * matches ldap_eligibility_filter. Asked before any write transaction:
 * the directory may take seconds, and the writer lock is shared.
 * @return 1 (eligible), 0 (not), -1 (directory error), or 2 when there
 *	   is nothing to check (no filter, or a local-only user).
 */
static int
enrolment_eligible(const struct core_ctx *ctx, const char *user_id)
{
	struct store_txn	txn;
	struct user		u;
	int			rc;

	if (ctx->dir == NULL || ctx->cfg->ldap_eligibility_filter[0] == '\0')
		return (2);
	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (-1);
	rc = store_user_get(&txn, user_id, &u);
	store_txn_abort(&txn);
	if (rc == 0 && u.dir_id[0] != '\0')
		rc = directory_match_id(ctx->dir, u.dir_id,
		    ctx->cfg->ldap_eligibility_filter);
	else
		rc = rc == 0 ? 2 : -1;
	OPENSSL_cleanse(&u, sizeof(u));
	return (rc);
}

enum vetting_error
enrolment_arrange(const struct core_ctx *ctx, const char *user_id,
    const char *amr, char *case_id, char *code, int *mailed)
{
	struct store_txn	txn;
	struct vetting_case	c;
	struct user		u;
	enum vetting_error	e;
	char			evidence[VETTING_EVIDENCE_MAX], expires[DATE_MAX], body[512];
	int			active, eligible;

	*mailed = 0;
	if ((eligible = enrolment_eligible(ctx, user_id)) == -1)
		return (VETTING_ERR_DIRECTORY);
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (VETTING_ERR_STORE);
	if (store_user_get(&txn, user_id, &u) != 0 ||
	    (u.flags & USER_DISABLED) ||
	    (active = store_binding_count_active(&txn, user_id)) == -1)
		return (enrolment_finish(&txn, VETTING_ERR_NOTFOUND));
	if ((e = enrolment_new_case(ctx, &c, user_id, VETTING_CHANNEL_DESK,
	    active > 0 ? VETTING_PURPOSE_BACKUP : VETTING_PURPOSE_ENROL, 3,
	    user_id)) != VETTING_OK ||
	    vetting_code_generate(code) == -1 ||
	    vetting_code_hash(code, c.code_hash) == -1) {
		OPENSSL_cleanse(&u, sizeof(u));
		return (enrolment_finish(&txn, e != VETTING_OK ? e :
		    VETTING_ERR_STORE));
	}
	c.code_expires = ctx->now + ctx->cfg->vetting_code_lifetime;
	date_format(c.code_expires, DATE_DAY, expires, sizeof(expires));

	snprintf(evidence, sizeof(evidence), "method=%s", amr);
	e = enrolment_step(ctx, &txn, &c, VETTING_C_USE_EXISTING_FACTOR,
	    VETTING_OUTCOME_OK, VETTING_ROLE_APPLICANT, user_id, evidence);
	snprintf(evidence, sizeof(evidence), "loa=3 backup=%d", active > 0);
	if (e == VETTING_OK)
		e = enrolment_step(ctx, &txn, &c, VETTING_I_REQUEST_FACTOR,
		    VETTING_OUTCOME_OK, VETTING_ROLE_APPLICANT, user_id,
		    evidence);
	/*
	 * ldap_eligibility_filter decides who may ask for a LoA3
	 * authenticator; a refusal is kept in the case, which it ends.
	 */
	if (e == VETTING_OK && eligible != 2) {
		e = enrolment_step(ctx, &txn, &c, VETTING_C_CHECK_ELIGIBILITY,
		    eligible ? VETTING_OUTCOME_OK : VETTING_OUTCOME_FAILED,
		    VETTING_ROLE_SYSTEM, ENROLMENT_ACTOR_SYSTEM,
		    "source=directory");
		if (e == VETTING_OK && !eligible) {
			OPENSSL_cleanse(&u, sizeof(u));
			OPENSSL_cleanse(code, VETTING_CODE_LEN + 1);
			if (store_vetting_put(&txn, &c) == -1 ||
			    enrolment_finish(&txn, VETTING_OK) != VETTING_OK)
				return (VETTING_ERR_STORE);
			strcpy(case_id, c.id);
			return (VETTING_ERR_NOT_ELIGIBLE);
		}
	}
	if (e == VETTING_OK) {
		/* The code travels by e-mail too when there is an outbox. */
		snprintf(body, sizeof(body), "Bring this vetting code and an "
		    "identity document to the service desk before %s:\r\n\r\n"
		    "    %s\r\n\r\nThe desk will set up your vetted "
		    "authenticator.", expires, code);
		enrolment_mail(ctx, u.email, "Your vetting appointment", body,
		    mailed);
		OPENSSL_cleanse(body, sizeof(body));
		snprintf(evidence, sizeof(evidence), "code_expires=%s email=%s",
		    expires, *mailed ? "sent" : "none");
		e = enrolment_step(ctx, &txn, &c, VETTING_I_ARRANGE_VETTING,
		    VETTING_OUTCOME_OK, VETTING_ROLE_SYSTEM,
		    ENROLMENT_ACTOR_SYSTEM, evidence);
	}
	OPENSSL_cleanse(&u, sizeof(u));
	if (e == VETTING_OK && (store_vetting_code_put(&txn, c.code_hash,
	    c.id) == -1 || store_vetting_put(&txn, &c) == -1))
		e = VETTING_ERR_STORE;
	if ((e = enrolment_finish(&txn, e)) != VETTING_OK) {
		OPENSSL_cleanse(code, VETTING_CODE_LEN + 1);
		return (e);
	}
	strcpy(case_id, c.id);
	return (VETTING_OK);
}

enum vetting_error
enrolment_open_code(const struct core_ctx *ctx, const char *staff,
    const char *typed, char *case_id)
{
	struct store_txn	txn;
	struct vetting_case	c;
	enum vetting_error	e;
	char			hash[VETTING_HASH_LEN + 1], id[VETTING_ID_LEN + 1];
	int			rc, limited;

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (VETTING_ERR_STORE);
	limited = ratelimit_check(&txn, &ENROLMENT_CODE_STAFF, staff,
	    ctx->now, NULL) != 0 || ratelimit_check(&txn,
	    &ENROLMENT_CODE_ADDR, ctx->addr, ctx->now, NULL) != 0;
	if (limited) {
		audit_write(&txn, "vetting.code", staff, ctx->addr, "limited",
		    NULL);
		store_txn_commit(&txn);
		return (VETTING_ERR_RATE);
	}
	e = VETTING_OK;
	if (vetting_code_hash(typed, hash) == -1)
		e = VETTING_ERR_CODE;
	else if ((rc = store_vetting_code_get(&txn, hash, id)) != 0)
		e = rc == -1 ? VETTING_ERR_STORE : VETTING_ERR_CODE;
	else if ((rc = store_vetting_get(&txn, id, &c)) != 0)
		e = rc == -1 ? VETTING_ERR_STORE : VETTING_ERR_CODE;
	else if (c.code_expires <= ctx->now)
		e = VETTING_ERR_EXPIRED;
	else if (c.state != VETTING_STATE_ARRANGED)
		e = VETTING_ERR_CODE;
	if (e == VETTING_ERR_CODE || e == VETTING_ERR_EXPIRED) {
		/* Every failed guess counts; the record says which failed. */
		ratelimit_hit(&txn, &ENROLMENT_CODE_STAFF, staff, ctx->now,
		    NULL);
		ratelimit_hit(&txn, &ENROLMENT_CODE_ADDR, ctx->addr, ctx->now,
		    NULL);
		audit_write(&txn, "vetting.code", staff, ctx->addr, "failed",
		    e == VETTING_ERR_EXPIRED ? "reason=expired" :
		    "reason=unknown");
		return (store_txn_commit(&txn) == 0 ? e : VETTING_ERR_STORE);
	}
	if (e != VETTING_OK)
		return (enrolment_finish(&txn, e));

	snprintf(c.staff, sizeof(c.staff), "%s", staff);
	if ((e = enrolment_step(ctx, &txn, &c, VETTING_V_COMMENCE,
	    VETTING_OUTCOME_OK, VETTING_ROLE_STAFF, staff,
	    "request=vetting-code")) != VETTING_OK)
		return (enrolment_finish(&txn, e));
	/* The code linked the applicant to the request: it is used up. */
	c.code_hash[0] = '\0';
	if (store_vetting_code_del(&txn, hash) == -1 ||
	    store_vetting_put(&txn, &c) == -1)
		return (enrolment_finish(&txn, VETTING_ERR_STORE));
	if ((e = enrolment_finish(&txn, VETTING_OK)) == VETTING_OK)
		strcpy(case_id, c.id);
	return (e);
}

enum vetting_error
enrolment_open(const struct core_ctx *ctx, const char *staff,
    const char *user_id, uint32_t purpose, uint32_t channel,
    const char *binding_id, char *case_id)
{
	struct store_txn	txn;
	struct vetting_case	c;
	struct user		u;
	struct binding		b;
	enum vetting_error	e;
	char			evidence[VETTING_EVIDENCE_MAX];
	int			rc, active;

	if ((channel != VETTING_CHANNEL_DESK &&
	    channel != VETTING_CHANNEL_ONLINE) ||
	    purpose < VETTING_PURPOSE_ENROL ||
	    purpose > VETTING_PURPOSE_RELEASE ||
	    (user_id[0] == '\0' && purpose != VETTING_PURPOSE_ENROL))
		return (VETTING_ERR_INVALID);
	if ((e = enrolment_new_case(ctx, &c, user_id, channel, purpose, 3,
	    staff)) != VETTING_OK)
		return (e);
	snprintf(c.staff, sizeof(c.staff), "%s", staff);
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (VETTING_ERR_STORE);
	if (user_id[0] != '\0') {
		rc = store_user_get(&txn, user_id, &u);
		OPENSSL_cleanse(&u, sizeof(u));
		if (rc != 0 || (u.flags & USER_DISABLED))
			return (enrolment_finish(&txn, rc == -1 ?
			    VETTING_ERR_STORE : VETTING_ERR_NOTFOUND));
		if ((active = store_binding_count_active(&txn, user_id)) == -1)
			return (enrolment_finish(&txn, VETTING_ERR_STORE));
		/* A backup is for a user who has an authenticator. */
		if (purpose == VETTING_PURPOSE_BACKUP && active == 0)
			return (enrolment_finish(&txn, VETTING_ERR_APPLICANT));
	}
	if (purpose == VETTING_PURPOSE_RELEASE) {
		rc = binding_id == NULL ? STORE_NOTFOUND :
		    store_binding_get(&txn, binding_id, &b);
		if (rc != 0 || strcmp(b.user_id, user_id) != 0 ||
		    b.state == BINDING_REVOKED) {
			OPENSSL_cleanse(&b, sizeof(b));
			return (enrolment_finish(&txn, rc == -1 ?
			    VETTING_ERR_STORE : VETTING_ERR_NOTFOUND));
		}
		OPENSSL_cleanse(&b, sizeof(b));
		strcpy(c.binding_id, binding_id);
	}
	snprintf(evidence, sizeof(evidence), "request=%s purpose=%s",
	    user_id[0] ? "user-search" : "walk-in",
	    vetting_purpose_name(purpose));
	if ((e = enrolment_step(ctx, &txn, &c, VETTING_V_COMMENCE,
	    VETTING_OUTCOME_OK, VETTING_ROLE_STAFF, staff,
	    evidence)) != VETTING_OK)
		return (enrolment_finish(&txn, e));
	if (store_vetting_put(&txn, &c) == -1)
		return (enrolment_finish(&txn, VETTING_ERR_STORE));
	if ((e = enrolment_finish(&txn, VETTING_OK)) == VETTING_OK)
		strcpy(case_id, c.id);
	return (e);
}

enum vetting_error
enrolment_record(const struct core_ctx *ctx, const struct enrolment_action *in)
{
	struct vetting_policy	p;
	struct store_txn	txn;
	struct vetting_case	c;
	struct user		u;
	enum vetting_error	e;
	char			body[256];
	int			mailed;

	/* These have their own calls: they carry secrets or effects. */
	switch (in->action) {
	case VETTING_V_CREATE_DIGITAL_IDENTITY:
	case VETTING_V_PREREGISTER_FACTOR:
	case VETTING_R_RELEASE_FACTOR:
	case VETTING_I_ARRANGE_VETTING:
	case VETTING_V_COMMENCE:
		if (in->outcome == VETTING_OUTCOME_OK)
			return (VETTING_ERR_INVALID);
		break;
	case VETTING_B_FACTOR_AND_ID:
		/* Only the authenticator's registration binds. */
		if (in->outcome == VETTING_OUTCOME_OK)
			return (VETTING_ERR_INVALID);
		break;
	default:
		break;
	}
	if (in->outcome != VETTING_OUTCOME_OK &&
	    in->outcome != VETTING_OUTCOME_FAILED)
		return (VETTING_ERR_INVALID);

	enrolment_policy(ctx->cfg, &p);
	if ((e = enrolment_load(ctx, &txn, in, &c)) != VETTING_OK) {
		store_txn_abort(&txn);
		enrolment_refused(ctx, in->actor, in->case_id, in->action, e);
		return (e);
	}
	if (in->action == VETTING_C_SELECT_NEW_FACTOR &&
	    in->outcome == VETTING_OUTCOME_OK)
		snprintf(c.factor, sizeof(c.factor), "%s",
		    in->factor != NULL ? in->factor : "");
	/* B_ACTIVATE: the pending binding of B_FACTOR_AND_ID goes live. */
	if (in->action == VETTING_B_ACTIVATE &&
	    in->outcome == VETTING_OUTCOME_OK &&
	    vetting_check(&p, &c, in->action, ctx->now) == VETTING_OK &&
	    enrolment_binding_state(&txn, &c, c.binding_id,
	    BINDING_ACTIVE) == -1) {
		store_txn_abort(&txn);
		enrolment_refused(ctx, in->actor, in->case_id, in->action,
		    VETTING_ERR_NOTFOUND);
		return (VETTING_ERR_NOTFOUND);
	}
	e = enrolment_step(ctx, &txn, &c, in->action, in->outcome, in->role,
	    in->actor, in->evidence);
	if (e != VETTING_OK) {
		store_txn_abort(&txn);
		enrolment_refused(ctx, in->actor, in->case_id, in->action, e);
		return (e);
	}
	if (in->action == VETTING_B_CONFIRMATION &&
	    in->outcome == VETTING_OUTCOME_OK &&
	    store_user_get(&txn, c.user_id, &u) == 0) {
		snprintf(body, sizeof(body), "Your new authenticator is "
		    "active (level of assurance %u). If you did not ask for "
		    "it, contact the service desk at once.", c.loa);
		enrolment_mail(ctx, u.email, "Your authenticator is active",
		    body, &mailed);
		OPENSSL_cleanse(&u, sizeof(u));
	}
	if (store_vetting_put(&txn, &c) == -1)
		return (enrolment_finish(&txn, VETTING_ERR_STORE));
	return (enrolment_finish(&txn, VETTING_OK));
}

enum vetting_error
enrolment_create_identity(const struct core_ctx *ctx,
    const struct enrolment_action *in, const char *user_id,
    const char *display_name, const char *email, char *password)
{
	struct vetting_policy	p;
	struct store_txn	txn;
	struct vetting_case	c;
	struct user		u;
	enum vetting_error	e;
	char			evidence[VETTING_EVIDENCE_MAX];
	int			rc;

	memset(&u, 0, sizeof(u));
	if (!store_user_id_valid(user_id) ||
	    strlen(display_name) >= sizeof(u.display_name) ||
	    strlen(email) >= sizeof(u.email))
		return (VETTING_ERR_INVALID);
	strcpy(u.id, user_id);
	strcpy(u.display_name, display_name);
	strcpy(u.email, email);
	u.created = ctx->now;
	/* Hashed before the transaction: scrypt must not hold the lock. */
	if (crypto_random_hex(password, ENROLMENT_PASSWORD_LEN + 1,
	    ENROLMENT_PASSWORD_LEN / 2) == -1 ||
	    crypto_password_hash(password, u.password_hash,
	    sizeof(u.password_hash)) == -1)
		return (VETTING_ERR_STORE);

	if ((e = enrolment_load(ctx, &txn, in, &c)) != VETTING_OK)
		goto out;
	enrolment_policy(ctx->cfg, &p);
	if ((e = vetting_check(&p, &c, VETTING_V_CREATE_DIGITAL_IDENTITY,
	    ctx->now)) != VETTING_OK)
		goto out;
	if ((rc = store_user_add(&txn, &u)) != 0) {
		e = rc == STORE_EXISTS ? VETTING_ERR_APPLICANT :
		    VETTING_ERR_STORE;
		goto out;
	}
	audit_write(&txn, "user.created", in->actor, user_id, "ok",
	    c.id);
	snprintf(evidence, sizeof(evidence), "user=%s", user_id);
	e = enrolment_step(ctx, &txn, &c, VETTING_V_CREATE_DIGITAL_IDENTITY,
	    VETTING_OUTCOME_OK, VETTING_ROLE_STAFF, in->actor, evidence);
	/* From here on the case is the new identity's. */
	strcpy(c.user_id, user_id);
	if (e == VETTING_OK && store_vetting_put(&txn, &c) == -1)
		e = VETTING_ERR_STORE;

out:
	OPENSSL_cleanse(&u, sizeof(u));
	if ((e = enrolment_finish(&txn, e)) != VETTING_OK) {
		OPENSSL_cleanse(password, ENROLMENT_PASSWORD_LEN + 1);
		enrolment_refused(ctx, in->actor, in->case_id,
		    VETTING_V_CREATE_DIGITAL_IDENTITY, e);
	}
	return (e);
}

enum vetting_error
enrolment_preregister(const struct core_ctx *ctx,
    const struct enrolment_action *in, char *code)
{
	struct vetting_policy	p;
	struct store_txn	txn;
	struct vetting_case	c;
	enum vetting_error	e;
	char			evidence[VETTING_EVIDENCE_MAX];

	enrolment_policy(ctx->cfg, &p);
	if ((e = enrolment_load(ctx, &txn, in, &c)) == VETTING_OK)
		e = vetting_check(&p, &c, VETTING_V_PREREGISTER_FACTOR,
		    ctx->now);
	store_txn_abort(&txn);
	if (e != VETTING_OK) {
		enrolment_refused(ctx, in->actor, in->case_id,
		    VETTING_V_PREREGISTER_FACTOR, e);
		return (e);
	}
	/*
	 * The registration first: should the event fail to land, the code
	 * is useless, since B_FACTOR_AND_ID needs V_PREREGISTER_FACTOR.
	 */
	if (enrolment_code_create(ctx, c.user_id, c.loa,
	    c.purpose == VETTING_PURPOSE_BACKUP ? BINDING_BACKUP : 0,
	    in->actor, c.id, code) != OOB_OK)
		return (VETTING_ERR_STORE);
	if ((e = enrolment_load(ctx, &txn, in, &c)) != VETTING_OK)
		goto out;
	snprintf(evidence, sizeof(evidence), "registration=issued "
	    "lifetime=%us", ctx->cfg->registration_lifetime);
	e = enrolment_step(ctx, &txn, &c, VETTING_V_PREREGISTER_FACTOR,
	    VETTING_OUTCOME_OK, VETTING_ROLE_STAFF, in->actor, evidence);
	if (e == VETTING_OK && store_vetting_put(&txn, &c) == -1)
		e = VETTING_ERR_STORE;
out:
	if ((e = enrolment_finish(&txn, e)) != VETTING_OK)
		OPENSSL_cleanse(code, OOB_REG_CODE_LEN + 1);
	return (e);
}

enum vetting_error
enrolment_release(const struct core_ctx *ctx,
    const struct enrolment_action *in, int revoke)
{
	struct store_txn	txn;
	struct vetting_case	c;
	enum vetting_error	e;
	char			evidence[VETTING_EVIDENCE_MAX];

	if ((e = enrolment_load(ctx, &txn, in, &c)) != VETTING_OK)
		return (enrolment_finish(&txn, e));
	snprintf(evidence, sizeof(evidence), "binding=%s state=%s",
	    c.binding_id, revoke ? "revoked" : "suspended");
	e = enrolment_step(ctx, &txn, &c, VETTING_R_RELEASE_FACTOR,
	    VETTING_OUTCOME_OK, VETTING_ROLE_STAFF, in->actor, evidence);
	if (e != VETTING_OK) {
		store_txn_abort(&txn);
		enrolment_refused(ctx, in->actor, in->case_id,
		    VETTING_R_RELEASE_FACTOR, e);
		return (e);
	}
	/* X.1280 9.2.2: released through the desk, after re-vetting. */
	if (enrolment_binding_state(&txn, &c, c.binding_id,
	    revoke ? BINDING_REVOKED : BINDING_SUSPENDED) == -1 ||
	    store_vetting_put(&txn, &c) == -1)
		return (enrolment_finish(&txn, VETTING_ERR_STORE));
	return (enrolment_finish(&txn, VETTING_OK));
}

int
enrolment_bound(const struct core_ctx *ctx, struct store_txn *txn,
    struct binding *b)
{
	struct vetting_case	c;
	char			evidence[VETTING_EVIDENCE_MAX];

	if (store_vetting_get(txn, b->vetting_case, &c) != 0 ||
	    strcmp(c.user_id, b->user_id) != 0)
		return (-1);
	/*
	 * The binding exists from here on, but a desk binding is usable only
	 * after B_ACTIVATE; in self-service the X.1280 registration itself
	 * activates it (the user proves it with the first login).
	 */
	strcpy(c.binding_id, b->id);
	snprintf(evidence, sizeof(evidence), "binding=%s authenticator=%s",
	    b->id, b->authenticator_id);
	if (enrolment_step(ctx, txn, &c, VETTING_B_FACTOR_AND_ID,
	    VETTING_OUTCOME_OK, VETTING_ROLE_APPLICANT, b->user_id,
	    evidence) != VETTING_OK)
		return (-1);
	if (c.channel == VETTING_CHANNEL_SELF) {
		snprintf(evidence, sizeof(evidence), "binding=%s state=active",
		    b->id);
		if (enrolment_step(ctx, txn, &c, VETTING_B_ACTIVATE,
		    VETTING_OUTCOME_OK, VETTING_ROLE_SYSTEM,
		    ENROLMENT_ACTOR_SYSTEM, evidence) != VETTING_OK)
			return (-1);
	} else
		b->state = BINDING_PENDING;
	return (store_vetting_put(txn, &c));
}

void
enrolment_factor_used(const struct core_ctx *ctx, const char *binding_id)
{
	struct vetting_policy	p;
	struct store_txn	txn;
	struct vetting_case	c;
	struct binding		b;
	struct user		u;
	char			evidence[VETTING_EVIDENCE_MAX];
	int			rc, mailed, changed;

	enrolment_policy(ctx->cfg, &p);
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return;
	rc = store_binding_get(&txn, binding_id, &b);
	OPENSSL_cleanse(b.wrapped_key, sizeof(b.wrapped_key));
	if (rc != 0 || b.vetting_case[0] == '\0' ||
	    store_vetting_get(&txn, b.vetting_case, &c) != 0 ||
	    vetting_closed(&c) || strcmp(c.binding_id, b.id) != 0) {
		store_txn_abort(&txn);
		return;
	}
	changed = 0;
	snprintf(evidence, sizeof(evidence), "binding=%s method=oob-approval",
	    b.id);
	if (vetting_check(&p, &c, VETTING_C_USE_NEW_FACTOR, ctx->now) ==
	    VETTING_OK && !(c.done & VETTING_BIT(VETTING_C_USE_NEW_FACTOR))) {
		if (enrolment_step(ctx, &txn, &c, VETTING_C_USE_NEW_FACTOR,
		    VETTING_OUTCOME_OK, VETTING_ROLE_APPLICANT, b.user_id,
		    evidence) != VETTING_OK)
			goto fail;
		changed = 1;
	}
	if (c.channel == VETTING_CHANNEL_SELF && vetting_check(&p, &c,
	    VETTING_B_CONFIRMATION, ctx->now) == VETTING_OK) {
		mailed = 0;
		if (store_user_get(&txn, c.user_id, &u) == 0) {
			enrolment_mail(ctx, u.email,
			    "Your authenticator is active", "Your new "
			    "authenticator is active. If you did not add it, "
			    "contact the service desk at once.", &mailed);
			OPENSSL_cleanse(&u, sizeof(u));
		}
		snprintf(evidence, sizeof(evidence), "channel=account-page%s",
		    mailed ? ",email" : "");
		if (enrolment_step(ctx, &txn, &c, VETTING_B_CONFIRMATION,
		    VETTING_OUTCOME_OK, VETTING_ROLE_SYSTEM,
		    ENROLMENT_ACTOR_SYSTEM, evidence) != VETTING_OK)
			goto fail;
		changed = 1;
	}
	if (!changed || store_vetting_put(&txn, &c) == -1)
		goto fail;
	store_txn_commit(&txn);
	OPENSSL_cleanse(&b, sizeof(b));
	return;

fail:
	store_txn_abort(&txn);
	OPENSSL_cleanse(&b, sizeof(b));
}

enum vetting_error
enrolment_get(const struct core_ctx *ctx, const char *id,
    struct vetting_case *c)
{
	struct store_txn	txn;
	int			rc;

	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (VETTING_ERR_STORE);
	rc = store_vetting_get(&txn, id, c);
	store_txn_abort(&txn);
	if (rc == 0)
		return (VETTING_OK);
	return (rc == -1 ? VETTING_ERR_STORE : VETTING_ERR_NOTFOUND);
}
