#!/usr/bin/env bash
# Per-interval figures lose nothing: vmcount and vmlat print every second
# while test_vmalloc's worker makes a known number of small vmallocs over
# several seconds; the intervals add up to it exactly (the BPF side keeps
# cumulative counters; the tools print differences), with a breakdown by
# caller too, and the summary's counts (its max is since the start, at
# least each interval's p99; its total count the histograms'). A breakdown map too small for every key at once loses
# nothing when keys come and go (idle ones are taken out). A SIGINT that comes
# while a tool is still starting ends it cleanly, with its one report
# written to -o FILE.
. "$(dirname "$0")/../testlib.sh"

loops=300000
procs=8
res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/intervals.sh $loops "${BPF_DIR:-$VMSCOPE_TOP/build/bpf}" $procs ||
	fail "guest script failed: $(tail -n 5 "$res/serial.log")"
cat "$res/count.err" "$res/lat.err"
expect_eq "vmcount exit status after SIGINT" "$(cat "$res/count.rc")" 0
expect_eq "vmlat exit status after SIGINT" "$(cat "$res/lat.rc")" 0
n=$(wc -l <"$res/count.out")
echo "vmcount: $n intervals: $(jq -c .allocs "$res/count.out" | tr '\n' ' ')"
[ "$n" -ge 3 ] || fail "the workload spanned $n intervals: the test did not test"
expect_eq "vmcount: allocations, all intervals" "$(jq -s 'map(.allocs) | add' "$res/count.out")" $loops
echo "vmlat: $(wc -l <"$res/lat.json") intervals: $(jq -c .allocs "$res/lat.json" | tr '\n' ' ')"
expect_eq "vmlat: allocations, all intervals" "$(jq -s 'map(.allocs) | add' "$res/lat.json")" $loops
for stage in reserve page_array pages map publish total; do
	expect_eq "vmlat: $stage count, all intervals" \
		"$(jq -s "[.[].hists[] | select(.stage == \"$stage\") | .count] | add" "$res/lat.json")" $loops
done
# The summary per interval: its counts add up the same; its max is since the start (never lower later).
expect_eq "vmlat: summary total count, all intervals" \
	"$(jq -s '[.[].summary[] | select(.stage == "total") | .count] | add' "$res/lat.json")" $loops
expect_eq "vmlat: summary max since the start, never lower in a later interval" \
	"$(jq -s '[.[].summary[] | select(.stage == "total" and .nested == false) | .max_ns] | . == sort' "$res/lat.json")" true
# In every interval: each stage's max at least its p99, both above 0 (a max
# never stored would pass the test above); without a breakdown the
# summary's total count that of the histograms (the same per-CPU map). The
# text says max(all): since the start.
check_summary() { # what file
	local rows bad
	rows=$(jq -s '[.[].summary[] | select(.count > 0)] | length' "$2")
	bad=$(jq -s -c '[.[].summary[] | select(.count > 0 and (.p99_ns <= 0 or .max_ns < .p99_ns)) |
		{stage, nested, count, p99_ns, max_ns}]' "$2")
	[ "$rows" -ge 6 ] || fail "$1: $rows summary rows with a count: the test did not test"
	expect_eq "$1: summary rows with max_ns >= p99_ns > 0 (of $rows, every interval)" "$bad" "[]"
}
check_summary vmlat "$res/lat.json"
expect_eq "vmlat: intervals whose summary total count is not the histograms'" \
	"$(jq -s -c '[.[] | [([.summary[] | select(.stage == "total") | .count] | add // 0),
		([.hists[] | select(.stage == "total") | .count] | add // 0)] | select(.[0] != .[1])]' "$res/lat.json")" "[]"
grep -q ' max(all)$' "$res/lat.out" || fail "vmlat's text with an interval: no max(all) column: $(grep -m1 ' stage ' "$res/lat.out")"
echo "ok: vmlat's text with an interval: the max column is max(all)"

# The same with a breakdown by caller (the shared histogram hash).
expect_eq "vmlat -C exit status after SIGINT" "$(cat "$res/latc.rc")" 0
expect_eq "vmlat -C: summary total count, all intervals (kept with a breakdown)" \
	"$(jq -s '[.[].summary[] | select(.stage == "total") | .count] | add' "$res/latc.out")" $loops
check_summary "vmlat -C" "$res/latc.out"
# With -C the summary (per-CPU array) and the histograms (hash) are read one
# after the other: an interval's counts differ by the allocations in
# between; over the run (the last report reads a detached program) they
# agree: 300000 each, above and below.
echo "vmlat -C: $(wc -l <"$res/latc.out") intervals: $(jq -c .allocs "$res/latc.out" | tr '\n' ' ')"
expect_eq "vmlat -C: allocations, all intervals" "$(jq -s 'map(.allocs) | add' "$res/latc.out")" $loops
expect_eq "vmlat -C: total count of test_vmalloc's caller, all intervals" \
	"$(jq -s '[.[].hists[] | select(.stage == "total" and (.caller | test("test_vmalloc"))) | .count] | add' "$res/latc.out")" $loops
expect_eq "vmlat -C: lost" "$(jq -s 'map(.lost) | add' "$res/latc.out")" 0

# Keys that come and go in a small breakdown map: idle ones are taken out,
# so every process is measured, none lost, and nothing counted twice.
expect_eq "vmlat -P (small map) exit status after SIGINT" "$(cat "$res/prune.rc")" 0
p=$res/prune.out
echo "vmlat -P --hist-entries 48: $(wc -l <"$p") intervals; per process: $(jq -s -c '[.[].hists[] | select(.stage == "total" and (.comm | startswith("vmproc"))) | {(.comm): .count}] | add' "$p")"
expect_eq "vmlat -P: histogram updates lost (map full)" "$(jq -s 'map(.lost_hist) | add' "$p")" 0
expect_eq "vmlat -P: processes measured" \
	"$(jq -s '[.[].hists[] | select(.stage == "total" and (.comm | startswith("vmproc"))) | .comm] | unique | length' "$p")" $procs
# Each process's allocations once: a total over intervals that equals the
# sum of its stages' counts (pages, publish: every successful one has them).
for c in vmproc1 vmproc$procs; do
	tot=$(jq -s --arg c $c '[.[].hists[] | select(.comm == $c and .stage == "total") | .count] | add' "$p")
	pub=$(jq -s --arg c $c '[.[].hists[] | select(.comm == $c and .stage == "publish") | .count] | add' "$p")
	[ "$tot" -gt 0 ] || fail "vmlat -P: $c: no allocation measured"
	expect_eq "vmlat -P: $c: publish count = total count over the intervals" "$pub" "$tot"
done

expect_eq "vmcount SIGINT while starting: exit status" "$(cat "$res/early.rc")" 0
jq -e .allocs "$res/early.json" >/dev/null || fail "vmcount SIGINT while starting: no report in -o FILE: '$(cat "$res/early.json")' $(cat "$res/early.err")"
echo "ok: vmcount SIGINT while starting: report written: $(cat "$res/early.json")"
