/*
 * Unit tests for src/crypto.c: wrapping of secrets under the master key
 * (any change to a wrapped value, its aad or the key is refused), the
 * master key file checks, scrypt password hashes, hex and comparisons.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto.h"
#include "fixture.h"

#define SECRET		"0123456789abcdef0123456789abcdef"
#define SECRET_LEN	32
#define AAD		"binding-42"
#define WRAPPED_LEN	(SECRET_LEN + CRYPTO_WRAP_OVERHEAD)

struct keydir {
	char	dir[FIXTURE_DIR_MAX];
	char	path[FIXTURE_PATH_MAX];
};

static void	wrap_secret(const struct crypto_master_key *, unsigned char *);
static void	assert_unwrap_fails(const struct crypto_master_key *,
		    const void *, size_t, const unsigned char *, size_t);
static void	keydir_open(struct keydir *);
static void	keydir_close(struct keydir *);
static void	write_key_file(const char *, const void *, size_t, mode_t);
static void	assert_key_load_fails(const char *, const char *);
static double	now(void);

static void
wrap_secret(const struct crypto_master_key *mk, unsigned char *out)
{
	assert_int_equal(crypto_wrap(mk, AAD, strlen(AAD), SECRET, SECRET_LEN,
	    out), 0);
}

/* Unwrapping must fail and leave nothing of the secret in out. */
static void
assert_unwrap_fails(const struct crypto_master_key *mk, const void *aad,
    size_t aadlen, const unsigned char *wrapped, size_t len)
{
	unsigned char	out[WRAPPED_LEN];

	memset(out, 0xa5, sizeof(out));
	assert_int_equal(crypto_unwrap(mk, aad, aadlen, wrapped, len, out),
	    -1);
	assert_null(memmem(out, sizeof(out), SECRET, 8));
}

static void
test_wrap_unwrap_round_trip(void **state)
{
	struct crypto_master_key	mk;
	unsigned char			wrapped[WRAPPED_LEN];
	unsigned char			out[SECRET_LEN];

	fixture_master_key(&mk, 0x11);
	wrap_secret(&mk, wrapped);
	assert_int_equal(wrapped[0], 1);
	assert_memory_equal(wrapped + 1, mk.id, CRYPTO_KEY_ID_LEN);
	/* The secret does not appear in the clear. */
	assert_null(memmem(wrapped, sizeof(wrapped), SECRET, 8));
	assert_int_equal(crypto_unwrap(&mk, AAD, strlen(AAD), wrapped,
	    sizeof(wrapped), out), 0);
	assert_memory_equal(out, SECRET, SECRET_LEN);
}

static void
test_wrap_uses_fresh_iv_each_time(void **state)
{
	struct crypto_master_key	mk;
	unsigned char			a[WRAPPED_LEN], b[WRAPPED_LEN];

	fixture_master_key(&mk, 0x11);
	wrap_secret(&mk, a);
	wrap_secret(&mk, b);
	assert_memory_not_equal(a + 1 + CRYPTO_KEY_ID_LEN,
	    b + 1 + CRYPTO_KEY_ID_LEN, CRYPTO_GCM_IV_LEN);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void
test_wrap_unwrap_empty_secret_and_no_aad(void **state)
{
	struct crypto_master_key	mk;
	unsigned char			wrapped[CRYPTO_WRAP_OVERHEAD];
	unsigned char			out[1];

	fixture_master_key(&mk, 0x22);
	assert_int_equal(crypto_wrap(&mk, NULL, 0, "", 0, wrapped), 0);
	assert_int_equal(crypto_unwrap(&mk, NULL, 0, wrapped,
	    sizeof(wrapped), out), 0);
	wrapped[sizeof(wrapped) - 1] ^= 1;
	assert_int_equal(crypto_unwrap(&mk, NULL, 0, wrapped,
	    sizeof(wrapped), out), -1);
}

static void
test_unwrap_fails_on_any_flipped_bit(void **state)
{
	struct crypto_master_key	mk;
	unsigned char			wrapped[WRAPPED_LEN];
	size_t				i;
	int				bit;

	/*
	 * Every bit of the header (version, key id), the iv, the
	 * ciphertext and the tag is covered by the tag or checked.
	 */
	fixture_master_key(&mk, 0x33);
	wrap_secret(&mk, wrapped);
	for (i = 0; i < sizeof(wrapped); i++) {
		for (bit = 0; bit < 8; bit++) {
			wrapped[i] ^= 1 << bit;
			assert_unwrap_fails(&mk, AAD, strlen(AAD), wrapped,
			    sizeof(wrapped));
			wrapped[i] ^= 1 << bit;
		}
	}
}

static void
test_unwrap_fails_on_tampered_parts(void **state)
{
	struct crypto_master_key	mk;
	unsigned char			wrapped[WRAPPED_LEN];
	const size_t			parts[] = {
		0,					/* version */
		1,					/* key id */
		1 + CRYPTO_KEY_ID_LEN,			/* iv */
		1 + CRYPTO_KEY_ID_LEN + CRYPTO_GCM_IV_LEN,	/* ct */
		WRAPPED_LEN - CRYPTO_GCM_TAG_LEN,	/* tag */
		WRAPPED_LEN - 1				/* tag, last */
	};
	size_t				i;

	fixture_master_key(&mk, 0x33);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		wrap_secret(&mk, wrapped);
		wrapped[parts[i]] ^= 0x80;
		assert_unwrap_fails(&mk, AAD, strlen(AAD), wrapped,
		    sizeof(wrapped));
	}
}

