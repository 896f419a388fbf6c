#!/bin/bash
# Guest side of ci/tests/bpf-vmslow.sh: vmslow around test_vmalloc's worker
# (vmalloc_test/0), whose allocations are known:
#  - all: -t 0 -j, SMALL loops of fix_size (one 4 KiB vmalloc each);
#  - slow: -t THRESHOLD_US -j, BIG loops of fix_size with nr_pages=1024
#    (4 MiB, each nesting an 8 KiB page array), then SMALL loops of 4 KiB:
#    the 4 MiB ones are to cross the threshold; slowall (-t 0, at the same
#    time) is the ground truth the records are checked against;
#  - text: -t 0 in text, SMALL loops of 4 KiB;
#  - failed: a threshold nothing crosses (1 s) around align_shift_alloc_test,
#    whose one failing vmalloc (an alignment larger than the vmalloc space)
#    must be reported all the same;
#  - full: -t 0 with a 4 KiB ring buffer whose reader is stopped (SIGSTOP)
#    through SMALL loops of 4 KiB: what does not fit is counted lost.
# Usage: vmslow.sh SMALL BIG THRESHOLD_US
. "$VMSCOPE_TOP/ci/guest/lib.sh"
small=${1:?small} big=${2:?big} thresh=${3:?threshold}
start_tracer all '^Tracing' "$BPF/vmslow" -t 0 -c vmalloc_test/0 -j || exit 1
run_test_vmalloc nr_threads=1 run_test_mask=1 test_loop_count="$small"
stop_tracer all
start_tracer slow '^Tracing' "$BPF/vmslow" -t "$thresh" -c vmalloc_test/0 -j || exit 1
start_tracer slowall '^Tracing' "$BPF/vmslow" -t 0 -c vmalloc_test/0 -j || exit 1
run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$big"
run_test_vmalloc nr_threads=1 run_test_mask=1 test_loop_count="$small"
stop_tracer slow
stop_tracer slowall
start_tracer text '^Tracing' "$BPF/vmslow" -t 0 -c vmalloc_test/0 || exit 1
run_test_vmalloc nr_threads=1 run_test_mask=1 test_loop_count="$small"
stop_tracer text
start_tracer failed '^Tracing' "$BPF/vmslow" -t 1000000 -c vmalloc_test/0 -j || exit 1
run_test_vmalloc nr_threads=1 run_test_mask=64
stop_tracer failed
start_tracer full '^Tracing' "$BPF/vmslow" -t 0 --ringbuf-kib 4 -c vmalloc_test/0 -j || exit 1
kill -STOP "$(tracer_pid full)"
run_test_vmalloc nr_threads=1 run_test_mask=1 test_loop_count="$small"
kill -CONT "$(tracer_pid full)"
stop_tracer full
bpftool prog show >"$VMSCOPE_RESULTS/progs-after"; echo $? >"$VMSCOPE_RESULTS/progs-after.rc"
exit 0
