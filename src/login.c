/*
 * Signing in: the user ID step, the X.1280 login in progress, its
 * continuation after the approval, the password fallback and the
 * session it all ends in. The out-of-band protocol itself is oob.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "enrolment.h"
#include "log.h"
#include "login.h"
#include "ratelimit.h"
#include "renewal.h"
#include "store_binding.h"
#include "store_user.h"

/* Who a typed user ID names (login_resolve()). */
struct login_who {
	struct user		u;	/* the local record, when found */
	int			found;
	int			dir;	/* du holds the directory's entry */
	struct directory_user	du;
};

static enum login_error	login_finish(struct store_txn *, enum login_error);
static enum login_error	login_resolve(const struct core_ctx *, const char *,
			    struct login_who *);
static int		login_directory_record(const struct core_ctx *,
			    struct store_txn *, const char *,
			    struct login_who *);
static enum login_error	login_begin(const struct core_ctx *,
			    const struct login_terminal *, struct session *,
			    uint32_t *);
static int		login_begin_session(struct store_txn *, const char *,
			    void *);
static enum login_error	login_establish(const struct core_ctx *,
			    const char *, const char *, uint32_t, const char *,
			    const char *, const char *, const char *,
			    struct login_done *);

static enum login_error
login_finish(struct store_txn *txn, enum login_error e)
{
	if (e != LOGIN_OK) {
		store_txn_abort(txn);
		return (e);
	}
	return (store_txn_commit(txn) == 0 ? LOGIN_OK : LOGIN_ERR_STORE);
}

int
login_session_id_valid(const char *value)
{
	size_t	i;

	if (strlen(value) != SESSION_ID_LEN)
		return (0);
	for (i = 0; i < SESSION_ID_LEN; i++) {
		if (!((value[i] >= '0' && value[i] <= '9') ||
		    (value[i] >= 'a' && value[i] <= 'f')))
			return (0);
	}
	return (1);
}

int
login_user_normalize(const char *typed, char *out)
{
	size_t	i;

	for (i = 0; typed[i] != '\0' && i < USER_ID_MAX - 1; i++)
		out[i] = (char)tolower((unsigned char)typed[i]);
	out[i] = '\0';
	return (typed[i] == '\0' && store_user_id_valid(out) ? 0 : -1);
}

enum login_error
login_start(const struct core_ctx *ctx, const struct login_terminal *t,
    const char *user_id, const char *c, uint32_t *retry_after)
{
	struct store_txn	txn;
	struct session		s;
	struct login_who	who;
	struct continuation	cont;
	enum login_error	e;
	int			active, found;

	if ((e = login_resolve(ctx, user_id, &who)) != LOGIN_OK)
		return (e);
	/* The directory's values as of this sign-in are the ones released. */
	if (who.dir && who.found) {
		if (store_txn_begin(ctx->store, &txn, 1) == -1)
			return (LOGIN_ERR_STORE);
		if (store_user_attributes_put(&txn, who.u.id,
		    &who.du.attrs) == -1 ||
		    login_finish(&txn, LOGIN_OK) != LOGIN_OK) {
			store_txn_abort(&txn);
			OPENSSL_cleanse(&who, sizeof(who));
			return (LOGIN_ERR_STORE);
		}
	}
	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (LOGIN_ERR_STORE);
	active = who.found && !(who.u.flags & USER_DISABLED) ?
	    store_binding_count_active(&txn, who.u.id) : 0;
	found = c[0] != '\0' ? store_continuation_get(&txn, c, ctx->now,
	    &cont) : STORE_NOTFOUND;
	store_txn_abort(&txn);
	if (c[0] != '\0' && found != 0) {
		OPENSSL_cleanse(&who, sizeof(who));
		return (LOGIN_ERR_EXPIRED);
	}
	/*
	 * Without an active authenticator there is no code to show: the
	 * password opens the account page, where one can be registered.
	 */
	if (active <= 0) {
		OPENSSL_cleanse(&who, sizeof(who));
		return (LOGIN_ERR_PASSWORD);
	}

	memset(&s, 0, sizeof(s));
	snprintf(s.user_id, sizeof(s.user_id), "%s", who.u.id);
	OPENSSL_cleanse(&who, sizeof(who));
	if (found == 0) {
		strcpy(s.rp, cont.rp);
		strcpy(s.return_to, cont.return_to);
	} else
		snprintf(s.rp, sizeof(s.rp), "%s", ctx->cfg->base_url);
	return (login_begin(ctx, t, &s, retry_after));
}

