/*
 * store_binding.c: authenticator bindings (X.1280 8.1) and the
 * single-use registration codes that create them.
 *
 * STORE_BINDINGS: binding ID -> record. STORE_BINDINGS_BY_USER:
 * user ID || 0x00 || binding ID -> empty, the per-user index.
 * STORE_REGISTRATIONS: SHA-256(code) -> record; the code itself is never
 * stored.
 */
#ifndef MUTUA_STORE_BINDING_H
#define MUTUA_STORE_BINDING_H

#include <stdint.h>

#include "crypto.h"
#include "device.h"
#include "store.h"
#include "store_user.h"

#define BINDING_ID_LEN		32	/* hex */
#define BINDING_LABEL_MAX	65
#define BINDING_AUTH_ID_MAX	65
#define BINDING_KEY_LEN		32
#define BINDING_WRAPPED_LEN	(BINDING_KEY_LEN + CRYPTO_WRAP_OVERHEAD)
#define BINDINGS_PER_USER_MAX	16

enum binding_state {
	BINDING_ACTIVE = 1,
	BINDING_SUSPENDED = 2,
	BINDING_REVOKED = 3,
	/* Registered at the desk, usable after X.1254 B_ACTIVATE. */
	BINDING_PENDING = 4
};

#define BINDING_BACKUP		0x01	/* registered as a backup */

struct binding {
	char		id[BINDING_ID_LEN + 1];
	char		user_id[USER_ID_MAX];
	char		authenticator_id[BINDING_AUTH_ID_MAX];
	char		label[BINDING_LABEL_MAX];
	unsigned char	pubkey[DEVICE_PUBKEY_LEN];
	unsigned char	wrapped_key[BINDING_WRAPPED_LEN];
	uint32_t	loa;
	uint32_t	state;		/* enum binding_state */
	uint32_t	flags;
	uint64_t	created;
	uint64_t	last_used;
	char		created_by[USER_ID_MAX];
	char		vetting_case[BINDING_ID_LEN + 1];
};

struct registration {
	char		user_id[USER_ID_MAX];
	uint32_t	loa;
	uint32_t	flags;		/* BINDING_BACKUP */
	uint64_t	expires;
	char		created_by[USER_ID_MAX];
	char		vetting_case[BINDING_ID_LEN + 1];
};

/* Writes a binding and its index entry. @return 0 or -1. */
int	store_binding_put(struct store_txn *, const struct binding *);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_binding_get(struct store_txn *, const char *id, struct binding *);

/*
 * Fills out (capacity max) with the user's bindings, most recently used
 * first. @return the number found (at most max), or -1.
 */
int	store_binding_list(struct store_txn *, const char *user_id,
	    struct binding *out, int max);

/* @return the number of the user's active bindings, or -1. */
int	store_binding_count_active(struct store_txn *, const char *user_id);

/* Stores a registration under SHA-256(code). @return 0 or -1. */
int	store_registration_put(struct store_txn *, const char *code,
	    const struct registration *);

/*
 * Takes (reads and deletes: single use) the registration for code.
 * @return 0, STORE_NOTFOUND, or -1.
 */
int	store_registration_take(struct store_txn *, const char *code,
	    struct registration *);

#endif
