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

static int	web_account_form_post(struct http_request *, struct core_ctx *,
		    char *, struct session *);

char *
web_account_manage_section(const char *user_id, const char *auth_binding,
    const char *csrf, int *nactive)
{
	struct store_txn	 txn;
	struct binding		 list[BINDINGS_PER_USER_MAX];
	char			*out;
	size_t			 len, cap;
	int			 n, i;

	out = NULL;
	len = cap = 0;
	*nactive = 0;
	if (template_append(&out, &len, &cap, "", 0) == -1)
		return (NULL);
	if (store_txn_begin(web.store, &txn, 0) == -1)
		goto fail;
	n = store_binding_list(&txn, user_id, list, BINDINGS_PER_USER_MAX);
	store_txn_abort(&txn);
	if (n == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (list[i].state != BINDING_ACTIVE)
			continue;
		(*nactive)++;
#define APPEND(s)	template_append(&out, &len, &cap, (s), strlen(s))
		if (APPEND("<li><form method=\"post\" action=\"/account/"
		    "suspend\"><input type=\"hidden\" name=\"csrf\" value=\"") ==
		    -1 || template_escape(&out, &len, &cap, csrf) == -1 ||
		    APPEND("\"><input type=\"hidden\" name=\"binding\" "
		    "value=\"") == -1 ||
		    template_escape(&out, &len, &cap, list[i].id) == -1 ||
		    APPEND("\"><button type=\"submit\" class=\"danger\">"
		    "Suspend \xe2\x80\x9c") == -1 ||
		    template_escape(&out, &len, &cap, list[i].label) == -1 ||
		    APPEND("\xe2\x80\x9d</button>") == -1 ||
		    (strcmp(list[i].id, auth_binding) == 0 &&
		    APPEND(" <span class=\"hint\">(you signed in with this "
		    "one)</span>") == -1) ||
		    APPEND("</form></li>") == -1)
			goto fail;
#undef APPEND
	}
	OPENSSL_cleanse(list, sizeof(list));
	return (out);

fail:
	OPENSSL_cleanse(list, sizeof(list));
	free(out);
	return (NULL);
}

/*
 * The checks of every form of this page: a session signed in at least
 * with a password and a valid CSRF token. Answers the error itself.
 * @return 1 when the request may go on.
 */
static int
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
