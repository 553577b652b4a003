/*
 * JWS signing and verification, and keys (jose_keyset.c: key sets).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto.h"
#include "jose.h"

#define JOSE_HEADER_MAX		1024	/* decoded protected header */
#define JOSE_RSA_MIN_BYTES	256	/* 2048 bits */
#define JOSE_RSA_MAX_BYTES	512	/* 4096 bits */
#define JOSE_EC_COORD_LEN	32	/* P-256 */
#define JOSE_ES256_SIG_LEN	64	/* r || s */

struct jose_rsa_parts {
	unsigned char	*v[8];		/* n e d p q dp dq qi */
	size_t		 len[8];
};

static int	jose_no_passphrase(char *, int, int, void *);
static int	jose_file_secret(FILE *, const char *, char *, size_t);
static int	jose_from_ec(EVP_PKEY *, int, struct jose_key *, char *,
		    size_t);
static int	jose_from_rsa(EVP_PKEY *, int, struct jose_key *, char *,
		    size_t);
static int	jose_ec_build(const unsigned char *, const unsigned char *,
		    const unsigned char *, struct jose_key *, char *, size_t);
static int	jose_rsa_build(struct jose_rsa_parts *, struct jose_key *,
		    char *, size_t);
static int	jose_thumbprint(struct jose_key *, const char *, ...);
static int	jose_b64_member(json_t *, const char *, unsigned char *,
		    size_t, size_t, size_t *);

const char *
jose_alg_name(enum jose_alg alg)
{
	switch (alg) {
	case JOSE_ALG_ES256:
		return ("ES256");
	case JOSE_ALG_RS256:
		return ("RS256");
	default:
		return (NULL);
	}
}

enum jose_alg
jose_alg_parse(const char *name)
{
	if (name == NULL)
		return (JOSE_ALG_NONE);
	if (strcmp(name, "ES256") == 0)
		return (JOSE_ALG_ES256);
	if (strcmp(name, "RS256") == 0)
		return (JOSE_ALG_RS256);
	return (JOSE_ALG_NONE);
}

/* An encrypted key file is refused rather than prompting on a terminal. */
static int
jose_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return (0);
}

/* OpenSMTPD check_file_secrecy(): a private key is for the owner only. */
static int
jose_file_secret(FILE *fp, const char *path, char *err, size_t errlen)
{
	struct stat	st;

	if (fstat(fileno(fp), &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return (-1);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "%s: readable by group or others "
		    "(chmod 600)", path);
		return (-1);
	}
	return (0);
}

int
jose_key_load_pem(const char *path, int public_only, struct jose_key *key,
    char *err, size_t errlen)
{
	FILE		*fp;
	EVP_PKEY	*pkey;
	int		 rc;

	memset(key, 0, sizeof(*key));
	rc = -1;
	pkey = NULL;
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (jose_file_secret(fp, path, err, errlen) == -1)
		goto out;
	if ((pkey = PEM_read_PrivateKey(fp, NULL, jose_no_passphrase,
	    NULL)) == NULL) {
		snprintf(err, errlen, "%s: not an unencrypted PEM private key",
		    path);
		goto out;
	}
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		rc = jose_from_ec(pkey, public_only, key, err, errlen);
		break;
	case EVP_PKEY_RSA:
		rc = jose_from_rsa(pkey, public_only, key, err, errlen);
		break;
	default:
		snprintf(err, errlen, "key type is neither EC nor RSA");
		break;
	}
	if (rc == -1) {
		/* Prefix the file name to the reason. */
		char	reason[JOSE_ERR_MAX];

		snprintf(reason, sizeof(reason), "%s", err);
		if (strncmp(reason, path, strlen(path)) != 0)
			snprintf(err, errlen, "%s: %s", path, reason);
	}

out:
	EVP_PKEY_free(pkey);
	fclose(fp);
	return (rc);
}

static int
jose_from_ec(EVP_PKEY *pkey, int public_only, struct jose_key *key,
    char *err, size_t errlen)
{
	BIGNUM		*x, *y, *d;
	unsigned char	 bx[JOSE_EC_COORD_LEN], by[JOSE_EC_COORD_LEN];
	unsigned char	 bd[JOSE_EC_COORD_LEN];
	char		 group[64];
	size_t		 glen;
	int		 rc;

	x = y = d = NULL;
	rc = -1;
	if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen) || strcmp(group, "prime256v1") != 0) {
		snprintf(err, errlen, "EC key is not on P-256 (ES256)");
		return (-1);
	}
	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) ||
	    BN_bn2binpad(x, bx, sizeof(bx)) != sizeof(bx) ||
	    BN_bn2binpad(y, by, sizeof(by)) != sizeof(by) ||
	    BN_bn2binpad(d, bd, sizeof(bd)) != sizeof(bd)) {
		snprintf(err, errlen, "cannot read the EC key parameters");
		goto out;
	}
	rc = jose_ec_build(bx, by, public_only ? NULL : bd, key, err, errlen);

