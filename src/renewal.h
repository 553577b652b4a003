/*
 * renewal.c: X.1280 Annex A, user password automatic renewal.
 *
 * With password_renewal on (federation/idp.conf), every out-of-band
 * login of a local user (an account in the store with a password)
 * replaces the password with a random one that nobody is told: a
 * password phished or written down earlier stops working, and the user,
 * who signs in with the authenticator (X.1280 9.2.1), never needs it.
 * Users of a directory are not renewed (docs/security.md).
 */
#ifndef MUTUA_RENEWAL_H
#define MUTUA_RENEWAL_H

#include "core.h"

#define RENEWAL_BYTES		32	/* of the random password */

/*
 * Called after the out-of-band login of user_id was taken (login.c,
 * host.c). Does nothing when the option is off, or for a user who is
 * not in the store or has no password; otherwise sets a new random
 * password and writes the audit record "password.renewed".
 * @return 0, or -1 when the renewal was due but failed.
 */
int	renewal_after_login(const struct core_ctx *, const char *user_id);

#endif
