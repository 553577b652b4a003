/*
 * The authenticator side of the out-of-band protocol: HTTP with libcurl,
 * the device-signed headers, and the requests and answers of /oob/v1.
 * Wire format: docs/protocol.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "authstate.h"
#include "crypto.h"
#include "device.h"
#include "offset.h"
#include "oobclient.h"

#define OOBCLIENT_CONNECT_TIMEOUT	10L
#define OOBCLIENT_TIMEOUT		20L	/* plus the long poll's wait */
#define OOBCLIENT_PUBKEY_B64_LEN	(4 * ((DEVICE_PUBKEY_LEN + 2) / 3) + 1)
#define OOBCLIENT_SIG_B64_LEN		(4 * ((DEVICE_SIG_LEN + 2) / 3) + 1)
#define OOBCLIENT_CHECK			"/app/#check="
#define OOBCLIENT_REGISTER		"#register="

/* An answer of the IdP. Release with oobclient_response_free(). */
struct oobclient_response {
	long		 status;
	char		*body;
	size_t		 len;
	int		 overflow;
	json_t		*json;
	char		 retry_after[16];
};

static int	oobclient_call(const struct oobclient *,
		    const struct authstate_binding *,
		    const struct authstate_secret *, const char *, const char *,
		    const char *, int, long, json_t **);
static int	oobclient_http(const struct oobclient *,
		    const struct authstate_binding *,
		    const struct authstate_secret *, const char *, const char *,
		    const char *, int, struct oobclient_response *);
static int	oobclient_device_headers(struct curl_slist *,
		    const struct authstate_binding *,
		    const struct authstate_secret *, const char *, const char *,
		    const char *);
static size_t	oobclient_http_write(char *, size_t, size_t, void *);
static void	oobclient_failed(const struct oobclient *,
		    const struct oobclient_response *);
static void	oobclient_response_free(struct oobclient_response *);
static int	oobclient_sign(EVP_PKEY *, const char *, char *);
static size_t	oobclient_utf8_len(const unsigned char *);

int
oobclient_init(void)
{
	return (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1);
}

void
oobclient_cleanup(void)
{
	curl_global_cleanup();
}

int
oobclient_register(const struct oobclient *c, struct authstate_binding *b,
    const char *code, EVP_PKEY *key, unsigned char *k)
{
	json_t				*req, *answer;
	unsigned char			 point[DEVICE_PUBKEY_LEN];
	char				 idhex[33], msg[512], *body;
	char				 pub[OOBCLIENT_PUBKEY_B64_LEN];
	char				 sig[OOBCLIENT_SIG_B64_LEN];
	int				 ret;

	ret = -1;
	req = answer = NULL;
	body = NULL;
	if (device_key_public(key, point) == -1 ||
	    crypto_b64url_encode(point, sizeof(point), pub, sizeof(pub)) ==
	    -1 || crypto_random_hex(idhex, sizeof(idhex), 16) == -1)
		goto fail;
	snprintf(b->authenticator_id, sizeof(b->authenticator_id), "cli-%s",
	    idhex);
	/* docs/protocol.md §1: proof of possession of the device key. */
	snprintf(msg, sizeof(msg), "mutua-register-v1\n%s\n%s\n%s", code,
	    b->authenticator_id, pub);
	if (oobclient_sign(key, msg, sig) == -1 ||
	    (req = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", code,
	    "authenticator_id", b->authenticator_id, "device_public_key", pub,
	    "label", b->label, "signature", sig)) == NULL ||
	    (body = json_dumps(req, JSON_COMPACT)) == NULL)
		goto fail;
	if (oobclient_call(c, b, NULL, "POST", "/oob/v1/register", body, 0,
	    201, &answer) == -1)
		goto out;
	if (authstate_from_answer(answer, b, k, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "%s: %s\n", c->name, msg);
		goto out;
	}
	ret = 0;
	goto out;

fail:
	fprintf(stderr, "%s: register: internal error\n", c->name);
out:
	json_decref(req);
	json_decref(answer);
	free(body);
	return (ret);
}

int
oobclient_pending(const struct oobclient *c,
    const struct authstate_binding *b, const struct authstate_secret *s,
    int wait, json_t **out)
{
	char		path[48];

	snprintf(path, sizeof(path), "/oob/v1/pending?wait=%d", wait);
	if (oobclient_call(c, b, s, "GET", path, NULL, wait, 200, out) == -1)
		return (-1);
	if (!json_is_array(json_object_get(*out, "requests"))) {
		fprintf(stderr, "%s: malformed answer\n", c->name);
		json_decref(*out);
		*out = NULL;
		return (-1);
	}
	return (0);
}

