/*
 * template.c: HTML pages from files under assets/templates/.
 *
 * A template is read once at start-up. "{{name}}" is replaced by the
 * named value, HTML-escaped; there is no way to insert raw markup except
 * through a value marked TEMPLATE_RAW, which only code-built markup
 * (never user input) may use.
 */
#ifndef MUTUA_TEMPLATE_H
#define MUTUA_TEMPLATE_H

#include <stddef.h>

#define TEMPLATE_MAX		(256 * 1024)
#define TEMPLATE_RAW		0x01

struct template {
	char	*text;
	size_t	 len;
};

struct template_var {
	const char	*name;
	const char	*value;
	int		 flags;
};

/*
 * Reads dir/name into t. @return 0, or -1 with a reason in err.
 * Release with template_free().
 */
int	template_load(struct template *t, const char *dir, const char *name,
	    char *err, size_t errlen);

void	template_free(struct template *);

/*
 * Renders t with nvars variables. Unknown names render as empty.
 * @param len	receives the output length
 * @return a NUL-terminated string to free(), or NULL on error.
 */
char	*template_render(const struct template *, const struct template_var *,
	    size_t nvars, size_t *len);

/*
 * Appends n bytes of s to the growing buffer *out (length *len, capacity
 * *cap; free() it), keeping it NUL-terminated.
 * @return 0 or -1 (out of memory or over twice TEMPLATE_MAX).
 */
int	template_append(char **out, size_t *len, size_t *cap, const char *s,
	    size_t n);

/*
 * Appends s to the growing buffer *out (length *len, capacity *cap),
 * HTML-escaped. @return 0 or -1 (out of memory or over TEMPLATE_MAX).
 */
int	template_escape(char **out, size_t *len, size_t *cap, const char *s);

#endif
