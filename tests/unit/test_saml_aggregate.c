/*
 * Unit tests for src/saml_aggregate.c and the aggregate side of
 * src/saml_sp.c: signature checks against the pinned certificate only
 * (good, tampered, unsigned, signed by another key, expired), the entity
 * filters, indexing into the store with the last good copy kept, and the
 * per-worker cache of resolved SPs and its bound. Aggregates are made
 * with tools/make-aggregate.py and signed by xmlsec1, as a federation
 * does; keys with the openssl command.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "date.h"
#include "fixture.h"
#include "saml.h"
#include "store_metadata.h"

/* lasso and xmlsec leak at set-up by themselves (test_saml.c). */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>

#define LSAN_DISABLE()	__lsan_disable()
#define LSAN_ENABLE()	__lsan_enable()
#else
#define LSAN_DISABLE()	((void)0)
#define LSAN_ENABLE()	((void)0)
#endif

#define COUNT		30	/* generated SPs in an aggregate */
#define RS		"http://refeds.org/category/research-and-scholarship"
#define SP7		"https://sp7.example.org/shibboleth"

struct agg_test {
	struct fixture		f;
	struct saml_idp		idp;
	struct config_md_source	*src;
	char			agg[FIXTURE_PATH_MAX + 32];
};

static int	run(const char *, ...);
static int	make_aggregate(struct agg_test *, const char *, const char *,
		    const char *);
static int	agg_setup(void **);
static int	agg_teardown(void **);
static uint64_t	generation(struct agg_test *);

/* Runs a shell command built like printf. @return its exit status. */
static int
run(const char *fmt, ...)
{
	va_list	ap;
	char	cmd[2048];
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return (-1);
	return (system(cmd));
}

/*
 * Writes an aggregate to path signed by signer ("fed" or "other"), with
 * the extra options of tools/make-aggregate.py.
 */
static int
make_aggregate(struct agg_test *t, const char *path, const char *signer,
    const char *options)
{
	const char	*slash;

	slash = strrchr(__FILE__, '/');
	return (run("python3 %.*s/../../tools/make-aggregate.py --key %s/%s.key"
	    " --cert %s/%s.crt --out %s --count %d %s",
	    slash == NULL ? 1 : (int)(slash - __FILE__),
	    slash == NULL ? "." : __FILE__, t->f.dir, signer, t->f.dir, signer,
	    path, COUNT, options));
}

static uint64_t
generation(struct agg_test *t)
{
	struct store_md_source	s;
	struct store_txn	txn;

	assert_int_equal(store_txn_begin(t->f.st, &txn, 0), 0);
	if (store_metadata_source_get(&txn, "fed", &s) != 0)
		s.generation = 0;
	store_txn_abort(&txn);
	return (s.generation);
}

static int
agg_setup(void **state)
{
	struct agg_test	*t;
	struct config	*cfg;
	char		 err[1024];
	int		 rc;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (-1);
	if (fixture_store_open(&t->f) == -1) {
		free(t);
		return (-1);
	}
	*state = t;
	if (fixture_core(&t->f) == -1)
		goto fail;
	cfg = &t->f.cfg;
	if (run("cd %s && for n in idp fed other; do openssl req -x509 "
	    "-newkey rsa:2048 -sha256 -days 30 -nodes -subj /CN=$n -keyout "
	    "$n.key -out $n.crt 2>/dev/null || exit 1; done", t->f.dir) != 0)
		goto fail;
	snprintf(cfg->signing_key, sizeof(cfg->signing_key), "%s/idp.key",
	    t->f.dir);
	snprintf(cfg->signing_cert, sizeof(cfg->signing_cert), "%s/idp.crt",
	    t->f.dir);
	snprintf(cfg->sp_dir, sizeof(cfg->sp_dir), "%s/none", t->f.dir);
	snprintf(t->agg, sizeof(t->agg), "%s/fed.xml", t->f.dir);
	t->src = &cfg->md_sources[0];
	cfg->nmd_sources = 1;
	cfg->md_cache = 16;
	snprintf(t->src->name, sizeof(t->src->name), "fed");
	snprintf(t->src->file, sizeof(t->src->file), "%s", t->agg);
	snprintf(t->src->cert, sizeof(t->src->cert), "%s/fed.crt", t->f.dir);
	t->src->interval = 3600;
	LSAN_DISABLE();
	rc = saml_init(&t->idp, cfg, t->f.st, err, sizeof(err));
	LSAN_ENABLE();
	if (rc == -1) {
		fprintf(stderr, "test_saml_aggregate: saml_init: %s\n", err);
		goto fail;
	}
	return (0);
fail:
	(void)agg_teardown(state);
	return (-1);
}

