/*
 * Strict parser for federation/idp.conf.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "vetting.h"

#define CONFIG_LINE_MAX		2048

struct config_directive {
	const char	*name;
	int		(*parse)(struct config *,
			    const struct config_directive *, char *,
			    const char **);
	size_t		 offset;
	size_t		 size;		/* string capacity, or numeric minimum */
	size_t		 max;		/* numeric maximum */
	int		 required;
	int		 repeatable;
};

static int	config_string(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_url(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_base_url(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_seconds(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_map_size(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_comparison(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_proxy(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_yes_no(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_actions(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_ldap_url(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_ldap_text(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_ldap_filter(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_ldap_attr(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_ldap_attribute(struct config *,
		    const struct config_directive *, char *, const char **);
static const char	*config_ldap_check(const struct config *);
static int	config_uint(struct config *, const struct config_directive *,
		    char *, const char *, const char **);
static int	config_count(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_aggregate(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_mdq(struct config *,
		    const struct config_directive *, char *, const char **);
static int	config_md_source(struct config *, char *, int, const char **);
static int	config_md_field(struct config_md_source *, char *,
		    const char **);
static int	config_number(const char *, size_t, size_t, size_t *);
static void	config_defaults(struct config *);
static void	config_error(char *, size_t, const char *, int, const char *,
		    ...);

#define STR(f)		offsetof(struct config, f), sizeof(((struct config *)0)->f)
#define NUM(f, lo, hi)	offsetof(struct config, f), lo, hi

static const struct config_directive config_directives[] = {
	{ "entity_id",		 config_url,	 STR(entity_id), 0, 1, 0 },
	{ "base_url",		 config_base_url, STR(base_url), 0, 1, 0 },
	{ "data_dir",		 config_string,	 STR(data_dir), 0, 1, 0 },
	{ "map_size_mb",	 config_map_size, NUM(map_size, 1, 1048576), 0, 0 },
	{ "master_key",		 config_string,	 STR(master_key), 0, 1, 0 },
	{ "signing_key",	 config_string,	 STR(signing_key), 0, 1, 0 },
	{ "signing_cert",	 config_string,	 STR(signing_cert), 0, 1, 0 },
	{ "oidc_rsa_key",	 config_string,	 STR(oidc_rsa_key), 0, 1, 0 },
	{ "oidc_ec_key",	 config_string,	 STR(oidc_ec_key), 0, 1, 0 },
	{ "sp_dir",		 config_string,	 STR(sp_dir), 0, 0, 0 },
	{ "clients_dir",	 config_string,	 STR(clients_dir), 0, 0, 0 },
	{ "hosts_dir",		 config_string,	 STR(hosts_dir), 0, 0, 0 },
	{ "oob_code_lifetime",	 config_seconds, NUM(oob_code_lifetime, 30, 600), 0, 0 },
	{ "registration_lifetime", config_seconds, NUM(registration_lifetime, 60, 86400), 0, 0 },
	{ "session_lifetime",	 config_seconds, NUM(session_lifetime, 60, 604800), 0, 0 },
	{ "clock_skew",		 config_seconds, NUM(clock_skew, 0, 600), 0, 0 },
	{ "loa2_uri",		 config_url,	 STR(loa2_uri), 0, 0, 0 },
	{ "loa3_uri",		 config_url,	 STR(loa3_uri), 0, 0, 0 },
	{ "comparison",		 config_comparison, 0, 0, 0, 0, 0 },
	{ "trusted_proxy",	 config_proxy,	 0, 0, 0, 0, 1 },
	{ "vetting_code_lifetime", config_seconds, NUM(vetting_code_lifetime, 5, 7776000), 0, 0 },
	{ "eligibility_max_age", config_seconds, NUM(eligibility_max_age, 60, 31536000), 0, 0 },
	{ "vetting_loa2_actions", config_actions, NUM(vetting_loa2_actions, 0, 0), 0, 0 },
	{ "vetting_loa3_actions", config_actions, NUM(vetting_loa3_actions, 0, 0), 0, 0 },
	{ "outbox_dir",		 config_string,	 STR(outbox_dir), 0, 0, 0 },
	{ "metadata_aggregate",	 config_aggregate, 0, 0, 0, 0, 1 },
	{ "metadata_mdq",	 config_mdq,	 0, 0, 0, 0, 1 },
	{ "metadata_cache",	 config_count,	 NUM(md_cache, 16, 65536), 0, 0 },
	{ "require_pushed_authorization_requests", config_yes_no,
	    offsetof(struct config, require_par), 0, 0, 0, 0 },
	{ "password_renewal",	 config_yes_no,
	    offsetof(struct config, password_renewal), 0, 0, 0, 0 },
	{ "ldap_url",		 config_ldap_url, STR(ldap_urls), 0, 0, 1 },
	{ "ldap_starttls",	 config_yes_no,	 NUM(ldap_starttls, 0, 1), 0, 0 },
	{ "ldap_ca_file",	 config_string,	 STR(ldap_ca_file), 0, 0, 0 },
	{ "ldap_bind_dn",	 config_ldap_text, STR(ldap_bind_dn), 0, 0, 0 },
	{ "ldap_bind_password_file", config_string, STR(ldap_bind_password_file), 0, 0, 0 },
	{ "ldap_base",		 config_ldap_text, STR(ldap_base), 0, 0, 0 },
	{ "ldap_user_filter",	 config_ldap_filter, STR(ldap_user_filter), 0, 0, 0 },
	{ "ldap_disabled_filter", config_ldap_filter, STR(ldap_disabled_filter), 0, 0, 0 },
	{ "ldap_eligibility_filter", config_ldap_filter, STR(ldap_eligibility_filter), 0, 0, 0 },
	{ "ldap_id_attribute",	 config_ldap_attr, STR(ldap_id_attribute), 0, 0, 0 },
	{ "ldap_name_attribute", config_ldap_attr, STR(ldap_name_attribute), 0, 0, 0 },
	{ "ldap_mail_attribute", config_ldap_attr, STR(ldap_mail_attribute), 0, 0, 0 },
	{ "ldap_attribute",	 config_ldap_attribute, 0, 0, 0, 0, 1 },
	{ "ldap_network_timeout", config_seconds, NUM(ldap_network_timeout, 1, 30), 0, 0 },
	{ "ldap_timeout",	 config_seconds, NUM(ldap_timeout, 1, 60), 0, 0 },
	{ NULL, NULL, 0, 0, 0, 0, 0 }
};

#define CONFIG_NDIRECTIVES \
	(sizeof(config_directives) / sizeof(config_directives[0]) - 1)

int
config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
	FILE				*fp;
	const struct config_directive	*d;
	char				 line[CONFIG_LINE_MAX], *key, *value, *p;
	const char			*reason;
	int				 lineno, ret;
	unsigned char			 seen[CONFIG_NDIRECTIVES];

	ret = -1;
	lineno = 0;
	memset(seen, 0, sizeof(seen));
	config_defaults(cfg);

	if (strlen(path) >= sizeof(cfg->path)) {
		config_error(err, errlen, path, 0, "path too long");
		return (-1);
	}
	strcpy(cfg->path, path);

	if ((fp = fopen(path, "r")) == NULL) {
		config_error(err, errlen, path, 0, "%s", strerror(errno));
		return (-1);
	}

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			config_error(err, errlen, path, lineno, "line too long");
			goto out;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (key = line; isspace((unsigned char)*key); key++)
			;
		p = key + strlen(key);
		while (p > key && isspace((unsigned char)p[-1]))
			*--p = '\0';
		if (*key == '\0')
			continue;

		for (value = key; *value && !isspace((unsigned char)*value);
		    value++)
			;
		if (*value != '\0')
			*value++ = '\0';
		while (isspace((unsigned char)*value))
			value++;

		for (d = config_directives; d->name != NULL; d++) {
			if (strcmp(d->name, key) == 0)
				break;
		}
		if (d->name == NULL) {
			config_error(err, errlen, path, lineno,
			    "unknown key \"%s\"", key);
			goto out;
		}
		if (seen[d - config_directives] && !d->repeatable) {
			config_error(err, errlen, path, lineno,
			    "\"%s\" given twice", key);
			goto out;
		}
		if (*value == '\0') {
			config_error(err, errlen, path, lineno,
			    "\"%s\" needs a value", key);
			goto out;
		}
		reason = NULL;
		if (d->parse(cfg, d, value, &reason) == -1) {
			config_error(err, errlen, path, lineno, "%s: %s",
			    key, reason);
			goto out;
		}
		seen[d - config_directives] = 1;
	}
	if (ferror(fp)) {
		config_error(err, errlen, path, lineno, "read error");
		goto out;
	}

	for (d = config_directives; d->name != NULL; d++) {
		if (d->required && !seen[d - config_directives]) {
			config_error(err, errlen, path, 0,
			    "missing required key \"%s\"", d->name);
			goto out;
		}
	}
	if ((reason = config_ldap_check(cfg)) != NULL) {
		config_error(err, errlen, path, 0, "%s", reason);
		goto out;
	}
	ret = 0;

out:
	fclose(fp);
	return (ret);
}

int
config_is_trusted_proxy(const struct config *cfg, int family,
    const void *addr)
{
	const struct config_proxy	*p;
	const unsigned char		*a;
	unsigned int			 bits, i;
	unsigned char			 mask;

	a = addr;
	for (p = cfg->proxies; p < cfg->proxies + cfg->nproxies; p++) {
		if (p->family != family)
			continue;
		bits = p->prefix;
		for (i = 0; bits >= 8; i++, bits -= 8) {
			if (a[i] != p->addr[i])
				break;
		}
		if (bits >= 8)
			continue;
		/* A whole-byte prefix has matched: a[i] is past the end. */
		if (bits == 0)
			return (1);
		mask = (unsigned char)(0xff << (8 - bits));
		if ((a[i] & mask) == (p->addr[i] & mask))
			return (1);
	}
	return (0);
}

static void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->map_size = (size_t)256 * 1024 * 1024;
	cfg->oob_code_lifetime = 120;
	cfg->registration_lifetime = 600;
	cfg->session_lifetime = 8 * 3600;
	cfg->clock_skew = 120;
	cfg->comparison = CONFIG_COMPARE_ENTER;
	strcpy(cfg->sp_dir, "federation/sp");
	strcpy(cfg->clients_dir, "federation/clients");
	strcpy(cfg->hosts_dir, "federation/hosts");
	strcpy(cfg->loa2_uri,
	    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered");
	strcpy(cfg->loa3_uri,
	    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract");
	cfg->vetting_code_lifetime = 14 * 86400;
	cfg->eligibility_max_age = VETTING_ELIGIBILITY_MAX_AGE;
	cfg->vetting_loa2_actions = VETTING_LOA2_DEFAULT;
	cfg->vetting_loa3_actions = VETTING_LOA3_DEFAULT;
	strcpy(cfg->ldap_id_attribute, "entryUUID");
	strcpy(cfg->ldap_name_attribute, "displayName");
	strcpy(cfg->ldap_mail_attribute, "mail");
	cfg->ldap_network_timeout = 3;
	cfg->ldap_timeout = 5;
	cfg->md_cache = 256;
}

/*
 * Plain HTTP is for development on the loopback interface only: any
 * other base URL must be https.
 */
static int
config_base_url(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	static const char	*loopback[] = {
		"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
		"http://localhost/", "http://[::1]:", "http://[::1]/", NULL
	};
	const char		**lp;
	size_t			  n;

	n = strlen(value);
	if (n > 0 && value[n - 1] == '/') {
		*reason = "must not end with '/'";
		return (-1);
	}
	/* "http://127.0.0.1:80@evil.example" is not on the loopback. */
	if (strchr(value, '@') != NULL) {
		*reason = "must not contain '@'";
		return (-1);
	}
	if (strncmp(value, "https://", 8) == 0)
		cfg->https = 1;
	else {
		for (lp = loopback; *lp != NULL; lp++) {
			if (strncmp(value, *lp, strlen(*lp)) == 0)
				break;
		}
		if (*lp == NULL) {
			*reason = "must be https:// (http only on 127.0.0.1, "
			    "localhost or [::1])";
			return (-1);
		}
	}
	return (config_url(cfg, d, value, reason));
}

static int
config_string(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	char		*dst;

	if (strlen(value) >= d->size) {
		*reason = "value too long";
		return (-1);
	}
	if (strpbrk(value, " \t") != NULL) {
		*reason = "value must not contain spaces";
		return (-1);
	}
	dst = (char *)cfg + d->offset;
	strcpy(dst, value);
	return (0);
}

static int
config_url(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	const char	*p;

	if (strncmp(value, "https://", 8) != 0 &&
	    strncmp(value, "http://", 7) != 0 &&
	    strncmp(value, "urn:", 4) != 0) {
		*reason = "expected an http(s):// URL or a urn:";
		return (-1);
	}
	for (p = value; *p != '\0'; p++) {
		if (!isgraph((unsigned char)*p) || *p == '"' || *p == '<' ||
		    *p == '>' || *p == '\\') {
			*reason = "URL holds a character that must be escaped";
			return (-1);
		}
	}
	return (config_string(cfg, d, value, reason));
}

static int
config_number(const char *value, size_t min, size_t max, size_t *out)
{
	unsigned long long	 v;
	char			*end;

	if (!isdigit((unsigned char)*value))
		return (-1);
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = (size_t)v;
	return (0);
}

/* One "key=value" of a metadata_aggregate line. */
static int
config_md_field(struct config_md_source *m, char *field, const char **reason)
{
	static const struct {
		const char	*key;
		size_t		 offset;
		size_t		 size;
	} fields[] = {
#define MD(f)	offsetof(struct config_md_source, f), \
		sizeof(((struct config_md_source *)0)->f)
		{ "file", MD(file) },
		{ "url", MD(url) },
		{ "cert", MD(cert) },
		{ "policy", MD(policy) },
		{ "category", MD(category) },
		{ "registrar", MD(registrar) },
#undef MD
	};
	static const struct {
		const char	*key;
		size_t		 offset;
		size_t		 min, max;
		const char	*reason;
	} numbers[] = {
		{ "interval", offsetof(struct config_md_source, interval),
		    10, 86400, "interval: 10 to 86400 seconds" },
		{ "timeout", offsetof(struct config_md_source, timeout),
		    1, 600, "timeout: 1 to 600 seconds" },
		{ "max_mb", offsetof(struct config_md_source, max_mb),
		    1, 1024, "max_mb: 1 to 1024" },
		{ "ttl", offsetof(struct config_md_source, ttl),
		    60, 86400, "ttl: 60 to 86400 seconds" },
		{ "negative_ttl", offsetof(struct config_md_source,
		    negative_ttl), 10, 86400,
		    "negative_ttl: 10 to 86400 seconds" },
		{ "max_entries", offsetof(struct config_md_source,
		    max_entries), 100, 1000000, "max_entries: 100 to 1000000" },
	};
	char		*value;
	size_t		 i, v;

	if ((value = strchr(field, '=')) == NULL || value[1] == '\0') {
		*reason = "expected key=value after the source name";
		return (-1);
	}
	*value++ = '\0';
	if (strcmp(field, "sha1") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			*reason = "sha1: yes or no";
			return (-1);
		}
		m->sha1 = strcmp(value, "yes") == 0;
		return (0);
	}
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		if (strcmp(numbers[i].key, field) != 0)
			continue;
		if (config_number(value, numbers[i].min, numbers[i].max,
		    &v) == -1) {
			*reason = numbers[i].reason;
			return (-1);
		}
		*(unsigned int *)(void *)((char *)m + numbers[i].offset) =
		    (unsigned int)v;
		return (0);
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(fields[i].key, field) != 0)
			continue;
		if (strlen(value) >= fields[i].size) {
			*reason = "value too long";
			return (-1);
		}
		strcpy((char *)m + fields[i].offset, value);
		return (0);
	}
	*reason = "unknown key (file, url, cert, interval, timeout, max_mb, "
	    "ttl, negative_ttl, max_entries, sha1, policy, category, "
	    "registrar)";
	return (-1);
}

/*
 * "metadata_aggregate NAME file=PATH|url=URL cert=PATH
 * [interval=SECONDS] [timeout=SECONDS] [max_mb=MB] [policy=PATH]
 * [category=URI] [registrar=URI]", and "metadata_mdq NAME url=BASE
 * cert=PATH [ttl=SECONDS] [negative_ttl=SECONDS] [timeout=SECONDS]
 * [max_mb=MB] [max_entries=N] [sha1=yes] [policy=PATH] [category=URI]
 * [registrar=URI]" (docs/saml.md).
 */
static int
config_md_source(struct config *cfg, char *value, int mdq,
    const char **reason)
{
	struct config_md_source	*m;
	char			*tok, *save;
	size_t			 i;

	if (cfg->nmd_sources == CONFIG_MD_SOURCES_MAX) {
		*reason = "too many metadata sources";
		return (-1);
	}
	m = &cfg->md_sources[cfg->nmd_sources];
	memset(m, 0, sizeof(*m));
	m->mdq = mdq;
	m->interval = 3600;
	/* A request waits for an MDQ answer: short by default. */
	m->timeout = mdq ? 5 : 60;
	m->max_mb = mdq ? 1 : 256;
	m->ttl = 6 * 3600;
	m->negative_ttl = 600;
	m->max_entries = 10000;
	tok = strtok_r(value, " \t", &save);
	if (tok == NULL || strlen(tok) >= sizeof(m->name) ||
	    strspn(tok, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(tok)) {
		*reason = "the source name: 1 to 31 of A-Z a-z 0-9 _ -";
		return (-1);
	}
	strcpy(m->name, tok);
	for (i = 0; i < cfg->nmd_sources; i++) {
		if (strcmp(cfg->md_sources[i].name, m->name) == 0) {
			*reason = "a source of that name is already defined";
			return (-1);
		}
	}
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if (config_md_field(m, tok, reason) == -1)
			return (-1);
	}
	if (mdq && (m->url[0] == '\0' || m->file[0] != '\0' ||
	    m->cert[0] == '\0')) {
		*reason = "url= (the responder's base URL) and cert= are "
		    "required, file= is not allowed";
		return (-1);
	}
	if ((m->file[0] == '\0') == (m->url[0] == '\0') ||
	    m->cert[0] == '\0') {
		*reason = "cert= and one of file= or url= are required";
		return (-1);
	}
	if (m->url[0] != '\0' && strncmp(m->url, "https://", 8) != 0 &&
	    strncmp(m->url, "http://", 7) != 0) {
		*reason = "url: http:// or https://";
		return (-1);
	}
	if ((m->category[0] != '\0' && strncmp(m->category, "http", 4) != 0 &&
	    strncmp(m->category, "urn:", 4) != 0) ||
	    (m->registrar[0] != '\0' && strncmp(m->registrar, "http", 4) != 0 &&
	    strncmp(m->registrar, "urn:", 4) != 0)) {
		*reason = "category and registrar are URIs";
		return (-1);
	}
	cfg->nmd_sources++;
	return (0);
}

static int
config_aggregate(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	return (config_md_source(cfg, value, 0, reason));
}

static int
config_mdq(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	return (config_md_source(cfg, value, 1, reason));
}

/* An unsigned int between d->size and d->max; *reason names the unit. */
static int
config_uint(struct config *cfg, const struct config_directive *d,
    char *value, const char *unit, const char **reason)
{
	size_t		v;

	if (config_number(value, d->size, d->max, &v) == -1) {
		*reason = unit;
		return (-1);
	}
	*(unsigned int *)(void *)((char *)cfg + d->offset) = (unsigned int)v;
	return (0);
}

static int
config_yes_no(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	int	*flag = (int *)(void *)((char *)cfg + d->offset);

	if (strcmp(value, "yes") == 0)
		*flag = 1;
	else if (strcmp(value, "no") == 0)
		*flag = 0;
	else {
		*reason = "expected yes or no";
		return (-1);
	}
	return (0);
}

static int
config_seconds(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	return (config_uint(cfg, d, value,
	    "expected a number of seconds within range", reason));
}

static int
config_count(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	return (config_uint(cfg, d, value, "expected a number within range",
	    reason));
}

static int
config_map_size(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	size_t		v;

	if (config_number(value, d->size, d->max, &v) == -1) {
		*reason = "expected a size in MiB from 1 to 1048576";
		return (-1);
	}
	cfg->map_size = v * 1024 * 1024;
	return (0);
}

static int
config_comparison(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	if (strcmp(value, "enter") == 0)
		cfg->comparison = CONFIG_COMPARE_ENTER;
	else if (strcmp(value, "select") == 0)
		cfg->comparison = CONFIG_COMPARE_SELECT;
	else if (strcmp(value, "compare") == 0)
		cfg->comparison = CONFIG_COMPARE_COMPARE;
	else {
		*reason = "expected enter, select or compare";
		return (-1);
	}
	return (0);
}

static int
config_proxy(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	struct config_proxy	*p;
	char			*slash;
	size_t			 prefix, max;

	if (cfg->nproxies == CONFIG_PROXIES_MAX) {
		*reason = "too many trusted proxies";
		return (-1);
	}
	p = &cfg->proxies[cfg->nproxies];
	if ((slash = strchr(value, '/')) != NULL)
		*slash++ = '\0';

	if (inet_pton(AF_INET, value, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, value, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		*reason = "expected an IPv4 or IPv6 address, optionally /prefix";
		return (-1);
	}
	prefix = max;
	if (slash != NULL && config_number(slash, 0, max, &prefix) == -1) {
		*reason = "bad prefix length";
		return (-1);
	}
	p->prefix = (unsigned int)prefix;
	cfg->nproxies++;
	return (0);
}

/* A comma-separated list of X.1254 action codes (vetting.h). */
static int
config_actions(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	uint32_t	mask;

	if (vetting_mask_parse(value, &mask, reason) == -1)
		return (-1);
	*(uint32_t *)(void *)((char *)cfg + d->offset) = mask;
	return (0);
}

/* Each ldap_url adds one URL to the space-separated list libldap takes. */
static int
config_ldap_url(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	const char	*p;
	size_t		 used;

	if (strncmp(value, "ldap://", 7) != 0 &&
	    strncmp(value, "ldaps://", 8) != 0) {
		*reason = "expected an ldap:// or ldaps:// URL";
		return (-1);
	}
	for (p = value; *p != '\0'; p++) {
		if (!isgraph((unsigned char)*p)) {
			*reason = "URL holds a space or a control character";
			return (-1);
		}
	}
	used = strlen(cfg->ldap_urls);
	if (used + (used > 0) + strlen(value) >= sizeof(cfg->ldap_urls)) {
		*reason = "too many or too long URLs";
		return (-1);
	}
	if (used > 0)
		cfg->ldap_urls[used++] = ' ';
	strcpy(cfg->ldap_urls + used, value);
	return (0);
}

/* A DN or a filter: printable, spaces allowed (DNs hold them). */
static int
config_ldap_text(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	const char	*p;

	if (strlen(value) >= d->size) {
		*reason = "value too long";
		return (-1);
	}
	for (p = value; *p != '\0'; p++) {
		if (!isprint((unsigned char)*p)) {
			*reason = "value holds a control character";
			return (-1);
		}
	}
	strcpy((char *)cfg + d->offset, value);
	return (0);
}

/*
 * An RFC 4515 filter in parentheses. The user filter names the user ID
 * as %u, exactly once, where directory.c puts it escaped; the others
 * are fixed filters and hold no '%'.
 */
static int
config_ldap_filter(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	const char	*p, *u;
	size_t		 n;
	int		 depth;

	n = strlen(value);
	if (n < 2 || value[0] != '(' || value[n - 1] != ')') {
		*reason = "expected a filter in parentheses";
		return (-1);
	}
	depth = 0;
	for (p = value; *p != '\0'; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth < 0)
			break;
	}
	if (depth != 0) {
		*reason = "unbalanced parentheses";
		return (-1);
	}
	u = strstr(value, "%u");
	if (d->offset == offsetof(struct config, ldap_user_filter)) {
		if (u == NULL || strchr(u + 2, '%') != NULL ||
		    strchr(value, '%') != u) {
			*reason = "must hold %u (the user ID) exactly once "
			    "and no other '%'";
			return (-1);
		}
	} else if (strchr(value, '%') != NULL) {
		*reason = "must not hold '%'";
		return (-1);
	}
	return (config_ldap_text(cfg, d, value, reason));
}

/* An attribute description: RFC 4512 keystring or numeric OID. */
static int
config_ldap_attr(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	const char	*p;

	for (p = value; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
			*reason = "expected an attribute name";
			return (-1);
		}
	}
	return (config_string(cfg, d, value, reason));
}

/*
 * "NAME [LDAP-ATTRIBUTE]": fetch the directory's LDAP-ATTRIBUTE (NAME
 * itself when omitted) as mutua's attribute NAME (attribute.h).
 */
static int
config_ldap_attribute(struct config *cfg, const struct config_directive *d,
    char *value, const char **reason)
{
	struct config_directive	 attr;
	char			*from;
	int			 id;

	from = value + strcspn(value, " \t");
	if (*from != '\0') {
		*from++ = '\0';
		from += strspn(from, " \t");
	}
	if (*from == '\0')
		from = value;
	if ((id = attribute_find(value)) == -1) {
		*reason = "unknown attribute (givenName, sn, cn, mail, "
		    "displayName, eduPersonPrincipalName, eduPersonAffiliation, "
		    "eduPersonScopedAffiliation, eduPersonEntitlement, "
		    "isMemberOf)";
		return (-1);
	}
	if (cfg->ldap_attributes[id][0] != '\0') {
		*reason = "attribute mapped twice";
		return (-1);
	}
	attr = *d;
	attr.offset = offsetof(struct config, ldap_attributes) +
	    (size_t)id * CONFIG_LDAP_ATTR_MAX;
	attr.size = CONFIG_LDAP_ATTR_MAX;
	return (config_ldap_attr(cfg, &attr, from, reason));
}

/*
 * The LDAP keys that only make sense together. @return NULL when the
 * set is consistent, else the reason.
 */
static const char *
config_ldap_check(const struct config *cfg)
{
	int	i;

	if (cfg->ldap_urls[0] == '\0') {
		for (i = 0; i < ATTRIBUTE_COUNT; i++) {
			if (cfg->ldap_attributes[i][0] != '\0')
				break;
		}
		if (cfg->ldap_base[0] != '\0' ||
		    cfg->ldap_user_filter[0] != '\0' ||
		    cfg->ldap_bind_dn[0] != '\0' || i < ATTRIBUTE_COUNT)
			return ("ldap_* keys given without \"ldap_url\"");
		return (NULL);
	}
	if (cfg->ldap_base[0] == '\0' || cfg->ldap_user_filter[0] == '\0')
		return ("\"ldap_url\" needs \"ldap_base\" and "
		    "\"ldap_user_filter\"");
	if ((cfg->ldap_bind_dn[0] == '\0') !=
	    (cfg->ldap_bind_password_file[0] == '\0'))
		return ("\"ldap_bind_dn\" and \"ldap_bind_password_file\" "
		    "go together");
	if (cfg->ldap_starttls && strstr(cfg->ldap_urls, "ldaps://") != NULL)
		return ("\"ldap_starttls\" cannot be used with ldaps:// URLs");
	/* Without a CA there is nothing to check the directory against. */
	if ((cfg->ldap_starttls || strstr(cfg->ldap_urls, "ldaps://") !=
	    NULL) && cfg->ldap_ca_file[0] == '\0')
		return ("StartTLS and ldaps:// need \"ldap_ca_file\"");
	return (NULL);
}

static void
config_error(char *err, size_t errlen, const char *path, int line,
    const char *fmt, ...)
{
	va_list		ap;
	int		n;

	if (line > 0)
		n = snprintf(err, errlen, "%s:%d: ", path, line);
	else
		n = snprintf(err, errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}
