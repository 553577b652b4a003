/*
 * binding.c: the life of a binding after registration. Every change of
 * state (activation, suspension, revocation) by whoever asks for it (the
 * user's account page, the help desk, mutuactl) goes through
 * binding_set_state(), which checks that the move is allowed and writes
 * the audit record in the same transaction.
 */
#ifndef MUTUA_BINDING_H
#define MUTUA_BINDING_H

#include <stdint.h>

#include "store.h"
#include "store_binding.h"

enum binding_error {
	BINDING_OK = 0,
	BINDING_ERR_STORE,
	BINDING_ERR_NOTFOUND,	/* no such binding (of this user) */
	BINDING_ERR_REVOKED,	/* revoked already: final */
	BINDING_ERR_STATE	/* activation of a binding not pending */
};

/*
 * Moves binding_id to state (BINDING_ACTIVE, BINDING_SUSPENDED or
 * BINDING_REVOKED) in txn and audits it as "binding.activated",
 * "binding.suspended" or "binding.revoked", by actor, with the detail
 * "binding=<id> <detail>". Only a pending binding can be activated; a
 * revoked one never changes again. A refused move changes nothing: the
 * caller decides whether the transaction goes on.
 * @param user_id	the binding must be this user's (NULL: anyone's)
 * @param detail	what caused it, e.g. "case=<id>" (may be "")
 * @return BINDING_OK or the reason of the refusal.
 */
enum binding_error	binding_set_state(struct store_txn *,
			    const char *binding_id, const char *user_id,
			    uint32_t state, const char *actor,
			    const char *detail);

/* A state's name for machines: "active", "pending", ... ("?" if none). */
const char	*binding_state_name(uint32_t);

/* A state as a page shows it: "active", "awaiting activation", ... */
const char	*binding_state_label(uint32_t);

#endif
