/*
 * text.c: text from outside that is shown to people.
 *
 * Display names come from SAML metadata (mdui:DisplayName) and OAuth
 * client registrations (client_name); they end up on the login page, on
 * the authenticators and in the help-desk console, so they are cleaned
 * once, where they are read.
 */
#ifndef MUTUA_TEXT_H
#define MUTUA_TEXT_H

#include <stddef.h>

/* Room for a display name: 64 characters of up to 4 bytes, and a NUL. */
#define TEXT_NAME_MAX		257

/*
 * Copies the display name src into dst (capacity len): white space runs
 * (including line breaks and tabs) become one space, leading and
 * trailing space is dropped, and a name longer than dst is cut at a
 * character boundary. Control characters and invalid UTF-8 make the
 * whole name unusable rather than half shown.
 * @return 0, or -1 (dst is then empty) for a bad or empty name.
 */
int	text_display_name(char *dst, size_t len, const char *src);

#endif
