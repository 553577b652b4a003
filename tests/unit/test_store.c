/*
 * Unit tests for src/store.c and the record modules on top of it
 * (store_user.c, audit.c): the schema check, raw records, the sticky
 * transaction error, sequences, scans, backups, and the two properties
 * the store exists for: worker processes writing at the same time lose
 * nothing, and a writer killed with SIGKILL leaves every committed
 * record intact and nothing half-written.
 *
 * Every test works in its own fixture directory under /tmp (fixture.c),
 * removed afterwards. LMDB must not be opened twice by one process (its locks
 * are per process), so the fork tests close the store before forking
 * and each child opens it itself, as Kore workers do.
 */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit.h"
#include "codec.h"
#include "fixture.h"
#include "store.h"
#include "store_user.h"

#define ERR_MAX			512

/* Concurrency: two workers, this many write transactions each. */
#define WORKERS			2
#define WORKER_TXNS		2000

/* Crash: kills per environment, and acknowledged commits before one. */
#define CRASH_ROUNDS		3
#define CRASH_MIN_ACKS		150
#define CRASH_MAX_ACKS		400
#define CRASH_RECORD_VERSION	1
#define CRASH_PAYLOAD_MAX	3000

struct collect {
	char		 keys[16][32];
	size_t		 n;
	int		 stop_after;	/* return 1 after this many, or 0 */
	int		 fail_after;	/* return -1 after this many, or 0 */
};

struct audit_collect {
	uint64_t	 seqs[16];
	char		 events[16][AUDIT_EVENT_MAX];
	size_t		 n;
	int		 stop_after;
};

struct user_collect {
	char		 ids[8][USER_ID_MAX];
	size_t		 n;
	int		 stop_after;
};

struct audit_check {
	uint64_t	 next;		/* the seq expected next */
	long		 last_i[WORKERS];
	int		 bad;
	char		 why[128];
};

static void	env_close(struct fixture *);
static void	env_open(struct fixture *);
static void	put_str(struct store *, enum store_db, const char *,
		    const char *);
static int	get_str(struct store *, enum store_db, const char *, char *,
		    size_t);
static int	collect_cb(void *, const struct store_val *,
		    const struct store_val *);
static void	fill_scan_db(struct store *);
static int	audit_collect_cb(void *, const struct audit_record *);
static int	audit_fields_cb(void *, const struct audit_record *);
static int	user_collect_cb(void *, const struct user *);
static void	sample_user(struct user *, const char *);
static void	child_start(const struct fixture *, const char *);
static int	worker_run(const char *, int, int);
static int	audit_check_cb(void *, const struct audit_record *);
static void	wait_ok(pid_t, const struct fixture *, const char *);
static void	crash_record(struct codec_writer *, uint64_t, int);
static int	crash_record_check(const struct store_val *, uint64_t, int);
static void	crash_writer(const char *, int);
static uint64_t	crash_round(struct fixture *, unsigned int);
static void	crash_verify(struct fixture *, uint64_t);

static void
env_close(struct fixture *e)
{
	store_close(e->st);
	e->st = NULL;
}

static void
env_open(struct fixture *e)
{
	char	err[ERR_MAX];

	assert_null(e->st);
	if (store_open(&e->st, e->path, FIXTURE_MAP_SIZE, NULL, err,
	    sizeof(err)) == -1)
		fail_msg("store_open: %s", err);
}

