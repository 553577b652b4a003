/*
 * The LMDB environment: open, transactions, raw records.
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

struct store {
	MDB_env		*env;
	MDB_dbi		 dbi[STORE_DB_COUNT];
};

static const char	*store_db_names[STORE_DB_COUNT] = {
	"meta", "users", "bindings", "bindings_by_user", "registrations",
	"oob_requests", "oob_pending", "sessions", "saml_replay",
	"oauth_codes", "oauth_tokens", "vetting", "vetting_events", "audit",
	"ratelimit", "alerts", "continuations", "saml_requests",
	"saml_nameids", "saml_participants", "oauth_jti", "saml_logouts"
};

static int	store_schema_check(struct store *, MDB_txn *, char *, size_t);
static int	store_result(struct store_txn *, int);

int
store_open(struct store **out, const char *dir, size_t map_size,
    char *err, size_t errlen)
{
	struct store	*st;
	MDB_txn		*txn;
	int		 rc, i;

	txn = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((rc = mdb_env_create(&st->env)) != 0)
		goto lmdb_fail;
	if ((rc = mdb_env_set_maxdbs(st->env, STORE_DB_COUNT + 8)) != 0)
		goto lmdb_fail;
	if ((rc = mdb_env_set_mapsize(st->env, map_size)) != 0)
		goto lmdb_fail;
	/*
	 * MDB_NOTLS: a read transaction is tied to the transaction object,
	 * not the thread, which Kore's single-threaded workers do not need
	 * but the tools' tests may. MDB_NORDAHEAD: the database is random
	 * access.
	 */
	if ((rc = mdb_env_open(st->env, dir, MDB_NOTLS | MDB_NORDAHEAD,
	    0600)) != 0)
		goto lmdb_fail;

	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0)
		goto lmdb_fail;
	for (i = 0; i < STORE_DB_COUNT; i++) {
		/* A name missing from the table would open the main database. */
		if (store_db_names[i] == NULL) {
			snprintf(err, errlen, "database %d has no name", i);
			goto fail;
		}
		if ((rc = mdb_dbi_open(txn, store_db_names[i], MDB_CREATE,
		    &st->dbi[i])) != 0)
			goto lmdb_fail;
	}
	if (store_schema_check(st, txn, err, errlen) == -1)
		goto fail;
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
	if (st->env != NULL)
		mdb_env_close(st->env);
	free(st);
	return (-1);
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

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	mdb_env_close(st->env);
	free(st);
}

int
store_txn_begin(struct store *st, struct store_txn *txn, int write)
{
	MDB_txn		*t;

	memset(txn, 0, sizeof(*txn));
	txn->store = st;
	txn->write = write;
	if (mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t) != 0) {
		txn->error = 1;
		return (-1);
	}
	txn->txn = t;
	return (0);
}

int
store_txn_commit(struct store_txn *txn)
{
	int		rc;

	if (txn->txn == NULL)
		return (-1);
	if (txn->error) {
		store_txn_abort(txn);
		return (-1);
	}
	rc = mdb_txn_commit(txn->txn);
	txn->txn = NULL;
	return (rc == 0 ? 0 : -1);
}

int
store_txn_commit_lazy(struct store_txn *txn)
{
	MDB_env	*env;
	int	 rc;

	/*
	 * MDB_NOMETASYNC may be changed at any time on this process's
	 * handle; workers are single-threaded, so it covers this commit only.
	 */
	env = txn->store->env;
	if (mdb_env_set_flags(env, MDB_NOMETASYNC, 1) != 0) {
		store_txn_abort(txn);
		return (-1);
	}
	rc = store_txn_commit(txn);
	mdb_env_set_flags(env, MDB_NOMETASYNC, 0);
	return (rc);
}

void
store_txn_abort(struct store_txn *txn)
{
	if (txn->txn != NULL)
		mdb_txn_abort(txn->txn);
	txn->txn = NULL;
	txn->error = 1;
}

