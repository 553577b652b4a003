/*
 * X.1280 verifier: registration, requests, approvals.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "alert.h"
#include "audit.h"
#include "device.h"
#include "oob.h"
#include "ratelimit.h"

#define OOB_SIGNED_MAX		(OFFSET_MAX + 256)

struct oob_error_info {
	const char	*name;
	int		 status;
	const char	*description;
};

static const struct oob_error_info	oob_errors[] = {
	[OOB_OK] =			{ "ok", 200,
	    "ok" },
	[OOB_ERR_STORE] =		{ "server_error", 500,
	    "the server could not complete the request" },
	[OOB_ERR_INVALID] =		{ "invalid_request", 400,
	    "the request is malformed or misses a field" },
	[OOB_ERR_INVALID_CODE] =	{ "invalid_code", 400,
	    "the registration code is unknown, used or expired" },
	[OOB_ERR_SIGNATURE] =		{ "invalid_signature", 401,
	    "the device signature does not verify" },
	[OOB_ERR_STALE] =		{ "stale_request", 401,
	    "the request timestamp is too far from the server clock" },
	[OOB_ERR_INACTIVE] =		{ "binding_inactive", 403,
	    "this authenticator is suspended or revoked" },
	[OOB_ERR_UNKNOWN_REQUEST] =	{ "unknown_request", 404,
	    "no such request for this authenticator" },
	[OOB_ERR_NOT_PENDING] =		{ "not_pending", 409,
	    "the request was already decided" },
	[OOB_ERR_EXPIRED] =		{ "expired", 410,
	    "the request has expired" },
	[OOB_ERR_WRONG_CODE] =		{ "wrong_code", 400,
	    "the code does not match the one of the server" },
	[OOB_ERR_RATE] =		{ "rate_limited", 429,
	    "too many attempts; try again later" },
	[OOB_ERR_BUSY] =		{ "request_pending", 409,
	    "another sign-in for this user is waiting for approval" },
	[OOB_ERR_NO_BINDING] =		{ "no_binding", 403,
	    "the user has no active authenticator" },
	[OOB_ERR_TOO_MANY] =		{ "too_many_bindings", 409,
	    "the user has the maximum number of authenticators" },
};

static int	oob_key(const struct core_ctx *, const struct binding *,
		    unsigned char *);
static int	oob_code(const struct core_ctx *, struct store_txn *,
		    const struct oob_request *, char *);
static enum oob_error	oob_load_own(const struct core_ctx *,
		    struct store_txn *, const char *, const char *,
		    struct oob_request *);
static void	oob_expire(const struct core_ctx *, struct store_txn *,
		    struct oob_request *);
static enum oob_error	oob_open_own(const struct core_ctx *,
		    struct store_txn *, const char *, const char *,
		    struct oob_request *, struct oob_view *);
static int	oob_alert_one(void *, const struct oob_alert *);
static enum oob_error	oob_rate_fail(const struct core_ctx *,
		    const struct ratelimit_rule *, const char *, const char *,
		    const char *);

const char *
oob_error_name(enum oob_error e)
{
	return (oob_errors[e].name);
}

const char *
oob_error_description(enum oob_error e)
{
	return (oob_errors[e].description);
}

int
oob_error_status(enum oob_error e)
{
	return (oob_errors[e].status);
}

/* Commits on success, aborts otherwise; a failed commit is a store error. */
enum oob_error
oob_finish(struct store_txn *txn, enum oob_error e)
{
	if (e != OOB_OK) {
		store_txn_abort(txn);
		return (e);
	}
	return (store_txn_commit(txn) == 0 ? OOB_OK : OOB_ERR_STORE);
}

/* Unwraps K; the binding ID is the associated data. */
static int
oob_key(const struct core_ctx *ctx, const struct binding *b,
    unsigned char *key)
{
	return (crypto_unwrap(ctx->master, b->id, strlen(b->id),
	    b->wrapped_key, sizeof(b->wrapped_key), key));
}

