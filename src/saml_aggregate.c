/*
 * Federation metadata aggregates (docs/saml.md "Federation metadata"):
 * a signed EntitiesDescriptor, verified against its pinned certificate
 * only, its validUntil enforced, filtered down to SAML 2.0 SPs (and to
 * an entity category or registration authority when configured) and
 * indexed in the store, one record per entity. The workers then resolve
 * an SP from the store when a request names it (saml_sp.c); nothing of
 * the aggregate stays in a worker's memory.
 *
 * One process refreshes a source at a time: the holder of its lease in
 * the store. A copy that is unsigned, badly signed, expired or unreadable
 * is refused with a log line naming the source and the reason, and the
 * copy in the store, the last good one, stays in use.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/crypto.h>

#include "date.h"
#include "log.h"
#include "saml.h"
#include "store_metadata.h"

#define MD_NS		"urn:oasis:names:tc:SAML:2.0:metadata"
#define MD_ATTR_NS	"urn:oasis:names:tc:SAML:metadata:attribute"
#define MD_RPI_NS	"urn:oasis:names:tc:SAML:metadata:rpi"
#define SAML_ASSERT_NS	"urn:oasis:names:tc:SAML:2.0:assertion"
#define SAML2_PROTOCOL	"urn:oasis:names:tc:SAML:2.0:protocol"
#define ENTITY_CATEGORY	"http://macedir.org/entity-category"

/*
 * The lease outlives a refresh (a download may take timeout=, at most
 * 600 s, then the verification); a holder that died frees it by then.
 */
#define MD_LEASE_TTL		900
/* A check at least this often, whatever cacheDuration says. */
#define MD_CHECK_MIN		10

static int	saml_aggregate_check_ref(xmlSecDSigCtxPtr, xmlNodePtr);
static xmlNodePtr	saml_aggregate_child(xmlNodePtr, const char *,
			    const char *);
static int	saml_aggregate_has_category(xmlNodePtr, const char *);
static int	saml_aggregate_registrar(xmlNodePtr, const char *);
static int	saml_aggregate_is_sp(xmlNodePtr);
static int	saml_aggregate_time(xmlNodePtr, const char *, uint64_t *);
static int	saml_aggregate_entity(struct saml_aggregate *, xmlNodePtr,
		    uint64_t);
static int	saml_aggregate_walk(struct saml_aggregate *, xmlNodePtr, uint64_t,
		    int);
static int	saml_aggregate_write(struct store *, struct saml_aggregate *,
		    struct store_md_source *);
static uint64_t	saml_aggregate_mtime(const struct stat *);
static xmlDocPtr	saml_aggregate_obtain(const struct config_md_source *,
		    const struct store_md_source *, struct store_md_source *,
		    const char **);
static int	saml_aggregate_take(struct store *, const char *, uint64_t,
		    int);
static void	saml_aggregate_refused(const struct config_md_source *,
		    const char *);

/* The first child element of n named ns:name, or NULL. */
static xmlNodePtr
saml_aggregate_child(xmlNodePtr n, const char *ns, const char *name)
{
	xmlNodePtr	c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    xmlStrEqual(c->name, (const xmlChar *)name) &&
		    xmlStrEqual(c->ns->href, (const xmlChar *)ns))
			return (c);
	}
	return (NULL);
}

/*
 * The one Reference must cover the whole document: URI "" or "#" + the
 * root's ID (XML Signature §4.4.3.2), so that no part of it is unsigned
 * (the wrapping attacks of lasso.md §9 start where it is not).
 */
static int
saml_aggregate_check_ref(xmlSecDSigCtxPtr ctx, xmlNodePtr root)
{
	xmlSecDSigReferenceCtxPtr	 ref;
	xmlChar				*id;
	int				 ok;

	if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1)
		return (-1);
	ref = xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
	if (ref == NULL || ref->status != xmlSecDSigStatusSucceeded)
		return (-1);
	if (ref->uri == NULL || ref->uri[0] == '\0')
		return (0);
	if (ref->uri[0] != '#' ||
	    (id = xmlGetProp(root, (const xmlChar *)"ID")) == NULL)
		return (-1);
	ok = xmlStrEqual(ref->uri + 1, id);
	xmlFree(id);
	return (ok ? 0 : -1);
}

