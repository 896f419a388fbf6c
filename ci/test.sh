#!/usr/bin/env bash
# `make test`: unit tests, then the kernel, BPF and tool builds, then every
# ci/tests/*.sh (each boots the real kernel). Prints one line per test and,
# last, "N passed, M failed" (", K skipped" when something skipped); exits 1
# if anything failed.
#
# TESTS="name ..."   runs only those ci/tests/ scripts (exact names without
#                    .sh, separated by spaces or commas); an unknown name is
#                    an error (exit 2) and nothing runs.
# TEST_TIMEOUT=N     seconds a test may run (default 900); a script raises
#                    its own with a "# timeout: N" line. A test past its
#                    time is killed with everything it started (its whole
#                    session: QEMU, virtiofsd) and fails, "timed out after
#                    N s". Whatever a test leaves running fails it too.
# Skips: a test exits 77 with "SKIP: reason" (testlib.sh's skip) when this
#                    machine lacks what it should have (a package, a
#                    kernel make test builds): that fails unless allowed by
# VMSCOPE_ALLOW_SKIP=name,...  (or "all"; "unit" for cmocka skip()s).
#                    "SKIP (unable): reason" (skip_unable: the machine
#                    cannot, e.g. no usable KVM, as on TCG-only CI) is
#                    always allowed. Every skip is a SKIP line and counted.
# ci/tests/runner-selftest.sh tests this script on fake tests.
set -uo pipefail
prog=test
. "$(dirname "$0")/lib.sh"
cd "$VMSCOPE_TOP" || exit 2

tests_dir=ci/tests
default_limit=${TEST_TIMEOUT:-900}
[[ $default_limit =~ ^[1-9][0-9]*$ ]] || { say "TEST_TIMEOUT wants seconds, not '$default_limit'"; exit 2; }

