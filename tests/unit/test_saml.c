/*
 * Unit tests for the Web SSO core of src/saml.c: saml_sso_parse(),
 * saml_sso_record(), saml_sso_answer() and saml_sso_status(), against a
 * real lasso service provider built here. The IdP comes from saml_init()
 * on the fixture's configuration; its key and the SP's key are made once
 * per run with OpenSSL and written, with the SP's metadata, into each
 * test's temporary directory.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <lasso/utils.h>
#include <lasso/xml/misc_text_node.h>
#include <lasso/xml/saml-2.0/saml2_assertion.h>
#include <lasso/xml/saml-2.0/saml2_attribute.h>
#include <lasso/xml/saml-2.0/saml2_attribute_statement.h>
#include <lasso/xml/saml-2.0/saml2_attribute_value.h>
#include <lasso/xml/saml-2.0/saml2_name_id.h>
#include <lasso/xml/saml-2.0/samlp2_authn_request.h>
#include <lasso/xml/saml-2.0/samlp2_name_id_policy.h>
#include <lasso/xml/saml-2.0/samlp2_requested_authn_context.h>
#include <lasso/xml/saml-2.0/samlp2_response.h>
#include <lasso/xml/saml-2.0/samlp2_status.h>
#include <lasso/xml/saml-2.0/samlp2_status_code.h>
#include <lasso/xml/saml-2.0/samlp2_status_response.h>

#include "fixture.h"
#include "saml.h"
#include "store_saml.h"

/*
 * lasso and xmlsec leak by themselves, and the sanitizer build must show
 * only mutua's leaks. lasso_init() runs xmlSecInit() again for every
 * saml_init() (each test here, each SIGHUP in a worker), dropping
 * xmlsec's previous lists; each key loaded with its certificate loses a
 * BIO; and verifying a signed Redirect request loses the decoded
 * signature, 259 bytes (lasso.md §10). Suppressing them by name needs
 * the slow unwinder on every malloc (xmlsec has no frame pointers: 14 s
 * instead of 2), so the leak checker is off around those calls only:
 * the IdP's and SP's set-up, sp_request() (the SP, not under test), and
 * parse() of a signed Redirect request.
 */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>

#define LSAN_DISABLE()	__lsan_disable()
#define LSAN_ENABLE()	__lsan_enable()
#else
#define LSAN_DISABLE()	((void)0)
#define LSAN_ENABLE()	((void)0)
#endif

#define SP_ENTITY	"https://sp.test/metadata"
#define SP_ACS		"https://sp.test/acs"
#define SP_ACS2		"https://sp.test/acs2"
#define SP_SLO		"https://sp.test/slo"
#define STRANGER_ENTITY	"https://stranger.test/metadata"
#define SESSION_KEY	"00112233445566778899aabbccddeeff" \
			"00112233445566778899aabbccddeeff"
#define RELAY		"relay-1"
#define BIND		"urn:oasis:names:tc:SAML:2.0:bindings:"

/* PEM key and certificate of one party, made once per run. */
struct party {
	char	*key;
	char	*cert;
};

/* One test: the fixture, the IdP under test and the SP talking to it. */
struct saml_test {
	struct fixture	 f;
	struct saml_idp	 idp;
	LassoServer	*sp;
	char		*sp_md;
};

/* What the SP puts in its AuthnRequest (zero: lasso's defaults). */
struct request_opts {
	int		 post;		/* HTTP-POST rather than Redirect */
	int		 unsigned_;	/* no signature at all */
	int		 sha1;		/* rsa-sha1 rather than rsa-sha256 */
	int		 force_authn;
	int		 is_passive;
	const char	*acs_url;
	const char	*nameid_format;
	const char	*classref;	/* RequestedAuthnContext */
	const char	*comparison;
	const char	*relay_state;
};

static struct party	idp_keys, sp_keys;

static char	*pem_of(int (*)(BIO *, const void *), const void *);
static int	 pem_key(BIO *, const void *);
static int	 pem_cert(BIO *, const void *);
static int	 party_make(struct party *, const char *);
static void	 party_free(struct party *);
static char	*cert_body(const char *);
static char	*sp_metadata(const char *, const char *);
static int	 write_file(const char *, const char *, const char *,
		    mode_t);
static LassoServer	*sp_server(const char *, const char *);
static char	*sp_request(LassoServer *, const struct request_opts *);
static char	*tamper_signature(const char *);
static enum saml_result	parse(struct saml_test *, const char *,
			    const struct request_opts *, int,
			    struct saml_sso *);
static LassoLogin	*sp_receive(struct saml_test *,
			    const struct saml_post *, int);
static const char	*status_code(LassoLogin *, int);
static const char	*attribute(LassoSaml2Assertion *, const char *);
static void	 subject_init(struct saml_subject *, struct user *,
		    uint32_t);
static int	 participants(struct saml_test *,
		    struct saml_participant *);
static int	 group_setup(void **);
static int	 group_teardown(void **);
static int	 saml_setup(void **);
static int	 saml_teardown(void **);

static int
pem_key(BIO *bio, const void *key)
{
	return (PEM_write_bio_PrivateKey(bio, (EVP_PKEY *)(uintptr_t)key,
	    NULL, NULL, 0, NULL, NULL));
}

static int
pem_cert(BIO *bio, const void *cert)
{
	return (PEM_write_bio_X509(bio, (X509 *)(uintptr_t)cert));
}

/* Writes obj as PEM into a new string. Must be freed with free(). */
static char *
pem_of(int (*write)(BIO *, const void *), const void *obj)
{
	BIO	*bio;
	char	*data, *out;
	long	 len;

	out = NULL;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return (NULL);
	if (write(bio, obj) == 1 && (len = BIO_get_mem_data(bio, &data)) > 0 &&
	    (out = malloc(len + 1)) != NULL) {
		memcpy(out, data, len);
		out[len] = '\0';
	}
	BIO_free(bio);
	return (out);
}

