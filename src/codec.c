/*
 * Record and key encoding with sticky errors.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "codec.h"

static void	codec_reserve(struct codec_writer *, size_t);
static const unsigned char	*codec_take(struct codec_reader *, size_t);

void
codec_writer_init(struct codec_writer *w, uint8_t version)
{
	codec_writer_init_key(w);
	codec_put_u8(w, version);
}

void
codec_writer_init_key(struct codec_writer *w)
{
	memset(w, 0, sizeof(*w));
}

void
codec_writer_free(struct codec_writer *w)
{
	if (w->data != NULL) {
		OPENSSL_cleanse(w->data, w->cap);
		free(w->data);
	}
	memset(w, 0, sizeof(*w));
}

static void
codec_reserve(struct codec_writer *w, size_t more)
{
	unsigned char	*p;
	size_t		 cap;

	if (w->error)
		return;
	if (more > CODEC_MAX || w->len + more > CODEC_MAX) {
		w->error = 1;
		return;
	}
	if (w->len + more <= w->cap)
		return;

	cap = w->cap == 0 ? 256 : w->cap;
	while (cap < w->len + more)
		cap *= 2;
	if ((p = calloc(1, cap)) == NULL) {
		w->error = 1;
		return;
	}
	/* Copy rather than realloc so no stale copy of a secret is left. */
	if (w->data != NULL) {
		memcpy(p, w->data, w->len);
		OPENSSL_cleanse(w->data, w->cap);
		free(w->data);
	}
	w->data = p;
	w->cap = cap;
}

void
codec_put_raw(struct codec_writer *w, const void *data, size_t len)
{
	codec_reserve(w, len);
	if (w->error)
		return;
	if (len > 0)
		memcpy(w->data + w->len, data, len);
	w->len += len;
}

void
codec_put_u8(struct codec_writer *w, uint8_t v)
{
	codec_put_raw(w, &v, 1);
}

void
codec_put_u32(struct codec_writer *w, uint32_t v)
{
	unsigned char	b[4];

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
	codec_put_raw(w, b, sizeof(b));
}

void
codec_put_u64(struct codec_writer *w, uint64_t v)
{
	unsigned char	b[8];

	codec_be64(b, v);
	codec_put_raw(w, b, sizeof(b));
}

void
codec_put_bytes(struct codec_writer *w, const void *data, size_t len)
{
	if (len > CODEC_MAX) {
		w->error = 1;
		return;
	}
	codec_put_u32(w, (uint32_t)len);
	codec_put_raw(w, data, len);
}

void
codec_put_str(struct codec_writer *w, const char *s)
{
	if (s == NULL)
		s = "";
	codec_put_bytes(w, s, strlen(s));
}

int
codec_writer_ok(const struct codec_writer *w)
{
	return (w->error ? -1 : 0);
}

void
codec_reader_init(struct codec_reader *r, const void *data, size_t len,
    uint8_t version)
{
	memset(r, 0, sizeof(*r));
	r->data = data;
	r->len = len;
	if (codec_get_u8(r) != version)
		r->error = 1;
}

static const unsigned char *
codec_take(struct codec_reader *r, size_t n)
{
	const unsigned char	*p;

	if (r->error || n > r->len - r->off) {
		r->error = 1;
		return (NULL);
	}
	p = r->data + r->off;
	r->off += n;
	return (p);
}

uint8_t
codec_get_u8(struct codec_reader *r)
{
	const unsigned char	*p;

	if ((p = codec_take(r, 1)) == NULL)
		return (0);
	return (p[0]);
}

uint32_t
codec_get_u32(struct codec_reader *r)
{
	const unsigned char	*p;

	if ((p = codec_take(r, 4)) == NULL)
		return (0);
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

uint64_t
codec_get_u64(struct codec_reader *r)
{
	const unsigned char	*p;

	if ((p = codec_take(r, 8)) == NULL)
		return (0);
	return (codec_from_be64(p));
}

size_t
codec_get_bytes(struct codec_reader *r, void *out, size_t cap)
{
	const unsigned char	*p;
	uint32_t		 n;

	n = codec_get_u32(r);
	if (r->error || n > cap) {
		r->error = 1;
		return (0);
	}
	if ((p = codec_take(r, n)) == NULL)
		return (0);
	if (n > 0)
		memcpy(out, p, n);
	return (n);
}

void
codec_get_str(struct codec_reader *r, char *out, size_t cap)
{
	size_t		n;

	if (cap == 0) {
		r->error = 1;
		return;
	}
	n = codec_get_bytes(r, out, cap - 1);
	out[r->error ? 0 : n] = '\0';
	if (!r->error && memchr(out, '\0', n) != NULL)
		r->error = 1;
}

void
codec_skip(struct codec_reader *r)
{
	uint32_t	n;

	n = codec_get_u32(r);
	if (!r->error)
		(void)codec_take(r, n);
}

int
codec_reader_done(const struct codec_reader *r)
{
	return (r->error || r->off != r->len ? -1 : 0);
}

void
codec_be64(unsigned char *b, uint64_t v)
{
	int		i;

	for (i = 7; i >= 0; i--) {
		b[i] = v & 0xff;
		v >>= 8;
	}
}

uint64_t
codec_from_be64(const unsigned char *b)
{
	uint64_t	v;
	int		i;

	v = 0;
	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return (v);
}
