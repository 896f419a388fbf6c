#!/usr/bin/env bash
# The patched kernel boots under QEMU and has BTF, tracefs, bpffs and the
# test module; boot-to-result time is within budget.
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
start=$(date +%s.%N)
ci/vmrun -q -c 2 -r "$res" -- ci/guest/basics.sh || fail "guest checks failed (exit $?): $(grep -a 'not ok' "$res/serial.log")"
secs=$(echo "$(date +%s.%N) - $start" | bc)
grep -a '^ok - ' "$res/serial.log" | tr -d '\r'
expect_eq "guest kernel release" "$(cat "$res/uname")" "$(cat "$(kernel_out patched)/.vmscope-version")"
expect_eq "guest vCPUs" "$(cat "$res/nproc")" 2
printf 'boot to guest command result: %.1f s (budget 15 s)\n' "$secs"
[ "$(echo "$secs <= 15" | bc)" = 1 ] || fail "boot to result took ${secs}s, budget is 15s"