/*
 * Who user_id (as typed, normalized) names. A local-only user (no
 * directory ID) is themselves and the directory is not asked, so local
 * users are served while it is down. Anyone else, with an LDAP source,
 * is the directory's entry of that ID: missing or disabled there, they
 * are unknown (found = 0, dir = 0), whatever their local record holds;
 * present, their local record is the one bound to the entry's stable ID
 * (found = 0 before the first sign-in).
 * @return LOGIN_OK, LOGIN_ERR_RATE (too many lookups from this address),
 *	   LOGIN_ERR_DIRECTORY or LOGIN_ERR_STORE.
 */
static enum login_error
login_resolve(const struct core_ctx *ctx, const char *user_id,
    struct login_who *who)
{
	struct store_txn	txn;
	enum directory_error	e;
	int			rc;

	memset(who, 0, sizeof(*who));
	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (LOGIN_ERR_STORE);
	rc = store_user_get(&txn, user_id, &who->u);
	store_txn_abort(&txn);
	if (rc == -1)
		return (LOGIN_ERR_STORE);
	if (rc == 0 && (who->u.dir_id[0] == '\0' || ctx->dir == NULL)) {
		who->found = 1;
		return (LOGIN_OK);
	}
	OPENSSL_cleanse(&who->u, sizeof(who->u));
	if (ctx->dir == NULL)
		return (LOGIN_OK);

	/* Each typed ID costs the directory a search: bounded per address. */
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (LOGIN_ERR_STORE);
	rc = ratelimit_hit(&txn, &RATELIMIT_DIRECTORY_ADDR, ctx->addr,
	    ctx->now, NULL);
	if (store_txn_commit(&txn) == -1 || rc == -1)
		return (LOGIN_ERR_STORE);
	if (rc != 0)
		return (LOGIN_ERR_RATE);
	e = directory_find(ctx->dir, user_id, &who->du);
	if (e == DIRECTORY_DOWN || e == DIRECTORY_ERROR)
		return (LOGIN_ERR_DIRECTORY);
	if (e != DIRECTORY_OK) {
		log_event("login", "directory", e == DIRECTORY_DISABLED ?
		    "disabled" : "not found", (char *)NULL);
		OPENSSL_cleanse(&who->du, sizeof(who->du));
		return (LOGIN_OK);
	}
	who->dir = 1;
	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (LOGIN_ERR_STORE);
	rc = store_user_get_by_dir(&txn, who->du.uuid, &who->u);
	store_txn_abort(&txn);
	if (rc == -1)
		return (LOGIN_ERR_STORE);
	who->found = rc == 0;
	return (LOGIN_OK);
}

/*
 * After a directory bind: the local record of who, created on the first
 * sign-in under user_id, or refreshed from the entry (name, e-mail), and
 * its attribute values.
 * @return 0, or -1 (store error, or user_id is another user's record).
 */
static int
login_directory_record(const struct core_ctx *ctx, struct store_txn *txn,
    const char *user_id, struct login_who *who)
{
	if (!who->found) {
		memset(&who->u, 0, sizeof(who->u));
		snprintf(who->u.id, sizeof(who->u.id), "%s", user_id);
		snprintf(who->u.dir_id, sizeof(who->u.dir_id), "%s",
		    who->du.uuid);
		who->u.created = ctx->now;
	}
	snprintf(who->u.display_name, sizeof(who->u.display_name), "%s",
	    who->du.display_name);
	snprintf(who->u.email, sizeof(who->u.email), "%s", who->du.email);
	if (who->found && store_user_put(txn, &who->u) == -1)
		return (-1);
	/* The ID may hold a record of an entry since renamed away. */
	if (!who->found && (store_user_add(txn, &who->u) != 0 ||
	    audit_write(txn, "user.directory", user_id, user_id, "created",
	    NULL) == -1))
		return (-1);
	who->found = 1;
	return (store_user_attributes_put(txn, who->u.id, &who->du.attrs));
}

/*
 * Starts (or restarts) the server-authentication request for the login
 * s and stores s as the session's login in progress.
 */
static enum login_error
login_begin(const struct core_ctx *ctx, const struct login_terminal *t,
    struct session *s, uint32_t *retry_after)
{
	struct oob_start_in	in;
	struct oob_view		view;
	enum oob_error		e;

	memset(&in, 0, sizeof(in));
	in.user_id = s->user_id;
	in.session_id = t->session_id;
	in.rp = s->rp;
	in.tpub = ctx->addr;
	in.tpriv = NULL;
	in.ua = t->ua;
	in.binding_index = s->binding_index;

	store_session_key(t->session_id, s->key);
	s->created = ctx->now;
	s->expires = ctx->now + LOGIN_PENDING_LIFETIME;
	in.with = login_begin_session;
	in.with_arg = s;

