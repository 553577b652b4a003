/*
 * Pushed authorization requests (RFC 9126): a client sends its
 * authorization request straight to mutua, authenticated, and gets a
 * request_uri to send the browser with instead of the parameters, so
 * that they can be neither read nor changed on the way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "oidc.h"

void
oidc_par(struct oidc_ctx *ctx, const struct oidc_cred *cred,
    const struct oidc_authz_in *in, struct oidc_response *resp)
{
	const struct client	*c;
	struct oidc_authz_in	 pushed;
	struct oidc_authz	 a;
	char			 id[OIDC_AUTHZ_ID_LEN + 1];
	char			 uri[sizeof(OIDC_PAR_URN) + OIDC_AUTHZ_ID_LEN];
	json_t			*o;

	memset(resp, 0, sizeof(*resp));
	if (in->malformed) {
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "a parameter is repeated, too long or malformed");
		return;
	}
	if (oidc_client_authenticate(ctx, cred, &c, resp) != OIDC_OK)
		return;
	/* §2.1: no request_uri in a pushed request; client_id, if any, its own. */
	if (in->request_uri != NULL || (in->client_id != NULL &&
	    strcmp(in->client_id, c->id) != 0)) {
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    in->request_uri != NULL ? "request_uri is not allowed here" :
		    "client_id is not the authenticated client");
		return;
	}
	pushed = *in;
	pushed.client_id = c->id;
	oidc_authz_parse(ctx, &pushed, &a);
	if (a.action == OIDC_AUTHZ_PAGE) {
		/* §2.3: what the authorization endpoint would not redirect. */
		oidc_response_error(resp, 400, OIDC_INVALID_REQUEST,
		    "redirect_uri is missing or not registered");
		return;
	}
	if (a.action == OIDC_AUTHZ_ERROR) {
		oidc_response_error(resp, 400, a.error, a.description);
		return;
	}
	if (oidc_authz_keep(ctx, &a, 1, id) == -1) {
		oidc_response_error(resp, 500, OIDC_SERVER_ERROR, NULL);
		return;
	}
	snprintf(uri, sizeof(uri), "%s%s", OIDC_PAR_URN, id);
	o = json_pack("{s:s, s:i}", "request_uri", uri, "expires_in",
	    OIDC_PAR_LIFETIME);
	resp->body = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (resp->body == NULL) {
		oidc_response_error(resp, 500, OIDC_SERVER_ERROR, NULL);
		return;
	}
	/* §2.2: 201 Created. */
	resp->status = 201;
}
