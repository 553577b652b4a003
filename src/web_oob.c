/*
 * The authenticator API (docs/protocol.md): /oob/v1/register,
 * /oob/v1/pending (long poll) and /oob/v1/approve.
 */
#include <string.h>

#include <jansson.h>

#include "host.h"
#include "web.h"

#define OOB_BODY_MAX		(16 * 1024)
#define OOB_WAIT_MAX		30
#define OOB_POLL_MS		250

int	web_oob_register(struct http_request *);
int	web_oob_pending(struct http_request *);
int	web_oob_approve(struct http_request *);
int	web_oob_host_start(struct http_request *);
int	web_oob_host_status(struct http_request *);

static void	web_oob_error(struct http_request *, enum oob_error);
static void	web_oob_send(struct http_request *, int, json_t *);
static const char	*web_oob_comparison(void);
static json_t	*web_oob_json(struct http_request *, char **, size_t *);
static enum oob_error	web_oob_device(struct http_request *,
		    const struct core_ctx *, const void *, size_t,
		    struct binding *);
static void	web_oob_add_request(void *, const struct oob_request *);
static void	web_oob_add_alert(void *, const struct oob_alert *);
static void	web_oob_wake(void *, u_int64_t);
static void	web_oob_signed(struct http_request *, const char *,
		    const void *, size_t, struct oob_device_in *, char *,
		    size_t);
static json_t	*web_oob_host(struct http_request *,
		    const struct core_ctx *, struct host *);

/*
 * Answers doc, or server_error when it is NULL (a json_pack() that
 * failed); releases doc.
 */
static void
web_oob_send(struct http_request *req, int status, json_t *doc)
{
	char	*text;

	if (doc == NULL || (text = json_dumps(doc, JSON_COMPACT)) == NULL) {
		json_decref(doc);
		web_oob_error(req, OOB_ERR_STORE);
		return;
	}
	web_respond_json(req, status, text);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	json_decref(doc);
}

/* The configured comparison mode's name (docs/protocol.md §4). */
static const char *
web_oob_comparison(void)
{
	if (web.cfg.comparison == CONFIG_COMPARE_ENTER)
		return ("enter");
	if (web.cfg.comparison == CONFIG_COMPARE_SELECT)
		return ("select");
	return ("compare");
}

static void
web_oob_error(struct http_request *req, enum oob_error e)
{
	json_t	*doc;
	char	*text;

	doc = json_pack("{s:s, s:s}", "error", oob_error_name(e),
	    "error_description", oob_error_description(e));
	if (e == OOB_ERR_RATE)
		http_response_header(req, "retry-after", "600");
	if (doc == NULL || (text = json_dumps(doc, JSON_COMPACT)) == NULL) {
		json_decref(doc);
		web_respond_json(req, 500, "{\"error\":\"server_error\"}");
		return;
	}
	web_respond_json(req, oob_error_status(e), text);
	free(text);
	json_decref(doc);
}

/* Reads and parses the JSON object body; NULL after answering an error. */
static json_t *
web_oob_json(struct http_request *req, char **body, size_t *len)
{
	json_t		*doc;

	if ((*body = web_body(req, OOB_BODY_MAX, len)) == NULL) {
		web_respond_json(req, 413, "{\"error\":\"invalid_request\","
		    "\"error_description\":\"body larger than 16 KiB\"}");
		return (NULL);
	}
	if ((doc = oob_body_parse(*body, *len)) == NULL) {
		kore_free(*body);
		*body = NULL;
		web_oob_error(req, OOB_ERR_INVALID);
		return (NULL);
	}
	return (doc);
}

/*
 * The signed-request headers of docs/protocol.md §2 into in; who names
 * the signer's header (a binding's or a host's). path is its buffer.
 */
