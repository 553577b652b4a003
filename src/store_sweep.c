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
static int	store_sweep_db(struct store_txn *, struct store_sweeper *,
		    int, uint64_t);

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
	return (++p->visited == STORE_SWEEP_BATCH ? 1 : 0);
}

/* @return records deleted from database i, or -1. */
static int
store_sweep_db(struct store_txn *txn, struct store_sweeper *sw, int i,
    uint64_t now)
{
	struct store_sweep_pass	p;
	enum store_db		db;
	int			k;

	memset(&p, 0, sizeof(p));
	db = store_sweep_dbs[i].db;
	p.txn = txn;
	p.sw = sw;
	p.pos = &sw->pos[i];
	p.expired = store_sweep_dbs[i].expired;
	p.now = now;
	if (store_scan(txn, db, NULL, 0, p.pos->len > 0 ? p.pos->key : NULL,
	    p.pos->len, store_sweep_visit, &p) == -1)
		return (-1);
	/* Came to the end: the next pass starts from the first key. */
	if (p.visited < STORE_SWEEP_BATCH)
		p.pos->len = 0;
	/* Deleted after the scan, not under its cursor. */
	for (k = 0; k < p.n; k++)
		if (store_del(txn, db, sw->del[k], sw->del_len[k]) == -1)
			return (-1);
	return (p.n);
}

int
store_sweep(struct store *st, struct store_sweeper *sw, uint64_t now)
{
	struct store_txn	txn;
	int			i, n, total;

	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	total = 0;
	for (i = 0; i < STORE_SWEEP_DBS; i++) {
		if ((n = store_sweep_db(&txn, sw, i, now)) == -1) {
			store_txn_abort(&txn);
			return (-1);
		}
		total += n;
	}
	return (store_txn_commit(&txn) == 0 ? total : -1);
}
