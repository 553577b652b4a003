/*
 * Unit tests for src/authstate.c: the state file of mutua-authenticator
 * (sealing under a PIN, file secrecy, atomic saves, binding selection,
 * the registration answer and base URL checks).
 */

#include <sys/stat.h>

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "authenticator/authstate.h"
#include "crypto.h"
#include "device.h"
#include "fixture.h"

#define BASE	"https://idp.example.org"
#define BID1	"0123456789abcdef0123456789abcdef"
#define BID2	"fedcba9876543210fedcba9876543210"

struct env {
	char		dir[FIXTURE_DIR_MAX];
	char		path[FIXTURE_PATH_MAX];
	EVP_PKEY	*device;
	unsigned char	k[OFFSET_KEY_LEN];
};

static void	binding_make(struct authstate_binding *, const char *,
		    const char *);
static void	file_write(const char *, const char *, mode_t);

static int
setup(void **state)
{
	struct env	*f;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(fixture_dir_make(f->dir, sizeof(f->dir)), 0);
	snprintf(f->path, sizeof(f->path), "%s/state", f->dir);
	assert_non_null(f->device = device_key_generate());
	memset(f->k, 0x5a, sizeof(f->k));
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct env	*f = *state;

	EVP_PKEY_free(f->device);
	assert_int_equal(fixture_dir_remove(f->dir), 0);
	free(f);
	return (0);
}

static void
binding_make(struct authstate_binding *b, const char *user, const char *id)
{
	memset(b, 0, sizeof(*b));
	strcpy(b->issuer, BASE);
	strcpy(b->user_id, user);
	strcpy(b->binding_id, id);
	strcpy(b->authenticator_id, "cli-test");
	strcpy(b->label, "Alice's \"laptop\"");
	strcpy(b->comparison, "enter");
	b->code_lifetime = 120;
	b->loa = 2;
	b->created = 1764083000;
}

