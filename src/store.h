/*
 * store.c: the two LMDB environments that hold all of mutua's state: a
 * durable one in data_dir (every commit flushed) and a volatile one in
 * data_dir/volatile (never flushed; emptied after a machine restart) for
 * sessions, logins in progress, single-use codes and replay caches.
 * Which database lives where is store.c's table; a transaction spans
 * both, and callers never choose.
 *
 * Only store.c touches LMDB; the typed record modules (store_user.c,
 * audit.c, ...) speak to it through this interface. Kore workers are
 * separate processes: each opens the environment after fork, and LMDB's
 * single-writer lock serialises their write transactions.
 *
 * Transactions carry a sticky error: after any failed operation every
 * later call fails at once and store_txn_commit() aborts instead.
 */
#ifndef MUTUA_STORE_H
#define MUTUA_STORE_H

#include <stddef.h>
#include <stdint.h>

/* Bumped whenever a record or key layout changes incompatibly. */
#define STORE_SCHEMA_VERSION	1

/* The named databases (DESIGN.md §4). */
enum store_db {
	STORE_META,
	STORE_USERS,
	STORE_BINDINGS,
	STORE_BINDINGS_BY_USER,
	STORE_REGISTRATIONS,
	STORE_OOB_REQUESTS,
	STORE_OOB_PENDING,
	STORE_SESSIONS,
	STORE_SAML_REPLAY,
	STORE_OAUTH_CODES,
	STORE_OAUTH_TOKENS,
	STORE_VETTING,
	STORE_VETTING_EVENTS,
	STORE_AUDIT,
	STORE_RATELIMIT,
	STORE_ALERTS,
	STORE_CONTINUATIONS,
	STORE_SAML_REQUESTS,
	STORE_SAML_NAMEIDS,
	STORE_SAML_PARTICIPANTS,
	STORE_OAUTH_JTI,
	STORE_SAML_LOGOUTS,
	STORE_CHAIN,
	STORE_DESK_ALERTS,
	STORE_DESK_ALERTS_OPEN,
	STORE_USERS_BY_DIR,
	STORE_USER_ATTRIBUTES,
	STORE_METADATA,
	STORE_MDQ_CACHE,
	STORE_DB_COUNT
};

/* store_txn_begin(): a write transaction that frees room in a full map. */
#define STORE_TXN_RECLAIM	2
/* The smallest page LMDB uses: the reclaim room is counted in it. */
#define STORE_PAGE_MIN		4096

/* Return values besides 0 (done) and -1 (error, sticky). */
#define STORE_NOTFOUND		1
#define STORE_EXISTS		1

/* store_put() flag: fail with STORE_EXISTS rather than overwrite. */
#define STORE_NOOVERWRITE	0x01

struct store;

#define STORE_ENVS		2
#define STORE_BOOT_ID_MAX	64

struct store_txn_hook;

struct store_txn {
	struct store		*store;
	void			*txn[STORE_ENVS];	/* MDB_txn, begun on use */
	int			 write;
	int			 error;
	int			 ended;
	int			 wrote[STORE_ENVS];	/* a put or delete */
	struct store_txn_hook	*hooks;		/* store_txn_on_end() */
};

/* A value borrowed from the store: valid until the transaction ends. */
struct store_val {
	const void	*data;
	size_t		 len;
};

/*
 * Says whether a record may be swept (store_sweep()): 1 when it has
 * expired at now, 0 to keep it, also when it does not decode (it is left
 * to its owner, which reports it).
 */
typedef int	(*store_expired_cb)(struct store_txn *,
		    const struct store_val *key, const struct store_val *val,
		    uint64_t now);

/*
 * Called for each record by store_scan(): return 0 to go on, 1 to stop,
 * -1 to stop with an error (which becomes the transaction's error).
 */
typedef int	(*store_scan_cb)(void *arg, const struct store_val *key,
		    const struct store_val *val);

/*
 * Reads this machine's boot ID (/proc/sys/kernel/random/boot_id) into
 * out (capacity outlen, STORE_BOOT_ID_MAX is enough). Kore's parent
 * reads it for the workers, which cannot once they are in their chroot.
 * @return 0 or -1.
 */
int	store_boot_id(char *out, size_t outlen);

/*
 * Opens (creating when needed) the environments in directory dir and
 * dir/volatile, opens every named database and checks the schema
 * version in STORE_META. When the volatile environment was last used in
 * another boot, it is emptied first.
 * @param out		receives the handle; release with store_close()
 * @param dir		directory, created with mode 0700 when missing
 * @param map_size	LMDB map size in bytes, of each environment
 * @param boot_id	this boot's ID, or NULL to read it (store_boot_id)
 * @return 0, or -1 with a reason in err (capacity errlen): LMDB error,
 *	   or a schema version this build does not know.
 */
int	store_open(struct store **out, const char *dir, size_t map_size,
	    const char *boot_id, char *err, size_t errlen);

