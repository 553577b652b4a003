/*
 * The X.1254 enrolment actions: order, prerequisites and effects.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "vetting.h"

#define B(a)		VETTING_BIT(VETTING_ ## a)
#define CH(c)		(1U << VETTING_CHANNEL_ ## c)
#define PU(p)		(1U << VETTING_PURPOSE_ ## p)

#define CH_ALL		(CH(SELF) | CH(DESK) | CH(ONLINE))
#define CH_STAFF	(CH(DESK) | CH(ONLINE))
#define PU_ALL		(PU(ENROL) | PU(BACKUP) | PU(RELEASE))
#define PU_BIND		(PU(ENROL) | PU(BACKUP))

#define PHASE_I		(B(I_REQUEST_FACTOR) | B(I_FACTOR_DELIVERY) | \
			 B(I_ARRANGE_VETTING))
#define PHASE_B		(B(B_FACTOR_AND_ID) | B(B_ACTIVATE) | \
			 B(B_CONFIRMATION))
#define PHASE_C		(B(C_USE_EXISTING_FACTOR) | B(C_SELECT_NEW_FACTOR) | \
			 B(C_USE_NEW_FACTOR) | B(C_CHECK_ELIGIBILITY))

/* The parts of V_VERIFY_IDENTITY that must precede its conclusion. */
#define VERIFY_PARTS	(B(V_PRESENT_PROOF) | B(V_VET_PROOF) | B(V_SOURCE) | \
			 B(V_CHECK_LIVENESS) | B(V_RECORD_PROOF_AUDIT_DATA) | \
			 B(C_CHECK_ELIGIBILITY))

/*
 * Actions that come with or after the factor: everything else the
 * policy makes mandatory is "verification", which the factor's
 * registration, binding and activation need first.
 */
#define AFTER_VERIFY	(PHASE_B | B(C_USE_NEW_FACTOR) | \
			 B(V_PREREGISTER_FACTOR) | B(V_HAND_OVER_FACTOR) | \
			 B(R_RELEASE_FACTOR))

#define VETTING_CODE_ALPHABET	"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

struct vetting_rule {
	uint32_t	requires;	/* all of these done */
	uint32_t	any_of;		/* one of these done, when not 0 */
	uint32_t	before;		/* none of these done yet */
	uint32_t	channels;	/* CH() bits */
	uint32_t	purposes;	/* PU() bits */
	int		once;		/* happens once with outcome ok */
	int		fresh;		/* needs a fresh eligibility check */
	int		verified;	/* needs the verification done */
};

static const char	*const vetting_names[VETTING_ACTION_COUNT] = {
	"C_USE_EXISTING_FACTOR", "C_SELECT_NEW_FACTOR", "C_USE_NEW_FACTOR",
	"C_CHECK_ELIGIBILITY", "I_REQUEST_FACTOR", "I_FACTOR_DELIVERY",
	"I_ARRANGE_VETTING", "V_COMMENCE", "V_PRESENT_PROOF",
	"V_CREATE_DIGITAL_IDENTITY", "V_HAND_OVER_FACTOR",
	"V_VERIFY_IDENTITY", "V_VET_PROOF", "V_SOURCE", "V_CHECK_LIVENESS",
	"V_RECORD_PROOF_AUDIT_DATA", "V_PREREGISTER_FACTOR",
	"B_FACTOR_AND_ID", "B_ACTIVATE", "B_CONFIRMATION",
	"R_RELEASE_FACTOR"
};

