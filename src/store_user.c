/*
 * User account records.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "codec.h"
#include "store_user.h"

/* Version 2 added dir_id; version 1 records (no dir_id) still read. */
#define USER_RECORD_VERSION	2
#define USER_RECORD_VERSION_1	1
#define USER_ATTRIBUTES_VERSION	1

struct user_scan {
	int		(*cb)(void *, const struct user *);
	void		*arg;
};

static int	store_user_encode_put(struct store_txn *, const struct user *,
		    int);
static int	store_user_decode(const struct store_val *, struct user *);
static int	store_user_scan_one(void *, const struct store_val *,
		    const struct store_val *);

int
store_user_id_valid(const char *id)
{
	size_t		len, i;
	char		c;

	len = strlen(id);
	if (len == 0 || len >= USER_ID_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		c = id[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i > 0 && (c == '.' || c == '_' || c == '@' || c == '-'))
			continue;
		return (0);
	}
	return (1);
}

static int
store_user_encode_put(struct store_txn *txn, const struct user *u,
    int flags)
{
	struct codec_writer	w;
	int			rc;

	if (!store_user_id_valid(u->id)) {
		store_txn_fail(txn);
		return (-1);
	}
	codec_writer_init(&w, USER_RECORD_VERSION);
	codec_put_str(&w, u->display_name);
	codec_put_str(&w, u->email);
	codec_put_str(&w, u->password_hash);
	codec_put_u32(&w, u->flags);
	codec_put_u32(&w, u->roles);
	codec_put_u64(&w, u->created);
	codec_put_str(&w, u->dir_id);
	if (codec_writer_ok(&w) == -1) {
		codec_writer_free(&w);
		store_txn_fail(txn);
		return (-1);
	}
	rc = store_put(txn, STORE_USERS, u->id, strlen(u->id), w.data, w.len,
	    flags);
	codec_writer_free(&w);
	if (rc == 0 && u->dir_id[0] != '\0')
		rc = store_put(txn, STORE_USERS_BY_DIR, u->dir_id,
		    strlen(u->dir_id), u->id, strlen(u->id), 0);
	return (rc);
}

int
store_user_put(struct store_txn *txn, const struct user *u)
{
	return (store_user_encode_put(txn, u, 0));
}

int
store_user_add(struct store_txn *txn, const struct user *u)
{
	return (store_user_encode_put(txn, u, STORE_NOOVERWRITE));
}

static int
store_user_decode(const struct store_val *val, struct user *u)
{
	struct codec_reader	r;
	uint8_t			version;

	version = val->len > 0 ? *(const uint8_t *)val->data : 0;
	if (version != USER_RECORD_VERSION_1)
		version = USER_RECORD_VERSION;
	codec_reader_init(&r, val->data, val->len, version);
	codec_get_str(&r, u->display_name, sizeof(u->display_name));
	codec_get_str(&r, u->email, sizeof(u->email));
	codec_get_str(&r, u->password_hash, sizeof(u->password_hash));
	u->flags = codec_get_u32(&r);
	u->roles = codec_get_u32(&r);
	u->created = codec_get_u64(&r);
	if (version == USER_RECORD_VERSION)
		codec_get_str(&r, u->dir_id, sizeof(u->dir_id));
	return (codec_reader_done(&r));
}

