/*
 * The LMDB environments: open, transactions, raw records.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "codec.h"
#include "store.h"

#define STORE_META_SCHEMA	"schema"
#define STORE_META_BOOT		"boot"
#define STORE_META_ROOM		"commit room"	/* never committed */
/* Map room made sure of before a commit: 8 pages of 4 KiB. */
#define STORE_COMMIT_ROOM	(8 * 4096)
#define STORE_VOLATILE_DIR	"volatile"
#define STORE_BOOT_ID_FILE	"/proc/sys/kernel/random/boot_id"

/* The durable environment is data_dir; the volatile one data_dir/volatile. */
enum store_env {
	STORE_ENV_DURABLE,
	STORE_ENV_VOLATILE
};

/*
 * Blocks reserved on disk ahead of the durable data (store_reserve()):
 * 1 MiB of 4 KiB pages, more than any of mutua's transactions adds.
 */
#define STORE_RESERVE_PAGES	256

/*
 * Pages a reclaiming transaction (STORE_TXN_RECLAIM) may use beyond the
 * map: 256 KiB of 4 KiB pages, far more than deleting a few records
 * copies.
 */
#define STORE_RECLAIM_PAGES	64

struct store {
	MDB_env		*env[STORE_ENVS];
	MDB_dbi		 dbi[STORE_DB_COUNT];
	size_t		 map_size;	/* as configured */
	size_t		 reserved;	/* bytes of the durable file reserved */
	int		 fail_rc;	/* LMDB or errno code, or 0 */
	enum store_env	 fail_env;
};

/*
 * Where each database lives. Volatile: what a lost login, a repeated
 * sign-in or a 60-second code costs to lose (DESIGN.md §4, deployment.md
 * §7). Everything that is a fact stays durable.
 */
static const struct {
	const char	*name;
	enum store_env	 env;
} store_dbs[STORE_DB_COUNT] = {
	[STORE_META] = { "meta", STORE_ENV_DURABLE },
	[STORE_USERS] = { "users", STORE_ENV_DURABLE },
	[STORE_BINDINGS] = { "bindings", STORE_ENV_DURABLE },
	[STORE_BINDINGS_BY_USER] = { "bindings_by_user", STORE_ENV_DURABLE },
	[STORE_REGISTRATIONS] = { "registrations", STORE_ENV_DURABLE },
	[STORE_OOB_REQUESTS] = { "oob_requests", STORE_ENV_VOLATILE },
	[STORE_OOB_PENDING] = { "oob_pending", STORE_ENV_VOLATILE },
	[STORE_SESSIONS] = { "sessions", STORE_ENV_VOLATILE },
	[STORE_SAML_REPLAY] = { "saml_replay", STORE_ENV_VOLATILE },
	[STORE_OAUTH_CODES] = { "oauth_codes", STORE_ENV_VOLATILE },
	[STORE_OAUTH_TOKENS] = { "oauth_tokens", STORE_ENV_DURABLE },
	[STORE_VETTING] = { "vetting", STORE_ENV_DURABLE },
	[STORE_VETTING_EVENTS] = { "vetting_events", STORE_ENV_DURABLE },
	[STORE_AUDIT] = { "audit", STORE_ENV_DURABLE },
	[STORE_RATELIMIT] = { "ratelimit", STORE_ENV_VOLATILE },
	[STORE_ALERTS] = { "alerts", STORE_ENV_DURABLE },
	[STORE_CONTINUATIONS] = { "continuations", STORE_ENV_VOLATILE },
	[STORE_SAML_REQUESTS] = { "saml_requests", STORE_ENV_VOLATILE },
	[STORE_SAML_NAMEIDS] = { "saml_nameids", STORE_ENV_DURABLE },
	[STORE_SAML_PARTICIPANTS] = { "saml_participants",
	    STORE_ENV_VOLATILE },
	[STORE_OAUTH_JTI] = { "oauth_jti", STORE_ENV_VOLATILE },
	[STORE_SAML_LOGOUTS] = { "saml_logouts", STORE_ENV_VOLATILE },
	[STORE_CHAIN] = { "chain", STORE_ENV_DURABLE },
	[STORE_DESK_ALERTS] = { "desk_alerts", STORE_ENV_DURABLE },
	[STORE_DESK_ALERTS_OPEN] = { "desk_alerts_open", STORE_ENV_DURABLE },
	[STORE_USERS_BY_DIR] = { "users_by_dir", STORE_ENV_DURABLE },
	[STORE_USER_ATTRIBUTES] = { "user_attributes", STORE_ENV_DURABLE },
	/* The last good verified metadata: it must survive a restart. */
	[STORE_METADATA] = { "metadata", STORE_ENV_DURABLE },
	/* A cache of MDQ answers: the responder has them again. */
	[STORE_MDQ_CACHE] = { "mdq_cache", STORE_ENV_VOLATILE },
};

