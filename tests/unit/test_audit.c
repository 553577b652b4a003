/*
 * audit.c and store_chain.c: audit records and vetting events are hash
 * chained, and store_chain_verify() finds a record altered, removed,
 * inserted or cut off the end; a log written before chaining existed is
 * linked at its next record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"
#include "codec.h"
#include "fixture.h"
#include "store.h"
#include "store_chain.h"
#include "store_vetting.h"
#include "vetting.h"

struct last_link {
	uint64_t	seq;
	unsigned char	link[STORE_CHAIN_LEN];
};

static void	write_records(struct store *, int);
static int	keep_last(void *, const struct audit_record *);
static void	verify(struct store *, enum store_db, int,
		    struct store_chain_report *);
static void	test_records_are_chained_and_verify_intact(void **);
static void	test_verify_finds_an_altered_record(void **);
static void	test_verify_finds_a_removed_record(void **);
static void	test_verify_finds_records_cut_off_the_end(void **);
static void	test_verify_finds_an_inserted_record(void **);
static void	test_unchained_log_is_linked_at_next_record(void **);
static void	test_missing_link_is_reported_and_logging_goes_on(void **);
static void	test_vetting_events_are_chained(void **);
static void	tamper(struct store *, enum store_db, uint64_t, const char *);

/* Writes n audit records, each in its own transaction. */
static void
write_records(struct store *st, int n)
{
	struct store_txn	txn;
	char			detail[32];
	int			i;

	for (i = 0; i < n; i++) {
		snprintf(detail, sizeof(detail), "n=%d", i);
		assert_int_equal(store_txn_begin(st, &txn, 1), 0);
		assert_int_equal(audit_write(&txn, "test.event", "tester",
		    "alice", "ok", detail), 0);
		assert_int_equal(store_txn_commit(&txn), 0);
	}
}

static int
keep_last(void *arg, const struct audit_record *r)
{
	struct last_link	*l;

	l = arg;
	l->seq = r->seq;
	memcpy(l->link, r->link, sizeof(l->link));
	return (0);
}

/* Runs store_chain_verify() on db and checks its return value. */
static void
verify(struct store *st, enum store_db db, int expect,
    struct store_chain_report *rep)
{
	struct store_txn	txn;

	assert_int_equal(store_txn_begin(st, &txn, 0), 0);
	assert_int_equal(store_chain_verify(&txn, db, rep), expect);
	store_txn_abort(&txn);
}

