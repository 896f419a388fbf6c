#!/bin/bash
# Guest side of ci/tests/bpf-intervals.sh: vmcount and vmlat print every
# second while test_vmalloc's worker makes LOOPS small vmallocs over
# several seconds (vmlat also with -C); then vmlat -P with a small map while
# PROCS processes come and go; then a vmcount that gets SIGINT while it
# starts.
# Usage: intervals.sh LOOPS [BPF-DIR] [PROCS]   (BPF-DIR: other builds of the tools)
. "$VMSCOPE_TOP/ci/guest/lib.sh"
loops=${1:?loops}
BPF=${2:-$BPF}
out=$VMSCOPE_RESULTS
start_tracer count '^Tracing' "$BPF/vmcount" -j -c vmalloc_test/0 1 || exit 1
start_tracer lat '^Tracing' "$BPF/vmlat" -c vmalloc_test/0 -o "$out/lat.json" 1 || exit 1
start_tracer latc '^Tracing' "$BPF/vmlat" -j -C -c vmalloc_test/0 1 || exit 1
# fix_size_alloc_test: LOOPS x vmalloc(PAGE_SIZE), none nested.
run_test_vmalloc nr_threads=1 run_test_mask=1 test_loop_count="$loops"
for t in count lat latc; do stop_tracer $t; done

# A breakdown whose keys come and go: PROCS processes one after the other,
# each renamed (so a key of its own under -P) and making its own vmallocs
# (loading test_vmalloc, which fails by design), a second apart, under a
# vmlat -P whose map holds about two intervals' histograms (4 processes: the
# renamed one, the shell forking it, kthreadd, test_vmalloc's thread; 6 stages).
# Keys idle for an interval are taken out; none may be lost.
procs=${3:-8}
start_tracer prune '^Tracing' "$BPF/vmlat" -j -P --hist-entries 48 1 || exit 1
for i in $(seq "$procs"); do
	perl -e '
		my ($ko, $n) = @ARGV;
		syscall(157, 15, $n) == 0 or die "prctl: $!";	# PR_SET_NAME
		open(my $fh, "<", $ko) or die "$ko: $!";
		my $params = "run_test_mask=1 test_loop_count=1";
		syscall(313, fileno($fh), $params, 0);	# finit_module: fails by design
	' "$TEST_VMALLOC" "vmproc$i"
	sleep 1.5
done
sleep 1.5
stop_tracer prune

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
