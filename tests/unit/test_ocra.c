/*
 * Unit tests for src/ocra.c: every test vector of RFC 6287 Appendix C,
 * suite parsing, input validation, and the suite mutua uses.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ocra.h"

/* RFC 6287 Appendix C: the seeds are ASCII "1234567890..." */
#define KEY20	"12345678901234567890"
#define KEY32	"12345678901234567890123456789012"
#define KEY64	"1234567890123456789012345678901234567890" \
		"123456789012345678901234"

/* RFC 6287 Appendix C: SHA-1 of the PIN "1234". */
#define PIN1234_SHA1	"7110eda4d09e062aa5e4a390b0a572ac0d2c0220"

/* RFC 6287 Appendix C: Mar 25 2008, 12:06:30 GMT in minutes. */
#define RFC_T1M		0x132d0b6

struct vector {
	uint64_t	 counter;
	const char	*question;
	const char	*question2;
	const char	*expect;
};

static void	check_vectors(const char *, const char *,
		    const struct vector *, size_t, const char *, uint64_t);
static void	assert_suite_rejected(const char *, const char *);
static void	assert_compute_rejected(const char *,
		    const struct ocra_input *, const char *);
static void	compute_ok(const char *, const char *, size_t,
		    const struct ocra_input *, char *);

static void
check_vectors(const char *suite_text, const char *key,
    const struct vector *v, size_t n, const char *pin, uint64_t t)
{
	struct ocra_suite	suite;
	struct ocra_input	in;
	const char		*reason;
	char			code[OCRA_CODE_MAX];
	size_t			i;

	reason = NULL;
	assert_int_equal(ocra_suite_parse(suite_text, &suite, &reason), 0);
	for (i = 0; i < n; i++) {
		memset(&in, 0, sizeof(in));
		in.counter = v[i].counter;
		in.question = v[i].question;
		in.question2 = v[i].question2;
		in.pin_hash = pin;
		in.timestamp = t;
		reason = NULL;
		assert_int_equal(ocra_compute(&suite,
		    (const unsigned char *)key, strlen(key), &in, code,
		    sizeof(code), &reason), 0);
		assert_null(reason);
		assert_string_equal(code, v[i].expect);
		assert_true(ocra_code_equal(code, v[i].expect));
	}
}

static void
assert_suite_rejected(const char *text, const char *why)
{
	struct ocra_suite	suite;
	const char		*reason;

	reason = NULL;
	assert_int_equal(ocra_suite_parse(text, &suite, &reason), -1);
	assert_non_null(reason);
	if (why != NULL)
		assert_string_equal(reason, why);
}

static void
assert_compute_rejected(const char *suite_text, const struct ocra_input *in,
    const char *why)
{
	struct ocra_suite	suite;
	const char		*reason;
	char			code[OCRA_CODE_MAX];

	assert_int_equal(ocra_suite_parse(suite_text, &suite, NULL), 0);
	reason = NULL;
	assert_int_equal(ocra_compute(&suite, (const unsigned char *)KEY32,
	    32, in, code, sizeof(code), &reason), -1);
	assert_non_null(reason);
	if (why != NULL)
		assert_string_equal(reason, why);
}

static void
compute_ok(const char *suite_text, const char *key, size_t keylen,
    const struct ocra_input *in, char *code)
{
	struct ocra_suite	suite;

	assert_int_equal(ocra_suite_parse(suite_text, &suite, NULL), 0);
	assert_int_equal(ocra_compute(&suite, (const unsigned char *)key,
	    keylen, in, code, OCRA_CODE_MAX, NULL), 0);
}