static const struct vetting_rule	vetting_rules[VETTING_ACTION_COUNT] = {
	[VETTING_C_USE_EXISTING_FACTOR] = { 0, 0,
	    B(B_FACTOR_AND_ID) | B(R_RELEASE_FACTOR), CH_ALL, PU_ALL,
	    0, 0, 0 },
	[VETTING_C_SELECT_NEW_FACTOR] = { 0, 0, B(B_FACTOR_AND_ID),
	    CH_ALL, PU_BIND, 0, 0, 0 },
	[VETTING_C_USE_NEW_FACTOR] = { 0,
	    B(B_FACTOR_AND_ID) | B(V_HAND_OVER_FACTOR), B(B_CONFIRMATION),
	    CH_ALL, PU_BIND, 0, 0, 0 },
	[VETTING_C_CHECK_ELIGIBILITY] = { 0, 0,
	    B(B_ACTIVATE) | B(R_RELEASE_FACTOR), CH_ALL, PU_ALL, 0, 0, 0 },
	[VETTING_I_REQUEST_FACTOR] = { 0, 0,
	    B(V_COMMENCE) | B(B_FACTOR_AND_ID), CH_ALL, PU_BIND, 0, 0, 0 },
	[VETTING_I_FACTOR_DELIVERY] = { B(I_REQUEST_FACTOR), 0,
	    B(V_COMMENCE) | B(B_FACTOR_AND_ID), CH_ALL, PU_BIND, 1, 0, 0 },
	[VETTING_I_ARRANGE_VETTING] = { B(I_REQUEST_FACTOR), 0,
	    B(V_COMMENCE), CH_STAFF, PU_BIND, 1, 0, 0 },
	[VETTING_V_COMMENCE] = { 0, 0, 0, CH_STAFF, PU_ALL, 1, 0, 0 },
	[VETTING_V_PRESENT_PROOF] = { B(V_COMMENCE), 0,
	    B(V_VERIFY_IDENTITY), CH_STAFF, PU_ALL, 1, 1, 0 },
	[VETTING_V_CREATE_DIGITAL_IDENTITY] = {
	    B(V_COMMENCE) | B(V_PRESENT_PROOF), 0, B(V_VERIFY_IDENTITY),
	    CH_STAFF, PU(ENROL), 1, 1, 0 },
	[VETTING_V_HAND_OVER_FACTOR] = { B(V_PRESENT_PROOF), 0,
	    B(B_FACTOR_AND_ID), CH_STAFF, PU_BIND, 1, 1, 0 },
	[VETTING_V_VERIFY_IDENTITY] = { B(V_PRESENT_PROOF) | B(V_VET_PROOF),
	    0, 0, CH_STAFF, PU_ALL, 1, 1, 0 },
	[VETTING_V_VET_PROOF] = { B(V_PRESENT_PROOF), 0,
	    B(V_VERIFY_IDENTITY), CH_STAFF, PU_ALL, 1, 1, 0 },
	[VETTING_V_SOURCE] = { B(V_PRESENT_PROOF), 0,
	    B(V_VERIFY_IDENTITY), CH_STAFF, PU_ALL, 1, 1, 0 },
	[VETTING_V_CHECK_LIVENESS] = { B(V_PRESENT_PROOF), 0,
	    B(V_VERIFY_IDENTITY), CH_STAFF, PU_ALL, 1, 1, 0 },
	[VETTING_V_RECORD_PROOF_AUDIT_DATA] = { B(V_PRESENT_PROOF), 0,
	    B(V_VERIFY_IDENTITY), CH_STAFF, PU_ALL, 1, 1, 0 },
	[VETTING_V_PREREGISTER_FACTOR] = { 0, 0, B(B_FACTOR_AND_ID),
	    CH_STAFF, PU_BIND, 0, 1, 1 },
	[VETTING_B_FACTOR_AND_ID] = { 0, 0, 0, CH_ALL, PU_BIND, 1, 1, 1 },
	[VETTING_B_ACTIVATE] = { B(B_FACTOR_AND_ID), 0, 0, CH_ALL, PU_BIND,
	    1, 1, 1 },
	[VETTING_B_CONFIRMATION] = { B(B_ACTIVATE), 0, 0, CH_ALL, PU_BIND,
	    1, 0, 1 },
	[VETTING_R_RELEASE_FACTOR] = { 0, 0, 0, CH_STAFF, PU(RELEASE),
	    1, 1, 1 },
};

const char *const	vetting_doc_types[] = {
	"passport", "id-card", "residence-permit", "driving-licence",
	"staff-card", NULL
};

static int	vetting_verified(const struct vetting_policy *,
		    const struct vetting_case *);
static int	vetting_date(const char *, int *, int *, int *);

const char *
vetting_action_name(uint32_t a)
{
	if (a >= VETTING_ACTION_COUNT)
		return (NULL);
	return (vetting_names[a]);
}

int
vetting_action_from_name(const char *name)
{
	int	i;

	for (i = 0; i < VETTING_ACTION_COUNT; i++) {
		if (strcmp(vetting_names[i], name) == 0)
			return (i);
	}
	return (-1);
}

const char *
vetting_outcome_name(uint32_t o)
{
	static const char	*names[] = { "?", "ok", "failed", "undone" };

	return (names[o < 4 ? o : 0]);
}

