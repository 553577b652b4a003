/*
 * mutuactl: administration of a mutua instance, working directly on its
 * LMDB environment (safe while the server runs: LMDB serialises writers).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "config.h"
#include "crypto.h"
#include "store.h"
#include "store_binding.h"
#include "store_user.h"

#define MUTUACTL_DEFAULT_CONFIG	"federation/idp.conf"
#define PASSWORD_MAX		256

struct command {
	const char	*name;
	const char	*sub;
	int		 args;	/* required positional arguments */
	int		(*run)(struct store *, int, char **);
};

static void	usage(void) __attribute__((noreturn));
static int	cmd_init(struct store *, int, char **);
static int	cmd_user_add(struct store *, int, char **);
static int	cmd_user_list(struct store *, int, char **);
static int	cmd_user_disable(struct store *, int, char **);
static int	cmd_user_password(struct store *, int, char **);
static int	cmd_audit_export(struct store *, int, char **);
static int	cmd_binding_list(struct store *, int, char **);
static int	cmd_binding_suspend(struct store *, int, char **);
static int	cmd_binding_revoke(struct store *, int, char **);
static int	binding_set_state(struct store *, const char *, uint32_t,
		    const char *);
static int	read_password(char *, size_t);
static int	user_update(struct store *, const char *, const char *,
		    int (*)(struct user *, void *), void *);
static int	disable_user(struct user *, void *);
static int	set_password(struct user *, void *);
static int	print_user(void *, const struct user *);
static int	print_audit(void *, const struct audit_record *);
static void	json_string(FILE *, const char *);

static const struct command commands[] = {
	{ "init",	NULL,		0, cmd_init },
	{ "user",	"add",		1, cmd_user_add },
	{ "user",	"list",		0, cmd_user_list },
	{ "user",	"disable",	1, cmd_user_disable },
	{ "user",	"set-password",	1, cmd_user_password },
	{ "audit",	"export",	0, cmd_audit_export },
	{ "binding",	"list",		1, cmd_binding_list },
	{ "binding",	"suspend",	1, cmd_binding_suspend },
	{ "binding",	"revoke",	1, cmd_binding_revoke },
	{ NULL,		NULL,		0, NULL }
};

static const char	*opt_name = "";
static const char	*opt_email = "";
static int		 opt_password_stdin;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: mutuactl [-c config] init\n"
	    "       mutuactl [-c config] user add [-n name] [-e email] [-p] id\n"
	    "       mutuactl [-c config] user list\n"
	    "       mutuactl [-c config] user disable id\n"
	    "       mutuactl [-c config] user set-password [-p] id\n"
	    "       mutuactl [-c config] audit export\n"
	    "       mutuactl [-c config] binding list user\n"
	    "       mutuactl [-c config] binding suspend|revoke binding-id\n");
	exit(EXIT_FAILURE);
}

