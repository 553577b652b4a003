/*
 * Vetting case and event records.
 */
#include <string.h>

#include "codec.h"
#include "store_vetting.h"

#define VETTING_RECORD_VERSION		1
#define VETTING_EVENT_VERSION		1

#define KEY_CASE	'c'
#define KEY_CODE	'k'
#define KEY_USER	'u'
#define KEY_EVENT	'e'

#define NAME_MAX_LEN	40

struct case_scan {
	struct store_txn	*txn;
	size_t			 prefixlen;
	int			(*cb)(void *, const struct vetting_case *);
	void			*arg;
};

struct event_scan {
	struct store_txn	*txn;
	uint64_t		 from;
	int			(*cb)(void *, const struct vetting_event *);
	void			*arg;
};

static void	store_vetting_key(struct codec_writer *, int, const char *,
		    const char *);
static int	store_vetting_decode(const struct store_val *,
		    struct vetting_case *);
static int	store_vetting_case_one(void *, const struct store_val *,
		    const struct store_val *);
static int	store_vetting_user_one(void *, const struct store_val *,
		    const struct store_val *);
static int	store_vetting_event_decode(struct store_txn *,
		    const struct store_val *, struct vetting_event *);
static int	store_vetting_event_one(void *, const struct store_val *,
		    const struct store_val *);
static int	store_vetting_index_one(void *, const struct store_val *,
		    const struct store_val *);
static int	store_vetting_event_get(struct store_txn *, uint64_t,
		    struct vetting_event *);
static uint32_t	store_vetting_lookup(const char *, const char *(*)(uint32_t),
		    uint32_t);

/* A key: type byte, a, and when b is not NULL, 0x00 and b. */
static void
store_vetting_key(struct codec_writer *k, int type, const char *a,
    const char *b)
{
	codec_writer_init_key(k);
	codec_put_u8(k, (uint8_t)type);
	if (a != NULL)
		codec_put_raw(k, a, strlen(a));
	if (b != NULL) {
		codec_put_u8(k, 0);
		codec_put_raw(k, b, strlen(b));
	}
}

int
store_vetting_put(struct store_txn *txn, const struct vetting_case *c)
{
	struct codec_writer	w, k, u;
	int			rc;

	codec_writer_init(&w, VETTING_RECORD_VERSION);
	codec_put_str(&w, c->user_id);
	codec_put_u32(&w, c->loa);
	codec_put_u32(&w, c->channel);
	codec_put_u32(&w, c->purpose);
	codec_put_u32(&w, c->state);
	codec_put_u32(&w, c->done);
	codec_put_u32(&w, c->flags);
	codec_put_u32(&w, c->version);
	codec_put_u64(&w, c->created);
	codec_put_u64(&w, c->updated);
	codec_put_u64(&w, c->eligibility_at);
	codec_put_u64(&w, c->code_expires);
	codec_put_str(&w, c->code_hash);
	codec_put_str(&w, c->opened_by);
	codec_put_str(&w, c->staff);
	codec_put_str(&w, c->factor);
	codec_put_str(&w, c->binding_id);
	store_vetting_key(&k, KEY_CASE, c->id, NULL);
	store_vetting_key(&u, KEY_USER, c->user_id, c->id);

	rc = -1;
	if (strlen(c->id) != VETTING_ID_LEN || codec_writer_ok(&w) == -1 ||
	    codec_writer_ok(&k) == -1 || codec_writer_ok(&u) == -1)
		store_txn_fail(txn);
	else if (store_put(txn, STORE_VETTING, k.data, k.len, w.data, w.len,
	    0) == 0 && (c->user_id[0] == '\0' ||
	    store_put(txn, STORE_VETTING, u.data, u.len, "", 0, 0) == 0))
		rc = 0;
	codec_writer_free(&w);
	codec_writer_free(&k);
	codec_writer_free(&u);
	return (rc);
}

static int
store_vetting_decode(const struct store_val *val, struct vetting_case *c)
{
	struct codec_reader	r;

	codec_reader_init(&r, val->data, val->len, VETTING_RECORD_VERSION);
	codec_get_str(&r, c->user_id, sizeof(c->user_id));
	c->loa = codec_get_u32(&r);
	c->channel = codec_get_u32(&r);
	c->purpose = codec_get_u32(&r);
	c->state = codec_get_u32(&r);
	c->done = codec_get_u32(&r);
	c->flags = codec_get_u32(&r);
	c->version = codec_get_u32(&r);
	c->created = codec_get_u64(&r);
	c->updated = codec_get_u64(&r);
	c->eligibility_at = codec_get_u64(&r);
	c->code_expires = codec_get_u64(&r);
	codec_get_str(&r, c->code_hash, sizeof(c->code_hash));
	codec_get_str(&r, c->opened_by, sizeof(c->opened_by));
	codec_get_str(&r, c->staff, sizeof(c->staff));
	codec_get_str(&r, c->factor, sizeof(c->factor));
	codec_get_str(&r, c->binding_id, sizeof(c->binding_id));
	return (codec_reader_done(&r));
}

