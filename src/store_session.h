/*
 * store_session.c: browser sessions at the IdP (STORE_SESSIONS).
 *
 * The key is SHA-256 of the session cookie, so the store never holds a
 * value that would let a reader of the database take over a session.
 */
#ifndef MUTUA_STORE_SESSION_H
#define MUTUA_STORE_SESSION_H

#include <stdint.h>

#include "store.h"
#include "store_oob.h"
#include "store_user.h"

#define SESSION_ID_LEN		64	/* hex of 32 random bytes */
#define SESSION_KEY_LEN		(2 * CRYPTO_SHA256_LEN)
#define SESSION_RETURN_MAX	1024
#define SESSION_AMR_MAX		32

/* Authentication methods (OIDC amr) and what they are worth. */
#define SESSION_LOA_NONE	0
#define SESSION_LOA_PASSWORD	1	/* opens /account only */

struct session {
	char		key[SESSION_KEY_LEN + 1];	/* hex SHA-256(id) */
	char		user_id[USER_ID_MAX];
	char		request_id[OOB_REQUEST_ID_LEN + 1];
	char		binding_id[BINDING_ID_LEN + 1];
	char		return_to[SESSION_RETURN_MAX];
	char		rp[OOB_RP_MAX];
	char		amr[SESSION_AMR_MAX];	/* "oob", "pwd" */
	uint32_t	loa;			/* 0 = not authenticated */
	uint32_t	binding_index;		/* which authenticator */
	uint64_t	auth_time;
	uint64_t	created;
	uint64_t	expires;
};

/*
 * A login continuation (STORE_CONTINUATIONS): where a SAML or OIDC flow
 * that needed a login resumes, and for which relying party. Keyed by a
 * random ID carried through the login page.
 */
#define CONTINUATION_ID_LEN	32	/* hex */
#define CONTINUATION_LIFETIME	1800	/* seconds */

struct continuation {
	char		id[CONTINUATION_ID_LEN + 1];
	char		rp[OOB_RP_MAX];
	char		return_to[SESSION_RETURN_MAX];
	uint64_t	expires;
};

/* Stores c under a new random c->id. @return 0 or -1. */
int	store_continuation_add(struct store_txn *, struct continuation *c);

/*
 * Reads continuation id (expired ones are STORE_NOTFOUND).
 * @return 0, STORE_NOTFOUND, or -1.
 */
int	store_continuation_get(struct store_txn *, const char *id,
	    uint64_t now, struct continuation *c);

/* Hex SHA-256 of a session ID into key[SESSION_KEY_LEN + 1]. */
void	store_session_key(const char *session_id, char *key);

/* Writes the session under s->key. @return 0 or -1. */
int	store_session_put(struct store_txn *, const struct session *);

/*
 * Reads the session with key. An expired session is reported as
 * STORE_NOTFOUND (and deleted when the transaction is a write one).
 * @return 0, STORE_NOTFOUND, or -1.
 */
int	store_session_get(struct store_txn *, const char *key, uint64_t now,
	    struct session *);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_session_del(struct store_txn *, const char *key);

/* store_expired_cb for sessions and continuations (store_sweep()). */
int	store_session_expired(struct store_txn *, const struct store_val *,
	    const struct store_val *, uint64_t now);
int	store_continuation_expired(struct store_txn *,
	    const struct store_val *, const struct store_val *, uint64_t now);

/*
 * Deletes every session of user_id, logins in progress included ("sign
 * out everywhere"). Visits every session record: an operator action,
 * not one for every request.
 * @return the number deleted, or -1.
 */
int	store_session_del_user(struct store_txn *, const char *user_id);

#endif
