/*
 * /helpdesk/case: one vetting case, its next X.1254 actions as forms and
 * its timeline; /helpdesk/case/action records one action. The forms are
 * in assets/templates/helpdesk_case.html, one section per action code,
 * shown only when vetting_check() allows that action now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "qr.h"
#include "store_vetting.h"
#include "web.h"

int	web_helpdesk_case(struct http_request *);
int	web_helpdesk_case_action(struct http_request *);

/* The one evidence field of an action's form ("detail") and its values. */
struct web_step {
	uint32_t		 action;
	const char		*key;		/* evidence key, or NULL */
	const char *const	*choices;
};

static const char *const	basis[] = { "directory", "institution-letter",
				    "federated-attributes", "hr-record", NULL };
static const char *const	existing[] = { "password", "authenticator",
				    NULL };
static const char *const	factors[] = { "web-app", "terminal-app",
				    "desk-device", NULL };
static const char *const	use_new[] = { "test-sign-in",
				    "shown-to-staff", NULL };
static const char *const	vet[] = { "visual", "chip-read", NULL };
static const char *const	source[] = { "issuer-register",
				    "lost-stolen-register", "employer-register",
				    NULL };
static const char *const	liveness[] = { "in-person", "video", NULL };
static const char *const	device[] = { "phone", "token", "laptop",
				    NULL };
static const char *const	inform[] = { "in-person", "email", NULL };

static const struct web_step	web_steps[] = {
	{ VETTING_C_USE_EXISTING_FACTOR, "method", existing },
	{ VETTING_C_SELECT_NEW_FACTOR, "factor", factors },
	{ VETTING_C_USE_NEW_FACTOR, "method", use_new },
	{ VETTING_C_CHECK_ELIGIBILITY, "basis", basis },
	{ VETTING_V_PRESENT_PROOF, "doc_type", vetting_doc_types },
	{ VETTING_V_HAND_OVER_FACTOR, "device", device },
	{ VETTING_V_VERIFY_IDENTITY, NULL, NULL },
	{ VETTING_V_VET_PROOF, "method", vet },
	{ VETTING_V_SOURCE, "source", source },
	{ VETTING_V_CHECK_LIVENESS, "method", liveness },
	{ VETTING_B_FACTOR_AND_ID, NULL, NULL },
	{ VETTING_B_ACTIVATE, NULL, NULL },
	{ VETTING_B_CONFIRMATION, "channel", inform },
	/* Evidence made by enrolment.c itself. */
	{ VETTING_V_CREATE_DIGITAL_IDENTITY, NULL, NULL },
	{ VETTING_V_PREREGISTER_FACTOR, NULL, NULL },
	{ VETTING_R_RELEASE_FACTOR, NULL, NULL },
	{ VETTING_ACTION_COUNT, NULL, NULL }
};

/* Initiation happens before the desk; V_COMMENCE opened the case. */
#define WEB_CASE_NOT_AT_DESK	(VETTING_BIT(VETTING_I_REQUEST_FACTOR) | \
	VETTING_BIT(VETTING_I_FACTOR_DELIVERY) | \
	VETTING_BIT(VETTING_I_ARRANGE_VETTING) | \
	VETTING_BIT(VETTING_V_COMMENCE))

#define WEB_CASE_VARS		(20 + VETTING_ACTION_COUNT)

static void	web_helpdesk_timeline(struct web_html *, const char *);
static int	web_helpdesk_timeline_one(void *, const struct vetting_event *);
static void	web_helpdesk_checklist(struct web_html *,
		    const struct vetting_policy *, const struct vetting_case *);
static enum vetting_error	web_helpdesk_evidence(struct http_request *,
				    uint32_t, uint32_t, char *, const char **);
static void	web_helpdesk_registered(struct http_request *,
		    const struct vetting_case *, const char *);
static void	web_helpdesk_identity(struct http_request *, const char *,
		    const char *, const char *);

static int
web_helpdesk_timeline_one(void *arg, const struct vetting_event *ev)
{
	struct web_html	*h = arg;
	const char	*cells[6];
	char		 when[DATE_MAX];

	date_format(ev->time, DATE_MINUTE, when, sizeof(when));
	cells[0] = when;
	cells[1] = vetting_action_name(ev->action);
	cells[2] = vetting_outcome_name(ev->outcome);
	cells[3] = vetting_role_name(ev->role);
	cells[4] = ev->actor;
	cells[5] = ev->evidence;
	web_html_row(h, NULL, cells, 6);
	return (0);
}

