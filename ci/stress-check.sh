#!/usr/bin/env bash
# Checks one boot of ci/guest/stress.sh (its results directory): the kernel
# log free of KASAN, lockdep, WARN/BUG and RCU stall reports, kmemleak
# clean, every test_vmalloc case passed, and under fault injection every NULL return of the workload one
# failed allocation in the events, each reserve failure with its
# vmalloc_va_reserved, the workload's guard pages all returned; and with
# page-table allocations failed under the map stage only (map-faults),
# failures attributed to the map stage (or to a nested page array's map).
# Usage: ci/stress-check.sh RESULTS-DIR patched|baseline
# Prints what it counted; exits non-zero on the first failed check.
set -uo pipefail
prog=stress-check
. "$(dirname "$0")/testlib.sh"
res=${1:?results directory} variant=${2:?patched or baseline}

log=$res/serial.log
splats=$(grep -aEc 'BUG: KASAN|WARNING:|BUG:|Oops|possible circular locking|possible recursive locking|inconsistent lock state|detected stalls|list_add corruption|list_del corruption|UBSAN:' "$log")
expect_eq "$variant: KASAN, lockdep, WARN/BUG or RCU stall reports" "$splats" 0
[ -f "$res/kmemleak" ] || fail "no kmemleak report in $res"
leaks=$(grep -c '^unreferenced object' "$res/kmemleak" || true)
expect_eq "$variant: kmemleak's unreferenced objects" "$leaks" 0

build/tools/tvreport "$res/test_vmalloc.dmesg" | sed 's/^/test_vmalloc: /' ||
	fail "$variant: a test_vmalloc case failed or gave no result"

read -r allocs failed < <(sed -E 's/.*allocs=([0-9]+) failed=([0-9]+).*/\1 \2/' "$res/faults.result")
[ -n "${allocs:-}" ] || fail "no result line from vmalloc_faults"
echo "faults: $allocs vmallocs, $failed returned NULL"
[ "$failed" -gt 0 ] || fail "fault injection made no vmalloc fail"
expect_eq "$variant: events lost in the faults instance" "$(cat "$res/faults.overrun")" 0

if [ ! -f "$res/map-faults.result" ]; then
	why=$(grep -a 'stress: map-faults: skipped' "$res/serial.log" | tr -d '\r' | head -n 1)
	fail "no map-faults result: ${why:-the guest stopped before that phase}"
fi
read -r map_allocs map_failed < <(sed -E 's/.*allocs=([0-9]+) failed=([0-9]+).*/\1 \2/' "$res/map-faults.result")
[ -n "${map_allocs:-}" ] || fail "no result line from vmalloc_faults in the map-faults run"
echo "map-faults: $map_allocs vmallocs, $map_failed returned NULL"
[ "$map_failed" -gt 0 ] || fail "no vmalloc failed with page-table allocations failing under the map stage"
expect_eq "$variant: events lost in the map-faults instance" "$(cat "$res/map-faults.overrun")" 0

if [ "$variant" = baseline ]; then
	n=$(grep -ac 'alloc_vmap_area:' "$res/faults.trace")
	echo "baseline: $n alloc_vmap_area events of the workload"
	exit 0
fi

# kv EVENT [RUN]: the workload's EVENT lines as key=value fields (RUN:
# faults, or map-faults).
kv() { grep -a " $1: " "$res/${2:-faults}.trace" | sed -E 's/.* '"$1"': //'; }
top=$(kv vmalloc_alloc_stages | grep -c 'nested=0')
expect_eq "top-level vmalloc_alloc_stages = the workload's vmallocs" "$top" "$allocs"
top_failed=$(kv vmalloc_alloc_stages | grep 'nested=0' | grep -vc 'failed_stage=none')
expect_eq "top-level failed allocations = NULL returns" "$top_failed" "$failed"
exits=$(kv vmalloc_alloc_exit | grep -vc 'failed_stage=none')
all_failed=$(kv vmalloc_alloc_stages | grep -vc 'failed_stage=none')
expect_eq "failed vmalloc_alloc_exit = failed vmalloc_alloc_stages (nested too)" "$exits" "$all_failed"
for st in reserve page_array pages map; do
	n=$(kv vmalloc_alloc_stages | grep -c "failed_stage=$st ")
	printf 'failed in %-10s %4d\n' "$st:" "$n"
	eval "fail_$st=$n"
