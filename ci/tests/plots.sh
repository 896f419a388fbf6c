#!/usr/bin/env bash
# tools/plot/vmscope-plot on real kernel output: vmlat and vmtree follow
# test_vmalloc's worker through TOP one-page vmallocs and NESTED 4 MiB ones
# (each nesting its page array's vmalloc); the JSON is put together as make
# run does, plotted, and the PNG/SVG checked, and the data gnuplot read
# checked against the JSON and the known loop counts. make bench's plot on
# the last bench results, or ci/tests/data/bench.json where there are none.
# Bad input: specific errors.
. "$(dirname "$0")/../testlib.sh"

top=100
nested=20
plot=tools/plot/vmscope-plot
res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/plots.sh $top $nested ||
	fail "guest run failed: $(cat "$res"/*.err 2>/dev/null | tail -n 5)"
jq -n --slurpfile lat "$res/vmlat.json" --slurpfile tree "$res/vmtree.json" --arg kernel "$(uname -r) guest" \
	'{ kernel: $kernel, time: "TCG virtual CPU time", vmlat: $lat[-1], vmtree: $tree[-1] }' >"$res/report.json"
expect_eq "vmlat: worker allocations in the JSON" "$(jq .vmlat.allocs "$res/report.json")" $((top + 2 * nested))

$plot "$res" || fail "$plot $res failed"
# check_images NAME...: a PNG of the size asked for and an SVG that parses.
check_images() {
	local n
	for n in "$@"; do
		file "$res/$n.png" | grep -q 'PNG image data, 1200 x 800' || fail "$n.png: $(file "$res/$n.png")"
		if command -v xmllint >/dev/null; then
			xmllint --noout "$res/$n.svg" || fail "$n.svg does not parse"
			echo "ok: $n.png (1200 x 800) and $n.svg (valid XML)"
		else
			grep -q '</svg>' "$res/$n.svg" || fail "$n.svg has no </svg>"
			echo "ok: $n.png (1200 x 800) and $n.svg (ends in </svg>; not parsed: no xmllint)"
		fi
	done
}
check_images report-stages report-shares report-depth

# The stage histograms gnuplot read: one block per stage, columns bucket,
# label, top-level count, nested count; each sums to the JSON's count,
# and the total's to the known loops.
data=$res/plot-data
block_sum() { # stage column
	awk -F'\t' -v s="$1" -v c="$2" '/^# stage / { on = ($0 ~ "^# stage " s "\t") ; next } on && NF == 4 { n += $c } END { print n + 0 }' "$data/stages.dat"
}
for stage in reserve page_array pages map publish total; do
	for n in false true; do
		col=3; [ $n = true ] && col=4
		expect_eq "stages.dat $stage (nested=$n) = JSON count" "$(block_sum $stage $col)" \
			"$(jq "[.vmlat.hists[] | select(.stage == \"$stage\" and .nested == $n) | .count] | add" "$res/report.json")"
	done
done
expect_eq "stages.dat total, top-level = known loops" "$(block_sum total 3)" $((top + nested))
expect_eq "stages.dat total, nested = known loops" "$(block_sum total 4)" $nested
# Shares: counts as known, the stages' shares adding up to 100%.
expect_eq "shares.dat counts (top-level, nested)" "$(awk -F'\t' 'NR > 1 { printf "%s ", $NF }' "$data/shares.dat")" "$((top + nested)) $nested "
awk -F'\t' 'NR > 1 { s = $2 + $3 + $4 + $5 + $6; if (s < 99.9 || s > 100.1) { print "shares of " $1 " add up to " s; bad = 1 } } END { exit bad }' \
	"$data/shares.dat" || fail "stage shares do not add up to 100%"
echo "ok: shares.dat: the stages' shares add up to 100% (+-0.1)"
# Depth: every search of the worker's reservations (two per nested vmalloc).
expect_eq "depth.dat searches = JSON tree_searches" "$(awk -F'\t' '!/^#/ { n += $2 } END { print n }' "$data/depth.dat")" \
	"$(jq .vmtree.tree_searches "$res/report.json")"
expect_eq "vmtree: pool hits + tree searches = known reservations" "$(jq '.vmtree.pool_hits + .vmtree.tree_searches' "$res/report.json")" \
	$((top + 2 * nested))

# make bench's figures, on the last bench run's JSON (a copy) or, where make
# bench never ran (make test does not), on a small one of the same form.
bench=$BUILD/results/bench-latest/bench.json
[ -f "$bench" ] || bench=ci/tests/data/bench.json
echo "bench plots from $bench"
mkdir -p "$res/bench" && cp "$bench" "$res/bench/"
res=$res/bench
$plot "$res" || fail "$plot on $res failed"
check_images bench
if jq -e '.tracers | length > 0' "$res/bench.json" >/dev/null; then check_images bench-tracers; fi
expect_eq "bench.dat: one row per case" "$(grep -vc '^#' "$res/plot-data/bench.dat")" "$(jq '.results | length' "$res/bench.json")"
expect_eq "bench.dat: patched min and max = the JSON's" \
	"$(awk -F'\t' '!/^#/ { printf "%s-%s ", $6, $7 }' "$res/plot-data/bench.dat")" \
	"$(jq -j '.results[] | "\(.patched_runs | min)-\(.patched_runs | max) "' "$res/bench.json")"
res=${res%/bench}

# Bad input: a specific message and a non-zero exit each.
expect_error() { # what message-regex args...
	local what=$1 want=$2 out
	shift 2
	if out=$($plot "$@" 2>&1); then fail "$what: exit 0, want a failure"; fi
	grep -qE "$want" <<<"$out" || fail "$what: message '$out', want /$want/"
	echo "ok: $what: $out"
}
bad=$res/bad
mkdir -p "$bad/empty-dir"
printf 'garbage {' >"$bad/garbage.json"
: >"$bad/empty.json"
echo '{"results": 3}' >"$bad/other.json"
jq '.vmlat.hists = []' "$res/report.json" >"$bad/nohists.json"
expect_error "missing file" "$bad/missing.json: no such file" "$bad/missing.json"
expect_error "garbage" "garbage.json: not a JSON object" "$bad/garbage.json"
expect_error "empty file" "empty.json: empty file" "$bad/empty.json"
expect_error "JSON of another kind" "other.json: neither a make run report" "$bad/other.json"
expect_error "directory without results" "empty-dir holds neither report.json" "$bad/empty-dir"
expect_error "report without histograms" "nohists.json: .vmlat.hists is missing or empty" "$bad/nohists.json"
PLOT_SIZE=big expect_error "bad PLOT_SIZE" "PLOT_SIZE must be WIDTH,HEIGHT" "$res"
# The rest passed; the SVGs were not parsed (make deps installs xmllint).
command -v xmllint >/dev/null || skip "no xmllint (libxml2-utils): the SVGs were not parsed"