/* RFC 6287 Appendix C.1 */
static void
test_rfc6287_one_way_sha1_qn08(void **state)
{
	static const struct vector v[] = {
		{ 0, "00000000", NULL, "237653" },
		{ 0, "11111111", NULL, "243178" },
		{ 0, "22222222", NULL, "653583" },
		{ 0, "33333333", NULL, "740991" },
		{ 0, "44444444", NULL, "608993" },
		{ 0, "55555555", NULL, "388898" },
		{ 0, "66666666", NULL, "816933" },
		{ 0, "77777777", NULL, "224598" },
		{ 0, "88888888", NULL, "750600" },
		{ 0, "99999999", NULL, "294470" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA1-6:QN08", KEY20, v, 10, NULL, 0);
}

static void
test_rfc6287_one_way_sha256_counter_qn08_psha1(void **state)
{
	static const struct vector v[] = {
		{ 0, "12345678", NULL, "65347737" },
		{ 1, "12345678", NULL, "86775851" },
		{ 2, "12345678", NULL, "78192410" },
		{ 3, "12345678", NULL, "71565254" },
		{ 4, "12345678", NULL, "10104329" },
		{ 5, "12345678", NULL, "65983500" },
		{ 6, "12345678", NULL, "70069104" },
		{ 7, "12345678", NULL, "91771096" },
		{ 8, "12345678", NULL, "75011558" },
		{ 9, "12345678", NULL, "08522129" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", KEY32, v, 10,
	    PIN1234_SHA1, 0);
}

static void
test_rfc6287_one_way_sha256_qn08_psha1(void **state)
{
	static const struct vector v[] = {
		{ 0, "00000000", NULL, "83238735" },
		{ 0, "11111111", NULL, "01501458" },
		{ 0, "22222222", NULL, "17957585" },
		{ 0, "33333333", NULL, "86776967" },
		{ 0, "44444444", NULL, "86807031" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", KEY32, v, 5,
	    PIN1234_SHA1, 0);
}

static void
test_rfc6287_one_way_sha512_counter_qn08(void **state)
{
	static const struct vector v[] = {
		{ 0, "00000000", NULL, "07016083" },
		{ 1, "11111111", NULL, "63947962" },
		{ 2, "22222222", NULL, "70123924" },
		{ 3, "33333333", NULL, "25341727" },
		{ 4, "44444444", NULL, "33203315" },
		{ 5, "55555555", NULL, "34205738" },
		{ 6, "66666666", NULL, "44343969" },
		{ 7, "77777777", NULL, "51946085" },
		{ 8, "88888888", NULL, "20403879" },
		{ 9, "99999999", NULL, "31409299" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA512-8:C-QN08", KEY64, v, 10, NULL, 0);
}

static void
test_rfc6287_one_way_sha512_qn08_t1m(void **state)
{
	static const struct vector v[] = {
		{ 0, "00000000", NULL, "95209754" },
		{ 0, "11111111", NULL, "55907591" },
		{ 0, "22222222", NULL, "22048402" },
		{ 0, "33333333", NULL, "24218844" },
		{ 0, "44444444", NULL, "36209546" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA512-8:QN08-T1M", KEY64, v, 5, NULL,
	    RFC_T1M);
}

/*
 * RFC 6287 Appendix C.2: the server answers QC | QS, the client QS | QC;
 * each challenge is 8 characters, as QA08 allows.
 */
static void
test_rfc6287_mutual_sha256_qa08_server(void **state)
{
	static const struct vector v[] = {
		{ 0, "CLI22220", "SRV11110", "28247970" },
		{ 0, "CLI22221", "SRV11111", "01984843" },
		{ 0, "CLI22222", "SRV11112", "65387857" },
		{ 0, "CLI22223", "SRV11113", "03351211" },
		{ 0, "CLI22224", "SRV11114", "83412541" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA256-8:QA08", KEY32, v, 5, NULL, 0);
}

static void
test_rfc6287_mutual_sha256_qa08_client(void **state)
{
	static const struct vector v[] = {
		{ 0, "SRV11110", "CLI22220", "15510767" },
		{ 0, "SRV11111", "CLI22221", "90175646" },
		{ 0, "SRV11112", "CLI22222", "33777207" },
		{ 0, "SRV11113", "CLI22223", "95285278" },
		{ 0, "SRV11114", "CLI22224", "28934924" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA256-8:QA08", KEY32, v, 5, NULL, 0);
}

static void
test_rfc6287_mutual_sha512_qa08_server(void **state)
{
	static const struct vector v[] = {
		{ 0, "CLI22220", "SRV11110", "79496648" },
		{ 0, "CLI22221", "SRV11111", "76831980" },
		{ 0, "CLI22222", "SRV11112", "12250499" },
		{ 0, "CLI22223", "SRV11113", "90856481" },
		{ 0, "CLI22224", "SRV11114", "12761449" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA512-8:QA08", KEY64, v, 5, NULL, 0);
}

static void
test_rfc6287_mutual_sha512_qa08_psha1_client(void **state)
{
	static const struct vector v[] = {
		{ 0, "SRV11110", "CLI22220", "18806276" },
		{ 0, "SRV11111", "CLI22221", "70020315" },
		{ 0, "SRV11112", "CLI22222", "01600026" },
		{ 0, "SRV11113", "CLI22223", "18951020" },
		{ 0, "SRV11114", "CLI22224", "32528969" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA512-8:QA08-PSHA1", KEY64, v, 5,
	    PIN1234_SHA1, 0);
}

/* RFC 6287 Appendix C.3 */
static void
test_rfc6287_signature_sha256_qa08(void **state)
{
	static const struct vector v[] = {
		{ 0, "SIG10000", NULL, "53095496" },
		{ 0, "SIG11000", NULL, "04110475" },
		{ 0, "SIG12000", NULL, "31331128" },
		{ 0, "SIG13000", NULL, "76028668" },
		{ 0, "SIG14000", NULL, "46554205" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA256-8:QA08", KEY32, v, 5, NULL, 0);
}

static void
test_rfc6287_signature_sha512_qa10_t1m(void **state)
{
	static const struct vector v[] = {
		{ 0, "SIG1000000", NULL, "77537423" },
		{ 0, "SIG1100000", NULL, "31970405" },
		{ 0, "SIG1200000", NULL, "10235557" },
		{ 0, "SIG1300000", NULL, "95213541" },
		{ 0, "SIG1400000", NULL, "65360607" },
	};

	(void)state;
	check_vectors("OCRA-1:HOTP-SHA512-8:QA10-T1M", KEY64, v, 5, NULL,
	    RFC_T1M);
}

/*
 * The expected values below come from an independent Python
 * reimplementation (hmac, hashlib) that reproduces all of Appendix C.
 */
static void
test_mutua_suite_sha256_6_qh64(void **state)
{
	struct ocra_input	in;
	char			code[OCRA_CODE_MAX];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.question = "0123456789abcdef0123456789ABCDEF"
	    "00112233445566778899aabbccddeeff";
	compute_ok("OCRA-1:HOTP-SHA256-6:QH64", KEY32, 32, &in, code);
	assert_string_equal(code, "731990");

	/* Same input, same code. */
	compute_ok("OCRA-1:HOTP-SHA256-6:QH64", KEY32, 32, &in, code);
	assert_string_equal(code, "731990");
}

static void
test_qh_odd_length_is_left_aligned(void **state)
{
	struct ocra_input	in;
	char			code[OCRA_CODE_MAX];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.question = "abcde";
	compute_ok("OCRA-1:HOTP-SHA256-6:QH64", KEY32, 32, &in, code);
	assert_string_equal(code, "023577");

	/* Hex digits are case-insensitive. */
	in.question = "ABCDE";
	compute_ok("OCRA-1:HOTP-SHA256-6:QH64", KEY32, 32, &in, code);
	assert_string_equal(code, "023577");
}

static void
test_qn64_converts_big_decimal(void **state)
{
	struct ocra_input	in;
	char			code[OCRA_CODE_MAX];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.question = "99999999999999999999999999999999"
	    "99999999999999999999999999999999";
	compute_ok("OCRA-1:HOTP-SHA1-8:QN64", KEY20, 20, &in, code);
	assert_string_equal(code, "59744452");
}

static void
test_qn_mutual_concatenates_decimal_strings(void **state)
{
	struct ocra_input	in;
	char			code[OCRA_CODE_MAX];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.question = "1234";
	in.question2 = "56789";
	compute_ok("OCRA-1:HOTP-SHA1-6:QN08", KEY20, 20, &in, code);
	assert_string_equal(code, "045693");
}

static void
test_zero_digits_outputs_full_hmac_hex(void **state)
{
	struct ocra_input	in;
	char			code[OCRA_CODE_MAX];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.question = "12345678";
	compute_ok("OCRA-1:HOTP-SHA1-0:QN08", KEY20, 20, &in, code);
	assert_string_equal(code, "20c95bc9c4f0508d274e75f3e6e8067cbe44c182");
}

static void
test_all_datainput_items_ten_digits(void **state)
{
	struct ocra_input	in;
	char			code[OCRA_CODE_MAX];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.counter = 7;
	in.question = "deadBEEF";
	in.pin_hash = "03ac674216f3e15c761ee1a5e255f067"
	    "953623c8b388b4459e13f978d7c846f4";
	in.session = (const unsigned char *)"session-42";
	in.session_len = 10;
	in.timestamp = 1234567890 / 30;
	compute_ok("OCRA-1:HOTP-SHA256-10:C-QH08-PSHA256-S064-T30S",
	    KEY32, 32, &in, code);
	assert_string_equal(code, "0459780874");
}

static void
test_suite_parse_fills_every_field(void **state)
{
	struct ocra_suite	s;
	const char		*text;

	(void)state;
	text = "OCRA-1:HOTP-SHA512-10:C-QA64-PSHA512-S512-T48H";
	assert_int_equal(ocra_suite_parse(text, &s, NULL), 0);
	assert_int_equal(s.hash, OCRA_SHA512);
	assert_int_equal(s.digits, 10);
	assert_int_equal(s.counter, 1);
	assert_int_equal(s.question_type, 'A');
	assert_int_equal(s.question_len, 64);
	assert_int_equal(s.pin_hash, OCRA_SHA512);
	assert_int_equal(s.session_len, 512);
	assert_int_equal(s.time_step, 48 * 3600);
	assert_string_equal(s.text, text);

	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-4:QH04-T59S",
	    &s, NULL), 0);
	assert_int_equal(s.hash, OCRA_SHA1);
	assert_int_equal(s.digits, 4);
	assert_int_equal(s.counter, 0);
	assert_int_equal(s.question_type, 'H');
	assert_int_equal(s.question_len, 4);
	assert_int_equal(s.pin_hash, 0);
	assert_int_equal(s.session_len, 0);
	assert_int_equal(s.time_step, 59);

	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA256-6:QH64",
	    &s, NULL), 0);
	assert_int_equal(s.hash, OCRA_SHA256);
	assert_int_equal(s.time_step, 0);

	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08-T5M",
	    &s, NULL), 0);
	assert_int_equal(s.time_step, 300);
}

static void
test_suite_rejects_bad_version(void **state)
{
	(void)state;
	assert_suite_rejected("OCRA-2:HOTP-SHA1-6:QN08",
	    "algorithm is not OCRA-1");
	assert_suite_rejected("OCRA-10:HOTP-SHA1-6:QN08",
	    "algorithm is not OCRA-1");
	assert_suite_rejected("ocra-1:HOTP-SHA1-6:QN08",
	    "algorithm is not OCRA-1");
	assert_suite_rejected("HOTP-SHA1-6:QN08", "algorithm is not OCRA-1");
}

static void
test_suite_rejects_unknown_crypto_function(void **state)
{
	(void)state;
	assert_suite_rejected("OCRA-1:TOTP-SHA1-6:QN08",
	    "crypto function is not HOTP-H-t");
	assert_suite_rejected("OCRA-1:HOTP-MD5-6:QN08",
	    "unknown crypto function hash");
	assert_suite_rejected("OCRA-1:HOTP-SHA384-6:QN08",
	    "unknown crypto function hash");
	assert_suite_rejected("OCRA-1:HOTP-sha1-6:QN08",
	    "unknown crypto function hash");
	assert_suite_rejected("OCRA-1:HOTP-SHA1:QN08",
	    "crypto function is not HOTP-H-t");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6-6:QN08",
	    "crypto function is not HOTP-H-t");
}

static void
test_suite_rejects_digits_out_of_range(void **state)
{
	(void)state;
	assert_suite_rejected("OCRA-1:HOTP-SHA1-1:QN08",
	    "truncation is not 0 or 4 to 10");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-2:QN08", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-3:QN08", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-11:QN08", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-06:QN08", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-100:QN08", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-x:QN08", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-:QN08", NULL);
}

static void
test_suite_rejects_missing_question(void **state)
{
	(void)state;
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:",
	    "DataInput has no question");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:C",
	    "DataInput has no question");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:C-PSHA1-T1M",
	    "DataInput has no question");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6", NULL);
}

static void
test_suite_rejects_bad_question_item(void **state)
{
	static const char *bad[] = {
		"OCRA-1:HOTP-SHA1-6:QN03",
		"OCRA-1:HOTP-SHA1-6:QN65",
		"OCRA-1:HOTP-SHA1-6:QX08",
		"OCRA-1:HOTP-SHA1-6:Qn08",
		"OCRA-1:HOTP-SHA1-6:QN8",
		"OCRA-1:HOTP-SHA1-6:QN008",
		"OCRA-1:HOTP-SHA1-6:Q",
	};
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_suite_rejected(bad[i], "question is not QA, QN or QH "
		    "with a length of 04 to 64");
}

static void
test_suite_rejects_repeated_or_misordered_items(void **state)
{
	static const char *bad[] = {
		"OCRA-1:HOTP-SHA1-6:C-C-QN08",
		"OCRA-1:HOTP-SHA1-6:QN08-QA08",
		"OCRA-1:HOTP-SHA1-6:QN08-PSHA1-PSHA1",
		"OCRA-1:HOTP-SHA1-6:QN08-S064-S064",
		"OCRA-1:HOTP-SHA1-6:QN08-T1M-T1M",
		"OCRA-1:HOTP-SHA1-6:QN08-C",
		"OCRA-1:HOTP-SHA1-6:PSHA1-QN08",
		"OCRA-1:HOTP-SHA1-6:QN08-S064-PSHA1",
		"OCRA-1:HOTP-SHA1-6:QN08-T1M-S064",
	};
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_suite_rejected(bad[i],
		    "DataInput item repeated or out of order");
}

static void
test_suite_rejects_unknown_datainput_items(void **state)
{
	(void)state;
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-X",
	    "unknown DataInput item");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:CC-QN08",
	    "unknown DataInput item");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-PMD5",
	    "unknown PIN hash function");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-P",
	    "unknown PIN hash function");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-S100",
	    "session is not S064, S128, S256 or S512");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-S64", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-S", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-T0H",
	    "time-step is zero");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-T60S",
	    "time-step is not TG");
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-T60M", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-T49H", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-T1D", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-T01M", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-TM", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-T", NULL);
}