int
store_user_get(struct store_txn *txn, const char *id, struct user *u)
{
	struct store_val	val;
	int			rc;

	memset(u, 0, sizeof(*u));
	if (!store_user_id_valid(id))
		return (STORE_NOTFOUND);
	if ((rc = store_get(txn, STORE_USERS, id, strlen(id), &val)) != 0)
		return (rc);
	strcpy(u->id, id);
	if (store_user_decode(&val, u) == -1) {
		OPENSSL_cleanse(u, sizeof(*u));
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

int
store_user_get_by_dir(struct store_txn *txn, const char *dir_id,
    struct user *u)
{
	struct store_val	val;
	char			id[USER_ID_MAX];
	int			rc;

	memset(u, 0, sizeof(*u));
	if (dir_id[0] == '\0' || strlen(dir_id) >= USER_DIR_ID_MAX)
		return (STORE_NOTFOUND);
	if ((rc = store_get(txn, STORE_USERS_BY_DIR, dir_id, strlen(dir_id),
	    &val)) != 0)
		return (rc);
	if (val.len >= sizeof(id)) {
		store_txn_fail(txn);
		return (-1);
	}
	memcpy(id, val.data, val.len);
	id[val.len] = '\0';
	if ((rc = store_user_get(txn, id, u)) != 0)
		return (rc);
	/* An index entry left by a deleted user is not that user. */
	if (strcmp(u->dir_id, dir_id) != 0) {
		OPENSSL_cleanse(u, sizeof(*u));
		return (STORE_NOTFOUND);
	}
	return (0);
}

int
store_user_del(struct store_txn *txn, const char *id)
{
	struct user	u;
	int		rc;

	if ((rc = store_user_get(txn, id, &u)) != 0)
		return (rc);
	if (u.dir_id[0] != '\0' && store_del(txn, STORE_USERS_BY_DIR,
	    u.dir_id, strlen(u.dir_id)) == -1) {
		OPENSSL_cleanse(&u, sizeof(u));
		return (-1);
	}
	OPENSSL_cleanse(&u, sizeof(u));
	if (store_del(txn, STORE_USER_ATTRIBUTES, id, strlen(id)) == -1)
		return (-1);
	return (store_del(txn, STORE_USERS, id, strlen(id)));
}

int
store_user_attributes_put(struct store_txn *txn, const char *id,
    const struct attribute_set *set)
{
	struct codec_writer	w;
	size_t			i;
	int			rc;

	if (!store_user_id_valid(id) || set->n > ATTRIBUTE_VALUES_MAX) {
		store_txn_fail(txn);
		return (-1);
	}
	codec_writer_init(&w, USER_ATTRIBUTES_VERSION);
	codec_put_u32(&w, (uint32_t)set->n);
	for (i = 0; i < set->n; i++) {
		codec_put_u32(&w, set->v[i].id);
		codec_put_str(&w, set->v[i].value);
	}
	if (codec_writer_ok(&w) == -1) {
		codec_writer_free(&w);
		store_txn_fail(txn);
		return (-1);
	}
	rc = store_put(txn, STORE_USER_ATTRIBUTES, id, strlen(id), w.data,
	    w.len, 0);
	codec_writer_free(&w);
	return (rc);
}

int
store_user_attributes_get(struct store_txn *txn, const char *id,
    struct attribute_set *set)
{
	struct codec_reader	r;
	struct store_val	val;
	uint32_t		n, i;
	int			rc;

	memset(set, 0, sizeof(*set));
	if (!store_user_id_valid(id))
		return (0);
	if ((rc = store_get(txn, STORE_USER_ATTRIBUTES, id, strlen(id),
	    &val)) != 0)
		return (rc == STORE_NOTFOUND ? 0 : -1);
	codec_reader_init(&r, val.data, val.len, USER_ATTRIBUTES_VERSION);
	n = codec_get_u32(&r);
	for (i = 0; i < n && i < ATTRIBUTE_VALUES_MAX; i++) {
		set->v[i].id = codec_get_u32(&r);
		codec_get_str(&r, set->v[i].value, sizeof(set->v[i].value));
		if (set->v[i].id >= ATTRIBUTE_COUNT)
			break;
	}
	set->n = i;
	if (i != n || codec_reader_done(&r) == -1) {
		memset(set, 0, sizeof(*set));
		store_txn_fail(txn);
		return (-1);
	}
	return (0);
}

static int
store_user_scan_one(void *arg, const struct store_val *key,
    const struct store_val *val)
{
	struct user_scan	*scan;
	struct user		 u;
	int			 rc;

	scan = arg;
	memset(&u, 0, sizeof(u));
	if (key->len >= sizeof(u.id))
		return (-1);
	memcpy(u.id, key->data, key->len);
	if (store_user_decode(val, &u) == -1)
		return (-1);
	rc = scan->cb(scan->arg, &u);
	OPENSSL_cleanse(&u, sizeof(u));
	return (rc);
}

int
store_user_scan(struct store_txn *txn, int (*cb)(void *, const struct user *),
    void *arg)
{
	struct user_scan	scan;

	scan.cb = cb;
	scan.arg = arg;
	return (store_scan(txn, STORE_USERS, NULL, 0, NULL, 0,
	    store_user_scan_one, &scan));
}
