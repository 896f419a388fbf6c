#!/usr/bin/env bash
# Nothing is dropped silently: a vmlat that can track one thread at a time,
# with two workers allocating at once, counts what it could not measure
# (-M events);
# measured + lost equals what an unconstrained vmlat saw, and a lost one is
# not counted again when it ends (as an exit without an entry). vmtree -C
# counts every guard page of the two workers, which share a caller (no
# update lost between CPUs).
. "$(dirname "$0")/../testlib.sh"

loops=200
res=$(new_results)
ci/vmrun -q -c 2 -r "$res" -- ci/guest/lost.sh $loops || fail "guest script failed: $(tail -n 5 "$res/serial.log")"
cat "$res/small.err" "$res/ref.err"
ref=$(json_field "$res/ref.out" allocs)
got=$(json_field "$res/small.out" allocs)
lost=$(json_field "$res/small.out" lost_frames)
echo "unconstrained: $ref allocations; one thread at a time: $got measured, $lost lost"
expect_eq "4 MiB allocations, unconstrained" "$ref" $((2 * loops))
[ "$lost" -gt 0 ] || fail "two workers at once but nothing lost: the test did not test"
expect_eq "measured + lost" $((got + lost)) "$ref"
expect_eq "lost reported in the total" "$(json_field "$res/small.out" lost)" "$lost"
expect_eq "exits without an entry (a lost one counted twice)" "$(json_field "$res/small.out" unmatched)" 0
cat "$res/tree.err"
expect_eq "vmtree exit status after SIGINT" "$(cat "$res/tree.rc")" 0
expect_eq "guard areas of the workers' caller (2 workers x $loops x 2 areas)" \
	"$(jq '[.guard_by_caller[] | select(.caller | test("test_vmalloc")) | .areas] | add' "$res/tree.out")" $((4 * loops))
