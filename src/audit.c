/*
 * Append-only audit records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "codec.h"
#include "crypto.h"
#include "log.h"

#define AUDIT_RECORD_VERSION	1

struct audit_pending {
	struct audit_record	rec;
	int			appended;	/* in the transaction */
};

struct audit_scan_ctx {
	struct store_txn	*txn;
	int			(*cb)(void *, const struct audit_record *);
	void			*arg;
};

static void	audit_truncate(char *, size_t, const char *);
static void	audit_log_line(const struct audit_record *, int);
static void	audit_logged(void *, int);
static int	audit_scan_one(void *, const struct store_val *,
		    const struct store_val *);

static void
audit_truncate(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src == NULL ? "" : src);
}

/* The log line of an audit record: seq and link, or "-" when not stored. */
static void
audit_log_line(const struct audit_record *rec, int stored)
{
	char	seq[24], link[2 * STORE_CHAIN_LEN + 1];

	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)rec->seq);
	crypto_hex(rec->link, sizeof(rec->link), link);
	log_event("audit", "audit_event", rec->event, "actor", rec->actor,
	    "subject", rec->subject, "outcome", rec->outcome, "detail",
	    rec->detail, "seq", stored ? seq : "-", "chain",
	    stored ? link : "-", (char *)NULL);
}

/* store_txn_on_end(): the line goes out when the transaction ends. */
static void
audit_logged(void *arg, int committed)
{
	struct audit_pending	*p = arg;

	audit_log_line(&p->rec, committed && p->appended);
	free(p);
}

int
audit_write(struct store_txn *txn, const char *event, const char *actor,
    const char *subject, const char *outcome, const char *detail)
{
	struct codec_writer	 w;
	struct audit_record	 rec;
	struct audit_pending	*p;
	struct timespec		 ts;
	int			 rc;

	memset(&rec, 0, sizeof(rec));
	clock_gettime(CLOCK_REALTIME, &ts);
	rec.time = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	audit_truncate(rec.event, sizeof(rec.event), event);
	audit_truncate(rec.actor, sizeof(rec.actor), actor);
	audit_truncate(rec.subject, sizeof(rec.subject), subject);
	audit_truncate(rec.outcome, sizeof(rec.outcome), outcome);
	audit_truncate(rec.detail, sizeof(rec.detail), detail);

	codec_writer_init(&w, AUDIT_RECORD_VERSION);
	codec_put_u64(&w, rec.time);
	codec_put_str(&w, rec.event);
	codec_put_str(&w, rec.actor);
	codec_put_str(&w, rec.subject);
	codec_put_str(&w, rec.outcome);
	codec_put_str(&w, rec.detail);
	if (codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_chain_append(txn, STORE_AUDIT, w.data, w.len,
		    &rec.seq, rec.link);
	codec_writer_free(&w);

	/*
	 * Logged when the transaction ends, with its seq and link only if
	 * it committed: a logged link is then always one the store holds
	 * (the log anchors the chain, store_chain.h), and an event whose
	 * change did not land is still logged, as not stored.
	 */
	if ((p = malloc(sizeof(*p))) == NULL) {
		audit_log_line(&rec, 0);
		return (rc);
	}
	p->rec = rec;
	p->appended = rc == 0;
	if (store_txn_on_end(txn, audit_logged, p) == -1) {
		audit_log_line(&rec, 0);
		free(p);
	}
	return (rc);
}

static int
audit_scan_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct audit_scan_ctx	*ctx;
	struct audit_record	 rec;
	struct codec_reader	 r;

	ctx = arg;
	if (key->len != 8)
		return (-1);
	memset(&rec, 0, sizeof(rec));
	rec.seq = codec_from_be64(key->data);
	codec_reader_init(&r, val->data, val->len, AUDIT_RECORD_VERSION);
	rec.time = codec_get_u64(&r);
	codec_get_str(&r, rec.event, sizeof(rec.event));
	codec_get_str(&r, rec.actor, sizeof(rec.actor));
	codec_get_str(&r, rec.subject, sizeof(rec.subject));
	codec_get_str(&r, rec.outcome, sizeof(rec.outcome));
	codec_get_str(&r, rec.detail, sizeof(rec.detail));
	if (codec_reader_done(&r) == -1 ||
	    store_chain_get(ctx->txn, STORE_AUDIT, rec.seq, rec.link) == -1)
		return (-1);
	return (ctx->cb(ctx->arg, &rec));
}

int
audit_scan(struct store_txn *txn, uint64_t from,
    int (*cb)(void *, const struct audit_record *), void *arg)
{
	struct audit_scan_ctx	ctx;
	unsigned char		key[8];

	ctx.txn = txn;
	ctx.cb = cb;
	ctx.arg = arg;
	codec_be64(key, from);
	return (store_scan(txn, STORE_AUDIT, NULL, 0, key, sizeof(key),
	    audit_scan_one, &ctx));
}
