/*
 * The token endpoint (authorization_code, refresh_token and
 * client_credentials grants),
 * ID tokens, userinfo, introspection (RFC 7662) and revocation
 * (RFC 7009).
 *
 * Every code redemption starts a grant family. A replayed code or a
 * reused refresh token revokes the family, so every access and refresh
 * token it issued stops working at once (RFC 6749 §4.1.2, OAuth 2.0
 * Security BCP §4.14.2). Each grant runs in one write transaction, so
 * two workers cannot both redeem one code or rotate one refresh token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "audit.h"
#include "oidc.h"
#include "store_user.h"

#define OIDC_VERIFIER_MIN	43
#define OIDC_VERIFIER_MAX	128

struct oidc_issued {
	char	access[OIDC_ACCESS_MAX];
	char	refresh[OIDC_TOKEN_LEN + 8];
	char	family[OAUTH_FAMILY_LEN + 1];
};

static int	oidc_scope_subset(const char *, const char *);
static int	oidc_pkce_ok(const char *, const char *);
static json_t	*oidc_id_token(struct oidc_ctx *, const struct client *,
		    const struct oauth_grant *, const char *, const char *);
static int	oidc_issue(struct oidc_ctx *, struct store_txn *,
		    const struct client *, const struct oauth_grant *,
		    const char *, const char *, int, const char *,
		    struct oidc_issued *, struct oidc_response *);
static void	oidc_grant_fail(struct oidc_issued *, struct oidc_response *);
static void	oidc_grant_finish(struct oidc_ctx *, struct store_txn *,
		    const struct client *, const struct oauth_grant *,
		    const char *, const char *, int, const char *,
		    const struct oidc_token_in *, struct oidc_response *);
static void	oidc_answer_json(struct oidc_response *, json_t *);
static int	oidc_token_plausible(const char *);
static void	oidc_grant_code(struct oidc_ctx *, const struct client *,
		    const struct oidc_token_in *, struct oidc_response *);
static void	oidc_grant_refresh(struct oidc_ctx *, const struct client *,
		    const struct oidc_token_in *, struct oidc_response *);
static void	oidc_grant_credentials(struct oidc_ctx *,
		    const struct client *, const struct oidc_token_in *,
		    struct oidc_response *);
static int	oidc_scope_about_users(const char *);
static int	oidc_token_live(struct oidc_ctx *, struct store_txn *,
		    const char *, struct oauth_token *);
static void	oidc_user_claims(json_t *, const struct client *,
		    const struct user *, const char *);
static void	oidc_audit(struct store_txn *, const char *, const char *,
		    const char *, const char *, struct oidc_ctx *,
		    const char *);
static int	oidc_token_request(struct oidc_ctx *,
		    const struct oidc_token_in *, const struct client **,
		    struct oidc_response *);

/* 1 when every scope of want is in have (RFC 6749 §6). */
static int
oidc_scope_subset(const char *want, const char *have)
{
	const char	*p, *end;
	char		 word[OAUTH_SCOPE_MAX];

	if (want[0] == '\0' || want[0] == ' ')
		return (0);
	for (p = want; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, " ");
		if (end == p || (size_t)(end - p) >= sizeof(word))
			return (0);
		memcpy(word, p, end - p);
		word[end - p] = '\0';
		if (!oidc_scope_has(have, word))
			return (0);
	}
	return (1);
}

/* RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge. */
static int
oidc_pkce_ok(const char *verifier, const char *challenge)
{
	unsigned char	digest[CRYPTO_SHA256_LEN];
	char		b64[4 * ((CRYPTO_SHA256_LEN + 2) / 3) + 1];
	size_t		len;

	len = strlen(verifier);
	if (len < OIDC_VERIFIER_MIN || len > OIDC_VERIFIER_MAX ||
	    strspn(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst"
	    "uvwxyz0123456789-._~") != len)
		return (0);
	crypto_sha256(verifier, len, digest);
	crypto_b64url_encode(digest, sizeof(digest), b64, sizeof(b64));
	return (crypto_str_equal(b64, challenge));
}