/* An RSA-2048 key and a self-signed certificate for cn. @return 0, -1. */
static int
party_make(struct party *p, const char *cn)
{
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*name;
	int		 ret;

	ret = -1;
	x = NULL;
	memset(p, 0, sizeof(*p));
	if ((key = EVP_RSA_gen(2048)) == NULL || (x = X509_new()) == NULL)
		goto out;
	name = X509_get_subject_name(x);
	if (X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    X509_set_pubkey(x, key) != 1 ||
	    X509_sign(x, key, EVP_sha256()) == 0)
		goto out;
	p->key = pem_of(pem_key, key);
	p->cert = pem_of(pem_cert, x);
	if (p->key != NULL && p->cert != NULL)
		ret = 0;
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return (ret);
}

static void
party_free(struct party *p)
{
	free(p->key);
	free(p->cert);
	memset(p, 0, sizeof(*p));
}

/* The base64 body of a PEM certificate. Must be freed with free(). */
static char *
cert_body(const char *pem)
{
	const char	*p, *end;
	char		*out;
	size_t		 n;

	p = strstr(pem, "-----BEGIN CERTIFICATE-----");
	end = strstr(pem, "-----END CERTIFICATE-----");
	if (p == NULL || end == NULL || (out = malloc(end - p)) == NULL)
		return (NULL);
	for (p += strlen("-----BEGIN CERTIFICATE-----"), n = 0; p < end; p++)
		if (*p != '\n' && *p != '\r')
			out[n++] = *p;
	out[n] = '\0';
	return (out);
}

/*
 * SP metadata for entity: signed requests, two POST ACSs and a POST SLO
 * endpoint (lasso takes any endpoint as an ACS, lasso.md §1), the SP's
 * certificate. Must be freed with free().
 */
/*
 * The SP's metadata; with an encryption key (the signing one) when
 * methods is not NULL, listing those md:EncryptionMethod elements.
 */
static char *
sp_metadata(const char *entity, const char *methods)
{
	char	*cert, *enc, *out;

	if ((cert = cert_body(sp_keys.cert)) == NULL)
		return (NULL);
	enc = NULL;
	if (methods != NULL && asprintf(&enc, "<md:KeyDescriptor use="
	    "\"encryption\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s"
	    "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>%s"
	    "</md:KeyDescriptor>", cert, methods) == -1) {
		free(cert);
		return (NULL);
	}
	if (asprintf(&out,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:"
	    "metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
	    "entityID=\"%s\">"
	    "<md:SPSSODescriptor AuthnRequestsSigned=\"true\" "
	    "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:"
	    "protocol\">"
	    "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data>"
	    "<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>"
	    "</ds:KeyInfo></md:KeyDescriptor>%s"
	    "<md:SingleLogoutService Binding=\"" BIND "HTTP-POST\" "
	    "Location=\"" SP_SLO "\"/>"
	    "<md:AssertionConsumerService index=\"1\" isDefault=\"true\" "
	    "Binding=\"" BIND "HTTP-POST\" Location=\"" SP_ACS "\"/>"
	    "<md:AssertionConsumerService index=\"2\" "
	    "Binding=\"" BIND "HTTP-POST\" Location=\"" SP_ACS2 "\"/>"
	    "</md:SPSSODescriptor></md:EntityDescriptor>\n",
	    entity, cert, enc != NULL ? enc : "") == -1)
		out = NULL;
	free(enc);
	free(cert);
	return (out);
}

static int
write_file(const char *dir, const char *name, const char *data, mode_t mode)
{
	char	 path[FIXTURE_PATH_MAX];
	FILE	*fp;
	int	 ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		return (-1);
	ret = fputs(data, fp) >= 0 && chmod(path, mode) == 0 ? 0 : -1;
	if (fclose(fp) != 0)
		ret = -1;
	return (ret);
}

/* A lasso SP for entity that knows the IdP from its metadata. */
static LassoServer *
sp_server(const char *entity, const char *idp_metadata)
{
	LassoServer	*srv;
	char		*md;

	if ((md = sp_metadata(entity, NULL)) == NULL)
		return (NULL);
	srv = lasso_server_new_from_buffers(md, sp_keys.key, NULL,
	    sp_keys.cert);
	free(md);
	if (srv == NULL)
		return (NULL);
	srv->signature_method = LASSO_SIGNATURE_METHOD_RSA_SHA256;
	if (lasso_server_add_provider_from_buffer(srv, LASSO_PROVIDER_ROLE_IDP,
	    idp_metadata, NULL, NULL) != 0) {
		g_object_unref(srv);
		return (NULL);
	}
	return (srv);
}

/*
 * The SP's AuthnRequest as saml_sso_parse() gets it from web_saml.c: the
 * raw query (after '?') for Redirect, the base64 SAMLRequest for POST.
 * Must be freed with g_free().
 */
