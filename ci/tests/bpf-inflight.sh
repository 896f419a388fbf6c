#!/usr/bin/env bash
# Tracers attached while allocations are in flight: test_vmalloc's worker
# allocates 4 MiB areas in a loop (each nesting one for its page array) and
# vmlat (in each paired mode: -M events, fentry, kprobe) and vmtree -C
# attach and detach in the middle of allocations, for one second, three
# times each. An allocation whose entry or exit the tracer did not see must
# not leave a frame behind that turns every later one into a nested one or
# a lost one: nothing is lost, and top-level and nested counts stay equal
# but for the allocation cut at each end, which cannot be exact: attached
# between an outer vmalloc's entry and its nested one's, the nested one is
# counted (as nested with -M events, which the kernel's flag tells, -1; as
# top-level in the other modes, +1) and the outer not; read between the
# nested one's exit and the outer's, the nested one is counted and the
# outer not (-1). Hence +-2, not exact. (Exits whose entry came before the
# entry programs attached are counted apart, as unmatched.)
. "$(dirname "$0")/../testlib.sh"

runs=3
res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/inflight.sh $runs ${BPF_DIR:+"$BPF_DIR"} ||
	fail "guest script failed: $(tail -n 5 "$res/serial.log")"
for i in $(seq $runs); do
	for mode in events fentry kprobe; do
		out=$res/$mode-$i.out
		[ -s "$out" ] || fail "[$mode #$i] no output: $(cat "$res/$mode-$i.err")"
		read -r allocs nested lost unmatched < <(jq -r '"\(.allocs) \(.nested) \(.lost) \(.unmatched)"' "$out")
		echo "[$mode #$i] allocations $allocs (nested $nested), lost $lost, began before the tracer $unmatched"
		[ "$allocs" -ge 4 ] || fail "[$mode #$i] $allocs allocations measured in 1 s: the worker was not running"
		# Top level and nested alike, but for the cut allocations (above).
		diff=$((allocs - 2 * nested))
		[ "${diff#-}" -le 2 ] ||
			fail "[$mode #$i] $nested of $allocs allocations nested: want half (allocs - 2 x nested within +-2, got $diff)"
		expect_eq "[$mode #$i] lost" "$lost" 0
	done
	out=$res/tree-$i.out
	[ -s "$out" ] || fail "[vmtree #$i] no output: $(cat "$res/tree-$i.err")"
	echo "[vmtree #$i] guard areas $(jq .guard.areas "$out"), by caller: $(jq -c '[.guard_by_caller[] | {caller, areas}]' "$out")"
	areas=$(jq .guard.areas "$out")
	[ "$areas" -gt 0 ] || fail "[vmtree #$i] no guard area traced in 1 s: the test did not test"
	expect_eq "[vmtree #$i] guard areas by caller add up to all of them" \
		"$(jq '[.guard_by_caller[].areas] | add // 0' "$out")" "$areas"
	expect_eq "[vmtree #$i] areas with no caller" \
		"$(jq '[.guard_by_caller[] | select(.caller == "(outside vmalloc)") | .areas] | add // 0' "$out")" 0
	expect_eq "[vmtree #$i] vmallocs with an untracked caller" "$(jq '.lost_frames' "$out")" 0
done
! grep -qE 'enter_btf|core_f|core_k|reserved_btf' "$res/progs-after" || fail "BPF programs still loaded after the tools exited"
