#!/usr/bin/env bash
# A kernel panic in the guest is a failure (125) with a clear message, and
# the serial log that shows it is kept.
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
err=$(ci/vmrun -q -t 120 -r "$res" -- sh -c 'echo c >/proc/sysrq-trigger; sleep 60' 2>&1)
rc=$?
echo "$err"
expect_eq "status after a guest panic" $rc 125
grep -q 'FAIL: kernel panic' <<<"$err" || fail "no 'kernel panic' message: $err"
grep -q 'Kernel panic' "$res/serial.log" || fail "serial log $res/serial.log lost the panic"
echo "ok: serial log kept at $res/serial.log"

# A panic while booting, before the command runs, fails the same way at
# once: no second boot (the int3 oopses that once made vmrun retry came from
# multi-threaded TCG, which vmrun no longer uses for several vCPUs).
res=$(new_results)
err=$(ci/vmrun -q -t 120 -r "$res" -a "root=/dev/nonexistent" -- true 2>&1)
rc=$?
echo "$err"
expect_eq "status after a panic while booting" $rc 125
! grep -qi 'booting once more' <<<"$err" || fail "vmrun booted a panicked kernel again: $err"
grep -q 'Kernel panic' "$res/serial.log" || fail "the boot's log was not kept"
echo "ok: a boot that panics fails once, its log kept"
