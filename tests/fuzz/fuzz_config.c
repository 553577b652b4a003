/*
 * config_load() (src/config.c): federation/idp.conf, written by an
 * operator but parsed by code that must not trust it to be well-formed.
 * A configuration that loads is asked about an address, as each request
 * asks about its peer (proxy.c).
 */
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "fuzz_common.h"

static struct fuzz	fz;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, NULL);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char	addr[16] = { 10, 1, 2, 3 };
	struct config			cfg;
	char				path[FIXTURE_PATH_MAX];
	char				err[CONFIG_ERR_MAX];

	fuzz_file(&fz, "idp.conf", data, size, path);
	err[0] = '\0';
	if (config_load(path, &cfg, err, sizeof(err)) == 0) {
		(void)config_is_trusted_proxy(&cfg, AF_INET, addr);
		(void)config_is_trusted_proxy(&cfg, AF_INET6, addr);
	} else if (strncmp(err, path, strlen(path)) != 0)
		fuzz_die("error without the file name: %s", err);
	return (0);
}
