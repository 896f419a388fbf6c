#!/bin/bash
# Guest side of ci/tests/perf-events.sh: Debian's perf (6.1) counts and
# records the series' events around test_vmalloc's fix_size_alloc_test with
# one worker. Each step is a separate insmod: perf stat with and without a
# kernel-side comm filter, perf record of vmalloc_alloc_stages with and
# without it. Usage: perf-events.sh LOOPS
loops=${1:?loops}
out=$VMSCOPE_RESULTS
ko=$VMSCOPE_KBUILD/lib/test_vmalloc.ko
args="nr_threads=1 run_test_mask=1 test_loop_count=$loops"
# Debian's /usr/bin/perf may be a wrapper that wants perf_<running kernel
# version>; none exists for 6.12, so call the versioned binary if there is one.
perf=$(ls /usr/bin/perf_[0-9]* 2>/dev/null | sort -V | tail -n 1)
perf=${perf:-/usr/bin/perf}
cd "$out" || exit 1
"$perf" --version >perf-version || exit 1
"$perf" list 'vmalloc:*' >perf-list 2>&1
# The filter goes to every event of the last glob; it runs in the kernel on
# current->comm, which is right for the worker even where perf's own view
# of the comm is not (see the test).
filter='comm == "vmalloc_test/0"'
"$perf" stat -a -x, -o stat-worker.csv -e 'vmalloc:*' --filter "$filter" -- insmod "$ko" $args 2>/dev/null
"$perf" stat -a -x, -o stat-all.csv -e 'vmalloc:*' -- insmod "$ko" $args 2>/dev/null
for what in worker all; do
	f=()
	[ $what = worker ] && f=(--filter "$filter")
	"$perf" record -q -a -o $what.data -e vmalloc:vmalloc_alloc_stages "${f[@]}" -- insmod "$ko" $args 2>/dev/null
	"$perf" script -i $what.data -F trace:comm,tid,event,trace >$what.txt 2>$what.script-err || exit 1
	"$perf" script -i $what.data --show-task-events -F comm,tid,event 2>/dev/null | grep PERF_RECORD_ >$what.task-events
done
exit 0
