/*
 * SAML records: replay cache, waiting requests, NameIDs, participants.
 */
#include <string.h>

#include "codec.h"
#include "crypto.h"
#include "store_saml.h"
#include "store_session.h"

#define SAML_RECORD_VERSION	1
/* 2: the hop's SP, the PartialLogout answer and the partial flag. */
#define SAML_LOGOUT_VERSION	2

struct participant_list {
	struct saml_participant	*out;
	int			 max;
	int			 n;
	size_t			 prefixlen;
};

static void	store_saml_pair_key(struct codec_writer *, const char *,
		    const char *);
static int	store_saml_participant_one(void *, const struct store_val *,
		    const struct store_val *);

/* Key "a" 0x00 "b" (b may be NULL for the prefix). */
static void
store_saml_pair_key(struct codec_writer *k, const char *a, const char *b)
{
	codec_writer_init_key(k);
	codec_put_raw(k, a, strlen(a));
	codec_put_u8(k, 0);
	if (b != NULL)
		codec_put_raw(k, b, strlen(b));
}

int
store_saml_replay_add(struct store_txn *txn, const char *id,
    uint64_t expires, uint64_t now)
{
	struct store_val	val;
	unsigned char		buf[8];
	int			rc;

	if (strlen(id) == 0 || strlen(id) >= SAML_ID_MAX) {
		store_txn_fail(txn);
		return (-1);
	}
	rc = store_get(txn, STORE_SAML_REPLAY, id, strlen(id), &val);
	if (rc == -1)
		return (-1);
	if (rc == 0 && val.len == 8 && codec_from_be64(val.data) > now)
		return (STORE_EXISTS);
	codec_be64(buf, expires);
	return (store_put(txn, STORE_SAML_REPLAY, id, strlen(id), buf,
	    sizeof(buf), 0));
}

int
store_saml_replay_seen(struct store_txn *txn, const char *id, uint64_t now)
{
	struct store_val	val;
	int			rc;

	if (strlen(id) == 0 || strlen(id) >= SAML_ID_MAX)
		return (-1);
	rc = store_get(txn, STORE_SAML_REPLAY, id, strlen(id), &val);
	if (rc == -1)
		return (-1);
	return (rc == 0 && val.len == 8 && codec_from_be64(val.data) > now);
}