static char *
sp_request(LassoServer *srv, const struct request_opts *o)
{
	LassoLogin				*login;
	LassoSamlp2AuthnRequest			*ar;
	LassoSamlp2RequestedAuthnContext	*rac;
	LassoSignatureMethod			 saved;
	const char				*q;
	char					*out;
	int					 rc;

	/* The SP loads its key for every message, losing a BIO each time. */
	LSAN_DISABLE();
	out = NULL;
	login = lasso_login_new(srv);
	saved = srv->signature_method;
	if (o->sha1)
		srv->signature_method = LASSO_SIGNATURE_METHOD_RSA_SHA1;
	rc = lasso_login_init_authn_request(login, NULL, o->post ?
	    LASSO_HTTP_METHOD_POST : LASSO_HTTP_METHOD_REDIRECT);
	if (rc != 0)
		goto out;
	lasso_profile_set_signature_hint(LASSO_PROFILE(login), o->unsigned_ ?
	    LASSO_PROFILE_SIGNATURE_HINT_FORBID :
	    LASSO_PROFILE_SIGNATURE_HINT_FORCE);
	ar = LASSO_SAMLP2_AUTHN_REQUEST(login->parent.request);
	ar->ForceAuthn = o->force_authn;
	ar->IsPassive = o->is_passive;
	lasso_assign_string(ar->ProtocolBinding, BIND "HTTP-POST");
	if (o->acs_url != NULL)
		lasso_assign_string(ar->AssertionConsumerServiceURL,
		    o->acs_url);
	if (o->nameid_format != NULL && ar->NameIDPolicy != NULL)
		lasso_assign_string(ar->NameIDPolicy->Format,
		    o->nameid_format);
	if (o->classref != NULL) {
		rac = LASSO_SAMLP2_REQUESTED_AUTHN_CONTEXT(
		    lasso_samlp2_requested_authn_context_new());
		rac->AuthnContextClassRef = g_list_append(NULL,
		    g_strdup(o->classref));
		if (o->comparison != NULL)
			lasso_assign_string(rac->Comparison, o->comparison);
		lasso_assign_new_gobject(ar->RequestedAuthnContext, rac);
	}
	if (o->relay_state != NULL)
		lasso_assign_string(login->parent.msg_relayState,
		    o->relay_state);
	if (lasso_login_build_authn_request_msg(login) != 0)
		goto out;
	if (o->post)
		out = g_strdup(login->parent.msg_body);
	else if ((q = strchr(login->parent.msg_url, '?')) != NULL)
		out = g_strdup(q + 1);
out:
	srv->signature_method = saved;
	g_object_unref(login);
	LSAN_ENABLE();
	return (out);
}

/* A copy of a Redirect query with one character of Signature changed. */
static char *
tamper_signature(const char *query)
{
	char	*out, *p;

	out = g_strdup(query);
	if ((p = strstr(out, "&Signature=")) == NULL) {
		g_free(out);
		return (NULL);
	}
	/* Well inside the value, on a letter: still base64, now wrong. */
	for (p += strlen("&Signature=") + 8; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Y') {
			(*p)++;
			return (out);
		}
	}
	g_free(out);
	return (NULL);
}

/*
 * Parses msg at the IdP as web_saml.c does: RelayState is in the query
 * for Redirect, a form field beside SAMLRequest for POST.
 */
static enum saml_result
parse(struct saml_test *t, const char *msg, const struct request_opts *o,
    int check_replay, struct saml_sso *sso)
{
	enum saml_result	r;
	int			lasso_leaks;

	lasso_leaks = !o->post && strstr(msg, "&Signature=") != NULL;
	if (lasso_leaks)
		LSAN_DISABLE();
	r = saml_sso_parse(&t->idp, t->f.st, o->post ? SAML_BINDING_POST :
	    SAML_BINDING_REDIRECT, msg, o->post ? o->relay_state : NULL,
	    check_replay, (uint64_t)time(NULL), sso);
	if (lasso_leaks)
		LSAN_ENABLE();
	return (r);
}

/*
 * Hands the IdP's answer to the SP, which must return rc for it.
 * Must be released with g_object_unref().
 */
static LassoLogin *
sp_receive(struct saml_test *t, const struct saml_post *post, int rc)
{
	LassoLogin	*login;
	char		*copy;

	assert_non_null(post->url);
	assert_string_equal(post->field, "SAMLResponse");
	assert_non_null(post->body);
	login = lasso_login_new(t->sp);
	copy = g_strdup(post->body);
	assert_int_equal(lasso_login_process_authn_response_msg(login, copy),
	    rc);
	g_free(copy);
	return (login);
}

/* The top (level 1) or second-level (2) status code the SP received. */
static const char *
status_code(LassoLogin *login, int level)
{
	LassoSamlp2StatusResponse	*resp;
	LassoSamlp2StatusCode		*code;

	resp = LASSO_SAMLP2_STATUS_RESPONSE(login->parent.response);
	if (resp == NULL || resp->Status == NULL)
		return (NULL);
	code = resp->Status->StatusCode;
	if (level == 2 && code != NULL)
		code = code->StatusCode;
	return (code != NULL ? code->Value : NULL);
}

/* The value of the assertion's attribute friendly, or NULL. */
static const char *
attribute(LassoSaml2Assertion *a, const char *friendly)
{
	LassoSaml2AttributeStatement	*stmt;
	LassoSaml2Attribute		*attr;
	LassoSaml2AttributeValue	*av;
	GList				*s, *l;

	for (s = a->AttributeStatement; s != NULL; s = s->next) {
		stmt = s->data;
		for (l = stmt->Attribute; l != NULL; l = l->next) {
			attr = l->data;
			if (attr->FriendlyName == NULL ||
			    strcmp(attr->FriendlyName, friendly) != 0 ||
			    attr->AttributeValue == NULL)
				continue;
			av = attr->AttributeValue->data;
			if (av->any == NULL ||
			    !LASSO_IS_MISC_TEXT_NODE(av->any->data))
				return (NULL);
			return (LASSO_MISC_TEXT_NODE(av->any->data)->content);
		}
	}
	return (NULL);
}

/* alice, signed in a minute ago at level loa. */
static void
subject_init(struct saml_subject *subj, struct user *u, uint32_t loa)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "alice");
	snprintf(u->email, sizeof(u->email), "alice@example.org");
	snprintf(u->display_name, sizeof(u->display_name), "Alice Smith");
	subj->user = u;
	subj->attrs = NULL;
	subj->session_key = SESSION_KEY;
	subj->loa = loa;
	subj->auth_time = (uint64_t)time(NULL) - 60;
}

