/*
 * mutua's own SAML metadata, signed with the IdP key (lasso.md §11).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "date.h"
#include "saml.h"
#include "template.h"

#define SAML_METADATA_ID	"_mutua-idp-metadata"
#define SAML_METADATA_VALID	(7 * 86400)	/* validUntil, seconds */
#define SAML_BIND		"urn:oasis:names:tc:SAML:2.0:bindings:"
#define SAML_NAMEID		"urn:oasis:names:tc:SAML:"

static int	saml_metadata_cert(const char *, char *, size_t);

/* The certificate's base64 body, PEM armour and line breaks removed. */
static int
saml_metadata_cert(const char *pem, char *out, size_t outlen)
{
	const char	*p, *end;
	size_t		 n;

	if ((p = strstr(pem, "-----BEGIN CERTIFICATE-----")) == NULL ||
	    (end = strstr(p, "-----END CERTIFICATE-----")) == NULL)
		return (-1);
	p += strlen("-----BEGIN CERTIFICATE-----");
	for (n = 0; p < end; p++) {
		if (*p == '\n' || *p == '\r')
			continue;
		if (n + 1 >= outlen)
			return (-1);
		out[n++] = *p;
	}
	out[n] = '\0';
	return (0);
}

int
saml_metadata_build(struct saml_idp *idp, const char *cert_pem, char *err,
    size_t errlen)
{
	const struct config	*cfg = idp->cfg;
	xmlDocPtr		 doc;
	xmlChar			*out;
	char			*xml, cert[8192], until[DATE_MAX];
	int			 n, len, ret;

	ret = -1;
	if (saml_metadata_cert(cert_pem, cert, sizeof(cert)) == -1) {
		snprintf(err, errlen, "%s: no PEM certificate",
		    cfg->signing_cert);
		return (-1);
	}
	date_format((uint64_t)time(NULL) + SAML_METADATA_VALID, DATE_ISO,
	    until, sizeof(until));

	/* The empty Signature comes first: lasso signs in place (§11). */
	n = asprintf(&xml,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:"
	    "metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
	    "entityID=\"%s\" ID=\"" SAML_METADATA_ID "\" validUntil=\"%s\" "
	    "cacheDuration=\"PT1H\">"
	    "<ds:Signature/>"
	    "<md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" "
	    "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:"
	    "protocol\">"
	    "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data>"
	    "<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>"
	    "</ds:KeyInfo></md:KeyDescriptor>"
	    "<md:SingleLogoutService Binding=\"" SAML_BIND "HTTP-Redirect\" "
	    "Location=\"%s/saml/slo\"/>"
	    "<md:SingleLogoutService Binding=\"" SAML_BIND "HTTP-POST\" "
	    "Location=\"%s/saml/slo\"/>"
	    "<md:NameIDFormat>" SAML_NAMEID "2.0:nameid-format:persistent"
	    "</md:NameIDFormat>"
	    "<md:NameIDFormat>" SAML_NAMEID "2.0:nameid-format:transient"
	    "</md:NameIDFormat>"
	    "<md:NameIDFormat>" SAML_NAMEID "1.1:nameid-format:emailAddress"
	    "</md:NameIDFormat>"
	    "<md:SingleSignOnService Binding=\"" SAML_BIND "HTTP-Redirect\" "
	    "Location=\"%s/saml/sso\"/>"
	    "<md:SingleSignOnService Binding=\"" SAML_BIND "HTTP-POST\" "
	    "Location=\"%s/saml/sso\"/>"
	    "</md:IDPSSODescriptor></md:EntityDescriptor>\n",
	    cfg->entity_id, until, cert, cfg->base_url, cfg->base_url,
	    cfg->base_url, cfg->base_url);
	if (n < 0) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	doc = xmlReadMemory(xml, n, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NODICT);
	free(xml);
	if (doc == NULL) {
		snprintf(err, errlen, "metadata: cannot parse what was built");
		return (-1);
	}
	if (lasso_key_saml2_xml_sign(idp->key, SAML_METADATA_ID,
	    xmlDocGetRootElement(doc)) == NULL) {
		snprintf(err, errlen, "metadata: signing failed");
		goto out;
	}
	xmlDocDumpMemoryEnc(doc, &out, &len, "UTF-8");
	if (out == NULL) {
		snprintf(err, errlen, "metadata: out of memory");
		goto out;
	}
	idp->metadata = strdup((char *)out);
	xmlFree(out);
	ret = idp->metadata != NULL ? 0 : -1;
out:
	xmlFreeDoc(doc);
	return (ret);
}
