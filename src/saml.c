/*
 * SAML 2.0 Web SSO at the IdP, on lasso. lasso does the XML, the
 * signatures and the CBC encryption; mutua does what lasso leaves to the
 * application (lasso.md): SHA-1 refusal, ACS check, request age,
 * Destination, replay, NameIDs from a CSPRNG, attribute release, the
 * level of assurance, and AES-GCM encryption (saml_encrypt.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <lasso/utils.h>
#include <lasso/xml/misc_text_node.h>
#include <lasso/xml/saml-2.0/saml2_assertion.h>
#include <lasso/xml/saml-2.0/saml2_attribute.h>
#include <lasso/xml/saml-2.0/saml2_attribute_statement.h>
#include <lasso/xml/saml-2.0/saml2_attribute_value.h>
#include <lasso/xml/saml-2.0/saml2_authn_statement.h>
#include <lasso/xml/saml-2.0/saml2_name_id.h>
#include <lasso/xml/saml-2.0/saml2_subject.h>
#include <lasso/xml/saml-2.0/samlp2_authn_request.h>
#include <lasso/xml/saml-2.0/samlp2_name_id_policy.h>
#include <lasso/xml/saml-2.0/samlp2_request_abstract.h>
#include <lasso/xml/saml-2.0/samlp2_requested_authn_context.h>
#include <lasso/xml/saml-2.0/samlp2_status.h>
#include <lasso/xml/saml-2.0/samlp2_status_code.h>
#include <lasso/xml/saml-2.0/samlp2_response.h>
#include <lasso/xml/saml-2.0/samlp2_status_response.h>
#include <xmlsec/crypto.h>

#include "crypto.h"
#include "date.h"
#include "log.h"
#include "saml.h"

#define SAML_ID_RANDOM		20	/* bytes of randomness in an ID */

static int	saml_read_file(const char *, char **, char *, size_t);
static void	saml_glib_log(const gchar *, GLogLevelFlags, const gchar *,
		    gpointer);
static void	saml_time_str(uint64_t, char *, size_t);
static void	saml_new_id(char *);
static int	saml_uri_loa(const struct config *, const char *);
static uint32_t	saml_loa_mask(const struct config *,
		    LassoSamlp2RequestedAuthnContext *);
static void	saml_attribute(LassoSaml2AttributeStatement *, const char *,
		    const char *, const struct attribute_set *, uint32_t,
		    const char *);
static int	saml_subject_matches(struct store *, const struct saml_sso *,
		    LassoSamlp2AuthnRequest *, const struct user *);
static int	saml_post_take(LassoLogin *, const struct saml_sp *,
		    struct saml_post *);
static int	saml_post_build(const struct saml_idp *, struct saml_sso *,
		    struct saml_post *);

static int
saml_read_file(const char *path, char **out, char *err, size_t errlen)
{
	gsize		 len;
	GError		*gerr;

	gerr = NULL;
	if (!g_file_get_contents(path, out, &len, &gerr)) {
		snprintf(err, errlen, "%s: %s", path, gerr->message);
		g_error_free(gerr);
		return (-1);
	}
	return (0);
}

/*
 * lasso reports through GLib. GLib's own handler probes stderr with
 * getpeername() (is it journald?), which the worker sandbox forbids; and
 * the messages may quote attacker input. They go to the escaped
 * key=value log instead.
 */
static void
saml_glib_log(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer arg)
{
	if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
		return;
	log_event("lasso", "domain", domain, "message", msg, (char *)NULL);
}

