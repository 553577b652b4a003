/*
 * OCRA: OATH Challenge-Response Algorithm (RFC 6287).
 *
 * Suites are parsed once into a struct ocra_suite; a response is one
 * HMAC over a DataInput buffer of bounded size on the stack, which is
 * wiped before return.  No Kore dependency: libc and OpenSSL 3 only.
 */

#include <stdint.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ocra.h"

/* RFC 6287 §5.1: Q always takes 128 bytes of DataInput. */
#define OCRA_Q_BYTES		128

/* RFC 6287 §6.3: the largest session information is S512. */
#define OCRA_SESSION_MAX	512

/* Keys longer than this are a caller bug, not a secret. */
#define OCRA_KEY_MAX		1024

/* RFC 6287 §5.1: suite | 00 | C | Q | P (SHA-512) | S | T. */
#define OCRA_DATAINPUT_MAX	\
	(OCRA_SUITE_MAX + 1 + 8 + OCRA_Q_BYTES + 64 + OCRA_SESSION_MAX + 8)

static int		 ocra_fail(const char **, const char *);
static int		 ocra_hash_lookup(const char *, size_t);
static const EVP_MD	*ocra_md(int);
static int		 ocra_dec(const char *, size_t, size_t, int *);
static int		 ocra_parse_datainput(const char *, struct ocra_suite *,
			    const char **);
static int		 ocra_parse_item(const char *, size_t,
			    struct ocra_suite *, int *, const char **);
static int		 ocra_suite_sane(const struct ocra_suite *);
static int		 ocra_hexval(int);
static int		 ocra_hex_nibbles(const char *, size_t, unsigned char *,
			    size_t);
static int		 ocra_question_check(const struct ocra_suite *,
			    const char *, size_t *, const char **);
static int		 ocra_question_encode(const struct ocra_suite *,
			    const struct ocra_input *, unsigned char *,
			    const char **);
static void		 ocra_put_be64(unsigned char *, uint64_t);
static size_t		 ocra_strnlen(const char *, size_t);

/* RFC 6287 §6.2 and §6.3: the hash names a suite may use. */
static const struct {
	const char	*name;
	int		 id;
} ocra_hashes[] = {
	{ "SHA1",	OCRA_SHA1 },
	{ "SHA256",	OCRA_SHA256 },
	{ "SHA512",	OCRA_SHA512 },
	{ NULL,		0 },
};

int
ocra_suite_parse(const char *suite, struct ocra_suite *out,
    const char **reason)
{
	const char	*p;
	size_t		 len;
	int		 v;

	if (suite == NULL || out == NULL)
		return (ocra_fail(reason, "no suite given"));

	len = ocra_strnlen(suite, OCRA_SUITE_MAX + 1);
	if (len == 0)
		return (ocra_fail(reason, "suite is empty"));
	if (len > OCRA_SUITE_MAX)
		return (ocra_fail(reason, "suite is longer than 64 characters"));

	memset(out, 0, sizeof(*out));
	memcpy(out->text, suite, len);
	out->text[len] = '\0';

	/* RFC 6287 §6.1: version 1 is the only one defined. */
	if (strncmp(suite, "OCRA-1:", 7) != 0)
		return (ocra_fail(reason, "algorithm is not OCRA-1"));
	p = suite + 7;

	/* RFC 6287 §6.2: the crypto function is HOTP-H-t. */
	len = strcspn(p, "-:");
	if (len != 4 || strncmp(p, "HOTP", 4) != 0 || p[len] != '-')
		return (ocra_fail(reason, "crypto function is not HOTP-H-t"));
	p += len + 1;

	len = strcspn(p, "-:");
	if ((out->hash = ocra_hash_lookup(p, len)) == 0)
		return (ocra_fail(reason, "unknown crypto function hash"));
	if (p[len] != '-')
		return (ocra_fail(reason, "crypto function is not HOTP-H-t"));
	p += len + 1;

	/* RFC 6287 §6.2: t is 0 (no truncation) or 4 to 10 digits. */
	len = strcspn(p, "-:");
	if (ocra_dec(p, len, 0, &v) == -1 || (v != 0 && (v < 4 || v > 10)))
		return (ocra_fail(reason, "truncation is not 0 or 4 to 10"));
	out->digits = v;
	if (p[len] != ':')
		return (ocra_fail(reason, "crypto function is not HOTP-H-t"));
	p += len + 1;

	return (ocra_parse_datainput(p, out, reason));
}

