#!/usr/bin/env bash
# `make bench`: does the series cost anything with its tracepoints off, and
# what do tracers cost with them on?
#
# Part 1: boots the baseline and the patched kernel in deterministic mode
# (icount: guest time follows executed instructions), BENCH_ROUNDS times
# each, interleaved, and compares the median of each test_vmalloc case.
# Every boot uses the same results path: the path is on the kernel command
# line, which seeds the guest's entropy pool, and a different seed gives
# test_vmalloc's random_size cases other sizes (about 1% apart).
# Each round gives the guest a little more memory (1024, 1032, ... MiB), so
# that each kernel is measured in five memory layouts, not one: a first
# version of the series ran fix_size 0.6% slower in one layout than in the
# others. Both kernels see the same layouts; their medians are compared.
# Part 2 (BENCH_TRACERS=1, the default): BENCH_TRACER_ROUNDS (default 5)
# rounds, interleaved, of boots of the patched kernel with no tracer,
# (b) vmlat (all stages from vmalloc_alloc_stages, tp_btf), (b2) vmlat -M
# events (all stages from the six stage events), (c) bcc's funclatency
# (libbpf-tools: the minimal total-only tracer, a per-thread start time and
# a log2 histogram), (c2) vmlat -M fentry (total only, vmlat's own frame
# stack), (d) a bpftrace kprobe script measuring the same total, and (e)
# ftrace hist triggers on vmalloc_alloc_stages (all stages, in the kernel,
# no BPF), (f) vmtrace hist (records copied to user space from a tracefs
# instance, no BPF), (g) vmtrace hist --kernel (hist triggers) and (h)
# vmslow with a threshold no allocation crosses (its fast path); medians
# again: one boot's "no tracer" can be 1% off the next (the random cases
# draw other sizes), as large as a tracer's whole cost.
#
# Prints tables, writes bench.json, and plots it (tools/plot/vmscope-plot):
# bench.png/.svg (A/B, min-max over the boots), bench-tracers.png/.svg.
# Environment: BENCH_MASK (run_test_mask), BENCH_LOOPS (test_loop_count),
# BENCH_ROUNDS (boots per kernel, default 5), BENCH_LIMIT (largest accepted
# slowdown in percent, default 0.5), BENCH_TRACERS (0 to skip part 2).
set -euo pipefail
prog=bench
# The bench config's kernels, whatever FLAVOR says: they are the ones locked and booted.
export FLAVOR=bench
. "$(dirname "$0")/lib.sh"
# BENCH_FROM as the caller meant it, before the cd.
from=${BENCH_FROM:+$(realpath -m -- "$BENCH_FROM")}
cd "$VMSCOPE_TOP"