static int	store_env_open(struct store *, enum store_env, const char *,
		    size_t, char *, size_t);
static int	store_dbs_open(struct store *, enum store_env, MDB_txn *);
static int	store_schema_check(struct store *, MDB_txn *, char *, size_t);
static int	store_boot_check(struct store *, MDB_txn *, const char *,
		    const char *, char *, size_t);
static MDB_txn	*store_env_txn(struct store_txn *, enum store_env);
static int	store_result(struct store_txn *, enum store_env, int);
static int	store_txn_error(struct store_txn *, enum store_env, int);
static void	store_env_end(struct store_txn *, enum store_env);
static int	store_reserve(struct store_txn *);
static void	store_txn_hooks_run(struct store_txn *, int);

struct store_txn_hook {
	struct store_txn_hook	*next;
	void			(*fn)(void *, int);
	void			*arg;
};

int
store_boot_id(char *out, size_t outlen)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(STORE_BOOT_ID_FILE, "re")) == NULL)
		return (-1);
	rc = fgets(out, (int)outlen, f) != NULL ? 0 : -1;
	fclose(f);
	if (rc == 0)
		out[strcspn(out, "\n")] = '\0';
	return (rc == 0 && out[0] != '\0' ? 0 : -1);
}

int
store_open(struct store **out, const char *dir, size_t map_size,
    const char *boot_id, char *err, size_t errlen)
{
	struct store	*st;
	MDB_txn		*txn;
	char		 vdir[PATH_MAX], boot[STORE_BOOT_ID_MAX];
	int		 rc;

	txn = NULL;
	if (boot_id == NULL) {
		if (store_boot_id(boot, sizeof(boot)) == -1) {
			snprintf(err, errlen, "%s: cannot read",
			    STORE_BOOT_ID_FILE);
			return (-1);
		}
		boot_id = boot;
	}
	rc = snprintf(vdir, sizeof(vdir), "%s/%s", dir, STORE_VOLATILE_DIR);
	if (rc < 0 || (size_t)rc >= sizeof(vdir)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return (-1);
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	st->map_size = map_size;
	if (store_env_open(st, STORE_ENV_DURABLE, dir, map_size, err,
	    errlen) == -1)
		goto fail;
	if ((rc = mdb_txn_begin(st->env[STORE_ENV_DURABLE], NULL, 0,
	    &txn)) != 0 || (rc = store_dbs_open(st, STORE_ENV_DURABLE,
	    txn)) != 0)
		goto lmdb_fail;
	if (store_schema_check(st, txn, err, errlen) == -1 ||
	    store_boot_check(st, txn, vdir, boot_id, err, errlen) == -1)
		goto fail;
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0)
		goto lmdb_fail;

	/*
	 * Opened after the durable commit, never inside it: write
	 * transactions take the volatile lock first (store_txn_begin).
	 */
	if (store_env_open(st, STORE_ENV_VOLATILE, vdir, map_size, err,
	    errlen) == -1)
		goto fail;
	if ((rc = mdb_txn_begin(st->env[STORE_ENV_VOLATILE], NULL, 0,
	    &txn)) != 0 || (rc = store_dbs_open(st, STORE_ENV_VOLATILE,
	    txn)) != 0)
		goto lmdb_fail;
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0)
		goto lmdb_fail;

	*out = st;
	return (0);

lmdb_fail:
	snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
fail:
	if (txn != NULL)
		mdb_txn_abort(txn);
	store_close(st);
	return (-1);
}

