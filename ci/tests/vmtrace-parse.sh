#!/usr/bin/env bash
# vmtrace report on bad input, on the host: a missing file, garbage, an empty
# file, a truncated recording, a recording without vmalloc events, one whose
# vmalloc events lack fields (another kernel's format), one with its first
# data page zeroed, and stdout on /dev/full: each exactly its message
# and exit 1, both through the reading child and in this process
# (VMTRACE_NO_FORK=1: a crash is a crash, not "crashed reading it"). The small recording it makes is kept
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
	for i in 1 2 3; do
		trace-cmd record -q --file-version 6 -e vmalloc -o $VMSCOPE_RESULTS/onepage6-$i.dat \
			insmod $ko nr_threads=1 run_test_mask=1 test_loop_count=2 >/dev/null 2>&1
	done
	trace-cmd record -q -e sched:sched_process_exec -o $VMSCOPE_RESULTS/novmalloc.dat true >/dev/null 2>&1
	ls -la $VMSCOPE_RESULTS/*.dat' || fail "guest recording failed"

# bad FILE WANT-MESSAGE: exit 1 and exactly "vmtrace: FILE: WANT-MESSAGE" on
# stderr, forked and not.
bad() {
	local f=$1 want="vmtrace: $1: $2" rc nofork
	for nofork in 0 1; do
		VMTRACE_NO_FORK=$nofork "$vmtrace" report -i "$f" -j >"$res/out" 2>"$res/err"
		rc=$?
		[ $rc -lt 128 ] || fail "$f: killed by signal $((rc - 128)) (VMTRACE_NO_FORK=$nofork): $(cat "$res/err")"
		[ $rc -eq 1 ] || fail "$f: exit $rc (VMTRACE_NO_FORK=$nofork), want 1 ($want)"
		[ "$(cat "$res/err")" = "$want" ] ||
			fail "$f: message '$(cat "$res/err")' (VMTRACE_NO_FORK=$nofork), want '$want'"
	done
	echo "ok: $(basename "$f"): exit $rc, $(head -n1 "$res/err")"
}

"$vmtrace" report -i "$res/small.dat" -j >"$res/small.json" || fail "the good file: $(cat "$res/err")"
expect_eq "small recording: allocations of the worker" \
	"$("$vmtrace" report -i "$res/small.dat" -j -c vmalloc_test/0 | jq .allocs)" 20

# Exactly what "cannot open" says: not through bad() (the path is in the middle).
"$vmtrace" report -i "$res/missing.dat" -j >"$res/out" 2>"$res/err"
expect_eq "missing file: exit status" $? 1
expect_eq "missing file: message" "$(cat "$res/err")" "vmtrace: cannot open $res/missing.dat: No such file or directory"
unreadable="not a readable trace-cmd data file (corrupt, truncated or another format)"
head -c 4096 /dev/urandom >"$res/garbage.dat"
bad "$res/garbage.dat" "$unreadable"
: >"$res/empty.dat"
bad "$res/empty.dat" "not a trace-cmd data file (too short)"
bad "$res" "not a trace-cmd data file (not a regular file)"
# Cut in the headers, in the middle, in the last CPU's data (which crashed
# libtracecmd 3.1.6's tracecmd_open_fd()).
for f in small small6; do
	size=$(stat -c %s "$res/$f.dat")
	for cut in 200 $((size / 3)) $((size - 3000)); do
		head -c $cut "$res/$f.dat" >"$res/truncated-$f-$cut.dat"
		bad "$res/truncated-$f-$cut.dat" "$unreadable"
	done
done
bad "$res/novmalloc.dat" "no vmalloc_alloc_stages or vmalloc_va_reserved events (record with trace-cmd record -e vmalloc on a kernel with the vmscope series)"
# A data page zeroed: libtracecmd stops that CPU there and says nothing; the
# file's statistics say how many records the CPU had. Only what the buffer
# still held when the statistics were taken counts ("entries"): pages the
# reader took while recording do not, so the page zeroed is the only page of
# the CPU with the most entries in a recording of one page per CPU. A CPU's
# entries are 0 when the reader took its page before the statistics: of three
# recordings, the first with entries.
for i in 1 2 3; do
	onepage=$res/onepage6-$i.dat
	stat=$(trace-cmd report --stat -i "$onepage" 2>/dev/null)
	cpu=$(echo "$stat" | awk '/^CPU: /{c=$2} /^entries: /{if ($2 > max) {max=$2; best=c}} END{print best}')
	[ -n "$cpu" ] && break
done
[ -n "$cpu" ] || fail "no CPU with entries in the onepage6-*.dat recordings' trace-cmd report --stat"
entries=$(echo "$stat" | sed -n "/^CPU: $cpu\$/,/^\$/s/^entries: //p")
off=$(echo "$stat" | sed -n "s/^CPU$cpu data recorded at offset=\(0x[0-9a-f]*\).*/\1/p")
size=$(echo "$stat" | sed -n "/^CPU$cpu data recorded/{n;s/^ *\([0-9]*\) bytes in size/\1/p}")
[ -n "$off" ] || fail "no CPU$cpu data offset in $(basename "$onepage")'s trace-cmd report --stat"
expect_eq "$(basename "$onepage"): CPU $cpu's data size" "$size" 4096
cp "$onepage" "$res/zeropage.dat"
dd if=/dev/zero of="$res/zeropage.dat" bs=4096 seek=$((off / 4096)) count=1 conv=notrunc status=none
VMTRACE_NO_FORK=1 "$vmtrace" report -i "$res/zeropage.dat" -j >"$res/out" 2>"$res/err"
expect_eq "zeroed data page: exit status" $? 1
grep -qx "vmtrace: $res/zeropage.dat: CPU $cpu: [0-9]* records read of the $entries its statistics hold (a corrupt data page)" "$res/err" ||
	fail "zeroed data page: message '$(cat "$res/err")'"
echo "ok: zeroed data page: $(cat "$res/err")"
# A report that cannot be written: exit 1, said why.
"$vmtrace" report -i "$res/small.dat" -j >/dev/full 2>"$res/err"
expect_eq "stdout on /dev/full: exit status" $? 1
expect_eq "stdout on /dev/full: message" "$(cat "$res/err")" "vmtrace: cannot write the report: No space left on device"
"$vmtrace" report -i "$res/small.dat" >/dev/full 2>"$res/err"
expect_eq "stdout on /dev/full (text): exit status" $? 1
# Another kernel's format: the va_reserved format's "depth" renamed, same length.
expect_eq "version 6 recording: allocations of the worker" \
	"$("$vmtrace" report -i "$res/small6.dat" -j -c vmalloc_test/0 | jq .allocs)" 20
sed 's/field:unsigned int depth;/field:unsigned int dapth;/' "$res/small6.dat" >"$res/foreign.dat"
cmp -s "$res/small6.dat" "$res/foreign.dat" && fail "no depth field in the format to rename"
bad "$res/foreign.dat" "vmalloc:vmalloc_va_reserved has no field 'depth' (another kernel's event format?)"

# The uncompressed one seeds the fuzzer: its mutations reach the formats and records.
mkdir -p "$BUILD/fuzz-seed"
cp "$res/small6.dat" "$BUILD/fuzz-seed/small.dat"
echo "ok: seed for the fuzz target: $BUILD/fuzz-seed/small.dat ($(stat -c %s "$res/small6.dat") bytes)"
