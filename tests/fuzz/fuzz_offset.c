/*
 * offset_parse() (src/offset.c): the offset an authenticator receives in
 * /oob/v1/pending and parses to show the user (docs/protocol.md §3).
 * What parses must build again into an offset that parses to the same
 * fields: the two sides of the protocol cannot drift apart.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "offset.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offset_fields	 f, again;
	char			*s, built[OFFSET_MAX], hash[65];
	char			 code[OFFSET_CODE_LEN + 1];
	unsigned char		 key[OFFSET_KEY_LEN];

	s = fuzz_string(data, size);
	if (offset_parse(s, &f) == 0) {
		/* Percent-escapes are normalised, so compare fields. */
		if (offset_build(&f, built, sizeof(built)) == 0) {
			if (offset_parse(built, &again) != 0 ||
			    memcmp(&f, &again, sizeof(f)) != 0)
				abort();
		}
		offset_hash_hex(s, hash);
		memset(key, 0x4b, sizeof(key));
		if (offset_code(key, s, code) != 0 ||
		    strlen(code) != OFFSET_CODE_LEN)
			abort();
	}
	free(s);
	return (0);
}