int
saml_aggregate_verify(xmlDocPtr doc, const char *cert, const char **why)
{
	xmlSecDSigCtxPtr	 ctx;
	xmlSecKeyPtr		 key;
	xmlNodePtr		 root, sig;
	xmlAttrPtr		 attr;
	xmlChar			*id;
	int			 ret;

	ret = -1;
	ctx = NULL;
	root = xmlDocGetRootElement(doc);
	/* An aggregate, or one entity as an MDQ responder sends it. */
	*why = "not an md:EntitiesDescriptor or md:EntityDescriptor";
	if (root == NULL || root->ns == NULL ||
	    !xmlStrEqual(root->ns->href, (const xmlChar *)MD_NS) ||
	    (!xmlStrEqual(root->name, (const xmlChar *)"EntitiesDescriptor") &&
	    !xmlStrEqual(root->name, (const xmlChar *)"EntityDescriptor")))
		return (-1);
	*why = "unsigned (no ds:Signature on the document element)";
	if ((sig = xmlSecFindChild(root, xmlSecNodeSignature,
	    xmlSecDSigNs)) == NULL)
		return (-1);
	/* Only the root's ID is an ID: a Reference can name nothing else. */
	if ((attr = xmlHasProp(root, (const xmlChar *)"ID")) != NULL &&
	    (id = xmlNodeListGetString(doc, attr->children, 1)) != NULL) {
		if (xmlGetID(doc, id) == NULL)
			xmlAddID(NULL, doc, id, attr);
		xmlFree(id);
	}
	/*
	 * The pinned certificate's key is the only key: no KeyInfo is
	 * read, no certificate chain built, no trust store consulted
	 * (lasso.md §11: lasso_server_load_metadata() trusts the system
	 * CAs too).
	 */
	*why = "the pinned certificate cannot be read";
	if ((key = xmlSecCryptoAppKeyLoad(cert, xmlSecKeyDataFormatCertPem,
	    NULL, NULL, NULL)) == NULL)
		return (-1);
	*why = "out of memory";
	if ((ctx = xmlSecDSigCtxCreate(NULL)) == NULL) {
		xmlSecKeyDestroy(key);
		return (-1);
	}
	ctx->signKey = key;
	ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty |
	    xmlSecTransformUriTypeSameDocument;
	/* What federations sign with; SHA-1 and XPath/XSLT are refused. */
	if (xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformEnvelopedId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformExclC14NWithCommentsId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformInclC14NId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformSha256Id) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformSha384Id) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformSha512Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformInclC14NId) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformRsaSha256Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformRsaSha384Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformRsaSha512Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformEcdsaSha256Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformEcdsaSha384Id) < 0)
		goto out;
	*why = "the signature cannot be processed (algorithm not allowed "
	    "or malformed)";
	if (xmlSecDSigCtxVerify(ctx, sig) < 0)
		goto out;
	*why = "the signature does not verify with the pinned certificate";
	if (ctx->status != xmlSecDSigStatusSucceeded)
		goto out;
	*why = "the signature does not cover the whole document";
	if (saml_aggregate_check_ref(ctx, root) == -1)
		goto out;
	ret = 0;
out:
	xmlSecDSigCtxDestroy(ctx);
	return (ret);
}

