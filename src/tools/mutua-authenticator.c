/*
 * mutua-authenticator: an X.1280 out-of-band server authenticator for
 * the command line. It registers with a mutua IdP, shows pending login
 * requests with the code it computes itself from the offset, and approves
 * or denies them. Wire format: docs/protocol.md; manual:
 * docs/mutua-authenticator.1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "authstate.h"
#include "crypto.h"
#include "device.h"
#include "offset.h"

#define STATE_DEFAULT		".mutua-authenticator"
#define HTTP_BODY_MAX		(64 * 1024)
#define HTTP_CONNECT_TIMEOUT	10L
#define HTTP_TIMEOUT		20L
#define WAIT_MAX		30
#define PUBKEY_B64_LEN		(4 * ((DEVICE_PUBKEY_LEN + 2) / 3) + 1)
#define SIG_B64_LEN		(4 * ((DEVICE_SIG_LEN + 2) / 3) + 1)
#define REG_CODE_LEN		64

/* A pending request, with what the authenticator derived from it. */
struct request {
	char			id[33];
	char			offset[OFFSET_MAX];
	char			hash[2 * CRYPTO_SHA256_LEN + 1];
	struct offset_fields	f;
	char			code[OFFSET_CODE_LEN + 1];
	char			mode[8];
	long long		expires_at;
};

struct response {
	long		 status;
	char		*body;
	size_t		 len;
	int		 overflow;
	json_t		*json;
	char		 retry_after[16];
};

struct command {
	const char	*name;
	const char	*opts;		/* command options after the globals */
	int		 min, max;	/* positional arguments */
	int		(*run)(struct authstate *, int, char **);
};

static void	usage(void) __attribute__((noreturn));
static int	global_option(int);
static int	register_args(int, char **, struct authstate_binding *,
		    char *);
static int	cmd_register(struct authstate *, int, char **);
static int	cmd_pending(struct authstate *, int, char **);
static int	cmd_approve(struct authstate *, int, char **);
static int	cmd_deny(struct authstate *, int, char **);
static int	cmd_check(struct authstate *, int, char **);
static int	cmd_status(struct authstate *, int, char **);
static int	decide(struct authstate *, const char *, const char *,
		    const char *);
static struct authstate_binding *select_unlock(struct authstate *,
		    struct authstate_secret *);
static int	unlock(struct authstate_binding *, struct authstate_secret *);
static int	pin_read(const char *, char *, size_t);
static int	http(const char *, const char *, EVP_PKEY *, const char *,
		    const char *, const char *, struct response *);
static size_t	http_write(char *, size_t, size_t, void *);
static int	http_failed(const struct response *);
static void	response_free(struct response *);
static int	sign_b64(EVP_PKEY *, const char *, char *);
static int	pending(const struct authstate_binding *,
		    const struct authstate_secret *, int, json_t **);
static int	request_parse(json_t *, const struct authstate_binding *,
		    const struct authstate_secret *, struct request *);
static int	request_find(const struct authstate_binding *,
		    const struct authstate_secret *, const char *,
		    struct request *);
static int	select_choices(const char *, char [4][OFFSET_CODE_LEN + 1]);
static void	request_print(const struct request *);
static void	context_print(const struct offset_fields *);
static void	kv(const char *, const char *, int);
static void	put_escaped(FILE *, const char *);
static size_t	utf8_len(const unsigned char *);
static int	hex_valid(const char *, size_t);
static int	code_valid(const char *);

static const struct command commands[] = {
	{ "register",	"",	2, 3, cmd_register },
	{ "pending",	"w:",	0, 0, cmd_pending },
	{ "approve",	"c:",	1, 1, cmd_approve },
	{ "deny",	"r:",	1, 1, cmd_deny },
	{ "check",	"",	1, 1, cmd_check },
	{ "status",	"",	0, 0, cmd_status },
	{ NULL,		NULL,	0, 0, NULL }
};

static const char	*opt_state;
static const char	*opt_pinfile;
static const char	*opt_account;
static const char	*opt_cafile;
static const char	*opt_code;
static const char	*opt_reason = "";
static int		 opt_wait;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: mutua-authenticator [-f state] [-P pin-file] [-a account] "
	    "[-C cafile]\n"
	    "           register base-url code [label]\n"
	    "       mutua-authenticator [options] pending [-w wait]\n"
	    "       mutua-authenticator [options] approve [-c code] "
	    "request-id\n"
	    "       mutua-authenticator [options] deny [-r mismatch|not_me] "
	    "request-id\n"
	    "       mutua-authenticator [options] check qr-payload\n"
	    "       mutua-authenticator [options] status\n");
	exit(EXIT_FAILURE);
}

