/*
 * Assertion encryption with AES-GCM (XML Encryption 1.1 §5.2.4), which
 * lasso does not offer: its choices are AES-CBC and 3DES, the block
 * modes whose padding oracles break XML Encryption 1.0 (Jager and
 * Somorovsky, "How to Break XML Encryption", CCS 2011). lasso builds the
 * Response with its Assertion signed and the Response unsigned; this
 * file encrypts that Assertion for the SP, RSA-OAEP carrying the key,
 * and then signs the Response as lasso would have (RSA-SHA256,
 * exclusive canonicalisation, KeyInfo as the SP's policy says).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmltree.h>

#include "saml.h"

#define SAML_NS_PROTOCOL	"urn:oasis:names:tc:SAML:2.0:protocol"
#define SAML_NS_ASSERTION	"urn:oasis:names:tc:SAML:2.0:assertion"

static xmlNodePtr	saml_encrypt_child(xmlNodePtr, const char *,
			    const char *);
static int		saml_encrypt_ns_own(xmlDocPtr, xmlNodePtr);
static xmlSecKeyPtr	saml_encrypt_sp_key(const struct saml_sp *);
static int		saml_encrypt_assertion(const struct saml_sp *,
			    xmlDocPtr, xmlNodePtr);
static int		saml_encrypt_sign(const struct saml_idp *,
			    const struct saml_sp *, xmlDocPtr, xmlNodePtr);

static const struct {
	enum saml_enc	 method;
	const char	*name;
	const char	*uri;
} saml_encs[] = {
	{ SAML_ENC_AES256_GCM, "aes256-gcm",
	    "http://www.w3.org/2009/xmlenc11#aes256-gcm" },
	{ SAML_ENC_AES128_GCM, "aes128-gcm",
	    "http://www.w3.org/2009/xmlenc11#aes128-gcm" },
	{ SAML_ENC_AES256_CBC, "aes256-cbc",
	    "http://www.w3.org/2001/04/xmlenc#aes256-cbc" },
	{ SAML_ENC_AES128_CBC, "aes128-cbc",
	    "http://www.w3.org/2001/04/xmlenc#aes128-cbc" },
};

int
saml_enc_from_name(const char *name, enum saml_enc *out)
{
	size_t	i;

	for (i = 0; i < sizeof(saml_encs) / sizeof(saml_encs[0]); i++) {
		if (strcmp(saml_encs[i].name, name) == 0) {
			*out = saml_encs[i].method;
			return (0);
		}
	}
	return (-1);
}

int
saml_enc_from_uri(const char *uri, enum saml_enc *out)
{
	size_t	i;

	for (i = 0; i < sizeof(saml_encs) / sizeof(saml_encs[0]); i++) {
		if (strcmp(saml_encs[i].uri, uri) == 0) {
			*out = saml_encs[i].method;
			return (0);
		}
	}
	return (-1);
}

const char *
saml_enc_name(enum saml_enc method)
{
	size_t	i;

	for (i = 0; i < sizeof(saml_encs) / sizeof(saml_encs[0]); i++) {
		if (saml_encs[i].method == method)
			return (saml_encs[i].name);
	}
	return ("?");
}

int
saml_enc_is_gcm(enum saml_enc method)
{
	return (method == SAML_ENC_AES256_GCM ||
	    method == SAML_ENC_AES128_GCM);
}

/* The first element child of parent named ns:name, or NULL. */
static xmlNodePtr
saml_encrypt_child(xmlNodePtr parent, const char *ns, const char *name)
{
	xmlNodePtr	n;

	for (n = parent->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    strcmp((const char *)n->name, name) == 0 &&
		    strcmp((const char *)n->ns->href, ns) == 0)
			return (n);
	}
	return (NULL);
}

/*
 * Declares on node every namespace it inherits, so that it still reads
 * once cut out of the Response and decrypted on its own (lasso does the
 * same for the nodes it keeps). The signature is not changed by it:
 * exclusive canonicalisation renders only the namespaces a node uses.
 */
static int
saml_encrypt_ns_own(xmlDocPtr doc, xmlNodePtr node)
{
	xmlNsPtr	*list, *ns, own;

	if ((list = xmlGetNsList(doc, node)) == NULL)
		return (0);
	for (ns = list; *ns != NULL; ns++) {
		for (own = node->nsDef; own != NULL; own = own->next) {
			if (xmlStrEqual(own->prefix, (*ns)->prefix))
				break;
		}
		if (own == NULL && xmlNewNs(node, (*ns)->href,
		    (*ns)->prefix) == NULL) {
			xmlFree(list);
			return (-1);
		}
	}
	xmlFree(list);
	return (0);
}

