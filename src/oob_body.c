/*
 * The JSON bodies of the authenticator and host API (docs/protocol.md
 * §1, §5, §7) and the check of the protocol's identifiers, without Kore
 * or the store, so that web_oob.c, the fuzzers and the PAM module call
 * the same code.
 */
#include <ctype.h>
#include <string.h>

#include <jansson.h>

#include "enrolment.h"
#include "host.h"
#include "oob.h"

static const char	*oob_body_str(json_t *, const char *);

json_t *
oob_body_parse(const void *body, size_t len)
{
	json_t		*doc;
	json_error_t	 err;

	/* A member given twice could be read one way here, another there. */
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (doc == NULL || !json_is_object(doc)) {
		json_decref(doc);
		return (NULL);
	}
	return (doc);
}

/* A string member, or NULL when missing or not a string. */
static const char *
oob_body_str(json_t *doc, const char *name)
{
	return (json_string_value(json_object_get(doc, name)));
}

void
oob_body_register(json_t *doc, struct enrolment_register_in *in)
{
	in->code = oob_body_str(doc, "code");
	in->authenticator_id = oob_body_str(doc, "authenticator_id");
	in->device_public_key = oob_body_str(doc, "device_public_key");
	in->label = oob_body_str(doc, "label");
	in->signature = oob_body_str(doc, "signature");
}

void
oob_body_decide(json_t *doc, struct oob_decide_in *in)
{
	in->request_id = oob_body_str(doc, "request_id");
	in->decision = oob_body_str(doc, "decision");
	in->code = oob_body_str(doc, "code");
	in->reason = oob_body_str(doc, "reason");
	in->signature = oob_body_str(doc, "signature");
}

void
oob_body_host_start(json_t *doc, struct host_start_in *in)
{
	in->user_id = oob_body_str(doc, "user_id");
	in->session = oob_body_str(doc, "session");
	in->rhost = oob_body_str(doc, "rhost");
	in->service = oob_body_str(doc, "service");
	in->tty = oob_body_str(doc, "tty");
}

/* 1 when s has min..max characters, all from the allowed set or alnum. */
int
oob_token_valid(const char *s, size_t min, size_t max, const char *extra)
{
	size_t		len, i;

	if (s == NULL)
		return (0);
	len = strlen(s);
	if (len < min || len > max)
		return (0);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return (0);
	}
	return (1);
}