int
main(int argc, char **argv)
{
	const struct command	*cmd;
	struct config		 cfg;
	struct store		*st;
	const char		*path;
	char			 err[CONFIG_ERR_MAX];
	int			 ch, ret, shift;

	path = getenv("MUTUA_CONFIG");
	if (path == NULL)
		path = MUTUACTL_DEFAULT_CONFIG;
	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

	for (cmd = commands; cmd->name != NULL; cmd++) {
		if (strcmp(cmd->name, argv[0]) != 0)
			continue;
		if (cmd->sub == NULL ||
		    (argc > 1 && strcmp(cmd->sub, argv[1]) == 0))
			break;
	}
	if (cmd->name == NULL)
		usage();
	/* argv[0] becomes the last command word, as getopt expects. */
	shift = cmd->sub == NULL ? 0 : 1;
	argc -= shift;
	argv += shift;
	optind = 0;	/* glibc: restart scanning from argv[1] */
	while ((ch = getopt(argc, argv, "n:e:p")) != -1) {
		switch (ch) {
		case 'n':
			opt_name = optarg;
			break;
		case 'e':
			opt_email = optarg;
			break;
		case 'p':
			opt_password_stdin = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != cmd->args)
		usage();

	if (config_load(path, &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "mutuactl: %s\n", err);
		return (EXIT_FAILURE);
	}
	if (store_open(&st, cfg.data_dir, cfg.map_size, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mutuactl: store: %s\n", err);
		return (EXIT_FAILURE);
	}
	ret = cmd->run(st, argc, argv);
	store_close(st);
	return (ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

static int
cmd_init(struct store *st, int argc, char **argv)
{
	/* store_open() created the environment and the schema record. */
	printf("store ready\n");
	return (0);
}

/*
 * Reads one line from standard input without echo handling: the caller
 * pipes it (-p) so that no password appears in argv or the shell history.
 */
static int
read_password(char *buf, size_t len)
{
	size_t		n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return (-1);
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == len - 1)
		return (-1);
	buf[n] = '\0';
	return (n >= 8 ? 0 : -1);
}

static int
cmd_user_add(struct store *st, int argc, char **argv)
{
	struct store_txn	txn;
	struct user		u;
	char			password[PASSWORD_MAX];
	int			rc;

	memset(&u, 0, sizeof(u));
	if (!store_user_id_valid(argv[0])) {
		fprintf(stderr, "mutuactl: invalid user ID \"%s\" (1-63 of "
		    "a-z 0-9 . _ @ -)\n", argv[0]);
		return (-1);
	}
	if (strlen(opt_name) >= sizeof(u.display_name) ||
	    strlen(opt_email) >= sizeof(u.email)) {
		fprintf(stderr, "mutuactl: name or e-mail too long\n");
		return (-1);
	}
	strcpy(u.id, argv[0]);
	strcpy(u.display_name, opt_name);
	strcpy(u.email, opt_email);
	u.created = (uint64_t)time(NULL);
	if (opt_password_stdin) {
		if (read_password(password, sizeof(password)) == -1) {
			fprintf(stderr, "mutuactl: password: one line of at "
			    "least 8 characters expected on stdin\n");
			return (-1);
		}
		rc = crypto_password_hash(password, u.password_hash,
		    sizeof(u.password_hash));
		OPENSSL_cleanse(password, sizeof(password));
		if (rc == -1)
			return (-1);
	}

	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	rc = store_user_add(&txn, &u);
	if (rc == STORE_EXISTS) {
		store_txn_abort(&txn);
		fprintf(stderr, "mutuactl: user \"%s\" exists\n", u.id);
		return (-1);
	}
	audit_write(&txn, "user.created", "mutuactl", u.id, "ok", NULL);
	if (store_txn_commit(&txn) == -1) {
		fprintf(stderr, "mutuactl: user add: store error\n");
		return (-1);
	}
	return (0);
}

static int
print_user(void *arg, const struct user *u)
{
	printf("%s\t%s\t%s\t%s\n", u->id,
	    (u->flags & USER_DISABLED) ? "disabled" : "active",
	    u->email[0] ? u->email : "-",
	    u->display_name[0] ? u->display_name : "-");
	return (0);
}

static int
cmd_user_list(struct store *st, int argc, char **argv)
{
	struct store_txn	txn;
	int			rc;

	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	rc = store_user_scan(&txn, print_user, NULL);
	store_txn_abort(&txn);
	return (rc);
}

/* Loads a user for change, applies fn, writes it back with an audit. */
static int
user_update(struct store *st, const char *id, const char *event,
    int (*fn)(struct user *, void *), void *arg)
{
	struct store_txn	txn;
	struct user		u;
	int			rc;

	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	if ((rc = store_user_get(&txn, id, &u)) != 0) {
		store_txn_abort(&txn);
		fprintf(stderr, "mutuactl: %s\n", rc == STORE_NOTFOUND ?
		    "no such user" : "store error");
		return (-1);
	}
	if (fn(&u, arg) == -1) {
		OPENSSL_cleanse(&u, sizeof(u));
		store_txn_abort(&txn);
		return (-1);
	}
	store_user_put(&txn, &u);
	audit_write(&txn, event, "mutuactl", id, "ok", NULL);
	OPENSSL_cleanse(&u, sizeof(u));
	if (store_txn_commit(&txn) == -1) {
		fprintf(stderr, "mutuactl: store error\n");
		return (-1);
	}
	return (0);
}

static int
disable_user(struct user *u, void *arg)
{
	u->flags |= USER_DISABLED;
	return (0);
}

static int
cmd_user_disable(struct store *st, int argc, char **argv)
{
	return (user_update(st, argv[0], "user.disabled", disable_user, NULL));
}

static int
set_password(struct user *u, void *arg)
{
	return (crypto_password_hash(arg, u->password_hash,
	    sizeof(u->password_hash)));
}

static int
cmd_user_password(struct store *st, int argc, char **argv)
{
	char		password[PASSWORD_MAX];
	int		rc;

	if (read_password(password, sizeof(password)) == -1) {
		fprintf(stderr, "mutuactl: password: one line of at least 8 "
		    "characters expected on stdin\n");
		return (-1);
	}
	rc = user_update(st, argv[0], "user.password_set", set_password,
	    password);
	OPENSSL_cleanse(password, sizeof(password));
	return (rc);
}

static void
json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

static int
print_audit(void *arg, const struct audit_record *r)
{
	printf("{\"seq\":%llu,\"time_ms\":%llu,\"event\":",
	    (unsigned long long)r->seq, (unsigned long long)r->time);
	json_string(stdout, r->event);
	printf(",\"actor\":");
	json_string(stdout, r->actor);
	printf(",\"subject\":");
	json_string(stdout, r->subject);
	printf(",\"outcome\":");
	json_string(stdout, r->outcome);
	printf(",\"detail\":");
	json_string(stdout, r->detail);
	printf("}\n");
	return (0);
}

static int
cmd_audit_export(struct store *st, int argc, char **argv)
{
	struct store_txn	txn;
	int			rc;

	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	rc = audit_scan(&txn, 0, print_audit, NULL);
	store_txn_abort(&txn);
	return (rc);
}

static int
cmd_binding_list(struct store *st, int argc, char **argv)
{
	static const char	*states[] = { "?", "active", "suspended",
				    "revoked" };
	struct store_txn	 txn;
	struct binding		 list[BINDINGS_PER_USER_MAX];
	int			 n, i;

	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	n = store_binding_list(&txn, argv[0], list, BINDINGS_PER_USER_MAX);
	store_txn_abort(&txn);
	for (i = 0; i < n; i++) {
		printf("%s\t%s\tLoA%u\t%s\t%s\n", list[i].id,
		    states[list[i].state <= 3 ? list[i].state : 0],
		    list[i].loa, (list[i].flags & BINDING_BACKUP) ?
		    "backup" : "primary", list[i].label);
	}
	OPENSSL_cleanse(list, sizeof(list));
	return (n == -1 ? -1 : 0);
}

/*
 * X.1280 9.2.2: releasing a lost or stolen authenticator is done here,
 * by an operator, or by the help desk after re-vetting.
 */
static int
binding_set_state(struct store *st, const char *id, uint32_t state,
    const char *event)
{
	struct store_txn	txn;
	struct binding		b;
	int			rc;

	if (store_txn_begin(st, &txn, 1) == -1)
		return (-1);
	if ((rc = store_binding_get(&txn, id, &b)) != 0) {
		store_txn_abort(&txn);
		fprintf(stderr, "mutuactl: %s\n", rc == STORE_NOTFOUND ?
		    "no such binding" : "store error");
		return (-1);
	}
	if (b.state == BINDING_REVOKED) {
		store_txn_abort(&txn);
		OPENSSL_cleanse(&b, sizeof(b));
		fprintf(stderr, "mutuactl: binding is revoked already\n");
		return (-1);
	}
	b.state = state;
	store_binding_put(&txn, &b);
	audit_write(&txn, event, "mutuactl", b.user_id, "ok", b.id);
	OPENSSL_cleanse(&b, sizeof(b));
	if (store_txn_commit(&txn) == -1) {
		fprintf(stderr, "mutuactl: store error\n");
		return (-1);
	}
	return (0);
}

static int
cmd_binding_suspend(struct store *st, int argc, char **argv)
{
	return (binding_set_state(st, argv[0], BINDING_SUSPENDED,
	    "binding.suspended"));
}

static int
cmd_binding_revoke(struct store *st, int argc, char **argv)
{
	return (binding_set_state(st, argv[0], BINDING_REVOKED,
	    "binding.revoked"));
}
