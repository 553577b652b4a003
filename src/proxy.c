/*
 * The client behind trusted reverse proxies (X-Forwarded-For).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "proxy.h"

void
proxy_client_addr(const struct config *cfg, int family,
    const unsigned char *peer, const char *xff, char *out, size_t outlen)
{
	char		 list[PROXY_XFF_MAX], *p, *entry;
	unsigned char	 addr[16];

	if (inet_ntop(family, peer, out, outlen) == NULL)
		snprintf(out, outlen, "unknown");
	if (!config_is_trusted_proxy(cfg, family, peer))
		return;
	if (xff == NULL || strlen(xff) >= sizeof(list))
		return;
	strcpy(list, xff);

	/* Each proxy appends its peer: walk from the right. */
	while ((p = strrchr(list, ',')) != NULL || list[0] != '\0') {
		entry = p == NULL ? list : p + 1;
		while (*entry == ' ')
			entry++;
		if (inet_pton(AF_INET, entry, addr) == 1)
			family = AF_INET;
		else if (inet_pton(AF_INET6, entry, addr) == 1)
			family = AF_INET6;
		else
			return;
		snprintf(out, outlen, "%s", entry);
		if (!config_is_trusted_proxy(cfg, family, addr))
			return;
		if (p == NULL)
			return;
		*p = '\0';
	}
}
