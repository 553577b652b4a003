/*
 * qr.c: QR codes as inline SVG (libqrencode), drawn on the server so the
 * page needs no script and no third-party service (X.1280 8.3 QR mode).
 */
#ifndef MUTUA_QR_H
#define MUTUA_QR_H

/*
 * Encodes text (error correction level M) as an SVG document.
 * @return a NUL-terminated string to free(), or NULL on error.
 */
char	*qr_svg(const char *text, const char *title);

#endif
