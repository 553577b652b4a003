/*
 * oidc.c, oidc_token.c, oidc_client.c: the OpenID Connect provider.
 *
 * The protocol logic of the authorization code flow (OpenID Connect Core
 * 1.0, RFC 6749, RFC 7636 PKCE, RFC 9207 iss), the token endpoint with
 * refresh-token rotation and reuse detection, client authentication
 * (RFC 6749 §2.3.1, RFC 7523 private_key_jwt), userinfo, introspection
 * (RFC 7662), revocation (RFC 7009) and RP-initiated logout. No Kore
 * here: web_oidc.c turns HTTP into these calls and their results back
 * into HTTP. docs/oidc.md is the client developer's view.
 */
#ifndef MUTUA_OIDC_H
#define MUTUA_OIDC_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "config.h"
#include "crypto.h"
#include "jose.h"
#include "store.h"
#include "store_oauth.h"
#include "store_session.h"

/* Lifetimes, seconds. */
#define OIDC_CODE_LIFETIME	60
#define OIDC_ACCESS_LIFETIME	600
#define OIDC_ID_TOKEN_LIFETIME	600
#define OIDC_REFRESH_LIFETIME	(14 * 86400)	/* whole family */
#define OIDC_AUTHZ_LIFETIME	1800		/* parked for a login */
#define OIDC_ASSERTION_MAX_LIFE	600		/* client assertion exp */

#define OIDC_TOKEN_LEN		43	/* base64url of 32 random bytes */
#define OIDC_ACCESS_MAX		2048	/* a JWT access token (RFC 9068) */
#define OIDC_AUTHZ_ID_LEN	32	/* hex */
#define OIDC_PAR_LIFETIME	60	/* a pushed request (RFC 9126 §2.2) */
#define OIDC_PAR_URN		"urn:ietf:params:oauth:request_uri:"
#define OIDC_MIN_LOA		2	/* a password session is not enough */
#define OIDC_LOCATION_MAX	4096
#define OIDC_JTI_MAX		256
#define OIDC_SUB_MAX		128	/* user ID or 43-character pseudonym */

/* Error codes (RFC 6749 §4.1.2.1, §5.2, OIDC Core §3.1.2.6, RFC 6750). */
enum oidc_error {
	OIDC_OK = 0,
	OIDC_INVALID_REQUEST,
	OIDC_UNAUTHORIZED_CLIENT,
	OIDC_ACCESS_DENIED,
	OIDC_UNSUPPORTED_RESPONSE_TYPE,
	OIDC_INVALID_SCOPE,
	OIDC_SERVER_ERROR,
	OIDC_LOGIN_REQUIRED,
	OIDC_INTERACTION_REQUIRED,
	OIDC_UNMET_AUTHN,		/* unmet_authentication_requirements */
	OIDC_REQUEST_NOT_SUPPORTED,
	OIDC_REQUEST_URI_NOT_SUPPORTED,
	OIDC_INVALID_CLIENT,
	OIDC_INVALID_GRANT,
	OIDC_UNSUPPORTED_GRANT_TYPE,
	OIDC_INVALID_TOKEN,
	OIDC_INSUFFICIENT_SCOPE,
	OIDC_SLOW_DOWN,			/* client authentication rate limit */
	OIDC_INVALID_TARGET,		/* RFC 8707 §2: resource not allowed */
	OIDC_CONSENT_REQUIRED		/* OIDC Core §3.1.2.6, prompt=none */
};

/* The verified-secret cache: one slot per client, per process. */
struct oidc_secret_slot {
	unsigned char	mac[CRYPTO_SHA256_LEN];
	int		set;
};

/* The provider, built once per worker (and again on SIGHUP). */
struct oidc {
	const struct config	*cfg;
	struct jose_keyset	 keys;
	struct client_registry	 clients;
	struct oidc_secret_slot	*secrets;	/* clients.n slots */
	unsigned char		 pairwise_key[CRYPTO_SHA256_LEN];
	unsigned char		 cache_key[CRYPTO_SHA256_LEN];
	char			*discovery;	/* the JSON document */
	char			*jwks;		/* built by oidc_jwks() */
	uint64_t		 jwks_until;	/* rebuilt from then on */
	int			 loaded;
};

/* One request's view: the provider, the store, the time, the peer. */
struct oidc_ctx {
	struct oidc	*op;
	struct store	*store;
	uint64_t	 now;
	const char	*addr;
};

/* An HTTP answer built by the module (web_oidc.c sends it). */
struct oidc_response {
	int		 status;
	char		*body;		/* JSON, free() */
	int		 basic_challenge;	/* WWW-Authenticate: Basic */
	int		 bearer_challenge;	/* WWW-Authenticate: Bearer */
	enum oidc_error	 error;
	uint32_t	 retry_after;
};

