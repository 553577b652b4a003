/*
 * login.c: signing in at mutua, without Kore. A login is a session in
 * the store keyed by the browser's session ID: first in progress (a
 * user, the service it is for and the X.1280 request of oob.c), then,
 * after the approval or a password, authenticated under a new ID (no
 * session fixation). The web layer parses, calls one function, renders
 * the result and sets the cookie; docs/architecture.md shows the flow.
 */
#ifndef MUTUA_LOGIN_H
#define MUTUA_LOGIN_H

#include <stdint.h>

#include "core.h"
#include "oob.h"
#include "store_session.h"

#define LOGIN_PENDING_LIFETIME	900	/* a login in progress, seconds */
#define LOGIN_RETURN_DEFAULT	"/account"

enum login_error {
	LOGIN_OK = 0,
	LOGIN_ERR_STORE,
	LOGIN_ERR_INVALID,	/* not a valid user ID, or too long */
	LOGIN_ERR_EXPIRED,	/* the service's continuation has expired */
	LOGIN_ERR_PASSWORD,	/* no active authenticator: ask a password */
	LOGIN_ERR_BUSY,		/* X.1280 9.2.4: another request pending */
	LOGIN_ERR_RATE,		/* too many attempts */
	LOGIN_ERR_NO_LOGIN,	/* no login in progress for this session */
	LOGIN_ERR_NOT_APPROVED,	/* the request is not (or no more) approved */
	LOGIN_ERR_FAILED,	/* wrong user ID or password */
	LOGIN_ERR_OOB_ONLY,	/* X.1280 9.2.1: the account has an authenticator */
	LOGIN_ERR_DIRECTORY	/* the LDAP directory did not answer */
};

/* What the terminal's browser brings to a login. */
struct login_terminal {
	const char	*session_id;	/* the cookie's value */
	const char	*ua;		/* User-Agent ("" when absent) */
};

/* Where an authenticated login goes on. */
struct login_done {
	char	session_id[SESSION_ID_LEN + 1];	/* the new cookie value */
	char	return_to[SESSION_RETURN_MAX];	/* a local path */
};

/*
 * Checks a session cookie's value as the browser sent it: SESSION_ID_LEN
 * lower-case hex digits (what web_session_ensure() hands out).
 * @return 1 when it is one, 0 otherwise.
 */
int	login_session_id_valid(const char *value);

/*
 * Lowercases a user ID as typed into out (USER_ID_MAX bytes).
 * @return 0 when it is a valid user ID, -1 otherwise (out holds what
 *	   could be copied, for the form).
 */
int	login_user_normalize(const char *typed, char *out);

/*
 * Starts the login of user_id (normalized) for the continuation c of a
 * service ("" for mutua itself): the X.1280 request of the user's first
 * active authenticator, stored as the session's login in progress.
 * Unknown and disabled users get LOGIN_ERR_PASSWORD like users without
 * an authenticator, so the answer reveals nothing more. With an LDAP
 * source, a user who is not a local-only user is looked up in the
 * directory first: one missing or disabled there is unknown, whatever
 * authenticators the local record has, and the login is the local
 * record's that holds the entry's stable ID (a renamed entry keeps it).
 * @param retry_after	receives the wait for LOGIN_ERR_BUSY, seconds
 * @return LOGIN_OK (show the code), LOGIN_ERR_PASSWORD, _EXPIRED, _BUSY,
 *	   _RATE, _DIRECTORY or _STORE.
 */
enum login_error	login_start(const struct core_ctx *,
			    const struct login_terminal *, const char *user_id,
			    const char *c, uint32_t *retry_after);

/*
 * A new request for the login in progress: with the next authenticator
 * (next = 1, a switch) or the same one (next = 0, after expiry or
 * denial: X.1280 8.3, a new request, a new offset).
 * @param user_id	receives the login's user (USER_ID_MAX bytes)
 * @return as login_start(), or LOGIN_ERR_NO_LOGIN.
 */
enum login_error	login_again(const struct core_ctx *,
			    const struct login_terminal *, uint32_t next,
			    char *user_id, uint32_t *retry_after);

/*
 * The login in progress of session_id and the terminal's view of its
 * request (state and, while pending, the code: wipe it after use).
 * @return LOGIN_OK, LOGIN_ERR_NO_LOGIN or LOGIN_ERR_STORE.
 */
enum login_error	login_progress(const struct core_ctx *,
			    const char *session_id, struct session *,
			    struct oob_view *);

/*
 * Turns the approved request of the login in progress into an
 * authenticated session (single use; X.1254 C_USE_NEW_FACTOR on the
 * first approval of a new authenticator) and, with password_renewal,
 * a new random password (X.1280 Annex A, renewal.c).
 * @return LOGIN_OK, LOGIN_ERR_NO_LOGIN, _NOT_APPROVED or _STORE.
 */
enum login_error	login_continue(const struct core_ctx *,
			    const char *session_id, struct login_done *);

/*
 * Password sign-in, for users without an active authenticator only
 * (X.1280 9.2.1); it opens the account page (SESSION_LOA_PASSWORD).
 * Every attempt is counted per user and per address before the password
 * is checked, and audited ("login.password"). The password is wiped.
 * A directory user's password is checked by an LDAP bind as the user;
 * the first success creates the local record ("user.directory" audit),
 * later ones refresh its name and e-mail from the directory.
 * @return LOGIN_OK, LOGIN_ERR_RATE, _FAILED, _OOB_ONLY, _DIRECTORY or
 *	   _STORE.
 */
enum login_error	login_password(const struct core_ctx *,
			    const char *session_id, const char *user_id,
			    char *password, struct login_done *);

/*
 * Records where a SAML or OIDC flow resumes after the login, for
 * relying party rp. @param id receives its ID (CONTINUATION_ID_LEN + 1)
 * @return LOGIN_OK, LOGIN_ERR_INVALID (too long) or LOGIN_ERR_STORE.
 */
enum login_error	login_continuation_add(const struct core_ctx *,
			    const char *rp, const char *return_to, char *id);

/*
 * Loads session_id's session (in progress or authenticated) into s.
 * @return 1 when there is one, 0 otherwise.
 */
int	login_session(const struct core_ctx *, const char *session_id,
	    struct session *s);

/* Ends session_id's session (sign-out). @return 0 or -1. */
int	login_signout(const struct core_ctx *, const char *session_id);

#endif
