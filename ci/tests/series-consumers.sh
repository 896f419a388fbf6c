#!/usr/bin/env bash
# The stage events are usable as they are from tracefs (trace-cmd record
# -e vmalloc) and from bpftrace, and count exactly the allocations of a
# known thread: test_vmalloc's worker making LOOPS one-page vmallocs.
. "$(dirname "$0")/../testlib.sh"

loops=200
res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/consumers.sh $loops ||
	fail "guest run failed: $(cat "$res/trace-cmd.log" "$res/bpftrace.out" 2>/dev/null | tail -n 5)"

# trace-cmd: one of each stage event per allocation of the worker.
for ev in vmalloc_alloc_enter vmalloc_va_reserved vmalloc_page_array \
	  vmalloc_pages_alloc vmalloc_pages_map vmalloc_alloc_exit vmalloc_area_free; do
	n=$(grep -c "vmalloc_test/0-[0-9]* .* $ev:" "$res/report.txt")
	expect_eq "trace-cmd: $ev events of vmalloc_test/0" "$n" $loops
done
n=$(grep "vmalloc_test/0-[0-9]* .* vmalloc_alloc_exit:" "$res/report.txt" | grep -c 'failed_stage=none')
expect_eq "trace-cmd: successful exits" "$n" $loops
grep -m1 'vmalloc_alloc_enter:' "$res/report.txt"

# bpftrace: tracepoint fields by name.
cat "$res/bpftrace.out"
expect_eq "bpftrace: exits counted" "$(sed -n 's/^@exits: //p' "$res/bpftrace.out")" $loops
expect_eq "bpftrace: exits with failed_stage none (0)" \
	"$(sed -n 's/^@failed_stage\[0\]: //p' "$res/bpftrace.out")" $loops
expect_eq "bpftrace: guard bytes reserved" \
	"$(sed -n 's/^@guard_bytes: //p' "$res/bpftrace.out")" $((loops * 4096))
