/*
 * pam_mutua.so: operating-system sign-in with X.1280 out-of-band server
 * authentication (X.1280 Appendix II.3; docs/pam.md).
 *
 * The module asks mutua to start a login for the PAM user on behalf of
 * this host (POST /oob/v1/host/start, signed with the host key), shows
 * the code and the context through the PAM conversation, so that it
 * reaches a console, ssh keyboard-interactive and sudo alike, and polls
 * /oob/v1/host/status until the request is approved, denied or expired.
 * Only an approved request is PAM_SUCCESS: anything else, including a
 * mutua that cannot be reached or answers something unexpected, fails
 * with a message for the user and a line in the system log.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_AUTH
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "crypto.h"
#include "device.h"
#include "host.h"
#include "offset.h"
#include "oob.h"
#include "pam_http.h"
#include "store_user.h"
#include "text.h"

#define PAM_MUTUA_TIMEOUT_MIN	10
#define PAM_MUTUA_TIMEOUT_MAX	600
#define PAM_MUTUA_POLL_MS	1000
#define PAM_MUTUA_ERR_MAX	256

struct pam_mutua_opts {
	const char	*url;
	const char	*host;
	const char	*key;
	const char	*cafile;
	unsigned int	 timeout;	/* seconds; 0: until the code expires */
};

/* A request mutua started, as its answer said (protocol §7). */
struct pam_mutua_request {
	char		 id[OOB_REQUEST_ID_LEN + 1];
	char		 code[OFFSET_CODE_LEN + 1];
	char		 rp_name[TEXT_NAME_MAX];
	char		 comparison[8];
	long long	 expires_at;
};

/* What an error answer of mutua means for the user and for PAM. */
struct pam_mutua_failure {
	const char	*error;		/* the protocol's name; NULL: other */
	int		 pam;
	const char	*text;		/* a format; %s: the user */
};

static const struct pam_mutua_failure	pam_mutua_failures[] = {
	{ "no_binding", PAM_USER_UNKNOWN,
	    "no authenticator is registered for %s at mutua" },
	{ "request_pending", PAM_AUTH_ERR,
	    "another sign-in for %s is waiting for approval; deny it on "
	    "your authenticator or try again when it has expired" },
	{ "rate_limited", PAM_AUTH_ERR,
	    "too many sign-in attempts for %s; try again later" },
	{ "invalid_signature", PAM_AUTHINFO_UNAVAIL,
	    "mutua does not accept this computer (unknown host or wrong "
	    "host key); ask your administrator" },
	{ "stale_request", PAM_AUTHINFO_UNAVAIL,
	    "this computer's clock is too far from mutua's; ask your "
	    "administrator" },
	{ NULL, PAM_AUTHINFO_UNAVAIL,
	    "the sign-in service refused the request; ask your "
	    "administrator" }
};

static int	pam_mutua_options(int, const char **, struct pam_mutua_opts *,
		    char *, size_t);
static EVP_PKEY	*pam_mutua_key(const char *, char *, size_t);
static const struct pam_mutua_failure	*pam_mutua_failure(const char *);
static int	pam_mutua_started(json_t *, const char *,
		    struct pam_mutua_request *);
static int	pam_mutua_refused(pam_handle_t *, const char *,
		    const struct pam_http_answer *);
static int	pam_mutua_unavailable(pam_handle_t *, const char *);
static int	pam_mutua_show(pam_handle_t *, const char *, const char *,
		    const struct pam_mutua_request *);
static int	pam_mutua_wait(pam_handle_t *, const struct pam_mutua_opts *,
		    const struct pam_http *, const char *, const char *,
		    const struct pam_mutua_request *);
static int	pam_mutua_login(pam_handle_t *, const struct pam_mutua_opts *,
		    const char *);
static void	pam_mutua_item(pam_handle_t *, int, json_t *, const char *);

/*
 * The module's arguments in the PAM line: url=, host=, key= (required),
 * cafile= and timeout= (seconds).
 * @return 0, or -1 with the reason in err.
 */