/*
 * Loads the signing keys and the clients and builds the discovery
 * document. Broken client files are reported and left out.
 * @param master	derives the pairwise-subject key
 * @return 0, or -1 with a reason in err (keys are required).
 */
int	oidc_load(struct oidc *, const struct config *,
	    const struct crypto_master_key *, uint64_t now, char *err,
	    size_t errlen);

void	oidc_unload(struct oidc *);

/* Returns the RFC name of an error ("invalid_request", ...). */
const char	*oidc_error_name(enum oidc_error);

/*
 * The JWK Set document at now, or NULL. Built once and kept until a
 * published key's not_after passes; owned by op.
 */
const char	*oidc_jwks(struct oidc *, uint64_t now);

/*
 * The subject identifier of user for client: the user ID, or a pairwise
 * pseudonym (OIDC Core §8.1) into out[CRYPTO_SHA256_LEN * 2].
 */
void	oidc_subject(const struct oidc *, const struct client *,
	    const char *user_id, char *out, size_t outlen);

/* The acr URI of a level of assurance (from idp.conf). */
const char	*oidc_acr(const struct oidc *, uint32_t loa);

/* 1 when word is one of the space-separated words of list (a scope). */
int	oidc_scope_has(const char *list, const char *word);

/* Fills out with a new random token (OIDC_TOKEN_LEN + 1). @return 0/-1 */
int	oidc_random_token(char *out, size_t outlen);

/* --- Authorization endpoint (oidc.c) --- */

/* The parameters as received; NULL when absent. */
struct oidc_authz_in {
	const char	*response_type;
	const char	*client_id;
	const char	*redirect_uri;
	const char	*scope;
	const char	*state;
	const char	*nonce;
	const char	*code_challenge;
	const char	*code_challenge_method;
	const char	*prompt;
	const char	*max_age;
	const char	*acr_values;
	const char	*response_mode;
	const char	*request;
	const char	*request_uri;
	int		 malformed;	/* repeated or invalid parameter */
};

enum oidc_authz_action {
	OIDC_AUTHZ_PAGE,	/* error page: never redirect */
	OIDC_AUTHZ_ERROR,	/* error back to the client */
	OIDC_AUTHZ_LOGIN,	/* park the request, send to the login */
	OIDC_AUTHZ_CONSENT,	/* park the request, ask the user */
	OIDC_AUTHZ_CODE		/* issue a code */
};

struct oidc_authz {
	enum oidc_authz_action	 action;
	const struct client	*client;
	struct oauth_authz	 req;
	enum oidc_error		 error;
	const char		*description;
};

/*
 * Validates an authorization request. An unknown client or redirect
 * URI gives OIDC_AUTHZ_PAGE; other errors OIDC_AUTHZ_ERROR (with the
 * state, to the redirect URI); a valid request OIDC_AUTHZ_CODE.
 */
void	oidc_authz_parse(struct oidc_ctx *, const struct oidc_authz_in *,
	    struct oidc_authz *);

/*
 * Takes the request parked under id back (after the login).
 * @return 0, or -1 with out->action OIDC_AUTHZ_PAGE.
 */
int	oidc_authz_resume(struct oidc_ctx *, const char *id,
	    struct oidc_authz *);

/* Turns a into an error for the client (OIDC_AUTHZ_ERROR). */
void	oidc_authz_fail(struct oidc_authz *, enum oidc_error,
	    const char *why);

/*
 * Decides what a valid request needs given the browser's session s
 * (NULL when none): prompt, max_age and acr_values (OIDC Core §3.1.2.1).
 * resumed is 1 when the request comes back from the login.
 */
void	oidc_authz_decide(struct oidc_ctx *, struct oidc_authz *,
	    const struct session *s, int resumed);

/* Parks a request for the login under a new id[OIDC_AUTHZ_ID_LEN + 1]. */
int	oidc_authz_park(struct oidc_ctx *, struct oidc_authz *, char *id);

/*
 * Keeps a request under a new id[OIDC_AUTHZ_ID_LEN + 1]: for the login
 * (pushed 0, OIDC_AUTHZ_LIFETIME) or pushed by its client (pushed 1,
 * OIDC_PAR_LIFETIME). The two kinds never find each other.
 * @return 0 or -1.
 */
/*
 * oidc_consent.c. Whether user_id must be asked before a's client gets
 * a code: prompt=consent, or a client registered with require_consent
 * asking for a scope the user has not allowed it.
 * @return 1, 0, or -1 on a store error.
 */
int	oidc_consent_due(struct oidc_ctx *, const struct oidc_authz *,
	    const char *user_id);

/*
 * Records the user's answer to the consent page for a, audited: allowed
 * (the scopes are added to what the user allowed the client; a goes on
 * to its code) or refused (a becomes access_denied for the client).
 * @return 0, or -1 on a store error.
 */
int	oidc_consent_answer(struct oidc_ctx *, struct oidc_authz *,
	    const char *user_id, int allow);

