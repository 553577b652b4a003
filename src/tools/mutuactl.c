/*
 * mutuactl: administration of a mutua instance, working directly on its
 * LMDB environment (safe while the server runs: LMDB serialises writers,
 * readers never block). See docs/mutuactl.8.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "binding.h"
#include "config.h"
#include "find.h"
#include "crypto.h"
#include "date.h"
#include "store.h"
#include "store_binding.h"
#include "store_user.h"
#include "store_vetting.h"
#include "vetting.h"

#define MUTUACTL_DEFAULT_CONFIG	"federation/idp.conf"
#define PASSWORD_MAX		256

#define CMD_NOSTORE	0x01	/* runs without opening the store */

struct command {
	const char	*name;
	const char	*sub;
	int		 args;	/* required positional arguments */
	int		(*run)(struct store *, int, char **);
	int		 flags;
};

struct role_change {
	uint32_t	 role;
	int		 grant;
};

static void	usage(void) __attribute__((noreturn));
static int	cmd_init(struct store *, int, char **);
static int	cmd_user_add(struct store *, int, char **);
static int	cmd_user_list(struct store *, int, char **);
static int	cmd_user_find(struct store *, int, char **);
static int	print_found(void *, const struct find_result *);
static int	cmd_user_disable(struct store *, int, char **);
static int	cmd_user_password(struct store *, int, char **);
static int	cmd_audit_export(struct store *, int, char **);
static int	cmd_audit_verify(struct store *, int, char **);
static int	audit_anchor_check(struct store_txn *, const char *);
static void	json_link(const unsigned char *);
static int	cmd_binding_list(struct store *, int, char **);
static int	cmd_binding_suspend(struct store *, int, char **);
static int	cmd_binding_revoke(struct store *, int, char **);
static int	binding_change(struct store *, const char *, uint32_t);
static int	read_password(char *, size_t);
static int	user_update(struct store *, const char *, const char *,
		    int (*)(struct user *, void *), void *);
static int	disable_user(struct user *, void *);
static int	set_password(struct user *, void *);
static int	print_user(void *, const struct user *);
static int	print_audit(void *, const struct audit_record *);
static void	json_string(FILE *, const char *);
static void	json_field(const char *, const char *);
static int	cmd_role_grant(struct store *, int, char **);
static int	cmd_role_revoke(struct store *, int, char **);
static int	role_set(struct store *, char **, int);
static int	change_role(struct user *, void *);
static int	cmd_vetting_list(struct store *, int, char **);
static int	cmd_vetting_show(struct store *, int, char **);
static int	cmd_vetting_export(struct store *, int, char **);
static int	print_case(void *, const struct vetting_case *);
static int	print_event(void *, const struct vetting_event *);
static int	print_event_json(void *, const struct vetting_event *);
static int	cmd_backup(struct store *, int, char **);
static int	cmd_restore(struct store *, int, char **);
static int	cmd_client_secret(struct store *, int, char **);
static int	dir_state(const char *);
static int	copy_file(const char *, const char *);
static const char	*roles_text(uint32_t, char *, size_t);

static const struct command commands[] = {
	{ "init",	NULL,		0, cmd_init, 0 },
	{ "user",	"add",		1, cmd_user_add, 0 },
	{ "user",	"list",		0, cmd_user_list, 0 },
	{ "user",	"find",		1, cmd_user_find, 0 },
	{ "user",	"disable",	1, cmd_user_disable, 0 },
	{ "user",	"set-password",	1, cmd_user_password, 0 },
	{ "role",	"grant",	2, cmd_role_grant, 0 },
	{ "role",	"revoke",	2, cmd_role_revoke, 0 },
	{ "audit",	"export",	0, cmd_audit_export, 0 },
	{ "audit",	"verify",	0, cmd_audit_verify, 0 },
	{ "binding",	"list",		1, cmd_binding_list, 0 },
	{ "binding",	"suspend",	1, cmd_binding_suspend, 0 },
	{ "binding",	"revoke",	1, cmd_binding_revoke, 0 },
	{ "vetting",	"list",		0, cmd_vetting_list, 0 },
	{ "vetting",	"show",		1, cmd_vetting_show, 0 },
	{ "vetting",	"export",	0, cmd_vetting_export, 0 },
	{ "backup",	NULL,		1, cmd_backup, 0 },
	{ "restore",	NULL,		1, cmd_restore, CMD_NOSTORE },
	{ "client",	"secret",	0, cmd_client_secret, CMD_NOSTORE },
	{ NULL,		NULL,		0, NULL, 0 }
};

