/*
 * The encodings of outside input: base64url (crypto_b64url_decode(), the
 * device keys and signatures of every /oob/v1 request), hex
 * (crypto_unhex(), registration codes and stored hashes) and the record
 * reader of src/codec.c. The first byte picks one; decoding what was
 * encoded must give the bytes back, and a decoded value must encode to
 * its one canonical text.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "crypto.h"
#include "fuzz_common.h"

#define FUZZ_CODEC_MAX		4096

static void	fuzz_b64url(const uint8_t *, size_t);
static void	fuzz_hex(const uint8_t *, size_t);
static void	fuzz_record(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return (0);
}

static void
fuzz_b64url(const uint8_t *data, size_t size)
{
	unsigned char	out[FUZZ_CODEC_MAX], back[FUZZ_CODEC_MAX];
	char		*s, text[FUZZ_CODEC_MAX * 2];
	int		 n;

	s = fuzz_string(data, size);
	n = crypto_b64url_decode(s, out, sizeof(out));
	if (n >= 0) {
		/* One encoding per byte string: the text is canonical. */
		if (crypto_b64url_encode(out, (size_t)n, text,
		    sizeof(text)) != 0 || strcmp(text, s) != 0)
			abort();
	}
	free(s);

	/* Any bytes round-trip. */
	if (size <= sizeof(back) &&
	    crypto_b64url_encode(data, size, text, sizeof(text)) == 0) {
		n = crypto_b64url_decode(text, back, sizeof(back));
		if (n != (int)size || (size > 0 && memcmp(back, data, size)))
			abort();
	}
}

static void
fuzz_hex(const uint8_t *data, size_t size)
{
	unsigned char	out[FUZZ_CODEC_MAX];
	char		*s, text[FUZZ_CODEC_MAX * 2 + 1];
	int		 n;

	s = fuzz_string(data, size);
	n = crypto_unhex(s, out, sizeof(out));
	if (n >= 0) {
		crypto_hex(out, (size_t)n, text);
		if (strcasecmp(text, s) != 0)
			abort();
	}
	free(s);
}

/* A record of every field type, as the store modules read them. */
static void
fuzz_record(const uint8_t *data, size_t size)
{
	struct codec_reader	r;
	struct codec_writer	w;
	unsigned char		bytes[64];
	char			str[32];
	uint64_t		u64;
	uint32_t		u32;
	uint8_t			u8;
	size_t			n;

	codec_reader_init(&r, data, size, 1);
	u8 = codec_get_u8(&r);
	u32 = codec_get_u32(&r);
	u64 = codec_get_u64(&r);
	n = codec_get_bytes(&r, bytes, sizeof(bytes));
	codec_get_str(&r, str, sizeof(str));
	codec_skip(&r);
	if (codec_reader_done(&r) != 0)
		return;

	/* What was read writes back to the same bytes. */
	codec_writer_init(&w, 1);
	codec_put_u8(&w, u8);
	codec_put_u32(&w, u32);
	codec_put_u64(&w, u64);
	codec_put_bytes(&w, bytes, n);
	codec_put_str(&w, str);
	if (codec_writer_ok(&w) != 0 || w.len > size ||
	    memcmp(w.data, data, w.len) != 0)
		abort();
	codec_writer_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return (0);
	switch (data[0] % 3) {
	case 0:
		fuzz_b64url(data + 1, size - 1);
		break;
	case 1:
		fuzz_hex(data + 1, size - 1);
		break;
	default:
		fuzz_record(data + 1, size - 1);
		break;
	}
	return (0);
}
