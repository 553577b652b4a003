/*
 * alert.c: "this was not me" alerts (X.1280 9.1.5, a false server
 * authentication request: someone typed the user's ID elsewhere) as the
 * help desk works them. The user's authenticator raises one when it
 * denies a request as not the user's (oob.c); staff see the open ones
 * in the console, may suspend an authenticator of the user from there,
 * and close each with what they found out. Every step is audited.
 */
#ifndef MUTUA_ALERT_H
#define MUTUA_ALERT_H

#include <stdint.h>

#include "core.h"
#include "store_alert.h"

enum alert_error {
	ALERT_OK = 0,
	ALERT_ERR_INVALID,	/* bad outcome or note */
	ALERT_ERR_UNKNOWN,	/* no such alert */
	ALERT_ERR_CLOSED,	/* closed already */
	ALERT_ERR_BINDING,	/* not an authenticator of the user, revoked */
	ALERT_ERR_STORE
};

/*
 * Raises an open alert in txn for the user's request denied as "not me"
 * by binding_id; the caller audits it.
 * @param id	receives the alert's ID (capacity ALERT_ID_LEN + 1)
 * @return 0 or -1 (the transaction is failed).
 */
int	alert_raise(struct store_txn *, const char *user_id,
	    const char *binding_id, const char *offset, uint64_t now,
	    char *id);

/*
 * Closes alert id with outcome (not ALERT_OUTCOME_NONE) and a note of at
 * most ALERT_NOTE_CHARS characters of UTF-8 on one line (may be ""), by staff;
 * audited as "alert.closed".
 */
enum alert_error	alert_close(const struct core_ctx *, const char *staff,
			    const char *id, uint32_t outcome, const char *note);

/*
 * Suspends binding_id, which must be an authenticator of the alert's
 * user, because of open alert id (binding.c audits it, detail
 * "alert=<id>").
 */
enum alert_error	alert_suspend_binding(const struct core_ctx *,
			    const char *staff, const char *id,
			    const char *binding_id);

/* An outcome's name for machines and forms: "attack", ... (NULL: none). */
const char	*alert_outcome_name(uint32_t);

/* The outcome whose name is name, or ALERT_OUTCOME_NONE. */
uint32_t	alert_outcome_from_name(const char *name);

#endif
