/*
 * Federation files: an SP's metadata (federation/sp/NAME.xml, read by
 * saml_sp_load() with libxml2 for mutua's own checks, then by lasso)
 * and its release policy (NAME.conf). The input is the metadata, then,
 * after a NUL byte, the policy. Each input is loaded alone, by the
 * saml_sp_add() that saml_sp_load() calls for each file (reached by
 * including saml_sp.c, as the unit tests reach statics: saml_sp_load()
 * allocates room for every SP of a federation, 9 MB, on each call), and
 * its provider is taken out of the lasso server again.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "saml.h"

#include "../../src/saml_sp.c"

static struct fuzz	fz;
static struct saml_idp	idp;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, NULL);
	fuzz_saml_open(&fz, &idp, 0);
	if ((idp.sps = calloc(1, sizeof(*idp.sps))) == NULL)
		fuzz_die("out of memory");
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul;
	char		 xml[FIXTURE_PATH_MAX], conf[FIXTURE_PATH_MAX];
	char		 dir[FIXTURE_PATH_MAX];
	size_t		 xmllen;

	nul = memchr(data, '\0', size);
	xmllen = nul != NULL ? (size_t)(nul - data) : size;
	fuzz_file(&fz, "sp/sp.xml", data, xmllen, xml);
	if (nul != NULL)
		fuzz_file(&fz, "sp/sp.conf", nul + 1, size - xmllen - 1, conf);
	else {
		snprintf(conf, sizeof(conf), "%s/sp/sp.conf", fz.f.dir);
		(void)unlink(conf);
	}
	idp.nsps = 0;
	snprintf(dir, sizeof(dir), "%s/sp", fz.f.dir);
	if (saml_sp_add(&idp, dir, "sp.xml") == 0)
		g_hash_table_remove(idp.server->providers,
		    idp.sps[0].entity_id);
	return (0);
}
