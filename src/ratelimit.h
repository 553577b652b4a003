/*
 * ratelimit.c: fixed-window counters in STORE_RATELIMIT, shared by all
 * workers, for every guessable or abusable value (X.1280 9.2.4 and the
 * login, password, approval and registration attempts).
 */
#ifndef MUTUA_RATELIMIT_H
#define MUTUA_RATELIMIT_H

#include <stdint.h>

#include "store.h"

/* No rule's window is longer: a counter that old may be swept. */
#define RATELIMIT_WINDOW_MAX	86400	/* seconds */

struct ratelimit_rule {
	const char	*name;		/* e.g. "login.user" */
	uint32_t	 limit;		/* events allowed per window */
	uint32_t	 window;	/* seconds, at most RATELIMIT_WINDOW_MAX */
};

extern const struct ratelimit_rule	RATELIMIT_LOGIN_USER;
extern const struct ratelimit_rule	RATELIMIT_LOGIN_ADDR;
/* Directory lookups for user IDs typed at one address (login.c). */
extern const struct ratelimit_rule	RATELIMIT_DIRECTORY_ADDR;
extern const struct ratelimit_rule	RATELIMIT_PASSWORD_USER;
extern const struct ratelimit_rule	RATELIMIT_PASSWORD_ADDR;
extern const struct ratelimit_rule	RATELIMIT_APPROVE_BINDING;
extern const struct ratelimit_rule	RATELIMIT_REGISTER_ADDR;

/*
 * Counts one event for subject under rule.
 * @param retry_after	when limited, seconds until the window ends
 * @return 0 when allowed, 1 when over the limit (the event is still
 *	   counted), -1 on a store error.
 */
int	ratelimit_hit(struct store_txn *, const struct ratelimit_rule *,
	    const char *subject, uint64_t now, uint32_t *retry_after);

/*
 * As ratelimit_hit() without counting: is subject already over?
 * @return 0, 1 or -1.
 */
int	ratelimit_check(struct store_txn *, const struct ratelimit_rule *,
	    const char *subject, uint64_t now, uint32_t *retry_after);

/* store_expired_cb for counters of a past window (store_sweep()). */
int	ratelimit_expired(struct store_txn *, const struct store_val *,
	    const struct store_val *, uint64_t now);

#endif
