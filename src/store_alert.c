/*
 * Help-desk alert records.
 */
#include <string.h>

#include "codec.h"
#include "store_alert.h"

#define ALERT_VERSION	1

struct open_scan {
	struct store_txn	*txn;
	int			(*cb)(void *, const struct alert *);
	void			*arg;
};

static void	store_alert_open_key(struct codec_writer *,
		    const struct alert *);
static int	store_alert_open_one(void *, const struct store_val *,
		    const struct store_val *);

static void
store_alert_open_key(struct codec_writer *k, const struct alert *a)
{
	codec_writer_init_key(k);
	codec_put_u64(k, a->raised);
	codec_put_raw(k, a->id, strlen(a->id));
}

int
store_alert_put(struct store_txn *txn, const struct alert *a)
{
	struct codec_writer	w, k;
	int			rc;

	codec_writer_init(&w, ALERT_VERSION);
	codec_put_str(&w, a->user_id);
	codec_put_str(&w, a->binding_id);
	codec_put_str(&w, a->offset);
	codec_put_u64(&w, a->raised);
	codec_put_u32(&w, a->state);
	codec_put_u32(&w, a->outcome);
	codec_put_u64(&w, a->closed);
	codec_put_str(&w, a->closed_by);
	codec_put_str(&w, a->note);
	store_alert_open_key(&k, a);
	rc = -1;
	if (strlen(a->id) != ALERT_ID_LEN || codec_writer_ok(&w) == -1 ||
	    codec_writer_ok(&k) == -1)
		store_txn_fail(txn);
	else if (store_put(txn, STORE_DESK_ALERTS, a->id, ALERT_ID_LEN,
	    w.data, w.len, 0) == 0) {
		if (a->state == ALERT_OPEN)
			rc = store_put(txn, STORE_DESK_ALERTS_OPEN, k.data,
			    k.len, "", 0, 0);
		else
			rc = store_del(txn, STORE_DESK_ALERTS_OPEN, k.data,
			    k.len) == -1 ? -1 : 0;
	}
	codec_writer_free(&w);
	codec_writer_free(&k);
	return (rc);
}

int
store_alert_get(struct store_txn *txn, const char *id, struct alert *a)
{
	struct codec_reader	r;
	struct store_val	val;
	int			rc;

	memset(a, 0, sizeof(*a));
	if (strlen(id) != ALERT_ID_LEN)
		return (STORE_NOTFOUND);
	if ((rc = store_get(txn, STORE_DESK_ALERTS, id, ALERT_ID_LEN,
	    &val)) != 0)
		return (rc);
	memcpy(a->id, id, ALERT_ID_LEN);
	codec_reader_init(&r, val.data, val.len, ALERT_VERSION);
	codec_get_str(&r, a->user_id, sizeof(a->user_id));
	codec_get_str(&r, a->binding_id, sizeof(a->binding_id));
	codec_get_str(&r, a->offset, sizeof(a->offset));
	a->raised = codec_get_u64(&r);
	a->state = codec_get_u32(&r);
	a->outcome = codec_get_u32(&r);
	a->closed = codec_get_u64(&r);
	codec_get_str(&r, a->closed_by, sizeof(a->closed_by));
	codec_get_str(&r, a->note, sizeof(a->note));
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

static int
store_alert_open_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct open_scan	*s;
	struct alert		 a;
	char			 id[ALERT_ID_LEN + 1];

	s = arg;
	if (key->len != 8 + ALERT_ID_LEN)
		return (-1);
	memcpy(id, (const unsigned char *)key->data + 8, ALERT_ID_LEN);
	id[ALERT_ID_LEN] = '\0';
	if (store_alert_get(s->txn, id, &a) != 0)
		return (-1);
	return (s->cb(s->arg, &a));
}

int
store_alert_open_scan(struct store_txn *txn,
    int (*cb)(void *, const struct alert *), void *arg)
{
	struct open_scan	s;

	s.txn = txn;
	s.cb = cb;
	s.arg = arg;
	return (store_scan(txn, STORE_DESK_ALERTS_OPEN, NULL, 0, NULL, 0,
	    store_alert_open_one, &s));
}
