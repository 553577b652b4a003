/*
 * Unit tests for what src/saml_sp.c checks in an SP's metadata before
 * lasso reads it (saml_sp_read_doc(), reached by including the source):
 * a role descriptor without protocolSupportEnumeration, on which lasso
 * crashes, is refused with a reason naming it. The input that found it
 * is replayed from tests/fuzz/crashes/fuzz_saml_metadata/ by make test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "../../src/saml_sp.c"

#define MD_HEAD	"<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:" \
		"metadata\" entityID=\"https://sp.test/metadata\">"
#define ACS	"<md:AssertionConsumerService index=\"1\" Binding=\"" \
		SAML_BINDING_POST_URI "\" Location=\"https://sp.test/acs\"/>"
#define PSE	" protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:" \
		"protocol\""

static char	dir[FIXTURE_DIR_MAX];

static int
setup(void **state)
{
	return (fixture_dir_make(dir, sizeof(dir)));
}

static int
teardown(void **state)
{
	return (fixture_dir_remove(dir));
}

/* saml_sp_read_doc() of text into sp; *why as it says. */
static int
read_xml_sp(const char *text, struct saml_sp *sp, const char **why)
{
	xmlDocPtr	doc;
	int		rc;

	memset(sp, 0, sizeof(*sp));
	assert_non_null(doc = xmlReadMemory(text, (int)strlen(text), NULL,
	    NULL, XML_PARSE_NONET));
	rc = saml_sp_read_doc(sp, doc, why);
	xmlFreeDoc(doc);
	return (rc);
}

static char	conf_path[FIXTURE_PATH_MAX];

/* Writes text to conf_path. */
static void
write_conf(const char *text)
{
	FILE	*fp;

	snprintf(conf_path, sizeof(conf_path), "%s/sp.conf", dir);
	assert_non_null(fp = fopen(conf_path, "w"));
	fputs(text, fp);
	fclose(fp);
}

/* saml_sp_read_conf() of text over sp, as a source's policy. */
static int
read_conf(const char *text, struct saml_sp *sp, const char **why, int *line)
{
	write_conf(text);
	return (saml_sp_read_conf(sp, conf_path, SAML_SP_CONF_REQUIRED |
	    SAML_SP_CONF_SECTIONS, why, line));
}

static int
read_xml(const char *text, const char **why)
{
	struct saml_sp	sp;

	return (read_xml_sp(text, &sp, why));
}

static void
test_descriptor_without_protocol_support_is_refused(void **state)
{
	const char	*why;

	assert_int_equal(read_xml(MD_HEAD "<md:SPSSODescriptor>" ACS
	    "</md:SPSSODescriptor></md:EntityDescriptor>", &why), -1);
	assert_non_null(strstr(why, "protocolSupportEnumeration"));
	/* Any role descriptor: lasso reads them all. */
	assert_int_equal(read_xml(MD_HEAD "<md:SPSSODescriptor" PSE ">" ACS
	    "</md:SPSSODescriptor><md:AttributeAuthorityDescriptor/>"
	    "</md:EntityDescriptor>", &why), -1);
	assert_non_null(strstr(why, "protocolSupportEnumeration"));
}

/* One table of keys for NAME.conf and a source's policy file. */
static void
test_policy_keys_apply_over_the_metadata(void **state)
{
	struct saml_sp	 sp;
	const char	*why;
	int		 line;

	saml_sp_defaults(&sp);
	sp.encrypt = 1;
	assert_int_equal(read_conf("# policy\nattributes uid mail\n"
	    "nameid_format persistent   # a comment after spaces\n"
	    "require_signed_requests yes\t\n"
	    "encrypt_assertions no\nsignature_keyinfo key\n"
	    "unsolicited yes\n", &sp, &why, &line), 0);
	assert_int_equal(sp.attributes, SAML_ATTR_UID | SAML_ATTR_MAIL);
	assert_int_equal(sp.nameid, SAML_NAMEID_PERSISTENT);
	assert_true(sp.want_signed && sp.keyinfo_key && sp.unsolicited);
	assert_false(sp.encrypt);
	/* Encryption cannot be asked for without the SP's key. */
	sp.encrypt = 0;
	assert_int_equal(read_conf("encrypt_assertions yes\n", &sp, &why,
	    &line), 0);
	assert_false(sp.encrypt);
}