static int
pam_mutua_options(int argc, const char **argv, struct pam_mutua_opts *o,
    char *err, size_t errlen)
{
	const char	*v;
	char		*end;
	unsigned long	 n;
	int		 i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "url=", 4) == 0)
			o->url = argv[i] + 4;
		else if (strncmp(argv[i], "host=", 5) == 0)
			o->host = argv[i] + 5;
		else if (strncmp(argv[i], "key=", 4) == 0)
			o->key = argv[i] + 4;
		else if (strncmp(argv[i], "cafile=", 7) == 0)
			o->cafile = argv[i] + 7;
		else if (strncmp(argv[i], "timeout=", 8) == 0) {
			v = argv[i] + 8;
			n = strtoul(v, &end, 10);
			if (*v < '0' || *v > '9' || *end != '\0' ||
			    n < PAM_MUTUA_TIMEOUT_MIN ||
			    n > PAM_MUTUA_TIMEOUT_MAX) {
				snprintf(err, errlen, "timeout: expected %d to "
				    "%d seconds", PAM_MUTUA_TIMEOUT_MIN,
				    PAM_MUTUA_TIMEOUT_MAX);
				return (-1);
			}
			o->timeout = (unsigned int)n;
		} else {
			snprintf(err, errlen, "unknown option \"%.64s\"",
			    argv[i]);
			return (-1);
		}
	}
	if (o->url == NULL || o->host == NULL || o->key == NULL) {
		snprintf(err, errlen, "url=, host= and key= are required");
		return (-1);
	}
	if (!host_name_valid(o->host)) {
		snprintf(err, errlen, "host: 1 to 63 of a-z 0-9 . -");
		return (-1);
	}
	return (0);
}

/*
 * Reads the host's private key: PEM, a P-256 key, in a file that group
 * and others cannot read. @return the key (EVP_PKEY_free), or NULL.
 */
static EVP_PKEY *
pam_mutua_key(const char *path, char *err, size_t errlen)
{
	struct stat	 sb;
	FILE		*fp;
	EVP_PKEY	*key;
	unsigned char	 point[DEVICE_PUBKEY_LEN];
	int		 fd;

	if ((fd = crypto_secret_file_open(path, 0, &sb, err, errlen)) == -1)
		return (NULL);
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		snprintf(err, errlen, "%s: cannot read", path);
		return (NULL);
	}
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (key == NULL || device_key_public(key, point) == -1) {
		EVP_PKEY_free(key);
		snprintf(err, errlen, "%s: not a PEM ECDSA P-256 private key",
		    path);
		return (NULL);
	}
	return (key);
}

static const struct pam_mutua_failure *
pam_mutua_failure(const char *error)
{
	const struct pam_mutua_failure	*f;

	for (f = pam_mutua_failures; f->error != NULL; f++) {
		if (error != NULL && strcmp(f->error, error) == 0)
			break;
	}
	return (f);
}

/*
 * Checks the 201 answer of /oob/v1/host/start (protocol §7): every
 * member present and well formed, for this user.
 * @return 0, or -1 when it is not one.
 */
static int
pam_mutua_started(json_t *doc, const char *user, struct pam_mutua_request *r)
{
	const char	*id, *code, *uid, *name, *mode;
	json_t		*exp;

	memset(r, 0, sizeof(*r));
	id = json_string_value(json_object_get(doc, "request_id"));
	code = json_string_value(json_object_get(doc, "code"));
	uid = json_string_value(json_object_get(doc, "user_id"));
	name = json_string_value(json_object_get(doc, "rp_name"));
	mode = json_string_value(json_object_get(doc, "comparison"));
	exp = json_object_get(doc, "expires_at");
	if (id == NULL || !oob_token_valid(id, OOB_REQUEST_ID_LEN,
	    OOB_REQUEST_ID_LEN, "") || code == NULL ||
	    strlen(code) != OFFSET_CODE_LEN ||
	    strspn(code, "0123456789") != OFFSET_CODE_LEN ||
	    uid == NULL || strcmp(uid, user) != 0 || !json_is_integer(exp) ||
	    mode == NULL || (strcmp(mode, "enter") != 0 &&
	    strcmp(mode, "select") != 0 && strcmp(mode, "compare") != 0))
		return (-1);
	/* Shown on the user's terminal: one clean line or nothing. */
	if (name == NULL || text_display_name(r->rp_name, sizeof(r->rp_name),
	    name) == -1)
		return (-1);
	strcpy(r->id, id);
	strcpy(r->code, code);
	strcpy(r->comparison, mode);
	r->expires_at = json_integer_value(exp);
	return (0);
}

/* An error answer of mutua: said to the user and logged. */
static int
pam_mutua_refused(pam_handle_t *pamh, const char *user,
    const struct pam_http_answer *a)
{
	const struct pam_mutua_failure	*f;
	const char			*error;
	char				 text[PAM_MUTUA_ERR_MAX];

	error = json_string_value(json_object_get(a->json, "error"));
	f = pam_mutua_failure(error);
	pam_syslog(pamh, LOG_NOTICE, "user %s: mutua answered %ld %s", user,
	    a->status, error != NULL && strlen(error) < 64 &&
	    oob_token_valid(error, 1, 64, "_") ? error : "(no error name)");
	/* f->text is one of the literals of pam_mutua_failures[]. */
	snprintf(text, sizeof(text), f->text, user);
	pam_error(pamh, "mutua: %s", text);
	return (f->pam);
}

