#!/bin/bash
# Guest side of ci/tests/debug-stress.sh and make stress, on a debug kernel
# (KASAN, lockdep, DEBUG_VM, kmemleak, fault injection), 2 vCPUs. Every
# vmalloc event enabled in tracefs and every vmscope tracer attached, for:
#  1. the series' KUnit suite (patched kernel; boot with kunit.enable=1);
#  2. the map stage: fail_page_alloc's stack filter fails every page
#     allocation made under vmap_small_pages_range_noflush() (the page
#     tables of a new mapping), for the vmalloc_faults kthread only
#     (task-filter), ROUNDS/4 x 4 vmallocs of 1, 3, 17 and 1024 pages,
#     first, while little of the vmalloc space has page tables; its events
#     in the vmscope-map-faults instance (needs
#     CONFIG_FAULT_INJECTION_STACKTRACE_FILTER; skipped, and said, without);
#  3. test_vmalloc: the cases of MASK (default 0xffbf: all that pass on
#     6.12, not align_shift_alloc_test), THREADS workers x LOOPS, then 4 MiB
#     areas (nested page arrays) x THREADS x LOOPS/10, while a reader
#     loops on the series' state file (patched kernel);
#  4. fault injection: failslab and fail_page_alloc at PROB% for the
#     vmalloc_faults kthread only, ROUNDS x 4 vmallocs; its events in the
#     vmscope-faults instance;
# then stops the tracers and has kmemleak scan twice.
# Usage: stress.sh THREADS LOOPS ROUNDS PROB [MASK]
. "$VMSCOPE_TOP/ci/guest/lib.sh"
threads=${1:?threads} loops=${2:?loops} rounds=${3:?rounds} prob=${4:?probability}
mask=${5:-0xffbf}
out=$VMSCOPE_RESULTS
D=/sys/kernel/debug
T=/sys/kernel/tracing
faults_ko=$VMSCOPE_KBUILD/vmscope-kmod/vmalloc_faults.ko
say() { echo "stress: $*" >/dev/console; }
[ -r "$faults_ko" ] || { say "no $faults_ko"; exit 1; }
patched=0
[ -d $T/events/vmalloc/vmalloc_alloc_stages ] && patched=1

# Every vmalloc event on, in the global buffer (overwritten as it fills).
echo 1 >$T/events/vmalloc/enable || exit 1
if [ $patched = 1 ]; then
	start_tracer lat '^Tracing' "$BPF/vmlat" -j || exit 1
	start_tracer latev '^Tracing' "$BPF/vmlat" -j -M events || exit 1
	start_tracer tree '^Tracing' "$BPF/vmtree" -j -s -C || exit 1
else
	start_tracer lat '^Tracing' "$BPF/vmlat" -j || exit 1
fi
start_tracer count '^Tracing' "$BPF/vmcount" -j || exit 1
say "tracers attached: $(bpftool prog show | grep -c '^[0-9]') BPF programs"

if [ $patched = 1 ]; then
	s=$SECONDS
	if run_kunit_suite vmalloc_stages; then say "kunit: ok ($((SECONDS - s)) s)"; else say "kunit: FAILED"; fi
fi

# faults NAME ROUNDS: the vmalloc_faults kthread's ROUNDS x 4 vmallocs
# with the fault attributes as set, its vmalloc events in a tracefs
# instance of their own; $out/NAME.result, .trace, .overrun.
faults() {
	local name=$1 n=$2 inst=$T/instances/vmscope-$1 s=$SECONDS
	mkdir "$inst" || return 1
	echo 8192 >"$inst/buffer_size_kb"
	echo 'comm == "vmalloc_faults"' >"$inst/events/vmalloc/filter"
	echo 1 >"$inst/events/vmalloc/enable"
	dmesg -C
	insmod "$faults_ko" rounds="$n" 2>/dev/null
	for a in failslab fail_page_alloc; do echo 0 >$D/$a/probability; done
	echo 0 >"$inst/tracing_on"
	dmesg | grep -a 'vmalloc_faults: comm=' >"$out/$name.result"
	say "$name: $(sed 's/.*vmalloc_faults: //' "$out/$name.result") in $((SECONDS - s)) s"
	cat "$inst/trace" >"$out/$name.trace"
	grep -h overrun "$inst"/per_cpu/cpu*/stats | awk '{ n += $2 } END { print n + 0 }' >"$out/$name.overrun"
	rmdir "$inst"
}

