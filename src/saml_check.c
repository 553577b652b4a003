/*
 * What mutua checks in a LogoutRequest before lasso parses it.
 *
 * lasso reports a LogoutRequest that has not exactly one of BaseID,
 * NameID and EncryptedID with g_error() (samlp2_logout_request.c), and
 * GLib ends the process on that level whatever the log handler: one
 * unauthenticated request to /saml/slo would kill the worker. Found by
 * tests/fuzz/fuzz_saml_sso.c (docs/security.md). The message is decoded
 * here as lasso decodes it and refused unless its root is a
 * LogoutRequest whose children are those of the schema, with exactly one
 * such identifier; whatever this code cannot decode is refused too, so
 * lasso never sees a message it was not shown to handle.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#include "saml.h"

/* An inflated request larger than this is refused (lasso.md §9). */
#define SAML_CHECK_XML_MAX	(256 * 1024)
#define SAML_NS_ASSERTION	"urn:oasis:names:tc:SAML:2.0:assertion"
#define SAML_NS_PROTOCOL	"urn:oasis:names:tc:SAML:2.0:protocol"
#define SAML_NS_DSIG		"http://www.w3.org/2000/09/xmldsig#"
#define SAML_REQUEST_PARAM	"SAMLRequest="

static guchar	*saml_check_query(const char *, gsize *);
static guchar	*saml_check_inflate(const guchar *, gsize, gsize *);
static int	 saml_check_xml(const guchar *, gsize);

/* Raw DEFLATE (SAML bindings §3.4.4.1). Must be freed with g_free(). */
static guchar *
saml_check_inflate(const guchar *in, gsize inlen, gsize *outlen)
{
	z_stream	 z;
	guchar		*out;
	int		 rc;

	memset(&z, 0, sizeof(z));
	if (inlen > UINT_MAX || inflateInit2(&z, -MAX_WBITS) != Z_OK)
		return (NULL);
	out = g_malloc(SAML_CHECK_XML_MAX);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)inlen;
	z.next_out = out;
	z.avail_out = SAML_CHECK_XML_MAX;
	rc = inflate(&z, Z_FINISH);
	*outlen = z.total_out;
	inflateEnd(&z);
	if (rc != Z_STREAM_END) {
		g_free(out);
		return (NULL);
	}
	return (out);
}

/*
 * The SAMLRequest of a Redirect query, decoded and inflated; NULL when
 * it is missing, given twice or does not decode. Must be g_free()d.
 */
static guchar *
saml_check_query(const char *query, gsize *len)
{
	const char	*p, *v, *end;
	char		*escaped, *b64;
	guchar		*deflated, *xml;
	gsize		 dlen;
	size_t		 n;

	v = NULL;
	n = strlen(SAML_REQUEST_PARAM);
	/* Given twice, lasso and this code might not read the same one. */
	for (p = query; p != NULL; p = strchr(p, '&') ? strchr(p, '&') + 1 :
	    NULL) {
		if (strncmp(p, SAML_REQUEST_PARAM, n) != 0)
			continue;
		if (v != NULL)
			return (NULL);
		v = p + n;
	}
	if (v == NULL)
		return (NULL);
	end = strchr(v, '&');
	escaped = g_strndup(v, end != NULL ? (gsize)(end - v) : strlen(v));
	b64 = g_uri_unescape_string(escaped, NULL);
	g_free(escaped);
	if (b64 == NULL)
		return (NULL);
	deflated = g_base64_decode(b64, &dlen);
	g_free(b64);
	xml = deflated != NULL && dlen > 0 ?
	    saml_check_inflate(deflated, dlen, len) : NULL;
	g_free(deflated);
	return (xml);
}

/*
 * The children of a LogoutRequest, in the order of the schema (core
 * §3.2.1, §3.7.1): Issuer?, Signature?, Extensions?, then one of BaseID,
 * NameID and EncryptedID, then SessionIndex*. lasso misses the NameID
 * after an element it does not know, so nothing else may stand there.
 */
static const struct {
	const char	*ns;
	const char	*name;
	int		 step;		/* where it may stand */
	int		 id;		/* the one identifier */
} saml_check_children[] = {
	{ SAML_NS_ASSERTION, "Issuer", 0, 0 },
	{ SAML_NS_DSIG, "Signature", 1, 0 },
	{ SAML_NS_PROTOCOL, "Extensions", 2, 0 },
	{ SAML_NS_ASSERTION, "BaseID", 3, 1 },
	{ SAML_NS_ASSERTION, "NameID", 3, 1 },
	{ SAML_NS_ASSERTION, "EncryptedID", 3, 1 },
	{ SAML_NS_PROTOCOL, "SessionIndex", 4, 0 },
};

#define SAML_CHECK_NCHILDREN \
	(sizeof(saml_check_children) / sizeof(saml_check_children[0]))

/* 0 when xml is a LogoutRequest of that shape. */
static int
saml_check_xml(const guchar *xml, gsize len)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, c;
	size_t		 i;
	int		 ids, step, ok;

	if (len > INT_MAX || (doc = xmlReadMemory((const char *)xml,
	    (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING)) == NULL)
		return (-1);
	ok = 0;
	root = xmlDocGetRootElement(doc);
	if (doc->intSubset == NULL && root != NULL && root->ns != NULL &&
	    xmlStrEqual(root->ns->href, BAD_CAST SAML_NS_PROTOCOL) &&
	    xmlStrEqual(root->name, BAD_CAST "LogoutRequest")) {
		ok = 1;
		ids = 0;
		step = -1;
		for (c = root->children; ok && c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			for (i = 0; i < SAML_CHECK_NCHILDREN; i++) {
				if (c->ns != NULL && xmlStrEqual(c->ns->href,
				    (const xmlChar *)saml_check_children[i].ns) &&
				    xmlStrEqual(c->name,
				    (const xmlChar *)saml_check_children[i].name))
					break;
			}
			/* Known, in order, and only SessionIndex repeats. */
			if (i == SAML_CHECK_NCHILDREN ||
			    saml_check_children[i].step < step ||
			    (saml_check_children[i].step == step &&
			    saml_check_children[i].step != 4)) {
				ok = 0;
				break;
			}
			step = saml_check_children[i].step;
			ids += saml_check_children[i].id;
		}
		ok = ok && ids == 1;
	}
	xmlFreeDoc(doc);
	return (ok ? 0 : -1);
}

int
saml_logout_request_check(int binding, const char *msg)
{
	guchar	*xml;
	gsize	 len;
	int	 rc;

	if (binding == SAML_BINDING_REDIRECT)
		xml = saml_check_query(msg, &len);
	else
		xml = g_base64_decode(msg, &len);
	rc = xml != NULL ? saml_check_xml(xml, len) : -1;
	g_free(xml);
	return (rc);
}
