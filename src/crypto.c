/*
 * Shared cryptographic primitives.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "crypto.h"

#define CRYPTO_WRAP_VERSION	1
#define SCRYPT_N		32768
#define SCRYPT_R		8
#define SCRYPT_P		1
#define SCRYPT_SALT_LEN		16
#define SCRYPT_HASH_LEN		32
#define SCRYPT_MAXMEM		(64 * 1024 * 1024)

static int	crypto_scrypt(const char *, const unsigned char *, size_t,
		    unsigned long, unsigned long, unsigned long,
		    unsigned char *);

int
crypto_random(void *buf, size_t len)
{
	return (RAND_bytes(buf, (int)len) == 1 ? 0 : -1);
}

int
crypto_random_hex(char *out, size_t outlen, size_t nbytes)
{
	unsigned char	buf[64];

	if (nbytes > sizeof(buf) || outlen < 2 * nbytes + 1)
		return (-1);
	if (crypto_random(buf, nbytes) == -1)
		return (-1);
	crypto_hex(buf, nbytes, out);
	OPENSSL_cleanse(buf, sizeof(buf));
	return (0);
}

void
crypto_sha256(const void *data, size_t len, unsigned char *out)
{
	SHA256(data, len, out);
}

void
crypto_sha256_hex(const void *data, size_t len, char *out)
{
	unsigned char	md[CRYPTO_SHA256_LEN];

	crypto_sha256(data, len, md);
	crypto_hex(md, sizeof(md), out);
}

void
crypto_hex(const void *data, size_t len, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	const unsigned char	*p;
	size_t			 i;

	p = data;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int
crypto_unhex(const char *hex, unsigned char *out, size_t cap)
{
	size_t		len, i;
	int		hi, lo;

	len = strlen(hex);
	if (len % 2 != 0 || len / 2 > cap)
		return (-1);
	for (i = 0; i < len / 2; i++) {
		hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]);
		lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return (-1);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return ((int)(len / 2));
}

int
crypto_b64url_encode(const void *data, size_t len, char *out, size_t outlen)
{
	static const char	 alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char	*p;
	uint32_t		 v;
	size_t			 i, o;

	if (outlen < 4 * ((len + 2) / 3) + 1)
		return (-1);
	p = data;
	for (i = 0, o = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = alphabet[(v >> 18) & 0x3f];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		if (i + 1 < len)
			out[o++] = alphabet[(v >> 6) & 0x3f];
		if (i + 2 < len)
			out[o++] = alphabet[v & 0x3f];
	}
	out[o] = '\0';
	return (0);
}

int
crypto_b64url_decode(const char *in, unsigned char *out, size_t cap)
{
	size_t		len, i, o;
	uint32_t	v;
	int		c, bits;

	len = strlen(in);
	if (len % 4 == 1)
		return (-1);
	v = 0;
	bits = 0;
	for (i = 0, o = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c >= 'A' && c <= 'Z')
			c -= 'A';
		else if (c >= 'a' && c <= 'z')
			c = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			c = c - '0' + 52;
		else if (c == '-')
			c = 62;
		else if (c == '_')
			c = 63;
		else
			return (-1);
		v = (v << 6) | (uint32_t)c;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return (-1);
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	/* Leftover bits must be zero: one encoding per byte string. */
	if ((v & ((1u << bits) - 1)) != 0)
		return (-1);
	return ((int)o);
}

int
crypto_equal(const void *a, const void *b, size_t len)
{
	return (CRYPTO_memcmp(a, b, len) == 0);
}

int
crypto_str_equal(const char *a, const char *b)
{
	size_t		la, lb;

	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return (0);
	return (crypto_equal(a, b, la));
}

