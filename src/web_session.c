/*
 * The session cookie, CSRF protection, session lookup and the redirect
 * to the login page that comes back once the session is authenticated.
 *
 * The cookie holds 32 random bytes as hex; the store keys the session by
 * its SHA-256. It is HttpOnly, SameSite=Lax (sent on top-level GET
 * navigations from service providers, never on cross-site POSTs) and,
 * with an https base URL, Secure with the __Host- prefix.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/hmac.h>

#include "login.h"
#include "web.h"

#define WEB_COOKIE		"mutua"
#define WEB_COOKIE_HOST		"__Host-mutua"

static const char	*web_cookie_name(void);
static void		 web_session_set(struct http_request *, const char *,
			    int);

void
web_session_init(void)
{
	unsigned int	len;

	len = sizeof(web.csrf_key);
	if (HMAC(EVP_sha256(), web.master.key, sizeof(web.master.key),
	    (const unsigned char *)"mutua-csrf-v1", 13, web.csrf_key,
	    &len) == NULL)
		fatal("cannot derive the CSRF key");
}

static const char *
web_cookie_name(void)
{
	return (web.cfg.https ? WEB_COOKIE_HOST : WEB_COOKIE);
}

int
web_session_cookie(struct http_request *req, char *sid)
{
	char		*value;

	http_populate_cookies(req);
	if (!http_request_cookie(req, web_cookie_name(), &value) ||
	    !login_session_id_valid(value))
		return (0);
	memcpy(sid, value, SESSION_ID_LEN + 1);
	return (1);
}

static void
web_session_set(struct http_request *req, const char *value, int max_age)
{
	char	header[256];

	snprintf(header, sizeof(header), "%s=%s; Path=/; Max-Age=%d; "
	    "HttpOnly; SameSite=Lax%s", web_cookie_name(), value, max_age,
	    web.cfg.https ? "; Secure" : "");
	http_response_header(req, "set-cookie", header);
}

void
web_session_ensure(struct http_request *req, char *sid)
{
	if (web_session_cookie(req, sid))
		return;
	if (crypto_random_hex(sid, SESSION_ID_LEN + 1,
	    SESSION_ID_LEN / 2) == -1)
		fatal("no randomness");
	web_session_send(req, sid);
}

void
web_session_send(struct http_request *req, const char *sid)
{
	web_session_set(req, sid, (int)web.cfg.session_lifetime);
}

void
web_session_clear_cookie(struct http_request *req)
{
	web_session_set(req, "", 0);
}

void
web_csrf_token(const char *sid, char *token)
{
	unsigned char	mac[CRYPTO_SHA256_LEN];
	unsigned int	len;

	len = sizeof(mac);
	HMAC(EVP_sha256(), web.csrf_key, sizeof(web.csrf_key),
	    (const unsigned char *)sid, strlen(sid), mac, &len);
	crypto_hex(mac, sizeof(mac), token);
}

int
web_csrf_valid(struct http_request *req, const char *sid)
{
	char		*sent;
	char		 want[WEB_CSRF_LEN + 1];

	if (!http_argument_get_string(req, "csrf", &sent))
		return (0);
	web_csrf_token(sid, want);
	return (crypto_str_equal(sent, want));
}

int
web_session_load(struct http_request *req, char *sid, struct session *s)
{
	struct core_ctx	cc;

	if (!web_session_cookie(req, sid))
		return (0);
	web_core_ctx(req, &cc);
	return (login_session(&cc, sid, s));
}

int
web_session_authenticated(struct http_request *req, uint32_t min_loa,
    char *sid, struct session *s)
{
	return (web_session_load(req, sid, s) && s->loa >= min_loa &&
	    s->loa > SESSION_LOA_NONE);
}

void
web_redirect(struct http_request *req, const char *path)
{
	http_response_header(req, "location", path);
	web_respond(req, 303, "text/plain", NULL, 0);
}

void
web_login_redirect(struct http_request *req, const char *rp,
    const char *return_to)
{
	web_login_redirect_hint(req, rp, return_to, NULL);
}

void
web_login_redirect_hint(struct http_request *req, const char *rp,
    const char *return_to, const char *hint)
{
	struct core_ctx		cc;
	enum login_error	e;
	char			id[CONTINUATION_ID_LEN + 1];
	char			location[64 + USER_ID_MAX];

	web_core_ctx(req, &cc);
	e = login_continuation_add(&cc, rp, return_to, id);
	if (e == LOGIN_ERR_INVALID) {
		web_page_error(req, 400, "Request too large",
		    "The sign-in request is too large.");
		return;
	}
	if (e != LOGIN_OK) {
		web_page_error(req, 500, "Error", "Please try again.");
		return;
	}
	/* A user ID needs no escaping in a query ([a-z0-9._@-]). */
	snprintf(location, sizeof(location), "/login?c=%s%s%s", id,
	    hint != NULL && store_user_id_valid(hint) ? "&login_hint=" : "",
	    hint != NULL && store_user_id_valid(hint) ? hint : "");
	web_redirect(req, location);
}
