/*
 * Server-authentication request, pending and alert records.
 */
#include <string.h>

#include "codec.h"
#include "store_oob.h"

#define OOB_RECORD_VERSION	1
#define ALERT_RECORD_VERSION	1

struct alert_scan {
	int		(*cb)(void *, const struct oob_alert *);
	void		*arg;
	size_t		 prefixlen;
};

static int	store_oob_alert_one(void *, const struct store_val *,
		    const struct store_val *);

int
store_oob_request_put(struct store_txn *txn, const struct oob_request *req)
{
	struct codec_writer	w;
	int			rc;

	codec_writer_init(&w, OOB_RECORD_VERSION);
	codec_put_str(&w, req->user_id);
	codec_put_str(&w, req->binding_id);
	codec_put_str(&w, req->session_key);
	codec_put_str(&w, req->offset);
	codec_put_u64(&w, req->created);
	codec_put_u64(&w, req->expires);
	codec_put_u32(&w, req->state);
	codec_put_u32(&w, req->loa);
	codec_put_str(&w, req->reason);
	if (strlen(req->id) != OOB_REQUEST_ID_LEN ||
	    codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, STORE_OOB_REQUESTS, req->id,
		    OOB_REQUEST_ID_LEN, w.data, w.len, 0);
	codec_writer_free(&w);
	return (rc);
}

int
store_oob_request_get(struct store_txn *txn, const char *id,
    struct oob_request *req)
{
	struct store_val	val;
	struct codec_reader	r;
	int			rc;

	memset(req, 0, sizeof(*req));
	if (strlen(id) != OOB_REQUEST_ID_LEN)
		return (STORE_NOTFOUND);
	if ((rc = store_get(txn, STORE_OOB_REQUESTS, id, OOB_REQUEST_ID_LEN,
	    &val)) != 0)
		return (rc);
	memcpy(req->id, id, OOB_REQUEST_ID_LEN);
	codec_reader_init(&r, val.data, val.len, OOB_RECORD_VERSION);
	codec_get_str(&r, req->user_id, sizeof(req->user_id));
	codec_get_str(&r, req->binding_id, sizeof(req->binding_id));
	codec_get_str(&r, req->session_key, sizeof(req->session_key));
	codec_get_str(&r, req->offset, sizeof(req->offset));
	req->created = codec_get_u64(&r);
	req->expires = codec_get_u64(&r);
	req->state = codec_get_u32(&r);
	req->loa = codec_get_u32(&r);
	codec_get_str(&r, req->reason, sizeof(req->reason));
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

int
store_oob_pending_set(struct store_txn *txn, const char *user_id,
    const char *request_id)
{
	return (store_put(txn, STORE_OOB_PENDING, user_id, strlen(user_id),
	    request_id, strlen(request_id), 0));
}

int
store_oob_pending_get(struct store_txn *txn, const char *user_id, char *out)
{
	struct store_val	val;
	int			rc;

	if ((rc = store_get(txn, STORE_OOB_PENDING, user_id, strlen(user_id),
	    &val)) != 0)
		return (rc);
	if (val.len != OOB_REQUEST_ID_LEN) {
		store_txn_fail(txn);
		return (-1);
	}
	memcpy(out, val.data, OOB_REQUEST_ID_LEN);
	out[OOB_REQUEST_ID_LEN] = '\0';
	return (0);
}

int
store_oob_pending_clear(struct store_txn *txn, const char *user_id)
{
	return (store_del(txn, STORE_OOB_PENDING, user_id, strlen(user_id)));
}

int
store_oob_alert_add(struct store_txn *txn, const char *user_id,
    const struct oob_alert *alert)
{
	struct codec_writer	k, w;
	int			rc;

	codec_writer_init_key(&k);
	codec_put_raw(&k, user_id, strlen(user_id));
	codec_put_u8(&k, 0);
	codec_put_u64(&k, alert->time);
	codec_put_raw(&k, alert->binding_id, strlen(alert->binding_id));
	codec_writer_init(&w, ALERT_RECORD_VERSION);
	codec_put_str(&w, alert->binding_id);
	codec_put_str(&w, alert->offset);
	if (codec_writer_ok(&k) == -1 || codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, STORE_ALERTS, k.data, k.len, w.data,
		    w.len, 0);
	codec_writer_free(&k);
	codec_writer_free(&w);
	return (rc);
}

static int
store_oob_alert_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct alert_scan	*scan;
	struct oob_alert	 alert;
	struct codec_reader	 r;

	scan = arg;
	if (key->len < scan->prefixlen + 8)
		return (-1);
	memset(&alert, 0, sizeof(alert));
	alert.time = codec_from_be64((const unsigned char *)key->data +
	    scan->prefixlen);
	codec_reader_init(&r, val->data, val->len, ALERT_RECORD_VERSION);
	codec_get_str(&r, alert.binding_id, sizeof(alert.binding_id));
	codec_get_str(&r, alert.offset, sizeof(alert.offset));
	if (codec_reader_done(&r) == -1)
		return (-1);
	return (scan->cb(scan->arg, &alert));
}

int
store_oob_alert_scan(struct store_txn *txn, const char *user_id,
    uint64_t since, int (*cb)(void *, const struct oob_alert *), void *arg)
{
	struct codec_writer	prefix, from;
	struct alert_scan	scan;
	int			rc;

	codec_writer_init_key(&prefix);
	codec_put_raw(&prefix, user_id, strlen(user_id));
	codec_put_u8(&prefix, 0);
	codec_writer_init_key(&from);
	codec_put_raw(&from, prefix.data, prefix.len);
	codec_put_u64(&from, since);
	scan.cb = cb;
	scan.arg = arg;
	scan.prefixlen = prefix.len;
	if (codec_writer_ok(&prefix) == -1 || codec_writer_ok(&from) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_scan(txn, STORE_ALERTS, prefix.data, prefix.len,
		    from.data, from.len, store_oob_alert_one, &scan);
	codec_writer_free(&prefix);
	codec_writer_free(&from);
	return (rc);
}

int
store_oob_request_expired(struct store_txn *txn,
    const struct store_val *key, const struct store_val *val, uint64_t now)
{
	struct codec_reader	r;
	uint64_t		expires;

	/* user, binding, session key, offset, created, expires, ... */
	codec_reader_init(&r, val->data, val->len, OOB_RECORD_VERSION);
	codec_skip(&r);
	codec_skip(&r);
	codec_skip(&r);
	codec_skip(&r);
	(void)codec_get_u64(&r);
	expires = codec_get_u64(&r);
	return (r.error == 0 && expires + OOB_REQUEST_KEEP <= now);
}
