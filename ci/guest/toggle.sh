#!/bin/bash
# Guest side of ci/tests/runner-toggle.sh: flip a vmalloc event (each
# a static key: live kernel text patching) FLIPS times while a test_vmalloc
# worker runs that code on the other vCPU. Usage: toggle.sh FLIPS [EVENT]
. "$VMSCOPE_TOP/ci/guest/lib.sh"
flips=${1:?flips}
ev=/sys/kernel/tracing/events/vmalloc/${2:-alloc_vmap_area}/enable

insmod "$TEST_VMALLOC" nr_threads=1 run_test_mask=1 test_loop_count=100000000 2>/dev/null &
load=$!
# The workers run once their kthreads show up.
for _ in $(seq 100); do pgrep -f vmalloc_test/ >/dev/null && break; sleep 0.1; done
pgrep -f vmalloc_test/ >/dev/null || { echo "test_vmalloc workers did not start"; exit 1; }
start=$(date +%s.%N)
for ((i = 0; i < flips; i++)); do
	echo 1 >"$ev"
	echo 0 >"$ev"
done
secs=$(echo "$(date +%s.%N) - $start" | bc)
echo "flips: $flips enable/disable pairs of vmalloc:${2:-alloc_vmap_area} in ${secs}s under load"
pgrep -f vmalloc_test/ >/dev/null || { echo "the workers ended before the flips did"; exit 1; }
# test_vmalloc cannot be stopped early: the guest is powered off with it.
kill $load 2>/dev/null
exit 0
