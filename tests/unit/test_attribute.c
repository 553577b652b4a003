/*
 * Unit tests for src/attribute.c: the names, OIDs and claims table, and
 * the bounds of a user's set of values.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "attribute.h"

static void
test_find_knows_each_name_and_nothing_else(void **state)
{
	int	i;

	for (i = 0; i < ATTRIBUTE_COUNT; i++) {
		assert_int_equal(attribute_find(attribute_defs[i].name), i);
		assert_non_null(attribute_defs[i].oid);
		assert_int_equal(strncmp(attribute_defs[i].oid, "urn:oid:", 8),
		    0);
	}
	assert_int_equal(attribute_find("isMemberOf"),
	    ATTRIBUTE_IS_MEMBER_OF);
	assert_string_equal(attribute_defs[ATTRIBUTE_IS_MEMBER_OF].oid,
	    "urn:oid:1.3.6.1.4.1.5923.1.5.1.1");
	assert_string_equal(attribute_defs[ATTRIBUTE_IS_MEMBER_OF].claim,
	    "groups");
	assert_int_equal(attribute_find("userPassword"), -1);
	assert_int_equal(attribute_find("MAIL"), -1);
	assert_int_equal(attribute_find(""), -1);
}

static void
test_add_keeps_order_and_first(void **state)
{
	struct attribute_set	set;

	memset(&set, 0, sizeof(set));
	assert_null(attribute_first(&set, ATTRIBUTE_MAIL));
	assert_int_equal(attribute_add(&set, ATTRIBUTE_IS_MEMBER_OF, "staff",
	    5), 0);
	/* Not NUL-terminated in the directory's berval: len counts. */
	assert_int_equal(attribute_add(&set, ATTRIBUTE_IS_MEMBER_OF,
	    "wiki-admins-and-more", 11), 0);
	assert_int_equal(attribute_add(&set, ATTRIBUTE_GIVEN_NAME,
	    "J\xc3\xbcrgen", 7), 0);
	assert_int_equal(set.n, 3);
	assert_string_equal(set.v[1].value, "wiki-admins");
	assert_string_equal(attribute_first(&set, ATTRIBUTE_IS_MEMBER_OF),
	    "staff");
	assert_string_equal(attribute_first(&set, ATTRIBUTE_GIVEN_NAME),
	    "J\xc3\xbcrgen");
}

static void
test_add_refuses_what_does_not_fit(void **state)
{
	struct attribute_set	set;
	char			long_value[ATTRIBUTE_VALUE_MAX];
	int			i;

	memset(&set, 0, sizeof(set));
	memset(long_value, 'a', sizeof(long_value));
	assert_int_equal(attribute_add(&set, ATTRIBUTE_CN, "", 0), -1);
	assert_int_equal(attribute_add(&set, ATTRIBUTE_CN, long_value,
	    sizeof(long_value)), -1);
	assert_int_equal(attribute_add(&set, ATTRIBUTE_CN, long_value,
	    sizeof(long_value) - 1), 0);
	/* A line break or a NUL could forge a log line or cut a value. */
	assert_int_equal(attribute_add(&set, ATTRIBUTE_CN, "a\nb", 3), -1);
	assert_int_equal(attribute_add(&set, ATTRIBUTE_CN, "a\0b", 3), -1);
	assert_int_equal(attribute_add(&set, ATTRIBUTE_COUNT, "a", 1), -1);
	for (i = 1; i < ATTRIBUTE_VALUES_MAX; i++)
		assert_int_equal(attribute_add(&set, ATTRIBUTE_SN, "x", 1), 0);
	assert_int_equal(attribute_add(&set, ATTRIBUTE_SN, "x", 1), -1);
	assert_int_equal(set.n, ATTRIBUTE_VALUES_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_knows_each_name_and_nothing_else),
		cmocka_unit_test(test_add_keeps_order_and_first),
		cmocka_unit_test(test_add_refuses_what_does_not_fit),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
