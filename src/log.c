/*
 * Structured logging: key=value lines on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int	log_needs_quotes(const char *);

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
	size_t		 off;
	int		 quote;
	const char	*p;
	char		 esc[8];

	if (value == NULL || *value == '\0')
		value = "-";
	off = strlen(buf);
	quote = log_needs_quotes(value);

	if (off + strlen(key) + 2 >= len)
		return;
	off += snprintf(buf + off, len - off, " %s=%s", key, quote ? "\"" : "");

	for (p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)*p);
		else
			snprintf(esc, sizeof(esc), "%c", *p);
		if (off + strlen(esc) + 5 >= len) {
			off += snprintf(buf + off, len - off, "...");
			break;
		}
		off += snprintf(buf + off, len - off, "%s", esc);
	}
	if (quote && off + 1 < len)
		snprintf(buf + off, len - off, "\"");
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