const char *
vetting_state_name(uint32_t s)
{
	static const char	*names[] = { "?", "open", "arranged",
				    "commenced", "verified", "bound",
				    "active", "complete", "failed" };

	return (names[s < 9 ? s : 0]);
}

const char *
vetting_channel_name(uint32_t c)
{
	static const char	*names[] = { "?", "self-service",
				    "service-desk", "online" };

	return (names[c < 4 ? c : 0]);
}

const char *
vetting_purpose_name(uint32_t p)
{
	static const char	*names[] = { "?", "enrol", "backup",
				    "release" };

	return (names[p < 4 ? p : 0]);
}

const char *
vetting_role_name(uint32_t r)
{
	static const char	*names[] = { "?", "applicant", "staff",
				    "system" };

	return (names[r < 4 ? r : 0]);
}

const char *
vetting_error_text(enum vetting_error e)
{
	switch (e) {
	case VETTING_OK:
		return ("done");
	case VETTING_ERR_STORE:
		return ("the record could not be stored; please try again");
	case VETTING_ERR_NOTFOUND:
		return ("no such vetting case, user or authenticator");
	case VETTING_ERR_CLOSED:
		return ("the vetting case is closed");
	case VETTING_ERR_ORDER:
		return ("an earlier step of the vetting is missing");
	case VETTING_ERR_LATE:
		return ("too late for this step in this vetting case");
	case VETTING_ERR_REPEAT:
		return ("this step is done already");
	case VETTING_ERR_ELIGIBILITY:
		return ("the eligibility check (C_CHECK_ELIGIBILITY) must be "
		    "done again first");
	case VETTING_ERR_NOT_ELIGIBLE:
		return ("the directory does not list this user as eligible "
		    "for a vetted authenticator");
	case VETTING_ERR_DIRECTORY:
		return ("the user directory cannot be reached; please try "
		    "again later");
	case VETTING_ERR_CHANNEL:
		return ("this step does not belong to this kind of case");
	case VETTING_ERR_APPLICANT:
		return ("this step does not fit the applicant's digital "
		    "identity");
	case VETTING_ERR_EVIDENCE:
		return ("the evidence was refused");
	case VETTING_ERR_CODE:
		return ("no vetting request has this code");
	case VETTING_ERR_EXPIRED:
		return ("this vetting code has expired");
	case VETTING_ERR_RATE:
		return ("too many attempts; please wait");
	case VETTING_ERR_STALE_FORM:
		return ("this form was submitted already or the case has "
		    "changed; reload the case");
	case VETTING_ERR_INVALID:
		break;
	}
	return ("the request is malformed");
}

const char *
vetting_error_name(enum vetting_error e)
{
	static const char	*names[] = { "ok", "store", "not_found",
				    "closed", "order", "late", "repeat",
				    "eligibility", "channel", "applicant",
				    "evidence", "code", "expired", "rate",
				    "stale_form", "invalid" };

	if ((size_t)e >= sizeof(names) / sizeof(names[0]))
		return ("invalid");
	return (names[e]);
}

int
vetting_mask_parse(const char *list, uint32_t *mask, const char **reason)
{
	char		 buf[1024], *p, *tok;
	int		 a;

	*mask = 0;
	if (strlen(list) >= sizeof(buf)) {
		*reason = "list too long";
		return (-1);
	}
	strcpy(buf, list);
	for (p = buf; (tok = strsep(&p, ",")) != NULL;) {
		if ((a = vetting_action_from_name(tok)) == -1) {
			*reason = "unknown X.1254 action code";
			return (-1);
		}
		*mask |= VETTING_BIT(a);
	}
	if (*mask == 0) {
		*reason = "empty list";
		return (-1);
	}
	return (0);
}

void
vetting_policy_default(struct vetting_policy *p)
{
	p->loa2 = VETTING_LOA2_DEFAULT;
	p->loa3 = VETTING_LOA3_DEFAULT;
	p->eligibility_max_age = VETTING_ELIGIBILITY_MAX_AGE;
}

