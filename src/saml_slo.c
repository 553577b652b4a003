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
static int	saml_slo_take(LassoProfile *, int, struct saml_post *);
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
	LassoLogout		*lo;
	LassoSession		*s;
	int			 rc;

	while (l->nremaining > 0) {
		p = l->remaining[0];
		memmove(l->remaining, l->remaining + 1,
		    --l->nremaining * sizeof(l->remaining[0]));
		if ((sp = saml_sp_find(idp, p.sp)) == NULL || !sp->has_slo)
			continue;
		lo = lasso_logout_new(idp->server);
		s = saml_slo_session(idp, &p, 1);
		LASSO_PROFILE(lo)->session = s;
		rc = lasso_logout_init_request(lo, p.sp,
		    LASSO_HTTP_METHOD_REDIRECT);
		if (rc != 0)
			rc = lasso_logout_init_request(lo, p.sp,
			    LASSO_HTTP_METHOD_POST);
		if (rc == 0) {
			/*
			 * The chain is found again from the response's
			 * InResponseTo: our request ID is "_" + the chain ID
			 * (lasso leaves RelayState out of Redirect requests).
			 */
			if (l->id[0] == '\0' && crypto_random_hex(l->id,
			    sizeof(l->id), SAML_REQUEST_KEY_LEN / 2) == -1)
				abort();
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
			log_event("saml.logout.skipped", "sp", p.sp, "reason",
			    lasso_strerror(rc), (char *)NULL);
			continue;
		}
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
	post->url = g_strdup(l->final_url);
	if (l->final_body[0] != '\0') {
		post->body = g_strdup(l->final_body);
		post->field = g_strdup("SAMLResponse");
		if (l->final_relay[0] != '\0')
			post->relay_state = g_strdup(l->final_relay);
	}
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
	LassoLogout		*lo;
	LassoProfile		*p;
	char			*copy;
	int			 n, i, rc, valid, ret;

	ret = -1;
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
	if (session_key != NULL) {
		if (store_txn_begin(st, &txn, 0) == -1)
			return (-1);
		n = store_saml_participants(&txn, session_key, parts,
		    SAML_LOGOUT_SPS);
		store_txn_abort(&txn);
		if (n == -1)
			return (-1);
	}
	lo = lasso_logout_new(idp->server);
	p = LASSO_PROFILE(lo);
	p->session = saml_slo_session(idp, parts, (uint32_t)n);
	/* SAML profiles §4.4.3.1: the request must be authenticated. */
	lasso_profile_set_signature_verify_hint(p,
	    LASSO_PROFILE_SIGNATURE_VERIFY_HINT_FORCE);
	if (binding == SAML_BINDING_POST && relay != NULL)
		lasso_assign_string(p->msg_relayState, relay);
	copy = g_strdup(msg);
	rc = lasso_logout_process_request_msg(lo, copy);
	g_free(copy);
	if (rc != 0) {
		*error = rc == LASSO_SERVER_ERROR_PROVIDER_NOT_FOUND ?
		    "the service provider is not in the federation" :
		    "the logout request is malformed or not signed";
		goto out;
	}
	/* Checks the NameID against the session; sets the status either way. */
	rc = lasso_logout_validate_request(lo);
	valid = rc == 0;
	if (!valid)
		log_event("saml.logout.denied", "sp", p->remote_providerID,
		    "reason", lasso_strerror(rc), "parts", n > 0 ? "yes" : "no",
		    (char *)NULL);
	if (lasso_logout_build_response_msg(lo) != 0 || p->msg_url == NULL) {
		*error = "no logout endpoint for this service provider";
		goto out;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		goto out;
	snprintf(l->final_url, sizeof(l->final_url), "%s", p->msg_url);
	snprintf(l->final_body, sizeof(l->final_body), "%s",
	    p->msg_body != NULL ? p->msg_body : "");
	snprintf(l->final_relay, sizeof(l->final_relay), "%s",
	    p->msg_relayState != NULL ? p->msg_relayState : "");
	l->expires = now + SAML_LOGOUT_LIFETIME;
	if (valid) {
		log_event("saml.logout.from_sp", "sp", p->remote_providerID,
		    (char *)NULL);
		saml_slo_end_session(st, session_key, parts, &n);
		for (i = 0; i < n; i++) {
			if (strcmp(parts[i].sp, p->remote_providerID) != 0)
				l->remaining[l->nremaining++] = parts[i];
		}
	}
	ret = saml_slo_next(idp, st, l, post);
	free(l);
out:
	g_object_unref(lo);
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
saml_slo_response(struct saml_idp *idp, struct store *st, int binding,
    const char *msg, const char *relay, uint64_t now, struct saml_post *post,
    const char **error)
{
	LassoSamlp2StatusResponse	*resp;
	struct saml_logout	*l;
	struct store_txn	 txn;
	LassoLogout		*lo;
	char			*copy, chain[SAML_REQUEST_KEY_LEN + 1];
	int			 rc, ret;

	lo = lasso_logout_new(idp->server);
	copy = g_strdup(msg);
	rc = lasso_logout_process_response_msg(lo, copy);
	g_free(copy);
	/* Recorded, not fatal: the other SPs must still be told. */
	log_event("saml.logout.response", "sp",
	    LASSO_PROFILE(lo)->remote_providerID, "result",
	    rc == 0 ? "ok" : lasso_strerror(rc), (char *)NULL);
	resp = LASSO_IS_SAMLP2_STATUS_RESPONSE(LASSO_PROFILE(lo)->response) ?
	    LASSO_SAMLP2_STATUS_RESPONSE(LASSO_PROFILE(lo)->response) : NULL;
	chain[0] = '\0';
	if (resp != NULL && resp->InResponseTo != NULL &&
	    resp->InResponseTo[0] == '_')
		snprintf(chain, sizeof(chain), "%s", resp->InResponseTo + 1);
	g_object_unref(lo);
	if (chain[0] == '\0' && relay != NULL)
		snprintf(chain, sizeof(chain), "%s", relay);

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return (-1);
	ret = -1;
	if (store_txn_begin(st, &txn, 1) == -1)
		goto out;
	rc = store_saml_logout_take(&txn, chain, now, l);
	if (store_txn_commit(&txn) == -1 || rc != 0) {
		*error = "this logout has expired or is unknown";
		goto out;
	}
	ret = saml_slo_next(idp, st, l, post);
out:
	free(l);
	return (ret);
}
