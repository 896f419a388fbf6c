#!/bin/bash
# Guest side of make bench's tracer comparison: start one tracer, wait
# until it is attached, run test_vmalloc, stop the tracer.
# Usage: traced.sh none|vmlat|events|fentry|bpftrace [MODULE_PARAM=VALUE ...]
. "$VMSCOPE_TOP/ci/guest/lib.sh"
tracer=${1:?tracer}
shift
case $tracer in
none) ;;
vmlat) start_tracer tracer '^Tracing' "$BPF/vmlat" -j || exit 1 ;;
events) start_tracer tracer '^Tracing' "$BPF/vmlat" -j -M events || exit 1 ;;
fentry) start_tracer tracer '^Tracing' "$BPF/vmlat" -j -M fentry || exit 1 ;;
bpftrace) start_tracer tracer '^Attaching' bpftrace "$VMSCOPE_TOP/bpf/scripts/vmalloc-total.bt" || exit 1 ;;
*) echo "traced.sh: unknown tracer '$tracer'"; exit 2 ;;
esac
"$VMSCOPE_TOP/ci/guest/test-vmalloc.sh" "$@"
rc=$?
if [ "$tracer" != none ]; then
	stop_tracer tracer || { echo "$tracer failed:"; cat "$VMSCOPE_RESULTS/tracer.err"; exit 1; }
fi
exit $rc
