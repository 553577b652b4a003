/*
 * Unit tests for src/template.c: "{{name}}" substitution, HTML escaping
 * by default, TEMPLATE_RAW, and the size limits.
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "template.h"

struct tdir {
	char	dir[FIXTURE_DIR_MAX];
};

static int	setup_dir(void **);
static int	teardown_dir(void **);
static void	write_file(const struct tdir *, const char *, const char *,
		    size_t);
static char	*render(const struct tdir *, const char *,
		    const struct template_var *, size_t);

static int
setup_dir(void **state)
{
	struct tdir	*td;

	if ((td = calloc(1, sizeof(*td))) == NULL)
		return (-1);
	if (fixture_dir_make(td->dir, sizeof(td->dir)) == -1) {
		free(td);
		return (-1);
	}
	*state = td;
	return (0);
}

static int
teardown_dir(void **state)
{
	struct tdir	*td = *state;
	int		 rc;

	rc = fixture_dir_remove(td->dir);
	free(td);
	return (rc);
}

static void
write_file(const struct tdir *td, const char *name, const char *data,
    size_t len)
{
	char	 path[128];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", td->dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Writes text as t.html, loads and renders it. Free the result. */
static char *
render(const struct tdir *td, const char *text,
    const struct template_var *vars, size_t nvars)
{
	struct template	 t;
	char		 err[256], *out;
	size_t		 len;

	write_file(td, "t.html", text, strlen(text));
	if (template_load(&t, td->dir, "t.html", err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(t.len, strlen(text));
	len = 0;
	out = template_render(&t, vars, nvars, &len);
	assert_non_null(out);
	assert_int_equal(len, strlen(out));
	template_free(&t);
	return (out);
}

static void
test_template_substitutes_named_values(void **state)
{
	const struct template_var	vars[] = {
		{ "user", "alice", 0 },
		{ "code", "123456", 0 },
	};
	char				*out;

	out = render(*state, "<p>{{user}}: {{code}} ({{user}})</p>\n", vars,
	    2);
	assert_string_equal(out, "<p>alice: 123456 (alice)</p>\n");
	free(out);

	out = render(*state, "{{code}}{{user}}", vars, 2);
	assert_string_equal(out, "123456alice");
	free(out);
}

static void
test_template_without_placeholders_is_copied(void **state)
{
	char	*out;

	out = render(*state, "<html>{ } {x} }} plain</html>", NULL, 0);
	assert_string_equal(out, "<html>{ } {x} }} plain</html>");
	free(out);
	out = render(*state, "", NULL, 0);
	assert_string_equal(out, "");
	free(out);
}

static void
test_template_escapes_html_special_characters(void **state)
{
	const struct template_var	vars[] = {
		{ "v", "<script>alert(\"x\" & 'y')</script>", 0 },
	};
	char				*out;

	out = render(*state, "<a title=\"{{v}}\">{{v}}</a>", vars, 1);
	assert_string_equal(out,
	    "<a title=\"&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)"
	    "&lt;/script&gt;\">"
	    "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)"
	    "&lt;/script&gt;</a>");
	free(out);
}

static void
test_template_raw_value_is_not_escaped(void **state)
{
	const struct template_var	vars[] = {
		{ "qr", "<svg viewBox=\"0 0 1 1\"/>", TEMPLATE_RAW },
		{ "name", "<b>", 0 },
	};
	char				*out;

	out = render(*state, "{{qr}}{{name}}", vars, 2);
	assert_string_equal(out, "<svg viewBox=\"0 0 1 1\"/>&lt;b&gt;");
	free(out);
}

static void
test_template_unknown_or_null_names_render_empty(void **state)
{
	const struct template_var	vars[] = {
		{ "known", "k", 0 },
		{ "null", NULL, 0 },
	};
	char				*out;

	out = render(*state, "[{{unknown}}][{{null}}][{{known}}][{{}}]"
	    "[{{Known}}][{{ known }}]", vars, 2);
	assert_string_equal(out, "[][][k][][][]");
	free(out);
}

static void
test_template_name_prefix_does_not_match(void **state)
{
	const struct template_var	vars[] = {
		{ "user", "u", 0 },
		{ "username", "un", 0 },
	};
	char				*out;

	out = render(*state, "{{username}}/{{user}}/{{use}}", vars, 2);
	assert_string_equal(out, "un/u/");
	free(out);
}

static void
test_template_value_is_not_expanded_again(void **state)
{
	const struct template_var	vars[] = {
		{ "name", "{{secret}}", 0 },
		{ "secret", "s3cr3t", 0 },
	};
	char				*out;

	/* User input that looks like a placeholder stays text. */
	out = render(*state, "hello {{name}}", vars, 2);
	assert_string_equal(out, "hello {{secret}}");
	free(out);
}

static void
test_template_unterminated_placeholder_is_kept_as_text(void **state)
{
	const struct template_var	vars[] = {
		{ "a", "A", 0 },
	};
	char				*out;

	out = render(*state, "{{a}} and {{a", vars, 1);
	assert_string_equal(out, "A and {{a");
	free(out);
	out = render(*state, "x {{", vars, 1);
	assert_string_equal(out, "x {{");
	free(out);
	out = render(*state, "{{a}", vars, 1);
	assert_string_equal(out, "{{a}");
	free(out);
}

static void
test_template_larger_than_max_is_refused(void **state)
{
	struct tdir	*td = *state;
	struct template	 t;
	char		*big, err[256], want[256];

	assert_non_null(big = malloc(TEMPLATE_MAX + 1));
	memset(big, 'x', TEMPLATE_MAX + 1);

	/* Exactly TEMPLATE_MAX bytes is allowed. */
	write_file(td, "big.html", big, TEMPLATE_MAX);
	assert_int_equal(template_load(&t, td->dir, "big.html", err,
	    sizeof(err)), 0);
	assert_int_equal(t.len, TEMPLATE_MAX);
	template_free(&t);
	assert_null(t.text);

	write_file(td, "big.html", big, TEMPLATE_MAX + 1);
	snprintf(want, sizeof(want), "%s/big.html: larger than %d bytes",
	    td->dir, TEMPLATE_MAX);
	assert_int_equal(template_load(&t, td->dir, "big.html", err,
	    sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_null(t.text);
	free(big);
}

static void
test_template_missing_file_names_path(void **state)
{
	struct tdir	*td = *state;
	struct template	 t;
	char		 err[256], want[256];

	snprintf(want, sizeof(want), "%s/nope.html: %s", td->dir,
	    strerror(ENOENT));
	assert_int_equal(template_load(&t, td->dir, "nope.html", err,
	    sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void
test_template_render_refuses_huge_output(void **state)
{
	struct template_var	vars[1];
	struct template		t;
	char			*value;
	size_t			 len;

	/* Each '&' becomes five bytes: far over the output limit. */
	assert_non_null(value = malloc(TEMPLATE_MAX + 1));
	memset(value, '&', TEMPLATE_MAX);
	value[TEMPLATE_MAX] = '\0';
	vars[0].name = "v";
	vars[0].value = value;
	vars[0].flags = 0;
	t.text = (char *)(uintptr_t)"<p>{{v}}</p>";
	t.len = strlen(t.text);
	assert_null(template_render(&t, vars, 1, &len));
	free(value);
}

static void
test_template_escape_appends_to_buffer(void **state)
{
	char	*out;
	size_t	 len, cap;

	out = NULL;
	len = cap = 0;
	assert_int_equal(template_escape(&out, &len, &cap, "a<b"), 0);
	assert_int_equal(template_escape(&out, &len, &cap, ""), 0);
	assert_int_equal(template_escape(&out, &len, &cap, "'&'"), 0);
	assert_string_equal(out, "a&lt;b&#39;&amp;&#39;");
	assert_int_equal(len, strlen(out));
	assert_true(cap > len);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_template_substitutes_named_values, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_template_without_placeholders_is_copied, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_template_escapes_html_special_characters, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_template_raw_value_is_not_escaped, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_template_unknown_or_null_names_render_empty,
		    setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_template_name_prefix_does_not_match, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_template_value_is_not_expanded_again, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_template_unterminated_placeholder_is_kept_as_text,
		    setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_template_larger_than_max_is_refused, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_template_missing_file_names_path, setup_dir,
		    teardown_dir),
		cmocka_unit_test(test_template_render_refuses_huge_output),
		cmocka_unit_test(test_template_escape_appends_to_buffer),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
