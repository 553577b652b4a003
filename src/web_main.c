/*
 * Kore's hooks: the parent's start-up checks, each worker's onload
 * (configuration, store, SAML and OIDC state) and its periodic sweep.
 * Handler modules never call back into this file.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kore/hooks.h>
#include <kore/seccomp.h>

#include "log.h"
#include "store_sweep.h"
#include "web.h"

#define WEB_DEFAULT_CONFIG	"federation/idp.conf"

/*
 * Kore's worker sandbox stays on; these are the calls LMDB (pread,
 * pwrite, fdatasync, ftruncate on growth), the store's disk reservation
 * (fallocate), lasso/xmlsec and OpenSSL need
 * beyond Kore's own list (see docs/deployment.md).
 */
KORE_SECCOMP_FILTER("mutua",
	KORE_SYSCALL_ALLOW(pread64),
	KORE_SYSCALL_ALLOW(pwrite64),
	KORE_SYSCALL_ALLOW(fdatasync),
	KORE_SYSCALL_ALLOW(fsync),
	KORE_SYSCALL_ALLOW(ftruncate),
	/* The durable file's blocks reserved before a commit (store.c). */
	KORE_SYSCALL_ALLOW(fallocate),
	KORE_SYSCALL_ALLOW(uname),
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(getdents64),
	KORE_SYSCALL_ALLOW(fstatfs),
	KORE_SYSCALL_ALLOW(mkdir),
	/* Kore's filemap resolves paths with realpath(). */
	KORE_SYSCALL_ALLOW(faccessat2),
	/*
	 * libcurl fetching federation metadata (saml_fetch.c): what Kore's
	 * own curl support allows (kore/src/curl.c), and clone3 refused so
	 * that glibc starts the resolver's thread with clone. libldap's
	 * connections to the directory (directory.c) need the same sockets,
	 * and shutdown.
	 */
	KORE_SYSCALL_ALLOW_ARG(socket, 0, AF_INET),
	KORE_SYSCALL_ALLOW_ARG(socket, 0, AF_INET6),
	KORE_SYSCALL_ALLOW_ARG(socket, 0, AF_UNIX),
	KORE_SYSCALL_ALLOW_ARG(socket, 0, AF_NETLINK),
	KORE_SYSCALL_ALLOW(connect),
	KORE_SYSCALL_ALLOW(bind),
	KORE_SYSCALL_ALLOW(getsockopt),
	KORE_SYSCALL_ALLOW(getsockname),
	KORE_SYSCALL_ALLOW(getpeername),
	KORE_SYSCALL_ALLOW(recvmsg),
	KORE_SYSCALL_ALLOW(sendmmsg),
	KORE_SYSCALL_ALLOW(ioctl),
	KORE_SYSCALL_ALLOW(shutdown),
	KORE_SYSCALL_ALLOW(clone),
	KORE_SYSCALL_DENY(clone3, ENOSYS),
	KORE_SYSCALL_ALLOW(set_robust_list),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(pipe2),
	/* GnuTLS's initialisation for StartTLS and ldaps:// (secure_getenv). */
	KORE_SYSCALL_ALLOW(getgid),
	KORE_SYSCALL_ALLOW(getegid),
);

#define WEB_SWEEP_MS		1000
#define WEB_SWEEP_PASSES	4

struct web_state	web;

/* Each worker's sweeper of expired volatile records (store_sweep.h). */
static struct store_sweeper	web_sweeper;
static struct kore_timer	*web_sweep_timer;

int		mutua_onload(int);
static void	web_load_config(void);
static void	web_directory_check(void);
static void	web_sweep(void *, u_int64_t);

/*
 * Reads idp.conf, the master key and the templates into web. fatal() on
 * any error: at start-up that stops the server with "file:line: message".
 */
static void
web_load_config(void)
{
	const char	*path;
	char		 err[CONFIG_ERR_MAX];

	if ((path = getenv("MUTUA_CONFIG")) == NULL)
		path = WEB_DEFAULT_CONFIG;
	if (config_load(path, &web.cfg, err, sizeof(err)) == -1)
		fatal("%s", err);
	if (crypto_master_key_load(web.cfg.master_key, &web.master, err,
	    sizeof(err)) == -1)
		fatal("%s", err);
	web_page_load();
	web_session_init();
}

/* The parent checks everything once so that a bad setup fails at once. */
void
kore_parent_configure(int argc, char **argv)
{
	web_load_config();
	/* Read here: the workers' chroot has no /proc (store_open()). */
	if (store_boot_id(web.boot_id, sizeof(web.boot_id)) == -1)
		fatal("cannot read this machine's boot ID");
	web_directory_check();
	log_event("start", "config", web.cfg.path, "base_url",
	    web.cfg.base_url, "entity_id", web.cfg.entity_id, (char *)NULL);
	crypto_master_key_wipe(&web.master);
}

