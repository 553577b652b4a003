/*
 * OCRA: OATH Challenge-Response Algorithm (RFC 6287).
 *
 * This module has no Kore dependency: it uses libc and OpenSSL 3 only,
 * so that the server, mutuactl and mutua-authenticator link the same code.
 * Functions return 0 on success and -1 on error.
 */

#ifndef MUTUA_OCRA_H
#define MUTUA_OCRA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest suite string accepted, excluding the terminating NUL. */
#define OCRA_SUITE_MAX		64

/* RFC 6287 §6.3: a challenge is at most 64 characters. */
#define OCRA_QUESTION_MAX	64

/*
 * Size of a buffer that holds any response: 128 hex digits for an
 * untruncated HMAC-SHA-512 plus the NUL.
 */
#define OCRA_CODE_MAX		129

/* Hash functions, for the HMAC and for the PIN hash (0 means none). */
#define OCRA_SHA1		1
#define OCRA_SHA256		2
#define OCRA_SHA512		3

/* A parsed OCRASuite (RFC 6287 §6). */
struct ocra_suite {
	int		hash;		/* OCRA_SHA1, OCRA_SHA256, OCRA_SHA512 */
	int		digits;		/* 0 (no truncation) or 4..10 */
	int		counter;	/* 1 when "C" is present */
	char		question_type;	/* 'A', 'N' or 'H' */
	int		question_len;	/* 4..64 characters */
	int		pin_hash;	/* 0, or the hash of "PH" */
	int		session_len;	/* 0, or 64, 128, 256, 512 bytes */
	unsigned int	time_step;	/* 0, or the time-step in seconds */
	char		text[OCRA_SUITE_MAX + 1];	/* hashed verbatim */
};

/*
 * The variable inputs of one computation.  Fields the suite does not use
 * must be zero or NULL; ocra_compute() rejects a PIN hash or session
 * information that the suite has no room for.
 */
struct ocra_input {
	/* C: the counter, when the suite has "C". */
	uint64_t		counter;

	/* Q: the challenge, in the suite's format (QA, QN or QH). */
	const char		*question;

	/*
	 * The second challenge of a mutual challenge-response (RFC 6287
	 * §7.3), appended to question before it is encoded, or NULL.
	 */
	const char		*question2;

	/* P: hex of the PIN/password hash, when the suite has "PH". */
	const char		*pin_hash;

	/* S: session information, when the suite has "Snnn". */
	const unsigned char	*session;
	size_t			session_len;

	/* T: number of time-steps since the epoch, see ocra_time_steps(). */
	uint64_t		timestamp;
};

/*
 * @brief Parse an OCRASuite string.
 *
 * The grammar is RFC 6287 §6: "OCRA-1:HOTP-<H>-<t>:<DataInput>" where
 * DataInput is [C-]QFxx[-PH][-Snnn][-TG], items in that order, each at
 * most once.  Parsing is case-sensitive because the suite string is part
 * of the HMAC input.
 * @param[in] suite The suite string, NUL-terminated.
 * @param[out] out The parsed suite; unspecified on error.
 * @param[out] reason On error, a static string saying what is wrong;
 * may be NULL.
 * @return 0 on success, -1 on error.  Errors: the string is NULL, empty
 * or longer than OCRA_SUITE_MAX; the version is not "OCRA-1"; the crypto
 * function is not HOTP-SHA1, HOTP-SHA256 or HOTP-SHA512; the truncation
 * is not 0 or 4..10; the question item is missing or its length is not
 * 04..64; a DataInput item is unknown, repeated or out of order; the
 * session length is not 064, 128, 256 or 512; the time-step is not
 * 1..59 S, 1..59 M or 1..48 H (T0H would divide by zero, so it is
 * rejected although §6.3 lists [0-48]H).
 */
int	ocra_suite_parse(const char *suite, struct ocra_suite *out,
	    const char **reason);

/*
 * @brief Compute an OCRA response (RFC 6287 §5).
 *
 * DataInput is the suite string, a zero byte, and then C, Q, P, S and T
 * as the suite asks (§5.1).  Q is encoded in 128 bytes, left-aligned and
 * zero-padded: QA as its ASCII bytes, QH as its hex digits, QN as the
 * hex digits of the decimal number.  S is left-aligned in its nnn bytes
 * and zero-padded.  The HMAC input and output are wiped before return.
 * @param[in] suite A suite parsed by ocra_suite_parse().
 * @param[in] key The shared secret.
 * @param[in] keylen Its length in bytes, 1..1024.
 * @param[in] in The variable inputs.
 * @param[out] out The response, NUL-terminated: "digits" decimal digits,
 * or, when the suite says HOTP-<H>-0, the whole HMAC in lowercase hex.
 * @param[in] outlen Size of out; OCRA_CODE_MAX is always enough.
 * @param[out] reason On error, a static string saying what is wrong;
 * may be NULL.
 * @return 0 on success, -1 on error.  Errors: an argument is NULL or the
 * key length is out of range; a question is missing, shorter than 4 or
 * longer than the suite's xx characters, or has a character outside its
 * format (printable ASCII for QA, digits for QN, hex digits for QH);
 * the PIN hash is missing, given to a suite without "PH", or not exactly
 * the hash length in hex; the session information is missing, given to
 * a suite without "S", or longer than nnn bytes; out is too small;
 * OpenSSL failed.
 */
int	ocra_compute(const struct ocra_suite *suite, const unsigned char *key,
	    size_t keylen, const struct ocra_input *in, char *out,
	    size_t outlen, const char **reason);

/*
 * @brief Convert a Unix time into the suite's T value (RFC 6287 §5.1).
 * @param[in] suite A suite with a "TG" item.
 * @param[in] now Seconds since 1970-01-01 00:00:00 UTC.
 * @param[out] out The number of time-steps since the epoch.
 * @return 0 on success, -1 if the suite has no timestamp or now is
 * negative.
 */
int	ocra_time_steps(const struct ocra_suite *suite, time_t now,
	    uint64_t *out);

/*
 * @brief Compare two responses in constant time.
 *
 * Only the lengths leak, and they are public (the suite fixes them).
 * @param[in] a A NUL-terminated response.
 * @param[in] b Another.
 * @return 1 if both are non-NULL and equal, 0 otherwise.
 */
int	ocra_code_equal(const char *a, const char *b);

#endif /* !MUTUA_OCRA_H */
