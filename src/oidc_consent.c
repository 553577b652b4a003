/*
 * Consent (OpenID Connect Core §3.1.2.4): what a user allowed a client.
 * A client registered with require_consent gets a code only for scopes
 * the user allowed it, asked once and again when it asks for more; any
 * client's prompt=consent asks again. Allowing, refusing and (from the
 * account page, account.c) withdrawing are audited.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "oidc.h"
#include "store_oauth.h"

static int	oidc_consent_has(const char *, const char *);
static void	oidc_consent_union(char *, size_t, const char *);

/* 1 when every scope of want is in the spaced list have. */
static int
oidc_consent_has(const char *have, const char *want)
{
	const char	*p, *end;
	char		 word[OAUTH_SCOPE_MAX];

	for (p = want; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, " ");
		snprintf(word, sizeof(word), "%.*s", (int)(end - p), p);
		if (word[0] != '\0' && !oidc_scope_has(have, word))
			return (0);
	}
	return (1);
}

/* Adds to the spaced list have (capacity len) the scopes of more. */
static void
oidc_consent_union(char *have, size_t len, const char *more)
{
	const char	*p, *end;
	char		 word[OAUTH_SCOPE_MAX];
	size_t		 off;

	for (p = more; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, " ");
		snprintf(word, sizeof(word), "%.*s", (int)(end - p), p);
		if (word[0] == '\0' || oidc_scope_has(have, word))
			continue;
		off = strlen(have);
		snprintf(have + off, len - off, "%s%s", off > 0 ? " " : "",
		    word);
	}
}

int
oidc_consent_due(struct oidc_ctx *ctx, const struct oidc_authz *a,
    const char *user_id)
{
	struct store_txn	txn;
	struct oauth_consent	c;
	int			rc;

	if (a->req.prompt & OAUTH_PROMPT_CONSENT)
		return (1);
	if (!a->client->require_consent)
		return (0);
	if (store_txn_begin(ctx->store, &txn, 0) == -1)
		return (-1);
	rc = store_oauth_consent_get(&txn, user_id, a->client->id, &c);
	store_txn_abort(&txn);
	if (rc == -1)
		return (-1);
	return (rc == STORE_NOTFOUND || !oidc_consent_has(c.scope,
	    a->req.scope));
}

int
oidc_consent_answer(struct oidc_ctx *ctx, struct oidc_authz *a,
    const char *user_id, int allow)
{
	struct store_txn	txn;
	struct oauth_consent	c;
	char			detail[OAUTH_SCOPE_MAX + 256];
	int			rc;

	snprintf(detail, sizeof(detail), "client=%s addr=%s scope=%s",
	    a->client->id, ctx->addr, a->req.scope);
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (-1);
	if (!allow) {
		audit_write(&txn, "oauth.consent", user_id, a->client->id,
		    "refused", detail);
		if (store_txn_commit(&txn) == -1)
			return (-1);
		oidc_authz_fail(a, OIDC_ACCESS_DENIED, "the user did not "
		    "allow it");
		return (0);
	}
	rc = store_oauth_consent_get(&txn, user_id, a->client->id, &c);
	if (rc == STORE_NOTFOUND) {
		memset(&c, 0, sizeof(c));
		snprintf(c.client_id, sizeof(c.client_id), "%s",
		    a->client->id);
	} else if (rc == -1)
		goto fail;
	oidc_consent_union(c.scope, sizeof(c.scope), a->req.scope);
	c.granted = ctx->now;
	if (store_oauth_consent_put(&txn, user_id, &c) == -1)
		goto fail;
	audit_write(&txn, "oauth.consent", user_id, a->client->id, "allowed",
	    detail);
	if (store_txn_commit(&txn) == -1)
		return (-1);
	/* Asked and answered: prompt=consent is satisfied. */
	a->req.prompt &= ~OAUTH_PROMPT_CONSENT;
	return (0);

fail:
	store_txn_abort(&txn);
	return (-1);
}

int
oidc_consent_holds(struct oidc_ctx *ctx, struct store_txn *txn,
    const struct client *client, const char *user_id, const char *scope)
{
	struct oauth_consent	c;
	int			rc;

	if (!client->require_consent)
		return (1);
	rc = store_oauth_consent_get(txn, user_id, client->id, &c);
	if (rc == -1)
		return (-1);
	return (rc == 0 && oidc_consent_has(c.scope, scope));
}