void
store_txn_fail(struct store_txn *txn)
{
	txn->error = 1;
}

/* Maps an LMDB return code to ours; only real errors are sticky. */
static int
store_result(struct store_txn *txn, int rc)
{
	if (rc == 0)
		return (0);
	if (rc == MDB_NOTFOUND)
		return (STORE_NOTFOUND);
	if (rc == MDB_KEYEXIST)
		return (STORE_EXISTS);
	txn->error = 1;
	return (-1);
}

int
store_get(struct store_txn *txn, enum store_db db, const void *key,
    size_t keylen, struct store_val *out)
{
	MDB_val		k, v;
	int		rc;

	if (txn->error)
		return (-1);
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = keylen;
	if ((rc = store_result(txn, mdb_get(txn->txn,
	    txn->store->dbi[db], &k, &v))) != 0)
		return (rc);
	out->data = v.mv_data;
	out->len = v.mv_size;
	return (0);
}

int
store_put(struct store_txn *txn, enum store_db db, const void *key,
    size_t keylen, const void *val, size_t vallen, int flags)
{
	MDB_val		k, v;

	if (txn->error || !txn->write) {
		txn->error = 1;
		return (-1);
	}
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = keylen;
	v.mv_data = (void *)(uintptr_t)val;
	v.mv_size = vallen;
	return (store_result(txn, mdb_put(txn->txn, txn->store->dbi[db],
	    &k, &v, (flags & STORE_NOOVERWRITE) ? MDB_NOOVERWRITE : 0)));
}

int
store_del(struct store_txn *txn, enum store_db db, const void *key,
    size_t keylen)
{
	MDB_val		k;

	if (txn->error || !txn->write) {
		txn->error = 1;
		return (-1);
	}
	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = keylen;
	return (store_result(txn, mdb_del(txn->txn, txn->store->dbi[db],
	    &k, NULL)));
}

int
store_append(struct store_txn *txn, enum store_db db, const void *val,
    size_t vallen, uint64_t *seq)
{
	MDB_cursor	*cur;
	MDB_val		 k, v;
	unsigned char	 buf[8];
	uint64_t	 next;
	int		 rc;

	if (txn->error || !txn->write) {
		txn->error = 1;
		return (-1);
	}
	if (mdb_cursor_open(txn->txn, txn->store->dbi[db], &cur) != 0) {
		txn->error = 1;
		return (-1);
	}
	next = 1;
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == sizeof(buf))
		next = codec_from_be64(k.mv_data) + 1;
	else if (rc != MDB_NOTFOUND) {
		mdb_cursor_close(cur);
		txn->error = 1;
		return (-1);
	}
	codec_be64(buf, next);
	k.mv_data = buf;
	k.mv_size = sizeof(buf);
	v.mv_data = (void *)(uintptr_t)val;
	v.mv_size = vallen;
	rc = mdb_cursor_put(cur, &k, &v, MDB_APPEND);
	mdb_cursor_close(cur);
	if (rc != 0) {
		txn->error = 1;
		return (-1);
	}
	if (seq != NULL)
		*seq = next;
	return (0);
}

int
store_scan(struct store_txn *txn, enum store_db db, const void *prefix,
    size_t prefixlen, const void *from, size_t fromlen, store_scan_cb cb,
    void *arg)
{
	MDB_cursor		*cur;
	MDB_val			 k, v;
	struct store_val	 key, val;
	MDB_cursor_op		 op;
	int			 rc, ret;

	if (txn->error)
		return (-1);
	if (mdb_cursor_open(txn->txn, txn->store->dbi[db], &cur) != 0) {
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
	MDB_stat	stat;

	if (txn->error ||
	    mdb_stat(txn->txn, txn->store->dbi[db], &stat) != 0) {
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
	if ((rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT)) != 0) {
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
	return (store_db_names[db]);
}