static void
test_unwrap_fails_on_truncated_or_extended_value(void **state)
{
	struct crypto_master_key	mk;
	unsigned char			wrapped[WRAPPED_LEN + 1];
	size_t				len;

	fixture_master_key(&mk, 0x33);
	wrap_secret(&mk, wrapped);
	for (len = 0; len < WRAPPED_LEN; len++)
		assert_unwrap_fails(&mk, AAD, strlen(AAD), wrapped, len);
	wrapped[WRAPPED_LEN] = 0;
	assert_unwrap_fails(&mk, AAD, strlen(AAD), wrapped, WRAPPED_LEN + 1);
}

static void
test_unwrap_fails_on_wrong_aad(void **state)
{
	struct crypto_master_key	mk;
	unsigned char			wrapped[WRAPPED_LEN];

	/* A wrapped key moved to another binding does not unwrap. */
	fixture_master_key(&mk, 0x44);
	wrap_secret(&mk, wrapped);
	assert_unwrap_fails(&mk, "binding-43", 10, wrapped, sizeof(wrapped));
	assert_unwrap_fails(&mk, AAD, strlen(AAD) - 1, wrapped,
	    sizeof(wrapped));
	assert_unwrap_fails(&mk, NULL, 0, wrapped, sizeof(wrapped));
}

static void
test_unwrap_fails_under_other_master_key(void **state)
{
	struct crypto_master_key	mk, other;
	unsigned char			wrapped[WRAPPED_LEN];

	fixture_master_key(&mk, 0x55);
	fixture_master_key(&other, 0x56);
	wrap_secret(&mk, wrapped);
	assert_memory_not_equal(mk.id, other.id, CRYPTO_KEY_ID_LEN);
	assert_unwrap_fails(&other, AAD, strlen(AAD), wrapped,
	    sizeof(wrapped));

	/* Even with a matching key id, the wrong key fails the tag. */
	memcpy(other.id, mk.id, sizeof(other.id));
	assert_unwrap_fails(&other, AAD, strlen(AAD), wrapped,
	    sizeof(wrapped));
}

static void
keydir_open(struct keydir *kd)
{
	assert_int_equal(fixture_dir_make(kd->dir, sizeof(kd->dir)), 0);
	snprintf(kd->path, sizeof(kd->path), "%s/master.key", kd->dir);
}

static void
keydir_close(struct keydir *kd)
{
	assert_int_equal(fixture_dir_remove(kd->dir), 0);
}