static int
agg_teardown(void **state)
{
	struct agg_test	*t = *state;
	int		 rc;

	saml_free(&t->idp);
	rc = fixture_store_close(&t->f);
	free(t);
	*state = NULL;
	return (rc);
}

/* Parses t->agg as source t->src; returns how many entities passed. */
static int
parse(struct agg_test *t, const char **why)
{
	struct saml_aggregate	a;
	xmlDocPtr		doc;
	int			n;


	if ((doc = saml_aggregate_read(t->agg, NULL, 0, why)) == NULL)
		return (-1);
	LSAN_DISABLE();
	n = saml_aggregate_parse(t->src, doc, (uint64_t)time(NULL), &a, why);
	LSAN_ENABLE();
	xmlFreeDoc(doc);
	if (n == -1)
		return (-1);
	n = (int)a.n;
	saml_aggregate_release(&a);
	return (n);
}

static void
test_signed_aggregate_keeps_only_saml2_sps(void **state)
{
	struct agg_test	*t = *state;
	const char	*why;

	assert_int_equal(make_aggregate(t, t->agg, "fed", ""), 0);
	/* The IdP and the SAML 1.1-only SP are left out. */
	assert_int_equal(parse(t, &why), COUNT);
}

static void
test_tampered_aggregate_is_refused(void **state)
{
	struct agg_test	*t = *state;
	const char	*why;

	assert_int_equal(make_aggregate(t, t->agg, "fed", ""), 0);
	assert_int_equal(run("sed -i 's|https://sp7.example.org/Shibboleth|"
	    "https://evil.example.org/Shibboleth|' %s", t->agg), 0);
	assert_int_equal(parse(t, &why), -1);
	assert_string_equal(why,
	    "the signature does not verify with the pinned certificate");
}

static void
test_unsigned_aggregate_is_refused(void **state)
{
	struct agg_test	*t = *state;
	const char	*why;

	assert_int_equal(make_aggregate(t, t->agg, "fed", "--unsigned"), 0);
	assert_int_equal(parse(t, &why), -1);
	assert_non_null(strstr(why, "unsigned"));
}

/*
 * Signed by another key whose certificate is in the aggregate's KeyInfo:
 * only the pinned certificate counts.
 */
static void
test_aggregate_signed_by_another_key_is_refused(void **state)
{
	struct agg_test	*t = *state;
	const char	*why;

	assert_int_equal(make_aggregate(t, t->agg, "other", ""), 0);
	assert_int_equal(parse(t, &why), -1);
	assert_string_equal(why,
	    "the signature does not verify with the pinned certificate");
}

static void
test_expired_aggregate_is_refused(void **state)
{
	struct agg_test	*t = *state;
	const char	*why;

	assert_int_equal(make_aggregate(t, t->agg, "fed", "--valid-days -1"),
	    0);
	assert_int_equal(parse(t, &why), -1);
	assert_string_equal(why, "expired (validUntil has passed)");
}

/* A Reference that names no element of the document verifies nothing. */
static void
test_reference_to_another_id_is_refused(void **state)
{
	struct agg_test	*t = *state;
	const char	*why;

	assert_int_equal(make_aggregate(t, t->agg, "fed", ""), 0);
	assert_int_equal(run("sed -i 's|ID=\"aggregate\"|ID=\"elsewhere\"|' %s",
	    t->agg), 0);
	assert_int_equal(parse(t, &why), -1);
	assert_non_null(strstr(why, "cannot be processed"));
}

