/*
 * The operating-system logins that trusted hosts start (X.1280 Appendix
 * II.3, docs/pam.md): the host's signed requests, the X.1280 request
 * for the PAM user, and its state.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "enrolment.h"
#include "host.h"
#include "log.h"
#include "renewal.h"
#include "store_user.h"

static void	host_login_session(const struct host *, const char *, char *,
		    size_t);

enum oob_error
host_login_auth(const struct core_ctx *ctx, const struct oob_device_in *in,
    struct host *h)
{
	const char	*why;
	enum oob_error	 e;
	int		 rc;

	memset(h, 0, sizeof(*h));
	if (in->binding_id == NULL || !host_name_valid(in->binding_id))
		return (OOB_ERR_SIGNATURE);
	if ((e = oob_signed_fresh(ctx, in)) != OOB_OK)
		return (e);
	if ((rc = host_load(ctx->cfg, in->binding_id, h, &why)) == -1) {
		/* The operator's mistake: say where, answer server_error. */
		log_event("host.invalid", "host", in->binding_id, "dir",
		    ctx->cfg->hosts_dir, "reason", why, NULL);
		return (OOB_ERR_STORE);
	}
	if (rc == 1 || !oob_signed_valid(HOST_CONTEXT, h->pubkey,
	    sizeof(h->pubkey), in)) {
		memset(h, 0, sizeof(*h));
		return (OOB_ERR_SIGNATURE);
	}
	return (OOB_OK);
}

/* The terminal session: the host's nonce, scoped to the host. */
static void
host_login_session(const struct host *h, const char *session, char *out,
    size_t len)
{
	snprintf(out, len, "%s%s/%s", HOST_RP_PREFIX, h->name, session);
}

enum oob_error
host_login_start(const struct core_ctx *ctx, const struct host *h,
    const struct host_start_in *in, struct oob_view *view)
{
	struct oob_start_in	 oin;
	struct store_txn	 txn;
	struct user		 u;
	char			 rp[sizeof(HOST_RP_PREFIX) + HOST_NAME_LEN];
	char			 sid[sizeof(rp) + HOST_SESSION_LEN + 1];
	char			 ua[OFFSET_UA_MAX + 1];
	int			 rc;

	memset(view, 0, sizeof(*view));
	if (in->user_id == NULL || in->session == NULL ||
	    !oob_token_valid(in->session, HOST_SESSION_LEN, HOST_SESSION_LEN,
	    "") || !host_field_valid(in->rhost) ||
	    !host_field_valid(in->service) || !host_field_valid(in->tty))
		return (OOB_ERR_INVALID);
	/* An account name that cannot be a mutua user ID is no user. */
	if (!store_user_id_valid(in->user_id))
		return (OOB_ERR_NO_BINDING);
	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (OOB_ERR_STORE);
	rc = store_user_get(&txn, in->user_id, &u);
	store_txn_abort(&txn);
	OPENSSL_cleanse(u.password_hash, sizeof(u.password_hash));
	if (rc == -1)
		return (OOB_ERR_STORE);
	if (rc == STORE_NOTFOUND || (u.flags & USER_DISABLED))
		return (OOB_ERR_NO_BINDING);

	snprintf(rp, sizeof(rp), "%s%s", HOST_RP_PREFIX, h->name);
	host_login_session(h, in->session, sid, sizeof(sid));
	/* Shown where a browser's User-Agent would be (protocol §7). */
	snprintf(ua, sizeof(ua), "pam_mutua service=%s tty=%s",
	    in->service != NULL && *in->service != '\0' ? in->service : "-",
	    in->tty != NULL && *in->tty != '\0' ? in->tty : "-");
	memset(&oin, 0, sizeof(oin));
	oin.user_id = in->user_id;
	oin.session_id = sid;
	oin.rp = rp;
	oin.rpn = h->display_name;
	oin.tpub = ctx->addr;
	oin.tpriv = in->rhost;
	oin.ua = ua;
	return (oob_start(ctx, &oin, view));
}

enum oob_error
host_login_status(const struct core_ctx *ctx, const struct host *h,
    const char *request_id, const char *session, uint32_t *state)
{
	struct oob_view	view;
	char		sid[sizeof(HOST_RP_PREFIX) + HOST_NAME_LEN +
			    HOST_SESSION_LEN + 1];
	enum oob_error	e;

	*state = 0;
	if (request_id == NULL || session == NULL ||
	    !oob_token_valid(request_id, OOB_REQUEST_ID_LEN,
	    OOB_REQUEST_ID_LEN, "") ||
	    !oob_token_valid(session, HOST_SESSION_LEN, HOST_SESSION_LEN, ""))
		return (OOB_ERR_INVALID);
	host_login_session(h, session, sid, sizeof(sid));
	e = oob_consume(ctx, request_id, sid, &view);
	OPENSSL_cleanse(view.code, sizeof(view.code));
	if (e == OOB_ERR_EXPIRED) {
		*state = OOB_EXPIRED;
		return (OOB_OK);
	}
	if (e == OOB_ERR_NOT_PENDING) {
		*state = view.state;
		return (OOB_OK);
	}
	if (e != OOB_OK)
		return (e);
	/* X.1254 C_USE_NEW_FACTOR, as for a web login (login.c). */
	enrolment_factor_used(ctx, view.binding_id);
	if (renewal_after_login(ctx, view.user_id) == -1)
		return (OOB_ERR_STORE);
	*state = OOB_APPROVED;
	return (OOB_OK);
}