/* The SPs recorded for SLO in SESSION_KEY's session. @return how many. */
static int
participants(struct saml_test *t, struct saml_participant *out)
{
	struct store_txn	txn;
	int			n;

	assert_int_equal(store_txn_begin(t->f.st, &txn, 0), 0);
	n = store_saml_participants(&txn, SESSION_KEY, out, 2);
	store_txn_abort(&txn);
	return (n);
}

static int
group_setup(void **state)
{
	/* RSA key generation is slow: once for all tests. */
	if (party_make(&idp_keys, "mutua test IdP") == -1 ||
	    party_make(&sp_keys, "mutua test SP") == -1) {
		fprintf(stderr, "test_saml: cannot make the test keys\n");
		return (-1);
	}
	return (0);
}

static int
group_teardown(void **state)
{
	party_free(&idp_keys);
	party_free(&sp_keys);
	return (0);
}

/*
 * The fixture's configuration with the IdP's key, certificate and SP
 * directory in the test's directory; saml_init() on it; and the SP.
 */
static int
saml_setup(void **state)
{
	struct saml_test	*t;
	struct config		*cfg;
	char			 dir[FIXTURE_PATH_MAX], err[1024];
	int			 rc;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (-1);
	if (fixture_store_open(&t->f) == -1) {
		free(t);
		return (-1);
	}
	*state = t;
	if (fixture_core(&t->f) == -1)
		goto fail;
	cfg = &t->f.cfg;
	snprintf(cfg->signing_key, sizeof(cfg->signing_key), "%s/idp.key",
	    t->f.dir);
	snprintf(cfg->signing_cert, sizeof(cfg->signing_cert), "%s/idp.crt",
	    t->f.dir);
	snprintf(cfg->sp_dir, sizeof(cfg->sp_dir), "%s/sp", t->f.dir);
	snprintf(dir, sizeof(dir), "%s/sp", t->f.dir);
	if ((t->sp_md = sp_metadata(SP_ENTITY, NULL)) == NULL ||
	    write_file(t->f.dir, "idp.key", idp_keys.key, 0600) == -1 ||
	    write_file(t->f.dir, "idp.crt", idp_keys.cert, 0644) == -1 ||
	    mkdir(dir, 0700) == -1 ||
	    write_file(dir, "sp.xml", t->sp_md, 0644) == -1 ||
	    write_file(dir, "sp.conf", "attributes mail uid\n", 0644) == -1) {
		fprintf(stderr, "test_saml: cannot write the federation\n");
		goto fail;
	}
	LSAN_DISABLE();
	rc = saml_init(&t->idp, cfg, t->f.st, err, sizeof(err));
	if (rc == 0)
		t->sp = sp_server(SP_ENTITY, t->idp.metadata);
	LSAN_ENABLE();
	if (rc == -1) {
		fprintf(stderr, "test_saml: saml_init: %s\n", err);
		goto fail;
	}
	if (t->idp.nsps != 1 || t->sp == NULL) {
		fprintf(stderr, "test_saml: the SP did not load\n");
		goto fail;
	}
	return (0);

fail:
	(void)saml_teardown(state);
	return (-1);
}

static int
saml_teardown(void **state)
{
	struct saml_test	*t = *state;
	int			 rc;

	if (t->sp != NULL)
		g_object_unref(t->sp);
	saml_free(&t->idp);
	free(t->sp_md);
	rc = fixture_store_close(&t->f);
	free(t);
	*state = NULL;
	return (rc);
}

static void
test_signed_redirect_request_is_issued(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { .relay_state = RELAY };
	struct saml_sso		 sso;
	char			*msg;

	assert_non_null(msg = sp_request(t->sp, &o));
	assert_non_null(strstr(msg, "&SigAlg="));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	assert_null(sso.error);
	assert_ptr_equal(sso.sp, &t->idp.sps[0]);
	assert_string_equal(sso.sp->entity_id, SP_ENTITY);
	assert_true(sso.sp->want_signed);
	assert_string_equal(sso.request_id, LASSO_SAMLP2_REQUEST_ABSTRACT(
	    sso.login->parent.request)->ID);
	assert_true(sso.request_id[0] != '\0');
	assert_int_equal(sso.force_authn, 0);
	assert_int_equal(sso.is_passive, 0);
	/* No RequestedAuthnContext: any level will do. */
	assert_true(saml_loa_acceptable(&sso, 2));
	assert_true(saml_loa_acceptable(&sso, 3));
	/* To be recorded with the answer, not yet. */
	assert_true(sso.replay_until > (uint64_t)time(NULL));
	saml_sso_free(&sso);
	g_free(msg);
}

static void
test_force_authn_and_post_binding_are_read(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { .post = 1, .force_authn = 1,
				    .relay_state = RELAY };
	struct saml_sso		 sso;
	char			*msg;

	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 0, &sso), SAML_ISSUE);
	assert_null(sso.error);
	assert_string_equal(sso.sp->entity_id, SP_ENTITY);
	assert_int_equal(sso.force_authn, 1);
	assert_int_equal(sso.is_passive, 0);
	/* Parsed without check_replay (the resume path): nothing to record. */
	assert_int_equal(sso.replay_until, 0);
	assert_string_equal(sso.login->parent.msg_relayState, RELAY);
	saml_sso_free(&sso);
	g_free(msg);
}

