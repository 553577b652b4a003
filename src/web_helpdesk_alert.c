/*
 * /helpdesk/alert: a "this was not me" alert (X.1280 9.1.5) as staff
 * work it: who, when, from which address and browser, for which
 * service; suspend an authenticator of the user; close it with what
 * they found out. The behaviour lives in alert.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "alert.h"
#include "date.h"
#include "web.h"

#define ALERT_LIST_MAX	100

int	web_helpdesk_alert(struct http_request *);
int	web_helpdesk_alert_action(struct http_request *);

static int	web_helpdesk_alert_one(void *, const struct alert *);
static void	web_helpdesk_alert_page(struct http_request *, int,
		    const struct session *, const char *, const char *,
		    const char *);
static int	web_helpdesk_alert_status(enum alert_error);
static const char	*web_helpdesk_alert_text(enum alert_error);

struct alert_rows {
	struct web_html	*html;
	int		 n;
};

static int
web_helpdesk_alert_one(void *arg, const struct alert *a)
{
	struct alert_rows	*l = arg;
	struct offset_fields	 f;
	const char		*cells[4];
	char			 href[64], when[DATE_MAX];
	char			 service[WEB_SERVICE_MAX];

	if (offset_parse(a->offset, &f) == -1)
		memset(&f, 0, sizeof(f));
	snprintf(href, sizeof(href), "/helpdesk/alert?id=%s", a->id);
	cells[0] = date_format(a->raised, DATE_MINUTE, when, sizeof(when));
	cells[1] = a->user_id;
	cells[2] = web_html_service(f.rp, f.rpn, service, sizeof(service));
	cells[3] = f.tpub;
	web_html_row(l->html, href, cells, 4);
	return (++l->n < ALERT_LIST_MAX ? 0 : 1);
}

void
web_helpdesk_alert_rows(struct web_html *h)
{
	struct store_txn	txn;
	struct alert_rows	l;

	l.html = h;
	l.n = 0;
	if (store_txn_begin(web.store, &txn, 0) == -1 ||
	    store_alert_open_scan(&txn, web_helpdesk_alert_one, &l) == -1)
		h->error = 1;
	store_txn_abort(&txn);
	if (l.n == 0)
		web_html_raw(h, "<tr><td colspan=\"4\">None.</td></tr>");
}

static void
web_helpdesk_alert_page(struct http_request *req, int status,
    const struct session *s, const char *sid, const char *id,
    const char *message)
{
	struct store_txn	 txn;
	struct alert		 a;
	struct user		 u;
	struct offset_fields	 f;
	struct binding		 list[BINDINGS_PER_USER_MAX], raiser;
	struct web_html		 rows, opts;
	struct template_var	 vars[22];
	char			 csrf[WEB_CSRF_LEN + 1], raised[DATE_MAX];
	char			 login[DATE_MAX], closed[DATE_MAX];
	char			 service[WEB_SERVICE_MAX];
	int			 rc, n, open;

	if (store_txn_begin(web.store, &txn, 0) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return;
	}
	n = 0;
	memset(&u, 0, sizeof(u));
	memset(&raiser, 0, sizeof(raiser));
	if ((rc = store_alert_get(&txn, id, &a)) == 0) {
		if (store_user_get(&txn, a.user_id, &u) != 0)
			snprintf(u.id, sizeof(u.id), "%s", a.user_id);
		n = store_binding_list(&txn, a.user_id, list,
		    BINDINGS_PER_USER_MAX);
		if (store_binding_get(&txn, a.binding_id, &raiser) != 0)
			snprintf(raiser.label, sizeof(raiser.label), "-");
	}
	store_txn_abort(&txn);
	if (rc != 0 || n == -1) {
		web_page_error(req, rc == STORE_NOTFOUND ? 404 : 500,
		    "No such alert", "Go back to the help desk.");
		return;
	}
	if (offset_parse(a.offset, &f) == -1)
		memset(&f, 0, sizeof(f));

	memset(&rows, 0, sizeof(rows));
	memset(&opts, 0, sizeof(opts));
	web_html_binding_rows(&rows, list, n, 1);
	web_html_binding_options(&opts, list, n, 0);
	OPENSSL_cleanse(list, sizeof(list));
	if (n == 0)
		web_html_raw(&rows, "<tr><td colspan=\"6\">None.</td></tr>");
	web_html_raw(&opts, "");
	open = a.state == ALERT_OPEN;

	web_csrf_token(sid, csrf);
	vars[0] = (struct template_var){ "staff", s->user_id, 0 };
	vars[1] = (struct template_var){ "csrf", csrf, 0 };
	vars[2] = (struct template_var){ "message", message, 0 };
	vars[3] = (struct template_var){ "id", a.id, 0 };
	vars[4] = (struct template_var){ "user", u.id, 0 };
	vars[5] = (struct template_var){ "name", u.display_name, 0 };
	vars[6] = (struct template_var){ "email", u.email, 0 };
	vars[7] = (struct template_var){ "raised", date_format(a.raised,
	    DATE_MINUTE, raised, sizeof(raised)), 0 };
	vars[8] = (struct template_var){ "raised_by", raiser.label, 0 };
	vars[9] = (struct template_var){ "service", web_html_service(f.rp,
	    f.rpn, service, sizeof(service)), 0 };
	vars[10] = (struct template_var){ "address", f.tpub, 0 };
	vars[11] = (struct template_var){ "private_address", f.tpriv, 0 };
	vars[12] = (struct template_var){ "browser", f.ua, 0 };
	vars[13] = (struct template_var){ "login_time", date_format(f.t,
	    DATE_MINUTE, login, sizeof(login)), 0 };
	vars[14] = (struct template_var){ "state", open ? "open" : "closed",
	    0 };
	vars[15] = (struct template_var){ "outcome", open ? "-" :
	    alert_outcome_name(a.outcome), 0 };
	vars[16] = (struct template_var){ "closed_by", open ? "-" :
	    a.closed_by, 0 };
	vars[17] = (struct template_var){ "closed", date_format(a.closed,
	    DATE_MINUTE, closed, sizeof(closed)), 0 };
	vars[18] = (struct template_var){ "note", a.note[0] ? a.note : "-",
	    0 };
	vars[19] = (struct template_var){ "bindings", rows.out, TEMPLATE_RAW };
	vars[20] = (struct template_var){ "options", opts.out, TEMPLATE_RAW };
	vars[21] = (struct template_var){ "h_open", open ? "" : " hidden", 0 };
	if (rows.error || opts.error)
		web_page_error(req, 500, "Error", "Please try again.");
	else
		web_page_send(req, status, WEB_PAGE_HELPDESK_ALERT, vars, 22);
	OPENSSL_cleanse(&u, sizeof(u));
	OPENSSL_cleanse(&raiser, sizeof(raiser));
	free(rows.out);
	free(opts.out);
}

int
web_helpdesk_alert(struct http_request *req)
{
	struct session	 s;
	char		 sid[SESSION_ID_LEN + 1], *id;

	if (web_helpdesk_get_id(req, sid, &s, &id, "No such alert",
	    "Go back to the help desk."))
		web_helpdesk_alert_page(req, 200, &s, sid, id, "");
	return (KORE_RESULT_OK);
}

static int
web_helpdesk_alert_status(enum alert_error e)
{
	switch (e) {
	case ALERT_OK:
		return (200);
	case ALERT_ERR_INVALID:
	case ALERT_ERR_BINDING:
		return (400);
	case ALERT_ERR_UNKNOWN:
		return (404);
	case ALERT_ERR_CLOSED:
		return (409);
	case ALERT_ERR_STORE:
		break;
	}
	return (500);
}

static const char *
web_helpdesk_alert_text(enum alert_error e)
{
	switch (e) {
	case ALERT_OK:
		return ("done");
	case ALERT_ERR_INVALID:
		return ("choose an outcome; the note is at most 200 characters "
		    "on one line");
	case ALERT_ERR_BINDING:
		return ("not an authenticator of this user that can be "
		    "suspended");
	case ALERT_ERR_UNKNOWN:
		return ("no such alert");
	case ALERT_ERR_CLOSED:
		return ("the alert is closed already");
	case ALERT_ERR_STORE:
		break;
	}
	return ("please try again");
}

/* POST: action=suspend with binding, or action=close with outcome, note. */
int
web_helpdesk_alert_action(struct http_request *req)
{
	struct core_ctx		 cc;
	struct session		 s;
	enum alert_error	 e;
	char			 sid[SESSION_ID_LEN + 1];
	char			 location[64], message[160];
	char			*id, *act, *v, *note;

	if (!web_helpdesk_post(req, sid, &s))
		return (KORE_RESULT_OK);
	web_core_ctx(req, &cc);
	if (!http_argument_get_string(req, "id", &id) ||
	    !http_argument_get_string(req, "action", &act)) {
		web_page_error(req, 400, "Incomplete form",
		    "The form misses a field. Reload the alert.");
		return (KORE_RESULT_OK);
	}
	if (strcmp(act, "suspend") == 0)
		e = http_argument_get_string(req, "binding", &v) ?
		    alert_suspend_binding(&cc, s.user_id, id, v) :
		    ALERT_ERR_BINDING;
	else if (strcmp(act, "close") == 0) {
		if (!http_argument_get_string(req, "note", &note))
			note = "";
		e = http_argument_get_string(req, "outcome", &v) ?
		    alert_close(&cc, s.user_id, id,
		    alert_outcome_from_name(v), note) : ALERT_ERR_INVALID;
	} else
		e = ALERT_ERR_INVALID;
	if (e != ALERT_OK) {
		snprintf(message, sizeof(message), "Refused: %s.",
		    web_helpdesk_alert_text(e));
		web_helpdesk_alert_page(req, web_helpdesk_alert_status(e), &s,
		    sid, id, message);
		return (KORE_RESULT_OK);
	}
	/* Post/redirect/get: a reload does not post the form again. */
	snprintf(location, sizeof(location), "/helpdesk/alert?id=%s", id);
	web_redirect(req, location);
	return (KORE_RESULT_OK);
}
