/*
 * The context of a call into the core (oob.c, enrolment.c, account.c):
 * what the caller's process holds and what the request brings.
 * The web layer fills it per request (web_core_ctx()), a tool once.
 */
#ifndef MUTUA_CORE_H
#define MUTUA_CORE_H

#include <stdint.h>

#include "config.h"
#include "crypto.h"
#include "store.h"

struct core_ctx {
	struct store			*store;
	const struct crypto_master_key	*master;
	const struct config		*cfg;
	uint64_t			 now;
	const char			*addr;	/* the caller's address */
	/*
	 * The display name of a relying party ID (an SP entity ID or a
	 * client ID) for the offset's rpn, or NULL when it has none; NULL
	 * in callers that start no logins (docs/protocol.md §3).
	 */
	const char			*(*rp_name)(const char *rp);
};

#endif
