/*
 * Unit tests for src/pam/pam_mutua.c, what needs no server: the options
 * of the PAM line, the check of mutua's start answer (a malformed one
 * must fail closed) and what each error answer means for the user and
 * for PAM. The module's statics are reached by including it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/pam/pam_http.c"
#include "../../src/pam/pam_mutua.c"

#define ID	"0123456789abcdef0123456789abcdef"

static json_t	*answer(const char *);

static void
test_pam_options_need_url_host_and_key(void **state)
{
	struct pam_mutua_opts	 o;
	char			 err[PAM_MUTUA_ERR_MAX];
	const char		*good[] = { "url=https://idp.example.org",
	    "host=build-3", "key=/etc/security/mutua/host.key",
	    "cafile=/etc/ssl/ca.pem", "timeout=90" };

	assert_int_equal(pam_mutua_options(5, good, &o, err, sizeof(err)), 0);
	assert_string_equal(o.url, "https://idp.example.org");
	assert_string_equal(o.host, "build-3");
	assert_string_equal(o.key, "/etc/security/mutua/host.key");
	assert_string_equal(o.cafile, "/etc/ssl/ca.pem");
	assert_int_equal(o.timeout, 90);
	assert_int_equal(pam_mutua_options(3, good, &o, err, sizeof(err)), 0);
	assert_null(o.cafile);
	assert_int_equal(o.timeout, 0);
	assert_int_equal(pam_mutua_options(2, good, &o, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "url=, host= and key= are required");
}

static void
test_pam_options_refuse_unknown_and_bad_values(void **state)
{
	struct pam_mutua_opts	 o;
	char			 err[PAM_MUTUA_ERR_MAX];
	const char		*argv[4] = { "url=https://idp.example.org",
	    "host=build-3", "key=/k", NULL };
	const char		*bad[] = { "timeout=9", "timeout=601",
	    "timeout=", "timeout=30s", "timeout=-5", "debug", "urls=x" };
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv[3] = bad[i];
		assert_int_equal(pam_mutua_options(4, argv, &o, err,
		    sizeof(err)), -1);
	}
	argv[1] = "host=../etc";
	assert_int_equal(pam_mutua_options(3, argv, &o, err, sizeof(err)),
	    -1);
}

/* A JSON object for pam_mutua_started(). */
static json_t *
answer(const char *text)
{
	json_t	*doc;

	assert_non_null(doc = json_loads(text, 0, NULL));
	return (doc);
}

static void
test_pam_start_answer_is_checked_before_it_is_shown(void **state)
{
	static const char	*bad[] = {
		/* Each is the good answer with one thing wrong. */
		"{\"request_id\":\"xyz\",\"code\":\"123456\",\"user_id\":"
		    "\"alice\",\"rp_name\":\"B\",\"comparison\":\"enter\","
		    "\"expires_at\":1}",
		"{\"request_id\":\"" ID "\",\"code\":\"12345a\",\"user_id\":"
		    "\"alice\",\"rp_name\":\"B\",\"comparison\":\"enter\","
		    "\"expires_at\":1}",
		"{\"request_id\":\"" ID "\",\"code\":\"1234567\",\"user_id\":"
		    "\"alice\",\"rp_name\":\"B\",\"comparison\":\"enter\","
		    "\"expires_at\":1}",
		"{\"request_id\":\"" ID "\",\"code\":\"123456\",\"user_id\":"
		    "\"bob\",\"rp_name\":\"B\",\"comparison\":\"enter\","
		    "\"expires_at\":1}",
		"{\"request_id\":\"" ID "\",\"code\":\"123456\",\"user_id\":"
		    "\"alice\",\"rp_name\":\"B\\u001b[2J\",\"comparison\":"
		    "\"enter\",\"expires_at\":1}",
		"{\"request_id\":\"" ID "\",\"code\":\"123456\",\"user_id\":"
		    "\"alice\",\"rp_name\":\"B\",\"comparison\":\"trust\","
		    "\"expires_at\":1}",
		"{\"request_id\":\"" ID "\",\"code\":\"123456\",\"user_id\":"
		    "\"alice\",\"rp_name\":\"B\",\"comparison\":\"enter\","
		    "\"expires_at\":\"1\"}",
		"{\"request_id\":\"" ID "\",\"code\":\"123456\",\"user_id\":"
		    "\"alice\",\"comparison\":\"enter\",\"expires_at\":1}",
	};
	struct pam_mutua_request	 r;
	json_t				*doc;
	size_t				 i;

	doc = answer("{\"request_id\":\"" ID "\",\"code\":\"042917\","
	    "\"user_id\":\"alice\",\"rp_name\":\"Build  server 3\","
	    "\"comparison\":\"select\",\"expires_at\":1764083000}");
	assert_int_equal(pam_mutua_started(doc, "alice", &r), 0);
	json_decref(doc);
	assert_string_equal(r.id, ID);
	assert_string_equal(r.code, "042917");
	assert_string_equal(r.rp_name, "Build server 3");
	assert_string_equal(r.comparison, "select");
	assert_true(r.expires_at == 1764083000);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		doc = answer(bad[i]);
		assert_int_equal(pam_mutua_started(doc, "alice", &r), -1);
		json_decref(doc);
	}
}

static void
test_pam_error_answers_map_to_messages_and_pam_codes(void **state)
{
	assert_int_equal(pam_mutua_failure("no_binding")->pam,
	    PAM_USER_UNKNOWN);
	assert_int_equal(pam_mutua_failure("invalid_signature")->pam,
	    PAM_AUTHINFO_UNAVAIL);
	assert_non_null(strstr(pam_mutua_failure("invalid_signature")->text,
	    "host key"));
	assert_int_equal(pam_mutua_failure("request_pending")->pam,
	    PAM_AUTH_ERR);
	assert_int_equal(pam_mutua_failure("rate_limited")->pam, PAM_AUTH_ERR);
	assert_int_equal(pam_mutua_failure("stale_request")->pam,
	    PAM_AUTHINFO_UNAVAIL);
	/* Anything else, or no error name at all, still fails. */
	assert_null(pam_mutua_failure("server_error")->error);
	assert_int_equal(pam_mutua_failure(NULL)->pam, PAM_AUTHINFO_UNAVAIL);
}

static void
test_pam_http_refuses_plain_http_off_loopback(void **state)
{
	struct pam_http		h;
	struct pam_http_answer	a;
	json_t			*doc;

	memset(&h, 0, sizeof(h));
	h.url = "http://idp.example.org";
	h.host = "build-3";
	assert_non_null(doc = json_object());
	assert_int_equal(pam_http_post(&h, "/oob/v1/host/start", doc, &a), -1);
	assert_non_null(strstr(a.error, "refused"));
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pam_options_need_url_host_and_key),
		cmocka_unit_test(test_pam_options_refuse_unknown_and_bad_values),
		cmocka_unit_test(
		    test_pam_start_answer_is_checked_before_it_is_shown),
		cmocka_unit_test(
		    test_pam_error_answers_map_to_messages_and_pam_codes),
		cmocka_unit_test(test_pam_http_refuses_plain_http_off_loopback),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