static void
test_suite_rejects_garbage_after(void **state)
{
	(void)state;
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08--T1M", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08 ", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08:X", NULL);
	assert_suite_rejected("OCRA-1:HOTP-SHA1-6:QN08-T1M\n", NULL);
}

static void
test_suite_rejects_too_long_empty_or_null(void **state)
{
	struct ocra_suite	s;
	char			text[OCRA_SUITE_MAX + 2];

	(void)state;
	memset(text, 'X', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "OCRA-1:HOTP-SHA1-6:QN08-", 24);
	assert_suite_rejected(text, "suite is longer than 64 characters");
	assert_suite_rejected("", "suite is empty");
	assert_int_equal(ocra_suite_parse(NULL, &s, NULL), -1);
	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", NULL,
	    NULL), -1);
}

static void
test_compute_rejects_question_too_long(void **state)
{
	struct ocra_input	in;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.question = "123456789";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08", &in,
	    "question is longer than the suite's");

	/* Mutual challenges are passed apart, each within xx. */
	in.question = "CLI22220SRV11110";
	assert_compute_rejected("OCRA-1:HOTP-SHA256-8:QA08", &in,
	    "question is longer than the suite's");
	in.question = "CLI22220";
	in.question2 = "SRV111100";
	assert_compute_rejected("OCRA-1:HOTP-SHA256-8:QA08", &in,
	    "question is longer than the suite's");
}

