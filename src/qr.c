/*
 * Server-side QR code rendering.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"
#include "template.h"

#define QR_QUIET	4	/* modules of quiet zone, ISO/IEC 18004 */

static int	qr_put(char **, size_t *, size_t *, const char *);

static int
qr_put(char **out, size_t *len, size_t *cap, const char *s)
{
	return (template_append(out, len, cap, s, strlen(s)));
}

char *
qr_svg(const char *text, const char *title)
{
	QRcode		*qr;
	char		*out, cell[128];
	size_t		 len, cap;
	int		 x, y, size, n;

	out = NULL;
	len = cap = 0;
	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1)) == NULL)
		return (NULL);
	size = qr->width + 2 * QR_QUIET;
	n = snprintf(cell, sizeof(cell), "<svg xmlns=\"http://www.w3.org/"
	    "2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\"", size, size);
	if (n < 0 || (size_t)n >= sizeof(cell))
		goto fail;
	/* Assemble: header, title, white background, one path of modules. */
	if (qr_put(&out, &len, &cap, cell) == -1 ||
	    qr_put(&out, &len, &cap, " aria-label=\"") == -1 ||
	    template_escape(&out, &len, &cap, title) == -1 ||
	    qr_put(&out, &len, &cap, "\"><title>") == -1 ||
	    template_escape(&out, &len, &cap, title) == -1 ||
	    qr_put(&out, &len, &cap, "</title>") == -1)
		goto fail;
	snprintf(cell, sizeof(cell), "<rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/><path fill=\"#000\" d=\"", size, size);
	if (qr_put(&out, &len, &cap, cell) == -1)
		goto fail;
	for (y = 0; y < qr->width; y++) {
		for (x = 0; x < qr->width; x++) {
			if (!(qr->data[y * qr->width + x] & 1))
				continue;
			snprintf(cell, sizeof(cell), "M%d %dh1v1h-1z",
			    x + QR_QUIET, y + QR_QUIET);
			if (qr_put(&out, &len, &cap, cell) == -1)
				goto fail;
		}
	}
	if (qr_put(&out, &len, &cap, "\"/></svg>") == -1)
		goto fail;
	QRcode_free(qr);
	return (out);

fail:
	QRcode_free(qr);
	free(out);
	return (NULL);
}
