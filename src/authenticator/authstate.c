/*
 * The state file of mutua-authenticator: bindings, sealed under a PIN.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "authstate.h"
#include "crypto.h"

#define AUTHSTATE_SCRYPT_N	32768
#define AUTHSTATE_SCRYPT_R	8
#define AUTHSTATE_SCRYPT_P	1
#define AUTHSTATE_SCRYPT_MAXMEM	(128 * 1024 * 1024)
#define AUTHSTATE_AAD_MAX	(AUTHSTATE_URL_MAX + AUTHSTATE_USER_MAX + 64)
#define AUTHSTATE_PLAIN_MAX	(AUTHSTATE_SEALED_MAX - CRYPTO_WRAP_OVERHEAD)
#define B64_MAX(n)		(4 * (((n) + 2) / 3) + 1)

static int	authstate_kdf(const struct authstate_binding *, const char *,
		    struct crypto_master_key *);
static size_t	authstate_aad(const struct authstate_binding *, char *,
		    size_t);
static int	authstate_copy(json_t *, const char *, char *, size_t);
static int	authstate_uint(json_t *, const char *, uint64_t, uint64_t,
		    uint64_t *);
static int	authstate_b64(json_t *, const char *, unsigned char *,
		    size_t, size_t *);
static int	authstate_parse(json_t *, struct authstate_binding *);
static json_t	*authstate_json(const struct authstate_binding *);
static int	authstate_hex32(const char *);
static int	authstate_pin_file(const char *, char *, size_t, char *,
		    size_t);
static int	authstate_host_loopback(const char *, size_t);

static void	authstate_tty_signal(int);

/* The terminal settings to put back if a signal ends us while echo is off. */
static struct termios		authstate_tty_saved;
static volatile sig_atomic_t	authstate_tty_fd = -1;
static const int		authstate_tty_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM
};
#define AUTHSTATE_TTY_SIGNALS \
	(sizeof(authstate_tty_signals) / sizeof(authstate_tty_signals[0]))

static const char *const authstate_modes[] = {
	"enter", "select", "compare", NULL
};

int
authstate_load(const char *path, struct authstate *st, char *err,
    size_t errlen)
{
	struct stat	 sb;
	json_error_t	 jerr;
	json_t		*root, *list, *item;
	char		*buf;
	ssize_t		 n;
	size_t		 i, len;
	int		 fd, ret;

	ret = -1;
	root = NULL;
	buf = NULL;
	memset(st, 0, sizeof(*st));
	/* No file is an empty state; a file of sealed keys is ours alone. */
	if ((fd = crypto_secret_file_open(path, CRYPTO_SECRET_OWNED, &sb, err,
	    errlen)) == -1)
		return (errno == ENOENT ? 0 : -1);
	if (sb.st_size > AUTHSTATE_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    AUTHSTATE_FILE_MAX);
		goto out;
	}
	len = (size_t)sb.st_size;
	if ((buf = malloc(len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i += (size_t)n) {
		if ((n = read(fd, buf + i, len - i)) <= 0) {
			snprintf(err, errlen, "%s: short read", path);
			goto out;
		}
	}
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
		goto out;
	}
	if (json_integer_value(json_object_get(root, "version")) !=
	    AUTHSTATE_VERSION ||
	    !json_is_array(list = json_object_get(root, "bindings"))) {
		snprintf(err, errlen, "%s: not a version %d state file", path,
		    AUTHSTATE_VERSION);
		goto out;
	}
	if (json_array_size(list) > AUTHSTATE_BINDINGS_MAX) {
		snprintf(err, errlen, "%s: more than %d bindings", path,
		    AUTHSTATE_BINDINGS_MAX);
		goto out;
	}
	json_array_foreach(list, i, item) {
		if (authstate_parse(item, &st->binding[i]) == -1) {
			snprintf(err, errlen, "%s: binding %zu is malformed",
			    path, i + 1);
			goto out;
		}
		st->count++;
	}
	ret = 0;

out:
	if (ret == -1)
		memset(st, 0, sizeof(*st));
	json_decref(root);
	free(buf);
	close(fd);
	return (ret);
}