static void
test_category_and_registrar_filters(void **state)
{
	struct agg_test	*t = *state;
	const char	*why;

	assert_int_equal(make_aggregate(t, t->agg, "fed", ""), 0);
	snprintf(t->src->category, sizeof(t->src->category), "%s", RS);
	assert_int_equal(parse(t, &why), COUNT / 10);
	t->src->category[0] = '\0';
	snprintf(t->src->registrar, sizeof(t->src->registrar),
	    "http://aggregate.example.org/");
	assert_int_equal(parse(t, &why), COUNT);
	snprintf(t->src->registrar, sizeof(t->src->registrar),
	    "http://other.example.org/");
	assert_int_equal(parse(t, &why), 0);
}

static void
test_loaded_sp_resolves_with_its_display_name(void **state)
{
	struct agg_test		*t = *state;
	const struct saml_sp	*sp;

	assert_int_equal(make_aggregate(t, t->agg, "fed", ""), 0);
	LSAN_DISABLE();
	assert_int_equal(saml_aggregate_load(t->f.st, t->src,
	    (uint64_t)time(NULL)), 1);
	sp = saml_sp_find(&t->idp, SP7);
	LSAN_ENABLE();
	assert_non_null(sp);
	assert_string_equal(sp->entity_id, SP7);
	assert_string_equal(sp->display_name, "Service 7");
	assert_string_equal(sp->acs[0],
	    "https://sp7.example.org/Shibboleth.sso/SAML2/POST");
	assert_non_null(lasso_server_get_provider(t->idp.server, SP7));
	assert_null(saml_sp_find(&t->idp, "https://idp.example.org/idp"));
	assert_null(saml_sp_find(&t->idp, "https://nowhere.example.org/"));
}

/*
 * A new file that does not verify is refused and the copy in the store
 * stays in use; a good one replaces it as a new generation.
 */
static void
test_bad_new_copy_keeps_the_last_good_one(void **state)
{
	struct agg_test	*t = *state;
	uint64_t	 now, g;

	now = (uint64_t)time(NULL);
	assert_int_equal(make_aggregate(t, t->agg, "fed", ""), 0);
	LSAN_DISABLE();
	assert_int_equal(saml_aggregate_load(t->f.st, t->src, now), 1);
	g = generation(t);
	assert_int_equal(make_aggregate(t, t->agg, "other", "--count 40"), 0);
	assert_int_equal(saml_aggregate_load(t->f.st, t->src, now + 1), 0);
	assert_int_equal(generation(t), g);
	assert_non_null(saml_sp_find(&t->idp, SP7));
	assert_null(saml_sp_find(&t->idp, "https://sp35.example.org/"
	    "shibboleth"));
	assert_int_equal(make_aggregate(t, t->agg, "fed", "--count 40"), 0);
	assert_int_equal(saml_aggregate_load(t->f.st, t->src, now + 2), 1);
	assert_int_equal(generation(t), g + 1);
	assert_non_null(saml_sp_find(&t->idp, "https://sp35.example.org/"
	    "shibboleth"));
	LSAN_ENABLE();
}

/* An unchanged file is not verified again. */
static void
test_unchanged_file_is_not_reindexed(void **state)
{
	struct agg_test	*t = *state;
	uint64_t	 now;

	now = (uint64_t)time(NULL);
	assert_int_equal(make_aggregate(t, t->agg, "fed", ""), 0);
	LSAN_DISABLE();
	assert_int_equal(saml_aggregate_load(t->f.st, t->src, now), 1);
	assert_int_equal(saml_aggregate_load(t->f.st, t->src, now + 1), 0);
	LSAN_ENABLE();
	assert_int_equal(generation(t), 1);
}

/* The cache holds at most md_cache SPs; an evicted one comes back. */
static void
test_cache_is_bounded(void **state)
{
	struct agg_test	*t = *state;
	char		 id[128];
	int		 i;

	assert_int_equal(make_aggregate(t, t->agg, "fed", ""), 0);
	LSAN_DISABLE();
	assert_int_equal(saml_aggregate_load(t->f.st, t->src,
	    (uint64_t)time(NULL)), 1);
	for (i = 1; i <= COUNT; i++) {
		snprintf(id, sizeof(id), "https://sp%d.example.org/shibboleth",
		    i);
		assert_non_null(saml_sp_find(&t->idp, id));
		assert_true(saml_sp_cache_count(&t->idp) <= 16);
	}
	assert_int_equal(saml_sp_cache_count(&t->idp), 16);
	/* sp1 was the least recently used: gone from lasso, then back. */
	assert_null(lasso_server_get_provider(t->idp.server,
	    "https://sp1.example.org/shibboleth"));
	assert_non_null(saml_sp_find(&t->idp,
	    "https://sp1.example.org/shibboleth"));
	assert_non_null(lasso_server_get_provider(t->idp.server,
	    "https://sp1.example.org/shibboleth"));
	LSAN_ENABLE();
	assert_int_equal(saml_sp_cache_count(&t->idp), 16);
}

