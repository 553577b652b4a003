/*
 * The LDAP user source: search as the service account, verify passwords
 * by a bind as the user, match an entry against a configured filter.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldap.h>
#include <openssl/crypto.h>

#include "crypto.h"
#include "directory.h"
#include "log.h"

#define DIRECTORY_PASSWORD_MAX	256
#define DIRECTORY_FILTER_MAX	(CONFIG_LDAP_TEXT_MAX * 3 + USER_ID_MAX * 3)
#define DIRECTORY_BINARY_ID	"x:"	/* a binary ID, kept as hex */

struct directory {
	const struct config	*cfg;
	LDAP			*ld;	/* the service connection, or NULL */
	char			 password[DIRECTORY_PASSWORD_MAX];
};

/* directory_connect() flags. */
#define DIRECTORY_USER		0x01	/* dn is a user signing in */
#define DIRECTORY_NO_VERIFY	0x02	/* the start-up probe only */

static enum directory_error	directory_connect(struct directory *, LDAP **,
				    const char *, const char *, int);
static enum directory_error	directory_service(struct directory *);
static enum directory_error	directory_result(struct directory *, int,
				    const char *);
static int	directory_read_password(struct directory *, char *, size_t);
static void	directory_value(LDAP *, LDAPMessage *, const char *, char *,
		    size_t, int);
static void	directory_values(LDAP *, LDAPMessage *, const char *,
		    enum attribute_id, struct attribute_set *);
static void	directory_drop(struct directory *);
static int	directory_count(struct directory *, const char *, int,
		    const char *, int);
static int	directory_filter_len(const char *, const char *, size_t,
		    char *, size_t);
static int	directory_escape(const char *, size_t, char *, size_t,
		    size_t *);
static int	directory_login_attr(const char *, char *, size_t);

int
directory_open(struct directory **dp, const struct config *cfg, char *err,
    size_t errlen)
{
	struct directory	*d;

	*dp = NULL;
	if (cfg->ldap_urls[0] == '\0')
		return (0);
	/*
	 * Only idp.conf configures libldap: neither /etc/ldap/ldap.conf nor
	 * ~/.ldaprc nor LDAP* variables may change where it connects or
	 * which CAs it trusts.
	 */
	if (setenv("LDAPNOINIT", "1", 1) == -1) {
		snprintf(err, errlen, "ldap: setenv LDAPNOINIT failed");
		return (-1);
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errlen, "ldap: out of memory");
		return (-1);
	}
	d->cfg = cfg;
	if (cfg->ldap_bind_password_file[0] != '\0' &&
	    directory_read_password(d, err, errlen) == -1) {
		directory_close(d);
		return (-1);
	}
	*dp = d;
	return (0);
}

/* The service password: the file's first line, for the owner's eyes. */
static int
directory_read_password(struct directory *d, char *err, size_t errlen)
{
	struct stat	st;
	ssize_t		n;
	size_t		len;
	int		fd;

	if ((fd = crypto_secret_file_open(d->cfg->ldap_bind_password_file, 0,
	    &st, err, errlen)) == -1)
		return (-1);
	n = read(fd, d->password, sizeof(d->password));
	close(fd);
	if (n < 0 || (size_t)n == sizeof(d->password)) {
		OPENSSL_cleanse(d->password, sizeof(d->password));
		snprintf(err, errlen, "%s: unreadable or longer than %d bytes",
		    d->cfg->ldap_bind_password_file,
		    DIRECTORY_PASSWORD_MAX - 1);
		return (-1);
	}
	len = strcspn(d->password, "\r\n");
	d->password[len] = '\0';
	if (len == 0 || len != strlen(d->password)) {
		OPENSSL_cleanse(d->password, sizeof(d->password));
		snprintf(err, errlen, "%s: empty, or holds a NUL byte",
		    d->cfg->ldap_bind_password_file);
		return (-1);
	}
	return (0);
}

void
directory_close(struct directory *d)
{
	if (d == NULL)
		return;
	directory_drop(d);
	OPENSSL_cleanse(d->password, sizeof(d->password));
	free(d);
}