static void
oidc_audit(struct store_txn *txn, const char *event, const char *user,
    const char *client, const char *outcome, struct oidc_ctx *ctx,
    const char *more)
{
	char	detail[256];

	snprintf(detail, sizeof(detail), "client=%s addr=%s%s%s", client,
	    ctx->addr, more != NULL ? " " : "", more != NULL ? more : "");
	audit_write(txn, event, user, client, outcome, detail);
}

/*
 * amr (RFC 8176) of a grant: the X.1280 out-of-band approval is signed
 * by the device key after the PIN or biometric check on the device.
 */
static json_t *
oidc_amr(const struct oauth_grant *g)
{
	if (strcmp(g->amr, "oob") == 0)
		return (json_pack("[sss]", "oob", "swk", "mfa"));
	return (json_pack("[s]", g->amr));
}

/*
 * RFC 9068 §2.2: the access token as a signed JWT (typ at+jwt) for
 * resource, else the client's first. A token of client_credentials is
 * about the client itself: its sub is the client ID. It is also stored
 * like an opaque token, so introspection and revocation work the same.
 * @return 0, or -1 when it cannot be made or does not fit out.
 */
static int
oidc_access_jwt(struct oidc_ctx *ctx, const struct client *c,
    const struct oauth_grant *g, const char *resource, uint64_t expires,
    char *out, size_t outlen)
{
	json_t		*t;
	char		 sub[OIDC_SUB_MAX], jti[OIDC_TOKEN_LEN + 8], *jwt;
	const char	*subject;
	int		 rc;

	subject = c->id;
	if (g->user_id[0] != '\0') {
		oidc_subject(ctx->op, c, g->user_id, sub, sizeof(sub));
		subject = sub;
	}
	if (oidc_random_token(jti, sizeof(jti)) == -1)
		return (-1);
	t = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s}",
	    "iss", ctx->op->cfg->base_url,
	    "sub", subject,
	    "aud", resource != NULL ? resource : c->resources[0],
	    "client_id", c->id,
	    "exp", (json_int_t)expires,
	    "iat", (json_int_t)ctx->now,
	    "jti", jti,
	    "scope", g->scope);
	if (t == NULL)
		return (-1);
	/* §2.2.1: how the user signed in, when a user did. */
	if (g->user_id[0] != '\0' && (json_object_set_new(t, "auth_time",
	    json_integer((json_int_t)g->auth_time)) == -1 ||
	    json_object_set_new(t, "acr",
	    json_string(oidc_acr(ctx->op, g->loa))) == -1 ||
	    json_object_set_new(t, "amr", oidc_amr(g)) == -1)) {
		json_decref(t);
		return (-1);
	}
	jwt = jose_sign(jose_keyset_signer(&ctx->op->keys, c->id_token_alg),
	    t, "at+jwt");
	json_decref(t);
	rc = jwt != NULL && strlen(jwt) < outlen ? 0 : -1;
	if (rc == 0)
		strcpy(out, jwt);
	free(jwt);
	return (rc);
}

/* OpenID Connect Core §2, §3.1.3.6. nonce and access may be NULL. */
static json_t *
oidc_id_token(struct oidc_ctx *ctx, const struct client *c,
    const struct oauth_grant *g, const char *nonce, const char *access)
{
	json_t	*t;
	char	 sub[OIDC_SUB_MAX], half[JOSE_HALF_HASH_LEN + 1];

	oidc_subject(ctx->op, c, g->user_id, sub, sizeof(sub));
	t = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}",
	    "iss", ctx->op->cfg->base_url,
	    "sub", sub,
	    "aud", c->id,
	    "exp", (json_int_t)(ctx->now + OIDC_ID_TOKEN_LIFETIME),
	    "iat", (json_int_t)ctx->now,
	    "auth_time", (json_int_t)g->auth_time,
	    "acr", oidc_acr(ctx->op, g->loa),
	    "amr", oidc_amr(g));
	if (t == NULL)
		return (NULL);
	if (nonce != NULL && nonce[0] != '\0')
		json_object_set_new(t, "nonce", json_string(nonce));
	if (access != NULL) {
		jose_half_hash(access, half);
		json_object_set_new(t, "at_hash", json_string(half));
	}
	return (t);
}

