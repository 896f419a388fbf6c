#!/usr/bin/env bash
# The stage times hold the allocator's own time whatever else is attached
# (the series' patch 13): on one deterministic boot of the patched kernel,
# vmlat's per-stage averages of test_vmalloc's fix_size worker with vmtree
# attached (a BPF program on vmalloc_va_reserved, as make run does) are
# within 5% (or 20 ns) of vmlat alone just before or just after. Before
# patch 13, vmtree's program was charged to the reserve stage (+38% here).
# With every vmalloc event on in tracefs the figures are printed, not
# checked: the reserve stage is then about 150 ns longer, with ftrace's
# ring buffer on or off alike (tracing_on=0), though the probes' own time
# is out; not explained yet.
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
expect_eq "vmtree's exit status" "$(cat "$res/tree.rc")" 0
# vmtree saw every reservation of both runs it was attached for.
[ "$(json_field "$res/tree.out" reserved)" -ge $((2 * loops)) ] ||
	fail "vmtree counted $(json_field "$res/tree.out" reserved) reservations, not the $((2 * loops)) of its two runs"
for r in alone1 alone2 events events-off vmtree; do
	n=$(jq -r '.hists[] | select(.stage == "total" and .nested == false) | .count' "$res/$r.out")
	expect_eq "$r: allocations timed" "$n" "$loops"
done
# within REF GOT: GOT is within 5% of REF, or 20 ns.
within() {
	awk -v a="$1" -v x="$2" 'BEGIN { d = x - a; if (d < 0) d = -d
		lim = a * 0.05; if (lim < 20) lim = 20; exit !(d <= lim) }'
}
printf '%-11s %10s %10s %10s %10s %10s\n' stage alone vmtree alone2 events-off events
bad=0
for s in reserve page_array pages map publish total; do
	a1=$(avg "$res/alone1.out" $s) a2=$(avg "$res/alone2.out" $s)
	ev=$(avg "$res/events.out" $s) vt=$(avg "$res/vmtree.out" $s)
	printf '%-11s %10s %10s %10s %10s %10s\n' $s "${a1%.*}" "${vt%.*}" "${a2%.*}" \
		"$(avg "$res/events-off.out" $s | cut -d. -f1)" "${ev%.*}"
	# Within 5% of vmlat alone, or 20 ns, just before or just after: the
	# vmalloc space's state moves the stages over a boot (a purge worker in
	# the pages stage of one run, the free tree's shape in reserve), so one
	# run alone can be off by more than the bound.
	if [ "$vt" = none ] || [ "$a1" = none ] || [ "$a2" = none ]; then
		echo "FAIL: $s: no allocation timed"; bad=1
	elif ! within "$a1" "$vt" && ! within "$a2" "$vt"; then
		echo "FAIL: $s with vmtree: $vt ns against $a1 and $a2 ns alone"; bad=1
	fi
done
# What the stage events' timestamps give instead (vmlat -M events): the
# tool's own probes on the events that bound each stage, and any other
# consumer's, are in the stages. Shown, not checked: the
# cover letter's answer to "why durations in an event".
printf '%-11s %10s %10s   (vmlat -M events)\n' stage alone vmtree
for s in reserve page_array pages map publish total; do
	printf '%-11s %10s %10s\n' $s "$(avg "$res/events-mode.out" $s | cut -d. -f1)" "$(avg "$res/events-mode-vmtree.out" $s | cut -d. -f1)"
done
[ $bad = 0 ] || fail "stage times moved with other consumers attached"
echo "ok: every stage within 5% (or 20 ns) of vmlat alone"
