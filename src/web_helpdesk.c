/*
 * /helpdesk: the console home (a case by vetting code, a user search, a
 * walk-in) and the user page (authenticators, cases, a new or backup
 * authenticator, the release of a lost one). The case itself is
 * web_helpdesk_case.c; the behaviour lives in enrolment.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "date.h"
#include "find.h"
#include "store_vetting.h"
#include "web.h"

#define HELPDESK_LIST_MAX	50
#define HELPDESK_LOA		2	/* staff: an out-of-band login */

int	web_helpdesk(struct http_request *);
int	web_helpdesk_search(struct http_request *);
int	web_helpdesk_open(struct http_request *);
int	web_helpdesk_walkin(struct http_request *);
int	web_helpdesk_user(struct http_request *);
int	web_helpdesk_user_open(struct http_request *);

struct case_list {
	struct vetting_case	cases[HELPDESK_LIST_MAX];
	int			n;
	int			open_only;
};


static void	web_helpdesk_home(struct http_request *, int,
		    const struct session *, const char *, const char *,
		    const char *, const char *);
static int	web_helpdesk_open_one(void *, const struct vetting_case *);
static int	web_helpdesk_case_cmp(const void *, const void *);
static void	web_helpdesk_case_rows(struct web_html *, const char *);
struct user_search {
	struct web_html		*html;
	int			 n;
};

static int	web_helpdesk_search_one(void *, const struct find_result *);
static uint32_t	web_helpdesk_channel(struct http_request *);
static void	web_helpdesk_opened(struct http_request *,
		    const struct session *, const char *, enum vetting_error,
		    const char *);

int
web_helpdesk_staff(struct http_request *req, char *sid, struct session *s)
{
	struct web_ctx		*ctx;
	struct store_txn	 txn;
	struct user		 u;
	int			 rc, ok;

	ctx = web_begin(req);
	/* Staff sign in with their own authenticator (X.1280), not a password. */
	if (!web_session_authenticated(req, HELPDESK_LOA, sid, s) ||
	    strcmp(s->amr, "oob") != 0) {
		if (req->method == HTTP_METHOD_GET)
			web_login_redirect(req, web.cfg.base_url, "/helpdesk");
		else
			web_page_error(req, 403, "Sign in again",
			    "The help desk needs a sign-in with your "
			    "authenticator.");
		return (0);
	}
	if (store_txn_begin(web.store, &txn, 0) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (0);
	}
	rc = store_user_get(&txn, s->user_id, &u);
	store_txn_abort(&txn);
	ok = rc == 0 && !(u.flags & USER_DISABLED) &&
	    (u.roles & (USER_ROLE_HELPDESK | USER_ROLE_ADMIN));
	OPENSSL_cleanse(&u, sizeof(u));
	if (ok)
		return (1);
	if (store_txn_begin(web.store, &txn, 1) == 0) {
		audit_write(&txn, "helpdesk.denied", s->user_id, req->path,
		    "denied", ctx->client_addr);
		store_txn_commit(&txn);
	}
	web_page_error(req, 403, "Not a help-desk operator",
	    "Your account does not hold the help-desk role.");
	return (0);
}

int
web_helpdesk_get_id(struct http_request *req, char *sid, struct session *s,
    char **id, const char *title, const char *text)
{
	if (!web_helpdesk_staff(req, sid, s))
		return (0);
	http_populate_qs(req);
	if (!http_argument_get_string(req, "id", id)) {
		web_page_error(req, 404, title, text);
		return (0);
	}
	return (1);
}

int
web_helpdesk_post(struct http_request *req, char *sid, struct session *s)
{
	if (req->method != HTTP_METHOD_POST) {
		web_begin(req);
		web_respond(req, 405, "text/plain", "POST only\n", 10);
		return (0);
	}
	http_populate_post(req);
	if (!web_helpdesk_staff(req, sid, s))
		return (0);
	if (!web_csrf_valid(req, sid)) {
		web_page_error(req, 403, "Form expired",
		    "This form is not valid any more. Reload the page.");
		return (0);
	}
	return (1);
}

static int
web_helpdesk_open_one(void *arg, const struct vetting_case *c)
{
	struct case_list	*l = arg;

	if (l->open_only && vetting_closed(c))
		return (0);
	if (l->n < HELPDESK_LIST_MAX)
		l->cases[l->n++] = *c;
	else if (c->updated > l->cases[HELPDESK_LIST_MAX - 1].updated)
		l->cases[HELPDESK_LIST_MAX - 1] = *c;
	qsort(l->cases, l->n, sizeof(l->cases[0]), web_helpdesk_case_cmp);
	return (0);
}

