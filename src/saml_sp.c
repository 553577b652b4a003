/*
 * The federation's service providers: federation/sp/NAME.xml (SAML
 * metadata) with an optional federation/sp/NAME.conf (release policy).
 * Each file is checked on its own: a broken one is logged with its name
 * and reason and skipped, and the others load (docs/saml.md).
 *
 * SPs of the metadata aggregates (saml_aggregate.c) are resolved from
 * the store when a request names them, and kept in a bounded per-worker
 * cache: the least recently used one leaves it (and lasso's server) when
 * it is full, and an entry is dropped when its source has a new copy or
 * its validUntil has passed.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "date.h"
#include "log.h"
#include "saml.h"
#include "store_metadata.h"

#define SAML_SPS_MAX		1024
#define SAML_BINDING_POST_URI	"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

/* saml_sp_read_conf() flags. */
#define SAML_SP_CONF_REQUIRED	0x01	/* a missing file is an error */
#define SAML_SP_CONF_SECTIONS	0x02	/* "entity ID" overrides allowed */

/* One slot of the per-worker cache of resolved aggregate SPs. */
struct saml_sp_cached {
	struct saml_sp	sp;
	uint64_t	generation;	/* of its source, when resolved */
	uint64_t	valid_until;
	uint64_t	used;		/* cache tick of the last use */
	size_t		source;		/* index in cfg->md_sources */
	int		busy;
};

struct saml_sp_cache {
	struct saml_sp_cached	*v;
	size_t			 max;
	uint64_t		 tick;
	GHashTable		*by_id;	/* entity_id -> slot (not owned) */
};

/* A key of NAME.conf or of a source's policy file (docs/saml.md). */
struct saml_sp_key {
	const char	*name;
	int		(*parse)(struct saml_sp *, char *, const char **);
};

static int	saml_sp_read_doc(struct saml_sp *, xmlDocPtr, const char **);
static int	saml_sp_read_conf(struct saml_sp *, const char *, int,
		    const char **, int *);
static int	saml_sp_yes(const char *, int *);
static int	saml_sp_attr_bits(const char *, int, uint32_t *);
static int	saml_sp_attributes(struct saml_sp *, char *, const char **);
static int	saml_sp_by_category(struct saml_sp *, char *, const char **);
static void	saml_sp_policy_finish(struct saml_sp *);
static void	saml_sp_read_categories(struct saml_sp *, xmlXPathContextPtr);
static int	saml_sp_nameid(struct saml_sp *, char *, const char **);
static int	saml_sp_signed(struct saml_sp *, char *, const char **);
static int	saml_sp_encrypt(struct saml_sp *, char *, const char **);
static int	saml_sp_enc_method(struct saml_sp *, char *, const char **);
static int	saml_sp_unsolicited(struct saml_sp *, char *, const char **);
static int	saml_sp_keyinfo(struct saml_sp *, char *, const char **);
static void	saml_sp_defaults(struct saml_sp *);
static int	saml_sp_provider(struct saml_idp *, struct saml_sp *,
		    const char *, size_t, const char **);
static int	saml_sp_add(struct saml_idp *, const char *, const char *);
static void	saml_sp_evict(struct saml_idp *, struct saml_sp_cached *);
static struct saml_sp_cached	*saml_sp_slot(struct saml_idp *);
static int	saml_sp_current(struct saml_idp *,
		    const struct saml_sp_cached *, uint64_t);
static int	saml_sp_aggregate_get(struct saml_idp *,
		    const struct config_md_source *, const char *, char **,
		    size_t *, uint64_t *, uint64_t *);
static const struct saml_sp	*saml_sp_resolve(struct saml_idp *,
		    const char *, uint64_t);
static const struct saml_sp	*saml_sp_file_find(const struct saml_idp *,
		    const char *);
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

/*
 * Reads what mutua itself checks from the metadata (lasso.md §1, §7);
 * doc was read with XML_PARSE_NONET and is released by the caller.
 */
