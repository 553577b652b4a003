/*
 * SAML 2.0 endpoints: /saml/metadata, /saml/sso (Redirect and POST
 * bindings), /saml/unsolicited (IdP-initiated), /saml/sso/resume (after
 * the X.1280 login), /saml/slo. The protocol work is in saml*.c; these
 * handlers validate, decide and render.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "saml.h"
#include "store_saml.h"
#include "web.h"

int	web_saml_metadata(struct http_request *);
int	web_saml_sso(struct http_request *);
int	web_saml_unsolicited(struct http_request *);
int	web_saml_resume(struct http_request *);
int	web_saml_slo(struct http_request *);

/* How often a worker looks whether a metadata source is due. */
#define WEB_SAML_REFRESH_MS	5000

static struct saml_idp		 saml;
static struct kore_timer	*web_saml_timer;

static void	web_saml_send(struct http_request *, struct saml_post *);
static void	web_saml_failed(struct http_request *, struct saml_sso *);
static void	web_saml_continue(struct http_request *, struct saml_sso *,
		    int, const char *, const char *, uint64_t);
static int	web_saml_subject_issue(struct http_request *,
		    struct saml_sso *, const char *, const struct session *,
		    uint64_t);
static int	web_saml_arg(struct http_request *, const char *, char **);
static void	web_saml_refresh_now(int);
static void	web_saml_refresh(void *, u_int64_t);

void
web_saml_init(void)
{
	char	err[1024];

	if (saml_init(&saml, &web.cfg, web.store, err, sizeof(err)) == -1)
		fatal("saml: %s", err);
	if (web.cfg.nmd_sources > 0) {
		/* A worker that starts looks at every source once. */
		web_saml_refresh_now(1);
		web_saml_timer = kore_timer_add(web_saml_refresh,
		    WEB_SAML_REFRESH_MS, NULL, 0);
	}
}

void
web_saml_fini(void)
{
	if (web_saml_timer != NULL)
		kore_timer_remove(web_saml_timer);
	web_saml_timer = NULL;
	saml_free(&saml);
}

const char *
web_saml_sp_name(const char *entity_id)
{
	const struct saml_sp	*sp;

	if ((sp = saml_sp_find(&saml, entity_id)) == NULL ||
	    sp->display_name[0] == '\0')
		return (NULL);
	return (sp->display_name);
}

/*
 * The metadata aggregates: every few seconds each worker asks the store
 * whether a source is due; the one holding its lease refreshes it
 * (saml_aggregate_refresh()), the others see the new copy through the
 * store.
 */
static void
web_saml_refresh_now(int force)
{
	if (saml_aggregate_refresh(web.store, &web.cfg,
	    (uint64_t)time(NULL), force) == -1)
		log_event("saml.metadata.error", "reason", "store error",
		    (char *)NULL);
}

static void
web_saml_refresh(void *arg, u_int64_t now_ms)
{
	web_saml_refresh_now(0);
}

int
web_saml_metadata(struct http_request *req)
{
	web_begin(req);
	web_respond_cached(req, "application/samlmetadata+xml",
	    saml.metadata, strlen(saml.metadata), 3600);
	return (KORE_RESULT_OK);
}

/*
 * Sends a SAML message on: an auto-submitted form for the POST binding,
 * a redirect for the Redirect binding (post->body NULL).
 */
static void
web_saml_send(struct http_request *req, struct saml_post *post)
{
	struct template_var	 vars[5];
	char			*html;
	size_t			 len;

	if (post->body == NULL) {
		web_redirect(req, post->url);
		return;
	}
	if (strpbrk(post->url, " ;,'\"") != NULL) {
		web_page_error(req, 500, "Error", "The service provider's "
		    "endpoint cannot be used.");
		return;
	}
	vars[0] = (struct template_var){ "url", post->url, 0 };
	vars[1] = (struct template_var){ "field", post->field, 0 };
	vars[2] = (struct template_var){ "value", post->body, 0 };
	vars[3] = (struct template_var){ "relay_state",
	    post->relay_state != NULL ? post->relay_state : "", 0 };
	vars[4] = (struct template_var){ "relay_disabled",
	    post->relay_state != NULL ? "" : "disabled", 0 };
	if ((html = web_page_render(WEB_PAGE_SAML_POST, vars, 5,
	    &len)) == NULL) {
		web_page_error(req, 500, "Error", "Please try again.");
		return;
	}
	web_respond_post_page(req, post->url, html, len);
	free(html);
}