static void
test_answer_is_accepted_by_the_sp(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { .relay_state = RELAY };
	struct saml_participant	 part[2];
	struct saml_subject	 subj;
	struct saml_sso		 sso;
	struct saml_post	 post;
	struct user		 u;
	LassoSaml2Assertion	*a;
	LassoSaml2NameID	*nid;
	LassoLogin		*login;
	char			*msg;

	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	subject_init(&subj, &u, 2);
	assert_int_equal(saml_sso_answer(&t->idp, t->f.st, &sso, &subj,
	    (uint64_t)time(NULL), &post), 0);
	assert_string_equal(post.url, SP_ACS);
	assert_string_equal(post.relay_state, RELAY);

	login = sp_receive(t, &post, 0);
	assert_int_equal(lasso_login_accept_sso(login), 0);
	assert_string_equal(login->parent.remote_providerID,
	    t->idp.cfg->entity_id);
	assert_string_equal(LASSO_SAMLP2_STATUS_RESPONSE(
	    login->parent.response)->InResponseTo, sso.request_id);
	assert_string_equal(status_code(login, 1),
	    LASSO_SAML2_STATUS_CODE_SUCCESS);

	/* The SP's default, transient, set by mutua and recorded for SLO. */
	nid = LASSO_SAML2_NAME_ID(login->parent.nameIdentifier);
	assert_non_null(nid);
	assert_string_equal(nid->Format,
	    LASSO_SAML2_NAME_IDENTIFIER_FORMAT_TRANSIENT);
	assert_string_equal(nid->SPNameQualifier, SP_ENTITY);
	assert_int_equal(participants(t, part), 1);
	assert_string_equal(part[0].sp, SP_ENTITY);
	assert_string_equal(part[0].name_id, nid->content);

	/* The user, in what sp.conf releases: mail uid, not displayName. */
	a = LASSO_SAML2_ASSERTION(lasso_login_get_assertion(login));
	assert_non_null(a);
	assert_string_equal(attribute(a, "uid"), "alice");
	assert_string_equal(attribute(a, "mail"), "alice@example.org");
	assert_null(attribute(a, "displayName"));
	assert_string_equal(part[0].session_index, a->ID);
	g_object_unref(a);

	g_object_unref(login);
	saml_post_free(&post);
	saml_sso_free(&sso);
	g_free(msg);
}

/*
 * The directory's values at sign-in come first (mail), the record's only
 * when the directory has none; what the SP's policy does not list
 * (isMemberOf) is not released.
 */
static void
test_answer_releases_directory_values_under_policy(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { .relay_state = RELAY };
	struct attribute_set	 attrs;
	struct saml_subject	 subj;
	struct saml_sso		 sso;
	struct saml_post	 post;
	struct user		 u;
	LassoSaml2Assertion	*a;
	LassoLogin		*login;
	char			*msg;

	memset(&attrs, 0, sizeof(attrs));
	assert_int_equal(attribute_add(&attrs, ATTRIBUTE_MAIL,
	    "alice@dir.example.org", 21), 0);
	assert_int_equal(attribute_add(&attrs, ATTRIBUTE_IS_MEMBER_OF,
	    "staff", 5), 0);
	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	subject_init(&subj, &u, 2);
	subj.attrs = &attrs;
	assert_int_equal(saml_sso_answer(&t->idp, t->f.st, &sso, &subj,
	    (uint64_t)time(NULL), &post), 0);
	login = sp_receive(t, &post, 0);
	assert_int_equal(lasso_login_accept_sso(login), 0);
	a = LASSO_SAML2_ASSERTION(lasso_login_get_assertion(login));
	assert_non_null(a);
	assert_string_equal(attribute(a, "mail"), "alice@dir.example.org");
	assert_string_equal(attribute(a, "uid"), "alice");
	assert_null(attribute(a, "isMemberOf"));
	g_object_unref(a);
	g_object_unref(login);
	saml_post_free(&post);
	saml_sso_free(&sso);
	g_free(msg);
}

static void
test_email_nameid_names_the_user(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { .post = 1,
				    .nameid_format =
				    LASSO_SAML2_NAME_IDENTIFIER_FORMAT_EMAIL };
	struct saml_subject	 subj;
	struct saml_sso		 sso;
	struct saml_post	 post;
	struct user		 u;
	LassoSaml2NameID	*nid;
	LassoLogin		*login;
	char			*msg;

	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	subject_init(&subj, &u, 3);
	assert_int_equal(saml_sso_answer(&t->idp, t->f.st, &sso, &subj,
	    (uint64_t)time(NULL), &post), 0);
	assert_null(post.relay_state);
	login = sp_receive(t, &post, 0);
	assert_int_equal(lasso_login_accept_sso(login), 0);
	nid = LASSO_SAML2_NAME_ID(login->parent.nameIdentifier);
	assert_non_null(nid);
	assert_string_equal(nid->Format,
	    LASSO_SAML2_NAME_IDENTIFIER_FORMAT_EMAIL);
	assert_string_equal(nid->content, "alice@example.org");
	g_object_unref(login);
	saml_post_free(&post);
	saml_sso_free(&sso);
	g_free(msg);
}

