/*
 * Page templates and their rendering.
 */
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define WEB_TEMPLATE_DIR	"assets/templates"
#define WEB_PAGE_VARS_MAX	64	/* the help-desk case page has 38 */

static const char	*web_page_files[WEB_PAGE_COUNT] = {
	"login.html",
	"error.html",
	"login_code.html",
	"login_password.html",
	"account.html",
	"account_register.html",
	"saml_post.html",
	"oidc_continue.html",
	"oidc_logout.html",
	"helpdesk.html",
	"helpdesk_user.html",
	"helpdesk_case.html",
	"helpdesk_register.html",
	"helpdesk_identity.html",
	"helpdesk_alert.html",
	"account_vetting.html",
	"oidc_consent.html",
};

static struct template	web_pages[WEB_PAGE_COUNT];

void
web_page_load(void)
{
	char		err[1024];
	int		i;

	for (i = 0; i < WEB_PAGE_COUNT; i++) {
		/* Loaded again on SIGHUP: the module's globals persist. */
		template_free(&web_pages[i]);
		if (template_load(&web_pages[i], WEB_TEMPLATE_DIR,
		    web_page_files[i], err, sizeof(err)) == -1)
			fatal("template: %s", err);
	}
}

char *
web_page_render(enum web_page page, const struct template_var *vars,
    size_t nvars, size_t *len)
{
	struct template_var	 all[WEB_PAGE_VARS_MAX];

	if (nvars >= WEB_PAGE_VARS_MAX)
		fatal("web_page_render: too many variables");
	all[0].name = "base_url";
	all[0].value = web.cfg.base_url;
	all[0].flags = 0;
	if (nvars > 0)
		memcpy(all + 1, vars, nvars * sizeof(*vars));
	return (template_render(&web_pages[page], all, nvars + 1, len));
}

void
web_page_send(struct http_request *req, int status, enum web_page page,
    const struct template_var *vars, size_t nvars)
{
	char		*html;
	size_t		 len;

	if ((html = web_page_render(page, vars, nvars, &len)) == NULL) {
		web_respond(req, 500, "text/plain", "internal error\n", 15);
		return;
	}
	web_respond(req, status, "text/html; charset=utf-8", html, len);
	free(html);
}

void
web_page_error(struct http_request *req, int status, const char *title,
    const char *message)
{
	struct template_var	vars[2] = {
		{ "title", title, 0 },
		{ "message", message, 0 },
	};

	web_page_send(req, status, WEB_PAGE_ERROR, vars, 2);
}
