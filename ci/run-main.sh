#!/usr/bin/env bash
# `make run`: boot the patched kernel in deterministic mode; run the in-tree
# test_vmalloc workload untraced and print its times; then trace two
# workloads with vmlat (per-stage latency) and vmtree (tree depth, guard
# pages) and print their report. Everything also lands in report.json.
#
# Environment: RUN_MASK (test_vmalloc run_test_mask), RUN_LOOPS
# (test_loop_count, untraced), RUN_TRACED_LOOPS (traced, default 2000),
# RUN_LARGE_LOOPS (4 MiB allocations that nest, default 200).
set -euo pipefail
prog=run
. "$(dirname "$0")/lib.sh"
cd "$VMSCOPE_TOP"

mask=${RUN_MASK:-$TV_TIMED_MASK}
loops=${RUN_LOOPS:-$TV_TIMED_LOOPS}
traced_loops=${RUN_TRACED_LOOPS:-2000}
large_loops=${RUN_LARGE_LOOPS:-200}
kernel=patched
kout=$(kernel_out "$kernel")
ver=$(cat "$kout/.vmscope-version" 2>/dev/null || echo unknown)
series=$(series_patches | wc -l)

mkdir -p "$BUILD/results"
res=$(mktemp -d "$BUILD/results/run-$(date +%Y%m%d-%H%M%S)-XXXX")
ln -sfn "$(basename "$res")" "$BUILD/results/latest"
say "Linux $ver, $kernel kernel ($series patches in the series), $FLAVOR config"
say "test_vmalloc run_test_mask=$mask test_loop_count=$loops, 1 worker, deterministic mode, after an untimed pass at $TV_SETTLE_LOOPS loops"
start=$SECONDS
ci/vmrun -q -D -r "$res" -a "kunit.enable=1 kunit.filter_glob=vmalloc_stages" -- ci/guest/report.sh \
	--settle "$TV_SETTLE_LOOPS" run_test_mask="$mask" test_loop_count="$loops" $TV_TIMED_ARGS -- "$traced_loops" "$large_loops" ||
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
echo "=== traced: test_vmalloc run_test_mask=$mask x $traced_loops loops, test_vmalloc 4 MiB x $large_loops (nested page arrays), KUnit vmalloc_stages"
echo "=== vmlat: vmalloc latency per stage (nsecs of icount virtual time)"
cat "$res/vmlat.out"
# Which figures hold from run to run: the percentiles. A mean far above its
# median is carried by a few slow allocations (a purge, a page-table page,
# a reclaim) that come and go between boots, and so are the shares.
echo
echo "    robust between runs: p50, p90 (and the counts above); carried by the slowest few where avg/p50 > 2: avg, share, max"
jq -r 'if type == "array" then .[-1] else . end | .summary[] | select(.nested | not) | select(.count > 0)
	| [.stage, .p50_ns, .p90_ns, .avg_ns, ((.avg_ns / (if .p50_ns > 0 then .p50_ns else 1 end)) * 10 | round / 10),
	   (if .avg_ns > 2 * .p50_ns then "avg and share carried by outliers" else "avg near p50" end)] | @tsv' "$res/vmlat.json" |
	while IFS=$'\t' read -r st p50 p90 avg ratio what; do
		printf '    %-12s p50 %8s  p90 %8s  avg %9s  avg/p50 %6s  %s\n' "$st" "$p50" "$p90" "$avg" "$ratio" "$what"
	done
echo
echo "=== vmtree: vmap area tree and guard pages"
cat "$res/vmtree.out"
jq -n --slurpfile tv "$res/test_vmalloc.json" --slurpfile lat "$res/vmlat.json" --slurpfile tree "$res/vmtree.json" \
	--arg kernel "$ver" '{ kernel: $kernel, time: "icount virtual time (instructions), not wall-clock",
		test_vmalloc: $tv[0], vmlat: $lat[-1], vmtree: $tree[-1] }' >"$res/report.json"
# Pictures of report.json (re-render with tools/plot/vmscope-plot DIR).
tools/plot/vmscope-plot -q "$res" || die "plots failed; report.json is in $res"
echo
say "results: $res (report.json, test_vmalloc.json, vmlat.json, vmtree.json, dmesg, serial.log)"
say "plots: $res/report-stages.png, report-shares.png, report-depth.png (and .svg)"