static void
test_recorded_request_is_rejected_as_a_replay(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { 0 };
	struct store_txn	 txn;
	struct saml_sso		 sso;
	uint64_t		 now = (uint64_t)time(NULL);
	char			*msg;

	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	assert_int_equal(store_txn_begin(t->f.st, &txn, 1), 0);
	assert_int_equal(saml_sso_record(&txn, &sso, now), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	/* Recorded once: a second call is a no-op. */
	assert_int_equal(sso.replay_until, 0);
	assert_int_equal(store_txn_begin(t->f.st, &txn, 1), 0);
	assert_int_equal(saml_sso_record(&txn, &sso, now), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	saml_sso_free(&sso);

	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_REJECT);
	assert_string_equal(sso.error, "this request was seen before (replay)");
	assert_null(sso.login);
	/* The resume path parses its kept request again without the check. */
	assert_int_equal(parse(t, msg, &o, 0, &sso), SAML_ISSUE);
	saml_sso_free(&sso);
	g_free(msg);
}

static void
test_second_record_of_a_racing_request_is_a_replay(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { 0 };
	struct store_txn	 txn;
	struct saml_sso		 one, two;
	uint64_t		 now = (uint64_t)time(NULL);
	char			*msg;

	/* Two workers parse the same request before either records it. */
	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &one), SAML_ISSUE);
	assert_int_equal(parse(t, msg, &o, 1, &two), SAML_ISSUE);
	assert_int_equal(store_txn_begin(t->f.st, &txn, 1), 0);
	assert_int_equal(saml_sso_record(&txn, &one, now), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_int_equal(store_txn_begin(t->f.st, &txn, 1), 0);
	assert_int_equal(saml_sso_record(&txn, &two, now), 1);
	store_txn_abort(&txn);
	assert_string_equal(two.error, "this request was seen before (replay)");
	saml_sso_free(&one);
	saml_sso_free(&two);
	g_free(msg);
}

static void
test_unknown_sp_is_rejected(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { 0 };
	struct saml_sso		 sso;
	LassoServer		*stranger;
	char			*msg;

	/* Same key as the known SP: only the entity ID is foreign. */
	LSAN_DISABLE();
	stranger = sp_server(STRANGER_ENTITY, t->idp.metadata);
	LSAN_ENABLE();
	assert_non_null(stranger);
	assert_non_null(msg = sp_request(stranger, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_REJECT);
	assert_string_equal(sso.error,
	    "the service provider is not in the federation");
	assert_null(sso.login);
	g_free(msg);
	g_object_unref(stranger);
}

static void
test_tampered_redirect_signature_is_rejected(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { 0 };
	struct saml_sso		 sso;
	char			*msg, *bad;

	assert_non_null(msg = sp_request(t->sp, &o));
	assert_non_null(bad = tamper_signature(msg));
	assert_int_equal(parse(t, bad, &o, 1, &sso), SAML_REJECT);
	assert_string_equal(sso.error,
	    "this service provider must sign its requests");
	/* The untouched request still passes: the change is what failed. */
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	saml_sso_free(&sso);
	g_free(bad);
	g_free(msg);
}

static void
test_unsigned_request_is_rejected_when_sp_must_sign(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 redirect = { .unsigned_ = 1 };
	struct request_opts	 post = { .unsigned_ = 1, .post = 1 };
	struct saml_sso		 sso;
	char			*msg;

	assert_non_null(msg = sp_request(t->sp, &redirect));
	assert_null(strstr(msg, "Signature="));
	assert_int_equal(parse(t, msg, &redirect, 1, &sso), SAML_REJECT);
	assert_string_equal(sso.error,
	    "this service provider must sign its requests");
	g_free(msg);

	assert_non_null(msg = sp_request(t->sp, &post));
	assert_int_equal(parse(t, msg, &post, 1, &sso), SAML_REJECT);
	assert_string_equal(sso.error,
	    "this service provider must sign its requests");
	g_free(msg);
}

static void
test_sha1_signature_is_rejected(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { .sha1 = 1 };
	struct saml_sso		 sso;
	char			*msg;

	/* lasso.md §2: lasso itself would accept it. */
	assert_non_null(msg = sp_request(t->sp, &o));
	assert_non_null(strstr(msg, "rsa-sha1"));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_REJECT);
	assert_string_equal(sso.error, "SHA-1 signatures are not accepted");
	g_free(msg);
}

static void
test_acs_url_outside_metadata_is_rejected(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { .acs_url = "https://evil.test/acs" };
	struct saml_sso		 sso;
	char			*msg;

	/* Not an endpoint at all: lasso refuses. */
	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_REJECT);
	assert_string_equal(sso.error, "the AssertionConsumerServiceURL or "
	    "binding is not in the service provider's metadata");
	g_free(msg);

	/* The SP's SLO endpoint: lasso takes it (§1), mutua must not. */
	o.acs_url = SP_SLO;
	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_REJECT);
	assert_string_equal(sso.error, "the AssertionConsumerServiceURL is "
	    "not in the service provider's metadata");
	g_free(msg);

	/* A listed ACS other than the default one is fine. */
	o.acs_url = SP_ACS2;
	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	saml_sso_free(&sso);
	g_free(msg);
}

static void
test_passive_request_gets_no_passive(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { .is_passive = 1, .relay_state = RELAY };
	struct saml_participant	 part[2];
	struct saml_sso		 sso;
	struct saml_post	 post;
	LassoLogin		*login;
	char			*msg;

	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	assert_int_equal(sso.is_passive, 1);
	assert_int_equal(sso.force_authn, 0);
	assert_int_equal(saml_sso_status(&t->idp, t->f.st, &sso,
	    (uint64_t)time(NULL), LASSO_SAML2_STATUS_CODE_NO_PASSIVE, &post),
	    0);
	assert_string_equal(post.url, SP_ACS);
	assert_string_equal(post.relay_state, RELAY);
	login = sp_receive(t, &post, LASSO_PROFILE_ERROR_STATUS_NOT_SUCCESS);
	assert_string_equal(status_code(login, 1),
	    LASSO_SAML2_STATUS_CODE_RESPONDER);
	assert_string_equal(status_code(login, 2),
	    LASSO_SAML2_STATUS_CODE_NO_PASSIVE);
	assert_null(LASSO_SAMLP2_RESPONSE(login->parent.response)->Assertion);
	g_object_unref(login);
	saml_post_free(&post);
	saml_sso_free(&sso);
	assert_int_equal(participants(t, part), 0);

	/* The status recorded the request ID. */
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_REJECT);
	assert_string_equal(sso.error, "this request was seen before (replay)");
	g_free(msg);
}