/*
 * Issues an access token (a JWT for resource when the client takes
 * them) and a refresh token when refresh, in family, and fills resp with
 * the token response. @return 0 or -1.
 */
static int
oidc_issue(struct oidc_ctx *ctx, struct store_txn *txn,
    const struct client *c, const struct oauth_grant *g, const char *family,
    const char *nonce, int refresh, const char *resource,
    struct oidc_issued *out, struct oidc_response *resp)
{
	struct oauth_family	 f;
	struct oauth_token	 t;
	json_t			*doc, *claims;
	char			*id_token;
	int			 rc;

	memset(resp, 0, sizeof(*resp));
	if (store_oauth_family_get(txn, family, &f) != 0)
		return (-1);
	memset(&t, 0, sizeof(t));
	t.type = OAUTH_TOKEN_ACCESS;
	t.g = *g;
	strcpy(t.family, family);
	t.issued = ctx->now;
	t.expires = ctx->now + OIDC_ACCESS_LIFETIME;
	if (t.expires > f.expires)
		t.expires = f.expires;
	if ((c->at_jwt ? oidc_access_jwt(ctx, c, g, resource, t.expires,
	    out->access, sizeof(out->access)) :
	    oidc_random_token(out->access, sizeof(out->access))) == -1 ||
	    (refresh && oidc_random_token(out->refresh,
	    sizeof(out->refresh)) == -1))
		return (-1);
	store_oauth_token_put(txn, out->access, &t);
	if (refresh) {
		t.type = OAUTH_TOKEN_REFRESH;
		t.expires = f.expires;
		store_oauth_token_put(txn, out->refresh, &t);
	}

	doc = json_pack("{s:s, s:s, s:I, s:s}", "access_token", out->access,
	    "token_type", "Bearer", "expires_in",
	    (json_int_t)(t.issued + OIDC_ACCESS_LIFETIME > f.expires ?
	    f.expires - t.issued : OIDC_ACCESS_LIFETIME), "scope", g->scope);
	if (doc == NULL)
		return (-1);
	if (refresh)
		json_object_set_new(doc, "refresh_token",
		    json_string(out->refresh));
	rc = 0;
	if (oidc_scope_has(g->scope, "openid")) {
		claims = oidc_id_token(ctx, c, g, nonce, out->access);
		id_token = claims == NULL ? NULL : jose_sign(
		    jose_keyset_signer(&ctx->op->keys, c->id_token_alg),
		    claims, "JWT");
		json_decref(claims);
		if (id_token == NULL)
			rc = -1;
		else
			json_object_set_new(doc, "id_token",
			    json_string(id_token));
		free(id_token);
	}
	resp->status = 200;
	resp->body = rc == 0 ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return (resp->body == NULL ? -1 : 0);
}

/*
 * The end of a grant that failed once tokens were being made (its
 * transaction ended): drops the half-built answer, wipes the tokens and
 * answers server_error.
 */
static void
oidc_grant_fail(struct oidc_issued *out, struct oidc_response *resp)
{
	free(resp->body);
	OPENSSL_cleanse(out, sizeof(*out));
	oidc_response_error(resp, 500, OIDC_SERVER_ERROR, NULL);
}

/* Answers 200 with the JSON object o (consumed), or server_error. */
static void
oidc_answer_json(struct oidc_response *resp, json_t *o)
{
	resp->status = 200;
	resp->body = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (resp->body == NULL)
		oidc_response_error(resp, 500, OIDC_SERVER_ERROR, NULL);
}

