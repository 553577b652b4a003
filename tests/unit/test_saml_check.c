/*
 * Unit tests for src/saml_check.c: the LogoutRequests on which lasso
 * would end the process with g_error() (no BaseID, NameID or
 * EncryptedID, or more than one; another message parsed as one) are
 * refused before lasso sees them, in both bindings, and a proper
 * request passes. The input that found it is replayed from
 * tests/fuzz/crashes/fuzz_saml_sso/ by make test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <zlib.h>

#include "saml.h"

#define PROTO	"xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" " \
		"xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\""
#define ISSUER	"<saml:Issuer>https://sp.test/metadata</saml:Issuer>"
#define NAMEID	"<saml:NameID>abc</saml:NameID>"
#define LOGOUT(body)	"<samlp:LogoutRequest " PROTO " ID=\"_1\" " \
		"Version=\"2.0\" IssueInstant=\"2023-11-14T22:13:00Z\">" \
		ISSUER body "</samlp:LogoutRequest>"

static char	*post(const char *);
static char	*redirect(const char *, const char *);

/* The POST binding's base64. Must be freed with g_free(). */
static char *
post(const char *xml)
{
	return (g_base64_encode((const guchar *)xml, strlen(xml)));
}

/* A Redirect query: raw DEFLATE, base64, URL-encoded. g_free() it. */
static char *
redirect(const char *xml, const char *extra)
{
	z_stream	 z;
	unsigned char	 out[4096];
	char		*b64, *esc, *query;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)xml;
	z.avail_in = strlen(xml);
	z.next_out = out;
	z.avail_out = sizeof(out);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	b64 = g_base64_encode(out, z.total_out);
	deflateEnd(&z);
	esc = g_uri_escape_string(b64, NULL, FALSE);
	query = g_strdup_printf("SAMLRequest=%s&RelayState=r%s", esc, extra);
	g_free(esc);
	g_free(b64);
	return (query);
}

static void
test_logout_request_with_one_nameid_passes(void **state)
{
	char	*m;

	m = post(LOGOUT(NAMEID "<samlp:SessionIndex>s</samlp:SessionIndex>"));
	assert_int_equal(saml_logout_request_check(SAML_BINDING_POST, m), 0);
	g_free(m);
	m = redirect(LOGOUT(NAMEID), "");
	assert_int_equal(saml_logout_request_check(SAML_BINDING_REDIRECT, m),
	    0);
	g_free(m);
	m = post(LOGOUT("<saml:EncryptedID/>"));
	assert_int_equal(saml_logout_request_check(SAML_BINDING_POST, m), 0);
	g_free(m);
}

static void
test_logout_request_without_one_id_is_refused(void **state)
{
	static const char	*bad[] = {
		LOGOUT(""),
		LOGOUT(NAMEID "<saml:BaseID/>"),
		LOGOUT(NAMEID NAMEID),
		/* The NameID of another namespace is not the one. */
		LOGOUT("<NameID>abc</NameID>"),
		/* lasso misses the NameID after an element it does not know. */
		LOGOUT("<saml:Issue>x</saml:Issue>" NAMEID),
		/* Out of the schema's order. */
		LOGOUT("<samlp:SessionIndex>s</samlp:SessionIndex>" NAMEID),
		/* lasso parses another root as a LogoutRequest. */
		"<samlp:AuthnRequest " PROTO " ID=\"_2\">" ISSUER
		    "</samlp:AuthnRequest>",
		"<?xml version=\"1.0\"?><!DOCTYPE x []>" LOGOUT(NAMEID),
		"not xml",
		NULL
	};
	char			*m;
	size_t			 i;

	for (i = 0; bad[i] != NULL; i++) {
		m = post(bad[i]);
		assert_int_equal(saml_logout_request_check(SAML_BINDING_POST,
		    m), -1);
		g_free(m);
		m = redirect(bad[i], "");
		assert_int_equal(saml_logout_request_check(
		    SAML_BINDING_REDIRECT, m), -1);
		g_free(m);
	}
}

static void
test_redirect_query_must_decode(void **state)
{
	char	*m;

	/* Given twice: lasso might read the other one. */
	m = redirect(LOGOUT(NAMEID), "&SAMLRequest=AAAA");
	assert_int_equal(saml_logout_request_check(SAML_BINDING_REDIRECT, m),
	    -1);
	g_free(m);
	assert_int_equal(saml_logout_request_check(SAML_BINDING_REDIRECT,
	    "RelayState=r"), -1);
	assert_int_equal(saml_logout_request_check(SAML_BINDING_REDIRECT,
	    "SAMLRequest=%zz"), -1);
	/* base64 of text that is not DEFLATE. */
	assert_int_equal(saml_logout_request_check(SAML_BINDING_REDIRECT,
	    "SAMLRequest=PHNhbWxwOkxvZ291dFJlcXVlc3Q%2B"), -1);
	assert_int_equal(saml_logout_request_check(SAML_BINDING_POST, ""),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logout_request_with_one_nameid_passes),
		cmocka_unit_test(test_logout_request_without_one_id_is_refused),
		cmocka_unit_test(test_redirect_query_must_decode),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
