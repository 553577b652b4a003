/*
 * /account: the signed-in user's authenticators and registration of a
 * new (or backup) one (X.1280 8.1, DESIGN.md §2.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "enrolment.h"
#include "qr.h"
#include "web.h"

/* Self-service registration after a password or a LoA2 login: LoA2. */
#define ACCOUNT_NO_ROWS		"<tr><td colspan=5>None yet.</td></tr>"
#define ACCOUNT_SELF_SERVICE_LOA	2

int	web_account(struct http_request *);
int	web_account_register(struct http_request *);

static char	*web_account_rows(const char *);

/* The table rows of the user's bindings, escaped; free() the result. */
static char *
web_account_rows(const char *user_id)
{
	struct store_txn	 txn;
	struct binding		 list[BINDINGS_PER_USER_MAX];
	char			*out, created[DATE_MAX], used[DATE_MAX], loa[16];
	const char		*cells[5];
	size_t			 len, cap;
	int			 n, i, j;
	static const char	*states[] = { "?", "active", "suspended",
				    "revoked", "awaiting activation" };

	out = NULL;
	len = cap = 0;
	if (template_append(&out, &len, &cap, "", 0) == -1)
		return (NULL);
	if (store_txn_begin(web.store, &txn, 0) == -1)
		goto fail;
	n = store_binding_list(&txn, user_id, list, BINDINGS_PER_USER_MAX);
	store_txn_abort(&txn);
	if (n == -1)
		goto fail;
	if (n == 0 && template_append(&out, &len, &cap, ACCOUNT_NO_ROWS,
	    sizeof(ACCOUNT_NO_ROWS) - 1) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		date_format(list[i].created, DATE_MINUTE, created, sizeof(created));
		date_format(list[i].last_used, DATE_MINUTE, used, sizeof(used));
		snprintf(loa, sizeof(loa), "LoA%u", list[i].loa);
		cells[0] = list[i].label;
		cells[1] = loa;
		cells[2] = states[list[i].state <= 4 ? list[i].state : 0];
		cells[3] = created;
		cells[4] = used;
		if (template_append(&out, &len, &cap, "<tr>", 4) == -1)
			goto fail;
		for (j = 0; j < 5; j++) {
			if (template_append(&out, &len, &cap, "<td>", 4) == -1 ||
			    template_escape(&out, &len, &cap, cells[j]) == -1 ||
			    template_append(&out, &len, &cap, "</td>", 5) == -1)
				goto fail;
		}
		if (template_append(&out, &len, &cap, "</tr>", 5) == -1)
			goto fail;
	}
	OPENSSL_cleanse(list, sizeof(list));
	return (out);

fail:
	OPENSSL_cleanse(list, sizeof(list));
	free(out);
	return (NULL);
}

int
web_account(struct http_request *req)
{
	struct session		 s;
	struct template_var	 vars[7];
	char			 sid[SESSION_ID_LEN + 1];
	char			 csrf[WEB_CSRF_LEN + 1], loa[16], *rows, *manage;
	int			 nactive;

	web_begin(req);
	if (!web_session_authenticated(req, SESSION_LOA_PASSWORD, sid, &s)) {
		web_redirect(req, "/login");
		return (KORE_RESULT_OK);
	}
	if ((rows = web_account_rows(s.user_id)) == NULL) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	web_csrf_token(sid, csrf);
	if ((manage = web_account_manage_section(s.user_id, s.binding_id,
	    csrf, &nactive)) == NULL) {
		free(rows);
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	snprintf(loa, sizeof(loa), "%u", s.loa);
	vars[0] = (struct template_var){ "user", s.user_id, 0 };
	vars[1] = (struct template_var){ "loa", loa, 0 };
	vars[2] = (struct template_var){ "amr", s.amr, 0 };
	vars[3] = (struct template_var){ "bindings", rows, TEMPLATE_RAW };
	vars[4] = (struct template_var){ "csrf", csrf, 0 };
	vars[5] = (struct template_var){ "suspend", manage, TEMPLATE_RAW };
	vars[6] = (struct template_var){ "add", nactive > 0 ?
	    "Add a backup authenticator" : "Add an authenticator", 0 };
	web_page_send(req, 200, WEB_PAGE_ACCOUNT, vars, 7);
	free(rows);
	free(manage);
	return (KORE_RESULT_OK);
}

int
web_account_register(struct http_request *req)
{
	struct core_ctx		 cc;
	struct session		 s;
	struct store_txn	 txn;
	struct template_var	 vars[4];
	char			 sid[SESSION_ID_LEN + 1];
	char			 code[OOB_REG_CODE_LEN + 1];
	char			 case_id[VETTING_ID_LEN + 1];
	char			 link[CONFIG_URL_MAX + 96], minutes[16], *svg;
	int			 active;

	web_core_ctx(req, &cc);
	http_populate_post(req);
	if (!web_session_authenticated(req, SESSION_LOA_PASSWORD, sid, &s) ||
	    !web_csrf_valid(req, sid)) {
		web_page_error(req, 403, "Form expired",
		    "Please sign in again.");
		return (KORE_RESULT_OK);
	}
	if (store_txn_begin(web.store, &txn, 0) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	active = store_binding_count_active(&txn, s.user_id);
	store_txn_abort(&txn);
	/*
	 * X.1280 9.2.1 and 9.2.2: once a user has an authenticator, a
	 * password session can no longer add one; a backup needs a login
	 * with an existing authenticator (or the help desk).
	 */
	if (active != 0 && s.loa < ACCOUNT_SELF_SERVICE_LOA) {
		web_page_error(req, 403, "Sign in with your authenticator",
		    "Adding a backup authenticator needs a sign-in with the "
		    "one you have, or the help desk.");
		return (KORE_RESULT_OK);
	}
	/*
	 * X.1254 C_USE_EXISTING_FACTOR and I_REQUEST_FACTOR: a vetting case
	 * records how this self-service (LoA2) binding came to be.
	 */
	if (enrolment_self_service(&cc, s.user_id, s.amr, active > 0,
	    case_id, code) != VETTING_OK) {
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
