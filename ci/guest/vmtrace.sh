#!/bin/bash
# Guest side of ci/tests/vmtrace-*.sh.
#  agreement LOOPS: test_vmalloc's worker (vmalloc_test/0) makes LOOPS
#    vmallocs of 4 MiB (each nesting an 8 KiB page array) under vmtrace hist,
#    trace-cmd record, vmlat and vmtree at once, all started before it and
#    stopped after it; then the same under vmtrace hist --kernel and vmlat.
#  cleanup: vmtrace hist ended by itself, SIGINT, SIGTERM and an error;
#    the instances directory listed after each.
. "$VMSCOPE_TOP/ci/guest/lib.sh"
VMTRACE=$VMSCOPE_TOP/build/tools/vmtrace
out=$VMSCOPE_RESULTS
comm=vmalloc_test/0

# The top-level buffer's events on: trace-cmd record has started.
wait_trace_cmd() {
	for _ in $(seq 600); do
		[ "$(cat /sys/kernel/tracing/events/vmalloc/vmalloc_alloc_stages/enable)" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

agreement() {
	local loops=$1 pid
	trace-cmd record -q -e vmalloc -o "$out/trace.dat" >"$out/trace-cmd.log" 2>&1 &
	pid=$!
	wait_trace_cmd || { echo "trace-cmd record did not start"; cat "$out/trace-cmd.log"; return 1; }
	start_tracer vmtrace '^Tracing' "$VMTRACE" hist -j -c $comm || return 1
	start_tracer lat '^Tracing' "$BPF/vmlat" -j -c $comm || return 1
	start_tracer tree '^Tracing' "$BPF/vmtree" -j -C -c $comm || return 1
	run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$loops"
	for t in tree lat vmtrace; do stop_tracer $t; done
	kill -INT $pid
	wait $pid
	echo $? >"$out/trace-cmd.rc"
	# The same workload, histograms kept in the kernel.
	start_tracer khist '^Tracing' "$VMTRACE" hist --kernel -j -c $comm || return 1
	start_tracer klat '^Tracing' "$BPF/vmlat" -j -c $comm || return 1
	run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$loops"
	for t in klat khist; do stop_tracer $t; done
	ls /sys/kernel/tracing/instances >"$out/instances-after"
}

# instances_after NAME: what is left in the instances directory.
instances_after() {
	ls /sys/kernel/tracing/instances >"$out/instances-$1"
}

cleanup() {
	local pid
	"$VMTRACE" hist -j 1 1 >"$out/normal.out" 2>"$out/normal.err"
	echo $? >"$out/normal.rc"
	instances_after normal
	for sig in INT TERM; do
		start_tracer sig$sig '^Tracing' "$VMTRACE" hist -j 3600 || return 1
		ls /sys/kernel/tracing/instances >"$out/instances-during-$sig"
		pid=$(tracer_pid sig$sig)
		kill -$sig "$pid"
		wait "$pid"
		echo $? >"$out/sig$sig.rc"
		instances_after sig$sig
	done
	"$VMTRACE" hist --min-size 'x' >"$out/badopt.out" 2>"$out/badopt.err"
	echo $? >"$out/badopt.rc"
	instances_after badopt
	# A filter the kernel refuses, after the instance exists: the error path.
	"$VMTRACE" hist -F 'no_such_field == 1' 1 1 >"$out/badfilter.out" 2>"$out/badfilter.err"
	echo $? >"$out/badfilter.rc"
	instances_after badfilter
	"$VMTRACE" hist --kernel -j 1 >"$out/kernel.out" 2>"$out/kernel.err"
	echo $? >"$out/kernel.rc"
	instances_after kernel
	return 0
}

case $1 in
agreement) agreement "${2:?loops}" ;;
cleanup) cleanup ;;
*) echo "usage: vmtrace.sh agreement LOOPS | cleanup"; exit 2 ;;
esac