/* Most recently changed first. */
static int
web_helpdesk_case_cmp(const void *a, const void *b)
{
	const struct vetting_case	*x = a, *y = b;

	if (x->updated != y->updated)
		return (x->updated > y->updated ? -1 : 1);
	return (strcmp(x->id, y->id));
}

/* The rows of the open cases (user_id NULL) or of one user's cases. */
static void
web_helpdesk_case_rows(struct web_html *h, const char *user_id)
{
	struct store_txn	 txn;
	struct case_list	*l;
	const char		*cells[6];
	char			 href[64], when[DATE_MAX];
	int			 i;

	l = kore_calloc(1, sizeof(*l));
	l->open_only = user_id == NULL;
	if (store_txn_begin(web.store, &txn, 0) == -1 ||
	    store_vetting_scan(&txn, user_id, web_helpdesk_open_one, l) == -1)
		h->error = 1;
	store_txn_abort(&txn);
	for (i = 0; i < l->n; i++) {
		snprintf(href, sizeof(href), "/helpdesk/case?id=%s",
		    l->cases[i].id);
		date_format(l->cases[i].updated, DATE_MINUTE, when, sizeof(when));
		cells[0] = l->cases[i].id;
		cells[1] = l->cases[i].user_id[0] ? l->cases[i].user_id :
		    "(walk-in)";
		cells[2] = vetting_purpose_name(l->cases[i].purpose);
		cells[3] = vetting_channel_name(l->cases[i].channel);
		cells[4] = vetting_state_name(l->cases[i].state);
		cells[5] = when;
		web_html_row(h, href, cells, 6);
	}
	if (l->n == 0)
		web_html_raw(h, "<tr><td colspan=\"6\">None.</td></tr>");
	kore_free(l);
}

static void
web_helpdesk_home(struct http_request *req, int status,
    const struct session *s, const char *sid, const char *message,
    const char *q, const char *results)
{
	struct web_html		cases, alerts;
	struct template_var	vars[7];
	char			csrf[WEB_CSRF_LEN + 1];

	memset(&cases, 0, sizeof(cases));
	memset(&alerts, 0, sizeof(alerts));
	web_helpdesk_case_rows(&cases, NULL);
	web_helpdesk_alert_rows(&alerts);
	if (cases.error || alerts.error) {
		free(cases.out);
		free(alerts.out);
		web_page_error(req, 500, "Error", "Please try again.");
		return;
	}
	web_csrf_token(sid, csrf);
	vars[0] = (struct template_var){ "staff", s->user_id, 0 };
	vars[1] = (struct template_var){ "csrf", csrf, 0 };
	vars[2] = (struct template_var){ "message", message, 0 };
	vars[3] = (struct template_var){ "q", q, 0 };
	vars[4] = (struct template_var){ "results", results, TEMPLATE_RAW };
	vars[5] = (struct template_var){ "cases", cases.out, TEMPLATE_RAW };
	vars[6] = (struct template_var){ "alerts", alerts.out, TEMPLATE_RAW };
	web_page_send(req, status, WEB_PAGE_HELPDESK, vars, 7);
	free(cases.out);
	free(alerts.out);
}

int
web_helpdesk(struct http_request *req)
{
	struct session	s;
	char		sid[SESSION_ID_LEN + 1];

	if (!web_helpdesk_staff(req, sid, &s))
		return (KORE_RESULT_OK);
	web_helpdesk_home(req, 200, &s, sid, "", "", "");
	return (KORE_RESULT_OK);
}

/*
 * One result row: a user with a local record links to its page; one only
 * in the directory has none until the first sign-in makes the record.
 */
static int
web_helpdesk_search_one(void *arg, const struct find_result *r)
{
	struct user_search	*us = arg;
	const char		*cells[4];
	char			 href[128];

	snprintf(href, sizeof(href), "/helpdesk/user?u=%s", r->id);
	cells[0] = r->id;
	cells[1] = r->display_name;
	cells[2] = r->email;
	cells[3] = !r->directory ? "local" : r->local ? "directory" :
	    "directory, not signed in yet";
	web_html_row(us->html, r->local ? href : NULL, cells, 4);
	us->n++;
	return (0);
}