int
ocra_compute(const struct ocra_suite *suite, const unsigned char *key,
    size_t keylen, const struct ocra_input *in, char *out, size_t outlen,
    const char **reason)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 buf[OCRA_DATAINPUT_MAX];
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	const EVP_MD	*md;
	unsigned int	 maclen, i;
	size_t		 off, len, need;
	uint32_t	 bin;
	int		 ret, plen;

	ret = -1;
	memset(buf, 0, sizeof(buf));
	memset(mac, 0, sizeof(mac));

	if (suite == NULL || in == NULL || out == NULL) {
		ocra_fail(reason, "missing argument");
		goto cleanse;
	}
	if (ocra_suite_sane(suite) == -1) {
		ocra_fail(reason, "suite was not parsed by ocra_suite_parse");
		goto cleanse;
	}
	if (key == NULL || keylen == 0 || keylen > OCRA_KEY_MAX) {
		ocra_fail(reason, "key is missing or longer than 1024 bytes");
		goto cleanse;
	}

	md = ocra_md(suite->hash);
	if (suite->digits == 0)
		need = 2 * (size_t)EVP_MD_get_size(md) + 1;
	else
		need = (size_t)suite->digits + 1;
	if (outlen < need) {
		ocra_fail(reason, "output buffer is too small");
		goto cleanse;
	}

	/* RFC 6287 §5.1: OCRASuite | 00 | C | Q | P | S | T. */
	len = ocra_strnlen(suite->text, OCRA_SUITE_MAX);
	memcpy(buf, suite->text, len);
	off = len + 1;

	if (suite->counter) {
		ocra_put_be64(buf + off, in->counter);
		off += 8;
	}

	if (ocra_question_encode(suite, in, buf + off, reason) == -1)
		goto cleanse;
	off += OCRA_Q_BYTES;

	if (suite->pin_hash != 0) {
		plen = EVP_MD_get_size(ocra_md(suite->pin_hash));
		if (in->pin_hash == NULL) {
			ocra_fail(reason, "suite needs a PIN hash");
			goto cleanse;
		}
		len = ocra_strnlen(in->pin_hash, 2 * (size_t)plen + 1);
		if (len != 2 * (size_t)plen ||
		    ocra_hex_nibbles(in->pin_hash, len, buf + off,
		    (size_t)plen) == -1) {
			ocra_fail(reason,
			    "PIN hash is not the hash length in hex");
			goto cleanse;
		}
		off += (size_t)plen;
	} else if (in->pin_hash != NULL) {
		ocra_fail(reason, "PIN hash given but the suite has no P");
		goto cleanse;
	}

	/* Session information is left-aligned and zero-padded. */
	if (suite->session_len != 0) {
		if (in->session == NULL ||
		    in->session_len > (size_t)suite->session_len) {
			ocra_fail(reason,
			    "session information missing or too long");
			goto cleanse;
		}
		memcpy(buf + off, in->session, in->session_len);
		off += (size_t)suite->session_len;
	} else if (in->session != NULL || in->session_len != 0) {
		ocra_fail(reason, "session given but the suite has no S");
		goto cleanse;
	}

	if (suite->time_step != 0) {
		ocra_put_be64(buf + off, in->timestamp);
		off += 8;
	}

	maclen = 0;
	if (HMAC(md, key, (int)keylen, buf, off, mac, &maclen) == NULL ||
	    maclen < 20) {
		ocra_fail(reason, "HMAC failed");
		goto cleanse;
	}

	if (suite->digits == 0) {
		/* RFC 6287 §6.2: t=0 means no truncation; we print hex. */
		for (i = 0; i < maclen; i++) {
			out[2 * i] = hex[mac[i] >> 4];
			out[2 * i + 1] = hex[mac[i] & 0x0f];
		}
		out[2 * maclen] = '\0';
	} else {
		/* RFC 6287 §5.2: dynamic truncation of RFC 4226 §5.3. */
		i = mac[maclen - 1] & 0x0f;
		bin = ((uint32_t)(mac[i] & 0x7f) << 24) |
		    ((uint32_t)mac[i + 1] << 16) |
		    ((uint32_t)mac[i + 2] << 8) | (uint32_t)mac[i + 3];
		for (i = (unsigned int)suite->digits; i > 0; i--) {
			out[i - 1] = (char)('0' + bin % 10);
			bin /= 10;
		}
		out[suite->digits] = '\0';
	}

	ret = 0;

