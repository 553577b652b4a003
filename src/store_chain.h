/*
 * store_chain.c: append-only logs whose records are chained by hashes
 * (the audit log and the vetting events), so that a record edited,
 * removed or inserted after the fact is found by store_chain_verify().
 *
 * Record n of a log carries the link
 *	h(n) = SHA-256(h(n - 1) || be64(n) || record n as stored)
 * with h(0) = 32 zero bytes, kept in STORE_CHAIN under the log's
 * database number and n. The chain alone cannot show that the newest
 * records were cut off together with their links: the head (seq and
 * link) is therefore logged with every audit record and printed by
 * `mutuactl audit verify`, so that a copy kept elsewhere anchors it.
 */
#ifndef MUTUA_STORE_CHAIN_H
#define MUTUA_STORE_CHAIN_H

#include <stdint.h>

#include "store.h"

#define STORE_CHAIN_LEN		32

/*
 * Appends a record (store_append()) to the chained log db and writes its
 * link. Records written before the log was chained (an older mutua) are
 * linked first, in the same transaction, so the chain always starts at
 * record 1. *seq gets the record's number; link (may be NULL) its link.
 * @return 0, or -1 (the transaction is failed).
 */
int	store_chain_append(struct store_txn *, enum store_db db,
	    const void *val, size_t vallen, uint64_t *seq,
	    unsigned char *link);

/*
 * Reads the link of record seq of db into link.
 * @return 0, STORE_NOTFOUND, or -1.
 */
int	store_chain_get(struct store_txn *, enum store_db db, uint64_t seq,
	    unsigned char *link);

struct store_chain_report {
	uint64_t	records;		/* records checked */
	uint64_t	head_seq;		/* the last record, 0: none */
	unsigned char	head[STORE_CHAIN_LEN];	/* its link */
	uint64_t	bad_seq;		/* first broken record, 0: none */
	const char	*problem;		/* what is wrong with it */
};

/*
 * Checks the chain of db: records numbered 1, 2, ... without gaps, each
 * with the link its content and its predecessor's link give, and no
 * link without its record. Fills report; problem stays NULL when the
 * chain is intact.
 * @return 0 when the chain is intact, 1 when it is broken, -1 when the
 *	   store could not be read.
 */
int	store_chain_verify(struct store_txn *, enum store_db db,
	    struct store_chain_report *report);

#endif