static void
file_write(const char *path, const char *text, mode_t mode)
{
	FILE		*fp;

	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_unseal_returns_what_was_sealed(void **state)
{
	struct env			*f = *state;
	struct authstate_binding	 b;
	struct authstate_secret		 s;
	unsigned char			 point[DEVICE_PUBKEY_LEN];
	unsigned char			 sig[DEVICE_SIG_LEN];
	EVP_PKEY			*pub;

	binding_make(&b, "alice", BID1);
	assert_int_equal(authstate_seal(&b, "2468", f->k, f->device), 0);
	assert_int_equal(authstate_unseal(&b, "2468", &s), 0);
	assert_memory_equal(s.k, f->k, sizeof(f->k));
	/* The unsealed device key signs for the original public key. */
	assert_int_equal(device_sign(s.device, "m", 1, sig), 0);
	assert_int_equal(device_key_public(f->device, point), 0);
	assert_non_null(pub = device_key_from_public(point, sizeof(point)));
	assert_int_equal(device_verify(pub, "m", 1, sig, sizeof(sig)), 1);
	EVP_PKEY_free(pub);
	authstate_secret_clear(&s);
	assert_null(s.device);
}

static void
test_unseal_rejects_wrong_pin(void **state)
{
	struct env			*f = *state;
	struct authstate_binding	 b;
	struct authstate_secret		 s;

	binding_make(&b, "alice", BID1);
	assert_int_equal(authstate_seal(&b, "2468", f->k, f->device), 0);
	assert_int_equal(authstate_unseal(&b, "2469", &s), -1);
	assert_null(s.device);
	assert_int_equal(authstate_unseal(&b, "", &s), -1);
}

static void
test_seal_rejects_short_pin(void **state)
{
	struct env			*f = *state;
	struct authstate_binding	 b;

	binding_make(&b, "alice", BID1);
	assert_int_equal(authstate_seal(&b, "123", f->k, f->device), -1);
}

static void
test_unseal_fails_when_the_record_is_edited(void **state)
{
	struct env			*f = *state;
	struct authstate_binding	 b, c;
	struct authstate_secret		 s;

	binding_make(&b, "alice", BID1);
	assert_int_equal(authstate_seal(&b, "2468", f->k, f->device), 0);

	/* Pointed at another IdP: the secret must not unlock there. */
	c = b;
	strcpy(c.issuer, "https://evil.example");
	assert_int_equal(authstate_unseal(&c, "2468", &s), -1);
	/* Moved to another binding or user. */
	c = b;
	strcpy(c.binding_id, BID2);
	assert_int_equal(authstate_unseal(&c, "2468", &s), -1);
	c = b;
	strcpy(c.user_id, "mallory");
	assert_int_equal(authstate_unseal(&c, "2468", &s), -1);
	/* One bit of the sealed data. */
	c = b;
	c.sealed[c.sealed_len - 1] ^= 0x01;
	assert_int_equal(authstate_unseal(&c, "2468", &s), -1);
	/* The label is not covered: it may be renamed. */
	c = b;
	strcpy(c.label, "renamed");
	assert_int_equal(authstate_unseal(&c, "2468", &s), 0);
	authstate_secret_clear(&s);
}

static void
test_save_then_load_round_trips_with_mode_0600(void **state)
{
	struct env		*f = *state;
	struct authstate	*st, *back;
	struct stat		 sb;
	struct dirent		*de;
	DIR			*d;
	char			 err[256];
	size_t			 n;

	st = calloc(1, sizeof(*st));
	back = calloc(1, sizeof(*back));
	assert_non_null(st);
	assert_non_null(back);
	binding_make(&st->binding[0], "alice", BID1);
	binding_make(&st->binding[1], "bob@example.org", BID2);
	assert_int_equal(authstate_seal(&st->binding[0], "2468", f->k,
	    f->device), 0);
	assert_int_equal(authstate_seal(&st->binding[1], "1357", f->k,
	    f->device), 0);
	st->count = 2;

	assert_int_equal(authstate_save(f->path, st, err, sizeof(err)), 0);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(authstate_load(f->path, back, err, sizeof(err)), 0);
	assert_int_equal(back->count, 2);
	assert_memory_equal(&back->binding[0], &st->binding[0],
	    sizeof(st->binding[0]));
	assert_memory_equal(&back->binding[1], &st->binding[1],
	    sizeof(st->binding[1]));
	/* The temporary file is gone: the directory holds the state only. */
	assert_non_null(d = opendir(f->dir));
	for (n = 0; (de = readdir(d)) != NULL; n++)
		;
	closedir(d);
	assert_int_equal(n, 3);
	free(st);
	free(back);
}

static void
test_load_of_missing_file_is_empty(void **state)
{
	struct env		*f = *state;
	struct authstate	*st;
	char			 err[256];

	st = calloc(1, sizeof(*st));
	assert_non_null(st);
	assert_int_equal(authstate_load(f->path, st, err, sizeof(err)), 0);
	assert_int_equal(st->count, 0);
	assert_null(authstate_select(st, NULL, err, sizeof(err)));
	free(st);
}

static void
test_load_refuses_file_open_to_others(void **state)
{
	struct env		*f = *state;
	struct authstate	*st;
	char			 err[256];

	st = calloc(1, sizeof(*st));
	assert_non_null(st);
	file_write(f->path, "{\"version\": 1, \"bindings\": []}", 0600);
	assert_int_equal(authstate_load(f->path, st, err, sizeof(err)), 0);
	assert_int_equal(chmod(f->path, 0640), 0);
	assert_int_equal(authstate_load(f->path, st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(chmod(f->path, 0602), 0);
	assert_int_equal(authstate_load(f->path, st, err, sizeof(err)), -1);
	free(st);
}

static void
test_load_rejects_malformed_files(void **state)
{
	static const char *const bad[] = {
		"",
		"not json",
		"{\"version\": 2, \"bindings\": []}",
		"{\"version\": 1}",
		"{\"version\": 1, \"bindings\": [{}]}",
		"{\"version\": 1, \"version\": 1, \"bindings\": []}",
	};
	struct env		*f = *state;
	struct authstate	*st;
	char			 err[256];
	size_t			 i;

	st = calloc(1, sizeof(*st));
	assert_non_null(st);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		file_write(f->path, bad[i], 0600);
		assert_int_equal(authstate_load(f->path, st, err,
		    sizeof(err)), -1);
		assert_int_equal(st->count, 0);
	}
	free(st);
}

/* Saves one sealed binding, edits one member, and expects a refusal. */
static void
test_load_rejects_edited_members(void **state)
{
	static const char *const edits[][2] = {
		{ "\"" BASE "\"", "\"http://idp.example.org\"" },
		{ "\"enter\"", "\"none\"" },
		{ "\"n\": 32768", "\"n\": 30000" },
		{ "\"n\": 32768", "\"n\": 4194304" },
		{ "\"kdf\": \"scrypt\"", "\"kdf\": \"pbkdf2\"" },
		{ "\"" BID1 "\"", "\"0123\"" },
	};
	struct env		*f = *state;
	struct authstate	*st;
	FILE			*fp;
	char			 text[4096], edited[4096], err[256], *p;
	size_t			 i, n;

	st = calloc(1, sizeof(*st));
	assert_non_null(st);
	binding_make(&st->binding[0], "alice", BID1);
	assert_int_equal(authstate_seal(&st->binding[0], "2468", f->k,
	    f->device), 0);
	st->count = 1;
	assert_int_equal(authstate_save(f->path, st, err, sizeof(err)), 0);
	assert_non_null(fp = fopen(f->path, "r"));
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);

	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		assert_non_null(p = strstr(text, edits[i][0]));
		snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(p - text),
		    text, edits[i][1], p + strlen(edits[i][0]));
		file_write(f->path, edited, 0600);
		assert_int_equal(authstate_load(f->path, st, err,
		    sizeof(err)), -1);
	}
	free(st);
}