cleanse:
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(mac, sizeof(mac));
	return (ret);
}

int
ocra_time_steps(const struct ocra_suite *suite, time_t now, uint64_t *out)
{
	if (suite == NULL || out == NULL || suite->time_step == 0 || now < 0)
		return (-1);

	/* RFC 6287 §5.1: T counts whole time-steps since the epoch. */
	*out = (uint64_t)now / suite->time_step;
	return (0);
}

int
ocra_code_equal(const char *a, const char *b)
{
	size_t		la, lb;

	if (a == NULL || b == NULL)
		return (0);

	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return (0);

	return (CRYPTO_memcmp(a, b, la) == 0);
}

static int
ocra_fail(const char **reason, const char *why)
{
	if (reason != NULL)
		*reason = why;
	return (-1);
}

static int
ocra_hash_lookup(const char *p, size_t len)
{
	int		i;

	for (i = 0; ocra_hashes[i].name != NULL; i++) {
		if (strlen(ocra_hashes[i].name) == len &&
		    memcmp(ocra_hashes[i].name, p, len) == 0)
			return (ocra_hashes[i].id);
	}

	return (0);
}

static const EVP_MD *
ocra_md(int hash)
{
	switch (hash) {
	case OCRA_SHA1:
		return (EVP_sha1());
	case OCRA_SHA256:
		return (EVP_sha256());
	case OCRA_SHA512:
		return (EVP_sha512());
	}

	return (NULL);
}

/*
 * Parse len decimal digits at p.  With width 0 the number has one or two
 * digits and no leading zero ("T5M", "HOTP-SHA1-6"); otherwise exactly
 * width digits ("QN08", "S064").
 */
static int
ocra_dec(const char *p, size_t len, size_t width, int *v)
{
	size_t		i;

	if (width == 0 && (len == 0 || len > 2 || (len > 1 && p[0] == '0')))
		return (-1);
	if (width != 0 && len != width)
		return (-1);

	*v = 0;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return (-1);
		*v = *v * 10 + (p[i] - '0');
	}

	return (0);
}

/* RFC 6287 §6.3: DataInput is [C] | QFxx | [PH | Snnn | TG]. */
static int
ocra_parse_datainput(const char *p, struct ocra_suite *s,
    const char **reason)
{
	size_t		len;
	int		last;

	if (*p == '\0')
		return (ocra_fail(reason, "DataInput has no question"));

	last = 0;
	for (;;) {
		len = strcspn(p, "-");
		if (ocra_parse_item(p, len, s, &last, reason) == -1)
			return (-1);
		p += len;
		if (*p == '\0')
			break;
		p++;
	}

	if (s->question_type == 0)
		return (ocra_fail(reason, "DataInput has no question"));

	return (0);
}

