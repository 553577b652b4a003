/*
 * client.c: the OAuth 2.0 / OpenID Connect clients registered as one
 * JSON file each in federation/clients/ (docs/oidc.md, "Registering a
 * client").
 *
 * Every file is parsed strictly (unknown members, wrong types, bad URIs
 * are errors) into one read-only registry per process. A broken file is
 * reported with its name and reason and left out; the others load. The
 * registry is rebuilt when the module is reloaded (SIGHUP).
 */
#ifndef MUTUA_CLIENT_H
#define MUTUA_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "jose.h"

#define CLIENT_ID_MAX		129	/* 1-128 visible ASCII + NUL */
#define CLIENT_NAME_MAX		129
#define CLIENT_URI_MAX		513
#define CLIENT_URIS_MAX		8
#define CLIENT_SCOPE_MAX	513
#define CLIENT_SECTOR_MAX	257
#define CLIENT_KEYS_MAX		4
#define CLIENT_FILE_MAX		(64 * 1024)
#define CLIENT_COUNT_MAX	1024
#define CLIENT_ERR_MAX		512

/* How a client authenticates at the token endpoint (RFC 7591 names). */
enum client_auth {
	CLIENT_AUTH_SECRET_BASIC,
	CLIENT_AUTH_SECRET_POST,
	CLIENT_AUTH_PRIVATE_KEY_JWT,
	CLIENT_AUTH_NONE		/* public client: PKCE required */
};

/* The user claims a client may receive (scopes permitting). */
#define CLIENT_CLAIM_NAME		0x01
#define CLIENT_CLAIM_EMAIL		0x02
#define CLIENT_CLAIM_USERNAME		0x04	/* preferred_username */
#define CLIENT_CLAIM_ALL		0x07

struct client {
	char			id[CLIENT_ID_MAX];
	char			name[CLIENT_NAME_MAX];
	char			file[CLIENT_URI_MAX];	/* for messages */
	enum client_auth	auth;
	char			secret_hash[CRYPTO_PASSWORD_HASH_MAX];
	char			redirect_uris[CLIENT_URIS_MAX][CLIENT_URI_MAX];
	size_t			nredirect;
	char			logout_uris[CLIENT_URIS_MAX][CLIENT_URI_MAX];
	size_t			nlogout;
	char			origins[CLIENT_URIS_MAX][CLIENT_URI_MAX];
	size_t			norigins;	/* allowed_cors_origins */
	char			scope[CLIENT_SCOPE_MAX];  /* allowed, spaced */
	unsigned int		claims;			  /* CLIENT_CLAIM_* */
	int			pairwise;
	char			sector[CLIENT_SECTOR_MAX];
	enum jose_alg		id_token_alg;
	int			code;		/* authorization_code grant */
	int			refresh;	/* may use refresh tokens */
	int			credentials;	/* client_credentials grant */
	int			require_par;	/* RFC 9126 §6 */
	int			at_jwt;		/* RFC 9068 access tokens */
	int			require_consent; /* the user allows it first */
	/* RFC 8707 resources it may ask for; the first is the default. */
	char			resources[CLIENT_URIS_MAX][CLIENT_URI_MAX];
	size_t			nresources;
	struct jose_key		keys[CLIENT_KEYS_MAX];	/* private_key_jwt */
	size_t			nkeys;
};

struct client_registry {
	struct client	*clients;
	size_t		 n;
};

/*
 * Parses one registration file into c.
 * @return 0, or -1 with a reason in err (c is then released).
 */
int	client_load_file(const char *path, struct client *c, char *err,
	    size_t errlen);

/* Releases what a client holds (its keys). */
void	client_free(struct client *);

/*
 * Loads every *.json file of dir, in name order, into reg. Each broken
 * file and each repeated client_id is logged (event clients.error with
 * file and reason) and left out; a summary is logged (clients.loaded).
 * A missing directory is an empty registry.
 * @return the number of files left out. Release with
 *	   client_registry_free().
 */
int	client_registry_load(struct client_registry *, const char *dir);

void	client_registry_free(struct client_registry *);

/* @return the client with id, or NULL. */
const struct client	*client_find(const struct client_registry *,
			    const char *id);

/* Exact string comparison with the registered redirect URIs (1 = ok). */
int	client_redirect_ok(const struct client *, const char *uri);

/* Exact comparison with the post-logout redirect URIs (1 = ok). */
int	client_logout_uri_ok(const struct client *, const char *uri);

/* Exact comparison with the client's allowed_cors_origins (1 = ok). */
int	client_origin_ok(const struct client *, const char *origin);

/* 1 when some client of the registry allows origin (CORS preflight). */
int	client_registry_origin_ok(const struct client_registry *,
	    const char *origin);

/* 1 when the client may ask for scope (one scope token). */
int	client_scope_ok(const struct client *, const char *scope,
	    size_t len);

/* 1 when resource is one of the client's (RFC 8707), else 0. */
int		 client_resource(const struct client *, const char *resource);

/* Returns the RFC 7591 name of an authentication method. */
const char	*client_auth_name(enum client_auth);

#endif
