/*
 * "This was not me" alerts for the help desk.
 */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "audit.h"
#include "binding.h"
#include "crypto.h"

static const char *const alert_outcomes[] = {
	[ALERT_OUTCOME_ATTACK] = "attack",
	[ALERT_OUTCOME_USER] = "user",
	[ALERT_OUTCOME_UNREACHED] = "unreached",
};

#define ALERT_OUTCOMES	(sizeof(alert_outcomes) / sizeof(alert_outcomes[0]))

static int	alert_note_valid(const char *);
static enum alert_error	alert_load(struct store_txn *, const char *,
			    struct alert *);

const char *
alert_outcome_name(uint32_t outcome)
{
	return (outcome < ALERT_OUTCOMES ? alert_outcomes[outcome] : NULL);
}

uint32_t
alert_outcome_from_name(const char *name)
{
	uint32_t	i;

	for (i = 1; i < ALERT_OUTCOMES; i++) {
		if (strcmp(alert_outcomes[i], name) == 0)
			return (i);
	}
	return (ALERT_OUTCOME_NONE);
}

int
alert_raise(struct store_txn *txn, const char *user_id,
    const char *binding_id, const char *offset, uint64_t now, char *id)
{
	struct alert	a;

	memset(&a, 0, sizeof(a));
	if (crypto_random_hex(a.id, sizeof(a.id), ALERT_ID_LEN / 2) == -1) {
		store_txn_fail(txn);
		return (-1);
	}
	snprintf(a.user_id, sizeof(a.user_id), "%s", user_id);
	snprintf(a.binding_id, sizeof(a.binding_id), "%s", binding_id);
	snprintf(a.offset, sizeof(a.offset), "%s", offset);
	a.raised = now;
	a.state = ALERT_OPEN;
	if (store_alert_put(txn, &a) == -1)
		return (-1);
	memcpy(id, a.id, sizeof(a.id));
	return (0);
}

/*
 * At most ALERT_NOTE_CHARS characters (UTF-8 continuation bytes are not
 * counted) and no control characters: the note is shown on a page.
 */
static int
alert_note_valid(const char *note)
{
	const unsigned char	*p;
	size_t			 chars;

	if (strlen(note) >= ALERT_NOTE_MAX)
		return (0);
	chars = 0;
	for (p = (const unsigned char *)note; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return (0);
		if ((*p & 0xc0) != 0x80)
			chars++;
	}
	return (chars <= ALERT_NOTE_CHARS);
}

/* The open alert id in a write transaction, or why not. */
static enum alert_error
alert_load(struct store_txn *txn, const char *id, struct alert *a)
{
	int	rc;

	if ((rc = store_alert_get(txn, id, a)) == -1)
		return (ALERT_ERR_STORE);
	if (rc == STORE_NOTFOUND)
		return (ALERT_ERR_UNKNOWN);
	if (a->state != ALERT_OPEN)
		return (ALERT_ERR_CLOSED);
	return (ALERT_OK);
}

enum alert_error
alert_close(const struct core_ctx *ctx, const char *staff, const char *id,
    uint32_t outcome, const char *note)
{
	struct store_txn	txn;
	struct alert		a;
	enum alert_error	e;
	char			detail[96];

	if (alert_outcome_name(outcome) == NULL || !alert_note_valid(note))
		return (ALERT_ERR_INVALID);
	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (ALERT_ERR_STORE);
	if ((e = alert_load(&txn, id, &a)) != ALERT_OK) {
		store_txn_abort(&txn);
		return (e);
	}
	a.state = ALERT_CLOSED;
	a.outcome = outcome;
	a.closed = ctx->now;
	snprintf(a.closed_by, sizeof(a.closed_by), "%s", staff);
	snprintf(a.note, sizeof(a.note), "%s", note);
	snprintf(detail, sizeof(detail), "alert=%s outcome=%s", a.id,
	    alert_outcome_name(outcome));
	store_alert_put(&txn, &a);
	audit_write(&txn, "alert.closed", staff, a.user_id, "ok", detail);
	return (store_txn_commit(&txn) == 0 ? ALERT_OK : ALERT_ERR_STORE);
}

enum alert_error
alert_suspend_binding(const struct core_ctx *ctx, const char *staff,
    const char *id, const char *binding_id)
{
	struct store_txn	txn;
	struct alert		a;
	enum alert_error	e;
	enum binding_error	be;
	char			detail[64];

	if (store_txn_begin(ctx->store, &txn, 1) == -1)
		return (ALERT_ERR_STORE);
	if ((e = alert_load(&txn, id, &a)) != ALERT_OK) {
		store_txn_abort(&txn);
		return (e);
	}
	snprintf(detail, sizeof(detail), "alert=%s", a.id);
	be = binding_set_state(&txn, binding_id, a.user_id, BINDING_SUSPENDED,
	    staff, detail);
	if (be != BINDING_OK) {
		store_txn_abort(&txn);
		return (be == BINDING_ERR_STORE ? ALERT_ERR_STORE :
		    ALERT_ERR_BINDING);
	}
	return (store_txn_commit(&txn) == 0 ? ALERT_OK : ALERT_ERR_STORE);
}
