/*
 * /account, continued: suspending a lost authenticator with another one
 * (X.1280 9.2.2) and "sign out everywhere". The rules live in account.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "web.h"

int	web_account_suspend(struct http_request *);
int	web_account_signout_all(struct http_request *);


int
web_account_manage_section(struct web_html *h, const struct binding *list,
    int n, const char *auth_binding, const char *csrf)
{
	int	i, nactive;

	nactive = 0;
	for (i = 0; i < n; i++) {
		if (list[i].state != BINDING_ACTIVE)
			continue;
		nactive++;
		web_html_raw(h, "<li><form method=\"post\" "
		    "action=\"/account/suspend\"><input type=\"hidden\" "
		    "name=\"csrf\" value=\"");
		web_html_text(h, csrf);
		web_html_raw(h, "\"><input type=\"hidden\" name=\"binding\" "
		    "value=\"");
		web_html_text(h, list[i].id);
		web_html_raw(h, "\"><button type=\"submit\" class=\"danger\">"
		    "Suspend \xe2\x80\x9c");
		web_html_text(h, list[i].label);
		web_html_raw(h, "\xe2\x80\x9d</button>");
		if (strcmp(list[i].id, auth_binding) == 0)
			web_html_raw(h, " <span class=\"hint\">(you signed in "
			    "with this one)</span>");
		web_html_raw(h, "</form></li>");
	}
	return (nactive);
}

int
web_account_form_post(struct http_request *req, struct core_ctx *cc,
    char *sid, struct session *s)
{
	web_core_ctx(req, cc);
	http_populate_post(req);
	if (!web_session_authenticated(req, SESSION_LOA_PASSWORD, sid, s) ||
	    !web_csrf_valid(req, sid)) {
		web_page_error(req, 403, "Form expired",
		    "Please sign in again.");
		return (0);
	}
	return (1);
}

int
web_account_suspend(struct http_request *req)
{
	struct core_ctx		 cc;
	struct session		 s;
	enum account_error	 e;
	char			 sid[SESSION_ID_LEN + 1];
	char			 label[BINDING_LABEL_MAX], msg[640], *target;

	if (!web_account_form_post(req, &cc, sid, &s))
		return (KORE_RESULT_OK);
	if (!http_argument_get_string(req, "binding", &target)) {
		web_page_error(req, 400, "Which authenticator?",
		    "Choose the authenticator to suspend on your account "
		    "page.");
		return (KORE_RESULT_OK);
	}
	e = account_suspend(&cc, s.user_id, s.binding_id, s.auth_time,
	    target, label);
	switch (e) {
	case ACCOUNT_OK:
		web_redirect(req, "/account");
		return (KORE_RESULT_OK);
	case ACCOUNT_ERR_UNKNOWN:
		web_page_error(req, 404, "Unknown authenticator",
		    "This authenticator is not one of yours.");
		return (KORE_RESULT_OK);
	case ACCOUNT_ERR_INACTIVE:
		web_page_error(req, 409, "Not active",
		    "This authenticator is already suspended or revoked.");
		return (KORE_RESULT_OK);
	case ACCOUNT_ERR_SAME:
		snprintf(msg, sizeof(msg), "You signed in with \xe2\x80\x9c%s"
		    "\xe2\x80\x9d, the authenticator you want to suspend. Sign "
		    "out, sign in again with another of your authenticators "
		    "(\xe2\x80\x9cUse another authenticator\xe2\x80\x9d on the "
		    "code page) and suspend it then. Without another "
		    "authenticator, call the help desk: they suspend it "
		    "after checking who you are.", label);
		break;
	case ACCOUNT_ERR_STALE:
		snprintf(msg, sizeof(msg), "Your sign-in is more than %d "
		    "minutes old. Sign out, sign in again with another of "
		    "your authenticators, and suspend \xe2\x80\x9c%s\xe2\x80\x9d "
		    "then; or call the help desk.", ACCOUNT_REAUTH_MAX / 60,
		    label);
		break;
	case ACCOUNT_ERR_NO_OTHER:
		snprintf(msg, sizeof(msg), "Suspending \xe2\x80\x9c%s\xe2\x80"
		    "\x9d needs a sign-in with another of your authenticators, "
		    "and this session did not sign in with one. Sign in with "
		    "another authenticator, or call the help desk: they "
		    "suspend it after checking who you are.", label);
		break;
	default:
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	/* X.1280 9.2.2: refused, with the way that remains. */
	web_page_error(req, 403, "Sign in with another authenticator", msg);
	return (KORE_RESULT_OK);
}

int
web_account_signout_all(struct http_request *req)
{
	struct core_ctx		 cc;
	struct session		 s;
	char			 sid[SESSION_ID_LEN + 1];

	if (!web_account_form_post(req, &cc, sid, &s))
		return (KORE_RESULT_OK);
	if (account_signout_all(&cc, s.user_id) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	web_session_clear_cookie(req);
	web_page_error(req, 200, "Signed out everywhere", "Your sessions at "
	    "this sign-in service have ended on every device, this one "
	    "included. Services you signed in to keep their own sessions "
	    "until they end or you sign out there.");
	return (KORE_RESULT_OK);
}
