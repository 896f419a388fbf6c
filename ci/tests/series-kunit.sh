#!/usr/bin/env bash
# The series' KUnit suite (mm/vmalloc_stages_kunit.c) passes in the booted
# patched kernel; its KTAP output is kept as build/test-logs' evidence.
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
ci/vmrun -q -r "$res" -a "kunit.enable=1 kunit.filter_glob=vmalloc_stages" -- \
	sh -c 'dmesg >"$VMSCOPE_RESULTS/dmesg"' || fail "guest run failed: $(tail -n 5 "$res/serial.log")"
# KTAP lines, without the dmesg timestamps.
sed -n 's/^\[ *[0-9.]*\] //p' "$res/dmesg" | grep -E '^ *(KTAP|1\.\.|ok|not ok|#)' | tee "$res/ktap"
! grep -q 'not ok' "$res/ktap" || fail "a test case failed"
grep -qE '^ok [0-9]+ vmalloc_stages( # SKIP.*)?$' "$res/ktap" || fail "suite vmalloc_stages did not pass"
# A skipped case ("ok N name # SKIP reason") is counted apart, not passed.
n=$(grep -E '^ +ok [0-9]+ ' "$res/ktap" | grep -vc '# SKIP')
skipped=$(grep -E '^ +ok [0-9]+ .*# SKIP' "$res/ktap" | sed -E 's/^ +ok [0-9]+ //' | paste -sd ';')
ns=$(grep -cE '^ +ok [0-9]+ .*# SKIP' "$res/ktap")
expect_eq "test cases run (passed + skipped)" $((n + ns)) 8
[ -z "$skipped" ] || skip "KUnit cases skipped on the patched kernel: $skipped"
expect_eq "test cases passed" "$n" 8
