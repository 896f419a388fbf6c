#!/usr/bin/env bash
# Every prefix of the series builds without compiler warnings in mm/ and
# boots and runs test_vmalloc on its own (bisectability). The full series
# is what the other tests run; it is rebuilt at the end, also on failure.
# timeout: 3600 (every prefix of the series built and booted)
. "$(dirname "$0")/../testlib.sh"

n=$(series_patches | wc -l)
[ "$n" -gt 1 ] || { echo "fewer than two patches: nothing to bisect"; exit 0; }
out=$(kernel_out patched)
# Prefixes are built where make bench and make insns boot the patched
# kernel: not while they time it (the builds would wait for their lock, and
# this test's time would run out mid-restore, leaving a prefix).
exec 7>>"$(kernel_lock_file patched)"
flock -x -n 7 || fail "make bench or make insns is timing the patched kernel: not bisecting under it"
exec 7>&-
export KERNEL_LOCK_WAIT=600
# A failed rebuild fails the test; the prefix it leaves is marked partial
# (ci/kernel.sh), which ci/vmrun refuses, so later tests fail rather than
# test it.
restore() {
	ci/kernel.sh build patched >/dev/null && return
	echo "FAIL: could not rebuild the full series: ci/vmrun refuses the patched kernel until it is" >&2
	exit 1
}
trap restore EXIT

for k in $(seq 1 $((n - 1))); do
	SERIES_UPTO=$k PROGRESS_EVERY=60 ci/kernel.sh build patched || fail "patches 1..$k do not build"
	if grep -E '^[^ ]*(mm|include)/[^ ]*:[0-9]+:[0-9]+: warning:' "$out/build.log"; then
		fail "patches 1..$k: compiler warnings"
	fi
	res=$(new_results)
	VMSCOPE_ALLOW_PARTIAL=1 ci/vmrun -q -r "$res" -- ci/guest/test-vmalloc.sh run_test_mask=3 nr_threads=1 test_loop_count=100 ||
		fail "patches 1..$k: guest run failed (log: $res/serial.log)"
	"$BUILD/tools/tvreport" "$res/dmesg" >/dev/null || fail "patches 1..$k: test_vmalloc failed"
	echo "ok: patches 1..$k build and boot, test_vmalloc passes"
done
