/*
 * Minimal HTML templates with escaping by default.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

int
template_load(struct template *t, const char *dir, const char *name,
    char *err, size_t errlen)
{
	FILE		*fp;
	char		 path[1024];
	size_t		 n;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if ((t->text = malloc(TEMPLATE_MAX + 1)) == NULL) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return (-1);
	}
	n = fread(t->text, 1, TEMPLATE_MAX + 1, fp);
	fclose(fp);
	if (n > TEMPLATE_MAX) {
		template_free(t);
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    TEMPLATE_MAX);
		return (-1);
	}
	t->text[n] = '\0';
	t->len = n;
	return (0);
}

void
template_free(struct template *t)
{
	free(t->text);
	memset(t, 0, sizeof(*t));
}

int
template_append(char **out, size_t *len, size_t *cap, const char *s,
    size_t n)
{
	char	*p;
	size_t	 ncap;

	if (*len + n + 1 > TEMPLATE_MAX * 2)
		return (-1);
	if (*len + n + 1 > *cap) {
		ncap = *cap == 0 ? 4096 : *cap;
		while (ncap < *len + n + 1)
			ncap *= 2;
		if ((p = realloc(*out, ncap)) == NULL)
			return (-1);
		*out = p;
		*cap = ncap;
	}
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = '\0';
	return (0);
}

int
template_escape(char **out, size_t *len, size_t *cap, const char *s)
{
	const char	*p, *rep;
	size_t		 run;

	for (p = s; *p != '\0'; p += run) {
		run = strcspn(p, "<>&\"'");
		if (run > 0) {
			if (template_append(out, len, cap, p, run) == -1)
				return (-1);
			continue;
		}
		switch (*p) {
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '&':
			rep = "&amp;";
			break;
		case '"':
			rep = "&quot;";
			break;
		default:
			rep = "&#39;";
			break;
		}
		if (template_append(out, len, cap, rep, strlen(rep)) == -1)
			return (-1);
		run = 1;
	}
	return (0);
}

char *
template_render(const struct template *t, const struct template_var *vars,
    size_t nvars, size_t *lenp)
{
	const char	*p, *open, *close;
	char		*out;
	size_t		 len, cap, i, namelen;
	int		 rc;

	out = NULL;
	len = cap = 0;
	if (template_append(&out, &len, &cap, "", 0) == -1)
		return (NULL);

	for (p = t->text; (open = strstr(p, "{{")) != NULL; p = close + 2) {
		if ((close = strstr(open + 2, "}}")) == NULL)
			break;
		if (template_append(&out, &len, &cap, p, open - p) == -1)
			goto fail;
		namelen = close - (open + 2);
		for (i = 0; i < nvars; i++) {
			if (strlen(vars[i].name) == namelen &&
			    strncmp(vars[i].name, open + 2, namelen) == 0)
				break;
		}
		if (i == nvars || vars[i].value == NULL)
			continue;
		if (vars[i].flags & TEMPLATE_RAW)
			rc = template_append(&out, &len, &cap, vars[i].value,
			    strlen(vars[i].value));
		else
			rc = template_escape(&out, &len, &cap, vars[i].value);
		if (rc == -1)
			goto fail;
	}
	if (template_append(&out, &len, &cap, p, strlen(p)) == -1)
		goto fail;
	*lenp = len;
	return (out);

fail:
	free(out);
	return (NULL);
}