static int
saml_sp_read_doc(struct saml_sp *sp, xmlDocPtr doc, const char **why)
{
	xmlXPathContextPtr	 ctx;
	xmlXPathObjectPtr	 o;
	xmlChar			*v;
	int			 i, ret;

	ret = -1;
	ctx = NULL;
	*why = "not well-formed XML (or a DTD, which is refused)";
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
	xmlXPathRegisterNs(ctx, (const xmlChar *)"mdattr",
	    (const xmlChar *)"urn:oasis:names:tc:SAML:metadata:attribute");
	xmlXPathRegisterNs(ctx, (const xmlChar *)"saml",
	    (const xmlChar *)"urn:oasis:names:tc:SAML:2.0:assertion");

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
	saml_sp_read_categories(sp, ctx);

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
	return (ret);
}

/*
 * Names the REFEDS category bundles use that mutua does not release
 * (yet): a bundle may name them, an SP's policy may not.
 */
static const char	*saml_sp_unreleased[] = {
	"eduPersonAssurance", "schacHomeOrganization", "subject-id",
	"pairwise-id",
};

/*
 * Entity categories and the attributes each one releases, as
 * Shibboleth's attribute filter does it for an SP whose (signed)
 * metadata carries the category: REFEDS Research and Scholarship v1.3
 * §5 (shared user identifier, person name, e-mail, optionally
 * affiliation) and the REFEDS Personalized, Pseudonymous and Anonymous
 * Access entity categories (§4 of each).
 */
static const struct {
	const char	*uri;
	uint32_t	 flag;
	const char	*bundle;
} saml_sp_categories[] = {
	{ "http://refeds.org/category/research-and-scholarship",
	    SAML_CATEGORY_RS, "eduPersonPrincipalName mail displayName "
	    "givenName sn eduPersonScopedAffiliation" },
	{ "https://refeds.org/category/personalized",
	    SAML_CATEGORY_PERSONALIZED, "subject-id mail displayName "
	    "givenName sn eduPersonAssurance eduPersonScopedAffiliation "
	    "schacHomeOrganization" },
	{ "https://refeds.org/category/pseudonymous",
	    SAML_CATEGORY_PSEUDONYMOUS, "pairwise-id eduPersonAssurance "
	    "eduPersonScopedAffiliation schacHomeOrganization" },
	{ "https://refeds.org/category/anonymous",
	    SAML_CATEGORY_ANONYMOUS, "eduPersonAssurance "
	    "eduPersonScopedAffiliation schacHomeOrganization" },
};

/*
 * The SAML_ATTR_* bits of a list of names; unknown names fail, names
 * the directory does not provide yet fail when strict.
 */
static int
saml_sp_attr_bits(const char *list, int strict, uint32_t *bits)
{
	char		 copy[512], *tok, *save;
	size_t		 i;
	uint32_t	 bit;
	int		 id;

	*bits = 0;
	if (strlen(list) >= sizeof(copy))
		return (-1);
	strcpy(copy, list);
	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		/* The names of attribute.h, and uid (the user ID). */
		if (strcmp(tok, "uid") == 0)
			bit = SAML_ATTR_UID;
		else if ((id = attribute_find(tok)) != -1)
			bit = SAML_ATTR_BIT(id);
		else {
			for (i = 0; i < sizeof(saml_sp_unreleased) /
			    sizeof(saml_sp_unreleased[0]); i++) {
				if (strcmp(saml_sp_unreleased[i], tok) == 0)
					break;
			}
			if (strict || i == sizeof(saml_sp_unreleased) /
			    sizeof(saml_sp_unreleased[0]))
				return (-1);
			bit = 0;
		}
		*bits |= bit;
	}
	return (0);
}