int
authstate_save(const char *path, const struct authstate *st, char *err,
    size_t errlen)
{
	json_t		*root, *list;
	char		*text, tmp[PATH_MAX];
	size_t		 i, len, off;
	ssize_t		 n;
	int		 fd, ret;

	ret = -1;
	fd = -1;
	text = NULL;
	tmp[0] = '\0';
	root = json_object();
	list = json_array();
	if (root == NULL || list == NULL ||
	    json_object_set_new(root, "version",
	    json_integer(AUTHSTATE_VERSION)) == -1 ||
	    json_object_set(root, "bindings", list) == -1)
		goto nomem;
	for (i = 0; i < st->count; i++) {
		if (json_array_append_new(list,
		    authstate_json(&st->binding[i])) == -1)
			goto nomem;
	}
	if ((text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS)) ==
	    NULL)
		goto nomem;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		tmp[0] = '\0';
		goto out;
	}
	/* mkstemp() creates the file with mode 0600. */
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	len = strlen(text);
	for (off = 0; off < len; off += (size_t)n) {
		if ((n = write(fd, text + off, len - off)) <= 0) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			goto out;
		}
	}
	if (write(fd, "\n", 1) != 1 || fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	ret = 0;
	goto out;

nomem:
	snprintf(err, errlen, "out of memory");
out:
	if (fd != -1)
		close(fd);
	if (tmp[0] != '\0')
		unlink(tmp);
	free(text);
	json_decref(list);
	json_decref(root);
	return (ret);
}

struct authstate_binding *
authstate_select(struct authstate *st, const char *account, char *err,
    size_t errlen)
{
	struct authstate_binding	*b, *found;
	char				 name[AUTHSTATE_USER_MAX +
					    AUTHSTATE_URL_MAX + 1];
	size_t				 i;

	if (st->count == 0) {
		snprintf(err, errlen, "no binding: register first");
		return (NULL);
	}
	if (account == NULL) {
		if (st->count == 1)
			return (&st->binding[0]);
		snprintf(err, errlen, "%zu bindings: choose one with -a "
		    "(see status)", st->count);
		return (NULL);
	}
	found = NULL;
	for (i = 0; i < st->count; i++) {
		b = &st->binding[i];
		snprintf(name, sizeof(name), "%s@%s", b->user_id, b->issuer);
		if (strcmp(account, b->binding_id) != 0 &&
		    strcmp(account, name) != 0)
			continue;
		if (found != NULL) {
			snprintf(err, errlen, "%s: several bindings match; "
			    "give the binding ID", account);
			return (NULL);
		}
		found = b;
	}
	if (found == NULL)
		snprintf(err, errlen, "%s: no such binding", account);
	return (found);
}

int
authstate_add(struct authstate *st, const struct authstate_binding *b)
{
	size_t		i;

	if (st->count >= AUTHSTATE_BINDINGS_MAX)
		return (-1);
	for (i = 0; i < st->count; i++) {
		if (strcmp(st->binding[i].binding_id, b->binding_id) == 0)
			return (-1);
	}
	st->binding[st->count++] = *b;
	return (0);
}

/* The associated data of a sealed secret: what it belongs to. */
static size_t
authstate_aad(const struct authstate_binding *b, char *out, size_t outlen)
{
	int		n;

	n = snprintf(out, outlen, "mutua-authstate-v1\n%s\n%s\n%s",
	    b->binding_id, b->user_id, b->issuer);
	if (n < 0 || (size_t)n >= outlen)
		return (0);
	return ((size_t)n);
}

/*
 * Derives the sealing key from the PIN with the binding's scrypt
 * parameters. crypto_wrap() takes a master key, whose id is the first
 * bytes of SHA-256 of the key, as crypto_master_key_load() makes it.
 */
static int
authstate_kdf(const struct authstate_binding *b, const char *pin,
    struct crypto_master_key *mk)
{
	unsigned char	md[CRYPTO_SHA256_LEN];

	if (EVP_PBE_scrypt(pin, strlen(pin), b->salt, sizeof(b->salt),
	    b->scrypt_n, b->scrypt_r, b->scrypt_p, AUTHSTATE_SCRYPT_MAXMEM,
	    mk->key, sizeof(mk->key)) != 1) {
		crypto_master_key_wipe(mk);
		return (-1);
	}
	crypto_sha256(mk->key, sizeof(mk->key), md);
	memcpy(mk->id, md, sizeof(mk->id));
	return (0);
}

