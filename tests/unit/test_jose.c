/*
 * Unit tests for src/jose.c: RFC 7638 key IDs, sign/verify round trips
 * for ES256 and RS256, and the refusals the cjose notes call for (alg
 * none and HS256 headers, alg confusion between keys, wrong ES256
 * signature length, P-384 keys, tampering, unknown kid, key files
 * readable by others), the at_hash example of OpenID Connect Core and
 * the published key set with next and retired keys.
 */

#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto.h"
#include "fixture.h"
#include "jose.h"

static char	dir[FIXTURE_DIR_MAX];
static char	ec_path[FIXTURE_PATH_MAX], rsa_path[FIXTURE_PATH_MAX];

static void
run(const char *cmd)
{
	assert_int_equal(system(cmd), 0);
}

static int
setup(void **state)
{
	char	cmd[1024];

	if (fixture_dir_make(dir, sizeof(dir)) == -1)
		return (-1);
	snprintf(ec_path, sizeof(ec_path), "%s/es.key", dir);
	snprintf(rsa_path, sizeof(rsa_path), "%s/rs.key", dir);
	snprintf(cmd, sizeof(cmd), "umask 077; openssl genpkey -algorithm EC "
	    "-pkeyopt ec_paramgen_curve:P-256 -out %s 2>/dev/null && "
	    "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
	    "-out %s 2>/dev/null", ec_path, rsa_path);
	return (system(cmd) == 0 ? 0 : -1);
}

static int
teardown(void **state)
{
	return (fixture_dir_remove(dir));
}

/* Replaces part (0 header, 1 payload, 2 signature) of a compact JWS. */
static char *
with_part(const char *jws, int part, const char *text)
{
	const char	*d1, *d2;
	char		*out;

	d1 = strchr(jws, '.');
	d2 = strchr(d1 + 1, '.');
	if (part == 0)
		assert_true(asprintf(&out, "%s%s", text, d1) > 0);
	else if (part == 1)
		assert_true(asprintf(&out, "%.*s.%s%s", (int)(d1 - jws), jws,
		    text, d2) > 0);
	else
		assert_true(asprintf(&out, "%.*s.%s", (int)(d2 - jws), jws,
		    text) > 0);
	return (out);
}

static char *
b64(const char *s)
{
	char	*out;
	size_t	 cap;

	cap = 4 * ((strlen(s) + 2) / 3) + 1;
	out = malloc(cap);
	assert_non_null(out);
	assert_int_equal(crypto_b64url_encode(s, strlen(s), out, cap), 0);
	return (out);
}

static void
test_kid_is_rfc7638_thumbprint(void **state)
{
	/* RFC 7638 §3.1 example key and its thumbprint. */
	static const char	*jwk_text = "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQ"
	    "SuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhD"
	    "R1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl9"
	    "3lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7"
	    "d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
	    "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	    "\",\"e\":\"AQAB\",\"alg\":\"RS256\"}";
	struct jose_key		 key;
	json_t			*jwk;
	char			 err[JOSE_ERR_MAX];

	jwk = json_loads(jwk_text, 0, NULL);
	assert_non_null(jwk);
	assert_int_equal(jose_key_import(jwk, &key, err, sizeof(err)), 0);
	assert_string_equal(key.kid,
	    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	assert_int_equal(key.alg, JOSE_ALG_RS256);
	assert_false(key.can_sign);
	jose_key_free(&key);
	json_decref(jwk);
}

static void
test_sign_verify_round_trip(void **state)
{
	const char	*paths[2] = { ec_path, rsa_path };
	struct jose_key	 key;
	json_t		*claims, *got;
	char		*jws, err[JOSE_ERR_MAX];
	int		 i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(jose_key_load_pem(paths[i], 0, &key, err,
		    sizeof(err)), 0);
		assert_true(key.can_sign);
		assert_int_equal(strlen(key.kid), 43);
		claims = json_pack("{s:s, s:i}", "sub", "alice", "exp", 99);
		jws = jose_sign(&key, claims, "JWT");
		assert_non_null(jws);
		got = jose_verify(jws, &key, 1, key.alg, err, sizeof(err));
		assert_non_null(got);
		assert_string_equal(json_string_value(json_object_get(got,
		    "sub")), "alice");
		json_decref(got);
		/* Any algorithm but the key's own is refused. */
		assert_null(jose_verify(jws, &key, 1, i == 0 ?
		    JOSE_ALG_RS256 : JOSE_ALG_ES256, err, sizeof(err)));
		free(jws);
		json_decref(claims);
		jose_key_free(&key);
	}
}

