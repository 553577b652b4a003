/*
 * Token requests (POST /oauth2/token, and the introspection and
 * revocation endpoints that share their client authentication): the
 * Authorization header (Basic credentials) and the form parameters, one
 * a line in the order of struct oidc_token_in, into oidc_token(),
 * oidc_introspect() and oidc_revoke(); and the bearer token of
 * oidc_userinfo(). The provider has a public, a private_key_jwt and a
 * client_secret_basic client (fuzz_oidc_open()).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "oidc.h"

#define NFIELDS		13

static struct fuzz	fz;
static struct oidc	op;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, NULL);
	fuzz_oidc_open(&fz, &op);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_ctx		oc;
	struct oidc_token_in	in;
	struct oidc_response	resp;
	const char		*f[NFIELDS];
	char			*text;

	text = fuzz_string(data, size);
	fuzz_fields(text, f, NFIELDS);
	memset(&in, 0, sizeof(in));
	in.cred.authorization = f[0];
	in.cred.client_id = f[1];
	in.cred.client_secret = f[2];
	in.cred.assertion_type = f[3];
	in.cred.assertion = f[4];
	in.cred.endpoint = "http://127.0.0.1:8080/oauth2/token";
	in.grant_type = f[5];
	in.code = f[6];
	in.redirect_uri = f[7];
	in.code_verifier = f[8];
	in.refresh_token = f[9];
	in.scope = f[10];
	in.token = f[11];

	fuzz_oidc_ctx(&fz, &op, &oc);
	oidc_token(&oc, &in, &resp);
	free(resp.body);
	oidc_introspect(&oc, &in, &resp);
	free(resp.body);
	oidc_revoke(&oc, &in, &resp);
	free(resp.body);
	if (f[12] != NULL) {
		oidc_userinfo(&oc, f[12], &resp);
		free(resp.body);
	}
	free(text);
	fuzz_next(&fz);
	return (0);
}
