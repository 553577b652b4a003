/*
 * The SAML entry points (docs/saml.md): what an SP sends to /saml/sso
 * and /saml/slo, as saml_sso_parse(), saml_slo_request() and
 * saml_slo_response() get it: the raw query string for the Redirect
 * binding (deflated, base64, URL-encoded, perhaps signed), the base64
 * message for POST. Their own checks (size, RelayState, SHA-1) run
 * first, then lasso's decoding and parsing. The first byte picks the
 * entry point and the binding; the rest is the message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "saml.h"

static struct fuzz	fz;
static struct saml_idp	idp;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, NULL);
	fuzz_saml_open(&fz, &idp, 1);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saml_sso		 sso;
	struct saml_post	 post;
	const char		*error;
	char			*msg;
	int			 binding;

	if (size == 0)
		return (0);
	binding = data[0] & 1 ? SAML_BINDING_POST : SAML_BINDING_REDIRECT;
	msg = fuzz_string(data + 1, size - 1);
	/* The handlers refuse an empty message before any of this. */
	if (*msg == '\0')
		goto out;
	memset(&post, 0, sizeof(post));
	switch ((data[0] >> 1) % 3) {
	case 0:
		if (saml_sso_parse(&idp, fz.f.st, binding, msg, NULL, 1,
		    FUZZ_NOW, &sso) == SAML_ISSUE)
			saml_sso_free(&sso);
		break;
	case 1:
		if (saml_slo_request(&idp, fz.f.st, binding, msg, NULL, NULL,
		    FUZZ_NOW, &post, &error) == 0)
			saml_post_free(&post);
		break;
	default:
		if (saml_slo_response(&idp, fz.f.st, msg, FUZZ_NOW, &post,
		    &error) == 0)
			saml_post_free(&post);
		break;
	}
	fuzz_next(&fz);
out:
	free(msg);
	return (0);
}
