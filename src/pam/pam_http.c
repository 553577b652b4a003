/*
 * Signed POSTs from the PAM module to mutua (docs/protocol.md §2, §7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "authenticator/authstate.h"
#include "crypto.h"
#include "device.h"
#include "host.h"
#include "pam_http.h"

#define PAM_HTTP_SIG_B64_LEN	(4 * ((DEVICE_SIG_LEN + 2) / 3) + 1)

struct pam_http_buf {
	char	data[PAM_HTTP_BODY_MAX + 1];
	size_t	len;
	int	overflow;
};

static size_t	pam_http_write(char *, size_t, size_t, void *);
static int	pam_http_add(struct curl_slist **, const char *,
		    const char *);
static int	pam_http_headers(const struct pam_http *, const char *,
		    const char *, struct curl_slist **);

/* Keeps the answer, refusing more than PAM_HTTP_BODY_MAX bytes. */
static size_t
pam_http_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct pam_http_buf	*b = arg;
	size_t			 n;

	n = size * nmemb;
	if (n > PAM_HTTP_BODY_MAX - b->len) {
		b->overflow = 1;
		return (0);
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	return (n);
}

/* Appends "name: value" to *l. @return 0 or -1. */
static int
pam_http_add(struct curl_slist **l, const char *name, const char *value)
{
	struct curl_slist	*n;
	char			 hdr[160];

	snprintf(hdr, sizeof(hdr), "%s: %s", name, value);
	if ((n = curl_slist_append(*l, hdr)) == NULL)
		return (-1);
	*l = n;
	return (0);
}

/*
 * The headers of a signed host request: the signature covers the
 * method, the path as sent (with the base URL's own path), the time and
 * the body's hash (docs/protocol.md §2).
 */
static int
pam_http_headers(const struct pam_http *h, const char *path,
    const char *body, struct curl_slist **hdrs)
{
	const char	*prefix;
	unsigned char	 sig[DEVICE_SIG_LEN];
	char		 msg[AUTHSTATE_URL_MAX + 256], ts[24];
	char		 hash[2 * CRYPTO_SHA256_LEN + 1];
	char		 b64[PAM_HTTP_SIG_B64_LEN];

	prefix = strchr(strstr(h->url, "://") + 3, '/');
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	crypto_sha256_hex(body, strlen(body), hash);
	snprintf(msg, sizeof(msg), "%s\nPOST\n%s%s\n%s\n%s", HOST_CONTEXT,
	    prefix != NULL ? prefix : "", path, ts, hash);
	if (device_sign(h->key, msg, strlen(msg), sig) == -1 ||
	    crypto_b64url_encode(sig, sizeof(sig), b64, sizeof(b64)) == -1)
		return (-1);
	if (pam_http_add(hdrs, "Accept", "application/json") == -1 ||
	    pam_http_add(hdrs, "Content-Type", "application/json") == -1 ||
	    pam_http_add(hdrs, "X-Mutua-Host", h->host) == -1 ||
	    pam_http_add(hdrs, "X-Mutua-Timestamp", ts) == -1 ||
	    pam_http_add(hdrs, "X-Mutua-Signature", b64) == -1)
		return (-1);
	return (0);
}

int
pam_http_post(const struct pam_http *h, const char *path, json_t *doc,
    struct pam_http_answer *a)
{
	CURL			*c;
	CURLcode		 cc;
	struct curl_slist	*hdrs;
	struct pam_http_buf	*buf;
	char			 url[AUTHSTATE_URL_MAX + 64], *body;
	int			 ret;

	ret = -1;
	hdrs = NULL;
	c = NULL;
	buf = NULL;
	body = NULL;
	memset(a, 0, sizeof(*a));
	/* X.1280 8.1: TLS to the verifier; plain HTTP on loopback only. */
	if (!authstate_url_valid(h->url)) {
		snprintf(a->error, sizeof(a->error), "%.200s: refused (https:// "
		    "only, http:// only on loopback)", h->url);
		return (-1);
	}
	if ((body = json_dumps(doc, JSON_COMPACT)) == NULL ||
	    (buf = calloc(1, sizeof(*buf))) == NULL ||
	    (c = curl_easy_init()) == NULL ||
	    pam_http_headers(h, path, body, &hdrs) == -1) {
		snprintf(a->error, sizeof(a->error), "out of memory");
		goto out;
	}
	snprintf(url, sizeof(url), "%s%s", h->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->cafile != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->cafile);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, PAM_HTTP_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, PAM_HTTP_TIMEOUT);
	/* No SIGALRM in the host program (sshd, sudo). */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pam_mutua/1");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, pam_http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, buf);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		snprintf(a->error, sizeof(a->error), "%.200s: %s", url,
		    buf->overflow ? "answer larger than 16 KiB" :
		    curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	buf->data[buf->len] = '\0';
	a->json = json_loadb(buf->data, buf->len, JSON_REJECT_DUPLICATES,
	    NULL);
	if (a->json != NULL && !json_is_object(a->json)) {
		json_decref(a->json);
		a->json = NULL;
	}
	ret = 0;

out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	if (buf != NULL)
		OPENSSL_cleanse(buf, sizeof(*buf));
	free(buf);
	if (body != NULL)
		OPENSSL_cleanse(body, strlen(body));
	free(body);
	return (ret);
}
