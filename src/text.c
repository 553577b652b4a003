/*
 * Display names from outside: one clean line of valid UTF-8.
 */
#include <string.h>

#include "text.h"

static size_t	text_utf8_len(const unsigned char *);

/*
 * The length of the UTF-8 sequence at s, or 0 when it is not a valid,
 * shortest-form sequence of a scalar value (RFC 3629 §4).
 */
static size_t
text_utf8_len(const unsigned char *s)
{
	size_t		n, i;
	unsigned int	cp, min;

	if (s[0] < 0x80)
		return (1);
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	/* C1 controls and the line/paragraph separators. */
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)
		return (0);
	return (n);
}

int
text_display_name(char *dst, size_t len, const char *src)
{
	const unsigned char	*s;
	size_t			 n, off;
	int			 space;

	off = 0;
	space = 0;
	if (len == 0)
		return (-1);
	dst[0] = '\0';
	for (s = (const unsigned char *)src; *s != '\0'; s += n) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = off > 0;
			n = 1;
			continue;
		}
		if (*s < 0x20 || *s == 0x7f || (n = text_utf8_len(s)) == 0)
			goto fail;
		if (off + space + n >= len)
			break;
		if (space)
			dst[off++] = ' ';
		space = 0;
		memcpy(dst + off, s, n);
		off += n;
	}
	dst[off] = '\0';
	if (off == 0)
		goto fail;
	return (0);

fail:
	dst[0] = '\0';
	return (-1);
}
