/*
 * Writes the seeds of the harnesses whose inputs carry signatures
 * (fuzz_oob_body, fuzz_oob_device): valid ones from the fixed device key
 * of fuzz_common.c, over the state fuzz_seed_binding() makes, so that
 * the fuzzers start past the signature checks. Run from the project
 * root: build/fuzz/seeds (make fuzz-seeds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "fuzz_common.h"
#include "offset.h"
#include "store_oob.h"

#define CORPUS	"tests/fuzz/corpus/"

static void	 put(const char *, const char *);
static char	*sign(EVP_PKEY *, const char *);
static void	 device_seed(EVP_PKEY *, const char *, const char *,
		    const char *, const char *);

static struct fuzz	fz;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (0);
}

static void
put(const char *path, const char *text)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) == EOF ||
	    fclose(fp) == EOF)
		fuzz_die("cannot write %s", path);
}

/* b64url of the signature over text. Must be freed with free(). */
static char *
sign(EVP_PKEY *key, const char *text)
{
	unsigned char	sig[DEVICE_SIG_LEN];
	char		*out;

	if ((out = malloc(2 * DEVICE_SIG_LEN)) == NULL ||
	    device_sign(key, text, strlen(text), sig) == -1 ||
	    crypto_b64url_encode(sig, sizeof(sig), out, 2 * DEVICE_SIG_LEN))
		fuzz_die("cannot sign");
	return (out);
}

/* A signed device request (docs/protocol.md §2) into file name. */
static void
device_seed(EVP_PKEY *key, const char *name, const char *method,
    const char *path, const char *body)
{
	char	hash[65], text[1024], file[256], *sig;

	crypto_sha256_hex(body, strlen(body), hash);
	snprintf(text, sizeof(text), "mutua-device-v1\n%s\n%s\n%llu\n%s",
	    method, path, FUZZ_NOW, hash);
	sig = sign(key, text);
	snprintf(text, sizeof(text), "%s\n%llu\n%s\n%s\n%s\n%s",
	    FUZZ_BINDING, FUZZ_NOW, sig, method, path, body);
	snprintf(file, sizeof(file), CORPUS "fuzz_oob_device/%s", name);
	put(file, text);
	free(sig);
}

int
main(void)
{
	struct store_txn	 txn;
	struct oob_request	 req;
	EVP_PKEY		*key;
	unsigned char		 k[BINDING_KEY_LEN], pub[DEVICE_PUBKEY_LEN];
	char			 hash[65], code[OFFSET_CODE_LEN + 1];
	char			 text[4096], pubtext[128], *sig;

	fuzz_open(&fz, NULL);
	if (fuzz_seed_binding(&fz, 1) == -1 ||
	    store_txn_begin(fz.f.st, &txn, 0) == -1 ||
	    store_oob_request_get(&txn, FUZZ_REQUEST, &req) != 0)
		fuzz_die("cannot seed");
	store_txn_abort(&txn);
	key = fuzz_device_key();

	device_seed(key, "pending", "GET", "/oob/v1/pending?wait=0", "");
	device_seed(key, "approve", "POST", "/oob/v1/approve",
	    "{\"request_id\":\"" FUZZ_REQUEST "\",\"decision\":\"deny\"}");

	/* The approval: the code of K = 0x42... (fuzz_seed_binding). */
	memset(k, 0x42, sizeof(k));
	offset_hash_hex(req.offset, hash);
	if (offset_code(k, req.offset, code) == -1)
		fuzz_die("offset_code");
	snprintf(text, sizeof(text), "mutua-approve-v1\n%s\n%s\napprove\n%s",
	    req.id, hash, code);
	sig = sign(key, text);
	snprintf(text, sizeof(text), "{\"request_id\":\"%s\",\"decision\":"
	    "\"approve\",\"code\":\"%s\",\"reason\":\"\",\"signature\":\"%s\"}",
	    req.id, code, sig);
	put(CORPUS "fuzz_oob_body/approve", text);
	free(sig);
	snprintf(text, sizeof(text), "mutua-approve-v1\n%s\n%s\ndeny\n",
	    req.id, hash);
	sig = sign(key, text);
	snprintf(text, sizeof(text), "{\"request_id\":\"%s\",\"decision\":"
	    "\"deny\",\"code\":\"\",\"reason\":\"not_me\",\"signature\":"
	    "\"%s\"}", req.id, sig);
	put(CORPUS "fuzz_oob_body/deny", text);
	free(sig);

	/* A second authenticator registering with FUZZ_REG_CODE. */
	if (device_key_public(key, pub) == -1 ||
	    crypto_b64url_encode(pub, sizeof(pub), pubtext, sizeof(pubtext)))
		fuzz_die("device_key_public");
	snprintf(text, sizeof(text), "mutua-register-v1\n%s\nfuzz-2\n%s",
	    FUZZ_REG_CODE, pubtext);
	sig = sign(key, text);
	snprintf(text, sizeof(text), "{\"code\":\"%s\",\"authenticator_id\":"
	    "\"fuzz-2\",\"device_public_key\":\"%s\",\"label\":\"tablet\","
	    "\"signature\":\"%s\"}", FUZZ_REG_CODE, pubtext, sig);
	put(CORPUS "fuzz_oob_body/register", text);
	free(sig);
	EVP_PKEY_free(key);
	return (EXIT_SUCCESS);
}
