/*
 * /healthz: liveness and storage check.
 */
#include "web.h"

int	web_healthz(struct http_request *);

int
web_healthz(struct http_request *req)
{
	web_begin(req);
	if (store_check(web.store) == -1) {
		web_respond_json(req, 503,
		    "{\"status\":\"unavailable\",\"store\":\"error\"}");
		return (KORE_RESULT_OK);
	}
	web_respond_json(req, 200, "{\"status\":\"ok\",\"store\":\"ok\"}");
	return (KORE_RESULT_OK);
}
