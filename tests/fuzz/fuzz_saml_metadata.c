/*
 * Federation files: an SP's metadata (federation/sp/NAME.xml, read by
 * saml_sp_load() with libxml2 for mutua's own checks, then by lasso)
 * and its release policy (NAME.conf). The input is the metadata, then,
 * after a NUL byte, the policy. Each input is loaded alone and its
 * provider taken out of the lasso server again.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "saml.h"

static struct fuzz	fz;
static struct saml_idp	idp;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, NULL);
	fuzz_saml_open(&fz, &idp, 0);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul;
	char		 xml[FIXTURE_PATH_MAX], conf[FIXTURE_PATH_MAX];
	char		 err[256];
	size_t		 i, xmllen;

	nul = memchr(data, '\0', size);
	xmllen = nul != NULL ? (size_t)(nul - data) : size;
	fuzz_file(&fz, "sp/sp.xml", data, xmllen, xml);
	if (nul != NULL)
		fuzz_file(&fz, "sp/sp.conf", nul + 1, size - xmllen - 1, conf);
	else {
		snprintf(conf, sizeof(conf), "%s/sp/sp.conf", fz.f.dir);
		(void)unlink(conf);
	}
	free(idp.sps);
	idp.sps = NULL;
	idp.nsps = 0;
	if (saml_sp_load(&idp, err, sizeof(err)) == -1)
		fuzz_die("saml_sp_load: %s", err);
	for (i = 0; i < idp.nsps; i++)
		g_hash_table_remove(idp.server->providers,
		    idp.sps[i].entity_id);
	return (0);
}