int
oobclient_request_parse(const struct oobclient *c, json_t *item,
    const struct authstate_binding *b, const struct authstate_secret *s,
    struct oobclient_request *req)
{
	const char	*id, *offset, *mode;
	json_t		*exp;

	memset(req, 0, sizeof(*req));
	id = json_string_value(json_object_get(item, "request_id"));
	offset = json_string_value(json_object_get(item, "offset"));
	exp = json_object_get(item, "expires_at");
	if (id == NULL || !oobclient_hex_valid(id, OOBCLIENT_ID_LEN) ||
	    offset == NULL || strlen(offset) >= sizeof(req->offset) ||
	    !json_is_integer(exp) || offset_parse(offset, &req->f) == -1) {
		fprintf(stderr, "%s: ignoring a malformed request\n", c->name);
		return (-1);
	}
	if (strcmp(req->f.uid, b->user_id) != 0) {
		fprintf(stderr, "%s: ignoring request %s: it is for another "
		    "user\n", c->name, id);
		return (-1);
	}
	memcpy(req->id, id, sizeof(req->id));
	memcpy(req->offset, offset, strlen(offset) + 1);
	offset_hash_hex(req->offset, req->hash);
	if (offset_code(s->k, req->offset, req->code) == -1)
		return (-1);
	req->expires_at = json_integer_value(exp);
	mode = json_string_value(json_object_get(item, "comparison"));
	if (mode == NULL || !authstate_mode_valid(mode))
		mode = b->comparison;
	snprintf(req->mode, sizeof(req->mode), "%s", mode);
	return (0);
}

int
oobclient_request_find(const struct oobclient *c,
    const struct authstate_binding *b, const struct authstate_secret *s,
    const char *id, struct oobclient_request *req)
{
	json_t		*root, *item;
	size_t		 i;
	int		 ret;

	if (oobclient_pending(c, b, s, 0, &root) == -1)
		return (-1);
	ret = -1;
	json_array_foreach(json_object_get(root, "requests"), i, item) {
		if (!json_is_string(json_object_get(item, "request_id")) ||
		    strcmp(json_string_value(json_object_get(item,
		    "request_id")), id) != 0)
			continue;
		ret = oobclient_request_parse(c, item, b, s, req);
		break;
	}
	if (i == json_array_size(json_object_get(root, "requests")))
		fprintf(stderr, "%s: no pending request %s (decided, expired "
		    "or unknown)\n", c->name, id);
	json_decref(root);
	return (ret);
}

int
oobclient_decide(const struct oobclient *c,
    const struct authstate_binding *b, const struct authstate_secret *s,
    const struct oobclient_request *req, const char *decision,
    const char *reason, json_t **answer)
{
	json_t		*j;
	char		 msg[256], sig[OOBCLIENT_SIG_B64_LEN], *body;
	int		 ret;

	ret = -1;
	j = NULL;
	body = NULL;
	/* docs/protocol.md §5: signed over mutua's offset, by its hash. */
	snprintf(msg, sizeof(msg), "mutua-approve-v1\n%s\n%s\n%s\n%s", req->id,
	    req->hash, decision, req->code);
	if (oobclient_sign(s->device, msg, sig) == -1 ||
	    (j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "request_id", req->id,
	    "decision", decision, "code", req->code, "reason", reason,
	    "signature", sig)) == NULL ||
	    (body = json_dumps(j, JSON_COMPACT)) == NULL) {
		fprintf(stderr, "%s: internal error\n", c->name);
		goto out;
	}
	ret = oobclient_call(c, b, s, "POST", "/oob/v1/approve", body, 0, 200,
	    answer);

out:
	json_decref(j);
	free(body);
	return (ret);
}

int
oobclient_register_code(const struct oobclient *c, const char *arg,
    char *code)
{
	const char	*s;
	size_t		 i;

	s = strstr(arg, OOBCLIENT_REGISTER);
	s = s != NULL ? s + strlen(OOBCLIENT_REGISTER) : arg;
	for (i = 0; s[i] != '\0' && i < OOBCLIENT_REG_CODE_LEN; i++)
		code[i] = (s[i] >= 'A' && s[i] <= 'F') ?
		    s[i] - 'A' + 'a' : s[i];
	code[i] = '\0';
	if (s[i] != '\0' || !oobclient_hex_valid(code,
	    OOBCLIENT_REG_CODE_LEN)) {
		fprintf(stderr, "%s: the registration code is 64 hexadecimal "
		    "digits\n", c->name);
		return (-1);
	}
	return (0);
}