/*
 * MDB_NOTLS: a read transaction is tied to the transaction object, not
 * the thread, which Kore's single-threaded workers do not need but the
 * tools' tests may. MDB_NORDAHEAD: the database is random access. The
 * volatile environment never flushes (MDB_NOSYNC): a process crash loses
 * nothing (the page cache survives it), and after a machine crash
 * store_boot_check() empties it before anyone reads a torn page.
 */
static int
store_env_open(struct store *st, enum store_env e, const char *dir,
    size_t map_size, char *err, size_t errlen)
{
	unsigned int	flags;
	int		rc;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	flags = MDB_NOTLS | MDB_NORDAHEAD;
	if (e == STORE_ENV_VOLATILE)
		flags |= MDB_NOSYNC;
	if ((rc = mdb_env_create(&st->env[e])) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env[e], STORE_DB_COUNT + 8)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env[e], map_size)) != 0 ||
	    (rc = mdb_env_open(st->env[e], dir, flags, 0600)) != 0) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(rc));
		return (-1);
	}
	return (0);
}

/* Opens (creating) the databases that live in environment e. */
static int
store_dbs_open(struct store *st, enum store_env e, MDB_txn *txn)
{
	int	i, rc;

	for (i = 0; i < STORE_DB_COUNT; i++) {
		/* A name missing from the table would open the main database. */
		if (store_dbs[i].name == NULL)
			return (EINVAL);
		if (store_dbs[i].env != e)
			continue;
		if ((rc = mdb_dbi_open(txn, store_dbs[i].name, MDB_CREATE,
		    &st->dbi[i])) != 0)
			return (rc);
	}
	return (0);
}

static int
store_schema_check(struct store *st, MDB_txn *txn, char *err, size_t errlen)
{
	MDB_val		 key, val;
	unsigned char	 buf[8];
	uint64_t	 version;
	int		 rc;

	key.mv_data = (void *)(uintptr_t)STORE_META_SCHEMA;
	key.mv_size = strlen(STORE_META_SCHEMA);

	rc = mdb_get(txn, st->dbi[STORE_META], &key, &val);
	if (rc == MDB_NOTFOUND) {
		codec_be64(buf, STORE_SCHEMA_VERSION);
		val.mv_data = buf;
		val.mv_size = sizeof(buf);
		rc = mdb_put(txn, st->dbi[STORE_META], &key, &val, 0);
		if (rc != 0) {
			snprintf(err, errlen, "schema: %s", mdb_strerror(rc));
			return (-1);
		}
		return (0);
	}
	if (rc != 0) {
		snprintf(err, errlen, "schema: %s", mdb_strerror(rc));
		return (-1);
	}
	if (val.mv_size != sizeof(buf)) {
		snprintf(err, errlen, "schema record is corrupt");
		return (-1);
	}
	version = codec_from_be64(val.mv_data);
	if (version != STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "schema version %llu, this build "
		    "reads %d", (unsigned long long)version,
		    STORE_SCHEMA_VERSION);
		return (-1);
	}
	return (0);
}

/*
 * The volatile environment is trusted only within the boot that wrote
 * it: after a machine crash its unflushed pages may be torn. When the
 * boot ID recorded in the durable meta database is not this boot's, the
 * volatile data file is emptied (LMDB starts a new environment in an
 * empty file) and this boot's ID recorded. Runs under the durable write
 * lock, before any process of this boot can have the volatile
 * environment open: every opener passes here first.
 */
static int
store_boot_check(struct store *st, MDB_txn *txn, const char *vdir,
    const char *boot_id, char *err, size_t errlen)
{
	MDB_val		 key, val;
	char		 file[PATH_MAX];
	int		 fd, rc;

	key.mv_data = (void *)(uintptr_t)STORE_META_BOOT;
	key.mv_size = strlen(STORE_META_BOOT);
	rc = mdb_get(txn, st->dbi[STORE_META], &key, &val);
	if (rc == 0 && val.mv_size == strlen(boot_id) &&
	    memcmp(val.mv_data, boot_id, val.mv_size) == 0)
		return (0);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		snprintf(err, errlen, "boot: %s", mdb_strerror(rc));
		return (-1);
	}
	rc = snprintf(file, sizeof(file), "%s/data.mdb", vdir);
	if (rc < 0 || (size_t)rc >= sizeof(file)) {
		snprintf(err, errlen, "%s: path too long", vdir);
		return (-1);
	}
	if ((fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC)) == -1 &&
	    errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return (-1);
	}
	if (fd != -1)
		close(fd);
	val.mv_data = (void *)(uintptr_t)boot_id;
	val.mv_size = strlen(boot_id);
	if ((rc = mdb_put(txn, st->dbi[STORE_META], &key, &val, 0)) != 0) {
		snprintf(err, errlen, "boot: %s", mdb_strerror(rc));
		return (-1);
	}
	return (0);
}

