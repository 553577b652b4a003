/*
 * The federation's service providers: federation/sp/NAME.xml (SAML
 * metadata) with an optional federation/sp/NAME.conf (release policy).
 * Each file is checked on its own: a broken one is logged with its name
 * and reason and skipped, and the others load (docs/saml.md).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "log.h"
#include "saml.h"

#define SAML_SPS_MAX		1024
#define SAML_BINDING_POST_URI	"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

static int	saml_sp_read_xml(struct saml_sp *, const char *,
		    const char **);
static int	saml_sp_read_conf(struct saml_sp *, const char *,
		    const char **, int *);
static int	saml_sp_attributes(struct saml_sp *, char *, const char **);
static int	saml_sp_add(struct saml_idp *, const char *, const char *);
static void	saml_sp_acs_first(struct saml_sp *, const char *);
static xmlXPathObjectPtr	saml_sp_xpath(xmlXPathContextPtr,
		    const char *);
static void	saml_sp_display_name(struct saml_sp *, xmlXPathContextPtr);
static int	saml_sp_encryption(struct saml_sp *, xmlXPathContextPtr,
		    const char **);

/* Moves the ACS url to the front of sp->acs, when it is there. */
static void
saml_sp_acs_first(struct saml_sp *sp, const char *url)
{
	char	tmp[SAML_URL_MAX];
	size_t	i;

	for (i = 1; i < sp->nacs; i++) {
		if (strcmp(sp->acs[i], url) != 0)
			continue;
		memcpy(tmp, sp->acs[i], sizeof(tmp));
		memmove(sp->acs[1], sp->acs[0], i * sizeof(sp->acs[0]));
		memcpy(sp->acs[0], tmp, sizeof(tmp));
		return;
	}
}

static xmlXPathObjectPtr
saml_sp_xpath(xmlXPathContextPtr ctx, const char *expr)
{
	return (xmlXPathEvalExpression((const xmlChar *)expr, ctx));
}

/*
 * The name people see for the SP: mdui:DisplayName (SAML V2.0 Metadata
 * Extensions for Login and Discovery User Interface §2.1.2), else the
 * OrganizationDisplayName (metadata §2.3.2.1); English when there is a
 * choice, else the first. A name that is not clean text is passed over.
 */
static void
saml_sp_display_name(struct saml_sp *sp, xmlXPathContextPtr ctx)
{
	static const char	*exprs[] = {
	    "/md:EntityDescriptor/md:SPSSODescriptor/md:Extensions/"
	    "mdui:UIInfo/mdui:DisplayName[@xml:lang='en']",
	    "/md:EntityDescriptor/md:SPSSODescriptor/md:Extensions/"
	    "mdui:UIInfo/mdui:DisplayName",
	    "/md:EntityDescriptor/md:Organization/"
	    "md:OrganizationDisplayName[@xml:lang='en']",
	    "/md:EntityDescriptor/md:Organization/md:OrganizationDisplayName",
	};
	xmlXPathObjectPtr	 o;
	xmlChar			*v;
	size_t			 i;
	int			 j;

	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		o = saml_sp_xpath(ctx, exprs[i]);
		for (j = 0; o != NULL && o->nodesetval != NULL &&
		    j < o->nodesetval->nodeNr; j++) {
			v = xmlNodeGetContent(o->nodesetval->nodeTab[j]);
			if (v != NULL && text_display_name(sp->display_name,
			    sizeof(sp->display_name), (char *)v) == 0) {
				xmlFree(v);
				xmlXPathFreeObject(o);
				return;
			}
			xmlFree(v);
		}
		xmlXPathFreeObject(o);
	}
}

/*
 * The SP's encryption certificate (mutua encrypts with AES-GCM itself,
 * saml_encrypt.c) and the method: the first of mutua's choices, in its
 * order of preference, that the SP lists as an md:EncryptionMethod
 * (metadata §2.4.1.1); AES-256-GCM when it lists none.
 */