static void
web_oob_signed(struct http_request *req, const char *who, const void *body,
    size_t len, struct oob_device_in *in, char *path, size_t pathlen)
{
	memset(in, 0, sizeof(*in));
	http_request_header(req, who, &in->binding_id);
	http_request_header(req, "x-mutua-timestamp", &in->timestamp);
	http_request_header(req, "x-mutua-signature", &in->signature);
	/* The signature covers the path and query exactly as sent. */
	snprintf(path, pathlen, "%s%s%s", req->path,
	    req->query_string != NULL ? "?" : "",
	    req->query_string != NULL ? req->query_string : "");
	in->method = http_method_text(req->method);
	in->path = path;
	in->body = body;
	in->bodylen = len;
}

static enum oob_error
web_oob_device(struct http_request *req, const struct core_ctx *cc,
    const void *body, size_t len, struct binding *b)
{
	struct oob_device_in	in;
	char			path[HTTP_URI_LEN + 2];

	web_oob_signed(req, "x-mutua-binding", body, len, &in, path,
	    sizeof(path));
	return (oob_device_auth(cc, &in, b));
}

int
web_oob_register(struct http_request *req)
{
	struct core_ctx		cc;
	struct enrolment_register_in	in;
	struct enrolment_register_out	out;
	enum oob_error		e;
	json_t			*doc, *resp;
	char			*body, key[64];
	size_t			 len;

	web_core_ctx(req, &cc);
	if (req->method != HTTP_METHOD_POST) {
		web_oob_error(req, OOB_ERR_INVALID);
		return (KORE_RESULT_OK);
	}
	if ((doc = web_oob_json(req, &body, &len)) == NULL)
		return (KORE_RESULT_OK);
	oob_body_register(doc, &in);
	e = enrolment_register(&cc, &in, &out);
	OPENSSL_cleanse(body, len);
	kore_free(body);
	json_decref(doc);
	if (e != OOB_OK) {
		web_oob_error(req, e);
		return (KORE_RESULT_OK);
	}
	crypto_b64url_encode(out.key, sizeof(out.key), key, sizeof(key));
	resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
	    "binding_id", out.binding_id, "user_id", out.user_id,
	    "issuer", web.cfg.base_url, "verification_key", key,
	    "suite", OFFSET_SUITE, "comparison", web_oob_comparison(),
	    "code_lifetime", (int)web.cfg.oob_code_lifetime,
	    "loa", (int)out.loa);
	OPENSSL_cleanse(&out, sizeof(out));
	OPENSSL_cleanse(key, sizeof(key));
	web_oob_send(req, 201, resp);
	return (KORE_RESULT_OK);
}

struct web_oob_list {
	json_t		*requests;
	json_t		*alerts;
	const char	*comparison;
};

static void
web_oob_add_request(void *arg, const struct oob_request *r)
{
	struct web_oob_list	*l = arg;

	json_array_append_new(l->requests, json_pack("{s:s, s:s, s:I, s:s}",
	    "request_id", r->id, "offset", r->offset, "expires_at",
	    (json_int_t)r->expires, "comparison", l->comparison));
}

static void
web_oob_add_alert(void *arg, const struct oob_alert *a)
{
	struct web_oob_list	*l = arg;

	json_array_append_new(l->alerts, json_pack("{s:I, s:s, s:s}",
	    "time", (json_int_t)a->time, "event", "denied_not_me",
	    "offset", a->offset));
}

static void
web_oob_wake(void *arg, u_int64_t now)
{
	struct http_request	*req = arg;
	struct web_ctx		*ctx = req->hdlr_extra;

	ctx->timer = NULL;
	http_request_wakeup(req);
}

/*
 * Long poll: the first call authenticates the device; later calls (woken
 * by a timer every OOB_POLL_MS) only look again, until a request is
 * pending or the deadline passes. No transaction is held across a sleep.
 */
