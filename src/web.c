/*
 * Process hooks, request context, logging and common responses.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kore/hooks.h>
#include <kore/seccomp.h>

#include "log.h"
#include "store_sweep.h"
#include "web.h"

#define WEB_DEFAULT_CONFIG	"federation/idp.conf"
#define WEB_XFF_MAX		512

/*
 * Kore's worker sandbox stays on; these are the calls LMDB (pread,
 * pwrite, fdatasync, ftruncate on growth), lasso/xmlsec and OpenSSL need
 * beyond Kore's own list (see docs/deployment.md).
 */
KORE_SECCOMP_FILTER("mutua",
	KORE_SYSCALL_ALLOW(pread64),
	KORE_SYSCALL_ALLOW(pwrite64),
	KORE_SYSCALL_ALLOW(fdatasync),
	KORE_SYSCALL_ALLOW(fsync),
	KORE_SYSCALL_ALLOW(ftruncate),
	KORE_SYSCALL_ALLOW(uname),
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(getdents64),
	KORE_SYSCALL_ALLOW(fstatfs),
	KORE_SYSCALL_ALLOW(mkdir),
	/* Kore's filemap resolves paths with realpath(). */
	KORE_SYSCALL_ALLOW(faccessat2),
);

#define WEB_SWEEP_MS		1000
#define WEB_SWEEP_PASSES	4

struct web_state	web;

/* Each worker's sweeper of expired volatile records (store_sweep.h). */
static struct store_sweeper	web_sweeper;
static struct kore_timer	*web_sweep_timer;

int		mutua_onload(int);
static void	web_load_config(void);
static void	web_request_done(struct http_request *);
static void	web_send(struct http_request *, int, const char *,
		    const void *, size_t, const char *, int);
static void	web_client_addr(struct http_request *, struct web_ctx *);
static void	web_sweep(void *, u_int64_t);

/*
 * Reads idp.conf, the master key and the templates into web. fatal() on
 * any error: at start-up that stops the server with "file:line: message".
 */
static void
web_load_config(void)
{
	const char	*path;
	char		 err[CONFIG_ERR_MAX];

	if ((path = getenv("MUTUA_CONFIG")) == NULL)
		path = WEB_DEFAULT_CONFIG;
	if (config_load(path, &web.cfg, err, sizeof(err)) == -1)
		fatal("%s", err);
	if (crypto_master_key_load(web.cfg.master_key, &web.master, err,
	    sizeof(err)) == -1)
		fatal("%s", err);
	web_page_load();
	web_session_init();
}

/* The parent checks everything once so that a bad setup fails at once. */
void
kore_parent_configure(int argc, char **argv)
{
	web_load_config();
	/* Read here: the workers' chroot has no /proc (store_open()). */
	if (store_boot_id(web.boot_id, sizeof(web.boot_id)) == -1)
		fatal("cannot read this machine's boot ID");
	log_event("start", "config", web.cfg.path, "base_url",
	    web.cfg.base_url, "entity_id", web.cfg.entity_id, (char *)NULL);
	crypto_master_key_wipe(&web.master);
}

/*
 * Kore calls this in each worker after fork (KORE_MODULE_LOAD), and on
 * SIGHUP it calls it with KORE_MODULE_UNLOAD, dlclose()s and dlopen()s
 * the module, then calls it with KORE_MODULE_LOAD again. mutua.so is
 * linked with -z nodelete (lasso's GLib types cannot be registered twice
 * in a process), so the module stays mapped and its globals survive:
 * UNLOAD releases everything and LOAD builds it again from the files,
 * which is how SIGHUP reloads SP metadata and OAuth clients. The store is
 * opened per process, never inherited (LMDB handles do not survive fork).
 */
int
mutua_onload(int action)
{
	char		err[CONFIG_ERR_MAX];

	if (action == KORE_MODULE_UNLOAD) {
		kore_timer_remove(web_sweep_timer);
		web_sweep_timer = NULL;
		web_saml_fini();
		web_oidc_unload();
		store_close(web.store);
		web.store = NULL;
		crypto_master_key_wipe(&web.master);
		return (KORE_RESULT_OK);
	}
	/*
	 * Every time mutua shows is UTC; with TZ unset glibc's strftime()
	 * looks at /etc/localtime again on each call.
	 */
	if (setenv("TZ", "UTC0", 1) == -1)
		fatal("setenv TZ");
	tzset();
	web_load_config();
	if (store_open(&web.store, web.cfg.data_dir, web.cfg.map_size,
	    web.boot_id, err, sizeof(err)) == -1)
		fatal("store: %s", err);
	web_saml_init();
	web_oidc_load();
	web_sweep_timer = kore_timer_add(web_sweep, WEB_SWEEP_MS, NULL, 0);
	return (KORE_RESULT_OK);
}

/*
 * Once a second: a slice of each volatile database, and more slices at
 * once while half of a slice turns out expired (a burst of logins).
 */
static void
web_sweep(void *arg, u_int64_t now_ms)
{
	int	i, n;

	for (i = 0; i < WEB_SWEEP_PASSES; i++) {
		n = store_sweep(web.store, &web_sweeper, (uint64_t)time(NULL));
		if (n == -1)
			log_event("sweep", "outcome", "store error",
			    (char *)NULL);
		if (n < STORE_SWEEP_BATCH / 2)
			break;
	}
}

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

/*
 * The peer is the client unless it is a trusted proxy; then the client is
 * the right-most X-Forwarded-For entry that is not itself trusted. Left
 * entries are client-supplied and never believed.
 */
static void
web_client_addr(struct http_request *req, struct web_ctx *ctx)
{
	struct connection	*c;
	const char		*xff;
	char			 list[WEB_XFF_MAX], *p, *entry;
	unsigned char		 addr[16];
	int			 family;

	c = req->owner;
	family = c->family;
	if (family == AF_INET) {
		memcpy(addr, &c->addr.ipv4.sin_addr, 4);
		inet_ntop(AF_INET, addr, ctx->client_addr,
		    sizeof(ctx->client_addr));
	} else if (family == AF_INET6) {
		memcpy(addr, &c->addr.ipv6.sin6_addr, 16);
		inet_ntop(AF_INET6, addr, ctx->client_addr,
		    sizeof(ctx->client_addr));
	} else {
		strcpy(ctx->client_addr, "unix");
		return;
	}

	if (!config_is_trusted_proxy(&web.cfg, family, addr))
		return;
	if (!http_request_header(req, "x-forwarded-for", &xff) ||
	    strlen(xff) >= sizeof(list))
		return;
	strcpy(list, xff);

	while ((p = strrchr(list, ',')) != NULL || list[0] != '\0') {
		entry = p == NULL ? list : p + 1;
		while (*entry == ' ')
			entry++;
		if (inet_pton(AF_INET, entry, addr) == 1)
			family = AF_INET;
		else if (inet_pton(AF_INET6, entry, addr) == 1)
			family = AF_INET6;
		else
			return;
		snprintf(ctx->client_addr, sizeof(ctx->client_addr), "%s",
		    entry);
		if (!config_is_trusted_proxy(&web.cfg, family, addr))
			return;
		if (p == NULL)
			return;
		*p = '\0';
	}
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

void
web_oob_ctx(struct http_request *req, struct oob_ctx *oc)
{
	struct web_ctx	*ctx;

	ctx = web_begin(req);
	oc->store = web.store;
	oc->master = &web.master;
	oc->cfg = &web.cfg;
	oc->now = (uint64_t)time(NULL);
	oc->addr = ctx->client_addr;
}
