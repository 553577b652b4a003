/*
 * The consent page (OpenID Connect Core §3.1.2.4): shown when a client
 * registered with require_consent asks for scopes the user has not
 * allowed it, or for prompt=consent; POST /oauth2/consent takes the
 * answer. The request waits, parked, in between; the form is bound to
 * the session by its CSRF token, so only the user who saw the page can
 * answer it.
 */
#include <string.h>

#include "oidc.h"
#include "web.h"

int	web_oidc_consent(struct http_request *);

static void	web_oidc_consent_scopes(struct web_html *, const char *);

/* What each scope gives the client, in words (docs/oidc.md). */
static void
web_oidc_consent_scopes(struct web_html *h, const char *scope)
{
	static const struct {
		const char	*scope;
		const char	*words;
	} known[] = {
		{ "openid", "that you are the same person each time you "
		    "sign in (an identifier for you)" },
		{ "profile", "your name and user ID" },
		{ "email", "your e-mail address" },
	};
	const char	*p, *end;
	char		 word[OAUTH_SCOPE_MAX];
	size_t		 i;

	for (p = scope; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, " ");
		snprintf(word, sizeof(word), "%.*s", (int)(end - p), p);
		if (word[0] == '\0')
			continue;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			if (strcmp(known[i].scope, word) == 0)
				break;
		}
		web_html_raw(h, "<li>");
		if (i < sizeof(known) / sizeof(known[0]))
			web_html_text(h, known[i].words);
		else {
			web_html_raw(h, "access called <code>");
			web_html_text(h, word);
			web_html_raw(h, "</code>");
		}
		web_html_raw(h, "</li>");
	}
}

void
web_oidc_consent_page(struct http_request *req, struct oidc_ctx *oc,
    struct oidc_authz *a, const char *sid, const char *user_id)
{
	struct template_var	 vars[6];
	struct web_html		 scopes;
	char			 id[OIDC_AUTHZ_ID_LEN + 1];
	char			 csrf[WEB_CSRF_LEN + 1];

	if (oidc_authz_park(oc, a, id) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return;
	}
	memset(&scopes, 0, sizeof(scopes));
	web_oidc_consent_scopes(&scopes, a->req.scope);
	web_html_raw(&scopes, "");
	web_csrf_token(sid, csrf);
	vars[0] = (struct template_var){ "client", a->client->name, 0 };
	vars[1] = (struct template_var){ "client_id", a->client->id, 0 };
	vars[2] = (struct template_var){ "user", user_id, 0 };
	vars[3] = (struct template_var){ "scopes", scopes.out,
	    TEMPLATE_RAW };
	vars[4] = (struct template_var){ "csrf", csrf, 0 };
	vars[5] = (struct template_var){ "id", id, 0 };
	if (scopes.error)
		web_page_error(req, 500, "Error", "Please try again.");
	else
		web_page_send(req, 200, WEB_PAGE_OIDC_CONSENT, vars, 6);
	free(scopes.out);
}

int
web_oidc_consent(struct http_request *req)
{
	struct oidc_ctx		 oc;
	struct oidc_authz	 a;
	struct session		 s;
	char			*id, *decision;
	char			 sid[SESSION_ID_LEN + 1];
	char			 location[OIDC_LOCATION_MAX];

	web_oidc_ctx(req, &oc);
	if (req->method != HTTP_METHOD_POST) {
		web_page_error(req, 405, "Not allowed", "Use the form.");
		return (KORE_RESULT_OK);
	}
	http_populate_post(req);
	if (!web_session_authenticated(req, OIDC_MIN_LOA, sid, &s) ||
	    !web_csrf_valid(req, sid)) {
		OPENSSL_cleanse(sid, sizeof(sid));
		web_page_error(req, 403, "Not allowed", "The page has expired "
		    "or belongs to another session: start again at the "
		    "service.");
		return (KORE_RESULT_OK);
	}
	OPENSSL_cleanse(sid, sizeof(sid));
	if (!http_argument_get_string(req, "id", &id) ||
	    !http_argument_get_string(req, "decision", &decision)) {
		web_page_error(req, 400, "Bad request", "The form is "
		    "incomplete.");
		return (KORE_RESULT_OK);
	}
	if (oidc_authz_resume(&oc, id, &a) == -1) {
		web_page_error(req, 400, "Sign-in expired", a.description);
		return (KORE_RESULT_OK);
	}
	if (oidc_consent_answer(&oc, &a, s.user_id,
	    strcmp(decision, "allow") == 0) == -1) {
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	if (a.action == OIDC_AUTHZ_CODE)
		oidc_authz_issue(&oc, &a, &s, location, sizeof(location));
	else if (oidc_authz_error_location(&oc, &a, location,
	    sizeof(location)) == -1) {
		web_page_error(req, 400, "Request too large",
		    "The sign-in request is too large.");
		return (KORE_RESULT_OK);
	}
	memset(&s, 0, sizeof(s));
	web_oidc_continue(req, a.action == OIDC_AUTHZ_ERROR ? "Not allowed" :
	    "Signed in", a.client->name, location);
	OPENSSL_cleanse(location, sizeof(location));
	return (KORE_RESULT_OK);
}