static void
test_select_picks_by_id_or_user_at_issuer(void **state)
{
	struct authstate	*st;
	char			 err[256];

	(void)state;
	st = calloc(1, sizeof(*st));
	assert_non_null(st);
	binding_make(&st->binding[0], "alice", BID1);
	st->count = 1;
	assert_ptr_equal(authstate_select(st, NULL, err, sizeof(err)),
	    &st->binding[0]);
	binding_make(&st->binding[1], "bob@example.org", BID2);
	st->count = 2;
	assert_null(authstate_select(st, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "-a"));
	assert_ptr_equal(authstate_select(st, BID2, err, sizeof(err)),
	    &st->binding[1]);
	assert_ptr_equal(authstate_select(st, "bob@example.org@" BASE, err,
	    sizeof(err)), &st->binding[1]);
	assert_ptr_equal(authstate_select(st, "alice@" BASE, err,
	    sizeof(err)), &st->binding[0]);
	assert_null(authstate_select(st, "alice", err, sizeof(err)));
	assert_null(authstate_select(st, "alice@https://other.example", err,
	    sizeof(err)));
	assert_int_equal(authstate_add(st, &st->binding[0]), -1);
	free(st);
}

static void
test_url_valid_requires_https_off_loopback(void **state)
{
	static const char *const good[] = {
		"https://idp.example.org", "https://idp.example.org:8443",
		"https://idp.example.org/mutua", "http://127.0.0.1:8080",
		"http://localhost", "http://[::1]:8080", "https://[2001:db8::1]",
	};
	static const char *const bad[] = {
		"", "idp.example.org", "ftp://idp.example.org",
		"http://idp.example.org", "http://127.0.0.2",
		"http://localhost.example.org", "https://idp.example.org/",
		"https://user@idp.example.org", "https://idp.example.org?x=1",
		"https://idp.example.org#x", "https://idp.example.org:0",
		"https://idp.example.org:65536", "https://idp example.org",
		"https://", "https://idp.example.org/a b", "https://[::1",
		"https://idp.example.org:80x",
	};
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(authstate_url_valid(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (authstate_url_valid(bad[i]))
			fail_msg("accepted %s", bad[i]);
	}
}

static void
test_from_answer_checks_issuer_and_suite(void **state)
{
	struct authstate_binding	 b;
	unsigned char			 k[OFFSET_KEY_LEN], want[OFFSET_KEY_LEN];
	char				 kb64[64], err[256];
	json_t				*a;

	(void)state;
	memset(want, 0xc3, sizeof(want));
	assert_int_equal(crypto_b64url_encode(want, sizeof(want), kb64,
	    sizeof(kb64)), 0);
	a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
	    "binding_id", BID1, "user_id", "alice", "issuer", BASE,
	    "verification_key", kb64, "suite", OFFSET_SUITE,
	    "comparison", "select", "code_lifetime", 90, "loa", 3);
	assert_non_null(a);

	memset(&b, 0, sizeof(b));
	strcpy(b.issuer, BASE);
	assert_int_equal(authstate_from_answer(a, &b, k, err, sizeof(err)), 0);
	assert_memory_equal(k, want, sizeof(k));
	assert_string_equal(b.binding_id, BID1);
	assert_string_equal(b.user_id, "alice");
	assert_string_equal(b.comparison, "select");
	assert_int_equal(b.code_lifetime, 90);
	assert_int_equal(b.loa, 3);

	/* The IdP must call itself what we connected to. */
	strcpy(b.issuer, "https://idp.example.net");
	assert_int_equal(authstate_from_answer(a, &b, k, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "calls itself"));
	strcpy(b.issuer, BASE);
	json_object_set_new(a, "suite", json_string("OCRA-1:HOTP-SHA1-6:QH64"));
	assert_int_equal(authstate_from_answer(a, &b, k, err, sizeof(err)),
	    -1);
	json_object_set_new(a, "suite", json_string(OFFSET_SUITE));
	json_object_set_new(a, "verification_key", json_string("AAAA"));
	assert_int_equal(authstate_from_answer(a, &b, k, err, sizeof(err)),
	    -1);
	json_object_set_new(a, "verification_key", json_string(kb64));
	json_object_set_new(a, "binding_id", json_string("../../etc"));
	assert_int_equal(authstate_from_answer(a, &b, k, err, sizeof(err)),
	    -1);
	json_decref(a);
}