static void
test_verify_refuses_forged_headers(void **state)
{
	struct jose_key	 keys[2];
	json_t		*claims;
	char		*jws, *bad, *h, err[JOSE_ERR_MAX];

	assert_int_equal(jose_key_load_pem(ec_path, 0, &keys[0], err,
	    sizeof(err)), 0);
	assert_int_equal(jose_key_load_pem(rsa_path, 0, &keys[1], err,
	    sizeof(err)), 0);
	claims = json_pack("{s:s}", "sub", "alice");
	jws = jose_sign(&keys[1], claims, "JWT");
	assert_non_null(jws);

	/* alg none, HS256 (cjose would read past an RSA/EC key), crit. */
	h = b64("{\"alg\":\"none\"}");
	bad = with_part(jws, 0, h);
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	assert_string_equal(err, "algorithm not accepted");
	free(bad);
	free(h);
	h = b64("{\"alg\":\"HS256\"}");
	bad = with_part(jws, 0, h);
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	free(bad);
	free(h);
	h = b64("{\"alg\":\"RS256\",\"crit\":[\"x\"],\"x\":1}");
	bad = with_part(jws, 0, h);
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	free(bad);
	free(h);
	/* A duplicate member in the header. */
	h = b64("{\"alg\":\"RS256\",\"alg\":\"RS256\"}");
	bad = with_part(jws, 0, h);
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	free(bad);
	free(h);

	/* The RS256 token relabelled ES256 meets the EC key: refused. */
	h = b64("{\"alg\":\"ES256\"}");
	bad = with_part(jws, 0, h);
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	free(bad);
	free(h);

	/* Payload changed, unknown kid, empty signature, extra part. */
	h = b64("{\"sub\":\"mallory\"}");
	bad = with_part(jws, 1, h);
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	assert_string_equal(err, "signature verification failed");
	free(bad);
	free(h);
	h = b64("{\"alg\":\"RS256\",\"kid\":\"nope\"}");
	bad = with_part(jws, 0, h);
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	free(bad);
	free(h);
	bad = with_part(jws, 2, "");
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	free(bad);
	assert_true(asprintf(&bad, "%s.x", jws) > 0);
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	free(bad);
	free(jws);

	/* ES256 signatures are exactly 64 bytes. */
	jws = jose_sign(&keys[0], claims, "JWT");
	assert_non_null(jws);
	assert_true(asprintf(&bad, "%sAA", jws) > 0);
	assert_null(jose_verify(bad, keys, 2, JOSE_ALG_NONE, err,
	    sizeof(err)));
	assert_string_equal(err, "malformed ES256 signature");
	free(bad);
	free(jws);
	json_decref(claims);
	jose_key_free(&keys[0]);
	jose_key_free(&keys[1]);
}

static void
test_key_files_are_checked(void **state)
{
	struct jose_key	key;
	char		path[128], cmd[1024], err[JOSE_ERR_MAX];

	snprintf(path, sizeof(path), "%s/p384.key", dir);
	snprintf(cmd, sizeof(cmd), "umask 077; openssl genpkey -algorithm EC "
	    "-pkeyopt ec_paramgen_curve:P-384 -out %s 2>/dev/null", path);
	run(cmd);
	assert_int_equal(jose_key_load_pem(path, 0, &key, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "P-256"));

	snprintf(path, sizeof(path), "%s/open.key", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 644 %s", ec_path, path,
	    path);
	run(cmd);
	assert_int_equal(jose_key_load_pem(path, 0, &key, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "readable by group or others"));

	snprintf(path, sizeof(path), "%s/rsa1024.key", dir);
	snprintf(cmd, sizeof(cmd), "umask 077; openssl genpkey -algorithm RSA "
	    "-pkeyopt rsa_keygen_bits:1024 -out %s 2>/dev/null", path);
	run(cmd);
	assert_int_equal(jose_key_load_pem(path, 0, &key, err, sizeof(err)),
	    -1);
}