static void
write_key_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int	fd;

	(void)unlink(path);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	/* fchmod, not the umask, decides the mode under test. */
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void
assert_key_load_fails(const char *path, const char *why)
{
	struct crypto_master_key	mk;
	char				err[256];

	err[0] = '\0';
	assert_int_equal(crypto_master_key_load(path, &mk, err, sizeof(err)),
	    -1);
	if (strncmp(err, path, strlen(path)) != 0 || strstr(err, why) == NULL)
		fail_msg("got \"%s\", want \"%s: ...%s...\"", err, path, why);
}

static void
test_master_key_loads_and_derives_key_id(void **state)
{
	struct keydir			kd;
	struct crypto_master_key	mk, want;
	char				err[256];

	keydir_open(&kd);
	fixture_master_key(&want, 0x66);
	write_key_file(kd.path, want.key, sizeof(want.key), 0600);
	assert_int_equal(crypto_master_key_load(kd.path, &mk, err,
	    sizeof(err)), 0);
	assert_memory_equal(mk.key, want.key, sizeof(mk.key));
	assert_memory_equal(mk.id, want.id, sizeof(mk.id));

	/* Owner read-only is fine too. */
	write_key_file(kd.path, want.key, sizeof(want.key), 0400);
	assert_int_equal(crypto_master_key_load(kd.path, &mk, err,
	    sizeof(err)), 0);

	crypto_master_key_wipe(&mk);
	assert_int_equal(mk.key[0], 0);
	keydir_close(&kd);
}

static void
test_master_key_refuses_group_or_world_access(void **state)
{
	static const mode_t	modes[] = { 0640, 0604, 0620, 0602, 0610,
	    0601, 0644, 0666 };
	struct keydir		kd;
	unsigned char		key[CRYPTO_MASTER_KEY_LEN];
	size_t			i;

	keydir_open(&kd);
	memset(key, 0x66, sizeof(key));
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		write_key_file(kd.path, key, sizeof(key), modes[i]);
		assert_key_load_fails(kd.path, "group or others");
	}
	keydir_close(&kd);
}

static void
test_master_key_refuses_wrong_size(void **state)
{
	struct keydir	kd;
	unsigned char	key[CRYPTO_MASTER_KEY_LEN + 1];

	keydir_open(&kd);
	memset(key, 0x66, sizeof(key));
	write_key_file(kd.path, key, sizeof(key) - 2, 0600);
	assert_key_load_fails(kd.path, "exactly 32 bytes");
	write_key_file(kd.path, key, sizeof(key), 0600);
	assert_key_load_fails(kd.path, "exactly 32 bytes");
	write_key_file(kd.path, key, 0, 0600);
	assert_key_load_fails(kd.path, "exactly 32 bytes");
	keydir_close(&kd);
}

