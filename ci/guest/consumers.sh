#!/bin/bash
# Guest side of ci/tests/series-consumers.sh: trace-cmd (tracefs) and
# bpftrace read the stage events as they are, during test_vmalloc's
# fix_size_alloc_test with one worker. Usage: consumers.sh LOOPS
loops=${1:?loops}
out=$VMSCOPE_RESULTS
ko=$VMSCOPE_KBUILD/lib/test_vmalloc.ko
args="nr_threads=1 run_test_mask=1 test_loop_count=$loops"
cd "$out" || exit 1

trace-cmd record -q -e vmalloc -o "$out/trace.dat" insmod "$ko" $args >"$out/trace-cmd.log" 2>&1
trace-cmd report -i "$out/trace.dat" >"$out/report.txt" 2>>"$out/trace-cmd.log" || exit 1

bpftrace -e '
tracepoint:vmalloc:vmalloc_alloc_exit /comm == "vmalloc_test/0"/ {
	@exits = count();
	@failed_stage[args->stage] = count();
}
tracepoint:vmalloc:vmalloc_va_reserved /comm == "vmalloc_test/0"/ {
	@guard_bytes = sum(args->guard);
	@depth = hist(args->depth);
}
tracepoint:vmalloc:vmalloc_alloc_stages /comm == "vmalloc_test/0"/ {
	@summaries = count();
	@total_ns = hist(args->total_ns);
}
tracepoint:vmalloc:vmalloc_alloc_stages /comm == "vmalloc_test/0" &&
    args->total_ns != args->reserve_ns + args->page_array_ns + args->pages_ns +
		      args->map_ns + args->publish_ns/ {
	@stage_sum_mismatch = count();
}' >"$out/bpftrace.out" 2>&1 &
pid=$!
# Attaching takes seconds of guest time under TCG: wait for it.
for _ in $(seq 600); do
	grep -q '^Attaching' "$out/bpftrace.out" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
grep -q '^Attaching' "$out/bpftrace.out" || { kill $pid; exit 1; }
insmod "$ko" $args 2>/dev/null
kill -INT $pid
wait $pid
