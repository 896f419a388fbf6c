#!/usr/bin/env bash
# Fuzzes vmtrace report (libFuzzer + ASan, tools/fuzz/fuzz_report.c) for
# FUZZ_SECONDS (default 60), from the small recording ci/tests/vmtrace-parse.sh
# leaves in build/fuzz-seed/ (made here by that test if missing). The corpus
# grows in build/fuzz-corpus/; a crash is kept there and fails the run.
set -uo pipefail
prog=fuzz-report
. "$(dirname "$0")/lib.sh"
cd "$VMSCOPE_TOP"
secs=${FUZZ_SECONDS:-60}
[[ $secs =~ ^[1-9][0-9]*$ ]] || die "FUZZ_SECONDS must be a positive integer, not '$secs'"
make -s -C tools OUT="$BUILD/tools" fuzz || die "the fuzz target did not build (clang, libtracecmd-dev)"
[ -s "$BUILD/fuzz-seed/small.dat" ] || bash ci/tests/vmtrace-parse.sh >/dev/null ||
	die "no seed: ci/tests/vmtrace-parse.sh failed"
corpus=$BUILD/fuzz-corpus
mkdir -p "$corpus"
# The seed carries kallsyms and formats: large inputs, so no length cap below it.
# -fork: crashes are kept and the run goes on; each is then put down to
# libtracecmd/libtraceevent (their bugs: vmtrace report reads in a child and
# says "corrupt" for those) or to vmtrace, which fails the run.
max=$(stat -c %s "$BUILD/fuzz-seed/small.dat")
fuzz=$BUILD/tools/fuzz/fuzz_report
# A huge size read from a corrupt header: malloc returns NULL, as it would without ASan.
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 LSAN_OPTIONS=suppressions=$VMSCOPE_TOP/ci/fuzz-lsan.supp
rm -f "$corpus"/crash-* "$corpus"/leak-* "$corpus"/oom-* "$corpus"/timeout-*
"$fuzz" -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 -max_total_time="$secs" \
	-max_len="$max" -artifact_prefix="$corpus/" "$corpus" "$BUILD/fuzz-seed" >"$corpus/../fuzz-report.log" 2>&1
ours=0 theirs=0
for c in "$corpus"/crash-* "$corpus"/leak-*; do
	[ -e "$c" ] || continue
	# The first frame past the sanitizer's own interceptors.
	frame=$("$fuzz" "$c" 2>&1 | grep -E '^ *#[0-9]+ ' | grep -vE ' in (__interceptor_|malloc|calloc|realloc|free)\b' | head -n 1)
	if grep -q 'libtracecmd\.so\|libtraceevent\.so\|libc\.so' <<<"$frame"; then
		theirs=$((theirs + 1))
	else
		ours=$((ours + 1))
		say "vmtrace's own crash: $c: $frame"
	fi
	"$BUILD/tools/vmtrace" report -i "$c" >/dev/null 2>&1
	[ $? -lt 128 ] || { ours=$((ours + 1)); say "vmtrace report crashed on $c"; }
done
grep -h 'stat::number_of_executed_units\|cov:' "$corpus/../fuzz-report.log" | tail -n 2
[ $ours = 0 ] || die "$ours crashes in vmtrace's code (inputs in $corpus/)"
say "PASS fuzz-report: ${secs}s, no crash in vmtrace; $theirs in libtracecmd/libtraceevent, each a clean error from vmtrace report"
