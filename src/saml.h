/*
 * saml*.c: the SAML 2.0 identity provider, on lasso (docs/saml.md).
 *
 * saml.c: per-worker lasso server and the Web SSO profile.
 * saml_sp.c: the federation's service providers (federation/sp/, and
 * those of the metadata aggregates, resolved on demand).
 * saml_aggregate.c: federation metadata aggregates, verified and indexed.
 * saml_metadata.c: mutua's own signed metadata.
 * saml_encrypt.c: AES-GCM assertion encryption (lasso offers only CBC).
 * saml_slo.c: Single Logout.
 * saml_unsolicited.c: IdP-initiated SSO.
 * None of these include Kore; web_saml.c holds the HTTP handlers.
 */
#ifndef MUTUA_SAML_H
#define MUTUA_SAML_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <lasso/lasso.h>
#include <libxml/tree.h>

#include "config.h"
#include "store_metadata.h"
#include "store_saml.h"
#include "store_user.h"
#include "text.h"

#define SAML_ACS_MAX		8
#define SAML_URL_MAX		512
/* Caps applied before lasso sees a message (lasso.md §9). */
#define SAML_POST_MAX		(64 * 1024)
#define SAML_QUERY_MAX		(16 * 1024)
#define SAML_REQUEST_MAX_AGE	300	/* seconds, plus clock_skew */
#define SAML_ASSERTION_LIFETIME	300	/* seconds */

#define SAML_BINDING_REDIRECT	1
#define SAML_BINDING_POST	2
#define SAML_BINDING_UNSOLICITED 3	/* IdP-initiated: no AuthnRequest */

#define SAML_LOA_ALL		((1u << 2) | (1u << 3))

/* Released attributes: one bit per attribute_id (attribute.h), and uid. */
#define SAML_ATTR_BIT(id)	(1u << (id))
#define SAML_ATTR_MAIL		SAML_ATTR_BIT(ATTRIBUTE_MAIL)
#define SAML_ATTR_DISPLAYNAME	SAML_ATTR_BIT(ATTRIBUTE_DISPLAY_NAME)
#define SAML_ATTR_EPPN		SAML_ATTR_BIT(ATTRIBUTE_EPPN)
#define SAML_ATTR_UID		SAML_ATTR_BIT(ATTRIBUTE_COUNT)

/* Room for an SP's encryption certificate, base64 without white space. */
#define SAML_CERT_MAX		8192

/*
 * How assertions are encrypted for an SP (docs/saml.md): AES-GCM by
 * mutua (saml_encrypt.c), AES-CBC by lasso, RSA-OAEP for the key.
 */
enum saml_enc {
	SAML_ENC_AES256_GCM,
	SAML_ENC_AES128_GCM,
	SAML_ENC_AES256_CBC,
	SAML_ENC_AES128_CBC
};

/* Entity categories mutua releases by (saml_sp.c, docs/saml.md). */
#define SAML_CATEGORY_RS		0x01
#define SAML_CATEGORY_PERSONALIZED	0x02
#define SAML_CATEGORY_PSEUDONYMOUS	0x04
#define SAML_CATEGORY_ANONYMOUS		0x08

enum saml_nameid {
	SAML_NAMEID_TRANSIENT,
	SAML_NAMEID_PERSISTENT,
	SAML_NAMEID_EMAIL
};

/* One service provider of the federation. */
struct saml_sp {
	char		entity_id[SAML_ENTITY_MAX];
	char		display_name[TEXT_NAME_MAX];	/* "" when none */
	char		file[PATH_MAX];
	char		acs[SAML_ACS_MAX][SAML_URL_MAX];	/* default first */
	size_t		nacs;
	int		want_signed;	/* AuthnRequests must be signed */
	int		encrypt;	/* encrypt assertions */
	enum saml_enc	enc_method;	/* when encrypt */
	char		enc_cert[SAML_CERT_MAX];	/* when encrypt */
	int		has_slo;
	int		keyinfo_key;	/* KeyInfo: the key, no certificate */
	int		unsolicited;	/* accepts IdP-initiated SSO */
	int		by_category;	/* release_by_category yes */
	uint32_t	categories;	/* SAML_CATEGORY_* in its metadata */
	enum saml_nameid	nameid;		/* default NameID format */
	uint32_t	attributes;	/* SAML_ATTR_* released */
};