void
store_close(struct store *st)
{
	int	e;

	if (st == NULL)
		return;
	for (e = 0; e < STORE_ENVS; e++)
		if (st->env[e] != NULL)
			mdb_env_close(st->env[e]);
	free(st);
}

/*
 * A write transaction takes the volatile writer lock at once and the
 * durable one on first use, so every process takes them in that order
 * and none waits for the other's lock while holding one it needs.
 */
int
store_txn_begin(struct store *st, struct store_txn *txn, int write)
{
	memset(txn, 0, sizeof(*txn));
	st->fail_rc = 0;
	txn->store = st;
	txn->write = write;
	if (write && store_env_txn(txn, STORE_ENV_VOLATILE) == NULL)
		return (-1);
	return (0);
}

/* The transaction's part in environment e, begun on first use. */
static MDB_txn *
store_env_txn(struct store_txn *txn, enum store_env e)
{
	MDB_txn		*t;
	MDB_env		*env;
	int		 rc;

	if (txn->error)
		return (NULL);
	if (txn->txn[e] != NULL)
		return (txn->txn[e]);
	if (txn->ended) {
		txn->error = 1;
		return (NULL);
	}
	env = txn->store->env[e];
	/*
	 * The map is resized only here and in store_env_end(), where
	 * nothing of this environment is open: a process has one
	 * transaction at a time and its part in env e has not begun.
	 */
	rc = 0;
	if (txn->write == STORE_TXN_RECLAIM)
		rc = mdb_env_set_mapsize(env, txn->store->map_size +
		    STORE_RECLAIM_PAGES * STORE_PAGE_MIN);
	if (rc == 0)
		rc = mdb_txn_begin(env, NULL, txn->write ? 0 : MDB_RDONLY, &t);
	/*
	 * Another process (a reclaiming sweep, mutuactl with a larger
	 * map_size_mb) grew the data past this process's map: map what
	 * is used (lmdb.h, MDB_MAP_RESIZED; LMDB rounds a size up to it).
	 */
	if (rc == MDB_MAP_RESIZED && (rc = mdb_env_set_mapsize(env,
	    txn->store->map_size)) == 0)
		rc = mdb_txn_begin(env, NULL, txn->write ? 0 : MDB_RDONLY, &t);
	if (rc != 0) {
		store_txn_error(txn, e, rc);
		return (NULL);
	}
	txn->txn[e] = t;
	return (t);
}

/*
 * After the part in environment e ended: a reclaiming transaction gives
 * the room beyond the map back (LMDB keeps what the deletions used).
 */
static void
store_env_end(struct store_txn *txn, enum store_env e)
{
	txn->txn[e] = NULL;
	if (txn->write == STORE_TXN_RECLAIM)
		(void)mdb_env_set_mapsize(txn->store->env[e],
		    txn->store->map_size);
}

/*
 * Makes the transaction's error sticky and records why for
 * store_failure(): the first failure of a transaction is the cause.
 * @return -1.
 */
static int
store_txn_error(struct store_txn *txn, enum store_env e, int rc)
{
	if (!txn->error && rc != 0) {
		txn->store->fail_rc = rc;
		txn->store->fail_env = e;
	}
	txn->error = 1;
	return (-1);
}

/* The LMDB transaction and handle of database db. */
static MDB_txn *
store_db_txn(struct store_txn *txn, enum store_db db, MDB_dbi *dbi)
{
	*dbi = txn->store->dbi[db];
	return (store_env_txn(txn, store_dbs[db].env));
}

/*
 * The volatile part commits first: it releases the lock that write
 * transactions take first before the durable part waits for its flush.
 * A failed durable commit thus leaves single-use records consumed and
 * nothing issued, never the reverse.
 */
