/*
 * codec.c: the binary encoding of stored records and keys.
 *
 * A record is a version byte followed by fields: fixed-width integers in
 * big-endian order and byte strings prefixed with a 32-bit length. Keys
 * use the same integers so that LMDB's byte order is numeric order.
 * Writers and readers carry a sticky error: after the first failure every
 * call is a no-op and codec_*_ok() reports it, so callers check once.
 */
#ifndef MUTUA_CODEC_H
#define MUTUA_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Largest record or key the codec builds. */
#define CODEC_MAX	(64 * 1024)

struct codec_writer {
	unsigned char	*data;
	size_t		 len;
	size_t		 cap;
	int		 error;
};

struct codec_reader {
	const unsigned char	*data;
	size_t			 len;
	size_t			 off;
	int			 error;
};

/*
 * Starts a record with the given version byte.
 * The buffer must be released with codec_writer_free().
 */
void	codec_writer_init(struct codec_writer *, uint8_t version);

/* Starts a key (no version byte). Release with codec_writer_free(). */
void	codec_writer_init_key(struct codec_writer *);

/* Wipes and frees the writer's buffer. */
void	codec_writer_free(struct codec_writer *);

void	codec_put_u8(struct codec_writer *, uint8_t);
void	codec_put_u32(struct codec_writer *, uint32_t);
void	codec_put_u64(struct codec_writer *, uint64_t);
void	codec_put_bytes(struct codec_writer *, const void *, size_t);
void	codec_put_str(struct codec_writer *, const char *);
void	codec_put_raw(struct codec_writer *, const void *, size_t);

/* Returns 0 when every put succeeded, -1 otherwise. */
int	codec_writer_ok(const struct codec_writer *);

/*
 * Starts reading a record. Fails (sticky) when the version byte is not
 * the expected one, so an old or foreign record is never misread.
 */
void	codec_reader_init(struct codec_reader *, const void *, size_t,
	    uint8_t version);

uint8_t		codec_get_u8(struct codec_reader *);
uint32_t	codec_get_u32(struct codec_reader *);
uint64_t	codec_get_u64(struct codec_reader *);

/*
 * Copies a length-prefixed byte string into out (capacity cap) and
 * returns its length; fails when it does not fit.
 */
size_t	codec_get_bytes(struct codec_reader *, void *out, size_t cap);

/*
 * Copies a length-prefixed string into out (capacity cap, always
 * NUL-terminated); fails when it does not fit or holds a NUL byte.
 */
void	codec_get_str(struct codec_reader *, char *out, size_t cap);

/* Passes over a length-prefixed string or byte string unread. */
void	codec_skip(struct codec_reader *);

/* Returns 0 when every get succeeded and the record was used up. */
int	codec_reader_done(const struct codec_reader *);

/* Big-endian helpers for building keys on the stack. */
void		codec_be64(unsigned char *, uint64_t);
uint64_t	codec_from_be64(const unsigned char *);

#endif