	e = oob_start(ctx, &in, &view);
	OPENSSL_cleanse(view.code, sizeof(view.code));
	*retry_after = view.retry_after;
	/* X.1280 9.2.4: refused with a clear message (oob.c records it). */
	if (e == OOB_ERR_BUSY)
		return (LOGIN_ERR_BUSY);
	if (e == OOB_ERR_RATE)
		return (LOGIN_ERR_RATE);
	if (e != OOB_OK)
		return (LOGIN_ERR_STORE);
	return (LOGIN_OK);
}

/*
 * The session's login in progress (arg), stored in the transaction that
 * makes its request: a store that refuses one refuses both, and no
 * request waits on the authenticator for a login the browser never got.
 */
static int
login_begin_session(struct store_txn *txn, const char *request_id,
    void *arg)
{
	struct session	*s = arg;

	strcpy(s->request_id, request_id);
	return (store_session_put(txn, s));
}

enum login_error
login_again(const struct core_ctx *ctx, const struct login_terminal *t,
    uint32_t next, char *user_id, uint32_t *retry_after)
{
	struct session	s;

	if (!login_session(ctx, t->session_id, &s) || s.request_id[0] == '\0')
		return (LOGIN_ERR_NO_LOGIN);
	strcpy(user_id, s.user_id);
	s.binding_index += next;
	return (login_begin(ctx, t, &s, retry_after));
}

enum login_error
login_progress(const struct core_ctx *ctx, const char *session_id,
    struct session *s, struct oob_view *view)
{
	if (!login_session(ctx, session_id, s) || s->request_id[0] == '\0' ||
	    oob_view(ctx, s->request_id, session_id, view) != OOB_OK)
		return (LOGIN_ERR_NO_LOGIN);
	return (LOGIN_OK);
}

/*
 * Replaces the login in progress (old_sid) with an authenticated session
 * under a new ID (no session fixation), going on at return_to.
 */
static enum login_error
login_establish(const struct core_ctx *ctx, const char *old_sid,
    const char *user_id, uint32_t loa, const char *amr,
    const char *binding_id, const char *rp, const char *return_to,
    struct login_done *done)
{
	struct store_txn	txn;
	struct session		s;
	char			old_key[SESSION_KEY_LEN + 1];

	memset(&s, 0, sizeof(s));
	if (crypto_random_hex(done->session_id, sizeof(done->session_id),
	    SESSION_ID_LEN / 2) == -1)
		return (LOGIN_ERR_STORE);
	store_session_key(done->session_id, s.key);
	snprintf(s.user_id, sizeof(s.user_id), "%s", user_id);
	snprintf(s.amr, sizeof(s.amr), "%s", amr);
	snprintf(s.binding_id, sizeof(s.binding_id), "%s", binding_id);
	snprintf(s.rp, sizeof(s.rp), "%s", rp);
	snprintf(s.return_to, sizeof(s.return_to), "%s",
	    return_to[0] != '\0' ? return_to : LOGIN_RETURN_DEFAULT);
	s.loa = loa;
	s.auth_time = ctx->now;
	s.created = ctx->now;
	s.expires = ctx->now + ctx->cfg->session_lifetime;
	strcpy(done->return_to, s.return_to);
	store_session_key(old_sid, old_key);

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (LOGIN_ERR_STORE);
	if (store_session_del(&txn, old_key) == -1 ||
	    store_session_put(&txn, &s) == -1)
		return (login_finish(&txn, LOGIN_ERR_STORE));
	return (login_finish(&txn, LOGIN_OK));
}

enum login_error
login_continue(const struct core_ctx *ctx, const char *session_id,
    struct login_done *done)
{
	struct oob_view	view;
	struct session	s;
	enum oob_error	e;

	if (!login_session(ctx, session_id, &s) || s.request_id[0] == '\0')
		return (LOGIN_ERR_NO_LOGIN);
	e = oob_consume(ctx, s.request_id, session_id, &view);
	OPENSSL_cleanse(view.code, sizeof(view.code));
	if (e != OOB_OK)
		return (LOGIN_ERR_NOT_APPROVED);
	/* X.1254 C_USE_NEW_FACTOR: the first approval proves a new factor. */
	enrolment_factor_used(ctx, view.binding_id);
	if (renewal_after_login(ctx, view.user_id) == -1)
		return (LOGIN_ERR_STORE);
	return (login_establish(ctx, session_id, view.user_id, view.loa,
	    "oob", view.binding_id, s.rp, s.return_to, done));
}

