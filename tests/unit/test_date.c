/*
 * Unit tests for src/date.c: each style, UTC whatever the local zone,
 * "-" for a time that never happened, and truncation to a short buffer.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"

#define SOME_TIME	UINT64_C(1769860805)	/* 2026-01-31 12:00:05 UTC */

static void
test_each_style_writes_utc(void **state)
{
	char	out[DATE_MAX];

	/* A local zone far from UTC must not show through. */
	setenv("TZ", "Pacific/Kiritimati", 1);
	assert_string_equal(date_format(SOME_TIME, DATE_ISO, out, sizeof(out)),
	    "2026-01-31T12:00:05Z");
	assert_string_equal(date_format(SOME_TIME, DATE_MINUTE, out,
	    sizeof(out)), "2026-01-31 12:00 UTC");
	assert_string_equal(date_format(SOME_TIME, DATE_DAY, out, sizeof(out)),
	    "2026-01-31");
}

static void
test_zero_is_never(void **state)
{
	char	out[DATE_MAX];

	assert_string_equal(date_format(0, DATE_MINUTE, out, sizeof(out)),
	    "-");
}

static void
test_short_buffer_is_never_a_partial_date(void **state)
{
	char	out[8];

	assert_string_equal(date_format(SOME_TIME, DATE_ISO, out, sizeof(out)),
	    "-");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_style_writes_utc),
		cmocka_unit_test(test_zero_is_never),
		cmocka_unit_test(test_short_buffer_is_never_a_partial_date),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
