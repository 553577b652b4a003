/*
 * web*.c: the Kore application, one header with a section per file.
 * Handlers are thin: validated input in, one call into the module that
 * owns the behaviour, render out. The handlers themselves (what
 * kore.conf routes call) are declared in their own file only.
 */
#ifndef MUTUA_WEB_H
#define MUTUA_WEB_H

#include <netinet/in.h>
#include <arpa/inet.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "config.h"
#include "enrolment.h"
#include "crypto.h"
#include "store.h"
#include "store_binding.h"
#include "store_session.h"
#include "oidc.h"
#include "oob.h"
#include "template.h"

#define WEB_REQUEST_ID_LEN	16
#define WEB_ADDR_MAX		INET6_ADDRSTRLEN

/* Per-request context, in req->hdlr_extra (freed by Kore). */
struct web_ctx {
	char			request_id[WEB_REQUEST_ID_LEN + 1];
	char			client_addr[WEB_ADDR_MAX];
	/* Long polls (web_oob.c): who waits, until when, woken by what. */
	char			binding_id[BINDING_ID_LEN + 1];
	uint64_t		deadline;
	struct kore_timer	*timer;
};

/* web_main.c: Kore's hooks. */

/* Process-wide state: set in the parent, store opened per worker. */
struct web_state {
	struct config			cfg;
	struct crypto_master_key	master;
	unsigned char			csrf_key[CRYPTO_SHA256_LEN];
	struct store			*store;
	char				 boot_id[STORE_BOOT_ID_MAX];
};

extern struct web_state		web;

/* web.c: request context, logging and common responses. */

/*
 * Starts handling a request: assigns a request ID, resolves the client
 * address (X-Forwarded-For only from a trusted proxy) and arranges the
 * one log line written when the request is freed. Every handler calls it
 * first. The context is owned by Kore.
 */
struct web_ctx	*web_begin(struct http_request *);

/* Sends body with status and content type, plus the security headers. */
void	web_respond(struct http_request *, int status, const char *type,
	    const void *body, size_t len);

/* As web_respond() with status 200, cacheable for max_age seconds. */
void	web_respond_cached(struct http_request *, const char *type,
	    const void *body, size_t len, int max_age);

/*
 * Sends an HTML page whose form posts to target (a URL that must not
 * hold spaces, ';' or ','), allowed by the page's CSP form-action.
 */
void	web_respond_post_page(struct http_request *, const char *target,
	    const void *body, size_t len);

/* Sends a JSON document (a NUL-terminated string). */
void	web_respond_json(struct http_request *, int status, const char *json);

/*
 * Reads the request body into a new buffer (NUL-terminated, for JSON)
 * when it is at most max bytes. @return the buffer (kore_free) and its
 * length in *len, or NULL when too large or unreadable.
 */
char	*web_body(struct http_request *, size_t max, size_t *len);

/* Fills a core_ctx for this request: store, keys, config, time, address. */
void	web_core_ctx(struct http_request *, struct core_ctx *);

/* web_html.c: HTML fragments built in code. */

/* A growing HTML fragment (template_append); free(out) when done. */
struct web_html {
	char	*out;
	size_t	 len;
	size_t	 cap;
	int	 error;
};

/* Appends raw markup (code-built only) or an escaped text. */
void	web_html_raw(struct web_html *, const char *);
void	web_html_text(struct web_html *, const char *);

/*
 * Appends a table row of escaped cells; the first links to href when
 * href is not NULL.
 */
void	web_html_row(struct web_html *, const char *href,
	    const char *const *cells, int n);

/*
 * Appends a row per binding of list[n]: its ID (when with_id), label,
 * level, state, created and last used.
 */
void	web_html_binding_rows(struct web_html *, const struct binding *list,
	    int n, int with_id);

/*
 * Appends an <option> per active binding of list[n] (and suspended ones
 * when with_suspended), valued by its ID and shown as "label (LoAn)".
 */
void	web_html_binding_options(struct web_html *,
	    const struct binding *list, int n, int with_suspended);

/* Room for "name (RP ID)". */
#define WEB_SERVICE_MAX		(TEXT_NAME_MAX + OFFSET_FIELD_MAX + 3)

