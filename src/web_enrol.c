/*
 * /account/vetting: the self-service request of a vetted (LoA3)
 * authenticator. X.1254 I_REQUEST_FACTOR and I_ARRANGE_VETTING: the user
 * gets a secret vetting code (and its QR code) to bring to the desk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "enrolment.h"
#include "qr.h"
#include "web.h"

int	web_enrol_vetting(struct http_request *);

int
web_enrol_vetting(struct http_request *req)
{
	struct core_ctx		 cc;
	struct session		 s;
	struct template_var	 vars[4];
	enum vetting_error	 e;
	char			 sid[SESSION_ID_LEN + 1];
	char			 case_id[VETTING_ID_LEN + 1];
	char			 code[VETTING_CODE_LEN + 1], expires[DATE_MAX], *svg;
	int			 mailed;

	web_core_ctx(req, &cc);
	if (req->method != HTTP_METHOD_POST) {
		web_redirect(req, "/account");
		return (KORE_RESULT_OK);
	}
	http_populate_post(req);
	if (!web_session_authenticated(req, SESSION_LOA_PASSWORD, sid, &s) ||
	    !web_csrf_valid(req, sid)) {
		web_page_error(req, 403, "Form expired",
		    "Please sign in again.");
		return (KORE_RESULT_OK);
	}
	e = enrolment_arrange(&cc, s.user_id, s.amr, case_id, code, &mailed);
	if (e == VETTING_ERR_NOT_ELIGIBLE) {
		web_page_error(req, 403, "Not eligible", "Your organisation "
		    "does not offer you a vetted (level 3) authenticator. "
		    "Ask the service desk if you think this is wrong.");
		return (KORE_RESULT_OK);
	}
	if (e == VETTING_ERR_DIRECTORY) {
		web_page_error(req, 503, "Directory unavailable", "The user "
		    "directory cannot be reached at the moment. Please try "
		    "again in a few minutes.");
		return (KORE_RESULT_OK);
	}
	if (e != VETTING_OK) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	date_format(cc.now + web.cfg.vetting_code_lifetime, DATE_DAY, expires,
	    sizeof(expires));
	svg = qr_svg(code, "QR code of your vetting code");
	vars[0] = (struct template_var){ "code", code, 0 };
	vars[1] = (struct template_var){ "qr", svg, TEMPLATE_RAW };
	vars[2] = (struct template_var){ "expires", expires, 0 };
	vars[3] = (struct template_var){ "mailed", mailed ?
	    "A copy was sent to your e-mail address." : "", 0 };
	web_page_send(req, 200, WEB_PAGE_ACCOUNT_VETTING, vars, 4);
	free(svg);
	OPENSSL_cleanse(code, sizeof(code));
	return (KORE_RESULT_OK);
}