static const char	*opt_name = "";
static const char	*opt_email = "";
static const char	*opt_user;
static const char	*opt_anchor;
static int		 opt_password_stdin;
static struct config	 cfg;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: mutuactl [-c config] init\n"
	    "       mutuactl [-c config] user add [-n name] [-e email] [-p] id\n"
	    "       mutuactl [-c config] user list\n"
	    "       mutuactl [-c config] user find text\n"
	    "       mutuactl [-c config] user disable id\n"
	    "       mutuactl [-c config] user set-password [-p] id\n"
	    "       mutuactl [-c config] audit export\n"
	    "       mutuactl [-c config] audit verify [-a seq:link]\n"
	    "       mutuactl [-c config] role grant|revoke user helpdesk|admin\n"
	    "       mutuactl [-c config] binding list user\n"
	    "       mutuactl [-c config] binding suspend|revoke binding-id\n"
	    "       mutuactl [-c config] vetting list [-u user]\n"
	    "       mutuactl [-c config] vetting show case-id\n"
	    "       mutuactl [-c config] vetting export\n"
	    "       mutuactl [-c config] backup directory\n"
	    "       mutuactl [-c config] restore directory\n"
	    "       mutuactl [-c config] client secret [-p]\n");
	exit(EXIT_FAILURE);
}