/*
 * The end every grant shares: issues the tokens in txn, audits them as
 * "oauth.token" by actor with grant=<grant>, and commits; ends txn. A
 * failure answers server_error and leaves nothing issued.
 */
static void
oidc_grant_finish(struct oidc_ctx *ctx, struct store_txn *txn,
    const struct client *c, const struct oauth_grant *g, const char *family,
    const char *nonce, int refresh, const char *actor,
    const struct oidc_token_in *in, struct oidc_response *resp)
{
	struct oidc_issued	out;
	char			more[40];

	memset(&out, 0, sizeof(out));
	snprintf(more, sizeof(more), "grant=%s", in->grant_type);
	if (oidc_issue(ctx, txn, c, g, family, nonce, refresh, in->resource,
	    &out, resp) == -1) {
		store_txn_abort(txn);
		oidc_grant_fail(&out, resp);
		return;
	}
	oidc_audit(txn, "oauth.token", actor, c->id, "issued", ctx, more);
	if (store_txn_commit(txn) == -1)
		oidc_grant_fail(&out, resp);
	OPENSSL_cleanse(&out, sizeof(out));
}

static void
oidc_grant_code(struct oidc_ctx *ctx, const struct client *c,
    const struct oidc_token_in *in, struct oidc_response *resp)
{
	struct store_txn	txn;
	struct oauth_code	code;
	struct oauth_family	f;
	struct oidc_issued	out;
	struct user		u;
	const char		*why;
	int			rc;

	memset(&out, 0, sizeof(out));
	if (in->code == NULL || in->redirect_uri == NULL) {
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "code and redirect_uri are required");
		return;
	}
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		goto fail;
	rc = store_oauth_code_get(&txn, in->code, &code);
	if (rc == -1)
		goto fail;
	why = NULL;
	if (rc == STORE_NOTFOUND)
		why = "unknown code";
	else if (code.used) {
		/* RFC 6749 §4.1.2: revoke what the code already issued. */
		store_oauth_family_revoke(&txn, code.family);
		oidc_audit(&txn, "oauth.code_replay", code.g.user_id,
		    c->id, "revoked", ctx, code.family);
		why = "code already used";
	} else if (code.expires <= ctx->now)
		why = "code expired";
	else if (strcmp(code.g.client_id, c->id) != 0)
		why = "code issued to another client";
	else if (strcmp(code.redirect_uri, in->redirect_uri) != 0)
		why = "redirect_uri differs from the authorization request";
	else if (code.challenge[0] != '\0' && (in->code_verifier == NULL ||
	    !oidc_pkce_ok(in->code_verifier, code.challenge)))
		why = "PKCE verification failed";
	else if (code.challenge[0] == '\0' && in->code_verifier != NULL)
		why = "code_verifier without code_challenge";
	else if (store_user_get(&txn, code.g.user_id, &u) != 0 ||
	    (u.flags & USER_DISABLED))
		why = "account disabled";
	OPENSSL_cleanse(&u, sizeof(u));
	if (why != NULL) {
		if (rc == 0 && code.used)
			store_txn_commit(&txn);
		else
			store_txn_abort(&txn);
		oidc_response_error(resp, 400, OIDC_INVALID_GRANT, why);
		return;
	}

	memset(&f, 0, sizeof(f));
	if (crypto_random_hex(f.id, sizeof(f.id), OAUTH_FAMILY_LEN / 2) == -1)
		goto fail_txn;
	strcpy(f.client_id, c->id);
	strcpy(f.user_id, code.g.user_id);
	f.expires = ctx->now + (c->refresh ? OIDC_REFRESH_LIFETIME :
	    OIDC_ACCESS_LIFETIME);
	store_oauth_family_put(&txn, &f);
	code.used = 1;
	strcpy(code.family, f.id);
	store_oauth_code_put(&txn, in->code, &code);
	oidc_grant_finish(ctx, &txn, c, &code.g, f.id, code.nonce, c->refresh,
	    code.g.user_id, in, resp);
	return;

