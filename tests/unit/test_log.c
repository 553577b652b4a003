/*
 * Unit tests for src/log.c: log_append_pair() quotes and escapes values
 * so that one value can never start a new log line or a new pair, and
 * truncates with "..." without ever writing past the buffer.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

#define CANARY		0x5a
#define SLACK		32

static void	assert_pair(const char *, const char *, const char *);
static const char	*append_bounded(const char *, size_t, const char *,
			    const char *);
static void	assert_one_safe_line(const char *);

/* Appends key=value to an empty buffer and compares. */
static void
assert_pair(const char *key, const char *value, const char *want)
{
	char	buf[LOG_LINE_MAX];

	buf[0] = '\0';
	log_append_pair(buf, sizeof(buf), key, value);
	assert_string_equal(buf, want);
}

/*
 * Appends key=value to a copy of prefix in a buffer of size len followed
 * by canary bytes, and checks that nothing past len was written and that
 * the result is terminated within it. Returns a copy of the result,
 * valid until the next call.
 */
static const char *
append_bounded(const char *prefix, size_t len, const char *key,
    const char *value)
{
	static char	 result[LOG_LINE_MAX];
	char		*buf;
	size_t		 i;
	int		 overflow;

	assert_true(strlen(prefix) < len && len <= sizeof(result));
	assert_non_null(buf = malloc(len + SLACK));
	memset(buf, CANARY, len + SLACK);
	memcpy(buf, prefix, strlen(prefix) + 1);
	log_append_pair(buf, len, key, value);
	overflow = 0;
	for (i = len; i < len + SLACK; i++) {
		if ((unsigned char)buf[i] != CANARY)
			overflow = 1;
	}
	overflow |= memchr(buf, '\0', len) == NULL;
	if (!overflow)
		memcpy(result, buf, len);
	free(buf);
	if (overflow)
		fail_msg("len %zu: written past the buffer", len);
	return (result);
}

/* No byte of the line is a control character: it stays one line. */
static void
assert_one_safe_line(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("control byte 0x%02x in \"%s\"", *p, s);
	}
}

static void
test_log_plain_value_is_bare(void **state)
{
	assert_pair("user", "alice", " user=alice");
	assert_pair("path", "/oob/approve?x", " path=/oob/approve?x");
}

static void
test_log_null_or_empty_value_is_dash(void **state)
{
	assert_pair("user", NULL, " user=-");
	assert_pair("user", "", " user=-");
}

static void
test_log_appends_after_existing_pairs(void **state)
{
	char	buf[LOG_LINE_MAX];

	buf[0] = '\0';
	log_append_pair(buf, sizeof(buf), "a", "1");
	log_append_pair(buf, sizeof(buf), "b", "two words");
	log_append_pair(buf, sizeof(buf), "c", "3");
	assert_string_equal(buf, " a=1 b=\"two words\" c=3");
}

static void
test_log_quotes_spaces_quotes_and_equals(void **state)
{
	assert_pair("msg", "a b", " msg=\"a b\"");
	assert_pair("msg", "say \"hi\"", " msg=\"say \\\"hi\\\"\"");
	/* '=' would otherwise read as a second pair. */
	assert_pair("msg", "x=1", " msg=\"x=1\"");
	assert_pair("msg", "a\\b", " msg=\"a\\\\b\"");
}

static void
test_log_escapes_control_characters_as_hex(void **state)
{
	assert_pair("v", "a\nb", " v=\"a\\x0ab\"");
	assert_pair("v", "a\rb", " v=\"a\\x0db\"");
	assert_pair("v", "\t", " v=\"\\x09\"");
	assert_pair("v", "\x1b[31m", " v=\"\\x1b[31m\"");
	assert_pair("v", "\x7f", " v=\"\\x7f\"");
	assert_pair("v", "\x01", " v=\"\\x01\"");
}

static void
test_log_every_control_character_is_escaped(void **state)
{
	char	buf[LOG_LINE_MAX], value[2], want[16];
	int	c;

	for (c = 1; c < 0x80; c++) {
		if (c >= 0x20 && c != 0x7f)
			continue;
		value[0] = (char)c;
		value[1] = '\0';
		snprintf(want, sizeof(want), " k=\"\\x%02x\"", c);
		buf[0] = '\0';
		log_append_pair(buf, sizeof(buf), "k", value);
		assert_string_equal(buf, want);
	}
}

static void
test_log_value_cannot_forge_a_line(void **state)
{
	char	buf[LOG_LINE_MAX];

	buf[0] = '\0';
	log_append_pair(buf, sizeof(buf), "ts", "2024-01-01T00:00:00.000Z");
	log_append_pair(buf, sizeof(buf), "user",
	    "eve\nts=2024-01-01T00:00:00.000Z event=login user=admin "
	    "outcome=ok");
	assert_one_safe_line(buf);
	assert_null(strchr(buf, '\n'));
	/* The whole forged text is one quoted value. */
	assert_string_equal(buf, " ts=2024-01-01T00:00:00.000Z user=\"eve"
	    "\\x0ats=2024-01-01T00:00:00.000Z event=login user=admin "
	    "outcome=ok\"");
}

static void
test_log_high_bytes_pass_through(void **state)
{
	/* UTF-8 is not a control character. */
	assert_pair("name", "J\xc3\xbcrgen", " name=J\xc3\xbcrgen");
}

