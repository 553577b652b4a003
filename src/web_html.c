/*
 * HTML fragments built in code (tables and lists of the help desk and
 * the account page): raw markup only from literals, everything else
 * escaped.
 */
#include <stdio.h>
#include <string.h>

#include "binding.h"
#include "date.h"
#include "web.h"

void
web_html_raw(struct web_html *h, const char *s)
{
	if (!h->error && template_append(&h->out, &h->len, &h->cap, s,
	    strlen(s)) == -1)
		h->error = 1;
}

void
web_html_text(struct web_html *h, const char *s)
{
	if (!h->error && template_escape(&h->out, &h->len, &h->cap,
	    s != NULL ? s : "") == -1)
		h->error = 1;
}

void
web_html_row(struct web_html *h, const char *href, const char *const *cells,
    int n)
{
	int	i;

	web_html_raw(h, "<tr>");
	for (i = 0; i < n; i++) {
		web_html_raw(h, "<td>");
		if (i == 0 && href != NULL) {
			web_html_raw(h, "<a href=\"");
			web_html_text(h, href);
			web_html_raw(h, "\">");
		}
		web_html_text(h, cells[i]);
		if (i == 0 && href != NULL)
			web_html_raw(h, "</a>");
		web_html_raw(h, "</td>");
	}
	web_html_raw(h, "</tr>\n");
}

void
web_html_binding_rows(struct web_html *h, const struct binding *list, int n,
    int with_id)
{
	char		 created[DATE_MAX], used[DATE_MAX], loa[16];
	const char	*cells[6];
	int		 i, k;

	for (i = 0; i < n; i++) {
		k = 0;
		snprintf(loa, sizeof(loa), "LoA%u", list[i].loa);
		if (with_id)
			cells[k++] = list[i].id;
		cells[k++] = list[i].label;
		cells[k++] = loa;
		cells[k++] = binding_state_label(list[i].state);
		cells[k++] = date_format(list[i].created, DATE_MINUTE, created,
		    sizeof(created));
		cells[k++] = date_format(list[i].last_used, DATE_MINUTE, used,
		    sizeof(used));
		web_html_row(h, NULL, cells, k);
	}
}

void
web_html_binding_options(struct web_html *h, const struct binding *list,
    int n, int with_suspended)
{
	char	loa[16];
	int	i;

	for (i = 0; i < n; i++) {
		if (list[i].state != BINDING_ACTIVE &&
		    (!with_suspended || list[i].state != BINDING_SUSPENDED))
			continue;
		snprintf(loa, sizeof(loa), "LoA%u", list[i].loa);
		web_html_raw(h, "<option value=\"");
		web_html_text(h, list[i].id);
		web_html_raw(h, "\">");
		web_html_text(h, list[i].label);
		web_html_raw(h, " (");
		web_html_text(h, loa);
		web_html_raw(h, ")</option>");
	}
}

const char *
web_html_service(const char *rp, const char *name, char *buf, size_t len)
{
	if (name == NULL || name[0] == '\0')
		snprintf(buf, len, "%s", rp);
	else
		snprintf(buf, len, "%s (%s)", name, rp);
	return (buf);
}