/*
 * Names a relying party for people: "name (rp)", or rp alone when name
 * is NULL or empty: the name people know, the ID that is signed.
 * @return buf.
 */
const char	*web_html_service(const char *rp, const char *name, char *buf,
		    size_t len);

/* web_page.c: the pages, read from assets/templates/ at start-up. */
enum web_page {
	WEB_PAGE_LOGIN,
	WEB_PAGE_ERROR,
	WEB_PAGE_LOGIN_CODE,
	WEB_PAGE_LOGIN_PASSWORD,
	WEB_PAGE_ACCOUNT,
	WEB_PAGE_ACCOUNT_REGISTER,
	WEB_PAGE_SAML_POST,
	WEB_PAGE_OIDC_CONTINUE,
	WEB_PAGE_OIDC_LOGOUT,
	WEB_PAGE_HELPDESK,
	WEB_PAGE_HELPDESK_USER,
	WEB_PAGE_HELPDESK_CASE,
	WEB_PAGE_HELPDESK_REGISTER,
	WEB_PAGE_HELPDESK_IDENTITY,
	WEB_PAGE_HELPDESK_ALERT,
	WEB_PAGE_ACCOUNT_VETTING,
	WEB_PAGE_OIDC_CONSENT,
	WEB_PAGE_COUNT
};

/* Reads every template; fatal() on a missing or unreadable one. */
void	web_page_load(void);

/*
 * Renders page with vars (plus "base_url").
 * @return the page (free()) and its length, or NULL.
 */
char	*web_page_render(enum web_page, const struct template_var *vars,
	    size_t nvars, size_t *len);

/*
 * Renders page with vars (plus "base_url") and sends it with status.
 * A rendering failure is answered with a plain 500.
 */
void	web_page_send(struct http_request *, int status, enum web_page,
	    const struct template_var *vars, size_t nvars);

/* Sends the error page with a title and a message for the user. */
void	web_page_error(struct http_request *, int status, const char *title,
	    const char *message);

/* web_saml.c: builds (and on SIGHUP rebuilds) the worker's SAML IdP. */
void	web_saml_init(void);
void	web_saml_fini(void);

/*
 * Starts the Single Logout of the session's SAML SPs, ending at "/".
 * @return 1 when it answered (the logout chain started), 0 when the
 *	   session has no SPs to tell, -1 on error.
 */
int	web_saml_logout(struct http_request *, const char *sid);

/* The display name of the SP entity_id, or NULL (unknown or unnamed). */
const char	*web_saml_sp_name(const char *entity_id);

/* web_session.c: the IdP's session cookie, CSRF tokens, sessions. */

#define WEB_CSRF_LEN	64	/* hex */

/* Derives the CSRF key from the master key (called at start-up). */
void	web_session_init(void);

/*
 * Reads the session cookie into sid[SESSION_ID_LEN + 1].
 * @return 1 when a well-formed cookie was sent, 0 otherwise.
 */
int	web_session_cookie(struct http_request *, char *sid);

/* As web_session_cookie(), making and setting a new cookie when absent. */
void	web_session_ensure(struct http_request *, char *sid);

/* Sets the cookie of session sid (login.c made it: no fixation). */
void	web_session_send(struct http_request *, const char *sid);

/* Expires the session cookie in the browser. */
void	web_session_clear_cookie(struct http_request *);

/* The CSRF token for a session: hex HMAC-SHA256(csrf key, sid). */
void	web_csrf_token(const char *sid, char *token);

/*
 * Checks the "csrf" form field of a POST against the session.
 * @return 1 when valid.
 */
int	web_csrf_valid(struct http_request *, const char *sid);

/*
 * Loads the browser's session (a login in progress or done) into s and
 * its ID into sid. @return 1 when there is one.
 */
int	web_session_load(struct http_request *, char *sid, struct session *s);

/*
 * Loads the browser's session into s (and its ID into sid) when it is
 * authenticated with at least level min_loa.
 * @return 1 when it is, 0 otherwise.
 */
int	web_session_authenticated(struct http_request *, uint32_t min_loa,
	    char *sid, struct session *s);

/*
 * Sends the browser to the login page, to come back to return_to (a
 * local path) for relying party rp once authenticated.
 * hint (may be NULL) pre-fills the user ID when it is a valid one.
 */