/*
 * Whether the user's consent still covers scope for client, in txn (a
 * refresh after the consent was withdrawn is refused): 1 when it does
 * or the client needs none, 0 when not, -1 on error.
 */
int	oidc_consent_holds(struct oidc_ctx *, struct store_txn *,
	    const struct client *, const char *user_id, const char *scope);

int	oidc_authz_keep(struct oidc_ctx *, struct oidc_authz *, int pushed,
	    char *id);

/*
 * Takes the pushed request named by request_uri (OIDC_PAR_URN + id) back,
 * once: client_id (the authorization request's) must be the client that
 * pushed it. @return 0, or -1 with a->action OIDC_AUTHZ_PAGE.
 */
int	oidc_authz_pushed(struct oidc_ctx *, const char *client_id,
	    const char *request_uri, struct oidc_authz *a);

/*
 * Fails a valid request (invalid_request, back to the client) whose client
 * is registered with require_pushed_authorization_requests, or any when
 * idp.conf says require_pushed_authorization_requests yes.
 */
void	oidc_authz_require_pushed(struct oidc_ctx *, struct oidc_authz *);

/*
 * The pushed authorization request endpoint (RFC 9126): authenticates
 * the client as the token endpoint does, checks the request as the
 * authorization endpoint would and keeps it for OIDC_PAR_LIFETIME,
 * answering 201 {request_uri, expires_in}, or the error as JSON.
 */
struct oidc_cred;

void	oidc_par(struct oidc_ctx *, const struct oidc_cred *,
	    const struct oidc_authz_in *, struct oidc_response *);

/*
 * Issues a code for session s and builds the redirect to the client
 * into location (capacity OIDC_LOCATION_MAX); on failure the redirect
 * carries server_error. @return 0 or -1.
 */
int	oidc_authz_issue(struct oidc_ctx *, struct oidc_authz *,
	    const struct session *s, char *location, size_t len);

/* Builds the error redirect for a request (RFC 6749 §4.1.2.1, RFC 9207). */
int	oidc_authz_error_location(struct oidc_ctx *, const struct oidc_authz *,
	    char *location, size_t len);

/* --- Token, userinfo, introspection, revocation (oidc_token.c) --- */

/* Client credentials as presented; NULL when absent. */
struct oidc_cred {
	const char	*authorization;		/* the Authorization header */
	const char	*client_id;
	const char	*client_secret;
	const char	*assertion_type;
	const char	*assertion;
	const char	*endpoint;		/* this endpoint's URL */
};

struct oidc_token_in {
	struct oidc_cred	 cred;
	const char		*grant_type;
	const char		*code;
	const char		*redirect_uri;
	const char		*code_verifier;
	const char		*refresh_token;
	const char		*scope;
	const char		*token;		/* introspect, revoke */
	const char		*resource;	/* RFC 8707 */
	int			 malformed;
};

/* POST /oauth2/token. Fills resp; free resp->body. */
void	oidc_token(struct oidc_ctx *, const struct oidc_token_in *,
	    struct oidc_response *);

/* GET/POST /oauth2/userinfo with the Authorization header. */
void	oidc_userinfo(struct oidc_ctx *, const char *authorization,
	    struct oidc_response *);

/* POST /oauth2/introspect (RFC 7662). */
void	oidc_introspect(struct oidc_ctx *, const struct oidc_token_in *,
	    struct oidc_response *);

/* POST /oauth2/revoke (RFC 7009). */
void	oidc_revoke(struct oidc_ctx *, const struct oidc_token_in *,
	    struct oidc_response *);

/* Sets resp to an error document (RFC 6749 §5.2). */
void	oidc_response_error(struct oidc_response *, int status,
	    enum oidc_error, const char *description);

/*
 * Authenticates the client of a token, introspection or revocation
 * request (oidc_client.c): one method, the registered one; failures are
 * rate limited per client and per address and audited.
 * @return OIDC_OK with *client set, or the error (resp filled).
 */
enum oidc_error	oidc_client_authenticate(struct oidc_ctx *,
		    const struct oidc_cred *, const struct client **,
		    struct oidc_response *);

/* --- RP-initiated logout (oidc.c) --- */

struct oidc_logout {
	const struct client	*client;
	char			 location[OIDC_LOCATION_MAX];	/* or "" */
	const char		*description;	/* why it is refused */
};

/*
 * Checks a logout request: id_token_hint must be an ID token this
 * provider signed (it may have expired), client_id must agree with its
 * audience, and post_logout_redirect_uri must be registered for that
 * client. On success location holds where to send the browser after
 * the logout ("" when nowhere).
 * @return 0, or -1 with a description for the error page.
 */
int	oidc_logout_check(struct oidc_ctx *, const char *id_token_hint,
	    const char *client_id, const char *post_logout_redirect_uri,
	    const char *state, struct oidc_logout *);

#endif
