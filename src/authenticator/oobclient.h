/*
 * oobclient.c: the authenticator side of the out-of-band protocol
 * (docs/protocol.md), for command-line authenticators.
 *
 * A request is one HTTP exchange with the IdP through libcurl: https://
 * with the peer's certificate and host name verified, http:// only on
 * loopback (X.1280 8.1), no redirects, answers of at most
 * OOBCLIENT_BODY_MAX bytes, bounded connect and total time. Requests
 * made for a binding carry the device headers of docs/protocol.md §2.
 * Text that comes from the IdP reaches the terminal only through
 * oobclient_put_escaped().
 *
 * A function that takes a struct oobclient and returns -1 has said why
 * on stderr, as "<name>: <reason>".
 */
#ifndef MUTUA_OOBCLIENT_H
#define MUTUA_OOBCLIENT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "authstate.h"
#include "crypto.h"
#include "offset.h"

#define OOBCLIENT_BODY_MAX	(64 * 1024)
#define OOBCLIENT_WAIT_MAX	30	/* docs/protocol.md §4 */
#define OOBCLIENT_REG_CODE_LEN	64	/* as OOB_REG_CODE_LEN, §1 */
#define OOBCLIENT_ID_LEN	32	/* request and binding IDs, hex */

/* Who is talking to the IdP; set once by the command. */
struct oobclient {
	const char	*name;		/* message prefix; User-Agent name/1 */
	const char	*cafile;	/* CA bundle; NULL or "": curl's own */
};

/* A pending request, with what the authenticator derived from it. */
struct oobclient_request {
	char			id[OOBCLIENT_ID_LEN + 1];
	char			offset[OFFSET_MAX];
	char			hash[2 * CRYPTO_SHA256_LEN + 1];
	struct offset_fields	f;
	char			code[OFFSET_CODE_LEN + 1];
	char			mode[8];
	long long		expires_at;
};

/*
 * Sets up libcurl; call once, before any other function of this module
 * and before the program starts a thread.
 * @return 0 or -1.
 */
int	oobclient_init(void);

/* Releases what oobclient_init() set up. */
void	oobclient_cleanup(void);

/*
 * Registers the device key at the IdP b->issuer (X.1280 8.1 steps 9-12,
 * docs/protocol.md §1): picks b->authenticator_id, proves possession of
 * key with a signature over the registration code, and fills b and k
 * from the 201 answer with authstate_from_answer().
 * @param b	issuer and label set by the caller
 * @param code	OOBCLIENT_REG_CODE_LEN lower-case hex digits
 * @param k	receives K (OFFSET_KEY_LEN bytes)
 * @return 0, or -1: refused URL, network, an error answer, or an answer
 *	   that is malformed or comes from another issuer.
 */
int	oobclient_register(const struct oobclient *,
	    struct authstate_binding *b, const char *code, EVP_PKEY *key,
	    unsigned char *k);

/*
 * Fetches the pending requests and alerts of binding b (GET
 * /oob/v1/pending, docs/protocol.md §4), signed with the device key of
 * s. The IdP may hold the answer up to wait seconds (long poll).
 * @param wait	0 to OOBCLIENT_WAIT_MAX
 * @param out	receives the answer, whose "requests" is an array;
 *		release with json_decref()
 * @return 0, or -1: network, an error answer, or a malformed one.
 */
int	oobclient_pending(const struct oobclient *,
	    const struct authstate_binding *b,
	    const struct authstate_secret *s, int wait, json_t **out);

/*
 * Reads one item of "requests" into req. What is shown and signed comes
 * from the offset only (docs/protocol.md §4), and the code is computed
 * here from K (X.1280 8.3 step 6), never taken from the IdP.
 * @return 0, or -1 when the item is malformed or for another user than
 *	   b's.
 */
int	oobclient_request_parse(const struct oobclient *, json_t *item,
	    const struct authstate_binding *b,
	    const struct authstate_secret *s, struct oobclient_request *req);

/*
 * Fetches the pending requests of b and reads the one whose ID is id
 * into req, as oobclient_request_parse().
 * @return 0, or -1: as oobclient_pending(), no such pending request, or
 *	   a malformed one.
 */
int	oobclient_request_find(const struct oobclient *,
	    const struct authstate_binding *b,
	    const struct authstate_secret *s, const char *id,
	    struct oobclient_request *req);

/*
 * Sends the decision on req (POST /oob/v1/approve, X.1280 8.4, 8.5,
 * docs/protocol.md §5), signed with the device key over the offset's
 * hash, the decision and the authenticator's own code.
 * @param decision	"approve" or "deny"
 * @param reason	"", "mismatch" or "not_me"
 * @param answer	receives the 200 answer, which may lack "status";
 *			release with json_decref()
 * @return 0, or -1: network or an error answer.
 */
int	oobclient_decide(const struct oobclient *,
	    const struct authstate_binding *b,
	    const struct authstate_secret *s,
	    const struct oobclient_request *req, const char *decision,
	    const char *reason, json_t **answer);

/*
 * Reads the registration code from arg: the code itself, or the link
 * <base_url>/app/#register=<code> (docs/protocol.md §1), in either case.
 * @param code	receives OOBCLIENT_REG_CODE_LEN lower-case hex digits
 *		and a NUL
 * @return 0, or -1 when it is not 64 hexadecimal digits.
 */
int	oobclient_register_code(const struct oobclient *, const char *arg,
	    char *code);

/*
 * Splits the text of a check QR code,
 * <base_url>/app/#check=<request_id>.<code> (docs/protocol.md §3).
 * @param base	receives the base URL (capacity AUTHSTATE_URL_MAX)
 * @param id	receives the request ID (capacity OOBCLIENT_ID_LEN + 1)
 * @param code	receives the code (capacity OFFSET_CODE_LEN + 1)
 * @return 0, or -1 when the text has another form or a malformed part.
 */
int	oobclient_check_parse(const struct oobclient *, const char *payload,
	    char *base, char *id, char *code);

/* @return 1 when s is exactly n lower-case hexadecimal digits. */
int	oobclient_hex_valid(const char *s, size_t n);

/* @return 1 when s is a code: OFFSET_CODE_LEN decimal digits. */
int	oobclient_code_valid(const char *s);

/*
 * Writes s, text that came from the network, to fp so that it cannot
 * drive the terminal or fake a line: control bytes, C1 controls,
 * bidirectional overrides and invalid UTF-8 become \xHH; '"' and '\\'
 * are escaped.
 */
void	oobclient_put_escaped(FILE *fp, const char *s);

#endif