void	web_login_redirect_hint(struct http_request *, const char *rp,
	    const char *return_to, const char *hint);

/* As web_login_redirect_hint() without a hint. */
void	web_login_redirect(struct http_request *, const char *rp,
	    const char *return_to);

/* Sends a 303 redirect to a local path. */
void	web_redirect(struct http_request *, const char *path);

/*
 * web_account_manage.c: appends to h the "Lost an authenticator?" list
 * of /account, one suspend form per active binding of list[n]
 * (auth_binding is the one the session signed in with).
 * @return the number of active bindings.
 */
int	web_account_manage_section(struct web_html *h,
	    const struct binding *list, int n, const char *auth_binding,
	    const char *csrf);

/*
 * The checks of every form of /account: a session signed in at least
 * with a password and a valid CSRF token; answers the error itself.
 * @return 1 when the request may go on (cc, sid and s filled).
 */
int	web_account_form_post(struct http_request *, struct core_ctx *cc,
	    char *sid, struct session *s);

/*
 * web_account_consent.c: appends to h a table row per OAuth client the
 * user allowed something, with a withdraw form. @return how many, or -1.
 */
int	web_account_consent_rows(struct web_html *h, const struct core_ctx *,
	    const char *user_id, const char *csrf);

/*
 * web_oidc.c: builds the OpenID provider of this worker (signing keys,
 * federation/clients, discovery); fatal() when the keys cannot be
 * loaded. Broken client files are logged and left out. Called when the
 * module is loaded, which Kore repeats on SIGHUP.
 */
void	web_oidc_load(void);

/* Releases the provider (before the module is unloaded). */
void	web_oidc_unload(void);

/* The client_name of client_id, or NULL (unknown, or named by its ID). */
const char	*web_oidc_client_name(const char *client_id);

/* Starts a request to the provider: its context in oc. */
void	web_oidc_ctx(struct http_request *, struct oidc_ctx *oc);

/*
 * Answers with the page that takes the browser on to location (the
 * client's redirect URI, with a code or an error) by itself.
 */
void	web_oidc_continue(struct http_request *, const char *title,
	    const char *client, const char *location);

/*
 * web_oidc_consent.c: parks a (OIDC_AUTHZ_CONSENT) and asks user_id,
 * signed in under sid, whether its client may have what it asks for.
 */
void	web_oidc_consent_page(struct http_request *, struct oidc_ctx *,
	    struct oidc_authz *a, const char *sid, const char *user_id);

/*
 * web_helpdesk*.c: the help-desk console under /helpdesk
 * (docs/helpdesk.md). Staff sign in with their own out-of-band login and
 * must hold a staff role; every form carries the CSRF token of the staff
 * session, every action goes through enrolment.c (an X.1254 event and an
 * audit record).
 */

/*
 * The staff member of this request: an out-of-band session (LoA2 or
 * more) of a user with USER_ROLE_HELPDESK or USER_ROLE_ADMIN. Otherwise
 * answers itself (a GET goes to the login, back to /helpdesk; a refused
 * staff member gets 403 and an audit record).
 * @return 1 when the request may go on.
 */
int	web_helpdesk_staff(struct http_request *, char *sid,
	    struct session *);

/*
 * As web_helpdesk_staff(), for a GET naming a record by ?id= (a v_id):
 * sets *id, or answers 404 with title and text when it is missing.
 * @return 1 when the request may go on.
 */
int	web_helpdesk_get_id(struct http_request *, char *sid, struct session *,
	    char **id, const char *title, const char *text);

/* As web_helpdesk_staff(), for a POST: also checks the CSRF token. */
int	web_helpdesk_post(struct http_request *, char *sid, struct session *);

/* The HTTP status that answers an enrolment error. */
int	web_helpdesk_status(enum vetting_error);

/*
 * web_helpdesk_alert.c: the rows of the open "this was not me" alerts
 * for the console home.
 */
void	web_helpdesk_alert_rows(struct web_html *);

/* Renders the case page with a message (web_helpdesk_case.c). */
void	web_helpdesk_case_page(struct http_request *, int status,
	    const struct session *, const char *sid, const char *case_id,
	    const char *message);

#endif
