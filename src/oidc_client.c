/*
 * Client authentication at the token, introspection and revocation
 * endpoints: client_secret_basic, client_secret_post (RFC 6749 §2.3.1),
 * private_key_jwt (RFC 7523 §2.2, §3; OIDC Core §9) and none.
 *
 * Secrets are stored as scrypt hashes (crypto_password_hash()). One
 * scrypt verification costs ~94 ms, so after a secret has verified once
 * a worker remembers HMAC(random per-process key, client || secret) and
 * later presentations of the same secret cost one HMAC. The cache holds
 * nothing that would help to recover the secret and is rebuilt on
 * reload. Wrong secrets always pay for scrypt, and failures are rate
 * limited per client and per address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "audit.h"
#include "oidc.h"
#include "ratelimit.h"

#define OIDC_BASIC_MAX		1024
#define OIDC_ASSERTION_TYPE	\
	"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

static const struct ratelimit_rule	OIDC_RATE_CLIENT =
	{ "oauth.client", 20, 600 };
static const struct ratelimit_rule	OIDC_RATE_ADDR =
	{ "oauth.addr", 60, 600 };

static int	oidc_basic_decode(const char *, char *, size_t, char *,
		    size_t);
static int	oidc_form_decode(char *);
static int	oidc_secret_ok(struct oidc_ctx *, const struct client *,
		    const char *);
static int	oidc_assertion_ok(struct oidc_ctx *, const struct client *,
		    const char *, const char *, const char **);
static int	oidc_aud_ok(struct oidc_ctx *, json_t *, const char *);
static int	oidc_limited(struct oidc_ctx *, const char *, uint32_t *);
static void	oidc_auth_failed(struct oidc_ctx *, const char *,
		    const char *);

/* RFC 6749 §2.3.1: both parts are form-urlencoded before Basic. */
static int
oidc_form_decode(char *s)
{
	char	*in, *out;
	int	 hi, lo;

	for (in = out = s; *in != '\0'; in++) {
		if (*in == '+')
			*out++ = ' ';
		else if (*in == '%') {
			if ((hi = OPENSSL_hexchar2int((unsigned char)in[1])) < 0 ||
			    (lo = OPENSSL_hexchar2int((unsigned char)in[2])) < 0 ||
			    (hi << 4 | lo) < 0x20 || (hi << 4 | lo) == 0x7f)
				return (-1);
			*out++ = (char)(hi << 4 | lo);
			in += 2;
		} else
			*out++ = *in;
	}
	*out = '\0';
	return (0);
}

/* Splits "Basic base64(id:secret)" into id and secret. */
static int
oidc_basic_decode(const char *header, char *id, size_t idlen, char *secret,
    size_t secretlen)
{
	unsigned char	raw[OIDC_BASIC_MAX];
	char		*colon;
	const char	*b64;
	int		 n;

	b64 = header + 6;
	while (*b64 == ' ')
		b64++;
	if (strlen(b64) >= sizeof(raw) ||
	    (n = EVP_DecodeBlock(raw, (const unsigned char *)b64,
	    (int)strlen(b64))) <= 0)
		return (-1);
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	if (strlen(b64) >= 1 && b64[strlen(b64) - 1] == '=')
		n--;
	if (strlen(b64) >= 2 && b64[strlen(b64) - 2] == '=')
		n--;
	raw[n] = '\0';
	if (memchr(raw, '\0', (size_t)n) != NULL ||
	    (colon = strchr((char *)raw, ':')) == NULL)
		goto bad;
	*colon = '\0';
	if (strlen((char *)raw) >= idlen || strlen(colon + 1) >= secretlen)
		goto bad;
	strcpy(id, (char *)raw);
	strcpy(secret, colon + 1);
	OPENSSL_cleanse(raw, sizeof(raw));
	if (oidc_form_decode(id) == -1 || oidc_form_decode(secret) == -1)
		return (-1);
	return (0);
bad:
	OPENSSL_cleanse(raw, sizeof(raw));
	return (-1);
}