int
store_vetting_get(struct store_txn *txn, const char *id,
    struct vetting_case *c)
{
	struct codec_writer	k;
	struct store_val	val;
	int			rc;

	memset(c, 0, sizeof(*c));
	if (strlen(id) != VETTING_ID_LEN)
		return (STORE_NOTFOUND);
	store_vetting_key(&k, KEY_CASE, id, NULL);
	rc = codec_writer_ok(&k) == -1 ? -1 :
	    store_get(txn, STORE_VETTING, k.data, k.len, &val);
	codec_writer_free(&k);
	if (rc != 0)
		return (rc);
	strcpy(c->id, id);
	if (store_vetting_decode(&val, c) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

int
store_vetting_code_put(struct store_txn *txn, const char *hash,
    const char *case_id)
{
	struct codec_writer	k;
	int			rc;

	store_vetting_key(&k, KEY_CODE, hash, NULL);
	rc = codec_writer_ok(&k) == -1 ? -1 :
	    store_put(txn, STORE_VETTING, k.data, k.len, case_id,
	    strlen(case_id), 0);
	codec_writer_free(&k);
	return (rc);
}

int
store_vetting_code_get(struct store_txn *txn, const char *hash,
    char *case_id)
{
	struct codec_writer	k;
	struct store_val	val;
	int			rc;

	store_vetting_key(&k, KEY_CODE, hash, NULL);
	rc = codec_writer_ok(&k) == -1 ? -1 :
	    store_get(txn, STORE_VETTING, k.data, k.len, &val);
	codec_writer_free(&k);
	if (rc != 0)
		return (rc);
	if (val.len != VETTING_ID_LEN) {
		store_txn_fail(txn);
		return (-1);
	}
	memcpy(case_id, val.data, VETTING_ID_LEN);
	case_id[VETTING_ID_LEN] = '\0';
	return (0);
}

int
store_vetting_code_del(struct store_txn *txn, const char *hash)
{
	struct codec_writer	k;
	int			rc;

	store_vetting_key(&k, KEY_CODE, hash, NULL);
	rc = codec_writer_ok(&k) == -1 ? -1 :
	    store_del(txn, STORE_VETTING, k.data, k.len);
	codec_writer_free(&k);
	return (rc);
}

static int
store_vetting_case_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct case_scan	*s;
	struct vetting_case	 c;

	s = arg;
	if (key->len != 1 + VETTING_ID_LEN)
		return (-1);
	memset(&c, 0, sizeof(c));
	memcpy(c.id, (const char *)key->data + 1, VETTING_ID_LEN);
	if (store_vetting_decode(val, &c) == -1)
		return (-1);
	return (s->cb(s->arg, &c));
}

static int
store_vetting_user_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct case_scan	*s;
	struct vetting_case	 c;
	char			 id[VETTING_ID_LEN + 1];

	s = arg;
	if (key->len != s->prefixlen + VETTING_ID_LEN)
		return (-1);
	memcpy(id, (const char *)key->data + s->prefixlen, VETTING_ID_LEN);
	id[VETTING_ID_LEN] = '\0';
	if (store_vetting_get(s->txn, id, &c) != 0)
		return (-1);
	return (s->cb(s->arg, &c));
}

int
store_vetting_scan(struct store_txn *txn, const char *user_id,
    int (*cb)(void *, const struct vetting_case *), void *arg)
{
	struct codec_writer	k;
	struct case_scan	s;
	int			rc;

	s.txn = txn;
	s.cb = cb;
	s.arg = arg;
	if (user_id == NULL)
		store_vetting_key(&k, KEY_CASE, NULL, NULL);
	else
		store_vetting_key(&k, KEY_USER, user_id, "");
	s.prefixlen = k.len;
	rc = codec_writer_ok(&k) == -1 ? -1 :
	    store_scan(txn, STORE_VETTING, k.data, k.len, NULL, 0,
	    user_id == NULL ? store_vetting_case_one : store_vetting_user_one,
	    &s);
	codec_writer_free(&k);
	return (rc);
}

