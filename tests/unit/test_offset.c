/*
 * Unit tests for the X.1280 offset and code (src/offset.c), the base64url
 * codec (src/crypto.c) and the device keys (src/device.c): the pieces an
 * authenticator and the verifier must agree on byte for byte
 * (docs/protocol.md).
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto.h"
#include "device.h"
#include "fixture.h"
#include "offset.h"

/*
 * Known answer, computed independently in Python (urllib.parse.quote with
 * safe="-._~", hashlib, hmac), RFC 6287 DataInput as docs/protocol.md §3:
 * suite || 0x00 || SHA-256(offset) || 96 zero bytes, HMAC-SHA-256 with
 * K = 00 01 .. 1f, dynamic truncation to 6 digits.
 */
#define KAT_OFFSET	"v=2&rp=https%3A%2F%2Fsp.example.org%2Fsaml" \
			"&rpn=Sp%C3%A4t%20Library" \
			"&sid=0123456789abcdef0123456789abcdef" \
			"&tpub=203.0.113.9&tpriv=-" \
			"&ua=Mozilla%2F5.0%20%28X11%3B%20Linux%20x86_64%29" \
			"&uid=alice&t=1764083000" \
			"&n=00112233445566778899aabbccddeeff"
#define KAT_HASH	"6fb6fa8f0d332bec99aa333ab35773a2" \
			"6c8b6e77a183c2f4d8f6f551f2d76b0a"
#define KAT_CODE	"461974"

/* The same with hostile values, K = 0xa5 repeated (Python as above). */
#define KAT2_OFFSET	"v=2&rp=&rpn=&sid=0123456789abcdef0123456789abcdef" \
			"&tpub=2001%3Adb8%3A%3A1&tpriv=10.0.0.7" \
			"&ua=Z%C3%BCrich%20%26%20Co%20%3D%20100%25%20%22x%22" \
			"&uid=bob%40example.org&t=1" \
			"&n=ffffffffffffffffffffffffffffffff"
#define KAT2_CODE	"362223"

/* Version 1 (no rpn), as stored alerts and requests still hold it. */
#define KAT_V1_OFFSET	"v=1&rp=https%3A%2F%2Fsp.example.org%2Fsaml" \
			"&sid=0123456789abcdef0123456789abcdef" \
			"&tpub=203.0.113.9&tpriv=-" \
			"&ua=Mozilla%2F5.0%20%28X11%3B%20Linux%20x86_64%29" \
			"&uid=alice&t=1764083000" \
			"&n=00112233445566778899aabbccddeeff"
#define KAT_V1_CODE	"270179"

/* Python: hashlib.sha256(b"session-cookie-value").hexdigest()[:32] */
#define KAT_SID		"924aff0eb05575eb1dd04d5f45ba7c5a"

#define SID		"0123456789abcdef0123456789abcdef"
#define NONCE		"00112233445566778899aabbccddeeff"

static void	fields_kat(struct offset_fields *);
static void	key_kat(unsigned char *);
static void	assert_parse_rejected(const char *);
static void	assert_b64_decodes(const char *, const char *);
static void	assert_b64_rejected(const char *);
static void	assert_round_trip(const struct offset_fields *);
static EVP_PKEY	*key_and_point(unsigned char *);
static int	openssl_available(void);

static void
fields_kat(struct offset_fields *f)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->rp, "https://sp.example.org/saml");
	strcpy(f->rpn, "Sp\xc3\xa4t Library");
	strcpy(f->sid, SID);
	strcpy(f->tpub, "203.0.113.9");
	strcpy(f->tpriv, "-");
	strcpy(f->ua, "Mozilla/5.0 (X11; Linux x86_64)");
	strcpy(f->uid, "alice");
	f->t = 1764083000;
	strcpy(f->n, NONCE);
}

static void
key_kat(unsigned char *k)
{
	size_t		i;

	for (i = 0; i < OFFSET_KEY_LEN; i++)
		k[i] = (unsigned char)i;
}