static void
test_compute_rejects_question_too_short_or_missing(void **state)
{
	struct ocra_input	in;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.question = "123";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08", &in,
	    "question is shorter than 4");
	in.question = NULL;
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08", &in,
	    "question is missing");
	in.question = "1234";
	in.question2 = "";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08", &in,
	    "question is shorter than 4");
}

static void
test_compute_rejects_question_wrong_charset(void **state)
{
	struct ocra_input	in;
	const char		*why;

	(void)state;
	why = "question has a character outside its format";
	memset(&in, 0, sizeof(in));
	in.question = "1234567a";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08", &in, why);
	in.question = "-1234567";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08", &in, why);
	in.question = "abcdefg0";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QH08", &in, why);
	in.question = "0x123456";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QH08", &in, why);
	in.question = "SIG\t1000";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QA08", &in, why);
	in.question = "SIG\3051000";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QA08", &in, why);
	in.question = "1234";
	in.question2 = "12a4";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08", &in, why);
}

static void
test_compute_rejects_null_or_bad_key(void **state)
{
	struct ocra_suite	s;
	struct ocra_input	in;
	const char		*reason;
	char			code[OCRA_CODE_MAX];
	unsigned char		big[1025];

	(void)state;
	memset(&in, 0, sizeof(in));
	memset(big, 'k', sizeof(big));
	in.question = "12345678";
	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", &s,
	    NULL), 0);

	reason = NULL;
	assert_int_equal(ocra_compute(&s, NULL, 20, &in, code, sizeof(code),
	    &reason), -1);
	assert_string_equal(reason, "key is missing or longer than 1024 bytes");
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY20, 0,
	    &in, code, sizeof(code), NULL), -1);
	assert_int_equal(ocra_compute(&s, big, sizeof(big), &in, code,
	    sizeof(code), NULL), -1);
	assert_int_equal(ocra_compute(&s, big, sizeof(big) - 1, &in, code,
	    sizeof(code), NULL), 0);
	assert_int_equal(ocra_compute(NULL, (const unsigned char *)KEY20, 20,
	    &in, code, sizeof(code), NULL), -1);
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY20, 20,
	    NULL, code, sizeof(code), NULL), -1);
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY20, 20,
	    &in, NULL, sizeof(code), NULL), -1);
}