uint32_t
vetting_mandatory(const struct vetting_policy *p, const struct vetting_case *c)
{
	uint32_t	m;

	if (c->purpose == VETTING_PURPOSE_RELEASE) {
		/* Re-vetting (X.1280 9.2.2): the LoA3 checks, no factor. */
		m = p->loa3 & ~(PHASE_I | PHASE_B | B(C_USE_EXISTING_FACTOR) |
		    B(C_SELECT_NEW_FACTOR) | B(C_USE_NEW_FACTOR) |
		    B(V_CREATE_DIGITAL_IDENTITY) | B(V_HAND_OVER_FACTOR) |
		    B(V_PREREGISTER_FACTOR));
		m |= B(V_COMMENCE) | B(V_VERIFY_IDENTITY) |
		    B(R_RELEASE_FACTOR);
	} else if (c->channel == VETTING_CHANNEL_SELF) {
		/* Nobody vets in self-service: only C, I and B actions. */
		m = (c->loa >= 3 ? p->loa3 : p->loa2) &
		    (PHASE_C | PHASE_I | PHASE_B);
		m |= B(C_USE_EXISTING_FACTOR) | B(I_REQUEST_FACTOR) |
		    B(B_FACTOR_AND_ID) | B(B_ACTIVATE);
	} else {
		/* Initiation is optional at the desk (V_COMMENCE does it). */
		m = (c->loa >= 3 ? p->loa3 : p->loa2) & ~PHASE_I;
		m |= B(V_COMMENCE) | B(V_PREREGISTER_FACTOR) |
		    B(B_FACTOR_AND_ID) | B(B_ACTIVATE);
		if (c->loa >= 3)
			m |= B(V_VERIFY_IDENTITY);
	}
	if (c->channel == VETTING_CHANNEL_ONLINE)
		m |= B(V_CHECK_LIVENESS);
	return (m);
}

int
vetting_eligibility_stale(const struct vetting_policy *p,
    const struct vetting_case *c, uint64_t now)
{
	uint64_t	since;

	if (c->eligibility_at == 0) {
		if (vetting_mandatory(p, c) & B(C_CHECK_ELIGIBILITY))
			return (1);
		since = c->created;
	} else
		since = c->eligibility_at;
	return (now > since && now - since > p->eligibility_max_age);
}

/*
 * Verification is done when every mandatory action that does not come
 * with the factor itself succeeded; and, whatever the configuration,
 * LoA3 needs V_VERIFY_IDENTITY and LoA2 at least an existing factor.
 */
static int
vetting_verified(const struct vetting_policy *p, const struct vetting_case *c)
{
	uint32_t	need;

	need = vetting_mandatory(p, c) & ~AFTER_VERIFY;
	if ((c->done & need) != need)
		return (0);
	if (c->loa >= 3 || c->purpose == VETTING_PURPOSE_RELEASE)
		return ((c->done & B(V_VERIFY_IDENTITY)) != 0);
	return ((c->done & (B(C_USE_EXISTING_FACTOR) |
	    B(V_VERIFY_IDENTITY))) != 0);
}

int
vetting_closed(const struct vetting_case *c)
{
	return (c->state == VETTING_STATE_COMPLETE ||
	    c->state == VETTING_STATE_FAILED);
}

enum vetting_error
vetting_check(const struct vetting_policy *p, const struct vetting_case *c,
    uint32_t action, uint64_t now)
{
	const struct vetting_rule	*r;
	uint32_t			 need;

	if (action >= VETTING_ACTION_COUNT || c->channel < 1 ||
	    c->channel > 3 || c->purpose < 1 || c->purpose > 3)
		return (VETTING_ERR_INVALID);
	r = &vetting_rules[action];
	if (vetting_closed(c))
		return (VETTING_ERR_CLOSED);
	if (!(r->channels & (1U << c->channel)) ||
	    !(r->purposes & (1U << c->purpose)))
		return (VETTING_ERR_CHANNEL);
	if (r->once && (c->done & VETTING_BIT(action)))
		return (VETTING_ERR_REPEAT);
	if (c->done & r->before)
		return (VETTING_ERR_LATE);
	if ((c->done & r->requires) != r->requires ||
	    (r->any_of != 0 && !(c->done & r->any_of)))
		return (VETTING_ERR_ORDER);

	switch (action) {
	case VETTING_V_CREATE_DIGITAL_IDENTITY:
		/* Only for an applicant without an IdP identity. */
		if (c->user_id[0] != '\0')
			return (VETTING_ERR_APPLICANT);
		break;
	case VETTING_V_VERIFY_IDENTITY:
		need = vetting_mandatory(p, c) & VERIFY_PARTS;
		if ((c->done & need) != need)
			return (VETTING_ERR_ORDER);
		/* FALLTHROUGH */
	case VETTING_V_PREREGISTER_FACTOR:
	case VETTING_R_RELEASE_FACTOR:
		if (c->user_id[0] == '\0')
			return (VETTING_ERR_APPLICANT);
		break;
	case VETTING_B_FACTOR_AND_ID:
		/* The factor was registered: in self-service or at the desk. */
		need = c->channel == VETTING_CHANNEL_SELF ?
		    B(I_REQUEST_FACTOR) : B(V_PREREGISTER_FACTOR);
		if (!(c->done & need))
			return (VETTING_ERR_ORDER);
		break;
	case VETTING_B_CONFIRMATION:
		need = vetting_mandatory(p, c) & ~B(B_CONFIRMATION);
		if ((c->done & need) != need)
			return (VETTING_ERR_ORDER);
		break;
	default:
		break;
	}
	if (r->verified && !vetting_verified(p, c))
		return (VETTING_ERR_ORDER);
	if (r->fresh && vetting_eligibility_stale(p, c, now))
		return (VETTING_ERR_ELIGIBILITY);
	return (VETTING_OK);
}

