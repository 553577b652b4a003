/*
 * proxy.c: the client's address behind the trusted proxies of idp.conf
 * (trusted_proxy, docs/deployment.md).
 */
#ifndef MUTUA_PROXY_H
#define MUTUA_PROXY_H

#include <stddef.h>

#include "config.h"

/* Longest X-Forwarded-For header that is looked at. */
#define PROXY_XFF_MAX		512

/*
 * Writes the client's address as text into out (capacity outlen): the
 * peer's, unless the peer is a trusted proxy; then the right-most entry
 * of xff that is not itself a trusted proxy. Entries to the left of it
 * are the client's own word and never believed; an entry that is not an
 * address ends the walk at the last one believed.
 * @param family	AF_INET or AF_INET6
 * @param peer		the peer's address (4 or 16 bytes)
 * @param xff		the X-Forwarded-For header, or NULL when absent
 */
void	proxy_client_addr(const struct config *, int family,
	    const unsigned char *peer, const char *xff, char *out,
	    size_t outlen);

#endif