static void
test_master_key_refuses_missing_file(void **state)
{
	struct keydir	kd;

	keydir_open(&kd);
	assert_key_load_fails(kd.path, strerror(ENOENT));
	keydir_close(&kd);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
test_password_hash_verifies_right_password_only(void **state)
{
	char	h1[CRYPTO_PASSWORD_HASH_MAX], h2[CRYPTO_PASSWORD_HASH_MAX];

	assert_int_equal(crypto_password_hash("correct horse", h1,
	    sizeof(h1)), 0);
	assert_int_equal(strncmp(h1, "scrypt$32768$8$1$", 17), 0);
	assert_null(strstr(h1, "correct"));
	assert_int_equal(crypto_password_verify("correct horse", h1), 1);
	assert_int_equal(crypto_password_verify("correct horsE", h1), 0);
	assert_int_equal(crypto_password_verify("correct horse ", h1), 0);
	assert_int_equal(crypto_password_verify("", h1), 0);

	/* A fresh salt each time: equal passwords, different hashes. */
	assert_int_equal(crypto_password_hash("correct horse", h2,
	    sizeof(h2)), 0);
	assert_string_not_equal(h1, h2);
}

static void
test_password_hash_of_empty_password(void **state)
{
	char	h[CRYPTO_PASSWORD_HASH_MAX];

	assert_int_equal(crypto_password_hash("", h, sizeof(h)), 0);
	assert_int_equal(crypto_password_verify("", h), 1);
	assert_int_equal(crypto_password_verify("x", h), 0);
}

static void
test_password_hash_refuses_small_buffer(void **state)
{
	char	h[32];

	assert_int_equal(crypto_password_hash("pw", h, sizeof(h)), -1);
}

static void
test_password_verify_rejects_corrupted_hash(void **state)
{
	char	h[CRYPTO_PASSWORD_HASH_MAX], bad[CRYPTO_PASSWORD_HASH_MAX + 8];
	size_t	len;

	assert_int_equal(crypto_password_hash("pw", h, sizeof(h)), 0);
	len = strlen(h);

	/* One hash digit changed. */
	snprintf(bad, sizeof(bad), "%s", h);
	bad[len - 1] = bad[len - 1] == '0' ? '1' : '0';
	assert_int_equal(crypto_password_verify("pw", bad), 0);
	/* One salt digit changed. */
	snprintf(bad, sizeof(bad), "%s", h);
	bad[17] = bad[17] == '0' ? '1' : '0';
	assert_int_equal(crypto_password_verify("pw", bad), 0);
	/* Truncated hash. */
	snprintf(bad, sizeof(bad), "%.*s", (int)len - 2, h);
	assert_int_equal(crypto_password_verify("pw", bad), 0);
	/* Other algorithm, empty, garbage. */
	snprintf(bad, sizeof(bad), "bcrypt%s", h + 6);
	assert_int_equal(crypto_password_verify("pw", bad), 0);
	assert_int_equal(crypto_password_verify("pw", ""), 0);
	assert_int_equal(crypto_password_verify("pw", "scrypt$$$$$"), 0);
	assert_int_equal(crypto_password_verify("pw", "pw"), 0);
}

static void
test_password_verify_rejects_trailing_garbage(void **state)
{
	char	h[CRYPTO_PASSWORD_HASH_MAX], bad[CRYPTO_PASSWORD_HASH_MAX + 8];

	/* A stored value is one exact format, nothing after the hash. */
	assert_int_equal(crypto_password_hash("pw", h, sizeof(h)), 0);
	snprintf(bad, sizeof(bad), "%s00", h);
	assert_int_equal(crypto_password_verify("pw", bad), 0);
	snprintf(bad, sizeof(bad), "%s$x", h);
	assert_int_equal(crypto_password_verify("pw", bad), 0);
}

static void
test_password_verify_refuses_absurd_parameters_quickly(void **state)
{
	static const char	*params[] = {
		"1073741824$8$1",	/* N = 2^30: 1 TiB of memory */
		"1048576$16$1",		/* within the N bound, over maxmem */
		"2097152$1$1",		/* N = 2^21 */
		"32768$1000$1",		/* r absurd */
		"32768$8$1000",		/* p absurd */
		"32768$0$1",
		"32768$8$0",
		"0$8$1",
		"1$8$1",
		"30000$8$1",		/* not a power of two */
		"-1$8$1",
		"99999999999999999999999$8$1"
	};
	char	stored[CRYPTO_PASSWORD_HASH_MAX * 2];
	double	start;
	size_t	i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		snprintf(stored, sizeof(stored), "scrypt$%s$%s$%s", params[i],
		    "00112233445566778899aabbccddeeff",
		    "00112233445566778899aabbccddeeff"
		    "00112233445566778899aabbccddeeff");
		start = now();
		assert_int_equal(crypto_password_verify("pw", stored), 0);
		if (now() - start > 0.5)
			fail_msg("%s took %.2f s", params[i], now() - start);
	}
}

static void
test_hex_encodes_lower_case(void **state)
{
	char	out[9];

	crypto_hex("\x00\x01\xab\xff", 4, out);
	assert_string_equal(out, "0001abff");
	crypto_hex("", 0, out);
	assert_string_equal(out, "");
}

static void
test_unhex_decodes_either_case(void **state)
{
	unsigned char	out[4];

	assert_int_equal(crypto_unhex("0001abff", out, sizeof(out)), 4);
	assert_memory_equal(out, "\x00\x01\xab\xff", 4);
	assert_int_equal(crypto_unhex("ABFF", out, sizeof(out)), 2);
	assert_memory_equal(out, "\xab\xff", 2);
	assert_int_equal(crypto_unhex("", out, sizeof(out)), 0);
}