static void
directory_drop(struct directory *d)
{
	if (d->ld != NULL)
		ldap_unbind_ext_s(d->ld, NULL, NULL);
	d->ld = NULL;
}

/*
 * A new connection to the first URL of the list that answers (libldap
 * tries them in order, each within ldap_network_timeout), TLS as
 * configured, bound as dn with password (anonymous when dn is NULL);
 * flags: DIRECTORY_USER when dn is a user signing in rather than the
 * service, DIRECTORY_NO_VERIFY for directory_check()'s anonymous probe.
 * The caller frees *ldp with ldap_unbind_ext_s().
 */
static enum directory_error
directory_connect(struct directory *d, LDAP **ldp, const char *dn,
    const char *password, int flags)
{
	const struct config	*cfg;
	struct timeval		 tv;
	struct berval		 cred;
	LDAP			*ld;
	int			 rc, v;

	cfg = d->cfg;
	*ldp = NULL;
	if ((rc = ldap_initialize(&ld, cfg->ldap_urls)) != LDAP_SUCCESS)
		return (directory_result(d, rc, "initialize"));
	v = LDAP_VERSION3;
	rc = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v);
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	tv.tv_sec = cfg->ldap_network_timeout;
	tv.tv_usec = 0;
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	tv.tv_sec = cfg->ldap_timeout;
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	if (rc == LDAP_OPT_SUCCESS && cfg->ldap_ca_file[0] != '\0') {
		v = (flags & DIRECTORY_NO_VERIFY) ? LDAP_OPT_X_TLS_NEVER :
		    LDAP_OPT_X_TLS_DEMAND;
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE,
		    cfg->ldap_ca_file);
		if (rc == LDAP_OPT_SUCCESS)
			rc = ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT,
			    &v);
		v = 0;
		if (rc == LDAP_OPT_SUCCESS)
			rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &v);
	}
	if (rc != LDAP_OPT_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return (directory_result(d, LDAP_OTHER, "options"));
	}
	if (cfg->ldap_starttls &&
	    (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return (directory_result(d, rc, "starttls"));
	}
	cred.bv_val = (char *)(uintptr_t)(password != NULL ? password : "");
	cred.bv_len = strlen(cred.bv_val);
	rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL,
	    NULL);
	if (rc != LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		/* A user's wrong password is an answer, not a failure. */
		if (rc == LDAP_INVALID_CREDENTIALS && (flags & DIRECTORY_USER))
			return (DIRECTORY_BADPASS);
		return (directory_result(d, rc, "bind"));
	}
	*ldp = ld;
	return (DIRECTORY_OK);
}

/* The process's service connection, made when there is none. */
static enum directory_error
directory_service(struct directory *d)
{
	const char	*dn;

	if (d->ld != NULL)
		return (DIRECTORY_OK);
	dn = d->cfg->ldap_bind_dn[0] != '\0' ? d->cfg->ldap_bind_dn : NULL;
	return (directory_connect(d, &d->ld, dn, d->password, 0));
}

/*
 * Maps an LDAP result code to the module's error, logs it, and drops
 * the service connection when the directory went away, so that the next
 * call connects again (failing over to the next URL).
 */
static enum directory_error
directory_result(struct directory *d, int rc, const char *op)
{
	int	down;

	down = rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR ||
	    rc == LDAP_TIMEOUT || rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY;
	log_event("directory", "op", op, "outcome",
	    down ? "unreachable" : "error", "reason", ldap_err2string(rc),
	    (char *)NULL);
	if (down || rc == LDAP_OTHER || rc == LDAP_PROTOCOL_ERROR)
		directory_drop(d);
	return (down ? DIRECTORY_DOWN : DIRECTORY_ERROR);
}

