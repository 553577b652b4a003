/*
 * Times as mutua shows them. Everything is UTC: gmtime_r(), never the
 * local zone, so a page, a log line and a SAML assertion agree.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int
date_parse_iso(const char *s, uint64_t *out)
{
	struct tm	tm;
	char		rest[16];
	int		n;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%15s", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    rest) != 7)
		return (-1);
	n = strlen(rest);
	if (rest[n - 1] != 'Z' || (n > 1 && rest[0] != '.'))
		return (-1);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (uint64_t)timegm(&tm);
	return (0);
}

/*
 * xs:duration (XML Schema Part 2 §3.2.6) as metadata's cacheDuration uses
 * it: PnYnMnDTnHnMnS, whole numbers; a year counts 365 days and a month
 * 30, which is what an interval between checks needs.
 */
int
date_parse_duration(const char *s, uint64_t *out)
{
	static const struct {
		char		unit;
		int		time;	/* after the 'T' */
		uint64_t	seconds;
	} units[] = {
		{ 'Y', 0, 365 * 86400 }, { 'M', 0, 30 * 86400 },
		{ 'D', 0, 86400 }, { 'H', 1, 3600 }, { 'M', 1, 60 },
		{ 'S', 1, 1 },
	};
	unsigned long long	 v;
	uint64_t		 total;
	size_t			 u;
	char			*end;
	int			 intime, any;

	if (s == NULL || *s++ != 'P')
		return (-1);
	total = 0;
	intime = any = 0;
	u = 0;
	while (*s != '\0') {
		if (*s == 'T' && !intime) {
			intime = 1;
			s++;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return (-1);
		v = strtoull(s, &end, 10);
		if (v > 100000000ULL)
			return (-1);
		/* Units in order, each once, date ones before the 'T'. */
		while (u < sizeof(units) / sizeof(units[0]) &&
		    (units[u].unit != *end || units[u].time != intime))
			u++;
		if (u == sizeof(units) / sizeof(units[0]))
			return (-1);
		total += v * units[u++].seconds;
		s = end + 1;
		any = 1;
	}
	if (!any)
		return (-1);
	*out = total;
	return (0);
}
