/*
 * account.c: what users do to their own account from /account, beyond
 * registration (oob.c): suspending a lost authenticator with another one
 * (X.1280 9.2.2) and ending all their sessions.
 */
#ifndef MUTUA_ACCOUNT_H
#define MUTUA_ACCOUNT_H

#include <stdint.h>

#include "oob.h"
#include "store_oauth.h"

/* How recent the other authenticator's sign-in must be, seconds. */
#define ACCOUNT_REAUTH_MAX	900

enum account_error {
	ACCOUNT_OK = 0,
	ACCOUNT_ERR_STORE,
	ACCOUNT_ERR_UNKNOWN,	/* no such binding of this user */
	ACCOUNT_ERR_INACTIVE,	/* the target is not active */
	ACCOUNT_ERR_SAME,	/* the session signed in with the target */
	ACCOUNT_ERR_NO_OTHER,	/* not signed in with another active one */
	ACCOUNT_ERR_STALE	/* that sign-in is older than REAUTH_MAX */
};

/*
 * Suspends the user's binding target_id at the user's request. X.1280
 * 9.2.2: releasing an authenticator needs a separate authentication, so
 * the session must have signed in (at auth_time, within
 * ACCOUNT_REAUTH_MAX) with auth_binding_id, another active binding of
 * the same user; otherwise only the help desk can (enrolment_release()).
 * Every attempt is audited.
 * @param label	receives the target's label when found (may be NULL;
 *		BINDING_LABEL_MAX bytes)
 * @return ACCOUNT_OK or the reason of the refusal.
 */
enum account_error	account_suspend(const struct core_ctx *,
			    const char *user_id, const char *auth_binding_id,
			    uint64_t auth_time, const char *target_id,
			    char *label);

/* The consents user_id gave OAuth clients (oidc_consent.c), at most 64. */
#define ACCOUNT_CONSENTS_MAX	64

/*
 * Calls cb with each client user_id allowed something.
 * @return how many, or -1.
 */
int	account_consents(const struct core_ctx *, const char *user_id,
	    int (*cb)(void *, const struct oauth_consent *), void *arg);

/*
 * Withdraws the user's consent for client_id, audited: the client must
 * ask again, and its refresh tokens for the user stop working.
 * @return ACCOUNT_OK, ACCOUNT_ERR_UNKNOWN (no such consent) or
 *	   ACCOUNT_ERR_STORE.
 */
enum account_error	account_consent_withdraw(const struct core_ctx *,
			    const char *user_id, const char *client_id);

/*
 * Ends every session of user_id ("sign out everywhere"), audited.
 * @return the number of sessions ended, or -1.
 */
int	account_signout_all(const struct core_ctx *, const char *user_id);

#endif
