/*
 * /account: the signed-in user's authenticators and registration of a
 * new (or backup) one (X.1280 8.1, DESIGN.md §2.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enrolment.h"
#include "qr.h"
#include "web.h"

#define ACCOUNT_NO_ROWS		"<tr><td colspan=5>None yet.</td></tr>"

int	web_account(struct http_request *);
int	web_account_register(struct http_request *);

int
web_account(struct http_request *req)
{
	struct session		 s;
	struct store_txn	 txn;
	struct binding		 list[BINDINGS_PER_USER_MAX];
	struct core_ctx		 cc;
	struct web_html		 rows, manage, consents;
	struct template_var	 vars[8];
	char			 sid[SESSION_ID_LEN + 1];
	char			 csrf[WEB_CSRF_LEN + 1], loa[16];
	int			 n, nactive;

	web_core_ctx(req, &cc);
	if (!web_session_authenticated(req, SESSION_LOA_PASSWORD, sid, &s)) {
		web_redirect(req, "/login");
		return (KORE_RESULT_OK);
	}
	if (store_txn_begin(web.store, &txn, 0) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	n = store_binding_list(&txn, s.user_id, list, BINDINGS_PER_USER_MAX);
	store_txn_abort(&txn);
	memset(&rows, 0, sizeof(rows));
	memset(&manage, 0, sizeof(manage));
	memset(&consents, 0, sizeof(consents));
	web_csrf_token(sid, csrf);
	if (n > 0)
		web_html_binding_rows(&rows, list, n, 0);
	else
		web_html_raw(&rows, ACCOUNT_NO_ROWS);
	nactive = web_account_manage_section(&manage, list, n, s.binding_id,
	    csrf);
	/* The records hold the wrapped K: not left on the stack. */
	OPENSSL_cleanse(list, sizeof(list));
	if (n == -1 || rows.error || manage.error ||
	    web_account_consent_rows(&consents, &cc, s.user_id, csrf) == -1 ||
	    consents.error) {
		web_page_error(req, 500, "Error", "Please try again.");
		goto out;
	}
	snprintf(loa, sizeof(loa), "%u", s.loa);
	vars[0] = (struct template_var){ "user", s.user_id, 0 };
	vars[1] = (struct template_var){ "loa", loa, 0 };
	vars[2] = (struct template_var){ "amr", s.amr, 0 };
	vars[3] = (struct template_var){ "bindings", rows.out, TEMPLATE_RAW };
	vars[4] = (struct template_var){ "csrf", csrf, 0 };
	vars[5] = (struct template_var){ "suspend", manage.out != NULL ?
	    manage.out : "", TEMPLATE_RAW };
	vars[6] = (struct template_var){ "add", nactive > 0 ?
	    "Add a backup authenticator" : "Add an authenticator", 0 };
	vars[7] = (struct template_var){ "consents", consents.out,
	    TEMPLATE_RAW };
	web_page_send(req, 200, WEB_PAGE_ACCOUNT, vars, 8);
out:
	free(rows.out);
	free(manage.out);
	free(consents.out);
	return (KORE_RESULT_OK);
}

int
web_account_register(struct http_request *req)
{
	struct core_ctx		 cc;
	struct session		 s;
	struct template_var	 vars[4];
	enum vetting_error	 e;
	char			 sid[SESSION_ID_LEN + 1];
	char			 code[OOB_REG_CODE_LEN + 1];
	char			 case_id[VETTING_ID_LEN + 1];
	char			 link[CONFIG_URL_MAX + 96], minutes[16], *svg;

	web_core_ctx(req, &cc);
	http_populate_post(req);
	if (!web_session_authenticated(req, SESSION_LOA_PASSWORD, sid, &s) ||
	    !web_csrf_valid(req, sid)) {
		web_page_error(req, 403, "Form expired",
		    "Please sign in again.");
		return (KORE_RESULT_OK);
	}
	/*
	 * X.1254 C_USE_EXISTING_FACTOR and I_REQUEST_FACTOR: a vetting case
	 * records how this self-service (LoA2) binding came to be.
	 */
	e = enrolment_self_service(&cc, s.user_id, s.amr, s.loa, case_id,
	    code);
	if (e == VETTING_ERR_CHANNEL) {
		web_page_error(req, 403, "Sign in with your authenticator",
		    "Adding a backup authenticator needs a sign-in with the "
		    "one you have, or the help desk.");
		return (KORE_RESULT_OK);
	}
	if (e != VETTING_OK) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	snprintf(link, sizeof(link), "%s/app/#register=%s", web.cfg.base_url,
	    code);
	snprintf(minutes, sizeof(minutes), "%u",
	    web.cfg.registration_lifetime / 60);
	svg = qr_svg(link, "QR code to register an authenticator");
	vars[0] = (struct template_var){ "qr", svg, TEMPLATE_RAW };
	vars[1] = (struct template_var){ "link", link, 0 };
	vars[2] = (struct template_var){ "code", code, 0 };
	vars[3] = (struct template_var){ "minutes", minutes, 0 };
	web_page_send(req, 200, WEB_PAGE_ACCOUNT_REGISTER, vars, 4);
	free(svg);
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(link, sizeof(link));
	return (KORE_RESULT_OK);
}
