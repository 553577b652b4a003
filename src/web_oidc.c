/*
 * The OpenID Connect endpoints (docs/oidc.md). Thin: parameters in,
 * one call into oidc*.c, the answer out.
 *
 * The provider (keys, clients, discovery document) is built per worker
 * by web_oidc_load() when the module is loaded, which Kore repeats on
 * SIGHUP: that is how keys and client registrations are reloaded.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "log.h"
#include "oidc.h"
#include "web.h"

#define WEB_OIDC_FORM_MAX	16384	/* token, introspect, revoke bodies */
#define WEB_OIDC_TEXT_MAX	512
#define WEB_OIDC_URI_MAX	512
#define WEB_OIDC_TOKEN_MAX	OIDC_ACCESS_MAX	/* JWT access tokens too */

int	web_oidc_discovery(struct http_request *);
int	web_oidc_jwks(struct http_request *);
int	web_oidc_authorize(struct http_request *);
int	web_oidc_token(struct http_request *);
int	web_oidc_par(struct http_request *);
int	web_oidc_userinfo(struct http_request *);
int	web_oidc_introspect(struct http_request *);
int	web_oidc_revoke(struct http_request *);
int	web_oidc_logout(struct http_request *);

int	web_oidc_v_text(struct http_request *, const void *);
int	web_oidc_v_uri(struct http_request *, const void *);
int	web_oidc_v_token(struct http_request *, const void *);
int	web_oidc_v_jwt(struct http_request *, const void *);

static struct oidc	web_oidc_op;

static const char	*web_oidc_authz_names[] = {
	"response_type", "client_id", "redirect_uri", "scope", "state",
	"nonce", "code_challenge", "code_challenge_method", "prompt",
	"max_age", "acr_values", "login_hint", "response_mode", "request",
	"request_uri", "resume", NULL
};
static const char	*web_oidc_token_names[] = {
	"grant_type", "code", "redirect_uri", "code_verifier",
	"refresh_token", "scope", "token", "token_type_hint", "client_id",
	"client_secret", "client_assertion", "client_assertion_type",
	"resource", NULL
};
/* A pushed request: the authorization parameters and client authentication. */
static const char	*web_oidc_par_names[] = {
	"response_type", "client_id", "redirect_uri", "scope", "state",
	"nonce", "code_challenge", "code_challenge_method", "prompt",
	"max_age", "acr_values", "login_hint", "response_mode", "request",
	"request_uri", "client_secret", "client_assertion",
	"client_assertion_type", NULL
};
static const char	*web_oidc_logout_names[] = {
	"id_token_hint", "post_logout_redirect_uri", "state", "client_id",
	"logout_hint", "ui_locales", "csrf", NULL
};

static int	web_oidc_chars(const char *, unsigned char, unsigned char,
		    size_t);
static const char	*web_oidc_arg(struct http_request *, const char *);
static int	web_oidc_malformed(struct http_request *, const char *,
		    const char *const *);
static void	web_oidc_send(struct http_request *, struct oidc_response *);
static void	web_oidc_authz_args(struct http_request *,
		    struct oidc_authz_in *);
static int	web_oidc_form(struct http_request *, struct oidc_token_in *,
		    const char *const *, char *, size_t);
static void	web_oidc_preflight(struct http_request *);
static void	web_oidc_cors(struct http_request *, const char *);
static int	web_oidc_client_post(struct http_request *,
		    void (*)(struct oidc_ctx *, const struct oidc_token_in *,
		    struct oidc_response *));

void
web_oidc_load(void)
{
	char	err[CONFIG_ERR_MAX];

	if (web_oidc_op.loaded)
		oidc_unload(&web_oidc_op);
	if (oidc_load(&web_oidc_op, &web.cfg, &web.master,
	    (uint64_t)time(NULL), err, sizeof(err)) == -1)
		fatal("oidc: %s", err);
}

void
web_oidc_unload(void)
{
	if (web_oidc_op.loaded)
		oidc_unload(&web_oidc_op);
}

