#!/bin/bash
# Guest side of ci/tests/stock-kernel.sh: the tools on a kernel without the
# series against a known workload: ci/kmod's vmalloc_faults built for this
# kernel, ROUNDS vmallocs of each of 1, 3, 17 and 1024 pages from one
# kthread (comm vmalloc_faults), the last nesting one for its page array.
# Then, where test_vmalloc.ko is built (the baseline kernel: Debian's has
# none), a known failure: align_shift_alloc_test (run_test_mask=64) ends
# at its first NULL, one __vmalloc_node with an alignment no area has
# (__get_vm_area_node returns NULL: reserve), under vmlat -M funcs,
# -M fentry and -M kprobe filtered to its worker (vmalloc_test/0).
# Usage: stock.sh ROUNDS KMOD_DIR
. "$VMSCOPE_TOP/ci/guest/lib.sh"
rounds=${1:?rounds}
kmod=${2:?kmod dir}
out=$VMSCOPE_RESULTS
uname -r >"$out/uname"
start_tracer lat '^Tracing' "$BPF/vmlat" -j -c vmalloc_faults || exit 1
start_tracer latk '^Tracing' "$BPF/vmlat" -j -c vmalloc_faults -M kprobe || exit 1
start_tracer count '^Tracing' "$BPF/vmcount" -j -c vmalloc_faults || exit 1
dmesg -C
insmod "$kmod/vmalloc_faults.ko" rounds="$rounds" 2>/dev/null
dmesg >"$out/workload.dmesg"
for t in lat latk count; do stop_tracer $t; done
if [ -r "$TEST_VMALLOC" ]; then
	start_tracer failf '^Tracing' "$BPF/vmlat" -j -c vmalloc_test/0 -M funcs || exit 1
	start_tracer faile '^Tracing' "$BPF/vmlat" -j -c vmalloc_test/0 -M fentry || exit 1
	start_tracer failk '^Tracing' "$BPF/vmlat" -j -c vmalloc_test/0 -M kprobe || exit 1
	run_test_vmalloc nr_threads=1 run_test_mask=64 test_repeat_count=1
	for t in failf faile failk; do stop_tracer $t; done
fi
"$BPF/vmtree" >"$out/vmtree.out" 2>"$out/vmtree.err"
echo $? >"$out/vmtree.rc"
bpftool prog show >"$out/progs-after"
exit 0
