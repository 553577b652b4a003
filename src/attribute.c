/*
 * The attributes mutua releases and a user's values of them.
 */
#include <string.h>

#include "attribute.h"

/*
 * SAML names from the eduPerson (201602) and inetOrgPerson (RFC 2798)
 * schemas, as the SAML2 attribute profiles of REFEDS/InCommon write
 * them; claims from OpenID Connect Core §5.1 and, for eduPerson, the
 * REFEDS "OpenID Connect for Research and Education" profile; "groups"
 * is the de facto claim of group names.
 */
const struct attribute_def attribute_defs[ATTRIBUTE_COUNT] = {
	[ATTRIBUTE_GIVEN_NAME] = { "givenName", "urn:oid:2.5.4.42",
	    "given_name" },
	[ATTRIBUTE_SN] = { "sn", "urn:oid:2.5.4.4", "family_name" },
	[ATTRIBUTE_CN] = { "cn", "urn:oid:2.5.4.3", NULL },
	[ATTRIBUTE_MAIL] = { "mail", "urn:oid:0.9.2342.19200300.100.1.3",
	    "email" },
	[ATTRIBUTE_DISPLAY_NAME] = { "displayName",
	    "urn:oid:2.16.840.1.113730.3.1.241", "name" },
	[ATTRIBUTE_EPPN] = { "eduPersonPrincipalName",
	    "urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "eduperson_principal_name" },
	[ATTRIBUTE_AFFILIATION] = { "eduPersonAffiliation",
	    "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "eduperson_affiliation" },
	[ATTRIBUTE_SCOPED_AFFILIATION] = { "eduPersonScopedAffiliation",
	    "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
	    "eduperson_scoped_affiliation" },
	[ATTRIBUTE_ENTITLEMENT] = { "eduPersonEntitlement",
	    "urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "eduperson_entitlement" },
	[ATTRIBUTE_IS_MEMBER_OF] = { "isMemberOf",
	    "urn:oid:1.3.6.1.4.1.5923.1.5.1.1", "groups" },
};

int
attribute_find(const char *name)
{
	int	i;

	for (i = 0; i < ATTRIBUTE_COUNT; i++) {
		if (strcmp(attribute_defs[i].name, name) == 0)
			return (i);
	}
	return (-1);
}

int
attribute_add(struct attribute_set *set, enum attribute_id id,
    const char *value, size_t len)
{
	size_t	i;

	if (set->n == ATTRIBUTE_VALUES_MAX || len == 0 ||
	    len >= ATTRIBUTE_VALUE_MAX || (unsigned int)id >= ATTRIBUTE_COUNT)
		return (-1);
	/* UTF-8 passes; what could break a log line or an XML text does not. */
	for (i = 0; i < len; i++) {
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return (-1);
	}
	set->v[set->n].id = id;
	memcpy(set->v[set->n].value, value, len);
	set->v[set->n].value[len] = '\0';
	set->n++;
	return (0);
}

const char *
attribute_first(const struct attribute_set *set, enum attribute_id id)
{
	size_t	i;

	for (i = 0; i < set->n; i++) {
		if (set->v[i].id == (uint32_t)id)
			return (set->v[i].value);
	}
	return (NULL);
}
