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

# A panic while booting, before the command runs, is booted once more (a
# crash seen once in about 100 TCG boots with two vCPUs); one that repeats
# fails the same way, with both logs kept.
res=$(new_results)
err=$(ci/vmrun -q -t 120 -r "$res" -a "root=/dev/nonexistent" -- true 2>&1)
rc=$?
echo "$err"
expect_eq "status after a panic in both boots" $rc 125
grep -q 'WARNING: the guest crashed while booting' <<<"$err" || fail "no retry message: $err"
grep -q 'Kernel panic' "$res/serial-boot1.log" || fail "first boot's log not kept"
grep -q 'Kernel panic' "$res/serial.log" || fail "second boot's log not kept"
echo "ok: a boot that panics twice fails, both logs kept"
