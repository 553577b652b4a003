/*
 * X-Forwarded-For (proxy_client_addr(), src/proxy.c): the header every
 * request may bring, believed only from trusted proxies. The first byte
 * picks the peer (trusted or not, IPv4 or IPv6); the rest is the header.
 * Whatever the header says, the answer is the peer or one of the
 * header's entries, and never a trusted proxy unless all are.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_common.h"
#include "proxy.h"

static struct config	cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char	*proxies[] = { "10.0.0.0", "192.0.2.1",
				    "2001:db8::", NULL };
	static const unsigned	 prefix[] = { 8, 32, 32 };
	size_t			 i;

	memset(&cfg, 0, sizeof(cfg));
	for (i = 0; proxies[i] != NULL; i++) {
		cfg.proxies[i].family = strchr(proxies[i], ':') != NULL ?
		    AF_INET6 : AF_INET;
		if (inet_pton(cfg.proxies[i].family, proxies[i],
		    cfg.proxies[i].addr) != 1)
			fuzz_die("%s", proxies[i]);
		cfg.proxies[i].prefix = prefix[i];
	}
	cfg.nproxies = i;
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 10/8 and 2001:db8::/32 are trusted, the others not. */
	static const unsigned char	peers[4][16] = {
		{ 10, 9, 8, 7 }, { 198, 51, 100, 7 },
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, { 0xfe, 0x80, [15] = 1 }
	};
	char				*xff, out[64], peer[64];
	int				 p, family;

	if (size == 0)
		return (0);
	p = data[0] % 5;
	xff = p == 4 ? NULL : fuzz_string(data + 1, size - 1);
	p %= 4;
	family = p < 2 ? AF_INET : AF_INET6;
	inet_ntop(family, peers[p], peer, sizeof(peer));
	proxy_client_addr(&cfg, family, peers[p], xff, out, sizeof(out));
	/* An untrusted peer is the client, whatever the header says. */
	if ((p == 1 || p == 3) && strcmp(out, peer) != 0)
		abort();
	/* Behind a proxy: the proxy or an entry of the header. */
	if (strcmp(out, peer) != 0 && (xff == NULL || strstr(xff, out) == NULL))
		abort();
	free(xff);
	return (0);
}