int
oobclient_check_parse(const struct oobclient *c, const char *payload,
    char *base, char *id, char *code)
{
	const char	*p, *rest;
	size_t		 len;

	if ((p = strstr(payload, OOBCLIENT_CHECK)) == NULL ||
	    (len = (size_t)(p - payload)) >= AUTHSTATE_URL_MAX ||
	    strlen(rest = p + strlen(OOBCLIENT_CHECK)) != OOBCLIENT_ID_LEN +
	    1 + OFFSET_CODE_LEN || rest[OOBCLIENT_ID_LEN] != '.') {
		fprintf(stderr, "%s: not a check QR code "
		    "(<base_url>/app/#check=<request_id>.<code>)\n", c->name);
		return (-1);
	}
	memcpy(base, payload, len);
	base[len] = '\0';
	memcpy(id, rest, OOBCLIENT_ID_LEN);
	id[OOBCLIENT_ID_LEN] = '\0';
	memcpy(code, rest + OOBCLIENT_ID_LEN + 1, OFFSET_CODE_LEN + 1);
	if (!oobclient_hex_valid(id, OOBCLIENT_ID_LEN) ||
	    !oobclient_code_valid(code)) {
		fprintf(stderr, "%s: malformed QR code\n", c->name);
		return (-1);
	}
	return (0);
}

/*
 * One exchange with the IdP of b, as oobclient_http(), that must end in
 * status want. The answer goes to *answer (json_decref(); NULL when it is
 * not JSON); an error answer is printed.
 * @return 0, or -1: no answer, or another status.
 */
static int
oobclient_call(const struct oobclient *c, const struct authstate_binding *b,
    const struct authstate_secret *s, const char *method, const char *path,
    const char *body, int wait, long want, json_t **answer)
{
	struct oobclient_response	r;
	int				ret;

	ret = -1;
	if (oobclient_http(c, b, s, method, path, body, wait, &r) == -1)
		return (-1);
	if (r.status != want)
		oobclient_failed(c, &r);
	else {
		*answer = json_incref(r.json);
		ret = 0;
	}
	oobclient_response_free(&r);
	return (ret);
}

/*
 * One HTTP exchange with the IdP b->issuer. With s, the request carries
 * the device headers of docs/protocol.md §2 for b. The answer, at most
 * OOBCLIENT_BODY_MAX bytes, goes to r (oobclient_response_free()).
 * @return 0 when an answer arrived (any status), -1 otherwise.
 */
static int
oobclient_http(const struct oobclient *c, const struct authstate_binding *b,
    const struct authstate_secret *s, const char *method, const char *path,
    const char *body, int wait, struct oobclient_response *r)
{
	CURL			*h;
	CURLcode		 cc;
	struct curl_slist	*hdrs;
	struct curl_header	*ra;
	char			 url[AUTHSTATE_URL_MAX + 128], ua[64];
	int			 ret;

	ret = -1;
	hdrs = NULL;
	memset(r, 0, sizeof(*r));
	/* X.1280 8.1: TLS; the state file could have been edited. */
	if (!authstate_url_valid(b->issuer)) {
		fprintf(stderr, "%s: %s: refused (https:// only, http:// only "
		    "on loopback)\n", c->name, b->issuer);
		return (-1);
	}
	if ((h = curl_easy_init()) == NULL ||
	    (r->body = malloc(OOBCLIENT_BODY_MAX + 1)) == NULL)
		goto fail;
	snprintf(url, sizeof(url), "%s%s", b->issuer, path);
	snprintf(ua, sizeof(ua), "%s/1", c->name);
	/* curl_slist_append() returns the head, or NULL leaving it intact. */
	if ((hdrs = curl_slist_append(NULL, "Accept: application/json")) ==
	    NULL || (body != NULL && curl_slist_append(hdrs,
	    "Content-Type: application/json") == NULL) ||
	    curl_slist_append(hdrs, "Expect:") == NULL)
		goto fail;
	if (s != NULL && oobclient_device_headers(hdrs, b, s, method, path,
	    body) == -1)
		goto fail;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->cafile != NULL && *c->cafile != '\0')
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cafile);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, OOBCLIENT_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, OOBCLIENT_TIMEOUT + (long)wait);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, oobclient_http_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	if (body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if ((cc = curl_easy_perform(h)) != CURLE_OK) {
		fprintf(stderr, "%s: %s: %s\n", c->name, url, r->overflow ?
		    "answer larger than 64 KiB" : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &ra) ==
	    CURLHE_OK)
		snprintf(r->retry_after, sizeof(r->retry_after), "%s",
		    ra->value);
	r->body[r->len] = '\0';
	if (r->len > 0)
		r->json = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES,
		    NULL);
	ret = 0;
	goto out;

fail:
	fprintf(stderr, "%s: out of memory\n", c->name);
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (ret == -1)
		oobclient_response_free(r);
	return (ret);
}