/* An answer could not be built: a replay found late, or an error. */
static void
web_saml_failed(struct http_request *req, struct saml_sso *sso)
{
	if (sso->error != NULL)
		web_page_error(req, 400, "Sign-in request refused", sso->error);
	else
		web_page_error(req, 500, "Error", "Please try again.");
}

/*
 * Issues for the session s: loads the user and answers. A user that was
 * disabled meanwhile gets RequestDenied.
 */
static int
web_saml_subject_issue(struct http_request *req, struct saml_sso *sso,
    const char *sid, const struct session *s, uint64_t now)
{
	struct store_txn	txn;
	struct saml_subject	subj;
	struct saml_post	post;
	struct user		u;
	struct attribute_set	attrs;
	char			key[SESSION_KEY_LEN + 1];
	int			rc;

	if (store_txn_begin(web.store, &txn, 0) == -1)
		return (-1);
	rc = store_user_get(&txn, s->user_id, &u);
	if (rc == 0)
		rc = store_user_attributes_get(&txn, s->user_id, &attrs);
	store_txn_abort(&txn);
	if (rc != 0)
		return (-1);
	store_session_key(sid, key);
	subj.user = &u;
	subj.attrs = &attrs;
	subj.session_key = key;
	subj.loa = s->loa;
	subj.auth_time = s->auth_time;
	if (u.flags & USER_DISABLED)
		rc = saml_sso_status(&saml, web.store, sso, now,
		    LASSO_SAML2_STATUS_CODE_REQUEST_DENIED, &post);
	else
		rc = saml_sso_answer(&saml, web.store, sso, &subj, now, &post);
	OPENSSL_cleanse(&u, sizeof(u));
	OPENSSL_cleanse(&attrs, sizeof(attrs));
	if (rc == -1)
		return (-1);
	web_saml_send(req, &post);
	saml_post_free(&post);
	return (0);
}

/*
 * Decides what a parsed request gets: an assertion for a session that
 * meets it, a status (NoPassive, NoAuthnContext), or the login first.
 */
static void
web_saml_continue(struct http_request *req, struct saml_sso *sso,
    int binding, const char *msg, const char *relay, uint64_t now)
{
	struct store_txn	txn;
	struct saml_pending	*p;
	struct saml_post	post;
	struct session		s;
	char			sid[SESSION_ID_LEN + 1];
	char			resume[64];
	int			have;

	have = web_session_authenticated(req, 2, sid, &s) &&
	    !sso->force_authn;
	if (have) {
		if (web_saml_subject_issue(req, sso, sid, &s, now) == -1)
			web_saml_failed(req, sso);
		return;
	}
	if (sso->is_passive) {
		if (saml_sso_status(&saml, web.store, sso, now,
		    LASSO_SAML2_STATUS_CODE_NO_PASSIVE, &post) == -1) {
			web_saml_failed(req, sso);
			return;
		}
		web_saml_send(req, &post);
		saml_post_free(&post);
		return;
	}

	/* Keep the request; it is parsed again after the login. */
	p = kore_calloc(1, sizeof(*p));
	p->binding = (uint32_t)binding;
	snprintf(p->msg, sizeof(p->msg), "%s", msg);
	snprintf(p->relay_state, sizeof(p->relay_state), "%s",
	    relay != NULL ? relay : "");
	p->received = now;
	p->expires = now + CONTINUATION_LIFETIME;
	if (store_txn_begin(web.store, &txn, 1) == -1 ||
	    saml_sso_record(&txn, sso, now) != 0 ||
	    store_saml_pending_add(&txn, p) == -1 ||
	    store_txn_commit(&txn) == -1) {
		store_txn_abort(&txn);
		kore_free(p);
		web_saml_failed(req, sso);
		return;
	}
	snprintf(resume, sizeof(resume), "/saml/sso/resume?r=%s", p->id);
	kore_free(p);
	web_login_redirect(req, sso->sp->entity_id, resume);
}

