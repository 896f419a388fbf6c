#!/bin/bash
# Guest side of ci/tests/bpf-lost.sh: two vmlat instances watch the same
# allocations; one may track a single thread at a time while two workers
# allocate at once. What it cannot track it must count as lost (-M events:
# the mode that keeps per-thread state); the reference is the default mode,
# vmalloc_alloc_stages, which keeps none and cannot lose one. Both look
# at the workers' 4 MiB allocations only (-s 4M): the other instance's BPF
# loading allocates too, inside one window and not the other. vmtree -C
# counts the guard pages of the two workers, which share a caller.
# Usage: lost.sh LOOPS
. "$VMSCOPE_TOP/ci/guest/lib.sh"
loops=${1:?loops}
# vmtree first: its maps are large enough to be vmalloc'ed in 4 MiB areas.
start_tracer tree '^Tracing' "$BPF/vmtree" -j -C || exit 1
start_tracer small '^Tracing' "$BPF/vmlat" -j -M events -s 4M --max-threads 1 || exit 1
start_tracer ref '^Tracing' "$BPF/vmlat" -j -s 4M || exit 1
run_test_vmalloc nr_threads=2 run_test_mask=1 nr_pages=1024 test_loop_count="$loops"
for t in tree ref small; do stop_tracer $t; done
exit 0
