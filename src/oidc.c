/*
 * The OpenID provider: loading, discovery, subjects, the authorization
 * endpoint and RP-initiated logout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "audit.h"
#include "oidc.h"

static int	oidc_discovery(struct oidc *);
static int	oidc_add_param(char *, size_t, size_t *, const char *,
		    const char *);
static int	oidc_location_start(char *, size_t, size_t *, const char *);
static int	oidc_scope_check(struct oidc_authz *, const char *);
static int	oidc_prompt_parse(const char *, uint32_t *);
static int	oidc_b64url_len(const char *, size_t, size_t);

static const char	*oidc_error_names[] = {
	"", "invalid_request", "unauthorized_client", "access_denied",
	"unsupported_response_type", "invalid_scope", "server_error",
	"login_required", "interaction_required",
	"unmet_authentication_requirements", "request_not_supported",
	"request_uri_not_supported", "invalid_client", "invalid_grant",
	"unsupported_grant_type", "invalid_token", "insufficient_scope",
	"invalid_client", "invalid_target", "consent_required"
};

const char *
oidc_error_name(enum oidc_error e)
{
	if ((size_t)e >= sizeof(oidc_error_names) / sizeof(oidc_error_names[0]))
		return ("server_error");
	return (oidc_error_names[e]);
}

void
oidc_response_error(struct oidc_response *resp, int status,
    enum oidc_error e, const char *description)
{
	json_t	*o;

	memset(resp, 0, sizeof(*resp));
	resp->status = status;
	resp->error = e;
	o = json_pack("{s:s}", "error", oidc_error_name(e));
	if (o != NULL && description != NULL)
		json_object_set_new(o, "error_description",
		    json_string(description));
	resp->body = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
}

int
oidc_load(struct oidc *op, const struct config *cfg,
    const struct crypto_master_key *master, uint64_t now, char *err,
    size_t errlen)
{
	const char	*paths[2];
	unsigned int	 len;

	memset(op, 0, sizeof(*op));
	op->cfg = cfg;
	paths[0] = cfg->oidc_ec_key;
	paths[1] = cfg->oidc_rsa_key;
	/* Retired keys stay published until their last ID token expires. */
	if (jose_keyset_load(&op->keys, paths, 2, now,
	    OIDC_ID_TOKEN_LIFETIME + cfg->clock_skew, err, errlen) == -1)
		return (-1);
	if (jose_keyset_signer(&op->keys, JOSE_ALG_ES256) == NULL ||
	    jose_keyset_signer(&op->keys, JOSE_ALG_RS256) == NULL) {
		snprintf(err, errlen, "oidc_ec_key must be an EC P-256 key and "
		    "oidc_rsa_key an RSA key");
		goto fail;
	}
	/* Pairwise subjects: stable per instance, secret, per sector. */
	len = sizeof(op->pairwise_key);
	if (HMAC(EVP_sha256(), master->key, sizeof(master->key),
	    (const unsigned char *)"mutua-oidc-pairwise-v1", 22,
	    op->pairwise_key, &len) == NULL ||
	    crypto_random(op->cache_key, sizeof(op->cache_key)) == -1) {
		snprintf(err, errlen, "cannot derive the OIDC keys");
		goto fail;
	}
	client_registry_load(&op->clients, cfg->clients_dir);
	op->secrets = calloc(op->clients.n + 1, sizeof(*op->secrets));
	if (op->secrets == NULL || oidc_discovery(op) == -1) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	op->loaded = 1;
	return (0);

fail:
	oidc_unload(op);
	return (-1);
}

void
oidc_unload(struct oidc *op)
{
	jose_keyset_free(&op->keys);
	client_registry_free(&op->clients);
	free(op->secrets);
	free(op->discovery);
	free(op->jwks);
	OPENSSL_cleanse(op, sizeof(*op));
}

