/*
 * oob.c: the verifier side of X.1280 out-of-band server authentication.
 *
 * Registration (8.1), server-authentication requests and codes (8.2,
 * 8.3), device-authenticated fetching and approval (8.4, 8.5), and the
 * clause 9.2 rules: one pending request per user, rate limits, signed
 * approvals. Each call is one write transaction; every step is audited.
 * The wire format is docs/protocol.md; the HTTP handlers are web_oob.c
 * and web_login.c.
 */
#ifndef MUTUA_OOB_H
#define MUTUA_OOB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core.h"
#include "offset.h"
#include "store.h"
#include "store_binding.h"
#include "store_oob.h"

#define OOB_REG_CODE_LEN	64	/* hex of 32 random bytes */
#define OOB_DEVICE_SKEW		60	/* seconds, device timestamps */
#define OOB_ALERT_WINDOW	86400	/* alerts are shown for a day */
#define OOB_PENDING_MAX		4
#define OOB_DEVICE_CONTEXT	"mutua-device-v1"	/* protocol §2 */

enum oob_error {
	OOB_OK = 0,
	OOB_ERR_STORE,
	OOB_ERR_INVALID,
	OOB_ERR_INVALID_CODE,
	OOB_ERR_SIGNATURE,
	OOB_ERR_STALE,
	OOB_ERR_INACTIVE,
	OOB_ERR_UNKNOWN_REQUEST,
	OOB_ERR_NOT_PENDING,
	OOB_ERR_EXPIRED,
	OOB_ERR_WRONG_CODE,
	OOB_ERR_RATE,
	OOB_ERR_BUSY,
	OOB_ERR_NO_BINDING,
	OOB_ERR_TOO_MANY
};

struct oob_start_in {
	const char	*user_id;
	const char	*session_id;	/* the terminal's cookie value */
	const char	*rp;
	const char	*rpn;		/* RP's name, or NULL: ctx->rp_name */
	const char	*tpub;
	const char	*tpriv;		/* NULL or "" when unknown */
	const char	*ua;
	uint32_t	 binding_index;	/* which active binding, mod count */
	/*
	 * NULL, or called in the request's transaction before it commits,
	 * with the new request's ID, so that the caller's own records are
	 * stored with the request or not at all (login.c: the terminal's
	 * login in progress). @return 0, or -1 to store nothing.
	 */
	int		(*with)(struct store_txn *, const char *request_id,
			    void *arg);
	void		*with_arg;
};

struct oob_view {
	char		request_id[OOB_REQUEST_ID_LEN + 1];
	char		code[OFFSET_CODE_LEN + 1];	/* when pending */
	uint32_t	state;				/* enum oob_state */
	uint64_t	expires;
	uint32_t	loa;
	char		binding_id[BINDING_ID_LEN + 1];
	char		user_id[USER_ID_MAX];
	int		nbindings;	/* active bindings of the user */
	uint32_t	retry_after;	/* for OOB_ERR_RATE / OOB_ERR_BUSY */
};

/* A signed request (docs/protocol.md §2): a device's, or a host's. */
struct oob_device_in {
	const char	*binding_id;	/* or the host's name */
	const char	*timestamp;
	const char	*signature;
	const char	*method;
	const char	*path;		/* with the query, as sent */
	const void	*body;
	size_t		 bodylen;
};

struct oob_decide_in {
	const char	*request_id;
	const char	*decision;	/* "approve" or "deny" */
	const char	*code;
	const char	*reason;	/* "", "mismatch" or "not_me" */
	const char	*signature;
};

/* Called by oob_pending() for each request and alert to report. */
struct oob_pending_cb {
	void	(*request)(void *, const struct oob_request *);
	void	(*alert)(void *, const struct oob_alert *);
	void	*arg;
};

/* The protocol's error name ("invalid_signature"), text and status. */
const char	*oob_error_name(enum oob_error);
const char	*oob_error_description(enum oob_error);
int		 oob_error_status(enum oob_error);

/*
 * Commits txn when e is OOB_OK, aborts it otherwise.
 * @return e, or OOB_ERR_STORE when the commit fails.
 */
enum oob_error	oob_finish(struct store_txn *, enum oob_error e);

/*
 * Starts a server-authentication request for the terminal's session
 * (8.2, 8.3), or returns the session's own pending one.
 * OOB_ERR_BUSY: another session has one pending (9.2.4).
 */
enum oob_error	oob_start(const struct core_ctx *, const struct oob_start_in *,
		    struct oob_view *);

/*
 * The terminal's view of its request: state and, while pending, the
 * code. Fails with OOB_ERR_UNKNOWN_REQUEST unless the request belongs
 * to session_id.
 */
enum oob_error	oob_view(const struct core_ctx *, const char *request_id,
		    const char *session_id, struct oob_view *);

/*
 * Turns an approved request of session_id into a login (single use).
 * @param view	receives user, binding and level of assurance
 */
enum oob_error	oob_consume(const struct core_ctx *, const char *request_id,
		    const char *session_id, struct oob_view *);

/*
 * Authenticates a device request (docs/protocol.md §2).
 * @param b	receives the binding on success
 */
enum oob_error	oob_device_auth(const struct core_ctx *,
		    const struct oob_device_in *, struct binding *b);

/*
 * Checks the timestamp of a signed request: digits, within
 * OOB_DEVICE_SKEW of ctx->now (docs/protocol.md §2).
 * @return OOB_OK, OOB_ERR_SIGNATURE (malformed or missing headers) or
 *	   OOB_ERR_STALE.
 */
enum oob_error	oob_signed_fresh(const struct core_ctx *,
		    const struct oob_device_in *);

/*
 * Verifies the signature of a signed request with pubkey (a 65-byte
 * P-256 point) over "<context>\n<METHOD>\n<path>\n<timestamp>\n<hex
 * SHA-256 of the body>"; context separates devices (OOB_DEVICE_CONTEXT)
 * from hosts (HOST_CONTEXT), so that one's signature never serves as
 * the other's. @return 1 when valid.
 */
int	oob_signed_valid(const char *context, const unsigned char *pubkey,
	    size_t pubkeylen, const struct oob_device_in *);

/* Reports the binding's pending requests and recent alerts. */
enum oob_error	oob_pending(const struct core_ctx *, const struct binding *,
		    const struct oob_pending_cb *, int *count);

/* Records an approval or denial (8.4, 8.5). */
enum oob_error	oob_decide(const struct core_ctx *, const struct binding *,
		    const struct oob_decide_in *, uint32_t *state);

/* oob_body.c: the JSON bodies of /oob/v1, the protocol's identifiers. */

/*
 * Checks an identifier of the protocol: min to max characters, each
 * alphanumeric or one of extra. @return 1 when valid.
 */
int	oob_token_valid(const char *s, size_t min, size_t max,
	    const char *extra);

struct enrolment_register_in;

/*
 * Parses a request body: a JSON object in which no member is repeated.
 * @return the document (json_decref()), or NULL when the body is not one.
 */
json_t	*oob_body_parse(const void *body, size_t len);

/*
 * Fills in from the string members of a /oob/v1/register body (NULL
 * when absent or not a string). The strings live as long as doc.
 */
void	oob_body_register(json_t *doc, struct enrolment_register_in *in);

/* As oob_body_register(), for a /oob/v1/approve body. */
void	oob_body_decide(json_t *doc, struct oob_decide_in *in);

struct host_start_in;

/* As oob_body_register(), for a /oob/v1/host/start body (§7). */
void	oob_body_host_start(json_t *doc, struct host_start_in *in);

#endif
