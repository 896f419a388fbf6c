#!/usr/bin/env bash
# `make stress`: the series under the kernel's debugging tools, fault
# injection and concurrency, longer than make test's slices. Takes about
# 40 minutes after the two debug kernels are built (20 more for those).
#  1. ci/guest/stress.sh on the patched and the baseline debug kernel
#     (KASAN, lockdep, DEBUG_VM, kmemleak, fault injection), every vmalloc
#     event and tracer on: STRESS_THREADS workers x STRESS_LOOPS, and
#     STRESS_ROUNDS x 4 vmallocs under STRESS_PROB% failslab and
#     fail_page_alloc, STRESS_ROUNDS/4 x 4 with the map stage's page-table
#     allocations failed; checked by ci/stress-check.sh.
#  2. static keys flipped under load (runner-toggle) STRESS_FLIPS times.
#  3. the KUnit suite re-run 10 times under fork load, and the migration,
#     pool and state-reader checks (series-kunit-loaded, series-concurrency).
#  4. vmtrace report fuzzed for FUZZ_SECONDS (ci/fuzz-report.sh).
#  5. ci/guest/stress.sh again on the patched and the baseline KCSAN kernel
#     (FLAVOR=kcsan: KCSAN excludes KASAN); ci/kcsan-check.sh fails on a
#     race in mm/vmalloc.c that only the patched kernel reports.
set -uo pipefail
prog=stress
. "$(dirname "$0")/lib.sh"
cd "$VMSCOPE_TOP"
threads=${STRESS_THREADS:-2} loops=${STRESS_LOOPS:-2000} rounds=${STRESS_ROUNDS:-500}
prob=${STRESS_PROB:-2} flips=${STRESS_FLIPS:-1500}
for v in threads loops rounds prob flips; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "STRESS_${v^^} must be a positive integer, not '${!v}'"
done
mkdir -p "$BUILD/results"
out=$(mktemp -d "$BUILD/results/stress-$(date +%Y%m%d-%H%M%S)-XXXX")
failed=0
step() { # name command...: run, log, report
	local name=$1 s=$SECONDS; shift
	if "$@" >"$out/$name.log" 2>&1; then
		say "PASS $name ($(elapsed $((SECONDS - s))))"
	else
		say "FAIL $name ($(elapsed $((SECONDS - s)))); log: $out/$name.log"
		tail -n 20 "$out/$name.log" >&2
		failed=1
	fi
}
for f in debug kcsan; do
	for k in patched baseline; do
		say "building the $k $f kernel"
		FLAVOR=$f ci/kernel.sh build $k || die "the $k $f kernel did not build"
	done
done
for k in patched baseline; do
	kunit=
	[ $k = baseline ] || kunit="kunit.enable=1 kunit.filter_glob=vmalloc_stages"
	say "[$k debug] $threads threads x $loops loops, $rounds x 4 vmallocs at $prob% faults"
	step "$k-debug-boot" ci/vmrun -q -c 2 -f debug -k $k -t 5400 -r "$out/$k" -a "$kunit" -- \
		ci/guest/stress.sh "$threads" "$loops" "$rounds" "$prob"
	grep -a '^stress: ' "$out/$k/serial.log" | tr -d '\r' | sed "s/^/[$k debug] /"
	step "$k-debug-check" ci/stress-check.sh "$out/$k" $k
	sed -n 's/^\(ok: \|faults: \|failed in\|workload: \)/&/p' "$out/$k-debug-check.log" | sed "s/^/[$k debug] /"
done
step toggle env TOGGLE_PAIRS="$flips" bash ci/tests/runner-toggle.sh
step kunit-loaded bash ci/tests/series-kunit-loaded.sh
step concurrency bash ci/tests/series-concurrency.sh
# vmtrace report's parser under libFuzzer + ASan, bounded (FUZZ_SECONDS, default 60).
step fuzz-report ci/fuzz-report.sh
# KCSAN reports races as BUG lines: -W, and kcsan-check.sh judges them.
for k in patched baseline; do
	kunit=
	[ $k = baseline ] || kunit="kunit.enable=1 kunit.filter_glob=vmalloc_stages"
	say "[$k kcsan] $threads threads x $loops loops, $rounds x 4 vmallocs at $prob% faults"
	step "$k-kcsan-boot" ci/vmrun -q -W -c 2 -f kcsan -k $k -t 5400 -r "$out/$k-kcsan" -a "$kunit" -- \
		ci/guest/stress.sh "$threads" "$loops" "$rounds" "$prob"
done
step kcsan-check ci/kcsan-check.sh "$out/patched-kcsan" "$out/baseline-kcsan"
sed -n 's/^KCSAN reports\|^  .*patched .*baseline/&/p' "$out/kcsan-check.log"
grep -h 'flips:\|reserve stage\|pool hits\|migrations' "$out"/*.log | sed 's/^/  /'
say "results: $out"
[ $failed = 0 ] || die "make stress failed (see above)"
say "PASS: make stress"
