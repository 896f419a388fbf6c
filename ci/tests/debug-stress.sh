#!/usr/bin/env bash
# The series on its debug kernel (FLAVOR=debug: KASAN with vmalloc shadow,
# lockdep, DEBUG_VM, atomic-sleep and list checks, kmemleak, fault
# injection), 2 vCPUs, every vmalloc event on and every vmscope tracer
# attached: the KUnit suite, test_vmalloc (2 workers, every case that
# passes on 6.12 but full_fit and long_busy_list, the slowest under KASAN:
# make stress runs them), vmallocs with every page-table allocation of the
# map stage failed (fail_page_alloc's stack filter), then vmallocs under
# failslab and fail_page_alloc. No report of any kind, kmemleak clean,
# every failure in the events with its stage (map included).
# The short slice of `make stress` (which also runs the baseline kernel).
# timeout: 1500 (its guest may run 1200 s)
. "$(dirname "$0")/../testlib.sh"

kb=$(kernel_out patched debug)
[ -f "$kb/arch/x86/boot/bzImage" ] || fail "no debug kernel at $kb (FLAVOR=debug make kernel)"
res=$(new_results)
s=$SECONDS
ci/vmrun -q -c 2 -f debug -t 1200 -r "$res" -a "kunit.enable=1 kunit.filter_glob=vmalloc_stages" -- \
	ci/guest/stress.sh 2 100 100 2 0xffb9
rc=$?
grep -a '^stress: ' "$res/serial.log" | tr -d '\r'
echo "debug boot and stress run: $((SECONDS - s)) s"
expect_eq "vmrun status (125: a kernel report)" $rc 0
grep -aq 'stress: kunit: ok' "$res/serial.log" || fail "the KUnit suite did not pass on the debug kernel"
ci/stress-check.sh "$res" patched