static int
saml_sp_encryption(struct saml_sp *sp, xmlXPathContextPtr ctx,
    const char **why)
{
	xmlXPathObjectPtr	 o;
	xmlChar			*v;
	enum saml_enc		 m, best;
	size_t			 i, n;
	int			 j, listed;

	*why = "the encryption KeyDescriptor has no X509Certificate";
	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/md:SPSSODescriptor/"
	    "md:KeyDescriptor[@use='encryption'][1]/ds:KeyInfo/ds:X509Data/"
	    "ds:X509Certificate");
	v = o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr > 0 ?
	    xmlNodeGetContent(o->nodesetval->nodeTab[0]) : NULL;
	xmlXPathFreeObject(o);
	if (v == NULL)
		return (-1);
	for (i = 0, n = 0; v[i] != '\0' && n + 1 < sizeof(sp->enc_cert);
	    i++) {
		if (!isspace(v[i]))
			sp->enc_cert[n++] = (char)v[i];
	}
	sp->enc_cert[n] = '\0';
	*why = "the encryption certificate is too large";
	if (v[i] != '\0') {
		xmlFree(v);
		return (-1);
	}
	xmlFree(v);

	best = SAML_ENC_AES256_GCM;
	listed = 0;
	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/md:SPSSODescriptor/"
	    "md:KeyDescriptor[@use='encryption']/md:EncryptionMethod/"
	    "@Algorithm");
	for (j = 0; o != NULL && o->nodesetval != NULL &&
	    j < o->nodesetval->nodeNr; j++) {
		v = xmlNodeGetContent(o->nodesetval->nodeTab[j]);
		if (v != NULL && saml_enc_from_uri((char *)v, &m) == 0 &&
		    (!listed || m < best)) {
			best = m;
			listed = 1;
		}
		xmlFree(v);
	}
	xmlXPathFreeObject(o);
	sp->enc_method = best;
	return (0);
}

/* Reads what mutua itself checks from the metadata (lasso.md §1, §7). */
static int
saml_sp_read_xml(struct saml_sp *sp, const char *path, const char **why)
{
	xmlDocPtr		 doc;
	xmlXPathContextPtr	 ctx;
	xmlXPathObjectPtr	 o;
	xmlChar			*v;
	int			 i, ret;

	ret = -1;
	ctx = NULL;
	*why = "not well-formed XML (or a DTD, which is refused)";
	if ((doc = xmlReadFile(path, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) == NULL)
		return (-1);
	if (doc->intSubset != NULL)
		goto out;
	if ((ctx = xmlXPathNewContext(doc)) == NULL)
		goto out;
	xmlXPathRegisterNs(ctx, (const xmlChar *)"md",
	    (const xmlChar *)"urn:oasis:names:tc:SAML:2.0:metadata");
	xmlXPathRegisterNs(ctx, (const xmlChar *)"mdui",
	    (const xmlChar *)"urn:oasis:names:tc:SAML:metadata:ui");
	xmlXPathRegisterNs(ctx, (const xmlChar *)"ds",
	    (const xmlChar *)"http://www.w3.org/2000/09/xmldsig#");

	*why = "no EntityDescriptor with an entityID";
	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/@entityID");
	if (o == NULL || o->nodesetval == NULL ||
	    o->nodesetval->nodeNr != 1) {
		xmlXPathFreeObject(o);
		goto out;
	}
	v = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
	xmlXPathFreeObject(o);
	if (v == NULL || strlen((char *)v) >= sizeof(sp->entity_id) ||
	    v[0] == '\0') {
		xmlFree(v);
		goto out;
	}
	strcpy(sp->entity_id, (char *)v);
	xmlFree(v);
	saml_sp_display_name(sp, ctx);

	/*
	 * lasso splits each role descriptor's protocolSupportEnumeration
	 * with strtok_r() and crashes when there is none (found by
	 * tests/fuzz/fuzz_saml_metadata.c); metadata §2.4.1 requires it.
	 */
	*why = "a role descriptor without protocolSupportEnumeration";
	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/*[substring(local-name(),"
	    " string-length(local-name()) - 9) = 'Descriptor']"
	    "[not(@protocolSupportEnumeration)]");
	if (o == NULL || (o->nodesetval != NULL &&
	    o->nodesetval->nodeNr > 0)) {
		xmlXPathFreeObject(o);
		goto out;
	}
	xmlXPathFreeObject(o);

	*why = "no HTTP-POST AssertionConsumerService";
	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/md:SPSSODescriptor/"
	    "md:AssertionConsumerService[@Binding='" SAML_BINDING_POST_URI
	    "']/@Location");
	for (i = 0; o != NULL && o->nodesetval != NULL &&
	    i < o->nodesetval->nodeNr && sp->nacs < SAML_ACS_MAX; i++) {
		v = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
		if (v != NULL && strlen((char *)v) < SAML_URL_MAX &&
		    (strncmp((char *)v, "https://", 8) == 0 ||
		    strncmp((char *)v, "http://", 7) == 0))
			strcpy(sp->acs[sp->nacs++], (char *)v);
		xmlFree(v);
	}
	xmlXPathFreeObject(o);
	if (sp->nacs == 0)
		goto out;
	/*
	 * The default one first (metadata §2.2.3: isDefault, else the
	 * first), for IdP-initiated SSO without an ACS URL.
	 */
	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/md:SPSSODescriptor/"
	    "md:AssertionConsumerService[@Binding='" SAML_BINDING_POST_URI
	    "'][@isDefault='true' or @isDefault='1']/@Location");
	if (o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr > 0 &&
	    (v = xmlNodeGetContent(o->nodesetval->nodeTab[0])) != NULL) {
		saml_sp_acs_first(sp, (char *)v);
		xmlFree(v);
	}
	xmlXPathFreeObject(o);

	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/md:SPSSODescriptor"
	    "[@AuthnRequestsSigned='true' or @AuthnRequestsSigned='1']");
	sp->want_signed = o != NULL && o->nodesetval != NULL &&
	    o->nodesetval->nodeNr > 0;
	xmlXPathFreeObject(o);
	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/md:SPSSODescriptor/"
	    "md:KeyDescriptor[@use='encryption']");
	sp->encrypt = o != NULL && o->nodesetval != NULL &&
	    o->nodesetval->nodeNr > 0;
	xmlXPathFreeObject(o);
	if (sp->encrypt && saml_sp_encryption(sp, ctx, why) == -1)
		goto out;
	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/md:SPSSODescriptor/"
	    "md:SingleLogoutService");
	sp->has_slo = o != NULL && o->nodesetval != NULL &&
	    o->nodesetval->nodeNr > 0;
	xmlXPathFreeObject(o);
	ret = 0;

