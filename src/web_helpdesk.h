/*
 * web_helpdesk*.c: the help-desk console under /helpdesk (docs/helpdesk.md).
 *
 * Staff sign in with their own out-of-band login and must hold a staff
 * role; every form carries the CSRF token of the staff session, every
 * action goes through enrolment.c (an X.1254 event and an audit record).
 */
#ifndef MUTUA_WEB_HELPDESK_H
#define MUTUA_WEB_HELPDESK_H

#include "enrolment.h"
#include "web.h"

/* A growing HTML fragment (template_append); free(out) when done. */
struct web_html {
	char	*out;
	size_t	 len;
	size_t	 cap;
	int	 error;
};

/*
 * The staff member of this request: an out-of-band session (LoA2 or
 * more) of a user with USER_ROLE_HELPDESK or USER_ROLE_ADMIN. Otherwise
 * answers itself (a GET goes to the login, back to /helpdesk; a refused
 * staff member gets 403 and an audit record).
 * @return 1 when the request may go on.
 */
int	web_helpdesk_staff(struct http_request *, char *sid,
	    struct session *);

/* As web_helpdesk_staff(), for a POST: also checks the CSRF token. */
int	web_helpdesk_post(struct http_request *, char *sid, struct session *);

/* Appends raw markup (code-built only) or an escaped text. */
void	web_html_raw(struct web_html *, const char *);
void	web_html_text(struct web_html *, const char *);

/*
 * Appends a table row of escaped cells; the first links to href when
 * href is not NULL.
 */
void	web_html_row(struct web_html *, const char *href,
	    const char *const *cells, int n);

/* The HTTP status that answers an enrolment error. */
int	web_helpdesk_status(enum vetting_error);

/* "2026-01-31 12:00 UTC" (or "-" for 0). */
void	web_helpdesk_date(uint64_t, char *, size_t);

/* Renders the case page with a message (web_helpdesk_case.c). */
void	web_helpdesk_case_page(struct http_request *, int status,
	    const struct session *, const char *sid, const char *case_id,
	    const char *message);

#endif
