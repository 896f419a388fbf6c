#!/bin/bash
# Guest side of ci/tests/bpf-total-only.sh: vmlat's total-only modes (what
# it has without the series) against a known workload: LOOPS vmallocs of
# 4 MiB by test_vmalloc's worker, each nesting one for its page array.
# Usage: total-only.sh LOOPS MODE... (auto = let vmlat choose)
. "$VMSCOPE_TOP/ci/guest/lib.sh"
loops=${1:?loops}
shift
for mode in "$@"; do
	args=(-j -c vmalloc_test/0)
	[ "$mode" = auto ] || args+=(-M "$mode")
	start_tracer "lat-$mode" '^Tracing' "$BPF/vmlat" "${args[@]}" || exit 1
	# The same by caller: the caller argument as each way in reads it, named.
	start_tracer "latc-$mode" '^Tracing' "$BPF/vmlat" "${args[@]}" -C || exit 1
done
run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$loops"
# The exit programs as the verifier left them (read-only options' dead branches removed).
for p in core_fexit core_kretprobe; do
	bpftool prog dump xlated name $p >"$VMSCOPE_RESULTS/xlated-$p" 2>&1
done
for mode in "$@"; do stop_tracer "lat-$mode"; stop_tracer "latc-$mode"; done
# Without the series, what needs it says so and fails.
if [ ! -d /sys/kernel/tracing/events/vmalloc/vmalloc_alloc_enter ]; then
	"$BPF/vmlat" -M stages >"$VMSCOPE_RESULTS/stages.out" 2>"$VMSCOPE_RESULTS/stages.err"
	echo $? >"$VMSCOPE_RESULTS/stages.rc"
	"$BPF/vmtree" >"$VMSCOPE_RESULTS/vmtree.out" 2>"$VMSCOPE_RESULTS/vmtree.err"
	echo $? >"$VMSCOPE_RESULTS/vmtree.rc"
fi
bpftool prog show >"$VMSCOPE_RESULTS/progs-after"
exit 0
