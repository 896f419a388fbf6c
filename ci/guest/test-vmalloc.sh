#!/bin/bash
# Run lib/test_vmalloc.c in the guest and keep the kernel log.
# Usage: test-vmalloc.sh [--settle LOOPS] [MODULE_PARAM=VALUE ...]
# (see the module's run_test_mask, nr_threads, test_loop_count, nr_pages);
# --settle: an untimed pass at LOOPS loops first (tv_settle, lib.sh), and
# the timed cases with fixed sizes run before, and apart from, the random
# ones (TV_RANDOM_MASK), so that none starts from what a random one left.
# test_vmalloc returns -EAGAIN by design after its run, so insmod "fails".
. "$VMSCOPE_TOP/ci/guest/lib.sh"
ko=$TEST_VMALLOC
[ -r "$ko" ] || { echo "no $ko (CONFIG_TEST_VMALLOC=m)"; exit 1; }
settled=0
if [ "${1:-}" = --settle ]; then
	[ $# -ge 2 ] || { echo "${0##*/}: --settle needs a number of loops"; exit 2; }
	tv_settle "$2" "${@:3}" || exit 1
	shift 2
	settled=1
fi
# The series' vmalloc state file, before and after, where the kernel has it.
state=/sys/kernel/debug/vmalloc/state
[ -r $state ] && cat $state >"$VMSCOPE_RESULTS/state-before"
dmesg -C
mask=$(tv_param run_test_mask "$@")
if [ $settled = 1 ] && [ -n "$mask" ] && [ $((mask & TV_RANDOM_MASK)) != 0 ] && [ $((mask & ~TV_RANDOM_MASK)) != 0 ]; then
	tv_without run_test_mask "$@"
	insmod "$ko" "${tv_args[@]}" run_test_mask=$((mask & ~TV_RANDOM_MASK)) 2>"$VMSCOPE_RESULTS/insmod.err"
	insmod "$ko" "${tv_args[@]}" run_test_mask=$((mask & TV_RANDOM_MASK)) 2>>"$VMSCOPE_RESULTS/insmod.err"
else
	insmod "$ko" "$@" 2>"$VMSCOPE_RESULTS/insmod.err"
fi
grep -v 'Resource temporarily unavailable' "$VMSCOPE_RESULTS/insmod.err" >&2
dmesg >"$VMSCOPE_RESULTS/dmesg"
[ -r $state ] && cat $state >"$VMSCOPE_RESULTS/state-after"
exit 0
