#!/bin/bash
# Guest side of make run: test_vmalloc timed without tracers, then vmlat and
# vmtree attached while two workloads run: test_vmalloc's timed cases
# (fewer loops) and large allocations that nest, plus the series' KUnit
# suite (VM_NO_GUARD areas, failing allocations) run again from debugfs.
# Usage: report.sh --settle LOOPS TIMED-PARAM=VALUE... -- TRACED-LOOPS LARGE-LOOPS
# (--settle: the untimed pass before the timed run, as make bench's.)
. "$VMSCOPE_TOP/ci/guest/lib.sh"
[ "$1" = --settle ] || { echo "report.sh: --settle LOOPS first"; exit 2; }
settle=$2
shift 2
timed=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do timed+=("$1"); shift; done
shift
traced_loops=${1:?}
large_loops=${2:?}

"$VMSCOPE_TOP/ci/guest/test-vmalloc.sh" --settle "$settle" "${timed[@]}" || exit 1

start_tracer vmlat '^Tracing' "$BPF/vmlat" -o "$VMSCOPE_RESULTS/vmlat.json" || exit 1
start_tracer vmtree '^Tracing' "$BPF/vmtree" -s -C -o "$VMSCOPE_RESULTS/vmtree.json" || exit 1
run_test_vmalloc "${timed[@]}" test_loop_count="$traced_loops"
run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$large_loops"
run_kunit_suite vmalloc_stages || echo "vmalloc_stages KUnit suite failed"
stop_tracer vmtree || exit 1
stop_tracer vmlat || exit 1
exit 0
