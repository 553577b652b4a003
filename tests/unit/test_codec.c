/*
 * Unit tests for src/codec.c: round trips of every field type, and a
 * reader that refuses anything but exactly the record it was built for
 * (wrong version, truncation, trailing bytes, over-long or NUL-holding
 * strings), with sticky errors on both sides.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"

#define VERSION		7

static void	build_sample(struct codec_writer *);
static void	read_sample(struct codec_reader *);

/* A record with one field of each type; read_sample() reads it back. */
static void
build_sample(struct codec_writer *w)
{
	static const unsigned char	bytes[] = { 0x00, 0xff, 0x00, 0x7f };

	codec_writer_init(w, VERSION);
	codec_put_u8(w, 0xa5);
	codec_put_u32(w, 0xdeadbeef);
	codec_put_u64(w, UINT64_C(0x0102030405060708));
	codec_put_bytes(w, bytes, sizeof(bytes));
	codec_put_str(w, "alice@example");
	codec_put_bytes(w, NULL, 0);
	codec_put_str(w, NULL);
	codec_put_raw(w, "RAW", 3);
	assert_int_equal(codec_writer_ok(w), 0);
}

static void
read_sample(struct codec_reader *r)
{
	unsigned char	bytes[8];
	char		str[32], raw[4];

	assert_int_equal(codec_get_u8(r), 0xa5);
	assert_int_equal(codec_get_u32(r), 0xdeadbeef);
	assert_true(codec_get_u64(r) == UINT64_C(0x0102030405060708));
	assert_int_equal(codec_get_bytes(r, bytes, sizeof(bytes)), 4);
	assert_memory_equal(bytes, "\x00\xff\x00\x7f", 4);
	codec_get_str(r, str, sizeof(str));
	assert_string_equal(str, "alice@example");
	assert_int_equal(codec_get_bytes(r, bytes, sizeof(bytes)), 0);
	codec_get_str(r, str, sizeof(str));
	assert_string_equal(str, "");
	/* Raw bytes carry no length: read them as three u8. */
	raw[0] = (char)codec_get_u8(r);
	raw[1] = (char)codec_get_u8(r);
	raw[2] = (char)codec_get_u8(r);
	raw[3] = '\0';
	assert_string_equal(raw, "RAW");
}

static void
test_codec_round_trips_every_field_type(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;

	build_sample(&w);
	codec_reader_init(&r, w.data, w.len, VERSION);
	read_sample(&r);
	assert_int_equal(codec_reader_done(&r), 0);
	codec_writer_free(&w);
}

static void
test_codec_round_trips_integer_extremes(void **state)
{
	static const uint64_t	values[] = {
		0, 1, 0xff, 0x100, 0xffffffff, UINT64_C(0x100000000),
		UINT64_MAX - 1, UINT64_MAX
	};
	struct codec_writer	w;
	struct codec_reader	r;
	size_t			i;

	codec_writer_init(&w, VERSION);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		codec_put_u8(&w, (uint8_t)values[i]);
		codec_put_u32(&w, (uint32_t)values[i]);
		codec_put_u64(&w, values[i]);
	}
	assert_int_equal(codec_writer_ok(&w), 0);
	assert_int_equal(w.len, 1 + 8 * (1 + 4 + 8));

	codec_reader_init(&r, w.data, w.len, VERSION);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		assert_int_equal(codec_get_u8(&r), (uint8_t)values[i]);
		assert_int_equal(codec_get_u32(&r), (uint32_t)values[i]);
		assert_true(codec_get_u64(&r) == values[i]);
	}
	assert_int_equal(codec_reader_done(&r), 0);
	codec_writer_free(&w);
}