/*
 * The SP's encryption key, from the certificate of its metadata.
 * Must be freed with xmlSecKeyDestroy().
 */
static xmlSecKeyPtr
saml_encrypt_sp_key(const struct saml_sp *sp)
{
	guchar		*der;
	gsize		 len;
	xmlSecKeyPtr	 key;

	key = NULL;
	if ((der = g_base64_decode(sp->enc_cert, &len)) != NULL && len > 0)
		key = xmlSecCryptoAppKeyLoadMemory(der, len,
		    xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
	g_free(der);
	return (key);
}

/*
 * Replaces the (signed) Assertion under root with an EncryptedAssertion
 * for sp (SAML 2.0 core §2.3.4): a fresh AES-GCM key per message, sent
 * under the SP's RSA key with RSA-OAEP, the SP named as Recipient.
 */
static int
saml_encrypt_assertion(const struct saml_sp *sp, xmlDocPtr doc,
    xmlNodePtr root)
{
	xmlSecKeysMngrPtr	 mngr;
	xmlSecEncCtxPtr		 ctx;
	xmlSecKeyPtr		 key;
	xmlSecTransformId	 cipher;
	xmlNodePtr		 assertion, data, info, ek, wrap;
	xmlNsPtr		 ns;
	int			 ret, placed;

	ret = -1;
	placed = 0;
	mngr = NULL;
	ctx = NULL;
	data = NULL;
	if ((assertion = saml_encrypt_child(root, SAML_NS_ASSERTION,
	    "Assertion")) == NULL || saml_encrypt_ns_own(doc, assertion) == -1)
		return (-1);
	cipher = sp->enc_method == SAML_ENC_AES128_GCM ?
	    xmlSecTransformAes128GcmId : xmlSecTransformAes256GcmId;

	/* saml-core §2.2.4: Type is http://www.w3.org/2001/04/xmlenc#Element. */
	if ((data = xmlSecTmplEncDataCreate(doc, cipher, NULL,
	    xmlSecTypeEncElement, NULL, NULL)) == NULL ||
	    xmlSecTmplEncDataEnsureCipherValue(data) == NULL ||
	    (info = xmlSecTmplEncDataEnsureKeyInfo(data, NULL)) == NULL ||
	    (ek = xmlSecTmplKeyInfoAddEncryptedKey(info,
	    xmlSecTransformRsaOaepId, NULL, NULL,
	    (const xmlChar *)sp->entity_id)) == NULL ||
	    xmlSecTmplEncDataEnsureCipherValue(ek) == NULL)
		goto out;

	if ((mngr = xmlSecKeysMngrCreate()) == NULL ||
	    xmlSecCryptoAppDefaultKeysMngrInit(mngr) < 0 ||
	    (key = saml_encrypt_sp_key(sp)) == NULL)
		goto out;
	if (xmlSecCryptoAppDefaultKeysMngrAdoptKey(mngr, key) < 0) {
		xmlSecKeyDestroy(key);
		goto out;
	}
	if ((ctx = xmlSecEncCtxCreate(mngr)) == NULL ||
	    (ctx->encKey = xmlSecKeyGenerate(xmlSecKeyDataAesId,
	    sp->enc_method == SAML_ENC_AES128_GCM ? 128 : 256,
	    xmlSecKeyDataTypeSession)) == NULL)
		goto out;
	/*
	 * Replaces the Assertion (which xmlsec frees) by the EncryptedData
	 * in the tree.
	 */
	if (xmlSecEncCtxXmlEncrypt(ctx, data, assertion) < 0)
		goto out;
	placed = 1;

	ns = xmlSearchNsByHref(doc, root, (const xmlChar *)SAML_NS_ASSERTION);
	if ((wrap = xmlNewNode(NULL, (const xmlChar *)"EncryptedAssertion"))
	    == NULL)
		goto out;
	if (ns == NULL)
		ns = xmlNewNs(wrap, (const xmlChar *)SAML_NS_ASSERTION,
		    (const xmlChar *)"saml");
	xmlSetNs(wrap, ns);
	xmlReplaceNode(data, wrap);
	xmlAddChild(wrap, data);
	ret = 0;

out:
	if (!placed && data != NULL)
		xmlFreeNode(data);
	if (ctx != NULL)
		xmlSecEncCtxDestroy(ctx);
	if (mngr != NULL)
		xmlSecKeysMngrDestroy(mngr);
	return (ret);
}

/*
 * Signs root (the Response) as lasso signs it: an enveloped signature
 * right after the Issuer (saml-core §3.2.2), exclusive canonicalisation,
 * RSA-SHA256 over SHA-256, KeyInfo the certificate or the key.
 */
static int
saml_encrypt_sign(const struct saml_idp *idp, const struct saml_sp *sp,
    xmlDocPtr doc, xmlNodePtr root)
{
	xmlSecDSigCtxPtr	 ctx;
	xmlNodePtr		 sig, ref, info, issuer;
	xmlAttrPtr		 id;
	xmlChar			*value;
	char			 uri[SAML_ID_MAX + 2];
	int			 ret;

	ret = -1;
	ctx = NULL;
	if ((id = xmlHasProp(root, (const xmlChar *)"ID")) == NULL ||
	    (issuer = saml_encrypt_child(root, SAML_NS_ASSERTION, "Issuer"))
	    == NULL)
		return (-1);
	value = xmlNodeListGetString(doc, id->children, 1);
	if (value == NULL || strlen((char *)value) >= SAML_ID_MAX) {
		xmlFree(value);
		return (-1);
	}
	snprintf(uri, sizeof(uri), "#%s", value);
	/* The reference finds the Response by its ID attribute. */
	if (xmlAddID(NULL, doc, value, id) == NULL) {
		xmlFree(value);
		return (-1);
	}
	xmlFree(value);

	if ((sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId,
	    xmlSecTransformRsaSha256Id, NULL)) == NULL)
		return (-1);
	if (xmlAddNextSibling(issuer, sig) == NULL) {
		xmlFreeNode(sig);
		return (-1);
	}
	if ((ref = xmlSecTmplSignatureAddReference(sig,
	    xmlSecTransformSha256Id, NULL, (const xmlChar *)uri, NULL)) ==
	    NULL ||
	    xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ==
	    NULL ||
	    xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) ==
	    NULL ||
	    (info = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL)) == NULL)
		goto out;
	if ((sp->keyinfo_key ? xmlSecTmplKeyInfoAddKeyValue(info) :
	    xmlSecTmplKeyInfoAddX509Data(info)) == NULL)
		goto out;
	if ((ctx = xmlSecDSigCtxCreate(NULL)) == NULL)
		goto out;
	/* Borrowed for this signature: not destroyed with the context. */
	ctx->signKey = idp->sign_key;
	ret = xmlSecDSigCtxSign(ctx, sig) < 0 ? -1 : 0;
	ctx->signKey = NULL;