out:
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return (ret);
}

static int
saml_sp_attributes(struct saml_sp *sp, char *value, const char **why)
{
	char		*tok, *save;
	int		 id;

	sp->attributes = 0;
	for (tok = strtok_r(value, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		/* The names of attribute.h, and uid (the user ID). */
		if (strcmp(tok, "uid") == 0)
			sp->attributes |= SAML_ATTR_UID;
		else if ((id = attribute_find(tok)) != -1)
			sp->attributes |= SAML_ATTR_BIT(id);
		else {
			*why = "unknown attribute (mail, displayName, "
			    "eduPersonPrincipalName, uid, givenName, sn, cn, "
			    "eduPersonAffiliation, eduPersonScopedAffiliation, "
			    "eduPersonEntitlement, isMemberOf)";
			return (-1);
		}
	}
	return (0);
}

/*
 * Reads NAME.conf: "attributes a b c", "nameid_format persistent|
 * transient|email", "require_signed_requests yes|no",
 * "encrypt_assertions yes|no", "encryption_method aes256-gcm|
 * aes128-gcm|aes256-cbc|aes128-cbc", "signature_keyinfo certificate|key",
 * "unsolicited yes|no".
 * A missing file keeps the defaults.
 */
static int
saml_sp_read_conf(struct saml_sp *sp, const char *path, const char **why,
    int *lineno)
{
	FILE	*fp;
	char	 line[512], *key, *value, *p;
	int	 ret, yes;

	*lineno = 0;
	if ((fp = fopen(path, "r")) == NULL)
		return (0);
	ret = -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		(*lineno)++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		for (key = line; isspace((unsigned char)*key); key++)
			;
		if (*key == '\0')
			continue;
		value = key + strcspn(key, " \t");
		if (*value != '\0')
			*value++ = '\0';
		while (isspace((unsigned char)*value))
			value++;
		yes = strcmp(value, "yes") == 0;
		if (strcmp(key, "attributes") == 0) {
			if (saml_sp_attributes(sp, value, why) == -1)
				goto out;
		} else if (strcmp(key, "nameid_format") == 0) {
			if (strcmp(value, "persistent") == 0)
				sp->nameid = SAML_NAMEID_PERSISTENT;
			else if (strcmp(value, "transient") == 0)
				sp->nameid = SAML_NAMEID_TRANSIENT;
			else if (strcmp(value, "email") == 0)
				sp->nameid = SAML_NAMEID_EMAIL;
			else {
				*why = "nameid_format: persistent, transient "
				    "or email";
				goto out;
			}
		} else if (strcmp(key, "require_signed_requests") == 0 &&
		    (yes || strcmp(value, "no") == 0)) {
			sp->want_signed |= yes;
		} else if (strcmp(key, "encrypt_assertions") == 0 &&
		    (yes || strcmp(value, "no") == 0)) {
			sp->encrypt = sp->encrypt && yes;
		} else if (strcmp(key, "encryption_method") == 0) {
			if (saml_enc_from_name(value, &sp->enc_method) == -1) {
				*why = "encryption_method: aes256-gcm, "
				    "aes128-gcm, aes256-cbc or aes128-cbc";
				goto out;
			}
		} else if (strcmp(key, "unsolicited") == 0 &&
		    (yes || strcmp(value, "no") == 0)) {
			sp->unsolicited = yes;
		} else if (strcmp(key, "signature_keyinfo") == 0 &&
		    (strcmp(value, "key") == 0 ||
		    strcmp(value, "certificate") == 0)) {
			sp->keyinfo_key = strcmp(value, "key") == 0;
		} else {
			*why = "unknown key or bad value";
			goto out;
		}
	}
	ret = 0;
out:
	fclose(fp);
	return (ret);
}