static void
test_client_jwk_refusals(void **state)
{
	static const char	*bad[] = {
		"{\"kty\":\"oct\",\"k\":\"AAAA\"}",
		"{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}",
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}",
		"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}",
		"[1]",
	};
	struct jose_key		 key, priv;
	json_t			*jwk;
	char			 err[JOSE_ERR_MAX];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		jwk = json_loads(bad[i], 0, NULL);
		assert_non_null(jwk);
		assert_int_equal(jose_key_import(jwk, &key, err, sizeof(err)),
		    -1);
		json_decref(jwk);
	}
	/* A real P-256 public key imports; with "d" or alg RS256 it fails. */
	assert_int_equal(jose_key_load_pem(ec_path, 0, &priv, err,
	    sizeof(err)), 0);
	jwk = jose_key_public(&priv);
	assert_non_null(jwk);
	json_object_del(jwk, "kid");
	assert_int_equal(jose_key_import(jwk, &key, err, sizeof(err)), 0);
	assert_string_equal(key.kid, priv.kid);
	jose_key_free(&key);
	json_object_set_new(jwk, "alg", json_string("RS256"));
	assert_int_equal(jose_key_import(jwk, &key, err, sizeof(err)), -1);
	json_object_set_new(jwk, "alg", json_string("ES256"));
	json_object_set_new(jwk, "d", json_string("AAAA"));
	assert_int_equal(jose_key_import(jwk, &key, err, sizeof(err)), -1);
	json_decref(jwk);
	jose_key_free(&priv);
}

static void
test_at_hash_example(void **state)
{
	char	out[JOSE_HALF_HASH_LEN + 1];

	/* OpenID Connect Core, Appendix A.3 / A.4. */
	jose_half_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", out);
	assert_string_equal(out, "77QmUPtjPfzWtF2AnpK9RQ");
}

static void
test_keyset_publishes_next_and_unexpired_retired_keys(void **state)
{
	struct jose_keyset	 set;
	const char		*paths[2] = { ec_path, rsa_path };
	char			 cmd[1200], err[JOSE_ERR_MAX], *jwks;
	json_t			*doc;

	/* Retired at t=1000 (grace 600: until 1600), at t=10, and a next. */
	snprintf(cmd, sizeof(cmd), "umask 077; cd %s && "
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	    "-out es.key.retired-1000 2>/dev/null && "
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	    "-out es.key.retired-10 2>/dev/null && "
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	    "-out es.key.next 2>/dev/null && touch es.key.retired-x", dir);
	run(cmd);
	assert_int_equal(jose_keyset_load(&set, paths, 2, 1200, 600, err,
	    sizeof(err)), 0);
	assert_int_equal(set.n, 4);
	assert_non_null(jose_keyset_signer(&set, JOSE_ALG_ES256));
	assert_non_null(jose_keyset_signer(&set, JOSE_ALG_RS256));
	assert_true(jose_keyset_signer(&set, JOSE_ALG_ES256)->can_sign);

	jwks = jose_keyset_jwks(&set, 1200);
	doc = json_loads(jwks, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "keys")), 4);
	assert_null(strstr(jwks, "\"d\""));
	free(jwks);
	json_decref(doc);
	/* Past the retired key's grace it is no longer published. */
	assert_true(jose_keyset_next_change(&set, 1200) == 1600);
	assert_true(jose_keyset_next_change(&set, 1600) == UINT64_MAX);
	jwks = jose_keyset_jwks(&set, 1600);
	doc = json_loads(jwks, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "keys")), 3);
	free(jwks);
	json_decref(doc);
	jose_keyset_free(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kid_is_rfc7638_thumbprint),
		cmocka_unit_test(test_sign_verify_round_trip),
		cmocka_unit_test(test_verify_refuses_forged_headers),
		cmocka_unit_test(test_key_files_are_checked),
		cmocka_unit_test(test_client_jwk_refusals),
		cmocka_unit_test(test_at_hash_example),
		cmocka_unit_test(
		    test_keyset_publishes_next_and_unexpired_retired_keys),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