/* Writes one string record in its own transaction. */
static void
put_str(struct store *st, enum store_db db, const char *key,
    const char *val)
{
	struct store_txn	txn;

	assert_int_equal(store_txn_begin(st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, db, key, strlen(key), val,
	    strlen(val), 0), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* Reads one string record. @return 0 or STORE_NOTFOUND. */
static int
get_str(struct store *st, enum store_db db, const char *key, char *out,
    size_t outlen)
{
	struct store_txn	txn;
	struct store_val	val;
	int			rc;

	assert_int_equal(store_txn_begin(st, &txn, 0), 0);
	rc = store_get(&txn, db, key, strlen(key), &val);
	assert_true(rc == 0 || rc == STORE_NOTFOUND);
	if (rc == 0) {
		assert_true(val.len < outlen);
		memcpy(out, val.data, val.len);
		out[val.len] = '\0';
	}
	assert_int_equal(store_txn_commit(&txn), 0);
	return (rc);
}

static void
test_store_open_creates_environment_and_schema_record(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store_val	 val;
	struct stat		 sb;
	char			 path[192];
	unsigned char		 want[8];

	assert_int_equal(stat(e->path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/data.mdb", e->path);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);

	codec_be64(want, STORE_SCHEMA_VERSION);
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_get(&txn, STORE_META, "schema", 6, &val), 0);
	assert_int_equal(val.len, 8);
	assert_memory_equal(val.data, want, 8);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_int_equal(store_check(e->st), 0);
}

static void
test_store_reopen_keeps_records(void **state)
{
	struct fixture	*e = *state;
	char		 buf[32];

	put_str(e->st, STORE_USERS, "k", "v1");
	put_str(e->st, STORE_SESSIONS, "k", "v2");
	env_close(e);
	env_open(e);
	assert_int_equal(get_str(e->st, STORE_USERS, "k", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "v1");
	assert_int_equal(get_str(e->st, STORE_SESSIONS, "k", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "v2");
	assert_int_equal(store_check(e->st), 0);
}

static void
test_store_open_refuses_other_schema_version(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store		*st;
	unsigned char		 v[8];
	char			 err[ERR_MAX], want[ERR_MAX];
	int			 i;

	codec_be64(v, STORE_SCHEMA_VERSION + 1);
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_META, "schema", 6, v,
	    sizeof(v), 0), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	env_close(e);

	snprintf(want, sizeof(want), "schema version %d, this build reads %d",
	    STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
	/* Refused each time: the refusal does not rewrite the record. */
	for (i = 0; i < 2; i++) {
		st = NULL;
		err[0] = '\0';
		assert_int_equal(store_open(&st, e->path, FIXTURE_MAP_SIZE,
		    NULL, err, sizeof(err)), -1);
		assert_null(st);
		assert_string_equal(err, want);
	}
}

static void
test_store_open_refuses_corrupt_schema_record(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store		*st;
	char			 err[ERR_MAX];

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_META, "schema", 6, "\x01", 1,
	    0), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	env_close(e);
	st = NULL;
	assert_int_equal(store_open(&st, e->path, FIXTURE_MAP_SIZE, NULL, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "schema record is corrupt");
}

static void
test_store_open_reports_unusable_directory(void **state)
{
	struct fixture	*e = *state;
	struct store	*st;
	char		 path[192], err[ERR_MAX];
	int		 fd;

	/* A regular file where the directory should be. */
	snprintf(path, sizeof(path), "%s/file", e->dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) != -1);
	close(fd);
	st = NULL;
	assert_int_equal(store_open(&st, path, FIXTURE_MAP_SIZE, NULL, err,
	    sizeof(err)),
	    -1);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);

	/* A parent directory that does not exist. */
	snprintf(path, sizeof(path), "%s/no/such", e->dir);
	assert_int_equal(store_open(&st, path, FIXTURE_MAP_SIZE, NULL, err,
	    sizeof(err)),
	    -1);
	assert_non_null(strstr(err, strerror(ENOENT)));
}

/* Reopens e's environment as the given boot would. */
static void
env_reopen_in_boot(struct fixture *e, const char *boot_id)
{
	char	err[ERR_MAX];

	env_close(e);
	if (store_open(&e->st, e->path, FIXTURE_MAP_SIZE, boot_id, err,
	    sizeof(err)) == -1)
		fail_msg("store_open: %s", err);
}

static void
test_store_volatile_records_survive_reopen_in_the_same_boot(void **state)
{
	struct fixture	*e = *state;
	char		 out[16];

	env_reopen_in_boot(e, "boot-a");
	put_str(e->st, STORE_SESSIONS, "s1", "session");
	put_str(e->st, STORE_USERS, "u1", "user");
	env_reopen_in_boot(e, "boot-a");
	assert_int_equal(get_str(e->st, STORE_SESSIONS, "s1", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "session");
	assert_int_equal(get_str(e->st, STORE_USERS, "u1", out,
	    sizeof(out)), 0);
}

static void
test_store_volatile_records_are_gone_after_another_boot(void **state)
{
	struct fixture	*e = *state;
	char		 out[16];

	env_reopen_in_boot(e, "boot-a");
	put_str(e->st, STORE_SESSIONS, "s1", "session");
	put_str(e->st, STORE_OAUTH_CODES, "c1", "code");
	put_str(e->st, STORE_USERS, "u1", "user");
	put_str(e->st, STORE_AUDIT, "a1", "audit");

	/* A machine restart: the volatile pages may be torn; never read. */
	env_reopen_in_boot(e, "boot-b");
	assert_int_equal(get_str(e->st, STORE_SESSIONS, "s1", out,
	    sizeof(out)), STORE_NOTFOUND);
	assert_int_equal(get_str(e->st, STORE_OAUTH_CODES, "c1", out,
	    sizeof(out)), STORE_NOTFOUND);
	assert_int_equal(get_str(e->st, STORE_USERS, "u1", out,
	    sizeof(out)), 0);
	assert_int_equal(get_str(e->st, STORE_AUDIT, "a1", out,
	    sizeof(out)), 0);

	/* What this boot writes is kept for the rest of it. */
	put_str(e->st, STORE_SESSIONS, "s2", "session");
	env_reopen_in_boot(e, "boot-b");
	assert_int_equal(get_str(e->st, STORE_SESSIONS, "s2", out,
	    sizeof(out)), 0);
}

/* Begins a write transaction with one volatile and one durable record. */
static void
begin_with_both(struct store *st, struct store_txn *txn)
{
	assert_int_equal(store_txn_begin(st, txn, 1), 0);
	assert_int_equal(store_put(txn, STORE_SESSIONS, "s", 1, "v", 1, 0), 0);
	assert_int_equal(store_put(txn, STORE_USERS, "u", 1, "v", 1, 0), 0);
}

/* Both records of begin_with_both() are there (want 0) or not. */
static void
assert_both(struct store *st, int want)
{
	char	out[16];

	assert_int_equal(get_str(st, STORE_SESSIONS, "s", out, sizeof(out)),
	    want);
	assert_int_equal(get_str(st, STORE_USERS, "u", out, sizeof(out)),
	    want);
}

static void
test_store_txn_spans_both_environments(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;

	/* Aborted: neither part lands. */
	begin_with_both(e->st, &txn);
	store_txn_abort(&txn);
	assert_both(e->st, STORE_NOTFOUND);

	/* A failed step fails both parts. */
	begin_with_both(e->st, &txn);
	store_txn_fail(&txn);
	assert_int_equal(store_txn_commit(&txn), -1);
	assert_both(e->st, STORE_NOTFOUND);

	/* Committed: both, and the transaction cannot be committed twice. */
	begin_with_both(e->st, &txn);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_int_equal(store_txn_commit(&txn), -1);
	assert_both(e->st, 0);
}

static void
test_store_put_get_del_round_trip(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store_val	 val;
	char			 buf[32];

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "a", 1, "one", 3, 0), 0);
	/* Visible inside the writing transaction already. */
	assert_int_equal(store_get(&txn, STORE_USERS, "a", 1, &val), 0);
	assert_int_equal(val.len, 3);
	assert_memory_equal(val.data, "one", 3);
	/* Same key, other database: independent. */
	assert_int_equal(store_get(&txn, STORE_SESSIONS, "a", 1, &val),
	    STORE_NOTFOUND);
	assert_int_equal(store_put(&txn, STORE_USERS, "a", 1, "uno", 3, 0), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(get_str(e->st, STORE_USERS, "a", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "uno");

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_del(&txn, STORE_USERS, "a", 1), 0);
	assert_int_equal(store_get(&txn, STORE_USERS, "a", 1, &val),
	    STORE_NOTFOUND);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_int_equal(get_str(e->st, STORE_USERS, "a", buf, sizeof(buf)),
	    STORE_NOTFOUND);
}

static void
test_store_binary_keys_and_empty_values(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store_val	 val;

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "a\0b", 3, "", 0, 0), 0);
	assert_int_equal(store_get(&txn, STORE_USERS, "a", 1, &val),
	    STORE_NOTFOUND);
	assert_int_equal(store_get(&txn, STORE_USERS, "a\0b", 3, &val), 0);
	assert_int_equal(val.len, 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_get_or_del_missing_is_not_an_error(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store_val	 val;
	char			 buf[32];

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_get(&txn, STORE_USERS, "nope", 4, &val),
	    STORE_NOTFOUND);
	assert_int_equal(store_del(&txn, STORE_USERS, "nope", 4),
	    STORE_NOTFOUND);
	assert_int_equal(txn.error, 0);
	/* The transaction goes on and commits. */
	assert_int_equal(store_put(&txn, STORE_USERS, "yes", 3, "1", 1, 0), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_int_equal(get_str(e->st, STORE_USERS, "yes", buf, sizeof(buf)),
	    0);
}

static void
test_store_put_nooverwrite_reports_exists_without_failing(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	char			 buf[32];

	put_str(e->st, STORE_USERS, "alice", "first");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "alice", 5, "second", 6,
	    STORE_NOOVERWRITE), STORE_EXISTS);
	assert_int_equal(txn.error, 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "bob", 3, "b", 1,
	    STORE_NOOVERWRITE), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(get_str(e->st, STORE_USERS, "alice", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "first");
	assert_int_equal(get_str(e->st, STORE_USERS, "bob", buf, sizeof(buf)),
	    0);
}

static void
test_store_put_in_read_txn_fails_and_commit_fails(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store_val	 val;
	uint64_t		 seq;
	char			 buf[32];

	put_str(e->st, STORE_USERS, "k", "v");
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "x", 1, "y", 1, 0), -1);
	/* Sticky: even a read of a record that exists fails now. */
	assert_int_equal(store_get(&txn, STORE_USERS, "k", 1, &val), -1);
	assert_int_equal(store_txn_commit(&txn), -1);

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_del(&txn, STORE_USERS, "k", 1), -1);
	assert_int_equal(store_txn_commit(&txn), -1);

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_append(&txn, STORE_AUDIT, "a", 1, &seq), -1);
	assert_int_equal(store_txn_commit(&txn), -1);

	assert_int_equal(get_str(e->st, STORE_USERS, "x", buf, sizeof(buf)),
	    STORE_NOTFOUND);
	assert_int_equal(get_str(e->st, STORE_USERS, "k", buf, sizeof(buf)),
	    0);
}

