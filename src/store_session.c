/*
 * Session records.
 */
#include <string.h>

#include "codec.h"
#include "crypto.h"
#include "store_session.h"

#define SESSION_RECORD_VERSION		1
#define CONTINUATION_RECORD_VERSION	1
#define SESSION_DEL_BATCH		64

/* One pass of store_session_del_user(): the keys to delete, in order. */
struct session_del {
	const char	*user_id;
	char		 keys[SESSION_DEL_BATCH][SESSION_KEY_LEN];
	int		 n;
	int		 more;		/* the batch filled up */
};

static int	session_del_visit(void *, const struct store_val *,
		    const struct store_val *);
static int	session_decode(const struct store_val *, struct session *);
static int	continuation_decode(const struct store_val *,
		    struct continuation *);

void
store_session_key(const char *session_id, char *key)
{
	crypto_sha256_hex(session_id, strlen(session_id), key);
}

int
store_session_put(struct store_txn *txn, const struct session *s)
{
	struct codec_writer	w;
	int			rc;

	codec_writer_init(&w, SESSION_RECORD_VERSION);
	codec_put_str(&w, s->user_id);
	codec_put_str(&w, s->request_id);
	codec_put_str(&w, s->binding_id);
	codec_put_str(&w, s->return_to);
	codec_put_str(&w, s->rp);
	codec_put_str(&w, s->amr);
	codec_put_u32(&w, s->loa);
	codec_put_u32(&w, s->binding_index);
	codec_put_u64(&w, s->auth_time);
	codec_put_u64(&w, s->created);
	codec_put_u64(&w, s->expires);
	if (strlen(s->key) != SESSION_KEY_LEN || codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, STORE_SESSIONS, s->key, SESSION_KEY_LEN,
		    w.data, w.len, 0);
	codec_writer_free(&w);
	return (rc);
}

int
store_session_get(struct store_txn *txn, const char *key, uint64_t now,
    struct session *s)
{
	struct store_val	val;
	int			rc;

	memset(s, 0, sizeof(*s));
	if (strlen(key) != SESSION_KEY_LEN)
		return (STORE_NOTFOUND);
	if ((rc = store_get(txn, STORE_SESSIONS, key, SESSION_KEY_LEN,
	    &val)) != 0)
		return (rc);
	if (session_decode(&val, s) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	memcpy(s->key, key, SESSION_KEY_LEN);
	if (s->expires <= now) {
		if (txn->write)
			store_session_del(txn, key);
		memset(s, 0, sizeof(*s));
		return (STORE_NOTFOUND);
	}
	return (0);
}

/* Decodes a session record into s (all but s->key). @return 0 or -1. */
static int
session_decode(const struct store_val *val, struct session *s)
{
	struct codec_reader	r;

	codec_reader_init(&r, val->data, val->len, SESSION_RECORD_VERSION);
	codec_get_str(&r, s->user_id, sizeof(s->user_id));
	codec_get_str(&r, s->request_id, sizeof(s->request_id));
	codec_get_str(&r, s->binding_id, sizeof(s->binding_id));
	codec_get_str(&r, s->return_to, sizeof(s->return_to));
	codec_get_str(&r, s->rp, sizeof(s->rp));
	codec_get_str(&r, s->amr, sizeof(s->amr));
	s->loa = codec_get_u32(&r);
	s->binding_index = codec_get_u32(&r);
	s->auth_time = codec_get_u64(&r);
	s->created = codec_get_u64(&r);
	s->expires = codec_get_u64(&r);
	return (codec_reader_done(&r));
}

int
store_session_expired(struct store_txn *txn, const struct store_val *key,
    const struct store_val *val, uint64_t now)
{
	struct session	s;

	return (session_decode(val, &s) == 0 && s.expires <= now);
}

int
store_session_del(struct store_txn *txn, const char *key)
{
	return (store_del(txn, STORE_SESSIONS, key, strlen(key)));
}

/* The user ID is the record's first field (store_session_put()). */
static int
session_del_visit(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct session_del	*d = arg;
	struct codec_reader	 r;
	char			 user[USER_ID_MAX];

	if (key->len != SESSION_KEY_LEN)
		return (0);
	codec_reader_init(&r, val->data, val->len, SESSION_RECORD_VERSION);
	codec_get_str(&r, user, sizeof(user));
	if (r.error || strcmp(user, d->user_id) != 0)
		return (0);
	if (d->n == SESSION_DEL_BATCH) {
		d->more = 1;
		return (1);
	}
	memcpy(d->keys[d->n++], key->data, SESSION_KEY_LEN);
	return (0);
}

int
store_session_del_user(struct store_txn *txn, const char *user_id)
{
	struct session_del	d;
	int			i, total;

	/* Deleted after each pass, not under the scan's cursor. */
	total = 0;
	do {
		memset(&d, 0, sizeof(d));
		d.user_id = user_id;
		if (store_scan(txn, STORE_SESSIONS, NULL, 0, NULL, 0,
		    session_del_visit, &d) == -1)
			return (-1);
		for (i = 0; i < d.n; i++) {
			if (store_del(txn, STORE_SESSIONS, d.keys[i],
			    SESSION_KEY_LEN) == -1)
				return (-1);
		}
		total += d.n;
	} while (d.more);
	return (total);
}

int
store_continuation_add(struct store_txn *txn, struct continuation *c)
{
	struct codec_writer	w;
	int			rc;

	if (crypto_random_hex(c->id, sizeof(c->id),
	    CONTINUATION_ID_LEN / 2) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	codec_writer_init(&w, CONTINUATION_RECORD_VERSION);
	codec_put_str(&w, c->rp);
	codec_put_str(&w, c->return_to);
	codec_put_u64(&w, c->expires);
	if (codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, STORE_CONTINUATIONS, c->id,
		    CONTINUATION_ID_LEN, w.data, w.len, 0);
	codec_writer_free(&w);
	return (rc);
}

int
store_continuation_get(struct store_txn *txn, const char *id, uint64_t now,
    struct continuation *c)
{
	struct store_val	val;
	int			rc;

	memset(c, 0, sizeof(*c));
	if (strlen(id) != CONTINUATION_ID_LEN)
		return (STORE_NOTFOUND);
	if ((rc = store_get(txn, STORE_CONTINUATIONS, id,
	    CONTINUATION_ID_LEN, &val)) != 0)
		return (rc);
	if (continuation_decode(&val, c) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	memcpy(c->id, id, CONTINUATION_ID_LEN);
	return (c->expires > now ? 0 : STORE_NOTFOUND);
}

/* Decodes a continuation record into c (all but c->id). @return 0 or -1. */
static int
continuation_decode(const struct store_val *val, struct continuation *c)
{
	struct codec_reader	r;

	codec_reader_init(&r, val->data, val->len,
	    CONTINUATION_RECORD_VERSION);
	codec_get_str(&r, c->rp, sizeof(c->rp));
	codec_get_str(&r, c->return_to, sizeof(c->return_to));
	c->expires = codec_get_u64(&r);
	return (codec_reader_done(&r));
}

int
store_continuation_expired(struct store_txn *txn,
    const struct store_val *key, const struct store_val *val, uint64_t now)
{
	struct continuation	c;

	return (continuation_decode(val, &c) == 0 && c.expires <= now);
}