fail_txn:
	store_txn_abort(&txn);
fail:
	oidc_grant_fail(&out, resp);
}

static void
oidc_grant_refresh(struct oidc_ctx *ctx, const struct client *c,
    const struct oidc_token_in *in, struct oidc_response *resp)
{
	struct store_txn	txn;
	struct oauth_token	old;
	struct oauth_family	f;
	struct oauth_grant	g;
	struct oidc_issued	out;
	struct user		u;
	const char		*why;
	int			rc;

	memset(&out, 0, sizeof(out));
	if (in->refresh_token == NULL) {
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "refresh_token is required");
		return;
	}
	if (!c->refresh) {
		oidc_response_error(resp, 400, OIDC_UNAUTHORIZED_CLIENT,
		    "the client is not registered for refresh_token");
		return;
	}
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		goto fail;
	rc = store_oauth_token_get(&txn, in->refresh_token, ctx->now, &old);
	if (rc == -1)
		goto fail_txn;
	why = NULL;
	if (rc == STORE_NOTFOUND || old.type != OAUTH_TOKEN_REFRESH)
		why = "unknown or expired refresh token";
	else if (strcmp(old.g.client_id, c->id) != 0)
		why = "refresh token issued to another client";
	else if ((rc = store_oauth_family_get(&txn, old.family, &f)) != 0 ||
	    f.revoked || f.expires <= ctx->now)
		why = "refresh token revoked";
	else if (old.used) {
		/* Reuse of a rotated token: someone else holds the family. */
		store_oauth_family_revoke(&txn, old.family);
		oidc_audit(&txn, "oauth.refresh_reuse", old.g.user_id, c->id,
		    "revoked", ctx, old.family);
		why = "refresh token already used";
	} else if (in->scope != NULL &&
	    !oidc_scope_subset(in->scope, old.g.scope)) {
		store_txn_abort(&txn);
		oidc_response_error(resp, 400, OIDC_INVALID_SCOPE,
		    "scope exceeds the original grant");
		return;
	} else if (store_user_get(&txn, old.g.user_id, &u) != 0 ||
	    (u.flags & USER_DISABLED)) {
		store_oauth_family_revoke(&txn, old.family);
		why = "account disabled";
	}
	OPENSSL_cleanse(&u, sizeof(u));
	if (why != NULL) {
		if (store_txn_commit(&txn) == -1)
			goto fail;
		oidc_response_error(resp, 400, OIDC_INVALID_GRANT, why);
		return;
	}

	old.used = 1;
	store_oauth_token_put(&txn, in->refresh_token, &old);
	g = old.g;
	if (in->scope != NULL)
		snprintf(g.scope, sizeof(g.scope), "%s", in->scope);
	/* A consent withdrawn on the account page ends the grant too. */
	if ((rc = oidc_consent_holds(ctx, &txn, c, g.user_id, g.scope)) != 1) {
		if (rc == -1)
			goto fail_txn;
		store_oauth_family_revoke(&txn, old.family);
		if (store_txn_commit(&txn) == -1)
			goto fail;
		oidc_response_error(resp, 400, OIDC_INVALID_GRANT,
		    "the user withdrew the consent");
		return;
	}
	/* OIDC Core §12.2: same sub and auth_time, no nonce. */
	oidc_grant_finish(ctx, &txn, c, &g, old.family, NULL, 1, g.user_id,
	    in, resp);
	return;

fail_txn:
	store_txn_abort(&txn);
fail:
	oidc_grant_fail(&out, resp);
}

/* 1 when list has a scope that asks for a user's identity or claims. */
static int
oidc_scope_about_users(const char *list)
{
	return (oidc_scope_has(list, "openid") ||
	    oidc_scope_has(list, "profile") || oidc_scope_has(list, "email"));
}

/*
 * RFC 6749 §4.4: a confidential client asks for a token for itself. No
 * user takes part, so neither an ID token nor a refresh token (§4.4.3)
 * is issued, and the scopes about users are not granted. The default
 * scope is the client's registered scopes without those.
 */