/* An entity whose validUntil has passed is refused at lookup. */
static void
test_expired_entity_is_refused_at_lookup(void **state)
{
	struct agg_test		*t = *state;
	struct store_md_source	 s;
	struct store_txn	 txn;
	const char		*xml = "<md:EntityDescriptor xmlns:md=\"urn:"
	    "oasis:names:tc:SAML:2.0:metadata\" entityID=\"https://old.test/"
	    "sp\"/>";

	memset(&s, 0, sizeof(s));
	s.generation = 1;
	s.valid_until = (uint64_t)time(NULL) + 3600;
	assert_int_equal(store_txn_begin(t->f.st, &txn, 1), 0);
	assert_int_equal(store_metadata_source_put(&txn, "fed", &s), 0);
	assert_int_equal(store_metadata_entity_put(&txn, "fed",
	    "https://old.test/sp", (uint64_t)time(NULL) - 1, xml,
	    strlen(xml)), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
	assert_null(saml_sp_find(&t->idp, "https://old.test/sp"));
}

/* Only the lease holder refreshes; another process waits its turn. */
static void
test_lease_has_one_holder(void **state)
{
	struct agg_test		*t = *state;
	struct store_txn	 txn;

	assert_int_equal(store_txn_begin(t->f.st, &txn, 1), 0);
	assert_int_equal(store_metadata_lease(&txn, "fed", 100, 1000, 600), 0);
	assert_int_equal(store_metadata_lease(&txn, "fed", 200, 1001, 600),
	    STORE_EXISTS);
	assert_int_equal(store_metadata_lease(&txn, "fed", 100, 1500, 600), 0);
	assert_int_equal(store_metadata_lease(&txn, "fed", 200, 2101, 600), 0);
	/* Released: another process may take it at once. */
	assert_int_equal(store_metadata_lease(&txn, "fed", 200, 2102, 0), 0);
	assert_int_equal(store_metadata_lease(&txn, "fed", 300, 2102, 600), 0);
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* MDQ answers: positive, "not found", expired, and the bound. */
static void
test_mdq_cache(void **state)
{
	struct agg_test		*t = *state;
	struct store_txn	 txn;
	struct store_val	 xml;
	uint64_t		 exp;
	char			 id[64];
	int			 i;

	assert_int_equal(store_txn_begin(t->f.st, &txn, 1), 0);
	assert_int_equal(store_metadata_mdq_put(&txn, "mdq", "https://a/",
	    1000, "<x/>", 4, 100), 0);
	assert_int_equal(store_metadata_mdq_put(&txn, "mdq", "https://b/",
	    1000, NULL, 0, 100), 0);
	assert_int_equal(store_metadata_mdq_get(&txn, "mdq", "https://a/",
	    999, &exp, &xml), 0);
	assert_int_equal(exp, 1000);
	assert_int_equal(xml.len, 4);
	assert_memory_equal(xml.data, "<x/>", 4);
	assert_int_equal(store_metadata_mdq_get(&txn, "mdq", "https://b/",
	    999, &exp, &xml), STORE_MD_NEGATIVE);
	/* Expired, and another source's name: nothing. */
	assert_int_equal(store_metadata_mdq_get(&txn, "mdq", "https://a/",
	    1000, &exp, &xml), STORE_NOTFOUND);
	assert_int_equal(store_metadata_mdq_get(&txn, "other", "https://a/",
	    999, &exp, &xml), STORE_NOTFOUND);
	assert_true(store_metadata_mdq_expired(&txn, NULL, &(struct store_val)
	    { "\x01\x01\0\0\0\0\0\0\x03\xe8", 10 }, 1000));
	/* Bounded: the 100th record is not written. */
	for (i = 0; i < 98; i++) {
		snprintf(id, sizeof(id), "https://n%d/", i);
		assert_int_equal(store_metadata_mdq_put(&txn, "mdq", id, 1000,
		    NULL, 0, 100), 0);
	}
	assert_int_equal(store_metadata_mdq_put(&txn, "mdq", "https://z/",
	    1000, NULL, 0, 100), STORE_EXISTS);
	assert_int_equal(store_txn_commit(&txn), 0);
}

/* One EntityDescriptor signed on its own, as an MDQ responder sends it. */
static void
test_single_signed_entity(void **state)
{
	struct agg_test	*t = *state;
	char		 one[FIXTURE_PATH_MAX + 32];
	const char	*why, *slash;

	snprintf(one, sizeof(one), "%s/one.xml", t->f.dir);
	assert_int_equal(make_aggregate(t, t->agg, "fed", "--count 1"), 0);
	assert_int_equal(run("sed -n 's|.*\\(<md:EntityDescriptor entityID=\""
	    "https://sp1[^\"]*\".*</md:EntityDescriptor>\\).*|\\1|p' %s | "
	    "sed 's|<md:EntityDescriptor |<md:EntityDescriptor xmlns:md=\""
	    "urn:oasis:names:tc:SAML:2.0:metadata\" xmlns:mdui=\"urn:oasis:"
	    "names:tc:SAML:metadata:ui\" xmlns:mdrpi=\"urn:oasis:names:tc:"
	    "SAML:metadata:rpi\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#"
	    "\" |' > %s", t->agg, one), 0);
	slash = strrchr(__FILE__, '/');
	assert_int_equal(run("python3 %.*s/../../tools/make-aggregate.py "
	    "--key %s/fed.key --cert %s/fed.crt --out %s --single %s",
	    slash == NULL ? 1 : (int)(slash - __FILE__),
	    slash == NULL ? "." : __FILE__, t->f.dir, t->f.dir, t->agg, one),
	    0);
	assert_int_equal(parse(t, &why), 1);
	assert_int_equal(run("sed -i 's|sp1.example.org/Shibboleth|"
	    "evil.example.org/Shibboleth|' %s", t->agg), 0);
	assert_int_equal(parse(t, &why), -1);
}

static void
test_durations_and_times(void **state)
{
	uint64_t	v;

	assert_int_equal(date_parse_duration("PT6H", &v), 0);
	assert_int_equal(v, 6 * 3600);
	assert_int_equal(date_parse_duration("P1DT30M", &v), 0);
	assert_int_equal(v, 86400 + 1800);
	assert_int_equal(date_parse_duration("P", &v), -1);
	assert_int_equal(date_parse_duration("PT", &v), -1);
	assert_int_equal(date_parse_duration("PT1H1D", &v), -1);
	assert_int_equal(date_parse_duration("-PT1H", &v), -1);
	assert_int_equal(date_parse_duration("PT5X", &v), -1);
	assert_int_equal(date_parse_iso("2026-01-31T12:00:00Z", &v), 0);
	assert_int_equal(v, 1769860800);
	assert_int_equal(date_parse_iso("2026-01-31T12:00:00", &v), -1);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, agg_setup, agg_teardown)
	const struct CMUnitTest tests[] = {
		T(test_signed_aggregate_keeps_only_saml2_sps),
		T(test_tampered_aggregate_is_refused),
		T(test_unsigned_aggregate_is_refused),
		T(test_aggregate_signed_by_another_key_is_refused),
		T(test_expired_aggregate_is_refused),
		T(test_reference_to_another_id_is_refused),
		T(test_category_and_registrar_filters),
		T(test_loaded_sp_resolves_with_its_display_name),
		T(test_bad_new_copy_keeps_the_last_good_one),
		T(test_unchanged_file_is_not_reindexed),
		T(test_cache_is_bounded),
		T(test_expired_entity_is_refused_at_lookup),
		T(test_lease_has_one_holder),
		T(test_mdq_cache),
		T(test_single_signed_entity),
		cmocka_unit_test(test_durations_and_times),
	};
#undef T
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
