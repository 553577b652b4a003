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

#include <jansson.h>
#include <openssl/crypto.h>

#include "authenticator/authstate.h"
#include "crypto.h"
#include "date.h"
#include "device.h"
#include "offset.h"
#include "authenticator/oobclient.h"

#define STATE_DEFAULT		".mutua-authenticator"

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
static int	select_choices(const char *, char [4][OFFSET_CODE_LEN + 1]);
static void	request_print(const struct oobclient_request *);
static void	context_print(const struct offset_fields *);
static void	kv(const char *, const char *, int);

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
static const char	*opt_code;
static const char	*opt_reason = "";
static int		 opt_wait;
static struct oobclient	 client = { "mutua-authenticator", NULL };

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
		client.cafile = optarg;
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
			    l < 0 || l > OOBCLIENT_WAIT_MAX)
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
	if (client.cafile == NULL)
		client.cafile = getenv("CURL_CA_BUNDLE");

	if (authstate_load(opt_state, &st, err, sizeof(err)) == -1) {
		fprintf(stderr, "mutua-authenticator: %s\n", err);
		return (EXIT_FAILURE);
	}
	if (oobclient_init() == -1) {
		fprintf(stderr, "mutua-authenticator: curl_global_init\n");
		return (EXIT_FAILURE);
	}
	ret = cmd->run(&st, argc, argv);
	oobclient_cleanup();
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
	if (oobclient_register_code(&client, argv[1], code) == -1)
		return (-1);
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
	EVP_PKEY			*key;
	unsigned char			 k[OFFSET_KEY_LEN];
	char				 code[OOBCLIENT_REG_CODE_LEN + 1];
	char				 msg[512], pin[AUTHSTATE_PIN_MAX + 2];
	char				 pin2[AUTHSTATE_PIN_MAX + 2];
	int				 ret;

	ret = -1;
	key = NULL;
	memset(&b, 0, sizeof(b));
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

	if ((key = device_key_generate()) == NULL)
		goto fail;
	if (oobclient_register(&client, &b, code, key, k) == -1)
		goto out;
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
	return (ret);
}

static int
cmd_pending(struct authstate *st, int argc, char **argv)
{
	struct authstate_binding	*b;
	struct authstate_secret		 s;
	struct oobclient_request	 req;
	struct offset_fields		 f;
	json_t				*root, *item;
	const char			*text;
	size_t				 i, n;

	if ((b = select_unlock(st, &s)) == NULL)
		return (-1);
	if (oobclient_pending(&client, b, &s, opt_wait, &root) == -1) {
		authstate_secret_clear(&s);
		return (-1);
	}
	n = 0;
	json_array_foreach(json_object_get(root, "requests"), i, item) {
		if (oobclient_request_parse(&client, item, b, &s, &req) == -1)
			continue;
		request_print(&req);
		if (strcmp(req.mode, "enter") == 0)
			fprintf(stderr, "(enter mode: approve with -c and the "
			    "code the login page shows)\n");
		else if (strcmp(req.mode, "select") == 0)
			fprintf(stderr, "(select mode: approve with -c and the "
			    "choice the login page shows)\n");
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
	struct oobclient_request	 req;
	json_t				*answer;
	const char			*status;
	char				 err[512], typed[16];
	int				 mismatch, ret;

	ret = -1;
	mismatch = 0;
	answer = NULL;
	if (!oobclient_hex_valid(id, OOBCLIENT_ID_LEN)) {
		fprintf(stderr, "mutua-authenticator: a request ID is 32 "
		    "hexadecimal digits\n");
		return (-1);
	}
	if (opt_code != NULL && !oobclient_code_valid(opt_code)) {
		fprintf(stderr, "mutua-authenticator: the code is %d digits\n",
		    OFFSET_CODE_LEN);
		return (-1);
	}
	if ((b = select_unlock(st, &s)) == NULL)
		return (-1);
	if (oobclient_request_find(&client, b, &s, id, &req) == -1)
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
		if (!oobclient_code_valid(typed)) {
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

	if (oobclient_decide(&client, b, &s, &req, decision, reason,
	    &answer) == -1)
		goto out;
	status = json_string_value(json_object_get(answer, "status"));
	printf("status=");
	oobclient_put_escaped(stdout, status != NULL ? status : "unknown");
	printf("\n");
	if (status != NULL && !mismatch && strcmp(status,
	    strcmp(decision, "approve") == 0 ? "approved" : "denied") == 0)
		ret = 0;

out:
	OPENSSL_cleanse(typed, sizeof(typed));
	authstate_secret_clear(&s);
	json_decref(answer);
	return (ret);
}

/* X.1280 8.3, QR mode: the authenticator reads the code and compares. */
static int
cmd_check(struct authstate *st, int argc, char **argv)
{
	struct authstate_binding	*b;
	struct authstate_secret		 s;
	struct oobclient_request	 req;
	char				 base[AUTHSTATE_URL_MAX], err[512];
	char				 id[OOBCLIENT_ID_LEN + 1];
	char				 code[OFFSET_CODE_LEN + 1];
	size_t				 i, n;
	int				 ok;

	if (oobclient_check_parse(&client, argv[0], base, id, code) == -1)
		return (-1);
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
	if (oobclient_request_find(&client, b, &s, id, &req) == 0) {
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

/*
 * One line per request: key=value pairs, the context from the offset.
 * The code only in compare mode: in enter and select modes the user
 * must read it on the login page (X.1280 9.1.1), so a phishing page
 * that shows another code cannot be approved by copying ours.
 */
static void
request_print(const struct oobclient_request *req)
{
	char		ch[4][OFFSET_CODE_LEN + 1];
	long long	left;

	printf("request_id=%s", req->id);
	if (strcmp(req->mode, "compare") == 0)
		printf(" code=%s", req->code);
	printf(" mode=%s", req->mode);
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
	char		date[DATE_MAX];

	kv("rp", f->rp, 0);
	/* The name of a version 2 offset; "" when the RP has none. */
	kv("rp_name", f->rpn, 1);
	kv("tpub", f->tpub, 0);
	kv("tpriv", f->tpriv, 0);
	kv("ua", f->ua, 1);
	kv("uid", f->uid, 0);
	printf(" time=%llu", (unsigned long long)f->t);
	printf(" date=%s", date_format(f->t, DATE_ISO, date, sizeof(date)));
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
	oobclient_put_escaped(stdout, value);
	if (quote)
		printf("\"");
}

