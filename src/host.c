/*
 * Trusted hosts: their names and registrations (docs/pam.md). Without
 * the store, so that the PAM module checks names with the same code.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "crypto.h"
#include "host.h"

static int	host_parse(const char *, size_t, struct host *, const char **);

int
host_name_valid(const char *name)
{
	size_t	len, i;
	char	c;

	len = strlen(name);
	if (len == 0 || len >= HOST_NAME_LEN)
		return (0);
	for (i = 0; i < len; i++) {
		c = name[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i > 0 && (c == '.' || c == '-'))
			continue;
		return (0);
	}
	return (1);
}

/*
 * The registration: exactly {"display_name": ..., "public_key": ...},
 * the key as b64url of the uncompressed point (protocol §7).
 */
static int
host_parse(const char *text, size_t len, struct host *h, const char **why)
{
	json_t		*doc;
	const char	*name, *key;
	int		 ret;

	ret = -1;
	*why = "not a JSON object without repeated members";
	if ((doc = oob_body_parse(text, len)) == NULL)
		return (-1);
	name = json_string_value(json_object_get(doc, "display_name"));
	key = json_string_value(json_object_get(doc, "public_key"));
	if (json_object_size(doc) != 2 || name == NULL || key == NULL) {
		*why = "expected exactly display_name and public_key, strings";
		goto out;
	}
	if (text_display_name(h->display_name, sizeof(h->display_name),
	    name) == -1) {
		*why = "display_name: empty, or control characters or invalid "
		    "UTF-8";
		goto out;
	}
	if (strlen(key) > 2 * DEVICE_PUBKEY_LEN ||
	    crypto_b64url_decode(key, h->pubkey, sizeof(h->pubkey)) !=
	    DEVICE_PUBKEY_LEN || h->pubkey[0] != 0x04) {
		*why = "public_key: expected b64url of a 65-byte P-256 point";
		goto out;
	}
	ret = 0;

out:
	json_decref(doc);
	return (ret);
}

int
host_load(const struct config *cfg, const char *name, struct host *h,
    const char **why)
{
	FILE	*fp;
	char	 path[PATH_MAX], text[HOST_FILE_MAX + 1];
	size_t	 len;
	int	 n, ret;

	memset(h, 0, sizeof(*h));
	*why = NULL;
	if (!host_name_valid(name))
		return (1);
	n = snprintf(path, sizeof(path), "%s/%s.json", cfg->hosts_dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		*why = "path too long";
		return (-1);
	}
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (1);
		*why = strerror(errno);
		return (-1);
	}
	len = fread(text, 1, sizeof(text), fp);
	ret = -1;
	if (ferror(fp))
		*why = "read error";
	else if (len > HOST_FILE_MAX)
		*why = "larger than 4 KiB";
	else if (host_parse(text, len, h, why) == 0)
		ret = 0;
	fclose(fp);
	if (ret == 0)
		strcpy(h->name, name);
	return (ret);
}

int
host_field_valid(const char *s)
{
	return (s == NULL || oob_token_valid(s, 0, HOST_FIELD_MAX, ".:/_@-"));
}
