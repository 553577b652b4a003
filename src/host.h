/*
 * host.c, host_login.c: trusted hosts, whose PAM module (pam_mutua.so, docs/pam.md)
 * starts X.1280 logins for operating-system accounts (X.1280 Appendix
 * II.3).
 *
 * A host is registered by the operator as <hosts_dir>/<name>.json: its
 * display name and the public half of its ECDSA P-256 key. Its requests
 * are signed like a device's (docs/protocol.md §2, §7) under the
 * context HOST_CONTEXT. The login it starts is an ordinary X.1280
 * request (oob.c: one pending per user, rate limits, audit) whose RP is
 * "host:<name>" and whose RPN is the host's display name; the terminal
 * session is a nonce of the PAM module's, scoped to the host.
 */
#ifndef MUTUA_HOST_H
#define MUTUA_HOST_H

#include "core.h"
#include "device.h"
#include "oob.h"
#include "text.h"

#define HOST_CONTEXT		"mutua-host-v1"
#define HOST_NAME_LEN		64	/* including the NUL */
#define HOST_RP_PREFIX		"host:"
#define HOST_SESSION_LEN	32	/* hex digits of the PAM nonce */
#define HOST_FIELD_MAX		64	/* rhost, service, tty */
#define HOST_FILE_MAX		4096

struct host {
	char		name[HOST_NAME_LEN];
	char		display_name[TEXT_NAME_MAX];
	unsigned char	pubkey[DEVICE_PUBKEY_LEN];
};

/* What the PAM module sends to start a login (protocol §7). */
struct host_start_in {
	const char	*user_id;
	const char	*session;	/* HOST_SESSION_LEN hex, the nonce */
	const char	*rhost;		/* PAM_RHOST, or NULL */
	const char	*service;	/* PAM_SERVICE, or NULL */
	const char	*tty;		/* PAM_TTY, or NULL */
};

/*
 * A host name is 1 to 63 characters of [a-z0-9.-], starting with a
 * letter or digit: it names a file and appears in offsets.
 * @return 1 when valid.
 */
int	host_name_valid(const char *);

/*
 * Checks optional context from a host (rhost, service, tty): NULL, or
 * at most HOST_FIELD_MAX of [A-Za-z0-9.:/_@-], safe to show as it is.
 * @return 1 when valid.
 */
int	host_field_valid(const char *);

/*
 * Reads the registration of host name from cfg->hosts_dir.
 * @return 0 (h filled), 1 when there is none, or -1 when the file is
 *	   unreadable or malformed (why says what, for the log).
 */
int	host_load(const struct config *, const char *name, struct host *h,
	    const char **why);

/* host_login.c: the logins hosts start. */

/*
 * Authenticates a host request: in->binding_id is the host's name.
 * @return OOB_OK (h filled), OOB_ERR_SIGNATURE (unknown host or bad
 *	   signature), OOB_ERR_STALE, or OOB_ERR_STORE (a registration
 *	   that cannot be read; logged).
 */
enum oob_error	host_login_auth(const struct core_ctx *,
		    const struct oob_device_in *in, struct host *h);

/*
 * Starts the X.1280 login of in->user_id at host h (oob_start()).
 * Unknown and disabled users are users without an active binding.
 * @param view	receives the request, its code and expiry
 * @return OOB_OK, OOB_ERR_INVALID, OOB_ERR_NO_BINDING, OOB_ERR_BUSY,
 *	   OOB_ERR_RATE or OOB_ERR_STORE.
 */
enum oob_error	host_login_start(const struct core_ctx *,
		    const struct host *h, const struct host_start_in *in,
		    struct oob_view *view);

/*
 * The state of a login started by h with nonce session. An approved
 * request is taken here, once (oob_consume()): the X.1254 first use of
 * a new authenticator is recorded and, with password_renewal, the
 * user's password renewed (renewal.c).
 * @param state	receives the enum oob_state: OOB_USED when this call
 *		took the approval
 * @return OOB_OK, OOB_ERR_INVALID, OOB_ERR_UNKNOWN_REQUEST or
 *	   OOB_ERR_STORE.
 */
enum oob_error	host_login_status(const struct core_ctx *,
		    const struct host *h, const char *request_id,
		    const char *session, uint32_t *state);

#endif