/* No (usable) answer: fail closed, say so. */
static int
pam_mutua_unavailable(pam_handle_t *pamh, const char *why)
{
	pam_syslog(pamh, LOG_ERR, "%s", why);
	pam_error(pamh, "mutua: the sign-in service cannot be reached or "
	    "answered something unexpected; sign-in refused");
	return (PAM_AUTHINFO_UNAVAIL);
}

/*
 * Shows the code and the context, as the login page does (X.1280 8.3),
 * and asks the user to confirm once the authenticator has approved:
 * ssh keyboard-interactive shows text only together with a prompt.
 */
static int
pam_mutua_show(pam_handle_t *pamh, const char *user, const char *host,
    const struct pam_mutua_request *r)
{
	char		*reply;
	const char	*how;
	long long	 left;
	int		 rc;

	if (strcmp(r->comparison, "enter") == 0)
		how = "Type this code into your authenticator and approve "
		    "there.";
	else if (strcmp(r->comparison, "select") == 0)
		how = "Pick this code on your authenticator and approve there.";
	else
		how = "Check that your authenticator shows this code, then "
		    "approve there.";
	left = r->expires_at - (long long)time(NULL);
	if (left < 0)
		left = 0;
	rc = pam_info(pamh, "mutua: sign-in as %s to %s (%s%s)\n"
	    "Code: %s (valid for %lld seconds)\n%s", user, r->rp_name,
	    HOST_RP_PREFIX, host, r->code, left, how);
	if (rc != PAM_SUCCESS)
		return (rc);
	reply = NULL;
	rc = pam_prompt(pamh, PAM_PROMPT_ECHO_ON, &reply,
	    "Press Enter once you have approved: ");
	if (reply != NULL) {
		OPENSSL_cleanse(reply, strlen(reply));
		free(reply);
	}
	return (rc);
}

/* Polls the request's state until it is decided, expired or too late. */
static int
pam_mutua_wait(pam_handle_t *pamh, const struct pam_mutua_opts *o,
    const struct pam_http *h, const char *user, const char *session,
    const struct pam_mutua_request *r)
{
	struct pam_http_answer	 a;
	struct timespec		 pause;
	json_t			*doc;
	const char		*status;
	time_t			 deadline;
	int			 rc;

	deadline = time(NULL) + (o->timeout != 0 ? (time_t)o->timeout :
	    PAM_MUTUA_TIMEOUT_MAX);
	if (o->timeout == 0 || r->expires_at + 1 < (long long)deadline)
		deadline = (time_t)(r->expires_at + 1);
	if ((doc = json_pack("{s:s, s:s}", "request_id", r->id, "session",
	    session)) == NULL)
		return (pam_mutua_unavailable(pamh, "out of memory"));
	pause.tv_sec = PAM_MUTUA_POLL_MS / 1000;
	pause.tv_nsec = (PAM_MUTUA_POLL_MS % 1000) * 1000000L;
	for (;;) {
		if (pam_http_post(h, "/oob/v1/host/status", doc, &a) == -1) {
			rc = pam_mutua_unavailable(pamh, a.error);
			break;
		}
		status = json_string_value(json_object_get(a.json, "status"));
		if (a.status != 200)
			rc = pam_mutua_refused(pamh, user, &a);
		else if (status == NULL)
			rc = pam_mutua_unavailable(pamh, "status: malformed "
			    "answer");
		else if (strcmp(status, "approved") == 0) {
			pam_syslog(pamh, LOG_INFO, "user %s: approved (request "
			    "%s)", user, r->id);
			rc = PAM_SUCCESS;
		} else if (strcmp(status, "pending") == 0 &&
		    time(NULL) < deadline) {
			json_decref(a.json);
			nanosleep(&pause, NULL);
			continue;
		} else if (strcmp(status, "pending") == 0) {
			pam_error(pamh, "mutua: no approval in time; sign-in "
			    "refused");
			rc = PAM_AUTH_ERR;
		} else if (strcmp(status, "denied") == 0) {
			pam_error(pamh, "mutua: the sign-in was denied on your "
			    "authenticator");
			rc = PAM_AUTH_ERR;
		} else if (strcmp(status, "expired") == 0) {
			pam_error(pamh, "mutua: the code expired before it was "
			    "approved; sign-in refused");
			rc = PAM_AUTH_ERR;
		} else {
			pam_error(pamh, "mutua: the sign-in request is no longer "
			    "valid; sign-in refused");
			rc = PAM_AUTH_ERR;
		}
		if (rc != PAM_SUCCESS)
			pam_syslog(pamh, LOG_NOTICE, "user %s: not approved "
			    "(request %s)", user, r->id);
		json_decref(a.json);
		break;
	}
	json_decref(doc);
	return (rc);
}

