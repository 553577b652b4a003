/*
 * Unit tests for src/directory.c without a directory: the RFC 4515
 * escaping of the user ID into the configured filter, and the checks of
 * directory_open() on the service password file. The searches and binds
 * run against a real slapd in tests/integration/test_directory.py.
 */

#include <sys/stat.h>

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

#include "directory.h"

#define FILTER		"(&(objectClass=inetOrgPerson)(uid=%u))"

static void	assert_filter(const char *, const char *, const char *);
static void	write_file(const char *, const char *, mode_t);
static void	ldap_config(struct config *, const char *);
static void	password_dir(char *, char *, size_t);

/* directory_filter(template, value) must give want. */
static void
assert_filter(const char *template, const char *value, const char *want)
{
	char	out[256];

	assert_int_equal(directory_filter(template, value, out, sizeof(out)),
	    0);
	assert_string_equal(out, want);
}

static void
test_filter_plain_id_unchanged(void **state)
{
	assert_filter(FILTER, "alice.smith@example.org",
	    "(&(objectClass=inetOrgPerson)(uid=alice.smith@example.org))");
}

/* RFC 4515 §3: '*', '(', ')', '\' and NUL never reach the filter as such. */
static void
test_filter_escapes_rfc4515_specials(void **state)
{
	assert_filter("(uid=%u)", "*", "(uid=\\2a)");
	assert_filter("(uid=%u)", "alice)(uid=*",
	    "(uid=alice\\29\\28uid=\\2a)");
	assert_filter("(uid=%u)", "a\\2a", "(uid=a\\5c2a)");
}

static void
test_filter_escapes_control_and_non_ascii_bytes(void **state)
{
	assert_filter("(cn=%u)", "a\tb\xc3\xa9", "(cn=a\\09b\\c3\\a9)");
}

static void
test_filter_refuses_what_does_not_fit(void **state)
{
	char	out[16];

	/* "(uid=" + 3 x "\2a" + ")" is 15 bytes and its NUL: it fits. */
	assert_int_equal(directory_filter("(uid=%u)", "***", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "(uid=\\2a\\2a\\2a)");
	/* One more escaped byte does not, and nothing half-escaped is used. */
	assert_int_equal(directory_filter("(uid=%u)", "****", out,
	    sizeof(out)), -1);
	assert_int_equal(directory_filter("(uid=%u)", "abcdefghij", out,
	    sizeof(out)), -1);
	assert_int_equal(directory_filter("(uid=x)", "a", out, sizeof(out)),
	    -1);
}

/* The search filter names the text in several places: each is escaped. */
static void
test_filter_replaces_every_placeholder(void **state)
{
	assert_filter("(|(uid=*%u*)(cn=*%u*))", "a*b",
	    "(|(uid=*a\\2ab*)(cn=*a\\2ab*))");
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
ldap_config(struct config *cfg, const char *pwfile)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->ldap_urls, "ldap://127.0.0.1:1/");
	strcpy(cfg->ldap_bind_dn, "cn=svc,dc=example,dc=org");
	snprintf(cfg->ldap_bind_password_file,
	    sizeof(cfg->ldap_bind_password_file), "%s", pwfile);
	cfg->ldap_network_timeout = 1;
	cfg->ldap_timeout = 1;
}

/* A temporary directory dir holding the password file path. */
static void
password_dir(char *dir, char *path, size_t pathlen)
{
	assert_non_null(mkdtemp(dir));
	snprintf(path, pathlen, "%s/pw", dir);
}

static void
test_open_without_url_is_no_directory(void **state)
{
	struct config		 cfg;
	struct directory	*d;
	char			 err[256];

	memset(&cfg, 0, sizeof(cfg));
	d = (struct directory *)&cfg;
	assert_int_equal(directory_open(&d, &cfg, err, sizeof(err)), 0);
	assert_null(d);
	directory_close(NULL);
}

/* OpenSMTPD check_file_secrecy(): the service password is the owner's. */
static void
test_open_refuses_readable_password_file(void **state)
{
	struct config		 cfg;
	struct directory	*d;
	char			 dir[] = "/tmp/mutua-dir-XXXXXX";
	char			 path[PATH_MAX], err[PATH_MAX + 128];

	password_dir(dir, path, sizeof(path));
	ldap_config(&cfg, path);

	write_file(path, "secret\n", 0640);
	assert_int_equal(directory_open(&d, &cfg, err, sizeof(err)), -1);
	assert_null(d);
	assert_non_null(strstr(err, "must not be accessible by group"));

	write_file(path, "\n", 0600);
	assert_int_equal(directory_open(&d, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));

	write_file(path, "secret\n", 0600);
	assert_int_equal(directory_open(&d, &cfg, err, sizeof(err)), 0);
	assert_non_null(d);
	directory_close(d);

	unlink(path);
	rmdir(dir);
}

/* Port 1 on the loopback refuses at once: down, not a wrong password. */
static void
test_check_unreachable_is_down(void **state)
{
	struct config		 cfg;
	struct directory	*d;
	char			 dir[] = "/tmp/mutua-dir-XXXXXX";
	char			 path[PATH_MAX], err[PATH_MAX + 128];

	password_dir(dir, path, sizeof(path));
	write_file(path, "secret\n", 0600);
	ldap_config(&cfg, path);
	assert_int_equal(directory_open(&d, &cfg, err, sizeof(err)), 0);
	assert_int_equal(directory_check(d, err, sizeof(err)), DIRECTORY_DOWN);
	assert_non_null(strstr(err, "no directory answers at "
	    "ldap://127.0.0.1:1/"));
	directory_close(d);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_plain_id_unchanged),
		cmocka_unit_test(test_filter_escapes_rfc4515_specials),
		cmocka_unit_test(
		    test_filter_escapes_control_and_non_ascii_bytes),
		cmocka_unit_test(test_filter_refuses_what_does_not_fit),
		cmocka_unit_test(test_filter_replaces_every_placeholder),
		cmocka_unit_test(test_open_without_url_is_no_directory),
		cmocka_unit_test(test_open_refuses_readable_password_file),
		cmocka_unit_test(test_check_unreachable_is_down),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
