/*
 * Times as mutua shows them. Everything is UTC: gmtime_r(), never the
 * local zone, so a page, a log line and a SAML assertion agree.
 */
#include <stdio.h>
#include <time.h>

#include "date.h"

char *
date_format(uint64_t t, enum date_style style, char *out, size_t len)
{
	static const char	*formats[] = {
		[DATE_ISO] = "%Y-%m-%dT%H:%M:%SZ",
		[DATE_MINUTE] = "%Y-%m-%d %H:%M UTC",
		[DATE_DAY] = "%Y-%m-%d",
	};
	struct tm		 tm;
	time_t			 tt;

	tt = (time_t)t;
	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, formats[style], &tm) == 0)
		snprintf(out, len, "-");
	return (out);
}