int
authstate_seal(struct authstate_binding *b, const char *pin,
    const unsigned char *k, EVP_PKEY *device)
{
	struct crypto_master_key	 mk;
	PKCS8_PRIV_KEY_INFO		*p8;
	unsigned char			 plain[AUTHSTATE_PLAIN_MAX], *der;
	char				 aad[AUTHSTATE_AAD_MAX];
	size_t				 aadlen, plainlen, pinlen;
	int				 derlen, ret;

	ret = -1;
	der = NULL;
	plainlen = 0;
	pinlen = strlen(pin);
	if (pinlen < AUTHSTATE_PIN_MIN || pinlen > AUTHSTATE_PIN_MAX)
		return (-1);
	if ((aadlen = authstate_aad(b, aad, sizeof(aad))) == 0)
		return (-1);
	if ((p8 = EVP_PKEY2PKCS8(device)) == NULL)
		return (-1);
	derlen = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (derlen <= 0 ||
	    (size_t)derlen > sizeof(plain) - OFFSET_KEY_LEN)
		goto out;
	memcpy(plain, k, OFFSET_KEY_LEN);
	memcpy(plain + OFFSET_KEY_LEN, der, (size_t)derlen);
	plainlen = OFFSET_KEY_LEN + (size_t)derlen;

	b->scrypt_n = AUTHSTATE_SCRYPT_N;
	b->scrypt_r = AUTHSTATE_SCRYPT_R;
	b->scrypt_p = AUTHSTATE_SCRYPT_P;
	if (crypto_random(b->salt, sizeof(b->salt)) == -1 ||
	    authstate_kdf(b, pin, &mk) == -1)
		goto out;
	if (crypto_wrap(&mk, aad, aadlen, plain, plainlen, b->sealed) == 0) {
		b->sealed_len = plainlen + CRYPTO_WRAP_OVERHEAD;
		ret = 0;
	}
	crypto_master_key_wipe(&mk);

out:
	OPENSSL_cleanse(plain, sizeof(plain));
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)derlen);
	return (ret);
}

int
authstate_unseal(const struct authstate_binding *b, const char *pin,
    struct authstate_secret *s)
{
	struct crypto_master_key	 mk;
	PKCS8_PRIV_KEY_INFO		*p8;
	unsigned char			 plain[AUTHSTATE_PLAIN_MAX];
	const unsigned char		*p;
	char				 aad[AUTHSTATE_AAD_MAX], group[32];
	size_t				 aadlen, plainlen;
	int				 rc;

	memset(s, 0, sizeof(*s));
	if (b->sealed_len < CRYPTO_WRAP_OVERHEAD + OFFSET_KEY_LEN ||
	    b->sealed_len > sizeof(b->sealed))
		return (-1);
	if ((aadlen = authstate_aad(b, aad, sizeof(aad))) == 0)
		return (-1);
	plainlen = b->sealed_len - CRYPTO_WRAP_OVERHEAD;
	if (authstate_kdf(b, pin, &mk) == -1)
		return (-1);
	rc = crypto_unwrap(&mk, aad, aadlen, b->sealed, b->sealed_len, plain);
	crypto_master_key_wipe(&mk);
	if (rc == -1)
		return (-1);

	memcpy(s->k, plain, OFFSET_KEY_LEN);
	p = plain + OFFSET_KEY_LEN;
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p,
	    (long)(plainlen - OFFSET_KEY_LEN));
	if (p8 != NULL) {
		s->device = EVP_PKCS82PKEY(p8);
		PKCS8_PRIV_KEY_INFO_free(p8);
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	/* Only a P-256 key can sign for the device (docs/protocol.md). */
	if (s->device == NULL || !EVP_PKEY_is_a(s->device, "EC") ||
	    EVP_PKEY_get_group_name(s->device, group, sizeof(group),
	    NULL) != 1 || strcmp(group, "prime256v1") != 0) {
		authstate_secret_clear(s);
		return (-1);
	}
	return (0);
}

void
authstate_secret_clear(struct authstate_secret *s)
{
	OPENSSL_cleanse(s->k, sizeof(s->k));
	EVP_PKEY_free(s->device);
	s->device = NULL;
}

