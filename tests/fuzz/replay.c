/*
 * Runs a harness once over each file named on the command line, without
 * libFuzzer: how `make test` replays tests/fuzz/corpus/ and
 * tests/fuzz/crashes/ under the sanitizer build. A crash aborts the
 * program (the sanitizers see to that); otherwise it prints the closing
 * line "fuzz: N passed, 0 failed".
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"

int
main(int argc, char *argv[])
{
	FILE		*fp;
	unsigned char	*buf;
	long		 len;
	int		 i, n;

	if (LLVMFuzzerInitialize(&argc, &argv) != 0)
		return (EXIT_FAILURE);
	for (i = 1, n = 0; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL ||
		    fseek(fp, 0, SEEK_END) == -1 || (len = ftell(fp)) < 0 ||
		    fseek(fp, 0, SEEK_SET) == -1 ||
		    (buf = malloc((size_t)len + 1)) == NULL ||
		    fread(buf, 1, (size_t)len, fp) != (size_t)len) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			return (EXIT_FAILURE);
		}
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		n++;
	}
	printf("%s: %d passed, 0 failed\n", program_invocation_short_name, n);
	return (EXIT_SUCCESS);
}
