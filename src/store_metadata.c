/*
 * SAML metadata records: source state, verified entities, refresh lease.
 */
#include <string.h>

#include <openssl/sha.h>

#include "codec.h"
#include "store_metadata.h"

#define MD_SOURCE_VERSION	1
#define MD_ENTITY_VERSION	1
#define MD_LEASE_VERSION	1
#define MD_MDQ_VERSION		1
#define MD_MDQ_HEAD		10	/* version, positive, expires */
#define MD_ENTITY_HEAD		9	/* version byte, valid until */
#define MD_NAME_MAX		64

struct md_first {
	unsigned char	key[1 + MD_NAME_MAX + 1 + SHA256_DIGEST_LENGTH];
	size_t		len;
};

static int	store_metadata_key(struct codec_writer *, char, const char *);
static int	store_metadata_entity_key(struct codec_writer *, char,
		    const char *, const char *);
static int	store_metadata_record(struct store_txn *, enum store_db,
		    char, const char *, const char *, uint8_t, size_t,
		    struct store_val *);
static int	store_metadata_put(struct store_txn *, enum store_db, int,
		    struct codec_writer *, struct codec_writer *);
static int	store_metadata_first(void *, const struct store_val *,
		    const struct store_val *);

/* Key type || name, which must be short and hold no NUL. */
static int
store_metadata_key(struct codec_writer *k, char type, const char *name)
{
	codec_writer_init_key(k);
	if (strlen(name) == 0 || strlen(name) >= MD_NAME_MAX)
		return (-1);
	codec_put_u8(k, (uint8_t)type);
	codec_put_raw(k, name, strlen(name));
	return (codec_writer_ok(k));
}

int
store_metadata_source_get(struct store_txn *txn, const char *name,
    struct store_md_source *s)
{
	struct codec_writer	k;
	struct codec_reader	r;
	struct store_val	val;
	int			rc;

	memset(s, 0, sizeof(*s));
	if (store_metadata_key(&k, 'S', name) == -1) {
		codec_writer_free(&k);
		store_txn_fail(txn);
		return (-1);
	}
	rc = store_get(txn, STORE_METADATA, k.data, k.len, &val);
	codec_writer_free(&k);
	if (rc != 0)
		return (rc);
	codec_reader_init(&r, val.data, val.len, MD_SOURCE_VERSION);
	s->generation = codec_get_u64(&r);
	s->valid_until = codec_get_u64(&r);
	s->verified_at = codec_get_u64(&r);
	s->next_check = codec_get_u64(&r);
	s->mtime = codec_get_u64(&r);
	s->size = codec_get_u64(&r);
	s->entities = codec_get_u32(&r);
	codec_get_str(&r, s->etag, sizeof(s->etag));
	codec_get_str(&r, s->last_modified, sizeof(s->last_modified));
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

int
store_metadata_source_put(struct store_txn *txn, const char *name,
    const struct store_md_source *s)
{
	struct codec_writer	k, w;

	codec_writer_init(&w, MD_SOURCE_VERSION);
	codec_put_u64(&w, s->generation);
	codec_put_u64(&w, s->valid_until);
	codec_put_u64(&w, s->verified_at);
	codec_put_u64(&w, s->next_check);
	codec_put_u64(&w, s->mtime);
	codec_put_u64(&w, s->size);
	codec_put_u32(&w, s->entities);
	codec_put_str(&w, s->etag);
	codec_put_str(&w, s->last_modified);
	return (store_metadata_put(txn, STORE_METADATA,
	    store_metadata_key(&k, 'S', name), &k, &w));
}

/*
 * Puts record w under key k in db when key_ok is 0 and w was built
 * whole, else fails the transaction; frees both. @return 0 or -1.
 */
static int
store_metadata_put(struct store_txn *txn, enum store_db db, int key_ok,
    struct codec_writer *k, struct codec_writer *w)
{
	int	rc;

	rc = -1;
	if (key_ok == 0 && codec_writer_ok(w) == 0)
		rc = store_put(txn, db, k->data, k->len, w->data, w->len, 0);
	else
		store_txn_fail(txn);
	codec_writer_free(k);
	codec_writer_free(w);
	return (rc);
}

/* Copies the first key seen and stops. */
static int
store_metadata_first(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct md_first	*f = arg;

	if (key->len > sizeof(f->key))
		return (-1);
	memcpy(f->key, key->data, key->len);
	f->len = key->len;
	return (1);
}

int
store_metadata_clear(struct store_txn *txn, const char *name)
{
	struct codec_writer	p;
	struct md_first		f;
	int			rc;

	if (store_metadata_key(&p, 'E', name) == -1) {
		codec_writer_free(&p);
		store_txn_fail(txn);
		return (-1);
	}
	codec_put_u8(&p, 0);
	/* One at a time: a cursor must not walk what is being deleted. */
	do {
		f.len = 0;
		rc = store_scan(txn, STORE_METADATA, p.data, p.len, NULL, 0,
		    store_metadata_first, &f);
		if (rc == 0 && f.len > 0)
			rc = store_del(txn, STORE_METADATA, f.key, f.len);
	} while (rc == 0 && f.len > 0);
	codec_writer_free(&p);
	return (rc == -1 ? -1 : 0);
}

/*
 * type name 0x00 SHA-256(entity_id): entityIDs may exceed LMDB's 511
 * bytes. The MDQ cache has its own database: type 'Q'.
 */
static int
store_metadata_entity_key(struct codec_writer *k, char type,
    const char *name, const char *entity_id)
{
	unsigned char	h[SHA256_DIGEST_LENGTH];

	if (store_metadata_key(k, type, name) == -1)
		return (-1);
	SHA256((const unsigned char *)entity_id, strlen(entity_id), h);
	codec_put_u8(k, 0);
	codec_put_raw(k, h, sizeof(h));
	return (codec_writer_ok(k));
}

int
store_metadata_entity_put(struct store_txn *txn, const char *name,
    const char *entity_id, uint64_t valid_until, const char *xml,
    size_t xmllen)
{
	struct codec_writer	k, w;

	codec_writer_init(&w, MD_ENTITY_VERSION);
	codec_put_u64(&w, valid_until);
	/* The XML is the rest of the record: read in place, not copied. */
	codec_put_raw(&w, xml, xmllen);
	return (store_metadata_put(txn, STORE_METADATA,
	    store_metadata_entity_key(&k, 'E', name, entity_id) == 0 &&
	    w.len == MD_ENTITY_HEAD + xmllen ? 0 : -1, &k, &w));
}

/*
 * The record of entity_id in db, checked: its version byte and at least
 * min bytes. @return 0, STORE_NOTFOUND, or -1 (also for a bad record).
 */
static int
store_metadata_record(struct store_txn *txn, enum store_db db, char type,
    const char *name, const char *entity_id, uint8_t version, size_t min,
    struct store_val *val)
{
	struct codec_writer	k;
	int			rc;