static int
oob_code(const struct core_ctx *ctx, struct store_txn *txn,
    const struct oob_request *req, char *code)
{
	struct binding	b;
	unsigned char	key[BINDING_KEY_LEN];
	int		rc;

	if (store_binding_get(txn, req->binding_id, &b) != 0)
		return (-1);
	rc = -1;
	if (oob_key(ctx, &b, key) == 0)
		rc = offset_code(key, req->offset, code);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(&b, sizeof(b));
	return (rc);
}

/* 1 when s has min..max characters, all from the allowed set or alnum. */
int
oob_token_valid(const char *s, size_t min, size_t max, const char *extra)
{
	size_t		len, i;

	if (s == NULL)
		return (0);
	len = strlen(s);
	if (len < min || len > max)
		return (0);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return (0);
	}
	return (1);
}

/*
 * Counts a failure against rule in its own transaction, so that it is
 * kept although the failed operation's transaction was aborted.
 */
static enum oob_error
oob_rate_fail(const struct core_ctx *ctx, const struct ratelimit_rule *rule,
    const char *subject, const char *event, const char *detail)
{
	struct store_txn	txn;
	int			rc;

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (OOB_ERR_STORE);
	rc = ratelimit_hit(&txn, rule, subject, ctx->now, NULL);
	audit_write(&txn, event, subject, subject, "failed", detail);
	if (store_txn_commit(&txn) == -1)
		return (OOB_ERR_STORE);
	return (rc == 1 ? OOB_ERR_RATE : OOB_OK);
}


/* Marks a pending request expired and frees the user's pending slot. */
static void
oob_expire(const struct core_ctx *ctx, struct store_txn *txn,
    struct oob_request *req)
{
	char	pending[OOB_REQUEST_ID_LEN + 1];

	req->state = OOB_EXPIRED;
	store_oob_request_put(txn, req);
	if (store_oob_pending_get(txn, req->user_id, pending) == 0 &&
	    strcmp(pending, req->id) == 0)
		store_oob_pending_clear(txn, req->user_id);
	audit_write(txn, "oob.request.expired", "system", req->user_id,
	    "expired", req->id);
}

enum oob_error
oob_start(const struct core_ctx *ctx, const struct oob_start_in *in,
    struct oob_view *view)
{
	struct store_txn	 txn;
	struct oob_request	 req, cur;
	struct offset_fields	 f;
	struct binding		 list[BINDINGS_PER_USER_MAX], *b;
	char			 pending[OOB_REQUEST_ID_LEN + 1];
	char			 session_key[2 * CRYPTO_SHA256_LEN + 1];
	const char		*name;
	int			 n, i, active, rc;
	enum oob_error		 e;

	memset(view, 0, sizeof(*view));
	memset(&req, 0, sizeof(req));
	memset(&f, 0, sizeof(f));
	crypto_sha256_hex(in->session_id, strlen(in->session_id),
	    session_key);
	/* Looked up before the write transaction: it may read the store. */
	if (ctx->rp_name != NULL && (name = ctx->rp_name(in->rp)) != NULL)
		snprintf(f.rpn, sizeof(f.rpn), "%s", name);

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (OOB_ERR_STORE);
	e = OOB_OK;

	/* Rate limits per user and per source address (X.1280 9.2.4). */
	rc = ratelimit_hit(&txn, &RATELIMIT_LOGIN_ADDR, ctx->addr, ctx->now,
	    &view->retry_after);
	if (rc == 0)
		rc = ratelimit_hit(&txn, &RATELIMIT_LOGIN_USER, in->user_id,
		    ctx->now, &view->retry_after);
	if (rc != 0) {
		if (rc == 1) {
			audit_write(&txn, "ratelimit.hit", ctx->addr,
			    in->user_id, "denied", "rule=login");
			store_txn_commit(&txn);
			return (OOB_ERR_RATE);
		}
		e = OOB_ERR_STORE;
		goto out;
	}

