#!/usr/bin/env bash
# vmtrace without BPF says what vmlat + vmtree say, to the nanosecond: on one
# boot, test_vmalloc's worker makes LOOPS 4-MiB vmallocs (each nesting its
# page array) under vmtrace hist, trace-cmd record, vmlat and vmtree at once,
# all filtered to the worker (-c). The JSON of vmtrace hist, of vmtrace report
# on the trace-cmd file (read here, on the host) and of the BPF tools is
# compared field by field: counts, per-stage sums, every histogram slot,
# the depth histogram, pool hits, guard pages in total and by caller, and the
# summary (count, share, average, p50/p90/p99, max per stage). The summary's
# percentiles are checked against the exact ones of the raw records
# (trace-cmd report of the same file): within the stated bound, the max
# equal. Then vmtrace hist --kernel (hist triggers) against vmlat over a
# second run.
. "$(dirname "$0")/../testlib.sh"

loops=100
comm_re='^vmalloc_test/0-[0-9]+$'
vmtrace=$BUILD/tools/vmtrace
res=$(new_results)
ci/vmrun -q -c 2 -r "$res" -a "kunit.enable=1 kunit.filter_glob=vmalloc_stages" -- ci/guest/vmtrace.sh agreement $loops ||
	fail "guest run failed: $(tail -n 5 "$res"/*.err "$res/trace-cmd.log" 2>/dev/null)"
for t in vmtrace lat tree trace-cmd klat khist instree kutree kulat kvmtrace kunit; do
	expect_eq "$t exit status" "$(cat "$res/$t.rc")" 0
done
"$vmtrace" report -i "$res/trace.dat" -j -c vmalloc_test/0 >"$res/report.out" 2>"$res/report.err" ||
	fail "vmtrace report: $(cat "$res/report.err")"
"$vmtrace" report -i "$res/trace.dat" -c vmalloc_test/0 >"$res/report.txt" || fail "vmtrace report (text)"

