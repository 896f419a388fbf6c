#!/bin/bash
# Guest side of ci/tests/bpf-tracepoint.sh: every tool forced onto classic
# tracepoints (--tracepoint), fields read where tracefs says they are,
# against LOOPS vmallocs of 4 MiB by test_vmalloc's worker, each nesting
# one for its page array.
# Usage: tracepoint.sh LOOPS
. "$VMSCOPE_TOP/ci/guest/lib.sh"
loops=${1:?loops}
start_tracer stages '^Tracing' "$BPF/vmlat" -j --tracepoint -c vmalloc_test/0 || exit 1
start_tracer events '^Tracing' "$BPF/vmlat" -j --tracepoint -M events -c vmalloc_test/0 || exit 1
start_tracer tree '^Tracing' "$BPF/vmtree" -j --tracepoint -C -c vmalloc_test/0 || exit 1
start_tracer count '^Tracing' "$BPF/vmcount" -j --tracepoint -c vmalloc_test/0 || exit 1
bpftool prog show >"$VMSCOPE_RESULTS/progs-during"
run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$loops"
for t in tree stages events count; do stop_tracer $t; done
exit 0
