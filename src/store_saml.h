/*
 * store_saml.c: SAML state in the store.
 *
 * STORE_SAML_REPLAY: AuthnRequest ID -> expiry (replay detection).
 * STORE_SAML_REQUESTS: random ID -> an AuthnRequest waiting for a login.
 * STORE_SAML_NAMEIDS: user || 0 || SP -> the persistent NameID.
 * STORE_SAML_PARTICIPANTS: session key || 0 || SP -> what the SP got,
 * for Single Logout.
 */
#ifndef MUTUA_STORE_SAML_H
#define MUTUA_STORE_SAML_H

#include <stdint.h>

#include "store.h"
#include "store_session.h"

#define SAML_ID_MAX		256
#define SAML_ENTITY_MAX		512
#define SAML_MSG_MAX		(96 * 1024)
#define SAML_RELAY_MAX		81
#define SAML_NAMEID_MAX		256
#define SAML_FORMAT_MAX		128
#define SAML_REQUEST_KEY_LEN	32	/* hex */

/* An AuthnRequest kept while the user logs in. */
struct saml_pending {
	char		id[SAML_REQUEST_KEY_LEN + 1];
	uint32_t	binding;	/* 1 redirect, 2 post */
	char		msg[SAML_MSG_MAX];	/* raw query, or base64 */
	char		relay_state[SAML_RELAY_MAX];
	uint64_t	received;
	uint64_t	expires;
};

/* What one SP received in one IdP session. */
struct saml_participant {
	char		sp[SAML_ENTITY_MAX];
	char		name_id[SAML_NAMEID_MAX];
	char		format[SAML_FORMAT_MAX];
	char		session_index[SAML_ID_MAX];
};

/*
 * A Single Logout in progress (STORE_SAML_LOGOUTS): the SP told last,
 * the SPs still to be told, and the answer that ends it (the initiating
 * SP's LogoutResponse, or a local page), in two versions signed in
 * advance: all told, or PartialLogout. Keyed by the ID of the hop, a
 * random value that the last LogoutRequest's ID carries, used once.
 */
#define SAML_LOGOUT_SPS		16
#define SAML_FINAL_MAX		(16 * 1024)

struct saml_logout {
	char			id[SAML_REQUEST_KEY_LEN + 1];
	char			waiting[SAML_ENTITY_MAX];
	char			final_url[SAML_FINAL_MAX];
	char			final_body[SAML_FINAL_MAX];	/* POST */
	char			partial_url[SAML_FINAL_MAX];	/* "": none */
	char			partial_body[SAML_FINAL_MAX];
	char			final_relay[SAML_RELAY_MAX];
	uint32_t		partial;	/* an SP was not logged out */
	struct saml_participant	remaining[SAML_LOGOUT_SPS];
	uint32_t		nremaining;
	uint64_t		expires;
};

/* Stores l under l->id (made when empty). @return 0 or -1. */
int	store_saml_logout_put(struct store_txn *, struct saml_logout *l);

/* Takes (reads and deletes) l. @return 0, STORE_NOTFOUND, or -1. */
int	store_saml_logout_take(struct store_txn *, const char *id,
	    uint64_t now, struct saml_logout *l);

/*
 * Records a request ID until expires. @return 0, STORE_EXISTS when it
 * was seen before and has not expired yet, or -1.
 */
int	store_saml_replay_add(struct store_txn *, const char *id,
	    uint64_t expires, uint64_t now);

/* @return 1 when id was recorded and has not expired, 0 if not, -1. */
int	store_saml_replay_seen(struct store_txn *, const char *id,
	    uint64_t now);

/* Stores p under a new random p->id. @return 0 or -1. */
int	store_saml_pending_add(struct store_txn *, struct saml_pending *p);

/* Takes (reads and deletes) p. @return 0, STORE_NOTFOUND, or -1. */
int	store_saml_pending_take(struct store_txn *, const char *id,
	    uint64_t now, struct saml_pending *p);

/*
 * Returns the user's persistent NameID at sp, creating a random one the
 * first time. @return 0 or -1.
 */
int	store_saml_nameid(struct store_txn *, const char *user_id,
	    const char *sp, char *out, size_t outlen);

/* Records that sp got an assertion in the session. @return 0 or -1. */
int	store_saml_participant_add(struct store_txn *, const char *session_key,
	    const struct saml_participant *);

/*
 * Reads the session's participants into out (at most max).
 * @return how many, or -1.
 */
int	store_saml_participants(struct store_txn *, const char *session_key,
	    struct saml_participant *out, int max);

/* Forgets one participant (after its logout). @return 0 or 1 or -1. */
int	store_saml_participant_del(struct store_txn *, const char *session_key,
	    const char *sp);

/*
 * store_expired_cb for the replay cache, waiting requests, logouts in
 * progress and participants whose session has gone (store_sweep()).
 */
int	store_saml_replay_expired(struct store_txn *,
	    const struct store_val *, const struct store_val *, uint64_t now);
int	store_saml_pending_expired(struct store_txn *,
	    const struct store_val *, const struct store_val *, uint64_t now);
int	store_saml_logout_expired(struct store_txn *,
	    const struct store_val *, const struct store_val *, uint64_t now);
int	store_saml_participant_expired(struct store_txn *,
	    const struct store_val *, const struct store_val *, uint64_t now);

#endif
