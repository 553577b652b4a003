/*
 * store_user.c: user accounts in STORE_USERS, keyed by user ID.
 */
#ifndef MUTUA_STORE_USER_H
#define MUTUA_STORE_USER_H

#include <stdint.h>

#include "attribute.h"
#include "crypto.h"
#include "store.h"

#define USER_ID_MAX		64	/* including the NUL */
#define USER_NAME_MAX		128
#define USER_EMAIL_MAX		256
#define USER_DIR_ID_MAX		65	/* directory.h DIRECTORY_UUID_MAX */

#define USER_DISABLED		0x01

#define USER_ROLE_HELPDESK	0x01
#define USER_ROLE_ADMIN		0x02

struct user {
	char		id[USER_ID_MAX];
	char		display_name[USER_NAME_MAX];
	char		email[USER_EMAIL_MAX];
	char		password_hash[CRYPTO_PASSWORD_HASH_MAX];
	uint32_t	flags;
	uint32_t	roles;
	uint64_t	created;	/* unix time */
	/*
	 * The directory's stable ID of the entry (entryUUID, objectGUID)
	 * for a user from LDAP, "" for a local-only user. Indexed in
	 * STORE_USERS_BY_DIR, so that a renamed entry finds its record.
	 */
	char		dir_id[USER_DIR_ID_MAX];
};

/*
 * A user ID is 1 to 63 characters of [a-z0-9._@-], starting with a
 * letter or digit: safe in URLs, logs, offsets and NameIDs as it is.
 * @return 1 when valid.
 */
int	store_user_id_valid(const char *);

/*
 * Writes (creates or replaces) a user, and the STORE_USERS_BY_DIR entry
 * of a non-empty dir_id (which a user keeps once it has one).
 * @return 0 or -1.
 */
int	store_user_put(struct store_txn *, const struct user *);

/*
 * Creates a user; @return 0, STORE_EXISTS when the ID is taken, or -1.
 */
int	store_user_add(struct store_txn *, const struct user *);

/* @return 0 (u filled), STORE_NOTFOUND, or -1 (corrupt record too). */
int	store_user_get(struct store_txn *, const char *id, struct user *u);

/*
 * The user whose record holds the directory ID dir_id.
 * @return 0 (u filled), STORE_NOTFOUND, or -1.
 */
int	store_user_get_by_dir(struct store_txn *, const char *dir_id,
	    struct user *u);

/*
 * Deletes a user with its directory index entry and attributes.
 * @return 0, STORE_NOTFOUND, or -1.
 */
int	store_user_del(struct store_txn *, const char *id);

/*
 * Replaces the attribute values of user id (STORE_USER_ATTRIBUTES), as
 * the directory had them at the user's last sign-in.
 * @return 0 or -1.
 */
int	store_user_attributes_put(struct store_txn *, const char *id,
	    const struct attribute_set *);

/*
 * The attribute values of user id; an empty set (and 0) when it has
 * none. @return 0 or -1.
 */
int	store_user_attributes_get(struct store_txn *, const char *id,
	    struct attribute_set *);

/*
 * Calls cb for each user in ID order; cb returns 0 to go on, 1 to stop.
 * @return 0 or -1.
 */
int	store_user_scan(struct store_txn *,
	    int (*cb)(void *, const struct user *), void *arg);

#endif
