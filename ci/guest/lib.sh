# shellcheck shell=bash
# Guest-side helpers: start a tracer in the background, wait until it is
# attached, stop it with SIGINT. Source it from a guest script.
BPF=$VMSCOPE_TOP/build/bpf
TEST_VMALLOC=$VMSCOPE_KBUILD/lib/test_vmalloc.ko

# test_vmalloc's cases that draw random sizes: random_size_alloc_test (bit
# 3) and random_size_align_alloc_test (bit 5). Their sizes come from the
# guest's entropy, which I/O timing feeds: they leave the vmalloc space in
# another shape each boot, and a case run after them inherits it.
TV_RANDOM_MASK=40

# tv_param NAME ARGS...: the value of NAME=... in ARGS (empty if none).
tv_param() {
	local name=$1 a
	shift
	for a in "$@"; do
		case $a in "$name"=*) echo "${a#*=}" ;; esac
	done
}

# tv_without NAME ARGS...: ARGS without NAME=..., into the array tv_args.
# (No process substitution: the guest has no /dev/fd.)
tv_without() {
	local name=$1 a
	shift
	tv_args=()
	for a in "$@"; do
		case $a in "$name"=*) ;; *) tv_args+=("$a") ;; esac
	done
}

# tv_settle LOOPS MODULE_PARAM=VALUE...: an untimed pass of the cases of
# run_test_mask with fixed sizes, at LOOPS loops, so that every timed run
# starts from one state. (With the random ones in it, boots of one kernel
# spread 1.8-2.5% in fix_size; without any pass, the state the boot left.)
# LOOPS 0: nothing.
tv_settle() {
	local loops=$1 mask m n=0 ran tv_args
	shift
	[[ $loops =~ ^[0-9]+$ ]] || { echo "tv_settle: loops must be a number, not '$loops'"; return 2; }
	[ "$loops" -gt 0 ] || return 0
	mask=$(tv_param run_test_mask "$@")
	[[ $mask =~ ^[0-9]+$ ]] || { echo "tv_settle: no run_test_mask=N among the arguments"; return 2; }
	mask=$((mask & ~TV_RANDOM_MASK))
	[ "$mask" -gt 0 ] || return 0
	for ((m = mask; m; m >>= 1)); do n=$((n + (m & 1))); done
	tv_without test_loop_count "$@"
	tv_without run_test_mask "${tv_args[@]}"
	dmesg -C
	insmod "$TEST_VMALLOC" "${tv_args[@]}" run_test_mask="$mask" test_loop_count="$loops" 2>/dev/null
	dmesg >"$VMSCOPE_RESULTS/settle.dmesg"
	# Each case of the pass ran its loops and passed, or the timed run would
	# start from some other state.
	ran=$(grep -c "Summary: .* passed: 1 failed: 0 repeat: 1 loops: $loops " "$VMSCOPE_RESULTS/settle.dmesg")
	[ "$ran" = "$n" ] || { echo "settle pass: $ran of the $n cases of run_test_mask=$mask ran $loops loops and passed"; return 1; }
	dmesg -C
}

# tracer_pid NAME: the PID start_tracer recorded for NAME.
tracer_pid() {
	eval "echo \$tracer_pid_${1//[^a-zA-Z0-9_]/_}"
}

# start_tracer NAME READY-REGEX CMD...: stdout to $VMSCOPE_RESULTS/NAME.out,
# stderr to NAME.err; returns once READY-REGEX shows in either (tools print
# "Tracing", bpftrace "Attaching"), fails if the tracer exits first.
start_tracer() {
	local name=$1 ready=$2 out=$VMSCOPE_RESULTS/$1 pid
	shift 2
	"$@" >"$out.out" 2>"$out.err" &
	pid=$!
	eval "tracer_pid_${name//[^a-zA-Z0-9_]/_}=$pid"
	for _ in $(seq 600); do
		cat "$out.out" "$out.err" | grep -q "$ready" && return 0
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	echo "$name did not attach:"
	cat "$out.err"
	kill $pid 2>/dev/null
	return 1
}

# wait_bounded PID [SECONDS]: wait for PID, killing it after SECONDS
# (default 300: a debug kernel under TCG is slow): its exit status, 124 if
# it had to be killed. A hung tracer fails its test instead of the guest
# running into vmrun's timeout.
wait_bounded() {
	local pid=$1 secs=${2:-300} i
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "pid $pid still running after ${secs}s: killed" >&2
		kill -KILL "$pid"
		wait "$pid"
		return 124
	fi
	wait "$pid"
}

# stop_tracer NAME: SIGINT, a bounded wait, exit status into NAME.rc (and returned).
stop_tracer() {
	local pid rc
	pid=$(tracer_pid "$1")
	kill -INT "$pid"
	wait_bounded "$pid"
	rc=$?
	echo $rc >"$VMSCOPE_RESULTS/$1.rc"
	return $rc
}

# run_test_vmalloc PARAM=VALUE...: one test_vmalloc run (its insmod
# "fails" with EAGAIN by design); its log appended to test_vmalloc.dmesg.
run_test_vmalloc() {
	dmesg -C
	insmod "$TEST_VMALLOC" "$@" 2>/dev/null
	dmesg >>"$VMSCOPE_RESULTS/test_vmalloc.dmesg"
}

# run_kunit_suite NAME: runs a built-in KUnit suite again, now (needs
# kunit.enable=1 on the command line and CONFIG_KUNIT_DEBUGFS).
run_kunit_suite() { # SUITE [CASE]: CASE may skip (named by the caller, with its reason)
	local dir=/sys/kernel/debug/kunit/$1 ktap=$VMSCOPE_RESULTS/kunit-$1.ktap
	[ -w "$dir/run" ] || { echo "no $dir/run (boot with kunit.enable=1 kunit.filter_glob=$1)"; return 1; }
	echo run >"$dir/run"
	cat "$dir/results" >"$ktap"
	# A skipped case ("ok N name # SKIP reason") is no pass, but CASE's.
	local skips
	grep -q "^ok [0-9]* $1" "$ktap" || return 1
	skips=$(grep '# SKIP' "$ktap")
	if [ -n "${2:-}" ]; then
		grep -E "ok [0-9]+ $2 # SKIP" <<<"$skips" | sed "s/.*# SKIP */kunit: $2 skipped: /"
		skips=$(grep -vE "ok [0-9]+ $2 # SKIP" <<<"$skips")
	fi
	[ -z "$skips" ]
}