static int
saml_sp_add(struct saml_idp *idp, const char *dir, const char *name)
{
	struct saml_sp	*sp;
	LassoProvider	*provider;
	char		 xml[PATH_MAX], conf[PATH_MAX];
	const char	*why;
	size_t		 len;
	int		 line, rc;

	len = strlen(name);
	sp = &idp->sps[idp->nsps];
	memset(sp, 0, sizeof(*sp));
	sp->nameid = SAML_NAMEID_TRANSIENT;
	sp->attributes = SAML_ATTR_MAIL | SAML_ATTR_DISPLAYNAME |
	    SAML_ATTR_EPPN;
	snprintf(xml, sizeof(xml), "%s/%s", dir, name);
	snprintf(conf, sizeof(conf), "%s/%.*s.conf", dir, (int)(len - 4),
	    name);
	snprintf(sp->file, sizeof(sp->file), "%s", xml);

	if (saml_sp_read_xml(sp, xml, &why) == -1) {
		log_event("saml.sp.error", "file", xml, "reason", why,
		    (char *)NULL);
		return (-1);
	}
	if (saml_sp_read_conf(sp, conf, &why, &line) == -1) {
		snprintf(conf + strlen(conf), sizeof(conf) - strlen(conf),
		    ":%d", line);
		log_event("saml.sp.error", "file", conf, "reason", why,
		    (char *)NULL);
		return (-1);
	}
	if (saml_sp_find(idp, sp->entity_id) != NULL) {
		log_event("saml.sp.error", "file", xml, "reason",
		    "entityID already loaded from another file", (char *)NULL);
		return (-1);
	}
	rc = lasso_server_add_provider(idp->server, LASSO_PROVIDER_ROLE_SP,
	    xml, NULL, NULL);
	provider = rc == 0 ? lasso_server_get_provider(idp->server,
	    sp->entity_id) : NULL;
	if (provider == NULL) {
		log_event("saml.sp.error", "file", xml, "reason",
		    rc != 0 ? lasso_strerror(rc) : "entityID mismatch",
		    (char *)NULL);
		return (-1);
	}
	/* Sign with the cached key: no key re-read per message (lasso.md §3). */
	lasso_provider_set_server_signing_key(provider, sp->keyinfo_key ?
	    idp->key_bare : idp->key);
	/* AES-GCM is mutua's (saml_encrypt.c); lasso knows only CBC. */
	if (sp->encrypt && !saml_enc_is_gcm(sp->enc_method)) {
		lasso_provider_set_encryption_mode(provider,
		    LASSO_ENCRYPTION_MODE_ASSERTION);
		lasso_provider_set_encryption_sym_key_type(provider,
		    sp->enc_method == SAML_ENC_AES128_CBC ?
		    LASSO_ENCRYPTION_SYM_KEY_TYPE_AES_128 :
		    LASSO_ENCRYPTION_SYM_KEY_TYPE_AES_256);
		lasso_provider_set_key_encryption_method(provider,
		    LASSO_KEY_ENCRYPTION_METHOD_OAEP);
	}
	idp->nsps++;
	log_event("saml.sp.loaded", "file", xml, "entity_id", sp->entity_id,
	    (char *)NULL);
	return (0);
}

int
saml_sp_load(struct saml_idp *idp, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 len;

	if ((d = opendir(idp->cfg->sp_dir)) == NULL) {
		/* No SP directory: a federation without SAML SPs. */
		return (0);
	}
	if ((idp->sps = calloc(SAML_SPS_MAX, sizeof(*idp->sps))) == NULL) {
		closedir(d);
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	while ((de = readdir(d)) != NULL && idp->nsps < SAML_SPS_MAX) {
		len = strlen(de->d_name);
		if (len < 5 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 4, ".xml") != 0)
			continue;
		saml_sp_add(idp, idp->cfg->sp_dir, de->d_name);
	}
	closedir(d);
	return (0);
}

const struct saml_sp *
saml_sp_find(const struct saml_idp *idp, const char *entity_id)
{
	size_t		i;

	for (i = 0; i < idp->nsps; i++) {
		if (strcmp(idp->sps[i].entity_id, entity_id) == 0)
			return (&idp->sps[i]);
	}
	return (NULL);
}

int
saml_sp_acs_listed(const struct saml_sp *sp, const char *url)
{
	size_t		i;

	for (i = 0; i < sp->nacs; i++) {
		if (strcmp(sp->acs[i], url) == 0)
			return (1);
	}
	return (0);
}
