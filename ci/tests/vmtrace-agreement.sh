#!/usr/bin/env bash
# vmtrace without BPF says what vmlat + vmtree say, to the nanosecond: on one
# boot, test_vmalloc's worker makes LOOPS 4-MiB vmallocs (each nesting its
# page array) under vmtrace hist, trace-cmd record, vmlat and vmtree at once,
# all filtered to the worker (-c). The JSON of vmtrace hist, of vmtrace report
# on the trace-cmd file (read here, on the host) and of the BPF tools is
# compared field by field: counts, per-stage sums, every histogram slot,
# the depth histogram, pool hits, guard pages in total and by caller. Then
# vmtrace hist --kernel (hist triggers) against vmlat over a second run.
. "$(dirname "$0")/../testlib.sh"

loops=100
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
	same "$m vs vmtree: reservations, pool hits, searches, depth histogram, guard pages" \
		"$f" '.tree | del(.guard_by_caller)' "$tree" 'del(.guard_by_caller, .lost, .lost_frames, .stale, .missed_runs, .module_texts_lost)'
	same "$m vs vmtree: guard pages by caller" "$f" '[.tree.guard_by_caller[] | del(.caller)]' \
		"$tree" '[.guard_by_caller[] | del(.caller)]'
	same_names "$m" "$f" .tree.guard_by_caller "$tree"
done
expect_eq "vmlat: allocations" "$(jq .allocs "$lat")" $((2 * loops))
expect_eq "vmtree: guard areas" "$(jq .guard.areas "$tree")" $((2 * loops))
grep -q '^stage total: ' "$res/report.txt" || fail "vmtrace report's text has no histogram"

# --kernel: hist triggers bucket by ceil(log2), so counts and sums only.
khist=$res/khist.out klat=$res/klat.out
same "hist --kernel vs vmlat: count and sum_ns per stage" \
	"$khist" '[.hists[] | {stage, nested, count, sum_ns}]' "$klat" '[.hists[] | {stage, nested, count, sum_ns}]'
same "hist --kernel vs vmlat: allocs, nested" "$khist" '[.allocs, .nested, .failed]' "$klat" '[.allocs, .nested, .failed]'
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