/* One filtered, standalone EntityDescriptor of an aggregate. */
struct saml_md_entity {
	char		*entity_id;	/* xmlFree */
	unsigned char	*xml;		/* xmlFree */
	int		 len;
	uint64_t	 valid_until;	/* its own, or the aggregate's */
};

/* A verified aggregate, filtered, before it is written to the store. */
struct saml_aggregate {
	const struct config_md_source	*src;
	uint64_t			 now;
	uint64_t			 valid_until;
	uint64_t			 cache_duration;	/* 0: none */
	struct saml_md_entity		*v;
	size_t				 n, cap;
	size_t				 skipped;	/* filtered out */
};

struct saml_sp_cache;

#define SAML_FETCH_TAG_MAX	STORE_MD_TAG_MAX

/* What saml_fetch() got. */
struct saml_fetch {
	char		*body;		/* NUL-terminated; saml_fetch_free() */
	size_t		 len;
	long		 status;	/* HTTP status, 0 if none */
	int		 not_modified;	/* 304: the copy in use is current */
	char		 etag[SAML_FETCH_TAG_MAX];
	char		 last_modified[SAML_FETCH_TAG_MAX];
};

/* Everything one worker needs: built at start and on SIGHUP. */
struct saml_idp {
	const struct config	*cfg;
	LassoServer		*server;
	LassoKey		*key;		/* KeyInfo: the certificate */
	LassoKey		*key_bare;	/* KeyInfo: the RSA key */
	xmlSecKeyPtr		 sign_key;	/* the same, for saml_encrypt.c */
	char			*metadata;	/* signed, for /saml/metadata */
	struct saml_sp		*sps;
	size_t			 nsps;
	struct store		*store;		/* aggregates; may be NULL */
	struct saml_sp_cache	*cache;		/* their resolved SPs */
};

/* What the IdP knows about the signed-in user for an assertion. */
struct saml_subject {
	const struct user	*user;
	/* The directory's values at sign-in (store_user.h), or NULL. */
	const struct attribute_set	*attrs;
	const char		*session_key;	/* for SLO bookkeeping */
	uint32_t		 loa;
	uint64_t		 auth_time;
};

/* Outcome of looking at an AuthnRequest (saml_sso_*). */
enum saml_result {
	SAML_ISSUE,		/* answer (assertion or SAML error status) */
	SAML_NEED_LOGIN,	/* no (fresh enough) session: log in first */
	SAML_REJECT,		/* error page: never answer an untrusted ACS */
	SAML_DENIED		/* error page, 403: the SP does not allow it */
};

/* An answer ready for the browser: an auto-submitted POST form. */
struct saml_post {
	char	*url;		/* ACS or SLO endpoint (g_free) */
	char	*field;		/* "SAMLResponse" or "SAMLRequest" */
	char	*body;		/* base64 (g_free) */
	char	*relay_state;	/* may be NULL (g_free) */
};

/* A parsed AuthnRequest, between checks and answer. */
struct saml_sso {
	LassoLogin	*login;
	const struct saml_sp	*sp;
	char		 request_id[SAML_ID_MAX];
	int		 force_authn;
	int		 is_passive;
	uint32_t	 loa_mask;	/* acceptable levels: bit n = LoA n */
	uint64_t	 replay_until;	/* ID still to record, until then */
	const char	*error;		/* why, for SAML_REJECT */
};

/*
 * Builds the worker's IdP: lasso server, cached signing key, signed
 * metadata, SPs. A broken SP file is logged and skipped. The SPs of
 * the metadata aggregates are resolved from st (NULL: none).
 * @return 0, or -1 with a reason in err.
 */