static void
test_compute_rejects_bad_pin_hash(void **state)
{
	struct ocra_input	in;
	const char		*why;

	(void)state;
	why = "PIN hash is not the hash length in hex";
	memset(&in, 0, sizeof(in));
	in.question = "12345678";
	assert_compute_rejected("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", &in,
	    "suite needs a PIN hash");
	in.pin_hash = "7110eda4d09e062aa5e4a390b0a572ac0d2c022";
	assert_compute_rejected("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", &in, why);
	in.pin_hash = PIN1234_SHA1 "00";
	assert_compute_rejected("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", &in, why);
	in.pin_hash = "7110eda4d09e062aa5e4a390b0a572ac0d2c022g";
	assert_compute_rejected("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", &in, why);
	in.pin_hash = PIN1234_SHA1;
	assert_compute_rejected("OCRA-1:HOTP-SHA256-8:QN08-PSHA256", &in, why);
	assert_compute_rejected("OCRA-1:HOTP-SHA256-8:QN08", &in,
	    "PIN hash given but the suite has no P");
}

static void
test_compute_rejects_bad_session(void **state)
{
	struct ocra_input	in;
	unsigned char		session[65];

	(void)state;
	memset(&in, 0, sizeof(in));
	memset(session, 's', sizeof(session));
	in.question = "12345678";
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08-S064", &in,
	    "session information missing or too long");
	in.session = session;
	in.session_len = sizeof(session);
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08-S064", &in,
	    "session information missing or too long");
	in.session_len = 64;
	assert_compute_rejected("OCRA-1:HOTP-SHA1-6:QN08", &in,
	    "session given but the suite has no S");
}