int
vetting_apply(const struct vetting_policy *p, struct vetting_case *c,
    uint32_t action, uint32_t outcome, uint64_t now)
{
	int	undo;

	undo = 0;
	c->version++;
	c->updated = now;
	if (outcome != VETTING_OUTCOME_OK) {
		/*
		 * The applicant turned back at the desk keeps the request
		 * (and code) for another visit; a failed password at
		 * C_USE_EXISTING_FACTOR may be tried again. Any other
		 * failure ends the case, and X.1254 V_CREATE_DIGITAL_IDENTITY
		 * "should be invalidated if any of the following enrollment
		 * actions fails during both vetting and binding phases".
		 */
		if (action == VETTING_V_COMMENCE ||
		    action == VETTING_C_USE_EXISTING_FACTOR)
			return (0);
		c->state = VETTING_STATE_FAILED;
		if ((c->flags & VETTING_IDENTITY_CREATED) &&
		    !(c->flags & VETTING_IDENTITY_REMOVED))
			undo |= VETTING_UNDO_IDENTITY;
		if (c->binding_id[0] != '\0' &&
		    c->purpose != VETTING_PURPOSE_RELEASE)
			undo |= VETTING_UNDO_BINDING;
		return (undo);
	}

	c->done |= VETTING_BIT(action);
	switch (action) {
	case VETTING_C_CHECK_ELIGIBILITY:
		c->eligibility_at = now;
		break;
	case VETTING_I_ARRANGE_VETTING:
		c->state = VETTING_STATE_ARRANGED;
		break;
	case VETTING_V_COMMENCE:
		c->state = VETTING_STATE_COMMENCED;
		break;
	case VETTING_V_CREATE_DIGITAL_IDENTITY:
		c->flags |= VETTING_IDENTITY_CREATED;
		break;
	case VETTING_V_VERIFY_IDENTITY:
		c->state = VETTING_STATE_VERIFIED;
		break;
	case VETTING_B_FACTOR_AND_ID:
		c->state = VETTING_STATE_BOUND;
		break;
	case VETTING_B_ACTIVATE:
		c->state = VETTING_STATE_ACTIVE;
		break;
	case VETTING_B_CONFIRMATION:
	case VETTING_R_RELEASE_FACTOR:
		c->state = VETTING_STATE_COMPLETE;
		break;
	default:
		break;
	}
	return (0);
}

void
vetting_undo_identity(struct vetting_case *c)
{
	c->flags |= VETTING_IDENTITY_REMOVED;
	c->done &= ~VETTING_BIT(VETTING_V_CREATE_DIGITAL_IDENTITY);
	c->version++;
}

int
vetting_choice_valid(const char *const *list, const char *value)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, value) == 0)
			return (1);
	}
	return (0);
}

/* Parses YYYY-MM-DD strictly. @return 0 or -1. */
static int
vetting_date(const char *s, int *y, int *m, int *d)
{
	static const int	days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			i, leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (-1);
	for (i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return (-1);
	}
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	if (*y < 1900 || *m < 1 || *m > 12 || *d < 1 || *d > days[*m - 1])
		return (-1);
	leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	if (*m == 2 && *d == 29 && !leap)
		return (-1);
	return (0);
}