int
store_txn_commit(struct store_txn *txn)
{
	static const enum store_env	order[STORE_ENVS] = {
		STORE_ENV_VOLATILE, STORE_ENV_DURABLE
	};
	enum store_env			e;
	int				i, rc;

	if (txn->error || txn->ended ||
	    (txn->wrote[STORE_ENV_DURABLE] && store_reserve(txn) == -1)) {
		store_txn_abort(txn);
		return (-1);
	}
	txn->ended = 1;
	rc = 0;
	for (i = 0; i < STORE_ENVS; i++) {
		e = order[i];
		if (txn->txn[e] == NULL)
			continue;
		if (rc == 0 && (rc = mdb_txn_commit(txn->txn[e])) != 0) {
			txn->store->fail_rc = rc;
			txn->store->fail_env = e;
		} else if (rc != 0)
			mdb_txn_abort(txn->txn[e]);
		store_env_end(txn, e);
	}
	store_txn_hooks_run(txn, rc == 0);
	return (rc == 0 ? 0 : -1);
}

/*
 * The volatile part of a transaction commits before its durable part
 * (store_txn_commit()). A durable commit that failed for lack of room
 * at that point would leave the volatile changes without the durable
 * ones written with them: a login in progress without its audit record.
 * Two kinds of room are made sure of before anything commits, when the
 * transaction wrote durable records (one that only read them commits no
 * durable part and flushes nothing), so that a full map or disk fails
 * the whole transaction here:
 * - in the map: LMDB's commit takes pages to save its free list, and
 *   fails with MDB_MAP_FULL when none is left. A record of
 *   STORE_COMMIT_ROOM bytes is reserved (MDB_RESERVE, nothing copied)
 *   and deleted again: it fails if the pages are not there, and the
 *   pages it took are free for the commit (lmdb: mdb_ovpage_free()).
 * - on disk: LMDB writes its pages at commit, so the durable file's
 *   blocks are reserved ahead of its data (fallocate(2), size
 *   unchanged). A file system that cannot (EOPNOTSUPP) is written as
 *   before.
 * @return 0, or -1 (recorded for store_failure()).
 */
static int
store_reserve(struct store_txn *txn)
{
	struct store	*st;
	MDB_env		*env;
	MDB_envinfo	 info;
	MDB_stat	 stat;
	MDB_val		 k, v;
	size_t		 want;
	int		 fd, rc;

	st = txn->store;
	env = st->env[STORE_ENV_DURABLE];
	k.mv_data = (void *)(uintptr_t)STORE_META_ROOM;
	k.mv_size = strlen(STORE_META_ROOM);
	v.mv_data = NULL;
	v.mv_size = STORE_COMMIT_ROOM;
	if ((rc = mdb_put(txn->txn[STORE_ENV_DURABLE], st->dbi[STORE_META],
	    &k, &v, MDB_RESERVE)) != 0 ||
	    (rc = mdb_del(txn->txn[STORE_ENV_DURABLE], st->dbi[STORE_META],
	    &k, NULL)) != 0)
		return (store_txn_error(txn, STORE_ENV_DURABLE, rc));
	if ((rc = mdb_env_info(env, &info)) != 0 ||
	    (rc = mdb_env_stat(env, &stat)) != 0 ||
	    (rc = mdb_env_get_fd(env, &fd)) != 0)
		return (store_txn_error(txn, STORE_ENV_DURABLE, rc));
	want = (info.me_last_pgno + 1 + STORE_RESERVE_PAGES) *
	    (size_t)stat.ms_psize;
	if (want > info.me_mapsize)
		want = info.me_mapsize;
	if (want <= st->reserved)
		return (0);
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)want) == -1 &&
	    errno != EOPNOTSUPP)
		return (store_txn_error(txn, STORE_ENV_DURABLE, errno));
	st->reserved = want;
	return (0);
}

void
store_txn_abort(struct store_txn *txn)
{
	int	e;

	for (e = 0; e < STORE_ENVS; e++) {
		if (txn->txn[e] == NULL)
			continue;
		mdb_txn_abort(txn->txn[e]);
		store_env_end(txn, e);
	}
	txn->ended = 1;
	txn->error = 1;
	store_txn_hooks_run(txn, 0);
}