/* The global options, accepted before and after the command word. */
static int
global_option(int ch)
{
	switch (ch) {
	case 'f':
		opt_state = optarg;
		break;
	case 'P':
		opt_pinfile = optarg;
		break;
	case 'a':
		opt_account = optarg;
		break;
	case 'C':
		opt_cafile = optarg;
		break;
	default:
		return (-1);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	const struct command	*cmd;
	struct authstate	 st;
	const char		*home;
	char			 path[1024], optstr[32], err[512], *end;
	long			 l;
	int			 ch, ret;

	while ((ch = getopt(argc, argv, "+f:P:a:C:")) != -1) {
		if (global_option(ch) == -1)
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (cmd = commands; cmd->name != NULL; cmd++) {
		if (strcmp(cmd->name, argv[0]) == 0)
			break;
	}
	if (cmd->name == NULL)
		usage();

	snprintf(optstr, sizeof(optstr), "f:P:a:C:%s", cmd->opts);
	optind = 0;	/* glibc: restart scanning from argv[1] */
	while ((ch = getopt(argc, argv, optstr)) != -1) {
		switch (ch) {
		case 'w':
			errno = 0;
			l = strtol(optarg, &end, 10);
			if (errno != 0 || *optarg == '\0' || *end != '\0' ||
			    l < 0 || l > WAIT_MAX)
				usage();
			opt_wait = (int)l;
			break;
		case 'c':
			opt_code = optarg;
			break;
		case 'r':
			if (strcmp(optarg, "mismatch") != 0 &&
			    strcmp(optarg, "not_me") != 0)
				usage();
			opt_reason = optarg;
			break;
		default:
			if (global_option(ch) == -1)
				usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < cmd->min || argc > cmd->max)
		usage();

	if (opt_state == NULL)
		opt_state = getenv("MUTUA_AUTHENTICATOR_STATE");
	if (opt_state == NULL) {
		if ((home = getenv("HOME")) == NULL || *home == '\0') {
			fprintf(stderr, "mutua-authenticator: HOME is not set; "
			    "use -f\n");
			return (EXIT_FAILURE);
		}
		snprintf(path, sizeof(path), "%s/%s", home, STATE_DEFAULT);
		opt_state = path;
	}
	if (opt_cafile == NULL)
		opt_cafile = getenv("CURL_CA_BUNDLE");

	if (authstate_load(opt_state, &st, err, sizeof(err)) == -1) {
		fprintf(stderr, "mutua-authenticator: %s\n", err);
		return (EXIT_FAILURE);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "mutua-authenticator: curl_global_init\n");
		return (EXIT_FAILURE);
	}
	ret = cmd->run(&st, argc, argv);
	curl_global_cleanup();
	return (ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

/*
 * Checks the arguments of register into b (issuer, label) and code;
 * the code may be given as the link <base_url>/app/#register=<code>.
 */
static int
register_args(int argc, char **argv, struct authstate_binding *b,
    char *code)
{
	const char	*s;
	char		 host[64];
	size_t		 i, len;

	/* The base URL, without the trailing '/' a user may have typed. */
	len = strlen(argv[0]);
	while (len > 0 && argv[0][len - 1] == '/')
		len--;
	if (len < sizeof(b->issuer))
		memcpy(b->issuer, argv[0], len);
	if (!authstate_url_valid(b->issuer)) {
		fprintf(stderr, "mutua-authenticator: %s: the base URL must be "
		    "https:// (http:// only for 127.0.0.1, localhost, "
		    "[::1])\n", argv[0]);
		return (-1);
	}
	s = strstr(argv[1], "#register=");
	s = s != NULL ? s + strlen("#register=") : argv[1];
	for (i = 0; s[i] != '\0' && i < REG_CODE_LEN; i++)
		code[i] = (s[i] >= 'A' && s[i] <= 'F') ?
		    s[i] - 'A' + 'a' : s[i];
	code[i] = '\0';
	if (s[i] != '\0' || !hex_valid(code, REG_CODE_LEN)) {
		fprintf(stderr, "mutua-authenticator: the registration code "
		    "is 64 hexadecimal digits\n");
		return (-1);
	}
	if (argc > 2)
		snprintf(b->label, sizeof(b->label), "%s", argv[2]);
	else {
		if (gethostname(host, sizeof(host)) == -1)
			snprintf(host, sizeof(host), "this computer");
		host[sizeof(host) - 1] = '\0';
		snprintf(b->label, sizeof(b->label),
		    "mutua-authenticator on %.40s", host);
	}
	for (i = 0; b->label[i] != '\0'; i++) {
		if ((unsigned char)b->label[i] < 0x20 || b->label[i] == 0x7f)
			break;
	}
	if (b->label[0] == '\0' || b->label[i] != '\0' ||
	    (argc > 2 && strlen(argv[2]) >= sizeof(b->label))) {
		fprintf(stderr, "mutua-authenticator: the label is 1-64 "
		    "printable characters\n");
		return (-1);
	}
	return (0);
}

/* X.1280 8.1 steps 9-12 (docs/protocol.md §1). */
static int
cmd_register(struct authstate *st, int argc, char **argv)
{
	struct authstate_binding	 b;
	struct response			 r;
	EVP_PKEY			*key;
	json_t				*req;
	unsigned char			 point[DEVICE_PUBKEY_LEN];
	unsigned char			 k[OFFSET_KEY_LEN];
	char				 code[REG_CODE_LEN + 1], idhex[33];
	char				 pub[PUBKEY_B64_LEN], sig[SIG_B64_LEN];
	char				 msg[512], pin[AUTHSTATE_PIN_MAX + 2];
	char				 pin2[AUTHSTATE_PIN_MAX + 2], *body;
	int				 ret;

	ret = -1;
	key = NULL;
	req = NULL;
	body = NULL;
	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	OPENSSL_cleanse(k, sizeof(k));
	pin[0] = pin2[0] = '\0';
	if (register_args(argc, argv, &b, code) == -1)
		return (-1);
	if (st->count >= AUTHSTATE_BINDINGS_MAX) {
		fprintf(stderr, "mutua-authenticator: %s: already holds %d "
		    "bindings\n", opt_state, AUTHSTATE_BINDINGS_MAX);
		return (-1);
	}

	/* X.1280 9.2.3: the PIN that will protect K and the device key. */
	if (pin_read("New PIN: ", pin, sizeof(pin)) == -1)
		goto out;
	if (opt_pinfile == NULL &&
	    (pin_read("Repeat the PIN: ", pin2, sizeof(pin2)) == -1 ||
	    !crypto_str_equal(pin, pin2))) {
		fprintf(stderr, "mutua-authenticator: the PINs differ\n");
		goto out;
	}
	if (strlen(pin) < AUTHSTATE_PIN_MIN) {
		fprintf(stderr, "mutua-authenticator: the PIN must have %d to "
		    "%d characters\n", AUTHSTATE_PIN_MIN, AUTHSTATE_PIN_MAX);
		goto out;
	}

	/* The device key, and proof that we hold it. */
	if ((key = device_key_generate()) == NULL ||
	    device_key_public(key, point) == -1 ||
	    crypto_b64url_encode(point, sizeof(point), pub, sizeof(pub)) ==
	    -1 || crypto_random_hex(idhex, sizeof(idhex), 16) == -1)
		goto fail;
	snprintf(b.authenticator_id, sizeof(b.authenticator_id), "cli-%s",
	    idhex);
	snprintf(msg, sizeof(msg), "mutua-register-v1\n%s\n%s\n%s", code,
	    b.authenticator_id, pub);
	if (sign_b64(key, msg, sig) == -1 ||
	    (req = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", code,
	    "authenticator_id", b.authenticator_id, "device_public_key", pub,
	    "label", b.label, "signature", sig)) == NULL ||
	    (body = json_dumps(req, JSON_COMPACT)) == NULL)
		goto fail;
	if (http(b.issuer, NULL, NULL, "POST", "/oob/v1/register", body,
	    &r) == -1)
		goto out;
	if (r.status != 201) {
		http_failed(&r);
		goto out;
	}
	if (authstate_from_answer(r.json, &b, k, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "mutua-authenticator: %s\n", msg);
		goto out;
	}
	if (authstate_seal(&b, pin, k, key) == -1 ||
	    authstate_add(st, &b) == -1)
		goto fail;
	if (authstate_save(opt_state, st, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "mutua-authenticator: %s\n", msg);
		goto out;
	}
	printf("registered binding_id=%s", b.binding_id);
	kv("user", b.user_id, 0);
	kv("issuer", b.issuer, 0);
	kv("comparison", b.comparison, 0);
	printf("\n");
	ret = 0;
	goto out;

fail:
	fprintf(stderr, "mutua-authenticator: register: internal error\n");
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	OPENSSL_cleanse(pin2, sizeof(pin2));
	OPENSSL_cleanse(k, sizeof(k));
	EVP_PKEY_free(key);
	json_decref(req);
	free(body);
	response_free(&r);
	return (ret);
}

static int
cmd_pending(struct authstate *st, int argc, char **argv)
{
	struct authstate_binding	*b;
	struct authstate_secret		 s;
	struct request			 req;
	struct offset_fields		 f;
	json_t				*root, *item;
	const char			*text;
	size_t				 i, n;

	if ((b = select_unlock(st, &s)) == NULL)
		return (-1);
	if (pending(b, &s, opt_wait, &root) == -1) {
		authstate_secret_clear(&s);
		return (-1);
	}
	n = 0;
	json_array_foreach(json_object_get(root, "requests"), i, item) {
		if (request_parse(item, b, &s, &req) == -1)
			continue;
		request_print(&req);
		if (strcmp(req.mode, "compare") != 0)
			fprintf(stderr, "(%s mode: approve with -c and the "
			    "code the login page shows, not this one)\n",
			    req.mode);
		n++;
	}
	/* docs/protocol.md §4: "not me" denials made on other devices. */
	json_array_foreach(json_object_get(root, "alerts"), i, item) {
		printf("alert time=%lld", (long long)json_integer_value(
		    json_object_get(item, "time")));
		text = json_string_value(json_object_get(item, "event"));
		kv("event", text != NULL ? text : "", 0);
		text = json_string_value(json_object_get(item, "offset"));
		if (text != NULL && offset_parse(text, &f) == 0)
			context_print(&f);
		printf("\n");
		n++;
	}
	if (n == 0)
		fprintf(stderr, "no pending request\n");
	json_decref(root);
	authstate_secret_clear(&s);
	return (0);
}

static int
cmd_approve(struct authstate *st, int argc, char **argv)
{
	return (decide(st, argv[0], "approve", ""));
}

static int
cmd_deny(struct authstate *st, int argc, char **argv)
{
	return (decide(st, argv[0], "deny", opt_reason));
}

/*
 * X.1280 8.4, 8.5: check the PIN, compare the codes, then send the
 * decision signed over mutua's offset (docs/protocol.md §5).
 */
static int
decide(struct authstate *st, const char *id, const char *decision,
    const char *reason)
{
	struct authstate_binding	*b;
	struct authstate_secret		 s;
	struct request			 req;
	struct response			 r;
	json_t				*j;
	const char			*status;
	char				 err[512], msg[256], sig[SIG_B64_LEN];
	char				 typed[16], *body;
	int				 mismatch, ret;

	ret = -1;
	mismatch = 0;
	j = NULL;
	body = NULL;
	memset(&r, 0, sizeof(r));
	if (!hex_valid(id, 32)) {
		fprintf(stderr, "mutua-authenticator: a request ID is 32 "
		    "hexadecimal digits\n");
		return (-1);
	}
	if (opt_code != NULL && !code_valid(opt_code)) {
		fprintf(stderr, "mutua-authenticator: the code is %d digits\n",
		    OFFSET_CODE_LEN);
		return (-1);
	}
	if ((b = select_unlock(st, &s)) == NULL)
		return (-1);
	if (request_find(b, &s, id, &req) == -1)
		goto out;
	request_print(&req);

	/*
	 * docs/protocol.md §4: in enter and select modes the user gives the
	 * code the terminal shows and we compare it with ours; a given code
	 * is compared in every mode.
	 */
	if (strcmp(decision, "approve") == 0 &&
	    (opt_code != NULL || strcmp(req.mode, "compare") != 0)) {
		if (opt_code != NULL)
			snprintf(typed, sizeof(typed), "%s", opt_code);
		else if (authstate_tty_read("Code shown on the login page: ", 1,
		    typed, sizeof(typed), err, sizeof(err)) == -1) {
			fprintf(stderr, "mutua-authenticator: %s (use -c)\n",
			    err);
			goto out;
		}
		if (!code_valid(typed)) {
			fprintf(stderr, "mutua-authenticator: the code is %d "
			    "digits; nothing was sent\n", OFFSET_CODE_LEN);
			goto out;
		}
		if (!crypto_str_equal(typed, req.code)) {
			mismatch = 1;
			decision = "deny";
			reason = "mismatch";
			fprintf(stderr, "WARNING: the code you gave differs "
			    "from this authenticator's code.\n"
			    "WARNING: the page that shows it is NOT the "
			    "genuine %s (X.1280 9.1.1):\n"
			    "WARNING: do not enter a password there. "
			    "Denying the request (reason: mismatch).\n",
			    b->issuer);
		}
	}

	snprintf(msg, sizeof(msg), "mutua-approve-v1\n%s\n%s\n%s\n%s", req.id,
	    req.hash, decision, req.code);
	if (sign_b64(s.device, msg, sig) == -1 ||
	    (j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "request_id", req.id,
	    "decision", decision, "code", req.code, "reason", reason,
	    "signature", sig)) == NULL ||
	    (body = json_dumps(j, JSON_COMPACT)) == NULL) {
		fprintf(stderr, "mutua-authenticator: internal error\n");
		goto out;
	}
	if (http(b->issuer, b->binding_id, s.device, "POST", "/oob/v1/approve",
	    body, &r) == -1)
		goto out;
	if (r.status != 200) {
		http_failed(&r);
		goto out;
	}
	status = json_string_value(json_object_get(r.json, "status"));
	printf("status=");
	put_escaped(stdout, status != NULL ? status : "unknown");
	printf("\n");
	if (status != NULL && !mismatch && strcmp(status,
	    strcmp(decision, "approve") == 0 ? "approved" : "denied") == 0)
		ret = 0;

out:
	OPENSSL_cleanse(typed, sizeof(typed));
	authstate_secret_clear(&s);
	json_decref(j);
	free(body);
	response_free(&r);
	return (ret);
}

/* X.1280 8.3, QR mode: the authenticator reads the code and compares. */
static int
cmd_check(struct authstate *st, int argc, char **argv)
{
	struct authstate_binding	*b;
	struct authstate_secret		 s;
	struct request			 req;
	const char			*p, *rest;
	char				 base[AUTHSTATE_URL_MAX], err[512];
	char				 id[33], code[OFFSET_CODE_LEN + 1];
	size_t				 i, len, n;
	int				 ok;

	if ((p = strstr(argv[0], "/app/#check=")) == NULL ||
	    (len = (size_t)(p - argv[0])) >= sizeof(base) ||
	    strlen(rest = p + strlen("/app/#check=")) != 32 + 1 +
	    OFFSET_CODE_LEN || rest[32] != '.') {
		fprintf(stderr, "mutua-authenticator: not a check QR code "
		    "(<base_url>/app/#check=<request_id>.<code>)\n");
		return (-1);
	}
	memcpy(base, argv[0], len);
	base[len] = '\0';
	memcpy(id, rest, 32);
	id[32] = '\0';
	memcpy(code, rest + 33, OFFSET_CODE_LEN + 1);
	if (!hex_valid(id, 32) || !code_valid(code)) {
		fprintf(stderr, "mutua-authenticator: malformed QR code\n");
		return (-1);
	}
	/* Without -a, the binding is the one at the IdP the QR names. */
	b = NULL;
	if (opt_account != NULL || st->count <= 1)
		b = authstate_select(st, opt_account, err, sizeof(err));
	else {
		for (i = 0, n = 0; i < st->count; i++) {
			if (strcmp(st->binding[i].issuer, base) == 0) {
				b = &st->binding[i];
				n++;
			}
		}
		snprintf(err, sizeof(err), "%s", n == 0 ? "no binding at "
		    "that IdP" : "several bindings at that IdP: use -a");
		if (n != 1)
			b = NULL;
	}
	if (b == NULL) {
		fprintf(stderr, "mutua-authenticator: %s\n", err);
		return (-1);
	}
	if (strcmp(b->issuer, base) != 0) {
		printf("MISMATCH\n");
		fprintf(stderr, "WARNING: this QR code names %s, but the "
		    "binding is with %s: it is not the genuine site\n", base,
		    b->issuer);
		return (-1);
	}
	if (unlock(b, &s) == -1)
		return (-1);
	ok = 0;
	if (request_find(b, &s, id, &req) == 0) {
		ok = crypto_str_equal(code, req.code);
		printf("%s\n", ok ? "MATCH" : "MISMATCH");
		request_print(&req);
		if (!ok)
			fprintf(stderr, "WARNING: the code in the QR code is "
			    "not this authenticator's: the page showing it is "
			    "NOT the genuine %s.\nDeny it with: "
			    "mutua-authenticator deny -r mismatch %s\n",
			    b->issuer, req.id);
	}
	authstate_secret_clear(&s);
	return (ok ? 0 : -1);
}

static int
cmd_status(struct authstate *st, int argc, char **argv)
{
	const struct authstate_binding	*b;
	size_t				 i;

	if (st->count == 0) {
		fprintf(stderr, "mutua-authenticator: no binding: register "
		    "first\n");
		return (-1);
	}
	for (i = 0; i < st->count; i++) {
		b = &st->binding[i];
		printf("issuer=%s", b->issuer);
		kv("user", b->user_id, 0);
		kv("binding_id", b->binding_id, 0);
		kv("label", b->label, 1);
		kv("comparison", b->comparison, 0);
		printf(" loa=%u created=%llu\n", b->loa,
		    (unsigned long long)b->created);
	}
	return (0);
}

/* The binding -a names (or the only one), unlocked into s. */
static struct authstate_binding *
select_unlock(struct authstate *st, struct authstate_secret *s)
{
	struct authstate_binding	*b;
	char				 err[512];

	if ((b = authstate_select(st, opt_account, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "mutua-authenticator: %s\n", err);
		return (NULL);
	}
	return (unlock(b, s) == 0 ? b : NULL);
}

/* X.1280 9.2.3: the PIN unlocks K and the device key, or nothing is sent. */
static int
unlock(struct authstate_binding *b, struct authstate_secret *s)
{
	char		pin[AUTHSTATE_PIN_MAX + 2], prompt[AUTHSTATE_URL_MAX +
			    AUTHSTATE_USER_MAX + 16];
	int		rc;

	memset(s, 0, sizeof(*s));
	snprintf(prompt, sizeof(prompt), "PIN for %s@%s: ", b->user_id,
	    b->issuer);
	if (pin_read(prompt, pin, sizeof(pin)) == -1)
		return (-1);
	rc = authstate_unseal(b, pin, s);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (rc == -1) {
		fprintf(stderr, "mutua-authenticator: wrong PIN (or the state "
		    "file was altered); nothing was sent\n");
		return (-1);
	}
	return (0);
}

/* Reads the PIN from the -P file or the terminal, saying why it failed. */
static int
pin_read(const char *prompt, char *buf, size_t len)
{
	char		err[512];

	if (authstate_pin_read(opt_pinfile, prompt, buf, len, err,
	    sizeof(err)) == 0)
		return (0);
	fprintf(stderr, "mutua-authenticator: %s\n", err);
	return (-1);
}

/*
 * One HTTP exchange with the IdP at base. With a binding ID the request
 * carries the device headers of docs/protocol.md §2. The answer, at most
 * HTTP_BODY_MAX bytes, goes to r (response_free()).
 * @return 0 when an answer arrived (any status), -1 otherwise.
 */
static int
http(const char *base, const char *binding_id, EVP_PKEY *key,
    const char *method, const char *path, const char *body,
    struct response *r)
{
	CURL			*c;
	CURLcode		 cc;
	struct curl_slist	*h, *t;
	struct curl_header	*ra;
	const char		*prefix;
	char			 url[AUTHSTATE_URL_MAX + 128], hdr[128];
	char			 msg[AUTHSTATE_URL_MAX + 256], ts[24];
	char			 hash[2 * CRYPTO_SHA256_LEN + 1];
	char			 sig[SIG_B64_LEN];
	int			 ret;

	ret = -1;
	h = NULL;
	memset(r, 0, sizeof(*r));
	/* X.1280 8.1: TLS; the state file could have been edited. */
	if (!authstate_url_valid(base)) {
		fprintf(stderr, "mutua-authenticator: %s: refused (https:// "
		    "only, http:// only on loopback)\n", base);
		return (-1);
	}
	if ((c = curl_easy_init()) == NULL ||
	    (r->body = malloc(HTTP_BODY_MAX + 1)) == NULL)
		goto fail;
	snprintf(url, sizeof(url), "%s%s", base, path);
	/* curl_slist_append() returns the head, or NULL leaving it intact. */
	if ((h = curl_slist_append(NULL, "Accept: application/json")) ==
	    NULL || (body != NULL && (t = curl_slist_append(h,
	    "Content-Type: application/json")) == NULL) ||
	    (t = curl_slist_append(h, "Expect:")) == NULL)
		goto fail;
	if (binding_id != NULL) {
		/* The path as sent includes the base URL's own path. */
		prefix = strchr(strstr(base, "://") + 3, '/');
		snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
		crypto_sha256_hex(body != NULL ? body : "",
		    body != NULL ? strlen(body) : 0, hash);
		snprintf(msg, sizeof(msg), "mutua-device-v1\n%s\n%s%s\n%s\n%s",
		    method, prefix != NULL ? prefix : "", path, ts, hash);
		if (sign_b64(key, msg, sig) == -1)
			goto fail;
		snprintf(hdr, sizeof(hdr), "X-Mutua-Binding: %s", binding_id);
		if ((t = curl_slist_append(h, hdr)) == NULL)
			goto fail;
		snprintf(hdr, sizeof(hdr), "X-Mutua-Timestamp: %s", ts);
		if ((t = curl_slist_append(h, hdr)) == NULL)
			goto fail;
		snprintf(hdr, sizeof(hdr), "X-Mutua-Signature: %s", sig);
		if ((t = curl_slist_append(h, hdr)) == NULL)
			goto fail;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (opt_cafile != NULL && *opt_cafile != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, opt_cafile);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, HTTP_TIMEOUT + (long)opt_wait);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mutua-authenticator/1");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		fprintf(stderr, "mutua-authenticator: %s: %s\n", url,
		    r->overflow ? "answer larger than 64 KiB" :
		    curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &ra) ==
	    CURLHE_OK)
		snprintf(r->retry_after, sizeof(r->retry_after), "%s",
		    ra->value);
	r->body[r->len] = '\0';
	if (r->len > 0)
		r->json = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES,
		    NULL);
	ret = 0;
	goto out;

fail:
	fprintf(stderr, "mutua-authenticator: out of memory\n");
out:
	OPENSSL_cleanse(msg, sizeof(msg));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (ret == -1)
		response_free(r);
	return (ret);
}