enum directory_error
directory_check(struct directory *d, char *err, size_t errlen)
{
	enum directory_error	e;
	LDAP			*ld;
	const char		*dn;

	dn = d->cfg->ldap_bind_dn[0] != '\0' ? d->cfg->ldap_bind_dn : NULL;
	if ((e = directory_connect(d, &ld, dn, d->password, 0)) ==
	    DIRECTORY_OK) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return (e);
	}
	/*
	 * libldap reports a certificate that does not verify as it reports
	 * a directory that is down. An anonymous probe that does not check
	 * the certificate (and sends no password) tells them apart: when it
	 * gets an answer, the TLS settings are wrong, which is fatal.
	 */
	if (e == DIRECTORY_DOWN && d->cfg->ldap_ca_file[0] != '\0' &&
	    directory_connect(d, &ld, NULL, NULL, DIRECTORY_NO_VERIFY) !=
	    DIRECTORY_DOWN) {
		if (ld != NULL)
			ldap_unbind_ext_s(ld, NULL, NULL);
		snprintf(err, errlen, "ldap: TLS: the certificate of %s does "
		    "not verify against ldap_ca_file %s", d->cfg->ldap_urls,
		    d->cfg->ldap_ca_file);
		return (DIRECTORY_ERROR);
	}
	if (e == DIRECTORY_DOWN)
		snprintf(err, errlen, "ldap: no directory answers at %s",
		    d->cfg->ldap_urls);
	else
		snprintf(err, errlen, "ldap: the service bind as \"%s\" at "
		    "%s failed (check ldap_bind_dn, ldap_bind_password_file "
		    "and the TLS settings)", dn != NULL ? dn : "(anonymous)",
		    d->cfg->ldap_urls);
	return (e);
}

enum directory_error
directory_find(struct directory *d, const char *user_id,
    struct directory_user *u)
{
	const struct config	*cfg;
	struct timeval		 tv;
	LDAPMessage		*res, *entry;
	char			 filter[DIRECTORY_FILTER_MAX], *dn;
	char			*attrs[4 + ATTRIBUTE_COUNT];
	enum directory_error	 e;
	int			 rc, attempt, n, i;

	cfg = d->cfg;
	memset(u, 0, sizeof(*u));
	if (directory_filter(cfg->ldap_user_filter, user_id, filter,
	    sizeof(filter)) == -1)
		return (DIRECTORY_NOTFOUND);
	attrs[0] = (char *)(uintptr_t)cfg->ldap_id_attribute;
	attrs[1] = (char *)(uintptr_t)cfg->ldap_name_attribute;
	attrs[2] = (char *)(uintptr_t)cfg->ldap_mail_attribute;
	n = 3;
	for (i = 0; i < ATTRIBUTE_COUNT; i++) {
		if (cfg->ldap_attributes[i][0] != '\0')
			attrs[n++] = (char *)(uintptr_t)cfg->ldap_attributes[i];
	}
	attrs[n] = NULL;
	tv.tv_sec = cfg->ldap_timeout;
	tv.tv_usec = 0;

	/* A connection that broke since its last use gets one more try. */
	for (attempt = 0; attempt < 2; attempt++) {
		if ((e = directory_service(d)) != DIRECTORY_OK)
			return (e);
		res = NULL;
		rc = ldap_search_ext_s(d->ld, cfg->ldap_base,
		    LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL, &tv, 2,
		    &res);
		if (rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED)
			break;
		ldap_msgfree(res);
		if ((e = directory_result(d, rc, "search")) != DIRECTORY_DOWN)
			return (e);
	}
	if (attempt == 2)
		return (DIRECTORY_DOWN);

	/* Two matches are an ambiguous filter: nobody signs in with it. */
	n = ldap_count_entries(d->ld, res);
	if (rc != LDAP_SUCCESS || n != 1 ||
	    (entry = ldap_first_entry(d->ld, res)) == NULL) {
		ldap_msgfree(res);
		return (DIRECTORY_NOTFOUND);
	}
	e = DIRECTORY_NOTFOUND;
	if ((dn = ldap_get_dn(d->ld, entry)) != NULL &&
	    strlen(dn) < sizeof(u->dn)) {
		strcpy(u->dn, dn);
		directory_value(d->ld, entry, cfg->ldap_id_attribute, u->uuid,
		    sizeof(u->uuid), 1);
		directory_value(d->ld, entry, cfg->ldap_name_attribute,
		    u->display_name, sizeof(u->display_name), 0);
		directory_value(d->ld, entry, cfg->ldap_mail_attribute,
		    u->email, sizeof(u->email), 0);
		for (i = 0; i < ATTRIBUTE_COUNT; i++) {
			if (cfg->ldap_attributes[i][0] != '\0')
				directory_values(d->ld, entry,
				    cfg->ldap_attributes[i], i, &u->attrs);
		}
		/* Without its stable ID an entry cannot be bound to anything. */
		if (u->uuid[0] != '\0')
			e = DIRECTORY_OK;
	}
	ldap_memfree(dn);
	ldap_msgfree(res);
	if (e != DIRECTORY_OK || cfg->ldap_disabled_filter[0] == '\0')
		return (e);
	switch (directory_match(d, u->dn, cfg->ldap_disabled_filter)) {
	case 0:
		return (DIRECTORY_OK);
	case 1:
		return (DIRECTORY_DISABLED);
	default:
		return (DIRECTORY_ERROR);
	}
}