void
store_txn_fail(struct store_txn *txn)
{
	store_txn_error(txn, STORE_ENV_DURABLE, EINVAL);
}

enum store_failure
store_failure(const struct store *st, char *why, size_t whylen)
{
	int	rc;

	if ((rc = st->fail_rc) == 0)
		return (STORE_FAIL_NONE);
	if (why != NULL)
		snprintf(why, whylen, "%s: %s",
		    st->fail_env == STORE_ENV_DURABLE ? "durable" : "volatile",
		    mdb_strerror(rc));
	return (rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT ||
	    rc == EFBIG ? STORE_FAIL_FULL : STORE_FAIL_ERROR);
}

int
store_txn_on_end(struct store_txn *txn, void (*fn)(void *, int), void *arg)
{
	struct store_txn_hook	*h, **tail;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return (-1);
	h->fn = fn;
	h->arg = arg;
	for (tail = &txn->hooks; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = h;
	return (0);
}

/* Runs and frees the hooks, once: a second end finds none. */
static void
store_txn_hooks_run(struct store_txn *txn, int committed)
{
	struct store_txn_hook	*h;

	while ((h = txn->hooks) != NULL) {
		txn->hooks = h->next;
		h->fn(h->arg, committed);
		free(h);
	}
}

/* Maps an LMDB return code to ours; only real errors are sticky. */
static int
store_result(struct store_txn *txn, enum store_env e, int rc)
{
	if (rc == 0)
		return (0);
	if (rc == MDB_NOTFOUND)
		return (STORE_NOTFOUND);
	if (rc == MDB_KEYEXIST)
		return (STORE_EXISTS);
	return (store_txn_error(txn, e, rc));
}

int
store_get(struct store_txn *txn, enum store_db db, const void *key,
    size_t keylen, struct store_val *out)
{
	MDB_txn		*t;
	MDB_dbi		 dbi;
	MDB_val		k, v;
	int		rc;

	if (txn->error)
		return (-1);
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = keylen;
	if ((t = store_db_txn(txn, db, &dbi)) == NULL)
		return (-1);
	if ((rc = store_result(txn, store_dbs[db].env,
	    mdb_get(t, dbi, &k, &v))) != 0)
		return (rc);
	out->data = v.mv_data;
	out->len = v.mv_size;
	return (0);
}

int
store_put(struct store_txn *txn, enum store_db db, const void *key,
    size_t keylen, const void *val, size_t vallen, int flags)
{
	MDB_txn		*t;
	MDB_dbi		 dbi;
	MDB_val		k, v;

	if (txn->error || !txn->write) {
		txn->error = 1;
		return (-1);
	}
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = keylen;
	v.mv_data = (void *)(uintptr_t)val;
	v.mv_size = vallen;
	if ((t = store_db_txn(txn, db, &dbi)) == NULL)
		return (-1);
	txn->wrote[store_dbs[db].env] = 1;
	return (store_result(txn, store_dbs[db].env, mdb_put(t, dbi, &k, &v,
	    (flags & STORE_NOOVERWRITE) ? MDB_NOOVERWRITE : 0)));
}

int
store_del(struct store_txn *txn, enum store_db db, const void *key,
    size_t keylen)
{
	MDB_txn		*t;
	MDB_dbi		 dbi;
	MDB_val		k;

	if (txn->error || !txn->write) {
		txn->error = 1;
		return (-1);
	}
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = keylen;
	if ((t = store_db_txn(txn, db, &dbi)) == NULL)
		return (-1);
	txn->wrote[store_dbs[db].env] = 1;
	return (store_result(txn, store_dbs[db].env,
	    mdb_del(t, dbi, &k, NULL)));
}

int
store_append(struct store_txn *txn, enum store_db db, const void *val,
    size_t vallen, uint64_t *seq)
{
	MDB_txn		*t;
	MDB_dbi		 dbi;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	unsigned char	 buf[8];
	uint64_t	 next;
	int		 rc;

	if (txn->error || !txn->write) {
		txn->error = 1;
		return (-1);
	}
	if ((t = store_db_txn(txn, db, &dbi)) == NULL)
		return (-1);
	txn->wrote[store_dbs[db].env] = 1;
	if ((rc = mdb_cursor_open(t, dbi, &cur)) != 0)
		return (store_txn_error(txn, store_dbs[db].env, rc));
	next = 1;
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == sizeof(buf))
		next = codec_from_be64(k.mv_data) + 1;
	else if (rc != MDB_NOTFOUND) {
		mdb_cursor_close(cur);
		return (store_txn_error(txn, store_dbs[db].env,
		    rc != 0 ? rc : MDB_CORRUPTED));
	}
	codec_be64(buf, next);
	k.mv_data = buf;
	k.mv_size = sizeof(buf);
	v.mv_data = (void *)(uintptr_t)val;
	v.mv_size = vallen;
	rc = mdb_cursor_put(cur, &k, &v, MDB_APPEND);
	mdb_cursor_close(cur);
	if (rc != 0)
		return (store_txn_error(txn, store_dbs[db].env, rc));
	if (seq != NULL)
		*seq = next;
	return (0);
}