static void
test_unhex_rejects_odd_length_bad_digits_and_overflow(void **state)
{
	unsigned char	out[4];

	assert_int_equal(crypto_unhex("abc", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("0", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("zz", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("0g", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("g0", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("0x12", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex(" 12 ", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("12\n", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("0011223344", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("00112233", out, sizeof(out)), 4);
}

static void
test_hex_round_trips_every_byte(void **state)
{
	unsigned char	in[256], back[256];
	char		hex[513];
	int		i;

	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	crypto_hex(in, sizeof(in), hex);
	assert_int_equal(strlen(hex), 512);
	assert_int_equal(crypto_unhex(hex, back, sizeof(back)), 256);
	assert_memory_equal(in, back, sizeof(in));
}

static void
test_sha256_matches_fips_180_vector(void **state)
{
	char	hex[2 * CRYPTO_SHA256_LEN + 1];

	/* FIPS 180-2 Appendix B.1: SHA-256("abc"). */
	crypto_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

static void
test_random_hex_checks_sizes(void **state)
{
	char	a[33], b[33];

	assert_int_equal(crypto_random_hex(a, sizeof(a), 16), 0);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_int_equal(crypto_random_hex(b, sizeof(b), 16), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(crypto_random_hex(a, sizeof(a) - 1, 16), -1);
	assert_int_equal(crypto_random_hex(a, sizeof(a), 65), -1);
}

static void
test_str_equal(void **state)
{
	assert_int_equal(crypto_str_equal("abc", "abc"), 1);
	assert_int_equal(crypto_str_equal("", ""), 1);
	assert_int_equal(crypto_str_equal("abc", "abd"), 0);
	assert_int_equal(crypto_str_equal("abc", "abcd"), 0);
	assert_int_equal(crypto_str_equal("abcd", "abc"), 0);
	assert_int_equal(crypto_str_equal("", "a"), 0);
	assert_int_equal(crypto_str_equal("Abc", "abc"), 0);
	assert_int_equal(crypto_equal("\x00\x01", "\x00\x01", 2), 1);
	assert_int_equal(crypto_equal("\x00\x01", "\x00\x02", 2), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_wrap_unwrap_round_trip),
		cmocka_unit_test(test_wrap_uses_fresh_iv_each_time),
		cmocka_unit_test(test_wrap_unwrap_empty_secret_and_no_aad),
		cmocka_unit_test(test_unwrap_fails_on_any_flipped_bit),
		cmocka_unit_test(test_unwrap_fails_on_tampered_parts),
		cmocka_unit_test(
		    test_unwrap_fails_on_truncated_or_extended_value),
		cmocka_unit_test(test_unwrap_fails_on_wrong_aad),
		cmocka_unit_test(test_unwrap_fails_under_other_master_key),
		cmocka_unit_test(test_master_key_loads_and_derives_key_id),
		cmocka_unit_test(
		    test_master_key_refuses_group_or_world_access),
		cmocka_unit_test(test_master_key_refuses_wrong_size),
		cmocka_unit_test(test_master_key_refuses_missing_file),
		cmocka_unit_test(
		    test_password_hash_verifies_right_password_only),
		cmocka_unit_test(test_password_hash_of_empty_password),
		cmocka_unit_test(test_password_hash_refuses_small_buffer),
		cmocka_unit_test(test_password_verify_rejects_corrupted_hash),
		cmocka_unit_test(
		    test_password_verify_rejects_trailing_garbage),
		cmocka_unit_test(
		    test_password_verify_refuses_absurd_parameters_quickly),
		cmocka_unit_test(test_hex_encodes_lower_case),
		cmocka_unit_test(test_unhex_decodes_either_case),
		cmocka_unit_test(
		    test_unhex_rejects_odd_length_bad_digits_and_overflow),
		cmocka_unit_test(test_hex_round_trips_every_byte),
		cmocka_unit_test(test_sha256_matches_fips_180_vector),
		cmocka_unit_test(test_random_hex_checks_sizes),
		cmocka_unit_test(test_str_equal),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
