/*
 * JSON Web Tokens from outside: client assertions (RFC 7523,
 * private_key_jwt) and the id_token_hint of RP-initiated logout. The
 * first byte picks how the rest is used:
 *   0  a compact JWS as sent: jose_peek_claim(), then client
 *      authentication with it as the assertion, then as an
 *      id_token_hint (oidc_logout_check());
 *   1  the claims of an assertion, which the harness signs with the
 *      client's key, so that every claim check behind the signature is
 *      reached (iss, sub, aud, exp, nbf, iat, jti and its replay);
 *   2  a protected header and claims, signed likewise, for the header
 *      checks (alg, kid, typ) that cjose leaves to mutua.
 */
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "fuzz_common.h"
#include "jose.h"
#include "oidc.h"

#define ASSERTION_TYPE	"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define PLAIN_HEADER	"{\"alg\":\"ES256\",\"typ\":\"JWT\"}"

static struct fuzz	 fz;
static struct oidc	 op;
static EVP_PKEY		*client_key;

static char	*sign(const char *, const char *);
static void	 try(const char *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, NULL);
	fuzz_oidc_open(&fz, &op);
	client_key = fuzz_client_key();
	return (0);
}

/*
 * The compact JWS of header and payload, signed ES256 with the client's
 * key (JWS ES256 is the r || s of device_sign()). Must be freed.
 */
static char *
sign(const char *header, const char *payload)
{
	unsigned char	 sig[DEVICE_SIG_LEN];
	char		*out;
	size_t		 hl, pl, cap, off;

	hl = strlen(header);
	pl = strlen(payload);
	cap = 4 * ((hl + 2) / 3) + 4 * ((pl + 2) / 3) + 100;
	if ((out = malloc(cap)) == NULL)
		fuzz_die("out of memory");
	if (crypto_b64url_encode(header, hl, out, cap) == -1)
		fuzz_die("b64url");
	off = strlen(out);
	out[off++] = '.';
	if (crypto_b64url_encode(payload, pl, out + off, cap - off) == -1)
		fuzz_die("b64url");
	off += strlen(out + off);
	if (device_sign(client_key, out, off, sig) == -1)
		fuzz_die("device_sign");
	out[off++] = '.';
	if (crypto_b64url_encode(sig, sizeof(sig), out + off,
	    cap - off) == -1)
		fuzz_die("b64url");
	return (out);
}

/* The token as a client assertion, then as an id_token_hint. */
static void
try(const char *jws)
{
	struct oidc_ctx		 oc;
	struct oidc_cred	 cred;
	struct oidc_response	 resp;
	struct oidc_logout	 lo;
	const struct client	*c;
	char			 iss[CLIENT_ID_MAX];

	fuzz_oidc_ctx(&fz, &op, &oc);
	(void)jose_peek_claim(jws, "iss", iss, sizeof(iss));
	memset(&cred, 0, sizeof(cred));
	cred.assertion_type = ASSERTION_TYPE;
	cred.assertion = jws;
	cred.endpoint = "http://127.0.0.1:8080/oauth2/token";
	memset(&resp, 0, sizeof(resp));
	(void)oidc_client_authenticate(&oc, &cred, &c, &resp);
	free(resp.body);
	(void)oidc_logout_check(&oc, jws, NULL, NULL, NULL, &lo);
	fuzz_next(&fz);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*f[2];
	char		*text, *jws;

	if (size == 0)
		return (0);
	text = fuzz_string(data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		try(text);
		break;
	case 1:
		jws = sign(PLAIN_HEADER, text);
		try(jws);
		free(jws);
		break;
	default:
		fuzz_fields(text, f, 2);
		jws = sign(f[0] != NULL ? f[0] : "",
		    f[1] != NULL ? f[1] : "");
		try(jws);
		free(jws);
		break;
	}
	free(text);
	return (0);
}
