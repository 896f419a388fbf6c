#!/bin/bash
# Guest side of ci/tests/bpf-accuracy.sh: a workload of known shape under
# vmlat (in both stage modes at once) and vmtree.
#  - test_vmalloc's worker (vmalloc_test/0): LOOPS vmallocs of 4 MiB, each
#    nesting one 8 KiB vmalloc for its page array.
#  - the series' KUnit suite, run again from debugfs (kunit_try_catch):
#    21 vmallocs, one nested, three failing, five with VM_NO_GUARD.
# Usage: accuracy.sh LOOPS
. "$VMSCOPE_TOP/ci/guest/lib.sh"
loops=${1:?loops}
start_tracer lat '^Tracing' "$BPF/vmlat" -j -c vmalloc_test/0 || exit 1
start_tracer latev '^Tracing' "$BPF/vmlat" -j -M events -c vmalloc_test/0 || exit 1
start_tracer kunit '^Tracing' "$BPF/vmlat" -j -c kunit_try_catch || exit 1
start_tracer kunitev '^Tracing' "$BPF/vmlat" -j -M events -c kunit_try_catch || exit 1
start_tracer tree '^Tracing' "$BPF/vmtree" -j -s -C || exit 1
bpftool prog show >"$VMSCOPE_RESULTS/progs-during"
run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$loops"
run_kunit_suite vmalloc_stages || echo "kunit suite failed"
# vmtree first: the others' teardown frees areas too.
for t in tree lat latev kunit kunitev; do stop_tracer $t; done
bpftool prog show >"$VMSCOPE_RESULTS/progs-after"
exit 0
