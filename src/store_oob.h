/*
 * store_oob.c: server-authentication requests (X.1280 8.2-8.5), the one
 * pending request per user (9.2.4) and "this was not me" alerts.
 *
 * STORE_OOB_REQUESTS: request ID -> record. STORE_OOB_PENDING: user ID
 * -> request ID of the user's pending request. STORE_ALERTS: user ID ||
 * 0x00 || be64(time) || binding ID -> alert.
 */
#ifndef MUTUA_STORE_OOB_H
#define MUTUA_STORE_OOB_H

#include <stdint.h>

#include "offset.h"
#include "store.h"
#include "store_binding.h"

#define OOB_REQUEST_ID_LEN	32	/* hex */
#define OOB_REASON_MAX		16
/* Kept past expiry so that a late page still says "expired". */
#define OOB_REQUEST_KEEP	3600	/* seconds */
#define OOB_RP_MAX		OFFSET_FIELD_MAX

enum oob_state {
	OOB_PENDING = 1,
	OOB_APPROVED = 2,
	OOB_DENIED = 3,
	OOB_EXPIRED = 4,
	OOB_CANCELLED = 5,
	OOB_USED = 6		/* approved and turned into a session */
};

struct oob_request {
	char		id[OOB_REQUEST_ID_LEN + 1];
	char		user_id[USER_ID_MAX];
	char		binding_id[BINDING_ID_LEN + 1];
	char		session_key[2 * CRYPTO_SHA256_LEN + 1];
	char		offset[OFFSET_MAX];
	uint64_t	created;
	uint64_t	expires;
	uint32_t	state;		/* enum oob_state */
	uint32_t	loa;		/* the binding's, set on approval */
	char		reason[OOB_REASON_MAX];
};

struct oob_alert {
	uint64_t	time;
	char		binding_id[BINDING_ID_LEN + 1];	/* who raised it */
	char		offset[OFFSET_MAX];
};

/* @return 0 or -1. */
int	store_oob_request_put(struct store_txn *, const struct oob_request *);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_oob_request_get(struct store_txn *, const char *id,
	    struct oob_request *);

/* Records req as the user's pending request. @return 0 or -1. */
int	store_oob_pending_set(struct store_txn *, const char *user_id,
	    const char *request_id);

/*
 * Reads the ID of the user's pending request into out[33].
 * @return 0, STORE_NOTFOUND, or -1.
 */
int	store_oob_pending_get(struct store_txn *, const char *user_id,
	    char *out);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_oob_pending_clear(struct store_txn *, const char *user_id);

/*
 * store_expired_cb for requests, OOB_REQUEST_KEEP after they expired
 * (store_sweep()); the user's pending pointer may then name a missing
 * request, which reads as none.
 */
int	store_oob_request_expired(struct store_txn *,
	    const struct store_val *, const struct store_val *, uint64_t now);

/* Records an alert for the user. @return 0 or -1. */
int	store_oob_alert_add(struct store_txn *, const char *user_id,
	    const struct oob_alert *);

/*
 * Calls cb for each of the user's alerts raised at or after since.
 * @return 0 or -1.
 */
int	store_oob_alert_scan(struct store_txn *, const char *user_id,
	    uint64_t since, int (*cb)(void *, const struct oob_alert *),
	    void *arg);

#endif
