/*
 * authstate.c: the state file of the mutua-authenticator command.
 *
 * The file is JSON, mode 0600, and holds one or more bindings (an
 * account at an IdP). What the authenticator must keep secret, the
 * verification key K and the device private key, is sealed per binding
 * under a key derived from the user's PIN with scrypt (X.1280 9.2.3:
 * the PIN is checked on the device before it authenticates the server).
 * The rest (issuer, user, binding ID, label) stays readable for the
 * status command. Format: docs/mutua-authenticator.1, FILES.
 */
#ifndef MUTUA_AUTHSTATE_H
#define MUTUA_AUTHSTATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "offset.h"

#define AUTHSTATE_VERSION	1
#define AUTHSTATE_BINDINGS_MAX	16
#define AUTHSTATE_URL_MAX	256
#define AUTHSTATE_USER_MAX	64	/* including the NUL */
#define AUTHSTATE_ID_MAX	65	/* authenticator ID, 1-64 + NUL */
#define AUTHSTATE_LABEL_MAX	65	/* label, 1-64 bytes + NUL */
#define AUTHSTATE_PIN_MIN	4
#define AUTHSTATE_PIN_MAX	128
#define AUTHSTATE_SALT_LEN	16
#define AUTHSTATE_SEALED_MAX	512
#define AUTHSTATE_FILE_MAX	(256 * 1024)

/* One binding of this authenticator to a user at an IdP. */
struct authstate_binding {
	char		issuer[AUTHSTATE_URL_MAX];	/* the IdP base_url */
	char		user_id[AUTHSTATE_USER_MAX];
	char		binding_id[33];			/* 32 hex */
	char		authenticator_id[AUTHSTATE_ID_MAX];
	char		label[AUTHSTATE_LABEL_MAX];
	char		comparison[8];	/* "enter", "select" or "compare" */
	unsigned int	code_lifetime;
	unsigned int	loa;
	uint64_t	created;			/* unix time */

	/* The sealed secret: scrypt parameters, salt, crypto_wrap() blob. */
	uint64_t	scrypt_n;
	uint32_t	scrypt_r;
	uint32_t	scrypt_p;
	unsigned char	salt[AUTHSTATE_SALT_LEN];
	unsigned char	sealed[AUTHSTATE_SEALED_MAX];
	size_t		sealed_len;
};

struct authstate {
	struct authstate_binding	binding[AUTHSTATE_BINDINGS_MAX];
	size_t				count;
};

/* What the PIN unlocks. Release with authstate_secret_clear(). */
struct authstate_secret {
	unsigned char	k[OFFSET_KEY_LEN];	/* verification key K */
	EVP_PKEY	*device;		/* device private key */
};

/*
 * Reads the state file at path. A missing file is an empty state. A file
 * that is not a regular file owned by the caller, or that group or
 * others may access, is refused (it holds sealed keys: OpenSMTPD's
 * check_file_secrecy()).
 * @return 0, or -1 with a reason in err (unreadable, insecure, too large,
 *	   not JSON, unknown version, a malformed binding).
 */
int	authstate_load(const char *path, struct authstate *,
	    char *err, size_t errlen);

/*
 * Writes the state to path atomically: a temporary file of mode 0600 in
 * the same directory, synced, then renamed over path.
 * @return 0, or -1 with a reason in err; path is unchanged on error.
 */
int	authstate_save(const char *path, const struct authstate *,
	    char *err, size_t errlen);

/*
 * Picks a binding: the one whose binding ID or "user@issuer" equals
 * account, or, when account is NULL, the only one there is.
 * @return the binding (inside st), or NULL with a reason in err (none,
 *	   no match, or several and no account given).
 */
struct authstate_binding *authstate_select(struct authstate *,
	    const char *account, char *err, size_t errlen);

/*
 * Appends b to the state. @return 0, or -1 when the state is full or
 * holds the binding ID already.
 */
int	authstate_add(struct authstate *, const struct authstate_binding *);

/*
 * Seals K and the device private key into b under a key derived from
 * pin (scrypt, fresh salt). The issuer, user ID and binding ID are the
 * associated data: a sealed secret cannot be moved to another binding,
 * and an issuer edited in the file makes unsealing fail.
 * @return 0 or -1 (PIN length outside AUTHSTATE_PIN_MIN..MAX, OpenSSL).
 */
int	authstate_seal(struct authstate_binding *b, const char *pin,
	    const unsigned char *k, EVP_PKEY *device);

/*
 * Unseals the secret of b with pin into s (authstate_secret_clear()
 * releases it). Nothing in b is changed.
 * @return 0, or -1 when the PIN is wrong or the record was altered (the
 *	   two cannot be told apart, by design of AES-GCM).
 */
int	authstate_unseal(const struct authstate_binding *b, const char *pin,
	    struct authstate_secret *s);

/* Wipes K and frees the device key. */
void	authstate_secret_clear(struct authstate_secret *);

/*
 * Fills b and k[OFFSET_KEY_LEN] from the 201 answer to POST
 * /oob/v1/register (docs/protocol.md §1). b->issuer must hold the base
 * URL the answer came from; the label, the authenticator ID and the
 * sealed secret are left alone.
 * @return 0, or -1 with a reason in err: a field missing or malformed,
 *	   an issuer other than b->issuer (the binding would point
 *	   elsewhere), or a suite other than OFFSET_SUITE.
 */
int	authstate_from_answer(json_t *answer, struct authstate_binding *b,
	    unsigned char *k, char *err, size_t errlen);

/* @return 1 when mode is a comparison mode: enter, select or compare. */
int	authstate_mode_valid(const char *mode);

/*
 * Reads a PIN into buf (capacity len): the first line of pinfile when it
 * is not NULL (a file group or others may access is refused), else one
 * line from /dev/tty after prompt, with echo off.
 * @return 0, or -1 with a reason in err (buf is wiped).
 */
int	authstate_pin_read(const char *pinfile, const char *prompt,
	    char *buf, size_t len, char *err, size_t errlen);

/*
 * Reads one non-empty line from /dev/tty after prompt, with echo on or
 * off, so that standard input and output stay free for data.
 * @return 0, or -1 with a reason in err (no terminal, empty, too long).
 */
int	authstate_tty_read(const char *prompt, int echo, char *buf,
	    size_t len, char *err, size_t errlen);

/*
 * Checks an IdP base URL: https://, or http:// only for 127.0.0.1,
 * localhost or [::1]; no user info, query or fragment, no trailing '/'.
 * @return 1 when acceptable.
 */
int	authstate_url_valid(const char *url);

#endif
