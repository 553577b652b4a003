/*
 * Fixed-window rate limits stored in LMDB.
 */
#include <string.h>

#include "codec.h"
#include "ratelimit.h"

#define RATELIMIT_RECORD_VERSION	1

const struct ratelimit_rule	RATELIMIT_LOGIN_USER = { "login.user", 10, 600 };
const struct ratelimit_rule	RATELIMIT_LOGIN_ADDR = { "login.addr", 30, 600 };
const struct ratelimit_rule	RATELIMIT_DIRECTORY_ADDR =
	{ "directory.addr", 60, 600 };
const struct ratelimit_rule	RATELIMIT_PASSWORD_USER =
	{ "password.user", 5, 900 };
const struct ratelimit_rule	RATELIMIT_PASSWORD_ADDR =
	{ "password.addr", 20, 900 };
const struct ratelimit_rule	RATELIMIT_APPROVE_BINDING =
	{ "approve.binding", 10, 600 };
const struct ratelimit_rule	RATELIMIT_REGISTER_ADDR =
	{ "register.addr", 10, 600 };

static int	ratelimit_apply(struct store_txn *,
		    const struct ratelimit_rule *, const char *, uint64_t,
		    uint32_t *, int);

static int
ratelimit_apply(struct store_txn *txn, const struct ratelimit_rule *rule,
    const char *subject, uint64_t now, uint32_t *retry_after, int count)
{
	struct codec_writer	k, w;
	struct codec_reader	r;
	struct store_val	val;
	uint64_t		start;
	uint32_t		n;
	int			rc, ret;

	ret = -1;
	start = now - now % rule->window;
	n = 0;
	codec_writer_init_key(&k);
	codec_put_raw(&k, rule->name, strlen(rule->name));
	codec_put_u8(&k, 0);
	codec_put_raw(&k, subject, strlen(subject));
	codec_writer_init(&w, RATELIMIT_RECORD_VERSION);
	if (codec_writer_ok(&k) == -1)
		goto out;

	rc = store_get(txn, STORE_RATELIMIT, k.data, k.len, &val);
	if (rc == -1)
		goto out;
	if (rc == 0) {
		codec_reader_init(&r, val.data, val.len,
		    RATELIMIT_RECORD_VERSION);
		if (codec_get_u64(&r) == start)
			n = codec_get_u32(&r);
		else
			(void)codec_get_u32(&r);
		if (codec_reader_done(&r) == -1)
			n = 0;	/* a damaged counter restarts the window */
	}
	if (count) {
		n = n == UINT32_MAX ? n : n + 1;
		codec_put_u64(&w, start);
		codec_put_u32(&w, n);
		if (store_put(txn, STORE_RATELIMIT, k.data, k.len, w.data,
		    w.len, 0) != 0)
			goto out;
	}
	if (retry_after != NULL)
		*retry_after = (uint32_t)(start + rule->window - now);
	ret = (count ? n > rule->limit : n >= rule->limit) ? 1 : 0;

out:
	codec_writer_free(&k);
	codec_writer_free(&w);
	if (ret == -1)
		store_txn_fail(txn);
	return (ret);
}

int
ratelimit_hit(struct store_txn *txn, const struct ratelimit_rule *rule,
    const char *subject, uint64_t now, uint32_t *retry_after)
{
	return (ratelimit_apply(txn, rule, subject, now, retry_after, 1));
}

int
ratelimit_expired(struct store_txn *txn, const struct store_val *key,
    const struct store_val *val, uint64_t now)
{
	struct codec_reader	r;
	uint64_t		start;

	codec_reader_init(&r, val->data, val->len, RATELIMIT_RECORD_VERSION);
	start = codec_get_u64(&r);
	(void)codec_get_u32(&r);
	return (codec_reader_done(&r) == 0 &&
	    start + RATELIMIT_WINDOW_MAX <= now);
}

int
ratelimit_check(struct store_txn *txn, const struct ratelimit_rule *rule,
    const char *subject, uint64_t now, uint32_t *retry_after)
{
	return (ratelimit_apply(txn, rule, subject, now, retry_after, 0));
}