static void
test_compute_rejects_small_output_buffer(void **state)
{
	struct ocra_suite	s;
	struct ocra_input	in;
	const char		*reason;
	char			code[OCRA_CODE_MAX];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.question = "12345678";

	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", &s,
	    NULL), 0);
	reason = NULL;
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY20, 20,
	    &in, code, 6, &reason), -1);
	assert_string_equal(reason, "output buffer is too small");
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY20, 20,
	    &in, code, 7, NULL), 0);

	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA512-0:QN08", &s,
	    NULL), 0);
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY64, 64,
	    &in, code, OCRA_CODE_MAX - 1, NULL), -1);
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY64, 64,
	    &in, code, OCRA_CODE_MAX, NULL), 0);
	assert_int_equal(strlen(code), 128);
}

static void
test_compute_rejects_unparsed_suite(void **state)
{
	struct ocra_suite	s;
	struct ocra_input	in;
	char			code[OCRA_CODE_MAX];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.question = "12345678";

	/* Digits outside 0 or 4..10 never reach the truncation. */
	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", &s,
	    NULL), 0);
	s.digits = 3;
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY20, 20,
	    &in, code, sizeof(code), NULL), -1);
	s.digits = 11;
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY20, 20,
	    &in, code, sizeof(code), NULL), -1);

	memset(&s, 0, sizeof(s));
	assert_int_equal(ocra_compute(&s, (const unsigned char *)KEY20, 20,
	    &in, code, sizeof(code), NULL), -1);
}