/* An xs:dateTime attribute: 0 and *t unchanged when absent, -1 if bad. */
static int
saml_aggregate_time(xmlNodePtr n, const char *name, uint64_t *t)
{
	xmlChar		*v;
	uint64_t	 parsed;
	int		 rc;

	if ((v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return (0);
	rc = date_parse_iso((const char *)v, &parsed);
	xmlFree(v);
	if (rc == -1)
		return (-1);
	if (parsed < *t)
		*t = parsed;
	return (0);
}

/*
 * An SP for mutua: an SPSSODescriptor whose protocolSupportEnumeration
 * names SAML 2.0 (metadata §2.4.1; a SAML 1.x-only SP is not one).
 */
static int
saml_aggregate_is_sp(xmlNodePtr entity)
{
	xmlNodePtr	 c;
	xmlChar		*p;
	char		*tok, *save;
	int		 found;

	found = 0;
	for (c = entity->children; c != NULL && !found; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || c->ns == NULL ||
		    !xmlStrEqual(c->name, (const xmlChar *)"SPSSODescriptor") ||
		    !xmlStrEqual(c->ns->href, (const xmlChar *)MD_NS))
			continue;
		if ((p = xmlGetProp(c, (const xmlChar *)"protocolSupport"
		    "Enumeration")) == NULL)
			continue;
		for (tok = strtok_r((char *)p, " \t\r\n", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t\r\n", &save)) {
			if (strcmp(tok, SAML2_PROTOCOL) == 0)
				found = 1;
		}
		xmlFree(p);
	}
	return (found);
}

/*
 * 1 when the entity carries attribute name with value (the entity
 * attributes of the SAML V2.0 Metadata Extension for Entity Attributes:
 * md:Extensions/mdattr:EntityAttributes/saml:Attribute).
 */
int
saml_aggregate_entity_attribute(xmlNodePtr entity, const char *name,
    const char *value)
{
	xmlNodePtr	 ext, ea, a, v;
	xmlChar		*an, *t;
	int		 found;

	if ((ext = saml_aggregate_child(entity, MD_NS, "Extensions")) == NULL ||
	    (ea = saml_aggregate_child(ext, MD_ATTR_NS,
	    "EntityAttributes")) == NULL)
		return (0);
	found = 0;
	for (a = ea->children; a != NULL && !found; a = a->next) {
		if (a->type != XML_ELEMENT_NODE || a->ns == NULL ||
		    !xmlStrEqual(a->ns->href, (const xmlChar *)SAML_ASSERT_NS) ||
		    !xmlStrEqual(a->name, (const xmlChar *)"Attribute"))
			continue;
		an = xmlGetProp(a, (const xmlChar *)"Name");
		if (an != NULL && xmlStrEqual(an, (const xmlChar *)name)) {
			for (v = a->children; v != NULL && !found;
			    v = v->next) {
				if (v->type != XML_ELEMENT_NODE)
					continue;
				t = xmlNodeGetContent(v);
				found = t != NULL &&
				    xmlStrEqual(t, (const xmlChar *)value);
				xmlFree(t);
			}
		}
		xmlFree(an);
	}
	return (found);
}

static int
saml_aggregate_has_category(xmlNodePtr entity, const char *category)
{
	return (saml_aggregate_entity_attribute(entity, ENTITY_CATEGORY,
	    category));
}

/* mdrpi:RegistrationInfo/@registrationAuthority (MDRPI §2.1). */
static int
saml_aggregate_registrar(xmlNodePtr entity, const char *registrar)
{
	xmlNodePtr	 ext, ri;
	xmlChar		*ra;
	int		 ok;

	if ((ext = saml_aggregate_child(entity, MD_NS, "Extensions")) == NULL ||
	    (ri = saml_aggregate_child(ext, MD_RPI_NS,
	    "RegistrationInfo")) == NULL ||
	    (ra = xmlGetProp(ri, (const xmlChar *)"registrationAuthority")) ==
	    NULL)
		return (0);
	ok = xmlStrEqual(ra, (const xmlChar *)registrar);
	xmlFree(ra);
	return (ok);
}

/* Filters one EntityDescriptor and keeps it, standalone, when it passes. */
static int
saml_aggregate_entity(struct saml_aggregate *ix, xmlNodePtr entity,
    uint64_t valid_until)
{
	struct saml_md_entity	*e;
	xmlDocPtr		 doc;
	xmlNodePtr		 copy;
	xmlChar			*id;

	if (saml_aggregate_time(entity, "validUntil", &valid_until) == -1 ||
	    (id = xmlGetProp(entity, (const xmlChar *)"entityID")) == NULL) {
		ix->skipped++;
		return (0);
	}
	if (id[0] == '\0' || xmlStrlen(id) >= SAML_ENTITY_MAX ||
	    valid_until <= ix->now || !saml_aggregate_is_sp(entity) ||
	    (ix->src->category[0] != '\0' &&
	    !saml_aggregate_has_category(entity, ix->src->category)) ||
	    (ix->src->registrar[0] != '\0' &&
	    !saml_aggregate_registrar(entity, ix->src->registrar))) {
		xmlFree(id);
		ix->skipped++;
		return (0);
	}
	if (ix->n == ix->cap) {
		ix->cap = ix->cap == 0 ? 1024 : ix->cap * 2;
		if ((e = reallocarray(ix->v, ix->cap, sizeof(*e))) == NULL) {
			xmlFree(id);
			return (-1);
		}
		ix->v = e;
	}
	e = &ix->v[ix->n];
	memset(e, 0, sizeof(*e));
	/*
	 * A document of its own: xmlDocCopyNode() declares on the copy the
	 * namespaces it used from the aggregate's root.
	 */
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (copy = xmlDocCopyNode(entity, doc, 1)) == NULL) {
		xmlFreeDoc(doc);
		xmlFree(id);
		return (-1);
	}
	xmlDocSetRootElement(doc, copy);
	xmlReconciliateNs(doc, copy);
	xmlDocDumpMemoryEnc(doc, &e->xml, &e->len, "UTF-8");
	xmlFreeDoc(doc);
	if (e->xml == NULL) {
		xmlFree(id);
		return (-1);
	}
	e->entity_id = (char *)id;
	e->valid_until = valid_until;
	ix->n++;
	return (0);
}

/* EntitiesDescriptors nest (metadata §2.3.1); depth is bounded. */
static int
saml_aggregate_walk(struct saml_aggregate *ix, xmlNodePtr n, uint64_t valid_until,
    int depth)
{
	xmlNodePtr	c;

	if (depth > 8)
		return (0);
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || c->ns == NULL ||
		    !xmlStrEqual(c->ns->href, (const xmlChar *)MD_NS))
			continue;
		if (xmlStrEqual(c->name, (const xmlChar *)"EntityDescriptor")) {
			if (saml_aggregate_entity(ix, c, valid_until) == -1)
				return (-1);
		} else if (xmlStrEqual(c->name,
		    (const xmlChar *)"EntitiesDescriptor")) {
			uint64_t	inner = valid_until;

			if (saml_aggregate_time(c, "validUntil", &inner) == -1)
				continue;
			if (saml_aggregate_walk(ix, c, inner, depth + 1) == -1)
				return (-1);
		}
	}
	return (0);
}