int
store_scan(struct store_txn *txn, enum store_db db, const void *prefix,
    size_t prefixlen, const void *from, size_t fromlen, store_scan_cb cb,
    void *arg)
{
	MDB_txn		*t;
	MDB_dbi		 dbi;
	MDB_cursor		*cur;
	MDB_val			 k, v;
	struct store_val	 key, val;
	MDB_cursor_op		 op;
	int			 rc, ret;

	if (txn->error)
		return (-1);
	if ((t = store_db_txn(txn, db, &dbi)) == NULL)
		return (-1);
	if (mdb_cursor_open(t, dbi, &cur) != 0) {
		txn->error = 1;
		return (-1);
	}
	ret = -1;
	if (from == NULL) {
		from = prefix;
		fromlen = prefixlen;
	}
	k.mv_data = (void *)(uintptr_t)from;
	k.mv_size = fromlen;
	op = fromlen > 0 ? MDB_SET_RANGE : MDB_FIRST;

	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (prefixlen > 0 && (k.mv_size < prefixlen ||
		    memcmp(k.mv_data, prefix, prefixlen) != 0))
			break;
		key.data = k.mv_data;
		key.len = k.mv_size;
		val.data = v.mv_data;
		val.len = v.mv_size;
		if ((rc = cb(arg, &key, &val)) == -1)
			goto out;
		if (rc == 1)
			break;
	}
	if (rc != 0 && rc != MDB_NOTFOUND && rc != 1)
		goto out;
	ret = 0;

out:
	mdb_cursor_close(cur);
	if (ret == -1)
		txn->error = 1;
	return (ret);
}

long long
store_count(struct store_txn *txn, enum store_db db)
{
	MDB_txn		*t;
	MDB_dbi		 dbi;
	MDB_stat	stat;

	if ((t = store_db_txn(txn, db, &dbi)) == NULL ||
	    mdb_stat(t, dbi, &stat) != 0) {
		txn->error = 1;
		return (-1);
	}
	return ((long long)stat.ms_entries);
}

int
store_check(struct store *st)
{
	struct store_txn	txn;
	struct store_val	val;
	int			rc;

	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	rc = store_get(&txn, STORE_META, STORE_META_SCHEMA,
	    strlen(STORE_META_SCHEMA), &val);
	store_txn_abort(&txn);
	return (rc == 0 ? 0 : -1);
}

int
store_backup(struct store *st, const char *path, char *err, size_t errlen)
{
	char		file[PATH_MAX];
	int		fd, rc;

	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	rc = snprintf(file, sizeof(file), "%s/data.mdb", path);
	if (rc < 0 || (size_t)rc >= sizeof(file)) {
		snprintf(err, errlen, "%s: path too long", path);
		return (-1);
	}
	/* The copy holds what the environment holds: owner only, 0600. */
	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return (-1);
	}
	if ((rc = mdb_env_copyfd2(st->env[STORE_ENV_DURABLE], fd,
	    MDB_CP_COMPACT)) != 0) {
		snprintf(err, errlen, "%s: %s", file, mdb_strerror(rc));
		goto fail;
	}
	if (fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto fail;
	}
	return (0);

fail:
	if (fd != -1)
		close(fd);
	(void)unlink(file);
	return (-1);
}

const char *
store_db_name(enum store_db db)
{
	return (store_dbs[db].name);
}
