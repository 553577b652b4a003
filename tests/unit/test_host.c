/*
 * Unit tests for src/host.c and src/host_login.c: host names, the
 * registrations under hosts_dir, host-signed requests (context, time,
 * key), and the logins hosts start and take (docs/protocol.md §7).
 * A real store in a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device.h"
#include "fixture.h"
#include "host.h"
#include "store_binding.h"
#include "store_oob.h"
#include "store_user.h"

#define HOST		"build-3.example"
#define SESSION		"00112233445566778899aabbccddeeff"
#define PATH		"/oob/v1/host/start"
#define BODY		"{\"user_id\":\"alice\"}"

struct host_fixture {
	struct fixture	 f;
	EVP_PKEY	*key;
};

static int	setup(void **);
static int	teardown(void **);
static void	write_host(struct host_fixture *, const char *, const char *);
static void	register_key(struct host_fixture *, EVP_PKEY *);
static void	sign(struct host_fixture *, EVP_PKEY *, const char *,
		    const char *, char *, size_t, struct oob_device_in *);
static void	add_user(struct fixture *, const char *, uint32_t);
static void	set_state(struct fixture *, const char *, uint32_t);
static void	load(struct host_fixture *, struct host *);
static void	start_alice(struct host_fixture *, struct host *,
		    struct host_start_in *, struct oob_view *);

/* A store, the core context, hosts_dir under the fixture's directory. */
static int
setup(void **state)
{
	struct host_fixture	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    fixture_store_open(&h->f) == -1 || fixture_core(&h->f) == -1)
		return (-1);
	snprintf(h->f.cfg.hosts_dir, sizeof(h->f.cfg.hosts_dir), "%s",
	    h->f.dir);
	if ((h->key = device_key_generate()) == NULL)
		return (-1);
	*state = h;
	return (0);
}

static int
teardown(void **state)
{
	struct host_fixture	*h = *state;
	int			 rc;

	EVP_PKEY_free(h->key);
	rc = fixture_store_close(&h->f);
	free(h);
	return (rc);
}

