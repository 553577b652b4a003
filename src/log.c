/*
 * Structured logging: key=value lines on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int	log_needs_quotes(const char *);
static size_t	log_escape(char, char *);

void
log_event(const char *event, ...)
{
	va_list		ap;

	va_start(ap, event);
	log_eventv(event, ap);
	va_end(ap);
}

void
log_eventv(const char *event, va_list ap)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 line[LOG_LINE_MAX], stamp[96];
	const char	*key, *value;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);

	line[0] = '\0';
	log_append_pair(line, sizeof(line), "ts", stamp);
	log_append_pair(line, sizeof(line), "event", event);
	while ((key = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		log_append_pair(line, sizeof(line), key, value);
	}

	/* One write per line so lines from several workers do not mix. */
	fprintf(stderr, "%s\n", line + 1);
}

void
log_append_pair(char *buf, size_t len, const char *key, const char *value)
{
	const char	*p;
	char		 esc[8];
	size_t		 off, head, vlen, elen;
	int		 quote;

	if (value == NULL || *value == '\0')
		value = "-";
	off = strlen(buf);
	quote = log_needs_quotes(value);
	head = 1 + strlen(key) + 1 + quote;	/* ' ' key '=' ['"'] */
	vlen = 0;
	for (p = value; *p != '\0'; p++)
		vlen += log_escape(*p, esc);

	/* A pair that fits is written whole. */
	if (off + head + vlen + quote < len) {
		off += snprintf(buf + off, len - off, " %s=%s", key,
		    quote ? "\"" : "");
		for (p = value; *p != '\0'; p++) {
			elen = log_escape(*p, esc);
			memcpy(buf + off, esc, elen);
			off += elen;
		}
		snprintf(buf + off, len - off, "%s", quote ? "\"" : "");
		return;
	}
	/* Otherwise cut between escapes, or leave it out altogether. */
	if (off + head + 3 + quote >= len)
		return;
	off += snprintf(buf + off, len - off, " %s=%s", key, quote ? "\"" : "");
	for (p = value; *p != '\0'; p++) {
		elen = log_escape(*p, esc);
		if (off + elen + 3 + quote >= len)
			break;
		memcpy(buf + off, esc, elen);
		off += elen;
	}
	snprintf(buf + off, len - off, "...%s", quote ? "\"" : "");
}

/* Writes c as it appears in a value into esc[8]; returns its length. */
static size_t
log_escape(char c, char *esc)
{
	if (c == '"' || c == '\\')
		return ((size_t)snprintf(esc, 8, "\\%c", c));
	if ((unsigned char)c < 0x20 || c == 0x7f)
		return ((size_t)snprintf(esc, 8, "\\x%02x", (unsigned char)c));
	esc[0] = c;
	esc[1] = '\0';
	return (1);
}

static int
log_needs_quotes(const char *value)
{
	const char	*p;

	for (p = value; *p != '\0'; p++) {
		if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\' ||
		    (unsigned char)*p < 0x20 || *p == 0x7f)
			return (1);
	}
	return (0);
}