int	saml_init(struct saml_idp *, const struct config *, struct store *,
	    char *err, size_t errlen);

/* Releases everything saml_init() built. */
void	saml_free(struct saml_idp *);

/* saml_sp.c: loads federation/sp/ into idp->sps. @return 0 or -1. */
int	saml_sp_load(struct saml_idp *, char *err, size_t errlen);

/*
 * Finds an SP by entity ID: the files of federation/sp/ first, then the
 * metadata aggregates in the order of idp.conf (resolving it into the
 * worker's cache and lasso's server). The SP stays valid until the next
 * call. @return the SP, or NULL (unknown, expired or broken: logged).
 */
const struct saml_sp	*saml_sp_find(struct saml_idp *, const char *);

/*
 * After lasso failed with rc to process a message in p: 1 when the
 * message's issuer was unknown to lasso and is now resolved from a
 * metadata source (process the message again, once), else 0.
 */
int	saml_sp_retry(struct saml_idp *, LassoProfile *p, int rc);

/*
 * Makes the per-worker cache of aggregate SPs (cfg->md_cache entries)
 * when there are metadata sources. @return 0 or -1 (out of memory).
 */
int	saml_sp_cache_init(struct saml_idp *, struct store *);

/* Frees the cache; lasso's server goes with saml_free(). */
void	saml_sp_cache_free(struct saml_idp *);

/* How many aggregate SPs this worker holds now. */
size_t	saml_sp_cache_count(const struct saml_idp *);

/*
 * saml_aggregate.c: metadata aggregates. These use xmlsec, which
 * lasso_init() (saml_init()) sets up.
 */

/*
 * Checks the aggregate's signature with the key of the pinned
 * certificate (PEM file cert) and nothing else: one Reference covering
 * the whole document, SHA-2 digests, RSA or ECDSA with SHA-2.
 * @return 0, or -1 with *why (unsigned, bad signature, ...).
 */
int	saml_aggregate_verify(xmlDocPtr doc, const char *cert,
	    const char **why);

/*
 * Reads an aggregate: the file path, or len bytes at buf when path is
 * NULL; no network, no DTD. @return the document (xmlFreeDoc), or NULL
 * with *why.
 */
xmlDocPtr	saml_aggregate_read(const char *path, const char *buf,
		    size_t len, const char **why);

/*
 * Verifies (saml_aggregate_verify(), validUntil required and in the
 * future) and filters the aggregate doc for src: SAML 2.0 SPs, not
 * expired, of src's entity category and registration authority. doc
 * stays the caller's.
 * @param out	filled; release with saml_aggregate_release()
 * @return 0, or -1 with *why (out is then empty).
 */
int	saml_aggregate_parse(const struct config_md_source *src,
	    xmlDocPtr doc, uint64_t now, struct saml_aggregate *out,
	    const char **why);

void	saml_aggregate_release(struct saml_aggregate *);

/*
 * 1 when the entity has the entity attribute name with value (SAML V2.0
 * Metadata Extension for Entity Attributes), e.g. an entity category.
 */
int	saml_aggregate_entity_attribute(xmlNodePtr entity, const char *name,
	    const char *value);

/*
 * saml_fetch.c: GETs url, with If-None-Match / If-Modified-Since from
 * the copy in use (either may be NULL or ""), at most max bytes, within
 * timeout seconds (connecting: 10 at most); no redirects.
 * @return 0 with out filled (out->not_modified for 304; release with
 *	   saml_fetch_free()), or -1 with *why.
 */
int	saml_fetch(const char *url, const char *etag,
	    const char *last_modified, size_t max, long timeout,
	    struct saml_fetch *out, const char **why);

void	saml_fetch_free(struct saml_fetch *);