static void
web_helpdesk_timeline(struct web_html *h, const char *case_id)
{
	struct store_txn	txn;

	if (store_txn_begin(web.store, &txn, 0) == -1 ||
	    store_vetting_event_scan(&txn, case_id, 0,
	    web_helpdesk_timeline_one, h) == -1)
		h->error = 1;
	store_txn_abort(&txn);
}

/* The mandatory actions of the case, done or still to do. */
static void
web_helpdesk_checklist(struct web_html *h, const struct vetting_policy *p,
    const struct vetting_case *c)
{
	uint32_t	mandatory, a;

	mandatory = vetting_mandatory(p, c);
	for (a = 0; a < VETTING_ACTION_COUNT; a++) {
		if (!(mandatory & VETTING_BIT(a)))
			continue;
		web_html_raw(h, (c->done & VETTING_BIT(a)) ?
		    "<li class=\"done\">" : "<li class=\"todo\">");
		web_html_text(h, vetting_action_name(a));
		web_html_raw(h, (c->done & VETTING_BIT(a)) ? " &#10003;" :
		    " (to do)");
		web_html_raw(h, "</li>");
	}
}

void
web_helpdesk_case_page(struct http_request *req, int status,
    const struct session *s, const char *sid, const char *case_id,
    const char *message)
{
	struct core_ctx		 cc;
	struct vetting_policy	 p;
	struct vetting_case	 c;
	struct web_html		 timeline, checklist;
	struct template_var	 vars[WEB_CASE_VARS];
	char			 names[VETTING_ACTION_COUNT][40];
	char			 csrf[WEB_CSRF_LEN + 1], ver[16], loa[8];
	char			 created[DATE_MAX], checked[DATE_MAX];
	uint32_t		 a;
	size_t			 n;

	web_core_ctx(req, &cc);
	if (enrolment_get(&cc, case_id, &c) != VETTING_OK) {
		web_page_error(req, 404, "No such case",
		    "There is no vetting case with this ID.");
		return;
	}
	enrolment_policy(&web.cfg, &p);
	memset(&timeline, 0, sizeof(timeline));
	memset(&checklist, 0, sizeof(checklist));
	web_helpdesk_timeline(&timeline, c.id);
	web_helpdesk_checklist(&checklist, &p, &c);
	web_html_raw(&checklist, "");
	if (timeline.error || checklist.error) {
		free(timeline.out);
		free(checklist.out);
		web_page_error(req, 500, "Error", "Please try again.");
		return;
	}

	web_csrf_token(sid, csrf);
	snprintf(ver, sizeof(ver), "%u", c.version);
	snprintf(loa, sizeof(loa), "LoA%u", c.loa);
	date_format(c.created, DATE_MINUTE, created, sizeof(created));
	if (vetting_closed(&c))
		snprintf(checked, sizeof(checked), "-");
	else if (vetting_eligibility_stale(&p, &c, cc.now))
		snprintf(checked, sizeof(checked), "due now (C_CHECK_"
		    "ELIGIBILITY)");
	else
		date_format(c.eligibility_at, DATE_MINUTE, checked, sizeof(checked));

	n = 0;
	vars[n++] = (struct template_var){ "staff", s->user_id, 0 };
	vars[n++] = (struct template_var){ "csrf", csrf, 0 };
	vars[n++] = (struct template_var){ "case", c.id, 0 };
	vars[n++] = (struct template_var){ "v", ver, 0 };
	vars[n++] = (struct template_var){ "applicant",
	    c.user_id[0] ? c.user_id : "(no account yet)", 0 };
	vars[n++] = (struct template_var){ "loa", loa, 0 };
	vars[n++] = (struct template_var){ "channel",
	    vetting_channel_name(c.channel), 0 };
	vars[n++] = (struct template_var){ "purpose",
	    vetting_purpose_name(c.purpose), 0 };
	vars[n++] = (struct template_var){ "state",
	    vetting_state_name(c.state), 0 };
	vars[n++] = (struct template_var){ "created", created, 0 };
	vars[n++] = (struct template_var){ "opened_by", c.opened_by, 0 };
	vars[n++] = (struct template_var){ "binding",
	    c.binding_id[0] ? c.binding_id : "-", 0 };
	vars[n++] = (struct template_var){ "factor",
	    c.factor[0] ? c.factor : "-", 0 };
	vars[n++] = (struct template_var){ "eligibility", checked, 0 };
	vars[n++] = (struct template_var){ "message", message, 0 };
	vars[n++] = (struct template_var){ "checklist", checklist.out,
	    TEMPLATE_RAW };
	vars[n++] = (struct template_var){ "timeline", timeline.out,
	    TEMPLATE_RAW };
	for (a = 0; a < VETTING_ACTION_COUNT; a++) {
		snprintf(names[a], sizeof(names[a]), "h_%s",
		    vetting_action_name(a));
		vars[n++] = (struct template_var){ names[a],
		    !(WEB_CASE_NOT_AT_DESK & VETTING_BIT(a)) &&
		    vetting_check(&p, &c, a, cc.now) == VETTING_OK ? "" :
		    " hidden", 0 };
	}
	web_page_send(req, status, WEB_PAGE_HELPDESK_CASE, vars, n);
	free(timeline.out);
	free(checklist.out);
}

