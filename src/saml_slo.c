/*
 * SAML 2.0 Single Logout at the IdP (SAML profiles §4.4), on lasso,
 * without lasso session dumps: the session's participants are in LMDB
 * and each hop builds the bare LassoSession lasso needs (lasso.md §8).
 * Every SP of the session is told, front-channel, one after the other;
 * an SP that does not answer properly does not stop the others.
 */
#include <stdlib.h>
#include <string.h>

#include <lasso/utils.h>
#include <lasso/xml/saml-2.0/saml2_assertion.h>
#include <lasso/xml/saml-2.0/saml2_authn_statement.h>
#include <lasso/xml/saml-2.0/saml2_name_id.h>
#include <lasso/xml/saml-2.0/saml2_subject.h>
#include <lasso/xml/saml-2.0/samlp2_request_abstract.h>
#include <lasso/xml/saml-2.0/samlp2_status_response.h>

#include "crypto.h"
#include "log.h"
#include "saml.h"

#define SAML_LOGOUT_LIFETIME	600	/* seconds for the whole chain */

static LassoSession	*saml_slo_session(struct saml_idp *,
			    const struct saml_participant *, uint32_t);
static LassoHttpMethod	saml_slo_method(struct saml_idp *, const char *);
static int	saml_slo_take(LassoProfile *, int, struct saml_post *);
static int	saml_slo_answer(struct saml_idp *,
		    const struct saml_participant *, int, int, const char *,
		    const char *, int, struct saml_logout *, char *,
		    const char **);
static int	saml_slo_copy(LassoLogout *, char *, char *);
static int	saml_slo_next(struct saml_idp *, struct store *,
		    struct saml_logout *, struct saml_post *);
static int	saml_slo_end_session(struct store *, const char *,
		    struct saml_participant *, int *);

/* The bare session lasso needs: NameID and SessionIndex per SP. */
static LassoSession *
saml_slo_session(struct saml_idp *idp, const struct saml_participant *p,
    uint32_t n)
{
	LassoSession			*s;
	LassoSaml2Assertion		*a;
	LassoSaml2AuthnStatement	*as;
	LassoSaml2NameID		*nid;
	uint32_t			 i;

	s = lasso_session_new();
	for (i = 0; i < n; i++) {
		a = LASSO_SAML2_ASSERTION(lasso_saml2_assertion_new());
		a->Subject = LASSO_SAML2_SUBJECT(lasso_saml2_subject_new());
		nid = LASSO_SAML2_NAME_ID(lasso_saml2_name_id_new());
		lasso_assign_string(nid->content, p[i].name_id);
		lasso_assign_string(nid->Format, p[i].format);
		/* As in the assertion, or lasso's NameID comparison fails. */
		lasso_assign_string(nid->NameQualifier, idp->cfg->entity_id);
		lasso_assign_string(nid->SPNameQualifier, p[i].sp);
		a->Subject->NameID = nid;
		as = LASSO_SAML2_AUTHN_STATEMENT(
		    lasso_saml2_authn_statement_new());
		lasso_assign_string(as->SessionIndex, p[i].session_index);
		a->AuthnStatement = g_list_append(NULL, as);
		lasso_session_add_assertion(s, p[i].sp, LASSO_NODE(a));
		g_object_unref(a);
	}
	return (s);
}

/*
 * How to send sp a LogoutRequest: Redirect when its metadata has it,
 * else POST; LASSO_HTTP_METHOD_NONE when it has neither.
 */
static LassoHttpMethod
saml_slo_method(struct saml_idp *idp, const char *sp)
{
	LassoProvider	*remote;

	if ((remote = lasso_server_get_provider(idp->server, sp)) == NULL)
		return (LASSO_HTTP_METHOD_NONE);
	if (lasso_provider_accept_http_method(LASSO_PROVIDER(idp->server),
	    remote, LASSO_MD_PROTOCOL_TYPE_SINGLE_LOGOUT,
	    LASSO_HTTP_METHOD_REDIRECT, TRUE))
		return (LASSO_HTTP_METHOD_REDIRECT);
	if (lasso_provider_accept_http_method(LASSO_PROVIDER(idp->server),
	    remote, LASSO_MD_PROTOCOL_TYPE_SINGLE_LOGOUT,
	    LASSO_HTTP_METHOD_POST, TRUE))
		return (LASSO_HTTP_METHOD_POST);
	return (LASSO_HTTP_METHOD_NONE);
}

/* Copies a built message out of lasso: POST form or redirect URL. */
static int
saml_slo_take(LassoProfile *p, int request, struct saml_post *post)
{
	memset(post, 0, sizeof(*post));
	if (p->msg_url == NULL)
		return (-1);
	post->url = g_strdup(p->msg_url);
	if (p->msg_body != NULL) {
		post->body = g_strdup(p->msg_body);
		post->field = g_strdup(request ? "SAMLRequest" : "SAMLResponse");
		post->relay_state = g_strdup(p->msg_relayState);
	}
	return (0);
}

