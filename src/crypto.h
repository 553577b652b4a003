/*
 * crypto.c: the primitives every module shares, on OpenSSL 3.
 *
 * Randomness, digests, encodings, constant-time comparison, password
 * hashing (scrypt), files that hold secrets, and wrapping of secrets at
 * rest under the instance master key (AES-256-GCM with a key identifier).
 */
#ifndef MUTUA_CRYPTO_H
#define MUTUA_CRYPTO_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_LEN	32
#define CRYPTO_MASTER_KEY_LEN	32
#define CRYPTO_KEY_ID_LEN	8	/* first bytes of SHA-256(master key) */
#define CRYPTO_GCM_IV_LEN	12
#define CRYPTO_GCM_TAG_LEN	16
/* Wrapped secret = version(1) || key id(8) || iv(12) || ct || tag(16). */
#define CRYPTO_WRAP_OVERHEAD	(1 + CRYPTO_KEY_ID_LEN + \
				 CRYPTO_GCM_IV_LEN + CRYPTO_GCM_TAG_LEN)
#define CRYPTO_PASSWORD_HASH_MAX	160

/* crypto_secret_file_open() flags. */
#define CRYPTO_SECRET_OWNED	0x01	/* a regular file of ours, no link */

struct crypto_master_key {
	unsigned char	key[CRYPTO_MASTER_KEY_LEN];
	unsigned char	id[CRYPTO_KEY_ID_LEN];
};

/* Fills buf with len bytes from the CSPRNG. @return 0 or -1. */
int	crypto_random(void *buf, size_t len);

/*
 * Writes a random token of nbytes bytes as lower-case hex into out
 * (capacity outlen >= 2 * nbytes + 1). @return 0 or -1.
 */
int	crypto_random_hex(char *out, size_t outlen, size_t nbytes);

/* SHA-256 of data into out[32]. */
void	crypto_sha256(const void *data, size_t len, unsigned char *out);

/* SHA-256 as lower-case hex into out[65]. */
void	crypto_sha256_hex(const void *data, size_t len, char *out);

/* Lower-case hex of len bytes into out (capacity >= 2 * len + 1). */
void	crypto_hex(const void *data, size_t len, char *out);

/*
 * Decodes hex (either case) into out of capacity cap.
 * @return the number of bytes, or -1 on odd length, bad digit or overflow.
 */
int	crypto_unhex(const char *hex, unsigned char *out, size_t cap);

/*
 * base64url without padding (RFC 4648 §5) of len bytes into out
 * (capacity outlen >= 4 * ((len + 2) / 3) + 1). @return 0 or -1.
 */
int	crypto_b64url_encode(const void *data, size_t len, char *out,
	    size_t outlen);

/*
 * Decodes base64url without padding into out (capacity cap).
 * @return the number of bytes, or -1 on a bad character, padding,
 *	   impossible length or overflow.
 */
int	crypto_b64url_decode(const char *in, unsigned char *out, size_t cap);

/* Constant-time equality of two buffers of the same length: 1 if equal. */
int	crypto_equal(const void *, const void *, size_t);

/* Constant-time equality of two strings (lengths compared first). */
int	crypto_str_equal(const char *, const char *);

/*
 * Opens path read-only for a file that holds a secret, refusing one that
 * group or others may access (OpenSMTPD's check_file_secrecy()).
 * @param flags	0, or CRYPTO_SECRET_OWNED: the file must also be a
 *		regular file owned by the caller, and a symbolic link is
 *		not followed
 * @param sb	receives the status of the file
 * @return the descriptor (close() it), or -1 with a reason in err and
 *	   errno set: that of open() or fstat() (ENOENT: no such file), or
 *	   EACCES for a file of another owner or kind, or not private.
 */
int	crypto_secret_file_open(const char *path, int flags, struct stat *sb,
	    char *err, size_t errlen);

/*
 * Reads the 32-byte master key from path, refusing a file that is
 * readable by group or others (it holds the key that wraps every
 * verification key). @return 0, or -1 with a reason in err.
 */
int	crypto_master_key_load(const char *path, struct crypto_master_key *,
	    char *err, size_t errlen);

/* Wipes a master key. */
void	crypto_master_key_wipe(struct crypto_master_key *);

/*
 * Encrypts secret under the master key with AES-256-GCM; aad (e.g. the
 * binding ID) is authenticated, so a wrapped value cannot be moved to
 * another record. out must hold len + CRYPTO_WRAP_OVERHEAD bytes.
 * @return 0 or -1.
 */
int	crypto_wrap(const struct crypto_master_key *, const void *aad,
	    size_t aadlen, const void *secret, size_t len, unsigned char *out);

/*
 * Reverses crypto_wrap(). out must hold wrappedlen - CRYPTO_WRAP_OVERHEAD
 * bytes. @return 0; -1 on a wrong key id, tampering or a wrong aad.
 */
int	crypto_unwrap(const struct crypto_master_key *, const void *aad,
	    size_t aadlen, const unsigned char *wrapped, size_t wrappedlen,
	    unsigned char *out);

/*
 * Hashes a password with scrypt and a random salt into out (capacity
 * CRYPTO_PASSWORD_HASH_MAX) as "scrypt$N$r$p$salthex$hashhex".
 * @return 0 or -1.
 */
int	crypto_password_hash(const char *password, char *out, size_t outlen);

/* @return 1 when password matches the stored hash, 0 otherwise. */
int	crypto_password_verify(const char *password, const char *stored);

#endif
