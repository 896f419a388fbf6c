#!/usr/bin/env bash
# make bench times one state: boots of the patched kernel in the bench's
# mode (ci/vmrun -D, test_vmalloc after its untimed settle pass, the fixed
# sizes timed apart from random_size) are one state as make bench defines
# it (ci/bench.sh: they span at most BENCH_STATE_PCT, 1%) in fix_size and
# full_fit, every case at the loops it was asked; the spreads are printed
# beside the issue's aim (0.1% fix_size, 0.5% full_fit), which boots under
# host load still miss (README, "Boot states"). The 35% modes and the 2%
# of a settle pass with random sizes fail it. And a kernel is not rebuilt
# while it is timed: a build waits for the bench's lock (ci/lib.sh), a
# bench refuses a kernel being built.
# timeout: 900
# The bench config's kernel, as make bench (ci/bench.sh) times it.
export FLAVOR=bench
. "$(dirname "$0")/../testlib.sh"

boots=${BENCH_STATES_BOOTS:-3}
res=$(new_results)
tvreport=$BUILD/tools/tvreport
[ -x "$tvreport" ] || fail "no $tvreport (make tools)"

# The locks first (no boot): a build while the kernel is timed gives up
# after KERNEL_LOCK_WAIT and leaves the kernel as it was.
lock=$(kernel_lock_file patched bench)
stamp=$(kernel_out patched bench)/.vmscope-built
[ -f "$stamp" ] || fail "no full patched kernel ($stamp)"
before=$(stat -c %Y.%s "$stamp")
(
	exec 8>>"$lock"
	flock -s 8
	KERNEL_LOCK_WAIT=1 ci/kernel.sh build patched >"$res/build.out" 2>&1
	echo $? >"$res/build.rc"
)
expect_eq "build while timed: exit status" "$(cat "$res/build.rc")" 1
grep -q "the patched-bench kernel was still being timed after 1 s (make bench or make insns): not rebuilt" "$res/build.out" ||
	fail "build while timed: message: $(cat "$res/build.out")"
expect_eq "build while timed: the kernel's stamp" "$(stat -c %Y.%s "$stamp")" "$before"
(
	exec 8>>"$lock"
	flock -x 8
	BENCH_ROUNDS=1 BENCH_TRACERS=0 ci/bench.sh >"$res/bench.out" 2>&1
	echo $? >"$res/bench.rc"
)
expect_eq "bench while built: exit status" "$(cat "$res/bench.rc")" 1
expect_eq "bench while built: message" "$(tail -1 "$res/bench.out")" \
	"bench: error: the patched-bench kernel is being built: time it when the build is done"

# BOOTS boots, one results path (it seeds the guest's entropy) and one memory
# size: repeats of one boot, held like make bench's against a rebuild.
kernel_lock_timed patched bench
boot=$BUILD/results/bench-states-boot
for i in $(seq "$boots"); do
	rm -rf "$boot" && mkdir -p "$boot"
	ci/vmrun -q -D -k patched -r "$boot" -- ci/guest/test-vmalloc.sh --settle "$TV_SETTLE_LOOPS" \
		run_test_mask=11 test_loop_count="$TV_TIMED_LOOPS" $TV_TIMED_ARGS
	rc=$?
	mv "$boot" "$res/boot-$i"
	[ $rc = 0 ] || fail "boot $i: guest run failed (log: $res/boot-$i/serial.log)"
	"$tvreport" -j -l "boot-$i" "$res/boot-$i/dmesg" >"$res/boot-$i.json" || fail "boot $i: test_vmalloc failed"
	"$tvreport" -j -l "settle-$i" "$res/boot-$i/settle.dmesg" >"$res/settle-$i.json" || fail "boot $i: the settle pass failed"
	expect_eq "boot $i: the timed cases' loops" "$(jq -j '.results | map("\(.test)=\(.loops)") | join(" ")' "$res/boot-$i.json")" \
		"fix_size_alloc_test=$TV_TIMED_LOOPS full_fit_alloc_test=$TV_TIMED_LOOPS random_size_alloc_test=$TV_TIMED_LOOPS"
	expect_eq "boot $i: the settle pass's loops" "$(jq -j '.results | map("\(.test)=\(.loops)") | join(" ")' "$res/settle-$i.json")" \
		"fix_size_alloc_test=$TV_SETTLE_LOOPS full_fit_alloc_test=$TV_SETTLE_LOOPS"
done
# spread CASE: (max - min) / min over the boots, in percent.
spread() {
	jq -s --arg t "$1" '[.[].results[] | select(.test == $t) | .avg_usec] | (max - min) * 100 / min' "$res"/boot-*.json
}
bound=${BENCH_STATE_PCT:-1}
for t_aim in fix_size_alloc_test:0.1 full_fit_alloc_test:0.5; do
	t=${t_aim%:*} aim=${t_aim#*:}
	s=$(spread "$t")
	runs=$(jq -s -j --arg t "$t" '[.[].results[] | select(.test == $t) | .avg_usec] | join(" ")' "$res"/boot-*.json)
	[ "$(jq -n "$s <= $bound")" = true ] || fail "$t over $boots boots: $runs usec, spread $s% > $bound%: more than one state"
	within=no
	[ "$(jq -n "$s <= $aim")" = true ] && within=yes
	echo "ok: $t over $boots boots: $runs usec, spread $(printf '%.3f' "$s")% (one state: at most $bound%; within the aim of $aim%: $within)"
done
