/*
 * date.c: times as mutua shows them, always UTC.
 */
#ifndef MUTUA_DATE_H
#define MUTUA_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_MAX	32	/* enough for every style, NUL included */

enum date_style {
	DATE_ISO,	/* 2026-01-31T12:00:00Z: SAML, metadata, the tools */
	DATE_MINUTE,	/* 2026-01-31 12:00 UTC: pages */
	DATE_DAY	/* 2026-01-31: expiry dates */
};

/*
 * Writes t (seconds since the epoch) in style into out (len bytes, at
 * least DATE_MAX); 0, a time that never happened, is written as "-".
 * @return out.
 */
char	*date_format(uint64_t t, enum date_style style, char *out,
	    size_t len);

/*
 * Parses xs:dateTime "YYYY-MM-DDThh:mm:ss[.fff]Z" (UTC only) into *out.
 * @return 0, or -1 when s is NULL or not in that form.
 */
int	date_parse_iso(const char *s, uint64_t *out);

/*
 * Parses an xs:duration "PnYnMnDTnHnMnS" (whole numbers, no sign) into
 * seconds. @return 0, or -1 when s is not one.
 */
int	date_parse_duration(const char *s, uint64_t *out);

#endif