static void
assert_parse_rejected(const char *offset)
{
	struct offset_fields	f;

	assert_int_equal(offset_parse(offset, &f), -1);
}

static void
assert_round_trip(const struct offset_fields *in)
{
	struct offset_fields	out;
	char			buf[OFFSET_MAX];

	assert_int_equal(offset_build(in, buf, sizeof(buf)), 0);
	assert_int_equal(offset_parse(buf, &out), 0);
	assert_string_equal(out.rp, in->rp);
	assert_string_equal(out.rpn, in->rpn);
	assert_string_equal(out.sid, in->sid);
	assert_string_equal(out.tpub, in->tpub);
	assert_string_equal(out.tpriv, in->tpriv);
	assert_string_equal(out.ua, in->ua);
	assert_string_equal(out.uid, in->uid);
	assert_true(out.t == in->t);
	assert_string_equal(out.n, in->n);
}

static void
test_offset_build_matches_known_answer(void **state)
{
	struct offset_fields	f;
	char			buf[OFFSET_MAX];

	(void)state;
	fields_kat(&f);
	assert_int_equal(offset_build(&f, buf, sizeof(buf)), 0);
	assert_string_equal(buf, KAT_OFFSET);
}

static void
test_offset_round_trips_plain_values(void **state)
{
	struct offset_fields	f;

	(void)state;
	fields_kat(&f);
	assert_round_trip(&f);
}

static void
test_offset_round_trips_hostile_values(void **state)
{
	struct offset_fields	f;
	char			buf[OFFSET_MAX];

	(void)state;
	fields_kat(&f);
	/* Separators, escapes and UTF-8 must survive, and not split fields. */
	strcpy(f.rp, "");
	strcpy(f.rpn, "");
	strcpy(f.tpub, "2001:db8::1");
	strcpy(f.tpriv, "10.0.0.7");
	strcpy(f.ua, "Z\xc3\xbcrich & Co = 100% \"x\"");
	strcpy(f.uid, "bob@example.org");
	f.t = 1;
	strcpy(f.n, "ffffffffffffffffffffffffffffffff");
	assert_int_equal(offset_build(&f, buf, sizeof(buf)), 0);
	assert_string_equal(buf, KAT2_OFFSET);
	assert_round_trip(&f);

	strcpy(f.rp, "a&rp=evil&b=%25%00 ~._-");
	strcpy(f.ua, "&&==%%  \t\xe2\x80\xae\xf0\x9f\x94\x91");
	assert_round_trip(&f);
}

static void
test_offset_build_escapes_in_upper_case(void **state)
{
	struct offset_fields	f;
	char			buf[OFFSET_MAX];

	(void)state;
	fields_kat(&f);
	strcpy(f.rp, "\xff\x0a");
	assert_int_equal(offset_build(&f, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "&rp=%FF%0A&"));
}

static void
test_offset_build_rejects_small_buffer(void **state)
{
	struct offset_fields	f;
	char			buf[OFFSET_MAX];

	(void)state;
	fields_kat(&f);
	assert_int_equal(offset_build(&f, buf, strlen(KAT_OFFSET)), -1);
	assert_int_equal(offset_build(&f, buf, strlen(KAT_OFFSET) + 1), 0);

	/*
	 * Every field at its longest and every byte escaped still fits
	 * OFFSET_MAX: no login fails for the length of its context.
	 */
	memset(f.rp, '/', sizeof(f.rp) - 1);
	f.rp[sizeof(f.rp) - 1] = '\0';
	memset(f.rpn, '/', sizeof(f.rpn) - 1);
	f.rpn[sizeof(f.rpn) - 1] = '\0';
	memset(f.tpub, '/', sizeof(f.tpub) - 1);
	f.tpub[sizeof(f.tpub) - 1] = '\0';
	memset(f.tpriv, '/', sizeof(f.tpriv) - 1);
	f.tpriv[sizeof(f.tpriv) - 1] = '\0';
	memset(f.ua, '/', OFFSET_UA_MAX);
	f.ua[OFFSET_UA_MAX] = '\0';
	memset(f.uid, '/', sizeof(f.uid) - 1);
	f.uid[sizeof(f.uid) - 1] = '\0';
	f.t = UINT64_MAX;
	assert_int_equal(offset_build(&f, buf, sizeof(buf)), 0);
}

