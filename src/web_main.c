/*
 * Kore's hooks: the parent's start-up checks, each worker's onload
 * (configuration, store, SAML and OIDC state) and its periodic sweep.
 * Handler modules never call back into this file.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <kore/hooks.h>
#include <kore/seccomp.h>

#include "log.h"
#include "store_sweep.h"
#include "web.h"

#define WEB_DEFAULT_CONFIG	"federation/idp.conf"

/*
 * Kore's worker sandbox stays on; these are the calls LMDB (pread,
 * pwrite, fdatasync, ftruncate on growth), lasso/xmlsec and OpenSSL need
 * beyond Kore's own list (see docs/deployment.md).
 */
KORE_SECCOMP_FILTER("mutua",
	KORE_SYSCALL_ALLOW(pread64),
	KORE_SYSCALL_ALLOW(pwrite64),
	KORE_SYSCALL_ALLOW(fdatasync),
	KORE_SYSCALL_ALLOW(fsync),
	KORE_SYSCALL_ALLOW(ftruncate),
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
	 * that glibc starts the resolver's thread with clone.
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
	KORE_SYSCALL_ALLOW(clone),
	KORE_SYSCALL_DENY(clone3, ENOSYS),
	KORE_SYSCALL_ALLOW(set_robust_list),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(pipe2),
);

#define WEB_SWEEP_MS		1000
#define WEB_SWEEP_PASSES	4

struct web_state	web;

/* Each worker's sweeper of expired volatile records (store_sweep.h). */
static struct store_sweeper	web_sweeper;
static struct kore_timer	*web_sweep_timer;

int		mutua_onload(int);
static void	web_load_config(void);
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
	log_event("start", "config", web.cfg.path, "base_url",
	    web.cfg.base_url, "entity_id", web.cfg.entity_id, (char *)NULL);
	crypto_master_key_wipe(&web.master);
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
	int	i, n;

	for (i = 0; i < WEB_SWEEP_PASSES; i++) {
		n = store_sweep(web.store, &web_sweeper, (uint64_t)time(NULL));
		if (n == -1)
			log_event("sweep", "outcome", "store error",
			    (char *)NULL);
		if (n < STORE_SWEEP_BATCH / 2)
			break;
	}
}
