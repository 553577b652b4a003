#!/bin/sh
# Runs the fuzz targets (tests/fuzz/fuzz.mk, docs/security.md).
#
#   run.sh run DIR SECONDS TARGET...     fuzz each target in turn (at most
#                                        FUZZ_RUNS inputs when that is set)
#   run.sh merge DIR 0 TARGET...         minimise each seed corpus
#   run.sh replay DIR 0 TARGET...        each corpus and crash input once
#
# DIR holds the binaries. Fuzzing runs niced, one target at a time, on a
# tmpfs when there is one (the harnesses' stores commit per input); new
# inputs go to tests/fuzz/corpus/TARGET/, findings to
# build/fuzz/artifacts/TARGET/, and a summary line per target (runs,
# seconds, runs per second) to build/fuzz/stats.txt.
set -eu
mode=$1
dir=$2
seconds=$3
shift 3
here=$(dirname "$0")
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR

# Per target: the largest input worth trying and libFuzzer flags. lasso
# and xmlsec leak by themselves (tests/unit/test_saml.c), so the SAML
# targets run without the leak checker.
options() {
	case $1 in
	fuzz_offset)		echo "-max_len=2300" ;;
	fuzz_codec)		echo "-max_len=4200" ;;
	fuzz_config)		echo "-max_len=8192" ;;
	fuzz_saml_*)		echo "-max_len=20000 -detect_leaks=0" ;;
	*)			echo "-max_len=4096" ;;
	esac
}

case $mode in
run)
	mkdir -p build/fuzz
	for t in "$@"; do
		corpus=$here/corpus/$t
		art=build/fuzz/artifacts/$t
		log=build/fuzz/logs/$t.log
		mkdir -p "$corpus" "$art" build/fuzz/logs
		echo "fuzz: $t for ${seconds}s"
		rc=0
		leaks=1
		case $t in
		fuzz_saml_*)	leaks=0 ;;
		esac
		# shellcheck disable=SC2046
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks \
		    nice -n 15 "$dir/$t" $(options "$t") -max_total_time="$seconds" \
		    ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
		    -print_final_stats=1 -close_fd_mask=2 -artifact_prefix="$art/" \
		    "$corpus" >"$log" 2>&1 || rc=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
		echo "$t runs=${runs:-?} seconds=${secs:-?} exec/s=${rate:-?} rc=$rc" |
		    tee -a build/fuzz/stats.txt
		if [ "$rc" -ne 0 ]; then
			tail -40 "$log"
			echo "fuzz: $t found something: see $log and $art/"
			exit 1
		fi
	done
	;;
merge)
	for t in "$@"; do
		corpus=$here/corpus/$t
		[ -d "$corpus" ] || continue
		tmp=$(mktemp -d)
		leaks=1
		case $t in
		fuzz_saml_*)	leaks=0 ;;
		esac
		# As in run: lasso's and xmlsec's own leaks at exit are not
		# findings (else each merge leaves a crash- file behind).
		# shellcheck disable=SC2046
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks \
		    nice -n 15 "$dir/$t" $(options "$t") -merge=1 "$tmp" \
		    "$corpus" >/dev/null 2>&1
		rm -f "$corpus"/*
		cp "$tmp"/* "$corpus"/ 2>/dev/null || true
		rm -rf "$tmp"
		echo "fuzz: $t corpus $(ls "$corpus" | wc -l) inputs"
	done
	;;
replay)
	# lasso's own leaks: see options().
	for t in "$@"; do
		set --
		for d in corpus crashes; do
			[ -d "$here/$d/$t" ] || continue
			for f in "$here/$d/$t"/*; do
				[ -f "$f" ] && set -- "$@" "$f"
			done
		done
		# The modules log to stderr: shown only when a replay fails.
		log=$dir/$t.log
		leaks=1
		case $t in
		fuzz_saml_*)	leaks=0 ;;
		esac
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks \
		    "$dir/$t" "$@" 2>"$log" || { tail -60 "$log"; exit 1; }
	done
	;;
*)
	echo "usage: run.sh run|merge|replay DIR SECONDS TARGET..." >&2
	exit 2
	;;
esac