/*
 * The first value of attr into out, or "" when absent or too long. An
 * ID (id = 1) that is not printable ASCII (Active Directory's binary
 * objectGUID) is written as "x:" and hex.
 */
static void
directory_value(LDAP *ld, LDAPMessage *entry, const char *attr, char *out,
    size_t outlen, int id)
{
	struct berval	**vals;
	size_t		  i;
	int		  printable;

	out[0] = '\0';
	if ((vals = ldap_get_values_len(ld, entry, attr)) == NULL)
		return;
	if (vals[0] != NULL) {
		printable = 1;
		for (i = 0; i < vals[0]->bv_len; i++) {
			if (vals[0]->bv_val[i] < 0x21 ||
			    vals[0]->bv_val[i] > 0x7e)
				printable = 0;
		}
		if (id && !printable && vals[0]->bv_len * 2 + 2 < outlen) {
			memcpy(out, DIRECTORY_BINARY_ID, 2);
			crypto_hex(vals[0]->bv_val, vals[0]->bv_len, out + 2);
		}
		else if ((printable || !id) && vals[0]->bv_len < outlen &&
		    memchr(vals[0]->bv_val, '\0', vals[0]->bv_len) == NULL) {
			memcpy(out, vals[0]->bv_val, vals[0]->bv_len);
			out[vals[0]->bv_len] = '\0';
		}
	}
	ldap_value_free_len(vals);
}

/* Every value of attr as attribute id (what does not fit is left out). */
static void
directory_values(LDAP *ld, LDAPMessage *entry, const char *attr,
    enum attribute_id id, struct attribute_set *set)
{
	struct berval	**vals;
	const char	 *v, *eq, *comma;
	size_t		  i, len;

	if ((vals = ldap_get_values_len(ld, entry, attr)) == NULL)
		return;
	for (i = 0; vals[i] != NULL; i++) {
		v = vals[i]->bv_val;
		len = vals[i]->bv_len;
		/* "cn=staff,ou=groups,dc=example,dc=org" is group "staff". */
		if (id == ATTRIBUTE_IS_MEMBER_OF &&
		    memchr(v, '\\', len) == NULL &&
		    (eq = memchr(v, '=', len)) != NULL &&
		    (comma = memchr(eq, ',', len - (size_t)(eq - v))) != NULL) {
			v = eq + 1;
			len = (size_t)(comma - v);
		}
		attribute_add(set, id, v, len);
	}
	ldap_value_free_len(vals);
}

enum directory_error
directory_authenticate(struct directory *d, const char *dn,
    const char *password)
{
	enum directory_error	e;
	LDAP			*ld;

	if (password[0] == '\0' || dn[0] == '\0')
		return (DIRECTORY_BADPASS);
	if ((e = directory_connect(d, &ld, dn, password, DIRECTORY_USER)) ==
	    DIRECTORY_OK)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return (e);
}

/*
 * How many entries (at most limit + 1) match filter at base, searched
 * with scope, as the service account; no attributes are read ("1.1").
 * @return the count, or -1 (directory error, logged).
 */