static void
test_offset_parse_reads_version_1_without_name(void **state)
{
	struct offset_fields	f;

	(void)state;
	assert_int_equal(offset_parse(KAT_V1_OFFSET, &f), 0);
	assert_string_equal(f.rp, "https://sp.example.org/saml");
	assert_string_equal(f.rpn, "");
	assert_string_equal(f.uid, "alice");
	/* Version 1 has no rpn; version 2 must have it. */
	assert_parse_rejected("v=1&rp=x&rpn=y&sid=" SID "&tpub=x&tpriv=-"
	    "&ua=u&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=2&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
}

static void
test_offset_parse_rejects_unclean_name(void **state)
{
	(void)state;
	/* A name is shown as it is: one line of valid UTF-8, or none. */
	assert_parse_rejected("v=2&rp=x&rpn=a%0Ab&sid=" SID "&tpub=x"
	    "&tpriv=-&ua=u&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=2&rp=x&rpn=a%20%20b&sid=" SID "&tpub=x"
	    "&tpriv=-&ua=u&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=2&rp=x&rpn=%1B%5B2J&sid=" SID "&tpub=x"
	    "&tpriv=-&ua=u&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=2&rp=x&rpn=%C3&sid=" SID "&tpub=x"
	    "&tpriv=-&ua=u&uid=a&t=5&n=" NONCE);
	assert_int_equal(offset_parse("v=2&rp=x&rpn=A%20b&sid=" SID "&tpub=x"
	    "&tpriv=-&ua=u&uid=a&t=5&n=" NONCE, &(struct offset_fields){ 0 }),
	    0);
}

/*
 * Decision: parsing accepts escapes in either case and escapes of
 * unreserved bytes. Such a spelling is another string, so it has
 * another hash, code and approval signature: nothing relies on one
 * spelling per context, and an authenticator should not refuse to show
 * what the verifier sent.
 */
static void
test_offset_parse_accepts_both_cases_of_hex(void **state)
{
	struct offset_fields	f;

	(void)state;
	assert_int_equal(offset_parse("v=1&rp=%2f%2F%c3%BC&sid=" SID
	    "&tpub=x&tpriv=-&ua=&uid=a&t=5&n=" NONCE, &f), 0);
	assert_string_equal(f.rp, "//\xc3\xbc");
	assert_string_equal(f.ua, "");
	assert_true(f.t == 5);
	assert_int_equal(offset_parse("v=1&rp=%41&sid=" SID
	    "&tpub=x&tpriv=-&ua=&uid=a&t=%31&n=" NONCE, &f), 0);
	assert_string_equal(f.rp, "A");
	assert_true(f.t == 1);
}

static void
test_offset_parse_rejects_wrong_order(void **state)
{
	(void)state;
	assert_parse_rejected("v=1&sid=" SID "&rp=x&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("rp=x&v=1&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&n=" NONCE "&t=5");
}

static void
test_offset_parse_rejects_missing_field(void **state)
{
	(void)state;
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&ua=u&uid=a&t=5"
	    "&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5");
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n");
	assert_parse_rejected("");
}

static void
test_offset_parse_rejects_extra_field(void **state)
{
	(void)state;
	assert_parse_rejected(KAT_OFFSET "&x=1");
	assert_parse_rejected(KAT_OFFSET "&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&rp=y&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
}

/* A trailing '&' would make a second spelling of the same offset. */
static void
test_offset_parse_rejects_trailing_separator(void **state)
{
	(void)state;
	assert_parse_rejected(KAT_OFFSET "&");
}

static void
test_offset_parse_rejects_bad_escapes(void **state)
{
	(void)state;
	assert_parse_rejected("v=1&rp=%G1&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=1&rp=%4&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE "%");
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE "%4");
	/* A NUL byte would cut the value short in C. */
	assert_parse_rejected("v=1&rp=a%00b&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
	/* Bytes that must be escaped may not appear raw. */
	assert_parse_rejected("v=1&rp=a/b&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=a b"
	    "&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=a=b"
	    "&uid=a&t=5&n=" NONCE);
}

static void
test_offset_parse_rejects_other_versions(void **state)
{
	(void)state;
	assert_parse_rejected("v=3&rp=x&rpn=&sid=" SID "&tpub=x&tpriv=-"
	    "&ua=u&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=01&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
	assert_parse_rejected("v=&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
}

static void
test_offset_parse_rejects_bad_time(void **state)
{
	(void)state;
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=0123&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=0&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=12a&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=-5&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=&n=" NONCE);
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=%2B5&n=" NONCE);
}

/* t beyond 2^64 - 1 must not saturate to ULLONG_MAX. */
static void
test_offset_parse_rejects_time_overflow(void **state)
{
	(void)state;
	assert_parse_rejected("v=1&rp=x&sid=" SID "&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=99999999999999999999&n=" NONCE);
}

static void
test_offset_parse_rejects_overlong_values(void **state)
{
	char		buf[OFFSET_MAX + 16];

	(void)state;
	assert_parse_rejected("v=1&rp=x&sid=" SID "0&tpub=x&tpriv=-&ua=u"
	    "&uid=a&t=5&n=" NONCE);
	/* ua: at most OFFSET_UA_MAX bytes once decoded. */
	snprintf(buf, sizeof(buf), "v=1&rp=x&sid=" SID "&tpub=x&tpriv=-"
	    "&ua=%0*d&uid=a&t=5&n=" NONCE, OFFSET_UA_MAX + 1, 0);
	assert_parse_rejected(buf);
	snprintf(buf, sizeof(buf), "v=1&rp=x&sid=" SID "&tpub=x&tpriv=-"
	    "&ua=%0*d&uid=a&t=5&n=" NONCE, OFFSET_UA_MAX, 0);
	assert_int_equal(offset_parse(buf, &(struct offset_fields){ 0 }), 0);
	/* The whole string: at most OFFSET_MAX - 1 bytes. */
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf, "v=1&rp=", 7);
	assert_parse_rejected(buf);
}

static void
test_offset_code_matches_known_answers(void **state)
{
	unsigned char	k[OFFSET_KEY_LEN];
	char		code[OFFSET_CODE_LEN + 1], hash[65];

	(void)state;
	key_kat(k);
	offset_hash_hex(KAT_OFFSET, hash);
	assert_string_equal(hash, KAT_HASH);
	assert_int_equal(offset_code(k, KAT_OFFSET, code), 0);
	assert_string_equal(code, KAT_CODE);
	assert_int_equal(offset_code(k, KAT_V1_OFFSET, code), 0);
	assert_string_equal(code, KAT_V1_CODE);
	memset(k, 0xa5, sizeof(k));
	assert_int_equal(offset_code(k, KAT2_OFFSET, code), 0);
	assert_string_equal(code, KAT2_CODE);
}

static void
test_offset_code_changes_with_one_byte_of_offset(void **state)
{
	unsigned char	k[OFFSET_KEY_LEN];
	char		code[OFFSET_CODE_LEN + 1], other[OFFSET_CODE_LEN + 1];
	char		buf[] = KAT_OFFSET;
	size_t		i, same;

	(void)state;
	key_kat(k);
	assert_int_equal(offset_code(k, buf, code), 0);
	/*
	 * A 6-digit code collides with probability 1e-6 per change; over
	 * every position none may collide for this fixed input.
	 */
	for (i = 0, same = 0; buf[i] != '\0'; i++) {
		buf[i] ^= 0x01;
		assert_int_equal(offset_code(k, buf, other), 0);
		if (strcmp(code, other) == 0)
			same++;
		buf[i] ^= 0x01;
	}
	assert_int_equal(same, 0);
	/* And with one bit of K. */
	k[31] ^= 0x80;
	assert_int_equal(offset_code(k, buf, other), 0);
	assert_string_not_equal(code, other);
}

static void
test_offset_session_hash_is_32_hex_of_sha256(void **state)
{
	char		out[33];

	(void)state;
	memset(out, 'X', sizeof(out));
	offset_session_hash("session-cookie-value", out);
	assert_int_equal(strlen(out), 32);
	assert_string_equal(out, KAT_SID);
}

/* RFC 4648 §10 vectors, in the §5 alphabet without padding. */
static void
test_b64url_encodes_rfc4648_vectors(void **state)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	char		out[16];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(crypto_b64url_encode(v[i][0], strlen(v[i][0]),
		    out, sizeof(out)), 0);
		assert_string_equal(out, v[i][1]);
		assert_b64_decodes(v[i][1], v[i][0]);
	}
}

static void
assert_b64_decodes(const char *in, const char *want)
{
	unsigned char	out[64];

	assert_int_equal(crypto_b64url_decode(in, out, sizeof(out)),
	    (int)strlen(want));
	assert_memory_equal(out, want, strlen(want));
}

static void
assert_b64_rejected(const char *in)
{
	unsigned char	out[64];

	assert_int_equal(crypto_b64url_decode(in, out, sizeof(out)), -1);
}

static void
test_b64url_uses_url_alphabet(void **state)
{
	static const unsigned char	in[] = { 0xfb, 0xff, 0xbf };
	char				out[8];

	(void)state;
	assert_int_equal(crypto_b64url_encode(in, sizeof(in), out,
	    sizeof(out)), 0);
	assert_string_equal(out, "-_-_");
	assert_b64_decodes("-_-_", "\xfb\xff\xbf");
}

static void
test_b64url_decode_rejects_invalid_characters(void **state)
{
	(void)state;
	assert_b64_rejected("+/+/");
	assert_b64_rejected("Zm9v=");
	assert_b64_rejected("Zg==");
	assert_b64_rejected("Zm 9v");
	assert_b64_rejected("Zm9v\n");
	assert_b64_rejected("Zm9\xc3\xa9");
}

static void
test_b64url_decode_rejects_impossible_length(void **state)
{
	(void)state;
	assert_b64_rejected("Z");
	assert_b64_rejected("Zm9vY");
}

static void
test_b64url_decode_rejects_nonzero_trailing_bits(void **state)
{
	(void)state;
	/* "Zg" is the one encoding of "f"; "Zh" sets an unused bit. */
	assert_b64_rejected("Zh");
	assert_b64_rejected("Zm9");
	assert_b64_decodes("Zm8", "fo");
}

static void
test_b64url_rejects_small_buffers(void **state)
{
	unsigned char	out[3];
	char		text[5];

	(void)state;
	assert_int_equal(crypto_b64url_decode("Zm9vYg", out, sizeof(out)),
	    -1);
	assert_int_equal(crypto_b64url_decode("Zm9v", out, sizeof(out)), 3);
	assert_int_equal(crypto_b64url_encode("foob", 4, text, sizeof(text)),
	    -1);
	assert_int_equal(crypto_b64url_encode("foo", 3, text, sizeof(text)),
	    0);
}

/* @return a new key (EVP_PKEY_free) with its public point in point. */
static EVP_PKEY *
key_and_point(unsigned char *point)
{
	EVP_PKEY	*key;

	key = device_key_generate();
	assert_non_null(key);
	assert_int_equal(device_key_public(key, point), 0);
	assert_int_equal(point[0], 0x04);
	return (key);
}

static void
test_device_sign_verify_round_trip(void **state)
{
	EVP_PKEY	*key, *pub;
	unsigned char	 point[DEVICE_PUBKEY_LEN], sig[DEVICE_SIG_LEN];
	char		 b64[96];
	const char	*msg = "mutua-device-v1\nGET\n/oob/v1/pending?wait=0";

	(void)state;
	key = key_and_point(point);
	assert_int_equal(device_sign(key, msg, strlen(msg), sig), 0);
	assert_int_equal(device_verify(key, msg, strlen(msg), sig,
	    sizeof(sig)), 1);
	pub = device_key_from_public(point, sizeof(point));
	assert_non_null(pub);
	assert_int_equal(device_verify(pub, msg, strlen(msg), sig,
	    sizeof(sig)), 1);
	assert_int_equal(crypto_b64url_encode(sig, sizeof(sig), b64,
	    sizeof(b64)), 0);
	assert_int_equal(device_verify_b64(point, sizeof(point), msg, b64), 1);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(key);
}

static void
test_device_verify_rejects_tampering(void **state)
{
	EVP_PKEY	*key, *other;
	unsigned char	 point[DEVICE_PUBKEY_LEN], sig[DEVICE_SIG_LEN + 1];
	unsigned char	 zero[DEVICE_SIG_LEN];
	char		 msg[] = "mutua-approve-v1\nrequest\nhash\napprove\n1";
	size_t		 i;

	(void)state;
	key = key_and_point(point);
	other = device_key_generate();
	assert_non_null(other);
	assert_int_equal(device_sign(key, msg, strlen(msg), sig), 0);
	sig[DEVICE_SIG_LEN] = 0;

	msg[3] ^= 0x01;
	assert_int_equal(device_verify(key, msg, strlen(msg), sig,
	    DEVICE_SIG_LEN), 0);
	msg[3] ^= 0x01;
	for (i = 0; i < DEVICE_SIG_LEN; i += 7) {
		sig[i] ^= 0x01;
		assert_int_equal(device_verify(key, msg, strlen(msg), sig,
		    DEVICE_SIG_LEN), 0);
		sig[i] ^= 0x01;
	}
	assert_int_equal(device_verify(other, msg, strlen(msg), sig,
	    DEVICE_SIG_LEN), 0);
	assert_int_equal(device_verify(key, msg, strlen(msg), sig,
	    DEVICE_SIG_LEN - 1), 0);
	assert_int_equal(device_verify(key, msg, strlen(msg), sig,
	    DEVICE_SIG_LEN + 1), 0);
	memset(zero, 0, sizeof(zero));
	assert_int_equal(device_verify(key, msg, strlen(msg), zero,
	    sizeof(zero)), 0);
	assert_int_equal(device_verify(key, msg, strlen(msg), sig,
	    DEVICE_SIG_LEN), 1);
	EVP_PKEY_free(other);
	EVP_PKEY_free(key);
}

static void
test_device_key_from_public_rejects_bad_points(void **state)
{
	EVP_PKEY	*key;
	unsigned char	 point[DEVICE_PUBKEY_LEN], bad[DEVICE_PUBKEY_LEN];

	(void)state;
	key = key_and_point(point);

	/* Off the curve: change Y. */
	memcpy(bad, point, sizeof(bad));
	bad[64] ^= 0x01;
	assert_null(device_key_from_public(bad, sizeof(bad)));

	/* Compressed (0x02/0x03 || X), however long. */
	memcpy(bad, point, sizeof(bad));
	bad[0] = 0x02 | (point[64] & 1);
	assert_null(device_key_from_public(bad, 33));
	assert_null(device_key_from_public(bad, sizeof(bad)));

	/* Wrong lengths and the point at infinity. */
	assert_null(device_key_from_public(point, sizeof(point) - 1));
	memset(bad, 0, sizeof(bad));
	assert_null(device_key_from_public(bad, 1));
	bad[0] = 0x04;
	assert_null(device_key_from_public(bad, sizeof(bad)));
	EVP_PKEY_free(key);
}

static int
openssl_available(void)
{
	return (system("openssl version >/dev/null 2>&1") == 0);
}

/*
 * A signature from another implementation: openssl dgst makes DER, which
 * the test turns into r || s as WebCrypto would send it.
 */
static void
test_device_verify_accepts_openssl_dgst_signature(void **state)
{
	EVP_PKEY		*key;
	ECDSA_SIG		*es;
	const BIGNUM		*r, *s;
	const unsigned char	*p;
	unsigned char		 point[DEVICE_PUBKEY_LEN], der[128];
	unsigned char		 raw[DEVICE_SIG_LEN];
	char			 dir[FIXTURE_DIR_MAX], cmd[512];
	char			 path[256];
	const char		*msg = "mutua-register-v1\ncode\nid\npub";
	FILE			*fp;
	size_t			 n;

	(void)state;
	if (!openssl_available())
		skip();
	assert_int_equal(fixture_dir_make(dir, sizeof(dir)), 0);
	key = key_and_point(point);
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/msg", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(msg, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "openssl dgst -sha256 -sign %s/key.pem "
	    "-out %s/sig.der %s/msg", dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/sig.der", dir);
	assert_non_null(fp = fopen(path, "r"));
	n = fread(der, 1, sizeof(der), fp);
	fclose(fp);

	p = der;
	assert_non_null(es = d2i_ECDSA_SIG(NULL, &p, (long)n));
	ECDSA_SIG_get0(es, &r, &s);
	assert_int_equal(BN_bn2binpad(r, raw, 32), 32);
	assert_int_equal(BN_bn2binpad(s, raw + 32, 32), 32);
	ECDSA_SIG_free(es);
	assert_int_equal(device_verify(key, msg, strlen(msg), raw,
	    sizeof(raw)), 1);
	raw[63] ^= 0x01;
	assert_int_equal(device_verify(key, msg, strlen(msg), raw,
	    sizeof(raw)), 0);

	assert_int_equal(fixture_dir_remove(dir), 0);
	EVP_PKEY_free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offset_build_matches_known_answer),
		cmocka_unit_test(test_offset_round_trips_plain_values),
		cmocka_unit_test(test_offset_round_trips_hostile_values),
		cmocka_unit_test(test_offset_build_escapes_in_upper_case),
		cmocka_unit_test(test_offset_build_rejects_small_buffer),
		cmocka_unit_test(test_offset_parse_reads_version_1_without_name),
		cmocka_unit_test(test_offset_parse_rejects_unclean_name),
		cmocka_unit_test(test_offset_parse_accepts_both_cases_of_hex),
		cmocka_unit_test(test_offset_parse_rejects_wrong_order),
		cmocka_unit_test(test_offset_parse_rejects_missing_field),
		cmocka_unit_test(test_offset_parse_rejects_extra_field),
		cmocka_unit_test(
		    test_offset_parse_rejects_trailing_separator),
		cmocka_unit_test(test_offset_parse_rejects_bad_escapes),
		cmocka_unit_test(test_offset_parse_rejects_other_versions),
		cmocka_unit_test(test_offset_parse_rejects_bad_time),
		cmocka_unit_test(test_offset_parse_rejects_time_overflow),
		cmocka_unit_test(test_offset_parse_rejects_overlong_values),
		cmocka_unit_test(test_offset_code_matches_known_answers),
		cmocka_unit_test(
		    test_offset_code_changes_with_one_byte_of_offset),
		cmocka_unit_test(test_offset_session_hash_is_32_hex_of_sha256),
		cmocka_unit_test(test_b64url_encodes_rfc4648_vectors),
		cmocka_unit_test(test_b64url_uses_url_alphabet),
		cmocka_unit_test(
		    test_b64url_decode_rejects_invalid_characters),
		cmocka_unit_test(test_b64url_decode_rejects_impossible_length),
		cmocka_unit_test(
		    test_b64url_decode_rejects_nonzero_trailing_bits),
		cmocka_unit_test(test_b64url_rejects_small_buffers),
		cmocka_unit_test(test_device_sign_verify_round_trip),
		cmocka_unit_test(test_device_verify_rejects_tampering),
		cmocka_unit_test(
		    test_device_key_from_public_rejects_bad_points),
		cmocka_unit_test(
		    test_device_verify_accepts_openssl_dgst_signature),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