mask=${BENCH_MASK:-$TV_TIMED_MASK}
loops=${BENCH_LOOPS:-$TV_TIMED_LOOPS}
rounds=${BENCH_ROUNDS:-5}
limit=${BENCH_LIMIT:-0.5}
tracers=${BENCH_TRACERS:-1}
tracer_rounds=${BENCH_TRACER_ROUNDS:-5}
state_pct=${BENCH_STATE_PCT:-1}
settle=${BENCH_SETTLE:-$TV_SETTLE_LOOPS}
case $rounds in '' | *[!0-9]* | 0) die "BENCH_ROUNDS must be a positive integer, not '$rounds'" ;; esac
case $tracer_rounds in '' | *[!0-9]* | 0) die "BENCH_TRACER_ROUNDS must be a positive integer, not '$tracer_rounds'" ;; esac
case $settle in '' | *[!0-9]*) die "BENCH_SETTLE must be a number of loops (0: none), not '$settle'" ;; esac
# positive PCT: a number above 0.
positive() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v x="$1" 'BEGIN { exit !(x > 0) }'; }
positive "$state_pct" || die "BENCH_STATE_PCT must be a positive percentage, not '$state_pct'"
positive "$limit" || die "BENCH_LIMIT must be a positive percentage, not '$limit'"
settle=$((10#$settle))

# The tracers, (b) to (h) after no tracer.
TRACERS="none vmlat events funclatency fentry bpftrace hist vmtrace vmtrace-kernel vmslow"
if [ -n "$from" ]; then
	res=$from
	[ -d "$res" ] && ls "$res"/baseline-*.json >/dev/null 2>&1 ||
		die "BENCH_FROM: $res holds no make bench boots (baseline-N.json)"
	rounds=$(ls "$res"/baseline-*.json | wc -l)
	[ "$(ls "$res"/patched-*.json 2>/dev/null | wc -l)" = "$rounds" ] ||
		die "BENCH_FROM: $res has $rounds baseline boots and $(ls "$res"/patched-*.json 2>/dev/null | wc -l) patched ones (an interrupted run?)"
	tracer_rounds=$(ls "$res"/tracer-none-*.json 2>/dev/null | wc -l)
	tracers=0
	if [ "$tracer_rounds" -gt 0 ]; then
		tracers=1
		for t in $TRACERS; do
			[ "$(ls "$res"/tracer-"$t"-[0-9]*.json 2>/dev/null | wc -l)" = "$tracer_rounds" ] || {
				say "BENCH_FROM: not every tracer has $tracer_rounds boots in $res: the A/B part only"
				tracers=0
			}
		done
	fi
	# Written when the bench started; "null" for a directory from before it was.
	settle=$(cat "$res/settle-loops" 2>/dev/null || echo null)
fi
mkdir -p "$BUILD/results"
if [ -z "$from" ]; then
	exec 9>"$BUILD/results/.bench.lock"
	flock -n 9 || die "another make bench is running"
	kernel_lock_timed baseline bench
	kernel_lock_timed patched bench
fi
[ -n "$from" ] || res=$(mktemp -d "$BUILD/results/bench-$(date +%Y%m%d-%H%M%S)-XXXX")
[ -n "$from" ] || ln -sfn "$(basename "$res")" "$BUILD/results/bench-latest"
[ -n "$from" ] || echo "$settle" >"$res/settle-loops"
# The one path every boot sees; a lock keeps two benches from sharing it.
boot=$BUILD/results/bench-boot

# boot NAME KERNEL GUEST-COMMAND...: one deterministic boot; results kept
# in $res/NAME, test_vmalloc's summary in $res/NAME.json.
boot() {
	local name=$1 kernel=$2 start=$SECONDS
	shift 2
	rm -rf "$boot" && mkdir -p "$boot"
	say "[$name] booting the $kernel kernel (${mem:-1024} MiB)"
	if ! ci/vmrun -q -D -m "${mem:-1024}" -k "$kernel" -r "$boot" -- "$@"; then
		mv "$boot" "$res/$name"
		die "$name: guest run failed (log: $res/$name/serial.log)"
	fi
	mv "$boot" "$res/$name"
	build/tools/tvreport -j -l "$name" "$res/$name/dmesg" >"$res/$name.json" ||
		die "$name: test_vmalloc failed (dmesg: $res/$name/dmesg)"
	say "[$name] done in $(elapsed $((SECONDS - start)))"
}
tv_args=(--settle "$settle" run_test_mask="$mask" test_loop_count="$loops" $TV_TIMED_ARGS)

[ -n "$from" ] || say "test_vmalloc run_test_mask=$mask test_loop_count=$loops, 1 worker, deterministic mode, $rounds rounds"
for r in $([ -n "$from" ] || seq "$rounds"); do
	mem=$((1024 + 8 * (r - 1)))
	for k in baseline patched; do
		boot "$k-$r" "$k" ci/guest/test-vmalloc.sh "${tv_args[@]}"
	done
done
mem=1024

# Tracer overhead: the patched kernel, one boot per tracer and round, same workload.
# (c) and (d) measure only the total; (b) and (b2) measure every stage.
if [ "$tracers" = 1 ] && [ -z "$from" ]; then
	for r in $(seq "$tracer_rounds"); do
		for t in $TRACERS; do
			boot "tracer-$t-$r" patched ci/guest/traced.sh "$t" "${tv_args[@]}"
		done
	done
fi

jq -n --argjson limit "$limit" --argjson bound "$state_pct" --argjson rounds "$rounds" --argjson settle "$settle" \
	--arg tracers "$([ "$tracers" = 1 ] && echo "$TRACERS")" '
	def r2: (. * 100 | round) / 100;
	def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def spread: (max - min) * 100 / min | r2;
	def pct($x; $base): ($x - $base) * 100 / $base | r2;
	# Boots of one kernel and case, sorted, in groups that span at most the
	# bound from their lowest boot: each group is a state.
	def states: sort | reduce .[] as $x ([]; if length > 0 and pct($x; .[-1][0]) <= $bound
		then .[-1] += [$x] else . + [[$x]] end)
		| map({ median: median, boots: length, min: min, max: max });
	# One case over boots: every boot (label, usec), median, spread, states;
	# stable when they are one state (spread at most the bound).
	def over($runs; $t): ($runs | map({ label: .label, usec: (.results[] | select(.test == $t) | .avg_usec) })) as $b
		| ($b | map(.usec)) as $v
		| ($v | states) as $s
		| { boots: $b, median: ($v | median), spread_pct: ($v | spread), stable: ($s | length == 1), states: $s };
	[inputs] as $all
	| ($all | map(select(.label | startswith("baseline-")))) as $b
	| ($all | map(select(.label | startswith("patched-")))) as $p
	| ($all | map(select(.label | startswith("tracer-"))) | group_by(.label | ltrimstr("tracer-") | sub("-[0-9]+$"; ""))
	   | map({ key: (.[0].label | ltrimstr("tracer-") | sub("-[0-9]+$"; "")), value: . }) | from_entries) as $tr
	| [ $b[0].results[].test ] as $tests
	| { mode: "icount virtual time (instructions), not wall-clock",
	    rounds: $rounds, limit_pct: $limit, state_bound_pct: $bound, settle_loops: $settle,
	    results: [ $tests[] as $t
		| over($b; $t) as $bo | over($p; $t) as $po
		| { test: $t, baseline_usec: $bo.median, patched_usec: $po.median,
		    # Never across states: a kernel whose boots spread over the bound
		    # is not compared.
		    compared: ($bo.stable and $po.stable),
		    diff_pct: (if $bo.stable and $po.stable then pct($po.median; $bo.median) else null end),
		    baseline_runs: ($bo.boots | map(.usec)), patched_runs: ($po.boots | map(.usec)),
		    baseline_boots: $bo.boots, patched_boots: $po.boots,
		    baseline_spread_pct: $bo.spread_pct, patched_spread_pct: $po.spread_pct,
		    baseline_states: $bo.states, patched_states: $po.states } ] }
	| .pass = (.results | map(.compared and .diff_pct <= $limit) | all)
	| if $tracers == "" then . else
	  .tracers = [ $tests[] as $t
		| (reduce ($tracers | split(" "))[] as $k ({}; .[$k] = over($tr[$k]; $t))) as $o
		| { test: $t, usec: ($o | map_values(.median)),
		    usec_min_max: ($o | map_values(.boots | map(.usec) | [min, max])),
		    boots: ($o | map_values(.boots)), spread_pct: ($o | map_values(.spread_pct)),
		    states: ($o | map_values(.states)),
		    unstable: [ $o | to_entries[] | select(.value.stable | not) | .key ],
		    added_pct: (reduce ($tracers | split(" ") | map(select(. != "none")))[] as $k ({};
			.[$k] = (if $o.none.stable and $o[$k].stable then pct($o[$k].median; $o.none.median) else null end))) }
		| .vmlat_vs_funclatency = (if (.added_pct.funclatency // 0) > 0 and .added_pct.vmlat != null then .added_pct.vmlat / .added_pct.funclatency | r2 else null end)
		| .vmlat_vs_fentry = (if (.added_pct.fentry // 0) > 0 and .added_pct.vmlat != null then .added_pct.vmlat / .added_pct.fentry | r2 else null end)
		| .vmlat_vs_bpftrace = (if (.added_pct.bpftrace // 0) > 0 and .added_pct.vmlat != null then .added_pct.vmlat / .added_pct.bpftrace | r2 else null end)
		| .vmlat_vs_hist = (if (.added_pct.hist // 0) > 0 and .added_pct.vmlat != null then .added_pct.vmlat / .added_pct.hist | r2 else null end)
		| .aim_met = (.vmlat_vs_funclatency != null and .vmlat_vs_funclatency <= 0.5 and
			      .vmlat_vs_bpftrace != null and .vmlat_vs_bpftrace <= 0.25) ]
	  end' "$res"/baseline-*.json "$res"/patched-*.json $([ "$tracers" = 1 ] && echo "$res"/tracer-*.json) >"$res/bench.json.tmp"
mv "$res/bench.json.tmp" "$res/bench.json"

echo
echo "test_vmalloc, avg usec per run, median of $rounds boots (icount virtual time, not wall-clock); tracepoints present, disabled"
echo "every boot first ran the cases with fixed sizes untimed at ${settle/null/(unknown)} loops; a kernel whose boots spread over $state_pct% is not compared (its states below)"
printf '%-30s %12s %12s %9s %14s\n' test baseline patched diff "spread b/p"
jq -r '.results[] | [.test, .baseline_usec, .patched_usec, (.diff_pct // "states"), .baseline_spread_pct, .patched_spread_pct] | @tsv' "$res/bench.json" |
	while IFS=$'\t' read -r t b p d sb sp; do
		[ "$d" = states ] || d=$d%
		printf '%-30s %12s %12s %9s %6s%%/%s%%\n' "$t" "$b" "$p" "$d" "$sb" "$sp"
	done
jq -r --argjson bound "$state_pct" '.results[] | select(.compared | not) | . as $r | ("baseline", "patched") as $k
	| select($r["\($k)_spread_pct"] > $bound)
	| "  \($r.test), \($k): " + ($r["\($k)_states"] | map("\(.median) (\(.boots) boots, \(.min)-\(.max))") | join(" / "))' \
	"$res/bench.json"
if [ "$tracers" = 1 ]; then
	echo
	echo "Tracer cost on the patched kernel, median of $tracer_rounds boots each: added time vs no tracer (icount virtual time)"
	echo "  (b) vmlat: every stage, vmalloc_alloc_stages (tp_btf)   (b2) vmlat -M events: every stage, six events per allocation"
	echo "  (c) funclatency (bcc libbpf-tools): total only   (c2) vmlat -M fentry: total only, frame stack"
	echo "  (d) bpftrace kprobe/kretprobe: total only   (e) ftrace hist triggers: every stage, in the kernel"
	echo "  (f) vmtrace hist: every stage and area, records read from a tracefs instance   (g) vmtrace hist --kernel: hist triggers"
	echo "  (h) vmslow, threshold not crossed: per-allocation records of slow vmallocs, none slow enough"
	printf '%-30s %10s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n' test "no tracer" "(b)" "(b2)" "(c)" "(c2)" "(d)" "(e)" "(f)" "(g)" "(h)" "(b)/(c)" "(b)/(d)" "(b)/(e)"
	jq -r '.tracers[] | [.test, .usec.none]
		+ ([.added_pct.vmlat, .added_pct.events, .added_pct.funclatency, .added_pct.fentry, .added_pct.bpftrace,
		    .added_pct.hist, .added_pct.vmtrace, .added_pct["vmtrace-kernel"], .added_pct.vmslow] | map(if . == null then "-" else "\(.)%" end))
		+ ([.vmlat_vs_funclatency, .vmlat_vs_bpftrace, .vmlat_vs_hist] | map(. // "-")) | @tsv' "$res/bench.json" |
		while IFS=$'\t' read -r t n b b2 c c2 d e f g h bc bd be; do
			printf '%-30s %10s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n' "$t" "$n" "$b" "$b2" "$c" "$c2" "$d" "$e" "$f" "$g" "$h" "$bc" "$bd" "$be"
		done
	jq -r '.tracers[] | .test as $t | .states as $s | .unstable[]
		| "  \($t), \(.): boots spread over the bound, not compared: " + ($s[.] | map("\(.median) (\(.boots) boots, \(.min)-\(.max))") | join(" / "))' "$res/bench.json"
	echo "aim, (b) <= 0.5 x (c) and <= 0.25 x (d): met in $(jq '[.tracers[] | select(.aim_met)] | length' "$res/bench.json") of $(jq '.tracers | length' "$res/bench.json") cases"
fi

# Pictures of bench.json (re-render any results dir with tools/plot/vmscope-plot DIR).
tools/plot/vmscope-plot -q "$res" && say "plots: $res/bench.png$([ "$tracers" = 1 ] && echo ", bench-tracers.png") (and .svg)" ||
	say "plots failed (rerun: tools/plot/vmscope-plot $res)"
say "results: $res/bench.json"
if [ "$(jq .pass "$res/bench.json")" != true ]; then
	states=$(jq -r '[.results[] | select(.compared | not) | .test] | join(", ")' "$res/bench.json")
	[ -z "$states" ] || die "boots of one kernel spread over $state_pct% on $states: not compared (states above)"
	die "the patched kernel is more than $limit% slower on a test (see above)"
fi
say "PASS: every test within $limit% of the baseline"
