#!/usr/bin/env bash
# vmlat without the series' events: the total latency through fentry/fexit
# and through kprobes, exact counts of a known thread's allocations. On the
# patched kernel (forced modes) always; on the baseline kernel (what vmlat
# chooses by itself: -M funcs, the stages its symbols allow, and the errors
# of what needs the series) when it is built (make baseline; make bench
# builds it). ci/tests/stock-kernel.sh checks -M funcs' stages.
. "$(dirname "$0")/../testlib.sh"

loops=50
check_mode() { # results mode
	local out=$1/lat-$2.out
	cat "$1/lat-$2.err"
	expect_eq "[$2] exit status after SIGINT" "$(cat "$1/lat-$2.rc")" 0
	expect_eq "[$2] allocations (incl. nested)" "$(json_field "$out" allocs)" $((2 * loops))
	expect_eq "[$2] nested" "$(json_field "$out" nested)" $loops
	[ "$2" = auto ] ||
		expect_eq "[$2] stage histograms" "$(jq '[.hists[] | select(.stage != "total")] | length' "$out")" 0
	expect_eq "[$2] total count" "$(jq '[.hists[] | select(.stage == "total") | .count] | add' "$out")" $((2 * loops))
	expect_eq "[$2] lost" "$(json_field "$out" lost)" 0
	# -C: every allocation under test_vmalloc's caller, named after the
	# module (gone by the time vmlat prints).
	out=$1/latc-$2.out
	expect_eq "[$2 -C] exit status after SIGINT" "$(cat "$1/latc-$2.rc")" 0
	echo "[$2 -C] callers: $(jq -c '[.hists[] | {caller, nested, count}]' "$out")"
	expect_eq "[$2 -C] allocations of test_vmalloc's caller" \
		"$(jq '[.hists[] | select(.stage == "total" and (.caller | test("\\[test_vmalloc\\]"))) | .count] | add' "$out")" $((2 * loops))
	expect_eq "[$2 -C] allocations" "$(json_field "$out" allocs)" $((2 * loops))
}

res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/total-only.sh $loops fentry kprobe ||
	fail "guest script failed: $(tail -n 5 "$res/serial.log")"
check_mode "$res" fentry
check_mode "$res" kprobe
grep -q 'fentry/fexit on __vmalloc_node_range_noprof' "$res/lat-fentry.err" || fail "fentry mode did not say what it attached to"
# fexit runs preemptible (migration disabled only): its per-CPU max is a
# compare-and-swap loop (and its counts atomic adds); kretprobes run with
# preemption disabled: plain updates, no compare-and-swap.
grep -q 'exit$' "$res/xlated-core_kretprobe" || fail "no xlated core_kretprobe: $(head -c 300 "$res/xlated-core_kretprobe")"
[ "$(grep -c cmpxchg "$res/xlated-core_fexit")" -gt 0 ] ||
	fail "fentry mode: no compare-and-swap in core_fexit (a preempted max update is lost): $(head -c 300 "$res/xlated-core_fexit")"
echo "ok: fentry mode: core_fexit's max by compare-and-swap ($(grep -c cmpxchg "$res/xlated-core_fexit") in its programs)"
expect_eq "kprobe mode: compare-and-swaps in core_kretprobe" "$(grep -c cmpxchg "$res/xlated-core_kretprobe")" 0

if [ ! -f "$(kernel_out baseline)/arch/x86/boot/bzImage" ]; then
	# The patched half passed; the baseline half did not run: a skip, not a pass.
	skip "baseline kernel not built (make baseline): its half not run; the patched half passed"
fi
res=$(new_results)
ci/vmrun -q -k baseline -r "$res" -- ci/guest/total-only.sh $loops auto ||
	fail "baseline guest script failed: $(tail -n 5 "$res/serial.log")"
check_mode "$res" auto
expect_eq "[baseline] mode chosen" "$(json_field "$res/lat-auto.out" mode)" funcs
expect_eq "[baseline] reserve count" "$(jq '[.hists[] | select(.stage == "reserve") | .count] | add' "$res/lat-auto.out")" $((2 * loops))
grep -q 'apart they need the vmscope series' "$res/lat-auto.err" || fail "vmlat did not say what needs the series"
expect_eq "[baseline] vmlat -M stages exit status" "$(cat "$res/stages.rc")" 1
grep -q 'no vmalloc:vmalloc_alloc_stages event' "$res/stages.err" || fail "vmlat -M stages: $(cat "$res/stages.err")"
expect_eq "[baseline] vmtree exit status" "$(cat "$res/vmtree.rc")" 1
grep -q 'need the vmscope series' "$res/vmtree.err" || fail "vmtree: $(cat "$res/vmtree.err")"
! grep -qE 'core_fentry|core_fexit|fn_' "$res/progs-after" || fail "BPF programs still loaded after vmlat exited"