	if (store_metadata_entity_key(&k, type, name, entity_id) == -1) {
		codec_writer_free(&k);
		return (STORE_NOTFOUND);
	}
	rc = store_get(txn, db, k.data, k.len, val);
	codec_writer_free(&k);
	if (rc != 0)
		return (rc);
	if (val->len < min || ((const unsigned char *)val->data)[0] !=
	    version) {
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

int
store_metadata_entity_get(struct store_txn *txn, const char *name,
    const char *entity_id, uint64_t *valid_until, struct store_val *xml)
{
	struct store_val	val;
	const unsigned char	*p;
	int			rc;

	if ((rc = store_metadata_record(txn, STORE_METADATA, 'E', name,
	    entity_id, MD_ENTITY_VERSION, MD_ENTITY_HEAD + 1, &val)) != 0)
		return (rc);
	p = val.data;
	*valid_until = codec_from_be64(p + 1);
	xml->data = p + MD_ENTITY_HEAD;
	xml->len = val.len - MD_ENTITY_HEAD;
	return (0);
}

int
store_metadata_lease(struct store_txn *txn, const char *name,
    uint64_t owner, uint64_t now, uint64_t ttl)
{
	struct codec_writer	k, w;
	struct codec_reader	r;
	struct store_val	val;
	uint64_t		holder, until;
	int			rc;

	if (store_metadata_key(&k, 'L', name) == -1 || owner == 0) {
		codec_writer_free(&k);
		store_txn_fail(txn);
		return (-1);
	}
	rc = store_get(txn, STORE_METADATA, k.data, k.len, &val);
	if (rc == 0) {
		codec_reader_init(&r, val.data, val.len, MD_LEASE_VERSION);
		holder = codec_get_u64(&r);
		until = codec_get_u64(&r);
		/* A record that does not decode is an expired lease. */
		if (codec_reader_done(&r) == 0 && holder != owner &&
		    until > now) {
			codec_writer_free(&k);
			return (STORE_EXISTS);
		}
	}
	if (rc == -1) {
		codec_writer_free(&k);
		return (-1);
	}
	codec_writer_init(&w, MD_LEASE_VERSION);
	codec_put_u64(&w, owner);
	codec_put_u64(&w, now + ttl);
	return (store_metadata_put(txn, STORE_METADATA, 0, &k, &w));
}

int
store_metadata_mdq_get(struct store_txn *txn, const char *name,
    const char *entity_id, uint64_t now, uint64_t *expires,
    struct store_val *xml)
{
	struct store_val	val;
	const unsigned char	*p;
	int			rc;

	if ((rc = store_metadata_record(txn, STORE_MDQ_CACHE, 'Q', name,
	    entity_id, MD_MDQ_VERSION, MD_MDQ_HEAD, &val)) != 0)
		return (rc);
	p = val.data;
	*expires = codec_from_be64(p + 2);
	if (*expires <= now)
		return (STORE_NOTFOUND);
	if (p[1] == 0)
		return (STORE_MD_NEGATIVE);
	xml->data = p + MD_MDQ_HEAD;
	xml->len = val.len - MD_MDQ_HEAD;
	return (xml->len > 0 ? 0 : STORE_MD_NEGATIVE);
}

int
store_metadata_mdq_put(struct store_txn *txn, const char *name,
    const char *entity_id, uint64_t expires, const char *xml,
    size_t xmllen, size_t max)
{
	struct codec_writer	k, w;
	long long		n;

	/* Bounded: a flood of made-up entityIDs cannot grow it. */
	if ((n = store_count(txn, STORE_MDQ_CACHE)) == -1)
		return (-1);
	if ((size_t)n >= max)
		return (STORE_EXISTS);
	codec_writer_init(&w, MD_MDQ_VERSION);
	codec_put_u8(&w, xml != NULL);
	codec_put_u64(&w, expires);
	if (xml != NULL)
		codec_put_raw(&w, xml, xmllen);
	return (store_metadata_put(txn, STORE_MDQ_CACHE,
	    store_metadata_entity_key(&k, 'Q', name, entity_id), &k, &w));
}

int
store_metadata_mdq_expired(struct store_txn *txn, const struct store_val *key,
    const struct store_val *val, uint64_t now)
{
	const unsigned char	*p = val->data;

	return (val->len >= MD_MDQ_HEAD && p[0] == MD_MDQ_VERSION &&
	    codec_from_be64(p + 2) <= now);
}