static void
test_policy_errors_name_the_line(void **state)
{
	struct saml_sp	 sp;
	const char	*why;
	int		 line;

	saml_sp_defaults(&sp);
	assert_int_equal(read_conf("attributes mail\nnameid_format x\n", &sp,
	    &why, &line), -1);
	assert_int_equal(line, 2);
	assert_non_null(strstr(why, "nameid_format"));
	assert_int_equal(read_conf("attributes mail shoesize\n", &sp, &why,
	    &line), -1);
	assert_non_null(strstr(why, "unknown attribute"));
	assert_int_equal(read_conf("colour blue\n", &sp, &why, &line), -1);
	assert_string_equal(why, "unknown key or bad value");
	assert_int_equal(read_conf("unsolicited maybe\n", &sp, &why, &line),
	    -1);
	assert_int_equal(saml_sp_read_conf(&sp, "/nonexistent/p.conf",
	    SAML_SP_CONF_REQUIRED, &why, &line), -1);
	assert_int_equal(saml_sp_read_conf(&sp, "/nonexistent/p.conf", 0,
	    &why, &line), 0);
}

#define CATEGORY(uri) "<md:Extensions><mdattr:EntityAttributes xmlns:mdattr=" \
	"\"urn:oasis:names:tc:SAML:metadata:attribute\"><saml:Attribute " \
	"xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" Name=\"" \
	"http://macedir.org/entity-category\"><saml:AttributeValue>" uri \
	"</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes>" \
	"</md:Extensions>"
#define RS	"http://refeds.org/category/research-and-scholarship"

/* The SP of category uri with the policy text applied. */
static void
category_sp(struct saml_sp *sp, const char *uri, const char *policy)
{
	char		 md[2048];
	const char	*why;
	int		 line;

	snprintf(md, sizeof(md), MD_HEAD "%s<md:SPSSODescriptor" PSE ">" ACS
	    "</md:SPSSODescriptor></md:EntityDescriptor>", uri == NULL ? "" :
	    uri);
	assert_int_equal(read_xml_sp(md, sp, &why), 0);
	sp->attributes = SAML_ATTR_UID;
	assert_int_equal(read_conf(policy, sp, &why, &line), 0);
	saml_sp_policy_finish(sp);
}

/*
 * Release by entity category, as Shibboleth's attribute filter: the
 * R&S bundle is eduPersonPrincipalName, mail, displayName, givenName, sn
 * and eduPersonScopedAffiliation; what mutua does not release
 * (eduPersonAssurance, schacHomeOrganization, subject-id, pairwise-id)
 * is left out of the bundles.
 */
static void
test_release_by_entity_category(void **state)
{
	struct saml_sp	sp;
	const uint32_t	person = SAML_ATTR_MAIL | SAML_ATTR_DISPLAYNAME |
			    SAML_ATTR_BIT(ATTRIBUTE_GIVEN_NAME) |
			    SAML_ATTR_BIT(ATTRIBUTE_SN);
	const uint32_t	scoped = SAML_ATTR_BIT(ATTRIBUTE_SCOPED_AFFILIATION);

	category_sp(&sp, CATEGORY(RS), "release_by_category yes\n");
	assert_int_equal(sp.categories, SAML_CATEGORY_RS);
	assert_int_equal(sp.attributes, SAML_ATTR_UID | SAML_ATTR_EPPN |
	    person | scoped);
	/* Off unless the policy says so. */
	category_sp(&sp, CATEGORY(RS), "\n");
	assert_int_equal(sp.attributes, SAML_ATTR_UID);
	category_sp(&sp, CATEGORY("https://refeds.org/category/personalized"),
	    "release_by_category yes\n");
	assert_int_equal(sp.attributes, SAML_ATTR_UID | person | scoped);
	category_sp(&sp, CATEGORY("https://refeds.org/category/anonymous"),
	    "release_by_category yes\n");
	assert_int_equal(sp.categories, SAML_CATEGORY_ANONYMOUS);
	assert_int_equal(sp.attributes, SAML_ATTR_UID | scoped);
	category_sp(&sp, CATEGORY("https://refeds.org/category/pseudonymous"),
	    "release_by_category yes\n");
	assert_int_equal(sp.attributes, SAML_ATTR_UID | scoped);
	category_sp(&sp, NULL, "release_by_category yes\n");
	assert_int_equal(sp.categories, 0);
	assert_int_equal(sp.attributes, SAML_ATTR_UID);
	/* A policy may not name what mutua does not release. */
	sp.attributes = 0;
	assert_int_equal(saml_sp_attr_bits("mail eduPersonAssurance", 1,
	    &sp.attributes), -1);
}

