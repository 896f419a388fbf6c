#!/usr/bin/env bash
# The classic-tracepoint fallback (for kernels whose BTF lacks the events,
# and so their record types) works: forced with --tracepoint on the patched
# kernel, every tool reads the fields where the tracefs format puts them
# and counts a known thread's allocations exactly, stages adding up.
. "$(dirname "$0")/../testlib.sh"

loops=50
res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/tracepoint.sh $loops || fail "guest script failed: $(tail -n 5 "$res/serial.log")"
for t in stages events tree count; do
	cat "$res/$t.err"
	expect_eq "$t exit status after SIGINT" "$(cat "$res/$t.rc")" 0
	grep -q '(tracepoint' "$res/$t.err" || fail "$t did not say it uses classic tracepoints"
done
for p in stages_tp enter_tp exit_tp reserved_tp free_tp alloc_vmap_area_tp; do
	grep -q " name $p " "$res/progs-during" || fail "no $p program loaded"
done
! grep -v module_load_btf "$res/progs-during" | grep -q '_btf ' || fail "tp_btf programs loaded: $(grep '_btf ' "$res/progs-during")"
echo "ok: classic tracepoint programs only"
for m in stages events; do
	out=$res/$m.out
	expect_eq "[$m] allocations (incl. nested)" "$(json_field "$out" allocs)" $((2 * loops))
	expect_eq "[$m] nested" "$(json_field "$out" nested)" $loops
	expect_eq "[$m] failed, lost, unmatched, stray" "$(jq '[.failed, .lost, .unmatched, .stray] | add' "$out")" 0
	expect_stage_hists "$out" "[$m]" $loops
done
expect_eq "[vmtree] reservations" "$(json_field "$res/tree.out" reserved)" $((2 * loops))
expect_eq "[vmtree] depth histogram sums to tree searches" \
	"$(jq '[.depth_hist[].count] | add // 0' "$res/tree.out")" "$(json_field "$res/tree.out" tree_searches)"
expect_eq "[vmtree] guard areas of the worker's caller" \
	"$(jq '[.guard_by_caller[] | select(.caller | test("test_vmalloc")) | .areas] | add' "$res/tree.out")" $((2 * loops))
expect_eq "[vmcount] allocations" "$(json_field "$res/count.out" allocs)" $((2 * loops))
expect_eq "[vmcount] bytes (areas with their guard page)" "$(json_field "$res/count.out" bytes)" \
	$((loops * (4194304 + 4096 + 8192 + 4096)))