done
[ "$fail_reserve" -gt 0 ] && [ "$fail_page_array" -gt 0 ] && [ "$fail_pages" -gt 0 ] ||
	fail "not every stage that fails under memory pressure failed (reserve, page_array, pages)"
expect_eq "vmalloc_va_reserved failed=1 = allocations failed in reserve" \
	"$(kv vmalloc_va_reserved | grep -c 'failed=1')" "$fail_reserve"
read -r got_areas got_guard < <(kv vmalloc_va_reserved | grep 'failed=0' |
	sed -E 's/.* guard=([0-9]+) .*/\1/' | awk '{ n++; g += $1 } END { print n + 0, g + 0 }')
read -r freed_areas freed_guard < <(kv vmalloc_area_free |
	sed -E 's/.* guard=([0-9]+) .*/\1/' | awk '{ n++; g += $1 } END { print n + 0, g + 0 }')
echo "workload: $got_areas areas reserved ($got_guard guard bytes), $freed_areas freed ($freed_guard guard bytes)"
expect_eq "the workload's areas all freed" "$freed_areas" "$got_areas"
expect_eq "the workload's guard bytes all returned" "$freed_guard" "$got_guard"

# The map stage's faults: the events put every failure where it happened.
top=$(kv vmalloc_alloc_stages map-faults | grep -c 'nested=0')
expect_eq "map-faults: top-level vmalloc_alloc_stages = the workload's vmallocs" "$top" "$map_allocs"
expect_eq "map-faults: top-level failed allocations = NULL returns" \
	"$(kv vmalloc_alloc_stages map-faults | grep 'nested=0' | grep -vc 'failed_stage=none')" "$map_failed"
map_n=$(kv vmalloc_alloc_stages map-faults | grep -c 'failed_stage=map ')
nested_map=$(kv vmalloc_alloc_stages map-faults | grep 'nested=1' | grep -c 'failed_stage=map ')
top_pa=$(kv vmalloc_alloc_stages map-faults | grep 'nested=0' | grep -c 'failed_stage=page_array ')
echo "map-faults: failed in map $map_n ($nested_map of them nested page arrays), top-level in page_array $top_pa"
[ "$map_n" -gt 0 ] || fail "map-faults: no allocation failed in the map stage"
expect_eq "map-faults: failures in other stages than map and page_array" \
	"$(kv vmalloc_alloc_stages map-faults | grep -v 'failed_stage=none' | grep -vc 'failed_stage=\(map\|page_array\) ')" 0
expect_eq "map-faults: top-level page_array failures = nested map failures" "$top_pa" "$nested_map"
expect_eq "map-faults: failed vmalloc_pages_map = allocations failed in map" \
	"$(kv vmalloc_pages_map map-faults | grep -vc 'ret=0')" "$map_n"
read -r got_areas got_guard < <(kv vmalloc_va_reserved map-faults | grep 'failed=0' |
	sed -E 's/.* guard=([0-9]+) .*/\1/' | awk '{ n++; g += $1 } END { print n + 0, g + 0 }')
read -r freed_areas freed_guard < <(kv vmalloc_area_free map-faults |
	sed -E 's/.* guard=([0-9]+) .*/\1/' | awk '{ n++; g += $1 } END { print n + 0, g + 0 }')
expect_eq "map-faults: the workload's areas all freed" "$freed_areas" "$got_areas"
expect_eq "map-faults: the workload's guard bytes all returned" "$freed_guard" "$got_guard"