int
store_vetting_event_append(struct store_txn *txn, struct vetting_event *ev)
{
	struct codec_writer	w, k;
	int			rc;

	codec_writer_init(&w, VETTING_EVENT_VERSION);
	codec_put_u64(&w, ev->time);
	codec_put_str(&w, ev->case_id);
	codec_put_str(&w, vetting_action_name(ev->action) != NULL ?
	    vetting_action_name(ev->action) : "?");
	codec_put_str(&w, vetting_outcome_name(ev->outcome));
	codec_put_str(&w, vetting_role_name(ev->role));
	codec_put_str(&w, ev->actor);
	codec_put_str(&w, ev->evidence);

	rc = -1;
	if (strlen(ev->case_id) != VETTING_ID_LEN ||
	    vetting_action_name(ev->action) == NULL ||
	    codec_writer_ok(&w) == -1) {
		codec_writer_free(&w);
		store_txn_fail(txn);
		return (-1);
	}
	if (store_chain_append(txn, STORE_VETTING_EVENTS, w.data, w.len,
	    &ev->seq, ev->link) == 0) {
		store_vetting_key(&k, KEY_EVENT, ev->case_id, NULL);
		codec_put_u64(&k, ev->seq);
		if (codec_writer_ok(&k) == 0 && store_put(txn, STORE_VETTING,
		    k.data, k.len, "", 0, STORE_NOOVERWRITE) == 0)
			rc = 0;
		else
			store_txn_fail(txn);
		codec_writer_free(&k);
	}
	codec_writer_free(&w);
	return (rc);
}

/* The number whose name is name, or fallback. */
static uint32_t
store_vetting_lookup(const char *name, const char *(*fn)(uint32_t),
    uint32_t fallback)
{
	uint32_t	i;

	for (i = 1; i < 8; i++) {
		if (strcmp(fn(i), name) == 0)
			return (i);
	}
	return (fallback);
}

static int
store_vetting_event_decode(struct store_txn *txn, const struct store_val *val,
    struct vetting_event *ev)
{
	struct codec_reader	r;
	char			action[NAME_MAX_LEN], outcome[NAME_MAX_LEN];
	char			role[NAME_MAX_LEN];
	int			a;

	codec_reader_init(&r, val->data, val->len, VETTING_EVENT_VERSION);
	ev->time = codec_get_u64(&r);
	codec_get_str(&r, ev->case_id, sizeof(ev->case_id));
	codec_get_str(&r, action, sizeof(action));
	codec_get_str(&r, outcome, sizeof(outcome));
	codec_get_str(&r, role, sizeof(role));
	codec_get_str(&r, ev->actor, sizeof(ev->actor));
	codec_get_str(&r, ev->evidence, sizeof(ev->evidence));
	if (codec_reader_done(&r) == -1 ||
	    (a = vetting_action_from_name(action)) == -1 ||
	    store_chain_get(txn, STORE_VETTING_EVENTS, ev->seq,
	    ev->link) == -1)
		return (-1);
	ev->action = (uint32_t)a;
	ev->outcome = store_vetting_lookup(outcome, vetting_outcome_name, 0);
	ev->role = store_vetting_lookup(role, vetting_role_name, 0);
	return (0);
}

static int
store_vetting_event_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct event_scan	*s;
	struct vetting_event	 ev;

	s = arg;
	if (key->len != 8)
		return (-1);
	memset(&ev, 0, sizeof(ev));
	ev.seq = codec_from_be64(key->data);
	if (store_vetting_event_decode(s->txn, val, &ev) == -1)
		return (-1);
	return (s->cb(s->arg, &ev));
}

static int
store_vetting_event_get(struct store_txn *txn, uint64_t seq,
    struct vetting_event *ev)
{
	struct store_val	val;
	unsigned char		key[8];
	int			rc;

	memset(ev, 0, sizeof(*ev));
	codec_be64(key, seq);
	if ((rc = store_get(txn, STORE_VETTING_EVENTS, key, sizeof(key),
	    &val)) != 0)
		return (rc);
	ev->seq = seq;
	return (store_vetting_event_decode(txn, &val, ev));
}

static int
store_vetting_index_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct event_scan	*s;
	struct vetting_event	 ev;
	uint64_t		 seq;

	s = arg;
	if (key->len != 1 + VETTING_ID_LEN + 8)
		return (-1);
	seq = codec_from_be64((const unsigned char *)key->data + 1 +
	    VETTING_ID_LEN);
	if (seq < s->from)
		return (0);
	if (store_vetting_event_get(s->txn, seq, &ev) != 0)
		return (-1);
	return (s->cb(s->arg, &ev));
}

int
store_vetting_event_scan(struct store_txn *txn, const char *case_id,
    uint64_t from, int (*cb)(void *, const struct vetting_event *),
    void *arg)
{
	struct codec_writer	k;
	struct event_scan	s;
	unsigned char		start[8];
	int			rc;

	s.txn = txn;
	s.from = from;
	s.cb = cb;
	s.arg = arg;
	if (case_id == NULL) {
		codec_be64(start, from);
		return (store_scan(txn, STORE_VETTING_EVENTS, NULL, 0, start,
		    sizeof(start), store_vetting_event_one, &s));
	}
	if (strlen(case_id) != VETTING_ID_LEN)
		return (0);
	store_vetting_key(&k, KEY_EVENT, case_id, NULL);
	rc = codec_writer_ok(&k) == -1 ? -1 :
	    store_scan(txn, STORE_VETTING, k.data, k.len, NULL, 0,
	    store_vetting_index_one, &s);
	codec_writer_free(&k);
	return (rc);
}
