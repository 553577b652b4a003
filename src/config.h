/*
 * config.c: federation/idp.conf, parsed once, strictly.
 *
 * One "key value" directive per line; '#' starts a comment. Unknown keys,
 * bad values, repeated keys and missing required keys are errors reported
 * as "file:line: message". Relative paths are relative to the working
 * directory the server or tool runs in (the project root in development).
 */
#ifndef MUTUA_CONFIG_H
#define MUTUA_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "attribute.h"

#define CONFIG_URL_MAX		512
#define CONFIG_URI_MAX		256
#define CONFIG_PROXIES_MAX	16
#define CONFIG_ERR_MAX		(PATH_MAX + 256)
#define CONFIG_LDAP_URLS_MAX	1024	/* space-separated ldap(s):// URLs */
#define CONFIG_LDAP_TEXT_MAX	512	/* a DN or a search filter */
#define CONFIG_LDAP_ATTR_MAX	64	/* an attribute description */
#define CONFIG_MD_SOURCES_MAX	8
#define CONFIG_MD_NAME_MAX	32

/* How the user compares the terminal's code on the authenticator. */
enum config_comparison {
	CONFIG_COMPARE_ENTER,	/* the user types the terminal's code */
	CONFIG_COMPARE_SELECT,	/* the user picks it among several */
	CONFIG_COMPARE_COMPARE	/* X.1280 8.4: side by side */
};

struct config_proxy {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];
	unsigned int	prefix;		/* CIDR prefix length */
};

/*
 * A SAML metadata source (docs/saml.md): an aggregate
 * (metadata_aggregate), a signed EntitiesDescriptor whose SPs are indexed
 * in the store, or an MDQ responder (metadata_mdq) asked for one entity
 * at a time; either way an SP is resolved by entityID when a request
 * names it.
 */
struct config_md_source {
	char		name[CONFIG_MD_NAME_MAX];	/* [A-Za-z0-9_-] */
	char		file[PATH_MAX];		/* "" when url is set */
	char		url[CONFIG_URL_MAX];	/* "" when file is set */
	char		cert[PATH_MAX];		/* the pinned signer */
	char		policy[PATH_MAX];	/* NAME.conf syntax; "" = none */
	char		category[CONFIG_URI_MAX];	/* "" = any entity */
	char		registrar[CONFIG_URI_MAX];	/* "" = any entity */
	unsigned int	interval;		/* seconds between checks */
	unsigned int	timeout;		/* seconds, for url */
	unsigned int	max_mb;			/* largest copy, for url */
	int		mdq;			/* an MDQ responder at url */
	int		sha1;			/* MDQ: ask for {sha1}hex */
	unsigned int	ttl;			/* MDQ: seconds an answer is kept */
	unsigned int	negative_ttl;		/* MDQ: ... a "not found" */
	unsigned int	max_entries;		/* MDQ: answers kept at most */
};

struct config {
	char		path[PATH_MAX];
	char		entity_id[CONFIG_URL_MAX];
	char		base_url[CONFIG_URL_MAX];
	int		https;		/* base_url is https:// */
	char		data_dir[PATH_MAX];
	size_t		map_size;	/* bytes */
	char		master_key[PATH_MAX];
	char		signing_key[PATH_MAX];
	char		signing_cert[PATH_MAX];
	char		oidc_rsa_key[PATH_MAX];
	char		oidc_ec_key[PATH_MAX];
	char		sp_dir[PATH_MAX];
	char		clients_dir[PATH_MAX];
	char		hosts_dir[PATH_MAX];	/* PAM hosts, docs/pam.md */
	unsigned int	oob_code_lifetime;	/* seconds */
	unsigned int	registration_lifetime;	/* seconds */
	unsigned int	session_lifetime;	/* seconds */
	unsigned int	clock_skew;		/* seconds */
	char		loa2_uri[CONFIG_URI_MAX];
	char		loa3_uri[CONFIG_URI_MAX];
	enum config_comparison	comparison;
	struct config_proxy	proxies[CONFIG_PROXIES_MAX];
	size_t		nproxies;
	/* X.1254 vetting (vetting.h, docs/configuration.md). */
	unsigned int	vetting_code_lifetime;	/* seconds */
	unsigned int	eligibility_max_age;	/* seconds */
	uint32_t	vetting_loa2_actions;	/* VETTING_BIT() mask */
	uint32_t	vetting_loa3_actions;	/* VETTING_BIT() mask */
	char		outbox_dir[PATH_MAX];	/* "" = no e-mail */
	struct config_md_source	md_sources[CONFIG_MD_SOURCES_MAX];
	size_t		nmd_sources;
	unsigned int	md_cache;	/* resolved SPs kept per worker */
	/* RFC 9126 §5: every client must push its requests. */
	int		require_par;
	/* X.1280 Annex A: new random password after an OOB login. */
	int		password_renewal;
	/* The LDAP user source (directory.h); off while ldap_urls is "". */
	char		ldap_urls[CONFIG_LDAP_URLS_MAX];
	int		ldap_starttls;
	char		ldap_ca_file[PATH_MAX];
	char		ldap_bind_dn[CONFIG_LDAP_TEXT_MAX];
	char		ldap_bind_password_file[PATH_MAX];
	char		ldap_base[CONFIG_LDAP_TEXT_MAX];
	char		ldap_user_filter[CONFIG_LDAP_TEXT_MAX];
	char		ldap_disabled_filter[CONFIG_LDAP_TEXT_MAX];
	char		ldap_eligibility_filter[CONFIG_LDAP_TEXT_MAX];
	char		ldap_id_attribute[CONFIG_LDAP_ATTR_MAX];
	char		ldap_name_attribute[CONFIG_LDAP_ATTR_MAX];
	char		ldap_mail_attribute[CONFIG_LDAP_ATTR_MAX];
	/* The LDAP attribute of each attribute_id, "" when not fetched. */
	char		ldap_attributes[ATTRIBUTE_COUNT][CONFIG_LDAP_ATTR_MAX];
	unsigned int	ldap_network_timeout;	/* seconds, per connection */
	unsigned int	ldap_timeout;		/* seconds, per operation */
};

/*
 * Parses the file at path into cfg (defaults first, then the file).
 * @param path	the configuration file
 * @param cfg	filled on success; unspecified on failure
 * @param err	on failure, "file:line: message" (capacity errlen)
 * @return 0 on success, -1 on any error (missing file included).
 */
int	config_load(const char *path, struct config *cfg, char *err,
	    size_t errlen);

/*
 * Returns 1 when the numeric address addr (family AF_INET or AF_INET6)
 * is one of the configured trusted proxies, 0 otherwise.
 */
int	config_is_trusted_proxy(const struct config *, int family,
	    const void *addr);

#endif
