/*
 * store_alert.c: "this was not me" alerts as the help desk works them
 * (alert.c), from raised to closed with an outcome.
 *
 * STORE_DESK_ALERTS: alert ID -> alert. STORE_DESK_ALERTS_OPEN:
 * be64(raised) || alert ID -> "" while the alert is open, so that the
 * console lists the open ones without reading the closed ones.
 */
#ifndef MUTUA_STORE_ALERT_H
#define MUTUA_STORE_ALERT_H

#include <stdint.h>

#include "offset.h"
#include "store.h"
#include "store_binding.h"
#include "store_user.h"

#define ALERT_ID_LEN		32	/* hex */
#define ALERT_NOTE_CHARS	200	/* characters of a note, at most */
#define ALERT_NOTE_MAX		(4 * ALERT_NOTE_CHARS + 1)	/* bytes */

enum alert_state {
	ALERT_OPEN = 1,
	ALERT_CLOSED = 2
};

/* What staff found out, recorded when they close the alert. */
enum alert_outcome {
	ALERT_OUTCOME_NONE = 0,		/* still open */
	ALERT_OUTCOME_ATTACK = 1,	/* not the user: someone else */
	ALERT_OUTCOME_USER = 2,		/* the user after all */
	ALERT_OUTCOME_UNREACHED = 3	/* the user could not be reached */
};

struct alert {
	char		id[ALERT_ID_LEN + 1];
	char		user_id[USER_ID_MAX];
	char		binding_id[BINDING_ID_LEN + 1];	/* who raised it */
	char		offset[OFFSET_MAX];	/* the login it was about */
	uint64_t	raised;
	uint32_t	state;		/* enum alert_state */
	uint32_t	outcome;	/* enum alert_outcome */
	uint64_t	closed;
	char		closed_by[USER_ID_MAX];
	char		note[ALERT_NOTE_MAX];
};

/*
 * Writes the alert and keeps the open index in step with its state.
 * @return 0 or -1.
 */
int	store_alert_put(struct store_txn *, const struct alert *);

/* @return 0, STORE_NOTFOUND, or -1. */
int	store_alert_get(struct store_txn *, const char *id, struct alert *);

/*
 * Calls cb for each open alert, oldest first; cb returns 0 to go on, 1
 * to stop. @return 0 or -1.
 */
int	store_alert_open_scan(struct store_txn *,
	    int (*cb)(void *, const struct alert *), void *arg);

#endif