static int
saml_sp_attributes(struct saml_sp *sp, char *value, const char **why)
{
	if (saml_sp_attr_bits(value, 1, &sp->attributes) == -1) {
		*why = "unknown attribute (mail, displayName, "
		    "eduPersonPrincipalName, uid, givenName, sn, cn, "
		    "eduPersonAffiliation, eduPersonScopedAffiliation, "
		    "eduPersonEntitlement, isMemberOf)";
		return (-1);
	}
	return (0);
}

/* "release_by_category yes": the bundles of the SP's categories too. */
static int
saml_sp_by_category(struct saml_sp *sp, char *value, const char **why)
{
	return (saml_sp_yes(value, &sp->by_category));
}

/*
 * What the policy decided, completed: the attributes of the SP's entity
 * categories when the policy releases by category.
 */
static void
saml_sp_policy_finish(struct saml_sp *sp)
{
	uint32_t	bits;
	size_t		i;

	if (!sp->by_category)
		return;
	for (i = 0; i < sizeof(saml_sp_categories) /
	    sizeof(saml_sp_categories[0]); i++) {
		if ((sp->categories & saml_sp_categories[i].flag) &&
		    saml_sp_attr_bits(saml_sp_categories[i].bundle, 0,
		    &bits) == 0)
			sp->attributes |= bits;
	}
}

/* The known entity categories the metadata claims (mdattr). */
static void
saml_sp_read_categories(struct saml_sp *sp, xmlXPathContextPtr ctx)
{
	xmlXPathObjectPtr	 o;
	xmlChar			*v;
	size_t			 i;
	int			 j;

	o = saml_sp_xpath(ctx, "/md:EntityDescriptor/md:Extensions/"
	    "mdattr:EntityAttributes/saml:Attribute[@Name='http://macedir.org/"
	    "entity-category']/saml:AttributeValue");
	for (j = 0; o != NULL && o->nodesetval != NULL &&
	    j < o->nodesetval->nodeNr; j++) {
		if ((v = xmlNodeGetContent(o->nodesetval->nodeTab[j])) == NULL)
			continue;
		for (i = 0; i < sizeof(saml_sp_categories) /
		    sizeof(saml_sp_categories[0]); i++) {
			if (strcmp(saml_sp_categories[i].uri, (char *)v) == 0)
				sp->categories |= saml_sp_categories[i].flag;
		}
		xmlFree(v);
	}
	xmlXPathFreeObject(o);
}

static int
saml_sp_yes(const char *value, int *yes)
{
	*yes = strcmp(value, "yes") == 0;
	return (*yes || strcmp(value, "no") == 0 ? 0 : -1);
}

static int
saml_sp_nameid(struct saml_sp *sp, char *value, const char **why)
{
	if (strcmp(value, "persistent") == 0)
		sp->nameid = SAML_NAMEID_PERSISTENT;
	else if (strcmp(value, "transient") == 0)
		sp->nameid = SAML_NAMEID_TRANSIENT;
	else if (strcmp(value, "email") == 0)
		sp->nameid = SAML_NAMEID_EMAIL;
	else {
		*why = "nameid_format: persistent, transient or email";
		return (-1);
	}
	return (0);
}

/* The metadata may ask for signed requests; the policy only adds to it. */
static int
saml_sp_signed(struct saml_sp *sp, char *value, const char **why)
{
	int	yes;

	if (saml_sp_yes(value, &yes) == -1)
		return (-1);
	sp->want_signed |= yes;
	return (0);
}

/* Encryption needs the SP's encryption key from the metadata. */
static int
saml_sp_encrypt(struct saml_sp *sp, char *value, const char **why)
{
	int	yes;

	if (saml_sp_yes(value, &yes) == -1)
		return (-1);
	sp->encrypt = sp->encrypt && yes;
	return (0);
}

/* AES-GCM unless the SP can only decrypt CBC (docs/saml.md). */
static int
saml_sp_enc_method(struct saml_sp *sp, char *value, const char **why)
{
	if (saml_enc_from_name(value, &sp->enc_method) == -1) {
		*why = "encryption_method: aes256-gcm, aes128-gcm, aes256-cbc "
		    "or aes128-cbc";
		return (-1);
	}
	return (0);
}