int
web_saml_sso(struct http_request *req)
{
	struct saml_sso	 sso;
	const char	*msg;
	char		*post_msg, *relay;
	int		 binding;
	uint64_t	 now;

	web_begin(req);
	now = (uint64_t)time(NULL);
	relay = NULL;
	if (req->method == HTTP_METHOD_GET) {
		binding = SAML_BINDING_REDIRECT;
		msg = req->query_string;
		/* lasso reads RelayState from the query itself. */
	} else if (req->method == HTTP_METHOD_POST) {
		binding = SAML_BINDING_POST;
		http_populate_post(req);
		if (!http_argument_get_string(req, "SAMLRequest", &post_msg))
			post_msg = NULL;
		msg = post_msg;
		if (!http_argument_get_string(req, "RelayState", &relay))
			relay = NULL;
	} else {
		web_page_error(req, 405, "Method not allowed",
		    "Use the HTTP-Redirect or HTTP-POST binding.");
		return (KORE_RESULT_OK);
	}
	if (msg == NULL || *msg == '\0') {
		web_page_error(req, 400, "Bad request",
		    "No (valid) SAMLRequest in this request.");
		return (KORE_RESULT_OK);
	}
	if (saml_sso_parse(&saml, web.store, binding, msg, relay, 1, now,
	    &sso) == SAML_REJECT) {
		log_event("saml.request.rejected", "reason", sso.error,
		    (char *)NULL);
		web_page_error(req, 400, "Sign-in request refused", sso.error);
		return (KORE_RESULT_OK);
	}
	web_saml_continue(req, &sso, binding, msg, relay, now);
	saml_sso_free(&sso);
	return (KORE_RESULT_OK);
}

/*
 * A query parameter: 1 with *out set, 0 when absent, -1 when present but
 * dropped by its kore.conf validator (too long or malformed), which
 * deserves an error page rather than being taken as absent.
 */
static int
web_saml_arg(struct http_request *req, const char *name, char **out)
{
	const char	*q;
	size_t		 len;

	if (http_argument_get_string(req, name, out))
		return (1);
	*out = NULL;
	len = strlen(name);
	for (q = req->query_string; q != NULL; q = strchr(q, '&')) {
		q += *q == '&';
		if (strncmp(q, name, len) == 0 &&
		    (q[len] == '=' || q[len] == '&' || q[len] == '\0'))
			return (-1);
	}
	return (0);
}

/*
 * /saml/unsolicited?providerId=&shire=&target=&time=: IdP-initiated SSO
 * (saml_unsolicited.c), through the login when there is no session, as
 * an SP's request is.
 */
int
web_saml_unsolicited(struct http_request *req)
{
	struct saml_sso		 sso;
	enum saml_result	 rc;
	char			*provider, *shire, *target, *sent;
	char			 msg[SAML_ENTITY_MAX + SAML_URL_MAX + 16];
	uint64_t		 now;

	web_begin(req);
	now = (uint64_t)time(NULL);
	http_populate_qs(req);
	if (web_saml_arg(req, "providerId", &provider) != 1 ||
	    web_saml_arg(req, "shire", &shire) == -1 ||
	    web_saml_arg(req, "target", &target) == -1 ||
	    web_saml_arg(req, "time", &sent) == -1 ||
	    saml_unsolicited_msg(provider, shire, sent, msg,
	    sizeof(msg)) == -1) {
		log_event("saml.unsolicited.rejected", "reason",
		    "missing or invalid parameter", (char *)NULL);
		web_page_error(req, 400, "Sign-in request refused",
		    "A parameter is missing, too long or malformed: "
		    "providerId (required), shire, target (at most 80 bytes), "
		    "time (seconds since 1970).");
		return (KORE_RESULT_OK);
	}
	rc = saml_sso_parse(&saml, web.store, SAML_BINDING_UNSOLICITED, msg,
	    target, 1, now, &sso);
	if (rc != SAML_ISSUE) {
		log_event("saml.unsolicited.rejected", "sp", provider,
		    "reason", sso.error, (char *)NULL);
		web_page_error(req, rc == SAML_DENIED ? 403 : 400,
		    "Sign-in request refused", sso.error);
		return (KORE_RESULT_OK);
	}
	log_event("saml.unsolicited", "sp", sso.sp->entity_id, (char *)NULL);
	web_saml_continue(req, &sso, SAML_BINDING_UNSOLICITED, msg, target,
	    now);
	saml_sso_free(&sso);
	return (KORE_RESULT_OK);
}

