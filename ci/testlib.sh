# shellcheck shell=bash
# Helpers for ci/tests/*.sh: each test is a script that exits 0 (pass),
# 77 (skip) or anything else (fail), and says why on failure.
prog=${prog:-$(basename "$0" .sh)}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$VMSCOPE_TOP" || exit 2

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# Skips (exit 77; ci/test.sh prints the reason and counts them). skip: this
# machine lacks what it should have (a package, a kernel make test builds):
# make test fails unless VMSCOPE_ALLOW_SKIP names the test. skip_unable: the
# machine cannot (no usable KVM, as on TCG-only CI): always allowed.
skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
skip_unable() { printf 'SKIP (unable): %s\n' "$*"; exit 77; }

# wait_for SECONDS FILE REGEX [PID]: until a line of FILE matches; 1 when
# the time is up or PID has ended first.
wait_for() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		grep -aq -- "$3" "$2" 2>/dev/null && return 0
		[ -z "${4:-}" ] || kill -0 "$4" 2>/dev/null || break
		sleep 0.1
	done
	grep -aq -- "$3" "$2" 2>/dev/null
}

# A fresh results directory for one guest run.
new_results() {
	mkdir -p "$BUILD/results"
	mktemp -d "$BUILD/results/$prog-XXXX"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "ok: $1 = $3"
}

# check_ktap FILE SUITE N: KUnit's KTAP in FILE: SUITE passed with N cases
# and none failed. A skipped case ("ok 3 name # SKIP reason") is no pass:
# counted apart, and the test skips, naming it.
check_ktap() {
	local f=$1 suite=$2 want=$3 n ns skipped
	! grep -q 'not ok' "$f" || fail "a test case failed"
	grep -qE "^ok [0-9]+ $suite( # SKIP.*)?\$" "$f" || fail "suite $suite did not pass"
	n=$(grep -E '^ +ok [0-9]+ ' "$f" | grep -vc '# SKIP')
	ns=$(grep -cE '^ +ok [0-9]+ .*# SKIP' "$f")
	skipped=$(grep -E '^ +ok [0-9]+ .*# SKIP' "$f" | sed -E 's/^ +ok [0-9]+ //' | paste -sd ';')
	expect_eq "$suite: test cases run (passed + skipped)" $((n + ns)) "$want"
	[ -z "$skipped" ] || skip "$suite: KUnit cases skipped: $skipped"
	expect_eq "$suite: test cases passed" "$n" "$want"
}

# A JSON field of a one-line object (the tools print flat objects).
json_field() { # file field
	jq -r ".$2" "$1" 2>/dev/null || fail "cannot read .$2 from $1: $(head -c 300 "$1")"
}

# expect_stage_hists FILE LABEL LOOPS: vmlat's JSON in FILE has, for top-level
# and nested allocations each, LOOPS in every stage's and the total's
# histogram, and stage sums that add up to the total sum to the nanosecond
# (the stage times of one allocation telescope to its total).
expect_stage_hists() {
	local out=$1 m=$2 loops=$3 nested stage
	for nested in false true; do
		for stage in reserve page_array pages map publish total; do
			expect_eq "$m: $stage count (nested=$nested)" \
				"$(jq "[.hists[] | select(.stage == \"$stage\" and .nested == $nested) | .count] | add" "$out")" "$loops"
		done
		expect_eq "$m: stage sums = total sum, ns (nested=$nested)" \
			"$(jq "[.hists[] | select(.nested == $nested and .stage != \"total\") | .sum_ns] | add" "$out")" \
			"$(jq ".hists[] | select(.nested == $nested and .stage == \"total\") | .sum_ns" "$out")"
	done
}
