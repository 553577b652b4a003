/*
 * outbox.c: e-mail to users in development, written as files.
 *
 * mutua sends no mail itself. With outbox_dir set, each message to a user
 * (a vetting code, an activation notice) is written as one .eml file that
 * a mail relay or a developer picks up. The files may hold secrets such
 * as vetting codes: the directory belongs to the server's user alone.
 */
#ifndef MUTUA_OUTBOX_H
#define MUTUA_OUTBOX_H

#include <stdint.h>

/*
 * Writes a message to "to" as a new file (mode 0600) in dir.
 * @param dir	the outbox directory; "" means no outbox
 * @param now	unix time, for the file name
 * @return 1 when written, 0 when there is no outbox or no address,
 *	   -1 on error.
 */
int	outbox_write(const char *dir, const char *to, const char *subject,
	    const char *body, uint64_t now);

#endif
