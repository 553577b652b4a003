/*
 * Request context, logging and common responses.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "proxy.h"
#include "web.h"

static void	web_request_done(struct http_request *);
static void	web_send(struct http_request *, int, const char *,
		    const void *, size_t, const char *, int);
static void	web_client_addr(struct http_request *, struct web_ctx *);
static const char	*web_rp_name(const char *);

struct web_ctx *
web_begin(struct http_request *req)
{
	struct web_ctx	*ctx;

	if (http_state_exists(req))
		return (http_state_get(req));
	ctx = http_state_create(req, sizeof(*ctx), web_request_done);
	if (crypto_random_hex(ctx->request_id, sizeof(ctx->request_id),
	    WEB_REQUEST_ID_LEN / 2) == -1)
		fatal("no randomness");
	web_client_addr(req, ctx);
	return (ctx);
}

/* The peer, or the client behind a trusted proxy (proxy.c). */
static void
web_client_addr(struct http_request *req, struct web_ctx *ctx)
{
	struct connection	*c;
	const char		*xff;
	unsigned char		 addr[16];

	c = req->owner;
	if (c->family == AF_INET)
		memcpy(addr, &c->addr.ipv4.sin_addr, 4);
	else if (c->family == AF_INET6)
		memcpy(addr, &c->addr.ipv6.sin6_addr, 16);
	else {
		strcpy(ctx->client_addr, "unix");
		return;
	}
	if (!http_request_header(req, "x-forwarded-for", &xff))
		xff = NULL;
	proxy_client_addr(&web.cfg, c->family, addr, xff, ctx->client_addr,
	    sizeof(ctx->client_addr));
}

static void
web_request_done(struct http_request *req)
{
	struct web_ctx	*ctx;
	char		 status[8], ms[24];

	ctx = req->hdlr_extra;
	/* A long poll may end with the connection: its timer goes too. */
	if (ctx != NULL && ctx->timer != NULL) {
		kore_timer_remove(ctx->timer);
		ctx->timer = NULL;
	}
	snprintf(status, sizeof(status), "%u", req->status);
	snprintf(ms, sizeof(ms), "%llu", (unsigned long long)req->total);
	log_event("request", "id", ctx != NULL ? ctx->request_id : NULL,
	    "method", http_method_text(req->method), "path", req->path,
	    "status", status, "ms", ms, "client",
	    ctx != NULL ? ctx->client_addr : NULL, (char *)NULL);
}

/*
 * Sends a response with the security headers. form_action is the CSP
 * form-action source ('self' unless a page posts elsewhere, such as a
 * SAML response to an SP); max_age > 0 makes it publicly cacheable.
 */
static void
web_send(struct http_request *req, int status, const char *type,
    const void *body, size_t len, const char *form_action, int max_age)
{
	char	csp[1024], cache[48];

	snprintf(csp, sizeof(csp), "default-src 'none'; script-src 'self'; "
	    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
	    "form-action %s; frame-ancestors 'none'; base-uri 'none'; "
	    "manifest-src 'self'; worker-src 'self'", form_action);
	if (max_age > 0)
		snprintf(cache, sizeof(cache), "public, max-age=%d", max_age);
	else
		snprintf(cache, sizeof(cache), "no-store");
	http_response_header(req, "content-type", type);
	http_response_header(req, "cache-control", cache);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "referrer-policy", "no-referrer");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "content-security-policy", csp);
	if (web.cfg.https)
		http_response_header(req, "strict-transport-security",
		    "max-age=31536000");
	http_response(req, status, body, len);
}

void
web_respond(struct http_request *req, int status, const char *type,
    const void *body, size_t len)
{
	web_send(req, status, type, body, len, "'self'", 0);
}

void
web_respond_cached(struct http_request *req, const char *type,
    const void *body, size_t len, int max_age)
{
	web_send(req, 200, type, body, len, "'self'", max_age);
}

void
web_respond_post_page(struct http_request *req, const char *target,
    const void *body, size_t len)
{
	web_send(req, 200, "text/html; charset=utf-8", body, len, target, 0);
}

void
web_respond_json(struct http_request *req, int status, const char *json)
{
	web_respond(req, status, "application/json", json, strlen(json));
}

char *
web_body(struct http_request *req, size_t max, size_t *len)
{
	char		*buf;
	ssize_t		 n;
	size_t		 off;

	if (req->content_length > max)
		return (NULL);
	buf = kore_malloc(max + 1);
	off = 0;
	for (;;) {
		n = http_body_read(req, buf + off, max + 1 - off);
		if (n == -1 || (n > 0 && off + n > max))
			goto fail;
		if (n == 0)
			break;
		off += n;
		if (off == max + 1)
			goto fail;
	}
	buf[off] = '\0';
	*len = off;
	return (buf);

fail:
	kore_free(buf);
	return (NULL);
}

/* An RP ID is an SP's entity ID or a client's ID (docs/protocol.md §3). */
static const char *
web_rp_name(const char *rp)
{
	const char	*name;

	if ((name = web_saml_sp_name(rp)) != NULL)
		return (name);
	return (web_oidc_client_name(rp));
}

void
web_core_ctx(struct http_request *req, struct core_ctx *cc)
{
	struct web_ctx	*ctx;

	ctx = web_begin(req);
	cc->store = web.store;
	cc->master = &web.master;
	cc->cfg = &web.cfg;
	cc->now = (uint64_t)time(NULL);
	cc->addr = ctx->client_addr;
	cc->rp_name = web_rp_name;
}