/*
 * Parse one DataInput item.  The items fill DataInput in a fixed order
 * (§5.1), so the suite must list them in that order, each at most once:
 * *last is the rank of the previous item, C 1, Q 2, P 3, S 4, T 5.
 */
static int
ocra_parse_item(const char *p, size_t len, struct ocra_suite *s, int *last,
    const char **reason)
{
	int		v, rank;

	switch (len == 0 ? '\0' : p[0]) {
	case 'C':
		if (len != 1)
			return (ocra_fail(reason, "unknown DataInput item"));
		rank = 1;
		s->counter = 1;
		break;
	case 'Q':
		if (len != 4 || (p[1] != 'A' && p[1] != 'N' && p[1] != 'H') ||
		    ocra_dec(p + 2, 2, 2, &v) == -1 ||
		    v < 4 || v > OCRA_QUESTION_MAX)
			return (ocra_fail(reason, "question is not QA, QN or "
			    "QH with a length of 04 to 64"));
		rank = 2;
		s->question_type = p[1];
		s->question_len = v;
		break;
	case 'P':
		if ((v = ocra_hash_lookup(p + 1, len - 1)) == 0)
			return (ocra_fail(reason, "unknown PIN hash function"));
		rank = 3;
		s->pin_hash = v;
		break;
	case 'S':
		/* RFC 6287 §6.3: the session lengths are 064 to 512. */
		if (len != 4 || ocra_dec(p + 1, 3, 3, &v) == -1 ||
		    (v != 64 && v != 128 && v != 256 && v != 512))
			return (ocra_fail(reason,
			    "session is not S064, S128, S256 or S512"));
		rank = 4;
		s->session_len = v;
		break;
	case 'T':
		/* RFC 6287 §6.3: [1-59]S, [1-59]M or [0-48]H. */
		if (len < 3 || ocra_dec(p + 1, len - 2, 0, &v) == -1)
			return (ocra_fail(reason, "time-step is not TG"));
		if (v == 0)
			return (ocra_fail(reason, "time-step is zero"));
		if (p[len - 1] == 'S' && v <= 59)
			s->time_step = (unsigned int)v;
		else if (p[len - 1] == 'M' && v <= 59)
			s->time_step = (unsigned int)v * 60;
		else if (p[len - 1] == 'H' && v <= 48)
			s->time_step = (unsigned int)v * 3600;
		else
			return (ocra_fail(reason, "time-step is not TG"));
		rank = 5;
		break;
	default:
		return (ocra_fail(reason, "unknown DataInput item"));
	}

	if (rank <= *last)
		return (ocra_fail(reason,
		    "DataInput item repeated or out of order"));
	*last = rank;

	return (0);
}

/* Reject a hand-made suite that would overrun the DataInput buffer. */
static int
ocra_suite_sane(const struct ocra_suite *s)
{
	if (ocra_md(s->hash) == NULL)
		return (-1);
	if (s->digits != 0 && (s->digits < 4 || s->digits > 10))
		return (-1);
	if (s->question_type != 'A' && s->question_type != 'N' &&
	    s->question_type != 'H')
		return (-1);
	if (s->question_len < 4 || s->question_len > OCRA_QUESTION_MAX)
		return (-1);
	if (s->pin_hash != 0 && ocra_md(s->pin_hash) == NULL)
		return (-1);
	if (s->session_len < 0 || s->session_len > OCRA_SESSION_MAX)
		return (-1);

	return (0);
}

static int
ocra_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);

	return (-1);
}

/*
 * Write len hex digits into dst left-aligned, one nibble each, so that an
 * odd count leaves the low nibble of the last byte zero.  The caller has
 * zeroed dst.
 */
static int
ocra_hex_nibbles(const char *src, size_t len, unsigned char *dst,
    size_t dstlen)
{
	size_t		i;
	int		v;

	if (len > 2 * dstlen)
		return (-1);

	for (i = 0; i < len; i++) {
		if ((v = ocra_hexval((unsigned char)src[i])) == -1)
			return (-1);
		if (i % 2 == 0)
			dst[i / 2] = (unsigned char)(v << 4);
		else
			dst[i / 2] |= (unsigned char)v;
	}

	return (0);
}

