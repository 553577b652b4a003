/*
 * directory.c: the LDAP user source (OpenLDAP, Active Directory), without
 * Kore. One connection per process, bound as the service account, kept
 * open and made again after a failure; the user's password is checked by
 * a bind as the user on a connection of its own, never by reading a hash.
 * Every call is bounded by the configured network and operation timeouts
 * (ldap_network_timeout, ldap_timeout), so a worker waits at most a few
 * seconds for a directory that does not answer.
 */
#ifndef MUTUA_DIRECTORY_H
#define MUTUA_DIRECTORY_H

#include <stddef.h>

#include "attribute.h"
#include "config.h"
#include "store_user.h"

#define DIRECTORY_UUID_MAX	65	/* "x:" and hex of a 31-byte ID, NUL */
#define DIRECTORY_DN_MAX	512

enum directory_error {
	DIRECTORY_OK = 0,
	DIRECTORY_NOTFOUND,	/* no such user, or more than one match */
	DIRECTORY_DISABLED,	/* ldap_disabled_filter matches the user */
	DIRECTORY_BADPASS,	/* the user's bind was refused */
	DIRECTORY_DOWN,		/* no URL answered in time */
	DIRECTORY_ERROR		/* any other LDAP error (logged) */
};

/* A user as the directory has it at the moment of the search. */
struct directory_user {
	char	dn[DIRECTORY_DN_MAX];
	/* ldap_id_attribute; a binary one (objectGUID) as "x:" and hex */
	char	uuid[DIRECTORY_UUID_MAX];
	char	display_name[USER_NAME_MAX];
	char	email[USER_EMAIL_MAX];
	/* The values of the ldap_attribute mappings. */
	struct attribute_set	attrs;
};

/* A search result (directory_search()). */
struct directory_entry {
	char	uuid[DIRECTORY_UUID_MAX];
	char	login[USER_ID_MAX];	/* the user ID, as mutua writes it */
	char	display_name[USER_NAME_MAX];
	char	email[USER_EMAIL_MAX];
};

#define DIRECTORY_SEARCH_MAX	20

struct directory;

/*
 * Makes the handle of cfg's directory (no connection yet) and reads the
 * service password (ldap_bind_password_file, which must not be group or
 * world readable). Must be freed with directory_close().
 * @param dp	receives the handle, or NULL when no ldap_url is set
 * @param err	the reason on failure (capacity errlen)
 * @return 0 or -1.
 */
int	directory_open(struct directory **dp, const struct config *cfg,
	    char *err, size_t errlen);

/* Closes the connection and wipes the service password; NULL is fine. */
void	directory_close(struct directory *);

/*
 * Connects and binds as the service account now, for the start-up check.
 * @param err	the LDAP reason on failure (capacity errlen)
 * @return DIRECTORY_OK, DIRECTORY_DOWN (no URL answered) or
 *	   DIRECTORY_ERROR (the directory refused the service bind: a wrong
 *	   DN or password, or a TLS failure).
 */
enum directory_error	directory_check(struct directory *, char *err,
			    size_t errlen);

/*
 * Finds the user whose ID is user_id (put into ldap_user_filter escaped
 * per RFC 4515) under ldap_base: exactly one entry must match. Its
 * mapped attributes (ldap_attribute) fill u->attrs; isMemberOf values
 * that are DNs (memberOf) become the value of their first RDN, the
 * group's name.
 * @return DIRECTORY_OK (u filled), _NOTFOUND, _DISABLED (u filled),
 *	   _DOWN or _ERROR.
 */
enum directory_error	directory_find(struct directory *,
			    const char *user_id, struct directory_user *u);

/*
 * Checks password by a simple bind as dn on a connection of its own
 * (an empty password is refused here: RFC 4513 §5.1.2 would make it an
 * unauthenticated bind that succeeds).
 * @return DIRECTORY_OK, _BADPASS, _DOWN or _ERROR.
 */
enum directory_error	directory_authenticate(struct directory *,
			    const char *dn, const char *password);

/*
 * Whether the entry dn matches filter (a base-scope search).
 * @return 1 (matches), 0 (does not), or -1 (directory error, logged).
 */
int	directory_match(struct directory *, const char *dn,
	    const char *filter);

/*
 * Finds users whose ID, name or e-mail holds text (escaped per RFC
 * 4515, between wildcards), among the entries ldap_user_filter admits;
 * the ID attribute is the one ldap_user_filter compares with %u. Entries
 * whose ID is not a valid mutua user ID are left out.
 * @param out	receives up to DIRECTORY_SEARCH_MAX entries
 * @param n	receives how many
 * @return DIRECTORY_OK, _DOWN or _ERROR (also: no "(attr=%u)" in the
 *	   user filter).
 */
enum directory_error	directory_search(struct directory *,
			    const char *text, struct directory_entry *out,
			    size_t *n);

/*
 * Whether the entry whose ldap_id_attribute is dir_id (as in struct
 * directory_user) matches filter: a search under ldap_base for both.
 * @return 1 (matches), 0 (does not, or no such entry), or -1 (directory
 *	   error, logged).
 */
int	directory_match_id(struct directory *, const char *dir_id,
	    const char *filter);

/*
 * Puts value, escaped per RFC 4515 §3 (every byte but printable ASCII
 * other than '*', '(', ')' and '\' as \XX), in place of each "%u" of
 * template into out.
 * @return 0, or -1 when out (outlen bytes) is too small.
 */
int	directory_filter(const char *template, const char *value, char *out,
	    size_t outlen);

#endif