/* V_COMMENCE by user search, step one: find the applicant. */
int
web_helpdesk_search(struct http_request *req)
{
	struct session		 s;
	struct user_search	 us;
	struct web_html		 h;
	char			 sid[SESSION_ID_LEN + 1], *q;
	int			 rc;

	if (!web_helpdesk_staff(req, sid, &s))
		return (KORE_RESULT_OK);
	http_populate_qs(req);
	if (!http_argument_get_string(req, "q", &q)) {
		web_helpdesk_home(req, 400, &s, sid, "Enter part of a user ID, "
		    "name or e-mail address.", "", "");
		return (KORE_RESULT_OK);
	}
	memset(&h, 0, sizeof(h));
	web_html_raw(&h, "<table class=\"results\"><thead><tr><th scope=\"col\">"
	    "User</th><th scope=\"col\">Name</th><th scope=\"col\">E-mail"
	    "</th><th scope=\"col\">Source</th></tr></thead>"
	    "<tbody id=\"results\">\n");
	us.html = &h;
	us.n = 0;
	if ((rc = find_users(web.store, web.dir, q, web_helpdesk_search_one,
	    &us)) == -1)
		h.error = 1;
	if (rc == 1)
		web_html_raw(&h, "<tr><td colspan=\"4\">The user directory "
		    "cannot be reached: local users only.</td></tr>");
	else if (us.n == 0)
		web_html_raw(&h, "<tr><td colspan=\"4\">No user matches."
		    "</td></tr>");
	web_html_raw(&h, "</tbody></table>");
	if (h.error)
		web_page_error(req, 500, "Error", "Please try again.");
	else
		web_helpdesk_home(req, 200, &s, sid, "", q, h.out);
	free(h.out);
	return (KORE_RESULT_OK);
}

int
web_helpdesk_status(enum vetting_error e)
{
	switch (e) {
	case VETTING_OK:
		return (200);
	case VETTING_ERR_CODE:
	case VETTING_ERR_NOTFOUND:
		return (404);
	case VETTING_ERR_EXPIRED:
		return (410);
	case VETTING_ERR_RATE:
		return (429);
	case VETTING_ERR_EVIDENCE:
	case VETTING_ERR_INVALID:
		return (400);
	case VETTING_ERR_STORE:
		return (500);
	default:
		return (409);
	}
}

/* Goes to the opened case, or back home with the reason. */
static void
web_helpdesk_opened(struct http_request *req, const struct session *s,
    const char *sid, enum vetting_error e, const char *case_id)
{
	char	location[64];

	if (e != VETTING_OK) {
		web_helpdesk_home(req, web_helpdesk_status(e), s, sid,
		    vetting_error_text(e), "", "");
		return;
	}
	snprintf(location, sizeof(location), "/helpdesk/case?id=%s", case_id);
	web_redirect(req, location);
}

/* X.1254 V_COMMENCE with the vetting code of I_ARRANGE_VETTING. */
int
web_helpdesk_open(struct http_request *req)
{
	struct core_ctx		cc;
	struct session		s;
	enum vetting_error	e;
	char			sid[SESSION_ID_LEN + 1], *code;
	char			case_id[VETTING_ID_LEN + 1];

	if (!web_helpdesk_post(req, sid, &s))
		return (KORE_RESULT_OK);
	web_core_ctx(req, &cc);
	if (!http_argument_get_string(req, "code", &code))
		e = VETTING_ERR_CODE;
	else
		e = enrolment_open_code(&cc, s.user_id, code, case_id);
	web_helpdesk_opened(req, &s, sid, e, case_id);
	return (KORE_RESULT_OK);
}

static uint32_t
web_helpdesk_channel(struct http_request *req)
{
	char	*v;

	if (http_argument_get_string(req, "channel", &v) &&
	    strcmp(v, "online") == 0)
		return (VETTING_CHANNEL_ONLINE);
	return (VETTING_CHANNEL_DESK);
}

/* X.1254 V_COMMENCE for an applicant without an account. */
int
web_helpdesk_walkin(struct http_request *req)
{
	struct core_ctx		cc;
	struct session		s;
	enum vetting_error	e;
	char			sid[SESSION_ID_LEN + 1];
	char			case_id[VETTING_ID_LEN + 1];

	if (!web_helpdesk_post(req, sid, &s))
		return (KORE_RESULT_OK);
	web_core_ctx(req, &cc);
	e = enrolment_open(&cc, s.user_id, "", VETTING_PURPOSE_ENROL,
	    web_helpdesk_channel(req), NULL, case_id);
	web_helpdesk_opened(req, &s, sid, e, case_id);
	return (KORE_RESULT_OK);
}