/* Adds PAM item type to doc as name when it fits the protocol's rule. */
static void
pam_mutua_item(pam_handle_t *pamh, int type, json_t *doc, const char *name)
{
	const void	*v;

	/* Context is best effort: what does not fit is left out. */
	if (pam_get_item(pamh, type, &v) == PAM_SUCCESS && v != NULL &&
	    *(const char *)v != '\0' && host_field_valid(v))
		json_object_set_new(doc, name, json_string(v));
}

static int
pam_mutua_login(pam_handle_t *pamh, const struct pam_mutua_opts *o,
    const char *user)
{
	struct pam_http		 h;
	struct pam_http_answer	 a;
	struct pam_mutua_request r;
	json_t			*doc;
	char			 session[HOST_SESSION_LEN + 1];
	char			 err[PAM_MUTUA_ERR_MAX];
	int			 rc;

	memset(&h, 0, sizeof(h));
	memset(&a, 0, sizeof(a));
	doc = NULL;
	h.url = o->url;
	h.cafile = o->cafile;
	h.host = o->host;
	if ((h.key = pam_mutua_key(o->key, err, sizeof(err))) == NULL) {
		pam_syslog(pamh, LOG_ERR, "host key: %s", err);
		pam_error(pamh, "mutua: this computer's host key cannot be "
		    "read; ask your administrator");
		return (PAM_AUTHINFO_UNAVAIL);
	}
	/* The terminal session of the offset's sid: ours, one per call. */
	if (crypto_random_hex(session, sizeof(session),
	    HOST_SESSION_LEN / 2) == -1 ||
	    (doc = json_pack("{s:s, s:s}", "user_id", user, "session",
	    session)) == NULL) {
		rc = pam_mutua_unavailable(pamh, "out of memory");
		goto out;
	}
	pam_mutua_item(pamh, PAM_RHOST, doc, "rhost");
	pam_mutua_item(pamh, PAM_SERVICE, doc, "service");
	pam_mutua_item(pamh, PAM_TTY, doc, "tty");

	if (pam_http_post(&h, "/oob/v1/host/start", doc, &a) == -1) {
		rc = pam_mutua_unavailable(pamh, a.error);
		goto out;
	}
	if (a.status != 201) {
		rc = pam_mutua_refused(pamh, user, &a);
		goto out;
	}
	if (pam_mutua_started(a.json, user, &r) == -1) {
		rc = pam_mutua_unavailable(pamh, "start: malformed answer");
		goto out;
	}
	pam_syslog(pamh, LOG_INFO, "user %s: request %s started", user, r.id);
	if ((rc = pam_mutua_show(pamh, user, o->host, &r)) != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR, "conversation failed: %s",
		    pam_strerror(pamh, rc));
		rc = PAM_CONV_ERR;
	} else
		rc = pam_mutua_wait(pamh, o, &h, user, session, &r);
	OPENSSL_cleanse(&r, sizeof(r));

out:
	json_decref(a.json);
	json_decref(doc);
	EVP_PKEY_free(h.key);
	return (rc);
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	struct pam_mutua_opts	 o;
	const char		*user;
	char			 err[PAM_MUTUA_ERR_MAX];

	if (pam_mutua_options(argc, argv, &o, err, sizeof(err)) == -1) {
		pam_syslog(pamh, LOG_ERR, "configuration: %s", err);
		return (PAM_SERVICE_ERR);
	}
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL)
		return (PAM_USER_UNKNOWN);
	/*
	 * The name comes from whoever connects (ssh): one that cannot be a
	 * mutua user ID is neither sent nor written to the log or terminal.
	 */
	if (!oob_token_valid(user, 1, USER_ID_MAX - 1, "._@-")) {
		pam_syslog(pamh, LOG_NOTICE, "user name is not a mutua user "
		    "ID: refused");
		pam_error(pamh, "mutua: no authenticator is registered for "
		    "this account");
		return (PAM_USER_UNKNOWN);
	}
	return (pam_mutua_login(pamh, &o, user));
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return (PAM_SUCCESS);
}
