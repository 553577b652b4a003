/*
 * OAuth client registrations (federation/clients/NAME.json,
 * client_load_file(), docs/oidc.md): JSON with redirect URIs, scopes,
 * claims, sectors and the public keys (JWKs) of private_key_jwt clients,
 * which jose_key_import() checks.
 */
#include "client.h"
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
	struct client	c;
	char		path[FIXTURE_PATH_MAX], err[CLIENT_ERR_MAX];

	fuzz_file(&fz, "client.json", data, size, path);
	if (client_load_file(path, &c, err, sizeof(err)) == 0) {
		(void)client_redirect_ok(&c, FUZZ_REDIRECT);
		(void)client_scope_ok(&c, "email", 5);
		client_free(&c);
	}
	return (0);
}
