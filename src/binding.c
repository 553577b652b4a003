/*
 * Binding state changes, one rule for every caller, audited in the
 * transaction that makes them.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "binding.h"

static const char	*binding_event(uint32_t);

static const char *
binding_event(uint32_t state)
{
	switch (state) {
	case BINDING_ACTIVE:
		return ("binding.activated");
	case BINDING_SUSPENDED:
		return ("binding.suspended");
	case BINDING_REVOKED:
		return ("binding.revoked");
	default:
		return (NULL);
	}
}

enum binding_error
binding_set_state(struct store_txn *txn, const char *binding_id,
    const char *user_id, uint32_t state, const char *actor,
    const char *detail)
{
	struct binding		b;
	enum binding_error	e;
	char			text[160];
	int			rc;

	if (binding_event(state) == NULL)
		return (BINDING_ERR_STATE);
	rc = store_binding_get(txn, binding_id, &b);
	if (rc == -1)
		return (BINDING_ERR_STORE);
	if (rc != 0 || (user_id != NULL && strcmp(b.user_id, user_id) != 0))
		e = BINDING_ERR_NOTFOUND;
	else if (b.state == BINDING_REVOKED)
		e = BINDING_ERR_REVOKED;
	/* X.1254 B_ACTIVATE: only the binding that waits for it. */
	else if (state == BINDING_ACTIVE && b.state != BINDING_PENDING)
		e = BINDING_ERR_STATE;
	else
		e = BINDING_OK;
	if (e != BINDING_OK)
		goto out;
	b.state = state;
	snprintf(text, sizeof(text), "binding=%s%s%s", b.id,
	    detail[0] != '\0' ? " " : "", detail);
	if (store_binding_put(txn, &b) == -1 ||
	    audit_write(txn, binding_event(state), actor, b.user_id, "ok",
	    text) == -1)
		e = BINDING_ERR_STORE;
out:
	/* The record holds the wrapped K: not left on the stack. */
	OPENSSL_cleanse(&b, sizeof(b));
	return (e);
}

const char *
binding_state_name(uint32_t state)
{
	static const char	*names[] = { "?", "active", "suspended",
				    "revoked", "pending" };

	return (names[state < sizeof(names) / sizeof(names[0]) ? state : 0]);
}

const char *
binding_state_label(uint32_t state)
{
	return (state == BINDING_PENDING ? "awaiting activation" :
	    binding_state_name(state));
}
