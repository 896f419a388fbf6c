#!/usr/bin/env bash
# vmtrace hist leaves no tracefs instance behind (one would keep its buffer
# and its events on): after a normal end, SIGINT, SIGTERM, SIGHUP, SIGPIPE
# (`vmtrace hist -j 1 | head -1`), a bad option, a filter the kernel refuses
# and stdout on /dev/full (each with its exit status and message), and after
# --kernel (hist triggers hold their events). Listed in the guest.
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/vmtrace.sh cleanup || fail "guest run failed: $(tail -n 5 "$res"/*.err 2>/dev/null)"
for c in normal sigINT sigTERM sigHUP sigPIPE badopt badfilter full kernel; do
	expect_eq "instances after $c" "$(cat "$res/instances-$c")" ""
done
for s in INT TERM HUP; do
	grep -q '^vmtrace-[0-9]*$' "$res/instances-during-$s" || fail "no vmtrace-PID instance while running: $(cat "$res/instances-during-$s")"
	expect_eq "exit status after SIG$s" "$(cat "$res/sig$s.rc")" 0
	jq -e '.hists and .tree' "$res/sig$s.out" >/dev/null || fail "no final report after SIG$s"
done
echo "ok: a vmtrace-PID instance while running"
expect_eq "normal exit status" "$(cat "$res/normal.rc")" 0
jq -e '.tree.reserved >= 0' "$res/normal.out" >/dev/null || fail "normal run: no report"
expect_eq "--kernel exit status" "$(cat "$res/kernel.rc")" 0
jq -e '.tree.guard | keys == ["areas", "bytes"]' "$res/kernel.out" >/dev/null ||
	fail "--kernel prints guard figures it does not measure: $(jq -c .tree.guard "$res/kernel.out")"
expect_eq "--kernel: hist entries dropped" "$(jq .dropped "$res/kernel.out")" 0
expect_eq "SIGPIPE (reader gone) exit status" "$(cat "$res/sigPIPE.rc")" 1
jq -e '.hists and .tree' "$res/sigPIPE.out" >/dev/null || fail "SIGPIPE: no first report: $(cat "$res/sigPIPE.out")"
expect_eq "SIGPIPE message" "$(cat "$res/sigPIPE.err" | grep -v '^Tracing')" "vmtrace: cannot write the report: Broken pipe"
expect_eq "stdout on /dev/full: exit status" "$(cat "$res/full.rc")" 1
expect_eq "stdout on /dev/full: message" "$(cat "$res/full.err" | grep -v '^Tracing')" \
	"vmtrace: cannot write the report: No space left on device"
expect_eq "bad option exit status" "$(cat "$res/badopt.rc")" 64
grep -q "invalid size 'x'" "$res/badopt.err" || fail "bad option: $(cat "$res/badopt.err")"
expect_eq "bad filter exit status" "$(cat "$res/badfilter.rc")" 1
grep -q "the kernel refused the filter" "$res/badfilter.err" || fail "bad filter: $(cat "$res/badfilter.err")"
echo "ok: messages: $(cat "$res/badopt.err" | head -n1); $(cat "$res/badfilter.err")"
