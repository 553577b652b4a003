/*
 * IdP-initiated ("unsolicited") Web SSO, as Shibboleth's
 * /profile/SAML2/Unsolicited/SSO takes it: providerId (the SP),
 * shire (its ACS URL), target (RelayState), time (the SP's clock). Only
 * for SPs whose .conf says "unsolicited yes": an unsolicited response
 * is what a forged login CSRF looks like to an SP that did not ask for
 * one. lasso answers a request it makes itself
 * (lasso_login_init_idp_initiated_authn_request); from there on the
 * answer is the one SP-initiated SSO gives (saml_sso_answer()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lasso/utils.h>
#include <lasso/xml/saml-2.0/samlp2_authn_request.h>
#include <lasso/xml/saml-2.0/samlp2_name_id_policy.h>

#include "saml.h"

#define SAML_UNSOLICITED_FIELDS	3	/* providerId, shire, time */
#define SAML_TIME_MAX		"999999999999"	/* 12 digits (kore.conf) */

static int	saml_unsolicited_split(char *, char *[SAML_UNSOLICITED_FIELDS]);

int
saml_unsolicited_msg(const char *provider, const char *shire,
    const char *time, char *out, size_t outlen)
{
	int	n;

	if (strchr(provider, '\n') != NULL ||
	    (shire != NULL && strchr(shire, '\n') != NULL) ||
	    (time != NULL && strchr(time, '\n') != NULL))
		return (-1);
	n = snprintf(out, outlen, "%s\n%s\n%s", provider,
	    shire != NULL ? shire : "", time != NULL ? time : "");
	return (n < 0 || (size_t)n >= outlen ? -1 : 0);
}

/* Splits msg in place into its fields ("" when absent). @return 0 or -1. */
static int
saml_unsolicited_split(char *msg, char *f[SAML_UNSOLICITED_FIELDS])
{
	int	i;

	for (i = 0; i < SAML_UNSOLICITED_FIELDS; i++) {
		f[i] = msg;
		msg = strchr(msg, '\n');
		if ((msg == NULL) != (i == SAML_UNSOLICITED_FIELDS - 1))
			return (-1);
		if (msg != NULL)
			*msg++ = '\0';
	}
	return (0);
}

enum saml_result
saml_unsolicited_parse(struct saml_idp *idp, const char *msg,
    const char *relay_state, uint64_t now, struct saml_sso *sso)
{
	LassoSamlp2AuthnRequest	*ar;
	const struct saml_sp	*sp;
	char			*copy, *f[SAML_UNSOLICITED_FIELDS], *end;
	const char		*acs;
	unsigned long long	 sent;
	enum saml_result	 ret;

	memset(sso, 0, sizeof(*sso));
	ret = SAML_REJECT;
	copy = strdup(msg);
	if (copy == NULL || saml_unsolicited_split(copy, f) == -1 ||
	    f[0][0] == '\0') {
		sso->error = "no (valid) providerId in this request";
		goto out;
	}
	if ((sp = saml_sp_find(idp, f[0])) == NULL) {
		sso->error = "the service provider is not in the federation";
		goto out;
	}
	if (!sp->unsolicited) {
		sso->error = "this service provider does not accept sign-ins "
		    "it did not ask for";
		ret = SAML_DENIED;
		goto out;
	}
	/* Only an ACS of the metadata, never another endpoint (lasso.md §1). */
	acs = f[1][0] != '\0' ? f[1] : sp->acs[0];
	if (!saml_sp_acs_listed(sp, acs)) {
		sso->error = "the shire (ACS URL) is not an HTTP-POST "
		    "AssertionConsumerService of the service provider's metadata";
		goto out;
	}
	if (relay_state != NULL && strlen(relay_state) >= SAML_RELAY_MAX) {
		sso->error = "target (RelayState) longer than 80 bytes";
		goto out;
	}
	/* time: the SP's clock, as old as an AuthnRequest may be. */
	if (f[2][0] != '\0') {
		errno = 0;
		sent = strtoull(f[2], &end, 10);
		if (errno != 0 || *end != '\0' || f[2][0] < '0' ||
		    f[2][0] > '9' || strlen(f[2]) > strlen(SAML_TIME_MAX) ||
		    sent + SAML_REQUEST_MAX_AGE + idp->cfg->clock_skew < now ||
		    sent > now + idp->cfg->clock_skew) {
			sso->error = "the request has expired or its time is "
			    "wrong";
			goto out;
		}
	}

	sso->login = lasso_login_new(idp->server);
	if (lasso_login_init_idp_initiated_authn_request(sso->login,
	    sp->entity_id) != 0) {
		sso->error = "the service provider is not in the federation";
		goto reject;
	}
	ar = LASSO_SAMLP2_AUTHN_REQUEST(sso->login->parent.request);
	lasso_assign_string(ar->AssertionConsumerServiceURL, acs);
	lasso_assign_string(ar->ProtocolBinding,
	    LASSO_SAML2_METADATA_BINDING_POST);
	/* The SP's .conf chooses the format (saml_sso_answer()). */
	if (ar->NameIDPolicy != NULL) {
		lasso_release_string(ar->NameIDPolicy->Format);
		ar->NameIDPolicy->AllowCreate = TRUE;
	}
	if (relay_state != NULL)
		lasso_assign_string(sso->login->parent.msg_relayState,
		    relay_state);
	if (lasso_login_process_authn_request_msg(sso->login, NULL) != 0) {
		sso->error = "the request cannot be answered";
		goto reject;
	}
	sso->sp = sp;
	sso->loa_mask = SAML_LOA_ALL;
	ret = SAML_ISSUE;
	goto out;

reject:
	saml_sso_free(sso);
out:
	free(copy);
	return (ret);
}
