/*
 * Registration codes (X.1280 8.1): made for a user by self-service or
 * the help desk, redeemed once by the authenticator that becomes the
 * binding; a code made for a vetting case records B_FACTOR_AND_ID.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "device.h"
#include "enrolment.h"
#include "ratelimit.h"
#include "store_user.h"

#define ENROLMENT_SIGNED_MAX	(OFFSET_MAX + 256)

static int	enrolment_label_valid(const char *);

/* Labels are shown to people: printable, no markup characters. */
static int
enrolment_label_valid(const char *s)
{
	const unsigned char	*p;
	size_t			 len;

	if (s == NULL || (len = strlen(s)) == 0 || len >= BINDING_LABEL_MAX)
		return (0);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>')
			return (0);
	}
	return (1);
}

enum oob_error
enrolment_code_create(const struct core_ctx *ctx, const char *user_id,
    uint32_t loa, uint32_t flags, const char *created_by,
    const char *vetting_case, char *code)
{
	struct store_txn	txn;
	struct registration	reg;
	struct user		u;
	enum oob_error		e;
	char			detail[64];

	memset(&reg, 0, sizeof(reg));
	if (strlen(user_id) >= sizeof(reg.user_id) ||
	    strlen(created_by) >= sizeof(reg.created_by) ||
	    (vetting_case != NULL &&
	    strlen(vetting_case) >= sizeof(reg.vetting_case)))
		return (OOB_ERR_INVALID);
	strcpy(reg.user_id, user_id);
	strcpy(reg.created_by, created_by);
	if (vetting_case != NULL)
		strcpy(reg.vetting_case, vetting_case);
	reg.loa = loa;
	reg.flags = flags;
	reg.expires = ctx->now + ctx->cfg->registration_lifetime;
	if (crypto_random_hex(code, OOB_REG_CODE_LEN + 1,
	    OOB_REG_CODE_LEN / 2) == -1)
		return (OOB_ERR_STORE);

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (OOB_ERR_STORE);
	e = OOB_OK;
	if (store_user_get(&txn, user_id, &u) != 0 ||
	    (u.flags & USER_DISABLED))
		e = OOB_ERR_INVALID;
	else if (store_registration_put(&txn, code, &reg) == -1)
		e = OOB_ERR_STORE;
	else {
		snprintf(detail, sizeof(detail), "loa=%u backup=%d", loa,
		    (flags & BINDING_BACKUP) ? 1 : 0);
		audit_write(&txn, "registration.created", created_by, user_id,
		    "ok", detail);
	}
	OPENSSL_cleanse(&u, sizeof(u));
	if ((e = oob_finish(&txn, e)) != OOB_OK)
		OPENSSL_cleanse(code, OOB_REG_CODE_LEN + 1);
	return (e);
}

enum oob_error
enrolment_register(const struct core_ctx *ctx,
    const struct enrolment_register_in *in, struct enrolment_register_out *out)
{
	struct store_txn	txn;
	struct registration	reg;
	struct binding		b;
	char			signed_text[ENROLMENT_SIGNED_MAX], detail[160];
	int			n, rc;
	enum oob_error		e;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));

	/* Every attempt counts: registration codes are guessable values. */
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (OOB_ERR_STORE);
	rc = ratelimit_hit(&txn, &RATELIMIT_REGISTER_ADDR, ctx->addr,
	    ctx->now, NULL);
	if (rc == 1)
		audit_write(&txn, "ratelimit.hit", ctx->addr, ctx->addr,
		    "denied", "rule=register.addr");
	if (store_txn_commit(&txn) == -1)
		return (OOB_ERR_STORE);
	if (rc == 1)
		return (OOB_ERR_RATE);

	if (!oob_token_valid(in->code, OOB_REG_CODE_LEN, OOB_REG_CODE_LEN,
	    "") ||
	    !oob_token_valid(in->authenticator_id, 1, BINDING_AUTH_ID_MAX - 1,
	    "-_") ||
	    !enrolment_label_valid(in->label) ||
	    in->device_public_key == NULL || in->signature == NULL)
		return (OOB_ERR_INVALID);
	n = crypto_b64url_decode(in->device_public_key, b.pubkey,
	    sizeof(b.pubkey));
	if (n != DEVICE_PUBKEY_LEN)
		return (OOB_ERR_INVALID);

	/* Proof of possession of the device key (docs/protocol.md §1). */
	n = snprintf(signed_text, sizeof(signed_text),
	    "mutua-register-v1\n%s\n%s\n%s", in->code, in->authenticator_id,
	    in->device_public_key);
	if (n < 0 || (size_t)n >= sizeof(signed_text))
		return (OOB_ERR_INVALID);
	if (!device_verify_b64(b.pubkey, sizeof(b.pubkey), signed_text,
	    in->signature))
		return (OOB_ERR_SIGNATURE);

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (OOB_ERR_STORE);
	e = OOB_OK;
	rc = store_registration_take(&txn, in->code, &reg);
	if (rc == -1) {
		e = OOB_ERR_STORE;
		goto out;
	}
	if (rc == STORE_NOTFOUND || reg.expires <= ctx->now) {
		/* An expired code is deleted all the same: single use. */
		if (rc == 0) {
			audit_write(&txn, "registration.expired", ctx->addr,
			    reg.user_id, "failed", NULL);
			store_txn_commit(&txn);
			return (OOB_ERR_INVALID_CODE);
		}
		e = OOB_ERR_INVALID_CODE;
		goto out;
	}
	if ((rc = store_binding_count_active(&txn, reg.user_id)) == -1 ||
	    rc >= BINDINGS_PER_USER_MAX) {
		e = rc == -1 ? OOB_ERR_STORE : OOB_ERR_TOO_MANY;
		goto out;
	}

	if (crypto_random_hex(b.id, sizeof(b.id), BINDING_ID_LEN / 2) == -1 ||
	    crypto_random(out->key, sizeof(out->key)) == -1 ||
	    crypto_wrap(ctx->master, b.id, strlen(b.id), out->key,
	    sizeof(out->key), b.wrapped_key) == -1) {
		e = OOB_ERR_STORE;
		goto out;
	}
	strcpy(b.user_id, reg.user_id);
	strcpy(b.authenticator_id, in->authenticator_id);
	strcpy(b.label, in->label);
	strcpy(b.created_by, reg.created_by);
	strcpy(b.vetting_case, reg.vetting_case);
	b.loa = reg.loa;
	b.state = BINDING_ACTIVE;
	b.flags = reg.flags;
	b.created = ctx->now;
	b.last_used = ctx->now;
	/* X.1254 B_FACTOR_AND_ID of the case the code was made for. */
	if (reg.vetting_case[0] != '\0' &&
	    enrolment_bound(ctx, &txn, &b) == -1) {
		e = OOB_ERR_INVALID_CODE;
		goto out;
	}
	if (store_binding_put(&txn, &b) == -1) {
		e = OOB_ERR_STORE;
		goto out;
	}
	snprintf(detail, sizeof(detail), "binding=%s loa=%u backup=%d",
	    b.id, b.loa, (b.flags & BINDING_BACKUP) ? 1 : 0);
	audit_write(&txn, "binding.created", reg.created_by, b.user_id, "ok",
	    detail);
	strcpy(out->binding_id, b.id);
	strcpy(out->user_id, b.user_id);
	out->loa = b.loa;

out:
	OPENSSL_cleanse(&b, sizeof(b));
	if ((e = oob_finish(&txn, e)) != OOB_OK)
		OPENSSL_cleanse(out, sizeof(*out));
	return (e);
}
