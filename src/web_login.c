/*
 * The terminal side of the X.1280 login (docs/protocol.md §3-5):
 * user ID form, code page with countdown and QR code, status poll,
 * continuation, authenticator switch, password fallback and logout.
 * The behaviour lives in login.c (and oob.c beneath it); these handlers
 * validate, call and render.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login.h"
#include "qr.h"
#include "web.h"

int	web_login_page(struct http_request *);
int	web_login_start(struct http_request *);
int	web_login_code(struct http_request *);
int	web_login_status(struct http_request *);
int	web_login_continue(struct http_request *);
int	web_login_switch(struct http_request *);
int	web_login_retry(struct http_request *);
int	web_login_password(struct http_request *);
int	web_logout(struct http_request *);

static void	web_login_render(struct http_request *, int, enum web_page,
		    const char *, const char *, const char *, const char *);
static void	web_login_form(struct http_request *, int, const char *,
		    const char *, const char *, const char *);
static void	web_login_password_form(struct http_request *, int,
		    const char *, const char *, const char *);
static int	web_login_post(struct http_request *, char *);
static void	web_login_terminal(struct http_request *, const char *,
		    struct login_terminal *);
static void	web_login_started(struct http_request *, const char *,
		    const char *, enum login_error, uint32_t);
static void	web_login_done(struct http_request *, enum login_error,
		    const struct login_done *);
static const char	*web_login_state(uint32_t);
static int	web_login_again(struct http_request *, uint32_t);

/*
 * Renders a login form (user ID or password page) with a fresh CSRF
 * token for sid, carrying the continuation c (may be empty) of the flow
 * that needs the login.
 */
static void
web_login_render(struct http_request *req, int status, enum web_page page,
    const char *sid, const char *c, const char *user, const char *error)
{
	char			csrf[WEB_CSRF_LEN + 1];
	struct template_var	vars[4];

	web_csrf_token(sid, csrf);
	vars[0] = (struct template_var){ "csrf", csrf, 0 };
	vars[1] = (struct template_var){ "user", user, 0 };
	vars[2] = (struct template_var){ "error", error, 0 };
	vars[3] = (struct template_var){ "c", c, 0 };
	web_page_send(req, status, page, vars, 4);
}

static void
web_login_form(struct http_request *req, int status, const char *sid,
    const char *c, const char *user, const char *error)
{
	web_login_render(req, status, WEB_PAGE_LOGIN, sid, c, user, error);
}

int
web_login_page(struct http_request *req)
{
	char	sid[SESSION_ID_LEN + 1], *c, *hint;

	web_begin(req);
	http_populate_qs(req);
	if (!http_argument_get_string(req, "c", &c))
		c = "";
	/* OIDC login_hint: a user ID the relying party suggests. */
	if (!http_argument_get_string(req, "login_hint", &hint) ||
	    !store_user_id_valid(hint))
		hint = "";
	web_session_ensure(req, sid);
	web_login_form(req, 200, sid, c, hint, "");
	return (KORE_RESULT_OK);
}

/*
 * Common checks of every login POST: a session cookie and a valid CSRF
 * token. Answers the error itself. @return 1 when the request may go on.
 */
static int
web_login_post(struct http_request *req, char *sid)
{
	web_begin(req);
	http_populate_post(req);
	if (!web_session_cookie(req, sid) || !web_csrf_valid(req, sid)) {
		web_page_error(req, 403, "Form expired",
		    "This form is no longer valid. Please start again.");
		return (0);
	}
	return (1);
}

/* The browser's part of a login: its session ID and User-Agent. */
static void
web_login_terminal(struct http_request *req, const char *sid,
    struct login_terminal *t)
{
	t->session_id = sid;
	if (!http_request_header(req, "user-agent", &t->ua))
		t->ua = "";
}

/* Answers the start of a login: the code page, or why not. */
static void
web_login_started(struct http_request *req, const char *sid,
    const char *user, enum login_error e, uint32_t retry_after)
{
	char	msg[160];

	switch (e) {
	case LOGIN_OK:
		web_redirect(req, "/login/code");
		break;
	case LOGIN_ERR_PASSWORD:
		web_login_password_form(req, 200, sid, user, "");
		break;
	case LOGIN_ERR_EXPIRED:
		web_page_error(req, 400, "Sign-in expired", "The sign-in "
		    "request of the service has expired. Go back to the "
		    "service and start again.");
		break;
	case LOGIN_ERR_BUSY:
		/* X.1280 9.2.4: refused with a clear message, and recorded. */
		snprintf(msg, sizeof(msg), "A sign-in for this user is already "
		    "waiting for approval on the authenticator. Approve or "
		    "deny it there, or try again in %u seconds.", retry_after);
		web_login_form(req, 409, sid, "", user, msg);
		break;
	case LOGIN_ERR_RATE:
		web_page_error(req, 429, "Too many attempts",
		    "Too many sign-in attempts. Please wait a few minutes.");
		break;
	case LOGIN_ERR_NO_LOGIN:
		web_redirect(req, "/login");
		break;
	default:
		web_page_error(req, 500, "Error", "Please try again.");
		break;
	}
}