/* Closes the environment. No transaction may be open. */
void	store_close(struct store *);

/*
 * Begins a transaction; write is 1 for a write transaction (which waits
 * for the environment's single writer lock), or STORE_TXN_RECLAIM for a
 * write transaction that deletes records from a full map. LMDB copies
 * every page it changes, so a deletion needs free pages too: a
 * reclaiming transaction may map STORE_RECLAIM_PAGES beyond the map (and
 * keeps the few it used). Always end it with store_txn_commit() or
 * store_txn_abort().
 * @return 0, or -1 (then txn->error is set and commit will fail).
 */
int	store_txn_begin(struct store *, struct store_txn *txn, int write);

/*
 * Commits a write transaction, or ends a read transaction. The volatile
 * part commits first, then the durable part, flushed to disk before this
 * returns (only when the transaction wrote durable records). Each part
 * is atomic. Disk blocks for the durable part are reserved before either
 * commits, so a full disk or map fails the whole transaction; if the
 * durable commit still fails after the volatile one (an I/O error), the
 * volatile changes (consumed codes, replay records) stay.
 * @return 0; -1 when an earlier operation failed (the transaction is
 *	   aborted, nothing is written) or a commit itself failed.
 */
int	store_txn_commit(struct store_txn *);

/* Aborts; safe to call on a transaction that already failed. */
void	store_txn_abort(struct store_txn *);

/* Marks the transaction failed, e.g. after a record failed to decode. */
void	store_txn_fail(struct store_txn *);

/* Why the last transaction failed (store_failure()). */
enum store_failure {
	STORE_FAIL_NONE,	/* it did not, or it has not ended yet */
	STORE_FAIL_FULL,	/* map full (MDB_MAP_FULL) or disk full */
	STORE_FAIL_ERROR	/* anything else */
};

/*
 * Says why the last transaction this process began failed, so that a
 * caller that got -1 from a module can tell "no room" from a fault: a
 * full map or disk is answered "try again later" and clears by itself
 * when the sweep frees records or the disk has room again. Each
 * store_txn_begin() clears it.
 * @param why	NULL, or receives "durable: <reason>" or "volatile:
 *		<reason>" (capacity whylen) unless STORE_FAIL_NONE is returned
 */
enum store_failure	store_failure(const struct store *, char *why,
			    size_t whylen);

/*
 * Calls fn(arg, committed) once, when txn ends: committed is 1 after a
 * commit of every part succeeded, 0 after an abort or a failed commit.
 * Hooks run in the order they were added; fn owns arg. Used to log only
 * what is on disk (audit.c).
 * @return 0, or -1 when out of memory (fn is then not called).
 */
int	store_txn_on_end(struct store_txn *, void (*fn)(void *, int),
	    void *arg);

/* @return 0 (found, *val set), STORE_NOTFOUND, or -1. */
int	store_get(struct store_txn *, enum store_db, const void *key,
	    size_t keylen, struct store_val *val);

/* @return 0, STORE_EXISTS (only with STORE_NOOVERWRITE), or -1. */
int	store_put(struct store_txn *, enum store_db, const void *key,
	    size_t keylen, const void *val, size_t vallen, int flags);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_del(struct store_txn *, enum store_db, const void *key,
	    size_t keylen);

/*
 * Appends val under the next sequence number (8-byte big-endian key,
 * one more than the last key; 1 for an empty database). Write
 * transactions are serialised, so sequence numbers are dense and
 * increasing across processes. Logs that must show tampering use
 * store_chain_append() (store_chain.h) instead.
 * @param seq	receives the number used (may be NULL)
 * @return 0 or -1.
 */
int	store_append(struct store_txn *, enum store_db, const void *val,
	    size_t vallen, uint64_t *seq);

/*
 * Visits, in key order, the records whose key starts with prefix
 * (every record when prefixlen is 0), starting at the first key >= from
 * when from is not NULL.
 * @return 0, or -1 on error or when the callback returned -1.
 */
int	store_scan(struct store_txn *, enum store_db, const void *prefix,
	    size_t prefixlen, const void *from, size_t fromlen,
	    store_scan_cb cb, void *arg);

/* @return the number of records in db, or -1. */
long long	store_count(struct store_txn *, enum store_db);

/*
 * Reads the schema record in a fresh read transaction: the health check.
 * @return 0 when the store answers, -1 otherwise.
 */
int	store_check(struct store *);

/*
 * Writes a compacted copy of the durable environment into the empty or
 * missing directory path; consistent while other processes write. The
 * volatile state (sessions, codes in flight) is not part of a backup.
 * @return 0 or -1 (reason in err).
 */
int	store_backup(struct store *, const char *path, char *err,
	    size_t errlen);

/* Returns the name of a database (for messages and exports). */
const char	*store_db_name(enum store_db);

#endif
