/*
 * store_vetting.c: vetting cases and their append-only event log.
 *
 * STORE_VETTING holds records of four kinds, told apart by a type byte:
 *   'c' case ID			-> the case
 *   'k' hex SHA-256(vetting code)	-> case ID (the code is never stored)
 *   'u' user ID 0x00 case ID		-> empty: the applicant's cases
 *   'e' case ID be64(seq)		-> empty: the case's events
 * STORE_VETTING_EVENTS: be64(seq) -> event, appended and never changed.
 * An event stores its action, outcome and role by name (the X.1254
 * codes), so the log reads the same whatever this build numbers them.
 */
#ifndef MUTUA_STORE_VETTING_H
#define MUTUA_STORE_VETTING_H

#include "store.h"
#include "vetting.h"

/* Writes the case (and the applicant's index entry). @return 0 or -1. */
int	store_vetting_put(struct store_txn *, const struct vetting_case *);

/* @return 0, STORE_NOTFOUND, or -1 (a corrupt record too). */
int	store_vetting_get(struct store_txn *, const char *id,
	    struct vetting_case *);

/* Maps a vetting code's hash to its case. @return 0 or -1. */
int	store_vetting_code_put(struct store_txn *, const char *hash,
	    const char *case_id);

/*
 * Finds the case of a vetting code's hash.
 * @param case_id	capacity VETTING_ID_LEN + 1
 * @return 0, STORE_NOTFOUND, or -1.
 */
int	store_vetting_code_get(struct store_txn *, const char *hash,
	    char *case_id);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_vetting_code_del(struct store_txn *, const char *hash);

/*
 * Calls cb for the cases of user_id (every case when NULL), in ID
 * order; cb returns 0 to go on, 1 to stop. @return 0 or -1.
 */
int	store_vetting_scan(struct store_txn *, const char *user_id,
	    int (*cb)(void *, const struct vetting_case *), void *arg);

/*
 * Appends an event (ev->seq is set) and indexes it under its case.
 * @return 0 or -1.
 */
int	store_vetting_event_append(struct store_txn *, struct vetting_event *);

/*
 * Calls cb for the events of case_id (every event when NULL) with
 * seq >= from, in order; cb returns 0 to go on, 1 to stop.
 * @return 0 or -1.
 */
int	store_vetting_event_scan(struct store_txn *, const char *case_id,
	    uint64_t from, int (*cb)(void *, const struct vetting_event *),
	    void *arg);

#endif