int
crypto_secret_file_open(const char *path, int flags, struct stat *sb,
    char *err, size_t errlen)
{
	int		fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC |
	    ((flags & CRYPTO_SECRET_OWNED) ? O_NOFOLLOW : 0))) == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
		goto fail;
	}
	if (fstat(fd, sb) == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
		goto fail;
	}
	saved = EACCES;
	if ((flags & CRYPTO_SECRET_OWNED) &&
	    (!S_ISREG(sb->st_mode) || sb->st_uid != getuid())) {
		snprintf(err, errlen, "%s: not a regular file owned by you",
		    path);
		goto fail;
	}
	/* OpenSMTPD check_file_secrecy(): a secret is for our eyes only. */
	if (sb->st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "%s: must not be accessible by group "
		    "or others (chmod 600)", path);
		goto fail;
	}
	return (fd);

fail:
	if (fd != -1)
		close(fd);
	errno = saved;
	return (-1);
}

int
crypto_master_key_load(const char *path, struct crypto_master_key *mk,
    char *err, size_t errlen)
{
	struct stat	st;
	unsigned char	md[CRYPTO_SHA256_LEN];
	ssize_t		n;
	int		fd, ret;

	ret = -1;
	if ((fd = crypto_secret_file_open(path, 0, &st, err, errlen)) == -1) {
		crypto_master_key_wipe(mk);
		return (-1);
	}
	if (st.st_size != CRYPTO_MASTER_KEY_LEN) {
		snprintf(err, errlen, "%s: must hold exactly %d bytes", path,
		    CRYPTO_MASTER_KEY_LEN);
		goto out;
	}
	n = read(fd, mk->key, sizeof(mk->key));
	if (n != (ssize_t)sizeof(mk->key)) {
		snprintf(err, errlen, "%s: short read", path);
		goto out;
	}
	crypto_sha256(mk->key, sizeof(mk->key), md);
	memcpy(mk->id, md, sizeof(mk->id));
	ret = 0;

out:
	if (ret == -1)
		crypto_master_key_wipe(mk);
	close(fd);
	return (ret);
}

void
crypto_master_key_wipe(struct crypto_master_key *mk)
{
	OPENSSL_cleanse(mk, sizeof(*mk));
}

int
crypto_wrap(const struct crypto_master_key *mk, const void *aad,
    size_t aadlen, const void *secret, size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	*iv, *ct;
	int		 n, ret;

	ret = -1;
	if (len > INT32_MAX || aadlen > INT32_MAX)
		return (-1);
	out[0] = CRYPTO_WRAP_VERSION;
	memcpy(out + 1, mk->id, CRYPTO_KEY_ID_LEN);
	iv = out + 1 + CRYPTO_KEY_ID_LEN;
	ct = iv + CRYPTO_GCM_IV_LEN;
	if (crypto_random(iv, CRYPTO_GCM_IV_LEN) == -1)
		return (-1);

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, mk->key,
	    iv) != 1)
		goto out;
	/* The header (version and key id) is authenticated with the aad. */
	if (EVP_EncryptUpdate(ctx, NULL, &n, out,
	    1 + CRYPTO_KEY_ID_LEN) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		goto out;
	if (EVP_EncryptUpdate(ctx, ct, &n, secret, (int)len) != 1)
		goto out;
	if (EVP_EncryptFinal_ex(ctx, ct + n, &n) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_GCM_TAG_LEN,
	    ct + len) != 1)
		goto out;
	ret = 0;

out:
	EVP_CIPHER_CTX_free(ctx);
	return (ret);
}

