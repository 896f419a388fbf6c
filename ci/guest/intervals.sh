#!/bin/bash
# Guest side of ci/tests/bpf-intervals.sh: vmcount and vmlat print every
# second while test_vmalloc's worker makes LOOPS small vmallocs over
# several seconds; then a vmcount that gets SIGINT while it starts.
# Usage: intervals.sh LOOPS [BPF-DIR]   (BPF-DIR: other builds of the tools)
. "$VMSCOPE_TOP/ci/guest/lib.sh"
loops=${1:?loops}
BPF=${2:-$BPF}
out=$VMSCOPE_RESULTS
start_tracer count '^Tracing' "$BPF/vmcount" -j -c vmalloc_test/0 1 || exit 1
start_tracer lat '^Tracing' "$BPF/vmlat" -c vmalloc_test/0 -o "$out/lat.json" 1 || exit 1
# fix_size_alloc_test: LOOPS x vmalloc(PAGE_SIZE), none nested.
run_test_vmalloc nr_threads=1 run_test_mask=1 test_loop_count="$loops"
for t in count lat; do stop_tracer $t; done

# SIGINT before it loads: -o FILE is a FIFO that nobody reads yet, so it
# waits in its start-up (before loading, as a slow load would); a clean
# exit follows, with its one report, once the FIFO has a reader.
mkfifo "$out/early.fifo"
"$BPF/vmcount" -o "$out/early.fifo" >"$out/early.out" 2>"$out/early.err" &
pid=$!
sleep 1
kill -INT $pid
timeout 20 cat "$out/early.fifo" >"$out/early.json" &
wait $pid
echo $? >"$out/early.rc"
wait
exit 0