static void
test_log_truncates_long_value_with_ellipsis(void **state)
{
	const char	*buf;
	char		*value;
	size_t		 len;

	assert_non_null(value = malloc(3 * LOG_LINE_MAX));
	memset(value, 'x', 3 * LOG_LINE_MAX - 1);
	value[3 * LOG_LINE_MAX - 1] = '\0';

	buf = append_bounded("", LOG_LINE_MAX, "detail", value);
	len = strlen(buf);
	assert_true(len < LOG_LINE_MAX);
	assert_true(len > LOG_LINE_MAX - 16);
	assert_int_equal(strncmp(buf, " detail=xxx", 11), 0);
	assert_string_equal(buf + len - 3, "...");

	/* Quoted: the closing quote is still there after the "...". */
	value[10] = ' ';
	buf = append_bounded("", LOG_LINE_MAX, "detail", value);
	len = strlen(buf);
	assert_true(len < LOG_LINE_MAX);
	assert_string_equal(buf + len - 4, "...\"");
	free(value);
}

static void
test_log_truncation_never_splits_an_escape(void **state)
{
	const char	*buf, *dots;
	size_t		 len;

	/* Every value byte becomes four; the cut falls between them. */
	for (len = 16; len < 64; len++) {
		buf = append_bounded("", len, "k",
		    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n");
		assert_one_safe_line(buf);
		assert_non_null(dots = strstr(buf, "..."));
		/* What precedes the dots is whole \x0a escapes. */
		assert_int_equal((dots - (buf + 4)) % 4, 0);
	}
}

static void
test_log_never_writes_past_buffer(void **state)
{
	static const char	*values[] = {
		"plain", "with space", "q\"uote", "nl\nnl", "\x01\x02\x03",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"a b c d e f g h i j k l m n o p q r s t u v w x y z",
		"\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\", NULL
	};
	static const char	*prefixes[] = { "", " ts=1", " a=b c=d e=f" };
	const char		*buf;
	size_t			 len, v, p;

	/* Every buffer size around every length that matters. */
	for (p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			for (len = strlen(prefixes[p]) + 1; len < 96; len++) {
				buf = append_bounded(prefixes[p], len, "key",
				    values[v]);
				assert_one_safe_line(buf);
				assert_int_equal(strncmp(buf, prefixes[p],
				    strlen(prefixes[p])), 0);
			}
		}
	}
}

/*
 * log.h: "Output that does not fit is truncated ... and ends with
 * "...".": whenever a pair is cut, the "..." is whole and a quoted value
 * keeps its closing quote, so the line still parses as key=value pairs.
 */
static void
test_log_truncated_pair_ends_with_whole_ellipsis(void **state)
{
	static const char	*values[] = {
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"a b c d e f g h i j k l m n o p q r s t u v w x y z",
		"\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
	};
	const char		*buf, *pair;
	char			 full[LOG_LINE_MAX];
	size_t			 len, v, plen;
	int			 quoted;

	for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		quoted = strpbrk(values[v], " \n") != NULL;
		full[0] = '\0';
		log_append_pair(full, sizeof(full), "key", values[v]);
		for (len = 1; len < 120; len++) {
			buf = append_bounded("", len, "key", values[v]);
			pair = buf;
			plen = strlen(pair);
			/* Nothing appended, the whole pair, or a cut pair. */
			if (plen == 0 || strcmp(pair, full) == 0)
				continue;
			if (quoted) {
				if (plen < 4 ||
				    strcmp(pair + plen - 4, "...\"") != 0)
					fail_msg("len %zu: \"%s\"", len, pair);
			} else {
				if (plen < 3 ||
				    strcmp(pair + plen - 3, "...") != 0)
					fail_msg("len %zu: \"%s\"", len, pair);
			}
		}
	}
}

/* A pair that fits in the buffer is written whole, never cut. */
static void
test_log_pair_that_fits_is_not_truncated(void **state)
{
	static const char	*values[] = { "abc", "a b", "a\nb" };
	static const char	*wants[] = {
		" key=abc", " key=\"a b\"", " key=\"a\\x0ab\""
	};
	const char		*buf;
	size_t			 v, len;

	for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (len = strlen(wants[v]) + 1; len < 40; len++) {
			buf = append_bounded("", len, "key", values[v]);
			if (strcmp(buf, wants[v]) != 0)
				fail_msg("len %zu: \"%s\", want \"%s\"", len,
				    buf, wants[v]);
		}
	}
}

static void
test_log_key_that_does_not_fit_appends_nothing(void **state)
{
	const char	*buf;

	buf = append_bounded(" a=1", 8, "longkey", "v");
	assert_string_equal(buf, " a=1");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_log_plain_value_is_bare),
		cmocka_unit_test(test_log_null_or_empty_value_is_dash),
		cmocka_unit_test(test_log_appends_after_existing_pairs),
		cmocka_unit_test(test_log_quotes_spaces_quotes_and_equals),
		cmocka_unit_test(test_log_escapes_control_characters_as_hex),
		cmocka_unit_test(
		    test_log_every_control_character_is_escaped),
		cmocka_unit_test(test_log_value_cannot_forge_a_line),
		cmocka_unit_test(test_log_high_bytes_pass_through),
		cmocka_unit_test(test_log_truncates_long_value_with_ellipsis),
		cmocka_unit_test(test_log_truncation_never_splits_an_escape),
		cmocka_unit_test(test_log_never_writes_past_buffer),
		cmocka_unit_test(
		    test_log_truncated_pair_ends_with_whole_ellipsis),
		cmocka_unit_test(test_log_pair_that_fits_is_not_truncated),
		cmocka_unit_test(
		    test_log_key_that_does_not_fit_appends_nothing),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