int
web_saml_resume(struct http_request *req)
{
	struct store_txn	 txn;
	struct saml_pending	*p;
	struct saml_sso		 sso;
	struct session		 s;
	char			 sid[SESSION_ID_LEN + 1], *r;
	uint64_t		 now;
	int			 rc;

	web_begin(req);
	now = (uint64_t)time(NULL);
	http_populate_qs(req);
	if (!http_argument_get_string(req, "r", &r)) {
		web_page_error(req, 400, "Bad request", "Missing request.");
		return (KORE_RESULT_OK);
	}
	p = kore_calloc(1, sizeof(*p));
	if (store_txn_begin(web.store, &txn, 1) == -1) {
		kore_free(p);
		web_page_error(req, 500, "Error", "Please try again.");
		return (KORE_RESULT_OK);
	}
	/* Single use: a second resume finds nothing. */
	rc = store_saml_pending_take(&txn, r, now, p);
	if (store_txn_commit(&txn) == -1 || rc != 0) {
		kore_free(p);
		web_page_error(req, 400, "Sign-in expired", "The sign-in "
		    "request has expired or was used. Go back to the service "
		    "and start again.");
		return (KORE_RESULT_OK);
	}
	/* The login must have happened after the request (ForceAuthn too). */
	if (!web_session_authenticated(req, 2, sid, &s) ||
	    s.auth_time < p->received) {
		kore_free(p);
		web_redirect(req, "/login");
		return (KORE_RESULT_OK);
	}
	if (saml_sso_parse(&saml, web.store, (int)p->binding, p->msg,
	    p->relay_state[0] != '\0' ? p->relay_state : NULL, 0, now,
	    &sso) != SAML_ISSUE) {
		kore_free(p);
		web_page_error(req, 400, "Sign-in request refused", sso.error);
		return (KORE_RESULT_OK);
	}
	kore_free(p);
	if (web_saml_subject_issue(req, &sso, sid, &s, now) == -1)
		web_saml_failed(req, &sso);
	saml_sso_free(&sso);
	return (KORE_RESULT_OK);
}

int
web_saml_logout(struct http_request *req, const char *sid)
{
	struct saml_post	post;
	char			key[SESSION_KEY_LEN + 1];
	int			rc;

	store_session_key(sid, key);
	rc = saml_slo_start(&saml, web.store, key, "/", (uint64_t)time(NULL),
	    &post);
	if (rc == 1) {
		web_saml_send(req, &post);
		saml_post_free(&post);
	}
	return (rc);
}

/* /saml/slo: LogoutRequests from SPs and LogoutResponses to ours. */
int
web_saml_slo(struct http_request *req)
{
	struct saml_post	 post;
	const char		*msg, *error;
	char			*request, *response, *relay;
	char			 sid[SESSION_ID_LEN + 1];
	char			 key[SESSION_KEY_LEN + 1];
	int			 binding, rc;
	uint64_t		 now;

	web_begin(req);
	now = (uint64_t)time(NULL);
	request = response = relay = NULL;
	if (req->method == HTTP_METHOD_GET) {
		binding = SAML_BINDING_REDIRECT;
		http_populate_qs(req);
	} else if (req->method == HTTP_METHOD_POST) {
		binding = SAML_BINDING_POST;
		http_populate_post(req);
	} else {
		web_page_error(req, 405, "Method not allowed",
		    "Use the HTTP-Redirect or HTTP-POST binding.");
		return (KORE_RESULT_OK);
	}
	http_argument_get_string(req, "SAMLRequest", &request);
	http_argument_get_string(req, "SAMLResponse", &response);
	http_argument_get_string(req, "RelayState", &relay);
	/* Redirect signatures cover the raw query: lasso gets it whole. */
	msg = binding == SAML_BINDING_REDIRECT ? req->query_string :
	    (request != NULL ? request : response);
	error = "no SAML message in this request";
	if (msg == NULL || (request == NULL) == (response == NULL)) {
		web_page_error(req, 400, "Bad request", error);
		return (KORE_RESULT_OK);
	}
	if (request != NULL) {
		rc = web_session_cookie(req, sid);
		if (rc)
			store_session_key(sid, key);
		rc = saml_slo_request(&saml, web.store, binding, msg, relay,
		    rc ? key : NULL, now, &post, &error);
		if (rc == 0)
			web_session_clear_cookie(req);
	} else
		rc = saml_slo_response(&saml, web.store, msg, now, &post,
		    &error);
	if (rc == -1) {
		log_event("saml.logout.rejected", "reason", error,
		    (char *)NULL);
		web_page_error(req, 400, "Logout request refused", error);
		return (KORE_RESULT_OK);
	}
	web_saml_send(req, &post);
	saml_post_free(&post);
	return (KORE_RESULT_OK);
}
