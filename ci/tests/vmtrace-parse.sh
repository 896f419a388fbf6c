#!/usr/bin/env bash
# vmtrace report on bad input, on the host: a missing file, garbage, an empty
# file, a truncated recording, a recording without vmalloc events, and one
# whose vmalloc events lack fields (another kernel's format): each a specific
# message and a non-zero exit, no crash. The small recording it makes is kept
# as build/fuzz-seed/ (the fuzz target's seed, ci/fuzz-report.sh).
. "$(dirname "$0")/../testlib.sh"

vmtrace=$BUILD/tools/vmtrace
[ -x "$vmtrace" ] || fail "no $vmtrace (make tools)"
res=$(new_results)
# One boot: a small vmalloc recording (trace-cmd's default, version 7 with
# compressed sections), the same in version 6 (formats in clear: rewritten
# below into another kernel's), one of another event only.
ci/vmrun -q -r "$res" -- bash -c '
	ko=$VMSCOPE_KBUILD/lib/test_vmalloc.ko
	trace-cmd record -q -e vmalloc -o $VMSCOPE_RESULTS/small.dat \
		insmod $ko nr_threads=1 run_test_mask=1 test_loop_count=20 >/dev/null 2>&1
	trace-cmd record -q --file-version 6 -e vmalloc -o $VMSCOPE_RESULTS/small6.dat \
		insmod $ko nr_threads=1 run_test_mask=1 test_loop_count=20 >/dev/null 2>&1
	trace-cmd record -q -e sched:sched_process_exec -o $VMSCOPE_RESULTS/novmalloc.dat true >/dev/null 2>&1
	ls -la $VMSCOPE_RESULTS/*.dat' || fail "guest recording failed"

# bad FILE WANT-MESSAGE: non-zero exit, the message, no sanitizer or crash output.
bad() {
	local f=$1 want=$2 rc
	"$vmtrace" report -i "$f" -j >"$res/out" 2>"$res/err"
	rc=$?
	[ $rc -ne 0 ] || fail "$f: exit 0, want an error ($want)"
	[ $rc -lt 128 ] || fail "$f: killed by signal $((rc - 128)): $(cat "$res/err")"
	grep -q -- "$want" "$res/err" || fail "$f: message '$(cat "$res/err")', want '$want'"
	echo "ok: $(basename "$f"): exit $rc, $(head -n1 "$res/err")"
}

"$vmtrace" report -i "$res/small.dat" -j >"$res/small.json" || fail "the good file: $(cat "$res/err")"
expect_eq "small recording: allocations of the worker" \
	"$("$vmtrace" report -i "$res/small.dat" -j -c vmalloc_test/0 | jq .allocs)" 20

bad "$res/missing.dat" "cannot open"
head -c 4096 /dev/urandom >"$res/garbage.dat"
bad "$res/garbage.dat" "not a readable trace-cmd data file"
: >"$res/empty.dat"
bad "$res/empty.dat" "too short"
bad "$res" "not a regular file"
size=$(stat -c %s "$res/small.dat")
for cut in 200 $((size / 3)) $((size - 3000)); do
	head -c $cut "$res/small.dat" >"$res/truncated-$cut.dat"
	bad "$res/truncated-$cut.dat" "truncated\|corrupt\|not a readable"
done
bad "$res/novmalloc.dat" "no vmalloc_alloc_stages or vmalloc_va_reserved events"
# Another kernel's format: the va_reserved format's "depth" renamed, same length.
expect_eq "version 6 recording: allocations of the worker" \
	"$("$vmtrace" report -i "$res/small6.dat" -j -c vmalloc_test/0 | jq .allocs)" 20
sed 's/field:unsigned int depth;/field:unsigned int dapth;/' "$res/small6.dat" >"$res/foreign.dat"
cmp -s "$res/small6.dat" "$res/foreign.dat" && fail "no depth field in the format to rename"
bad "$res/foreign.dat" "has no field 'depth'"

# The uncompressed one seeds the fuzzer: its mutations reach the formats and records.
mkdir -p "$BUILD/fuzz-seed"
cp "$res/small6.dat" "$BUILD/fuzz-seed/small.dat"
echo "ok: seed for the fuzz target: $BUILD/fuzz-seed/small.dat ($(stat -c %s "$res/small6.dat") bytes)"
