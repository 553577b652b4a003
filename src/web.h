/*
 * web*.c: the Kore application. Handlers are thin: validated input in,
 * one call into the module that owns the behaviour, render out.
 */
#ifndef MUTUA_WEB_H
#define MUTUA_WEB_H

#include <netinet/in.h>
#include <arpa/inet.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "config.h"
#include "crypto.h"
#include "store.h"
#include "template.h"

#define WEB_REQUEST_ID_LEN	16
#define WEB_ADDR_MAX		INET6_ADDRSTRLEN

/* Per-request context, in req->hdlr_extra (freed by Kore). */
struct web_ctx {
	char		request_id[WEB_REQUEST_ID_LEN + 1];
	char		client_addr[WEB_ADDR_MAX];
};

/* Process-wide state: set in the parent, store opened per worker. */
struct web_state {
	struct config			cfg;
	struct crypto_master_key	master;
	struct store			*store;
};

extern struct web_state		web;

/*
 * Starts handling a request: assigns a request ID, resolves the client
 * address (X-Forwarded-For only from a trusted proxy) and arranges the
 * one log line written when the request is freed. Every handler calls it
 * first. The context is owned by Kore.
 */
struct web_ctx	*web_begin(struct http_request *);

/* Sends body with status and content type, plus the security headers. */
void	web_respond(struct http_request *, int status, const char *type,
	    const void *body, size_t len);

/* Sends a JSON document (a NUL-terminated string). */
void	web_respond_json(struct http_request *, int status, const char *json);

/* The pages, read from assets/templates/ at start-up (web_page.c). */
enum web_page {
	WEB_PAGE_LOGIN,
	WEB_PAGE_ERROR,
	WEB_PAGE_COUNT
};

/* Reads every template; fatal() on a missing or unreadable one. */
void	web_page_load(void);

/*
 * Renders page with vars (plus "base_url") and sends it with status.
 * A rendering failure is answered with a plain 500.
 */
void	web_page_send(struct http_request *, int status, enum web_page,
	    const struct template_var *vars, size_t nvars);

/* Sends the error page with a title and a message for the user. */
void	web_page_error(struct http_request *, int status, const char *title,
	    const char *message);

#endif
