#!/bin/bash
# Guest side of ci/tests/series-concurrency.sh, on 2 vCPUs, in a private
# tracefs instance. Usage: concurrency.sh LOOPS READER_LOOPS
#  1. test_vmalloc's fix_size_alloc_test, 2 workers x LOOPS (in three
#     rounds of LOOPS/3), while a loop
#     moves the workers between the CPUs: vmalloc_alloc_stages and the
#     workers' migrations into migrate.trace, the workers'
#     vmalloc_va_reserved counted by an ftrace hist trigger (pool hit,
#     failed, nodes visited) into reserved.hist; the state file before
#     and after.
#  2. one worker x READER_LOOPS, without and then with a reader looping on
#     /sys/kernel/debug/vmalloc/state: vmalloc_alloc_stages into
#     reader-off.trace and reader-on.trace.
. "$VMSCOPE_TOP/ci/guest/lib.sh"
loops=${1:?loops} reader_loops=${2:?reader loops}
out=$VMSCOPE_RESULTS
T=/sys/kernel/tracing
inst=$T/instances/vmscope-concurrency
state=/sys/kernel/debug/vmalloc/state

mkdir "$inst" || exit 1
trap 'echo 0 >"$inst/tracing_on"; rmdir "$inst" 2>/dev/null' EXIT
echo 32768 >"$inst/buffer_size_kb"
echo 0 >"$inst/tracing_on"
enable() { for e in "$@"; do echo 1 >"$inst/events/$e/enable" || exit 1; done; }
collect() { # file: the trace, then the lost-event counts
	echo 0 >"$inst/tracing_on"
	cat "$inst/trace" >"$out/$1"
	grep -h overrun "$inst"/per_cpu/cpu*/stats | awk '{ n += $2 } END { print n + 0 }' >"$out/$1.overrun"
	echo >"$inst/trace"
}

# 1. Two workers, moved between the CPUs every 10 ms.
enable vmalloc/vmalloc_alloc_stages sched/sched_migrate_task
echo 'comm ~ "vmalloc_test/*"' >"$inst/events/sched/sched_migrate_task/filter"
echo 'hist:keys=pool_hit,failed,depth:size=8192 if comm ~ "vmalloc_test/*"' \
	>"$inst/events/vmalloc/vmalloc_va_reserved/trigger" || exit 1
cat "$state" >"$out/state-before"
(
	# Swap the workers' CPUs as fast as taskset runs, finding them again
	# when a round of test_vmalloc ends and the next one starts.
	cpu=0 pids=
	while :; do
		[ -n "$pids" ] || { pids=$(pgrep '^vmalloc_test/') || { sleep 0.01; continue; }; }
		for p in $pids; do
			taskset -p -c $cpu "$p" >/dev/null 2>&1 || pids=
			cpu=$((1 - cpu))
		done
		cpu=$((1 - cpu))
	done
) &
mover=$!
echo 1 >"$inst/tracing_on"
# Three rounds: more time for the mover than one long run gives it.
for _ in 1 2 3; do
	insmod "$TEST_VMALLOC" nr_threads=2 run_test_mask=1 test_loop_count=$((loops / 3)) 2>/dev/null
done
kill $mover; wait $mover 2>/dev/null
collect migrate.trace
cat "$inst/events/vmalloc/vmalloc_va_reserved/hist" >"$out/reserved.hist"
echo '!hist:keys=pool_hit,failed,depth:size=8192 if comm ~ "vmalloc_test/*"' \
	>"$inst/events/vmalloc/vmalloc_va_reserved/trigger"
cat "$state" >"$out/state-after"
echo 0 >"$inst/events/enable"

# 2. One worker, the state file unread, then read in a loop.
enable vmalloc/vmalloc_alloc_stages
for phase in off on; do
	reader=
	if [ $phase = on ]; then
		(
			n=0
			trap 'echo $n >"$out/reader-reads"; exit 0' TERM
			# mapfile: a builtin, so the loop reads without forking.
			while :; do mapfile -t _ <"$state"; n=$((n + 1)); done
		) &
		reader=$!
	fi
	echo 1 >"$inst/tracing_on"
	insmod "$TEST_VMALLOC" nr_threads=1 run_test_mask=1 test_loop_count="$reader_loops" 2>/dev/null
	[ -z "$reader" ] || { kill $reader; wait $reader 2>/dev/null; }
	collect reader-$phase.trace
done
exit 0