	/* One pending request per user (X.1280 9.2.4). */
	rc = store_oob_pending_get(&txn, in->user_id, pending);
	if (rc == 0 && store_oob_request_get(&txn, pending, &cur) == 0) {
		if (cur.state == OOB_PENDING && cur.expires <= ctx->now)
			oob_expire(ctx, &txn, &cur);
		else if (cur.state == OOB_PENDING &&
		    strcmp(cur.session_key, session_key) != 0) {
			view->retry_after = (uint32_t)(cur.expires - ctx->now);
			audit_write(&txn, "oob.request.refused", ctx->addr,
			    in->user_id, "denied", "reason=pending");
			store_txn_commit(&txn);
			return (OOB_ERR_BUSY);
		} else if (cur.state == OOB_PENDING) {
			/* The same session switches authenticator. */
			cur.state = OOB_CANCELLED;
			store_oob_request_put(&txn, &cur);
		}
	}

	if ((n = store_binding_list(&txn, in->user_id, list,
	    BINDINGS_PER_USER_MAX)) == -1) {
		e = OOB_ERR_STORE;
		goto out;
	}
	for (i = 0, active = 0; i < n; i++) {
		if (list[i].state == BINDING_ACTIVE)
			list[active++] = list[i];
	}
	if (active == 0) {
		e = OOB_ERR_NO_BINDING;
		goto out;
	}
	b = &list[in->binding_index % active];

	/* The offset: X.1280 8.3, docs/protocol.md §3. */
	if (strlen(in->rp) >= sizeof(f.rp) ||
	    strlen(in->tpub) >= sizeof(f.tpub) ||
	    (in->tpriv != NULL && strlen(in->tpriv) >= sizeof(f.tpriv)) ||
	    strlen(in->user_id) >= sizeof(f.uid)) {
		e = OOB_ERR_INVALID;
		goto out;
	}
	strcpy(f.rp, in->rp);
	offset_session_hash(in->session_id, f.sid);
	strcpy(f.tpub, in->tpub);
	strcpy(f.tpriv, in->tpriv == NULL || *in->tpriv == '\0' ? "-" :
	    in->tpriv);
	snprintf(f.ua, sizeof(f.ua), "%s", in->ua == NULL ? "" : in->ua);
	strcpy(f.uid, in->user_id);
	f.t = ctx->now;
	if (crypto_random_hex(f.n, sizeof(f.n), 16) == -1 ||
	    crypto_random_hex(req.id, sizeof(req.id),
	    OOB_REQUEST_ID_LEN / 2) == -1 ||
	    offset_build(&f, req.offset, sizeof(req.offset)) == -1) {
		e = OOB_ERR_INVALID;
		goto out;
	}
	strcpy(req.user_id, in->user_id);
	strcpy(req.binding_id, b->id);
	strcpy(req.session_key, session_key);
	req.created = ctx->now;
	req.expires = ctx->now + ctx->cfg->oob_code_lifetime;
	req.state = OOB_PENDING;

	if (oob_code(ctx, &txn, &req, view->code) == -1 ||
	    store_oob_request_put(&txn, &req) == -1 ||
	    store_oob_pending_set(&txn, req.user_id, req.id) == -1) {
		e = OOB_ERR_STORE;
		goto out;
	}
	audit_write(&txn, "oob.request.created", ctx->addr, req.user_id, "ok",
	    req.id);
	strcpy(view->request_id, req.id);
	strcpy(view->binding_id, req.binding_id);
	strcpy(view->user_id, req.user_id);
	view->state = OOB_PENDING;
	view->expires = req.expires;
	view->nbindings = active;

out:
	OPENSSL_cleanse(list, sizeof(list));
	if ((e = oob_finish(&txn, e)) != OOB_OK)
		OPENSSL_cleanse(view->code, sizeof(view->code));
	return (e);
}