static int
directory_count(struct directory *d, const char *base, int scope,
    const char *filter, int limit)
{
	struct timeval	 tv;
	LDAPMessage	*res;
	char		*attrs[2];
	int		 rc, n;

	if (directory_service(d) != DIRECTORY_OK)
		return (-1);
	attrs[0] = (char *)(uintptr_t)LDAP_NO_ATTRS;
	attrs[1] = NULL;
	tv.tv_sec = d->cfg->ldap_timeout;
	tv.tv_usec = 0;
	res = NULL;
	rc = ldap_search_ext_s(d->ld, base, scope, filter, attrs, 0, NULL,
	    NULL, &tv, limit + 1, &res);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		directory_result(d, rc, "match");
		return (-1);
	}
	n = ldap_count_entries(d->ld, res);
	ldap_msgfree(res);
	return (n);
}

int
directory_match(struct directory *d, const char *dn, const char *filter)
{
	int	n;

	if ((n = directory_count(d, dn, LDAP_SCOPE_BASE, filter, 1)) == -1)
		return (-1);
	return (n > 0);
}

int
directory_filter(const char *template, const char *value, char *out,
    size_t outlen)
{
	return (directory_filter_len(template, value, strlen(value), out,
	    outlen));
}

/*
 * As directory_filter(), for a value of len bytes (NUL bytes included);
 * every "%u" of template gets the value.
 */
static int
directory_filter_len(const char *template, const char *value, size_t len,
    char *out, size_t outlen)
{
	const char	*u;
	size_t		 n;

	if (strstr(template, "%u") == NULL)
		return (-1);
	n = 0;
	for (; (u = strstr(template, "%u")) != NULL; template = u + 2) {
		while (template < u) {
			if (n + 1 >= outlen)
				return (-1);
			out[n++] = *template++;
		}
		if (directory_escape(value, len, out, outlen, &n) == -1)
			return (-1);
	}
	for (; *template != '\0'; template++) {
		if (n + 1 >= outlen)
			return (-1);
		out[n++] = *template;
	}
	out[n] = '\0';
	return (0);
}

/* RFC 4515 §3: valueencoding; \XX for anything that could be syntax. */
static int
directory_escape(const char *value, size_t len, char *out, size_t outlen,
    size_t *np)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 c;
	size_t			 i, n;

	n = *np;
	for (i = 0; i < len; i++) {
		c = (unsigned char)value[i];
		if (c >= 0x20 && c < 0x7f && c != '*' && c != '(' &&
		    c != ')' && c != '\\') {
			if (n + 1 >= outlen)
				return (-1);
			out[n++] = (char)c;
			continue;
		}
		if (n + 3 >= outlen)
			return (-1);
		out[n++] = '\\';
		out[n++] = hex[c >> 4];
		out[n++] = hex[c & 0x0f];
	}
	*np = n;
	return (0);
}

int
directory_match_id(struct directory *d, const char *dir_id,
    const char *filter)
{
	unsigned char	 raw[DIRECTORY_UUID_MAX];
	char		 tmpl[CONFIG_LDAP_TEXT_MAX + CONFIG_LDAP_ATTR_MAX + 16];
	char		 full[DIRECTORY_FILTER_MAX];
	const char	*value;
	int		 n, len;

	/* The ID as directory_value() kept it: "x:" and hex is binary. */
	value = dir_id;
	len = (int)strlen(dir_id);
	if (strncmp(dir_id, DIRECTORY_BINARY_ID, 2) == 0) {
		if ((len = crypto_unhex(dir_id + 2, raw, sizeof(raw))) <= 0)
			return (-1);
		value = (const char *)raw;
	}
	n = snprintf(tmpl, sizeof(tmpl), "(&(%s=%%u)%s)",
	    d->cfg->ldap_id_attribute, filter);
	if (n < 0 || (size_t)n >= sizeof(tmpl) || directory_filter_len(tmpl,
	    value, (size_t)len, full, sizeof(full)) == -1)
		return (-1);
	/* Exactly one entry: two would make the ID ambiguous. */
	if ((n = directory_count(d, d->cfg->ldap_base, LDAP_SCOPE_SUBTREE,
	    full, 1)) == -1)
		return (-1);
	return (n == 1);
}

