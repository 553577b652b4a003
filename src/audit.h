/*
 * audit.c: the append-only record of security events (STORE_AUDIT).
 *
 * Each event is written in the caller's write transaction, so it lands
 * if and only if the change it describes lands, and is logged as one
 * key=value line when that transaction ends. Details must never hold a secret, code or password.
 */
#ifndef MUTUA_AUDIT_H
#define MUTUA_AUDIT_H

#include <stdint.h>

#include "store.h"
#include "store_chain.h"

#define AUDIT_EVENT_MAX		48
#define AUDIT_ACTOR_MAX		80
#define AUDIT_SUBJECT_MAX	80
#define AUDIT_OUTCOME_MAX	16
#define AUDIT_DETAIL_MAX	512

struct audit_record {
	uint64_t	seq;
	uint64_t	time;		/* unix time, milliseconds */
	char		event[AUDIT_EVENT_MAX];		/* e.g. binding.created */
	char		actor[AUDIT_ACTOR_MAX];		/* user, staff or system */
	char		subject[AUDIT_SUBJECT_MAX];	/* what it acted on */
	char		outcome[AUDIT_OUTCOME_MAX];	/* ok, denied, failed */
	char		detail[AUDIT_DETAIL_MAX];	/* key=value context */
	unsigned char	link[STORE_CHAIN_LEN];	/* its hash chain link */
};

/*
 * Appends an event to the hash-chained log; when the transaction ends
 * it is logged, with its seq and link if it was committed (the log line
 * then anchors the chain head) and "-" if not. Over-long fields are
 * truncated.
 * @return 0, or -1 (the transaction is then failed too).
 */
int	audit_write(struct store_txn *, const char *event, const char *actor,
	    const char *subject, const char *outcome, const char *detail);

/*
 * Calls cb for each record with seq >= from, in order, link included
 * (zeros for a record not yet linked); cb returns 0 to go on, 1 to stop.
 * @return 0 or -1.
 */
int	audit_scan(struct store_txn *, uint64_t from,
	    int (*cb)(void *, const struct audit_record *), void *arg);

#endif
