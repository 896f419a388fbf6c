#!/bin/bash
# Guest side of ci/tests/bpf-vmcount.sh: vmcount counts exactly the
# allocations of test_vmalloc's single worker thread.
# Usage: vmcount.sh LOOPS
loops=${1:?loops}
out=$VMSCOPE_RESULTS
bin=$VMSCOPE_TOP/build/bpf/vmcount

"$bin" -j -c vmalloc_test/0 >"$out/vmcount.json" 2>"$out/vmcount.err" &
pid=$!
for _ in $(seq 300); do
	grep -q '^Tracing' "$out/vmcount.err" && break
	kill -0 $pid 2>/dev/null || { cat "$out/vmcount.err"; exit 1; }
	sleep 0.1
done
grep -q '^Tracing' "$out/vmcount.err" || { echo "vmcount did not attach"; cat "$out/vmcount.err"; kill $pid; exit 1; }
bpftool prog show >"$out/progs-during"

# fix_size_alloc_test: LOOPS x vmalloc(PAGE_SIZE) from the worker thread.
insmod "$VMSCOPE_KBUILD/lib/test_vmalloc.ko" nr_threads=1 run_test_mask=1 \
	test_loop_count="$loops" 2>/dev/null
dmesg >"$out/dmesg"

kill -INT $pid
wait $pid
echo $? >"$out/vmcount.rc"
bpftool prog show >"$out/progs-after"
