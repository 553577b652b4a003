/*
 * /app/: the web authenticator (assets/app/, docs/web-authenticator.md).
 *
 * Served by mutua itself rather than a Kore filemap, so that its pages
 * carry the same strict Content-Security-Policy and headers as every
 * other page, with the right media types for the web app manifest and
 * the service worker. Only the files listed here exist: the URL space
 * of /app/ is closed, and nothing else under assets/app/ is reachable.
 * Each request reads its file (a few kilobytes; Kore copies the body),
 * so nothing is held across a SIGHUP reload.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web.h"

#define WEB_APP_DIR		"assets/app"
#define WEB_APP_FILE_MAX	(512 * 1024)
#define WEB_APP_ICON_AGE	86400	/* icons: cached for a day */

int	web_app(struct http_request *);

struct web_app_file {
	const char	*name;		/* after /app/; "" is the index */
	const char	*file;		/* under WEB_APP_DIR */
	const char	*type;
	int		 max_age;	/* 0: no-store */
};

/*
 * The shell is never cached by HTTP: the service worker keeps its own
 * copy for offline use and fetches the network first, so an update of
 * the authenticator reaches the phone on its next start.
 */
static const struct web_app_file	web_app_files[] = {
	{ "", "index.html", "text/html; charset=utf-8", 0 },
	{ "index.html", "index.html", "text/html; charset=utf-8", 0 },
	{ "app.js", "app.js", "text/javascript; charset=utf-8", 0 },
	{ "sw.js", "sw.js", "text/javascript; charset=utf-8", 0 },
	{ "app.css", "app.css", "text/css; charset=utf-8", 0 },
	{ "manifest.webmanifest", "manifest.webmanifest",
	    "application/manifest+json", 0 },
	{ "icon.svg", "icon.svg", "image/svg+xml", WEB_APP_ICON_AGE },
	{ "icon-192.png", "icon-192.png", "image/png", WEB_APP_ICON_AGE },
	{ "icon-512.png", "icon-512.png", "image/png", WEB_APP_ICON_AGE },
};

#define WEB_APP_NFILES	(sizeof(web_app_files) / sizeof(web_app_files[0]))

static const struct web_app_file	*web_app_find(const char *);
static char	*web_app_read(const struct web_app_file *, size_t *);

static const struct web_app_file *
web_app_find(const char *name)
{
	size_t		i;

	for (i = 0; i < WEB_APP_NFILES; i++) {
		if (strcmp(web_app_files[i].name, name) == 0)
			return (&web_app_files[i]);
	}
	return (NULL);
}

/*
 * Reads the file of f. @return its contents (kore_free) and length in
 * *len, or NULL.
 */
static char *
web_app_read(const struct web_app_file *f, size_t *len)
{
	struct stat	 st;
	char		 path[256];
	char		*buf, *ret;
	ssize_t		 n;
	size_t		 off;
	int		 fd;

	ret = NULL;
	buf = NULL;
	snprintf(path, sizeof(path), "%s/%s", WEB_APP_DIR, f->file);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return (NULL);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || st.st_size > WEB_APP_FILE_MAX)
		goto out;
	buf = kore_malloc((size_t)st.st_size);
	for (off = 0; off < (size_t)st.st_size; off += (size_t)n) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			goto out;
	}
	*len = off;
	ret = buf;
	buf = NULL;
out:
	kore_free(buf);
	close(fd);
	return (ret);
}

int
web_app(struct http_request *req)
{
	const struct web_app_file	*f;
	const char			*name;
	char				*data;
	size_t				 len;

	web_begin(req);
	if (req->method != HTTP_METHOD_GET &&
	    req->method != HTTP_METHOD_HEAD) {
		http_response_header(req, "allow", "GET, HEAD");
		web_respond(req, 405, "text/plain", NULL, 0);
		return (KORE_RESULT_OK);
	}
	/* The route is ^/app(/[A-Za-z0-9._-]*)?$: /app goes to /app/. */
	if (strcmp(req->path, "/app") == 0) {
		web_redirect(req, "/app/");
		return (KORE_RESULT_OK);
	}
	name = req->path + strlen("/app/");
	if ((f = web_app_find(name)) == NULL) {
		web_respond(req, 404, "text/plain", "not found\n", 10);
		return (KORE_RESULT_OK);
	}
	if ((data = web_app_read(f, &len)) == NULL) {
		web_respond(req, 500, "text/plain", "internal error\n", 15);
		return (KORE_RESULT_OK);
	}
	if (f->max_age > 0)
		web_respond_cached(req, f->type, data, len, f->max_age);
	else
		web_respond(req, 200, f->type, data, len);
	kore_free(data);
	return (KORE_RESULT_OK);
}
