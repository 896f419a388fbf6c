#!/usr/bin/env bash
# The stage times hold the allocator's own time whatever else is attached
# (the series' patch 13): on one deterministic boot of the patched kernel,
# vmlat's per-stage averages of test_vmalloc's fix_size worker with vmtree
# attached (a BPF program on vmalloc_va_reserved, as make run does) are
# within 5% (or 20 ns) of vmlat alone.
# Before patch 13, vmtree's program was charged to the reserve stage (+55%).
# With every vmalloc event on in tracefs the figures are printed, not
# checked: ftrace's ring buffer leaves work outside its probe calls (with
# tracing_on=0 the same probes cost the reserve stage 14 ns, with it on
# 74 ns), and a purge worker that runs inside an allocation is wall time.
. "$(dirname "$0")/../testlib.sh"

loops=${PROBE_TIME_LOOPS:-5000}
res=$(new_results)
ci/vmrun -q -D -r "$res" -- ci/guest/probe-time.sh "$loops" ||
	fail "guest run failed: $(tail -n 5 "$res/serial.log")"

# avg FILE STAGE: the top-level allocations' mean time in STAGE, ns.
avg() {
	jq -r --arg s "$2" '.hists[] | select(.stage == $s and .nested == false) |
		if .count > 0 then .sum_ns / .count else "none" end' "$1"
}
for r in alone1 alone2 events vmtree; do
	n=$(jq -r '.hists[] | select(.stage == "total" and .nested == false) | .count' "$res/$r.out")
	expect_eq "$r: allocations timed" "$n" "$loops"
done
printf '%-11s %10s %10s %10s %10s\n' stage alone events vmtree alone2
bad=0
for s in reserve page_array pages map publish total; do
	a1=$(avg "$res/alone1.out" $s) a2=$(avg "$res/alone2.out" $s)
	ev=$(avg "$res/events.out" $s) vt=$(avg "$res/vmtree.out" $s)
	printf '%-11s %10.0f %10.0f %10.0f %10.0f\n' $s "$a1" "$ev" "$vt" "$a2"
	# Within 5% of vmlat alone, or 20 ns. The last run alone is shown, not
	# checked: what the boot itself moves (issue: boot states, make bench).
	for x in "$vt:vmtree"; do
		awk -v a="$a1" -v x="${x%%:*}" 'BEGIN {
			d = x - a; if (d < 0) d = -d
			lim = a * 0.05; if (lim < 20) lim = 20
			exit !(d <= lim) }' ||
			{ echo "FAIL: $s with ${x#*:}: ${x%%:*} ns against $a1 ns alone"; bad=1; }
	done
done
# What the stage events' timestamps give instead (vmlat -M events): the
# other consumers' probes are in the stages. Shown, not checked: the
# cover letter's answer to "why durations in an event".
printf '%-11s %10s %10s   (vmlat -M events)\n' stage alone vmtree
for s in reserve page_array pages map publish total; do
	printf '%-11s %10.0f %10.0f\n' $s "$(avg "$res/events-mode.out" $s)" "$(avg "$res/events-mode-vmtree.out" $s)"
done
[ $bad = 0 ] || fail "stage times moved with other consumers attached"
echo "ok: every stage within 5% (or 20 ns) of vmlat alone"
