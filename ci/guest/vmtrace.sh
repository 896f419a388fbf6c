#!/bin/bash
# Guest side of ci/tests/vmtrace-*.sh.
#  agreement LOOPS: test_vmalloc's worker (vmalloc_test/0) makes LOOPS
#    vmallocs of 4 MiB (each nesting an 8 KiB page array) under vmtrace hist,
#    trace-cmd record, vmlat and vmtree at once, all started before it and
#    stopped after it; then the same under vmtrace hist --kernel and vmlat;
#    then vmtrace hist and vmtree on insmod (core-kernel callers to name);
#    then vmtrace hist, vmlat and vmtree on the series' KUnit suite (failed
#    allocations, VM_NO_GUARD). The worker migrates between CPUs meanwhile.
#  cleanup: vmtrace hist ended by itself, SIGINT, SIGTERM, SIGHUP, SIGPIPE
#    (its reader gone) and an error; the instances directory listed after
#    each. Every wait is bounded: a hung vmtrace is killed, status 124.
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
	# The worker moved between the CPUs all along: a task's reservation and
	# its vmalloc's end on different CPUs' buffers.
	(
		cpu=0
		while :; do
			for p in $(pgrep -x "$comm"); do taskset -pc $cpu "$p" >/dev/null 2>&1 && echo moved; done
			cpu=$((1 - cpu))
		done >"$out/migrations"
	) &
	mig=$!
	run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$loops"
	kill $mig
	wait $mig 2>/dev/null
	for t in tree lat vmtrace; do stop_tracer $t; done
	kill -INT $pid
	wait_bounded $pid 120
	echo $? >"$out/trace-cmd.rc"
	# The same workload, histograms kept in the kernel.
	start_tracer khist '^Tracing' "$VMTRACE" hist --kernel -j -c $comm || return 1
	start_tracer klat '^Tracing' "$BPF/vmlat" -j -c $comm || return 1
	run_test_vmalloc nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count="$loops"
	for t in klat khist; do stop_tracer $t; done
	# Core-kernel callers, for their names: insmod's module memory (execmem).
	start_tracer ins '^Tracing' "$VMTRACE" hist -j -c insmod || return 1
	start_tracer instree '^Tracing' "$BPF/vmtree" -j -C -c insmod || return 1
	run_test_vmalloc nr_threads=1 run_test_mask=1 test_loop_count=1
	for t in instree ins; do stop_tracer $t; done
	# Failures and VM_NO_GUARD: the series' KUnit suite (booted with kunit.enable=1).
	start_tracer kvmtrace '^Tracing' "$VMTRACE" hist -j -c kunit_try_catch || return 1
	start_tracer kulat '^Tracing' "$BPF/vmlat" -j -c kunit_try_catch || return 1
	start_tracer kutree '^Tracing' "$BPF/vmtree" -j -C -c kunit_try_catch || return 1
	run_kunit_suite vmalloc_stages
	echo $? >"$out/kunit.rc"
	for t in kutree kulat kvmtrace; do stop_tracer $t; done
	ls /sys/kernel/tracing/instances >"$out/instances-after"
}

# instances_after NAME: what is left in the instances directory.
instances_after() {
	ls /sys/kernel/tracing/instances >"$out/instances-$1"
}

cleanup() {
	local pid
	timeout -s KILL 60 "$VMTRACE" hist -j 1 1 >"$out/normal.out" 2>"$out/normal.err"
	echo $? >"$out/normal.rc"
	instances_after normal
	for sig in INT TERM HUP; do
		start_tracer sig$sig '^Tracing' "$VMTRACE" hist -j 3600 || return 1
		ls /sys/kernel/tracing/instances >"$out/instances-during-$sig"
		pid=$(tracer_pid sig$sig)
		kill -$sig "$pid"
		wait_bounded "$pid" 60
		echo $? >"$out/sig$sig.rc"
		instances_after sig$sig
	done
	# Its reader gone: the second report's write fails (SIGPIPE ignored, EPIPE).
	timeout -s KILL 60 bash -c '"$1" hist -j 1 2>"$2/sigPIPE.err" | head -n 1 >"$2/sigPIPE.out"
		echo ${PIPESTATUS[0]} >"$2/sigPIPE.rc"' - "$VMTRACE" "$out"
	instances_after sigPIPE
	timeout -s KILL 60 "$VMTRACE" hist --min-size 'x' >"$out/badopt.out" 2>"$out/badopt.err"
	echo $? >"$out/badopt.rc"
	instances_after badopt
	# A filter the kernel refuses, after the instance exists: the error path.
	timeout -s KILL 60 "$VMTRACE" hist -F 'no_such_field == 1' 1 1 >"$out/badfilter.out" 2>"$out/badfilter.err"
	echo $? >"$out/badfilter.rc"
	instances_after badfilter
	# stdout that cannot be written: exit 1, said why, instance removed.
	timeout -s KILL 60 "$VMTRACE" hist -j 1 1 >/dev/full 2>"$out/full.err"
	echo $? >"$out/full.rc"
	instances_after full
	timeout -s KILL 60 "$VMTRACE" hist --kernel -j 1 >"$out/kernel.out" 2>"$out/kernel.err"
	echo $? >"$out/kernel.rc"
	instances_after kernel
	return 0
}

case $1 in
agreement) agreement "${2:?loops}" ;;
cleanup) cleanup ;;
*) echo "usage: vmtrace.sh agreement LOOPS | cleanup"; exit 2 ;;
esac
