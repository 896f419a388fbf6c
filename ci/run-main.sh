#!/usr/bin/env bash
# `make run`: boot the patched kernel in deterministic mode, run the in-tree
# test_vmalloc workload and print its results (also as JSON).
#
# Environment: RUN_MASK (test_vmalloc run_test_mask), RUN_LOOPS
# (test_loop_count), KERNEL (patched|baseline).
set -euo pipefail
prog=run
. "$(dirname "$0")/lib.sh"
cd "$VMSCOPE_TOP"

mask=${RUN_MASK:-$TV_TIMED_MASK}
loops=${RUN_LOOPS:-$TV_TIMED_LOOPS}
kernel=${KERNEL:-patched}
kout=$(kernel_out "$kernel")
ver=$(cat "$kout/.vmscope-version" 2>/dev/null || echo unknown)
series=$(series_patches | wc -l)

mkdir -p "$BUILD/results"
res=$(mktemp -d "$BUILD/results/run-$(date +%Y%m%d-%H%M%S)-XXXX")
ln -sfn "$(basename "$res")" "$BUILD/results/latest"
say "Linux $ver, $kernel kernel ($series patches in the series), $FLAVOR config"
say "test_vmalloc run_test_mask=$mask test_loop_count=$loops, 1 worker, deterministic mode"
start=$SECONDS
ci/vmrun -q -D -r "$res" -- ci/guest/test-vmalloc.sh \
	run_test_mask="$mask" test_loop_count="$loops" $TV_TIMED_ARGS ||
	die "guest run failed (log: $res/serial.log)"
say "guest run took $(elapsed $((SECONDS - start))) of host time"
echo
build/tools/tvreport -l "Linux $ver $kernel, times are icount virtual time (instructions), not wall-clock" \
	"$res/dmesg" || die "test_vmalloc reported failures (dmesg: $res/dmesg)"
build/tools/tvreport -j -l "$ver $kernel" "$res/dmesg" >"$res/test_vmalloc.json"
if [ -f "$res/state-before" ] && [ -f "$res/state-after" ]; then
	echo
	echo "vmalloc state (/sys/kernel/debug/vmalloc/state), before and after the workload"
	paste "$res/state-before" "$res/state-after" |
		awk '{ printf "%-18s %22s %22s\n", $1, $2, $4 }'
fi
echo
say "results: $res (test_vmalloc.json, dmesg, serial.log)"
