/*
 * The terminal side of the X.1280 login (docs/protocol.md §3-5):
 * user ID form, code page with countdown and QR code, status poll,
 * continuation, authenticator switch, password fallback and logout.
 * The behaviour lives in oob.c; these handlers validate and render.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "enrolment.h"
#include "qr.h"
#include "ratelimit.h"
#include "web.h"

#define LOGIN_PENDING_LIFETIME	900	/* a login in progress, seconds */

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
static int	web_login_session(struct http_request *, char *,
		    struct session *);
static void	web_login_begin_oob(struct http_request *, const char *,
		    struct session *);
static int	web_login_again(struct http_request *, uint32_t);
static void	web_login_password_form(struct http_request *, int,
		    const char *, const char *, const char *);
static int	web_login_establish(struct http_request *, const char *,
		    const char *, uint32_t, const char *, const char *,
		    const char *, const char *);
static int	web_login_post(struct http_request *, char *);

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

/* Loads the login in progress of this browser. @return 1 when found. */
static int
web_login_session(struct http_request *req, char *sid, struct session *s)
{
	return (web_session_load(req, sid, s) && s->request_id[0] != '\0');
}

int
web_login_start(struct http_request *req)
{
	struct store_txn	 txn;
	struct session		 s;
	struct user		 u;
	struct continuation	 cont;
	char			 sid[SESSION_ID_LEN + 1], user[USER_ID_MAX];
	char			*p, *arg, *c;
	int			 rc, active, found;

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	if (!http_argument_get_string(req, "c", &c))
		c = "";
	if (!http_argument_get_string(req, "user", &arg) ||
	    strlen(arg) >= sizeof(user)) {
		web_login_form(req, 400, sid, c, "", "Enter your user ID.");
		return (KORE_RESULT_OK);
	}
	for (p = user; *arg != '\0'; arg++)
		*p++ = (char)tolower((unsigned char)*arg);
	*p = '\0';
	if (!store_user_id_valid(user)) {
		web_login_form(req, 400, sid, c, user, "That is not a valid "
		    "user ID.");
		return (KORE_RESULT_OK);
	}

	if (store_txn_begin(web.store, &txn, 0) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	rc = store_user_get(&txn, user, &u);
	active = rc == 0 && !(u.flags & USER_DISABLED) ?
	    store_binding_count_active(&txn, user) : 0;
	found = c[0] != '\0' ? store_continuation_get(&txn, c,
	    (uint64_t)time(NULL), &cont) : STORE_NOTFOUND;
	store_txn_abort(&txn);
	if (c[0] != '\0' && found != 0) {
		web_page_error(req, 400, "Sign-in expired", "The sign-in "
		    "request of the service has expired. Go back to the "
		    "service and start again.");
		return (KORE_RESULT_OK);
	}
	memset(&u, 0, sizeof(u));

	/*
	 * Without an active authenticator there is no code to show: the
	 * password opens the account page, where one can be registered.
	 * Unknown users get the same form, so it reveals nothing more.
	 */
	if (active <= 0) {
		web_login_password_form(req, 200, sid, user, "");
		return (KORE_RESULT_OK);
	}

	memset(&s, 0, sizeof(s));
	strcpy(s.user_id, user);
	if (found == 0) {
		strcpy(s.rp, cont.rp);
		strcpy(s.return_to, cont.return_to);
	} else
		snprintf(s.rp, sizeof(s.rp), "%s", web.cfg.base_url);
	web_login_begin_oob(req, sid, &s);
	return (KORE_RESULT_OK);
}

/*
 * Starts (or restarts, on a switch) the server-authentication request
 * for the login s, stores the login and shows the code page.
 */
static void
web_login_begin_oob(struct http_request *req, const char *sid,
    struct session *s)
{
	struct web_ctx		*ctx;
	struct core_ctx		 cc;
	struct oob_start_in	 in;
	struct oob_view		 view;
	struct store_txn	 txn;
	const char		*ua;
	enum oob_error		 e;
	char			 msg[160];

	ctx = web_begin(req);
	web_core_ctx(req, &cc);
	if (!http_request_header(req, "user-agent", &ua))
		ua = "";
	memset(&in, 0, sizeof(in));
	in.user_id = s->user_id;
	in.session_id = sid;
	in.rp = s->rp;
	in.tpub = ctx->client_addr;
	in.tpriv = NULL;
	in.ua = ua;
	in.binding_index = s->binding_index;

	e = oob_start(&cc, &in, &view);
	if (e == OOB_ERR_BUSY) {
		/* X.1280 9.2.4: refused with a clear message, and recorded. */
		snprintf(msg, sizeof(msg), "A sign-in for this user is already "
		    "waiting for approval on the authenticator. Approve or "
		    "deny it there, or try again in %u seconds.",
		    view.retry_after);
		web_login_form(req, 409, sid, "", s->user_id, msg);
		return;
	}
	if (e == OOB_ERR_RATE) {
		web_page_error(req, 429, "Too many attempts",
		    "Too many sign-in attempts. Please wait a few minutes.");
		return;
	}
	if (e != OOB_OK) {
		web_page_error(req, 500, "Error", "Please try again.");
		return;
	}

	strcpy(s->request_id, view.request_id);
	store_session_key(sid, s->key);
	s->created = cc.now;
	s->expires = cc.now + LOGIN_PENDING_LIFETIME;
	if (store_txn_begin(web.store, &txn, 1) == -1 ||
	    store_session_put(&txn, s) == -1 ||
	    store_txn_commit(&txn) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return;
	}
	OPENSSL_cleanse(view.code, sizeof(view.code));
	web_redirect(req, "/login/code");
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
	const char		*state;

	web_core_ctx(req, &cc);
	if (!web_login_session(req, sid, &s) ||
	    oob_view(&cc, s.request_id, sid, &view) != OOB_OK) {
		web_redirect(req, "/login");
		return (KORE_RESULT_OK);
	}
	state = view.state == OOB_PENDING ? "pending" :
	    view.state == OOB_APPROVED ? "approved" :
	    view.state == OOB_DENIED ? "denied" : "expired";

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
	vars[7] = (struct template_var){ "rp", s.rp, 0 };
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
	const char	*state;

	web_core_ctx(req, &cc);
	if (!web_login_session(req, sid, &s) ||
	    oob_view(&cc, s.request_id, sid, &view) != OOB_OK) {
		web_respond_json(req, 404, "{\"state\":\"unknown\"}");
		return (KORE_RESULT_OK);
	}
	OPENSSL_cleanse(view.code, sizeof(view.code));
	state = view.state == OOB_PENDING ? "pending" :
	    view.state == OOB_APPROVED ? "approved" :
	    view.state == OOB_DENIED ? "denied" : "expired";
	snprintf(json, sizeof(json), "{\"state\":\"%s\",\"expires_in\":%lld}",
	    state, view.expires > cc.now ?
	    (long long)(view.expires - cc.now) : 0LL);
	web_respond_json(req, 200, json);
	return (KORE_RESULT_OK);
}

/*
 * Replaces the login in progress (old_sid) with an authenticated session
 * under a new ID (no session fixation) and redirects to where the login
 * was for. @return 0, or -1 after answering an error.
 */
static int
web_login_establish(struct http_request *req, const char *old_sid,
    const char *user_id, uint32_t loa, const char *amr,
    const char *binding_id, const char *rp, const char *return_to)
{
	struct store_txn	txn;
	struct session		s;
	char			sid[SESSION_ID_LEN + 1];
	char			old_key[SESSION_KEY_LEN + 1];
	uint64_t		now;

	now = (uint64_t)time(NULL);
	memset(&s, 0, sizeof(s));
	web_session_rotate(req, sid);
	store_session_key(sid, s.key);
	strcpy(s.user_id, user_id);
	snprintf(s.amr, sizeof(s.amr), "%s", amr);
	snprintf(s.binding_id, sizeof(s.binding_id), "%s", binding_id);
	snprintf(s.rp, sizeof(s.rp), "%s", rp);
	snprintf(s.return_to, sizeof(s.return_to), "%s",
	    return_to[0] != '\0' ? return_to : "/account");
	s.loa = loa;
	s.auth_time = now;
	s.created = now;
	s.expires = now + web.cfg.session_lifetime;
	store_session_key(old_sid, old_key);

	if (store_txn_begin(web.store, &txn, 1) == -1)
		goto fail;
	store_session_del(&txn, old_key);
	store_session_put(&txn, &s);
	if (store_txn_commit(&txn) == -1)
		goto fail;
	web_redirect(req, s.return_to);
	return (0);

fail:
	web_page_error(req, 500, "Error", "Please try again.");
	return (-1);
}

int
web_login_continue(struct http_request *req)
{
	struct core_ctx		cc;
	struct oob_view		view;
	struct session		s;
	enum oob_error		e;
	char			sid[SESSION_ID_LEN + 1];

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	web_core_ctx(req, &cc);
	if (!web_login_session(req, sid, &s)) {
		web_redirect(req, "/login");
		return (KORE_RESULT_OK);
	}
	e = oob_consume(&cc, s.request_id, sid, &view);
	if (e == OOB_ERR_NOT_PENDING && view.state == OOB_PENDING) {
		/* Not approved yet (a browser without script): show it again. */
		web_redirect(req, "/login/code");
		return (KORE_RESULT_OK);
	}
	if (e != OOB_OK) {
		web_redirect(req, "/login/code");
		return (KORE_RESULT_OK);
	}
	/* X.1254 C_USE_NEW_FACTOR: the first approval proves a new factor. */
	enrolment_factor_used(&cc, view.binding_id);
	web_login_establish(req, sid, view.user_id, view.loa, "oob",
	    view.binding_id, s.rp, s.return_to);
	return (KORE_RESULT_OK);
}

/*
 * A new request for the login in progress: with the next authenticator
 * (switch, next = 1) or the same one (retry, next = 0).
 */
static int
web_login_again(struct http_request *req, uint32_t next)
{
	struct session	s;
	char		sid[SESSION_ID_LEN + 1];

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	if (!web_login_session(req, sid, &s)) {
		web_redirect(req, "/login");
		return (KORE_RESULT_OK);
	}
	s.binding_index += next;
	web_login_begin_oob(req, sid, &s);
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
	struct web_ctx		*ctx;
	struct store_txn	 txn;
	struct user		 u;
	char			 sid[SESSION_ID_LEN + 1], *user, *password;
	int			 rc, limited, active, ok;
	uint64_t		 now;

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	ctx = web_begin(req);
	if (!http_argument_get_string(req, "user", &user) ||
	    !http_argument_get_string(req, "password", &password) ||
	    !store_user_id_valid(user)) {
		web_login_form(req, 400, sid, "", "", "Enter your user ID.");
		return (KORE_RESULT_OK);
	}
	now = (uint64_t)time(NULL);

	/* Every attempt counts, per user and per address. */
	if (store_txn_begin(web.store, &txn, 1) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	limited = ratelimit_hit(&txn, &RATELIMIT_PASSWORD_USER, user, now,
	    NULL) != 0;
	limited |= ratelimit_hit(&txn, &RATELIMIT_PASSWORD_ADDR,
	    ctx->client_addr, now, NULL) != 0;
	rc = store_user_get(&txn, user, &u);
	active = rc == 0 ? store_binding_count_active(&txn, user) : 0;
	/* Counted before scrypt runs, which must not hold the writer lock. */
	if (store_txn_commit(&txn) == -1) {
		OPENSSL_cleanse(&u, sizeof(u));
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	ok = !limited && rc == 0 && !(u.flags & USER_DISABLED) &&
	    u.password_hash[0] != '\0' &&
	    crypto_password_verify(password, u.password_hash);
	OPENSSL_cleanse(&u, sizeof(u));
	OPENSSL_cleanse(password, strlen(password));
	/* X.1280 9.2.1: a password never completes a login on its own. */
	if (ok && active > 0)
		ok = 0;
	if (store_txn_begin(web.store, &txn, 1) == -1 ||
	    audit_write(&txn, "login.password", user, user,
	    limited ? "limited" : ok ? "ok" : "failed", ctx->client_addr)
	    == -1 || store_txn_commit(&txn) == -1) {
		store_txn_abort(&txn);
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	if (limited) {
		web_page_error(req, 429, "Too many attempts",
		    "Too many password attempts. Please wait 15 minutes.");
		return (KORE_RESULT_OK);
	}
	if (!ok) {
		web_login_password_form(req, 401, sid, user, active > 0 ?
		    "This account signs in with its authenticator only." :
		    "Wrong user ID or password.");
		return (KORE_RESULT_OK);
	}
	web_login_establish(req, sid, user, SESSION_LOA_PASSWORD, "pwd", "",
	    web.cfg.base_url, "/account");
	return (KORE_RESULT_OK);
}

int
web_logout(struct http_request *req)
{
	struct store_txn	txn;
	char			sid[SESSION_ID_LEN + 1];
	char			key[SESSION_KEY_LEN + 1];

	if (!web_login_post(req, sid))
		return (KORE_RESULT_OK);
	/* The SAML SPs of the session are told first (front-channel SLO). */
	if (web_saml_logout(req, sid) == 1) {
		web_session_clear_cookie(req);
		return (KORE_RESULT_OK);
	}
	store_session_key(sid, key);
	if (store_txn_begin(web.store, &txn, 1) == 0) {
		store_session_del(&txn, key);
		store_txn_commit(&txn);
	}
	web_session_clear_cookie(req);
	web_redirect(req, "/");
	return (KORE_RESULT_OK);
}