int
web_helpdesk_case(struct http_request *req)
{
	struct session	 s;
	char		 sid[SESSION_ID_LEN + 1], *id;

	if (web_helpdesk_get_id(req, sid, &s, &id, "No such case",
	    "There is no vetting case with this ID."))
		web_helpdesk_case_page(req, 200, &s, sid, id, "");
	return (KORE_RESULT_OK);
}

/*
 * The minimal evidence of an action from its form: one value from the
 * action's list, or the proof data of V_RECORD_PROOF_AUDIT_DATA.
 */
static enum vetting_error
web_helpdesk_evidence(struct http_request *req, uint32_t action,
    uint32_t outcome, char *out, const char **why)
{
	const struct web_step	*st;
	char			*v, *type, *country, *expiry, *number;

	*out = '\0';
	*why = "";
	if (action == VETTING_V_RECORD_PROOF_AUDIT_DATA) {
		if (outcome != VETTING_OUTCOME_OK)
			return (VETTING_OK);
		if (!http_argument_get_string(req, "doc_type", &type))
			type = NULL;
		if (!http_argument_get_string(req, "country", &country))
			country = NULL;
		if (!http_argument_get_string(req, "expiry", &expiry))
			expiry = NULL;
		if (!http_argument_get_string(req, "doc_number", &number))
			number = NULL;
		return (vetting_proof_evidence(type, country, expiry, number,
		    (uint64_t)time(NULL), out, why));
	}
	for (st = web_steps; st->action != VETTING_ACTION_COUNT; st++) {
		if (st->action == action)
			break;
	}
	if (st->action == VETTING_ACTION_COUNT) {
		*why = "this action has no form";
		return (VETTING_ERR_INVALID);
	}
	if (st->key == NULL)
		return (VETTING_OK);
	if (!http_argument_get_string(req, "detail", &v)) {
		if (outcome != VETTING_OUTCOME_OK)
			return (VETTING_OK);
		*why = "choose one of the options";
		return (VETTING_ERR_EVIDENCE);
	}
	if (!vetting_choice_valid(st->choices, v)) {
		*why = "not one of the options";
		return (VETTING_ERR_EVIDENCE);
	}
	snprintf(out, VETTING_EVIDENCE_MAX, "%s=%s", st->key, v);
	return (VETTING_OK);
}

/* The single-use registration code of V_PREREGISTER_FACTOR, shown once. */
static void
web_helpdesk_registered(struct http_request *req, const struct vetting_case *c,
    const char *code)
{
	struct template_var	 vars[6];
	char			 link[CONFIG_URL_MAX + 96], minutes[16], *svg;

	snprintf(link, sizeof(link), "%s/app/#register=%s", web.cfg.base_url,
	    code);
	snprintf(minutes, sizeof(minutes), "%u",
	    web.cfg.registration_lifetime / 60);
	svg = qr_svg(link, "QR code to register the authenticator");
	vars[0] = (struct template_var){ "qr", svg, TEMPLATE_RAW };
	vars[1] = (struct template_var){ "link", link, 0 };
	vars[2] = (struct template_var){ "code", code, 0 };
	vars[3] = (struct template_var){ "minutes", minutes, 0 };
	vars[4] = (struct template_var){ "case", c->id, 0 };
	vars[5] = (struct template_var){ "applicant", c->user_id, 0 };
	web_page_send(req, 200, WEB_PAGE_HELPDESK_REGISTER, vars, 6);
	free(svg);
	OPENSSL_cleanse(link, sizeof(link));
}

/* The initial password of V_CREATE_DIGITAL_IDENTITY, shown once. */
static void
web_helpdesk_identity(struct http_request *req, const char *case_id,
    const char *user, const char *password)
{
	struct template_var	vars[3];

	vars[0] = (struct template_var){ "case", case_id, 0 };
	vars[1] = (struct template_var){ "user", user, 0 };
	vars[2] = (struct template_var){ "password", password, 0 };
	web_page_send(req, 200, WEB_PAGE_HELPDESK_IDENTITY, vars, 3);
}

