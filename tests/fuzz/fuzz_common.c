/*
 * The harnesses' shared set-up (fuzz_common.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "device.h"
#include "fuzz_common.h"
#include "offset.h"
#include "ratelimit.h"
#include "store_oob.h"
#include "store_sweep.h"
#include "store_user.h"

/*
 * Fixed P-256 keys, so that the signatures in the seed corpus verify in
 * every run. Test keys only: they sign nothing outside the fuzzers.
 */
static const char	fuzz_device_pem[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MDECAQEEIJ9jIBZIXdSHy3mslcOnMTLMicrfABfLgxbQleiNQQasoAoGCCqGSM49\n"
	"AwEH\n"
	"-----END EC PRIVATE KEY-----\n";
static const char	fuzz_client_pem[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MDECAQEEIG3gIiXEuYa8cH+L46PoBdVHJWJnhgLBMzxZ0yCmVVXmoAoGCCqGSM49\n"
	"AwEH\n"
	"-----END EC PRIVATE KEY-----\n";

/*
 * A hash the parser accepts that never verifies, at no cost: a cost
 * parameter below crypto_password_verify()'s minimum. A real scrypt
 * hash would make each guessed password cost 94 ms.
 */
#define FUZZ_NO_PASSWORD	"scrypt$1$1$1$00112233445566778899aabbccddeeff$" \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* A shell command naming three paths of struct config. */
#define FUZZ_CMD_MAX		(3 * PATH_MAX + 256)

static struct store_sweeper	fuzz_sweeper;
static struct fuzz		*fuzz_opened;

static EVP_PKEY	*fuzz_key(const char *);
static void	 fuzz_store_renew(struct fuzz *);
static void	 fuzz_close(void);
static void	 fuzz_trap(int);
static void	 fuzz_client_file(struct fuzz *, const char *, const char *);

void
fuzz_die(const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/* libFuzzer ends with exit(): the directory goes with the process. */
static void
fuzz_close(void)
{
	if (fuzz_opened != NULL)
		(void)fixture_store_close(&fuzz_opened->f);
	fuzz_opened = NULL;
}

void
fuzz_open(struct fuzz *fz, int (*seed)(struct fuzz *))
{
	memset(fz, 0, sizeof(*fz));
	if (fuzz_opened != NULL)
		fuzz_die("one fuzz_open() per process");
	if (fixture_store_open(&fz->f) == -1 || fixture_core(&fz->f) == -1)
		fuzz_die("cannot build the fixture");
	fuzz_opened = fz;
	atexit(fuzz_close);
	fz->f.ctx.now = FUZZ_NOW;
	fz->seed = seed;
	if (seed != NULL && seed(fz) == -1)
		fuzz_die("cannot seed the store");
}

/* Closes the store, removes its files and opens a new one, seeded. */
static void
fuzz_store_renew(struct fuzz *fz)
{
	char	err[512];

	store_close(fz->f.st);
	fz->f.st = NULL;
	if (fixture_dir_remove(fz->f.path) == -1 ||
	    store_open(&fz->f.st, fz->f.path, FIXTURE_MAP_SIZE, NULL, err,
	    sizeof(err)) == -1)
		fuzz_die("cannot make the store anew: %s", err);
	fz->f.ctx.store = fz->f.st;
	if (fz->seed != NULL && fz->seed(fz) == -1)
		fuzz_die("cannot seed the store");
}

void
fuzz_next(struct fuzz *fz)
{
	if (++fz->runs % FUZZ_STORE_RUNS == 0) {
		fuzz_store_renew(fz);
		return;
	}
	if (store_sweep(fz->f.st, &fuzz_sweeper,
	    fz->f.ctx.now + 2 * RATELIMIT_WINDOW_MAX) == -1)
		fuzz_die("store_sweep failed");
}

char *
fuzz_string(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		fuzz_die("out of memory");
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return (s);
}

void
fuzz_fields(char *s, const char **fields, size_t n)
{
	char	*nl;
	size_t	 i;

	for (i = 0; i < n; i++) {
		fields[i] = s != NULL && *s != '\0' ? s : NULL;
		if (s == NULL)
			continue;
		if (i + 1 < n && (nl = strchr(s, '\n')) != NULL) {
			*nl = '\0';
			s = nl + 1;
		} else
			s = NULL;
		if (fields[i] != NULL && *fields[i] == '\0')
			fields[i] = NULL;
	}
}

void
fuzz_file(struct fuzz *fz, const char *name, const void *data, size_t size,
    char *path)
{
	int	fd;

	if (snprintf(path, FIXTURE_PATH_MAX, "%s/%s", fz->f.dir, name) >=
	    FIXTURE_PATH_MAX)
		fuzz_die("%s: path too long", name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) == -1)
		fuzz_die("%s: %s", path, strerror(errno));
}

static EVP_PKEY *
fuzz_key(const char *pem)
{
	BIO		*bio;
	EVP_PKEY	*key;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		fuzz_die("out of memory");
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL)
		fuzz_die("cannot read a fixed key");
	return (key);
}

EVP_PKEY *
fuzz_device_key(void)
{
	return (fuzz_key(fuzz_device_pem));
}

EVP_PKEY *
fuzz_client_key(void)
{
	return (fuzz_key(fuzz_client_pem));
}

int
fuzz_seed_binding(struct fuzz *fz, int pending)
{
	struct store_txn	 txn;
	struct user		 u;
	struct binding		 b;
	struct oob_request	 req;
	struct registration	 reg;
	struct offset_fields	 of;
	EVP_PKEY		*device;
	unsigned char		 key[BINDING_KEY_LEN];
	int			 rc;

	memset(&u, 0, sizeof(u));
	memset(&b, 0, sizeof(b));
	memset(&req, 0, sizeof(req));
	memset(&of, 0, sizeof(of));
	memset(&reg, 0, sizeof(reg));
	strcpy(u.id, FUZZ_USER);
	strcpy(u.display_name, "Alice");
	strcpy(u.password_hash, FUZZ_NO_PASSWORD);
	u.created = FUZZ_NOW;

	device = fuzz_device_key();
	rc = device_key_public(device, b.pubkey);
	EVP_PKEY_free(device);
	memset(key, 0x42, sizeof(key));
	strcpy(b.id, FUZZ_BINDING);
	strcpy(b.user_id, FUZZ_USER);
	strcpy(b.authenticator_id, "fuzz");
	strcpy(b.label, "phone");
	b.loa = 3;
	b.state = BINDING_ACTIVE;
	b.created = b.last_used = FUZZ_NOW;
	if (rc == -1 || crypto_wrap(&fz->f.master, b.id, strlen(b.id), key,
	    sizeof(key), b.wrapped_key) == -1)
		return (-1);

	strcpy(req.id, FUZZ_REQUEST);
	strcpy(req.user_id, FUZZ_USER);
	strcpy(req.binding_id, FUZZ_BINDING);
	crypto_sha256_hex("fuzz", 4, req.session_key);
	strcpy(of.rp, "https://sp.example.org/shibboleth");
	offset_session_hash("fuzz", of.sid);
	strcpy(of.tpub, FIXTURE_ADDR);
	strcpy(of.tpriv, "-");
	strcpy(of.ua, "Mozilla/5.0");
	strcpy(of.uid, FUZZ_USER);
	of.t = FUZZ_NOW;
	memset(of.n, 'a', 32);
	req.created = FUZZ_NOW;
	/* Never expires, whatever clock a harness runs. */
	req.expires = UINT64_MAX / 2;
	req.state = OOB_PENDING;
	if (offset_build(&of, req.offset, sizeof(req.offset)) == -1)
		return (-1);
	strcpy(reg.user_id, FUZZ_USER);
	strcpy(reg.created_by, FUZZ_USER);
	reg.loa = 2;
	reg.expires = UINT64_MAX / 2;

	if (store_txn_begin(fz->f.st, &txn, 1) == -1)
		return (-1);
	store_user_put(&txn, &u);
	store_binding_put(&txn, &b);
	if (pending) {
		store_oob_request_put(&txn, &req);
		store_oob_pending_set(&txn, FUZZ_USER, FUZZ_REQUEST);
		store_registration_put(&txn, FUZZ_REG_CODE, &reg);
	}
	OPENSSL_cleanse(&b, sizeof(b));
	OPENSSL_cleanse(key, sizeof(key));
	return (store_txn_commit(&txn));
}

int
fuzz_seed_user(struct fuzz *fz)
{
	return (fuzz_seed_binding(fz, 0));
}

int
fuzz_seed_pending(struct fuzz *fz)
{
	return (fuzz_seed_binding(fz, 1));
}

void
fuzz_oidc_ctx(struct fuzz *fz, struct oidc *op, struct oidc_ctx *oc)
{
	oc->op = op;
	oc->store = fz->f.st;
	oc->now = FUZZ_NOW;
	oc->addr = FIXTURE_ADDR;
}

/* Writes one client registration into fz's clients/ directory. */
static void
fuzz_client_file(struct fuzz *fz, const char *name, const char *json)
{
	char	file[FIXTURE_PATH_MAX], path[FIXTURE_PATH_MAX];

	snprintf(file, sizeof(file), "clients/%s.json", name);
	fuzz_file(fz, file, json, strlen(json), path);
}

void
fuzz_oidc_open(struct fuzz *fz, struct oidc *op)
{
	struct config	*cfg = &fz->f.cfg;
	EVP_PKEY	*key;
	unsigned char	 point[DEVICE_PUBKEY_LEN];
	char		 cmd[FUZZ_CMD_MAX], x[64], y[64], json[1024];
	char		 err[CONFIG_ERR_MAX];

	snprintf(cfg->oidc_ec_key, sizeof(cfg->oidc_ec_key), "%s/es.key",
	    fz->f.dir);
	snprintf(cfg->oidc_rsa_key, sizeof(cfg->oidc_rsa_key), "%s/rs.key",
	    fz->f.dir);
	snprintf(cfg->clients_dir, sizeof(cfg->clients_dir), "%s/clients",
	    fz->f.dir);
	snprintf(cmd, sizeof(cmd), "umask 077; mkdir %s && "
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	    "-out %s 2>/dev/null && openssl genpkey -algorithm RSA "
	    "-pkeyopt rsa_keygen_bits:2048 -out %s 2>/dev/null",
	    cfg->clients_dir, cfg->oidc_ec_key, cfg->oidc_rsa_key);
	if (system(cmd) != 0)
		fuzz_die("cannot make the provider's keys");

	key = fuzz_client_key();
	if (device_key_public(key, point) == -1 ||
	    crypto_b64url_encode(point + 1, 32, x, sizeof(x)) == -1 ||
	    crypto_b64url_encode(point + 33, 32, y, sizeof(y)) == -1)
		fuzz_die("cannot read the client key");
	EVP_PKEY_free(key);
	fuzz_client_file(fz, FUZZ_CLIENT_PUBLIC, "{\"client_id\": \""
	    FUZZ_CLIENT_PUBLIC "\", \"token_endpoint_auth_method\": \"none\","
	    "\"redirect_uris\": [\"" FUZZ_REDIRECT "\"], \"scope\": "
	    "\"openid email profile\", \"claims\": [\"email\", \"name\"],"
	    "\"grant_types\": [\"authorization_code\", \"refresh_token\"]}");
	snprintf(json, sizeof(json), "{\"client_id\": \"" FUZZ_CLIENT_JWT
	    "\", \"token_endpoint_auth_method\": \"private_key_jwt\","
	    "\"redirect_uris\": [\"" FUZZ_REDIRECT "\"], \"subject_type\":"
	    "\"pairwise\", \"id_token_signed_response_alg\": \"RS256\","
	    "\"jwks\": {\"keys\": [{\"kty\": \"EC\", \"crv\": \"P-256\","
	    "\"x\": \"%s\", \"y\": \"%s\"}]}}", x, y);
	fuzz_client_file(fz, FUZZ_CLIENT_JWT, json);
	fuzz_client_file(fz, FUZZ_CLIENT_BASIC, "{\"client_id\": \""
	    FUZZ_CLIENT_BASIC "\", \"client_secret_hash\": \""
	    FUZZ_NO_PASSWORD "\", \"redirect_uris\": [\"" FUZZ_REDIRECT
	    "\"]}");
	if (oidc_load(op, cfg, &fz->f.master, FUZZ_NOW, err,
	    sizeof(err)) == -1)
		fuzz_die("oidc_load: %s", err);
	if (op->clients.n != 3)
		fuzz_die("a client registration did not load");
}

/*
 * GLib ends the process on a G_LOG_LEVEL_ERROR message with SIGTRAP,
 * which libFuzzer does not catch: as SIGABRT it is a finding with its
 * input saved.
 */
static void
fuzz_trap(int sig)
{
	abort();
}

void
fuzz_saml_open(struct fuzz *fz, struct saml_idp *idp, int with_sp)
{
	static const char	md[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:"
	    "metadata\" entityID=\"" FUZZ_SP_ENTITY "\">"
	    "<md:SPSSODescriptor AuthnRequestsSigned=\"false\" "
	    "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:"
	    "protocol\">"
	    "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:"
	    "bindings:HTTP-POST\" Location=\"https://sp.example/slo\"/>"
	    "<md:AssertionConsumerService index=\"1\" isDefault=\"true\" "
	    "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" "
	    "Location=\"" FUZZ_SP_ACS "\"/>"
	    "</md:SPSSODescriptor></md:EntityDescriptor>\n";
	struct config	*cfg = &fz->f.cfg;
	char		 cmd[FUZZ_CMD_MAX], path[FIXTURE_PATH_MAX], err[1024];

	snprintf(cfg->signing_key, sizeof(cfg->signing_key), "%s/idp.key",
	    fz->f.dir);
	snprintf(cfg->signing_cert, sizeof(cfg->signing_cert), "%s/idp.crt",
	    fz->f.dir);
	snprintf(cfg->sp_dir, sizeof(cfg->sp_dir), "%s/sp", fz->f.dir);
	snprintf(cmd, sizeof(cmd), "umask 077; mkdir %s && openssl req "
	    "-x509 -newkey rsa:2048 -nodes -subj /CN=fuzz -days 2 "
	    "-keyout %s -out %s 2>/dev/null", cfg->sp_dir, cfg->signing_key,
	    cfg->signing_cert);
	if (system(cmd) != 0)
		fuzz_die("cannot make the IdP's key");
	if (with_sp)
		fuzz_file(fz, "sp/sp.xml", md, strlen(md), path);
	if (saml_init(idp, cfg, NULL, err, sizeof(err)) == -1)
		fuzz_die("saml_init: %s", err);
	signal(SIGTRAP, fuzz_trap);
	if (with_sp && saml_sp_find(idp, FUZZ_SP_ENTITY) == NULL)
		fuzz_die("the SP did not load");
}