/* Keeps the answer, refusing more than HTTP_BODY_MAX bytes. */
static size_t
http_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct response	*r = arg;
	size_t		 n;

	n = size * nmemb;
	if (n > HTTP_BODY_MAX - r->len) {
		r->overflow = 1;
		return (0);
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	return (n);
}

/* Prints a failed answer as "error: <error>: <error_description>". */
static int
http_failed(const struct response *r)
{
	const char	*e, *d;

	e = json_string_value(json_object_get(r->json, "error"));
	d = json_string_value(json_object_get(r->json, "error_description"));
	fprintf(stderr, "mutua-authenticator: error: ");
	if (e != NULL) {
		put_escaped(stderr, e);
		fprintf(stderr, ": ");
		put_escaped(stderr, d != NULL ? d : "");
	} else
		fprintf(stderr, "HTTP status %ld", r->status);
	fprintf(stderr, "\n");
	if (r->retry_after[0] != '\0') {
		fprintf(stderr, "mutua-authenticator: retry after ");
		put_escaped(stderr, r->retry_after);
		fprintf(stderr, " seconds\n");
	}
	return (-1);
}

static void
response_free(struct response *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* A device signature over msg, as b64url of r || s, into out. */
static int
sign_b64(EVP_PKEY *key, const char *msg, char *out)
{
	unsigned char	sig[DEVICE_SIG_LEN];

	if (device_sign(key, msg, strlen(msg), sig) == -1)
		return (-1);
	return (crypto_b64url_encode(sig, sizeof(sig), out, SIG_B64_LEN));
}

/* GET /oob/v1/pending; *out is the answer (json_decref). */
static int
pending(const struct authstate_binding *b, const struct authstate_secret *s,
    int wait, json_t **out)
{
	struct response	r;
	char		path[48];
	int		ret;

	ret = -1;
	snprintf(path, sizeof(path), "/oob/v1/pending?wait=%d", wait);
	if (http(b->issuer, b->binding_id, s->device, "GET", path, NULL,
	    &r) == -1)
		return (-1);
	if (r.status != 200)
		http_failed(&r);
	else if (!json_is_array(json_object_get(r.json, "requests")))
		fprintf(stderr, "mutua-authenticator: malformed answer\n");
	else {
		*out = json_incref(r.json);
		ret = 0;
	}
	response_free(&r);
	return (ret);
}

/*
 * Reads one pending request. What is shown and signed comes from the
 * offset only (docs/protocol.md §4), and the code is our own (X.1280 8.3
 * step 6).
 */
static int
request_parse(json_t *item, const struct authstate_binding *b,
    const struct authstate_secret *s, struct request *req)
{
	const char	*id, *offset, *mode;
	json_t		*exp;

	memset(req, 0, sizeof(*req));
	id = json_string_value(json_object_get(item, "request_id"));
	offset = json_string_value(json_object_get(item, "offset"));
	exp = json_object_get(item, "expires_at");
	if (id == NULL || !hex_valid(id, 32) || offset == NULL ||
	    strlen(offset) >= sizeof(req->offset) || !json_is_integer(exp) ||
	    offset_parse(offset, &req->f) == -1) {
		fprintf(stderr, "mutua-authenticator: ignoring a malformed "
		    "request\n");
		return (-1);
	}
	if (strcmp(req->f.uid, b->user_id) != 0) {
		fprintf(stderr, "mutua-authenticator: ignoring request %s: it "
		    "is for another user\n", id);
		return (-1);
	}
	memcpy(req->id, id, sizeof(req->id));
	memcpy(req->offset, offset, strlen(offset) + 1);
	offset_hash_hex(req->offset, req->hash);
	if (offset_code(s->k, req->offset, req->code) == -1)
		return (-1);
	req->expires_at = json_integer_value(exp);
	mode = json_string_value(json_object_get(item, "comparison"));
	if (mode == NULL || !authstate_mode_valid(mode))
		mode = b->comparison;
	snprintf(req->mode, sizeof(req->mode), "%s", mode);
	return (0);
}

static int
request_find(const struct authstate_binding *b,
    const struct authstate_secret *s, const char *id, struct request *req)
{
	json_t		*root, *item;
	size_t		 i;
	int		 ret;

	if (pending(b, s, 0, &root) == -1)
		return (-1);
	ret = -1;
	json_array_foreach(json_object_get(root, "requests"), i, item) {
		if (!json_is_string(json_object_get(item, "request_id")) ||
		    strcmp(json_string_value(json_object_get(item,
		    "request_id")), id) != 0)
			continue;
		ret = request_parse(item, b, s, req);
		break;
	}
	if (i == json_array_size(json_object_get(root, "requests")))
		fprintf(stderr, "mutua-authenticator: no pending request %s "
		    "(decided, expired or unknown)\n", id);
	json_decref(root);
	return (ret);
}

/*
 * Select mode (docs/protocol.md §4): our code at a random place among
 * three distinct random decoys.
 */
static int
select_choices(const char *code, char choices[4][OFFSET_CODE_LEN + 1])
{
	char		c[OFFSET_CODE_LEN + 1];
	uint32_t	v;
	size_t		i, j;

	memset(choices, 0, 4 * sizeof(choices[0]));
	if (crypto_random(&v, sizeof(v)) == -1)
		return (-1);
	memcpy(choices[v % 4], code, OFFSET_CODE_LEN + 1);
	for (i = 0; i < 4; i++) {
		while (choices[i][0] == '\0') {
			if (crypto_random(&v, sizeof(v)) == -1)
				return (-1);
			snprintf(c, sizeof(c), "%06u",
			    (unsigned int)(v % 1000000));
			for (j = 0; j < 4 && strcmp(choices[j], c) != 0; j++)
				;
			if (j == 4)
				memcpy(choices[i], c, sizeof(c));
		}
	}
	return (0);
}

/* One line per request: key=value pairs, the context from the offset. */
static void
request_print(const struct request *req)
{
	char		ch[4][OFFSET_CODE_LEN + 1];
	long long	left;

	printf("request_id=%s code=%s mode=%s", req->id, req->code,
	    req->mode);
	if (strcmp(req->mode, "select") == 0 &&
	    select_choices(req->code, ch) == 0)
		printf(" choices=%s,%s,%s,%s", ch[0], ch[1], ch[2], ch[3]);
	left = req->expires_at - (long long)time(NULL);
	printf(" expires_in=%lld", left > 0 ? left : 0);
	context_print(&req->f);
	printf("\n");
}

/* The login context of X.1280 8.3, as the offset carries it. */
static void
context_print(const struct offset_fields *f)
{
	struct tm	tm;
	time_t		t;
	char		date[32];

	kv("rp", f->rp, 0);
	kv("tpub", f->tpub, 0);
	kv("tpriv", f->tpriv, 0);
	kv("ua", f->ua, 1);
	kv("uid", f->uid, 0);
	printf(" time=%llu", (unsigned long long)f->t);
	t = (time_t)f->t;
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		printf(" date=%s", date);
}

/* Prints " name=value", quoting a value that is empty or not plain. */
static void
kv(const char *name, const char *value, int quote)
{
	size_t		i;

	for (i = 0; !quote && value[i] != '\0'; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/@+,%[]",
		    value[i]) == NULL)
			quote = 1;
	}
	if (value[0] == '\0')
		quote = 1;
	printf(" %s=%s", name, quote ? "\"" : "");
	put_escaped(stdout, value);
	if (quote)
		printf("\"");
}

/*
 * Writes text from the network so that it cannot drive the terminal or
 * fake a line: control bytes, C1 controls, bidirectional overrides and
 * invalid UTF-8 become \xHH; '"' and '\\' are escaped.
 */
static void
put_escaped(FILE *fp, const char *s)
{
	const unsigned char	*p;
	size_t			 n;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p >= 0x20 && *p < 0x7f)
			fputc(*p, fp);
		else if (*p >= 0x80 && (n = utf8_len(p)) > 0) {
			fwrite(p, 1, n, fp);
			p += n - 1;
		} else
			fprintf(fp, "\\x%02X", *p);
	}
}

/* @return the length of the valid, harmless UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned int	cp;
	size_t		i, n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return (0);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < 0xa0 || (n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return (0);
	return (n);
}

/* @return 1 when s is exactly n lower-case hexadecimal digits. */
static int
hex_valid(const char *s, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	}
	return (s[n] == '\0');
}

/* @return 1 when s is a code: OFFSET_CODE_LEN decimal digits. */
static int
code_valid(const char *s)
{
	size_t		i;

	for (i = 0; i < OFFSET_CODE_LEN; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
	}
	return (s[OFFSET_CODE_LEN] == '\0');
}
