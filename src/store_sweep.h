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

/* One worker's sweeper (about 130 kB: keep it static). */
struct store_sweeper {
	struct store_sweep_pos	pos[STORE_SWEEP_DBS];
	unsigned char		del[STORE_SWEEP_BATCH][STORE_SWEEP_KEY_MAX];
	size_t			del_len[STORE_SWEEP_BATCH];
};

/*
 * Looks at up to STORE_SWEEP_BATCH records of each swept database, going
 * on after the last key this sweeper saw (round to the first one after
 * the end), and deletes those that expired at now, in one write
 * transaction (durable only when OAuth tokens went).
 * @return records deleted, or -1 (nothing deleted).
 */
int	store_sweep(struct store *, struct store_sweeper *, uint64_t now);

#endif
