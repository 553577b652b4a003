/*
 * Self-service account actions: suspension of a lost authenticator with
 * another one (X.1280 9.2.2) and "sign out everywhere".
 */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "audit.h"
#include "binding.h"
#include "store_session.h"

static const char	*account_reason(enum account_error);

static const char *
account_reason(enum account_error e)
{
	switch (e) {
	case ACCOUNT_OK:
		return ("ok");
	case ACCOUNT_ERR_UNKNOWN:
		return ("unknown");
	case ACCOUNT_ERR_INACTIVE:
		return ("inactive");
	case ACCOUNT_ERR_SAME:
		return ("same-authenticator");
	case ACCOUNT_ERR_NO_OTHER:
		return ("no-other-authenticator");
	case ACCOUNT_ERR_STALE:
		return ("stale-sign-in");
	default:
		return ("store");
	}
}

enum account_error
account_suspend(const struct core_ctx *ctx, const char *user_id,
    const char *auth_binding_id, uint64_t auth_time, const char *target_id,
    char *label)
{
	struct store_txn	txn;
	struct binding		target, auth;
	enum account_error	e;
	char			detail[160];
	int			rc;

	if (label != NULL)
		label[0] = '\0';
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (ACCOUNT_ERR_STORE);
	memset(&target, 0, sizeof(target));
	memset(&auth, 0, sizeof(auth));

	rc = store_binding_get(&txn, target_id, &target);
	if (rc == -1) {
		e = ACCOUNT_ERR_STORE;
		goto out;
	}
	if (rc != 0 || strcmp(target.user_id, user_id) != 0) {
		e = ACCOUNT_ERR_UNKNOWN;
		goto refused;
	}
	if (label != NULL)
		snprintf(label, BINDING_LABEL_MAX, "%s", target.label);
	if (target.state != BINDING_ACTIVE) {
		e = ACCOUNT_ERR_INACTIVE;
		goto refused;
	}
	/* X.1280 9.2.2: the lost authenticator cannot vouch for itself. */
	if (strcmp(auth_binding_id, target_id) == 0) {
		e = ACCOUNT_ERR_SAME;
		goto refused;
	}
	rc = auth_binding_id[0] != '\0' ?
	    store_binding_get(&txn, auth_binding_id, &auth) : STORE_NOTFOUND;
	if (rc == -1) {
		e = ACCOUNT_ERR_STORE;
		goto out;
	}
	if (rc != 0 || strcmp(auth.user_id, user_id) != 0 ||
	    auth.state != BINDING_ACTIVE) {
		e = ACCOUNT_ERR_NO_OTHER;
		goto refused;
	}
	if (auth_time + ACCOUNT_REAUTH_MAX < ctx->now) {
		e = ACCOUNT_ERR_STALE;
		goto refused;
	}

	snprintf(detail, sizeof(detail), "by=%s channel=account", auth.id);
	if (binding_set_state(&txn, target.id, user_id, BINDING_SUSPENDED,
	    user_id, detail) != BINDING_OK || store_txn_commit(&txn) == -1) {
		e = ACCOUNT_ERR_STORE;
		goto wipe;
	}
	e = ACCOUNT_OK;
	goto wipe;

refused:
	snprintf(detail, sizeof(detail), "binding=%s by=%s reason=%s",
	    target_id, auth_binding_id[0] != '\0' ? auth_binding_id : "-",
	    account_reason(e));
	if (audit_write(&txn, "binding.suspend.refused", user_id, user_id,
	    "denied", detail) == -1 || store_txn_commit(&txn) == -1)
		e = ACCOUNT_ERR_STORE;
	goto wipe;
out:
	store_txn_abort(&txn);
wipe:
	/* The records hold the wrapped K: not left on the stack. */
	OPENSSL_cleanse(&target, sizeof(target));
	OPENSSL_cleanse(&auth, sizeof(auth));
	return (e);
}

int
account_signout_all(const struct core_ctx *ctx, const char *user_id)
{
	struct store_txn	txn;
	char			detail[64];
	int			n;

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (-1);
	if ((n = store_session_del_user(&txn, user_id)) == -1) {
		store_txn_abort(&txn);
		return (-1);
	}
	snprintf(detail, sizeof(detail), "sessions=%d", n);
	if (audit_write(&txn, "session.signout_all", ctx->addr, user_id, "ok",
	    detail) == -1 || store_txn_commit(&txn) == -1)
		return (-1);
	return (n);
}

int
account_consents(const struct core_ctx *ctx, const char *user_id,
    int (*cb)(void *, const struct oauth_consent *), void *arg)
{
	struct store_txn	txn;
	int			n;

	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (-1);
	n = store_oauth_consent_list(&txn, user_id, cb, arg,
	    ACCOUNT_CONSENTS_MAX);
	store_txn_abort(&txn);
	return (n);
}

enum account_error
account_consent_withdraw(const struct core_ctx *ctx, const char *user_id,
    const char *client_id)
{
	struct store_txn	txn;
	char			detail[64 + CLIENT_ID_MAX];
	int			rc;

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (ACCOUNT_ERR_STORE);
	if ((rc = store_oauth_consent_del(&txn, user_id, client_id)) != 0) {
		store_txn_abort(&txn);
		return (rc == STORE_NOTFOUND ? ACCOUNT_ERR_UNKNOWN :
		    ACCOUNT_ERR_STORE);
	}
	snprintf(detail, sizeof(detail), "client=%s addr=%s", client_id,
	    ctx->addr);
	if (audit_write(&txn, "oauth.consent", user_id, client_id,
	    "withdrawn", detail) == -1 || store_txn_commit(&txn) == -1)
		return (ACCOUNT_ERR_STORE);
	return (ACCOUNT_OK);
}