static void
test_pin_file_must_be_private(void **state)
{
	struct env	*f = *state;
	char		 pin[AUTHSTATE_PIN_MAX + 2], err[256];

	file_write(f->path, "2468\nignored\n", 0600);
	assert_int_equal(authstate_pin_read(f->path, "PIN: ", pin,
	    sizeof(pin), err, sizeof(err)), 0);
	assert_string_equal(pin, "2468");
	assert_int_equal(chmod(f->path, 0644), 0);
	assert_int_equal(authstate_pin_read(f->path, "PIN: ", pin,
	    sizeof(pin), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chmod 600"));
	file_write(f->path, "\n", 0600);
	assert_int_equal(authstate_pin_read(f->path, "PIN: ", pin,
	    sizeof(pin), err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_unseal_returns_what_was_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unseal_rejects_wrong_pin,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_rejects_short_pin,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unseal_fails_when_the_record_is_edited, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_save_then_load_round_trips_with_mode_0600, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_load_of_missing_file_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_load_refuses_file_open_to_others, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_load_rejects_malformed_files, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_load_rejects_edited_members, setup, teardown),
		cmocka_unit_test(test_select_picks_by_id_or_user_at_issuer),
		cmocka_unit_test(test_url_valid_requires_https_off_loopback),
		cmocka_unit_test(test_from_answer_checks_issuer_and_suite),
		cmocka_unit_test_setup_teardown(test_pin_file_must_be_private,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
