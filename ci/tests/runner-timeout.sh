#!/usr/bin/env bash
# A guest that does not finish in time is killed: status 124, a message,
# the log kept, and no QEMU left behind.
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
err=$(ci/vmrun -q -t 20 -r "$res" -- sleep 1000 2>&1)
rc=$?
echo "$err"
expect_eq "status after a timeout" $rc 124
grep -q 'FAIL: timeout' <<<"$err" || fail "no timeout message: $err"
grep -q 'vmscope-guest: .* running the command' "$res/serial.log" ||
	fail "serial log $res/serial.log does not show the guest command starting"
! pgrep -f "qemu-system-x86_64.*$res" || fail "QEMU still running after timeout"
echo "ok: no QEMU left"