static void
test_time_steps_count_from_epoch(void **state)
{
	struct ocra_suite	s;
	uint64_t		t;

	(void)state;
	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA512-8:QN08-T1M",
	    &s, NULL), 0);

	/* RFC 6287 Appendix C: Mar 25 2008, 12:06:30 GMT. */
	assert_int_equal(ocra_time_steps(&s, 1206446790, &t), 0);
	assert_int_equal(t, RFC_T1M);

	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08-T30S",
	    &s, NULL), 0);
	assert_int_equal(ocra_time_steps(&s, 59, &t), 0);
	assert_int_equal(t, 1);
	assert_int_equal(ocra_time_steps(&s, 60, &t), 0);
	assert_int_equal(t, 2);
	assert_int_equal(ocra_time_steps(&s, -1, &t), -1);

	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08-T2H",
	    &s, NULL), 0);
	assert_int_equal(ocra_time_steps(&s, 7 * 3600, &t), 0);
	assert_int_equal(t, 3);

	assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", &s,
	    NULL), 0);
	assert_int_equal(ocra_time_steps(&s, 1206446790, &t), -1);
}

static void
test_code_equal_compares_whole_codes(void **state)
{
	(void)state;
	assert_true(ocra_code_equal("123456", "123456"));
	assert_false(ocra_code_equal("123456", "123457"));
	assert_false(ocra_code_equal("123456", "12345"));
	assert_false(ocra_code_equal("12345", "123456"));
	assert_false(ocra_code_equal("", "0"));
	assert_true(ocra_code_equal("", ""));
	assert_false(ocra_code_equal(NULL, "123456"));
	assert_false(ocra_code_equal("123456", NULL));
	assert_false(ocra_code_equal(NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6287_one_way_sha1_qn08),
		cmocka_unit_test(
		    test_rfc6287_one_way_sha256_counter_qn08_psha1),
		cmocka_unit_test(test_rfc6287_one_way_sha256_qn08_psha1),
		cmocka_unit_test(test_rfc6287_one_way_sha512_counter_qn08),
		cmocka_unit_test(test_rfc6287_one_way_sha512_qn08_t1m),
		cmocka_unit_test(test_rfc6287_mutual_sha256_qa08_server),
		cmocka_unit_test(test_rfc6287_mutual_sha256_qa08_client),
		cmocka_unit_test(test_rfc6287_mutual_sha512_qa08_server),
		cmocka_unit_test(test_rfc6287_mutual_sha512_qa08_psha1_client),
		cmocka_unit_test(test_rfc6287_signature_sha256_qa08),
		cmocka_unit_test(test_rfc6287_signature_sha512_qa10_t1m),
		cmocka_unit_test(test_mutua_suite_sha256_6_qh64),
		cmocka_unit_test(test_qh_odd_length_is_left_aligned),
		cmocka_unit_test(test_qn64_converts_big_decimal),
		cmocka_unit_test(test_qn_mutual_concatenates_decimal_strings),
		cmocka_unit_test(test_zero_digits_outputs_full_hmac_hex),
		cmocka_unit_test(test_all_datainput_items_ten_digits),
		cmocka_unit_test(test_suite_parse_fills_every_field),
		cmocka_unit_test(test_suite_rejects_bad_version),
		cmocka_unit_test(test_suite_rejects_unknown_crypto_function),
		cmocka_unit_test(test_suite_rejects_digits_out_of_range),
		cmocka_unit_test(test_suite_rejects_missing_question),
		cmocka_unit_test(test_suite_rejects_bad_question_item),
		cmocka_unit_test(
		    test_suite_rejects_repeated_or_misordered_items),
		cmocka_unit_test(test_suite_rejects_unknown_datainput_items),
		cmocka_unit_test(test_suite_rejects_garbage_after),
		cmocka_unit_test(test_suite_rejects_too_long_empty_or_null),
		cmocka_unit_test(test_compute_rejects_question_too_long),
		cmocka_unit_test(
		    test_compute_rejects_question_too_short_or_missing),
		cmocka_unit_test(test_compute_rejects_question_wrong_charset),
		cmocka_unit_test(test_compute_rejects_null_or_bad_key),
		cmocka_unit_test(test_compute_rejects_bad_pin_hash),
		cmocka_unit_test(test_compute_rejects_bad_session),
		cmocka_unit_test(test_compute_rejects_small_output_buffer),
		cmocka_unit_test(test_compute_rejects_unparsed_suite),
		cmocka_unit_test(test_time_steps_count_from_epoch),
		cmocka_unit_test(test_code_equal_compares_whole_codes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
