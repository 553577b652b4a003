/*
 * store_metadata.c: SAML metadata from aggregates, shared by the workers
 * (docs/saml.md "Federation metadata").
 *
 * STORE_METADATA holds, per source name:
 *   'S' name                        -> the source's state (struct
 *                                      store_md_source)
 *   'E' name 0x00 SHA-256(entityID) -> one verified EntityDescriptor
 *                                      (valid until, then its XML)
 *   'L' name                        -> the refresh lease: which process
 *                                      refreshes the source, until when
 *
 * STORE_MDQ_CACHE (volatile, swept) holds the answers of MDQ responders:
 *   name 0x00 SHA-256(entityID)     -> until when, and the verified
 *                                      EntityDescriptor or "not found"
 * What is here was verified before it was written: it is the last good
 * copy a restart starts from.
 */
#ifndef MUTUA_STORE_METADATA_H
#define MUTUA_STORE_METADATA_H

#include <stdint.h>

#include "store.h"

#define STORE_MD_TAG_MAX	128	/* an HTTP validator, NUL included */

/* What the store knows of one source. */
struct store_md_source {
	uint64_t	generation;	/* bumped at each new copy; 0 = none */
	uint64_t	valid_until;	/* the aggregate's validUntil */
	uint64_t	verified_at;	/* when the copy in use was verified */
	uint64_t	next_check;	/* when to look at the source again */
	uint64_t	mtime;		/* of its file, nanoseconds */
	uint64_t	size;
	uint32_t	entities;	/* how many were indexed */
	char		etag[STORE_MD_TAG_MAX];		/* of the copy, or "" */
	char		last_modified[STORE_MD_TAG_MAX];	/* or "" */
};

/* @return 0 (found), STORE_NOTFOUND (never indexed), or -1. */
int	store_metadata_source_get(struct store_txn *, const char *name,
	    struct store_md_source *);

/* @return 0 or -1. */
int	store_metadata_source_put(struct store_txn *, const char *name,
	    const struct store_md_source *);

/*
 * Removes every entity of source name (before a new copy is written, in
 * the same transaction). @return 0 or -1.
 */
int	store_metadata_clear(struct store_txn *, const char *name);

/*
 * Records one verified EntityDescriptor of source name.
 * @param xml	a standalone document holding only that entity
 * @return 0 or -1.
 */
int	store_metadata_entity_put(struct store_txn *, const char *name,
	    const char *entity_id, uint64_t valid_until, const char *xml,
	    size_t xmllen);

/*
 * Looks up entity_id in source name.
 * @param xml	receives the document, borrowed until the transaction
 *		ends
 * @return 0, STORE_NOTFOUND, or -1 (also for a record that does not
 *	   decode).
 */
int	store_metadata_entity_get(struct store_txn *, const char *name,
	    const char *entity_id, uint64_t *valid_until,
	    struct store_val *xml);

/*
 * Takes the refresh lease of source name for owner (non-zero, e.g. a
 * process ID) until now + ttl, or renews it; ttl 0 releases it.
 * @return 0 when owner holds it now, STORE_EXISTS when another owner
 *	   holds it and it has not expired, -1 on error.
 */
int	store_metadata_lease(struct store_txn *, const char *name,
	    uint64_t owner, uint64_t now, uint64_t ttl);

/* store_metadata_mdq_get(): the responder said there is no such entity. */
#define STORE_MD_NEGATIVE	2

/*
 * Looks up the MDQ answer for entity_id of source name, if it has not
 * expired at now.
 * @param xml	receives the document of a positive answer, borrowed
 *		until the transaction ends
 * @return 0 (a document), STORE_MD_NEGATIVE, STORE_NOTFOUND (none, or
 *	   expired), or -1.
 */
int	store_metadata_mdq_get(struct store_txn *, const char *name,
	    const char *entity_id, uint64_t now, uint64_t *expires,
	    struct store_val *xml);

/*
 * Records an MDQ answer until expires: the verified document, or "not
 * found" when xml is NULL. Nothing is written when the cache already
 * holds max records (expired ones go with store_sweep()).
 * @return 0, STORE_EXISTS when full, or -1.
 */
int	store_metadata_mdq_put(struct store_txn *, const char *name,
	    const char *entity_id, uint64_t expires, const char *xml,
	    size_t xmllen, size_t max);

/* store_sweep() callback for STORE_MDQ_CACHE. */
int	store_metadata_mdq_expired(struct store_txn *,
	    const struct store_val *, const struct store_val *, uint64_t);

#endif