int
saml_init(struct saml_idp *idp, const struct config *cfg, struct store *st,
    char *err, size_t errlen)
{
	char		*key_pem, *cert_pem;
	int		 ret;

	memset(idp, 0, sizeof(*idp));
	idp->cfg = cfg;
	key_pem = cert_pem = NULL;
	ret = -1;

	/*
	 * xmlsec would parse the whole system trust store for every SP and
	 * every encrypted assertion, and trust it for metadata (lasso.md
	 * §3, §11): mutua trusts only what federation/ says.
	 */
	setenv("SSL_CERT_FILE", "/nonexistent", 1);
	setenv("SSL_CERT_DIR", "/nonexistent", 1);
	g_log_set_default_handler(saml_glib_log, NULL);
	if (lasso_init() != 0) {
		snprintf(err, errlen, "lasso_init failed");
		return (-1);
	}
	if (saml_read_file(cfg->signing_key, &key_pem, err, errlen) == -1 ||
	    saml_read_file(cfg->signing_cert, &cert_pem, err, errlen) == -1)
		goto out;

	/* One parsed key for every message (lasso.md §3). */
	idp->key = lasso_key_new_for_signature_from_memory(key_pem,
	    strlen(key_pem), NULL, LASSO_SIGNATURE_METHOD_RSA_SHA256,
	    cert_pem);
	/* Without the certificate lasso copies no X509 per message. */
	idp->key_bare = lasso_key_new_for_signature_from_memory(key_pem,
	    strlen(key_pem), NULL, LASSO_SIGNATURE_METHOD_RSA_SHA256, NULL);
	idp->sign_key = xmlSecCryptoAppKeyLoadMemory(
	    (const xmlSecByte *)key_pem, strlen(key_pem),
	    xmlSecKeyDataFormatPem, NULL, NULL, NULL);
	if (idp->sign_key != NULL && xmlSecCryptoAppKeyCertLoadMemory(
	    idp->sign_key, (const xmlSecByte *)cert_pem, strlen(cert_pem),
	    xmlSecKeyDataFormatPem) < 0) {
		xmlSecKeyDestroy(idp->sign_key);
		idp->sign_key = NULL;
	}
	if (idp->key == NULL || idp->key_bare == NULL ||
	    idp->sign_key == NULL) {
		snprintf(err, errlen, "%s: not an RSA key lasso can use",
		    cfg->signing_key);
		goto out;
	}
	if (saml_metadata_build(idp, cert_pem, err, errlen) == -1)
		goto out;
	idp->server = lasso_server_new_from_buffers(idp->metadata, key_pem,
	    NULL, cert_pem);
	if (idp->server == NULL) {
		snprintf(err, errlen, "lasso could not build the IdP");
		goto out;
	}
	/* lasso's default is RSA-SHA1 (lasso.md §2). */
	idp->server->signature_method = LASSO_SIGNATURE_METHOD_RSA_SHA256;
	if (saml_sp_cache_init(idp, st) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = saml_sp_load(idp, err, errlen);

out:
	if (key_pem != NULL) {
		OPENSSL_cleanse(key_pem, strlen(key_pem));
		g_free(key_pem);
	}
	g_free(cert_pem);
	return (ret);
}

void
saml_free(struct saml_idp *idp)
{
	if (idp->server != NULL)
		g_object_unref(idp->server);
	if (idp->key != NULL)
		g_object_unref(idp->key);
	if (idp->key_bare != NULL)
		g_object_unref(idp->key_bare);
	if (idp->sign_key != NULL)
		xmlSecKeyDestroy(idp->sign_key);
	free(idp->metadata);
	free(idp->sps);
	saml_sp_cache_free(idp);
	memset(idp, 0, sizeof(*idp));
}

static void
saml_time_str(uint64_t t, char *out, size_t len)
{
	date_format(t, DATE_ISO, out, len);
}

/* IDs from the CSPRNG, not GLib's Mersenne Twister (lasso.md §4). */
static void
saml_new_id(char *out)
{
	out[0] = '_';
	if (crypto_random_hex(out + 1, 2 * SAML_ID_RANDOM + 1,
	    SAML_ID_RANDOM) == -1)
		abort();
}

const char *
saml_loa_uri(const struct config *cfg, uint32_t loa)
{
	return (loa >= 3 ? cfg->loa3_uri : cfg->loa2_uri);
}

static int
saml_uri_loa(const struct config *cfg, const char *uri)
{
	if (strcmp(uri, cfg->loa3_uri) == 0)
		return (3);
	if (strcmp(uri, cfg->loa2_uri) == 0)
		return (2);
	return (0);
}

/*
 * RequestedAuthnContext (SAML core §3.3.2.2.1) as the set of levels that
 * satisfy it. Unknown class references satisfy nothing.
 */
static uint32_t
saml_loa_mask(const struct config *cfg, LassoSamlp2RequestedAuthnContext *rac)
{
	GList		*l;
	const char	*cmp;
	uint32_t	 mask;
	int		 loa, lo, hi, i;

	if (rac == NULL || rac->AuthnContextClassRef == NULL)
		return (SAML_LOA_ALL);
	cmp = rac->Comparison != NULL ? rac->Comparison : "exact";
	mask = 0;
	lo = 4;
	hi = 0;
	for (l = rac->AuthnContextClassRef; l != NULL; l = l->next) {
		if ((loa = saml_uri_loa(cfg, l->data)) == 0)
			continue;
		mask |= 1u << loa;
		lo = loa < lo ? loa : lo;
		hi = loa > hi ? loa : hi;
	}
	if (mask == 0 || strcmp(cmp, "exact") == 0)
		return (mask);
	mask = 0;
	for (i = 2; i <= 3; i++) {
		if ((strcmp(cmp, "minimum") == 0 && i >= lo) ||
		    (strcmp(cmp, "better") == 0 && i > lo) ||
		    (strcmp(cmp, "maximum") == 0 && i <= hi))
			mask |= 1u << i;
	}
	return (mask);
}

int
saml_loa_acceptable(const struct saml_sso *sso, uint32_t loa)
{
	return (loa < 32 && (sso->loa_mask & (1u << loa)) != 0);
}

enum saml_result
saml_sso_parse(struct saml_idp *idp, struct store *st, int binding,
    const char *msg, const char *relay_state, int check_replay,
    uint64_t now, struct saml_sso *sso)
{
	LassoSamlp2AuthnRequest	*ar;
	LassoSamlp2RequestAbstract *ra;
	struct store_txn	 txn;
	char			 dest[SAML_URL_MAX + 16];
	guchar			*xml;
	gchar			*copy;
	gsize			 xmllen;
	uint64_t		 issued;
	int			 rc, sig, signed_alg_sha1, attempt;

	if (binding == SAML_BINDING_UNSOLICITED)
		return (saml_unsolicited_parse(idp, msg, relay_state, now, sso));
	memset(sso, 0, sizeof(*sso));
	if ((binding == SAML_BINDING_POST && strlen(msg) > SAML_POST_MAX) ||
	    (binding == SAML_BINDING_REDIRECT &&
	    strlen(msg) > SAML_QUERY_MAX)) {
		sso->error = "the request is too large";
		return (SAML_REJECT);
	}
	if (relay_state != NULL && strlen(relay_state) >= SAML_RELAY_MAX) {
		sso->error = "RelayState longer than 80 bytes";
		return (SAML_REJECT);
	}

	/* SHA-1 signatures are refused (lasso accepts them, §2). */
	signed_alg_sha1 = 0;
	if (binding == SAML_BINDING_REDIRECT)
		signed_alg_sha1 = strstr(msg, "SigAlg=") != NULL &&
		    strstr(msg, "rsa-sha1") != NULL;
	else if ((xml = g_base64_decode(msg, &xmllen)) != NULL) {
		signed_alg_sha1 = g_strstr_len((char *)xml, xmllen,
		    "xmldsig#rsa-sha1") != NULL ||
		    g_strstr_len((char *)xml, xmllen, "xmldsig#sha1") != NULL;
		g_free(xml);
	}
	if (signed_alg_sha1) {
		sso->error = "SHA-1 signatures are not accepted";
		return (SAML_REJECT);
	}

	for (attempt = 0;; attempt++) {
		sso->login = lasso_login_new(idp->server);
		/* Signature policy is per SP, decided below from the status. */
		lasso_profile_set_signature_verify_hint(
		    LASSO_PROFILE(sso->login),
		    LASSO_PROFILE_SIGNATURE_VERIFY_HINT_IGNORE);
		if (binding == SAML_BINDING_POST && relay_state != NULL)
			lasso_assign_string(sso->login->parent.msg_relayState,
			    relay_state);
		copy = g_strdup(msg);
		rc = lasso_login_process_authn_request_msg(sso->login, copy);
		g_free(copy);
		if (attempt > 0 || !saml_sp_retry(idp,
		    LASSO_PROFILE(sso->login), rc))
			break;
		g_object_unref(sso->login);
	}
	if (rc != 0) {
		if (rc == LASSO_SERVER_ERROR_PROVIDER_NOT_FOUND ||
		    rc == LASSO_PROFILE_ERROR_UNKNOWN_PROVIDER)
			sso->error = "the service provider is not in the "
			    "federation";
		else if (rc == LASSO_PROFILE_ERROR_INVALID_PROTOCOLPROFILE)
			sso->error = "the AssertionConsumerServiceURL or "
			    "binding is not in the service provider's metadata";
		else if (rc == LASSO_DS_ERROR_SIGNATURE_VERIFICATION_FAILED ||
		    rc == LASSO_DS_ERROR_INVALID_SIGNATURE)
			sso->error = "the request signature does not verify";
		else
			sso->error = "the request is malformed or not allowed";
		goto reject;
	}
	/* From here on, lasso has parsed it; attacker values still abound. */
	sso->sp = saml_sp_find(idp, sso->login->parent.remote_providerID);
	if (sso->sp == NULL) {
		sso->error = "the service provider is not in the federation";
		goto reject;
	}
	/*
	 * An SP that need not sign may send no signature, or publish no key
	 * at all (lasso: MISSING_PUBLIC_KEY; the demo SP of tools/demo-sp.py):
	 * its request is then taken as unsigned.
	 */
	sig = lasso_profile_get_signature_status(LASSO_PROFILE(sso->login));
	if (sig != 0 && (sso->sp->want_signed ||
	    (sig != LASSO_DS_ERROR_SIGNATURE_NOT_FOUND &&
	    sig != LASSO_DS_ERROR_INVALID_SIGALG &&
	    sig != LASSO_PROVIDER_ERROR_MISSING_PUBLIC_KEY))) {
		sso->error = sso->sp->want_signed ?
		    "this service provider must sign its requests" :
		    "the request signature does not verify";
		goto reject;
	}

	ar = LASSO_SAMLP2_AUTHN_REQUEST(sso->login->parent.request);
	ra = LASSO_SAMLP2_REQUEST_ABSTRACT(ar);
	if (ar->AssertionConsumerServiceURL != NULL &&
	    !saml_sp_acs_listed(sso->sp, ar->AssertionConsumerServiceURL)) {
		sso->error = "the AssertionConsumerServiceURL is not in the "
		    "service provider's metadata";
		goto reject;
	}
	snprintf(dest, sizeof(dest), "%s/saml/sso", idp->cfg->base_url);
	if (ra->Destination != NULL && strcmp(ra->Destination, dest) != 0) {
		sso->error = "the request is for another destination";
		goto reject;
	}
	if (date_parse_iso(ra->IssueInstant, &issued) == -1 ||
	    issued + SAML_REQUEST_MAX_AGE + idp->cfg->clock_skew < now ||
	    issued > now + idp->cfg->clock_skew) {
		sso->error = "the request has expired or its time is wrong";
		goto reject;
	}
	if (ra->ID == NULL || strlen(ra->ID) >= sizeof(sso->request_id)) {
		sso->error = "the request has no usable ID";
		goto reject;
	}
	strcpy(sso->request_id, ra->ID);
	if (check_replay) {
		/*
		 * Seen before: refused now. Not seen: recorded in the same
		 * commit as its answer (saml_sso_record), which catches a
		 * second worker racing with the same ID.
		 */
		if (store_txn_begin(st, &txn, 0) == -1) {
			sso->error = "storage error";
			goto reject;
		}
		rc = store_saml_replay_seen(&txn, ra->ID, now);
		store_txn_abort(&txn);
		if (rc != 0) {
			sso->error = rc == 1 ?
			    "this request was seen before (replay)" :
			    "storage error";
			goto reject;
		}
		sso->replay_until = now + SAML_REQUEST_MAX_AGE +
		    2 * idp->cfg->clock_skew;
	}
	sso->force_authn = ar->ForceAuthn;
	sso->is_passive = ar->IsPassive;
	sso->loa_mask = saml_loa_mask(idp->cfg, ar->RequestedAuthnContext);
	return (SAML_ISSUE);

reject:
	saml_sso_free(sso);
	return (SAML_REJECT);
}

int
saml_sso_record(struct store_txn *txn, struct saml_sso *sso, uint64_t now)
{
	int	rc;

	if (sso->replay_until == 0)
		return (0);
	rc = store_saml_replay_add(txn, sso->request_id, sso->replay_until,
	    now);
	if (rc == STORE_EXISTS) {
		sso->error = "this request was seen before (replay)";
		return (1);
	}
	if (rc == 0)
		sso->replay_until = 0;
	return (rc);
}

void
saml_sso_free(struct saml_sso *sso)
{
	if (sso->login != NULL)
		g_object_unref(sso->login);
	sso->login = NULL;
}

/*
 * Appends an attribute with the values of attribute id in set (NULL for
 * none), or else with the one value fallback (NULL for none); nothing
 * when there is no value (lasso.md §5: text_child).
 */
static void
saml_attribute(LassoSaml2AttributeStatement *stmt, const char *oid,
    const char *friendly, const struct attribute_set *set, uint32_t id,
    const char *fallback)
{
	LassoSaml2Attribute		*attr;
	LassoSaml2AttributeValue	*av;
	LassoMiscTextNode		*text;
	const char			*value;
	size_t				 i, n;

	attr = LASSO_SAML2_ATTRIBUTE(lasso_saml2_attribute_new());
	lasso_assign_string(attr->Name, oid);
	lasso_assign_string(attr->NameFormat,
	    LASSO_SAML2_ATTRIBUTE_NAME_FORMAT_URI);
	lasso_assign_string(attr->FriendlyName, friendly);
	n = set != NULL ? set->n : 0;
	for (i = 0; i <= n; i++) {
		if (i < n && set->v[i].id != id)
			continue;
		/* The fallback only when the set has no value. */
		if (i == n && attr->AttributeValue != NULL)
			break;
		value = i < n ? set->v[i].value : fallback;
		if (value == NULL || *value == '\0')
			continue;
		av = LASSO_SAML2_ATTRIBUTE_VALUE(
		    lasso_saml2_attribute_value_new());
		text = lasso_misc_text_node_new_with_string(value);
		text->text_child = TRUE;
		av->any = g_list_append(av->any, text);
		attr->AttributeValue = g_list_append(attr->AttributeValue, av);
	}
	if (attr->AttributeValue == NULL) {
		g_object_unref(attr);
		return;
	}
	stmt->Attribute = g_list_append(stmt->Attribute, attr);
}

/*
 * Builds the Response (signed; its assertion signed, and encrypted as
 * the SP's policy says) and copies it out of lasso.
 */
static int
saml_post_build(const struct saml_idp *idp, struct saml_sso *sso,
    struct saml_post *post)
{
	LassoProfile	*p = LASSO_PROFILE(sso->login);
	int		 gcm;

	gcm = sso->sp->encrypt && saml_enc_is_gcm(sso->sp->enc_method) &&
	    LASSO_SAMLP2_RESPONSE(p->response)->Assertion != NULL;
	/* saml_encrypt_response() signs the Response after encrypting. */
	if (gcm)
		lasso_profile_set_signature_hint(p,
		    LASSO_PROFILE_SIGNATURE_HINT_FORBID);
	if (lasso_login_build_authn_response_msg(sso->login) != 0 ||
	    (gcm && saml_encrypt_response(idp, sso->sp, &p->msg_body) == -1))
		return (-1);
	return (saml_post_take(sso->login, sso->sp, post));
}

/* Copies the answer out of lasso, refusing any URL not an ACS (§1). */
static int
saml_post_take(LassoLogin *login, const struct saml_sp *sp,
    struct saml_post *post)
{
	memset(post, 0, sizeof(*post));
	if (login->parent.msg_url == NULL || login->parent.msg_body == NULL ||
	    !saml_sp_acs_listed(sp, login->parent.msg_url))
		return (-1);
	post->url = g_strdup(login->parent.msg_url);
	post->field = g_strdup("SAMLResponse");
	post->body = g_strdup(login->parent.msg_body);
	post->relay_state = g_strdup(login->parent.msg_relayState);
	return (0);
}

int
saml_status_set(LassoProfile *p, const char *top_level,
    const char *second_level)
{
	LassoSamlp2StatusResponse	*resp;
	LassoSamlp2Status		*status;
	LassoSamlp2StatusCode		*top, *sub;

	if (!LASSO_IS_SAMLP2_STATUS_RESPONSE(p->response))
		return (-1);
	resp = LASSO_SAMLP2_STATUS_RESPONSE(p->response);
	status = LASSO_SAMLP2_STATUS(lasso_samlp2_status_new());
	top = LASSO_SAMLP2_STATUS_CODE(lasso_samlp2_status_code_new());
	sub = LASSO_SAMLP2_STATUS_CODE(lasso_samlp2_status_code_new());
	lasso_assign_string(top->Value, top_level);
	lasso_assign_string(sub->Value, second_level);
	top->StatusCode = sub;
	status->StatusCode = top;
	lasso_assign_new_gobject(resp->Status, status);
	return (0);
}

int
saml_sso_status(struct saml_idp *idp, struct store *st, struct saml_sso *sso,
    uint64_t now, const char *second_level, struct saml_post *post)
{
	struct store_txn	txn;

	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	if (saml_sso_record(&txn, sso, now) != 0 ||
	    store_txn_commit(&txn) == -1) {
		store_txn_abort(&txn);
		return (-1);
	}
	if (saml_status_set(LASSO_PROFILE(sso->login),
	    LASSO_SAML2_STATUS_CODE_RESPONDER, second_level) == -1)
		return (-1);
	return (saml_post_build(idp, sso, post));
}

/*
 * SAML 2.0 core §3.4.1: a request that names a <Subject> may only get an
 * assertion about that principal. The NameID is matched by its format:
 * persistent against the SP's pseudonym, email against the mail
 * address, unspecified (or none) against the user ID. A transient or
 * other format, a BaseID or an EncryptedID cannot name a user mutua
 * knows, so they never match.
 * @return 1 when it matches or no subject is named, 0, or -1.
 */
static int
saml_subject_matches(struct store *st, const struct saml_sso *sso,
    LassoSamlp2AuthnRequest *ar, const struct user *u)
{
	LassoSaml2NameID	*want;
	struct store_txn	 txn;
	const char		*fmt;
	char			 pseudonym[SAML_NAMEID_MAX];
	int			 rc;

	if (ar->Subject == NULL)
		return (1);
	want = ar->Subject->NameID;
	if (want == NULL || want->content == NULL)
		return (0);
	fmt = want->Format;
	if (fmt == NULL ||
	    strcmp(fmt, LASSO_SAML2_NAME_IDENTIFIER_FORMAT_UNSPECIFIED) == 0)
		return (strcmp(want->content, u->id) == 0);
	if (strcmp(fmt, LASSO_SAML2_NAME_IDENTIFIER_FORMAT_EMAIL) == 0)
		return (u->email[0] != '\0' &&
		    strcasecmp(want->content, u->email) == 0);
	if (strcmp(fmt, LASSO_SAML2_NAME_IDENTIFIER_FORMAT_PERSISTENT) != 0)
		return (0);
	/*
	 * A write transaction because the lookup creates a missing
	 * pseudonym; aborted, since a new one cannot be what the SP sent.
	 */
	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	rc = store_saml_nameid(&txn, u->id, sso->sp->entity_id, pseudonym,
	    sizeof(pseudonym));
	store_txn_abort(&txn);
	if (rc == -1)
		return (-1);
	return (crypto_str_equal(pseudonym, want->content));
}

int
saml_sso_answer(struct saml_idp *idp, struct store *st, struct saml_sso *sso,
    const struct saml_subject *subj, uint64_t now, struct saml_post *post)
{
	LassoSamlp2AuthnRequest		*ar;
	LassoSaml2Assertion		*a;
	LassoSaml2AuthnStatement	*as;
	LassoSaml2AttributeStatement	*stmt;
	LassoSaml2NameID		*nid;
	struct saml_participant		 part;
	struct store_txn		 txn;
	const struct user		*u = subj->user;
	const char			*fmt;
	enum saml_nameid		 kind;
	char				 instant[32], before[32], after[32];
	char				 id[2 * SAML_ID_RANDOM + 2];
	char				 eppn[USER_ID_MAX + SAML_URL_MAX];
	const char			*host;
	uint32_t			 i;
	int				 rc;

	memset(&part, 0, sizeof(part));
	ar = LASSO_SAMLP2_AUTHN_REQUEST(sso->login->parent.request);
	if (!saml_loa_acceptable(sso, subj->loa))
		return (saml_sso_status(idp, st, sso, now,
		    LASSO_SAML2_STATUS_CODE_NO_AUTHN_CONTEXT, post));

	kind = sso->sp->nameid;
	fmt = ar->NameIDPolicy != NULL ? ar->NameIDPolicy->Format : NULL;
	if (fmt != NULL && strcmp(fmt,
	    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified") != 0) {
		if (strcmp(fmt, LASSO_SAML2_NAME_IDENTIFIER_FORMAT_PERSISTENT) ==
		    0)
			kind = SAML_NAMEID_PERSISTENT;
		else if (strcmp(fmt,
		    LASSO_SAML2_NAME_IDENTIFIER_FORMAT_TRANSIENT) == 0)
			kind = SAML_NAMEID_TRANSIENT;
		else if (strcmp(fmt, LASSO_SAML2_NAME_IDENTIFIER_FORMAT_EMAIL) ==
		    0 && u->email[0] != '\0')
			kind = SAML_NAMEID_EMAIL;
		else
			return (saml_sso_status(idp, st, sso, now,
			    LASSO_SAML2_STATUS_CODE_INVALID_NAME_ID_POLICY,
			    post));
	}
	/* mutua keeps the pseudonyms itself (lasso.md §4). */
	if (ar->NameIDPolicy != NULL)
		ar->NameIDPolicy->AllowCreate = TRUE;
	if ((rc = saml_subject_matches(st, sso, ar, u)) != 1)
		return (rc == -1 ? -1 : saml_sso_status(idp, st, sso, now,
		    LASSO_SAML2_STATUS_CODE_AUTHN_FAILED, post));

	if (lasso_login_validate_request_msg(sso->login, TRUE, TRUE) != 0)
		return (-1);
	saml_time_str(subj->auth_time, instant, sizeof(instant));
	saml_time_str(now - idp->cfg->clock_skew, before, sizeof(before));
	saml_time_str(now + SAML_ASSERTION_LIFETIME, after, sizeof(after));
	if (lasso_login_build_assertion(sso->login,
	    saml_loa_uri(idp->cfg, subj->loa), instant, NULL, before,
	    after) != 0)
		return (-1);
	a = LASSO_SAML2_ASSERTION(lasso_login_get_assertion(sso->login));
	if (a == NULL)
		return (-1);

	/* The NameID, set by mutua (lasso.md §4). */
	nid = a->Subject != NULL ? a->Subject->NameID : NULL;
	if (nid == NULL) {
		g_object_unref(a);
		return (-1);
	}
	if (store_txn_begin(st, &txn, 1) == -1) {
		g_object_unref(a);
		return (-1);
	}
	switch (kind) {
	case SAML_NAMEID_PERSISTENT:
		fmt = LASSO_SAML2_NAME_IDENTIFIER_FORMAT_PERSISTENT;
		rc = store_saml_nameid(&txn, u->id, sso->sp->entity_id,
		    part.name_id, sizeof(part.name_id));
		break;
	case SAML_NAMEID_EMAIL:
		fmt = LASSO_SAML2_NAME_IDENTIFIER_FORMAT_EMAIL;
		rc = snprintf(part.name_id, sizeof(part.name_id), "%s",
		    u->email) > 0 ? 0 : -1;
		break;
	default:
		fmt = LASSO_SAML2_NAME_IDENTIFIER_FORMAT_TRANSIENT;
		saml_new_id(part.name_id);
		rc = 0;
		break;
	}
	lasso_assign_string(nid->content, part.name_id);
	lasso_assign_string(nid->Format, fmt);
	lasso_assign_string(nid->NameQualifier, idp->cfg->entity_id);
	lasso_assign_string(nid->SPNameQualifier, sso->sp->entity_id);
	snprintf(part.format, sizeof(part.format), "%s", fmt);

	saml_new_id(id);
	lasso_assign_string(a->ID, id);
	if (a->AuthnStatement != NULL) {
		as = a->AuthnStatement->data;
		lasso_assign_string(as->SessionIndex, id);
		saml_time_str(subj->auth_time + idp->cfg->session_lifetime,
		    before, sizeof(before));
		lasso_assign_string(as->SessionNotOnOrAfter, before);
	}
	snprintf(part.session_index, sizeof(part.session_index), "%s", id);

	/* Attribute release: only what the SP's policy lists. */
	stmt = LASSO_SAML2_ATTRIBUTE_STATEMENT(
	    lasso_saml2_attribute_statement_new());
	host = strstr(idp->cfg->base_url, "://");
	host = host != NULL ? host + 3 : idp->cfg->base_url;
	snprintf(eppn, sizeof(eppn), "%s@%.*s", u->id,
	    (int)strcspn(host, ":/"), host);
	/* The directory's values first; mail, name and ePPN have defaults. */
	for (i = 0; i < ATTRIBUTE_COUNT; i++) {
		if (!(sso->sp->attributes & SAML_ATTR_BIT(i)))
			continue;
		saml_attribute(stmt, attribute_defs[i].oid,
		    attribute_defs[i].name, subj->attrs, i,
		    i == ATTRIBUTE_MAIL ? u->email :
		    i == ATTRIBUTE_DISPLAY_NAME ? u->display_name :
		    i == ATTRIBUTE_EPPN ? eppn : NULL);
	}
	if (sso->sp->attributes & SAML_ATTR_UID)
		saml_attribute(stmt, "urn:oid:0.9.2342.19200300.100.1.1",
		    "uid", NULL, 0, u->id);
	if (stmt->Attribute != NULL)
		a->AttributeStatement = g_list_append(a->AttributeStatement,
		    stmt);
	else
		g_object_unref(stmt);
	g_object_unref(a);

	saml_new_id(id);
	lasso_assign_string(LASSO_SAMLP2_STATUS_RESPONSE(
	    sso->login->parent.response)->ID, id);

	snprintf(part.sp, sizeof(part.sp), "%s", sso->sp->entity_id);
	if (rc == -1 || saml_sso_record(&txn, sso, now) != 0 ||
	    store_saml_participant_add(&txn, subj->session_key,
	    &part) == -1) {
		store_txn_abort(&txn);
		return (-1);
	}
	/*
	 * Signed after the commit, not inside it: the two RSA signatures
	 * must not hold the writer lock that the other workers wait for.
	 */
	if (store_txn_commit(&txn) == -1 ||
	    saml_post_build(idp, sso, post) == -1)
		return (-1);
	log_event("saml.assertion", "sp", sso->sp->entity_id, "user", u->id,
	    "format", fmt, (char *)NULL);
	return (0);
}

void
saml_post_free(struct saml_post *post)
{
	g_free(post->url);
	g_free(post->field);
	g_free(post->body);
	g_free(post->relay_state);
	memset(post, 0, sizeof(*post));
}
