/*
 * log.c: one line per event on stderr, as key=value pairs.
 *
 * Values are quoted when they contain spaces, quotes or '=' and control
 * characters are escaped, so a hostile value cannot forge a second line.
 * Never pass a secret, code, key or password to these functions.
 */
#ifndef MUTUA_LOG_H
#define MUTUA_LOG_H

#include <stdarg.h>
#include <stddef.h>

#define LOG_LINE_MAX	2048

/*
 * Writes "ts=<iso8601> event=<event>" followed by the pairs given as
 * alternating key and value strings, terminated by a NULL key.
 * A NULL value is written as "-".
 */
void	log_event(const char *event, ...);

/* As log_event, with the pairs in a va_list. */
void	log_eventv(const char *event, va_list);

/*
 * Appends " key=value" to buf (of size len, NUL-terminated), quoting and
 * escaping value. Output that does not fit is truncated at a character
 * boundary and ends with "...".
 */
void	log_append_pair(char *buf, size_t len, const char *key,
	    const char *value);

#endif