static void
oidc_grant_credentials(struct oidc_ctx *ctx, const struct client *c,
    const struct oidc_token_in *in, struct oidc_response *resp)
{
	struct store_txn	txn;
	struct oauth_family	f;
	struct oauth_grant	g;
	struct oidc_issued	out;
	const char		*p, *end;
	char			 word[OAUTH_SCOPE_MAX];
	size_t			 len;

	memset(&out, 0, sizeof(out));
	if (!c->credentials) {
		oidc_response_error(resp, 400, OIDC_UNAUTHORIZED_CLIENT,
		    "the client is not registered for client_credentials");
		return;
	}
	memset(&g, 0, sizeof(g));
	if (in->scope != NULL) {
		if (!oidc_scope_subset(in->scope, c->scope) ||
		    oidc_scope_about_users(in->scope)) {
			oidc_response_error(resp, 400, OIDC_INVALID_SCOPE,
			    "scope is not registered for the client, or is "
			    "about a user");
			return;
		}
		snprintf(g.scope, sizeof(g.scope), "%s", in->scope);
	} else {
		for (p = c->scope; *p != '\0'; p = *end == '\0' ? end :
		    end + 1) {
			end = p + strcspn(p, " ");
			snprintf(word, sizeof(word), "%.*s", (int)(end - p), p);
			len = strlen(g.scope);
			if (word[0] != '\0' && !oidc_scope_about_users(word))
				snprintf(g.scope + len, sizeof(g.scope) - len,
				    "%s%s", len > 0 ? " " : "", word);
		}
	}
	snprintf(g.client_id, sizeof(g.client_id), "%s", c->id);
	snprintf(g.amr, sizeof(g.amr), "client");
	g.auth_time = ctx->now;

	memset(&f, 0, sizeof(f));
	if (crypto_random_hex(f.id, sizeof(f.id), OAUTH_FAMILY_LEN / 2) == -1)
		goto fail;
	strcpy(f.client_id, c->id);
	f.expires = ctx->now + OIDC_ACCESS_LIFETIME;
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		goto fail;
	store_oauth_family_put(&txn, &f);
	oidc_grant_finish(ctx, &txn, c, &g, f.id, NULL, 0, c->id, in, resp);
	return;

fail:
	oidc_grant_fail(&out, resp);
}

void
oidc_token(struct oidc_ctx *ctx, const struct oidc_token_in *in,
    struct oidc_response *resp)
{
	const struct client	*c;

	memset(resp, 0, sizeof(*resp));
	if (in->malformed) {
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "a parameter is repeated, too long or malformed");
		return;
	}
	if (oidc_client_authenticate(ctx, &in->cred, &c, resp) != OIDC_OK)
		return;
	/* RFC 8707 §2: only a resource registered for the client. */
	if (in->resource != NULL && !client_resource(c, in->resource))
		oidc_response_error(resp, 400, OIDC_INVALID_TARGET,
		    "the resource is not registered for the client");
	else if (in->grant_type == NULL)
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "grant_type is required");
	else if (strcmp(in->grant_type, "authorization_code") == 0)
		oidc_grant_code(ctx, c, in, resp);
	else if (strcmp(in->grant_type, "refresh_token") == 0)
		oidc_grant_refresh(ctx, c, in, resp);
	else if (strcmp(in->grant_type, "client_credentials") == 0)
		oidc_grant_credentials(ctx, c, in, resp);
	else
		oidc_response_error(resp, 400, OIDC_UNSUPPORTED_GRANT_TYPE,
		    NULL);
}

/*
 * 1 when token has the length of one mutua issues: an opaque token, or
 * a JWT access token (looked up the same way, by its hash).
 */
static int
oidc_token_plausible(const char *token)
{
	size_t	len;

	len = strlen(token);
	return (len >= OIDC_TOKEN_LEN && len < OIDC_ACCESS_MAX);
}

