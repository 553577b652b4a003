/*
 * The X.1280 offset: building, parsing, and the code derived from it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "ocra.h"
#include "offset.h"

static int	offset_put(char *, size_t, size_t *, const char *,
		    const char *);
static int	offset_get(const char **, const char *, char *, size_t);
static int	offset_unreserved(unsigned char);
static int	offset_hex32(const char *);
static int	offset_name_clean(const char *);

/* SID and N are 32 lower-case hex digits (docs/protocol.md §3). */
static int
offset_hex32(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	}
	return (i == 32);
}

/*
 * The RP's name is shown as it is: only a name text_display_name()
 * leaves unchanged (one line of valid UTF-8) is accepted, or none.
 */
static int
offset_name_clean(const char *name)
{
	char	clean[TEXT_NAME_MAX];

	if (name[0] == '\0')
		return (1);
	return (text_display_name(clean, sizeof(clean), name) == 0 &&
	    strcmp(clean, name) == 0);
}

static int
offset_unreserved(unsigned char c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~');
}

/* Appends "&name=" (no '&' first) and the percent-encoded value. */
static int
offset_put(char *out, size_t outlen, size_t *off, const char *name,
    const char *value)
{
	const unsigned char	*p;
	int			 n;

	n = snprintf(out + *off, outlen - *off, "%s%s=",
	    *off == 0 ? "" : "&", name);
	if (n < 0 || (size_t)n >= outlen - *off)
		return (-1);
	*off += n;
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (offset_unreserved(*p))
			n = snprintf(out + *off, outlen - *off, "%c", *p);
		else
			n = snprintf(out + *off, outlen - *off, "%%%02X", *p);
		if (n < 0 || (size_t)n >= outlen - *off)
			return (-1);
		*off += n;
	}
	return (0);
}

int
offset_build(const struct offset_fields *f, char *out, size_t outlen)
{
	char		t[24];
	size_t		off;

	off = 0;
	out[0] = '\0';
	snprintf(t, sizeof(t), "%llu", (unsigned long long)f->t);
	if (offset_put(out, outlen, &off, "v", OFFSET_VERSION) == -1 ||
	    offset_put(out, outlen, &off, "rp", f->rp) == -1 ||
	    offset_put(out, outlen, &off, "rpn", f->rpn) == -1 ||
	    offset_put(out, outlen, &off, "sid", f->sid) == -1 ||
	    offset_put(out, outlen, &off, "tpub", f->tpub) == -1 ||
	    offset_put(out, outlen, &off, "tpriv", f->tpriv) == -1 ||
	    offset_put(out, outlen, &off, "ua", f->ua) == -1 ||
	    offset_put(out, outlen, &off, "uid", f->uid) == -1 ||
	    offset_put(out, outlen, &off, "t", t) == -1 ||
	    offset_put(out, outlen, &off, "n", f->n) == -1)
		return (-1);
	return (0);
}

/*
 * Reads "name=value" at *p (after an '&' unless first), percent-decoding
 * into out; rejects NUL bytes and malformed escapes.
 */
static int
offset_get(const char **p, const char *name, char *out, size_t cap)
{
	const char	*s;
	size_t		 len, n;
	int		 hi, lo;

	s = *p;
	len = strlen(name);
	if (strncmp(s, name, len) != 0 || s[len] != '=')
		return (-1);
	s += len + 1;
	for (n = 0; *s != '\0' && *s != '&'; s++) {
		if (n + 1 >= cap)
			return (-1);
		if (*s == '%') {
			hi = OPENSSL_hexchar2int((unsigned char)s[1]);
			lo = hi < 0 ? -1 :
			    OPENSSL_hexchar2int((unsigned char)s[2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return (-1);
			out[n++] = (char)(hi << 4 | lo);
			s += 2;
		} else if (offset_unreserved((unsigned char)*s))
			out[n++] = *s;
		else
			return (-1);
	}
	out[n] = '\0';
	if (*s == '&' && *++s == '\0')
		return (-1);	/* a trailing '&' is not the format */
	*p = s;
	return (0);
}

int
offset_parse(const char *offset, struct offset_fields *f)
{
	const char	*p;
	char		 v[4], t[24], *end;

	memset(f, 0, sizeof(*f));
	if (strlen(offset) >= OFFSET_MAX)
		return (-1);
	p = offset;
	if (offset_get(&p, "v", v, sizeof(v)) == -1 ||
	    (strcmp(v, "1") != 0 && strcmp(v, OFFSET_VERSION) != 0) ||
	    offset_get(&p, "rp", f->rp, sizeof(f->rp)) == -1)
		return (-1);
	/* Version 1, still in stored alerts and requests, had no name. */
	if (strcmp(v, OFFSET_VERSION) == 0 &&
	    offset_get(&p, "rpn", f->rpn, sizeof(f->rpn)) == -1)
		return (-1);
	if (offset_get(&p, "sid", f->sid, sizeof(f->sid)) == -1 ||
	    offset_get(&p, "tpub", f->tpub, sizeof(f->tpub)) == -1 ||
	    offset_get(&p, "tpriv", f->tpriv, sizeof(f->tpriv)) == -1 ||
	    offset_get(&p, "ua", f->ua, sizeof(f->ua)) == -1 ||
	    offset_get(&p, "uid", f->uid, sizeof(f->uid)) == -1 ||
	    offset_get(&p, "t", t, sizeof(t)) == -1 ||
	    offset_get(&p, "n", f->n, sizeof(f->n)) == -1 || *p != '\0')
		return (-1);
	if (t[0] < '1' || t[0] > '9' || !offset_hex32(f->sid) ||
	    !offset_hex32(f->n) || !offset_name_clean(f->rpn))
		return (-1);
	errno = 0;
	f->t = strtoull(t, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return (-1);
	return (0);
}

void
offset_hash_hex(const char *offset, char *out)
{
	crypto_sha256_hex(offset, strlen(offset), out);
}

int
offset_code(const unsigned char *key, const char *offset, char *code)
{
	struct ocra_suite	suite;
	struct ocra_input	in;
	const char		*reason;
	char			 q[2 * CRYPTO_SHA256_LEN + 1];

	if (ocra_suite_parse(OFFSET_SUITE, &suite, &reason) == -1)
		return (-1);
	offset_hash_hex(offset, q);
	memset(&in, 0, sizeof(in));
	in.question = q;
	return (ocra_compute(&suite, key, OFFSET_KEY_LEN, &in, code,
	    OFFSET_CODE_LEN + 1, &reason));
}

void
offset_session_hash(const char *session_id, char *out)
{
	char		hex[2 * CRYPTO_SHA256_LEN + 1];

	crypto_sha256_hex(session_id, strlen(session_id), hex);
	memcpy(out, hex, 32);
	out[32] = '\0';
}