/*
 * saml_mdq.c: finds entity_id at the MDQ responder of src: from the
 * store's cache, else asked (waiting at most src->timeout) and cached.
 * @param xml		receives the verified EntityDescriptor (g_free)
 * @param valid_until	until when it may be used
 * @return 1 (found), 0 (not found, refused or unreachable: logged), -1
 *	   (store error or out of memory).
 */
int	saml_mdq_lookup(struct store *, const struct config_md_source *src,
	    const char *entity_id, uint64_t now, char **xml, size_t *len,
	    uint64_t *valid_until);

/*
 * Looks at source src now: when its file or URL has a new copy, verifies and indexes
 * it as the new generation; when it is refused, logs why and keeps the
 * last good copy. Records when to look again (interval, cacheDuration).
 * @return 1 when a new copy was indexed, 0 when not, -1 on a store
 *	   error.
 */
int	saml_aggregate_load(struct store *, const struct config_md_source *src,
	    uint64_t now);

/*
 * Refreshes each source that is due (every source when force: a worker
 * that starts looks at the files again), when this process can take its
 * lease in the store; the lease is released after.
 * @return 0, or -1 on a store error.
 */
int	saml_aggregate_refresh(struct store *, const struct config *,
	    uint64_t now, int force);

/* 1 when url is one of sp's HTTP-POST AssertionConsumerServices. */
int	saml_sp_acs_listed(const struct saml_sp *, const char *url);

/* saml_encrypt.c: AES-GCM assertion encryption, which lasso lacks. */

/*
 * The method named ("aes256-gcm") or of an XML Encryption URI.
 * @return 0, or -1 for one mutua does not offer.
 */
int		 saml_enc_from_name(const char *, enum saml_enc *);
int		 saml_enc_from_uri(const char *, enum saml_enc *);
const char	*saml_enc_name(enum saml_enc);
int		 saml_enc_is_gcm(enum saml_enc);

/*
 * Takes msg, the base64 Response lasso built with its Assertion signed
 * and itself unsigned, encrypts the Assertion for sp with AES-GCM and
 * RSA-OAEP and signs the Response. *msg is replaced (g_free).
 * @return 0, or -1 (then *msg is unchanged and must not be sent).
 */
int	saml_encrypt_response(const struct saml_idp *, const struct saml_sp *,
	    char **msg);

/* saml_metadata.c: builds and signs idp->metadata. @return 0 or -1. */
int	saml_metadata_build(struct saml_idp *, const char *cert_pem,
	    char *err, size_t errlen);

/*
 * Parses and checks an AuthnRequest (signature, SP, ACS, age, replay when
 * check_replay, RequestedAuthnContext). msg is the raw query string for
 * the Redirect binding, the base64 SAMLRequest for POST, what
 * saml_unsolicited_msg() made for SAML_BINDING_UNSOLICITED (then
 * saml_unsolicited_parse() does the work).
 * @return SAML_REJECT or SAML_DENIED (sso->error says why) or
 *	   SAML_ISSUE; on SAML_ISSUE release sso with saml_sso_free().
 */
enum saml_result	saml_sso_parse(struct saml_idp *, struct store *,
			    int binding, const char *msg,
			    const char *relay_state, int check_replay,
			    uint64_t now, struct saml_sso *sso);

/* Releases a parsed request. */
void	saml_sso_free(struct saml_sso *);

/*
 * saml_unsolicited.c: IdP-initiated SSO, Shibboleth's request form
 * (providerId, shire, target, time), for SPs whose .conf says
 * "unsolicited yes".
 */

/*
 * Joins the request's parameters (shire and time may be NULL) into out,
 * the msg of a SAML_BINDING_UNSOLICITED request.
 * @return 0, or -1 when a parameter holds a newline or out is too small.
 */
int	saml_unsolicited_msg(const char *provider, const char *shire,
	    const char *time, char *out, size_t outlen);