/* Loads a request that must belong to the terminal session session_id. */
static enum oob_error
oob_load_own(const struct core_ctx *ctx, struct store_txn *txn,
    const char *request_id, const char *session_id, struct oob_request *req)
{
	char	session_key[2 * CRYPTO_SHA256_LEN + 1];
	int	rc;

	crypto_sha256_hex(session_id, strlen(session_id), session_key);
	if ((rc = store_oob_request_get(txn, request_id, req)) == -1)
		return (OOB_ERR_STORE);
	if (rc == STORE_NOTFOUND ||
	    !crypto_str_equal(req->session_key, session_key))
		return (OOB_ERR_UNKNOWN_REQUEST);
	if (req->state == OOB_PENDING && req->expires <= ctx->now)
		oob_expire(ctx, txn, req);
	return (OOB_OK);
}

/*
 * Begins a write transaction, loads the terminal session's own request
 * and fills the view with what it says. On an error the transaction is
 * ended and the error returned.
 */
static enum oob_error
oob_open_own(const struct core_ctx *ctx, struct store_txn *txn,
    const char *request_id, const char *session_id, struct oob_request *req,
    struct oob_view *view)
{
	enum oob_error	e;

	memset(view, 0, sizeof(*view));
	if (store_txn_begin(ctx->store, txn, 1) == -1)
		return (OOB_ERR_STORE);
	if ((e = oob_load_own(ctx, txn, request_id, session_id, req)) !=
	    OOB_OK)
		return (oob_finish(txn, e));
	strcpy(view->request_id, req->id);
	strcpy(view->binding_id, req->binding_id);
	strcpy(view->user_id, req->user_id);
	view->state = req->state;
	view->expires = req->expires;
	view->loa = req->loa;
	return (OOB_OK);
}

enum oob_error
oob_view(const struct core_ctx *ctx, const char *request_id,
    const char *session_id, struct oob_view *view)
{
	struct store_txn	txn;
	struct oob_request	req;
	enum oob_error		e;

	if ((e = oob_open_own(ctx, &txn, request_id, session_id, &req,
	    view)) != OOB_OK)
		return (e);
	if (req.state == OOB_PENDING && oob_code(ctx, &txn, &req,
	    view->code) == -1)
		e = OOB_ERR_STORE;
	if (e == OOB_OK)
		view->nbindings = store_binding_count_active(&txn, req.user_id);
	return (oob_finish(&txn, e));
}

enum oob_error
oob_consume(const struct core_ctx *ctx, const char *request_id,
    const char *session_id, struct oob_view *view)
{
	struct store_txn	txn;
	struct oob_request	req;
	enum oob_error		e;

	if ((e = oob_open_own(ctx, &txn, request_id, session_id, &req,
	    view)) != OOB_OK)
		return (e);
	if (req.state != OOB_APPROVED) {
		/* Commit: loading may have recorded the expiry. */
		store_txn_commit(&txn);
		return (req.state == OOB_EXPIRED ? OOB_ERR_EXPIRED :
		    OOB_ERR_NOT_PENDING);
	}
	req.state = OOB_USED;
	store_oob_request_put(&txn, &req);
	audit_write(&txn, "login.completed", req.user_id, req.user_id, "ok",
	    req.id);
	return (oob_finish(&txn, OOB_OK));
}

enum oob_error
oob_device_auth(const struct core_ctx *ctx, const struct oob_device_in *in,
    struct binding *b)
{
	struct store_txn	 txn;
	char			 body_hash[2 * CRYPTO_SHA256_LEN + 1];
	char			 text[OOB_SIGNED_MAX], *end;
	unsigned long long	 ts;
	int			 n, rc;

	memset(b, 0, sizeof(*b));
	if (in->binding_id == NULL || in->timestamp == NULL ||
	    in->signature == NULL ||
	    !oob_token_valid(in->binding_id, BINDING_ID_LEN, BINDING_ID_LEN,
	    "") || !isdigit((unsigned char)in->timestamp[0]))
		return (OOB_ERR_SIGNATURE);
	ts = strtoull(in->timestamp, &end, 10);
	if (*end != '\0' || strlen(in->timestamp) > 12)
		return (OOB_ERR_SIGNATURE);
	if (ts + OOB_DEVICE_SKEW < ctx->now || ts > ctx->now + OOB_DEVICE_SKEW)
		return (OOB_ERR_STALE);

	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (OOB_ERR_STORE);
	rc = store_binding_get(&txn, in->binding_id, b);
	store_txn_abort(&txn);
	if (rc == -1)
		return (OOB_ERR_STORE);
	if (rc == STORE_NOTFOUND)
		return (OOB_ERR_SIGNATURE);

