/*
 * MDQ, the Metadata Query Protocol (draft-young-md-query §3): an SP's
 * metadata asked of the federation's responder when a request first
 * names it, GET <base>/entities/<percent-encoded entityID> (or
 * {sha1}<hex>, §3.2.1), and its own signature checked with the pinned
 * certificate, like an aggregate's (saml_aggregate_verify()). Answers,
 * "not found" included, are cached in the store for all workers, for a
 * bounded time and number (docs/saml.md).
 *
 * The request that names the SP waits for the responder: at most the
 * source's timeout (5 seconds by default), once per negative_ttl for an
 * entity the responder does not answer for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/sha.h>

#include "log.h"
#include "saml.h"
#include "store_metadata.h"

static char	*saml_mdq_url(const struct config_md_source *, const char *);
static int	saml_mdq_ask(const struct config_md_source *, const char *,
		    uint64_t, struct saml_aggregate *, int *, const char **);
static void	saml_mdq_keep(struct store *, const struct config_md_source *,
		    const char *, uint64_t, const char *, size_t);

/* The query URL (free()), or NULL. */
static char *
saml_mdq_url(const struct config_md_source *src, const char *entity_id)
{
	unsigned char	 h[SHA_DIGEST_LENGTH];
	char		 hex[2 * SHA_DIGEST_LENGTH + 1], *esc, *url;
	const char	*slash;
	size_t		 i;
	int		 n;

	slash = src->url[strlen(src->url) - 1] == '/' ? "" : "/";
	if (src->sha1) {
		/* §3.2.1: the SHA-1 of the entityID, lower-case hex. */
		SHA1((const unsigned char *)entity_id, strlen(entity_id), h);
		for (i = 0; i < sizeof(h); i++)
			snprintf(hex + 2 * i, 3, "%02x", h[i]);
		n = asprintf(&url, "%s%sentities/%%7Bsha1%%7D%s", src->url,
		    slash, hex);
	} else {
		if ((esc = curl_easy_escape(NULL, entity_id, 0)) == NULL)
			return (NULL);
		n = asprintf(&url, "%s%sentities/%s", src->url, slash, esc);
		curl_free(esc);
	}
	return (n < 0 ? NULL : url);
}

/*
 * Asks the responder. @return 1 with out holding the one entity (the
 * one asked for, verified, an SP that passes the source's filters), 0
 * when there is none (*why says why; *negative when that may be
 * cached as "not found"), -1 when out of memory.
 */
static int
saml_mdq_ask(const struct config_md_source *src, const char *entity_id,
    uint64_t now, struct saml_aggregate *out, int *notfound,
    const char **why)
{
	struct saml_fetch	 f;
	xmlDocPtr		 doc;
	char			*url;
	int			 rc;

	*notfound = 0;
	memset(out, 0, sizeof(*out));
	*why = "out of memory";
	if ((url = saml_mdq_url(src, entity_id)) == NULL)
		return (-1);
	rc = saml_fetch(url, NULL, NULL, (size_t)src->max_mb * 1024 * 1024,
	    (long)src->timeout, &f, why);
	free(url);
	if (rc == -1) {
		/* §3.3: 404 is the responder's "no such entity". */
		if (f.status == 404) {
			*notfound = 1;
			*why = "the responder has no such entity (404)";
		}
		return (0);
	}
	doc = saml_aggregate_read(NULL, f.body, f.len, why);
	saml_fetch_free(&f);
	if (doc == NULL)
		return (0);
	rc = saml_aggregate_parse(src, doc, now, out, why);
	xmlFreeDoc(doc);
	if (rc == -1)
		return (0);
	if (out->n != 1 || strcmp(out->v[0].entity_id, entity_id) != 0) {
		*why = out->n == 0 ? "not a SAML 2.0 SP, or filtered out" :
		    "the answer is about another entity";
		*notfound = out->n == 0;
		saml_aggregate_release(out);
		return (0);
	}
	return (1);
}

/* Caches an answer (xml NULL: "not found") for all workers. */
static void
saml_mdq_keep(struct store *st, const struct config_md_source *src,
    const char *entity_id, uint64_t expires, const char *xml, size_t len)
{
	struct store_txn	txn;
	int			rc;

	if (store_txn_begin(st, &txn, 1) == -1)
		return;
	rc = store_metadata_mdq_put(&txn, src->name, entity_id, expires, xml,
	    len, src->max_entries);
	if (store_txn_commit(&txn) == -1 || rc == STORE_EXISTS)
		log_event("saml.mdq.cache", "source", src->name, "outcome",
		    rc == STORE_EXISTS ? "full: answer not kept" :
		    "store error", (char *)NULL);
}

int
saml_mdq_lookup(struct store *st, const struct config_md_source *src,
    const char *entity_id, uint64_t now, char **xml, size_t *len,
    uint64_t *valid_until)
{
	struct saml_aggregate	 a;
	struct store_txn	 txn;
	struct store_val	 val;
	const char		*why;
	int			 rc, notfound;

	*xml = NULL;
	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	rc = store_metadata_mdq_get(&txn, src->name, entity_id, now,
	    valid_until, &val);
	if (rc == 0 && (*xml = g_strndup(val.data, val.len)) != NULL)
		*len = val.len;
	store_txn_abort(&txn);
	if (rc != STORE_NOTFOUND)
		return (rc == 0 ? 1 : rc == STORE_MD_NEGATIVE ? 0 : -1);

	if ((rc = saml_mdq_ask(src, entity_id, now, &a, &notfound,
	    &why)) == -1)
		return (-1);
	if (rc == 0) {
		/*
		 * Remembered for negative_ttl either way: an unknown or
		 * refused entity, or a responder that does not answer, is
		 * not asked again for every request.
		 */
		log_event(notfound ? "saml.mdq.notfound" : "saml.mdq.refused",
		    "source", src->name, "entity_id", entity_id, "reason", why,
		    (char *)NULL);
		saml_mdq_keep(st, src, entity_id, now + src->negative_ttl,
		    NULL, 0);
		return (0);
	}
	/* Kept for ttl, or until the answer's own validUntil. */
	*valid_until = a.v[0].valid_until < now + src->ttl ?
	    a.v[0].valid_until : now + src->ttl;
	*len = (size_t)a.v[0].len;
	*xml = g_strndup((const char *)a.v[0].xml, *len);
	saml_mdq_keep(st, src, entity_id, *valid_until, *xml, *len);
	saml_aggregate_release(&a);
	log_event("saml.mdq.loaded", "source", src->name, "entity_id",
	    entity_id, (char *)NULL);
	return (1);
}
