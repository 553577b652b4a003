/*
 * The JSON bodies of POST /oob/v1/register, /oob/v1/approve and
 * /oob/v1/host/start (docs/protocol.md §1, §5, §7), through
 * oob_body_parse() into what the handlers call next:
 * enrolment_register(), oob_decide() and host_login_start(), against a
 * store with a user, an authenticator, its pending request and a
 * registration code. A body that succeeds (the seeds hold valid
 * signatures) changes the store, which is then seeded again so that
 * every input meets the same state.
 */
#include <string.h>

#include "enrolment.h"
#include "fuzz_common.h"
#include "host.h"
#include "oob.h"

static struct fuzz	fz;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, fuzz_seed_pending);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct enrolment_register_in	 rin;
	struct enrolment_register_out	 rout;
	struct oob_decide_in		 din;
	struct host_start_in		 hin;
	struct host			 host;
	struct oob_view			 view;
	struct store_txn		 txn;
	struct binding			 b;
	json_t				*doc;
	uint32_t			 state;
	int				 changed, rc;

	if ((doc = oob_body_parse(data, size)) == NULL)
		return (0);
	oob_body_register(doc, &rin);
	changed = enrolment_register(&fz.f.ctx, &rin, &rout) == OOB_OK;

	if (store_txn_begin(fz.f.st, &txn, 0) == -1)
		fuzz_die("store_txn_begin");
	rc = store_binding_get(&txn, FUZZ_BINDING, &b);
	store_txn_abort(&txn);
	if (rc != 0)
		fuzz_die("the seeded binding is gone");
	oob_body_decide(doc, &din);
	if (oob_decide(&fz.f.ctx, &b, &din, &state) == OOB_OK)
		changed = 1;
	/* A registered host, as host_login_auth() hands it over. */
	memset(&host, 0, sizeof(host));
	strcpy(host.name, "fuzz-host");
	strcpy(host.display_name, "Fuzz host");
	oob_body_host_start(doc, &hin);
	if (host_login_start(&fz.f.ctx, &host, &hin, &view) == OOB_OK)
		changed = 1;
	json_decref(doc);

	if (changed && fuzz_seed_pending(&fz) == -1)
		fuzz_die("cannot seed the store again");
	fuzz_next(&fz);
	return (0);
}