static int
authstate_host_loopback(const char *host, size_t len)
{
	return ((len == 9 && strncmp(host, "127.0.0.1", len) == 0) ||
	    (len == 9 && strncasecmp(host, "localhost", len) == 0) ||
	    (len == 5 && strncmp(host, "[::1]", len) == 0));
}

int
authstate_url_valid(const char *url)
{
	const char	*host, *p;
	size_t		 hostlen, len;
	int		 https, port;

	len = strlen(url);
	if (len == 0 || len >= AUTHSTATE_URL_MAX || url[len - 1] == '/')
		return (0);
	if (strncmp(url, "https://", 8) == 0) {
		https = 1;
		host = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		https = 0;
		host = url + 7;
	} else
		return (0);

	/* Host: a DNS name, an IPv4 address or a bracketed IPv6 address. */
	p = host;
	if (*p == '[') {
		for (p++; *p != '\0' && *p != ']'; p++) {
			if (strchr("0123456789abcdefABCDEF:.", *p) == NULL)
				return (0);
		}
		if (*p++ != ']')
			return (0);
	} else {
		for (; *p != '\0' && *p != ':' && *p != '/'; p++) {
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", *p) ==
			    NULL)
				return (0);
		}
	}
	hostlen = (size_t)(p - host);
	if (hostlen == 0)
		return (0);
	if (*p == ':') {
		for (port = 0, p++; *p >= '0' && *p <= '9'; p++) {
			port = port * 10 + (*p - '0');
			if (port > 65535)
				return (0);
		}
		if (port == 0)
			return (0);
	}
	if (*p != '\0' && *p != '/')
		return (0);
	/* A path, but no query, fragment or anything to escape. */
	for (; *p != '\0'; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/", *p) == NULL)
			return (0);
	}
	/* X.1280 8.1: TLS with X.509 certificates; plain HTTP for tests. */
	if (!https && !authstate_host_loopback(host, hostlen))
		return (0);
	return (1);
}

static int
authstate_hex32(const char *s)
{
	size_t		i;

	for (i = 0; i < 32; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	}
	return (s[32] == '\0');
}

/* Copies a string member of 1 to outlen - 1 bytes without control bytes. */
static int
authstate_copy(json_t *obj, const char *name, char *out, size_t outlen)
{
	const char	*s;
	size_t		 i, len;

	if ((s = json_string_value(json_object_get(obj, name))) == NULL)
		return (-1);
	len = strlen(s);
	if (len == 0 || len >= outlen)
		return (-1);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (-1);
	}
	memcpy(out, s, len + 1);
	return (0);
}

static int
authstate_uint(json_t *obj, const char *name, uint64_t min, uint64_t max,
    uint64_t *out)
{
	json_t		*v;

	v = json_object_get(obj, name);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) < min ||
	    (uint64_t)json_integer_value(v) > max)
		return (-1);
	*out = (uint64_t)json_integer_value(v);
	return (0);
}

static int
authstate_b64(json_t *obj, const char *name, unsigned char *out,
    size_t cap, size_t *len)
{
	const char	*s;
	int		 n;

	if ((s = json_string_value(json_object_get(obj, name))) == NULL ||
	    (n = crypto_b64url_decode(s, out, cap)) <= 0)
		return (-1);
	*len = (size_t)n;
	return (0);
}

