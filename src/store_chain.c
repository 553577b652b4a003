/*
 * Hash-chained append-only logs.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "codec.h"
#include "store_chain.h"

#define STORE_CHAIN_VERSION	1

struct chain_walk {
	struct store_txn	*txn;
	enum store_db		 db;
	uint64_t		 expect;	/* the next record's number */
	uint64_t		 stop;		/* backfill: first not to link */
	unsigned char		 prev[STORE_CHAIN_LEN];
	struct store_chain_report *report;	/* NULL: backfill */
	uint64_t		 links;
};

static void	chain_key(struct codec_writer *, enum store_db, uint64_t);
static int	chain_link(const unsigned char *, uint64_t, const void *,
		    size_t, unsigned char *);
static int	chain_put(struct store_txn *, enum store_db, uint64_t,
		    const unsigned char *);
static int	chain_prev(struct store_txn *, enum store_db, uint64_t,
		    unsigned char *);
static int	chain_backfill_one(void *, const struct store_val *,
		    const struct store_val *);
static int	chain_verify_one(void *, const struct store_val *,
		    const struct store_val *);
static int	chain_count_one(void *, const struct store_val *,
		    const struct store_val *);

static void
chain_key(struct codec_writer *k, enum store_db db, uint64_t seq)
{
	codec_writer_init_key(k);
	codec_put_u8(k, (uint8_t)db);
	codec_put_u64(k, seq);
}

/* out = SHA-256(prev || be64(seq) || val). @return 0 or -1. */
static int
chain_link(const unsigned char *prev, uint64_t seq, const void *val,
    size_t vallen, unsigned char *out)
{
	EVP_MD_CTX	*md;
	unsigned char	 n[8];
	int		 rc;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return (-1);
	codec_be64(n, seq);
	rc = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, prev, STORE_CHAIN_LEN) == 1 &&
	    EVP_DigestUpdate(md, n, sizeof(n)) == 1 &&
	    EVP_DigestUpdate(md, val, vallen) == 1 &&
	    EVP_DigestFinal_ex(md, out, NULL) == 1 ? 0 : -1;
	EVP_MD_CTX_free(md);
	return (rc);
}

static int
chain_put(struct store_txn *txn, enum store_db db, uint64_t seq,
    const unsigned char *link)
{
	struct codec_writer	k, w;
	int			rc;

	chain_key(&k, db, seq);
	codec_writer_init(&w, STORE_CHAIN_VERSION);
	codec_put_bytes(&w, link, STORE_CHAIN_LEN);
	if (codec_writer_ok(&k) == -1 || codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, STORE_CHAIN, k.data, k.len, w.data, w.len,
		    0);
	codec_writer_free(&k);
	codec_writer_free(&w);
	return (rc);
}

