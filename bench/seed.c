/*
 * bench/seed.c: creates benchmark users with one active authenticator
 * each, in-process, so that `make bench` does not spend minutes on
 * password logins (scrypt) and HTTP registrations before measuring.
 *
 *   seed config device-key.pem prefix count
 *
 * Every user <prefix><n> gets a registration code
 * (enrolment_code_create) that is redeemed at once with
 * enrolment_register() and a signature of the given device key (the same key for all bindings: the server does not
 * care). Prints one line per user: "user binding-id K(b64url)".
 * Benchmark-only: linked against the build's libmutua.a, never installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "config.h"
#include "crypto.h"
#include "device.h"
#include "enrolment.h"
#include "store.h"
#include "store_user.h"

int
main(int argc, char **argv)
{
	struct config			cfg;
	struct crypto_master_key	master;
	struct store			*st;
	struct store_txn		txn;
	struct core_ctx			ctx;
	struct enrolment_register_in		in;
	struct enrolment_register_out		out;
	struct user			u;
	EVP_PKEY			*key;
	FILE				*f;
	unsigned char			point[DEVICE_PUBKEY_LEN];
	unsigned char			sig[DEVICE_SIG_LEN];
	char				err[512], pub[128], sigtxt[128];
	char				code[OOB_REG_CODE_LEN + 1], addr[32];
	char				text[512], ktxt[64];
	long				i, n;
	enum oob_error			e;

	if (argc != 5) {
		fprintf(stderr, "usage: seed config device-key.pem prefix "
		    "count\n");
		return (1);
	}
	n = strtol(argv[4], NULL, 10);
	if (config_load(argv[1], &cfg, err, sizeof(err)) == -1 ||
	    crypto_master_key_load(cfg.master_key, &master, err,
	    sizeof(err)) == -1 ||
	    store_open(&st, cfg.data_dir, cfg.map_size, NULL, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "seed: %s\n", err);
		return (1);
	}
	if ((f = fopen(argv[2], "r")) == NULL ||
	    (key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "seed: cannot read %s\n", argv[2]);
		return (1);
	}
	fclose(f);
	if (device_key_public(key, point) == -1 ||
	    crypto_b64url_encode(point, sizeof(point), pub, sizeof(pub)) == -1)
		return (1);

	for (i = 0; i < n; i++) {
		memset(&u, 0, sizeof(u));
		snprintf(u.id, sizeof(u.id), "%s%ld", argv[3], i);
		snprintf(u.display_name, sizeof(u.display_name), "Bench %ld", i);
		snprintf(u.email, sizeof(u.email), "%s@bench.test", u.id);
		u.created = (uint64_t)time(NULL);
		if (store_txn_begin(st, &txn, 1) == -1 ||
		    store_user_add(&txn, &u) != 0 ||
		    store_txn_commit(&txn) == -1) {
			fprintf(stderr, "seed: cannot add %s\n", u.id);
			return (1);
		}
		/* One address per registration: the per-address limit is
		 * about abuse, not about this seeding. */
		snprintf(addr, sizeof(addr), "198.18.%ld.%ld", (i >> 8) & 255,
		    i & 255);
		memset(&ctx, 0, sizeof(ctx));
		ctx.store = st;
		ctx.master = &master;
		ctx.cfg = &cfg;
		ctx.dir = NULL;
		ctx.now = (uint64_t)time(NULL);
		ctx.addr = addr;
		e = enrolment_code_create(&ctx, u.id, 2, 0, "bench", "",
		    code);
		if (e != OOB_OK) {
			fprintf(stderr, "seed: registration code: %s\n",
			    oob_error_name(e));
			return (1);
		}
		snprintf(text, sizeof(text), "mutua-register-v1\n%s\n%s\n%s",
		    code, "bench-device", pub);
		if (device_sign(key, text, strlen(text), sig) == -1 ||
		    crypto_b64url_encode(sig, sizeof(sig), sigtxt,
		    sizeof(sigtxt)) == -1)
			return (1);
		memset(&in, 0, sizeof(in));
		in.code = code;
		in.authenticator_id = "bench-device";
		in.device_public_key = pub;
		in.label = "bench";
		in.signature = sigtxt;
		e = enrolment_register(&ctx, &in, &out);
		if (e != OOB_OK) {
			fprintf(stderr, "seed: register %s: %s\n", u.id,
			    oob_error_name(e));
			return (1);
		}
		if (crypto_b64url_encode(out.key, sizeof(out.key), ktxt,
		    sizeof(ktxt)) == -1)
			return (1);
		printf("%s %s %s\n", u.id, out.binding_id, ktxt);
	}
	EVP_PKEY_free(key);
	store_close(st);
	crypto_master_key_wipe(&master);
	return (0);
}