# Fault injection, for the vmalloc_faults kthread only (task-filter).
for a in failslab fail_page_alloc; do
	echo Y >$D/$a/task-filter
	echo N >$D/$a/ignore-gfp-wait
	echo 0 >$D/$a/verbose
	echo 1 >$D/$a/interval
	echo -1 >$D/$a/times
done
echo N >$D/fail_page_alloc/ignore-gfp-highmem
echo 0 >$D/fail_page_alloc/min-order
# The map stage first, while little of the vmalloc space has page tables:
# only page allocations with vmap_small_pages_range_noflush() on the stack
# fail (page tables of a new mapping; KASAN's shadow is allocated in the
# reserve stage), every one, so a vmalloc fails in map wherever it needs a
# new page table.
f=$D/fail_page_alloc
if [ -w $f/require-start ]; then
	# The function's bounds from the build's System.map (reading all of
	# /proc/kallsyms takes minutes on this kernel), moved by KASLR's
	# offset, which _text, the first line of /proc/kallsyms, gives.
	map=$VMSCOPE_KBUILD/System.map
	range=$(awk '$3 == "vmap_small_pages_range_noflush" { lo = $1; next } lo { print lo, $1; exit }' "$map")
	text=$(awk '$3 == "_text" { print $1; exit }' "$map")
	run=$(grep -m1 ' _text$' /proc/kallsyms | cut -d' ' -f1)
	if [ -z "$range" ] || [ -z "$text" ] || [ -z "$run" ] || [ $((0x$run)) = 0 ]; then
		# (an all-zero address: kallsyms hidden by kptr_restrict)
		say "map-faults: skipped, no vmap_small_pages_range_noflush in $map or no _text address in /proc/kallsyms"
	else
		lo=$(printf '%x' $((0x${range% *} - 0x$text + 0x$run)))
		hi=$(printf '%x' $((0x${range#* } - 0x$text + 0x$run)))
		{ echo "0x$lo" >$f/require-start && echo "0x$hi" >$f/require-end &&
			echo 100 >$f/probability && echo 0 >$D/failslab/probability; } ||
			{ say "map-faults: cannot set fail_page_alloc's stack filter"; exit 1; }
		faults map-faults $(((rounds + 3) / 4)) || exit 1
		echo 0 >$f/require-start
		echo 0xffffffffffffffff >$f/require-end
	fi
else
	say "map-faults: skipped, no fail_page_alloc/require-start (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)"
fi

s=$SECONDS
# A reader on the state file all along: it walks the allocator's lists
# while they change (KASAN sees any use of a freed area).
reader=
if [ $patched = 1 ]; then
	(while :; do cat $D/vmalloc/state >/dev/null; done) &
	reader=$!
fi
run_test_vmalloc nr_threads="$threads" run_test_mask="$mask" test_loop_count="$loops"
run_test_vmalloc nr_threads="$threads" run_test_mask=1 nr_pages=1024 test_loop_count=$((loops / 10))
[ -z "$reader" ] || { kill $reader; wait $reader 2>/dev/null; }
say "test_vmalloc: cases $mask, $threads threads x $loops loops, then 4 MiB x $threads x $((loops / 10)), in $((SECONDS - s)) s$([ -n "$reader" ] && echo ', the state file read in a loop')"

for a in failslab fail_page_alloc; do echo "$prob" >$D/$a/probability; done
faults faults "$rounds" || exit 1


for t in $([ $patched = 1 ] && echo tree latev) lat count; do stop_tracer $t || say "$t exited with $?"; done
echo 0 >$T/events/vmalloc/enable
bpftool prog show >"$out/progs-after"

# kmemleak reports an object once it has been unreferenced for 5 s and
# two scans.
if [ -w $D/kmemleak ]; then
	echo scan >$D/kmemleak
	sleep 6
	echo scan >$D/kmemleak
	cat $D/kmemleak >"$out/kmemleak"
	say "kmemleak: $(grep -c '^unreferenced object' "$out/kmemleak") unreferenced objects"
else
	say "kmemleak: not available"; exit 1
fi
dmesg >"$out/dmesg"
exit 0