void
saml_aggregate_release(struct saml_aggregate *ix)
{
	size_t	i;

	for (i = 0; i < ix->n; i++) {
		xmlFree(ix->v[i].entity_id);
		xmlFree(ix->v[i].xml);
	}
	free(ix->v);
	ix->v = NULL;
	ix->n = ix->cap = 0;
}

xmlDocPtr
saml_aggregate_read(const char *path, const char *buf, size_t len,
    const char **why)
{
	xmlDocPtr	doc;
	int		opts;

	/* No network, no DTD, no entity expansion (lasso.md §9). */
	opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	*why = "not well-formed XML (or a DTD, which is refused)";
	if (path != NULL)
		doc = xmlReadFile(path, NULL, opts);
	else if (len > INT_MAX)
		doc = NULL;
	else
		doc = xmlReadMemory(buf, (int)len, NULL, NULL, opts);
	if (doc != NULL && doc->intSubset != NULL) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return (doc);
}

int
saml_aggregate_parse(const struct config_md_source *src, xmlDocPtr doc,
    uint64_t now, struct saml_aggregate *ix, const char **why)
{
	xmlNodePtr	 root;
	uint64_t	 duration;
	xmlChar		*cd;
	int		 rc;

	memset(ix, 0, sizeof(*ix));
	ix->src = src;
	ix->now = now;
	if (saml_aggregate_verify(doc, src->cert, why) == -1)
		return (-1);
	root = xmlDocGetRootElement(doc);
	/*
	 * Metadata §2.3.1 makes validUntil optional; mutua requires it on
	 * an aggregate: without it a stolen old copy would be good forever.
	 */
	ix->valid_until = UINT64_MAX;
	*why = "no valid validUntil on the document element";
	if (saml_aggregate_time(root, "validUntil", &ix->valid_until) == -1 ||
	    ix->valid_until == UINT64_MAX)
		return (-1);
	*why = "expired (validUntil has passed)";
	if (ix->valid_until <= now)
		return (-1);
	if ((cd = xmlGetProp(root, (const xmlChar *)"cacheDuration")) != NULL) {
		if (date_parse_duration((const char *)cd, &duration) == 0)
			ix->cache_duration = duration;
		xmlFree(cd);
	}
	*why = "out of memory";
	if (xmlStrEqual(root->name, (const xmlChar *)"EntityDescriptor"))
		rc = saml_aggregate_entity(ix, root, ix->valid_until);
	else
		rc = saml_aggregate_walk(ix, root, ix->valid_until, 0);
	if (rc == -1) {
		saml_aggregate_release(ix);
		return (-1);
	}
	return (0);
}