/* A source's policy: defaults, then one entity's overrides. */
static void
test_policy_entity_sections(void **state)
{
	struct saml_sp	 sp;
	const char	*why;
	int		 line;

	category_sp(&sp, NULL, "attributes mail\n"
	    "entity https://other.test/sp\nnameid_format persistent\n"
	    "entity https://sp.test/metadata\nattributes displayName\n"
	    "entity https://third.test/sp\nattributes uid\n");
	assert_int_equal(sp.attributes, SAML_ATTR_DISPLAYNAME);
	assert_int_equal(sp.nameid, SAML_NAMEID_TRANSIENT);
	/* Another entity's bad line is still an error. */
	assert_int_equal(read_conf("entity https://other.test/sp\n"
	    "nameid_format sometimes\n", &sp, &why, &line), -1);
	assert_int_equal(line, 2);
	/* No sections in an SP's own NAME.conf. */
	write_conf("entity https://sp.test/metadata\n");
	assert_int_equal(saml_sp_read_conf(&sp, conf_path, 0, &why, &line),
	    -1);
	assert_non_null(strstr(why, "entity"));
}

static void
test_descriptor_with_protocol_support_loads(void **state)
{
	const char	*why;

	assert_int_equal(read_xml(MD_HEAD "<md:SPSSODescriptor" PSE ">" ACS
	    "</md:SPSSODescriptor></md:EntityDescriptor>", &why), 0);
}

#define MDUI	" xmlns:mdui=\"urn:oasis:names:tc:SAML:metadata:ui\""
#define ORG	"<md:Organization><md:OrganizationName xml:lang=\"en\">o" \
		"</md:OrganizationName><md:OrganizationDisplayName " \
		"xml:lang=\"fi\">Yliopisto</md:OrganizationDisplayName>" \
		"<md:OrganizationDisplayName xml:lang=\"en\">University" \
		"</md:OrganizationDisplayName><md:OrganizationURL " \
		"xml:lang=\"en\">https://sp.test/</md:OrganizationURL>" \
		"</md:Organization>"

static void
test_display_name_prefers_english_mdui(void **state)
{
	struct saml_sp	 sp;
	const char	*why;

	assert_int_equal(read_xml_sp(MD_HEAD "<md:SPSSODescriptor" PSE ">"
	    "<md:Extensions><mdui:UIInfo" MDUI "><mdui:DisplayName "
	    "xml:lang=\"sv\">Biblioteket</mdui:DisplayName><mdui:DisplayName "
	    "xml:lang=\"en\">  The\n Library </mdui:DisplayName></mdui:UIInfo>"
	    "</md:Extensions>" ACS "</md:SPSSODescriptor>" ORG
	    "</md:EntityDescriptor>", &sp, &why), 0);
	assert_string_equal(sp.display_name, "The Library");
}

static void
test_display_name_falls_back_to_organization(void **state)
{
	struct saml_sp	 sp;
	const char	*why;

	assert_int_equal(read_xml_sp(MD_HEAD "<md:SPSSODescriptor" PSE ">"
	    ACS "</md:SPSSODescriptor>" ORG "</md:EntityDescriptor>", &sp,
	    &why), 0);
	assert_string_equal(sp.display_name, "University");
	/* A name that would break the line is not shown at all. */
	assert_int_equal(read_xml_sp(MD_HEAD "<md:SPSSODescriptor" PSE ">"
	    "<md:Extensions><mdui:UIInfo" MDUI "><mdui:DisplayName "
	    "xml:lang=\"en\">Bank&#x2028;Login</mdui:DisplayName></mdui:UIInfo>"
	    "</md:Extensions>" ACS "</md:SPSSODescriptor>"
	    "</md:EntityDescriptor>", &sp, &why), 0);
	assert_string_equal(sp.display_name, "");
}

static void
test_encryption_key_without_certificate_is_refused(void **state)
{
	const char	*why;

	assert_int_equal(read_xml(MD_HEAD "<md:SPSSODescriptor" PSE ">"
	    "<md:KeyDescriptor use=\"encryption\"><ds:KeyInfo xmlns:ds=\""
	    "http://www.w3.org/2000/09/xmldsig#\"><ds:KeyName>k</ds:KeyName>"
	    "</ds:KeyInfo></md:KeyDescriptor>" ACS "</md:SPSSODescriptor>"
	    "</md:EntityDescriptor>", &why), -1);
	assert_non_null(strstr(why, "X509Certificate"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_descriptor_without_protocol_support_is_refused),
		cmocka_unit_test(test_policy_keys_apply_over_the_metadata),
		cmocka_unit_test(test_policy_errors_name_the_line),
		cmocka_unit_test(test_release_by_entity_category),
		cmocka_unit_test(test_policy_entity_sections),
		cmocka_unit_test(test_descriptor_with_protocol_support_loads),
		cmocka_unit_test(test_display_name_prefers_english_mdui),
		cmocka_unit_test(test_display_name_falls_back_to_organization),
		cmocka_unit_test(
		    test_encryption_key_without_certificate_is_refused),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