	crypto_sha256_hex(in->body, in->bodylen, body_hash);
	n = snprintf(text, sizeof(text), "mutua-device-v1\n%s\n%s\n%s\n%s",
	    in->method, in->path, in->timestamp, body_hash);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    !device_verify_b64(b->pubkey, sizeof(b->pubkey), text,
	    in->signature)) {
		OPENSSL_cleanse(b, sizeof(*b));
		return (OOB_ERR_SIGNATURE);
	}
	if (b->state != BINDING_ACTIVE)
		return (OOB_ERR_INACTIVE);
	return (OOB_OK);
}

struct oob_alert_filter {
	const struct binding		*binding;
	const struct oob_pending_cb	*cb;
};

static int
oob_alert_one(void *arg, const struct oob_alert *alert)
{
	struct oob_alert_filter	*f;

	f = arg;
	/* Alerts go to the user's other authenticators. */
	if (strcmp(alert->binding_id, f->binding->id) != 0)
		f->cb->alert(f->cb->arg, alert);
	return (0);
}

enum oob_error
oob_pending(const struct core_ctx *ctx, const struct binding *b,
    const struct oob_pending_cb *cb, int *count)
{
	struct store_txn	 txn;
	struct oob_request	 req;
	struct oob_alert_filter	 filter;
	char			 pending[OOB_REQUEST_ID_LEN + 1];
	uint64_t		 since;
	int			 rc;

	*count = 0;
	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (OOB_ERR_STORE);
	rc = store_oob_pending_get(&txn, b->user_id, pending);
	if (rc == 0)
		rc = store_oob_request_get(&txn, pending, &req);
	if (rc == 0 && req.state == OOB_PENDING && req.expires > ctx->now &&
	    strcmp(req.binding_id, b->id) == 0) {
		cb->request(cb->arg, &req);
		(*count)++;
	}
	filter.binding = b;
	filter.cb = cb;
	since = ctx->now > OOB_ALERT_WINDOW ? ctx->now - OOB_ALERT_WINDOW : 0;
	if (rc != -1)
		rc = store_oob_alert_scan(&txn, b->user_id, since,
		    oob_alert_one, &filter);
	store_txn_abort(&txn);
	return (rc == -1 ? OOB_ERR_STORE : OOB_OK);
}

