#!/usr/bin/env bash
# The stage events and vmalloc_alloc_stages are usable as they are from
# tracefs (trace-cmd record -e vmalloc) and from bpftrace, and count exactly the allocations of a
# known thread: test_vmalloc's worker making LOOPS one-page vmallocs.
. "$(dirname "$0")/../testlib.sh"

loops=200
res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/consumers.sh $loops ||
	fail "guest run failed: $(cat "$res/trace-cmd.log" "$res/bpftrace.out" 2>/dev/null | tail -n 5)"

# trace-cmd: one of each stage event per allocation of the worker.
for ev in vmalloc_alloc_enter vmalloc_va_reserved vmalloc_page_array \
	  vmalloc_pages_alloc vmalloc_pages_map vmalloc_alloc_exit vmalloc_alloc_stages \
	  vmalloc_area_free; do
	n=$(grep -c "vmalloc_test/0-[0-9]* .* $ev:" "$res/report.txt")
	expect_eq "trace-cmd: $ev events of vmalloc_test/0" "$n" $loops
done
n=$(grep "vmalloc_test/0-[0-9]* .* vmalloc_alloc_exit:" "$res/report.txt" | grep -c 'failed_stage=none')
expect_eq "trace-cmd: successful exits" "$n" $loops
grep -m1 'vmalloc_alloc_enter:' "$res/report.txt"
grep -m1 'vmalloc_alloc_stages:' "$res/report.txt"
# vmalloc_alloc_stages through libtracecmd (vmtrace report): every allocation
# counted, none failed, stage sums adding up to the total (ci/tests/vmtrace-agreement.sh
# compares it with the BPF tools slot by slot).
"$BUILD/tools/vmtrace" report -i "$res/trace.dat" -j -c vmalloc_test/0 >"$res/vmtrace.json" ||
	fail "vmtrace report on trace-cmd's file failed"
expect_eq "vmtrace report: allocations of vmalloc_test/0" "$(jq .allocs "$res/vmtrace.json")" $loops
expect_eq "vmtrace report: failed" "$(jq .failed "$res/vmtrace.json")" 0
expect_eq "vmtrace report: stage sums = total sum, ns" \
	"$(jq '[.hists[] | select(.stage != "total") | .sum_ns] | add' "$res/vmtrace.json")" \
	"$(jq '.hists[] | select(.stage == "total") | .sum_ns' "$res/vmtrace.json")"

# bpftrace: tracepoint fields by name.
cat "$res/bpftrace.out"
expect_eq "bpftrace: exits counted" "$(sed -n 's/^@exits: //p' "$res/bpftrace.out")" $loops
expect_eq "bpftrace: exits with failed_stage none (0)" \
	"$(sed -n 's/^@failed_stage\[0\]: //p' "$res/bpftrace.out")" $loops
expect_eq "bpftrace: guard bytes reserved" \
	"$(sed -n 's/^@guard_bytes: //p' "$res/bpftrace.out")" $((loops * 4096))
expect_eq "bpftrace: vmalloc_alloc_stages counted" "$(sed -n 's/^@summaries: //p' "$res/bpftrace.out")" $loops
# (bpftrace prints the count as 0 or not at all when nothing matched.)
mismatch=$(sed -n 's/^@stage_sum_mismatch: //p' "$res/bpftrace.out")
expect_eq "bpftrace: vmalloc_alloc_stages whose stages do not add up" "${mismatch:-0}" 0