# The selection, checked before anything runs.
all=()
for t in "$tests_dir"/*.sh; do
	[ -f "$t" ] && all+=("$(basename "$t" .sh)")
done
tests=${TESTS:-}
sel=" ${tests//,/ } "
for n in ${tests//,/ }; do
	[ -f "$tests_dir/$n.sh" ] || { say "TESTS: no test '$n' in $tests_dir (names: ${all[*]})"; exit 2; }
done
[ -n "${sel// /}" ] || sel=" ${all[*]} "

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

skip_allowed() { # name
	local allow=${VMSCOPE_ALLOW_SKIP:-}
	case ",${allow// /,}," in
	*",$1,"* | *",all,"*) return 0 ;;
	esac
	return 1
}

# Each command runs in a session of its own, so that a timeout or our own
# interruption can kill all of it, also what it put in other process
# groups (set -m), and so that what it leaves behind is found by session.
cur=
session_procs() { # sid: "pid args" of its live processes (not zombies)
	ps -o pid=,stat=,args= -s "$1" 2>/dev/null |
		awk '$2 !~ /^Z/ { printf "%s", $1; for (i = 3; i <= NF; i++) printf " %s", $i; print "" }'
}
kill_session() { # sid: TERM, then KILL whatever is left after 5 s
	[ "${1:-0}" -gt 1 ] || return 0
	pkill -TERM -s "$1" 2>/dev/null
	for _ in $(seq 50); do
		[ -n "$(session_procs "$1")" ] || return 0
		sleep 0.1
	done
	pkill -KILL -s "$1" 2>/dev/null
	return 0
}
trap '[ -z "$cur" ] || kill_session "$cur"; exit 130' INT
trap '[ -z "$cur" ] || kill_session "$cur"; exit 143' TERM

# run_limited LIMIT LOG COMMAND...: sets rc, timed_out and leftover (what
# the command left running, now killed).
run_limited() {
	local limit=$1 log=$2 s=$SECONDS; shift 2
	timed_out=0 leftover=
	# Not a process group leader (no job control here): setsid does not fork.
	# The shell in between turns a death by signal into a status, which
	# this one would otherwise announce ("Aborted") on our output.
	setsid bash -c '"$@"; exit $?' "$1" "$@" >"$log" 2>&1 </dev/null &
	cur=$!
	while kill -0 "$cur" 2>/dev/null; do
		if [ $((SECONDS - s)) -ge "$limit" ]; then
			timed_out=1
			kill_session "$cur"
			break
		fi
		# Short tests end without waiting long; long ones cost few wakeups.
		if [ $((SECONDS - s)) -lt 10 ]; then sleep 0.1; else sleep 1; fi
	done
	wait "$cur"
	rc=$?
	leftover=$(session_procs "$cur" | head -n 3 | paste -sd ';')
	[ -z "$leftover" ] || kill_session "$cur"
	cur=
}

# Runs "$@" as test NAME, at most LIMIT seconds, with its output in
# $logdir/NAME.log; on failure shows the log's tail. Exit 77 means skipped
# (automake convention), the reason on a "SKIP" line.
run_test() { # name limit command...
	local name=$1 limit=$2 s=$SECONDS why; shift 2
	run_limited "$limit" "$logdir/$name.log" "$@"
	if [ $timed_out = 1 ]; then
		report "$name" fail $((SECONDS - s)) "timed out after $limit s (log: $logdir/$name.log)"
		rc=124
	elif [ -n "$leftover" ]; then
		report "$name" fail $((SECONDS - s)) "(exit $rc) left running: $leftover"
		rc=1
	elif [ $rc = 0 ]; then
		report "$name" pass $((SECONDS - s))
		return 0
	elif [ $rc = 77 ]; then
		why=$(grep -aE '(^|: )SKIP( \(unable\))?: ' "$logdir/$name.log" | tail -n 1 | sed -E 's/^.*SKIP/SKIP/')
		[ -n "$why" ] || why="SKIP: (no reason given) $(tail -n 1 "$logdir/$name.log")"
		case "$why" in
		"SKIP (unable): "*) report "$name" skip $((SECONDS - s)) "${why#SKIP (unable): }" ;;
		*) if skip_allowed "$name"; then
			report "$name" skip $((SECONDS - s)) "${why#SKIP: } (allowed: VMSCOPE_ALLOW_SKIP)"
		else
			report "$name" fail $((SECONDS - s)) "skipped, but this machine should run it: ${why#SKIP: } (VMSCOPE_ALLOW_SKIP=$name allows it)"
		fi ;;
		esac
		return $rc
	else
		report "$name" fail $((SECONDS - s)) "(exit $rc; log: $logdir/$name.log)"
	fi
	tail -n 25 "$logdir/$name.log" | sed 's/^/    | /'
	return $rc
}

# Unit tests: each cmocka case counts as one test. cmocka does not trap
# abort(): an aborted binary prints no result for its case and no summary,
# so the cases run are counted against those announced, and the status of
# the whole step (tools/Makefile runs every binary) is checked too.
unit_tests() {
	local s=$SECONDS log=$logdir/unit.log want np ns nf lost aborted c detail
	run_limited 900 "$log" make -s unit
	read -r want np ns nf lost aborted < <(awk '
		function cut() { if (run != "") { lost++; ab = ab (ab == "" ? "" : ",") run }; run = "" }
		/^\[==========\] Running [0-9]+ test/ { cut(); want += $3; next }
		/^\[ RUN      \] / { cut(); run = $NF; next }
		run != "" && $NF == run && /^\[       OK \] / { np++; run = ""; next }
		run != "" && $NF == run && /^\[  SKIPPED \] / { ns++; run = ""; next }
		run != "" && $NF == run && /^\[  FAILED  \] / { nf++; run = ""; next }
		END { cut(); print want + 0, np + 0, ns + 0, nf + 0, lost + 0, (ab == "" ? "-" : ab) }' "$log")
	detail="$np passed, $nf failed"
	[ "$lost" = 0 ] || detail+=", $lost without a result (aborted in $aborted)"
	[ $((np + ns + nf + lost)) = "$want" ] || detail+=", $((np + ns + nf + lost)) of $want announced cases seen"
	[ $timed_out = 0 ] || detail+=", timed out after 900 s"
	[ -z "$leftover" ] || detail+=", left running: $leftover"
	[ "$rc" = 0 ] || detail+=" (exit $rc)"
	nf=$((nf + lost))
	# A failing status or too few cases with no failure seen is one failure.
	if [ "$nf" = 0 ] && { [ "$rc" != 0 ] || [ "$want" = 0 ] || [ $timed_out = 1 ] || [ -n "$leftover" ] ||
		[ $((np + ns)) != "$want" ]; }; then
		nf=1
	fi
	[ "$want" != 0 ] || detail+=", no cmocka case ran"
	passed=$((passed + np))
	failed=$((failed + nf))
	printf '%-5s %-34s %4ss %s\n' "$([ "$nf" = 0 ] && echo PASS || echo FAIL)" "unit (cmocka)" \
		$((SECONDS - s)) "$detail"
	[ "$nf" = 0 ] || { failures+=("unit"); tail -n 25 "$log" | sed 's/^/    | /'; }
	# cmocka's skip() says no reason: the case is named.
	for c in $(awk '/^\[ RUN      \] / { run = $NF; next } /^\[  SKIPPED \] / && $NF == run { print run; run = "" }' "$log"); do
		if skip_allowed unit || skip_allowed "unit:$c"; then
			report "unit:$c" skip 0 "cmocka skip() (allowed: VMSCOPE_ALLOW_SKIP)"
		else
			report "unit:$c" fail 0 "cmocka skip(), but this machine should run it (VMSCOPE_ALLOW_SKIP=unit:$c allows it)"
		fi
	done
}

echo "== vmscope tests ($(date -u '+%Y-%m-%d %H:%M UTC'), logs in $logdir)"
unit_tests
built=1
run_test kernel-build 3600 make -s kernel || built=0
# The unpatched kernel too: bpf-total-only runs vmlat on it (no series, no stages).
run_test baseline-build 3600 make -s baseline || true
run_test user-space-build 1800 make -s bpf tools || built=0
# The debug flavor (KASAN, lockdep, kmemleak, fault injection): debug-stress.
run_test debug-build 3600 env FLAVOR=debug make -s kernel || true

for name in "${all[@]}"; do
	[[ $sel == *" $name "* ]] || continue
	if [ $built = 0 ]; then
		report "$name" fail 0 "(not run: the build failed)"
		continue
	fi
	t=$tests_dir/$name.sh
	limit=$(sed -n 's/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$t" | head -n 1)
	run_test "$name" "${limit:-$default_limit}" bash "$t"
done

echo "== total $(elapsed $((SECONDS - t_start)))${failures[*]:+; failed: ${failures[*]}}"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed = 0 ]