out:
	OPENSSL_cleanse(bd, sizeof(bd));
	BN_free(x);
	BN_free(y);
	BN_clear_free(d);
	return (rc);
}

/* Builds an ES256 key from raw coordinates (and scalar, when d != NULL). */
static int
jose_ec_build(const unsigned char *x, const unsigned char *y,
    const unsigned char *d, struct jose_key *key, char *err, size_t errlen)
{
	cjose_jwk_ec_keyspec	spec;
	cjose_err		cerr;
	char			ex[64], ey[64];

	memset(&spec, 0, sizeof(spec));
	spec.crv = CJOSE_JWK_EC_P_256;
	spec.x = (uint8_t *)(uintptr_t)x;
	spec.xlen = JOSE_EC_COORD_LEN;
	spec.y = (uint8_t *)(uintptr_t)y;
	spec.ylen = JOSE_EC_COORD_LEN;
	if (d != NULL) {
		spec.d = (uint8_t *)(uintptr_t)d;
		spec.dlen = JOSE_EC_COORD_LEN;
	}
	/* cjose checks that the point is on the curve. */
	if ((key->jwk = cjose_jwk_create_EC_spec(&spec, &cerr)) == NULL) {
		snprintf(err, errlen, "invalid EC key: %s", cerr.message);
		return (-1);
	}
	key->alg = JOSE_ALG_ES256;
	key->can_sign = d != NULL;
	crypto_b64url_encode(x, JOSE_EC_COORD_LEN, ex, sizeof(ex));
	crypto_b64url_encode(y, JOSE_EC_COORD_LEN, ey, sizeof(ey));
	if (jose_thumbprint(key, "{\"crv\":\"P-256\",\"kty\":\"EC\","
	    "\"x\":\"%s\",\"y\":\"%s\"}", ex, ey) == -1) {
		snprintf(err, errlen, "cannot compute the key ID");
		jose_key_free(key);
		return (-1);
	}
	return (0);
}

static int
jose_from_rsa(EVP_PKEY *pkey, int public_only, struct jose_key *key,
    char *err, size_t errlen)
{
	static const char	*names[8] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1
	};
	struct jose_rsa_parts	 parts;
	BIGNUM			*bn;
	int			 i, n, rc;

	memset(&parts, 0, sizeof(parts));
	rc = -1;
	if (EVP_PKEY_get_bits(pkey) < 8 * JOSE_RSA_MIN_BYTES ||
	    EVP_PKEY_get_bits(pkey) > 8 * JOSE_RSA_MAX_BYTES) {
		snprintf(err, errlen, "RSA key must have 2048 to 4096 bits");
		return (-1);
	}
	/* n and e always; the private part (CRT included) unless public. */
	n = public_only ? 2 : 8;
	for (i = 0; i < n; i++) {
		bn = NULL;
		if (!EVP_PKEY_get_bn_param(pkey, names[i], &bn)) {
			snprintf(err, errlen, "cannot read the RSA key "
			    "parameters (CRT included)");
			goto out;
		}
		parts.len[i] = (size_t)BN_num_bytes(bn);
		parts.v[i] = malloc(parts.len[i] + 1);
		if (parts.v[i] == NULL) {
			BN_clear_free(bn);
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		BN_bn2bin(bn, parts.v[i]);
		BN_clear_free(bn);
	}
	rc = jose_rsa_build(&parts, key, err, errlen);

out:
	for (i = 0; i < 8; i++) {
		if (parts.v[i] != NULL)
			OPENSSL_cleanse(parts.v[i], parts.len[i]);
		free(parts.v[i]);
	}
	return (rc);
}