int
store_saml_pending_add(struct store_txn *txn, struct saml_pending *p)
{
	struct codec_writer	w;
	int			rc;

	if (crypto_random_hex(p->id, sizeof(p->id),
	    SAML_REQUEST_KEY_LEN / 2) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	codec_writer_init(&w, SAML_RECORD_VERSION);
	codec_put_u32(&w, p->binding);
	codec_put_str(&w, p->msg);
	codec_put_str(&w, p->relay_state);
	codec_put_u64(&w, p->received);
	codec_put_u64(&w, p->expires);
	if (codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, STORE_SAML_REQUESTS, p->id,
		    SAML_REQUEST_KEY_LEN, w.data, w.len, 0);
	codec_writer_free(&w);
	return (rc);
}

int
store_saml_pending_take(struct store_txn *txn, const char *id, uint64_t now,
    struct saml_pending *p)
{
	struct store_val	val;
	struct codec_reader	r;
	int			rc;

	memset(p, 0, sizeof(*p));
	if (strlen(id) != SAML_REQUEST_KEY_LEN)
		return (STORE_NOTFOUND);
	if ((rc = store_get(txn, STORE_SAML_REQUESTS, id,
	    SAML_REQUEST_KEY_LEN, &val)) != 0)
		return (rc);
	memcpy(p->id, id, SAML_REQUEST_KEY_LEN);
	codec_reader_init(&r, val.data, val.len, SAML_RECORD_VERSION);
	p->binding = codec_get_u32(&r);
	codec_get_str(&r, p->msg, sizeof(p->msg));
	codec_get_str(&r, p->relay_state, sizeof(p->relay_state));
	p->received = codec_get_u64(&r);
	p->expires = codec_get_u64(&r);
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	if (store_del(txn, STORE_SAML_REQUESTS, id, SAML_REQUEST_KEY_LEN) ==
	    -1)
		return (-1);
	return (p->expires > now ? 0 : STORE_NOTFOUND);
}

int
store_saml_nameid(struct store_txn *txn, const char *user_id,
    const char *sp, char *out, size_t outlen)
{
	struct codec_writer	k;
	struct store_val	val;
	char			id[2 * 20 + 2];
	int			rc;

	store_saml_pair_key(&k, user_id, sp);
	rc = codec_writer_ok(&k) == -1 ? -1 :
	    store_get(txn, STORE_SAML_NAMEIDS, k.data, k.len, &val);
	if (rc == 0) {
		if (val.len >= outlen) {
			store_txn_fail(txn);
			rc = -1;
		} else {
			memcpy(out, val.data, val.len);
			out[val.len] = '\0';
		}
	} else if (rc == STORE_NOTFOUND) {
		/* Random, not derived: it cannot be linked across SPs. */
		id[0] = '_';
		if (crypto_random_hex(id + 1, sizeof(id) - 1, 20) == -1 ||
		    strlen(id) >= outlen)
			rc = -1;
		else if ((rc = store_put(txn, STORE_SAML_NAMEIDS, k.data,
		    k.len, id, strlen(id), 0)) == 0)
			strcpy(out, id);
	}
	codec_writer_free(&k);
	if (rc == -1)
		store_txn_fail(txn);
	return (rc);
}

int
store_saml_participant_add(struct store_txn *txn, const char *session_key,
    const struct saml_participant *p)
{
	struct codec_writer	k, w;
	int			rc;

	store_saml_pair_key(&k, session_key, p->sp);
	codec_writer_init(&w, SAML_RECORD_VERSION);
	codec_put_str(&w, p->name_id);
	codec_put_str(&w, p->format);
	codec_put_str(&w, p->session_index);
	if (codec_writer_ok(&k) == -1 || codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, STORE_SAML_PARTICIPANTS, k.data, k.len,
		    w.data, w.len, 0);
	codec_writer_free(&k);
	codec_writer_free(&w);
	return (rc);
}

static int
store_saml_participant_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct participant_list	*l = arg;
	struct saml_participant	*p;
	struct codec_reader	 r;
	size_t			 splen;

	p = &l->out[l->n];
	memset(p, 0, sizeof(*p));
	splen = key->len - l->prefixlen;
	if (splen >= sizeof(p->sp))
		return (-1);
	memcpy(p->sp, (const char *)key->data + l->prefixlen, splen);
	codec_reader_init(&r, val->data, val->len, SAML_RECORD_VERSION);
	codec_get_str(&r, p->name_id, sizeof(p->name_id));
	codec_get_str(&r, p->format, sizeof(p->format));
	codec_get_str(&r, p->session_index, sizeof(p->session_index));
	if (codec_reader_done(&r) == -1)
		return (-1);
	l->n++;
	return (l->n == l->max ? 1 : 0);
}

int
store_saml_participants(struct store_txn *txn, const char *session_key,
    struct saml_participant *out, int max)
{
	struct codec_writer	k;
	struct participant_list	l;
	int			rc;

	store_saml_pair_key(&k, session_key, NULL);
	l.out = out;
	l.max = max;
	l.n = 0;
	l.prefixlen = k.len;
	rc = codec_writer_ok(&k) == -1 || max <= 0 ? -1 :
	    store_scan(txn, STORE_SAML_PARTICIPANTS, k.data, k.len, NULL, 0,
	    store_saml_participant_one, &l);
	codec_writer_free(&k);
	return (rc == -1 ? -1 : l.n);
}

int
store_saml_participant_del(struct store_txn *txn, const char *session_key,
    const char *sp)
{
	struct codec_writer	k;
	int			rc;

	store_saml_pair_key(&k, session_key, sp);
	rc = codec_writer_ok(&k) == -1 ? -1 :
	    store_del(txn, STORE_SAML_PARTICIPANTS, k.data, k.len);
	codec_writer_free(&k);
	return (rc);
}

