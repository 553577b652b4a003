/*
 * Binding and registration records.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "codec.h"
#include "store_binding.h"

#define BINDING_RECORD_VERSION		1
#define REGISTRATION_RECORD_VERSION	1

struct binding_list {
	struct store_txn	*txn;
	struct binding		*out;
	int			 max;
	int			 n;
	size_t			 prefixlen;
};

static int	store_binding_decode(const struct store_val *,
		    struct binding *);
static int	store_binding_cmp(const void *, const void *);
static int	store_binding_list_one(void *, const struct store_val *,
		    const struct store_val *);
static void	store_binding_index_key(struct codec_writer *, const char *,
		    const char *);

static void
store_binding_index_key(struct codec_writer *w, const char *user_id,
    const char *binding_id)
{
	codec_writer_init_key(w);
	codec_put_raw(w, user_id, strlen(user_id));
	codec_put_u8(w, 0);
	if (binding_id != NULL)
		codec_put_raw(w, binding_id, strlen(binding_id));
}

int
store_binding_put(struct store_txn *txn, const struct binding *b)
{
	struct codec_writer	w, k;
	int			rc;

	codec_writer_init(&w, BINDING_RECORD_VERSION);
	codec_put_str(&w, b->user_id);
	codec_put_str(&w, b->authenticator_id);
	codec_put_str(&w, b->label);
	codec_put_bytes(&w, b->pubkey, sizeof(b->pubkey));
	codec_put_bytes(&w, b->wrapped_key, sizeof(b->wrapped_key));
	codec_put_u32(&w, b->loa);
	codec_put_u32(&w, b->state);
	codec_put_u32(&w, b->flags);
	codec_put_u64(&w, b->created);
	codec_put_u64(&w, b->last_used);
	codec_put_str(&w, b->created_by);
	codec_put_str(&w, b->vetting_case);
	store_binding_index_key(&k, b->user_id, b->id);

	rc = -1;
	if (strlen(b->id) != BINDING_ID_LEN || codec_writer_ok(&w) == -1 ||
	    codec_writer_ok(&k) == -1)
		store_txn_fail(txn);
	else if (store_put(txn, STORE_BINDINGS, b->id, BINDING_ID_LEN,
	    w.data, w.len, 0) == 0 &&
	    store_put(txn, STORE_BINDINGS_BY_USER, k.data, k.len, "", 0,
	    0) == 0)
		rc = 0;
	codec_writer_free(&w);
	codec_writer_free(&k);
	return (rc);
}

static int
store_binding_decode(const struct store_val *val, struct binding *b)
{
	struct codec_reader	r;

	codec_reader_init(&r, val->data, val->len, BINDING_RECORD_VERSION);
	codec_get_str(&r, b->user_id, sizeof(b->user_id));
	codec_get_str(&r, b->authenticator_id, sizeof(b->authenticator_id));
	codec_get_str(&r, b->label, sizeof(b->label));
	if (codec_get_bytes(&r, b->pubkey, sizeof(b->pubkey)) !=
	    sizeof(b->pubkey) ||
	    codec_get_bytes(&r, b->wrapped_key, sizeof(b->wrapped_key)) !=
	    sizeof(b->wrapped_key))
		return (-1);
	b->loa = codec_get_u32(&r);
	b->state = codec_get_u32(&r);
	b->flags = codec_get_u32(&r);
	b->created = codec_get_u64(&r);
	b->last_used = codec_get_u64(&r);
	codec_get_str(&r, b->created_by, sizeof(b->created_by));
	codec_get_str(&r, b->vetting_case, sizeof(b->vetting_case));
	return (codec_reader_done(&r));
}

int
store_binding_get(struct store_txn *txn, const char *id, struct binding *b)
{
	struct store_val	val;
	int			rc;

	memset(b, 0, sizeof(*b));
	if (strlen(id) != BINDING_ID_LEN)
		return (STORE_NOTFOUND);
	if ((rc = store_get(txn, STORE_BINDINGS, id, BINDING_ID_LEN,
	    &val)) != 0)
		return (rc);
	memcpy(b->id, id, BINDING_ID_LEN);
	if (store_binding_decode(&val, b) == -1) {
		OPENSSL_cleanse(b, sizeof(*b));
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

static int
store_binding_list_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct binding_list	*l;
	struct binding		 b;
	char			 id[BINDING_ID_LEN + 1];

	l = arg;
	if (key->len != l->prefixlen + BINDING_ID_LEN)
		return (-1);
	memcpy(id, (const char *)key->data + l->prefixlen, BINDING_ID_LEN);
	id[BINDING_ID_LEN] = '\0';
	if (store_binding_get(l->txn, id, &b) != 0)
		return (-1);

	l->out[l->n++] = b;
	OPENSSL_cleanse(&b, sizeof(b));
	return (l->n == l->max ? 1 : 0);
}

/* Most recently used first. */
static int
store_binding_cmp(const void *a, const void *b)
{
	const struct binding	*x = a, *y = b;

	if (x->last_used != y->last_used)
		return (x->last_used > y->last_used ? -1 : 1);
	return (strcmp(x->id, y->id));
}