/*
 * Reads a token that is valid now: unexpired and its family neither
 * revoked nor expired. @return 0, STORE_NOTFOUND, or -1.
 */
static int
oidc_token_live(struct oidc_ctx *ctx, struct store_txn *txn,
    const char *token, struct oauth_token *t)
{
	struct oauth_family	f;
	int			rc;

	if (!oidc_token_plausible(token))
		return (STORE_NOTFOUND);
	if ((rc = store_oauth_token_get(txn, token, ctx->now, t)) != 0)
		return (rc);
	if ((rc = store_oauth_family_get(txn, t->family, &f)) != 0)
		return (rc);
	if (f.revoked || f.expires <= ctx->now ||
	    (t->type == OAUTH_TOKEN_REFRESH && t->used))
		return (STORE_NOTFOUND);
	return (0);
}

/* The claims of the scopes granted, as far as the client may see them. */
static void
oidc_user_claims(json_t *o, const struct client *c, const struct user *u,
    const char *scope)
{
	if (oidc_scope_has(scope, "profile")) {
		if ((c->claims & CLIENT_CLAIM_NAME) && u->display_name[0])
			json_object_set_new(o, "name",
			    json_string(u->display_name));
		if (c->claims & CLIENT_CLAIM_USERNAME)
			json_object_set_new(o, "preferred_username",
			    json_string(u->id));
	}
	if (oidc_scope_has(scope, "email") && (c->claims & CLIENT_CLAIM_EMAIL) &&
	    u->email[0] != '\0')
		json_object_set_new(o, "email", json_string(u->email));
}

void
oidc_userinfo(struct oidc_ctx *ctx, const char *authorization,
    struct oidc_response *resp)
{
	struct store_txn	 txn;
	struct oauth_token	 t;
	struct user		 u;
	const struct client	*c;
	const char		*token;
	json_t			*o;
	char			 sub[OIDC_SUB_MAX];
	int			 rc;

	memset(resp, 0, sizeof(*resp));
	/* RFC 6750 §3: no credentials, no error code. */
	if (authorization == NULL ||
	    strncasecmp(authorization, "Bearer ", 7) != 0) {
		resp->status = 401;
		resp->bearer_challenge = 1;
		resp->body = strdup("{}");
		return;
	}
	token = authorization + 7;
	while (*token == ' ')
		token++;
	if (store_txn_begin(ctx->store, &txn, 0) == -1) {
		oidc_response_error(resp, 500, OIDC_SERVER_ERROR, NULL);
		return;
	}
	rc = oidc_token_live(ctx, &txn, token, &t);
	if (rc == 0 && t.type != OAUTH_TOKEN_ACCESS)
		rc = STORE_NOTFOUND;
	if (rc == 0 && (c = client_find(&ctx->op->clients,
	    t.g.client_id)) == NULL)
		rc = STORE_NOTFOUND;
	if (rc == 0 && (store_user_get(&txn, t.g.user_id, &u) != 0 ||
	    (u.flags & USER_DISABLED)))
		rc = STORE_NOTFOUND;
	store_txn_abort(&txn);
	if (rc != 0) {
		oidc_response_error(resp, 401, OIDC_INVALID_TOKEN,
		    "the access token is invalid, expired or revoked");
		resp->bearer_challenge = 1;
		return;
	}
	if (!oidc_scope_has(t.g.scope, "openid")) {
		OPENSSL_cleanse(&u, sizeof(u));
		oidc_response_error(resp, 403, OIDC_INSUFFICIENT_SCOPE,
		    "the openid scope is required");
		resp->bearer_challenge = 1;
		return;
	}
	oidc_subject(ctx->op, c, u.id, sub, sizeof(sub));
	o = json_pack("{s:s}", "sub", sub);
	if (o != NULL)
		oidc_user_claims(o, c, &u, t.g.scope);
	OPENSSL_cleanse(&u, sizeof(u));
	oidc_answer_json(resp, o);
}

