/*
 * pam_http.c: the PAM module's side of the host API of
 * docs/protocol.md §7: a POST with a JSON body, signed with the host
 * key (the headers of §2 under the context "mutua-host-v1"), through
 * libcurl. https:// with the peer's certificate and host name verified,
 * http:// only on loopback, no redirects, answers of at most
 * PAM_HTTP_BODY_MAX bytes, bounded connect and total time.
 */
#ifndef MUTUA_PAM_HTTP_H
#define MUTUA_PAM_HTTP_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#define PAM_HTTP_BODY_MAX	(16 * 1024)
#define PAM_HTTP_TIMEOUT	15L	/* seconds, per request */

/* Where and as whom the module talks to mutua. */
struct pam_http {
	const char	*url;		/* mutua's base_url */
	const char	*cafile;	/* NULL: the system's CA store */
	const char	*host;		/* the host's registered name */
	EVP_PKEY	*key;		/* the host's P-256 key */
};

/* An answer of mutua. */
struct pam_http_answer {
	long		 status;	/* HTTP status; 0 when none came */
	json_t		*json;		/* NULL when not a JSON object */
	char		 error[256];	/* why no answer came, for the log */
};

/*
 * POSTs the JSON body doc to url's path (e.g. "/oob/v1/host/start"),
 * signed with the host key.
 * @param a	receives the answer; release a->json with json_decref()
 * @return 0 when an answer arrived (any status), -1 otherwise (a->error
 *	   says why: refused URL, network, answer too large).
 */
int	pam_http_post(const struct pam_http *, const char *path, json_t *doc,
	    struct pam_http_answer *a);

#endif
