/*
 * jose.c: JSON Web Signatures for the OpenID provider, on cjose.
 *
 * Keys are built once per process from PEM files (with the RSA CRT
 * parameters, or signing is ~7x slower) and carry a kid computed per
 * RFC 7638. Verification never trusts the token to choose how it is
 * checked: the algorithm is pinned per key before cjose is called (cjose
 * reads out of bounds for HS* against RSA/EC keys), ES256 signatures must
 * be exactly 64 bytes, keys of a wrong curve are never loaded, and
 * "none" is refused (shared/notes/jose-liboauth2-cjose.md).
 */
#ifndef MUTUA_JOSE_H
#define MUTUA_JOSE_H

#include <stddef.h>
#include <stdint.h>

#include <cjose/cjose.h>
#include <jansson.h>

#define JOSE_KID_MAX		65	/* RFC 7638 thumbprints are 43 */
#define JOSE_COMPACT_MAX	16384	/* largest token we verify */
#define JOSE_HALF_HASH_LEN	22	/* b64url of 16 bytes */
#define JOSE_KEYSET_MAX		16
#define JOSE_ERR_MAX		256

enum jose_alg {
	JOSE_ALG_NONE = 0,
	JOSE_ALG_ES256,
	JOSE_ALG_RS256
};

struct jose_key {
	cjose_jwk_t	*jwk;
	enum jose_alg	 alg;
	char		 kid[JOSE_KID_MAX];
	int		 can_sign;	/* holds the private key */
	uint64_t	 not_after;	/* published until; 0 = always */
};

/*
 * The provider's keys: the current signing key per algorithm, keys
 * published ahead of use (".next") and retired keys published until the
 * tokens they signed have expired (".retired-<unix time>").
 */
struct jose_keyset {
	struct jose_key	keys[JOSE_KEYSET_MAX];
	size_t		n;
	int		es256;		/* index of the signing key, or -1 */
	int		rs256;
};

/* Returns "ES256", "RS256" or NULL. */
const char	*jose_alg_name(enum jose_alg);

/* @return the algorithm named, or JOSE_ALG_NONE for any other name. */
enum jose_alg	jose_alg_parse(const char *);

/*
 * Loads a private key from a PEM file (EC P-256 for ES256, RSA of at
 * least 2048 bits for RS256), refusing a file that group or others may
 * read. With public_only the key is kept for verification and
 * publication only (retired keys).
 * @return 0, or -1 with a reason in err. Release with jose_key_free().
 */
int	jose_key_load_pem(const char *path, int public_only,
	    struct jose_key *, char *err, size_t errlen);

/*
 * Imports a client's public JWK (a JSON object): EC P-256 or RSA of at
 * least 2048 bits; a JWK holding a private part, a "use" other than sig
 * or an "alg" that does not fit the key is refused. kid is the JWK's own
 * or its RFC 7638 thumbprint.
 * @return 0, or -1 with a reason in err. Release with jose_key_free().
 */
int	jose_key_import(json_t *jwk, struct jose_key *, char *err,
	    size_t errlen);

void	jose_key_free(struct jose_key *);

/*
 * The public JWK of key as a JSON object with kid, use and alg.
 * @return a new reference (json_decref), or NULL.
 */
json_t	*jose_key_public(const struct jose_key *);

/*
 * Signs claims with key: protected header {alg, kid, typ} (typ "JWT",
 * or "at+jwt" for an RFC 9068 access token).
 * @return the compact serialisation (free()), or NULL.
 */
char	*jose_sign(const struct jose_key *, json_t *claims, const char *typ);

/*
 * Verifies a compact JWS against keys: the header's kid (when present)
 * selects the key, its alg must be the one of that key, and the payload
 * must be a JSON object.
 * @param alg	when not JOSE_ALG_NONE, the only algorithm accepted
 * @return the claims (json_decref), or NULL with a reason in err.
 */
json_t	*jose_verify(const char *compact, const struct jose_key *keys,
	    size_t nkeys, enum jose_alg alg, char *err, size_t errlen);

/*
 * Reads the string claim name of a compact JWS *without verifying it*,
 * only to learn which keys to verify it with (a client assertion's iss).
 * @return 0, or -1 when absent, not a string or longer than outlen - 1.
 */
int	jose_peek_claim(const char *compact, const char *name, char *out,
	    size_t outlen);

/*
 * OpenID Connect Core §3.1.3.6 at_hash: base64url of the left half of
 * SHA-256(token) into out[JOSE_HALF_HASH_LEN + 1].
 */
void	jose_half_hash(const char *token, char *out);

/* jose_keyset.c */

/*
 * Loads the provider's keys: each path in paths (NULL entries skipped)
 * is a current signing key; files next to it named "<name>.next" are
 * published, "<name>.retired-<unix time>" are published until that time
 * plus grace.
 * @return 0, or -1 with "file: reason" in err (set released).
 */
int	jose_keyset_load(struct jose_keyset *, const char *const *paths,
	    size_t npaths, uint64_t now, uint64_t grace, char *err,
	    size_t errlen);

void	jose_keyset_free(struct jose_keyset *);

/* The signing key for alg, or NULL. */
const struct jose_key	*jose_keyset_signer(const struct jose_keyset *,
			    enum jose_alg);

/*
 * The JWK Set document of the keys published at now.
 * @return a string to free(), or NULL.
 */
char	*jose_keyset_jwks(const struct jose_keyset *, uint64_t now);

/*
 * The first time after now at which the JWK Set changes (a key's
 * not_after), or UINT64_MAX.
 */
uint64_t	jose_keyset_next_change(const struct jose_keyset *,
		    uint64_t now);

#endif
