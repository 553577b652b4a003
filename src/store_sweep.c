/*
 * The sweep of the volatile databases.
 */
#include <string.h>

#include "ratelimit.h"
#include "store_metadata.h"
#include "store_oauth.h"
#include "store_oob.h"
#include "store_saml.h"
#include "store_session.h"
#include "store_sweep.h"

static const struct {
	enum store_db		db;
	store_expired_cb	expired;
} store_sweep_dbs[STORE_SWEEP_DBS] = {
	{ STORE_SESSIONS, store_session_expired },
	{ STORE_CONTINUATIONS, store_continuation_expired },
	{ STORE_OOB_REQUESTS, store_oob_request_expired },
	{ STORE_RATELIMIT, ratelimit_expired },
	{ STORE_SAML_REPLAY, store_saml_replay_expired },
	{ STORE_SAML_REQUESTS, store_saml_pending_expired },
	{ STORE_SAML_LOGOUTS, store_saml_logout_expired },
	/* After the sessions: a participant goes with its session. */
	{ STORE_SAML_PARTICIPANTS, store_saml_participant_expired },
	{ STORE_OAUTH_CODES, store_oauth_expired },
	{ STORE_OAUTH_JTI, store_oauth_expired },
	{ STORE_OAUTH_TOKENS, store_oauth_expired },
	{ STORE_MDQ_CACHE, store_metadata_mdq_expired },
};

/* One database's pass: what store_sweep_visit() needs and finds. */
struct store_sweep_pass {
	struct store_txn	*txn;
	struct store_sweeper	*sw;
	struct store_sweep_pos	*pos;
	store_expired_cb	 expired;
	uint64_t		 now;
	int			 visited;
	int			 n;		/* keys in sw->del */
};

static int	store_sweep_visit(void *, const struct store_val *,
		    const struct store_val *);
static int	store_sweep_txn(struct store *, struct store_sweeper *, int,
		    uint64_t, int);
static int	store_sweep_db(struct store *, struct store_sweeper *, int,
		    uint64_t);

static int
store_sweep_visit(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct store_sweep_pass	*p = arg;

	/* The scan starts at the last key seen, which was looked at. */
	if (key->len == p->pos->len &&
	    memcmp(key->data, p->pos->key, key->len) == 0)
		return (0);
	if (key->len > STORE_SWEEP_KEY_MAX)
		return (-1);
	memcpy(p->pos->key, key->data, key->len);
	p->pos->len = key->len;
	if (p->expired(p->txn, key, val, p->now)) {
		memcpy(p->sw->del[p->n], key->data, key->len);
		p->sw->del_len[p->n] = key->len;
		p->n++;
	}
	return (++p->visited == p->sw->batch ? 1 : 0);
}

/*
 * A slice of database i in its own transaction.
 * @return records deleted, or -1.
 */
static int
store_sweep_txn(struct store *st, struct store_sweeper *sw, int i,
    uint64_t now, int mode)
{
	struct store_txn	txn;
	struct store_sweep_pass	p;
	enum store_db		db;
	int			k;

	memset(&p, 0, sizeof(p));
	db = store_sweep_dbs[i].db;
	p.txn = &txn;
	p.sw = sw;
	p.pos = &sw->pos[i];
	p.expired = store_sweep_dbs[i].expired;
	p.now = now;
	if (store_txn_begin(st, &txn, mode) == -1)
		return (-1);
	if (store_scan(&txn, db, NULL, 0, p.pos->len > 0 ? p.pos->key : NULL,
	    p.pos->len, store_sweep_visit, &p) == -1)
		goto fail;
	/* Came to the end: the next pass starts from the first key. */
	if (p.visited < sw->batch)
		p.pos->len = 0;
	/* Deleted after the scan, not under its cursor. */
	for (k = 0; k < p.n; k++)
		if (store_del(&txn, db, sw->del[k], sw->del_len[k]) == -1)
			goto fail;
	return (store_txn_commit(&txn) == 0 ? p.n : -1);

fail:
	store_txn_abort(&txn);
	return (-1);
}

/*
 * Database i's slice; when the map is too full for it, the same records
 * again as a reclaiming transaction (store.h) in smaller slices until
 * one fits (or a single record does not).
 * @return records deleted, or -1.
 */
static int
store_sweep_db(struct store *st, struct store_sweeper *sw, int i,
    uint64_t now)
{
	struct store_sweep_pos	saved;
	int			n;

	saved = sw->pos[i];
	if ((n = store_sweep_txn(st, sw, i, now, 1)) == -1 &&
	    store_failure(st, NULL, 0) == STORE_FAIL_FULL) {
		sw->pos[i] = saved;
		while ((n = store_sweep_txn(st, sw, i, now,
		    STORE_TXN_RECLAIM)) == -1) {
			sw->pos[i] = saved;
			if (sw->batch == 1 ||
			    store_failure(st, NULL, 0) != STORE_FAIL_FULL)
				return (-1);
			sw->batch /= 2;
		}
	}
	if (n == -1)
		return (-1);
	if (n > 0 && sw->batch < STORE_SWEEP_BATCH)
		sw->batch *= 2;
	return (n);
}

int
store_sweep(struct store *st, struct store_sweeper *sw, uint64_t now)
{
	int	i, n, total;

	if (sw->batch <= 0 || sw->batch > STORE_SWEEP_BATCH)
		sw->batch = STORE_SWEEP_BATCH;
	total = 0;
	for (i = 0; i < STORE_SWEEP_DBS; i++) {
		if ((n = store_sweep_db(st, sw, i, now)) == -1)
			return (-1);
		total += n;
	}
	return (total);
}
