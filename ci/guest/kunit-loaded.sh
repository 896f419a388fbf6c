#!/bin/bash
# Guest side of ci/tests/series-kunit-loaded.sh: the series' KUnit suite run
# RUNS times from debugfs while a loop forks 8 processes at a time (each
# fork vmallocs a VMAP_STACK stack). Usage: kunit-loaded.sh RUNS
. "$VMSCOPE_TOP/ci/guest/lib.sh"
runs=${1:?runs}
(
	while :; do
		for _ in 1 2 3 4 5 6 7 8; do /bin/true & done
		wait
	done
) &
load=$!
pass=0
for ((i = 1; i <= runs; i++)); do
	# stages_probe_time skips when its allocation waited to run longer than
	# its bound: under this load it is preempted for tens of ms.
	if run_kunit_suite vmalloc_stages stages_probe_time; then
		pass=$((pass + 1))
	else
		echo "run $i failed:"
		grep -E 'not ok|# SKIP|Expected|ASSERT|EXPECT' "$VMSCOPE_RESULTS/kunit-vmalloc_stages.ktap" | head -n 20
		cp "$VMSCOPE_RESULTS/kunit-vmalloc_stages.ktap" "$VMSCOPE_RESULTS/kunit-failed-$i.ktap"
	fi
done
kill $load
wait 2>/dev/null
echo "kunit-loaded: $pass of $runs runs passed under fork load"
[ $pass = "$runs" ]
