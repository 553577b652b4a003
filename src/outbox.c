/*
 * Development e-mail: one file per message.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "outbox.h"

#define OUTBOX_MESSAGE_MAX	2048

int
outbox_write(const char *dir, const char *to, const char *subject,
    const char *body, uint64_t now)
{
	char		path[PATH_MAX], msg[OUTBOX_MESSAGE_MAX], rnd[17];
	ssize_t		w;
	int		fd, n, ret;

	if (dir[0] == '\0' || to[0] == '\0')
		return (0);
	/* A header must not be split by a value: no CR or LF in them. */
	if (strpbrk(to, "\r\n") != NULL || strpbrk(subject, "\r\n") != NULL)
		return (-1);
	if (crypto_random_hex(rnd, sizeof(rnd), 8) == -1)
		return (-1);
	n = snprintf(path, sizeof(path), "%s/%llu-%s.eml", dir,
	    (unsigned long long)now, rnd);
	if (n < 0 || (size_t)n >= sizeof(path))
		return (-1);
	n = snprintf(msg, sizeof(msg), "To: %s\r\nFrom: mutua\r\n"
	    "Subject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	    "%s\r\n", to, subject, body);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return (-1);
	/* O_EXCL, no rename: the worker sandbox allows open and write. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		return (-1);
	w = write(fd, msg, (size_t)n);
	ret = close(fd) == 0 && w == n ? 1 : -1;
	OPENSSL_cleanse(msg, sizeof(msg));
	if (ret == -1)
		unlink(path);
	return (ret);
}