/* Deletes the IdP session and reads its participants (max 16). */
static int
saml_slo_end_session(struct store *st, const char *session_key,
    struct saml_participant *parts, int *n)
{
	struct store_txn	txn;
	int			i;

	*n = 0;
	if (session_key == NULL)
		return (0);
	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	*n = store_saml_participants(&txn, session_key, parts,
	    SAML_LOGOUT_SPS);
	for (i = 0; i < *n; i++)
		store_saml_participant_del(&txn, session_key, parts[i].sp);
	store_session_del(&txn, session_key);
	if (*n == -1 || store_txn_commit(&txn) == -1) {
		store_txn_abort(&txn);
		*n = 0;
		return (-1);
	}
	return (0);
}

/*
 * The next hop: a LogoutRequest to the next SP that has a logout
 * endpoint (RelayState carries the chain's ID), or the final answer.
 */
static int
saml_slo_next(struct saml_idp *idp, struct store *st, struct saml_logout *l,
    struct saml_post *post)
{
	struct saml_participant	 p;
	const struct saml_sp	*sp;
	struct store_txn	 txn;
	LassoHttpMethod		 method;
	LassoLogout		*lo;
	int			 rc;

	while (l->nremaining > 0) {
		p = l->remaining[0];
		memmove(l->remaining, l->remaining + 1,
		    --l->nremaining * sizeof(l->remaining[0]));
		sp = saml_sp_find(idp, p.sp);
		method = sp != NULL && sp->has_slo ?
		    saml_slo_method(idp, p.sp) : LASSO_HTTP_METHOD_NONE;
		if (method == LASSO_HTTP_METHOD_NONE) {
			/* SAML profiles §4.4.3.4: the initiator is told. */
			l->partial = 1;
			log_event("saml.logout.skipped", "sp", p.sp, "reason",
			    "no logout endpoint", (char *)NULL);
			continue;
		}
		/*
		 * A new hop ID each time, taken once by the answer: an SP's
		 * answer sent again cannot stand for the next SP's. The
		 * request ID is "_" + the hop ID (lasso leaves RelayState out
		 * of Redirect requests).
		 */
		if (crypto_random_hex(l->id, sizeof(l->id),
		    SAML_REQUEST_KEY_LEN / 2) == -1)
			abort();
		lo = lasso_logout_new(idp->server);
		LASSO_PROFILE(lo)->session = saml_slo_session(idp, &p, 1);
		rc = lasso_logout_init_request(lo, p.sp, method);
		if (rc == 0) {
			g_free(LASSO_SAMLP2_REQUEST_ABSTRACT(
			    lo->parent.request)->ID);
			LASSO_SAMLP2_REQUEST_ABSTRACT(lo->parent.request)->ID =
			    g_strdup_printf("_%s", l->id);
			rc = lasso_logout_build_request_msg(lo);
		}
		if (rc == 0)
			rc = saml_slo_take(LASSO_PROFILE(lo), 1, post);
		g_object_unref(lo);
		if (rc != 0) {
			l->partial = 1;
			log_event("saml.logout.skipped", "sp", p.sp, "reason",
			    lasso_strerror(rc), (char *)NULL);
			continue;
		}
		snprintf(l->waiting, sizeof(l->waiting), "%s", p.sp);
		if (store_txn_begin(st, &txn, 1) == -1 ||
		    store_saml_logout_put(&txn, l) == -1 ||
		    store_txn_commit(&txn) == -1) {
			saml_post_free(post);
			return (-1);
		}
		log_event("saml.logout.request", "sp", p.sp, (char *)NULL);
		return (0);
	}
	memset(post, 0, sizeof(*post));
	if (l->partial && l->partial_url[0] != '\0') {
		post->url = g_strdup(l->partial_url);
		if (l->partial_body[0] != '\0')
			post->body = g_strdup(l->partial_body);
	} else {
		post->url = g_strdup(l->final_url);
		if (l->final_body[0] != '\0')
			post->body = g_strdup(l->final_body);
	}
	if (post->body != NULL) {
		post->field = g_strdup("SAMLResponse");
		if (l->final_relay[0] != '\0')
			post->relay_state = g_strdup(l->final_relay);
	}
	log_event("saml.logout.done", "result", l->partial ? "partial" : "ok",
	    (char *)NULL);
	return (0);
}