static int
ocra_question_check(const struct ocra_suite *s, const char *q, size_t *len,
    const char **reason)
{
	size_t		i;
	int		c, ok;

	if (q == NULL)
		return (ocra_fail(reason, "question is missing"));

	*len = ocra_strnlen(q, OCRA_QUESTION_MAX + 1);
	if (*len < 4)
		return (ocra_fail(reason, "question is shorter than 4"));
	if (*len > (size_t)s->question_len)
		return (ocra_fail(reason, "question is longer than the suite's"));

	/* RFC 6287 §6.3: A is printable, N decimal, H hexadecimal. */
	for (i = 0; i < *len; i++) {
		c = (unsigned char)q[i];
		if (s->question_type == 'A')
			ok = c >= 0x20 && c <= 0x7e;
		else if (s->question_type == 'N')
			ok = c >= '0' && c <= '9';
		else
			ok = ocra_hexval(c) != -1;
		if (!ok)
			return (ocra_fail(reason,
			    "question has a character outside its format"));
	}

	return (0);
}

/*
 * Encode Q into its 128 zeroed bytes at dst.  A mutual challenge-response
 * (§7.3) hashes both challenges, as one string (Appendix C.2 passes
 * "CLI22220SRV11110" to QA08), each part checked against the suite.
 */
static int
ocra_question_encode(const struct ocra_suite *s, const struct ocra_input *in,
    unsigned char *dst, const char **reason)
{
	char		 text[2 * OCRA_QUESTION_MAX + 1];
	const char	*digits;
	char		*hex;
	BIGNUM		*bn;
	size_t		 len, len2;
	int		 ret;

	ret = -1;
	bn = NULL;
	hex = NULL;

	if (ocra_question_check(s, in->question, &len, reason) == -1)
		return (-1);
	len2 = 0;
	if (in->question2 != NULL &&
	    ocra_question_check(s, in->question2, &len2, reason) == -1)
		return (-1);

	memcpy(text, in->question, len);
	if (len2 != 0)
		memcpy(text + len, in->question2, len2);
	text[len + len2] = '\0';

	switch (s->question_type) {
	case 'A':
		memcpy(dst, text, len + len2);
		break;
	case 'H':
		if (ocra_hex_nibbles(text, len + len2, dst, OCRA_Q_BYTES) == -1)
			goto fail;
		break;
	case 'N':
		if (BN_dec2bn(&bn, text) != (int)(len + len2) ||
		    (hex = BN_bn2hex(bn)) == NULL)
			goto fail;
		/*
		 * BN_bn2hex() prints whole bytes but the reference code of
		 * Appendix A uses the hex digits without leading zeros, left-
		 * aligned: 22222222 of Appendix C.1 is 0x1531d8e.
		 */
		digits = hex;
		while (digits[0] == '0' && digits[1] != '\0')
			digits++;
		if (ocra_hex_nibbles(digits, strlen(digits), dst,
		    OCRA_Q_BYTES) == -1)
			goto fail;
		break;
	default:
		goto fail;
	}

	ret = 0;

fail:
	if (ret == -1)
		ocra_fail(reason, "cannot encode the question");
	OPENSSL_free(hex);
	BN_free(bn);
	OPENSSL_cleanse(text, sizeof(text));
	return (ret);
}

static void
ocra_put_be64(unsigned char *p, uint64_t v)
{
	int		i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

/* strnlen(3) is POSIX 2008, not C99; this keeps -std=c99 sufficient. */
static size_t
ocra_strnlen(const char *s, size_t max)
{
	size_t		len;

	for (len = 0; len < max && s[len] != '\0'; len++)
		;

	return (len);
}