int
web_oob_pending(struct http_request *req)
{
	struct web_ctx		*ctx;
	struct core_ctx		 cc;
	struct binding		 b;
	struct oob_pending_cb	 cb;
	struct web_oob_list	 list;
	struct store_txn	 txn;
	enum oob_error		 e;
	json_t			*doc;
	const char		*wait;
	int			 count, rc, err;
	long long		 w;

	web_core_ctx(req, &cc);
	ctx = req->hdlr_extra;
	if (ctx->binding_id[0] == '\0') {
		if (req->method != HTTP_METHOD_GET) {
			web_oob_error(req, OOB_ERR_INVALID);
			return (KORE_RESULT_OK);
		}
		if ((e = web_oob_device(req, &cc, "", 0, &b)) != OOB_OK) {
			web_oob_error(req, e);
			return (KORE_RESULT_OK);
		}
		w = 0;
		http_populate_qs(req);
		if (http_argument_get_string(req, "wait", &wait)) {
			w = kore_strtonum(wait, 10, 0, OOB_WAIT_MAX, &err);
			if (err != KORE_RESULT_OK) {
				OPENSSL_cleanse(&b, sizeof(b));
				web_oob_error(req, OOB_ERR_INVALID);
				return (KORE_RESULT_OK);
			}
		}
		strcpy(ctx->binding_id, b.id);
		ctx->deadline = kore_time_ms() + (uint64_t)w * 1000;
	} else {
		if (store_txn_begin(web.store, &txn, 0) == -1) {
			web_oob_error(req, OOB_ERR_STORE);
			return (KORE_RESULT_OK);
		}
		rc = store_binding_get(&txn, ctx->binding_id, &b);
		store_txn_abort(&txn);
		if (rc != 0 || b.state != BINDING_ACTIVE) {
			OPENSSL_cleanse(&b, sizeof(b));
			web_oob_error(req, rc == 0 ? OOB_ERR_INACTIVE :
			    OOB_ERR_STORE);
			return (KORE_RESULT_OK);
		}
	}

	list.requests = json_array();
	list.alerts = json_array();
	list.comparison = web_oob_comparison();
	cb.request = web_oob_add_request;
	cb.alert = web_oob_add_alert;
	cb.arg = &list;
	e = oob_pending(&cc, &b, &cb, &count);
	OPENSSL_cleanse(&b, sizeof(b));
	if (e == OOB_OK && count == 0 && kore_time_ms() < ctx->deadline) {
		json_decref(list.requests);
		json_decref(list.alerts);
		ctx->timer = kore_timer_add(web_oob_wake, OOB_POLL_MS, req,
		    KORE_TIMER_ONESHOT);
		http_request_sleep(req);
		return (KORE_RESULT_RETRY);
	}
	if (e != OOB_OK) {
		json_decref(list.requests);
		json_decref(list.alerts);
		web_oob_error(req, e);
		return (KORE_RESULT_OK);
	}
	doc = json_pack("{s:o, s:o}", "requests", list.requests, "alerts",
	    list.alerts);
	web_oob_send(req, 200, doc);
	return (KORE_RESULT_OK);
}

int
web_oob_approve(struct http_request *req)
{
	struct core_ctx		cc;
	struct oob_decide_in	in;
	struct binding		b;
	enum oob_error		e;
	json_t			*doc;
	char			*body;
	size_t			 len;
	uint32_t		 state;

	web_core_ctx(req, &cc);
	if (req->method != HTTP_METHOD_POST) {
		web_oob_error(req, OOB_ERR_INVALID);
		return (KORE_RESULT_OK);
	}
	if ((doc = web_oob_json(req, &body, &len)) == NULL)
		return (KORE_RESULT_OK);
	e = web_oob_device(req, &cc, body, len, &b);
	kore_free(body);
	if (e == OOB_OK) {
		oob_body_decide(doc, &in);
		e = oob_decide(&cc, &b, &in, &state);
		OPENSSL_cleanse(&b, sizeof(b));
	}
	json_decref(doc);
	if (e != OOB_OK) {
		web_oob_error(req, e);
		return (KORE_RESULT_OK);
	}
	web_respond_json(req, 200, state == OOB_APPROVED ?
	    "{\"status\":\"approved\"}" : "{\"status\":\"denied\"}");
	return (KORE_RESULT_OK);
}

