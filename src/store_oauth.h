/*
 * store_oauth.c: authorization codes, tokens, grant families, pending
 * authorization requests and the client-assertion replay cache.
 *
 * Codes and tokens are never stored: their key is a type byte and the
 * SHA-256 of the value (they are 256-bit random, so no salt is needed),
 * so a reader of the database cannot use them.
 *
 * STORE_OAUTH_CODES:  'C' || SHA-256(code)   -> struct oauth_code
 *                     'R' || SHA-256(id)     -> struct oauth_authz
 * STORE_OAUTH_TOKENS: 'T' || SHA-256(token)  -> struct oauth_token
 *                     'F' || family ID       -> struct oauth_family
 * STORE_OAUTH_JTI:    SHA-256(client_id 0x00 jti) -> expiry
 *
 * Every record starts with the time after which it may be deleted, so
 * store_oauth_expired() can tell for any of them without decoding.
 */
#ifndef MUTUA_STORE_OAUTH_H
#define MUTUA_STORE_OAUTH_H

#include <stdint.h>

#include "client.h"
#include "store.h"
#include "store_session.h"
#include "store_user.h"

#define OAUTH_FAMILY_LEN	32	/* hex of 16 random bytes */
#define OAUTH_SCOPE_MAX		CLIENT_SCOPE_MAX
#define OAUTH_STATE_MAX		513
#define OAUTH_NONCE_MAX		513
#define OAUTH_CHALLENGE_MAX	129	/* RFC 7636: 43-128 characters */
#define OAUTH_ACR_VALUES_MAX	513

/* What the user authorised, carried from the code to every token. */
struct oauth_grant {
	char		client_id[CLIENT_ID_MAX];
	char		user_id[USER_ID_MAX];
	char		scope[OAUTH_SCOPE_MAX];
	char		amr[SESSION_AMR_MAX];
	uint32_t	loa;
	uint64_t	auth_time;
};

struct oauth_code {
	struct oauth_grant	g;
	char		redirect_uri[CLIENT_URI_MAX];
	char		nonce[OAUTH_NONCE_MAX];
	char		challenge[OAUTH_CHALLENGE_MAX];	/* S256, or "" */
	char		family[OAUTH_FAMILY_LEN + 1];	/* once redeemed */
	uint64_t	expires;
	uint32_t	used;
};

enum oauth_token_type {
	OAUTH_TOKEN_ACCESS = 1,
	OAUTH_TOKEN_REFRESH = 2
};

struct oauth_token {
	uint32_t		type;		/* enum oauth_token_type */
	struct oauth_grant	g;
	char			family[OAUTH_FAMILY_LEN + 1];
	uint64_t		issued;
	uint64_t		expires;
	uint32_t		used;		/* refresh token rotated */
};

/* All tokens from one code: revoked together (replay, reuse, revoke). */
struct oauth_family {
	char		id[OAUTH_FAMILY_LEN + 1];
	char		client_id[CLIENT_ID_MAX];
	char		user_id[USER_ID_MAX];
	uint32_t	revoked;
	uint64_t	expires;	/* no token of it outlives this */
};

/* An authorization request parked while the user signs in. */
#define OAUTH_PROMPT_NONE	0x01
#define OAUTH_PROMPT_LOGIN	0x02
#define OAUTH_PROMPT_CONSENT	0x04

struct oauth_authz {
	char		client_id[CLIENT_ID_MAX];
	char		redirect_uri[CLIENT_URI_MAX];
	char		scope[OAUTH_SCOPE_MAX];
	char		state[OAUTH_STATE_MAX];
	char		nonce[OAUTH_NONCE_MAX];
	char		challenge[OAUTH_CHALLENGE_MAX];
	char		acr_values[OAUTH_ACR_VALUES_MAX];
	uint32_t	prompt;		/* OAUTH_PROMPT_* */
	int64_t		max_age;	/* -1 when absent */
	uint64_t	created;	/* a login must be newer than this */
	uint64_t	expires;
};

/* Writes (or rewrites) the code record. @return 0 or -1. */
int	store_oauth_code_put(struct store_txn *, const char *code,
	    const struct oauth_code *);

/*
 * Reads the code record, used or not, expired or not (the caller
 * decides: a replayed code must still find what it issued).
 * @return 0, STORE_NOTFOUND, or -1.
 */
int	store_oauth_code_get(struct store_txn *, const char *code,
	    struct oauth_code *);

/* @return 0 or -1. */
int	store_oauth_token_put(struct store_txn *, const char *token,
	    const struct oauth_token *);

/* @return 0, STORE_NOTFOUND (expired included), or -1. */
int	store_oauth_token_get(struct store_txn *, const char *token,
	    uint64_t now, struct oauth_token *);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_oauth_token_del(struct store_txn *, const char *token);

/* @return 0 or -1. */
int	store_oauth_family_put(struct store_txn *, const struct oauth_family *);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_oauth_family_get(struct store_txn *, const char *id,
	    struct oauth_family *);

/*
 * Marks a family revoked (every token of it stops working at once).
 * @return 0, STORE_NOTFOUND, or -1.
 */
int	store_oauth_family_revoke(struct store_txn *, const char *id);

/*
 * Parks a request under id (hex): pushed is 1 for a pushed authorization
 * request (RFC 9126), 0 for one waiting for the user's login. The two
 * are apart: an ID of one kind never finds a request of the other.
 * @return 0 or -1.
 */
int	store_oauth_authz_put(struct store_txn *, int pushed, const char *id,
	    const struct oauth_authz *);

/*
 * Takes (reads and deletes: single use) the parked request id of the
 * kind pushed. @return 0, STORE_NOTFOUND (expired included), or -1.
 */
int	store_oauth_authz_take(struct store_txn *, int pushed, const char *id,
	    uint64_t now, struct oauth_authz *);

/*
 * Remembers a client assertion's jti until expires (RFC 7523 §3).
 * @return 0 when new, STORE_EXISTS when already seen and unexpired, -1.
 */
int	store_oauth_jti_add(struct store_txn *, const char *client_id,
	    const char *jti, uint64_t expires, uint64_t now);

/* What a user allowed a client (OIDC Core §3.1.2.4), kept until withdrawn. */
struct oauth_consent {
	char		client_id[CLIENT_ID_MAX];
	char		scope[OAUTH_SCOPE_MAX];	/* every scope allowed */
	uint64_t	granted;		/* last time it grew */
};

/* @return 0 or -1. */
int	store_oauth_consent_put(struct store_txn *, const char *user_id,
	    const struct oauth_consent *);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_oauth_consent_get(struct store_txn *, const char *user_id,
	    const char *client_id, struct oauth_consent *);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_oauth_consent_del(struct store_txn *, const char *user_id,
	    const char *client_id);

/*
 * Calls cb for each consent of user_id, up to max (in no useful order).
 * @return how many, or -1.
 */
int	store_oauth_consent_list(struct store_txn *, const char *user_id,
	    int (*cb)(void *, const struct oauth_consent *), void *arg,
	    int max);

/* store_expired_cb for every OAuth record (store_sweep()). */
int	store_oauth_expired(struct store_txn *, const struct store_val *,
	    const struct store_val *, uint64_t now);

#endif
