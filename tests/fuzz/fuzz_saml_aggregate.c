/*
 * Federation metadata: an aggregate or an MDQ answer (saml_aggregate.c).
 * Each input is read as mutua reads a download (no network, no DTD),
 * checked against the pinned certificate (the IdP's own here: the
 * fuzzer cannot sign, so this exercises xmlsec on hostile signatures),
 * then walked by the entity filters as if it had verified (reached by
 * including saml_aggregate.c), with the category and registrar filters
 * on when the first byte is odd.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "saml.h"

#include "../../src/saml_aggregate.c"

static struct fuzz		fz;
static struct saml_idp		idp;
static struct config_md_source	src, filtered;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, NULL);
	fuzz_saml_open(&fz, &idp, 0);
	snprintf(src.name, sizeof(src.name), "fuzz");
	snprintf(src.cert, sizeof(src.cert), "%s", fz.f.cfg.signing_cert);
	filtered = src;
	snprintf(filtered.category, sizeof(filtered.category),
	    "http://refeds.org/category/research-and-scholarship");
	snprintf(filtered.registrar, sizeof(filtered.registrar),
	    "http://aggregate.example.org/");
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saml_aggregate	 a;
	xmlDocPtr		 doc;
	xmlNodePtr		 root;
	const char		*why;

	if ((doc = saml_aggregate_read(NULL, (const char *)data, size,
	    &why)) == NULL)
		return (0);
	if (saml_aggregate_parse(&src, doc, FUZZ_NOW, &a, &why) == 0)
		saml_aggregate_release(&a);
	memset(&a, 0, sizeof(a));
	a.src = size > 0 && (data[0] & 1) ? &filtered : &src;
	a.now = FUZZ_NOW;
	if ((root = xmlDocGetRootElement(doc)) != NULL &&
	    xmlStrEqual(root->name, (const xmlChar *)"EntityDescriptor"))
		(void)saml_aggregate_entity(&a, root, UINT64_MAX);
	else if (root != NULL)
		(void)saml_aggregate_walk(&a, root, UINT64_MAX, 0);
	saml_aggregate_release(&a);
	xmlFreeDoc(doc);
	return (0);
}