# Every field the two sides share, as canonical JSON.
same() { # what file1 filter1 file2 filter2
	local a b
	a=$(jq -cS "$3" "$2") || fail "$1: cannot read $2"
	b=$(jq -cS "$5" "$4") || fail "$1: cannot read $4"
	[ "$a" = "$b" ] || fail "$1 differ:
  $2: $(head -c 600 <<<"$a")
  $4: $(head -c 600 <<<"$b")"
	echo "ok: $1 equal ($(wc -c <<<"$a") bytes of JSON)"
}
# Caller names: equal wherever vmtree names a core-kernel symbol (or
# "(outside vmalloc)"); a module's ("[mod]+0x..", gone before kallsyms was
# read) or an address may be named otherwise. The callers are in the same
# order (the figures are compared as arrays).
same_names() { # what file path-to-callers vmtree-file [need-core]
	local names
	names=$(jq -r --slurpfile t "$4" "[$3, \$t[0].guard_by_caller] | transpose[] |
		select(.[1].caller | test(\"^(\\\\[|0x)\") | not) |
		if .[0].caller == .[1].caller then \"ok \\(.[0].caller)\" else \"DIFFER \\(.[0].caller) vs \\(.[1].caller)\" end" "$2") ||
		fail "$1: cannot compare caller names"
	grep -q '^DIFFER' <<<"$names" && fail "$1 vs vmtree: caller names differ: $names"
	[ -z "$5" ] || grep -q '+0x' <<<"$names" || fail "$1 vs vmtree: no core-kernel caller named: $names"
	echo "ok: $1 vs vmtree: caller names: $(tr '\n' ' ' <<<"$names")"
}
lat=$res/lat.out tree=$res/tree.out
for f in "$res/vmtrace.out" "$res/report.out"; do
	m=$(basename "$f" .out)
	expect_stage_hists "$f" "$m" $loops
	same "$m vs vmlat: hists (stage, nested, count, sum_ns, slots)" "$f" .hists "$lat" .hists
	same "$m vs vmlat: allocs, nested, failed" "$f" '[.allocs, .nested, .failed, .failed_stage]' \
		"$lat" '[.allocs, .nested, .failed, .failed_stage]'
	same "$m vs vmlat: summary (count, share, avg, p50, p90, p99, max) and its bound" \
		"$f" '[.summary, .summary_bound]' "$lat" '[.summary, .summary_bound]'
	same "$m vs vmtree: reservations, pool hits, searches, depth histogram, guard pages" \
		"$f" '.tree | del(.guard_by_caller)' "$tree" 'del(.guard_by_caller, .lost, .lost_frames, .stale, .missed_runs, .module_texts_lost)'
	same "$m vs vmtree: guard pages by caller" "$f" '[.tree.guard_by_caller[] | del(.caller)]' \
		"$tree" '[.guard_by_caller[] | del(.caller)]'
	same_names "$m" "$f" .tree.guard_by_caller "$tree"
done
expect_eq "vmlat: allocations" "$(jq .allocs "$lat")" $((2 * loops))
expect_eq "vmtree: guard areas" "$(jq .guard.areas "$tree")" $((2 * loops))
grep -q '^stage total: ' "$res/report.txt" || fail "vmtrace report's text has no histogram"
grep -q '^summary: percentiles nearest-rank' "$res/report.txt" || fail "vmtrace report's text has no summary"

# The summary against the raw records: the worker's vmalloc_alloc_stages
# in trace-cmd's file, every stage's exact nearest-rank percentiles (the
# value of rank ceil(p/100 * n)) and max, computed here from the values.
trace-cmd report -i "$res/trace.dat" 2>/dev/null | awk -v comm="$comm_re" '
	$1 ~ comm && / vmalloc_alloc_stages: / {
		delete v
		for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) v[kv[1]] = kv[2]
		printf "{\"nested\":%s,\"failed_stage\":\"%s\",\"reserve\":%s,\"page_array\":%s,\"pages\":%s,\"map\":%s,\"publish\":%s,\"total\":%s}\n",
			v["nested"] ? "true" : "false", v["failed_stage"], v["reserve_ns"], v["page_array_ns"], v["pages_ns"],
			v["map_ns"], v["publish_ns"], v["total_ns"]
	}' >"$res/raw.jsonl" || fail "trace-cmd report of $res/trace.dat failed"
expect_eq "raw records of the worker (trace-cmd report)" "$(jq -s 'length' "$res/raw.jsonl")" $((2 * loops))
expect_eq "raw records: none failed (every stage timed)" "$(jq -s '[.[] | select(.failed_stage != "none")] | length' "$res/raw.jsonl")" 0
checks=$(jq -s -r --slurpfile lat "$lat" '
	def nr(p): .[((p * length + 99) / 100 | floor) - 1];
	$lat[0].summary_bound.rel_error as $rel | . as $raw
	| $lat[0].summary[] as $r
	| [$raw[] | select(.nested == $r.nested) | .[$r.stage]] | sort as $s
	| "\($r.stage) nested=\($r.nested):",
	  (if ($s | length) == $r.count then "ok count \($r.count)" else "BAD count \($r.count) vs \($s | length) records" end),
	  (if $s[-1] == $r.max_ns then "ok max \($r.max_ns)" else "BAD max \($r.max_ns) vs exact \($s[-1])" end),
	  (["p50", 50], ["p90", 90], ["p99", 99]) as [$k, $p]
	  | ($s | nr($p)) as $x | $r["\($k)_ns"] as $g
	  | if (($g - $x) | fabs) <= $rel * $x and $g <= $r.max_ns
	    then "ok \($k) \($g) (exact \($x))" else "BAD \($k) \($g) vs exact \($x): over the bound \($rel)" end
	' "$res/raw.jsonl") || fail "cannot compute the raw records' percentiles"
echo "$checks" | paste -sd' ' | sed 's/ \([a-z_]* nested=\)/\n  \1/g; s/^/summary vs raw records:\n  /'
grep -q '^BAD' <<<"$checks" && fail "the summary is off the raw records: $(grep '^BAD' <<<"$checks")"
expect_eq "summary rows checked against the raw records" "$(grep -c 'nested=' <<<"$checks")" 12

# --kernel: hist triggers bucket by ceil(log2), so counts and sums only.
khist=$res/khist.out klat=$res/klat.out
same "hist --kernel vs vmlat: count and sum_ns per stage" \
	"$khist" '[.hists[] | {stage, nested, count, sum_ns}]' "$klat" '[.hists[] | {stage, nested, count, sum_ns}]'
same "hist --kernel vs vmlat: allocs, nested" "$khist" '[.allocs, .nested, .failed]' "$klat" '[.allocs, .nested, .failed]'
same "hist --kernel vs vmlat: summary count, share, average" \
	"$khist" '[.summary[] | {stage, nested, count, share_pct, avg_ns}]' "$klat" '[.summary[] | {stage, nested, count, share_pct, avg_ns}]'
expect_eq "hist --kernel: no percentiles or max (log2 buckets only), said so" \
	"$(jq -c '[([.summary[] | .p50_ns, .p90_ns, .p99_ns, .max_ns] | unique), .summary_bound.percentile, (.summary_bound.why | length > 0)]' "$khist")" \
	'[[null],null,true]'
expect_eq "hist --kernel: reservations" "$(jq .tree.reserved "$khist")" $((2 * loops))
expect_eq "hist --kernel: pool hits + searches" \
	"$(jq '.tree.pool_hits + .tree.tree_searches' "$khist")" $((2 * loops))
expect_eq "hist --kernel: guard areas" "$(jq .tree.guard.areas "$khist")" $((2 * loops))
# insmod's module memory: core-kernel callers, named alike.
expect_eq "vmtrace hist on insmod exit status" "$(cat "$res/ins.rc")" 0
same "vmtrace hist vs vmtree on insmod: guard pages by caller" "$res/ins.out" '[.tree.guard_by_caller[] | del(.caller)]' \
	"$res/instree.out" '[.guard_by_caller[] | del(.caller)]'
same_names "vmtrace hist on insmod" "$res/ins.out" .tree.guard_by_caller "$res/instree.out" need-core
# The KUnit suite: failures (reserve, size, alignment) and VM_NO_GUARD vmallocs.
ku=$res/kvmtrace.out
same "KUnit: vmtrace vs vmlat: hists" "$ku" .hists "$res/kulat.out" .hists
same "KUnit: vmtrace vs vmlat: allocs, nested, failed" "$ku" '[.allocs, .nested, .failed, .failed_stage]' \
	"$res/kulat.out" '[.allocs, .nested, .failed, .failed_stage]'
same "KUnit: vmtrace vs vmlat: summary" "$ku" '[.summary, .summary_bound]' "$res/kulat.out" '[.summary, .summary_bound]'
same "KUnit: vmtrace vs vmtree: reservations, guard pages, VM_NO_GUARD" "$ku" '.tree | del(.guard_by_caller)' \
	"$res/kutree.out" 'del(.guard_by_caller, .lost, .lost_frames, .stale, .missed_runs, .module_texts_lost)'
same "KUnit: vmtrace vs vmtree: guard pages by caller" "$ku" '[.tree.guard_by_caller[] | del(.caller)]' \
	"$res/kutree.out" '[.guard_by_caller[] | del(.caller)]'
same_names "KUnit: vmtrace hist" "$ku" .tree.guard_by_caller "$res/kutree.out"
[ "$(jq .failed "$ku")" -gt 0 ] || fail "KUnit: no failed allocation to compare"
[ "$(jq .tree.guard.noguard_vmallocs "$ku")" -gt 0 ] || fail "KUnit: no VM_NO_GUARD vmalloc to compare"
echo "ok: KUnit: $(jq .failed "$ku") failed allocations, $(jq .tree.guard.noguard_vmallocs "$ku") VM_NO_GUARD"
# Best effort: the worker may end before the loop finds it (a short run under TCG).
echo "note: the worker was moved between CPUs $(wc -l <"$res/migrations") times during the run"
expect_eq "instances left in the guest" "$(cat "$res/instances-after")" ""