static int
saml_sp_unsolicited(struct saml_sp *sp, char *value, const char **why)
{
	return (saml_sp_yes(value, &sp->unsolicited));
}

static int
saml_sp_keyinfo(struct saml_sp *sp, char *value, const char **why)
{
	if (strcmp(value, "key") != 0 && strcmp(value, "certificate") != 0)
		return (-1);
	sp->keyinfo_key = strcmp(value, "key") == 0;
	return (0);
}

/*
 * The keys of NAME.conf and of a metadata source's policy file, one
 * table for both (docs/saml.md "Release policy").
 */
static const struct saml_sp_key saml_sp_keys[] = {
	{ "attributes",			saml_sp_attributes },
	{ "nameid_format",		saml_sp_nameid },
	{ "require_signed_requests",	saml_sp_signed },
	{ "encrypt_assertions",		saml_sp_encrypt },
	{ "encryption_method",		saml_sp_enc_method },
	{ "unsolicited",		saml_sp_unsolicited },
	{ "signature_keyinfo",		saml_sp_keyinfo },
	{ "release_by_category",	saml_sp_by_category },
};

/*
 * Reads a policy file, "key value" per line with the keys of
 * saml_sp_keys[], applied over what the metadata said. A missing file
 * keeps the defaults, unless flags has SAML_SP_CONF_REQUIRED. With
 * SAML_SP_CONF_SECTIONS (a metadata source's policy), "entity ID"
 * starts the overrides of one entity: the lines after it apply to that
 * SP only (every line is still checked).
 */
static int
saml_sp_read_conf(struct saml_sp *sp, const char *path, int flags,
    const char **why, int *lineno)
{
	static struct saml_sp	 other;
	struct saml_sp		*target;
	FILE			*fp;
	char			 line[512], *key, *value, *p;
	size_t			 i;
	int			 ret;

	*lineno = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		*why = "cannot be read";
		return ((flags & SAML_SP_CONF_REQUIRED) ? -1 : 0);
	}
	ret = -1;
	target = sp;
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
		/* "key value   # comment": the spaces before it go too. */
		for (p = value + strlen(value); p > value &&
		    isspace((unsigned char)p[-1]); p--)
			p[-1] = '\0';
		if (strcmp(key, "entity") == 0) {
			*why = "entity: only in a metadata source's policy, "
			    "with an entityID";
			if (!(flags & SAML_SP_CONF_SECTIONS) || *value == '\0')
				goto out;
			/* Another entity's lines go to a scratch copy. */
			other = *sp;
			target = strcmp(value, sp->entity_id) == 0 ? sp : &other;
			continue;
		}
		for (i = 0; i < sizeof(saml_sp_keys) / sizeof(saml_sp_keys[0]);
		    i++) {
			if (strcmp(saml_sp_keys[i].name, key) == 0)
				break;
		}
		*why = "unknown key or bad value";
		if (i == sizeof(saml_sp_keys) / sizeof(saml_sp_keys[0]) ||
		    saml_sp_keys[i].parse(target, value, why) == -1)
			goto out;
	}
	ret = 0;
out:
	fclose(fp);
	return (ret);
}

/* What an SP gets when nothing says otherwise (docs/saml.md). */
static void
saml_sp_defaults(struct saml_sp *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->nameid = SAML_NAMEID_TRANSIENT;
	sp->attributes = SAML_ATTR_MAIL | SAML_ATTR_DISPLAYNAME |
	    SAML_ATTR_EPPN;
}

/*
 * Gives lasso the SP's metadata (a file when len is 0, else a buffer)
 * and sets what mutua decides per SP: the cached signing key and
 * encryption. @return 0, or -1 with *why.
 */