enum vetting_error
vetting_proof_evidence(const char *doc_type, const char *country,
    const char *expiry, const char *number_tail, uint64_t now, char *out,
    const char **reason)
{
	char		cc[4], tail[VETTING_DOC_TAIL + 1];
	struct tm	tm;
	time_t		t;
	size_t		i, n;
	int		y, m, d;

	*out = '\0';
	if (doc_type == NULL || !vetting_choice_valid(vetting_doc_types,
	    doc_type)) {
		*reason = "unknown document type";
		return (VETTING_ERR_EVIDENCE);
	}
	n = country == NULL ? 0 : strlen(country);
	if (n < 2 || n > 3) {
		*reason = "the issuing country is an ISO 3166 code (FI, FIN)";
		return (VETTING_ERR_EVIDENCE);
	}
	for (i = 0; i < n; i++) {
		if (!isalpha((unsigned char)country[i])) {
			*reason = "the issuing country is an ISO 3166 code";
			return (VETTING_ERR_EVIDENCE);
		}
		cc[i] = (char)toupper((unsigned char)country[i]);
	}
	cc[n] = '\0';
	if (expiry == NULL || vetting_date(expiry, &y, &m, &d) == -1) {
		*reason = "the expiry date is YYYY-MM-DD";
		return (VETTING_ERR_EVIDENCE);
	}
	t = (time_t)now;
	gmtime_r(&t, &tm);
	if (y * 10000 + m * 100 + d < (tm.tm_year + 1900) * 10000 +
	    (tm.tm_mon + 1) * 100 + tm.tm_mday) {
		*reason = "the document has expired";
		return (VETTING_ERR_EVIDENCE);
	}

	/* Data minimisation: the last characters only, never more. */
	n = 0;
	for (i = 0; number_tail != NULL && number_tail[i] != '\0'; i++) {
		if (number_tail[i] == ' ' || number_tail[i] == '-')
			continue;
		if (!isalnum((unsigned char)number_tail[i])) {
			*reason = "the document number holds letters and "
			    "digits only";
			return (VETTING_ERR_EVIDENCE);
		}
		if (n == VETTING_DOC_TAIL) {
			*reason = "record only the last 6 characters of the "
			    "document number, never the full number";
			return (VETTING_ERR_EVIDENCE);
		}
		tail[n++] = (char)toupper((unsigned char)number_tail[i]);
	}
	tail[n] = '\0';
	if (n == 0) {
		*reason = "the last characters of the document number are "
		    "missing";
		return (VETTING_ERR_EVIDENCE);
	}
	snprintf(out, VETTING_EVIDENCE_MAX, "doc_type=%s country=%s "
	    "expiry=%04d-%02d-%02d number_last6=%s", doc_type, cc, y, m, d,
	    tail);
	OPENSSL_cleanse(tail, sizeof(tail));
	return (VETTING_OK);
}

int
vetting_code_generate(char *code)
{
	static const char	alphabet[] = VETTING_CODE_ALPHABET;
	unsigned char		rnd[VETTING_CODE_CHARS];
	size_t			i, o;

	if (crypto_random(rnd, sizeof(rnd)) == -1)
		return (-1);
	/* 32 symbols: rnd & 31 is uniform. */
	for (i = 0, o = 0; i < VETTING_CODE_CHARS; i++) {
		if (i > 0 && i % 4 == 0)
			code[o++] = '-';
		code[o++] = alphabet[rnd[i] & 31];
	}
	code[o] = '\0';
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return (0);
}

int
vetting_code_hash(const char *typed, char *hash)
{
	char		norm[VETTING_CODE_CHARS + 1];
	size_t		n;
	int		c;

	n = 0;
	for (; *typed != '\0'; typed++) {
		if (*typed == ' ' || *typed == '-')
			continue;
		c = toupper((unsigned char)*typed);
		if (c == '\0' || strchr(VETTING_CODE_ALPHABET, c) == NULL ||
		    n == VETTING_CODE_CHARS)
			return (-1);
		norm[n++] = (char)c;
	}
	if (n != VETTING_CODE_CHARS)
		return (-1);
	norm[n] = '\0';
	crypto_sha256_hex(norm, n, hash);
	OPENSSL_cleanse(norm, sizeof(norm));
	return (0);
}
