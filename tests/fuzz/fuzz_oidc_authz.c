/*
 * OAuth 2.0 / OpenID Connect authorization requests (GET
 * /oauth2/authorize): the parameters, one a line in the order of struct
 * oidc_authz_in, into oidc_authz_parse() and on along the path the
 * handler takes: the decision without a session and with one, parking
 * the request for the login and taking it back, the code's redirect and
 * the error redirect, both of which carry the client's state.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "oidc.h"

#define NFIELDS		14

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
	struct oidc_authz_in	in;
	struct oidc_authz	a, back;
	struct oauth_authz	parked;
	struct session		s;
	const char		*f[NFIELDS];
	char			*text, loc[OIDC_LOCATION_MAX];
	char			 id[OIDC_AUTHZ_ID_LEN + 1];

	text = fuzz_string(data, size);
	fuzz_fields(text, f, NFIELDS);
	memset(&in, 0, sizeof(in));
	in.response_type = f[0];
	in.client_id = f[1];
	in.redirect_uri = f[2];
	in.scope = f[3];
	in.state = f[4];
	in.nonce = f[5];
	in.code_challenge = f[6];
	in.code_challenge_method = f[7];
	in.prompt = f[8];
	in.max_age = f[9];
	in.acr_values = f[10];
	in.response_mode = f[11];
	in.request = f[12];
	in.request_uri = f[13];

	fuzz_oidc_ctx(&fz, &op, &oc);
	oidc_authz_parse(&oc, &in, &a);
	if (a.action == OIDC_AUTHZ_CODE) {
		back = a;
		oidc_authz_decide(&oc, &back, NULL, 0);
		/* What is parked comes back as it was. */
		if (back.action == OIDC_AUTHZ_LOGIN &&
		    oidc_authz_park(&oc, &back, id) == 0) {
			parked = back.req;
			if (oidc_authz_resume(&oc, id, &back) != 0 ||
			    memcmp(&back.req, &parked, sizeof(parked)) != 0)
				abort();
		}
		memset(&s, 0, sizeof(s));
		strcpy(s.user_id, FUZZ_USER);
		strcpy(s.amr, "oob");
		s.loa = 3;
		s.auth_time = s.created = FUZZ_NOW - 60;
		s.expires = FUZZ_NOW + 3600;
		oidc_authz_decide(&oc, &a, &s, 0);
	}
	if (a.action == OIDC_AUTHZ_CODE)
		(void)oidc_authz_issue(&oc, &a, &s, loc, sizeof(loc));
	else if (a.action == OIDC_AUTHZ_ERROR)
		(void)oidc_authz_error_location(&oc, &a, loc, sizeof(loc));
	free(text);
	fuzz_next(&fz);
	return (0);
}
