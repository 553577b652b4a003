/*
 * X.1280 Annex A: a new random password after each out-of-band login.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "renewal.h"
#include "store_user.h"

int
renewal_after_login(const struct core_ctx *ctx, const char *user_id)
{
	struct store_txn	txn;
	struct user		u;
	unsigned char		raw[RENEWAL_BYTES];
	char			password[4 * ((RENEWAL_BYTES + 2) / 3) + 1];
	char			hash[CRYPTO_PASSWORD_HASH_MAX];
	int			rc, ret;

	if (!ctx->cfg->password_renewal)
		return (0);
	/*
	 * A.1 (2): "a randomly generated value with a complex rule". 256
	 * bits from the CSPRNG, as base64url: letters of both cases,
	 * digits and symbols. Hashed before the write transaction, which
	 * scrypt would otherwise hold for its whole run.
	 */
	ret = -1;
	if (crypto_random(raw, sizeof(raw)) == -1 ||
	    crypto_b64url_encode(raw, sizeof(raw), password,
	    sizeof(password)) == -1 ||
	    crypto_password_hash(password, hash, sizeof(hash)) == -1)
		goto wipe;
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		goto wipe;
	rc = store_user_get(&txn, user_id, &u);
	if (rc == STORE_NOTFOUND || (rc == 0 && u.password_hash[0] == '\0')) {
		/* Not a local user with a password: nothing to renew. */
		store_txn_abort(&txn);
		ret = 0;
		goto wipe;
	}
	if (rc == 0) {
		strcpy(u.password_hash, hash);
		rc = store_user_put(&txn, &u);
	}
	if (rc == 0)
		rc = audit_write(&txn, "password.renewed", "system", user_id,
		    "ok", "x1280=annex_a");
	if (rc != 0)
		store_txn_abort(&txn);
	else if (store_txn_commit(&txn) == 0)
		ret = 0;

wipe:
	OPENSSL_cleanse(&u, sizeof(u));
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(password, sizeof(password));
	OPENSSL_cleanse(hash, sizeof(hash));
	return (ret);
}
