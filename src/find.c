/*
 * The user search of the help desk and of mutuactl: local records, then
 * the directory.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "find.h"

struct find_local {
	const char	*text;
	int		(*cb)(void *, const struct find_result *);
	void		*arg;
	int		 n;
	int		 stop;
};

static int	find_matches(const struct user *, const char *);
static int	find_local_one(void *, const struct user *);

static int
find_matches(const struct user *u, const char *text)
{
	return (strcasestr(u->id, text) != NULL ||
	    strcasestr(u->display_name, text) != NULL ||
	    strcasestr(u->email, text) != NULL);
}

static int
find_local_one(void *arg, const struct user *u)
{
	struct find_local	*fl = arg;
	struct find_result	 r;

	if (!find_matches(u, fl->text))
		return (0);
	memset(&r, 0, sizeof(r));
	strcpy(r.id, u->id);
	strcpy(r.display_name, u->display_name);
	strcpy(r.email, u->email);
	r.local = 1;
	r.directory = u->dir_id[0] != '\0';
	if ((fl->stop = fl->cb(fl->arg, &r)) != 0)
		return (1);
	return (++fl->n == FIND_MAX ? 1 : 0);
}

int
find_users(struct store *st, struct directory *dir, const char *text,
    int (*cb)(void *, const struct find_result *), void *arg)
{
	struct directory_entry	 list[DIRECTORY_SEARCH_MAX];
	struct find_local	 fl;
	struct find_result	 r;
	struct store_txn	 txn;
	struct user		 u;
	size_t			 n, i;
	int			 rc;

	fl.text = text;
	fl.cb = cb;
	fl.arg = arg;
	fl.n = 0;
	fl.stop = 0;
	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	rc = store_user_scan(&txn, find_local_one, &fl);
	store_txn_abort(&txn);
	if (rc == -1)
		return (-1);
	if (fl.stop || dir == NULL)
		return (0);

	/* Outside any transaction: the directory may take seconds. */
	if (directory_search(dir, text, list, &n) != DIRECTORY_OK)
		return (1);
	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	for (i = 0, rc = 0; i < n && rc == 0; i++) {
		memset(&r, 0, sizeof(r));
		r.directory = 1;
		if ((rc = store_user_get_by_dir(&txn, list[i].uuid, &u)) == -1)
			break;
		/* Signed in before: its record, unless listed already. */
		if (rc == 0) {
			r.local = 1;
			if (find_matches(&u, text)) {
				OPENSSL_cleanse(&u, sizeof(u));
				continue;
			}
			strcpy(r.id, u.id);
			OPENSSL_cleanse(&u, sizeof(u));
		} else
			strcpy(r.id, list[i].login);
		strcpy(r.display_name, list[i].display_name);
		strcpy(r.email, list[i].email);
		rc = cb(arg, &r);
	}
	store_txn_abort(&txn);
	return (rc == -1 ? -1 : 0);
}
