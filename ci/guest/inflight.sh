#!/bin/bash
# Guest side of ci/tests/bpf-inflight.sh: tracers that start and stop while
# test_vmalloc's worker is inside vmalloc (4 MiB areas in a loop, each
# nesting one for its page array), RUNS times each, for one second.
# Usage: inflight.sh RUNS [BPF-DIR]   (BPF-DIR: other builds of the tools)
. "$VMSCOPE_TOP/ci/guest/lib.sh"
runs=${1:?runs}
BPF=${2:-$BPF}
out=$VMSCOPE_RESULTS
(
	while [ ! -e "$out/stop" ]; do
		insmod "$TEST_VMALLOC" nr_threads=1 run_test_mask=1 nr_pages=1024 test_loop_count=5000 2>/dev/null
	done
) &
worker=$!
for _ in $(seq 100); do pgrep -x vmalloc_test/0 >/dev/null && break; sleep 0.1; done
for i in $(seq "$runs"); do
	for mode in events fentry kprobe; do
		"$BPF/vmlat" -j -M $mode -c vmalloc_test/0 1 1 >"$out/$mode-$i.out" 2>"$out/$mode-$i.err"
	done
	"$BPF/vmtree" -j -C -c vmalloc_test/0 1 1 >"$out/tree-$i.out" 2>"$out/tree-$i.err"
done
touch "$out/stop"
wait $worker
bpftool prog show >"$out/progs-after"
exit 0
