#!/usr/bin/env bash
# ci/test.sh itself, on fake tests in a copy of ci/ (VMSCOPE_TOP) with a
# stand-in make (the unit step runs tools/Makefile's own recipe on fake
# cmocka binaries; builds succeed at once): a cmocka abort() and skip(),
# exact TESTS names (an unknown one refused), skips by kind, a per-test
# timeout that kills what the test started, leftovers, and the counts and
# status of each run. Then series-checkpatch with a checkpatch.pl that
# crashes silently, and testlib's wait_for and check_ktap. No guest.
. "$(dirname "$0")/../testlib.sh"

command -v cc >/dev/null && pkg-config --exists cmocka || skip "no cc or libcmocka-dev (make deps)"
tmp=$(mktemp -d /tmp/vmscope-selftest.XXXXXX)
# Whatever the fakes started, by the pids they recorded (an old runner
# without timeouts leaves them).
trap 'cat "$tmp"/pids-* 2>/dev/null | xargs -r kill -KILL 2>/dev/null; rm -rf "$tmp"' EXIT

top=$tmp/top
mkdir -p "$top/ci/tests" "$tmp/bin"
cp ci/test.sh ci/lib.sh ci/testlib.sh "$top/ci/"

# Fake cmocka binaries: two cases each; the second aborts or skips.
cat >"$tmp/fake.c" <<'EOF'
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
static void case_ok(void **state) { (void)state; }
static void case_2(void **state)
{
	(void)state;
#if defined(ABORT)
	abort();
#elif defined(SKIP)
	skip();
#endif
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(case_ok),
		cmocka_unit_test(case_2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
EOF
for m in PASS ABORT SKIP; do
	# shellcheck disable=SC2046 # pkg-config's flags, split
	cc -D$m "$tmp/fake.c" $(pkg-config --cflags --libs cmocka) -o "$tmp/$m" || fail "cannot build the fake cmocka test"
done
# unit_set NAME MODE...: tools/Makefile's five unit binaries, in its order.
unit_set() {
	local d=$tmp/unit-$1 m n; shift
	mkdir -p "$d/tests"
	for n in test_tvparse test_vmtrace_agg test_hist test_llhist test_prom; do
		m=$1; shift
		cp "$tmp/$m" "$d/tests/$n"
	done
}
unit_set pass PASS PASS PASS PASS PASS
unit_set abort PASS ABORT SKIP PASS PASS
unit_set skip PASS PASS SKIP PASS PASS

cat >"$tmp/bin/make" <<EOF
#!/bin/bash
# make as ci/test.sh calls it: "unit" runs tools/Makefile's recipe on
# FAKE_UNIT's binaries (-o: taken as built); anything else succeeds.
case " \$* " in
*" unit "*)
	o=(); for t in "\$FAKE_UNIT"/tests/*; do o+=(-o "\$t"); done
	exec $(PATH=/usr/local/bin:/usr/bin:/bin command -v make) -s -C "$VMSCOPE_TOP/tools" OUT="\$FAKE_UNIT" "\${o[@]}" unit ;;
esac
exit 0
EOF
chmod +x "$tmp/bin/make"

fake() { # name body...: a test script
	local n=$1; shift
	printf '%s\n' '#!/usr/bin/env bash' ". $top/ci/testlib.sh" "$@" >"$top/ci/tests/$n.sh"
}
fake pass 'exit 0'
fake pass-loaded 'exit 0'
fake fail 'fail "a check failed"'
fake abort 'kill -ABRT $$'
fake skip-unable 'skip_unable "no usable KVM"'
fake skip-should 'skip "no xmllint"'
fake skip-allowed 'skip "no network"'
fake no-reason 'echo "something"; exit 77'
# Children in another process group (set -m), one ignoring SIGTERM.
fake hang '# timeout: 2' 'set -m' "sleep 1000 & echo \$! >>$tmp/pids-hang" \
	"(trap '' TERM; exec sleep 1001) & echo \$! >>$tmp/pids-hang" 'sleep 1002'
fake hang-default "sleep 1003 & echo \$! >>$tmp/pids-hang" 'wait'
fake leave "sleep 1004 & echo \$! >>$tmp/pids-leave" 'exit 0'

# runner SCENARIO UNITS VAR=VALUE...: ci/test.sh's output in $tmp/SCENARIO.out, status in rc.
runner() {
	local sc=$1 units=$2; shift 2
	rc=0
	env -u TESTS -u VMSCOPE_ALLOW_SKIP -u TEST_TIMEOUT "$@" VMSCOPE_TOP="$top" BUILD="$tmp/build" \
		PATH="$tmp/bin:$PATH" FAKE_UNIT="$tmp/unit-$units" \
		timeout -k 5 60 bash "$top/ci/test.sh" >"$tmp/$sc.out" 2>&1 || rc=$?
	sed "s/^/$sc: /" "$tmp/$sc.out"
	[ $rc != 124 ] && [ $rc != 137 ] || bad "$sc: ci/test.sh did not finish in 60 s"
}
# Checks go on after a failure: the whole picture of a broken runner.
nbad=0
bad() { printf 'FAIL: %s\n' "$*" >&2; nbad=$((nbad + 1)); }
has() { # scenario regex: a line of its output
	if grep -qE "$2" "$tmp/$1.out"; then echo "ok: $1: /$2/"; else bad "$1: no line /$2/ in its output"; fi
}
hasnt() {
	if ! grep -qE "$2" "$tmp/$1.out"; then echo "ok: $1: no /$2/"; else bad "$1: a line /$2/ in its output"; fi
}
eq() { # what got want
	if [ "$2" = "$3" ]; then echo "ok: $1 = $3"; else bad "$1: got '$2', want '$3'"; fi
}
last() { # scenario want-last-line want-status
	eq "$1: last line" "$(tail -n 1 "$tmp/$1.out")" "$2"
	eq "$1: exit status" "$rc" "$3"
}

# A binary that aborts in its second case, after one that passed: the case
# without a result fails, the binaries after it still run; a cmocka skip()
# is a SKIP line, counted.
runner unit-abort abort TESTS=pass VMSCOPE_ALLOW_SKIP=unit:case_2
has unit-abort '^FAIL +unit \(cmocka\) .*8 passed, 0 failed, 1 without a result \(aborted in case_2\)'
has unit-abort '^SKIP +unit:case_2 '
last unit-abort "13 passed, 1 failed, 1 skipped" 1
# A skip() nobody allowed fails.
runner unit-skip skip TESTS=pass
has unit-skip '^PASS +unit \(cmocka\) .*9 passed, 0 failed'
has unit-skip '^FAIL +unit:case_2 .*should run it'
last unit-skip "14 passed, 1 failed" 1

# Names: exact, by spaces or commas; an unknown one runs nothing.
runner typo pass TESTS="pass typo"
eq "typo: exit status" "$rc" 2
has typo "no test 'typo'"
hasnt typo 'passed|PASS'
runner exact pass TESTS=pass-loaded
has exact '^PASS +pass-loaded '
hasnt exact '^PASS +pass '
last exact "15 passed, 0 failed" 0
runner commas pass TESTS=pass,pass-loaded
last commas "16 passed, 0 failed" 0
# No TESTS at all (as make test and CI run it): every test, no error.
runner all pass TEST_TIMEOUT=1
hasnt all 'unbound variable|no test'
has all '^PASS +pass '
has all '^PASS +pass-loaded '
has all '^FAIL +hang-default .*timed out after 1 s'

# Skips by kind.
runner skips pass TESTS="skip-unable skip-should skip-allowed no-reason" VMSCOPE_ALLOW_SKIP=skip-allowed
has skips '^SKIP +skip-unable .*no usable KVM'
has skips '^FAIL +skip-should .*should run it: no xmllint \(VMSCOPE_ALLOW_SKIP=skip-should allows it\)'
has skips '^SKIP +skip-allowed .*no network \(allowed'
has skips '^FAIL +no-reason .*no reason given'
last skips "14 passed, 2 failed, 2 skipped" 1

# Timeouts (the script's own, TEST_TIMEOUT's), leftovers, failures.
s=$SECONDS
runner limits pass TESTS="hang hang-default leave abort fail pass" TEST_TIMEOUT=1
has limits '^FAIL +hang .*timed out after 2 s'
has limits '^FAIL +hang-default .*timed out after 1 s'
has limits '^FAIL +leave .*left running: [0-9]+ sleep 1004'
has limits '^FAIL +abort .*\(exit 134;'
has limits '^FAIL +fail '
has limits '^PASS +pass '
last limits "15 passed, 5 failed" 1
for p in $(cat "$tmp"/pids-hang "$tmp"/pids-leave); do
	# A zombie is dead: this machine's init may be slow to reap it.
	case "$(ps -o stat= -p "$p")" in
	"" | Z*) ;;
	*) bad "pid $p ($(ps -o args= -p "$p")) still running after the runner ended" ;;
	esac
done
echo "limits: that run took $((SECONDS - s)) s"

# series-checkpatch with a checkpatch.pl that crashes without a word, and
# one that exits 0 saying nothing: each fails.
mkdir -p "$tmp/cp/src/linux/scripts"
for cp in 'kill "SEGV", $$;' 'exit 0;'; do
	printf '%s\n' "$cp" >"$tmp/cp/src/linux/scripts/checkpatch.pl"
	chmod +x "$tmp/cp/src/linux/scripts/checkpatch.pl"
	rc=0
	out=$(BUILD=$tmp/cp bash ci/tests/series-checkpatch.sh 2>&1) || rc=$?
	if [ $rc != 0 ] && grep -q 'FAIL: checkpatch --strict on' <<<"$out"; then
		echo "ok: series-checkpatch fails with a checkpatch.pl of '$cp': $(tail -n 1 <<<"$out")"
	else
		bad "series-checkpatch with a checkpatch.pl of '$cp': status $rc: $out"
	fi
done
# testlib's wait_for (runner-interrupt, runner-virtiofs): a line that
# never comes is a failure, at the time given or once the process waited
# on has ended; one that comes ends the wait.
echo booting >"$tmp/serial.log"
s=$SECONDS
if wait_for 1 "$tmp/serial.log" 'running the command'; then bad "wait_for: a line that never came"; fi
sleep 30 &
p=$!
(sleep 0.5; kill $p) &
if wait_for 20 "$tmp/serial.log" 'running the command' $p; then bad "wait_for: a line after its process ended"; fi
(sleep 0.5; echo 'vmscope-guest: running the command' >>"$tmp/serial.log") &
wait_for 20 "$tmp/serial.log" 'running the command' || bad "wait_for: missed the line"
wait
eq "wait_for: seconds for all three (1 + ~0.5 + ~0.5)" $((SECONDS - s < 5)) 1

# testlib's check_ktap (series-kunit): a KUnit case skipped is a skip, not a pass.
ktap() { # skip-suffix
	printf '%s\n' 'KTAP version 1' '1..1' '    # Subtest: vmalloc_stages' '    1..2' \
		'    ok 1 case_a' "    ok 2 case_b$1" 'ok 1 vmalloc_stages' >"$tmp/ktap"
	rc=0
	(check_ktap "$tmp/ktap" vmalloc_stages 2) >"$tmp/ktap.out" 2>&1 || rc=$?
}
ktap ' # SKIP no frobnicator'
eq "check_ktap with a skipped case: status" "$rc" 77
grep -q '^SKIP: vmalloc_stages: KUnit cases skipped: case_b # SKIP no frobnicator$' "$tmp/ktap.out" ||
	bad "check_ktap with a skipped case: $(cat "$tmp/ktap.out")"
ktap ''
eq "check_ktap, every case passed: status" "$rc" 0

[ $nbad = 0 ] || fail "$nbad checks failed"
echo "ok: nothing the fakes started is left"