/*
 * A directory that refuses the service account (or whose certificate
 * does not verify) is a configuration error and stops the start. One
 * that does not answer is logged and the start goes on: local users are
 * served, and each worker connects when the directory is back.
 *
 * The check runs in a child process that ends with _exit(): libldap and
 * GnuTLS are never initialised in the parent, so the workers it forks
 * inherit no TLS state, and a fatal() here does not run GnuTLS's and
 * p11-kit's exit handlers (which can hang under the sanitizers).
 */
static void
web_directory_check(void)
{
	struct directory	*dir;
	struct {
		enum directory_error	e;
		char			err[CONFIG_ERR_MAX];
	}			 r;
	ssize_t			 n;
	size_t			 got;
	pid_t			 pid;
	int			 fds[2], status;

	if (directory_open(&dir, &web.cfg, r.err, sizeof(r.err)) == -1)
		fatal("%s", r.err);
	if (dir == NULL)
		return;
	directory_close(dir);
	if (pipe(fds) == -1 || (pid = fork()) == -1)
		fatal("ldap: cannot start the directory check");
	if (pid == 0) {
		close(fds[0]);
		memset(&r, 0, sizeof(r));
		if (directory_open(&dir, &web.cfg, r.err, sizeof(r.err)) == 0) {
			r.e = directory_check(dir, r.err, sizeof(r.err));
			directory_close(dir);
		} else
			r.e = DIRECTORY_ERROR;
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(fds[1]);
	for (got = 0; got < sizeof(r); got += (size_t)n) {
		n = read(fds[0], (char *)&r + got, sizeof(r) - got);
		if (n <= 0)
			break;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (got != sizeof(r))
		fatal("ldap: the directory check failed");
	r.err[sizeof(r.err) - 1] = '\0';
	if (r.e == DIRECTORY_DOWN)
		log_event("start", "directory", "unreachable", "detail", r.err,
		    (char *)NULL);
	else if (r.e != DIRECTORY_OK)
		fatal("%s", r.err);
}

/*
 * Kore calls this in each worker after fork (KORE_MODULE_LOAD), and on
 * SIGHUP it calls it with KORE_MODULE_UNLOAD, dlclose()s and dlopen()s
 * the module, then calls it with KORE_MODULE_LOAD again. mutua.so is
 * linked with -z nodelete (lasso's GLib types cannot be registered twice
 * in a process), so the module stays mapped and its globals survive:
 * UNLOAD releases everything and LOAD builds it again from the files,
 * which is how SIGHUP reloads SP metadata and OAuth clients. The store is
 * opened per process, never inherited (LMDB handles do not survive fork).
 */
int
mutua_onload(int action)
{
	char		err[CONFIG_ERR_MAX];

	if (action == KORE_MODULE_UNLOAD) {
		kore_timer_remove(web_sweep_timer);
		web_sweep_timer = NULL;
		web_saml_fini();
		web_oidc_unload();
		store_close(web.store);
		web.store = NULL;
		directory_close(web.dir);
		web.dir = NULL;
		crypto_master_key_wipe(&web.master);
		return (KORE_RESULT_OK);
	}
	/*
	 * Every time mutua shows is UTC; with TZ unset glibc's strftime()
	 * looks at /etc/localtime again on each call.
	 */
	if (setenv("TZ", "UTC0", 1) == -1)
		fatal("setenv TZ");
	tzset();
	web_load_config();
	if (store_open(&web.store, web.cfg.data_dir, web.cfg.map_size,
	    web.boot_id, err, sizeof(err)) == -1)
		fatal("store: %s", err);
	if (directory_open(&web.dir, &web.cfg, err, sizeof(err)) == -1)
		fatal("%s", err);
	web_saml_init();
	web_oidc_load();
	web_sweep_timer = kore_timer_add(web_sweep, WEB_SWEEP_MS, NULL, 0);
	return (KORE_RESULT_OK);
}

/*
 * Once a second: a slice of each volatile database, and more slices at
 * once while half of a slice turns out expired (a burst of logins).
 */
static void
web_sweep(void *arg, u_int64_t now_ms)
{
	char	why[128];
	int	i, n;

	for (i = 0; i < WEB_SWEEP_PASSES; i++) {
		n = store_sweep(web.store, &web_sweeper, (uint64_t)time(NULL));
		if (n == -1) {
			if (store_failure(web.store, why, sizeof(why)) ==
			    STORE_FAIL_NONE)
				strcpy(why, "-");
			log_event("sweep", "outcome", "store error", "reason",
			    why, (char *)NULL);
		}
		if (n < STORE_SWEEP_BATCH / 2)
			break;
	}
}
