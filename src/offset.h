/*
 * offset.c: the X.1280 offset and the server-authentication code.
 *
 * The offset (X.1280 8.3) binds the code to the login context: RP,
 * session, terminal addresses, browser, user and time. The code is
 * OCRA-1:HOTP-SHA256-6:QH64 with key K and Q = hex(SHA-256(offset)).
 * Both the verifier and every authenticator use this module, so the two
 * sides cannot drift apart. Wire format: docs/protocol.md §3.
 */
#ifndef MUTUA_OFFSET_H
#define MUTUA_OFFSET_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

#define OFFSET_SUITE		"OCRA-1:HOTP-SHA256-6:QH64"
#define OFFSET_VERSION		"2"
#define OFFSET_MAX		4096
#define OFFSET_CODE_LEN		6
#define OFFSET_KEY_LEN		32
#define OFFSET_UA_MAX		200
#define OFFSET_FIELD_MAX	512

/* The login context, as fields. */
struct offset_fields {
	char		rp[OFFSET_FIELD_MAX];
	char		rpn[TEXT_NAME_MAX];	/* "" when unnamed or v=1 */
	char		sid[33];		/* 32 hex */
	char		tpub[64];
	char		tpriv[64];		/* "-" when unknown */
	char		ua[OFFSET_UA_MAX + 1];
	char		uid[64];
	uint64_t	t;
	char		n[33];			/* 32 hex */
};

/*
 * Builds the offset string from fields into out (capacity outlen).
 * @return 0, or -1 when it does not fit.
 */
int	offset_build(const struct offset_fields *, char *out, size_t outlen);

/*
 * Parses an offset string (exact field order; version 2, or version 1,
 * which has no rpn) into fields.
 * @return 0, or -1 on any deviation from the format.
 */
int	offset_parse(const char *offset, struct offset_fields *);

/* hex(SHA-256(offset)) into out[65]: the OCRA question and what is signed. */
void	offset_hash_hex(const char *offset, char *out);

/*
 * Computes the 6-digit server-authentication code for offset with the
 * 32-byte verification key into code[OFFSET_CODE_LEN + 1].
 * @return 0 or -1.
 */
int	offset_code(const unsigned char *key, const char *offset, char *code);

/* SID: the first 32 hex digits of SHA-256(session id) into out[33]. */
void	offset_session_hash(const char *session_id, char *out);

#endif
