#!/bin/bash
# Guest side of ci/tests/series-probe-time.sh: vmlat's stage times of
# test_vmalloc's fix_size worker, alone and beside other consumers of the
# vmalloc events. Usage: probe-time.sh LOOPS
. "$VMSCOPE_TOP/ci/guest/lib.sh"
loops=${1:?loops}
args="nr_threads=1 run_test_mask=1 test_loop_count=$loops"
enable=/sys/kernel/tracing/events/vmalloc/enable

# measure NAME [VMLAT-OPTION...]: vmlat around one test_vmalloc run, its
# JSON in NAME.out.
measure() {
	local name=$1
	shift
	start_tracer "$name" '^Tracing' "$BPF/vmlat" -j -c vmalloc_test/0 "$@" || return 1
	insmod "$TEST_VMALLOC" $args 2>/dev/null
	stop_tracer "$name"
}

cleanup() {
	echo 0 >$enable
	local pid
	pid=$(tracer_pid tree)
	[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait_bounded "$pid"
}
trap cleanup EXIT

# A run untimed first: the vmalloc space's state (the free tree's shape,
# the lazy areas) moves most in the first runs after boot.
insmod "$TEST_VMALLOC" $args 2>/dev/null
measure alone1 || exit 1
# vmtree, as make run attaches it: a BPF program on vmalloc_va_reserved.
start_tracer tree '^Tracing' "$BPF/vmtree" -j || exit 1
measure vmtree || exit 1
# The same from the stage events' timestamps (-M events), for comparison.
measure events-mode-vmtree -M events || exit 1
stop_tracer tree || exit 1
measure alone2 || exit 1
measure events-mode -M events || exit 1
# Every vmalloc event on in tracefs: ftrace's probes on all of them, with
# the ring buffer off (the probes return early), then on.
echo 1 >$enable || exit 1
echo 0 >/sys/kernel/tracing/tracing_on
measure events-off || { echo 1 >/sys/kernel/tracing/tracing_on; exit 1; }
echo 1 >/sys/kernel/tracing/tracing_on
measure events || exit 1
echo 0 >$enable