static int
saml_sp_provider(struct saml_idp *idp, struct saml_sp *sp, const char *md,
    size_t len, const char **why)
{
	LassoProvider	*provider;
	int		 rc;

	if (len == 0)
		rc = lasso_server_add_provider(idp->server,
		    LASSO_PROVIDER_ROLE_SP, md, NULL, NULL);
	else
		rc = lasso_server_add_provider_from_buffer(idp->server,
		    LASSO_PROVIDER_ROLE_SP, md, NULL, NULL);
	provider = rc == 0 ? lasso_server_get_provider(idp->server,
	    sp->entity_id) : NULL;
	if (provider == NULL) {
		*why = rc != 0 ? lasso_strerror(rc) : "entityID mismatch";
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
	return (0);
}

static int
saml_sp_add(struct saml_idp *idp, const char *dir, const char *name)
{
	struct saml_sp	*sp;
	xmlDocPtr	 doc;
	char		 xml[PATH_MAX], conf[PATH_MAX];
	const char	*why;
	size_t		 len;
	int		 line, rc;

	len = strlen(name);
	sp = &idp->sps[idp->nsps];
	saml_sp_defaults(sp);
	snprintf(xml, sizeof(xml), "%s/%s", dir, name);
	snprintf(conf, sizeof(conf), "%s/%.*s.conf", dir, (int)(len - 4),
	    name);
	snprintf(sp->file, sizeof(sp->file), "%s", xml);

	why = "not well-formed XML (or a DTD, which is refused)";
	doc = xmlReadFile(xml, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	rc = doc != NULL ? saml_sp_read_doc(sp, doc, &why) : -1;
	xmlFreeDoc(doc);
	if (rc == -1) {
		log_event("saml.sp.error", "file", xml, "reason", why,
		    (char *)NULL);
		return (-1);
	}
	if (saml_sp_read_conf(sp, conf, 0, &why, &line) == -1) {
		snprintf(conf + strlen(conf), sizeof(conf) - strlen(conf),
		    ":%d", line);
		log_event("saml.sp.error", "file", conf, "reason", why,
		    (char *)NULL);
		return (-1);
	}
	saml_sp_policy_finish(sp);
	if (saml_sp_file_find(idp, sp->entity_id) != NULL) {
		log_event("saml.sp.error", "file", xml, "reason",
		    "entityID already loaded from another file", (char *)NULL);
		return (-1);
	}
	if (saml_sp_provider(idp, sp, xml, 0, &why) == -1) {
		log_event("saml.sp.error", "file", xml, "reason", why,
		    (char *)NULL);
		return (-1);
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

/* Takes a slot out of the cache and its SP out of lasso's server. */
static void
saml_sp_evict(struct saml_idp *idp, struct saml_sp_cached *c)
{
	if (!c->busy)
		return;
	g_hash_table_remove(idp->cache->by_id, c->sp.entity_id);
	g_hash_table_remove(idp->server->providers, c->sp.entity_id);
	c->busy = 0;
}

/* A free slot, or the least recently used one, emptied. */
static struct saml_sp_cached *
saml_sp_slot(struct saml_idp *idp)
{
	struct saml_sp_cache	*cache = idp->cache;
	struct saml_sp_cached	*c, *lru;
	size_t			 i;

	lru = NULL;
	for (i = 0; i < cache->max; i++) {
		c = &cache->v[i];
		if (!c->busy)
			return (c);
		if (lru == NULL || c->used < lru->used)
			lru = c;
	}
	saml_sp_evict(idp, lru);
	return (lru);
}

/*
 * 1 when a cached SP is still what its source says: the same copy
 * (generation) and not past its validUntil.
 */
static int
saml_sp_current(struct saml_idp *idp, const struct saml_sp_cached *c,
    uint64_t now)
{
	struct store_md_source	s;
	struct store_txn	txn;
	int			rc;

	if (c->valid_until <= now)
		return (0);
	/* An MDQ answer is good until valid_until; it has no copies. */
	if (idp->cfg->md_sources[c->source].mdq)
		return (1);
	if (store_txn_begin(idp->store, &txn, 0) == -1)
		return (0);
	rc = store_metadata_source_get(&txn,
	    idp->cfg->md_sources[c->source].name, &s);
	store_txn_abort(&txn);
	return (rc == 0 && s.generation == c->generation);
}

/*
 * entity_id in the aggregate src, as the store holds it now.
 * @return 1 with *xml (g_free) and the copy's generation, 0 when it is
 *	   not there, -1 on a store error.
 */
static int
saml_sp_aggregate_get(struct saml_idp *idp,
    const struct config_md_source *src, const char *entity_id, char **xml,
    size_t *len, uint64_t *valid_until, uint64_t *generation)
{
	struct store_md_source	s;
	struct store_txn	txn;
	struct store_val	val;
	int			rc;

	if (store_txn_begin(idp->store, &txn, 0) == -1)
		return (-1);
	rc = store_metadata_source_get(&txn, src->name, &s);
	if (rc == 0 && s.generation != 0)
		rc = store_metadata_entity_get(&txn, src->name, entity_id,
		    valid_until, &val);
	else if (rc == 0)
		rc = STORE_NOTFOUND;
	if (rc == 0 && (*xml = g_strndup(val.data, val.len)) != NULL) {
		*len = val.len;
		*generation = s.generation;
	}
	store_txn_abort(&txn);
	return (rc == 0 ? 1 : rc == STORE_NOTFOUND ? 0 : -1);
}

/*
 * Looks entity_id up in the sources, in the order of idp.conf, and
 * makes it an SP of this worker: the release policy of its source, then
 * lasso's provider. An expired entity is refused with a log line.
 */
static const struct saml_sp *
saml_sp_resolve(struct saml_idp *idp, const char *entity_id, uint64_t now)
{
	const struct config_md_source	*src;
	struct saml_sp_cached		*c;
	xmlDocPtr			 doc;
	char				*xml, until[DATE_MAX], at[16];
	const char			*why;
	uint64_t			 valid_until, generation;
	size_t				 i, len;
	int				 rc, line;

	xml = NULL;
	len = 0;
	generation = 0;
	for (i = 0; i < idp->cfg->nmd_sources && xml == NULL; i++) {
		src = &idp->cfg->md_sources[i];
		if (src->mdq)
			rc = saml_mdq_lookup(idp->store, src, entity_id, now,
			    &xml, &len, &valid_until);
		else
			rc = saml_sp_aggregate_get(idp, src, entity_id, &xml,
			    &len, &valid_until, &generation);
		if (rc == -1)
			return (NULL);
	}
	if (xml == NULL)
		return (NULL);
	src = &idp->cfg->md_sources[i - 1];
	if (valid_until <= now) {
		date_format(valid_until, DATE_ISO, until, sizeof(until));
		log_event("saml.metadata.expired", "source", src->name,
		    "entity_id", entity_id, "valid_until", until, "outcome",
		    "refused", (char *)NULL);
		g_free(xml);
		return (NULL);
	}

	c = saml_sp_slot(idp);
	saml_sp_defaults(&c->sp);
	snprintf(c->sp.file, sizeof(c->sp.file), "%s", src->mdq ||
	    src->url[0] != '\0' ? src->url : src->file);
	why = "not well-formed XML";
	doc = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	rc = doc != NULL ? saml_sp_read_doc(&c->sp, doc, &why) : -1;
	xmlFreeDoc(doc);
	/* The key is a hash of the entityID: the record must say the same. */
	if (rc == 0 && strcmp(c->sp.entity_id, entity_id) != 0) {
		why = "entityID mismatch";
		rc = -1;
	}
	line = 0;
	if (rc == 0 && src->policy[0] != '\0' && saml_sp_read_conf(&c->sp,
	    src->policy, SAML_SP_CONF_REQUIRED | SAML_SP_CONF_SECTIONS, &why,
	    &line) == -1)
		rc = -1;
	if (rc == 0)
		saml_sp_policy_finish(&c->sp);
	if (rc == 0)
		rc = saml_sp_provider(idp, &c->sp, xml, len, &why);
	g_free(xml);
	if (rc == -1) {
		snprintf(at, sizeof(at), "%d", line);
		log_event("saml.sp.error", "source", src->name, "entity_id",
		    entity_id, "reason", why, "policy_line", at, (char *)NULL);
		return (NULL);
	}
	c->busy = 1;
	c->source = i - 1;
	c->generation = generation;
	c->valid_until = valid_until;
	c->used = ++idp->cache->tick;
	g_hash_table_insert(idp->cache->by_id, c->sp.entity_id, c);
	log_event("saml.sp.resolved", "source", src->name, "entity_id",
	    entity_id, (char *)NULL);
	return (&c->sp);
}

/* An SP of federation/sp/, or NULL. */
static const struct saml_sp *
saml_sp_file_find(const struct saml_idp *idp, const char *entity_id)
{
	size_t	i;

	for (i = 0; i < idp->nsps; i++) {
		if (strcmp(idp->sps[i].entity_id, entity_id) == 0)
			return (&idp->sps[i]);
	}
	return (NULL);
}

const struct saml_sp *
saml_sp_find(struct saml_idp *idp, const char *entity_id)
{
	const struct saml_sp	*sp;
	struct saml_sp_cached	*c;
	uint64_t		 now;

	if (entity_id == NULL)
		return (NULL);
	/* The files of federation/sp/ come first (docs/saml.md). */
	if ((sp = saml_sp_file_find(idp, entity_id)) != NULL)
		return (sp);
	if (idp->cache == NULL)
		return (NULL);
	now = (uint64_t)time(NULL);
	if ((c = g_hash_table_lookup(idp->cache->by_id, entity_id)) != NULL) {
		if (saml_sp_current(idp, c, now)) {
			c->used = ++idp->cache->tick;
			return (&c->sp);
		}
		saml_sp_evict(idp, c);
	}
	return (saml_sp_resolve(idp, entity_id, now));
}

int
saml_sp_retry(struct saml_idp *idp, LassoProfile *p, int rc)
{
	/*
	 * lasso has read the Issuer when it finds no provider: an SP of a
	 * metadata source reaches lasso when a message first names it.
	 */
	return ((rc == LASSO_SERVER_ERROR_PROVIDER_NOT_FOUND ||
	    rc == LASSO_PROFILE_ERROR_UNKNOWN_PROVIDER) &&
	    p->remote_providerID != NULL && idp->cache != NULL &&
	    saml_sp_find(idp, p->remote_providerID) != NULL);
}

int
saml_sp_cache_init(struct saml_idp *idp, struct store *st)
{
	struct saml_sp_cache	*cache;

	if (idp->cfg->nmd_sources == 0 || st == NULL)
		return (0);
	if ((cache = calloc(1, sizeof(*cache))) == NULL ||
	    (cache->v = calloc(idp->cfg->md_cache, sizeof(*cache->v))) ==
	    NULL) {
		free(cache);
		return (-1);
	}
	cache->max = idp->cfg->md_cache;
	cache->by_id = g_hash_table_new(g_str_hash, g_str_equal);
	idp->cache = cache;
	idp->store = st;
	return (0);
}

void
saml_sp_cache_free(struct saml_idp *idp)
{
	if (idp->cache == NULL)
		return;
	g_hash_table_destroy(idp->cache->by_id);
	free(idp->cache->v);
	free(idp->cache);
	idp->cache = NULL;
}

size_t
saml_sp_cache_count(const struct saml_idp *idp)
{
	return (idp->cache == NULL ? 0 :
	    g_hash_table_size(idp->cache->by_id));
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