enum oob_error
oob_decide(const struct core_ctx *ctx, const struct binding *b,
    const struct oob_decide_in *in, uint32_t *state)
{
	struct store_txn	 txn;
	struct oob_request	 req;
	struct oob_alert	 alert;
	char			 text[OOB_SIGNED_MAX], hash[65];
	char			 code[OFFSET_CODE_LEN + 1], detail[160];
	char			 alert_id[ALERT_ID_LEN + 1];
	int			 approve, n, rc;
	enum oob_error		 e;

	*state = 0;
	if (in->request_id == NULL || in->decision == NULL ||
	    in->code == NULL || in->signature == NULL ||
	    !oob_token_valid(in->request_id, OOB_REQUEST_ID_LEN,
	    OOB_REQUEST_ID_LEN, "") ||
	    (strcmp(in->decision, "approve") != 0 &&
	    strcmp(in->decision, "deny") != 0) ||
	    !oob_token_valid(in->code, 0, OFFSET_CODE_LEN, "") ||
	    (in->reason != NULL && *in->reason != '\0' &&
	    strcmp(in->reason, "mismatch") != 0 &&
	    strcmp(in->reason, "not_me") != 0))
		return (OOB_ERR_INVALID);
	approve = strcmp(in->decision, "approve") == 0;

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (OOB_ERR_STORE);
	rc = ratelimit_check(&txn, &RATELIMIT_APPROVE_BINDING, b->id,
	    ctx->now, NULL);
	if (rc != 0)
		return (oob_finish(&txn, rc == 1 ? OOB_ERR_RATE :
		    OOB_ERR_STORE));

	rc = store_oob_request_get(&txn, in->request_id, &req);
	if (rc == -1)
		return (oob_finish(&txn, OOB_ERR_STORE));
	e = OOB_OK;
	if (rc == STORE_NOTFOUND || strcmp(req.binding_id, b->id) != 0)
		e = OOB_ERR_UNKNOWN_REQUEST;
	else if (req.state == OOB_PENDING && req.expires <= ctx->now) {
		oob_expire(ctx, &txn, &req);
		store_txn_commit(&txn);
		return (OOB_ERR_EXPIRED);
	} else if (req.state != OOB_PENDING)
		e = OOB_ERR_NOT_PENDING;
	if (e != OOB_OK) {
		store_txn_abort(&txn);
		goto fail;
	}

	/* The user-authentication information (X.1280 8.5, protocol §5). */
	offset_hash_hex(req.offset, hash);
	n = snprintf(text, sizeof(text), "mutua-approve-v1\n%s\n%s\n%s\n%s",
	    req.id, hash, in->decision, in->code);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    !device_verify_b64(b->pubkey, sizeof(b->pubkey), text,
	    in->signature))
		e = OOB_ERR_SIGNATURE;
	else if (approve && (oob_code(ctx, &txn, &req, code) == -1 ||
	    !crypto_str_equal(code, in->code)))
		e = OOB_ERR_WRONG_CODE;
	OPENSSL_cleanse(code, sizeof(code));
	if (e != OOB_OK) {
		store_txn_abort(&txn);
		goto fail;
	}

	req.state = approve ? OOB_APPROVED : OOB_DENIED;
	req.loa = approve ? b->loa : 0;
	snprintf(req.reason, sizeof(req.reason), "%s",
	    in->reason == NULL ? "" : in->reason);
	store_oob_request_put(&txn, &req);
	store_oob_pending_clear(&txn, req.user_id);
	snprintf(detail, sizeof(detail), "request=%s binding=%s reason=%s",
	    req.id, b->id, req.reason);
	audit_write(&txn, approve ? "oob.request.approved" :
	    "oob.request.denied", req.user_id, req.user_id,
	    approve ? "ok" : "denied", detail);
	if (!approve && strcmp(req.reason, "not_me") == 0) {
		/*
		 * X.1280 9.1.5: someone else typed the user's ID. The alert
		 * goes to the user's other authenticators and to the help
		 * desk; it suspends nothing by itself.
		 */
		memset(&alert, 0, sizeof(alert));
		alert.time = ctx->now;
		strcpy(alert.binding_id, b->id);
		strcpy(alert.offset, req.offset);
		store_oob_alert_add(&txn, req.user_id, &alert);
		alert_raise(&txn, req.user_id, b->id, req.offset, ctx->now,
		    alert_id);
		snprintf(detail, sizeof(detail), "request=%s binding=%s "
		    "alert=%s", req.id, b->id, alert_id);
		audit_write(&txn, "oob.alert.not_me", req.user_id,
		    req.user_id, "alert", detail);
	}
	if (approve) {
		struct binding	used = *b;

		used.last_used = ctx->now;
		store_binding_put(&txn, &used);
		OPENSSL_cleanse(&used, sizeof(used));
	}
	*state = req.state;
	return (oob_finish(&txn, OOB_OK));

fail:
	snprintf(detail, sizeof(detail), "request=%.32s reason=%s",
	    in->request_id, oob_error_name(e));
	if (oob_rate_fail(ctx, &RATELIMIT_APPROVE_BINDING, b->id,
	    "oob.approve.failed", detail) == OOB_ERR_RATE)
		return (OOB_ERR_RATE);
	return (e);
}