/*
 * Replaces the source's entities with the new copy in one transaction:
 * a worker sees the old generation or the new one, never a mixture.
 */
static int
saml_aggregate_write(struct store *st, struct saml_aggregate *ix,
    struct store_md_source *s)
{
	struct store_txn	txn;
	size_t			i;
	int			rc;

	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	store_metadata_clear(&txn, ix->src->name);
	s->entities = 0;
	for (i = 0; i < ix->n; i++) {
		rc = store_metadata_entity_put(&txn, ix->src->name,
		    ix->v[i].entity_id, ix->v[i].valid_until,
		    (const char *)ix->v[i].xml, (size_t)ix->v[i].len);
		if (rc == 0)
			s->entities++;
	}
	s->generation++;
	store_metadata_source_put(&txn, ix->src->name, s);
	return (store_txn_commit(&txn));
}

/* In nanoseconds: a file replaced twice in one second still differs. */
static uint64_t
saml_aggregate_mtime(const struct stat *sb)
{
	return ((uint64_t)sb->st_mtim.tv_sec * 1000000000ULL +
	    (uint64_t)sb->st_mtim.tv_nsec);
}

static void
saml_aggregate_refused(const struct config_md_source *src, const char *why)
{
	log_event("saml.metadata.refused", "source", src->name, "from",
	    src->url[0] != '\0' ? src->url : src->file, "reason", why,
	    "outcome", "the last good copy stays in use", (char *)NULL);
}

/*
 * The source's new copy as a document: from the file when it changed
 * (size or modification time), from the URL when the server has a new
 * one (a conditional GET). fresh gets the copy's validators.
 * @return the document (xmlFreeDoc); NULL with *why NULL when the copy
 *	   in use is current, NULL with *why when it cannot be had.
 */
static xmlDocPtr
saml_aggregate_obtain(const struct config_md_source *src,
    const struct store_md_source *s, struct store_md_source *fresh,
    const char **why)
{
	struct saml_fetch	 f;
	struct stat		 sb;
	xmlDocPtr		 doc;

	*fresh = *s;
	*why = NULL;
	if (src->url[0] != '\0') {
		if (saml_fetch(src->url, s->generation != 0 ? s->etag : NULL,
		    s->generation != 0 ? s->last_modified : NULL,
		    (size_t)src->max_mb * 1024 * 1024, (long)src->timeout, &f,
		    why) == -1)
			return (NULL);
		if (f.not_modified)
			return (NULL);
		doc = saml_aggregate_read(NULL, f.body, f.len, why);
		snprintf(fresh->etag, sizeof(fresh->etag), "%s", f.etag);
		snprintf(fresh->last_modified, sizeof(fresh->last_modified),
		    "%s", f.last_modified);
		fresh->size = f.len;
		saml_fetch_free(&f);
		return (doc);
	}
	if (stat(src->file, &sb) == -1) {
		*why = strerror(errno);
		return (NULL);
	}
	/* The same file as the copy in use: nothing to verify. */
	if (s->generation != 0 && saml_aggregate_mtime(&sb) == s->mtime &&
	    (uint64_t)sb.st_size == s->size)
		return (NULL);
	fresh->mtime = saml_aggregate_mtime(&sb);
	fresh->size = (uint64_t)sb.st_size;
	return (saml_aggregate_read(src->file, NULL, 0, why));
}