int
store_binding_list(struct store_txn *txn, const char *user_id,
    struct binding *out, int max)
{
	struct codec_writer	k;
	struct binding_list	l;
	int			rc;

	store_binding_index_key(&k, user_id, NULL);
	memset(&l, 0, sizeof(l));
	l.txn = txn;
	l.out = out;
	l.max = max;
	l.prefixlen = k.len;
	rc = codec_writer_ok(&k) == -1 ? -1 :
	    store_scan(txn, STORE_BINDINGS_BY_USER, k.data, k.len, NULL, 0,
	    store_binding_list_one, &l);
	codec_writer_free(&k);
	if (rc == -1)
		return (-1);
	qsort(out, l.n, sizeof(*out), store_binding_cmp);
	return (l.n);
}

int
store_binding_count_active(struct store_txn *txn, const char *user_id)
{
	struct binding	list[BINDINGS_PER_USER_MAX];
	int		n, i, active;

	if ((n = store_binding_list(txn, user_id, list,
	    BINDINGS_PER_USER_MAX)) == -1)
		return (-1);
	for (i = 0, active = 0; i < n; i++) {
		if (list[i].state == BINDING_ACTIVE)
			active++;
	}
	OPENSSL_cleanse(list, sizeof(list));
	return (active);
}

int
store_registration_put(struct store_txn *txn, const char *code,
    const struct registration *reg)
{
	struct codec_writer	w;
	unsigned char		key[CRYPTO_SHA256_LEN];
	int			rc;

	crypto_sha256(code, strlen(code), key);
	codec_writer_init(&w, REGISTRATION_RECORD_VERSION);
	codec_put_str(&w, reg->user_id);
	codec_put_u32(&w, reg->loa);
	codec_put_u32(&w, reg->flags);
	codec_put_u64(&w, reg->expires);
	codec_put_str(&w, reg->created_by);
	codec_put_str(&w, reg->vetting_case);
	if (codec_writer_ok(&w) == -1) {
		store_txn_fail(txn);
		rc = -1;
	} else
		rc = store_put(txn, STORE_REGISTRATIONS, key, sizeof(key),
		    w.data, w.len, STORE_NOOVERWRITE) == 0 ? 0 : -1;
	codec_writer_free(&w);
	return (rc);
}

int
store_registration_take(struct store_txn *txn, const char *code,
    struct registration *reg)
{
	struct store_val	val;
	struct codec_reader	r;
	unsigned char		key[CRYPTO_SHA256_LEN];
	int			rc;

	memset(reg, 0, sizeof(*reg));
	crypto_sha256(code, strlen(code), key);
	if ((rc = store_get(txn, STORE_REGISTRATIONS, key, sizeof(key),
	    &val)) != 0)
		return (rc);
	codec_reader_init(&r, val.data, val.len, REGISTRATION_RECORD_VERSION);
	codec_get_str(&r, reg->user_id, sizeof(reg->user_id));
	reg->loa = codec_get_u32(&r);
	reg->flags = codec_get_u32(&r);
	reg->expires = codec_get_u64(&r);
	codec_get_str(&r, reg->created_by, sizeof(reg->created_by));
	codec_get_str(&r, reg->vetting_case, sizeof(reg->vetting_case));
	if (codec_reader_done(&r) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	return (store_del(txn, STORE_REGISTRATIONS, key, sizeof(key)));
}
