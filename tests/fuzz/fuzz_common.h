/*
 * fuzz_common.c: what the libFuzzer harnesses (tests/fuzz/fuzz_*.c)
 * share: a store and core context built once per process on the unit
 * tests' fixture (tests/unit/fixture.c), a fixed clock so that an input
 * that holds a time replays alike any day, fixed keys so that the seed
 * corpus can hold valid signatures, and the splitting of an input into
 * the fields of a request.
 *
 * Every helper that sets up calls fuzz_die() when it fails: a harness
 * that cannot build its state must not report a fuzzing success.
 */
#ifndef MUTUA_FUZZ_COMMON_H
#define MUTUA_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "fixture.h"
#include "oidc.h"
#include "saml.h"
#include "store_binding.h"

/* The clock of every harness: 2023-11-14T22:13:20Z. */
#define FUZZ_NOW		1700000000ULL

/* The seeded user, its binding and its pending request. */
#define FUZZ_USER		"alice"
#define FUZZ_BINDING		"0123456789abcdef0123456789abcdef"
#define FUZZ_REQUEST		"fedcba9876543210fedcba9876543210"
#define FUZZ_REG_CODE		"00112233445566778899aabbccddeeff" \
				"00112233445566778899aabbccddeeff"

/* The OAuth clients of fuzz_oidc_open(), one per way to authenticate. */
#define FUZZ_CLIENT_PUBLIC	"pub"		/* none: PKCE */
#define FUZZ_CLIENT_JWT		"jwt"		/* fuzz_client_key() */
#define FUZZ_CLIENT_BASIC	"basic"		/* a secret that never verifies */
#define FUZZ_REDIRECT		"https://rp.example/cb"

/* The SAML service provider of fuzz_saml_open(): signs nothing. */
#define FUZZ_SP_ENTITY		"https://sp.example/metadata"
#define FUZZ_SP_ACS		"https://sp.example/acs"

/* The store is made anew after this many inputs (the audit grows). */
#define FUZZ_STORE_RUNS		4096

/* What libFuzzer calls, and the replay driver (replay.c) too. */
int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz {
	struct fixture	 f;
	/* Fills a new store (may be NULL). @return 0 or -1. */
	int		(*seed)(struct fuzz *);
	unsigned long	 runs;
};

/* Reports why the set-up failed and aborts. */
void	fuzz_die(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2), __noreturn__));

/*
 * Builds fz: a temporary directory with a store, the core context of
 * fixture_core() at FUZZ_NOW, and whatever seed puts in the store.
 */
void	fuzz_open(struct fuzz *fz, int (*seed)(struct fuzz *));

/*
 * Called after each input that may have written to the store: deletes
 * what has expired two rate-limit windows from now (so that no counter
 * stops the next input early) and, every FUZZ_STORE_RUNS inputs, makes
 * the store anew and seeds it again.
 */
void	fuzz_next(struct fuzz *fz);

/* A NUL-terminated copy of the input. Must be freed with free(). */
char	*fuzz_string(const uint8_t *data, size_t size);

/*
 * Splits s in place at each newline into at most n fields (the last
 * keeps any further newlines); an empty or missing field is NULL, as
 * Kore leaves an empty parameter or header out.
 */
void	fuzz_fields(char *s, const char **fields, size_t n);

/*
 * Writes the input into the file name of fz's directory, mode 0600.
 * @param path	receives its path (FIXTURE_PATH_MAX bytes)
 */
void	fuzz_file(struct fuzz *fz, const char *name, const void *data,
	    size_t size, char *path);

/*
 * The fixed P-256 key of the seeded authenticator (fuzz_seed_binding)
 * and of the fuzzed OAuth client. Must be freed with EVP_PKEY_free().
 */
EVP_PKEY	*fuzz_device_key(void);
EVP_PKEY	*fuzz_client_key(void);

/*
 * Seeds FUZZ_USER with the active binding FUZZ_BINDING of
 * fuzz_device_key() and, when pending is set, the pending request
 * FUZZ_REQUEST and the registration code FUZZ_REG_CODE, which never
 * expire. Seeding again puts them back as they were. @return 0 or -1.
 */
int	fuzz_seed_binding(struct fuzz *fz, int pending);

/* Seed callbacks for fuzz_open(): fuzz_seed_binding() without, with pending. */
int	fuzz_seed_user(struct fuzz *fz);
int	fuzz_seed_pending(struct fuzz *fz);

/*
 * Builds the OpenID provider of fz's configuration: new ES256 and RS256
 * keys and the three FUZZ_CLIENT_* registrations in fz's directory.
 * Release with oidc_unload().
 */
void	fuzz_oidc_open(struct fuzz *fz, struct oidc *op);

/* The context of one request to op: fz's store, FUZZ_NOW, FIXTURE_ADDR. */
void	fuzz_oidc_ctx(struct fuzz *fz, struct oidc *op, struct oidc_ctx *oc);

/*
 * Builds the SAML IdP of fz's configuration (saml_init()): a new RSA key
 * and certificate and, in fz's directory sp/, the metadata of
 * FUZZ_SP_ENTITY (none when with_sp is 0). Release with saml_free().
 */
void	fuzz_saml_open(struct fuzz *fz, struct saml_idp *idp, int with_sp);

#endif