int
saml_aggregate_load(struct store *st, const struct config_md_source *src,
    uint64_t now)
{
	struct store_md_source	 s, fresh;
	struct store_txn	 txn;
	struct saml_aggregate	 a;
	xmlDocPtr		 doc;
	uint64_t		 next;
	const char		*why;
	struct timespec		 t0, t1;
	char			 n[32], ms[32], until[DATE_MAX];
	int			 rc, changed;

	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	rc = store_metadata_source_get(&txn, src->name, &s);
	store_txn_abort(&txn);
	if (rc == -1)
		return (-1);

	next = now + src->interval;
	changed = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((doc = saml_aggregate_obtain(src, &s, &fresh, &why)) == NULL) {
		if (why != NULL)
			saml_aggregate_refused(src, why);
	} else if (saml_aggregate_parse(src, doc, now, &a, &why) == -1) {
		saml_aggregate_refused(src, why);
	} else {
		fresh.valid_until = a.valid_until;
		fresh.verified_at = now;
		/* metadata §2.3.1: cacheDuration bounds how long to wait. */
		if (a.cache_duration != 0 && now + a.cache_duration < next)
			next = now + (a.cache_duration < MD_CHECK_MIN ?
			    MD_CHECK_MIN : a.cache_duration);
		fresh.next_check = next;
		rc = saml_aggregate_write(st, &a, &fresh);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		snprintf(n, sizeof(n), "%u", fresh.entities);
		snprintf(ms, sizeof(ms), "%lld", (long long)(t1.tv_sec -
		    t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		date_format(fresh.valid_until, DATE_ISO, until, sizeof(until));
		if (rc == 0) {
			/* ms: fetch or read, verify, filter and index. */
			log_event("saml.metadata.loaded", "source", src->name,
			    "entities", n, "valid_until", until, "ms", ms,
			    (char *)NULL);
			s = fresh;
		} else
			saml_aggregate_refused(src, "the store refused it");
		saml_aggregate_release(&a);
		changed = rc == 0;
	}
	xmlFreeDoc(doc);
	/*
	 * The document took several times the aggregate's size in small
	 * blocks; give what was freed back to the system, or the worker
	 * that refreshed keeps it (docs/performance.md).
	 */
	if (doc != NULL)
		malloc_trim(0);
	if (s.generation != 0 && s.valid_until <= now) {
		date_format(s.valid_until, DATE_ISO, until, sizeof(until));
		log_event("saml.metadata.expired", "source", src->name,
		    "valid_until", until, "outcome", "its SPs are refused "
		    "until a valid copy is loaded", (char *)NULL);
	}
	if (changed)
		return (1);
	/* Not changed: only the time of the next look is recorded. */
	if (s.valid_until > now && s.valid_until < next)
		next = s.valid_until;
	s.next_check = next;
	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	store_metadata_source_put(&txn, src->name, &s);
	return (store_txn_commit(&txn));
}

/*
 * Takes the source's lease when the source is due (or force), reading
 * its state again under the write lock: a process that waited for the
 * lock while another refreshed finds the source no longer due.
 * @return 1 when this process is to refresh it, 0 when not, -1.
 */
static int
saml_aggregate_take(struct store *st, const char *name, uint64_t now,
    int force)
{
	struct store_md_source	s;
	struct store_txn	txn;
	int			rc;

	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	rc = store_metadata_source_get(&txn, name, &s);
	if (rc == 0 && s.next_check > now && !force) {
		store_txn_abort(&txn);
		return (0);
	}
	if (rc != -1)
		rc = store_metadata_lease(&txn, name, (uint64_t)getpid(), now,
		    MD_LEASE_TTL);
	if (store_txn_commit(&txn) == -1)
		return (-1);
	return (rc == 0);
}

int
saml_aggregate_refresh(struct store *st, const struct config *cfg,
    uint64_t now, int force)
{
	const struct config_md_source	*src;
	struct store_md_source		 s;
	struct store_txn		 txn;
	size_t				 i;
	int				 rc, ret;

	ret = 0;
	for (i = 0; i < cfg->nmd_sources; i++) {
		src = &cfg->md_sources[i];
		if (src->mdq)
			continue;
		/* Most ticks end here, on a read. */
		if (store_txn_begin(st, &txn, 0) == -1)
			return (-1);
		rc = store_metadata_source_get(&txn, src->name, &s);
		store_txn_abort(&txn);
		if (rc == -1 || (rc == 0 && s.next_check > now && !force))
			continue;
		/* One process refreshes a source at a time. */
		if ((rc = saml_aggregate_take(st, src->name, now, force)) != 1) {
			ret = rc == -1 ? -1 : ret;
			continue;
		}
		if (saml_aggregate_load(st, src, now) == -1)
			ret = -1;
		/* Released, so that any process may do the next refresh. */
		if (store_txn_begin(st, &txn, 1) == -1 ||
		    store_metadata_lease(&txn, src->name, (uint64_t)getpid(),
		    now, 0) == -1 || store_txn_commit(&txn) == -1)
			ret = -1;
	}
	return (ret);
}
