#!/bin/bash
# Guest side of make bench's tracer comparison: start one tracer, wait
# until it is attached, run test_vmalloc, stop the tracer.
# Usage: traced.sh none|vmlat|events|fentry|funclatency|bpftrace|hist|
#                  vmtrace|vmtrace-kernel|vmslow
#                  [--settle LOOPS] [MODULE_PARAM=VALUE ...]
# --settle: test_vmalloc's untimed pass (tv_settle) before the tracer
# starts, so that every row, no tracer included, is timed from one state.
. "$VMSCOPE_TOP/ci/guest/lib.sh"
tracer=${1:?tracer}
shift
settle=()
if [ "${1:-}" = --settle ]; then
	[ $# -ge 2 ] || { echo "${0##*/}: --settle needs a number of loops"; exit 2; }
	tv_settle "$2" "${@:3}" || exit 1
	# (settled here: test-vmalloc.sh only keeps the random cases apart)
	settle=(--settle 0)
	shift 2
fi
case $tracer in
none) ;;
vmlat) start_tracer tracer '^Tracing' "$BPF/vmlat" -j || exit 1 ;;
events) start_tracer tracer '^Tracing' "$BPF/vmlat" -j -M events || exit 1 ;;
fentry) start_tracer tracer '^Tracing' "$BPF/vmlat" -j -M fentry || exit 1 ;;
bpftrace) start_tracer tracer '^Attaching' bpftrace "$VMSCOPE_TOP/bpf/scripts/vmalloc-total.bt" || exit 1 ;;
# bcc's libbpf-tools funclatency (Debian's libbpf-tools): per-thread start
# time in a hash at entry, log2 histogram at return; the minimal
# total-only tracer a user would pick. (Its stdout is a file here: stdbuf
# makes its "Tracing" line show before it exits.)
funclatency) start_tracer tracer '^Tracing' stdbuf -oL funclatency __vmalloc_node_range_noprof || exit 1 ;;
# vmtrace (no BPF): records copied to user space through a private tracefs
# instance, or (--kernel) histograms kept by hist triggers in the kernel.
vmtrace) start_tracer tracer '^Tracing' "$VMSCOPE_TOP/build/tools/vmtrace" hist -j || exit 1 ;;
vmtrace-kernel) start_tracer tracer '^Tracing' "$VMSCOPE_TOP/build/tools/vmtrace" hist --kernel -j || exit 1 ;;
# vmslow with a threshold (1000 s) no allocation crosses: the cost of its
# fast path (vmalloc_alloc_enter kept per task, vmalloc_alloc_stages compared).
vmslow) start_tracer tracer '^Tracing' "$BPF/vmslow" -t 1000000 || exit 1 ;;
# ftrace hist triggers on vmalloc_alloc_stages, one per stage and the
# total, top-level and nested apart: every stage, in the kernel, no BPF.
hist)
	trig=/sys/kernel/tracing/events/vmalloc/vmalloc_alloc_stages/trigger
	for s in total reserve page_array pages map publish; do
		echo "hist:keys=nested,${s}_ns.log2:size=256" >>"$trig" || exit 1
	done ;;
*) echo "traced.sh: unknown tracer '$tracer'"; exit 2 ;;
esac
"$VMSCOPE_TOP/ci/guest/test-vmalloc.sh" "${settle[@]}" "$@"
rc=$?
if [ "$tracer" = hist ]; then
	cat /sys/kernel/tracing/events/vmalloc/vmalloc_alloc_stages/hist >"$VMSCOPE_RESULTS/tracer.out"
	for s in total reserve page_array pages map publish; do
		echo "!hist:keys=nested,${s}_ns.log2:size=256" >>"$trig"
	done
elif [ "$tracer" != none ]; then
	stop_tracer tracer || { echo "$tracer failed:"; cat "$VMSCOPE_RESULTS/tracer.err"; exit 1; }
fi
exit $rc