/* OpenID Connect Discovery 1.0 §3, with the RFC 8414 additions. */
static int
oidc_discovery(struct oidc *op)
{
	static const struct {
		const char	*name;
		const char	*path;
	} endpoints[] = {
		{ "authorization_endpoint", "/oauth2/authorize" },
		{ "token_endpoint", "/oauth2/token" },
		{ "userinfo_endpoint", "/oauth2/userinfo" },
		{ "jwks_uri", "/oauth2/jwks" },
		{ "introspection_endpoint", "/oauth2/introspect" },
		{ "revocation_endpoint", "/oauth2/revoke" },
		{ "end_session_endpoint", "/oauth2/logout" },
		{ "pushed_authorization_request_endpoint", "/oauth2/par" },
	};
	static const char	*auth_lists[] = {
		"token_endpoint_auth_methods_supported",
		"introspection_endpoint_auth_methods_supported",
		"revocation_endpoint_auth_methods_supported",
	};
	static const char	*alg_lists[] = {
		"id_token_signing_alg_values_supported",
		"token_endpoint_auth_signing_alg_values_supported",
		"introspection_endpoint_auth_signing_alg_values_supported",
		"revocation_endpoint_auth_signing_alg_values_supported",
	};
	const char	*base;
	json_t		*d;
	char		 url[CONFIG_URL_MAX + 64];
	size_t		 i;
	int		 bad;

	base = op->cfg->base_url;
	d = json_pack("{s:s, s:[s], s:[s], s:[sss], s:[ss], s:[s], s:[sss], "
	    "s:[sssssssssssss], s:[ss], s:[ssss], s:b, s:b, s:b, s:b, s:b, s:b}",
	    "issuer", base,
	    "response_types_supported", "code",
	    "response_modes_supported", "query",
	    "grant_types_supported", "authorization_code", "refresh_token",
	    "client_credentials",
	    "subject_types_supported", "public", "pairwise",
	    "code_challenge_methods_supported", "S256",
	    "scopes_supported", "openid", "profile", "email",
	    "claims_supported", "sub", "iss", "aud", "exp", "iat",
	    "auth_time", "nonce", "acr", "amr", "at_hash", "name", "email",
	    "preferred_username",
	    "acr_values_supported", op->cfg->loa2_uri, op->cfg->loa3_uri,
	    "prompt_values_supported", "none", "login", "consent",
	    "select_account",
	    "authorization_response_iss_parameter_supported", 1,
	    "claims_parameter_supported", 0,
	    "request_parameter_supported", 0,
	    "request_uri_parameter_supported", 0,
	    "backchannel_logout_supported", 0,
	    "require_pushed_authorization_requests", op->cfg->require_par);
	if (d == NULL)
		return (-1);
	bad = 0;
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
		snprintf(url, sizeof(url), "%s%s", base, endpoints[i].path);
		bad |= json_object_set_new(d, endpoints[i].name,
		    json_string(url));
	}
	for (i = 0; i < sizeof(auth_lists) / sizeof(auth_lists[0]); i++)
		bad |= json_object_set_new(d, auth_lists[i], json_pack(
		    "[ssss]", "client_secret_basic", "client_secret_post",
		    "private_key_jwt", "none"));
	for (i = 0; i < sizeof(alg_lists) / sizeof(alg_lists[0]); i++)
		bad |= json_object_set_new(d, alg_lists[i],
		    json_pack("[ss]", "ES256", "RS256"));
	op->discovery = bad ? NULL : json_dumps(d, JSON_INDENT(1));
	json_decref(d);
	return (op->discovery == NULL ? -1 : 0);
}

const char *
oidc_jwks(struct oidc *op, uint64_t now)
{
	if (op->jwks != NULL && now < op->jwks_until)
		return (op->jwks);
	free(op->jwks);
	op->jwks = jose_keyset_jwks(&op->keys, now);
	op->jwks_until = jose_keyset_next_change(&op->keys, now);
	return (op->jwks);
}

void
oidc_subject(const struct oidc *op, const struct client *c,
    const char *user_id, char *out, size_t outlen)
{
	unsigned char	mac[CRYPTO_SHA256_LEN];
	char		data[CLIENT_SECTOR_MAX + USER_ID_MAX];
	unsigned int	len;
	size_t		slen, ulen;

	if (!c->pairwise) {
		snprintf(out, outlen, "%s", user_id);
		return;
	}
	/* OIDC Core §8.1: HMAC(instance key, sector || 0x00 || user). */
	slen = strlen(c->sector);
	ulen = strlen(user_id);
	memcpy(data, c->sector, slen + 1);
	memcpy(data + slen + 1, user_id, ulen);
	len = sizeof(mac);
	HMAC(EVP_sha256(), op->pairwise_key, sizeof(op->pairwise_key),
	    (const unsigned char *)data, slen + 1 + ulen, mac, &len);
	crypto_b64url_encode(mac, sizeof(mac), out, outlen);
}

