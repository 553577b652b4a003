/*
 * Unit tests for src/config.c: a full configuration parses with the
 * right values, a minimal one gets the defaults, and every bad file is
 * refused with the exact "file:line: message" an operator would need.
 * The fixtures live in tests/unit/conf/, next to this file.
 */

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "fixture.h"

static void	assert_load_ok(const char *, struct config *);
static void	assert_load_error(const char *, int, const char *);
static void	assert_load_error_at(const char *, int, const char *);
static void	add_proxy(struct config *, int, const char *, unsigned int);
static int	proxy_v4(const struct config *, const char *);
static int	proxy_v6(const struct config *, const char *);
static int	proxy_at_page_end(const struct config *, int, const char *);

static void
assert_load_ok(const char *name, struct config *cfg)
{
	char	path[PATH_MAX], err[CONFIG_ERR_MAX];

	assert_int_equal(fixture_conf_path(path, sizeof(path), name), 0);
	err[0] = '\0';
	if (config_load(path, cfg, err, sizeof(err)) != 0)
		fail_msg("%s: unexpected error: %s", name, err);
}

/*
 * Loads the fixture name and expects exactly "path:line: message", or
 * "path: message" when line is 0 (errors not tied to one line).
 */
static void
assert_load_error(const char *name, int line, const char *message)
{
	struct config	cfg;
	char		path[PATH_MAX], err[CONFIG_ERR_MAX];
	char		want[CONFIG_ERR_MAX];

	assert_int_equal(fixture_conf_path(path, sizeof(path), name), 0);
	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: %s", path, line, message);
	else
		snprintf(want, sizeof(want), "%s: %s", path, message);
	err[0] = '\0';
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

/*
 * As assert_load_error(), for errors whose wording is not pinned down:
 * the message must start with "path:line: " and mention the given text.
 */
static void
assert_load_error_at(const char *name, int line, const char *text)
{
	struct config	cfg;
	char		path[PATH_MAX], err[CONFIG_ERR_MAX];
	char		want[CONFIG_ERR_MAX];

	assert_int_equal(fixture_conf_path(path, sizeof(path), name), 0);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	err[0] = '\0';
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	if (strncmp(err, want, strlen(want)) != 0 ||
	    strstr(err, text) == NULL)
		fail_msg("got \"%s\", want \"%s...%s...\"", err, want, text);
}

static void
test_config_full_file_parses_every_value(void **state)
{
	struct config	cfg;
	unsigned char	a[16];

	assert_load_ok("good.conf", &cfg);
	assert_non_null(strstr(cfg.path, "good.conf"));
	assert_string_equal(cfg.entity_id,
	    "https://idp.example.org/saml/metadata");
	assert_string_equal(cfg.base_url, "https://idp.example.org");
	assert_int_equal(cfg.https, 1);
	/* Leading blanks and the trailing comment are not part of it. */
	assert_string_equal(cfg.data_dir, "/var/db/mutua");
	assert_true(cfg.map_size == (size_t)64 * 1024 * 1024);
	assert_string_equal(cfg.master_key, "/etc/mutua/master.key");
	assert_string_equal(cfg.signing_key, "/etc/mutua/saml.key");
	assert_string_equal(cfg.signing_cert, "/etc/mutua/saml.crt");
	assert_string_equal(cfg.oidc_rsa_key, "/etc/mutua/rs256.key");
	assert_string_equal(cfg.oidc_ec_key, "/etc/mutua/es256.key");
	assert_string_equal(cfg.sp_dir, "/etc/mutua/sp");
	assert_string_equal(cfg.clients_dir, "/etc/mutua/clients");
	assert_string_equal(cfg.hosts_dir, "/etc/mutua/hosts");
	assert_int_equal(cfg.password_renewal, 1);
	assert_int_equal(cfg.oob_code_lifetime, 30);
	assert_int_equal(cfg.registration_lifetime, 86400);
	assert_int_equal(cfg.session_lifetime, 3600);
	assert_int_equal(cfg.clock_skew, 0);
	assert_string_equal(cfg.loa2_uri, "https://refeds.org/profile/mfa");
	assert_string_equal(cfg.loa3_uri, "urn:example:loa:3");
	assert_int_equal(cfg.comparison, CONFIG_COMPARE_COMPARE);
	assert_int_equal(cfg.require_par, 1);

	assert_int_equal(cfg.nproxies, 3);
	assert_int_equal(cfg.proxies[0].family, AF_INET);
	assert_int_equal(cfg.proxies[0].prefix, 32);
	assert_int_equal(inet_pton(AF_INET, "10.1.2.3", a), 1);
	assert_memory_equal(cfg.proxies[0].addr, a, 4);
	assert_int_equal(cfg.proxies[1].family, AF_INET);
	assert_int_equal(cfg.proxies[1].prefix, 16);
	assert_int_equal(cfg.proxies[2].family, AF_INET6);
	assert_int_equal(cfg.proxies[2].prefix, 32);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", a), 1);
	assert_memory_equal(cfg.proxies[2].addr, a, 16);
}

static void
test_config_minimal_file_gets_defaults(void **state)
{
	struct config	cfg;

	assert_load_ok("minimal.conf", &cfg);
	assert_string_equal(cfg.base_url, "http://127.0.0.1:8080");
	assert_int_equal(cfg.https, 0);
	assert_true(cfg.map_size == (size_t)256 * 1024 * 1024);
	assert_int_equal(cfg.oob_code_lifetime, 120);
	assert_int_equal(cfg.registration_lifetime, 600);
	assert_int_equal(cfg.session_lifetime, 8 * 3600);
	assert_int_equal(cfg.clock_skew, 120);
	assert_int_equal(cfg.comparison, CONFIG_COMPARE_ENTER);
	assert_int_equal(cfg.require_par, 0);
	assert_string_equal(cfg.sp_dir, "federation/sp");
	assert_string_equal(cfg.clients_dir, "federation/clients");
	assert_string_equal(cfg.hosts_dir, "federation/hosts");
	assert_int_equal(cfg.password_renewal, 0);
	assert_string_equal(cfg.loa2_uri,
	    "urn:oasis:names:tc:SAML:2.0:ac:classes:"
	    "MobileTwoFactorUnregistered");
	assert_string_equal(cfg.loa3_uri,
	    "urn:oasis:names:tc:SAML:2.0:ac:classes:"
	    "MobileTwoFactorContract");
	assert_int_equal(cfg.nproxies, 0);
}

static void
test_config_project_file_parses(void **state)
{
	struct config	cfg;
	char		path[PATH_MAX], err[CONFIG_ERR_MAX];

	/* The development configuration shipped in federation/. */
	assert_int_equal(fixture_conf_path(path, sizeof(path),
	    "../../../federation/idp.conf"), 0);
	if (access(path, R_OK) == -1)
		skip();
	if (config_load(path, &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void
test_config_rejects_unknown_key(void **state)
{
	assert_load_error("unknown-key.conf", 4,
	    "unknown key \"data_directory\"");
}

static void
test_config_rejects_repeated_key(void **state)
{
	assert_load_error("repeated-key.conf", 6, "\"data_dir\" given twice");
}

static void
test_config_rejects_key_without_value(void **state)
{
	/* The comment after the key does not count as its value. */
	assert_load_error("missing-value.conf", 4,
	    "\"clock_skew\" needs a value");
}

static void
test_config_rejects_missing_required_key(void **state)
{
	assert_load_error("missing-required.conf", 0,
	    "missing required key \"master_key\"");
}

static void
test_config_rejects_oob_code_lifetime_out_of_range(void **state)
{
	assert_load_error("oob-lifetime-low.conf", 9,
	    "oob_code_lifetime: expected a number of seconds within range");
	assert_load_error("oob-lifetime-high.conf", 9,
	    "oob_code_lifetime: expected a number of seconds within range");
}

static void
test_config_rejects_bad_numbers(void **state)
{
	assert_load_error("lifetime-not-number.conf", 2,
	    "session_lifetime: expected a number of seconds within range");
	assert_load_error("lifetime-negative.conf", 2,
	    "clock_skew: expected a number of seconds within range");
}

static void
test_config_rejects_map_size_out_of_range(void **state)
{
	assert_load_error("map-size-zero.conf", 5,
	    "map_size_mb: expected a size in MiB from 1 to 1048576");
	assert_load_error("map-size-too-big.conf", 5,
	    "map_size_mb: expected a size in MiB from 1 to 1048576");
}

static void
test_config_rejects_bad_urls(void **state)
{
	assert_load_error("bad-url.conf", 1,
	    "entity_id: expected an http(s):// URL or a urn:");
	assert_load_error("url-bad-char.conf", 2,
	    "base_url: URL holds a character that must be escaped");
}

static void
test_config_rejects_string_with_space(void **state)
{
	assert_load_error("string-with-space.conf", 9,
	    "sp_dir: value must not contain spaces");
}

static void
test_config_accepts_http_only_on_loopback(void **state)
{
	struct config	cfg;

	assert_load_ok("minimal.conf", &cfg);
	assert_int_equal(cfg.https, 0);
	assert_load_ok("http-localhost.conf", &cfg);
	assert_string_equal(cfg.base_url, "http://localhost:8443");
	assert_int_equal(cfg.https, 0);
	assert_load_ok("http-ipv6-loopback.conf", &cfg);
	assert_string_equal(cfg.base_url, "http://[::1]:8443");
	assert_load_ok("https-with-path.conf", &cfg);
	assert_string_equal(cfg.base_url,
	    "https://idp.example.org:8443/mutua");
	assert_int_equal(cfg.https, 1);
}

/*
 * config.h: bad values are reported as "file:line: message"; a bad
 * base_url is a bad value on the base_url line, like any other.
 */
static void
test_config_rejects_http_base_url_off_loopback_at_its_line(void **state)
{
	assert_load_error_at("http-not-loopback.conf", 2, "https://");
	/* 127.0.0.1.example.org is not the loopback address. */
	assert_load_error_at("http-loopback-lookalike.conf", 2, "https://");
}

static void
test_config_rejects_base_url_trailing_slash_at_its_line(void **state)
{
	assert_load_error_at("base-url-trailing-slash.conf", 2, "'/'");
}

static void
test_config_rejects_yes_no_other_than_yes_or_no(void **state)
{
	assert_load_error("bad-yes-no.conf", 7,
	    "require_pushed_authorization_requests: expected yes or no");
}

static void
test_config_rejects_bad_comparison_mode(void **state)
{
	assert_load_error("bad-comparison.conf", 7,
	    "comparison: expected enter, select or compare");
}

static void
test_config_rejects_bad_password_renewal(void **state)
{
	assert_load_error("bad-renewal.conf", 7,
	    "password_renewal: expected yes or no");
}

static void
test_config_rejects_bad_trusted_proxy(void **state)
{
	assert_load_error("proxy-bad-address.conf", 3, "trusted_proxy: "
	    "expected an IPv4 or IPv6 address, optionally /prefix");
	/* Line 3 holds a good /32 (or /128); line 4 the bad prefix. */
	assert_load_error("proxy-prefix-v4.conf", 4,
	    "trusted_proxy: bad prefix length");
	assert_load_error("proxy-prefix-v6.conf", 4,
	    "trusted_proxy: bad prefix length");
	assert_load_error("proxy-prefix-empty.conf", 3,
	    "trusted_proxy: bad prefix length");
}

static void
test_config_metadata_aggregates_parse(void **state)
{
	struct config	cfg;

	assert_load_ok("aggregate.conf", &cfg);
	assert_int_equal(cfg.nmd_sources, 4);
	assert_true(cfg.md_sources[3].mdq && cfg.md_sources[3].sha1);
	assert_int_equal(cfg.md_sources[3].ttl, 120);
	assert_int_equal(cfg.md_sources[3].negative_ttl, 30);
	assert_int_equal(cfg.md_sources[3].max_entries, 500);
	assert_int_equal(cfg.md_sources[3].timeout, 5);
	assert_int_equal(cfg.md_sources[3].max_mb, 1);
	assert_false(cfg.md_sources[2].mdq);
	assert_string_equal(cfg.md_sources[0].name, "uk");
	assert_string_equal(cfg.md_sources[0].file, "var/uk.xml");
	assert_string_equal(cfg.md_sources[0].cert, "federation/uk.crt");
	assert_string_equal(cfg.md_sources[0].policy,
	    "federation/uk-policy.conf");
	assert_string_equal(cfg.md_sources[0].category,
	    "http://refeds.org/category/research-and-scholarship");
	assert_string_equal(cfg.md_sources[0].registrar,
	    "http://ukfederation.org.uk");
	assert_int_equal(cfg.md_sources[0].interval, 600);
	assert_string_equal(cfg.md_sources[1].name, "edugain");
	assert_int_equal(cfg.md_sources[1].interval, 3600);
	assert_int_equal(cfg.md_sources[1].timeout, 60);
	assert_int_equal(cfg.md_sources[1].max_mb, 256);
	assert_string_equal(cfg.md_sources[2].url,
	    "https://mds.example.org/metadata.xml");
	assert_int_equal(cfg.md_sources[2].timeout, 30);
	assert_int_equal(cfg.md_sources[2].max_mb, 100);
	assert_string_equal(cfg.md_sources[1].policy, "");
	assert_int_equal(cfg.md_cache, 1024);
	assert_load_ok("minimal.conf", &cfg);
	assert_int_equal(cfg.nmd_sources, 0);
	assert_int_equal(cfg.md_cache, 256);
}

static void
test_config_rejects_bad_metadata_aggregates(void **state)
{
	assert_load_error("aggregate-bad-name.conf", 9, "metadata_aggregate: "
	    "the source name: 1 to 31 of A-Z a-z 0-9 _ -");
	assert_load_error("aggregate-no-cert.conf", 9,
	    "metadata_aggregate: cert= and one of file= or url= are required");
	assert_load_error_at("aggregate-bad-key.conf", 9, "unknown key");
	assert_load_error("aggregate-bad-interval.conf", 9,
	    "metadata_aggregate: interval: 10 to 86400 seconds");
	assert_load_error("aggregate-both.conf", 9, "metadata_aggregate: "
	    "cert= and one of file= or url= are required");
	assert_load_error("aggregate-bad-url.conf", 9,
	    "metadata_aggregate: url: http:// or https://");
	assert_load_error("mdq-file.conf", 9, "metadata_mdq: url= (the "
	    "responder's base URL) and cert= are required, file= is not "
	    "allowed");
	assert_load_error("aggregate-dup.conf", 10, "metadata_aggregate: "
	    "a source of that name is already defined");
}

static void
test_config_rejects_too_many_proxies(void **state)
{
	/* Lines 9 to 24 hold CONFIG_PROXIES_MAX proxies; 25 is one more. */
	assert_load_error("too-many-proxies.conf", 25,
	    "trusted_proxy: too many trusted proxies");
}

static void
test_config_rejects_line_too_long(void **state)
{
	struct config	cfg;
	char		dir[FIXTURE_DIR_MAX];
	char		path[PATH_MAX], err[CONFIG_ERR_MAX];
	char		want[CONFIG_ERR_MAX];
	FILE		*fp;
	int		 i;

	assert_int_equal(fixture_dir_make(dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/long.conf", dir);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "# fine\nentity_id https://idp.example.org/");
	for (i = 0; i < 3000; i++)
		fputc('a', fp);
	fprintf(fp, "\nbase_url https://idp.example.org\n");
	assert_int_equal(fclose(fp), 0);

	snprintf(want, sizeof(want), "%s:2: line too long", path);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, want);

	/* Also when the long line is the last, without a newline. */
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "# fine\n#");
	for (i = 0; i < 3000; i++)
		fputc('a', fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, want);

	assert_int_equal(fixture_dir_remove(dir), 0);
}

static void
test_config_missing_file_names_file_and_reason(void **state)
{
	struct config	cfg;
	char		path[PATH_MAX], err[CONFIG_ERR_MAX];
	char		want[CONFIG_ERR_MAX];

	assert_int_equal(fixture_conf_path(path, sizeof(path),
	    "no-such-file.conf"), 0);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void
test_config_error_fits_small_buffer(void **state)
{
	struct config	cfg;
	char		path[PATH_MAX], err[16];

	assert_int_equal(fixture_conf_path(path, sizeof(path),
	    "unknown-key.conf"), 0);
	memset(err, 'x', sizeof(err));
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

static void
add_proxy(struct config *cfg, int family, const char *addr,
    unsigned int prefix)
{
	struct config_proxy	*p;

	assert_true(cfg->nproxies < CONFIG_PROXIES_MAX);
	p = &cfg->proxies[cfg->nproxies++];
	memset(p, 0, sizeof(*p));
	p->family = family;
	p->prefix = prefix;
	assert_int_equal(inet_pton(family, addr, p->addr), 1);
}

/*
 * The address sits in a larger zeroed buffer, so these tests check the
 * matching alone; test_trusted_proxy_full_prefix_reads_only_the_address
 * checks that no byte past the address is read.
 */
static int
proxy_v4(const struct config *cfg, const char *addr)
{
	unsigned char	buf[16];

	memset(buf, 0, sizeof(buf));
	assert_int_equal(inet_pton(AF_INET, addr, buf), 1);
	return (config_is_trusted_proxy(cfg, AF_INET, buf));
}

static int
proxy_v6(const struct config *cfg, const char *addr)
{
	unsigned char	buf[32];

	memset(buf, 0, sizeof(buf));
	assert_int_equal(inet_pton(AF_INET6, addr, buf), 1);
	return (config_is_trusted_proxy(cfg, AF_INET6, buf));
}

static void
test_trusted_proxy_ipv4_host(void **state)
{
	struct config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	add_proxy(&cfg, AF_INET, "10.1.2.3", 32);
	assert_int_equal(proxy_v4(&cfg, "10.1.2.3"), 1);
	assert_int_equal(proxy_v4(&cfg, "10.1.2.4"), 0);
	assert_int_equal(proxy_v4(&cfg, "11.1.2.3"), 0);
}

static void
test_trusted_proxy_ipv4_prefix_24(void **state)
{
	struct config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	add_proxy(&cfg, AF_INET, "192.168.7.0", 24);
	assert_int_equal(proxy_v4(&cfg, "192.168.7.0"), 1);
	assert_int_equal(proxy_v4(&cfg, "192.168.7.255"), 1);
	assert_int_equal(proxy_v4(&cfg, "192.168.6.255"), 0);
	assert_int_equal(proxy_v4(&cfg, "192.168.8.1"), 0);
}

static void
test_trusted_proxy_odd_prefix_masks_within_byte(void **state)
{
	struct config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	add_proxy(&cfg, AF_INET, "10.0.0.64", 27);
	assert_int_equal(proxy_v4(&cfg, "10.0.0.64"), 1);
	assert_int_equal(proxy_v4(&cfg, "10.0.0.95"), 1);
	assert_int_equal(proxy_v4(&cfg, "10.0.0.63"), 0);
	assert_int_equal(proxy_v4(&cfg, "10.0.0.96"), 0);
}

static void
test_trusted_proxy_ipv4_prefix_0_matches_all_ipv4(void **state)
{
	struct config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	add_proxy(&cfg, AF_INET, "0.0.0.0", 0);
	assert_int_equal(proxy_v4(&cfg, "1.2.3.4"), 1);
	assert_int_equal(proxy_v4(&cfg, "255.255.255.255"), 1);
	assert_int_equal(proxy_v6(&cfg, "::1"), 0);
}

static void
test_trusted_proxy_ipv6_prefix_64(void **state)
{
	struct config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	add_proxy(&cfg, AF_INET6, "2001:db8:1:2::", 64);
	assert_int_equal(proxy_v6(&cfg, "2001:db8:1:2::1"), 1);
	assert_int_equal(proxy_v6(&cfg,
	    "2001:db8:1:2:ffff:ffff:ffff:ffff"), 1);
	assert_int_equal(proxy_v6(&cfg, "2001:db8:1:3::1"), 0);
	assert_int_equal(proxy_v6(&cfg, "2001:db9:1:2::1"), 0);
}

static void
test_trusted_proxy_family_mismatch_never_matches(void **state)
{
	struct config	cfg;
	unsigned char	addr[16];

	/* ::ffff:10.1.2.3 and 10.1.2.3 are told apart by family. */
	memset(&cfg, 0, sizeof(cfg));
	add_proxy(&cfg, AF_INET, "10.1.2.3", 32);
	add_proxy(&cfg, AF_INET6, "::ffff:10.1.2.4", 128);
	assert_int_equal(proxy_v6(&cfg, "::ffff:10.1.2.3"), 0);
	assert_int_equal(proxy_v4(&cfg, "10.1.2.4"), 0);
	memset(addr, 0, sizeof(addr));
	memcpy(addr, "\x0a\x01\x02\x03", 4);
	assert_int_equal(config_is_trusted_proxy(&cfg, AF_INET6, addr), 0);
}

static void
test_trusted_proxy_none_configured(void **state)
{
	struct config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(proxy_v4(&cfg, "127.0.0.1"), 0);
	assert_int_equal(proxy_v6(&cfg, "::1"), 0);
}

static void
test_trusted_proxy_from_loaded_file(void **state)
{
	struct config	cfg;

	assert_load_ok("good.conf", &cfg);
	assert_int_equal(proxy_v4(&cfg, "10.1.2.3"), 1);
	assert_int_equal(proxy_v4(&cfg, "192.168.200.1"), 1);
	assert_int_equal(proxy_v4(&cfg, "10.1.2.2"), 0);
	assert_int_equal(proxy_v6(&cfg, "2001:db8:ffff::1"), 1);
	assert_int_equal(proxy_v6(&cfg, "2001:db9::1"), 0);
}

/*
 * Looks addr up with its last byte at the end of a page followed by an
 * inaccessible page, in a child process: a read past the address
 * (4 bytes for IPv4, 16 for IPv6) kills the child instead of passing
 * silently. @return the lookup result, or -1 when the child died or a
 * sanitizer stopped it.
 */
static int
proxy_at_page_end(const struct config *cfg, int family, const char *text)
{
	unsigned char	*page;
	size_t		 psz, alen;
	pid_t		 pid;
	int		 status;

	alen = family == AF_INET ? 4 : 16;
	psz = (size_t)sysconf(_SC_PAGESIZE);
	page = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(page != MAP_FAILED);
	assert_int_equal(mprotect(page + psz, psz, PROT_NONE), 0);
	assert_int_equal(inet_pton(family, text, page + psz - alen), 1);

	fflush(NULL);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		/* Die of the fault rather than return to cmocka's handler. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		_exit(10 + config_is_trusted_proxy(cfg, family,
		    page + psz - alen));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(munmap(page, 2 * psz), 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) < 10 ||
	    WEXITSTATUS(status) > 11)
		return (-1);
	return (WEXITSTATUS(status) - 10);
}

/* A full-length prefix must not read a byte past the address. */
static void
test_trusted_proxy_full_prefix_reads_only_the_address(void **state)
{
	struct config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	add_proxy(&cfg, AF_INET, "10.1.2.3", 32);
	add_proxy(&cfg, AF_INET6, "2001:db8::7", 128);
	assert_int_equal(proxy_at_page_end(&cfg, AF_INET, "10.1.2.3"), 1);
	assert_int_equal(proxy_at_page_end(&cfg, AF_INET6, "2001:db8::7"),
	    1);
}

static void
test_config_ldap_active_directory_example_parses(void **state)
{
	struct config	cfg;

	assert_load_ok("ldap-ad.conf", &cfg);
	/* Each ldap_url is one more URL for libldap to fail over to. */
	assert_string_equal(cfg.ldap_urls,
	    "ldap://dc1.example.org ldaps://dc2.example.org:636");
	assert_string_equal(cfg.ldap_bind_dn,
	    "CN=mutua svc,OU=Service Accounts,DC=example,DC=org");
	assert_string_equal(cfg.ldap_user_filter,
	    "(&(objectClass=user)(sAMAccountName=%u))");
	assert_string_equal(cfg.ldap_disabled_filter,
	    "(userAccountControl:1.2.840.113556.1.4.803:=2)");
	assert_string_equal(cfg.ldap_id_attribute, "objectGUID");
	assert_string_equal(cfg.ldap_mail_attribute, "userPrincipalName");
	assert_int_equal(cfg.ldap_starttls, 0);
	assert_int_equal(cfg.ldap_network_timeout, 2);
	assert_int_equal(cfg.ldap_timeout, 4);
	assert_string_equal(cfg.ldap_attributes[ATTRIBUTE_IS_MEMBER_OF],
	    "memberOf");
	assert_string_equal(cfg.ldap_attributes[ATTRIBUTE_GIVEN_NAME],
	    "givenName");
	assert_string_equal(cfg.ldap_attributes[ATTRIBUTE_SN], "");
}

static void
test_config_ldap_off_by_default(void **state)
{
	struct config	cfg;

	assert_load_ok("minimal.conf", &cfg);
	assert_string_equal(cfg.ldap_urls, "");
	assert_string_equal(cfg.ldap_id_attribute, "entryUUID");
	assert_int_equal(cfg.ldap_network_timeout, 3);
	assert_int_equal(cfg.ldap_timeout, 5);
}

static void
test_config_ldap_rejects_inconsistent_keys(void **state)
{
	assert_load_error("ldap-no-base.conf", 0, "\"ldap_url\" needs "
	    "\"ldap_base\" and \"ldap_user_filter\"");
	assert_load_error("ldap-without-url.conf", 0,
	    "ldap_* keys given without \"ldap_url\"");
	assert_load_error("ldap-starttls-no-ca.conf", 0,
	    "StartTLS and ldaps:// need \"ldap_ca_file\"");
	assert_load_error("ldap-dn-without-password.conf", 0,
	    "\"ldap_bind_dn\" and \"ldap_bind_password_file\" go together");
}

static void
test_config_ldap_rejects_bad_filters_and_urls(void **state)
{
	assert_load_error("ldap-filter-no-u.conf", 11, "ldap_user_filter: "
	    "must hold %u (the user ID) exactly once and no other '%'");
	assert_load_error("ldap-filter-two-u.conf", 11, "ldap_user_filter: "
	    "must hold %u (the user ID) exactly once and no other '%'");
	assert_load_error("ldap-filter-unbalanced.conf", 11,
	    "ldap_user_filter: unbalanced parentheses");
	assert_load_error("ldap-bad-url.conf", 9,
	    "ldap_url: expected an ldap:// or ldaps:// URL");
	assert_load_error_at("ldap-attribute-unknown.conf", 12,
	    "unknown attribute");
	assert_load_error("ldap-attribute-twice.conf", 13,
	    "ldap_attribute: attribute mapped twice");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_config_full_file_parses_every_value),
		cmocka_unit_test(test_config_minimal_file_gets_defaults),
		cmocka_unit_test(test_config_project_file_parses),
		cmocka_unit_test(test_config_rejects_unknown_key),
		cmocka_unit_test(test_config_rejects_repeated_key),
		cmocka_unit_test(test_config_rejects_key_without_value),
		cmocka_unit_test(test_config_rejects_missing_required_key),
		cmocka_unit_test(
		    test_config_rejects_oob_code_lifetime_out_of_range),
		cmocka_unit_test(test_config_rejects_bad_numbers),
		cmocka_unit_test(test_config_rejects_map_size_out_of_range),
		cmocka_unit_test(test_config_rejects_bad_urls),
		cmocka_unit_test(test_config_rejects_string_with_space),
		cmocka_unit_test(test_config_accepts_http_only_on_loopback),
		cmocka_unit_test(
		    test_config_rejects_http_base_url_off_loopback_at_its_line),
		cmocka_unit_test(
		    test_config_rejects_base_url_trailing_slash_at_its_line),
		cmocka_unit_test(test_config_rejects_bad_comparison_mode),
		cmocka_unit_test(
		    test_config_rejects_yes_no_other_than_yes_or_no),
		cmocka_unit_test(test_config_rejects_bad_password_renewal),
		cmocka_unit_test(test_config_rejects_bad_trusted_proxy),
		cmocka_unit_test(
		    test_config_ldap_active_directory_example_parses),
		cmocka_unit_test(test_config_ldap_off_by_default),
		cmocka_unit_test(test_config_ldap_rejects_inconsistent_keys),
		cmocka_unit_test(
		    test_config_ldap_rejects_bad_filters_and_urls),
		cmocka_unit_test(test_config_rejects_too_many_proxies),
		cmocka_unit_test(test_config_metadata_aggregates_parse),
		cmocka_unit_test(test_config_rejects_bad_metadata_aggregates),
		cmocka_unit_test(test_config_rejects_line_too_long),
		cmocka_unit_test(
		    test_config_missing_file_names_file_and_reason),
		cmocka_unit_test(test_config_error_fits_small_buffer),
		cmocka_unit_test(test_trusted_proxy_ipv4_host),
		cmocka_unit_test(test_trusted_proxy_ipv4_prefix_24),
		cmocka_unit_test(
		    test_trusted_proxy_odd_prefix_masks_within_byte),
		cmocka_unit_test(
		    test_trusted_proxy_ipv4_prefix_0_matches_all_ipv4),
		cmocka_unit_test(test_trusted_proxy_ipv6_prefix_64),
		cmocka_unit_test(
		    test_trusted_proxy_family_mismatch_never_matches),
		cmocka_unit_test(test_trusted_proxy_none_configured),
		cmocka_unit_test(test_trusted_proxy_from_loaded_file),
		cmocka_unit_test(
		    test_trusted_proxy_full_prefix_reads_only_the_address),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