/* Overwrites (val != NULL) or deletes record seq of db behind its back. */
static void
tamper(struct store *st, enum store_db db, uint64_t seq, const char *val)
{
	struct store_txn	txn;
	unsigned char		key[8];

	codec_be64(key, seq);
	assert_int_equal(store_txn_begin(st, &txn, 1), 0);
	if (val != NULL)
		assert_int_equal(store_put(&txn, db, key, sizeof(key), val,
		    strlen(val), 0), 0);
	else
		assert_int_equal(store_del(&txn, db, key, sizeof(key)), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

static void
test_records_are_chained_and_verify_intact(void **state)
{
	struct fixture			*f = *state;
	struct store_chain_report	 rep;
	struct store_txn		 txn;
	struct last_link		 last;

	verify(f->st, STORE_AUDIT, 0, &rep);
	assert_int_equal(rep.records, 0);
	write_records(f->st, 5);
	verify(f->st, STORE_AUDIT, 0, &rep);
	assert_int_equal(rep.records, 5);
	assert_int_equal(rep.head_seq, 5);
	assert_null(rep.problem);

	/* The head verify reports is the link the export shows. */
	assert_int_equal(store_txn_begin(f->st, &txn, 0), 0);
	assert_int_equal(audit_scan(&txn, 0, keep_last, &last), 0);
	store_txn_abort(&txn);
	assert_int_equal(last.seq, 5);
	assert_memory_equal(last.link, rep.head, STORE_CHAIN_LEN);
}

static void
test_verify_finds_an_altered_record(void **state)
{
	struct fixture			*f = *state;
	struct store_chain_report	 rep;

	write_records(f->st, 5);
	tamper(f->st, STORE_AUDIT, 3, "\001forged");
	verify(f->st, STORE_AUDIT, 1, &rep);
	assert_int_equal(rep.bad_seq, 3);
	assert_string_equal(rep.problem, "record or link altered");
	assert_int_equal(rep.records, 2);
}

static void
test_verify_finds_a_removed_record(void **state)
{
	struct fixture			*f = *state;
	struct store_chain_report	 rep;

	write_records(f->st, 5);
	tamper(f->st, STORE_AUDIT, 3, NULL);
	verify(f->st, STORE_AUDIT, 1, &rep);
	assert_int_equal(rep.bad_seq, 3);
	assert_string_equal(rep.problem, "record missing");
}

static void
test_verify_finds_records_cut_off_the_end(void **state)
{
	struct fixture			*f = *state;
	struct store_chain_report	 rep;

	write_records(f->st, 5);
	tamper(f->st, STORE_AUDIT, 5, NULL);
	tamper(f->st, STORE_AUDIT, 4, NULL);
	verify(f->st, STORE_AUDIT, 1, &rep);
	assert_int_equal(rep.bad_seq, 4);
	assert_string_equal(rep.problem, "record missing");
}

static void
test_verify_finds_an_inserted_record(void **state)
{
	struct fixture			*f = *state;
	struct store_chain_report	 rep;

	write_records(f->st, 3);
	tamper(f->st, STORE_AUDIT, 4, "\001inserted");
	verify(f->st, STORE_AUDIT, 1, &rep);
	assert_int_equal(rep.bad_seq, 4);
	assert_string_equal(rep.problem, "link missing");
}

/* An older mutua wrote records without links: the next one links all. */
static void
test_unchained_log_is_linked_at_next_record(void **state)
{
	struct fixture			*f = *state;
	struct store_chain_report	 rep;
	struct store_txn		 txn;
	int				 i;

	assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(store_append(&txn, STORE_AUDIT, "\001old", 4,
		    NULL), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	verify(f->st, STORE_AUDIT, 1, &rep);
	assert_int_equal(rep.bad_seq, 1);

	write_records(f->st, 1);
	verify(f->st, STORE_AUDIT, 0, &rep);
	assert_int_equal(rep.records, 4);
}

/* A link removed from a chained log: reported, and records still land. */
static void
test_missing_link_is_reported_and_logging_goes_on(void **state)
{
	struct fixture			*f = *state;
	struct store_chain_report	 rep;
	struct store_txn		 txn;
	unsigned char			 key[9];

	write_records(f->st, 3);
	key[0] = STORE_AUDIT;
	codec_be64(key + 1, 3);
	assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
	assert_int_equal(store_del(&txn, STORE_CHAIN, key, sizeof(key)), 0);
	assert_int_equal(store_txn_commit(&txn), 0);

	write_records(f->st, 1);
	verify(f->st, STORE_AUDIT, 1, &rep);
	assert_int_equal(rep.bad_seq, 3);
	assert_string_equal(rep.problem, "link missing");
}

static void
test_vetting_events_are_chained(void **state)
{
	struct fixture			*f = *state;
	struct store_chain_report	 rep;
	struct store_txn		 txn;
	struct vetting_event		 ev;
	unsigned char			 first[STORE_CHAIN_LEN];
	int				 i;

	for (i = 0; i < 2; i++) {
		memset(&ev, 0, sizeof(ev));
		memset(ev.case_id, 'a', VETTING_ID_LEN);
		ev.action = VETTING_I_REQUEST_FACTOR;
		ev.outcome = VETTING_OUTCOME_OK;
		ev.role = VETTING_ROLE_APPLICANT;
		snprintf(ev.actor, sizeof(ev.actor), "alice");
		assert_int_equal(store_txn_begin(f->st, &txn, 1), 0);
		assert_int_equal(store_vetting_event_append(&txn, &ev), 0);
		assert_int_equal(store_txn_commit(&txn), 0);
		if (i == 0)
			memcpy(first, ev.link, sizeof(first));
	}
	assert_memory_not_equal(first, ev.link, sizeof(first));
	verify(f->st, STORE_VETTING_EVENTS, 0, &rep);
	assert_int_equal(rep.records, 2);
	assert_memory_equal(rep.head, ev.link, STORE_CHAIN_LEN);
	/* The two logs have chains of their own. */
	verify(f->st, STORE_AUDIT, 0, &rep);
	assert_int_equal(rep.records, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_records_are_chained_and_verify_intact,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_verify_finds_an_altered_record,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_verify_finds_a_removed_record,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_verify_finds_records_cut_off_the_end,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_verify_finds_an_inserted_record,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_unchained_log_is_linked_at_next_record,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_missing_link_is_reported_and_logging_goes_on,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_vetting_events_are_chained,
		    fixture_setup, fixture_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