out:
	if (ctx != NULL)
		xmlSecDSigCtxDestroy(ctx);
	return (ret);
}

int
saml_encrypt_response(const struct saml_idp *idp, const struct saml_sp *sp,
    char **msg)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	xmlChar		*xml;
	guchar		*raw;
	gsize		 rawlen;
	int		 len, ret;

	ret = -1;
	doc = NULL;
	xml = NULL;
	if ((raw = g_base64_decode(*msg, &rawlen)) == NULL || rawlen == 0 ||
	    rawlen > INT_MAX)
		goto out;
	/* lasso's own output: no DTD, no network, nothing to expand. */
	if ((doc = xmlReadMemory((const char *)raw, (int)rawlen, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) ==
	    NULL || (root = xmlDocGetRootElement(doc)) == NULL ||
	    root->ns == NULL ||
	    strcmp((const char *)root->ns->href, SAML_NS_PROTOCOL) != 0 ||
	    strcmp((const char *)root->name, "Response") != 0)
		goto out;
	if (saml_encrypt_assertion(sp, doc, root) == -1 ||
	    saml_encrypt_sign(idp, sp, doc, root) == -1)
		goto out;
	xmlDocDumpMemory(doc, &xml, &len);
	if (xml == NULL || len <= 0)
		goto out;
	g_free(*msg);
	*msg = g_base64_encode(xml, len);
	ret = 0;

out:
	xmlFree(xml);
	g_free(raw);
	xmlFreeDoc(doc);
	return (ret);
}
