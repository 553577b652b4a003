/*
 * Unit tests for src/client.c: a full registration loads; every kind of
 * mistake is refused with a reason naming it; the registry leaves out
 * broken files and repeated client IDs but loads the others; redirect
 * URIs compare as exact strings.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "client.h"
#include "fixture.h"

#define HASH	"scrypt$32768$8$1$00112233445566778899aabbccddeeff$" \
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define EC_JWK	"{\"kty\":\"EC\",\"crv\":\"P-256\"," \
		"\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"," \
		"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"

static char	dir[FIXTURE_DIR_MAX];

static int
setup(void **state)
{
	return (fixture_dir_make(dir, sizeof(dir)));
}

static int
teardown(void **state)
{
	return (fixture_dir_remove(dir));
}

static const char *
write_file(const char *name, const char *text)
{
	static char	path[128];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return (path);
}

/* Loads text as a registration; returns -1 or 0, reason in err. */
static int
load(const char *text, struct client *c, char *err, size_t errlen)
{
	return (client_load_file(write_file("one.json", text), c, err,
	    errlen));
}

static void
test_full_registration_loads(void **state)
{
	struct client	c;
	char		err[CLIENT_ERR_MAX];

	assert_int_equal(load("{\"_comment\": \"x\", \"client_id\": \"app-1\","
	    "\"client_name\": \"App\", \"token_endpoint_auth_method\":"
	    "\"client_secret_post\", \"client_secret_hash\": \"" HASH "\","
	    "\"redirect_uris\": [\"https://app.example/cb\","
	    "\"http://127.0.0.1:9000/cb\"], \"post_logout_redirect_uris\":"
	    "[\"https://app.example/\"], \"scope\": \"openid email\","
	    "\"claims\": [\"email\"], \"subject_type\": \"pairwise\","
	    "\"id_token_signed_response_alg\": \"RS256\", \"grant_types\":"
	    "[\"authorization_code\", \"refresh_token\"]}", &c, err,
	    sizeof(err)), -1);
	/* Two hosts and pairwise: a sector is needed. */
	assert_non_null(strstr(err, "sector_identifier"));

	assert_int_equal(load("{\"client_id\": \"app-1\", \"client_name\": "
	    "\"App\", \"token_endpoint_auth_method\": \"client_secret_post\","
	    "\"client_secret_hash\": \"" HASH "\", \"redirect_uris\": "
	    "[\"https://app.example/cb\", \"https://app.example/cb2\"],"
	    "\"post_logout_redirect_uris\": [\"https://app.example/\"],"
	    "\"scope\": \"openid email\", \"claims\": [\"email\"],"
	    "\"subject_type\": \"pairwise\", \"id_token_signed_response_alg\":"
	    "\"RS256\", \"grant_types\": [\"authorization_code\","
	    "\"refresh_token\"]}", &c, err, sizeof(err)), 0);
	assert_string_equal(c.id, "app-1");
	assert_string_equal(c.name, "App");
	assert_int_equal(c.auth, CLIENT_AUTH_SECRET_POST);
	assert_int_equal(c.nredirect, 2);
	assert_int_equal(c.nlogout, 1);
	assert_true(c.pairwise);
	assert_string_equal(c.sector, "app.example");
	assert_int_equal(c.id_token_alg, JOSE_ALG_RS256);
	assert_int_equal(c.claims, CLIENT_CLAIM_EMAIL);
	assert_true(c.refresh);
	assert_true(client_redirect_ok(&c, "https://app.example/cb"));
	assert_false(client_redirect_ok(&c, "https://app.example/cb/"));
	assert_false(client_redirect_ok(&c, "https://APP.example/cb"));
	assert_true(client_logout_uri_ok(&c, "https://app.example/"));
	assert_true(client_scope_ok(&c, "email", 5));
	assert_false(client_scope_ok(&c, "emai", 4));
	assert_false(client_scope_ok(&c, "profile", 7));
	client_free(&c);

	/* Defaults: basic, public subject, ES256, openid only. */
	assert_int_equal(load("{\"client_id\": \"b\", \"client_secret_hash\":"
	    "\"" HASH "\", \"redirect_uris\": [\"https://b.example/\"]}", &c,
	    err, sizeof(err)), 0);
	assert_int_equal(c.auth, CLIENT_AUTH_SECRET_BASIC);
	assert_false(c.pairwise);
	assert_int_equal(c.id_token_alg, JOSE_ALG_ES256);
	assert_string_equal(c.scope, "openid");
	assert_true(c.code);
	assert_false(c.refresh);
	assert_false(c.credentials);
	assert_false(c.require_par);
	client_free(&c);

	/* A browser application calling the token endpoint itself. */
	assert_int_equal(load("{\"client_id\": \"spa\", "
	    "\"token_endpoint_auth_method\": \"none\", \"redirect_uris\": "
	    "[\"https://spa.example/cb\"], \"allowed_cors_origins\": "
	    "[\"https://spa.example\", \"http://localhost:3000\"]}", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.norigins, 2);
	assert_true(client_origin_ok(&c, "https://spa.example"));
	assert_true(client_origin_ok(&c, "http://localhost:3000"));
	assert_false(client_origin_ok(&c, "https://spa.example/"));
	assert_false(client_origin_ok(&c, "https://evil.example"));
	client_free(&c);

	/* A service: client_credentials only, no users, no redirects. */
	assert_int_equal(load("{\"client_id\": \"svc\", \"client_secret_hash\":"
	    "\"" HASH "\", \"scope\": \"api.read api.write\", \"grant_types\":"
	    "[\"client_credentials\"]}", &c, err, sizeof(err)), 0);
	assert_true(c.credentials);
	assert_false(c.code);
	assert_false(c.refresh);
	assert_int_equal(c.nredirect, 0);
	assert_false(client_redirect_ok(&c, "https://svc.example/"));
	client_free(&c);

	assert_int_equal(load("{\"client_id\": \"k\", "
	    "\"token_endpoint_auth_method\": \"private_key_jwt\", \"jwks\":"
	    "{\"keys\": [" EC_JWK "]}, \"redirect_uris\": "
	    "[\"https://k.example/\"]}", &c, err, sizeof(err)), 0);
	assert_int_equal(c.nkeys, 1);
	assert_int_equal(c.keys[0].alg, JOSE_ALG_ES256);
	client_free(&c);
}

/* The members of a valid public client, to add others to. */
#define PUBLIC	"\"token_endpoint_auth_method\": \"none\", " \
		"\"redirect_uris\": [\"https://a/\"]"

static void
test_mistakes_are_refused_with_a_reason(void **state)
{
	static const struct {
		const char	*text;
		const char	*reason;
	} cases[] = {
		{ "[]", "not a JSON object" },
		{ "{\"client_id\": \"a\", \"client_id\": \"b\"}", "line 1" },
		{ "{\"client_id\": \"a\", \"colour\": 1}", "unknown member" },
		{ "{\"redirect_uris\": [\"https://a/\"]}", "client_id is req" },
		{ "{\"client_id\": \"a b\"}", "client_id may only" },
		{ "{\"client_id\": 7}", "client_id must be a string" },
		{ "{\"client_id\": \"a\", " PUBLIC ", \"access_token_format\": "
		    "\"jws\"}", "access_token_format must be opaque or jwt" },
		{ "{\"client_id\": \"a\", " PUBLIC ", \"access_token_format\": "
		    "\"jwt\"}", "resources must be an array of 1" },
		{ "{\"client_id\": \"a\", " PUBLIC ", \"resources\": "
		    "[\"https://api/\"]}", "resources need access_token_format" },
		{ "{\"client_id\": \"a\", " PUBLIC ", \"access_token_format\": "
		    "\"jwt\", \"resources\": [\"https://api/#x\"]}",
		    "resources[0]" },
		{ "{\"client_id\": \"a\", \"client_name\": \"Bank\\u001b[2J\"}",
		    "client_name must be one line" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\"}", "redirect_uris" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"http://a.example/\"]}",
		    "redirect_uris[0]" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"https://a/#f\"]}",
		    "redirect_uris[0]" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"https://u@a/\"]}",
		    "redirect_uris[0]" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"http://127.0.0.1.evil/\"]}",
		    "redirect_uris[0]" },
		{ "{\"client_id\": \"a\", \"redirect_uris\": [\"https://a/\"]}",
		    "client_secret_hash" },
		{ "{\"client_id\": \"a\", \"client_secret_hash\": \"plain\","
		    "\"redirect_uris\": [\"https://a/\"]}", "client_secret_hash" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"client_secret_hash\": \"" HASH "\","
		    "\"redirect_uris\": [\"https://a/\"]}", "not used by none" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"tls_client_auth\"}", "token_endpoint_auth_method" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"private_key_jwt\", \"redirect_uris\": [\"https://a/\"]}",
		    "jwks" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"private_key_jwt\", \"redirect_uris\": [\"https://a/\"],"
		    "\"jwks\": {\"keys\": [{\"kty\": \"oct\", \"k\": \"AA\"}]}}",
		    "jwks.keys[0]" },
		{ "{\"client_id\": \"a\", \"client_secret_hash\": \"" HASH "\","
		    "\"redirect_uris\": [\"https://a/\"], \"jwks\": {}}",
		    "only for private_key_jwt" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"https://a/\"], \"scope\":"
		    "\"openid  email\"}", "scope" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"https://a/\"], \"claims\":"
		    "[\"address\"]}", "claims" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"https://a/\"],"
		    "\"grant_types\": [\"refresh_token\"]}", "grant_types" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"grant_types\": [\"client_credentials\"]}",
		    "client_credentials needs a client that authenticates" },
		{ "{\"client_id\": \"a\", \"client_secret_hash\": \"" HASH "\","
		    "\"grant_types\": [\"client_credentials\", "
		    "\"refresh_token\"]}", "grant_types" },
		{ "{\"client_id\": \"a\", \"client_secret_hash\": \"" HASH "\","
		    "\"grant_types\": []}", "grant_types" },
		{ "{\"client_id\": \"a\", \"client_secret_hash\": \"" HASH "\","
		    "\"redirect_uris\": [\"https://a/\"], "
		    "\"require_pushed_authorization_requests\": \"yes\"}",
		    "require_pushed_authorization_requests" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"https://a/\"],"
		    "\"allowed_cors_origins\": [\"https://a/app\"]}",
		    "allowed_cors_origins[0]: an origin" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"https://a/\"],"
		    "\"allowed_cors_origins\": [\"http://a.example\"]}",
		    "allowed_cors_origins[0]" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"https://a/\"],"
		    "\"subject_type\": \"secret\"}", "subject_type" },
		{ "{\"client_id\": \"a\", \"token_endpoint_auth_method\":"
		    "\"none\", \"redirect_uris\": [\"https://a/\"],"
		    "\"id_token_signed_response_alg\": \"HS256\"}",
		    "id_token_signed_response_alg" },
	};
	struct client	c;
	char		err[CLIENT_ERR_MAX];
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (load(cases[i].text, &c, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", cases[i].text);
		if (strstr(err, cases[i].reason) == NULL)
			fail_msg("%s: reason \"%s\"", cases[i].text, err);
	}
}

static void
test_registry_leaves_out_broken_files_and_repeated_ids(void **state)
{
	struct client_registry	reg;
	char			sub[128];

	snprintf(sub, sizeof(sub), "%s/reg", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file("reg/a.json", "{\"client_id\": \"a\", "
	    "\"token_endpoint_auth_method\": \"none\", \"redirect_uris\": "
	    "[\"https://a/\"]}");
	write_file("reg/b.json", "{\"client_id\": \"a\", "
	    "\"token_endpoint_auth_method\": \"none\", \"redirect_uris\": "
	    "[\"https://b/\"]}");
	write_file("reg/c.json", "{not json");
	write_file("reg/d.json", "{\"client_id\": \"d\", "
	    "\"token_endpoint_auth_method\": \"none\", \"redirect_uris\": "
	    "[\"https://d/\"]}");
	write_file("reg/e.txt", "ignored");
	assert_int_equal(client_registry_load(&reg, sub), 2);
	assert_int_equal(reg.n, 2);
	assert_non_null(client_find(&reg, "a"));
	assert_true(client_redirect_ok(client_find(&reg, "a"), "https://a/"));
	assert_non_null(client_find(&reg, "d"));
	assert_null(client_find(&reg, "b"));
	client_registry_free(&reg);

	/* A missing directory is an empty registry. */
	assert_int_equal(client_registry_load(&reg, "/nonexistent/x"), 0);
	assert_int_equal(reg.n, 0);
	client_registry_free(&reg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_registration_loads),
		cmocka_unit_test(test_mistakes_are_refused_with_a_reason),
		cmocka_unit_test(
		    test_registry_leaves_out_broken_files_and_repeated_ids),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