/* Builds an RS256 key from big-endian parts (private when d is set). */
static int
jose_rsa_build(struct jose_rsa_parts *parts, struct jose_key *key,
    char *err, size_t errlen)
{
	cjose_jwk_rsa_keyspec	 spec;
	cjose_err		 cerr;
	char			*en, ee[32];
	size_t			 cap;
	int			 rc;

	memset(&spec, 0, sizeof(spec));
	spec.n = parts->v[0];
	spec.nlen = parts->len[0];
	spec.e = parts->v[1];
	spec.elen = parts->len[1];
	spec.d = parts->v[2];
	spec.dlen = parts->len[2];
	spec.p = parts->v[3];
	spec.plen = parts->len[3];
	spec.q = parts->v[4];
	spec.qlen = parts->len[4];
	spec.dp = parts->v[5];
	spec.dplen = parts->len[5];
	spec.dq = parts->v[6];
	spec.dqlen = parts->len[6];
	spec.qi = parts->v[7];
	spec.qilen = parts->len[7];
	if (parts->len[1] > 8) {
		snprintf(err, errlen, "RSA public exponent too large");
		return (-1);
	}
	if ((key->jwk = cjose_jwk_create_RSA_spec(&spec, &cerr)) == NULL) {
		snprintf(err, errlen, "invalid RSA key: %s", cerr.message);
		return (-1);
	}
	key->alg = JOSE_ALG_RS256;
	key->can_sign = spec.d != NULL;

	cap = 4 * ((parts->len[0] + 2) / 3) + 1;
	if ((en = malloc(cap)) == NULL) {
		jose_key_free(key);
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	crypto_b64url_encode(parts->v[0], parts->len[0], en, cap);
	crypto_b64url_encode(parts->v[1], parts->len[1], ee, sizeof(ee));
	rc = jose_thumbprint(key, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
	    ee, en);
	free(en);
	if (rc == -1) {
		snprintf(err, errlen, "cannot compute the key ID");
		jose_key_free(key);
	}
	return (rc);
}

/*
 * RFC 7638: the kid is base64url(SHA-256) of the required members,
 * sorted, without white space; fmt builds exactly that string.
 */
static int
jose_thumbprint(struct jose_key *key, const char *fmt, ...)
{
	va_list		 ap;
	char		*json;
	unsigned char	 digest[CRYPTO_SHA256_LEN];
	cjose_err	 cerr;
	int		 n;

	va_start(ap, fmt);
	n = vasprintf(&json, fmt, ap);
	va_end(ap);
	if (n < 0)
		return (-1);
	crypto_sha256(json, (size_t)n, digest);
	free(json);
	if (crypto_b64url_encode(digest, sizeof(digest), key->kid,
	    sizeof(key->kid)) == -1)
		return (-1);
	if (!cjose_jwk_set_kid(key->jwk, key->kid, strlen(key->kid), &cerr))
		return (-1);
	return (0);
}

/* Decodes the base64url member name of o into out (len in min..max). */
static int
jose_b64_member(json_t *o, const char *name, unsigned char *out, size_t min,
    size_t max, size_t *len)
{
	const char	*s;
	int		 n;

	if ((s = json_string_value(json_object_get(o, name))) == NULL ||
	    strlen(s) > 4 * ((max + 2) / 3))
		return (-1);
	if ((n = crypto_b64url_decode(s, out, max)) < 0 || (size_t)n < min)
		return (-1);
	*len = (size_t)n;
	return (0);
}

int
jose_key_import(json_t *jwk, struct jose_key *key, char *err, size_t errlen)
{
	struct jose_rsa_parts	 parts;
	unsigned char		 x[JOSE_EC_COORD_LEN], y[JOSE_EC_COORD_LEN];
	unsigned char		 n[JOSE_RSA_MAX_BYTES], e[8];
	const char		*kty, *crv, *use, *alg, *kid;
	size_t			 xlen, ylen;
	enum jose_alg		 want;

	memset(key, 0, sizeof(*key));
	if (!json_is_object(jwk) ||
	    (kty = json_string_value(json_object_get(jwk, "kty"))) == NULL) {
		snprintf(err, errlen, "a JWK must be an object with kty");
		return (-1);
	}
	if (json_object_get(jwk, "d") != NULL ||
	    json_object_get(jwk, "p") != NULL) {
		snprintf(err, errlen, "a JWK holds a private key: publish "
		    "the public key only");
		return (-1);
	}
	use = json_string_value(json_object_get(jwk, "use"));
	if (use != NULL && strcmp(use, "sig") != 0) {
		snprintf(err, errlen, "JWK use must be \"sig\"");
		return (-1);
	}
	if (strcmp(kty, "EC") == 0) {
		want = JOSE_ALG_ES256;
		crv = json_string_value(json_object_get(jwk, "crv"));
		if (crv == NULL || strcmp(crv, "P-256") != 0 ||
		    jose_b64_member(jwk, "x", x, sizeof(x), sizeof(x),
		    &xlen) == -1 ||
		    jose_b64_member(jwk, "y", y, sizeof(y), sizeof(y),
		    &ylen) == -1) {
			snprintf(err, errlen, "EC JWK must be P-256 with "
			    "32-byte x and y");
			return (-1);
		}
		if (jose_ec_build(x, y, NULL, key, err, errlen) == -1)
			return (-1);
	} else if (strcmp(kty, "RSA") == 0) {
		want = JOSE_ALG_RS256;
		memset(&parts, 0, sizeof(parts));
		if (jose_b64_member(jwk, "n", n, JOSE_RSA_MIN_BYTES,
		    sizeof(n), &parts.len[0]) == -1 || n[0] == 0 ||
		    jose_b64_member(jwk, "e", e, 1, sizeof(e),
		    &parts.len[1]) == -1) {
			snprintf(err, errlen, "RSA JWK must have a 2048 to "
			    "4096-bit n and an e");
			return (-1);
		}
		parts.v[0] = n;
		parts.v[1] = e;
		if (jose_rsa_build(&parts, key, err, errlen) == -1)
			return (-1);
	} else {
		snprintf(err, errlen, "JWK kty must be EC or RSA");
		return (-1);
	}

	alg = json_string_value(json_object_get(jwk, "alg"));
	if (alg != NULL && jose_alg_parse(alg) != want) {
		snprintf(err, errlen, "JWK alg %s does not fit its key (%s)",
		    alg, jose_alg_name(want));
		jose_key_free(key);
		return (-1);
	}
	kid = json_string_value(json_object_get(jwk, "kid"));
	if (kid != NULL) {
		cjose_err	cerr;

		if (kid[0] == '\0' || strlen(kid) >= sizeof(key->kid) ||
		    !cjose_jwk_set_kid(key->jwk, kid, strlen(kid), &cerr)) {
			snprintf(err, errlen, "JWK kid must be 1 to %zu "
			    "characters", sizeof(key->kid) - 1);
			jose_key_free(key);
			return (-1);
		}
		strcpy(key->kid, kid);
	}
	return (0);
}

void
jose_key_free(struct jose_key *key)
{
	if (key->jwk != NULL)
		cjose_jwk_release(key->jwk);
	memset(key, 0, sizeof(*key));
}

json_t *
jose_key_public(const struct jose_key *key)
{
	cjose_err	 cerr;
	char		*text;
	json_t		*o;

	if ((text = cjose_jwk_to_json(key->jwk, false, &cerr)) == NULL)
		return (NULL);
	o = json_loads(text, 0, NULL);
	cjose_get_dealloc()(text);
	if (o == NULL)
		return (NULL);
	if (json_object_set_new(o, "use", json_string("sig")) == -1 ||
	    json_object_set_new(o, "alg",
	    json_string(jose_alg_name(key->alg))) == -1) {
		json_decref(o);
		return (NULL);
	}
	return (o);
}

char *
jose_sign(const struct jose_key *key, json_t *claims, const char *typ)
{
	cjose_header_t	*hdr;
	cjose_jws_t	*jws;
	cjose_err	 cerr;
	const char	*ser;
	char		*payload, *out;

	out = NULL;
	jws = NULL;
	if (!key->can_sign || (payload = json_dumps(claims,
	    JSON_COMPACT)) == NULL)
		return (NULL);
	if ((hdr = cjose_header_new(&cerr)) == NULL)
		goto out;
	if (!cjose_header_set(hdr, CJOSE_HDR_ALG, jose_alg_name(key->alg),
	    &cerr) || !cjose_header_set(hdr, CJOSE_HDR_KID, key->kid, &cerr) ||
	    !cjose_header_set(hdr, "typ", typ, &cerr))
		goto out;
	if ((jws = cjose_jws_sign(key->jwk, hdr, (const uint8_t *)payload,
	    strlen(payload), &cerr)) == NULL)
		goto out;
	/* The serialisation belongs to the JWS object: copy it. */
	if (cjose_jws_export(jws, &ser, &cerr))
		out = strdup(ser);

out:
	if (jws != NULL)
		cjose_jws_release(jws);
	if (hdr != NULL)
		cjose_header_release(hdr);
	free(payload);
	return (out);
}

json_t *
jose_verify(const char *compact, const struct jose_key *keys, size_t nkeys,
    enum jose_alg alg, char *err, size_t errlen)
{
	const char	*dot1, *dot2, *kid;
	char		 seg[4 * ((JOSE_HEADER_MAX + 2) / 3) + 1];
	unsigned char	 raw[JOSE_HEADER_MAX];
	json_t		*hdr, *claims;
	cjose_jws_t	*jws;
	cjose_err	 cerr;
	uint8_t		*plain;
	size_t		 len, plainlen, i;
	enum jose_alg	 halg;
	int		 n, verified;

	hdr = claims = NULL;
	jws = NULL;
	len = strlen(compact);
	if (len > JOSE_COMPACT_MAX) {
		snprintf(err, errlen, "token too large");
		return (NULL);
	}
	if ((dot1 = strchr(compact, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strchr(dot2 + 1, '.') != NULL || dot2[1] == '\0') {
		snprintf(err, errlen, "not a compact JWS");
		return (NULL);
	}
	if ((size_t)(dot1 - compact) >= sizeof(seg)) {
		snprintf(err, errlen, "header too large");
		return (NULL);
	}
	memcpy(seg, compact, dot1 - compact);
	seg[dot1 - compact] = '\0';
	if ((n = crypto_b64url_decode(seg, raw, sizeof(raw))) <= 0 ||
	    (hdr = json_loadb((const char *)raw, (size_t)n,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(hdr)) {
		snprintf(err, errlen, "malformed header");
		goto out;
	}

	/* The key decides the algorithm, never the token. */
	halg = jose_alg_parse(json_string_value(json_object_get(hdr, "alg")));
	if (halg == JOSE_ALG_NONE || (alg != JOSE_ALG_NONE && halg != alg)) {
		snprintf(err, errlen, "algorithm not accepted");
		goto out;
	}
	if (json_object_get(hdr, "crit") != NULL) {
		snprintf(err, errlen, "critical header parameters are not "
		    "supported");
		goto out;
	}
	kid = json_string_value(json_object_get(hdr, "kid"));
	if (json_object_get(hdr, "kid") != NULL && kid == NULL) {
		snprintf(err, errlen, "malformed kid");
		goto out;
	}
	/* cjose checks neither the ES256 signature length nor its form. */
	if (halg == JOSE_ALG_ES256) {
		unsigned char	sig[JOSE_ES256_SIG_LEN + 3];

		if (strlen(dot2 + 1) > sizeof(seg) ||
		    crypto_b64url_decode(dot2 + 1, sig, sizeof(sig)) !=
		    JOSE_ES256_SIG_LEN) {
			snprintf(err, errlen, "malformed ES256 signature");
			goto out;
		}
	}
	if ((jws = cjose_jws_import(compact, len, &cerr)) == NULL) {
		snprintf(err, errlen, "malformed token");
		goto out;
	}
	verified = 0;
	for (i = 0; i < nkeys && !verified; i++) {
		if (keys[i].jwk == NULL || keys[i].alg != halg)
			continue;
		if (kid != NULL && strcmp(keys[i].kid, kid) != 0)
			continue;
		verified = cjose_jws_verify(jws, keys[i].jwk, &cerr);
	}
	if (!verified) {
		snprintf(err, errlen, "signature verification failed");
		goto out;
	}
	if (!cjose_jws_get_plaintext(jws, &plain, &plainlen, &cerr) ||
	    (claims = json_loadb((const char *)plain, plainlen,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(claims)) {
		json_decref(claims);
		claims = NULL;
		snprintf(err, errlen, "payload is not a JSON object");
	}

out:
	if (jws != NULL)
		cjose_jws_release(jws);
	json_decref(hdr);
	return (claims);
}

int
jose_peek_claim(const char *compact, const char *name, char *out,
    size_t outlen)
{
	const char	*dot1, *dot2, *v;
	unsigned char	*raw;
	char		*seg;
	json_t		*claims;
	size_t		 len;
	int		 n, rc;

	rc = -1;
	if (strlen(compact) > JOSE_COMPACT_MAX ||
	    (dot1 = strchr(compact, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL)
		return (-1);
	len = (size_t)(dot2 - dot1 - 1);
	seg = malloc(len + 1);
	raw = malloc(len + 1);
	if (seg == NULL || raw == NULL)
		goto out;
	memcpy(seg, dot1 + 1, len);
	seg[len] = '\0';
	if ((n = crypto_b64url_decode(seg, raw, len + 1)) <= 0 ||
	    (claims = json_loadb((const char *)raw, (size_t)n,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL)
		goto out;
	v = json_string_value(json_object_get(claims, name));
	if (v != NULL && strlen(v) < outlen) {
		strcpy(out, v);
		rc = 0;
	}
	json_decref(claims);
out:
	free(seg);
	free(raw);
	return (rc);
}

void
jose_half_hash(const char *token, char *out)
{
	unsigned char	digest[CRYPTO_SHA256_LEN];
	char		b64[4 * ((CRYPTO_SHA256_LEN / 2 + 2) / 3) + 1];

	crypto_sha256(token, strlen(token), digest);
	crypto_b64url_encode(digest, CRYPTO_SHA256_LEN / 2, b64, sizeof(b64));
	memcpy(out, b64, JOSE_HALF_HASH_LEN + 1);
}
