/*
 * The login page: the user ID form that starts the X.1280 flow.
 */
#include "web.h"

int	web_login_page(struct http_request *);

int
web_login_page(struct http_request *req)
{
	web_begin(req);
	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		web_page_error(req, 405, "Method not allowed",
		    "This page only answers GET.");
		return (KORE_RESULT_OK);
	}
	web_page_send(req, 200, WEB_PAGE_LOGIN, NULL, 0);
	return (KORE_RESULT_OK);
}