int
main(int argc, char **argv)
{
	const struct command	*cmd;
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
	while ((ch = getopt(argc, argv, "a:n:e:pu:")) != -1) {
		switch (ch) {
		case 'a':
			opt_anchor = optarg;
			break;
		case 'u':
			opt_user = optarg;
			break;
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
	if (cmd->flags & CMD_NOSTORE)
		return (cmd->run(NULL, argc, argv) == 0 ? EXIT_SUCCESS :
		    EXIT_FAILURE);
	if (store_open(&st, cfg.data_dir, cfg.map_size, NULL, err,
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
	char	roles[32];

	printf("%s\t%s\t%s\t%s\t%s\n", u->id,
	    (u->flags & USER_DISABLED) ? "disabled" : "active",
	    u->email[0] ? u->email : "-",
	    u->display_name[0] ? u->display_name : "-",
	    roles_text(u->roles, roles, sizeof(roles)));
	return (0);
}

static const char *
roles_text(uint32_t roles, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", (roles & USER_ROLE_HELPDESK) ?
	    "helpdesk" : "", (roles & USER_ROLE_HELPDESK) &&
	    (roles & USER_ROLE_ADMIN) ? "," : "",
	    (roles & USER_ROLE_ADMIN) ? "admin" : "");
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
	return (buf);
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

static int
print_found(void *arg, const struct find_result *r)
{
	printf("%s\t%s\t%s\t%s\n", r->id,
	    !r->directory ? "local" : r->local ? "directory" :
	    "directory-only", r->email[0] ? r->email : "-",
	    r->display_name[0] ? r->display_name : "-");
	return (0);
}

/*
 * Users whose ID, name or e-mail holds the text: local records, then
 * the directory's entries ("directory-only" until their first sign-in).
 */
static int
cmd_user_find(struct store *st, int argc, char **argv)
{
	struct directory	*dir;
	char			 err[CONFIG_ERR_MAX];
	int			 rc;

	if (argv[0][0] == '\0' || strlen(argv[0]) > USER_EMAIL_MAX) {
		fprintf(stderr, "mutuactl: search text empty or too long\n");
		return (-1);
	}
	if (directory_open(&dir, &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "mutuactl: %s\n", err);
		return (-1);
	}
	rc = find_users(st, dir, argv[0], print_found, NULL);
	directory_close(dir);
	if (rc == 1)
		fprintf(stderr, "mutuactl: the directory did not answer: "
		    "local users only\n");
	return (rc == -1 ? -1 : 0);
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

/* Prints ,"name":"value" (value escaped) on standard output. */
static void
json_field(const char *name, const char *value)
{
	printf(",\"%s\":", name);
	json_string(stdout, value);
}

static int
print_audit(void *arg, const struct audit_record *r)
{
	printf("{\"seq\":%llu,\"time_ms\":%llu",
	    (unsigned long long)r->seq, (unsigned long long)r->time);
	json_field("event", r->event);
	json_field("actor", r->actor);
	json_field("subject", r->subject);
	json_field("outcome", r->outcome);
	json_field("detail", r->detail);
	json_link(r->link);
	printf("}\n");
	return (0);
}

/* Prints ,"chain":"<hex link>" on standard output. */
static void
json_link(const unsigned char *link)
{
	char	hex[2 * STORE_CHAIN_LEN + 1];

	crypto_hex(link, STORE_CHAIN_LEN, hex);
	json_field("chain", hex);
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

/*
 * Checks the hash chains of the audit log and of the vetting events and
 * prints each head, for the operator to keep elsewhere: a head kept
 * earlier, given as -a seq:link, must still be in the audit chain, which
 * shows that no record up to it was changed and none after it cut off.
 */
static int
cmd_audit_verify(struct store *st, int argc, char **argv)
{
	static const struct {
		const char	*name;
		enum store_db	 db;
	} logs[] = {
		{ "audit", STORE_AUDIT },
		{ "vetting", STORE_VETTING_EVENTS },
	};
	struct store_chain_report	rep;
	struct store_txn		txn;
	char				hex[2 * STORE_CHAIN_LEN + 1];
	size_t				i;
	int				rc, broken;

	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	broken = 0;
	for (i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		if ((rc = store_chain_verify(&txn, logs[i].db, &rep)) == -1)
			goto fail;
		if (rc == 1) {
			printf("%s: chain broken at record %llu: %s\n",
			    logs[i].name, (unsigned long long)rep.bad_seq,
			    rep.problem);
			broken = 1;
			continue;
		}
		crypto_hex(rep.head, sizeof(rep.head), hex);
		printf("%s: %llu records, chain intact, head %llu:%s\n",
		    logs[i].name, (unsigned long long)rep.records,
		    (unsigned long long)rep.head_seq, hex);
	}
	if (opt_anchor != NULL && audit_anchor_check(&txn, opt_anchor) != 0)
		broken = 1;
	store_txn_abort(&txn);
	return (broken ? -1 : 0);

fail:
	store_txn_abort(&txn);
	fprintf(stderr, "mutuactl: audit verify: the store cannot be read\n");
	return (-1);
}

/* @return 0 when anchor ("seq:link") is a link of the audit chain. */
static int
audit_anchor_check(struct store_txn *txn, const char *anchor)
{
	unsigned char		 want[STORE_CHAIN_LEN], have[STORE_CHAIN_LEN];
	char			*end;
	unsigned long long	 seq;

	if (anchor[0] < '1' || anchor[0] > '9')
		goto bad;
	errno = 0;
	seq = strtoull(anchor, &end, 10);
	if (errno != 0 || *end != ':' || strlen(end + 1) != 2 * sizeof(want) ||
	    crypto_unhex(end + 1, want, sizeof(want)) != (int)sizeof(want))
		goto bad;
	if (store_chain_get(txn, STORE_AUDIT, seq, have) != 0 ||
	    CRYPTO_memcmp(want, have, sizeof(want)) != 0) {
		printf("audit: head %llu given with -a is not in the chain\n",
		    seq);
		return (1);
	}
	printf("audit: head %llu given with -a is in the chain\n", seq);
	return (0);

bad:
	fprintf(stderr, "mutuactl: -a wants seq:link as verify prints it\n");
	return (-1);
}

static int
cmd_binding_list(struct store *st, int argc, char **argv)
{
	struct store_txn	 txn;
	struct binding		 list[BINDINGS_PER_USER_MAX];
	int			 n, i;

	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	n = store_binding_list(&txn, argv[0], list, BINDINGS_PER_USER_MAX);
	store_txn_abort(&txn);
	for (i = 0; i < n; i++) {
		printf("%s\t%s\tLoA%u\t%s\t%s\n", list[i].id,
		    binding_state_name(list[i].state),
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
binding_change(struct store *st, const char *id, uint32_t state)
{
	struct store_txn	txn;
	enum binding_error	e;

	if (store_txn_begin(st, &txn, 1) == -1) {
		fprintf(stderr, "mutuactl: store error\n");
		return (-1);
	}
	e = binding_set_state(&txn, id, NULL, state, "mutuactl",
	    "channel=mutuactl");
	if (e != BINDING_OK) {
		store_txn_abort(&txn);
		fprintf(stderr, "mutuactl: %s\n", e == BINDING_ERR_NOTFOUND ?
		    "no such binding" : e == BINDING_ERR_REVOKED ?
		    "binding is revoked already" : "store error");
		return (-1);
	}
	if (store_txn_commit(&txn) == -1) {
		fprintf(stderr, "mutuactl: store error\n");
		return (-1);
	}
	return (0);
}

static int
cmd_binding_suspend(struct store *st, int argc, char **argv)
{
	return (binding_change(st, argv[0], BINDING_SUSPENDED));
}

static int
cmd_binding_revoke(struct store *st, int argc, char **argv)
{
	return (binding_change(st, argv[0], BINDING_REVOKED));
}

static int
change_role(struct user *u, void *arg)
{
	const struct role_change	*rc = arg;

	if (rc->grant)
		u->roles |= rc->role;
	else
		u->roles &= ~rc->role;
	return (0);
}

/* Roles live on the user record: the first help-desk admin comes from here. */
static int
role_set(struct store *st, char **argv, int grant)
{
	struct role_change	rc;
	char			event[48];

	if (strcmp(argv[1], "helpdesk") == 0)
		rc.role = USER_ROLE_HELPDESK;
	else if (strcmp(argv[1], "admin") == 0)
		rc.role = USER_ROLE_ADMIN;
	else {
		fprintf(stderr, "mutuactl: unknown role \"%s\" (helpdesk, "
		    "admin)\n", argv[1]);
		return (-1);
	}
	rc.grant = grant;
	snprintf(event, sizeof(event), "role.%s.%s", argv[1],
	    rc.grant ? "granted" : "revoked");
	return (user_update(st, argv[0], event, change_role, &rc));
}

static int
cmd_role_grant(struct store *st, int argc, char **argv)
{
	return (role_set(st, argv, 1));
}

static int
cmd_role_revoke(struct store *st, int argc, char **argv)
{
	return (role_set(st, argv, 0));
}

static int
print_case(void *arg, const struct vetting_case *c)
{
	char	updated[DATE_MAX];

	printf("%s\t%s\tLoA%u\t%s\t%s\t%s\t%s\n", c->id,
	    c->user_id[0] ? c->user_id : "-", c->loa,
	    vetting_purpose_name(c->purpose), vetting_channel_name(c->channel),
	    vetting_state_name(c->state),
	    date_format(c->updated, DATE_ISO, updated, sizeof(updated)));
	return (0);
}

static int
cmd_vetting_list(struct store *st, int argc, char **argv)
{
	struct store_txn	txn;
	int			rc;

	if (opt_user != NULL && !store_user_id_valid(opt_user)) {
		fprintf(stderr, "mutuactl: invalid user ID \"%s\"\n", opt_user);
		return (-1);
	}
	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	rc = store_vetting_scan(&txn, opt_user, print_case, NULL);
	store_txn_abort(&txn);
	return (rc);
}

static int
print_event(void *arg, const struct vetting_event *ev)
{
	char	when[DATE_MAX];

	printf("  %llu\t%s\t%s\t%s\t%s:%s\t%s\n", (unsigned long long)ev->seq,
	    date_format(ev->time, DATE_ISO, when, sizeof(when)),
	    vetting_action_name(ev->action), vetting_outcome_name(ev->outcome),
	    vetting_role_name(ev->role), ev->actor,
	    ev->evidence[0] ? ev->evidence : "-");
	return (0);
}

static int
cmd_vetting_show(struct store *st, int argc, char **argv)
{
	struct store_txn	 txn;
	struct vetting_case	 c;
	char			 a[DATE_MAX], b[DATE_MAX], e[DATE_MAX];
	int			 rc;

	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	if ((rc = store_vetting_get(&txn, argv[0], &c)) != 0) {
		store_txn_abort(&txn);
		fprintf(stderr, "mutuactl: %s\n", rc == STORE_NOTFOUND ?
		    "no such vetting case" : "store error");
		return (-1);
	}
	printf("case\t%s\napplicant\t%s\nloa\t%u\npurpose\t%s\nchannel\t%s\n"
	    "state\t%s\nopened\t%s by %s\nupdated\t%s\neligibility\t%s\n"
	    "staff\t%s\nfactor\t%s\nbinding\t%s\nevents:\n", c.id,
	    c.user_id[0] ? c.user_id : "-", c.loa,
	    vetting_purpose_name(c.purpose), vetting_channel_name(c.channel),
	    vetting_state_name(c.state),
	    date_format(c.created, DATE_ISO, a, sizeof(a)), c.opened_by,
	    date_format(c.updated, DATE_ISO, b, sizeof(b)),
	    date_format(c.eligibility_at, DATE_ISO, e, sizeof(e)),
	    c.staff[0] ? c.staff : "-", c.factor[0] ? c.factor : "-",
	    c.binding_id[0] ? c.binding_id : "-");
	rc = store_vetting_event_scan(&txn, c.id, 0, print_event, NULL);
	store_txn_abort(&txn);
	return (rc);
}

static int
print_event_json(void *arg, const struct vetting_event *ev)
{
	printf("{\"seq\":%llu,\"time\":%llu",
	    (unsigned long long)ev->seq, (unsigned long long)ev->time);
	json_field("case", ev->case_id);
	json_field("action", vetting_action_name(ev->action));
	json_field("outcome", vetting_outcome_name(ev->outcome));
	json_field("role", vetting_role_name(ev->role));
	json_field("actor", ev->actor);
	json_field("evidence", ev->evidence);
	json_link(ev->link);
	printf("}\n");
	return (0);
}

static int
cmd_vetting_export(struct store *st, int argc, char **argv)
{
	struct store_txn	txn;
	int			rc;

	if (store_txn_begin(st, &txn, 0) == -1)
		return (-1);
	rc = store_vetting_event_scan(&txn, NULL, 0, print_event_json, NULL);
	store_txn_abort(&txn);
	return (rc);
}

/* @return 0 when path is missing, 1 when an empty directory, -1 else. */
static int
dir_state(const char *path)
{
	struct dirent	*de;
	DIR		*d;
	int		 n;

	if ((d = opendir(path)) == NULL)
		return (errno == ENOENT ? 0 : -1);
	n = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return (n == 0 ? 1 : -1);
}

/*
 * An online backup: a compacted copy made in one read transaction, so
 * it is consistent while the server writes (mdb_env_copy2).
 */
static int
cmd_backup(struct store *st, int argc, char **argv)
{
	char	err[PATH_MAX + 128];

	if (dir_state(argv[0]) == -1) {
		fprintf(stderr, "mutuactl: backup: %s exists and is not an "
		    "empty directory\n", argv[0]);
		return (-1);
	}
	if (store_backup(st, argv[0], err, sizeof(err)) == -1) {
		fprintf(stderr, "mutuactl: backup: %s\n", err);
		return (-1);
	}
	printf("backup written to %s\n", argv[0]);
	return (0);
}

/* Copies src to the new file dst (mode 0600) and syncs it. */
static int
copy_file(const char *src, const char *dst)
{
	char		buf[65536];
	ssize_t		n;
	int		in, out, ret;

	ret = -1;
	if ((in = open(src, O_RDONLY)) == -1)
		return (-1);
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		close(in);
		return (-1);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n)
			goto out;
	}
	if (n == 0 && fsync(out) == 0)
		ret = 0;
out:
	if (close(out) == -1)
		ret = -1;
	close(in);
	return (ret);
}

/*
 * Restores a backup into the configured data_dir, which must be missing
 * or empty: the server is stopped (a running server would have created
 * its environment there), and nothing is ever overwritten.
 */
static int
cmd_restore(struct store *unused, int argc, char **argv)
{
	struct store	*st;
	char		 src[PATH_MAX], dst[PATH_MAX], err[PATH_MAX + 128];
	int		 state;

	if ((size_t)snprintf(src, sizeof(src), "%s/data.mdb", argv[0]) >=
	    sizeof(src) || (size_t)snprintf(dst, sizeof(dst), "%s/data.mdb",
	    cfg.data_dir) >= sizeof(dst)) {
		fprintf(stderr, "mutuactl: restore: path too long\n");
		return (-1);
	}
	if (access(src, R_OK) == -1) {
		fprintf(stderr, "mutuactl: restore: %s: %s\n", src,
		    strerror(errno));
		return (-1);
	}
	if ((state = dir_state(cfg.data_dir)) == -1) {
		fprintf(stderr, "mutuactl: restore: %s is not empty; stop the "
		    "server and move it away first\n", cfg.data_dir);
		return (-1);
	}
	if (state == 0 && mkdir(cfg.data_dir, 0700) == -1) {
		fprintf(stderr, "mutuactl: restore: %s: %s\n", cfg.data_dir,
		    strerror(errno));
		return (-1);
	}
	if (copy_file(src, dst) == -1) {
		fprintf(stderr, "mutuactl: restore: copy to %s: %s\n", dst,
		    strerror(errno));
		unlink(dst);
		return (-1);
	}
	/* The copy must open as a store of this schema, or it is removed. */
	if (store_open(&st, cfg.data_dir, cfg.map_size, NULL, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mutuactl: restore: %s\n", err);
		unlink(dst);
		return (-1);
	}
	state = store_check(st);
	store_close(st);
	if (state == -1) {
		fprintf(stderr, "mutuactl: restore: %s is not a mutua store\n",
		    argv[0]);
		unlink(dst);
		return (-1);
	}
	printf("restored %s into %s\n", argv[0], cfg.data_dir);
	return (0);
}

/*
 * An OAuth client secret for federation/clients (docs/oidc.md): prints
 * a new random secret (256 bits, base64url) and then its scrypt hash,
 * the value of client_secret_hash; with -p, hashes the secret read from
 * standard input and prints the hash only. Secrets are never stored.
 */
static int
cmd_client_secret(struct store *unused, int argc, char **argv)
{
	unsigned char	raw[32];
	char		secret[PASSWORD_MAX], hash[CRYPTO_PASSWORD_HASH_MAX];
	int		rc;

	rc = -1;
	if (opt_password_stdin) {
		if (read_password(secret, sizeof(secret)) == -1) {
			fprintf(stderr, "mutuactl: a client secret is one line "
			    "of at least 8 characters\n");
			return (-1);
		}
	} else if (crypto_random(raw, sizeof(raw)) == -1 ||
	    crypto_b64url_encode(raw, sizeof(raw), secret,
	    sizeof(secret)) == -1)
		goto out;
	if (crypto_password_hash(secret, hash, sizeof(hash)) == -1)
		goto out;
	if (!opt_password_stdin)
		printf("%s\n", secret);
	printf("%s\n", hash);
	rc = 0;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(secret, sizeof(secret));
	return (rc);
}