static void
test_codec_encodes_version_then_big_endian_fields(void **state)
{
	static const unsigned char	want[] = {
		VERSION,
		0x12,
		0x01, 0x02, 0x03, 0x04,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x00, 0x00, 0x00, 0x02, 'h', 'i'
	};
	struct codec_writer	w;

	codec_writer_init(&w, VERSION);
	codec_put_u8(&w, 0x12);
	codec_put_u32(&w, 0x01020304);
	codec_put_u64(&w, UINT64_C(0x0102030405060708));
	codec_put_str(&w, "hi");
	assert_int_equal(codec_writer_ok(&w), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(w.data, want, sizeof(want));
	codec_writer_free(&w);
}

static void
test_codec_key_writer_has_no_version_byte(void **state)
{
	struct codec_writer	w;

	codec_writer_init_key(&w);
	codec_put_u8(&w, 'U');
	codec_put_u64(&w, 42);
	assert_int_equal(codec_writer_ok(&w), 0);
	assert_int_equal(w.len, 9);
	assert_memory_equal(w.data, "U\0\0\0\0\0\0\0\x2a", 9);
	codec_writer_free(&w);
}

static void
test_codec_writer_grows_past_initial_buffer(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;
	unsigned char		*big, *back;
	size_t			n;

	n = 10000;
	big = malloc(n);
	back = malloc(n);
	assert_non_null(big);
	assert_non_null(back);
	memset(big, 'x', n);
	big[n - 1] = 'y';

	codec_writer_init(&w, VERSION);
	codec_put_u32(&w, 1);
	codec_put_bytes(&w, big, n);
	codec_put_u32(&w, 2);
	assert_int_equal(codec_writer_ok(&w), 0);

	codec_reader_init(&r, w.data, w.len, VERSION);
	assert_int_equal(codec_get_u32(&r), 1);
	assert_int_equal(codec_get_bytes(&r, back, n), n);
	assert_memory_equal(back, big, n);
	assert_int_equal(codec_get_u32(&r), 2);
	assert_int_equal(codec_reader_done(&r), 0);
	codec_writer_free(&w);
	free(big);
	free(back);
}

static void
test_codec_writer_free_clears_writer(void **state)
{
	struct codec_writer	w;

	build_sample(&w);
	codec_writer_free(&w);
	assert_null(w.data);
	assert_int_equal(w.len, 0);
	assert_int_equal(w.cap, 0);
	/* A second free, as on a shared cleanup path, is harmless. */
	codec_writer_free(&w);
}

static void
test_codec_reader_rejects_version_mismatch(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;

	build_sample(&w);
	codec_reader_init(&r, w.data, w.len, VERSION + 1);
	assert_int_not_equal(r.error, 0);
	/* Sticky: fields that would decode are not handed out. */
	assert_int_equal(codec_get_u8(&r), 0);
	assert_int_equal(codec_get_u32(&r), 0);
	assert_int_equal(codec_reader_done(&r), -1);
	codec_writer_free(&w);
}

static void
test_codec_reader_rejects_empty_record(void **state)
{
	struct codec_reader	r;

	codec_reader_init(&r, "", 0, VERSION);
	assert_int_equal(codec_reader_done(&r), -1);
}

static void
test_codec_reader_rejects_every_truncation(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;
	unsigned char		bytes[8];
	char			str[32];
	size_t			len;

	build_sample(&w);
	for (len = 0; len < w.len; len++) {
		codec_reader_init(&r, w.data, len, VERSION);
		(void)codec_get_u8(&r);
		(void)codec_get_u32(&r);
		(void)codec_get_u64(&r);
		(void)codec_get_bytes(&r, bytes, sizeof(bytes));
		codec_get_str(&r, str, sizeof(str));
		(void)codec_get_bytes(&r, bytes, sizeof(bytes));
		codec_get_str(&r, str, sizeof(str));
		(void)codec_get_u8(&r);
		(void)codec_get_u8(&r);
		(void)codec_get_u8(&r);
		assert_int_equal(codec_reader_done(&r), -1);
	}
	codec_writer_free(&w);
}

static void
test_codec_reader_rejects_trailing_bytes(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;

	build_sample(&w);
	codec_put_u8(&w, 0);
	assert_int_equal(codec_writer_ok(&w), 0);
	codec_reader_init(&r, w.data, w.len, VERSION);
	read_sample(&r);
	assert_int_equal(r.error, 0);
	assert_int_equal(codec_reader_done(&r), -1);
	codec_writer_free(&w);
}

static void
test_codec_get_str_rejects_string_longer_than_destination(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;
	char			out[8];

	codec_writer_init(&w, VERSION);
	codec_put_str(&w, "1234567");
	codec_put_str(&w, "12345678");
	assert_int_equal(codec_writer_ok(&w), 0);

	codec_reader_init(&r, w.data, w.len, VERSION);
	/* Seven characters and the NUL fill out[8] exactly. */
	codec_get_str(&r, out, sizeof(out));
	assert_int_equal(r.error, 0);
	assert_string_equal(out, "1234567");
	memset(out, 'z', sizeof(out));
	codec_get_str(&r, out, sizeof(out));
	assert_int_not_equal(r.error, 0);
	assert_string_equal(out, "");
	assert_int_equal(codec_reader_done(&r), -1);
	codec_writer_free(&w);
}

static void
test_codec_get_str_rejects_zero_capacity(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;
	char			out[1];

	codec_writer_init(&w, VERSION);
	codec_put_str(&w, "");
	codec_reader_init(&r, w.data, w.len, VERSION);
	codec_get_str(&r, out, 0);
	assert_int_equal(codec_reader_done(&r), -1);
	codec_writer_free(&w);
}

static void
test_codec_get_str_rejects_embedded_nul(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;
	char			out[16];

	/* "admin\0evil" would read as "admin" and hide the rest. */
	codec_writer_init(&w, VERSION);
	codec_put_bytes(&w, "admin\0evil", 10);
	codec_reader_init(&r, w.data, w.len, VERSION);
	codec_get_str(&r, out, sizeof(out));
	assert_int_not_equal(r.error, 0);
	assert_int_equal(codec_reader_done(&r), -1);
	codec_writer_free(&w);
}

static void
test_codec_get_bytes_rejects_longer_than_capacity(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;
	unsigned char		out[4];

	codec_writer_init(&w, VERSION);
	codec_put_bytes(&w, "abcd", 4);
	codec_put_bytes(&w, "abcde", 5);
	codec_reader_init(&r, w.data, w.len, VERSION);
	assert_int_equal(codec_get_bytes(&r, out, sizeof(out)), 4);
	assert_int_equal(r.error, 0);
	assert_int_equal(codec_get_bytes(&r, out, sizeof(out)), 0);
	assert_int_not_equal(r.error, 0);
	assert_int_equal(codec_reader_done(&r), -1);
	codec_writer_free(&w);
}

static void
test_codec_skip_passes_strings_and_checks_length(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;

	codec_writer_init(&w, VERSION);
	codec_put_str(&w, "a long string the reader does not want");
	codec_put_str(&w, "");
	codec_put_u64(&w, 42);
	codec_reader_init(&r, w.data, w.len, VERSION);
	codec_skip(&r);
	codec_skip(&r);
	assert_true(codec_get_u64(&r) == 42);
	assert_int_equal(codec_reader_done(&r), 0);
	codec_writer_free(&w);

	/* A length beyond the record fails the reader. */
	codec_writer_init(&w, VERSION);
	codec_put_u32(&w, 4);
	codec_put_raw(&w, "abc", 3);
	codec_reader_init(&r, w.data, w.len, VERSION);
	codec_skip(&r);
	assert_int_equal(codec_reader_done(&r), -1);
	codec_writer_free(&w);
}

static void
test_codec_get_bytes_rejects_length_beyond_record(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;
	unsigned char		*out;

	/* A length prefix of 4 GiB - 1 in a record of a few bytes. */
	out = malloc(CODEC_MAX);
	assert_non_null(out);
	codec_writer_init(&w, VERSION);
	codec_put_u32(&w, 0xffffffff);
	codec_put_raw(&w, "abc", 3);
	codec_reader_init(&r, w.data, w.len, VERSION);
	assert_int_equal(codec_get_bytes(&r, out, CODEC_MAX), 0);
	assert_int_equal(codec_reader_done(&r), -1);

	/* Likewise a length that fits the buffer but not the record. */
	codec_writer_free(&w);
	codec_writer_init(&w, VERSION);
	codec_put_u32(&w, 4);
	codec_put_raw(&w, "abc", 3);
	codec_reader_init(&r, w.data, w.len, VERSION);
	assert_int_equal(codec_get_bytes(&r, out, CODEC_MAX), 0);
	assert_int_equal(codec_reader_done(&r), -1);
	codec_writer_free(&w);
	free(out);
}

static void
test_codec_reader_error_is_sticky(void **state)
{
	struct codec_writer	w;
	struct codec_reader	r;
	char			small[2];

	codec_writer_init(&w, VERSION);
	codec_put_str(&w, "too long");
	codec_put_u32(&w, 99);
	codec_reader_init(&r, w.data, w.len, VERSION);
	codec_get_str(&r, small, sizeof(small));
	/* The u32 is there, but after a failure nothing is read. */
	assert_int_equal(codec_get_u32(&r), 0);
	assert_int_equal(codec_reader_done(&r), -1);
	codec_writer_free(&w);
}

static void
test_codec_put_over_max_is_sticky(void **state)
{
	struct codec_writer	w;
	unsigned char		*big;
	size_t			len;

	big = calloc(1, CODEC_MAX + 1);
	assert_non_null(big);

	/* A key of exactly CODEC_MAX bytes is allowed. */
	codec_writer_init_key(&w);
	codec_put_raw(&w, big, CODEC_MAX);
	assert_int_equal(codec_writer_ok(&w), 0);
	assert_int_equal(w.len, CODEC_MAX);
	codec_put_u8(&w, 1);
	assert_int_equal(codec_writer_ok(&w), -1);
	assert_int_equal(w.len, CODEC_MAX);
	codec_writer_free(&w);

	/* The version byte counts: CODEC_MAX more bytes do not fit. */
	codec_writer_init(&w, VERSION);
	codec_put_raw(&w, big, CODEC_MAX);
	assert_int_equal(codec_writer_ok(&w), -1);
	len = w.len;
	codec_put_u8(&w, 1);
	codec_put_str(&w, "x");
	assert_int_equal(w.len, len);
	assert_int_equal(codec_writer_ok(&w), -1);
	codec_writer_free(&w);

	/* A byte string longer than CODEC_MAX, length prefix and all. */
	codec_writer_init(&w, VERSION);
	codec_put_bytes(&w, big, CODEC_MAX + 1);
	assert_int_equal(codec_writer_ok(&w), -1);
	codec_put_u8(&w, 1);
	assert_int_equal(codec_writer_ok(&w), -1);
	codec_writer_free(&w);

	/* Many small puts that together cross the limit. */
	codec_writer_init(&w, VERSION);
	for (len = 0; len < CODEC_MAX / 4 + 1; len++)
		codec_put_u32(&w, (uint32_t)len);
	assert_int_equal(codec_writer_ok(&w), -1);
	assert_true(w.len <= CODEC_MAX);
	codec_writer_free(&w);
	free(big);
}

static void
test_codec_be64_orders_numerically(void **state)
{
	static const uint64_t	values[] = {
		0, 1, 2, 0xff, 0x100, 0x101, 0xffff, 0x10000, 0xffffffff,
		UINT64_C(0x100000000), UINT64_C(0x00ffffffffffffff),
		UINT64_C(0x0100000000000000), UINT64_MAX - 1, UINT64_MAX
	};
	unsigned char	a[8], b[8];
	size_t		i, j, n;
	int		cmp;

	n = sizeof(values) / sizeof(values[0]);
	for (i = 0; i < n; i++) {
		codec_be64(a, values[i]);
		assert_true(codec_from_be64(a) == values[i]);
		for (j = 0; j < n; j++) {
			codec_be64(b, values[j]);
			cmp = memcmp(a, b, sizeof(a));
			if (i < j)
				assert_true(cmp < 0);
			else if (i > j)
				assert_true(cmp > 0);
			else
				assert_int_equal(cmp, 0);
		}
	}
	codec_be64(a, UINT64_C(0x0102030405060708));
	assert_memory_equal(a, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_codec_round_trips_every_field_type),
		cmocka_unit_test(test_codec_round_trips_integer_extremes),
		cmocka_unit_test(
		    test_codec_encodes_version_then_big_endian_fields),
		cmocka_unit_test(test_codec_key_writer_has_no_version_byte),
		cmocka_unit_test(test_codec_writer_grows_past_initial_buffer),
		cmocka_unit_test(test_codec_writer_free_clears_writer),
		cmocka_unit_test(test_codec_reader_rejects_version_mismatch),
		cmocka_unit_test(test_codec_reader_rejects_empty_record),
		cmocka_unit_test(test_codec_reader_rejects_every_truncation),
		cmocka_unit_test(test_codec_reader_rejects_trailing_bytes),
		cmocka_unit_test(
		    test_codec_get_str_rejects_string_longer_than_destination),
		cmocka_unit_test(test_codec_get_str_rejects_zero_capacity),
		cmocka_unit_test(test_codec_get_str_rejects_embedded_nul),
		cmocka_unit_test(
		    test_codec_get_bytes_rejects_longer_than_capacity),
		cmocka_unit_test(
		    test_codec_get_bytes_rejects_length_beyond_record),
		cmocka_unit_test(test_codec_skip_passes_strings_and_checks_length),
		cmocka_unit_test(test_codec_reader_error_is_sticky),
		cmocka_unit_test(test_codec_put_over_max_is_sticky),
		cmocka_unit_test(test_codec_be64_orders_numerically),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