int
store_saml_logout_put(struct store_txn *txn, struct saml_logout *l)
{
	struct codec_writer	w;
	uint32_t		i;
	int			rc;

	if (l->id[0] == '\0' && crypto_random_hex(l->id, sizeof(l->id),
	    SAML_REQUEST_KEY_LEN / 2) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	codec_writer_init(&w, SAML_LOGOUT_VERSION);
	codec_put_str(&w, l->final_url);
	codec_put_str(&w, l->final_body);
	codec_put_str(&w, l->final_relay);
	codec_put_u64(&w, l->expires);
	codec_put_str(&w, l->waiting);
	codec_put_str(&w, l->partial_url);
	codec_put_str(&w, l->partial_body);
	codec_put_u32(&w, l->partial);
	codec_put_u32(&w, l->nremaining);
	for (i = 0; i < l->nremaining && i < SAML_LOGOUT_SPS; i++) {
		codec_put_str(&w, l->remaining[i].sp);
		codec_put_str(&w, l->remaining[i].name_id);
		codec_put_str(&w, l->remaining[i].format);
		codec_put_str(&w, l->remaining[i].session_index);
	}
	if (l->nremaining > SAML_LOGOUT_SPS || codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, STORE_SAML_LOGOUTS, l->id,
		    SAML_REQUEST_KEY_LEN, w.data, w.len, 0);
	codec_writer_free(&w);
	return (rc);
}

int
store_saml_logout_take(struct store_txn *txn, const char *id, uint64_t now,
    struct saml_logout *l)
{
	struct store_val	val;
	struct codec_reader	r;
	uint32_t		i;
	int			rc;

	memset(l, 0, sizeof(*l));
	if (strlen(id) != SAML_REQUEST_KEY_LEN)
		return (STORE_NOTFOUND);
	if ((rc = store_get(txn, STORE_SAML_LOGOUTS, id,
	    SAML_REQUEST_KEY_LEN, &val)) != 0)
		return (rc);
	memcpy(l->id, id, SAML_REQUEST_KEY_LEN);
	codec_reader_init(&r, val.data, val.len, SAML_LOGOUT_VERSION);
	codec_get_str(&r, l->final_url, sizeof(l->final_url));
	codec_get_str(&r, l->final_body, sizeof(l->final_body));
	codec_get_str(&r, l->final_relay, sizeof(l->final_relay));
	l->expires = codec_get_u64(&r);
	codec_get_str(&r, l->waiting, sizeof(l->waiting));
	codec_get_str(&r, l->partial_url, sizeof(l->partial_url));
	codec_get_str(&r, l->partial_body, sizeof(l->partial_body));
	l->partial = codec_get_u32(&r);
	l->nremaining = codec_get_u32(&r);
	if (l->nremaining > SAML_LOGOUT_SPS)
		l->nremaining = 0;
	for (i = 0; i < l->nremaining; i++) {
		codec_get_str(&r, l->remaining[i].sp,
		    sizeof(l->remaining[i].sp));
		codec_get_str(&r, l->remaining[i].name_id,
		    sizeof(l->remaining[i].name_id));
		codec_get_str(&r, l->remaining[i].format,
		    sizeof(l->remaining[i].format));
		codec_get_str(&r, l->remaining[i].session_index,
		    sizeof(l->remaining[i].session_index));
	}
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	if (store_del(txn, STORE_SAML_LOGOUTS, id, SAML_REQUEST_KEY_LEN) == -1)
		return (-1);
	return (l->expires > now ? 0 : STORE_NOTFOUND);
}

int
store_saml_replay_expired(struct store_txn *txn, const struct store_val *key,
    const struct store_val *val, uint64_t now)
{
	return (val->len == 8 && codec_from_be64(val->data) <= now);
}

int
store_saml_pending_expired(struct store_txn *txn,
    const struct store_val *key, const struct store_val *val, uint64_t now)
{
	struct codec_reader	r;
	uint64_t		expires;

	/* binding, msg, relay_state, received, expires */
	codec_reader_init(&r, val->data, val->len, SAML_RECORD_VERSION);
	(void)codec_get_u32(&r);
	codec_skip(&r);
	codec_skip(&r);
	(void)codec_get_u64(&r);
	expires = codec_get_u64(&r);
	return (codec_reader_done(&r) == 0 && expires <= now);
}

int
store_saml_logout_expired(struct store_txn *txn, const struct store_val *key,
    const struct store_val *val, uint64_t now)
{
	struct codec_reader	r;
	uint64_t		expires;

	/* A logout of an older version cannot be read: it goes. */
	if (val->len < 1 || *(const unsigned char *)val->data !=
	    SAML_LOGOUT_VERSION)
		return (1);
	/* final_url, final_body, final_relay, expires, then the rest */
	codec_reader_init(&r, val->data, val->len, SAML_LOGOUT_VERSION);
	codec_skip(&r);
	codec_skip(&r);
	codec_skip(&r);
	expires = codec_get_u64(&r);
	return (r.error == 0 && expires <= now);
}

/* A participant lives as long as its session (key: session key 0x00 SP). */
int
store_saml_participant_expired(struct store_txn *txn,
    const struct store_val *key, const struct store_val *val, uint64_t now)
{
	struct store_val	 session;
	const char		*end;
	int			 rc;

	if ((end = memchr(key->data, '\0', key->len)) == NULL)
		return (0);
	rc = store_get(txn, STORE_SESSIONS, key->data,
	    (size_t)(end - (const char *)key->data), &session);
	if (rc == STORE_NOTFOUND)
		return (1);
	return (rc == 0 && store_session_expired(txn, NULL, &session, now));
}
