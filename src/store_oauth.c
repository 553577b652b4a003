/*
 * OAuth records: codes, tokens, families, parked requests, jti cache.
 */
#include <string.h>

#include "codec.h"
#include "crypto.h"
#include "store_oauth.h"

#define OAUTH_RECORD_VERSION	1
#define OAUTH_KEY_LEN		(1 + CRYPTO_SHA256_LEN)
#define OAUTH_CODE_KEEP		86400	/* a used code is kept this long */

#define OAUTH_KEY_CODE		'C'
#define OAUTH_KEY_AUTHZ		'R'
#define OAUTH_KEY_PUSHED	'P'	/* RFC 9126 */
#define OAUTH_KEY_TOKEN		'T'
#define OAUTH_KEY_FAMILY	'F'
#define OAUTH_KEY_CONSENT	'G'	/* || SHA-256(user) || SHA-256(client) */
#define OAUTH_CONSENT_KEY_LEN	(1 + 2 * CRYPTO_SHA256_LEN)
#define OAUTH_NEVER		UINT64_MAX	/* not swept */

static void	oauth_key(unsigned char *, char, const char *);
static void	oauth_put_grant(struct codec_writer *,
		    const struct oauth_grant *);
static void	oauth_get_grant(struct codec_reader *, struct oauth_grant *);
static int	oauth_write(struct store_txn *, enum store_db,
		    const unsigned char *, size_t, struct codec_writer *);
static void	oauth_consent_key(unsigned char *, const char *,
		    const char *);
static int	oauth_consent_read(const struct store_val *,
		    struct oauth_consent *);
static int	oauth_consent_visit(void *, const struct store_val *,
		    const struct store_val *);

/* key[OAUTH_KEY_LEN] = type || SHA-256(value). */
static void
oauth_key(unsigned char *key, char type, const char *value)
{
	key[0] = (unsigned char)type;
	crypto_sha256(value, strlen(value), key + 1);
}

static void
oauth_put_grant(struct codec_writer *w, const struct oauth_grant *g)
{
	codec_put_str(w, g->client_id);
	codec_put_str(w, g->user_id);
	codec_put_str(w, g->scope);
	codec_put_str(w, g->amr);
	codec_put_u32(w, g->loa);
	codec_put_u64(w, g->auth_time);
}

static void
oauth_get_grant(struct codec_reader *r, struct oauth_grant *g)
{
	codec_get_str(r, g->client_id, sizeof(g->client_id));
	codec_get_str(r, g->user_id, sizeof(g->user_id));
	codec_get_str(r, g->scope, sizeof(g->scope));
	codec_get_str(r, g->amr, sizeof(g->amr));
	g->loa = codec_get_u32(r);
	g->auth_time = codec_get_u64(r);
}

