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