/*
 * Processes the initiator's LogoutRequest against the session's
 * participants and builds its signed answer into a: Success when the
 * NameID and SessionIndex are the session's, and, when partial is set,
 * also Success/PartialLogout (SAML core §3.2.2.2) for when an other SP
 * is not logged out; the initiator's entity ID into sp
 * (SAML_ENTITY_MAX). lasso is given the initiator's participant only:
 * with others in its session it would decide PartialLogout itself.
 * @return 1 (valid), 0 (answered with an error status), or -1 with
 *	   *error for an error page.
 */
static int
saml_slo_answer(struct saml_idp *idp, const struct saml_participant *parts,
    int n, int binding, const char *msg, const char *relay, int partial,
    struct saml_logout *a, char *sp, const char **error)
{
	LassoLogout	*lo;
	LassoProfile	*p;
	char		*copy;
	int		 i, rc, ret, attempt;

	ret = -1;
	for (attempt = 0;; attempt++) {
		lo = lasso_logout_new(idp->server);
		p = LASSO_PROFILE(lo);
		/* SAML profiles §4.4.3.1: the request must be authenticated. */
		lasso_profile_set_signature_verify_hint(p,
		    LASSO_PROFILE_SIGNATURE_VERIFY_HINT_FORCE);
		if (binding == SAML_BINDING_POST && relay != NULL)
			lasso_assign_string(p->msg_relayState, relay);
		copy = g_strdup(msg);
		rc = lasso_logout_process_request_msg(lo, copy);
		g_free(copy);
		if (attempt > 0 || !saml_sp_retry(idp, p, rc))
			break;
		g_object_unref(lo);
	}
	if (rc != 0) {
		*error = rc == LASSO_SERVER_ERROR_PROVIDER_NOT_FOUND ?
		    "the service provider is not in the federation" :
		    "the logout request is malformed or not signed";
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(parts[i].sp, p->remote_providerID) == 0)
			break;
	}
	p->session = saml_slo_session(idp, parts + i, i < n ? 1 : 0);
	/* Checks the NameID against the session; sets the status either way. */
	rc = lasso_logout_validate_request(lo);
	if (rc != 0)
		log_event("saml.logout.denied", "sp", p->remote_providerID,
		    "reason", lasso_strerror(rc), "parts", n > 0 ? "yes" : "no",
		    (char *)NULL);
	if (saml_slo_copy(lo, a->final_url, a->final_body) == -1 ||
	    (rc == 0 && partial && (saml_status_set(p,
	    LASSO_SAML2_STATUS_CODE_SUCCESS,
	    LASSO_SAML2_STATUS_CODE_PARTIAL_LOGOUT) == -1 ||
	    saml_slo_copy(lo, a->partial_url, a->partial_body) == -1))) {
		*error = "no logout endpoint for this service provider";
		goto out;
	}
	snprintf(sp, SAML_ENTITY_MAX, "%s", p->remote_providerID);
	ret = rc == 0;
out:
	g_object_unref(lo);
	return (ret);
}

/*
 * Builds (and signs: lasso signs again at each build) lo's response into
 * url and body (POST only), both SAML_FINAL_MAX. @return 0 or -1.
 */
static int
saml_slo_copy(LassoLogout *lo, char *url, char *body)
{
	LassoProfile	*p = LASSO_PROFILE(lo);

	if (lasso_logout_build_response_msg(lo) != 0 || p->msg_url == NULL ||
	    strlen(p->msg_url) >= SAML_FINAL_MAX || (p->msg_body != NULL &&
	    strlen(p->msg_body) >= SAML_FINAL_MAX))
		return (-1);
	strcpy(url, p->msg_url);
	strcpy(body, p->msg_body != NULL ? p->msg_body : "");
	return (0);
}

