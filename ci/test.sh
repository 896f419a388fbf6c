#!/usr/bin/env bash
# `make test`: unit tests, then the kernel, BPF and tool builds, then every
# ci/tests/*.sh (each boots the real kernel). Prints one line per test and,
# last, "N passed, M failed".
#
# TESTS="name ..." runs only those ci/tests/ scripts (names without .sh).
set -uo pipefail
prog=test
. "$(dirname "$0")/lib.sh"
cd "$VMSCOPE_TOP" || exit 2

logdir=$BUILD/test-logs
rm -rf "$logdir"
mkdir -p "$logdir"
passed=0 failed=0 skipped=0 failures=()
t_start=$SECONDS

report() { # name status seconds [detail]
	local name=$1 st=$2 secs=$3 detail=${4:-}
	case "$st" in
	pass) passed=$((passed + 1)); printf 'PASS  %-34s %4ss %s\n' "$name" "$secs" "$detail" ;;
	skip) skipped=$((skipped + 1)); printf 'SKIP  %-34s %4ss %s\n' "$name" "$secs" "$detail" ;;
	*) failed=$((failed + 1)); failures+=("$name"); printf 'FAIL  %-34s %4ss %s\n' "$name" "$secs" "$detail" ;;
	esac
}

# Runs "$@" as test NAME with its output in $logdir/NAME.log; on failure
# shows the log's tail. Exit 77 means skipped (automake convention).
run_test() {
	local name=$1 s=$SECONDS rc; shift
	"$@" >"$logdir/$name.log" 2>&1 </dev/null
	rc=$?
	if [ $rc = 0 ]; then
		report "$name" pass $((SECONDS - s))
	elif [ $rc = 77 ]; then
		report "$name" skip $((SECONDS - s)) "$(tail -n 1 "$logdir/$name.log")"
	else
		report "$name" fail $((SECONDS - s)) "(exit $rc; log: $logdir/$name.log)"
		tail -n 25 "$logdir/$name.log" | sed 's/^/    | /'
	fi
	return $rc
}

# Unit tests: each cmocka case counts as one test.
unit_tests() {
	local out s=$SECONDS np nf
	out=$(make -s unit 2>&1)
	printf '%s\n' "$out" >"$logdir/unit.log"
	np=$(printf '%s\n' "$out" | grep -c '^\[       OK \]' || true)
	nf=$(printf '%s\n' "$out" | grep -c '^\[  FAILED  \] [a-z_]' || true)
	if ! printf '%s\n' "$out" | grep -q '^\[  PASSED  \]'; then
		nf=$((nf == 0 ? 1 : nf))
	fi
	passed=$((passed + np))
	failed=$((failed + nf))
	printf '%-5s %-34s %4ss %s\n' "$([ "$nf" = 0 ] && echo PASS || echo FAIL)" "unit (cmocka)" \
		$((SECONDS - s)) "$np passed, $nf failed"
	[ "$nf" = 0 ] || { failures+=("unit"); tail -n 25 "$logdir/unit.log" | sed 's/^/    | /'; }
}

echo "== vmscope tests ($(date -u '+%Y-%m-%d %H:%M UTC'), logs in $logdir)"
unit_tests
built=1
run_test kernel-build make -s kernel || built=0
# The unpatched kernel too: bpf-total-only runs vmlat on it (no series, no stages).
run_test baseline-build make -s baseline || true
run_test user-space-build make -s bpf tools || built=0
# The debug flavor (KASAN, lockdep, kmemleak, fault injection): debug-stress.
run_test debug-build env FLAVOR=debug make -s kernel || true

for t in ci/tests/*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "${TESTS:-}" ] && ! grep -qw "$name" <<<"$TESTS"; then
		continue
	fi
	if [ $built = 0 ]; then
		report "$name" fail 0 "(not run: the build failed)"
		continue
	fi
	run_test "$name" bash "$t"
done

# Nothing of ours may outlive the tests.
if pgrep -f "qemu-system-x86_64.*$BUILD/" >/dev/null; then
	report no-leftover-qemu fail 0 "$(pgrep -af "qemu-system-x86_64.*$BUILD/" | head -n 3)"
	pkill -f "qemu-system-x86_64.*$BUILD/"
else
	report no-leftover-qemu pass 0
fi

echo "== total $(elapsed $((SECONDS - t_start)))${failures[*]:+; failed: ${failures[*]}}"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed = 0 ]