const char *
web_oidc_client_name(const char *client_id)
{
	const struct client	*c;

	if (!web_oidc_op.loaded ||
	    (c = client_find(&web_oidc_op.clients, client_id)) == NULL ||
	    strcmp(c->name, c->id) == 0)
		return (NULL);
	return (c->name);
}

/* Validators (kore.conf): bounds and character sets, checked in code. */
static int
web_oidc_chars(const char *s, unsigned char lo, unsigned char hi, size_t max)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < lo || (unsigned char)s[i] > hi ||
		    i == max)
			return (KORE_RESULT_ERROR);
	}
	return (i > 0 ? KORE_RESULT_OK : KORE_RESULT_ERROR);
}

int
web_oidc_v_text(struct http_request *req, const void *data)
{
	return (web_oidc_chars(data, 0x20, 0x7e, WEB_OIDC_TEXT_MAX));
}

int
web_oidc_v_uri(struct http_request *req, const void *data)
{
	return (web_oidc_chars(data, 0x21, 0x7e, WEB_OIDC_URI_MAX));
}

int
web_oidc_v_token(struct http_request *req, const void *data)
{
	return (web_oidc_chars(data, 0x21, 0x7e, WEB_OIDC_TOKEN_MAX));
}

int
web_oidc_v_jwt(struct http_request *req, const void *data)
{
	const char	*s = data;
	size_t		 len;

	len = strlen(s);
	if (len == 0 || len > JOSE_COMPACT_MAX || strspn(s,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.") != len)
		return (KORE_RESULT_ERROR);
	return (KORE_RESULT_OK);
}

/* Sets up the request; loads the provider if the module hook did not. */
void
web_oidc_ctx(struct http_request *req, struct oidc_ctx *oc)
{
	struct web_ctx	*ctx;

	ctx = web_begin(req);
	if (!web_oidc_op.loaded)
		web_oidc_load();
	oc->op = &web_oidc_op;
	oc->store = web.store;
	oc->now = (uint64_t)time(NULL);
	oc->addr = ctx->client_addr;
}

static const char *
web_oidc_arg(struct http_request *req, const char *name)
{
	char	*v;

	return (http_argument_get_string(req, name, &v) ? v : NULL);
}

/*
 * RFC 6749 §3.1, §3.2: parameters must not be repeated; Kore silently
 * drops those its validators refuse. Compares the raw form with what
 * was accepted: 1 when any known parameter was repeated or refused.
 * Empty values count as absent (RFC 6749 §3.1).
 */
static int
web_oidc_malformed(struct http_request *req, const char *raw,
    const char *const *names)
{
	struct http_arg	*q;
	const char	*p, *end, *eq;
	size_t		 i, len;
	int		 nraw, nargs;

	for (i = 0; names[i] != NULL; i++) {
		len = strlen(names[i]);
		nraw = 0;
		for (p = raw; p != NULL && *p != '\0';
		    p = *end == '\0' ? NULL : end + 1) {
			end = p + strcspn(p, "&");
			eq = memchr(p, '=', (size_t)(end - p));
			if (eq != NULL && (size_t)(eq - p) == len &&
			    memcmp(p, names[i], len) == 0 && eq + 1 < end)
				nraw++;
		}
		nargs = 0;
		TAILQ_FOREACH(q, &req->arguments, list) {
			if (strcmp(q->name, names[i]) == 0)
				nargs++;
		}
		if (nraw > 1 || nargs > 1 || nargs != nraw)
			return (1);
	}
	return (0);
}

static void
web_oidc_send(struct http_request *req, struct oidc_response *resp)
{
	char	header[512], retry[16];

	if (resp->basic_challenge)
		http_response_header(req, "www-authenticate",
		    "Basic realm=\"mutua\"");
	if (resp->bearer_challenge) {
		if (resp->error != OIDC_OK)
			snprintf(header, sizeof(header), "Bearer realm=\"mutua\", "
			    "error=\"%s\"", oidc_error_name(resp->error));
		else
			snprintf(header, sizeof(header), "Bearer "
			    "realm=\"mutua\"");
		http_response_header(req, "www-authenticate", header);
	}
	if (resp->retry_after > 0) {
		snprintf(retry, sizeof(retry), "%u", resp->retry_after);
		http_response_header(req, "retry-after", retry);
	}
	http_response_header(req, "pragma", "no-cache");
	if (resp->body == NULL)
		web_respond_json(req, 500, "{\"error\":\"server_error\"}");
	else
		web_respond_json(req, resp->status, resp->body);
	free(resp->body);
	resp->body = NULL;
}

int
web_oidc_discovery(struct http_request *req)
{
	struct oidc_ctx	oc;

	web_oidc_ctx(req, &oc);
	web_respond_json(req, 200, oc.op->discovery);
	return (KORE_RESULT_OK);
}

int
web_oidc_jwks(struct http_request *req)
{
	struct oidc_ctx	 oc;
	const char	*jwks;

	web_oidc_ctx(req, &oc);
	if ((jwks = oidc_jwks(oc.op, oc.now)) == NULL) {
		web_respond_json(req, 500, "{\"error\":\"server_error\"}");
		return (KORE_RESULT_OK);
	}
	web_respond(req, 200, "application/jwk-set+json", jwks, strlen(jwks));
	return (KORE_RESULT_OK);
}

/*
 * After a form submission (the login, the logout confirmation) the
 * browser may not be redirected to another origin: CSP form-action
 * 'self' covers the redirects that follow a form. A page that moves on
 * by itself (meta refresh, plus a link) ends the form navigation here.
 */
void
web_oidc_continue(struct http_request *req, const char *title,
    const char *client, const char *location)
{
	struct template_var	vars[3];

	if (location[0] == '\0') {
		web_page_error(req, 200, title, "You are signed out of mutua.");
		return;
	}
	vars[0] = (struct template_var){ "title", title, 0 };
	vars[1] = (struct template_var){ "client", client, 0 };
	vars[2] = (struct template_var){ "location", location, 0 };
	web_page_send(req, 200, WEB_PAGE_OIDC_CONTINUE, vars, 3);
}

/* The authorization request's parameters, as Kore validated them. */
static void
web_oidc_authz_args(struct http_request *req, struct oidc_authz_in *in)
{
	memset(in, 0, sizeof(*in));
	in->response_type = web_oidc_arg(req, "response_type");
	in->client_id = web_oidc_arg(req, "client_id");
	in->redirect_uri = web_oidc_arg(req, "redirect_uri");
	in->scope = web_oidc_arg(req, "scope");
	in->state = web_oidc_arg(req, "state");
	in->nonce = web_oidc_arg(req, "nonce");
	in->code_challenge = web_oidc_arg(req, "code_challenge");
	in->code_challenge_method = web_oidc_arg(req, "code_challenge_method");
	in->prompt = web_oidc_arg(req, "prompt");
	in->max_age = web_oidc_arg(req, "max_age");
	in->acr_values = web_oidc_arg(req, "acr_values");
	in->response_mode = web_oidc_arg(req, "response_mode");
	in->request = web_oidc_arg(req, "request");
	in->request_uri = web_oidc_arg(req, "request_uri");
}

int
web_oidc_authorize(struct http_request *req)
{
	struct oidc_ctx		oc;
	struct oidc_authz_in	in;
	struct oidc_authz	a;
	struct session		s;
	const char		*resume;
	char			sid[SESSION_ID_LEN + 1], id[OIDC_AUTHZ_ID_LEN + 1];
	char			location[OIDC_LOCATION_MAX];
	char			return_to[64];
	int			has_session, resumed;

	web_oidc_ctx(req, &oc);
	if (req->method == HTTP_METHOD_POST)
		http_populate_post(req);
	else
		http_populate_qs(req);

	resumed = 0;
	if ((resume = web_oidc_arg(req, "resume")) != NULL) {
		if (oidc_authz_resume(&oc, resume, &a) == -1) {
			web_page_error(req, 400, "Sign-in expired",
			    a.description);
			return (KORE_RESULT_OK);
		}
		resumed = 1;
	} else {
		web_oidc_authz_args(req, &in);
		in.malformed = req->method == HTTP_METHOD_GET &&
		    req->query_string != NULL &&
		    web_oidc_malformed(req, req->query_string,
		    web_oidc_authz_names);
		/*
		 * RFC 9126 §4: a pushed request replaces the parameters;
		 * any other request_uri is request_uri_not_supported.
		 */
		if (in.request_uri != NULL && !in.malformed &&
		    strncmp(in.request_uri, OIDC_PAR_URN,
		    strlen(OIDC_PAR_URN)) == 0)
			oidc_authz_pushed(&oc, in.client_id, in.request_uri,
			    &a);
		else {
			oidc_authz_parse(&oc, &in, &a);
			oidc_authz_require_pushed(&oc, &a);
		}
	}
	if (a.action == OIDC_AUTHZ_PAGE) {
		web_page_error(req, 400, "Unknown service", a.description);
		return (KORE_RESULT_OK);
	}

	has_session = web_session_authenticated(req, OIDC_MIN_LOA, sid, &s);
	oidc_authz_decide(&oc, &a, has_session ? &s : NULL, resumed);
	if (a.action == OIDC_AUTHZ_CONSENT)
		web_oidc_consent_page(req, &oc, &a, sid, s.user_id);
	OPENSSL_cleanse(sid, sizeof(sid));

	switch (a.action) {
	case OIDC_AUTHZ_CONSENT:
		memset(&s, 0, sizeof(s));
		return (KORE_RESULT_OK);
	case OIDC_AUTHZ_LOGIN:
		if (oidc_authz_park(&oc, &a, id) == -1) {
			web_page_error(req, 500, "Error", "Please try again.");
			return (KORE_RESULT_OK);
		}
		snprintf(return_to, sizeof(return_to),
		    "/oauth2/authorize?resume=%s", id);
		/* The authenticator shows the client ID as the RP. */
		web_login_redirect_hint(req, a.client->id, return_to,
		    resumed ? NULL : web_oidc_arg(req, "login_hint"));
		return (KORE_RESULT_OK);
	case OIDC_AUTHZ_CODE:
		oidc_authz_issue(&oc, &a, &s, location, sizeof(location));
		break;
	default:
		if (oidc_authz_error_location(&oc, &a, location,
		    sizeof(location)) == -1) {
			web_page_error(req, 400, "Request too large",
			    "The sign-in request is too large.");
			return (KORE_RESULT_OK);
		}
		break;
	}
	memset(&s, 0, sizeof(s));
	if (resumed)
		web_oidc_continue(req, "Signed in", a.client->name, location);
	else {
		http_response_header(req, "location", location);
		web_respond(req, 302, "text/plain", NULL, 0);
	}
	OPENSSL_cleanse(location, sizeof(location));
	return (KORE_RESULT_OK);
}

/*
 * Reads a client's form POST (token, introspection, revocation) into
 * in: size bounded, repeated or refused parameters flagged. The raw
 * body is read first (copied into raw), then parsed by Kore.
 * @return 0, or -1 after answering the error.
 */
static int
web_oidc_form(struct http_request *req, struct oidc_token_in *in,
    const char *const *names, char *endpoint, size_t len)
{
	struct oidc_response	 resp;
	char			*raw;
	size_t			 rawlen;
	const char		*auth;

	memset(in, 0, sizeof(*in));
	if (req->method == HTTP_METHOD_OPTIONS) {
		web_oidc_preflight(req);
		return (-1);
	}
	if (req->method != HTTP_METHOD_POST) {
		http_response_header(req, "allow", "POST");
		oidc_response_error(&resp, 405, OIDC_INVALID_REQUEST,
		    "use POST");
		web_oidc_send(req, &resp);
		return (-1);
	}
	if ((raw = web_body(req, WEB_OIDC_FORM_MAX, &rawlen)) == NULL) {
		oidc_response_error(&resp, 400, OIDC_INVALID_REQUEST,
		    "request body too large");
		web_oidc_send(req, &resp);
		return (-1);
	}
	http_populate_post(req);
	in->malformed = web_oidc_malformed(req, raw, names);
	OPENSSL_cleanse(raw, rawlen);
	kore_free(raw);

	snprintf(endpoint, len, "%s%s", web.cfg.base_url, req->path);
	in->cred.endpoint = endpoint;
	in->cred.authorization = http_request_header(req, "authorization",
	    &auth) ? auth : NULL;
	in->cred.client_id = web_oidc_arg(req, "client_id");
	in->cred.client_secret = web_oidc_arg(req, "client_secret");
	in->cred.assertion = web_oidc_arg(req, "client_assertion");
	in->cred.assertion_type = web_oidc_arg(req, "client_assertion_type");
	in->grant_type = web_oidc_arg(req, "grant_type");
	in->code = web_oidc_arg(req, "code");
	in->redirect_uri = web_oidc_arg(req, "redirect_uri");
	in->code_verifier = web_oidc_arg(req, "code_verifier");
	in->refresh_token = web_oidc_arg(req, "refresh_token");
	in->scope = web_oidc_arg(req, "scope");
	in->token = web_oidc_arg(req, "token");
	in->resource = web_oidc_arg(req, "resource");
	return (0);
}

/*
 * CORS (Fetch standard) for browser applications that call the token,
 * introspection and revocation endpoints themselves: a preflight from
 * an origin that some client registered (allowed_cors_origins) is
 * allowed; the answer itself is readable by the origin only when the
 * client the request names (client_id in the form) registered it.
 */
static void
web_oidc_preflight(struct http_request *req)
{
	const char	*origin;

	if (!http_request_header(req, "origin", &origin) ||
	    !client_registry_origin_ok(&web_oidc_op.clients, origin)) {
		web_respond(req, 403, "text/plain", NULL, 0);
		return;
	}
	http_response_header(req, "access-control-allow-origin", origin);
	http_response_header(req, "access-control-allow-methods", "POST");
	http_response_header(req, "access-control-allow-headers",
	    "content-type");
	http_response_header(req, "access-control-max-age", "600");
	http_response_header(req, "vary", "origin");
	web_respond(req, 204, "text/plain", NULL, 0);
}

static void
web_oidc_cors(struct http_request *req, const char *client_id)
{
	const struct client	*c;
	const char		*origin;

	if (!http_request_header(req, "origin", &origin))
		return;
	http_response_header(req, "vary", "origin");
	if (client_id != NULL &&
	    (c = client_find(&web_oidc_op.clients, client_id)) != NULL &&
	    client_origin_ok(c, origin))
		http_response_header(req, "access-control-allow-origin",
		    origin);
}

/* A client's POST: the form in, one call of the module, JSON out. */
static int
web_oidc_client_post(struct http_request *req,
    void (*handle)(struct oidc_ctx *, const struct oidc_token_in *,
    struct oidc_response *))
{
	struct oidc_ctx		oc;
	struct oidc_token_in	in;
	struct oidc_response	resp;
	char			endpoint[CONFIG_URL_MAX + 32];

	web_oidc_ctx(req, &oc);
	if (web_oidc_form(req, &in, web_oidc_token_names, endpoint,
	    sizeof(endpoint)) == -1)
		return (KORE_RESULT_OK);
	handle(&oc, &in, &resp);
	web_oidc_cors(req, in.cred.client_id);
	web_oidc_send(req, &resp);
	return (KORE_RESULT_OK);
}

/* RFC 9126: the client's form holds an authorization request. */
int
web_oidc_par(struct http_request *req)
{
	struct oidc_ctx		oc;
	struct oidc_token_in	tin;
	struct oidc_authz_in	in;
	struct oidc_response	resp;
	char			endpoint[CONFIG_URL_MAX + 32];

	web_oidc_ctx(req, &oc);
	if (web_oidc_form(req, &tin, web_oidc_par_names, endpoint,
	    sizeof(endpoint)) == -1)
		return (KORE_RESULT_OK);
	web_oidc_authz_args(req, &in);
	in.malformed = tin.malformed;
	oidc_par(&oc, &tin.cred, &in, &resp);
	web_oidc_send(req, &resp);
	return (KORE_RESULT_OK);
}

int
web_oidc_token(struct http_request *req)
{
	return (web_oidc_client_post(req, oidc_token));
}

int
web_oidc_introspect(struct http_request *req)
{
	return (web_oidc_client_post(req, oidc_introspect));
}

int
web_oidc_revoke(struct http_request *req)
{
	return (web_oidc_client_post(req, oidc_revoke));
}

int
web_oidc_userinfo(struct http_request *req)
{
	struct oidc_ctx		oc;
	struct oidc_response	resp;
	const char		*auth;

	web_oidc_ctx(req, &oc);
	oidc_userinfo(&oc, http_request_header(req, "authorization", &auth) ?
	    auth : NULL, &resp);
	web_oidc_send(req, &resp);
	return (KORE_RESULT_OK);
}

/*
 * OpenID Connect RP-Initiated Logout 1.0: GET asks the user to confirm
 * (a third party must not be able to sign the user out unseen), the
 * confirmation POST ends the session and returns to the client.
 */
int
web_oidc_logout(struct http_request *req)
{
	struct oidc_ctx		 oc;
	struct oidc_logout	 lo;
	struct store_txn	 txn;
	struct session		 s;
	struct template_var	 vars[6];
	const char		*hint, *uri, *state, *client_id;
	char			 sid[SESSION_ID_LEN + 1];
	char			 key[SESSION_KEY_LEN + 1];
	char			 csrf[WEB_CSRF_LEN + 1];
	int			 post, signed_in;

	web_oidc_ctx(req, &oc);
	post = req->method == HTTP_METHOD_POST;
	if (post)
		http_populate_post(req);
	else
		http_populate_qs(req);
	hint = web_oidc_arg(req, "id_token_hint");
	uri = web_oidc_arg(req, "post_logout_redirect_uri");
	state = web_oidc_arg(req, "state");
	client_id = web_oidc_arg(req, "client_id");
	if ((!post && req->query_string != NULL &&
	    web_oidc_malformed(req, req->query_string,
	    web_oidc_logout_names)) ||
	    oidc_logout_check(&oc, hint, client_id, uri, state, &lo) == -1) {
		web_page_error(req, 400, "Sign-out refused", lo.description ?
		    lo.description : "The sign-out request is malformed.");
		return (KORE_RESULT_OK);
	}
	signed_in = web_session_authenticated(req, SESSION_LOA_PASSWORD, sid,
	    &s);

	if (post) {
		if (!web_session_cookie(req, sid) || !web_csrf_valid(req, sid)) {
			web_page_error(req, 403, "Form expired", "This form "
			    "is no longer valid. Please start again.");
			return (KORE_RESULT_OK);
		}
		store_session_key(sid, key);
		if (store_txn_begin(web.store, &txn, 1) == 0) {
			store_session_del(&txn, key);
			if (signed_in)
				audit_write(&txn, "oauth.logout", s.user_id,
				    lo.client != NULL ? lo.client->id : "-",
				    "ok", NULL);
			store_txn_commit(&txn);
		}
		web_session_clear_cookie(req);
		web_oidc_continue(req, "Signed out", lo.client != NULL ?
		    lo.client->name : "", lo.location);
		return (KORE_RESULT_OK);
	}

	if (!signed_in) {
		/* Nothing to end here: straight back to the client. */
		if (lo.location[0] != '\0') {
			http_response_header(req, "location", lo.location);
			web_respond(req, 302, "text/plain", NULL, 0);
		} else
			web_oidc_continue(req, "Signed out", "", "");
		return (KORE_RESULT_OK);
	}
	web_csrf_token(sid, csrf);
	vars[0] = (struct template_var){ "csrf", csrf, 0 };
	vars[1] = (struct template_var){ "client", lo.client != NULL ?
	    lo.client->name : "", 0 };
	vars[2] = (struct template_var){ "id_token_hint", hint, 0 };
	vars[3] = (struct template_var){ "post_logout_redirect_uri", uri, 0 };
	vars[4] = (struct template_var){ "state", state, 0 };
	vars[5] = (struct template_var){ "client_id", client_id, 0 };
	web_page_send(req, 200, WEB_PAGE_OIDC_LOGOUT, vars, 6);
	return (KORE_RESULT_OK);
}