static void
test_store_commit_after_failed_put_aborts(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store_val	 val;
	char			 buf[32];

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "before", 6, "1", 1, 0),
	    0);
	/* LMDB refuses an empty key: a real failure inside the txn. */
	assert_int_equal(store_put(&txn, STORE_USERS, "", 0, "x", 1, 0), -1);
	assert_int_not_equal(txn.error, 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "after", 5, "2", 1, 0),
	    -1);
	assert_int_equal(store_get(&txn, STORE_USERS, "before", 6, &val), -1);
	assert_int_equal(store_txn_commit(&txn), -1);
	/* The transaction is gone: a second commit fails too. */
	assert_int_equal(store_txn_commit(&txn), -1);
	store_txn_abort(&txn);

	assert_int_equal(get_str(e->st, STORE_USERS, "before", buf,
	    sizeof(buf)), STORE_NOTFOUND);
	assert_int_equal(get_str(e->st, STORE_USERS, "after", buf,
	    sizeof(buf)), STORE_NOTFOUND);
}

static void
test_store_commit_after_txn_fail_aborts(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	char			 buf[32];

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "k", 1, "v", 1, 0), 0);
	assert_int_equal(audit_write(&txn, "test.event", "tester", "k", "ok",
	    NULL), 0);
	/* e.g. a record that failed to decode */
	store_txn_fail(&txn);
	assert_int_equal(store_txn_commit(&txn), -1);
	assert_int_equal(get_str(e->st, STORE_USERS, "k", buf, sizeof(buf)),
	    STORE_NOTFOUND);
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_count(&txn, STORE_AUDIT), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_abort_discards_writes(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	char			 buf[32];

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "k", 1, "v", 1, 0), 0);
	store_txn_abort(&txn);
	/* Safe to call twice, as on a shared cleanup path. */
	store_txn_abort(&txn);
	assert_int_equal(get_str(e->st, STORE_USERS, "k", buf, sizeof(buf)),
	    STORE_NOTFOUND);
}

static void
test_store_map_full_fails_txn_and_keeps_earlier_commits(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store		*st;
	char			 path[192], err[ERR_MAX], key[16], buf[32];
	unsigned char		*big;
	int			 i, rc;

	snprintf(path, sizeof(path), "%s/small", e->dir);
	assert_int_equal(store_open(&st, path, 1024 * 1024, NULL, err,
	    sizeof(err)),
	    0);
	put_str(st, STORE_USERS, "kept", "yes");

	assert_non_null(big = calloc(1, 64 * 1024));
	assert_int_equal(store_txn_begin(st, &txn, 1), 0);
	rc = 0;
	for (i = 0; i < 64 && rc == 0; i++) {
		snprintf(key, sizeof(key), "big%02d", i);
		rc = store_put(&txn, STORE_SESSIONS, key, strlen(key), big,
		    64 * 1024, 0);
	}
	free(big);
	assert_int_equal(rc, -1);
	assert_int_equal(store_txn_commit(&txn), -1);

	/* The environment is still usable, with what was committed. */
	assert_int_equal(get_str(st, STORE_USERS, "kept", buf, sizeof(buf)),
	    0);
	assert_int_equal(get_str(st, STORE_SESSIONS, "big00", buf,
	    sizeof(buf)), STORE_NOTFOUND);
	put_str(st, STORE_USERS, "after", "ok");
	store_close(st);
}

static void
test_store_append_numbers_from_one_densely(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store_val	 val;
	unsigned char		 key[8];
	uint64_t		 seq;
	int			 i;

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	for (i = 1; i <= 3; i++) {
		seq = 0;
		assert_int_equal(store_append(&txn, STORE_AUDIT, "r", 1, &seq),
		    0);
		assert_int_equal(seq, i);
	}
	assert_int_equal(store_txn_commit(&txn), 0);

	/* An aborted append does not use up its number. */
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_append(&txn, STORE_AUDIT, "x", 1, &seq), 0);
	assert_int_equal(seq, 4);
	store_txn_abort(&txn);

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_append(&txn, STORE_AUDIT, "4", 1, NULL), 0);
	assert_int_equal(store_append(&txn, STORE_AUDIT, "5", 1, &seq), 0);
	assert_int_equal(seq, 5);
	/* The key is the sequence number, 8 bytes big-endian. */
	codec_be64(key, 4);
	assert_int_equal(store_get(&txn, STORE_AUDIT, key, sizeof(key), &val),
	    0);
	assert_memory_equal(val.data, "4", 1);
	assert_int_equal(store_count(&txn, STORE_AUDIT), 5);
	/* Each database has its own sequence. */
	assert_int_equal(store_append(&txn, STORE_VETTING_EVENTS, "v", 1,
	    &seq), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_append_past_byte_boundary_keeps_order(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct collect		 c;
	uint64_t		 seq;
	int			 i;

	/* 255 -> 256 changes two key bytes; order must still be numeric. */
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	for (i = 0; i < 300; i++)
		assert_int_equal(store_append(&txn, STORE_AUDIT, "r", 1, &seq),
		    0);
	assert_int_equal(seq, 300);
	memset(&c, 0, sizeof(c));
	c.stop_after = 16;
	assert_int_equal(store_scan(&txn, STORE_AUDIT, NULL, 0,
	    "\0\0\0\0\0\0\0\xfe", 8, collect_cb, &c), 0);
	assert_int_equal(c.n, 16);
	assert_memory_equal(c.keys[0], "\0\0\0\0\0\0\0\xfe", 8);
	assert_memory_equal(c.keys[1], "\0\0\0\0\0\0\0\xff", 8);
	assert_memory_equal(c.keys[2], "\0\0\0\0\0\0\x01\x00", 8);
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* Records the keys it sees (as NUL-terminated copies). */
static int
collect_cb(void *arg, const struct store_val *key, const struct store_val *val)
{
	struct collect	*c = arg;

	if (c->fail_after > 0 && c->n == (size_t)c->fail_after)
		return (-1);
	if (c->n == sizeof(c->keys) / sizeof(c->keys[0]) ||
	    key->len >= sizeof(c->keys[0]))
		return (-1);
	memcpy(c->keys[c->n], key->data, key->len);
	c->keys[c->n][key->len] = '\0';
	c->n++;
	if (c->stop_after > 0 && c->n == (size_t)c->stop_after)
		return (1);
	return (0);
}

static void
fill_scan_db(struct store *st)
{
	static const char	*keys[] = {
		"b1", "a2", "c", "a1", "b2", "a3", "ab"
	};
	size_t			 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		put_str(st, STORE_SESSIONS, keys[i], "v");
}

static void
test_store_scan_visits_all_in_key_order(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct collect		 c;

	fill_scan_db(e->st);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, NULL, 0, NULL, 0,
	    collect_cb, &c), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_int_equal(c.n, 7);
	assert_string_equal(c.keys[0], "a1");
	assert_string_equal(c.keys[1], "a2");
	assert_string_equal(c.keys[2], "a3");
	assert_string_equal(c.keys[3], "ab");
	assert_string_equal(c.keys[4], "b1");
	assert_string_equal(c.keys[5], "b2");
	assert_string_equal(c.keys[6], "c");
}

static void
test_store_scan_with_prefix(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct collect		 c;

	fill_scan_db(e->st);
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, "b", 1, NULL, 0,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.keys[0], "b1");
	assert_string_equal(c.keys[1], "b2");

	/* The prefix is bytes, not a word: "a" includes "ab". */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, "a", 1, NULL, 0,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 4);

	/* A prefix longer than some keys, and one matching nothing. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, "c0", 2, NULL, 0,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, "zz", 2, NULL, 0,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 0);

	/* An empty database. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_scan(&txn, STORE_BINDINGS, NULL, 0, NULL, 0,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_scan_from_key(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct collect		 c;

	fill_scan_db(e->st);
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);

	/* An existing key: it is the first visited. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, "a", 1, "a2", 2,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.keys[0], "a2");
	assert_string_equal(c.keys[2], "ab");

	/* Between keys: the next one. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, NULL, 0, "a25", 3,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.keys[0], "a3");
	assert_string_equal(c.keys[4], "c");

	/* Past the prefix, and past every key. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, "a", 1, "b", 1,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, NULL, 0, "d", 1,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_scan_stops_when_callback_returns_one(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct collect		 c;

	fill_scan_db(e->st);
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, NULL, 0, NULL, 0,
	    collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.keys[1], "a2");
	/* Stopping is not an error: the transaction commits. */
	assert_int_equal(txn.error, 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "k", 1, "v", 1, 0), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_scan_callback_error_fails_txn(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct collect		 c;
	char			 buf[32];

	fill_scan_db(e->st);
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "k", 1, "v", 1, 0), 0);
	memset(&c, 0, sizeof(c));
	c.fail_after = 3;
	assert_int_equal(store_scan(&txn, STORE_SESSIONS, NULL, 0, NULL, 0,
	    collect_cb, &c), -1);
	assert_int_equal(c.n, 3);
	assert_int_not_equal(txn.error, 0);
	assert_int_equal(store_txn_commit(&txn), -1);
	assert_int_equal(get_str(e->st, STORE_USERS, "k", buf, sizeof(buf)),
	    STORE_NOTFOUND);
}

