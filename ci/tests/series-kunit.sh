#!/usr/bin/env bash
# The series' KUnit suite (mm/vmalloc_stages_kunit.c) passes in the booted
# patched kernel; its KTAP output is kept as build/test-logs' evidence.
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
ci/vmrun -q -r "$res" -a "kunit.enable=1 kunit.filter_glob=vmalloc_stages" -- \
	sh -c 'dmesg >"$VMSCOPE_RESULTS/dmesg"' || fail "guest run failed: $(tail -n 5 "$res/serial.log")"
# KTAP lines, without the dmesg timestamps.
sed -n 's/^\[ *[0-9.]*\] //p' "$res/dmesg" | grep -E '^ *(KTAP|1\.\.|ok|not ok|#)' | tee "$res/ktap"
check_ktap "$res/ktap" vmalloc_stages 9
