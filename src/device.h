/*
 * device.c: authenticator device keys, ECDSA P-256 (docs/protocol.md).
 *
 * Public keys travel as the 65-byte uncompressed point and signatures as
 * the 64-byte r || s, the formats WebCrypto uses, so the web
 * authenticator needs no DER.
 */
#ifndef MUTUA_DEVICE_H
#define MUTUA_DEVICE_H

#include <stddef.h>

#include <openssl/evp.h>

#define DEVICE_PUBKEY_LEN	65
#define DEVICE_SIG_LEN		64

/* Generates a P-256 key pair. @return the key (EVP_PKEY_free), or NULL. */
EVP_PKEY	*device_key_generate(void);

/*
 * Writes the uncompressed public point of key into out[65].
 * @return 0 or -1.
 */
int	device_key_public(EVP_PKEY *key, unsigned char *out);

/*
 * Makes a public key from a 65-byte uncompressed point, checking that it
 * is on the curve. @return the key (EVP_PKEY_free), or NULL.
 */
EVP_PKEY	*device_key_from_public(const unsigned char *point, size_t len);

/*
 * Signs msg (SHA-256, ECDSA) with key into sig[64] as r || s.
 * @return 0 or -1.
 */
int	device_sign(EVP_PKEY *key, const void *msg, size_t len,
	    unsigned char *sig);

/*
 * Verifies a 64-byte r || s signature over msg.
 * @return 1 when valid, 0 otherwise (including malformed input).
 */
int	device_verify(EVP_PKEY *key, const void *msg, size_t len,
	    const unsigned char *sig, size_t siglen);

/*
 * Verifies a signature given as text: the public point and the signature
 * both b64url, as they arrive in requests. @return 1 when valid.
 */
int	device_verify_b64(const unsigned char *point, size_t pointlen,
	    const char *msg, const char *sig_b64url);

#endif
