#!/usr/bin/env bash
# The series' KUnit suite counts only what it controls: run 10 times from
# debugfs on 2 vCPUs while a loop forks 8 processes at a time (VMAP_STACK
# stacks, kworkers: concurrent vmallocs), every run passes.
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
ci/vmrun -q -c 2 -t 400 -r "$res" -a "kunit.enable=1 kunit.filter_glob=vmalloc_stages" -- \
	ci/guest/kunit-loaded.sh 10
rc=$?
grep -a 'kunit-loaded:\|run [0-9]* failed\|Expected' "$res/serial.log" | tr -d '\r' | head -n 30
expect_eq "vmrun status (every run passed)" $rc 0
