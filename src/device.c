/*
 * ECDSA P-256 device keys in WebCrypto's raw formats.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "crypto.h"
#include "device.h"

EVP_PKEY *
device_key_generate(void)
{
	return (EVP_EC_gen("P-256"));
}

int
device_key_public(EVP_PKEY *key, unsigned char *out)
{
	size_t		len;

	if (EVP_PKEY_get_octet_string_param(key,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, DEVICE_PUBKEY_LEN,
	    &len) != 1 || len != DEVICE_PUBKEY_LEN || out[0] != 0x04)
		return (-1);
	return (0);
}

EVP_PKEY *
device_key_from_public(const unsigned char *point, size_t len)
{
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*key;
	OSSL_PARAM	 params[3];

	if (len != DEVICE_PUBKEY_LEN || point[0] != 0x04)
		return (NULL);
	key = NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)(uintptr_t)"prime256v1", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)(uintptr_t)point, len);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL)
		return (NULL);
	/* fromdata decodes the point and rejects one off the curve. */
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return (key);
}

int
device_sign(EVP_PKEY *key, const void *msg, size_t len, unsigned char *sig)
{
	EVP_MD_CTX		*ctx;
	ECDSA_SIG		*es;
	const BIGNUM		*r, *s;
	unsigned char		 der[80];
	const unsigned char	*p;
	size_t			 derlen;
	int			 ret;

	ret = -1;
	es = NULL;
	derlen = sizeof(der);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return (-1);
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, der, &derlen, msg, len) != 1)
		goto out;
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, 32) != 32 || BN_bn2binpad(s, sig + 32, 32) != 32)
		goto out;
	ret = 0;

out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return (ret);
}

int
device_verify(EVP_PKEY *key, const void *msg, size_t len,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX	*ctx;
	ECDSA_SIG	*es;
	BIGNUM		*r, *s;
	unsigned char	*der;
	int		 derlen, ok;

	ok = 0;
	der = NULL;
	ctx = NULL;
	if (siglen != DEVICE_SIG_LEN || (es = ECDSA_SIG_new()) == NULL)
		return (0);
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, der, (size_t)derlen, msg, len) == 1)
		ok = 1;

out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	return (ok);
}

int
device_verify_b64(const unsigned char *point, size_t pointlen,
    const char *msg, const char *sig_b64url)
{
	EVP_PKEY	*key;
	unsigned char	 sig[DEVICE_SIG_LEN + 1];
	int		 n, ok;

	n = crypto_b64url_decode(sig_b64url, sig, sizeof(sig));
	if (n != DEVICE_SIG_LEN)
		return (0);
	if ((key = device_key_from_public(point, pointlen)) == NULL)
		return (0);
	ok = device_verify(key, msg, strlen(msg), sig, DEVICE_SIG_LEN);
	EVP_PKEY_free(key);
	return (ok);
}
