#!/usr/bin/env bash
# Per-interval figures lose nothing: vmcount and vmlat print every second
# while test_vmalloc's worker makes a known number of small vmallocs over
# several seconds; the intervals add up to it exactly (the BPF side keeps
# cumulative counters; the tools print differences). A SIGINT that comes
# while a tool is still starting ends it cleanly, with its one report
# written to -o FILE.
. "$(dirname "$0")/../testlib.sh"

loops=300000
res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/intervals.sh $loops ${BPF_DIR:+"$BPF_DIR"} ||
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

expect_eq "vmcount SIGINT while starting: exit status" "$(cat "$res/early.rc")" 0
jq -e .allocs "$res/early.json" >/dev/null || fail "vmcount SIGINT while starting: no report in -o FILE: '$(cat "$res/early.json")' $(cat "$res/early.err")"
echo "ok: vmcount SIGINT while starting: report written: $(cat "$res/early.json")"