static void
test_unmet_authn_context_gets_no_authn_context(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { 0 };
	struct saml_participant	 part[2];
	struct saml_subject	 subj;
	struct saml_sso		 sso;
	struct saml_post	 post;
	struct user		 u;
	LassoLogin		*login;
	char			*msg;

	o.classref = t->f.cfg.loa3_uri;
	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	assert_int_equal(sso.loa_mask, 1u << 3);
	assert_false(saml_loa_acceptable(&sso, 2));
	subject_init(&subj, &u, 2);
	assert_int_equal(saml_sso_answer(&t->idp, t->f.st, &sso, &subj,
	    (uint64_t)time(NULL), &post), 0);
	login = sp_receive(t, &post, LASSO_PROFILE_ERROR_STATUS_NOT_SUCCESS);
	assert_string_equal(status_code(login, 1),
	    LASSO_SAML2_STATUS_CODE_RESPONDER);
	assert_string_equal(status_code(login, 2),
	    LASSO_SAML2_STATUS_CODE_NO_AUTHN_CONTEXT);
	assert_null(LASSO_SAMLP2_RESPONSE(login->parent.response)->Assertion);
	g_object_unref(login);
	saml_post_free(&post);
	saml_sso_free(&sso);
	/* No assertion, so no SLO participant. */
	assert_int_equal(participants(t, part), 0);
	g_free(msg);
}

static void
test_authn_context_comparison_sets_the_levels(void **state)
{
	struct saml_test	*t = *state;
	struct request_opts	 o = { .comparison = "minimum" };
	struct saml_sso		 sso;
	char			*msg;

	/* SAML core §3.3.2.2.1: minimum loa2 is met by loa2 and loa3. */
	o.classref = t->f.cfg.loa2_uri;
	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	assert_int_equal(sso.loa_mask, (1u << 2) | (1u << 3));
	saml_sso_free(&sso);
	g_free(msg);

	/* An unknown class reference is met by nothing. */
	o.classref = "urn:example:unknown-class";
	o.comparison = NULL;
	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	assert_int_equal(sso.loa_mask, 0);
	assert_false(saml_loa_acceptable(&sso, 3));
	saml_sso_free(&sso);
	g_free(msg);
}

static void
test_unsolicited_is_denied_unless_the_sp_allows_it(void **state)
{
	struct saml_test	*t = *state;
	struct saml_sso		 sso;
	LassoSamlp2AuthnRequest	*ar;
	char			 msg[1024];
	uint64_t		 now = (uint64_t)time(NULL);

	assert_int_equal(saml_unsolicited_msg(SP_ENTITY, NULL, NULL, msg,
	    sizeof(msg)), 0);
	assert_int_equal(saml_sso_parse(&t->idp, t->f.st,
	    SAML_BINDING_UNSOLICITED, msg, RELAY, 1, now, &sso), SAML_DENIED);
	assert_null(sso.login);
	assert_non_null(strstr(sso.error, "did not ask for"));

	t->idp.sps[0].unsolicited = 1;
	assert_int_equal(saml_sso_parse(&t->idp, t->f.st,
	    SAML_BINDING_UNSOLICITED, msg, RELAY, 1, now, &sso), SAML_ISSUE);
	assert_ptr_equal(sso.sp, &t->idp.sps[0]);
	/* The default ACS, no request ID to answer or record. */
	ar = LASSO_SAMLP2_AUTHN_REQUEST(sso.login->parent.request);
	assert_string_equal(ar->AssertionConsumerServiceURL,
	    t->idp.sps[0].acs[0]);
	assert_string_equal(sso.request_id, "");
	assert_int_equal(sso.replay_until, 0);
	assert_null(LASSO_SAMLP2_STATUS_RESPONSE(
	    sso.login->parent.response)->InResponseTo);
	assert_true(saml_loa_acceptable(&sso, 2));
	assert_string_equal(sso.login->parent.msg_relayState, RELAY);
	saml_sso_free(&sso);
}

static void
test_unsolicited_request_fields_are_checked(void **state)
{
	struct saml_test	*t = *state;
	struct saml_sso		 sso;
	char			 msg[1024];
	uint64_t		 now = (uint64_t)time(NULL);

	t->idp.sps[0].unsolicited = 1;
	assert_int_equal(saml_unsolicited_msg("a\nb", NULL, NULL, msg,
	    sizeof(msg)), -1);
	assert_int_equal(saml_unsolicited_msg(SP_ENTITY, NULL, NULL, msg, 8),
	    -1);
	/* Not three fields, an ACS not in the metadata, a stale time. */
	assert_int_equal(saml_sso_parse(&t->idp, t->f.st,
	    SAML_BINDING_UNSOLICITED, SP_ENTITY, NULL, 1, now, &sso),
	    SAML_REJECT);
	assert_int_equal(saml_unsolicited_msg(SP_ENTITY,
	    "https://evil.example/acs", NULL, msg, sizeof(msg)), 0);
	assert_int_equal(saml_sso_parse(&t->idp, t->f.st,
	    SAML_BINDING_UNSOLICITED, msg, NULL, 1, now, &sso), SAML_REJECT);
	assert_non_null(strstr(sso.error, "shire"));
	assert_int_equal(saml_unsolicited_msg(SP_ENTITY, NULL, "1000000000",
	    msg, sizeof(msg)), 0);
	assert_int_equal(saml_sso_parse(&t->idp, t->f.st,
	    SAML_BINDING_UNSOLICITED, msg, NULL, 1, now, &sso), SAML_REJECT);
	assert_non_null(strstr(sso.error, "expired"));
	assert_null(sso.login);
}

/*
 * The IdP again, its SP now publishing an encryption key with methods
 * and sp.conf saying conf; the lasso SP able to decrypt.
 */
