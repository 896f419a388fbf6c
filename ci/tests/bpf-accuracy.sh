#!/usr/bin/env bash
# vmlat (both stage modes) and vmtree against ground truth in the booted
# patched kernel: a known thread's allocations counted exactly (nested ones apart), every
# histogram summing to its count, stages adding up to the total, failures
# and VM_NO_GUARD areas from the series' KUnit suite, and the guard-page
# totals agreeing with the kernel's own counter.
. "$(dirname "$0")/../testlib.sh"

loops=100
res=$(new_results)
ci/vmrun -q -r "$res" -a "kunit.enable=1 kunit.filter_glob=vmalloc_stages" -- ci/guest/accuracy.sh $loops ||
	fail "guest script failed: $(tail -n 5 "$res/serial.log")"
for t in lat latev kunit kunitev tree; do
	cat "$res/$t.err"
	expect_eq "$t exit status after SIGINT" "$(cat "$res/$t.rc")" 0
done
grep -q 'tp_btf vmalloc_alloc_stages' "$res/lat.err" || fail "vmlat did not use tp_btf on vmalloc_alloc_stages: $(cat "$res/lat.err")"
grep -q 'tp_btf vmalloc_alloc_enter' "$res/latev.err" || fail "vmlat -M events did not use tp_btf: $(cat "$res/latev.err")"
grep -qE 'stages_(any_)?btf' "$res/progs-during" || fail "no vmlat (stages) program loaded while tracing"
grep -q 'enter_btf' "$res/progs-during" || fail "no vmlat (events) program loaded while tracing"
! grep -qE 'stages_(any_)?btf|enter_btf|reserved_btf' "$res/progs-after" || fail "BPF programs still loaded after the tools exited"
grep -q '^ok [0-9]* vmalloc_stages' "$res/kunit-vmalloc_stages.ktap" || fail "the KUnit suite failed when run again"
! grep '# SKIP' "$res/kunit-vmalloc_stages.ktap" || fail "KUnit cases skipped when run again (above)"

# The same checks for both ways vmlat measures stages: vmalloc_alloc_stages
# (lat, kunit) and the six stage events paired per thread (latev, kunitev).
check_worker() { # file mode
	local lat=$1 m=$2
	# test_vmalloc's worker: LOOPS x vmalloc(4 MiB), each nesting vmalloc(8 KiB).
	expect_eq "$m: worker allocations (incl. nested)" "$(json_field "$lat" allocs)" $((2 * loops))
	expect_eq "$m: worker nested allocations" "$(json_field "$lat" nested)" $loops
	expect_eq "$m: worker failed" "$(json_field "$lat" failed)" 0
	expect_eq "$m: lost" "$(json_field "$lat" lost)" 0
	expect_eq "$m: unmatched or stray" "$(jq '.unmatched + .stray' "$lat")" 0
	expect_stage_hists "$lat" "$m" $loops
	# The outer page_array stage contains the nested vmalloc: at least its total.
	[ "$(jq '(.hists[] | select(.stage == "page_array" and .nested == false) | .sum_ns) >= (.hists[] | select(.stage == "total" and .nested == true) | .sum_ns)' "$lat")" = true ] ||
		fail "$m: outer page_array time is less than the nested vmallocs' total"
	echo "ok: $m: outer page_array time includes the nested vmallocs"
}

check_kunit() { # file mode
	local kunit=$1 m=$2
	# The suite: 1 + 1 + 2 (one nested) + 1 (reserve fails) + 1 (invalid
	# alignment) + 1 (size fails) + 1 (a node asked for) + 1 (slow probes
	# beside the suite's) + 12.
	expect_eq "$m: KUnit allocations" "$(json_field "$kunit" allocs)" 21
	expect_eq "$m: KUnit nested" "$(json_field "$kunit" nested)" 1
	expect_eq "$m: KUnit failed" "$(json_field "$kunit" failed)" 3
	expect_eq "$m: KUnit failed in reserve (incl. size)" "$(jq .failed_stage.reserve "$kunit")" 3
	expect_eq "$m: KUnit stage sums = total sum, ns" \
		"$(jq '[.hists[] | select(.stage != "total") | .sum_ns] | add' "$kunit")" \
		"$(jq '[.hists[] | select(.stage == "total") | .sum_ns] | add' "$kunit")"
}

check_worker "$res/lat.out" stages
check_worker "$res/latev.out" events
check_kunit "$res/kunit.out" stages
check_kunit "$res/kunitev.out" events
expect_eq "mode in the JSON" "$(json_field "$res/lat.out" mode)/$(json_field "$res/latev.out" mode)" stages/events

tree=$res/tree.out
expect_eq "vmtree guard check" "$(json_field "$tree" guard_check)" agrees
expect_eq "guard change: traced = kernel counter" "$(json_field "$tree" traced_guard_change_bytes)" "$(json_field "$tree" kernel_guard_change_bytes)"
expect_eq "vmallocs without a guard page (KUnit)" "$(jq .guard.noguard_vmallocs "$tree")" 5
expect_eq "vmtree lost" "$(json_field "$tree" lost)" 0
expect_eq "depth histogram sums to tree searches" "$(jq '[.depth_hist[].count] | add' "$tree")" "$(json_field "$tree" tree_searches)"
expect_eq "pool hits + searches = reservations" "$(jq '.pool_hits + .tree_searches' "$tree")" "$(json_field "$tree" reserved)"
# By caller: the worker's areas (4 MiB and its 8 KiB page array share the
# caller) come first, named even though test_vmalloc unloaded itself
# before vmtree printed; KUnit's callers are built in.
expect_eq "guard areas of the top caller (the worker)" "$(jq '.guard_by_caller[0].areas' "$tree")" $((2 * loops))
jq -r '.guard_by_caller[0].caller' "$tree" | grep -q '\[test_vmalloc\]' ||
	fail "top caller not named as test_vmalloc's: $(jq -r '.guard_by_caller[0].caller' "$tree")"
expect_eq "guard areas reserved by stages_nested (outer + page array)" \
	"$(jq '[.guard_by_caller[] | select(.caller | startswith("stages_nested+")) | .areas] | add' "$tree")" 2