/*
 * Checks an IdP-initiated request (msg from saml_unsolicited_msg(),
 * relay_state = target) and makes the authentication request lasso
 * answers: to shire, which must be an HTTP-POST ACS of the SP's
 * metadata, or to its default ACS; no InResponseTo; the SP's own NameID
 * format; any level of assurance.
 * @return SAML_ISSUE (release sso with saml_sso_free()), SAML_DENIED for
 *	   an SP that does not allow it, or SAML_REJECT; sso->error says why.
 */
enum saml_result	saml_unsolicited_parse(struct saml_idp *,
			    const char *msg, const char *relay_state,
			    uint64_t now, struct saml_sso *sso);

/*
 * Records the request's ID in the replay cache, in the caller's write
 * transaction, so that whatever the request leads to commits with it
 * (one commit per request). A no-op for a request parsed without
 * check_replay or already recorded.
 * @return 0; 1 when another worker recorded it first (a replay; sets
 *	   sso->error); -1 on a store error.
 */
int	saml_sso_record(struct store_txn *, struct saml_sso *, uint64_t now);

/*
 * Builds the answer for an authenticated subject: a signed assertion,
 * or an error status (NoAuthnContext when the LoA does not meet the
 * request). Records the participant for SLO.
 * @return 0 with post filled (saml_post_free), or -1.
 */
int	saml_sso_answer(struct saml_idp *, struct store *, struct saml_sso *,
	    const struct saml_subject *, uint64_t now, struct saml_post *);

/*
 * Answers with a status (e.g. NoPassive) and no assertion, recording the
 * request ID. @return 0, or -1 (sso->error set for a replay).
 */
int	saml_sso_status(struct saml_idp *, struct store *, struct saml_sso *,
	    uint64_t now, const char *second_level, struct saml_post *);

/*
 * saml_slo.c: Single Logout, front-channel, one SP after the other.
 * Each call fills post with where the browser goes next: a POST form
 * (post->body set) or a plain redirect to post->url.
 */

/*
 * An SP's LogoutRequest: ends the IdP session session_key (may be NULL:
 * no session) and starts telling the session's other SPs; the answer to
 * the initiator comes last. @return 0, or -1 with *error for an error
 * page (unknown SP, bad or missing signature).
 */
int	saml_slo_request(struct saml_idp *, struct store *, int binding,
	    const char *msg, const char *relay, const char *session_key,
	    uint64_t now, struct saml_post *post, const char **error);

/*
 * IdP-initiated logout of session_key's SPs, ending at the local path
 * final. @return 1 with post filled when there are SPs to tell, 0 when
 * there are none, -1 on error.
 */
int	saml_slo_start(struct saml_idp *, struct store *,
	    const char *session_key, const char *final, uint64_t now,
	    struct saml_post *post);

/*
 * An SP's LogoutResponse: on to the next SP, or the end. The hop it
 * answers is found from its InResponseTo and taken once; an answer that
 * is not a signed Success from the SP told counts as that SP not logged
 * out (the initiator then gets PartialLogout).
 * @return 0, or -1 with *error (unknown, used or expired hop).
 */
int	saml_slo_response(struct saml_idp *, struct store *, const char *msg,
	    uint64_t now, struct saml_post *post, const char **error);

/*
 * Replaces the status of p's response (a StatusResponseType) with
 * top_level / second_level (SAML core §3.2.2.2). @return 0, or -1 when
 * p has no response.
 */
int	saml_status_set(LassoProfile *p, const char *top_level,
	    const char *second_level);

/* The AuthnContextClassRef of a level of assurance. */
const char	*saml_loa_uri(const struct config *, uint32_t loa);

/* 1 when a session at level loa meets the request's authn context. */
int	saml_loa_acceptable(const struct saml_sso *, uint32_t loa);

void	saml_post_free(struct saml_post *);

/*
 * saml_check.c: refuses, before lasso parses it, a LogoutRequest on
 * which lasso would end the process (g_error()): msg as for
 * saml_slo_request().
 * @return 0 when lasso may be given msg, -1 when it must be refused.
 */
int	saml_logout_request_check(int binding, const char *msg);

#endif
