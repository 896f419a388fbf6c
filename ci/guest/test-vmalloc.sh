#!/bin/bash
# Run lib/test_vmalloc.c in the guest and keep the kernel log.
# Usage: test-vmalloc.sh [MODULE_PARAM=VALUE ...]
# (see the module's run_test_mask, nr_threads, test_loop_count, nr_pages).
# test_vmalloc returns -EAGAIN by design after its run, so insmod "fails".
ko=$VMSCOPE_KBUILD/lib/test_vmalloc.ko
[ -r "$ko" ] || { echo "no $ko (CONFIG_TEST_VMALLOC=m)"; exit 1; }
# The series' vmalloc state file, before and after, where the kernel has it.
state=/sys/kernel/debug/vmalloc/state
[ -r $state ] && cat $state >"$VMSCOPE_RESULTS/state-before"
dmesg -C
insmod "$ko" "$@" 2>"$VMSCOPE_RESULTS/insmod.err"
grep -v 'Resource temporarily unavailable' "$VMSCOPE_RESULTS/insmod.err" >&2
dmesg >"$VMSCOPE_RESULTS/dmesg"
[ -r $state ] && cat $state >"$VMSCOPE_RESULTS/state-after"
exit 0