static void
test_store_count_and_db_names(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;

	fill_scan_db(e->st);
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_count(&txn, STORE_SESSIONS), 7);
	assert_int_equal(store_count(&txn, STORE_USERS), 0);
	/* The schema and boot records. */
	assert_int_equal(store_count(&txn, STORE_META), 2);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_string_equal(store_db_name(STORE_META), "meta");
	assert_string_equal(store_db_name(STORE_USERS), "users");
	assert_string_equal(store_db_name(STORE_AUDIT), "audit");
	assert_string_equal(store_db_name(STORE_RATELIMIT), "ratelimit");
}

static void
sample_user(struct user *u, const char *id)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", id);
	snprintf(u->display_name, sizeof(u->display_name), "J\xc3\xbcrgen "
	    "<%s>", id);
	snprintf(u->email, sizeof(u->email), "%s@example.org", id);
	snprintf(u->password_hash, sizeof(u->password_hash),
	    "scrypt$32768$8$1$00$11");
	u->flags = USER_DISABLED;
	u->roles = USER_ROLE_HELPDESK | USER_ROLE_ADMIN;
	u->created = UINT64_C(1700000000123);
}

static int
user_collect_cb(void *arg, const struct user *u)
{
	struct user_collect	*c = arg;

	if (c->n == sizeof(c->ids) / sizeof(c->ids[0]))
		return (-1);
	snprintf(c->ids[c->n++], sizeof(c->ids[0]), "%s", u->id);
	if (c->stop_after > 0 && c->n == (size_t)c->stop_after)
		return (1);
	return (0);
}

/* Records written before dir_id existed (version 1) still read. */
static void
test_store_user_version_1_record_reads_without_dir_id(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct codec_writer	 w;
	struct user		 got;

	codec_writer_init(&w, 1);
	codec_put_str(&w, "Old User");
	codec_put_str(&w, "old@example.org");
	codec_put_str(&w, "");
	codec_put_u32(&w, 0);
	codec_put_u32(&w, USER_ROLE_HELPDESK);
	codec_put_u64(&w, 1600000000);
	assert_int_equal(codec_writer_ok(&w), 0);
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_USERS, "old", 3, w.data, w.len,
	    0), 0);
	codec_writer_free(&w);
	assert_int_equal(store_user_get(&txn, "old", &got), 0);
	assert_string_equal(got.display_name, "Old User");
	assert_int_equal(got.roles, USER_ROLE_HELPDESK);
	assert_string_equal(got.dir_id, "");
	/* Written again, it is a version 2 record that keeps every field. */
	snprintf(got.dir_id, sizeof(got.dir_id), "uuid-1");
	assert_int_equal(store_user_put(&txn, &got), 0);
	assert_int_equal(store_user_get(&txn, "old", &got), 0);
	assert_string_equal(got.email, "old@example.org");
	assert_string_equal(got.dir_id, "uuid-1");
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* The directory's stable ID finds the record whatever its user ID. */
static void
test_store_user_found_by_directory_id(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct user		 u, got;

	sample_user(&u, "alice");
	snprintf(u.dir_id, sizeof(u.dir_id),
	    "11089b4e-86df-1041-805d-311cabc39c9d");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_user_get_by_dir(&txn, u.dir_id, &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_user_get_by_dir(&txn, u.dir_id, &got), 0);
	assert_string_equal(got.id, "alice");
	assert_int_equal(store_user_get_by_dir(&txn, "", &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_user_get_by_dir(&txn, "other", &got),
	    STORE_NOTFOUND);
	/* Deleting the user deletes its index entry. */
	assert_int_equal(store_user_del(&txn, "alice"), 0);
	assert_int_equal(store_user_get_by_dir(&txn, u.dir_id, &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_get(&txn, STORE_USERS_BY_DIR, u.dir_id,
	    strlen(u.dir_id), &(struct store_val){ 0 }), STORE_NOTFOUND);
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* A user's attribute values: replaced whole, gone with the user. */
static void
test_store_user_attributes_round_trip(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct attribute_set	 set, got;
	struct user		 u;

	memset(&set, 0, sizeof(set));
	assert_int_equal(attribute_add(&set, ATTRIBUTE_IS_MEMBER_OF, "staff",
	    5), 0);
	assert_int_equal(attribute_add(&set, ATTRIBUTE_SN, "Smith", 5), 0);
	sample_user(&u, "alice");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_user_attributes_get(&txn, "alice", &got), 0);
	assert_int_equal(got.n, 0);
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_user_attributes_put(&txn, "alice", &set), 0);
	assert_int_equal(store_user_attributes_get(&txn, "alice", &got), 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.v[0].id, ATTRIBUTE_IS_MEMBER_OF);
	assert_string_equal(got.v[0].value, "staff");
	assert_string_equal(got.v[1].value, "Smith");
	set.n = 1;
	assert_int_equal(store_user_attributes_put(&txn, "alice", &set), 0);
	assert_int_equal(store_user_attributes_get(&txn, "alice", &got), 0);
	assert_int_equal(got.n, 1);
	assert_int_equal(store_user_del(&txn, "alice"), 0);
	assert_int_equal(store_user_attributes_get(&txn, "alice", &got), 0);
	assert_int_equal(got.n, 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_user_round_trip(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct user		 u, got;

	sample_user(&u, "alice.smith@example-1_x");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_user_get(&txn, u.id, &got), 0);
	assert_string_equal(got.id, u.id);
	assert_string_equal(got.display_name, u.display_name);
	assert_string_equal(got.email, u.email);
	assert_string_equal(got.password_hash, u.password_hash);
	assert_int_equal(got.flags, u.flags);
	assert_int_equal(got.roles, u.roles);
	assert_true(got.created == u.created);
	assert_int_equal(store_txn_commit(&txn), 0);

	/* store_user_put replaces. */
	u.flags = 0;
	snprintf(u.email, sizeof(u.email), "new@example.org");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_user_put(&txn, &u), 0);
	assert_int_equal(store_user_get(&txn, u.id, &got), 0);
	assert_string_equal(got.email, "new@example.org");
	assert_int_equal(got.flags, 0);
	assert_int_equal(store_user_del(&txn, u.id), 0);
	assert_int_equal(store_user_get(&txn, u.id, &got), STORE_NOTFOUND);
	assert_int_equal(store_user_del(&txn, u.id), STORE_NOTFOUND);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_user_add_existing_returns_exists(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct user		 u, other, got;

	sample_user(&u, "alice");
	sample_user(&other, "alice");
	snprintf(other.email, sizeof(other.email), "impostor@example.org");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_user_add(&txn, &other), STORE_EXISTS);
	assert_int_equal(txn.error, 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_user_get(&txn, "alice", &got), 0);
	assert_string_equal(got.email, u.email);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_user_id_validation(void **state)
{
	static const char	*bad[] = {
		"", "Alice", "alicE", ".alice", "_alice", "@alice", "-alice",
		"a b", "a/b", "a\\b", "a:b", "a\tb", "a\nb", "ali\xc3\xa9",
		"a%2f", "a+b",
		/* 64 characters: one too many */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	};
	static const char	*good[] = {
		"a", "0", "alice", "a.b_c@d-e", "9lives", "alice.",
		/* 63 characters: the longest */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	};
	size_t			 i;

	assert_int_equal(strlen(bad[sizeof(bad) / sizeof(bad[0]) - 1]), 64);
	assert_int_equal(strlen(good[sizeof(good) / sizeof(good[0]) - 1]), 63);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (store_user_id_valid(bad[i]))
			fail_msg("\"%s\" accepted", bad[i]);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!store_user_id_valid(good[i]))
			fail_msg("\"%s\" refused", good[i]);
	}
}