/* Stores w under key and releases w. */
static int
oauth_write(struct store_txn *txn, enum store_db db, const unsigned char *key,
    size_t keylen, struct codec_writer *w)
{
	int	rc;

	if (codec_writer_ok(w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, db, key, keylen, w->data, w->len, 0);
	codec_writer_free(w);
	return (rc);
}

int
store_oauth_code_put(struct store_txn *txn, const char *code,
    const struct oauth_code *c)
{
	struct codec_writer	w;
	unsigned char		key[OAUTH_KEY_LEN];

	oauth_key(key, OAUTH_KEY_CODE, code);
	codec_writer_init(&w, OAUTH_RECORD_VERSION);
	codec_put_u64(&w, c->expires + OAUTH_CODE_KEEP);
	oauth_put_grant(&w, &c->g);
	codec_put_str(&w, c->redirect_uri);
	codec_put_str(&w, c->nonce);
	codec_put_str(&w, c->challenge);
	codec_put_str(&w, c->family);
	codec_put_u64(&w, c->expires);
	codec_put_u32(&w, c->used);
	return (oauth_write(txn, STORE_OAUTH_CODES, key, sizeof(key), &w));
}

int
store_oauth_code_get(struct store_txn *txn, const char *code,
    struct oauth_code *c)
{
	struct store_val	val;
	struct codec_reader	r;
	unsigned char		key[OAUTH_KEY_LEN];
	int			rc;

	memset(c, 0, sizeof(*c));
	oauth_key(key, OAUTH_KEY_CODE, code);
	if ((rc = store_get(txn, STORE_OAUTH_CODES, key, sizeof(key),
	    &val)) != 0)
		return (rc);
	codec_reader_init(&r, val.data, val.len, OAUTH_RECORD_VERSION);
	(void)codec_get_u64(&r);
	oauth_get_grant(&r, &c->g);
	codec_get_str(&r, c->redirect_uri, sizeof(c->redirect_uri));
	codec_get_str(&r, c->nonce, sizeof(c->nonce));
	codec_get_str(&r, c->challenge, sizeof(c->challenge));
	codec_get_str(&r, c->family, sizeof(c->family));
	c->expires = codec_get_u64(&r);
	c->used = codec_get_u32(&r);
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

int
store_oauth_token_put(struct store_txn *txn, const char *token,
    const struct oauth_token *t)
{
	struct codec_writer	w;
	unsigned char		key[OAUTH_KEY_LEN];

	oauth_key(key, OAUTH_KEY_TOKEN, token);
	codec_writer_init(&w, OAUTH_RECORD_VERSION);
	codec_put_u64(&w, t->expires);
	codec_put_u32(&w, t->type);
	oauth_put_grant(&w, &t->g);
	codec_put_str(&w, t->family);
	codec_put_u64(&w, t->issued);
	codec_put_u64(&w, t->expires);
	codec_put_u32(&w, t->used);
	return (oauth_write(txn, STORE_OAUTH_TOKENS, key, sizeof(key), &w));
}

int
store_oauth_token_get(struct store_txn *txn, const char *token, uint64_t now,
    struct oauth_token *t)
{
	struct store_val	val;
	struct codec_reader	r;
	unsigned char		key[OAUTH_KEY_LEN];
	int			rc;

	memset(t, 0, sizeof(*t));
	oauth_key(key, OAUTH_KEY_TOKEN, token);
	if ((rc = store_get(txn, STORE_OAUTH_TOKENS, key, sizeof(key),
	    &val)) != 0)
		return (rc);
	codec_reader_init(&r, val.data, val.len, OAUTH_RECORD_VERSION);
	(void)codec_get_u64(&r);
	t->type = codec_get_u32(&r);
	oauth_get_grant(&r, &t->g);
	codec_get_str(&r, t->family, sizeof(t->family));
	t->issued = codec_get_u64(&r);
	t->expires = codec_get_u64(&r);
	t->used = codec_get_u32(&r);
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	if (t->expires <= now) {
		memset(t, 0, sizeof(*t));
		return (STORE_NOTFOUND);
	}
	return (0);
}

int
store_oauth_token_del(struct store_txn *txn, const char *token)
{
	unsigned char	key[OAUTH_KEY_LEN];

	oauth_key(key, OAUTH_KEY_TOKEN, token);
	return (store_del(txn, STORE_OAUTH_TOKENS, key, sizeof(key)));
}

int
store_oauth_family_put(struct store_txn *txn, const struct oauth_family *f)
{
	struct codec_writer	w;
	unsigned char		key[1 + OAUTH_FAMILY_LEN];

	if (strlen(f->id) != OAUTH_FAMILY_LEN) {
		store_txn_fail(txn);
		return (-1);
	}
	key[0] = OAUTH_KEY_FAMILY;
	memcpy(key + 1, f->id, OAUTH_FAMILY_LEN);
	codec_writer_init(&w, OAUTH_RECORD_VERSION);
	codec_put_u64(&w, f->expires);
	codec_put_str(&w, f->client_id);
	codec_put_str(&w, f->user_id);
	codec_put_u32(&w, f->revoked);
	codec_put_u64(&w, f->expires);
	return (oauth_write(txn, STORE_OAUTH_TOKENS, key, sizeof(key), &w));
}

int
store_oauth_family_get(struct store_txn *txn, const char *id,
    struct oauth_family *f)
{
	struct store_val	val;
	struct codec_reader	r;
	unsigned char		key[1 + OAUTH_FAMILY_LEN];
	int			rc;

	memset(f, 0, sizeof(*f));
	if (strlen(id) != OAUTH_FAMILY_LEN)
		return (STORE_NOTFOUND);
	key[0] = OAUTH_KEY_FAMILY;
	memcpy(key + 1, id, OAUTH_FAMILY_LEN);
	if ((rc = store_get(txn, STORE_OAUTH_TOKENS, key, sizeof(key),
	    &val)) != 0)
		return (rc);
	strcpy(f->id, id);
	codec_reader_init(&r, val.data, val.len, OAUTH_RECORD_VERSION);
	(void)codec_get_u64(&r);
	codec_get_str(&r, f->client_id, sizeof(f->client_id));
	codec_get_str(&r, f->user_id, sizeof(f->user_id));
	f->revoked = codec_get_u32(&r);
	f->expires = codec_get_u64(&r);
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

int
store_oauth_family_revoke(struct store_txn *txn, const char *id)
{
	struct oauth_family	f;
	int			rc;

	if ((rc = store_oauth_family_get(txn, id, &f)) != 0)
		return (rc);
	f.revoked = 1;
	return (store_oauth_family_put(txn, &f));
}

int
store_oauth_authz_put(struct store_txn *txn, int pushed, const char *id,
    const struct oauth_authz *a)
{
	struct codec_writer	w;
	unsigned char		key[OAUTH_KEY_LEN];

	oauth_key(key, pushed ? OAUTH_KEY_PUSHED : OAUTH_KEY_AUTHZ, id);
	codec_writer_init(&w, OAUTH_RECORD_VERSION);
	codec_put_u64(&w, a->expires);
	codec_put_str(&w, a->client_id);
	codec_put_str(&w, a->redirect_uri);
	codec_put_str(&w, a->scope);
	codec_put_str(&w, a->state);
	codec_put_str(&w, a->nonce);
	codec_put_str(&w, a->challenge);
	codec_put_str(&w, a->acr_values);
	codec_put_u32(&w, a->prompt);
	codec_put_u64(&w, (uint64_t)a->max_age);
	codec_put_u64(&w, a->created);
	codec_put_u64(&w, a->expires);
	return (oauth_write(txn, STORE_OAUTH_CODES, key, sizeof(key), &w));
}

int
store_oauth_authz_take(struct store_txn *txn, int pushed, const char *id,
    uint64_t now, struct oauth_authz *a)
{
	struct store_val	val;
	struct codec_reader	r;
	unsigned char		key[OAUTH_KEY_LEN];
	int			rc;

	memset(a, 0, sizeof(*a));
	oauth_key(key, pushed ? OAUTH_KEY_PUSHED : OAUTH_KEY_AUTHZ, id);
	if ((rc = store_get(txn, STORE_OAUTH_CODES, key, sizeof(key),
	    &val)) != 0)
		return (rc);
	codec_reader_init(&r, val.data, val.len, OAUTH_RECORD_VERSION);
	(void)codec_get_u64(&r);
	codec_get_str(&r, a->client_id, sizeof(a->client_id));
	codec_get_str(&r, a->redirect_uri, sizeof(a->redirect_uri));
	codec_get_str(&r, a->scope, sizeof(a->scope));
	codec_get_str(&r, a->state, sizeof(a->state));
	codec_get_str(&r, a->nonce, sizeof(a->nonce));
	codec_get_str(&r, a->challenge, sizeof(a->challenge));
	codec_get_str(&r, a->acr_values, sizeof(a->acr_values));
	a->prompt = codec_get_u32(&r);
	a->max_age = (int64_t)codec_get_u64(&r);
	a->created = codec_get_u64(&r);
	a->expires = codec_get_u64(&r);
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	if (store_del(txn, STORE_OAUTH_CODES, key, sizeof(key)) != 0)
		return (-1);
	if (a->expires <= now) {
		memset(a, 0, sizeof(*a));
		return (STORE_NOTFOUND);
	}
	return (0);
}

int
store_oauth_jti_add(struct store_txn *txn, const char *client_id,
    const char *jti, uint64_t expires, uint64_t now)
{
	struct store_val	val;
	struct codec_writer	w;
	struct codec_reader	r;
	unsigned char		key[CRYPTO_SHA256_LEN];
	size_t			len;
	char			*buf;
	int			rc;

	/* client_id 0x00 jti: two clients may use the same jti. */
	len = strlen(client_id) + 1 + strlen(jti);
	codec_writer_init_key(&w);
	codec_put_raw(&w, client_id, strlen(client_id) + 1);
	codec_put_raw(&w, jti, strlen(jti));
	if (codec_writer_ok(&w) == -1) {
		codec_writer_free(&w);
		store_txn_fail(txn);
		return (-1);
	}
	buf = (char *)w.data;
	crypto_sha256(buf, len, key);
	codec_writer_free(&w);

	rc = store_get(txn, STORE_OAUTH_JTI, key, sizeof(key), &val);
	if (rc == -1)
		return (-1);
	if (rc == 0) {
		codec_reader_init(&r, val.data, val.len,
		    OAUTH_RECORD_VERSION);
		if (codec_get_u64(&r) > now && codec_reader_done(&r) == 0)
			return (STORE_EXISTS);
	}
	codec_writer_init(&w, OAUTH_RECORD_VERSION);
	codec_put_u64(&w, expires);
	return (oauth_write(txn, STORE_OAUTH_JTI, key, sizeof(key), &w));
}

/* key[OAUTH_CONSENT_KEY_LEN]; the user's part alone is a scan prefix. */
static void
oauth_consent_key(unsigned char *key, const char *user_id,
    const char *client_id)
{
	key[0] = OAUTH_KEY_CONSENT;
	crypto_sha256(user_id, strlen(user_id), key + 1);
	if (client_id != NULL)
		crypto_sha256(client_id, strlen(client_id),
		    key + 1 + CRYPTO_SHA256_LEN);
}

static int
oauth_consent_read(const struct store_val *val, struct oauth_consent *c)
{
	struct codec_reader	r;

	memset(c, 0, sizeof(*c));
	codec_reader_init(&r, val->data, val->len, OAUTH_RECORD_VERSION);
	(void)codec_get_u64(&r);
	codec_get_str(&r, c->client_id, sizeof(c->client_id));
	codec_get_str(&r, c->scope, sizeof(c->scope));
	c->granted = codec_get_u64(&r);
	return (codec_reader_done(&r));
}

int
store_oauth_consent_put(struct store_txn *txn, const char *user_id,
    const struct oauth_consent *c)
{
	struct codec_writer	w;
	unsigned char		key[OAUTH_CONSENT_KEY_LEN];

	oauth_consent_key(key, user_id, c->client_id);
	codec_writer_init(&w, OAUTH_RECORD_VERSION);
	codec_put_u64(&w, OAUTH_NEVER);
	codec_put_str(&w, c->client_id);
	codec_put_str(&w, c->scope);
	codec_put_u64(&w, c->granted);
	return (oauth_write(txn, STORE_OAUTH_TOKENS, key, sizeof(key), &w));
}

int
store_oauth_consent_get(struct store_txn *txn, const char *user_id,
    const char *client_id, struct oauth_consent *c)
{
	struct store_val	val;
	unsigned char		key[OAUTH_CONSENT_KEY_LEN];
	int			rc;

	oauth_consent_key(key, user_id, client_id);
	if ((rc = store_get(txn, STORE_OAUTH_TOKENS, key, sizeof(key),
	    &val)) != 0)
		return (rc);
	if (oauth_consent_read(&val, c) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

int
store_oauth_consent_del(struct store_txn *txn, const char *user_id,
    const char *client_id)
{
	unsigned char	key[OAUTH_CONSENT_KEY_LEN];

	oauth_consent_key(key, user_id, client_id);
	return (store_del(txn, STORE_OAUTH_TOKENS, key, sizeof(key)));
}

struct oauth_consent_scan {
	int	(*cb)(void *, const struct oauth_consent *);
	void	*arg;
	int	 n, max;
};

static int
oauth_consent_visit(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct oauth_consent_scan	*s = arg;
	struct oauth_consent		 c;

	if (s->n >= s->max)
		return (1);
	if (oauth_consent_read(val, &c) == -1)
		return (-1);
	s->n++;
	return (s->cb(s->arg, &c));
}

int
store_oauth_consent_list(struct store_txn *txn, const char *user_id,
    int (*cb)(void *, const struct oauth_consent *), void *arg, int max)
{
	struct oauth_consent_scan	s;
	unsigned char			prefix[OAUTH_CONSENT_KEY_LEN];

	oauth_consent_key(prefix, user_id, NULL);
	s.cb = cb;
	s.arg = arg;
	s.n = 0;
	s.max = max;
	if (store_scan(txn, STORE_OAUTH_TOKENS, prefix,
	    1 + CRYPTO_SHA256_LEN, NULL, 0, oauth_consent_visit, &s) == -1)
		return (-1);
	return (s.n);
}

int
store_oauth_expired(struct store_txn *txn, const struct store_val *key,
    const struct store_val *val, uint64_t now)
{
	const unsigned char	*v = val->data;

	/* Version byte, then the big-endian time it may be deleted after. */
	return (val->len >= 9 && v[0] == OAUTH_RECORD_VERSION &&
	    codec_from_be64(v + 1) <= now);
}