int
saml_slo_request(struct saml_idp *idp, struct store *st, int binding,
    const char *msg, const char *relay, const char *session_key,
    uint64_t now, struct saml_post *post, const char **error)
{
	struct saml_participant	 parts[SAML_LOGOUT_SPS];
	struct saml_logout	*l;
	struct store_txn	 txn;
	char			 sp[SAML_ENTITY_MAX];
	int			 n, i, valid, ret;

	n = 0;
	if (strlen(msg) > (binding == SAML_BINDING_POST ? SAML_POST_MAX :
	    SAML_QUERY_MAX)) {
		*error = "the logout request is too large";
		return (-1);
	}
	if (saml_logout_request_check(binding, msg) == -1) {
		*error = "the logout request is malformed or not signed";
		return (-1);
	}
	if (relay != NULL && strlen(relay) >= SAML_RELAY_MAX) {
		*error = "RelayState longer than 80 bytes";
		return (-1);
	}
	if (session_key != NULL) {
		if (store_txn_begin(st, &txn, 0) == -1)
			return (-1);
		n = store_saml_participants(&txn, session_key, parts,
		    SAML_LOGOUT_SPS);
		store_txn_abort(&txn);
		if (n == -1)
			return (-1);
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return (-1);
	ret = -1;
	/* The PartialLogout version too, when other SPs are to be told. */
	valid = saml_slo_answer(idp, parts, n, binding, msg, relay, n > 1, l,
	    sp, error);
	if (valid == -1)
		goto out;
	l->expires = now + SAML_LOGOUT_LIFETIME;
	if (valid) {
		log_event("saml.logout.from_sp", "sp", sp, (char *)NULL);
		if (saml_slo_end_session(st, session_key, parts, &n) == -1)
			goto out;
		for (i = 0; i < n; i++) {
			if (strcmp(parts[i].sp, sp) != 0)
				l->remaining[l->nremaining++] = parts[i];
		}
	}
	snprintf(l->final_relay, sizeof(l->final_relay), "%s",
	    relay != NULL ? relay : "");
	ret = saml_slo_next(idp, st, l, post);
out:
	free(l);
	return (ret);
}

int
saml_slo_start(struct saml_idp *idp, struct store *st,
    const char *session_key, const char *final, uint64_t now,
    struct saml_post *post)
{
	struct saml_participant	 parts[SAML_LOGOUT_SPS];
	struct saml_logout	*l;
	int			 n, i, ret;

	if (saml_slo_end_session(st, session_key, parts, &n) == -1)
		return (-1);
	if (n == 0)
		return (0);
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return (-1);
	snprintf(l->final_url, sizeof(l->final_url), "%s", final);
	l->expires = now + SAML_LOGOUT_LIFETIME;
	for (i = 0; i < n; i++)
		l->remaining[l->nremaining++] = parts[i];
	ret = saml_slo_next(idp, st, l, post) == 0 ? 1 : -1;
	free(l);
	return (ret);
}

int
saml_slo_response(struct saml_idp *idp, struct store *st, const char *msg,
    uint64_t now, struct saml_post *post, const char **error)
{
	LassoSamlp2StatusResponse	*resp;
	struct saml_logout	*l;
	struct store_txn	 txn;
	LassoLogout		*lo;
	LassoProfile		*p;
	const char		*result;
	char			*copy, hop[SAML_REQUEST_KEY_LEN + 1];
	int			 rc, taken, ret, attempt;

	if (strlen(msg) > SAML_POST_MAX) {
		*error = "the logout response is too large";
		return (-1);
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return (-1);
	ret = -1;
	for (attempt = 0;; attempt++) {
		lo = lasso_logout_new(idp->server);
		p = LASSO_PROFILE(lo);
		/* SAML profiles §4.4.4.2: the response must be authenticated. */
		lasso_profile_set_signature_verify_hint(p,
		    LASSO_PROFILE_SIGNATURE_VERIFY_HINT_FORCE);
		copy = g_strdup(msg);
		rc = lasso_logout_process_response_msg(lo, copy);
		g_free(copy);
		if (attempt > 0 || !saml_sp_retry(idp, p, rc))
			break;
		g_object_unref(lo);
	}
	resp = LASSO_IS_SAMLP2_STATUS_RESPONSE(p->response) ?
	    LASSO_SAMLP2_STATUS_RESPONSE(p->response) : NULL;
	hop[0] = '\0';
	if (resp != NULL && resp->InResponseTo != NULL &&
	    resp->InResponseTo[0] == '_')
		snprintf(hop, sizeof(hop), "%s", resp->InResponseTo + 1);

	/* Taken once: a second copy of this answer finds nothing. */
	if (store_txn_begin(st, &txn, 1) == -1)
		goto out;
	taken = store_saml_logout_take(&txn, hop, now, l);
	if (store_txn_commit(&txn) == -1 || taken != 0) {
		*error = "this logout has expired or is unknown";
		goto out;
	}
	/*
	 * Not a signed Success from the SP that was asked: that SP is not
	 * known to be logged out, but the others must still be told.
	 */
	if (rc != 0)
		result = lasso_strerror(rc);
	else if (p->remote_providerID == NULL ||
	    strcmp(p->remote_providerID, l->waiting) != 0)
		result = "answered by another provider";
	else if (resp->Status == NULL || resp->Status->StatusCode == NULL ||
	    resp->Status->StatusCode->Value == NULL ||
	    strcmp(resp->Status->StatusCode->Value,
	    LASSO_SAML2_STATUS_CODE_SUCCESS) != 0)
		result = "not Success";
	else
		result = "ok";
	if (strcmp(result, "ok") != 0)
		l->partial = 1;
	log_event("saml.logout.response", "sp", l->waiting, "result", result,
	    (char *)NULL);
	ret = saml_slo_next(idp, st, l, post);
out:
	g_object_unref(lo);
	free(l);
	return (ret);
}
