/*
 * alert.c and store_alert.c: a "this was not me" alert stays in the open
 * list until staff close it with an outcome; notes are bounded; only an
 * authenticator of the alert's user can be suspended from it, and only
 * while it is open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alert.h"
#include "fixture.h"
#include "store_binding.h"

#define OFFSET_TEXT	"an offset"

struct open_list {
	char	ids[4][ALERT_ID_LEN + 1];
	int	n;
};

static void	raise_alert(struct fixture *, const char *, uint64_t, char *);
static void	put_binding(struct fixture *, const char *, const char *);
static int	list_one(void *, const struct alert *);
static int	list_open(struct fixture *, struct open_list *);
static void	test_alert_is_listed_open_until_closed(void **);
static void	test_close_refuses_bad_outcome_and_note(void **);
static void	test_close_twice_or_unknown_is_refused(void **);
static void	test_suspend_only_the_users_binding_while_open(void **);

static void
raise_alert(struct fixture *f, const char *user, uint64_t when, char *id)
{
	struct store_txn	txn;

	assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
	assert_int_equal(alert_raise(&txn, user, "b", OFFSET_TEXT, when, id),
	    0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* An active binding id (32 characters) of user. */
static void
put_binding(struct fixture *f, const char *id, const char *user)
{
	struct store_txn	txn;
	struct binding		b;

	memset(&b, 0, sizeof(b));
	snprintf(b.id, sizeof(b.id), "%s", id);
	snprintf(b.user_id, sizeof(b.user_id), "%s", user);
	snprintf(b.label, sizeof(b.label), "phone");
	b.state = BINDING_ACTIVE;
	b.loa = 2;
	assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
	assert_int_equal(store_binding_put(&txn, &b), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static int
list_one(void *arg, const struct alert *a)
{
	struct open_list	*l = arg;

	assert_int_equal(a->state, ALERT_OPEN);
	assert_string_equal(a->offset, OFFSET_TEXT);
	memcpy(l->ids[l->n++], a->id, sizeof(l->ids[0]));
	return (l->n < 4 ? 0 : 1);
}

static int
list_open(struct fixture *f, struct open_list *l)
{
	struct store_txn	txn;

	memset(l, 0, sizeof(*l));
	assert_int_equal(store_txn_begin(f->st, &txn, 0), 0);
	assert_int_equal(store_alert_open_scan(&txn, list_one, l), 0);
	store_txn_abort(&txn);
	return (l->n);
}

static void
test_alert_is_listed_open_until_closed(void **state)
{
	struct fixture		*f = *state;
	struct open_list	 l;
	struct store_txn	 txn;
	struct alert		 a;
	char			 older[ALERT_ID_LEN + 1], newer[ALERT_ID_LEN + 1];

	raise_alert(f, "kim", f->ctx.now, newer);
	raise_alert(f, "lou", f->ctx.now - 60, older);
	assert_int_equal(list_open(f, &l), 2);
	assert_string_equal(l.ids[0], older);
	assert_string_equal(l.ids[1], newer);

	assert_int_equal(alert_close(&f->ctx, "sam", older,
	    ALERT_OUTCOME_USER, "it was lou"), ALERT_OK);
	assert_int_equal(list_open(f, &l), 1);
	assert_string_equal(l.ids[0], newer);

	assert_int_equal(store_txn_begin(f->st, &txn, 0), 0);
	assert_int_equal(store_alert_get(&txn, older, &a), 0);
	store_txn_abort(&txn);
	assert_int_equal(a.state, ALERT_CLOSED);
	assert_int_equal(a.outcome, ALERT_OUTCOME_USER);
	assert_string_equal(a.closed_by, "sam");
	assert_string_equal(a.note, "it was lou");
	assert_string_equal(a.user_id, "lou");
	assert_int_equal(a.closed, f->ctx.now);
}

static void
test_close_refuses_bad_outcome_and_note(void **state)
{
	struct fixture	*f = *state;
	char		 id[ALERT_ID_LEN + 1], note[ALERT_NOTE_MAX + 8];
	int		 i;

	raise_alert(f, "kim", f->ctx.now, id);
	assert_int_equal(alert_close(&f->ctx, "sam", id, ALERT_OUTCOME_NONE,
	    ""), ALERT_ERR_INVALID);
	assert_int_equal(alert_close(&f->ctx, "sam", id, 99, ""),
	    ALERT_ERR_INVALID);
	assert_int_equal(alert_close(&f->ctx, "sam", id, ALERT_OUTCOME_ATTACK,
	    "two\nlines"), ALERT_ERR_INVALID);
	memset(note, 'x', ALERT_NOTE_CHARS + 1);
	note[ALERT_NOTE_CHARS + 1] = '\0';
	assert_int_equal(alert_close(&f->ctx, "sam", id, ALERT_OUTCOME_ATTACK,
	    note), ALERT_ERR_INVALID);
	/* 200 characters of two bytes each are 200 characters. */
	for (i = 0; i < ALERT_NOTE_CHARS; i++)
		memcpy(note + 2 * i, "\xc3\xa9", 2);
	note[2 * ALERT_NOTE_CHARS] = '\0';
	assert_int_equal(alert_close(&f->ctx, "sam", id, ALERT_OUTCOME_ATTACK,
	    note), ALERT_OK);
	assert_int_equal(alert_outcome_from_name("attack"),
	    ALERT_OUTCOME_ATTACK);
	assert_int_equal(alert_outcome_from_name("maybe"), ALERT_OUTCOME_NONE);
	assert_null(alert_outcome_name(ALERT_OUTCOME_NONE));
}

static void
test_close_twice_or_unknown_is_refused(void **state)
{
	struct fixture	*f = *state;
	char		 id[ALERT_ID_LEN + 1];

	raise_alert(f, "kim", f->ctx.now, id);
	assert_int_equal(alert_close(&f->ctx, "sam", id,
	    ALERT_OUTCOME_UNREACHED, ""), ALERT_OK);
	assert_int_equal(alert_close(&f->ctx, "sam", id, ALERT_OUTCOME_USER,
	    ""), ALERT_ERR_CLOSED);
	assert_int_equal(alert_close(&f->ctx, "sam",
	    "0123456789abcdef0123456789abcdef", ALERT_OUTCOME_USER, ""),
	    ALERT_ERR_UNKNOWN);
	assert_int_equal(alert_close(&f->ctx, "sam", "short",
	    ALERT_OUTCOME_USER, ""), ALERT_ERR_UNKNOWN);
}

static void
test_suspend_only_the_users_binding_while_open(void **state)
{
	struct fixture		*f = *state;
	struct store_txn	 txn;
	struct binding		 b;
	const char		*mine = "11111111111111111111111111111111";
	const char		*other = "22222222222222222222222222222222";
	char			 id[ALERT_ID_LEN + 1];

	put_binding(f, mine, "kim");
	put_binding(f, other, "lou");
	raise_alert(f, "kim", f->ctx.now, id);
	assert_int_equal(alert_suspend_binding(&f->ctx, "sam", id, other),
	    ALERT_ERR_BINDING);
	assert_int_equal(alert_suspend_binding(&f->ctx, "sam", id, mine),
	    ALERT_OK);
	assert_int_equal(store_txn_begin(f->st, &txn, 0), 0);
	assert_int_equal(store_binding_get(&txn, mine, &b), 0);
	assert_int_equal(b.state, BINDING_SUSPENDED);
	assert_int_equal(store_binding_get(&txn, other, &b), 0);
	assert_int_equal(b.state, BINDING_ACTIVE);
	store_txn_abort(&txn);

	assert_int_equal(alert_close(&f->ctx, "sam", id, ALERT_OUTCOME_ATTACK,
	    ""), ALERT_OK);
	assert_int_equal(alert_suspend_binding(&f->ctx, "sam", id, mine),
	    ALERT_ERR_CLOSED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_alert_is_listed_open_until_closed,
		    fixture_setup_core, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_close_refuses_bad_outcome_and_note,
		    fixture_setup_core, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_close_twice_or_unknown_is_refused,
		    fixture_setup_core, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_suspend_only_the_users_binding_while_open,
		    fixture_setup_core, fixture_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
