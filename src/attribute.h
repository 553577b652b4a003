/*
 * attribute.c: the user attributes mutua can release, with their SAML
 * names (urn:oid, eduPerson and inetOrgPerson) and OpenID Connect claims,
 * and the set of values a user has at sign-in (from the directory).
 */
#ifndef MUTUA_ATTRIBUTE_H
#define MUTUA_ATTRIBUTE_H

#include <stddef.h>
#include <stdint.h>

#define ATTRIBUTE_VALUE_MAX	256	/* including the NUL */
#define ATTRIBUTE_VALUES_MAX	64	/* values of all attributes */

enum attribute_id {
	ATTRIBUTE_GIVEN_NAME,
	ATTRIBUTE_SN,
	ATTRIBUTE_CN,
	ATTRIBUTE_MAIL,
	ATTRIBUTE_DISPLAY_NAME,
	ATTRIBUTE_EPPN,
	ATTRIBUTE_AFFILIATION,
	ATTRIBUTE_SCOPED_AFFILIATION,
	ATTRIBUTE_ENTITLEMENT,
	ATTRIBUTE_IS_MEMBER_OF,
	ATTRIBUTE_COUNT
};

struct attribute_def {
	const char	*name;	/* SAML FriendlyName, idp.conf, SP policy */
	const char	*oid;	/* SAML Name (NameFormat uri) */
	const char	*claim;	/* OpenID Connect claim, or NULL */
};

/* Indexed by enum attribute_id. */
extern const struct attribute_def	attribute_defs[ATTRIBUTE_COUNT];

/* The values of one user, in the order they were added. */
struct attribute_set {
	size_t		n;
	struct {
		uint32_t	id;	/* enum attribute_id */
		char		value[ATTRIBUTE_VALUE_MAX];
	} v[ATTRIBUTE_VALUES_MAX];
};

/* @return the attribute called name, or -1. */
int	attribute_find(const char *name);

/*
 * Adds value (len bytes) of attribute id to set. Empty values, values
 * with control characters or a NUL, values too long and values beyond
 * ATTRIBUTE_VALUES_MAX are left out.
 * @return 0 when added, -1 when left out.
 */
int	attribute_add(struct attribute_set *, enum attribute_id,
	    const char *value, size_t len);

/*
 * The first value of id in set, or NULL.
 */
const char	*attribute_first(const struct attribute_set *,
		    enum attribute_id);

#endif