static void
write_host(struct host_fixture *h, const char *name, const char *text)
{
	FILE	*fp;
	char	 path[FIXTURE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.json", h->f.dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

/* Registers HOST with key's public point. */
static void
register_key(struct host_fixture *h, EVP_PKEY *key)
{
	unsigned char	point[DEVICE_PUBKEY_LEN];
	char		b64[128], text[512];

	assert_int_equal(device_key_public(key, point), 0);
	assert_int_equal(crypto_b64url_encode(point, sizeof(point), b64,
	    sizeof(b64)), 0);
	snprintf(text, sizeof(text), "{\"display_name\": \"Build server 3\", "
	    "\"public_key\": \"%s\"}", b64);
	write_host(h, HOST, text);
}

/* A request of HOST signed by key under context, at the fixture's time. */
static void
sign(struct host_fixture *h, EVP_PKEY *key, const char *context,
    const char *ts, char *sig64, size_t len, struct oob_device_in *in)
{
	unsigned char	sig[DEVICE_SIG_LEN];
	char		text[512], hash[65];

	crypto_sha256_hex(BODY, strlen(BODY), hash);
	snprintf(text, sizeof(text), "%s\nPOST\n%s\n%s\n%s", context, PATH,
	    ts, hash);
	assert_int_equal(device_sign(key, text, strlen(text), sig), 0);
	assert_int_equal(crypto_b64url_encode(sig, sizeof(sig), sig64, len),
	    0);
	memset(in, 0, sizeof(*in));
	in->binding_id = HOST;
	in->timestamp = ts;
	in->signature = sig64;
	in->method = "POST";
	in->path = PATH;
	in->body = BODY;
	in->bodylen = strlen(BODY);
}

static void
add_user(struct fixture *f, const char *id, uint32_t flags)
{
	struct store_txn	txn;
	struct user		u;

	memset(&u, 0, sizeof(u));
	snprintf(u.id, sizeof(u.id), "%s", id);
	u.flags = flags;
	assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
	assert_int_equal(store_user_add(&txn, &u), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* What oob_decide() does to a request, without an authenticator. */
static void
set_state(struct fixture *f, const char *id, uint32_t st)
{
	struct store_txn	txn;
	struct oob_request	req;

	assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
	assert_int_equal(store_oob_request_get(&txn, id, &req), 0);
	req.state = st;
	req.loa = 2;
	assert_int_equal(store_oob_request_put(&txn, &req), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_host_names_are_file_and_offset_safe(void **state)
{
	assert_true(host_name_valid("build-3.example"));
	assert_true(host_name_valid("a"));
	assert_false(host_name_valid(""));
	assert_false(host_name_valid(".hidden"));
	assert_false(host_name_valid("../etc/passwd"));
	assert_false(host_name_valid("Build"));
	assert_false(host_name_valid("a/b"));
	assert_false(host_name_valid("0123456789012345678901234567890123456789"
	    "012345678901234567890123"));
	assert_true(host_field_valid(NULL));
	assert_true(host_field_valid("2001:db8::1"));
	assert_true(host_field_valid("/dev/pts/0"));
	assert_false(host_field_valid("a b"));
	assert_false(host_field_valid("x\n"));
}

static void
test_host_load_reads_a_registration(void **state)
{
	struct host_fixture	*h = *state;
	struct host		 got;
	unsigned char		 point[DEVICE_PUBKEY_LEN];
	const char		*why;

	register_key(h, h->key);
	assert_int_equal(host_load(&h->f.cfg, HOST, &got, &why), 0);
	assert_string_equal(got.name, HOST);
	assert_string_equal(got.display_name, "Build server 3");
	assert_int_equal(device_key_public(h->key, point), 0);
	assert_memory_equal(got.pubkey, point, sizeof(point));
	assert_int_equal(host_load(&h->f.cfg, "other", &got, &why), 1);
	assert_int_equal(host_load(&h->f.cfg, "../x", &got, &why), 1);
}

static void
test_host_load_refuses_malformed_registrations(void **state)
{
	static const char	*bad[] = {
		"not json",
		"[]",
		"{\"display_name\": \"A\"}",
		"{\"display_name\": \"A\", \"public_key\": \"AAAA\"}",
		"{\"display_name\": \"A\", \"public_key\": 4}",
		"{\"display_name\": \"A\\u0007\", \"public_key\": \"%s\"}",
		"{\"display_name\": \"A\", \"public_key\": \"%s\", "
		    "\"x\": 1}",
		"{\"display_name\": \"A\", \"display_name\": \"B\", "
		    "\"public_key\": \"%s\"}",
	};
	struct host_fixture	*h = *state;
	struct host		 got;
	unsigned char		 point[DEVICE_PUBKEY_LEN];
	char			 b64[128], text[512];
	const char		*why;
	size_t			 i;

	assert_int_equal(device_key_public(h->key, point), 0);
	assert_int_equal(crypto_b64url_encode(point, sizeof(point), b64,
	    sizeof(b64)), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), bad[i], b64);
		write_host(h, HOST, text);
		assert_int_equal(host_load(&h->f.cfg, HOST, &got, &why), -1);
		assert_non_null(why);
	}
	/* A point that is not uncompressed (0x04 || X || Y). */
	point[0] = 0x02;
	assert_int_equal(crypto_b64url_encode(point, sizeof(point), b64,
	    sizeof(b64)), 0);
	snprintf(text, sizeof(text), "{\"display_name\": \"A\", "
	    "\"public_key\": \"%s\"}", b64);
	write_host(h, HOST, text);
	assert_int_equal(host_load(&h->f.cfg, HOST, &got, &why), -1);
}

static void
test_host_requests_are_signed_by_the_host_key_in_its_context(void **state)
{
	struct host_fixture	*h = *state;
	struct oob_device_in	 in;
	struct host		 got;
	EVP_PKEY		*other;
	char			 ts[24], old[24], sig[128];

	register_key(h, h->key);
	snprintf(ts, sizeof(ts), "%llu", (unsigned long long)h->f.ctx.now);
	sign(h, h->key, HOST_CONTEXT, ts, sig, sizeof(sig), &in);
	assert_int_equal(host_login_auth(&h->f.ctx, &in, &got), OOB_OK);
	assert_string_equal(got.name, HOST);

	/* A device's signature never serves as a host's. */
	sign(h, h->key, OOB_DEVICE_CONTEXT, ts, sig, sizeof(sig), &in);
	assert_int_equal(host_login_auth(&h->f.ctx, &in, &got),
	    OOB_ERR_SIGNATURE);
	/* Another key: the wrong host key. */
	assert_non_null(other = device_key_generate());
	sign(h, other, HOST_CONTEXT, ts, sig, sizeof(sig), &in);
	EVP_PKEY_free(other);
	assert_int_equal(host_login_auth(&h->f.ctx, &in, &got),
	    OOB_ERR_SIGNATURE);
	/* The body is covered. */
	sign(h, h->key, HOST_CONTEXT, ts, sig, sizeof(sig), &in);
	in.body = "{\"user_id\":\"mallory\"}";
	in.bodylen = strlen(in.body);
	assert_int_equal(host_login_auth(&h->f.ctx, &in, &got),
	    OOB_ERR_SIGNATURE);
	/* Out of the clock window: the replay bound. */
	snprintf(old, sizeof(old), "%llu",
	    (unsigned long long)h->f.ctx.now - OOB_DEVICE_SKEW - 1);
	sign(h, h->key, HOST_CONTEXT, old, sig, sizeof(sig), &in);
	assert_int_equal(host_login_auth(&h->f.ctx, &in, &got),
	    OOB_ERR_STALE);
	/* An unknown host, and a registration that cannot be read. */
	sign(h, h->key, HOST_CONTEXT, ts, sig, sizeof(sig), &in);
	in.binding_id = "stranger";
	assert_int_equal(host_login_auth(&h->f.ctx, &in, &got),
	    OOB_ERR_SIGNATURE);
	write_host(h, HOST, "{}");
	in.binding_id = HOST;
	assert_int_equal(host_login_auth(&h->f.ctx, &in, &got),
	    OOB_ERR_STORE);
}

/* A registered host, as host_login_auth() hands it over. */
static void
load(struct host_fixture *h, struct host *got)
{
	const char	*why;

	register_key(h, h->key);
	assert_int_equal(host_load(&h->f.cfg, HOST, got, &why), 0);
}

/* Registers HOST, adds alice with a binding and starts her login. */
static void
start_alice(struct host_fixture *h, struct host *host,
    struct host_start_in *in, struct oob_view *view)
{
	load(h, host);
	add_user(&h->f, "alice", 0);
	assert_int_equal(fixture_binding_add(&h->f, "alice"), 0);
	memset(in, 0, sizeof(*in));
	in->user_id = "alice";
	in->session = SESSION;
	assert_int_equal(host_login_start(&h->f.ctx, host, in, view), OOB_OK);
}

static void
test_host_login_names_the_host_in_the_offset(void **state)
{
	struct host_fixture	*h = *state;
	struct host		 host;
	struct host_start_in	 in;
	struct oob_view		 view;
	struct store_txn	 txn;
	struct oob_request	 req;
	struct offset_fields	 f;

	load(h, &host);
	add_user(&h->f, "alice", 0);
	assert_int_equal(fixture_binding_add(&h->f, "alice"), 0);
	memset(&in, 0, sizeof(in));
	in.user_id = "alice";
	in.session = SESSION;
	in.rhost = "198.51.100.7";
	in.service = "sshd";
	in.tty = "ssh";
	assert_int_equal(host_login_start(&h->f.ctx, &host, &in, &view),
	    OOB_OK);
	assert_int_equal(strlen(view.code), OFFSET_CODE_LEN);
	assert_int_equal(store_txn_begin(h->f.st, &txn, 0), 0);
	assert_int_equal(store_oob_request_get(&txn, view.request_id, &req),
	    0);
	store_txn_abort(&txn);
	assert_int_equal(offset_parse(req.offset, &f), 0);
	assert_string_equal(f.rp, "host:" HOST);
	assert_string_equal(f.rpn, "Build server 3");
	assert_string_equal(f.tpub, FIXTURE_ADDR);
	assert_string_equal(f.tpriv, "198.51.100.7");
	assert_string_equal(f.ua, "pam_mutua service=sshd tty=ssh");
	assert_string_equal(f.uid, "alice");
}

static void
test_host_login_refuses_bad_input_and_users_without_binding(void **state)
{
	struct host_fixture	*h = *state;
	struct host		 host;
	struct host_start_in	 in;
	struct oob_view		 view;

	load(h, &host);
	add_user(&h->f, "alice", 0);
	assert_int_equal(fixture_binding_add(&h->f, "alice"), 0);
	add_user(&h->f, "dora", USER_DISABLED);
	assert_int_equal(fixture_binding_add(&h->f, "dora"), 0);
	add_user(&h->f, "bob", 0);
	memset(&in, 0, sizeof(in));
	in.session = SESSION;
	in.user_id = "bob";
	assert_int_equal(host_login_start(&h->f.ctx, &host, &in, &view),
	    OOB_ERR_NO_BINDING);
	in.user_id = "nobody";
	assert_int_equal(host_login_start(&h->f.ctx, &host, &in, &view),
	    OOB_ERR_NO_BINDING);
	in.user_id = "Root";
	assert_int_equal(host_login_start(&h->f.ctx, &host, &in, &view),
	    OOB_ERR_NO_BINDING);
	in.user_id = "dora";
	assert_int_equal(host_login_start(&h->f.ctx, &host, &in, &view),
	    OOB_ERR_NO_BINDING);
	in.user_id = "alice";
	in.session = "short";
	assert_int_equal(host_login_start(&h->f.ctx, &host, &in, &view),
	    OOB_ERR_INVALID);
	in.session = SESSION;
	in.tty = "pts/0\x1b[2J";
	assert_int_equal(host_login_start(&h->f.ctx, &host, &in, &view),
	    OOB_ERR_INVALID);
	in.tty = NULL;
	in.user_id = NULL;
	assert_int_equal(host_login_start(&h->f.ctx, &host, &in, &view),
	    OOB_ERR_INVALID);
}

static void
test_host_login_status_takes_an_approval_once(void **state)
{
	struct host_fixture	*h = *state;
	struct host		 host, other;
	struct host_start_in	 in;
	struct oob_view		 view;
	uint32_t		 st;

	start_alice(h, &host, &in, &view);
	assert_int_equal(host_login_status(&h->f.ctx, &host, view.request_id,
	    SESSION, &st), OOB_OK);
	assert_int_equal(st, OOB_PENDING);

	/* Only the host and the session that started it see the request. */
	other = host;
	strcpy(other.name, "other");
	assert_int_equal(host_login_status(&h->f.ctx, &other,
	    view.request_id, SESSION, &st), OOB_ERR_UNKNOWN_REQUEST);
	assert_int_equal(host_login_status(&h->f.ctx, &host, view.request_id,
	    "ffeeddccbbaa99887766554433221100", &st),
	    OOB_ERR_UNKNOWN_REQUEST);
	assert_int_equal(host_login_status(&h->f.ctx, &host, "x", SESSION,
	    &st), OOB_ERR_INVALID);

	set_state(&h->f, view.request_id, OOB_APPROVED);
	assert_int_equal(host_login_status(&h->f.ctx, &host, view.request_id,
	    SESSION, &st), OOB_OK);
	assert_int_equal(st, OOB_APPROVED);
	assert_int_equal(host_login_status(&h->f.ctx, &host, view.request_id,
	    SESSION, &st), OOB_OK);
	assert_int_equal(st, OOB_USED);
}

static void
test_host_login_status_reports_denial_and_expiry(void **state)
{
	struct host_fixture	*h = *state;
	struct host		 host;
	struct host_start_in	 in;
	struct oob_view		 view;
	uint32_t		 st;

	start_alice(h, &host, &in, &view);
	set_state(&h->f, view.request_id, OOB_DENIED);
	assert_int_equal(host_login_status(&h->f.ctx, &host, view.request_id,
	    SESSION, &st), OOB_OK);
	assert_int_equal(st, OOB_DENIED);

	h->f.ctx.now += 1;
	assert_int_equal(host_login_start(&h->f.ctx, &host, &in, &view),
	    OOB_OK);
	h->f.ctx.now = view.expires;
	assert_int_equal(host_login_status(&h->f.ctx, &host, view.request_id,
	    SESSION, &st), OOB_OK);
	assert_int_equal(st, OOB_EXPIRED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_names_are_file_and_offset_safe),
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_host_load_reads_a_registration),
		T(test_host_load_refuses_malformed_registrations),
		T(test_host_requests_are_signed_by_the_host_key_in_its_context),
		T(test_host_login_names_the_host_in_the_offset),
		T(test_host_login_refuses_bad_input_and_users_without_binding),
		T(test_host_login_status_takes_an_approval_once),
		T(test_host_login_status_reports_denial_and_expiry),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