int
store_chain_get(struct store_txn *txn, enum store_db db, uint64_t seq,
    unsigned char *link)
{
	struct codec_writer	k;
	struct codec_reader	r;
	struct store_val	val;
	int			rc;

	chain_key(&k, db, seq);
	if (codec_writer_ok(&k) == -1) {
		codec_writer_free(&k);
		store_txn_fail(txn);
		return (-1);
	}
	rc = store_get(txn, STORE_CHAIN, k.data, k.len, &val);
	codec_writer_free(&k);
	if (rc != 0)
		return (rc);
	codec_reader_init(&r, val.data, val.len, STORE_CHAIN_VERSION);
	if (codec_get_bytes(&r, link, STORE_CHAIN_LEN) != STORE_CHAIN_LEN ||
	    codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

/* Links record seq of an unchained log to the previous one. */
static int
chain_backfill_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct chain_walk	*w;
	uint64_t		 seq;

	w = arg;
	if (key->len != 8)
		return (-1);
	if ((seq = codec_from_be64(key->data)) >= w->stop)
		return (1);
	if (chain_link(w->prev, seq, val->data, val->len, w->prev) == -1 ||
	    chain_put(w->txn, w->db, seq, w->prev) == -1)
		return (-1);
	return (0);
}

/*
 * The link of record seq - 1 into prev. A log that has no link at all
 * was written by a mutua that did not chain it: its records are linked
 * now. A single link missing in a chained log is a break that
 * store_chain_verify() reports; the new record is then linked to zeros
 * so that logging goes on.
 */
static int
chain_prev(struct store_txn *txn, enum store_db db, uint64_t seq,
    unsigned char *prev)
{
	struct chain_walk	w;
	unsigned char		first[STORE_CHAIN_LEN];
	int			rc;

	memset(prev, 0, STORE_CHAIN_LEN);
	if (seq == 1)
		return (0);
	if ((rc = store_chain_get(txn, db, seq - 1, prev)) != STORE_NOTFOUND)
		return (rc);
	memset(prev, 0, STORE_CHAIN_LEN);
	if ((rc = store_chain_get(txn, db, 1, first)) != STORE_NOTFOUND)
		return (rc);

	memset(&w, 0, sizeof(w));
	w.txn = txn;
	w.db = db;
	w.stop = seq;
	if (store_scan(txn, db, NULL, 0, NULL, 0, chain_backfill_one,
	    &w) == -1)
		return (-1);
	memcpy(prev, w.prev, STORE_CHAIN_LEN);
	return (0);
}

int
store_chain_append(struct store_txn *txn, enum store_db db, const void *val,
    size_t vallen, uint64_t *seq, unsigned char *link)
{
	unsigned char	prev[STORE_CHAIN_LEN], h[STORE_CHAIN_LEN];
	uint64_t	n;

	if (store_append(txn, db, val, vallen, &n) == -1 ||
	    chain_prev(txn, db, n, prev) == -1)
		return (-1);
	if (chain_link(prev, n, val, vallen, h) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	if (chain_put(txn, db, n, h) == -1)
		return (-1);
	*seq = n;
	if (link != NULL)
		memcpy(link, h, STORE_CHAIN_LEN);
	return (0);
}

/* Checks one record against its number, its link and the one before. */
static int
chain_verify_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct chain_walk		*w;
	struct store_chain_report	*rep;
	unsigned char			 want[STORE_CHAIN_LEN];
	unsigned char			 have[STORE_CHAIN_LEN];
	uint64_t			 seq;
	int				 rc;

	w = arg;
	rep = w->report;
	if (key->len != 8)
		return (-1);
	seq = codec_from_be64(key->data);
	if (seq != w->expect) {
		rep->bad_seq = w->expect;
		rep->problem = "record missing";
		return (1);
	}
	if (chain_link(w->prev, seq, val->data, val->len, want) == -1)
		return (-1);
	if ((rc = store_chain_get(w->txn, w->db, seq, have)) == -1)
		return (-1);
	if (rc == STORE_NOTFOUND || CRYPTO_memcmp(want, have,
	    sizeof(want)) != 0) {
		rep->bad_seq = seq;
		rep->problem = rc == STORE_NOTFOUND ? "link missing" :
		    "record or link altered";
		return (1);
	}
	memcpy(w->prev, have, sizeof(have));
	rep->records++;
	rep->head_seq = seq;
	memcpy(rep->head, have, sizeof(have));
	w->expect = seq + 1;
	return (0);
}

static int
chain_count_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct chain_walk	*w;

	w = arg;
	w->links++;
	return (0);
}

int
store_chain_verify(struct store_txn *txn, enum store_db db,
    struct store_chain_report *report)
{
	struct chain_walk	w;
	unsigned char		prefix = (unsigned char)db;

	memset(report, 0, sizeof(*report));
	memset(&w, 0, sizeof(w));
	w.txn = txn;
	w.db = db;
	w.expect = 1;
	w.report = report;
	if (store_scan(txn, db, NULL, 0, NULL, 0, chain_verify_one,
	    &w) == -1)
		return (-1);
	if (report->problem != NULL)
		return (1);
	if (store_scan(txn, STORE_CHAIN, &prefix, 1, NULL, 0,
	    chain_count_one, &w) == -1)
		return (-1);
	if (w.links != report->records) {
		/* Records cut off the end, their links left behind. */
		report->bad_seq = report->head_seq + 1;
		report->problem = "record missing";
		return (1);
	}
	return (0);
}