static int
authstate_parse(json_t *o, struct authstate_binding *b)
{
	json_t		*sec;
	uint64_t	 v;
	size_t		 saltlen;

	memset(b, 0, sizeof(*b));
	if (!json_is_object(o) ||
	    authstate_copy(o, "issuer", b->issuer, sizeof(b->issuer)) == -1 ||
	    authstate_copy(o, "user_id", b->user_id,
	    sizeof(b->user_id)) == -1 ||
	    authstate_copy(o, "binding_id", b->binding_id,
	    sizeof(b->binding_id)) == -1 ||
	    authstate_copy(o, "authenticator_id", b->authenticator_id,
	    sizeof(b->authenticator_id)) == -1 ||
	    authstate_copy(o, "label", b->label, sizeof(b->label)) == -1 ||
	    authstate_copy(o, "comparison", b->comparison,
	    sizeof(b->comparison)) == -1)
		return (-1);
	if (!authstate_url_valid(b->issuer) || !authstate_hex32(b->binding_id))
		return (-1);
	if (!authstate_mode_valid(b->comparison))
		return (-1);
	if (authstate_uint(o, "code_lifetime", 1, 86400, &v) == -1)
		return (-1);
	b->code_lifetime = (unsigned int)v;
	if (authstate_uint(o, "loa", 0, 4, &v) == -1)
		return (-1);
	b->loa = (unsigned int)v;
	if (authstate_uint(o, "created", 0, INT64_MAX, &b->created) == -1)
		return (-1);

	/* Bound the cost a corrupt file could make us pay for each PIN. */
	sec = json_object_get(o, "secret");
	if (!json_is_object(sec) ||
	    !json_is_string(json_object_get(sec, "kdf")) ||
	    strcmp(json_string_value(json_object_get(sec, "kdf")),
	    "scrypt") != 0 ||
	    authstate_uint(sec, "n", 1024, 1048576, &b->scrypt_n) == -1 ||
	    (b->scrypt_n & (b->scrypt_n - 1)) != 0 ||
	    authstate_uint(sec, "r", 1, 16, &v) == -1)
		return (-1);
	b->scrypt_r = (uint32_t)v;
	if (authstate_uint(sec, "p", 1, 4, &v) == -1)
		return (-1);
	b->scrypt_p = (uint32_t)v;
	if (authstate_b64(sec, "salt", b->salt, sizeof(b->salt),
	    &saltlen) == -1 || saltlen != sizeof(b->salt) ||
	    authstate_b64(sec, "sealed", b->sealed, sizeof(b->sealed),
	    &b->sealed_len) == -1 ||
	    b->sealed_len < CRYPTO_WRAP_OVERHEAD + OFFSET_KEY_LEN)
		return (-1);
	return (0);
}

/* @return a new JSON object for b (json_decref), or NULL. */
static json_t *
authstate_json(const struct authstate_binding *b)
{
	char		salt[B64_MAX(AUTHSTATE_SALT_LEN)];
	char		sealed[B64_MAX(AUTHSTATE_SEALED_MAX)];

	if (crypto_b64url_encode(b->salt, sizeof(b->salt), salt,
	    sizeof(salt)) == -1 ||
	    crypto_b64url_encode(b->sealed, b->sealed_len, sealed,
	    sizeof(sealed)) == -1)
		return (NULL);
	return (json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, "
	    "s:{s:s, s:I, s:I, s:I, s:s, s:s}}",
	    "issuer", b->issuer, "user_id", b->user_id,
	    "binding_id", b->binding_id,
	    "authenticator_id", b->authenticator_id, "label", b->label,
	    "comparison", b->comparison,
	    "code_lifetime", (json_int_t)b->code_lifetime,
	    "loa", (json_int_t)b->loa, "created", (json_int_t)b->created,
	    "secret", "kdf", "scrypt", "n", (json_int_t)b->scrypt_n,
	    "r", (json_int_t)b->scrypt_r, "p", (json_int_t)b->scrypt_p,
	    "salt", salt, "sealed", sealed));
}

int
authstate_mode_valid(const char *mode)
{
	size_t		i;

	for (i = 0; authstate_modes[i] != NULL; i++) {
		if (strcmp(mode, authstate_modes[i]) == 0)
			return (1);
	}
	return (0);
}

