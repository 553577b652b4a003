/*
 * /account, continued: the OAuth clients the user allowed something
 * (oidc_consent.c), each with a button that withdraws it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "date.h"
#include "web.h"

int	web_account_consent(struct http_request *);

static int	web_account_consent_row(void *, const struct oauth_consent *);

struct consent_rows {
	struct web_html	*html;
	const char	*csrf;
};

static int
web_account_consent_row(void *arg, const struct oauth_consent *c)
{
	struct consent_rows	*r = arg;
	const char		*name;
	char			 when[DATE_MAX];

	name = web_oidc_client_name(c->client_id);
	web_html_raw(r->html, "<tr><td>");
	web_html_text(r->html, name != NULL ? name : c->client_id);
	web_html_raw(r->html, "</td><td>");
	web_html_text(r->html, c->scope);
	web_html_raw(r->html, "</td><td>");
	web_html_text(r->html, date_format(c->granted, DATE_MINUTE, when,
	    sizeof(when)));
	web_html_raw(r->html, "</td><td><form method=\"post\" "
	    "action=\"/account/consent\"><input type=\"hidden\" "
	    "name=\"csrf\" value=\"");
	web_html_text(r->html, r->csrf);
	web_html_raw(r->html, "\"><input type=\"hidden\" name=\"client\" "
	    "value=\"");
	web_html_text(r->html, c->client_id);
	web_html_raw(r->html, "\"><button type=\"submit\" "
	    "class=\"secondary\">Withdraw</button></form></td></tr>");
	return (0);
}

int
web_account_consent_rows(struct web_html *h, const struct core_ctx *cc,
    const char *user_id, const char *csrf)
{
	struct consent_rows	r;
	int			n;

	r.html = h;
	r.csrf = csrf;
	if ((n = account_consents(cc, user_id, web_account_consent_row,
	    &r)) == 0)
		web_html_raw(h, "<tr><td colspan=\"4\">None.</td></tr>");
	return (n);
}

int
web_account_consent(struct http_request *req)
{
	struct core_ctx		 cc;
	struct session		 s;
	char			 sid[SESSION_ID_LEN + 1], *client;

	if (!web_account_form_post(req, &cc, sid, &s))
		return (KORE_RESULT_OK);
	if (!http_argument_get_string(req, "client", &client)) {
		web_page_error(req, 400, "Bad request", "No service named.");
		return (KORE_RESULT_OK);
	}
	switch (account_consent_withdraw(&cc, s.user_id, client)) {
	case ACCOUNT_OK:
		web_redirect(req, "/account");
		break;
	case ACCOUNT_ERR_UNKNOWN:
		web_page_error(req, 404, "Not found", "You had not allowed "
		    "that service anything.");
		break;
	default:
		web_page_error(req, 500, "Error", "Please try again.");
		break;
	}
	return (KORE_RESULT_OK);
}