int
web_login_start(struct http_request *req)
{
	struct core_ctx		cc;
	struct login_terminal	t;
	enum login_error	e;
	char			sid[SESSION_ID_LEN + 1], user[USER_ID_MAX];
	char			*arg, *c;
	uint32_t		retry_after;

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	if (!http_argument_get_string(req, "c", &c))
		c = "";
	if (!http_argument_get_string(req, "user", &arg) ||
	    strlen(arg) >= sizeof(user)) {
		web_login_form(req, 400, sid, c, "", "Enter your user ID.");
		return (KORE_RESULT_OK);
	}
	if (login_user_normalize(arg, user) == -1) {
		web_login_form(req, 400, sid, c, user, "That is not a valid "
		    "user ID.");
		return (KORE_RESULT_OK);
	}
	web_core_ctx(req, &cc);
	web_login_terminal(req, sid, &t);
	e = login_start(&cc, &t, user, c, &retry_after);
	web_login_started(req, sid, user, e, retry_after);
	return (KORE_RESULT_OK);
}

static const char *
web_login_state(uint32_t state)
{
	return (state == OOB_PENDING ? "pending" :
	    state == OOB_APPROVED ? "approved" :
	    state == OOB_DENIED ? "denied" : "expired");
}

int
web_login_code(struct http_request *req)
{
	struct core_ctx		 cc;
	struct oob_view		 view;
	struct session		 s;
	struct template_var	 vars[14];
	char			 sid[SESSION_ID_LEN + 1];
	char			 csrf[WEB_CSRF_LEN + 1], now[24], expires[24];
	char			 spaced[2 * OFFSET_CODE_LEN + 1];
	const char		*text;
	size_t			 i;
	char			 qrtext[CONFIG_URL_MAX + 80], *svg;
	char			 service[WEB_SERVICE_MAX];
	const char		*state;

	web_core_ctx(req, &cc);
	if (!web_session_cookie(req, sid) ||
	    login_progress(&cc, sid, &s, &view) != LOGIN_OK) {
		web_redirect(req, "/login");
		return (KORE_RESULT_OK);
	}
	state = web_login_state(view.state);

	web_csrf_token(sid, csrf);
	snprintf(now, sizeof(now), "%llu", (unsigned long long)cc.now);
	snprintf(expires, sizeof(expires), "%llu",
	    (unsigned long long)view.expires);
	snprintf(qrtext, sizeof(qrtext), "%s/app/#check=%s.%s",
	    web.cfg.base_url, view.request_id, view.code);
	svg = view.state == OOB_PENDING ?
	    qr_svg(qrtext, "QR code of the sign-in request") : NULL;

	vars[0] = (struct template_var){ "csrf", csrf, 0 };
	vars[1] = (struct template_var){ "code", view.code, 0 };
	vars[2] = (struct template_var){ "state", state, 0 };
	vars[3] = (struct template_var){ "now", now, 0 };
	vars[4] = (struct template_var){ "expires", expires, 0 };
	vars[5] = (struct template_var){ "qr", svg, TEMPLATE_RAW };
	vars[6] = (struct template_var){ "user", s.user_id, 0 };
	vars[7] = (struct template_var){ "rp", web_html_service(s.rp,
	    cc.rp_name(s.rp), service, sizeof(service)), 0 };
	vars[8] = (struct template_var){ "switch",
	    view.nbindings > 1 ? "" : "hidden", 0 };
	vars[9] = (struct template_var){ "request_id", view.request_id, 0 };
	/* Screen readers read the digits one by one, not as a number. */
	for (i = 0; view.code[i] != '\0'; i++) {
		spaced[2 * i] = view.code[i];
		spaced[2 * i + 1] = view.code[i + 1] != '\0' ? ' ' : '\0';
	}
	spaced[2 * i] = '\0';
	vars[10] = (struct template_var){ "code_spaced", spaced, 0 };
	/* Expired or denied: a new code for the same login (no script). */
	vars[11] = (struct template_var){ "retry",
	    view.state == OOB_EXPIRED || view.state == OOB_DENIED ?
	    "" : "hidden", 0 };
	vars[12] = (struct template_var){ "continue",
	    view.state == OOB_EXPIRED || view.state == OOB_DENIED ?
	    "hidden" : "", 0 };
	/* For browsers without script; login.js keeps it up to date. */
	text = view.state == OOB_PENDING ? "Waiting for approval on your "
	    "authenticator. After approving there, press the button below." :
	    view.state == OOB_APPROVED ? "Approved. Press the button below "
	    "to continue." : view.state == OOB_DENIED ? "Denied on the "
	    "authenticator. If this was you, get a new code." :
	    "The code has expired. Get a new code to try again.";
	vars[13] = (struct template_var){ "status_text", text, 0 };
	web_page_send(req, 200, WEB_PAGE_LOGIN_CODE, vars, 14);
	free(svg);
	OPENSSL_cleanse(view.code, sizeof(view.code));
	return (KORE_RESULT_OK);
}