int
authstate_from_answer(json_t *a, struct authstate_binding *b,
    unsigned char *k, char *err, size_t errlen)
{
	unsigned char	 buf[OFFSET_KEY_LEN + 1];
	const char	*s;
	json_int_t	 v;

	s = json_string_value(json_object_get(a, "issuer"));
	if (s == NULL || strcmp(s, b->issuer) != 0) {
		snprintf(err, errlen, "the IdP calls itself %.*s, not %s: "
		    "register with that URL", AUTHSTATE_URL_MAX,
		    s != NULL ? s : "(nothing)", b->issuer);
		return (-1);
	}
	s = json_string_value(json_object_get(a, "suite"));
	if (s == NULL || strcmp(s, OFFSET_SUITE) != 0) {
		snprintf(err, errlen, "the IdP uses another suite than %s",
		    OFFSET_SUITE);
		return (-1);
	}
	if (authstate_copy(a, "binding_id", b->binding_id,
	    sizeof(b->binding_id)) == -1 || !authstate_hex32(b->binding_id) ||
	    authstate_copy(a, "user_id", b->user_id, sizeof(b->user_id)) ==
	    -1 || (s = json_string_value(json_object_get(a,
	    "verification_key"))) == NULL ||
	    crypto_b64url_decode(s, buf, sizeof(buf)) != OFFSET_KEY_LEN) {
		OPENSSL_cleanse(buf, sizeof(buf));
		snprintf(err, errlen, "malformed answer from the IdP");
		return (-1);
	}
	memcpy(k, buf, OFFSET_KEY_LEN);
	OPENSSL_cleanse(buf, sizeof(buf));
	/* The rest has defaults: docs/protocol.md §1 and §3. */
	s = json_string_value(json_object_get(a, "comparison"));
	snprintf(b->comparison, sizeof(b->comparison), "%s",
	    s != NULL && authstate_mode_valid(s) ? s : "enter");
	v = json_integer_value(json_object_get(a, "code_lifetime"));
	b->code_lifetime = v > 0 && v <= 86400 ? (unsigned int)v : 120;
	v = json_integer_value(json_object_get(a, "loa"));
	b->loa = v >= 0 && v <= 4 ? (unsigned int)v : 0;
	b->created = (uint64_t)time(NULL);
	return (0);
}

int
authstate_pin_read(const char *pinfile, const char *prompt, char *buf,
    size_t len, char *err, size_t errlen)
{
	if (pinfile != NULL)
		return (authstate_pin_file(pinfile, buf, len, err, errlen));
	return (authstate_tty_read(prompt, 0, buf, len, err, errlen));
}

static int
authstate_pin_file(const char *path, char *buf, size_t len, char *err,
    size_t errlen)
{
	struct stat	sb;
	ssize_t		n;
	int		fd, ret;

	ret = -1;
	if ((fd = crypto_secret_file_open(path, 0, &sb, err, errlen)) == -1)
		return (-1);
	if ((n = read(fd, buf, len - 1)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0' || strlen(buf) > AUTHSTATE_PIN_MAX) {
		snprintf(err, errlen, "%s: one line with the PIN expected",
		    path);
		goto out;
	}
	ret = 0;

out:
	if (ret == -1)
		OPENSSL_cleanse(buf, len);
	close(fd);
	return (ret);
}

int
authstate_tty_read(const char *prompt, int echo, char *buf, size_t len,
    char *err, size_t errlen)
{
	struct sigaction	sa, saved[AUTHSTATE_TTY_SIGNALS];
	struct termios		quiet;
	size_t			i;
	char			c;
	int			fd, restore, ret;

	ret = -1;
	restore = 0;
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "no terminal to ask on");
		return (-1);
	}
	if (!echo && tcgetattr(fd, &authstate_tty_saved) == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = authstate_tty_signal;
		sigemptyset(&sa.sa_mask);
		for (i = 0; i < AUTHSTATE_TTY_SIGNALS; i++)
			sigaction(authstate_tty_signals[i], &sa, &saved[i]);
		authstate_tty_fd = fd;
		quiet = authstate_tty_saved;
		quiet.c_lflag &= ~(ECHO | ECHOE | ECHOK);
		quiet.c_lflag |= ECHONL;
		restore = 1;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (write(fd, prompt, strlen(prompt)) == -1)
		goto out;
	for (i = 0; read(fd, &c, 1) == 1 && c != '\n';) {
		if (i + 1 >= len)
			goto out;
		buf[i++] = c;
	}
	buf[i] = '\0';
	if (i > 0)
		ret = 0;

out:
	if (restore) {
		tcsetattr(fd, TCSAFLUSH, &authstate_tty_saved);
		authstate_tty_fd = -1;
		for (i = 0; i < AUTHSTATE_TTY_SIGNALS; i++)
			sigaction(authstate_tty_signals[i], &saved[i], NULL);
	}
	if (ret == -1) {
		OPENSSL_cleanse(buf, len);
		snprintf(err, errlen, "no answer, or too long");
	}
	close(fd);
	return (ret);
}

/* Puts echo back on, then dies of the signal as if never caught. */
static void
authstate_tty_signal(int sig)
{
	if (authstate_tty_fd != -1)
		tcsetattr(authstate_tty_fd, TCSAFLUSH, &authstate_tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}
