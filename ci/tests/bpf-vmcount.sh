#!/usr/bin/env bash
# A libbpf CO-RE program (tp_btf on vmalloc:alloc_vmap_area) loads in the
# booted kernel and counts exactly the vmallocs a known thread makes.
. "$(dirname "$0")/../testlib.sh"

loops=500
res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/vmcount.sh $loops || fail "guest script failed: $(tail -n 5 "$res/serial.log")"
cat "$res/vmcount.err"
expect_eq "vmcount exit status after SIGINT" "$(cat "$res/vmcount.rc")" 0
grep -q 'tp_btf' "$res/vmcount.err" || fail "vmcount did not use tp_btf: $(cat "$res/vmcount.err")"
grep -q 'alloc_vmap_area' "$res/progs-during" || fail "no alloc_vmap_area program loaded while tracing"
! grep -q 'alloc_vmap_area' "$res/progs-after" || fail "BPF program still loaded after vmcount exited"
"$BUILD/tools/tvreport" "$res/dmesg" || fail "test_vmalloc run failed"
expect_eq "allocations counted" "$(json_field "$res/vmcount.json" allocs)" $loops
expect_eq "failed allocations" "$(json_field "$res/vmcount.json" failed)" 0
# Each vmalloc(PAGE_SIZE) reserves one page plus one guard page.
expect_eq "bytes reserved" "$(json_field "$res/vmcount.json" bytes)" $((loops * 8192))