/* The attribute ldap_user_filter compares with %u: "(uid=%u)" is uid. */
static int
directory_login_attr(const char *filter, char *out, size_t outlen)
{
	const char	*u, *p;

	if ((u = strstr(filter, "=%u)")) == NULL)
		return (-1);
	for (p = u; p > filter && p[-1] != '('; p--)
		;
	if (p == filter || p == u || (size_t)(u - p) >= outlen)
		return (-1);
	memcpy(out, p, (size_t)(u - p));
	out[u - p] = '\0';
	return (0);
}

enum directory_error
directory_search(struct directory *d, const char *text,
    struct directory_entry *out, size_t *np)
{
	const struct config	*cfg;
	struct timeval		 tv;
	LDAPMessage		*res, *entry;
	char			 login[CONFIG_LDAP_ATTR_MAX];
	char			 tmpl[CONFIG_LDAP_TEXT_MAX + 4 * CONFIG_LDAP_ATTR_MAX];
	char			 filter[DIRECTORY_FILTER_MAX * 2];
	char			*attrs[5];
	const char		*p;
	enum directory_error	 e;
	size_t			 n, i;
	int			 rc;

	cfg = d->cfg;
	*np = 0;
	if (directory_login_attr(cfg->ldap_user_filter, login,
	    sizeof(login)) == -1)
		return (DIRECTORY_ERROR);
	/* The user filter with any ID ("*"), and the text in three places. */
	for (n = 0, p = cfg->ldap_user_filter; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'u') {
			tmpl[n++] = '*';
			p++;
		} else
			tmpl[n++] = *p;
	}
	tmpl[n] = '\0';
	rc = snprintf(filter, sizeof(filter), "(&%s(|(%s=*%%u*)(%s=*%%u*)"
	    "(%s=*%%u*)))", tmpl, login, cfg->ldap_name_attribute,
	    cfg->ldap_mail_attribute);
	if (rc < 0 || (size_t)rc >= sizeof(filter) ||
	    (size_t)rc >= sizeof(tmpl))
		return (DIRECTORY_ERROR);
	memcpy(tmpl, filter, (size_t)rc + 1);
	if (directory_filter(tmpl, text, filter, sizeof(filter)) == -1)
		return (DIRECTORY_ERROR);

	attrs[0] = (char *)(uintptr_t)cfg->ldap_id_attribute;
	attrs[1] = login;
	attrs[2] = (char *)(uintptr_t)cfg->ldap_name_attribute;
	attrs[3] = (char *)(uintptr_t)cfg->ldap_mail_attribute;
	attrs[4] = NULL;
	tv.tv_sec = cfg->ldap_timeout;
	tv.tv_usec = 0;
	if ((e = directory_service(d)) != DIRECTORY_OK)
		return (e);
	res = NULL;
	rc = ldap_search_ext_s(d->ld, cfg->ldap_base, LDAP_SCOPE_SUBTREE,
	    filter, attrs, 0, NULL, NULL, &tv, DIRECTORY_SEARCH_MAX, &res);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		return (directory_result(d, rc, "search"));
	}
	n = 0;
	for (entry = ldap_first_entry(d->ld, res); entry != NULL &&
	    n < DIRECTORY_SEARCH_MAX; entry = ldap_next_entry(d->ld, entry)) {
		memset(&out[n], 0, sizeof(out[n]));
		directory_value(d->ld, entry, login, out[n].login,
		    sizeof(out[n].login), 0);
		for (i = 0; out[n].login[i] != '\0'; i++)
			out[n].login[i] = (char)tolower(
			    (unsigned char)out[n].login[i]);
		directory_value(d->ld, entry, cfg->ldap_id_attribute,
		    out[n].uuid, sizeof(out[n].uuid), 1);
		directory_value(d->ld, entry, cfg->ldap_name_attribute,
		    out[n].display_name, sizeof(out[n].display_name), 0);
		directory_value(d->ld, entry, cfg->ldap_mail_attribute,
		    out[n].email, sizeof(out[n].email), 0);
		if (store_user_id_valid(out[n].login) && out[n].uuid[0] != '\0')
			n++;
	}
	ldap_msgfree(res);
	*np = n;
	return (DIRECTORY_OK);
}