enum login_error
login_password(const struct core_ctx *ctx, const char *session_id,
    const char *user_id, char *password, struct login_done *done)
{
	struct store_txn	txn;
	struct login_who	who;
	enum login_error	e;
	enum directory_error	de;
	int			limited, active, ok;

	/* Every attempt counts, per user and per address. */
	e = LOGIN_ERR_STORE;
	memset(&who, 0, sizeof(who));
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		goto wipe;
	limited = ratelimit_hit(&txn, &RATELIMIT_PASSWORD_USER, user_id,
	    ctx->now, NULL) != 0;
	limited |= ratelimit_hit(&txn, &RATELIMIT_PASSWORD_ADDR, ctx->addr,
	    ctx->now, NULL) != 0;
	/* Counted before scrypt or LDAP run, which must not hold the lock. */
	if (store_txn_commit(&txn) == -1)
		goto wipe;
	ok = 0;
	if (!limited) {
		if ((e = login_resolve(ctx, user_id, &who)) != LOGIN_OK)
			goto wipe;
		if (who.dir) {
			/* Never a hash from the directory: a bind as the user. */
			de = directory_authenticate(ctx->dir, who.du.dn,
			    password);
			if (de == DIRECTORY_DOWN || de == DIRECTORY_ERROR) {
				e = LOGIN_ERR_DIRECTORY;
				goto wipe;
			}
			ok = de == DIRECTORY_OK;
		} else
			ok = who.found && !(who.u.flags & USER_DISABLED) &&
			    who.u.password_hash[0] != '\0' &&
			    crypto_password_verify(password,
			    who.u.password_hash);
	}
	OPENSSL_cleanse(password, strlen(password));

	if (store_txn_begin(ctx->store, &txn, 1) == -1) {
		OPENSSL_cleanse(&who, sizeof(who));
		return (LOGIN_ERR_STORE);
	}
	if (ok && who.dir && login_directory_record(ctx, &txn, user_id,
	    &who) == -1) {
		log_event("login", "directory", "user ID held by another "
		    "record", (char *)NULL);
		store_txn_abort(&txn);
		OPENSSL_cleanse(&who, sizeof(who));
		return (LOGIN_ERR_FAILED);
	}
	active = who.found ? store_binding_count_active(&txn, who.u.id) : 0;
	/* X.1280 9.2.1: a password never completes a login on its own. */
	if (ok && active > 0)
		ok = 0;
	if (audit_write(&txn, "login.password", user_id,
	    who.found ? who.u.id : user_id,
	    limited ? "limited" : ok ? "ok" : "failed", ctx->addr) == -1 ||
	    login_finish(&txn, LOGIN_OK) != LOGIN_OK) {
		OPENSSL_cleanse(&who, sizeof(who));
		return (LOGIN_ERR_STORE);
	}
	if (limited || !ok) {
		OPENSSL_cleanse(&who, sizeof(who));
		return (limited ? LOGIN_ERR_RATE : active > 0 ?
		    LOGIN_ERR_OOB_ONLY : LOGIN_ERR_FAILED);
	}
	e = login_establish(ctx, session_id, who.u.id,
	    SESSION_LOA_PASSWORD, "pwd", "", ctx->cfg->base_url,
	    LOGIN_RETURN_DEFAULT, done);
	OPENSSL_cleanse(&who, sizeof(who));
	return (e);

wipe:
	OPENSSL_cleanse(&who, sizeof(who));
	OPENSSL_cleanse(password, strlen(password));
	return (e);
}

enum login_error
login_continuation_add(const struct core_ctx *ctx, const char *rp,
    const char *return_to, char *id)
{
	struct store_txn	txn;
	struct continuation	c;

	memset(&c, 0, sizeof(c));
	if (strlen(rp) >= sizeof(c.rp) ||
	    strlen(return_to) >= sizeof(c.return_to))
		return (LOGIN_ERR_INVALID);
	strcpy(c.rp, rp);
	strcpy(c.return_to, return_to);
	c.expires = ctx->now + CONTINUATION_LIFETIME;
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (LOGIN_ERR_STORE);
	if (store_continuation_add(&txn, &c) == -1)
		return (login_finish(&txn, LOGIN_ERR_STORE));
	if (login_finish(&txn, LOGIN_OK) != LOGIN_OK)
		return (LOGIN_ERR_STORE);
	strcpy(id, c.id);
	return (LOGIN_OK);
}

int
login_session(const struct core_ctx *ctx, const char *session_id,
    struct session *s)
{
	struct store_txn	txn;
	char			key[SESSION_KEY_LEN + 1];
	int			rc;

	store_session_key(session_id, key);
	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (0);
	rc = store_session_get(&txn, key, ctx->now, s);
	store_txn_abort(&txn);
	return (rc == 0);
}

int
login_signout(const struct core_ctx *ctx, const char *session_id)
{
	struct store_txn	txn;
	char			key[SESSION_KEY_LEN + 1];

	store_session_key(session_id, key);
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (-1);
	if (store_session_del(&txn, key) == -1) {
		store_txn_abort(&txn);
		return (-1);
	}
	return (store_txn_commit(&txn));
}
