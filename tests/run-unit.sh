#!/bin/sh
# Runs each cmocka unit test binary; fails when any test fails.
# Prints a closing "N passed, N failed" line over all binaries.
set -u
passed=0
failed=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
	passed=$((passed + ${p:-0}))
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + ${f:-1}))
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