const char *
oidc_acr(const struct oidc *op, uint32_t loa)
{
	return (loa >= 3 ? op->cfg->loa3_uri : op->cfg->loa2_uri);
}

int
oidc_random_token(char *out, size_t outlen)
{
	unsigned char	raw[32];
	int		rc;

	if (crypto_random(raw, sizeof(raw)) == -1)
		return (-1);
	rc = crypto_b64url_encode(raw, sizeof(raw), out, outlen);
	OPENSSL_cleanse(raw, sizeof(raw));
	return (rc);
}

/* Appends "&name=value" (or "?" first), percent-encoding the value. */
static int
oidc_add_param(char *buf, size_t len, size_t *off, const char *name,
    const char *value)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	size_t			 o;

	o = *off;
	if (o + strlen(name) + 2 >= len)
		return (-1);
	o += snprintf(buf + o, len - o, "%c%s=",
	    strchr(buf, '?') == NULL ? '?' : '&', name);
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (o + 4 >= len)
			return (-1);
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf[o++] = (char)*p;
		else {
			buf[o++] = '%';
			buf[o++] = hex[*p >> 4];
			buf[o++] = hex[*p & 0x0f];
		}
	}
	buf[o] = '\0';
	*off = o;
	return (0);
}

/* Starts a redirect with the registered URI (its query is kept). */
static int
oidc_location_start(char *buf, size_t len, size_t *off, const char *uri)
{
	if (strlen(uri) >= len)
		return (-1);
	strcpy(buf, uri);
	*off = strlen(uri);
	return (0);
}

void
oidc_authz_fail(struct oidc_authz *a, enum oidc_error e, const char *why)
{
	a->action = OIDC_AUTHZ_ERROR;
	a->error = e;
	a->description = why;
}

int
oidc_scope_has(const char *list, const char *word)
{
	const char	*p, *end;
	size_t		 len;

	len = strlen(word);
	for (p = list; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, " ");
		if ((size_t)(end - p) == len && memcmp(p, word, len) == 0)
			return (1);
	}
	return (0);
}

/* Every requested scope must be registered for the client. */
static int
oidc_scope_check(struct oidc_authz *a, const char *scope)
{
	const char	*p, *end;

	if (strlen(scope) >= sizeof(a->req.scope) || scope[0] == ' ')
		return (-1);
	for (p = scope; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, " ");
		if (end == p || !client_scope_ok(a->client, p,
		    (size_t)(end - p)))
			return (-1);
	}
	strcpy(a->req.scope, scope);
	return (0);
}

static int
oidc_prompt_parse(const char *prompt, uint32_t *flags)
{
	const char	*p, *end;
	size_t		 n;

	*flags = 0;
	for (p = prompt; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, " ");
		n = (size_t)(end - p);
		if (n == 4 && memcmp(p, "none", 4) == 0)
			*flags |= OAUTH_PROMPT_NONE;
		else if (n == 5 && memcmp(p, "login", 5) == 0)
			*flags |= OAUTH_PROMPT_LOGIN;
		else if (n == 7 && memcmp(p, "consent", 7) == 0)
			*flags |= OAUTH_PROMPT_CONSENT;
		else if (!(n == 14 && memcmp(p, "select_account", 14) == 0))
			return (-1);	/* one account per browser session */
	}
	/* OIDC Core §3.1.2.1: none with any other value is an error. */
	if ((*flags & OAUTH_PROMPT_NONE) && strchr(prompt, ' ') != NULL)
		return (-1);
	return (0);
}

