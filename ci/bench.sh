#!/usr/bin/env bash
# `make bench`: does the series cost anything with its tracepoints off?
# Boots the baseline and the patched kernel in deterministic mode (icount:
# guest time follows executed instructions), runs the same test_vmalloc
# cases on each and compares. Prints a table, writes bench.json and, with
# gnuplot, bench.png.
#
# Environment: BENCH_MASK (run_test_mask), BENCH_LOOPS (test_loop_count),
# BENCH_LIMIT (largest accepted slowdown in percent, default 0.5).
set -euo pipefail
prog=bench
. "$(dirname "$0")/lib.sh"
cd "$VMSCOPE_TOP"

mask=${BENCH_MASK:-$TV_TIMED_MASK}
loops=${BENCH_LOOPS:-$TV_TIMED_LOOPS}
limit=${BENCH_LIMIT:-0.5}

mkdir -p "$BUILD/results"
res=$(mktemp -d "$BUILD/results/bench-$(date +%Y%m%d-%H%M%S)-XXXX")
ln -sfn "$(basename "$res")" "$BUILD/results/bench-latest"
say "test_vmalloc run_test_mask=$mask test_loop_count=$loops, 1 worker, deterministic mode"

for k in baseline patched; do
	say "[$k] booting $(kernel_out "$k")"
	start=$SECONDS
	mkdir -p "$res/$k"
	ci/vmrun -q -D -k "$k" -r "$res/$k" -- ci/guest/test-vmalloc.sh \
		run_test_mask="$mask" test_loop_count="$loops" $TV_TIMED_ARGS ||
		die "$k: guest run failed (log: $res/$k/serial.log)"
	build/tools/tvreport -j -l "$k" "$res/$k/dmesg" >"$res/$k.json" ||
		die "$k: test_vmalloc failed (dmesg: $res/$k/dmesg)"
	say "[$k] done in $(elapsed $((SECONDS - start)))"
done

# One row per test: baseline, patched, difference in percent.
jq -n --slurpfile b "$res/baseline.json" --slurpfile p "$res/patched.json" --argjson limit "$limit" '
	[ $b[0].results[] as $x
	  | ($p[0].results[] | select(.test == $x.test)) as $y
	  | { test: $x.test, baseline_usec: $x.avg_usec, patched_usec: $y.avg_usec,
	      diff_pct: ((($y.avg_usec - $x.avg_usec) * 10000 / $x.avg_usec | round) / 100) } ]
	| { mode: "icount virtual time (instructions), not wall-clock",
	    limit_pct: $limit, results: ., pass: (map(.diff_pct <= $limit) | all) }' >"$res/bench.json"

echo
echo "test_vmalloc, avg usec per run (icount virtual time, not wall-clock); tracepoints present, disabled"
printf '%-30s %12s %12s %9s\n' test baseline patched diff
jq -r '.results[] | [.test, .baseline_usec, .patched_usec, .diff_pct] | @tsv' "$res/bench.json" |
	while IFS=$'\t' read -r t b p d; do printf '%-30s %12s %12s %8s%%\n' "$t" "$b" "$p" "$d"; done

if command -v gnuplot >/dev/null; then
	jq -r '.results[] | [.test, .baseline_usec, .patched_usec, .diff_pct] | @tsv' "$res/bench.json" >"$res/bench.tsv"
	gnuplot <<EOF || say "gnuplot failed; no plot"
set terminal pngcairo size 900,700 noenhanced
set output '$res/bench.png'
set datafile separator '\t'
set style data histograms
set style fill solid 0.8 border -1
set xtics rotate by -20
set multiplot layout 2,1 title 'test_vmalloc, baseline vs patched (tracepoints off), icount virtual time'
set ylabel 'avg usec per run'
set style histogram clustered gap 1
set key top left
plot '$res/bench.tsv' using 2:xtic(1) title 'baseline', '' using 3 title 'patched'
set ylabel 'patched vs baseline (%)'
set key top right
plot '$res/bench.tsv' using 4:xtic(1) title 'difference' lc rgb '#c04040', $limit with lines dt 2 lc rgb 'black' title 'limit $limit%'
unset multiplot
EOF
	[ -f "$res/bench.png" ] && say "plot: $res/bench.png"
fi
say "results: $res/bench.json"
if [ "$(jq .pass "$res/bench.json")" != true ]; then
	die "the patched kernel is more than $limit% slower on a test (see above)"
fi
say "PASS: every test within $limit% of the baseline"
