/*
 * HTTP(S) GET of SAML metadata (aggregates, docs/saml.md), bounded in
 * size and time, conditional on the copy in use (RFC 9110 §13.1: the
 * validators of the last good copy, If-None-Match and
 * If-Modified-Since). No redirects are followed and only http and https
 * are spoken: the URL is what the operator configured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "saml.h"

#define SAML_FETCH_CONNECT_TIMEOUT	10L	/* seconds */

static size_t	saml_fetch_body(char *, size_t, size_t, void *);
static size_t	saml_fetch_header(char *, size_t, size_t, void *);
static void	saml_fetch_copy(char *, size_t, const char *, size_t);

struct saml_fetch_ctx {
	struct saml_fetch	*out;
	size_t			 max;
	size_t			 cap;
	int			 too_large;
};

/* Appends a chunk of the body, refusing to grow past max. */
static size_t
saml_fetch_body(char *data, size_t size, size_t n, void *arg)
{
	struct saml_fetch_ctx	*c = arg;
	struct saml_fetch	*f = c->out;
	size_t			 len, cap;
	char			*p;

	len = size * n;
	if (len > c->max - f->len) {
		c->too_large = 1;
		return (0);
	}
	if (f->len + len + 1 > c->cap) {
		cap = c->cap == 0 ? 65536 : c->cap;
		while (cap < f->len + len + 1)
			cap *= 2;
		if ((p = realloc(f->body, cap)) == NULL)
			return (0);
		f->body = p;
		c->cap = cap;
	}
	memcpy(f->body + f->len, data, len);
	f->len += len;
	f->body[f->len] = '\0';
	return (len);
}

/* A header value, trimmed, when it fits; else nothing is kept. */
static void
saml_fetch_copy(char *out, size_t outlen, const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
	    v[len - 1] == ' '))
		len--;
	if (len < outlen) {
		memcpy(out, v, len);
		out[len] = '\0';
	}
}

/* The validators of the answer: ETag and Last-Modified. */
static size_t
saml_fetch_header(char *data, size_t size, size_t n, void *arg)
{
	struct saml_fetch	*f = ((struct saml_fetch_ctx *)arg)->out;
	size_t			 len;

	len = size * n;
	if (len > 5 && strncasecmp(data, "ETag:", 5) == 0)
		saml_fetch_copy(f->etag, sizeof(f->etag), data + 5, len - 5);
	else if (len > 14 && strncasecmp(data, "Last-Modified:", 14) == 0)
		saml_fetch_copy(f->last_modified, sizeof(f->last_modified),
		    data + 14, len - 14);
	return (len);
}

int
saml_fetch(const char *url, const char *etag, const char *last_modified,
    size_t max, long timeout, struct saml_fetch *out, const char **why)
{
	struct saml_fetch_ctx	 c;
	struct curl_slist	*hdrs;
	CURL			*curl;
	CURLcode		 rc;
	char			 h[SAML_FETCH_TAG_MAX + 32];
	int			 ret;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.max = max;
	hdrs = NULL;
	ret = -1;
	*why = "out of memory";
	if ((curl = curl_easy_init()) == NULL)
		return (-1);
	if (etag != NULL && etag[0] != '\0') {
		snprintf(h, sizeof(h), "If-None-Match: %s", etag);
		hdrs = curl_slist_append(hdrs, h);
	}
	if (last_modified != NULL && last_modified[0] != '\0') {
		snprintf(h, sizeof(h), "If-Modified-Since: %s", last_modified);
		hdrs = curl_slist_append(hdrs, h);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
	    timeout < SAML_FETCH_CONNECT_TIMEOUT ? timeout :
	    SAML_FETCH_CONNECT_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "mutua");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, saml_fetch_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, saml_fetch_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &c);

	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	if (rc != CURLE_OK) {
		*why = c.too_large || rc == CURLE_FILESIZE_EXCEEDED ?
		    "larger than the configured maximum" :
		    curl_easy_strerror(rc);
		goto out;
	}
	if (out->status == 304) {
		out->not_modified = 1;
		ret = 0;
		goto out;
	}
	*why = "the server did not answer 200 OK";
	if (out->status != 200 || out->body == NULL)
		goto out;
	ret = 0;
out:
	if (ret == -1)
		saml_fetch_free(out);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(curl);
	return (ret);
}

void
saml_fetch_free(struct saml_fetch *f)
{
	free(f->body);
	f->body = NULL;
	f->len = 0;
}