/*
 * Appends to hdrs the device headers of docs/protocol.md §2: the binding,
 * the time, and the device signature over the method, the path as sent
 * (with the base URL's own path), the time and the body's hash.
 */
static int
oobclient_device_headers(struct curl_slist *hdrs,
    const struct authstate_binding *b, const struct authstate_secret *s,
    const char *method, const char *path, const char *body)
{
	const char	*prefix;
	char		 msg[AUTHSTATE_URL_MAX + 256], ts[24], hdr[128];
	char		 hash[2 * CRYPTO_SHA256_LEN + 1];
	char		 sig[OOBCLIENT_SIG_B64_LEN];
	int		 ret;

	ret = -1;
	prefix = strchr(strstr(b->issuer, "://") + 3, '/');
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	crypto_sha256_hex(body != NULL ? body : "",
	    body != NULL ? strlen(body) : 0, hash);
	snprintf(msg, sizeof(msg), "mutua-device-v1\n%s\n%s%s\n%s\n%s",
	    method, prefix != NULL ? prefix : "", path, ts, hash);
	if (oobclient_sign(s->device, msg, sig) == -1)
		goto out;
	snprintf(hdr, sizeof(hdr), "X-Mutua-Binding: %s", b->binding_id);
	if (curl_slist_append(hdrs, hdr) == NULL)
		goto out;
	snprintf(hdr, sizeof(hdr), "X-Mutua-Timestamp: %s", ts);
	if (curl_slist_append(hdrs, hdr) == NULL)
		goto out;
	snprintf(hdr, sizeof(hdr), "X-Mutua-Signature: %s", sig);
	if (curl_slist_append(hdrs, hdr) == NULL)
		goto out;
	ret = 0;

out:
	OPENSSL_cleanse(msg, sizeof(msg));
	return (ret);
}

/* Keeps the answer, refusing more than OOBCLIENT_BODY_MAX bytes. */
static size_t
oobclient_http_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct oobclient_response	*r = arg;
	size_t				 n;

	n = size * nmemb;
	if (n > OOBCLIENT_BODY_MAX - r->len) {
		r->overflow = 1;
		return (0);
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	return (n);
}

/* Prints a failed answer as "error: <error>: <error_description>". */
static void
oobclient_failed(const struct oobclient *c,
    const struct oobclient_response *r)
{
	const char	*e, *d;

	e = json_string_value(json_object_get(r->json, "error"));
	d = json_string_value(json_object_get(r->json, "error_description"));
	fprintf(stderr, "%s: error: ", c->name);
	if (e != NULL) {
		oobclient_put_escaped(stderr, e);
		fprintf(stderr, ": ");
		oobclient_put_escaped(stderr, d != NULL ? d : "");
	} else
		fprintf(stderr, "HTTP status %ld", r->status);
	fprintf(stderr, "\n");
	if (r->retry_after[0] != '\0') {
		fprintf(stderr, "%s: retry after ", c->name);
		oobclient_put_escaped(stderr, r->retry_after);
		fprintf(stderr, " seconds\n");
	}
}

static void
oobclient_response_free(struct oobclient_response *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* A device signature over msg, as b64url of r || s, into out. */
static int
oobclient_sign(EVP_PKEY *key, const char *msg, char *out)
{
	unsigned char	sig[DEVICE_SIG_LEN];

	if (device_sign(key, msg, strlen(msg), sig) == -1)
		return (-1);
	return (crypto_b64url_encode(sig, sizeof(sig), out,
	    OOBCLIENT_SIG_B64_LEN));
}

int
oobclient_hex_valid(const char *s, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	}
	return (s[n] == '\0');
}

int
oobclient_code_valid(const char *s)
{
	size_t		i;

	for (i = 0; i < OFFSET_CODE_LEN; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
	}
	return (s[OFFSET_CODE_LEN] == '\0');
}

void
oobclient_put_escaped(FILE *fp, const char *s)
{
	const unsigned char	*p;
	size_t			 n;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p >= 0x20 && *p < 0x7f)
			fputc(*p, fp);
		else if (*p >= 0x80 && (n = oobclient_utf8_len(p)) > 0) {
			fwrite(p, 1, n, fp);
			p += n - 1;
		} else
			fprintf(fp, "\\x%02X", *p);
	}
}

/* @return the length of the valid, harmless UTF-8 sequence at p, or 0. */
static size_t
oobclient_utf8_len(const unsigned char *p)
{
	unsigned int	cp;
	size_t		i, n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return (0);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* No C1 controls, overlong forms, surrogates or bidi overrides. */
	if (cp < 0xa0 || (n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return (0);
	return (n);
}