/*
 * The common start of introspection and revocation: a well-formed
 * request from an authenticated client, naming a token.
 * @return 0, or -1 with resp filled.
 */
static int
oidc_token_request(struct oidc_ctx *ctx, const struct oidc_token_in *in,
    const struct client **c, struct oidc_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (in->malformed) {
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "a parameter is repeated, too long or malformed");
		return (-1);
	}
	if (oidc_client_authenticate(ctx, &in->cred, c, resp) != OIDC_OK)
		return (-1);
	if (in->token == NULL) {
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "token is required");
		return (-1);
	}
	return (0);
}

void
oidc_introspect(struct oidc_ctx *ctx, const struct oidc_token_in *in,
    struct oidc_response *resp)
{
	struct store_txn	 txn;
	struct oauth_token	 t;
	const struct client	*c;
	json_t			*o;
	const char		*subject;
	char			 sub[OIDC_SUB_MAX];
	int			 rc;

	if (oidc_token_request(ctx, in, &c, resp) == -1)
		return;
	if (store_txn_begin(ctx->store, &txn, 0) == -1) {
		oidc_response_error(resp, 500, OIDC_SERVER_ERROR, NULL);
		return;
	}
	rc = oidc_token_live(ctx, &txn, in->token, &t);
	store_txn_abort(&txn);
	/* RFC 7662 §2.2: another client's token is simply not active. */
	if (rc != 0 || strcmp(t.g.client_id, c->id) != 0)
		o = json_pack("{s:b}", "active", 0);
	else {
		/* A client_credentials token is about the client itself. */
		subject = c->id;
		if (t.g.user_id[0] != '\0') {
			oidc_subject(ctx->op, c, t.g.user_id, sub, sizeof(sub));
			subject = sub;
		}
		o = json_pack("{s:b, s:s, s:s, s:s, s:s, s:I, s:I, s:s}",
		    "active", 1, "scope", t.g.scope, "client_id", c->id,
		    "sub", subject, "aud", c->id, "exp", (json_int_t)t.expires,
		    "iat", (json_int_t)t.issued, "iss",
		    ctx->op->cfg->base_url);
		if (o != NULL)
			json_object_set_new(o, "token_type", json_string(
			    t.type == OAUTH_TOKEN_ACCESS ? "Bearer" :
			    "refresh_token"));
	}
	oidc_answer_json(resp, o);
}

void
oidc_revoke(struct oidc_ctx *ctx, const struct oidc_token_in *in,
    struct oidc_response *resp)
{
	struct store_txn	 txn;
	struct oauth_token	 t;
	const struct client	*c;
	int			 rc;

	if (oidc_token_request(ctx, in, &c, resp) == -1)
		return;
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		goto fail;
	rc = oidc_token_plausible(in->token) ?
	    store_oauth_token_get(&txn, in->token, ctx->now, &t) :
	    STORE_NOTFOUND;
	if (rc == -1)
		goto fail_txn;
	/*
	 * RFC 7009 §2.2: an unknown token is answered 200 as well. A
	 * refresh token takes its whole grant with it (§2.1, SHOULD).
	 */
	if (rc == 0 && strcmp(t.g.client_id, c->id) == 0) {
		if (t.type == OAUTH_TOKEN_REFRESH)
			store_oauth_family_revoke(&txn, t.family);
		else
			store_oauth_token_del(&txn, in->token);
		oidc_audit(&txn, "oauth.revoke", t.g.user_id, c->id, "ok", ctx,
		    t.type == OAUTH_TOKEN_REFRESH ? "type=refresh_token" :
		    "type=access_token");
	}
	if (store_txn_commit(&txn) == -1)
		goto fail;
	resp->status = 200;
	resp->body = strdup("{}");
	return;

fail_txn:
	store_txn_abort(&txn);
fail:
	oidc_response_error(resp, 500, OIDC_SERVER_ERROR, NULL);
}
