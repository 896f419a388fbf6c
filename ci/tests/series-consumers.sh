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
# vmalloc_alloc_stages: the stage fields add up to total_ns in every event.
bad=$(grep "vmalloc_test/0-[0-9]* .* vmalloc_alloc_stages:" "$res/report.txt" | awk '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	v["total_ns"] != v["reserve_ns"] + v["page_array_ns"] + v["pages_ns"] + v["map_ns"] + v["publish_ns"] ||
	v["total_ns"] == 0 || v["failed_stage"] != "none" { n++ }
	END { print n + 0 }')
expect_eq "trace-cmd: vmalloc_alloc_stages with a stage sum other than total_ns, no time or a failure" "$bad" 0

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
