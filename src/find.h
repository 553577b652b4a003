/*
 * find.c: finding users by part of their ID, name or e-mail address,
 * among local records and in the LDAP directory (help desk, mutuactl).
 */
#ifndef MUTUA_FIND_H
#define MUTUA_FIND_H

#include "directory.h"
#include "store.h"
#include "store_user.h"

#define FIND_MAX	20	/* results from each source */

struct find_result {
	char	id[USER_ID_MAX];	/* the local record's, or the login */
	char	display_name[USER_NAME_MAX];
	char	email[USER_EMAIL_MAX];
	int	local;		/* a local record exists (under id) */
	int	directory;	/* the user comes from the directory */
};

/*
 * Calls cb for each user whose ID, name or e-mail address holds text
 * (case-insensitive): local records first, then the directory's entries
 * (dir may be NULL), each once; an entry that has signed in is named by
 * its local record's ID. cb returns 0 to go on, 1 to stop.
 * @return 0, 1 when the directory did not answer (the local results were
 *	   given), or -1 (store error).
 */
int	find_users(struct store *, struct directory *dir, const char *text,
	    int (*cb)(void *, const struct find_result *), void *arg);

#endif