static int
oidc_secret_ok(struct oidc_ctx *ctx, const struct client *c,
    const char *secret)
{
	struct oidc_secret_slot	*slot;
	unsigned char		 mac[CRYPTO_SHA256_LEN];
	char			 data[CLIENT_ID_MAX + OIDC_BASIC_MAX];
	unsigned int		 len;
	size_t			 idlen, slen;
	int			 ok;

	slot = &ctx->op->secrets[c - ctx->op->clients.clients];
	idlen = strlen(c->id) + 1;
	slen = strlen(secret);
	if (slen >= OIDC_BASIC_MAX)
		return (0);
	memcpy(data, c->id, idlen);
	memcpy(data + idlen, secret, slen);
	len = sizeof(mac);
	ok = HMAC(EVP_sha256(), ctx->op->cache_key,
	    sizeof(ctx->op->cache_key), (const unsigned char *)data,
	    idlen + slen, mac, &len) != NULL;
	OPENSSL_cleanse(data, sizeof(data));
	if (!ok)
		return (0);
	if (slot->set && crypto_equal(slot->mac, mac, sizeof(mac)))
		return (1);
	ok = crypto_password_verify(secret, c->secret_hash);
	if (ok) {
		memcpy(slot->mac, mac, sizeof(mac));
		slot->set = 1;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	return (ok);
}

/* RFC 7523 §3: aud identifies the server: issuer or endpoint URL. */
static int
oidc_aud_ok(struct oidc_ctx *ctx, json_t *aud, const char *endpoint)
{
	char		 token_url[CONFIG_URL_MAX + 32];
	const char	*s;
	json_t		*v;
	size_t		 i;

	snprintf(token_url, sizeof(token_url), "%s/oauth2/token",
	    ctx->op->cfg->base_url);
	if (json_is_string(aud)) {
		s = json_string_value(aud);
		return (strcmp(s, ctx->op->cfg->base_url) == 0 ||
		    strcmp(s, token_url) == 0 ||
		    (endpoint != NULL && strcmp(s, endpoint) == 0));
	}
	if (!json_is_array(aud) || json_array_size(aud) > 8)
		return (0);
	json_array_foreach(aud, i, v) {
		if (json_is_string(v) && oidc_aud_ok(ctx, v, endpoint))
			return (1);
	}
	return (0);
}

/*
 * Verifies a client assertion signed with one of the client's keys and
 * records its jti. *why says what failed (for the audit, not the client).
 */
static int
oidc_assertion_ok(struct oidc_ctx *ctx, const struct client *c,
    const char *assertion, const char *endpoint, const char **why)
{
	struct store_txn	 txn;
	json_t			*claims, *v;
	const char		*iss, *sub, *jti;
	char			 err[JOSE_ERR_MAX];
	json_int_t		 exp, t;
	uint64_t		 skew;
	int			 rc;

	skew = ctx->op->cfg->clock_skew;
	if ((claims = jose_verify(assertion, c->keys, c->nkeys, JOSE_ALG_NONE,
	    err, sizeof(err))) == NULL) {
		*why = "assertion signature";
		return (0);
	}
	rc = 0;
	iss = json_string_value(json_object_get(claims, "iss"));
	sub = json_string_value(json_object_get(claims, "sub"));
	jti = json_string_value(json_object_get(claims, "jti"));
	v = json_object_get(claims, "exp");
	if (iss == NULL || sub == NULL || strcmp(iss, c->id) != 0 ||
	    strcmp(sub, c->id) != 0) {
		*why = "assertion iss/sub";
		goto out;
	}
	if (!oidc_aud_ok(ctx, json_object_get(claims, "aud"), endpoint)) {
		*why = "assertion aud";
		goto out;
	}
	if (!json_is_integer(v) || (exp = json_integer_value(v)) <= 0 ||
	    (uint64_t)exp + skew <= ctx->now ||
	    (uint64_t)exp > ctx->now + OIDC_ASSERTION_MAX_LIFE + skew) {
		*why = "assertion exp";
		goto out;
	}
	if ((v = json_object_get(claims, "nbf")) != NULL &&
	    (!json_is_integer(v) || (t = json_integer_value(v)) < 0 ||
	    (uint64_t)t > ctx->now + skew)) {
		*why = "assertion nbf";
		goto out;
	}
	if ((v = json_object_get(claims, "iat")) != NULL &&
	    (!json_is_number(v) || json_number_value(v) >
	    (double)(ctx->now + skew))) {
		*why = "assertion iat";
		goto out;
	}
	if (jti == NULL || jti[0] == '\0' || strlen(jti) > OIDC_JTI_MAX) {
		*why = "assertion jti";
		goto out;
	}
	/* RFC 7523 §3 item 7: a jti is used once. */
	if (store_txn_begin(ctx->store, &txn, 1) == -1) {
		*why = "store";
		goto out;
	}
	rc = store_oauth_jti_add(&txn, c->id, jti, (uint64_t)exp + skew,
	    ctx->now);
	if (store_txn_commit(&txn) == -1 || rc != 0) {
		*why = rc == STORE_EXISTS ? "assertion replayed" : "store";
		rc = 0;
		goto out;
	}
	rc = 1;

out:
	json_decref(claims);
	return (rc);
}

/* @return 1 when client or address is over its failure limit. */
static int
oidc_limited(struct oidc_ctx *ctx, const char *client_id,
    uint32_t *retry_after)
{
	struct store_txn	txn;
	int			a, b;

	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (0);
	a = ratelimit_check(&txn, &OIDC_RATE_CLIENT, client_id, ctx->now,
	    retry_after);
	b = a == 1 ? 0 : ratelimit_check(&txn, &OIDC_RATE_ADDR, ctx->addr,
	    ctx->now, retry_after);
	store_txn_abort(&txn);
	return (a == 1 || b == 1);
}

static void
oidc_auth_failed(struct oidc_ctx *ctx, const char *client_id,
    const char *why)
{
	struct store_txn	txn;
	char			detail[160];

	snprintf(detail, sizeof(detail), "reason=\"%s\" addr=%s", why,
	    ctx->addr);
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return;
	ratelimit_hit(&txn, &OIDC_RATE_CLIENT, client_id, ctx->now, NULL);
	ratelimit_hit(&txn, &OIDC_RATE_ADDR, ctx->addr, ctx->now, NULL);
	audit_write(&txn, "oauth.client_auth", client_id, client_id, "failed",
	    detail);
	store_txn_commit(&txn);
}

enum oidc_error
oidc_client_authenticate(struct oidc_ctx *ctx, const struct oidc_cred *cred,
    const struct client **out, struct oidc_response *resp)
{
	const struct client	*c;
	enum client_auth	 method;
	char			 id[CLIENT_ID_MAX], secret[OIDC_BASIC_MAX];
	const char		*why, *secret_in;
	int			 basic, n, ok;
	uint32_t		 retry;

	*out = NULL;
	id[0] = secret[0] = '\0';
	secret_in = NULL;
	basic = cred->authorization != NULL &&
	    strncasecmp(cred->authorization, "Basic ", 6) == 0;

	/* RFC 6749 §2.3: exactly one authentication method per request. */
	n = basic + (cred->client_secret != NULL) + (cred->assertion != NULL);
	if (n > 1) {
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "more than one client authentication method");
		return (OIDC_INVALID_REQUEST);
	}
	if (basic) {
		method = CLIENT_AUTH_SECRET_BASIC;
		if (oidc_basic_decode(cred->authorization, id, sizeof(id),
		    secret, sizeof(secret)) == -1) {
			oidc_response_error(resp, 401, OIDC_INVALID_CLIENT,
			    "malformed Basic credentials");
			resp->basic_challenge = 1;
			return (OIDC_INVALID_CLIENT);
		}
		secret_in = secret;
	} else if (cred->assertion != NULL) {
		method = CLIENT_AUTH_PRIVATE_KEY_JWT;
		if (cred->assertion_type == NULL ||
		    strcmp(cred->assertion_type, OIDC_ASSERTION_TYPE) != 0) {
			oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
			    "client_assertion_type must be " OIDC_ASSERTION_TYPE);
			return (OIDC_INVALID_REQUEST);
		}
		/*
		 * Without client_id the assertion's iss names the client;
		 * it is read unverified only to find the keys to verify it.
		 */
		if (cred->client_id == NULL &&
		    jose_peek_claim(cred->assertion, "iss", id,
		    sizeof(id)) == -1)
			id[0] = '\0';
	} else {
		method = cred->client_secret != NULL ?
		    CLIENT_AUTH_SECRET_POST : CLIENT_AUTH_NONE;
		secret_in = cred->client_secret;
	}
	if (id[0] == '\0' && cred->client_id != NULL)
		snprintf(id, sizeof(id), "%s", cred->client_id);
	if (cred->client_id != NULL && strcmp(cred->client_id, id) != 0) {
		OPENSSL_cleanse(secret, sizeof(secret));
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "client_id does not match the credentials");
		return (OIDC_INVALID_REQUEST);
	}
	if (id[0] == '\0') {
		oidc_response_error(resp, 401, OIDC_INVALID_CLIENT,
		    "client authentication is required");
		resp->basic_challenge = basic;
		return (OIDC_INVALID_CLIENT);
	}

	if (oidc_limited(ctx, id, &retry)) {
		OPENSSL_cleanse(secret, sizeof(secret));
		oidc_response_error(resp, 429, OIDC_SLOW_DOWN,
		    "too many failed client authentications; retry later");
		resp->retry_after = retry;
		return (OIDC_SLOW_DOWN);
	}

	why = NULL;
	ok = 0;
	if ((c = client_find(&ctx->op->clients, id)) == NULL)
		why = "unknown client";
	else if (c->auth != method)
		why = "not the registered authentication method";
	else if (method == CLIENT_AUTH_SECRET_BASIC ||
	    method == CLIENT_AUTH_SECRET_POST) {
		ok = oidc_secret_ok(ctx, c, secret_in);
		why = "wrong secret";
	} else if (method == CLIENT_AUTH_PRIVATE_KEY_JWT)
		ok = oidc_assertion_ok(ctx, c, cred->assertion,
		    cred->endpoint, &why);
	else
		ok = 1;		/* public client: PKCE binds the code */
	OPENSSL_cleanse(secret, sizeof(secret));
	if (!ok) {
		oidc_auth_failed(ctx, id, why);
		oidc_response_error(resp, 401, OIDC_INVALID_CLIENT,
		    "client authentication failed");
		resp->basic_challenge = basic;
		return (OIDC_INVALID_CLIENT);
	}
	*out = c;
	return (OIDC_OK);
}