int
web_helpdesk_case_action(struct http_request *req)
{
	struct core_ctx		 cc;
	struct session		 s;
	struct enrolment_action	 in;
	struct vetting_case	 c;
	enum vetting_error	 e;
	const char		*why;
	char			 sid[SESSION_ID_LEN + 1];
	char			 evidence[VETTING_EVIDENCE_MAX];
	char			 code[OOB_REG_CODE_LEN + 1];
	char			 password[ENROLMENT_PASSWORD_LEN + 1];
	char			 location[64], message[256];
	char			*id, *ver, *act, *outcome, *v, *name, *email;
	int			 a;

	if (!web_helpdesk_post(req, sid, &s))
		return (KORE_RESULT_OK);
	web_core_ctx(req, &cc);
	if (!http_argument_get_string(req, "id", &id) ||
	    !http_argument_get_string(req, "v", &ver) ||
	    !http_argument_get_string(req, "action", &act) ||
	    !http_argument_get_string(req, "outcome", &outcome) ||
	    (a = vetting_action_from_name(act)) == -1) {
		web_page_error(req, 400, "Incomplete form",
		    "The form misses a field. Reload the case.");
		return (KORE_RESULT_OK);
	}
	memset(&in, 0, sizeof(in));
	in.case_id = id;
	in.version = (uint32_t)strtoul(ver, NULL, 10);
	in.actor = s.user_id;
	in.role = VETTING_ROLE_STAFF;
	in.action = (uint32_t)a;
	in.outcome = strcmp(outcome, "ok") == 0 ? VETTING_OUTCOME_OK :
	    VETTING_OUTCOME_FAILED;

	e = web_helpdesk_evidence(req, in.action, in.outcome, evidence, &why);
	if (e != VETTING_OK) {
		/* Refused evidence (a full document number) is audited too. */
		enrolment_refused(&cc, s.user_id, id, in.action, e);
		snprintf(message, sizeof(message), "%s: %s", act, why);
		web_helpdesk_case_page(req, web_helpdesk_status(e), &s, sid, id,
		    message);
		return (KORE_RESULT_OK);
	}
	in.evidence = evidence;
	if (in.action == VETTING_C_SELECT_NEW_FACTOR &&
	    http_argument_get_string(req, "detail", &v))
		in.factor = v;

	if (in.outcome == VETTING_OUTCOME_OK &&
	    in.action == VETTING_V_CREATE_DIGITAL_IDENTITY) {
		if (!http_argument_get_string(req, "new_user", &v))
			v = "";
		if (!http_argument_get_string(req, "name", &name))
			name = "";
		if (!http_argument_get_string(req, "email", &email))
			email = "";
		e = enrolment_create_identity(&cc, &in, v, name, email,
		    password);
		if (e == VETTING_OK) {
			web_helpdesk_identity(req, id, v, password);
			OPENSSL_cleanse(password, sizeof(password));
			return (KORE_RESULT_OK);
		}
	} else if (in.outcome == VETTING_OUTCOME_OK &&
	    in.action == VETTING_V_PREREGISTER_FACTOR) {
		e = enrolment_preregister(&cc, &in, code);
		if (e == VETTING_OK && enrolment_get(&cc, id, &c) == VETTING_OK) {
			web_helpdesk_registered(req, &c, code);
			OPENSSL_cleanse(code, sizeof(code));
			return (KORE_RESULT_OK);
		}
	} else if (in.outcome == VETTING_OUTCOME_OK &&
	    in.action == VETTING_R_RELEASE_FACTOR) {
		if (!http_argument_get_string(req, "detail", &v) ||
		    (strcmp(v, "revoke") != 0 && strcmp(v, "suspend") != 0))
			e = VETTING_ERR_INVALID;
		else
			e = enrolment_release(&cc, &in,
			    strcmp(v, "revoke") == 0);
	} else
		e = enrolment_record(&cc, &in);

	if (e != VETTING_OK) {
		snprintf(message, sizeof(message), "%s refused: %s", act,
		    vetting_error_text(e));
		web_helpdesk_case_page(req, web_helpdesk_status(e), &s, sid, id,
		    message);
		return (KORE_RESULT_OK);
	}
	/* Post/redirect/get: a reload does not post the form again. */
	snprintf(location, sizeof(location), "/helpdesk/case?id=%s", id);
	web_redirect(req, location);
	return (KORE_RESULT_OK);
}