/* 1 when s is min..max base64url / RFC 7636 unreserved characters. */
static int
oidc_b64url_len(const char *s, size_t min, size_t max)
{
	size_t	len;

	len = strlen(s);
	if (len < min || len > max)
		return (0);
	return (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~") == len);
}

void
oidc_authz_parse(struct oidc_ctx *ctx, const struct oidc_authz_in *in,
    struct oidc_authz *a)
{
	struct oauth_authz	*r;
	char			*end;
	long long		 age;

	memset(a, 0, sizeof(*a));
	r = &a->req;
	r->max_age = -1;
	a->action = OIDC_AUTHZ_PAGE;

	/*
	 * RFC 6749 §4.1.2.1: without a known client and a registered
	 * redirect URI, nothing is sent back to any URI.
	 */
	if (in->client_id == NULL || (a->client = client_find(
	    &ctx->op->clients, in->client_id)) == NULL) {
		a->description = "The service that sent you here is not "
		    "registered with this identity provider.";
		return;
	}
	if (in->redirect_uri == NULL ||
	    !client_redirect_ok(a->client, in->redirect_uri)) {
		a->description = "The return address of the service is not "
		    "registered with this identity provider.";
		return;
	}
	strcpy(r->client_id, a->client->id);
	strcpy(r->redirect_uri, in->redirect_uri);
	if (in->state != NULL && strlen(in->state) < sizeof(r->state))
		strcpy(r->state, in->state);
	a->action = OIDC_AUTHZ_CODE;

	if (in->malformed || (in->state != NULL &&
	    strlen(in->state) >= sizeof(r->state))) {
		oidc_authz_fail(a, OIDC_INVALID_REQUEST, "a parameter is "
		    "repeated, too long or malformed");
		return;
	}
	if (in->request != NULL) {
		oidc_authz_fail(a, OIDC_REQUEST_NOT_SUPPORTED, NULL);
		return;
	}
	if (in->request_uri != NULL) {
		oidc_authz_fail(a, OIDC_REQUEST_URI_NOT_SUPPORTED, NULL);
		return;
	}
	if (in->response_type == NULL) {
		oidc_authz_fail(a, OIDC_INVALID_REQUEST,
		    "response_type is required");
		return;
	}
	if (strcmp(in->response_type, "code") != 0) {
		oidc_authz_fail(a, OIDC_UNSUPPORTED_RESPONSE_TYPE,
		    "only the authorization code flow is supported");
		return;
	}
	if (in->response_mode != NULL &&
	    strcmp(in->response_mode, "query") != 0) {
		oidc_authz_fail(a, OIDC_INVALID_REQUEST,
		    "response_mode must be query");
		return;
	}
	if (in->scope == NULL) {
		oidc_authz_fail(a, OIDC_INVALID_REQUEST, "scope is required");
		return;
	}
	if (oidc_scope_check(a, in->scope) == -1) {
		oidc_authz_fail(a, OIDC_INVALID_SCOPE, "a requested scope is "
		    "not registered for this client");
		return;
	}
	if (in->nonce != NULL) {
		if (strlen(in->nonce) >= sizeof(r->nonce)) {
			oidc_authz_fail(a, OIDC_INVALID_REQUEST,
			    "nonce too long");
			return;
		}
		strcpy(r->nonce, in->nonce);
	}

	/* RFC 7636: S256 only; required when the client has no secret. */
	if (in->code_challenge != NULL) {
		if (in->code_challenge_method == NULL ||
		    strcmp(in->code_challenge_method, "S256") != 0) {
			oidc_authz_fail(a, OIDC_INVALID_REQUEST,
			    "code_challenge_method must be S256");
			return;
		}
		if (!oidc_b64url_len(in->code_challenge, 43, 43) ||
		    strchr(in->code_challenge, '.') != NULL ||
		    strchr(in->code_challenge, '~') != NULL) {
			oidc_authz_fail(a, OIDC_INVALID_REQUEST,
			    "code_challenge must be a base64url SHA-256");
			return;
		}
		strcpy(r->challenge, in->code_challenge);
	} else if (in->code_challenge_method != NULL ||
	    a->client->auth == CLIENT_AUTH_NONE) {
		oidc_authz_fail(a, OIDC_INVALID_REQUEST,
		    "code_challenge (PKCE S256) is required");
		return;
	}

	if (in->prompt != NULL && oidc_prompt_parse(in->prompt,
	    &r->prompt) == -1) {
		oidc_authz_fail(a, OIDC_INVALID_REQUEST, "unsupported prompt");
		return;
	}
	if (in->max_age != NULL) {
		age = strtoll(in->max_age, &end, 10);
		if (in->max_age[0] < '0' || in->max_age[0] > '9' ||
		    *end != '\0' || strlen(in->max_age) > 10) {
			oidc_authz_fail(a, OIDC_INVALID_REQUEST,
			    "max_age must be a number of seconds");
			return;
		}
		r->max_age = age;
	}
	if (in->acr_values != NULL) {
		if (strlen(in->acr_values) >= sizeof(r->acr_values)) {
			oidc_authz_fail(a, OIDC_INVALID_REQUEST,
			    "acr_values too long");
			return;
		}
		strcpy(r->acr_values, in->acr_values);
	}
}

/* Takes the request kept under id, of the kind pushed, back. */
static int
oidc_authz_take(struct oidc_ctx *ctx, int pushed, const char *id,
    struct oidc_authz *a)
{
	struct store_txn	txn;
	int			rc;

	memset(a, 0, sizeof(*a));
	a->action = OIDC_AUTHZ_PAGE;
	a->description = "This sign-in request has expired or was already "
	    "used. Go back to the service and start again.";
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (-1);
	rc = store_oauth_authz_take(&txn, pushed, id, ctx->now, &a->req);
	if (store_txn_commit(&txn) == -1 || rc != 0)
		return (-1);
	/* The registry may have been reloaded while the user signed in. */
	if ((a->client = client_find(&ctx->op->clients,
	    a->req.client_id)) == NULL ||
	    !client_redirect_ok(a->client, a->req.redirect_uri)) {
		a->description = "The service is no longer registered.";
		return (-1);
	}
	a->action = OIDC_AUTHZ_CODE;
	return (0);
}

int
oidc_authz_resume(struct oidc_ctx *ctx, const char *id, struct oidc_authz *a)
{
	return (oidc_authz_take(ctx, 0, id, a));
}

int
oidc_authz_pushed(struct oidc_ctx *ctx, const char *client_id,
    const char *request_uri, struct oidc_authz *a)
{
	const char	*id;
	size_t		 n;

	n = strlen(OIDC_PAR_URN);
	id = request_uri + n;
	if (strncmp(request_uri, OIDC_PAR_URN, n) != 0 ||
	    strlen(id) != OIDC_AUTHZ_ID_LEN ||
	    strspn(id, "0123456789abcdef") != OIDC_AUTHZ_ID_LEN) {
		memset(a, 0, sizeof(*a));
		a->action = OIDC_AUTHZ_PAGE;
		a->description = "The service sent an unknown request_uri.";
		return (-1);
	}
	if (oidc_authz_take(ctx, 1, id, a) == -1)
		return (-1);
	/* RFC 9126 §4: the request was pushed by this very client. */
	if (client_id == NULL || strcmp(client_id, a->req.client_id) != 0) {
		a->action = OIDC_AUTHZ_PAGE;
		a->description = "The request_uri belongs to another service.";
		return (-1);
	}
	return (0);
}

void
oidc_authz_require_pushed(struct oidc_ctx *ctx, struct oidc_authz *a)
{
	if (a->action == OIDC_AUTHZ_CODE && (a->client->require_par ||
	    ctx->op->cfg->require_par))
		oidc_authz_fail(a, OIDC_INVALID_REQUEST, "this client must "
		    "push its authorization requests (RFC 9126)");
}

void
oidc_authz_decide(struct oidc_ctx *ctx, struct oidc_authz *a,
    const struct session *s, int resumed)
{
	struct oauth_authz	*r;
	int			 fresh, none;

	if (a->action != OIDC_AUTHZ_CODE)
		return;
	r = &a->req;
	none = (r->prompt & OAUTH_PROMPT_NONE) != 0;
	if (s == NULL || s->loa < OIDC_MIN_LOA) {
		if (none)
			oidc_authz_fail(a, OIDC_LOGIN_REQUIRED, NULL);
		else
			a->action = OIDC_AUTHZ_LOGIN;
		return;
	}
	/* A login completed after the request was parked satisfies it. */
	fresh = resumed && s->auth_time >= r->created;
	if (!fresh && (r->prompt & OAUTH_PROMPT_LOGIN)) {
		a->action = OIDC_AUTHZ_LOGIN;
		return;
	}
	if (!fresh && r->max_age >= 0 &&
	    ctx->now > s->auth_time + (uint64_t)r->max_age) {
		if (none)
			oidc_authz_fail(a, OIDC_LOGIN_REQUIRED,
			    "the authentication is older than max_age");
		else
			a->action = OIDC_AUTHZ_LOGIN;
		return;
	}
	/*
	 * acr_values is a list of acceptable levels. One sign-in with
	 * another authenticator is offered; if the level still does not
	 * fit, the client is told (OIDC Core §3.1.2.6).
	 */
	if (r->acr_values[0] != '\0' &&
	    !oidc_scope_has(r->acr_values, oidc_acr(ctx->op, s->loa))) {
		if (!fresh && !none)
			a->action = OIDC_AUTHZ_LOGIN;
		else
			oidc_authz_fail(a, OIDC_UNMET_AUTHN, "no requested "
			    "acr value is met by this authentication");
		return;
	}
	switch (oidc_consent_due(ctx, a, s->user_id)) {
	case 1:
		if (none)
			oidc_authz_fail(a, OIDC_CONSENT_REQUIRED, NULL);
		else
			a->action = OIDC_AUTHZ_CONSENT;
		break;
	case -1:
		oidc_authz_fail(a, OIDC_SERVER_ERROR, NULL);
		break;
	}
}

int
oidc_authz_keep(struct oidc_ctx *ctx, struct oidc_authz *a, int pushed,
    char *id)
{
	struct store_txn	txn;

	if (crypto_random_hex(id, OIDC_AUTHZ_ID_LEN + 1,
	    OIDC_AUTHZ_ID_LEN / 2) == -1)
		return (-1);
	a->req.created = ctx->now;
	a->req.expires = ctx->now + (pushed ? OIDC_PAR_LIFETIME :
	    OIDC_AUTHZ_LIFETIME);
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (-1);
	store_oauth_authz_put(&txn, pushed, id, &a->req);
	return (store_txn_commit(&txn));
}

int
oidc_authz_park(struct oidc_ctx *ctx, struct oidc_authz *a, char *id)
{
	return (oidc_authz_keep(ctx, a, 0, id));
}

int
oidc_authz_error_location(struct oidc_ctx *ctx, const struct oidc_authz *a,
    char *location, size_t len)
{
	size_t	off;

	if (oidc_location_start(location, len, &off,
	    a->req.redirect_uri) == -1 ||
	    oidc_add_param(location, len, &off, "error",
	    oidc_error_name(a->error)) == -1 ||
	    (a->description != NULL && oidc_add_param(location, len, &off,
	    "error_description", a->description) == -1) ||
	    (a->req.state[0] != '\0' && oidc_add_param(location, len, &off,
	    "state", a->req.state) == -1) ||
	    oidc_add_param(location, len, &off, "iss",
	    ctx->op->cfg->base_url) == -1)
		return (-1);
	return (0);
}

int
oidc_authz_issue(struct oidc_ctx *ctx, struct oidc_authz *a,
    const struct session *s, char *location, size_t len)
{
	struct store_txn	txn;
	struct oauth_code	c;
	struct user		u;
	char			code[OIDC_TOKEN_LEN + 8], detail[256];
	size_t			off;
	int			rc;

	memset(&c, 0, sizeof(c));
	strcpy(c.g.client_id, a->client->id);
	strcpy(c.g.user_id, s->user_id);
	strcpy(c.g.scope, a->req.scope);
	strcpy(c.g.amr, s->amr);
	c.g.loa = s->loa;
	c.g.auth_time = s->auth_time;
	strcpy(c.redirect_uri, a->req.redirect_uri);
	strcpy(c.nonce, a->req.nonce);
	strcpy(c.challenge, a->req.challenge);
	c.expires = ctx->now + OIDC_CODE_LIFETIME;
	snprintf(detail, sizeof(detail), "client=%s acr=%s addr=%s",
	    a->client->id, oidc_acr(ctx->op, s->loa), ctx->addr);

	if (oidc_random_token(code, sizeof(code)) == -1 ||
	    store_txn_begin(ctx->store, &txn, 1) == -1)
		goto fail;
	rc = store_user_get(&txn, s->user_id, &u);
	if (rc != 0 || (u.flags & USER_DISABLED)) {
		store_txn_abort(&txn);
		OPENSSL_cleanse(&u, sizeof(u));
		a->error = OIDC_ACCESS_DENIED;
		a->description = "the account is disabled";
		return (oidc_authz_error_location(ctx, a, location, len));
	}
	OPENSSL_cleanse(&u, sizeof(u));
	store_oauth_code_put(&txn, code, &c);
	audit_write(&txn, "oauth.authorize", s->user_id, a->client->id, "ok",
	    detail);
	if (store_txn_commit(&txn) == -1)
		goto fail;

	if (oidc_location_start(location, len, &off,
	    a->req.redirect_uri) == -1 ||
	    oidc_add_param(location, len, &off, "code", code) == -1 ||
	    (a->req.state[0] != '\0' && oidc_add_param(location, len, &off,
	    "state", a->req.state) == -1) ||
	    oidc_add_param(location, len, &off, "iss",
	    ctx->op->cfg->base_url) == -1)
		goto fail;
	OPENSSL_cleanse(code, sizeof(code));
	return (0);

fail:
	OPENSSL_cleanse(code, sizeof(code));
	a->error = OIDC_SERVER_ERROR;
	a->description = NULL;
	oidc_authz_error_location(ctx, a, location, len);
	return (-1);
}

int
oidc_logout_check(struct oidc_ctx *ctx, const char *id_token_hint,
    const char *client_id, const char *post_logout_redirect_uri,
    const char *state, struct oidc_logout *out)
{
	json_t		*claims, *aud;
	const char	*iss, *hint_client;
	char		 err[JOSE_ERR_MAX];
	size_t		 off;

	memset(out, 0, sizeof(*out));
	hint_client = NULL;
	claims = NULL;
	if (id_token_hint != NULL) {
		/* Expired hints are fine; a forged or foreign one is not. */
		claims = jose_verify(id_token_hint, ctx->op->keys.keys,
		    ctx->op->keys.n, JOSE_ALG_NONE, err, sizeof(err));
		iss = json_string_value(json_object_get(claims, "iss"));
		aud = json_object_get(claims, "aud");
		if (json_is_array(aud) && json_array_size(aud) == 1)
			aud = json_array_get(aud, 0);
		hint_client = json_string_value(aud);
		if (claims == NULL || iss == NULL ||
		    strcmp(iss, ctx->op->cfg->base_url) != 0 ||
		    hint_client == NULL) {
			json_decref(claims);
			out->description = "The sign-out request carries an ID "
			    "token that this identity provider did not issue.";
			return (-1);
		}
	}
	if (client_id != NULL && hint_client != NULL &&
	    strcmp(client_id, hint_client) != 0) {
		json_decref(claims);
		out->description = "The sign-out request names two different "
		    "services.";
		return (-1);
	}
	if (client_id == NULL)
		client_id = hint_client;
	out->client = client_id != NULL ?
	    client_find(&ctx->op->clients, client_id) : NULL;
	json_decref(claims);

	if (post_logout_redirect_uri == NULL)
		return (0);
	if (out->client == NULL ||
	    !client_logout_uri_ok(out->client, post_logout_redirect_uri)) {
		out->description = "The address to return to after signing "
		    "out is not registered for this service.";
		return (-1);
	}
	if (oidc_location_start(out->location, sizeof(out->location), &off,
	    post_logout_redirect_uri) == -1 ||
	    (state != NULL && oidc_add_param(out->location,
	    sizeof(out->location), &off, "state", state) == -1)) {
		out->description = "The sign-out request is too large.";
		return (-1);
	}
	return (0);
}
