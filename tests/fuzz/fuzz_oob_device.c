/*
 * The device-request headers of /oob/v1/pending and /oob/v1/approve
 * (X-Mutua-Binding, X-Mutua-Timestamp, X-Mutua-Signature;
 * docs/protocol.md §2) with the method, path and body they sign, into
 * oob_device_auth() against a store with the authenticator. The input
 * is those six fields, one a line, the body last.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "oob.h"

static struct fuzz	fz;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, fuzz_seed_user);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oob_device_in	 in;
	struct binding		 b;
	const char		*field[6];
	char			*s;

	s = fuzz_string(data, size);
	fuzz_fields(s, field, 6);
	memset(&in, 0, sizeof(in));
	in.binding_id = field[0];
	in.timestamp = field[1];
	in.signature = field[2];
	/* Kore always has a method and a path. */
	in.method = field[3] != NULL ? field[3] : "GET";
	in.path = field[4] != NULL ? field[4] : "/";
	in.body = field[5] != NULL ? field[5] : "";
	in.bodylen = strlen(in.body);
	if (oob_device_auth(&fz.f.ctx, &in, &b) == OOB_OK &&
	    strcmp(b.id, FUZZ_BINDING) != 0)
		abort();
	free(s);
	return (0);
}
