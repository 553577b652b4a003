/*
 * store_sweep.c: deletes expired records a bounded slice at a time, so
 * that the databases stay near their live size: the volatile ones (which
 * a reboot also empties, store.c) and the OAuth tokens. Each worker runs
 * it from a timer.
 */
#ifndef MUTUA_STORE_SWEEP_H
#define MUTUA_STORE_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_SWEEP_DBS		12	/* the databases swept here */
#define STORE_SWEEP_KEY_MAX	511	/* LMDB's largest key */
#define STORE_SWEEP_BATCH	256	/* records looked at per database */

/* Where a sweeper stopped in one database: its last key, or none. */
struct store_sweep_pos {
	unsigned char	key[STORE_SWEEP_KEY_MAX];
	size_t		len;
};

/* One worker's sweeper (about 130 kB: keep it static, zeroed). */
struct store_sweeper {
	struct store_sweep_pos	pos[STORE_SWEEP_DBS];
	unsigned char		del[STORE_SWEEP_BATCH][STORE_SWEEP_KEY_MAX];
	size_t			del_len[STORE_SWEEP_BATCH];
	int			batch;	/* the slice; 0 = STORE_SWEEP_BATCH */
};

/*
 * Looks at a slice of up to STORE_SWEEP_BATCH records of each swept
 * database, going on after the last key this sweeper saw (round to the
 * first one after the end), and deletes those that expired at now: one
 * write transaction per database. A delete needs free pages too (LMDB
 * copies what it changes), so in a full map the slice is swept again as
 * a reclaiming transaction (STORE_TXN_RECLAIM), halved until it fits,
 * and doubled again after each slice that deleted something.
 * @return records deleted, or -1 (store_failure() says why; the
 *	   databases swept before the failure keep their deletions).
 */
int	store_sweep(struct store *, struct store_sweeper *, uint64_t now);

#endif
