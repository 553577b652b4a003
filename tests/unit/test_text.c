/*
 * Unit tests for src/text.c: display names from metadata and client
 * registrations become one clean line of valid UTF-8, or nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void
test_display_name_folds_white_space(void **state)
{
	char	out[TEXT_NAME_MAX];

	assert_int_equal(text_display_name(out, sizeof(out),
	    "\t The \r\n  Library  "), 0);
	assert_string_equal(out, "The Library");
	assert_int_equal(text_display_name(out, sizeof(out),
	    "Universit\xc3\xa4t Z\xc3\xbcrich"), 0);
	assert_string_equal(out, "Universit\xc3\xa4t Z\xc3\xbcrich");
}

static void
test_display_name_refuses_controls_and_bad_utf8(void **state)
{
	static const char	*bad[] = {
		"", "   ", "Bank\x1b[2J", "a\x7f", "a\xc2\x85z",	/* NEL */
		"a\xe2\x80\xa8z",	/* LINE SEPARATOR */
		"\xc0\xaf",		/* overlong '/' */
		"\xed\xa0\x80",		/* a surrogate */
		"\xf4\x90\x80\x80",	/* past U+10FFFF */
		"abc\xe2\x82",		/* cut short */
	};
	char			 out[TEXT_NAME_MAX];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(text_display_name(out, sizeof(out), bad[i]),
		    -1);
		assert_string_equal(out, "");
	}
}

static void
test_display_name_is_cut_at_a_character_boundary(void **state)
{
	char	out[8];

	/* "ä" is two bytes: the fourth does not fit in 7 bytes + NUL. */
	assert_int_equal(text_display_name(out, sizeof(out),
	    "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"), 0);
	assert_string_equal(out, "\xc3\xa4\xc3\xa4\xc3\xa4");
	assert_int_equal(text_display_name(out, sizeof(out), "abc defgh"), 0);
	assert_string_equal(out, "abc def");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_display_name_folds_white_space),
		cmocka_unit_test(test_display_name_refuses_controls_and_bad_utf8),
		cmocka_unit_test(test_display_name_is_cut_at_a_character_boundary),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
