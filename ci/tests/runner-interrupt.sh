#!/usr/bin/env bash
# Ctrl-C (SIGINT) or SIGTERM to vmrun stops the guest: no QEMU left.
. "$(dirname "$0")/../testlib.sh"
# Job control: without it a background job starts with SIGINT ignored,
# as it would not be from an interactive shell.
set -m

for sig in INT TERM; do
	res=$(new_results)
	# A shell started in the background without job control (nohup CMD &)
	# ignores SIGINT, and its children cannot trap it: restore it.
	env --default-signal=INT,TERM ci/vmrun -q -t 120 -r "$res" -- sleep 1000 &
	pid=$!
	# Wait until the guest command runs, so the signal lands mid-run.
	if ! wait_for 60 "$res/serial.log" 'running the command' $pid; then
		kill -TERM $pid 2>/dev/null
		wait $pid
		fail "the guest command did not start within 60 s, SIG$sig not sent: $(tail -n 5 "$res/serial.log")"
	fi
	pgrep -f "qemu-system-x86_64.*$res" >/dev/null || fail "QEMU did not start"
	kill -$sig $pid
	wait $pid
	rc=$?
	expect_eq "vmrun status after SIG$sig" $rc $([ $sig = INT ] && echo 130 || echo 143)
	! pgrep -f "qemu-system-x86_64.*$res" || fail "QEMU still running after SIG$sig"
	echo "ok: no QEMU left after SIG$sig"
done