static void
reload_encrypting(struct saml_test *t, const char *methods, const char *conf)
{
	char	dir[FIXTURE_PATH_MAX], err[1024], *md;

	snprintf(dir, sizeof(dir), "%s/sp", t->f.dir);
	assert_non_null(md = sp_metadata(SP_ENTITY, methods));
	assert_int_equal(write_file(dir, "sp.xml", md, 0644), 0);
	assert_int_equal(write_file(dir, "sp.conf", conf, 0644), 0);
	free(md);
	saml_free(&t->idp);
	LSAN_DISABLE();
	assert_int_equal(saml_init(&t->idp, &t->f.cfg, t->f.st, err,
	    sizeof(err)), 0);
	LSAN_ENABLE();
	assert_int_equal(t->idp.nsps, 1);
	assert_int_equal(lasso_server_set_encryption_private_key(t->sp,
	    sp_keys.key), 0);
}

/* The answer decrypted and checked by the lasso SP; its XML in xml. */
static void
encrypted_answer(struct saml_test *t, char **xml)
{
	struct request_opts	 o = { .relay_state = RELAY };
	struct saml_subject	 subj;
	struct saml_sso		 sso;
	struct saml_post	 post;
	struct user		 u;
	LassoSaml2Assertion	*a;
	LassoLogin		*login;
	char			*msg;
	gsize			 len;

	assert_non_null(msg = sp_request(t->sp, &o));
	assert_int_equal(parse(t, msg, &o, 1, &sso), SAML_ISSUE);
	subject_init(&subj, &u, 2);
	assert_int_equal(saml_sso_answer(&t->idp, t->f.st, &sso, &subj,
	    (uint64_t)time(NULL), &post), 0);
	*xml = (char *)g_base64_decode(post.body, &len);
	login = sp_receive(t, &post, 0);
	a = LASSO_SAML2_ASSERTION(lasso_login_get_assertion(login));
	assert_non_null(a);
	assert_string_equal(attribute(a, "uid"), "alice");
	g_object_unref(a);
	g_object_unref(login);
	saml_post_free(&post);
	saml_sso_free(&sso);
	g_free(msg);
}

static void
test_gcm_assertion_is_decrypted_by_a_lasso_sp(void **state)
{
	struct saml_test	*t = *state;
	char			*xml;

	reload_encrypting(t, "", "attributes uid\n");
	assert_int_equal(t->idp.sps[0].enc_method, SAML_ENC_AES256_GCM);
	encrypted_answer(t, &xml);
	assert_non_null(strstr(xml, "xmlenc11#aes256-gcm"));
	assert_non_null(strstr(xml, "xmlenc#rsa-oaep-mgf1p"));
	assert_null(strstr(xml, "alice"));
	g_free(xml);
}

static void
test_encryption_follows_the_methods_the_sp_lists(void **state)
{
	struct saml_test	*t = *state;
	char			*xml;

	/* CBC only: lasso encrypts, as the SP asks. */
	reload_encrypting(t, "<md:EncryptionMethod Algorithm=\"http://www.w3."
	    "org/2001/04/xmlenc#aes128-cbc\"/>", "attributes uid\n");
	assert_int_equal(t->idp.sps[0].enc_method, SAML_ENC_AES128_CBC);
	encrypted_answer(t, &xml);
	assert_non_null(strstr(xml, "xmlenc#aes128-cbc"));
	g_free(xml);

	/* GCM listed after CBC: still mutua's first choice that it lists. */
	reload_encrypting(t, "<md:EncryptionMethod Algorithm=\"http://www.w3."
	    "org/2001/04/xmlenc#aes256-cbc\"/><md:EncryptionMethod Algorithm="
	    "\"http://www.w3.org/2009/xmlenc11#aes128-gcm\"/>",
	    "attributes uid\n");
	assert_int_equal(t->idp.sps[0].enc_method, SAML_ENC_AES128_GCM);
	encrypted_answer(t, &xml);
	assert_non_null(strstr(xml, "xmlenc11#aes128-gcm"));
	g_free(xml);

	/* The operator's choice wins over the metadata. */
	reload_encrypting(t, "<md:EncryptionMethod Algorithm=\"http://www.w3."
	    "org/2009/xmlenc11#aes128-gcm\"/>",
	    "attributes uid\nencryption_method aes256-cbc\n");
	assert_int_equal(t->idp.sps[0].enc_method, SAML_ENC_AES256_CBC);
	encrypted_answer(t, &xml);
	assert_non_null(strstr(xml, "xmlenc#aes256-cbc"));
	g_free(xml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, saml_setup, \
		    saml_teardown)
		T(test_signed_redirect_request_is_issued),
		T(test_force_authn_and_post_binding_are_read),
		T(test_answer_is_accepted_by_the_sp),
		T(test_answer_releases_directory_values_under_policy),
		T(test_email_nameid_names_the_user),
		T(test_recorded_request_is_rejected_as_a_replay),
		T(test_second_record_of_a_racing_request_is_a_replay),
		T(test_unknown_sp_is_rejected),
		T(test_tampered_redirect_signature_is_rejected),
		T(test_unsigned_request_is_rejected_when_sp_must_sign),
		T(test_sha1_signature_is_rejected),
		T(test_acs_url_outside_metadata_is_rejected),
		T(test_passive_request_gets_no_passive),
		T(test_unmet_authn_context_gets_no_authn_context),
		T(test_authn_context_comparison_sets_the_levels),
		T(test_unsolicited_is_denied_unless_the_sp_allows_it),
		T(test_unsolicited_request_fields_are_checked),
		T(test_gcm_assertion_is_decrypted_by_a_lasso_sp),
		T(test_encryption_follows_the_methods_the_sp_lists),
#undef T
	};

	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