/*
 * Reads the JSON body of a host request and authenticates the host
 * (docs/protocol.md §7). @return the body's document (json_decref()),
 * or NULL after answering an error.
 */
static json_t *
web_oob_host(struct http_request *req, const struct core_ctx *cc,
    struct host *h)
{
	struct oob_device_in	 in;
	enum oob_error		 e;
	json_t			*doc;
	char			*body, path[HTTP_URI_LEN + 2];
	size_t			 len;

	if (req->method != HTTP_METHOD_POST) {
		web_oob_error(req, OOB_ERR_INVALID);
		return (NULL);
	}
	if ((doc = web_oob_json(req, &body, &len)) == NULL)
		return (NULL);
	web_oob_signed(req, "x-mutua-host", body, len, &in, path,
	    sizeof(path));
	e = host_login_auth(cc, &in, h);
	kore_free(body);
	if (e != OOB_OK) {
		json_decref(doc);
		web_oob_error(req, e);
		return (NULL);
	}
	return (doc);
}

int
web_oob_host_start(struct http_request *req)
{
	struct core_ctx		 cc;
	struct host		 h;
	struct host_start_in	 in;
	struct oob_view		 view;
	enum oob_error		 e;
	json_t			*doc, *resp;
	char			 wait[16];

	web_core_ctx(req, &cc);
	if ((doc = web_oob_host(req, &cc, &h)) == NULL)
		return (KORE_RESULT_OK);
	oob_body_host_start(doc, &in);
	e = host_login_start(&cc, &h, &in, &view);
	json_decref(doc);
	if (e != OOB_OK) {
		if (e == OOB_ERR_BUSY) {
			/* X.1280 9.2.4: when the other request expires. */
			snprintf(wait, sizeof(wait), "%u", view.retry_after);
			http_response_header(req, "retry-after", wait);
		}
		web_oob_error(req, e);
		return (KORE_RESULT_OK);
	}
	resp = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}",
	    "request_id", view.request_id, "code", view.code,
	    "expires_at", (json_int_t)view.expires, "user_id", view.user_id,
	    "rp_name", h.display_name, "comparison", web_oob_comparison());
	OPENSSL_cleanse(view.code, sizeof(view.code));
	web_oob_send(req, 201, resp);
	return (KORE_RESULT_OK);
}

int
web_oob_host_status(struct http_request *req)
{
	static const char	*names[] = {
		[OOB_PENDING] = "pending", [OOB_APPROVED] = "approved",
		[OOB_DENIED] = "denied", [OOB_EXPIRED] = "expired",
		[OOB_CANCELLED] = "cancelled", [OOB_USED] = "used"
	};
	struct core_ctx		 cc;
	struct host		 h;
	enum oob_error		 e;
	json_t			*doc;
	uint32_t		 state;
	char			 text[48];

	web_core_ctx(req, &cc);
	if ((doc = web_oob_host(req, &cc, &h)) == NULL)
		return (KORE_RESULT_OK);
	e = host_login_status(&cc, &h,
	    json_string_value(json_object_get(doc, "request_id")),
	    json_string_value(json_object_get(doc, "session")), &state);
	json_decref(doc);
	if (e == OOB_OK && (state < OOB_PENDING || state > OOB_USED))
		e = OOB_ERR_STORE;
	if (e != OOB_OK) {
		web_oob_error(req, e);
		return (KORE_RESULT_OK);
	}
	snprintf(text, sizeof(text), "{\"status\":\"%s\"}", names[state]);
	web_respond_json(req, 200, text);
	return (KORE_RESULT_OK);
}