int
web_helpdesk_user(struct http_request *req)
{
	struct session		 s;
	struct store_txn	 txn;
	struct user		 u;
	struct binding		 list[BINDINGS_PER_USER_MAX];
	struct web_html		 rows, opts, cases;
	struct template_var	 vars[14];
	char			 sid[SESSION_ID_LEN + 1], *id;
	char			 csrf[WEB_CSRF_LEN + 1], roles[32];
	int			 rc, n, i, active, releasable;

	if (!web_helpdesk_staff(req, sid, &s))
		return (KORE_RESULT_OK);
	http_populate_qs(req);
	if (!http_argument_get_string(req, "u", &id)) {
		web_helpdesk_home(req, 404, &s, sid, "No such user.", "", "");
		return (KORE_RESULT_OK);
	}
	if (store_txn_begin(web.store, &txn, 0) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	rc = store_user_get(&txn, id, &u);
	n = rc == 0 ? store_binding_list(&txn, id, list,
	    BINDINGS_PER_USER_MAX) : 0;
	store_txn_abort(&txn);
	if (rc != 0 || n == -1) {
		web_helpdesk_home(req, 404, &s, sid, "No such user.", "", "");
		return (KORE_RESULT_OK);
	}

	memset(&rows, 0, sizeof(rows));
	memset(&opts, 0, sizeof(opts));
	memset(&cases, 0, sizeof(cases));
	active = releasable = 0;
	web_html_binding_rows(&rows, list, n, 1);
	web_html_binding_options(&opts, list, n, 1);
	for (i = 0; i < n; i++) {
		if (list[i].state == BINDING_ACTIVE)
			active++;
		if (list[i].state == BINDING_ACTIVE ||
		    list[i].state == BINDING_SUSPENDED)
			releasable++;
	}
	OPENSSL_cleanse(list, sizeof(list));
	if (n == 0)
		web_html_raw(&rows, "<tr><td colspan=\"6\">None.</td></tr>");
	web_html_raw(&opts, "");
	web_helpdesk_case_rows(&cases, u.id);
	snprintf(roles, sizeof(roles), "%s%s%s",
	    (u.roles & USER_ROLE_HELPDESK) ? "helpdesk" : "",
	    (u.roles & USER_ROLE_HELPDESK) && (u.roles & USER_ROLE_ADMIN) ?
	    "," : "", (u.roles & USER_ROLE_ADMIN) ? "admin" : "");

	web_csrf_token(sid, csrf);
	vars[0] = (struct template_var){ "staff", s.user_id, 0 };
	vars[1] = (struct template_var){ "csrf", csrf, 0 };
	vars[2] = (struct template_var){ "user", u.id, 0 };
	vars[3] = (struct template_var){ "name", u.display_name, 0 };
	vars[4] = (struct template_var){ "email", u.email, 0 };
	vars[5] = (struct template_var){ "status",
	    (u.flags & USER_DISABLED) ? "disabled" : "active", 0 };
	vars[6] = (struct template_var){ "roles", roles[0] ? roles : "-", 0 };
	vars[7] = (struct template_var){ "bindings", rows.out, TEMPLATE_RAW };
	vars[8] = (struct template_var){ "options", opts.out, TEMPLATE_RAW };
	vars[9] = (struct template_var){ "cases", cases.out, TEMPLATE_RAW };
	vars[10] = (struct template_var){ "h_backup", active > 0 ? "" :
	    " hidden", 0 };
	vars[11] = (struct template_var){ "h_release", releasable > 0 ? "" :
	    " hidden", 0 };
	vars[12] = (struct template_var){ "h_enrol", active > 0 ? " hidden" :
	    "", 0 };
	vars[13] = (struct template_var){ "message", "", 0 };
	if (rows.error || opts.error || cases.error)
		web_page_error(req, 500, "Error", "Please try again.");
	else
		web_page_send(req, 200, WEB_PAGE_HELPDESK_USER, vars, 14);
	OPENSSL_cleanse(&u, sizeof(u));
	free(rows.out);
	free(opts.out);
	free(cases.out);
	return (KORE_RESULT_OK);
}

/*
 * X.1254 V_COMMENCE for a user found by search: a vetted authenticator,
 * a backup one, or the re-vetting before a release (X.1280 9.2.2).
 */
int
web_helpdesk_user_open(struct http_request *req)
{
	struct core_ctx		 cc;
	struct session		 s;
	enum vetting_error	 e;
	uint32_t		 purpose;
	char			 sid[SESSION_ID_LEN + 1];
	char			 case_id[VETTING_ID_LEN + 1];
	char			*user, *p, *binding;

	if (!web_helpdesk_post(req, sid, &s))
		return (KORE_RESULT_OK);
	web_core_ctx(req, &cc);
	if (!http_argument_get_string(req, "user", &user) ||
	    !http_argument_get_string(req, "purpose", &p)) {
		web_helpdesk_opened(req, &s, sid, VETTING_ERR_INVALID, NULL);
		return (KORE_RESULT_OK);
	}
	if (!http_argument_get_string(req, "binding", &binding))
		binding = NULL;
	if (strcmp(p, "backup") == 0)
		purpose = VETTING_PURPOSE_BACKUP;
	else if (strcmp(p, "release") == 0)
		purpose = VETTING_PURPOSE_RELEASE;
	else
		purpose = VETTING_PURPOSE_ENROL;
	e = enrolment_open(&cc, s.user_id, user, purpose,
	    web_helpdesk_channel(req), binding, case_id);
	web_helpdesk_opened(req, &s, sid, e, case_id);
	return (KORE_RESULT_OK);
}
