#!/bin/bash
# Guest side of ci/tests/plots.sh: vmlat and vmtree, following test_vmalloc's
# worker only, over a workload of known shape: TOP one-page vmallocs, then
# NESTED 4 MiB ones whose page arrays are vmalloc'ed themselves.
# Usage: plots.sh TOP NESTED
. "$VMSCOPE_TOP/ci/guest/lib.sh"
top=${1:?top-level loops}
nested=${2:?nested loops}
start_tracer lat '^Tracing' "$BPF/vmlat" -c vmalloc_test/0 -o "$VMSCOPE_RESULTS/vmlat.json" || exit 1
start_tracer tree '^Tracing' "$BPF/vmtree" -c vmalloc_test/0 -o "$VMSCOPE_RESULTS/vmtree.json" || exit 1
run_test_vmalloc nr_threads=1 run_test_mask=1 test_loop_count="$top"
run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$nested"
stop_tracer tree || exit 1
stop_tracer lat || exit 1
exit 0