int
web_login_status(struct http_request *req)
{
	struct core_ctx	cc;
	struct oob_view	view;
	struct session	s;
	char		sid[SESSION_ID_LEN + 1], json[128];

	web_core_ctx(req, &cc);
	if (!web_session_cookie(req, sid) ||
	    login_progress(&cc, sid, &s, &view) != LOGIN_OK) {
		web_respond_json(req, 404, "{\"state\":\"unknown\"}");
		return (KORE_RESULT_OK);
	}
	OPENSSL_cleanse(view.code, sizeof(view.code));
	snprintf(json, sizeof(json), "{\"state\":\"%s\",\"expires_in\":%lld}",
	    web_login_state(view.state), view.expires > cc.now ?
	    (long long)(view.expires - cc.now) : 0LL);
	web_respond_json(req, 200, json);
	return (KORE_RESULT_OK);
}

/* Answers the end of a login: the new session's cookie and redirect. */
static void
web_login_done(struct http_request *req, enum login_error e,
    const struct login_done *done)
{
	if (e != LOGIN_OK) {
		web_page_error(req, 500, "Error", "Please try again.");
		return;
	}
	web_session_send(req, done->session_id);
	web_redirect(req, done->return_to);
}

int
web_login_continue(struct http_request *req)
{
	struct core_ctx		cc;
	struct login_done	done;
	enum login_error	e;
	char			sid[SESSION_ID_LEN + 1];

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	web_core_ctx(req, &cc);
	e = login_continue(&cc, sid, &done);
	if (e == LOGIN_ERR_NO_LOGIN)
		web_redirect(req, "/login");
	else if (e == LOGIN_ERR_NOT_APPROVED)
		/* Not approved yet (a browser without script): show it again. */
		web_redirect(req, "/login/code");
	else
		web_login_done(req, e, &done);
	return (KORE_RESULT_OK);
}

/*
 * A new request for the login in progress: with the next authenticator
 * (switch, next = 1) or the same one (retry, next = 0).
 */
static int
web_login_again(struct http_request *req, uint32_t next)
{
	struct core_ctx		cc;
	struct login_terminal	t;
	enum login_error	e;
	char			sid[SESSION_ID_LEN + 1], user[USER_ID_MAX];
	uint32_t		retry_after;

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	web_core_ctx(req, &cc);
	web_login_terminal(req, sid, &t);
	e = login_again(&cc, &t, next, user, &retry_after);
	web_login_started(req, sid, user, e, retry_after);
	return (KORE_RESULT_OK);
}

int
web_login_switch(struct http_request *req)
{
	return (web_login_again(req, 1));
}

/*
 * A new code for the same login after the request expired or was denied:
 * the same user, service and authenticator (X.1280 8.3: a new request,
 * a new offset).
 */
int
web_login_retry(struct http_request *req)
{
	return (web_login_again(req, 0));
}

static void
web_login_password_form(struct http_request *req, int status,
    const char *sid, const char *user, const char *error)
{
	web_login_render(req, status, WEB_PAGE_LOGIN_PASSWORD, sid, "", user,
	    error);
}

int
web_login_password(struct http_request *req)
{
	struct core_ctx		cc;
	struct login_done	done;
	enum login_error	e;
	char			sid[SESSION_ID_LEN + 1], *user, *password;

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	if (!http_argument_get_string(req, "user", &user) ||
	    !http_argument_get_string(req, "password", &password) ||
	    !store_user_id_valid(user)) {
		web_login_form(req, 400, sid, "", "", "Enter your user ID.");
		return (KORE_RESULT_OK);
	}
	web_core_ctx(req, &cc);
	e = login_password(&cc, sid, user, password, &done);
	if (e == LOGIN_ERR_RATE)
		web_page_error(req, 429, "Too many attempts",
		    "Too many password attempts. Please wait 15 minutes.");
	else if (e == LOGIN_ERR_OOB_ONLY || e == LOGIN_ERR_FAILED)
		web_login_password_form(req, 401, sid, user,
		    e == LOGIN_ERR_OOB_ONLY ?
		    "This account signs in with its authenticator only." :
		    "Wrong user ID or password.");
	else
		web_login_done(req, e, &done);
	return (KORE_RESULT_OK);
}

int
web_logout(struct http_request *req)
{
	struct core_ctx	cc;
	char		sid[SESSION_ID_LEN + 1];

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	/* The SAML SPs of the session are told first (front-channel SLO). */
	if (web_saml_logout(req, sid) == 1) {
		web_session_clear_cookie(req);
		return (KORE_RESULT_OK);
	}
	web_core_ctx(req, &cc);
	login_signout(&cc, sid);
	web_session_clear_cookie(req);
	web_redirect(req, "/");
	return (KORE_RESULT_OK);
}