int
crypto_unwrap(const struct crypto_master_key *mk, const void *aad,
    size_t aadlen, const unsigned char *wrapped, size_t wrappedlen,
    unsigned char *out)
{
	EVP_CIPHER_CTX		*ctx;
	const unsigned char	*iv, *ct;
	size_t			 len;
	int			 n, ret;

	ret = -1;
	if (wrappedlen < CRYPTO_WRAP_OVERHEAD || wrappedlen > INT32_MAX ||
	    aadlen > INT32_MAX)
		return (-1);
	if (wrapped[0] != CRYPTO_WRAP_VERSION ||
	    !crypto_equal(wrapped + 1, mk->id, CRYPTO_KEY_ID_LEN))
		return (-1);
	len = wrappedlen - CRYPTO_WRAP_OVERHEAD;
	iv = wrapped + 1 + CRYPTO_KEY_ID_LEN;
	ct = iv + CRYPTO_GCM_IV_LEN;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, mk->key,
	    iv) != 1)
		goto out;
	if (EVP_DecryptUpdate(ctx, NULL, &n, wrapped,
	    1 + CRYPTO_KEY_ID_LEN) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		goto out;
	if (EVP_DecryptUpdate(ctx, out, &n, ct, (int)len) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_GCM_TAG_LEN,
	    (void *)(uintptr_t)(ct + len)) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(ctx, out + n, &n) != 1)
		goto out;
	ret = 0;

out:
	if (ret == -1)
		OPENSSL_cleanse(out, len);
	EVP_CIPHER_CTX_free(ctx);
	return (ret);
}

static int
crypto_scrypt(const char *password, const unsigned char *salt,
    size_t saltlen, unsigned long n, unsigned long r, unsigned long p,
    unsigned char *out)
{
	if (EVP_PBE_scrypt(password, strlen(password), salt, saltlen, n, r,
	    p, SCRYPT_MAXMEM, out, SCRYPT_HASH_LEN) != 1)
		return (-1);
	return (0);
}

int
crypto_password_hash(const char *password, char *out, size_t outlen)
{
	unsigned char	salt[SCRYPT_SALT_LEN], hash[SCRYPT_HASH_LEN];
	char		salthex[2 * SCRYPT_SALT_LEN + 1];
	char		hashhex[2 * SCRYPT_HASH_LEN + 1];
	int		n, ret;

	ret = -1;
	if (crypto_random(salt, sizeof(salt)) == -1)
		return (-1);
	if (crypto_scrypt(password, salt, sizeof(salt), SCRYPT_N, SCRYPT_R,
	    SCRYPT_P, hash) == -1)
		goto out;
	crypto_hex(salt, sizeof(salt), salthex);
	crypto_hex(hash, sizeof(hash), hashhex);
	n = snprintf(out, outlen, "scrypt$%d$%d$%d$%s$%s", SCRYPT_N,
	    SCRYPT_R, SCRYPT_P, salthex, hashhex);
	if (n < 0 || (size_t)n >= outlen)
		goto out;
	ret = 0;

out:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(hashhex, sizeof(hashhex));
	return (ret);
}

int
crypto_password_verify(const char *password, const char *stored)
{
	unsigned char	salt[SCRYPT_SALT_LEN], want[SCRYPT_HASH_LEN];
	unsigned char	got[SCRYPT_HASH_LEN];
	char		salthex[2 * SCRYPT_SALT_LEN + 1];
	char		hashhex[2 * SCRYPT_HASH_LEN + 1];
	unsigned long	n, r, p;
	int		ok, end;

	ok = 0;
	end = 0;
	if (sscanf(stored, "scrypt$%lu$%lu$%lu$%32[0-9a-f]$%64[0-9a-f]%n",
	    &n, &r, &p, salthex, hashhex, &end) != 5 || stored[end] != '\0')
		return (0);
	/* Bound the cost a corrupt record could make us pay. */
	if (n < 1024 || n > 1048576 || r < 1 || r > 16 || p < 1 || p > 4)
		return (0);
	if (crypto_unhex(salthex, salt, sizeof(salt)) != SCRYPT_SALT_LEN ||
	    crypto_unhex(hashhex, want, sizeof(want)) != SCRYPT_HASH_LEN)
		return (0);
	if (crypto_scrypt(password, salt, sizeof(salt), n, r, p, got) == 0)
		ok = crypto_equal(got, want, sizeof(got));
	OPENSSL_cleanse(got, sizeof(got));
	OPENSSL_cleanse(want, sizeof(want));
	return (ok);
}