static void
test_store_user_invalid_id_is_refused(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct user		 u, got;

	/* Lookups of a bad ID simply find nothing. */
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_user_get(&txn, "Alice", &got), STORE_NOTFOUND);
	assert_int_equal(store_user_get(&txn, "../x", &got), STORE_NOTFOUND);
	assert_int_equal(store_user_del(&txn, "a b"), STORE_NOTFOUND);
	assert_int_equal(txn.error, 0);

	/* Writing one is a bug in the caller: the txn fails. */
	sample_user(&u, "ok");
	assert_int_equal(store_user_add(&txn, &u), 0);
	sample_user(&u, "Bad/ID");
	assert_int_equal(store_user_put(&txn, &u), -1);
	assert_int_equal(store_txn_commit(&txn), -1);

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_user_get(&txn, "ok", &got), STORE_NOTFOUND);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_store_user_corrupt_record_fails_txn(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct user		 got;

	put_str(e->st, STORE_USERS, "mallory", "\x01garbage");
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_user_get(&txn, "mallory", &got), -1);
	assert_string_equal(got.id, "");
	assert_int_not_equal(txn.error, 0);
	assert_int_equal(store_txn_commit(&txn), -1);
}

static void
test_store_user_scan_in_id_order(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct user_collect	 c;
	struct user		 u;

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	sample_user(&u, "carol");
	assert_int_equal(store_user_add(&txn, &u), 0);
	sample_user(&u, "alice");
	assert_int_equal(store_user_add(&txn, &u), 0);
	sample_user(&u, "bob");
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_user_scan(&txn, user_collect_cb, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.ids[0], "alice");
	assert_string_equal(c.ids[1], "bob");
	assert_string_equal(c.ids[2], "carol");
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	assert_int_equal(store_user_scan(&txn, user_collect_cb, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static int
audit_collect_cb(void *arg, const struct audit_record *rec)
{
	struct audit_collect	*c = arg;

	if (c->n == sizeof(c->seqs) / sizeof(c->seqs[0]))
		return (-1);
	c->seqs[c->n] = rec->seq;
	snprintf(c->events[c->n], sizeof(c->events[0]), "%s", rec->event);
	c->n++;
	if (c->stop_after > 0 && c->n == (size_t)c->stop_after)
		return (1);
	return (0);
}

static void
test_audit_write_and_scan_from_seq(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct audit_collect	 c;
	char			 event[AUDIT_EVENT_MAX];
	int			 i;

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	for (i = 1; i <= 5; i++) {
		snprintf(event, sizeof(event), "test.event%d", i);
		assert_int_equal(audit_write(&txn, event, "tester", "subject",
		    "ok", "k=v"), 0);
	}
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_scan(&txn, 3, audit_collect_cb, &c), 0);
	assert_int_equal(c.n, 3);
	assert_true(c.seqs[0] == 3 && c.seqs[1] == 4 && c.seqs[2] == 5);
	assert_string_equal(c.events[0], "test.event3");
	assert_string_equal(c.events[2], "test.event5");

	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_scan(&txn, 0, audit_collect_cb, &c), 0);
	assert_int_equal(c.n, 5);
	assert_true(c.seqs[0] == 1);

	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_scan(&txn, 6, audit_collect_cb, &c), 0);
	assert_int_equal(c.n, 0);

	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(audit_scan(&txn, 2, audit_collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_true(c.seqs[1] == 3);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static int
audit_fields_cb(void *arg, const struct audit_record *rec)
{
	struct audit_record	*out = arg;

	*out = *rec;
	return (1);
}

static void
test_audit_record_keeps_fields_and_truncates_long_ones(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct audit_record	 rec;
	struct timespec		 ts;
	char			 longer[AUDIT_DETAIL_MAX * 2];
	uint64_t		 before;

	clock_gettime(CLOCK_REALTIME, &ts);
	before = (uint64_t)ts.tv_sec * 1000;
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(audit_write(&txn, longer, "actor", NULL, "ok",
	    longer), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	memset(&rec, 0, sizeof(rec));
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(audit_scan(&txn, 1, audit_fields_cb, &rec), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_true(rec.seq == 1);
	assert_true(rec.time >= before && rec.time < before + 60000);
	assert_int_equal(strlen(rec.event), AUDIT_EVENT_MAX - 1);
	assert_string_equal(rec.actor, "actor");
	assert_string_equal(rec.subject, "");
	assert_string_equal(rec.outcome, "ok");
	assert_int_equal(strlen(rec.detail), AUDIT_DETAIL_MAX - 1);
}

static void
test_audit_write_in_failed_txn_fails(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	store_txn_fail(&txn);
	assert_int_equal(audit_write(&txn, "test.event", "a", "s", "ok", NULL),
	    -1);
	assert_int_equal(store_txn_commit(&txn), -1);

	/* And in a read transaction. */
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(audit_write(&txn, "test.event", "a", "s", "ok", NULL),
	    -1);
	assert_int_equal(store_txn_commit(&txn), -1);
}

static void
test_audit_scan_rejects_corrupt_record(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct audit_collect	 c;

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(audit_write(&txn, "test.ok", "a", "s", "ok", NULL),
	    0);
	assert_int_equal(store_append(&txn, STORE_AUDIT, "\x01\x00", 2, NULL),
	    0);
	assert_int_equal(store_txn_commit(&txn), 0);

	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(audit_scan(&txn, 1, audit_collect_cb, &c), -1);
	assert_int_equal(c.n, 1);
	assert_int_equal(store_txn_commit(&txn), -1);
}

struct hook_log {
	char	calls[8];	/* 'C' committed, 'A' not, in call order */
	int	n;
};

struct hook_arg {
	struct hook_log	*log;
	char		 tag;
};

static void
hook_record(void *arg, int committed)
{
	struct hook_arg	*a = arg;

	a->log->calls[a->log->n++] = committed ? a->tag : 'x';
}

/* store_txn_on_end(): once per hook, in order, with the real outcome. */
static void
test_txn_hooks_run_once_in_order_with_the_outcome(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct hook_log		 log;
	struct hook_arg		 a = { &log, 'a' }, b = { &log, 'b' };

	memset(&log, 0, sizeof(log));
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_put(&txn, STORE_META, "k", 1, "v", 1, 0), 0);
	assert_int_equal(store_txn_on_end(&txn, hook_record, &a), 0);
	assert_int_equal(store_txn_on_end(&txn, hook_record, &b), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	store_txn_abort(&txn);
	assert_string_equal(log.calls, "ab");

	/* Aborted, and a commit that turns into an abort. */
	memset(&log, 0, sizeof(log));
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_txn_on_end(&txn, hook_record, &a), 0);
	store_txn_abort(&txn);
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_txn_on_end(&txn, hook_record, &b), 0);
	store_txn_fail(&txn);
	assert_int_equal(store_txn_commit(&txn), -1);
	assert_string_equal(log.calls, "xx");
}

static void
test_store_backup_opens_with_all_records(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store		*bk;
	struct user		 u, got;
	char			 path[192], err[ERR_MAX], buf[32];
	int			 i;

	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	sample_user(&u, "alice");
	assert_int_equal(store_user_add(&txn, &u), 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(audit_write(&txn, "test.event", "a", "s",
		    "ok", NULL), 0);
	assert_int_equal(store_put(&txn, STORE_SESSIONS, "s1", 2, "v", 1, 0),
	    0);
	assert_int_equal(store_txn_commit(&txn), 0);
	/* A deleted record is not in the (compacted) copy. */
	put_str(e->st, STORE_ALERTS, "gone", "x");
	assert_int_equal(store_txn_begin(e->st, &txn, 1), 0);
	assert_int_equal(store_del(&txn, STORE_ALERTS, "gone", 4), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	snprintf(path, sizeof(path), "%s/backup", e->dir);
	if (store_backup(e->st, path, err, sizeof(err)) == -1)
		fail_msg("store_backup: %s", err);
	/* The live store goes on working. */
	put_str(e->st, STORE_ALERTS, "later", "x");

	if (store_open(&bk, path, FIXTURE_MAP_SIZE, NULL, err,
	    sizeof(err)) == -1)
		fail_msg("store_open backup: %s", err);
	assert_int_equal(store_check(bk), 0);
	assert_int_equal(store_txn_begin(bk, &txn, 0), 0);
	assert_int_equal(store_user_get(&txn, "alice", &got), 0);
	assert_string_equal(got.email, u.email);
	assert_int_equal(store_count(&txn, STORE_AUDIT), 50);
	/* Sessions are volatile: not part of a backup. */
	assert_int_equal(store_count(&txn, STORE_SESSIONS), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_int_equal(get_str(bk, STORE_ALERTS, "gone", buf, sizeof(buf)),
	    STORE_NOTFOUND);
	assert_int_equal(get_str(bk, STORE_ALERTS, "later", buf,
	    sizeof(buf)), STORE_NOTFOUND);
	/* The copy numbers on from where the original was. */
	assert_int_equal(store_txn_begin(bk, &txn, 1), 0);
	assert_int_equal(audit_write(&txn, "test.event", "a", "s", "ok",
	    NULL), 0);
	assert_int_equal(store_count(&txn, STORE_AUDIT), 51);
	assert_int_equal(store_txn_commit(&txn), 0);
	store_close(bk);
}

static void
test_store_backup_refuses_to_overwrite(void **state)
{
	struct fixture	*e = *state;
	char		 path[192], err[ERR_MAX];

	snprintf(path, sizeof(path), "%s/backup", e->dir);
	assert_int_equal(store_backup(e->st, path, err, sizeof(err)), 0);
	err[0] = '\0';
	assert_int_equal(store_backup(e->st, path, err, sizeof(err)), -1);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);

	snprintf(path, sizeof(path), "%s/no/such", e->dir);
	assert_int_equal(store_backup(e->st, path, err, sizeof(err)), -1);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
}

/*
 * The copy holds password hashes and wrapped keys, like the live
 * environment (mode 0600): it must not be readable by group or others
 * whatever the umask, also in an existing empty directory.
 */
static void
test_store_backup_is_not_readable_by_others(void **state)
{
	struct fixture	*e = *state;
	struct stat	 sb;
	char		 path[192], file[256], err[ERR_MAX];
	mode_t		 old;
	int		 rc;

	snprintf(path, sizeof(path), "%s/backup", e->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	old = umask(022);
	rc = store_backup(e->st, path, err, sizeof(err));
	umask(old);
	assert_int_equal(rc, 0);
	snprintf(file, sizeof(file), "%s/data.mdb", path);
	assert_int_equal(stat(file, &sb), 0);
	if (sb.st_mode & 077)
		fail_msg("%s has mode %04o", file, sb.st_mode & 07777);
}

/*
 * In a child: forget cmocka's signal handlers (a crash must kill the
 * child, not run the rest of the suite in it) and send stderr, where
 * audit_write() logs, to a file kept in the test directory.
 */
static void
child_start(const struct fixture *e, const char *name)
{
	char	path[192];
	int	fd;

	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGABRT, SIG_DFL);
	snprintf(path, sizeof(path), "%s/%s.log", e->dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/*
 * Waits for a child and fails the test, showing the child's own
 * messages (lines that are not audit log lines), unless it exited 0.
 */
static void
wait_ok(pid_t pid, const struct fixture *e, const char *name)
{
	char	 path[192], line[1024];
	FILE	*fp;
	int	 status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	snprintf(path, sizeof(path), "%s/%s.log", e->dir, name);
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL) {
			if (strncmp(line, "ts=", 3) != 0)
				print_message("%s: %s", name, line);
		}
		fclose(fp);
	}
	fail_msg("%s: status 0x%x", name, status);
}

/*
 * One worker: opens the store itself, waits for the start signal, then
 * runs n write transactions, each reading and incrementing a shared
 * counter, appending an audit record naming the counter value it wrote,
 * and adding a key of its own. @return 0 or -1 (reason on stderr).
 */
static int
worker_run(const char *path, int id, int go)
{
	struct store		*st;
	struct store_txn	 txn;
	struct store_val	 val;
	unsigned char		 cnt[8];
	uint64_t		 counter;
	char			 err[ERR_MAX], key[32], actor[32];
	char			 detail[64], c;
	int			 i, rc;

	if (store_open(&st, path, FIXTURE_MAP_SIZE, NULL, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "worker %d: store_open: %s\n", id, err);
		return (-1);
	}
	if (read(go, &c, 1) != 1) {
		fprintf(stderr, "worker %d: no start signal\n", id);
		store_close(st);
		return (-1);
	}
	snprintf(actor, sizeof(actor), "worker-%d", id);
	for (i = 0; i < WORKER_TXNS; i++) {
		if (store_txn_begin(st, &txn, 1) == -1)
			goto fail;
		rc = store_get(&txn, STORE_META, "counter", 7, &val);
		if (rc == STORE_NOTFOUND)
			counter = 0;
		else if (rc == 0 && val.len == sizeof(cnt))
			counter = codec_from_be64(val.data);
		else
			goto fail;
		counter++;
		codec_be64(cnt, counter);
		snprintf(key, sizeof(key), "w%d-%05d", id, i);
		snprintf(detail, sizeof(detail), "worker=%d i=%d counter=%"
		    PRIu64, id, i, counter);
		if (store_put(&txn, STORE_META, "counter", 7, cnt,
		    sizeof(cnt), 0) != 0 ||
		    audit_write(&txn, "test.increment", actor, "counter", "ok",
		    detail) != 0 ||
		    store_put(&txn, STORE_SESSIONS, key, strlen(key), detail,
		    strlen(detail), STORE_NOOVERWRITE) != 0)
			goto fail;
		if (store_txn_commit(&txn) == -1) {
			fprintf(stderr, "worker %d: commit %d failed\n", id, i);
			store_close(st);
			return (-1);
		}
	}
	store_close(st);
	return (0);

fail:
	fprintf(stderr, "worker %d: transaction %d failed\n", id, i);
	store_txn_abort(&txn);
	store_close(st);
	return (-1);
}

/*
 * Audit records must be numbered 1, 2, 3, ... and record k must name
 * counter value k: the transactions were serialised and none was lost.
 * Each worker's own records must come in its order.
 */
static int
audit_check_cb(void *arg, const struct audit_record *rec)
{
	struct audit_check	*ac = arg;
	unsigned long long	 counter;
	int			 worker, i;

	if (rec->seq != ac->next) {
		snprintf(ac->why, sizeof(ac->why), "seq %" PRIu64 ", want %"
		    PRIu64, rec->seq, ac->next);
		return (-1);
	}
	if (sscanf(rec->detail, "worker=%d i=%d counter=%llu", &worker, &i,
	    &counter) != 3 || worker < 0 || worker >= WORKERS ||
	    counter != rec->seq || i != ac->last_i[worker] + 1) {
		snprintf(ac->why, sizeof(ac->why), "seq %" PRIu64 ": %.80s",
		    rec->seq, rec->detail);
		return (-1);
	}
	ac->last_i[worker] = i;
	ac->next++;
	return (0);
}

static void
test_store_concurrent_workers_lose_nothing(void **state)
{
	struct fixture		*e = *state;
	struct store_txn	 txn;
	struct store_val	 val;
	struct audit_check	 ac;
	pid_t			 pids[WORKERS];
	char			 name[16], key[32];
	int			 go[2], w, i;

	/* The parent never has the environment open while workers run. */
	env_close(e);
	assert_int_equal(pipe(go), 0);
	fflush(NULL);
	for (w = 0; w < WORKERS; w++) {
		assert_true((pids[w] = fork()) != -1);
		if (pids[w] == 0) {
			snprintf(name, sizeof(name), "worker%d", w);
			child_start(e, name);
			close(go[1]);
			_exit(worker_run(e->path, w, go[0]) == 0 ? 0 : 1);
		}
	}
	/* Start them together so that their transactions interleave. */
	close(go[0]);
	for (w = 0; w < WORKERS; w++)
		assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	for (w = 0; w < WORKERS; w++) {
		snprintf(name, sizeof(name), "worker%d", w);
		wait_ok(pids[w], e, name);
	}

	env_open(e);
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	assert_int_equal(store_get(&txn, STORE_META, "counter", 7, &val), 0);
	assert_int_equal(val.len, 8);
	assert_int_equal(codec_from_be64(val.data), WORKERS * WORKER_TXNS);
	assert_int_equal(store_count(&txn, STORE_AUDIT),
	    WORKERS * WORKER_TXNS);
	assert_int_equal(store_count(&txn, STORE_SESSIONS),
	    WORKERS * WORKER_TXNS);

	memset(&ac, 0, sizeof(ac));
	ac.next = 1;
	for (w = 0; w < WORKERS; w++)
		ac.last_i[w] = -1;
	if (audit_scan(&txn, 1, audit_check_cb, &ac) == -1)
		fail_msg("audit: %s", ac.why);
	assert_int_equal(ac.next, WORKERS * WORKER_TXNS + 1);
	for (w = 0; w < WORKERS; w++) {
		assert_int_equal(ac.last_i[w], WORKER_TXNS - 1);
		for (i = 0; i < WORKER_TXNS; i++) {
			snprintf(key, sizeof(key), "w%d-%05d", w, i);
			if (store_get(&txn, STORE_SESSIONS, key, strlen(key),
			    &val) != 0)
				fail_msg("%s missing", key);
		}
	}
	assert_int_equal(store_txn_commit(&txn), 0);
}

/*
 * The crash test's record number n: version, n, a name, and a payload
 * whose length (up to several pages) and bytes are derived from n, so
 * that every byte can be checked. which tells the two databases apart.
 */
static void
crash_record(struct codec_writer *w, uint64_t n, int which)
{
	unsigned char	payload[CRASH_PAYLOAD_MAX];
	char		name[32];
	size_t		len, i;

	len = (size_t)((n * 7919 + which * 13) % CRASH_PAYLOAD_MAX) + 1;
	if (n % 10 == 0)
		len = CRASH_PAYLOAD_MAX;	/* overflow pages too */
	for (i = 0; i < len; i++)
		payload[i] = (unsigned char)(n * 31 + i * 7 + which);
	snprintf(name, sizeof(name), "record-%d-%" PRIu64, which, n);
	codec_writer_init(w, CRASH_RECORD_VERSION);
	codec_put_u64(w, n);
	codec_put_str(w, name);
	codec_put_bytes(w, payload, len);
}

/* @return 0 when val is exactly crash record n of database which. */
static int
crash_record_check(const struct store_val *val, uint64_t n, int which)
{
	struct codec_writer	w;
	int			rc;

	crash_record(&w, n, which);
	rc = codec_writer_ok(&w) == 0 && val->len == w.len &&
	    memcmp(val->data, w.data, w.len) == 0 ? 0 : -1;
	codec_writer_free(&w);
	return (rc);
}

/*
 * The crash test's child: commits record after record, each in both
 * STORE_VETTING and STORE_VETTING_EVENTS, and after each commit writes
 * its number to fd. Runs until killed.
 */
static void
crash_writer(const char *path, int fd)
{
	struct store		*st;
	struct store_txn	 txn;
	struct codec_writer	 w1, w2;
	unsigned char		 key[8];
	long long		 count;
	uint64_t		 n;
	char			 err[ERR_MAX];

	if (store_open(&st, path, FIXTURE_MAP_SIZE, NULL, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "crash writer: store_open: %s\n", err);
		_exit(2);
	}
	for (;;) {
		if (store_txn_begin(st, &txn, 1) == -1)
			_exit(3);
		if ((count = store_count(&txn, STORE_VETTING)) < 0)
			_exit(4);
		n = (uint64_t)count + 1;
		codec_be64(key, n);
		crash_record(&w1, n, 1);
		crash_record(&w2, n, 2);
		if (codec_writer_ok(&w1) == -1 || codec_writer_ok(&w2) == -1)
			_exit(5);
		if (store_put(&txn, STORE_VETTING, key, sizeof(key), w1.data,
		    w1.len, STORE_NOOVERWRITE) != 0 ||
		    store_put(&txn, STORE_VETTING_EVENTS, key, sizeof(key),
		    w2.data, w2.len, STORE_NOOVERWRITE) != 0) {
			fprintf(stderr, "crash writer: put %" PRIu64 "\n", n);
			_exit(6);
		}
		codec_writer_free(&w1);
		codec_writer_free(&w2);
		if (store_txn_commit(&txn) == -1) {
			fprintf(stderr, "crash writer: commit %" PRIu64 "\n",
			    n);
			_exit(7);
		}
		if (write(fd, &n, sizeof(n)) != sizeof(n))
			_exit(8);
	}
}

/*
 * Runs one crash writer, kills it with SIGKILL after a number of
 * acknowledged commits and a short random delay, and returns the last
 * acknowledged record number.
 */
static uint64_t
crash_round(struct fixture *e, unsigned int target)
{
	struct timespec	 delay;
	uint64_t	 n, last;
	unsigned int	 acks;
	pid_t		 pid;
	ssize_t		 r;
	size_t		 got;
	int		 fds[2], status;
	unsigned char	*p;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		child_start(e, "crash");
		close(fds[0]);
		crash_writer(e->path, fds[1]);
		_exit(9);
	}
	close(fds[1]);

	last = 0;
	acks = 0;
	for (;;) {
		/* Acknowledgements are 8-byte writes: atomic on a pipe. */
		p = (unsigned char *)&n;
		for (got = 0; got < sizeof(n); got += (size_t)r) {
			r = read(fds[0], p + got, sizeof(n) - got);
			if (r == -1 && errno == EINTR) {
				r = 0;
				continue;
			}
			if (r <= 0)
				break;
		}
		if (got == 0)
			break;
		assert_int_equal(got, sizeof(n));
		assert_true(n == last + 1 || last == 0);
		last = n;
		if (++acks == target) {
			delay.tv_sec = 0;
			delay.tv_nsec = (long)(random() % 3000) * 1000;
			nanosleep(&delay, NULL);
			assert_int_equal(kill(pid, SIGKILL), 0);
		}
	}
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		wait_ok(pid, e, "crash");	/* shows its messages */
		fail_msg("crash writer ended by itself: 0x%x", status);
	}
	assert_true(acks >= target);
	return (last);
}

/*
 * Every acknowledged record is there, byte for byte, in both databases;
 * the only other record allowed is the one committed just before the
 * kill but not yet acknowledged, and then whole in both databases.
 */
static void
crash_verify(struct fixture *e, uint64_t last)
{
	struct store_txn	 txn;
	struct store_val	 val;
	unsigned char		 key[8];
	long long		 count, events;
	uint64_t		 n;

	env_open(e);
	assert_int_equal(store_check(e->st), 0);
	assert_int_equal(store_txn_begin(e->st, &txn, 0), 0);
	count = store_count(&txn, STORE_VETTING);
	events = store_count(&txn, STORE_VETTING_EVENTS);
	assert_true(count == events);
	if ((uint64_t)count != last && (uint64_t)count != last + 1)
		fail_msg("%lld records, %" PRIu64 " acknowledged", count,
		    last);
	for (n = 1; n <= (uint64_t)count; n++) {
		codec_be64(key, n);
		if (store_get(&txn, STORE_VETTING, key, sizeof(key),
		    &val) != 0 || crash_record_check(&val, n, 1) != 0)
			fail_msg("record %" PRIu64 " lost or damaged", n);
		if (store_get(&txn, STORE_VETTING_EVENTS, key, sizeof(key),
		    &val) != 0 || crash_record_check(&val, n, 2) != 0)
			fail_msg("event %" PRIu64 " lost or damaged", n);
	}
	assert_int_equal(store_txn_commit(&txn), 0);
	env_close(e);
}

static void
test_store_sigkill_during_writes_keeps_committed_records(void **state)
{
	struct fixture	*e = *state;
	uint64_t	 last, before;
	unsigned int	 round, target;
	unsigned int	 seed;

	seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	srandom(seed);
	env_close(e);
	before = 0;
	for (round = 0; round < CRASH_ROUNDS; round++) {
		target = CRASH_MIN_ACKS + (unsigned int)(random() %
		    (CRASH_MAX_ACKS - CRASH_MIN_ACKS));
		last = crash_round(e, target);
		if (last < before + target)
			fail_msg("seed %u round %u: last %" PRIu64, seed,
			    round, last);
		crash_verify(e, last);
		before = last;
	}
	/* The environment goes on working normally. */
	env_open(e);
	put_str(e->st, STORE_USERS, "after", "crash");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, fixture_setup, \
	    fixture_teardown)
		T(test_store_open_creates_environment_and_schema_record),
		T(test_store_reopen_keeps_records),
		T(test_store_open_refuses_other_schema_version),
		T(test_store_open_refuses_corrupt_schema_record),
		T(test_store_open_reports_unusable_directory),
		T(test_store_volatile_records_survive_reopen_in_the_same_boot),
		T(test_store_volatile_records_are_gone_after_another_boot),
		T(test_store_txn_spans_both_environments),
		T(test_store_put_get_del_round_trip),
		T(test_store_binary_keys_and_empty_values),
		T(test_store_get_or_del_missing_is_not_an_error),
		T(test_store_put_nooverwrite_reports_exists_without_failing),
		T(test_store_put_in_read_txn_fails_and_commit_fails),
		T(test_store_commit_after_failed_put_aborts),
		T(test_store_commit_after_txn_fail_aborts),
		T(test_store_abort_discards_writes),
		T(test_store_map_full_fails_txn_and_keeps_earlier_commits),
		T(test_store_append_numbers_from_one_densely),
		T(test_store_append_past_byte_boundary_keeps_order),
		T(test_store_scan_visits_all_in_key_order),
		T(test_store_scan_with_prefix),
		T(test_store_scan_from_key),
		T(test_store_scan_stops_when_callback_returns_one),
		T(test_store_scan_callback_error_fails_txn),
		T(test_store_count_and_db_names),
		T(test_store_user_round_trip),
		T(test_store_user_version_1_record_reads_without_dir_id),
		T(test_store_user_found_by_directory_id),
		T(test_store_user_attributes_round_trip),
		T(test_store_user_add_existing_returns_exists),
		T(test_store_user_id_validation),
		T(test_store_user_invalid_id_is_refused),
		T(test_store_user_corrupt_record_fails_txn),
		T(test_store_user_scan_in_id_order),
		T(test_audit_write_and_scan_from_seq),
		T(test_audit_record_keeps_fields_and_truncates_long_ones),
		T(test_audit_write_in_failed_txn_fails),
		T(test_audit_scan_rejects_corrupt_record),
		T(test_txn_hooks_run_once_in_order_with_the_outcome),
		T(test_store_backup_opens_with_all_records),
		T(test_store_backup_refuses_to_overwrite),
		T(test_store_backup_is_not_readable_by_others),
		T(test_store_concurrent_workers_lose_nothing),
		T(test_store_sigkill_during_writes_keeps_committed_records),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
