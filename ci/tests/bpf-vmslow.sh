#!/usr/bin/env bash
# vmslow against test_vmalloc's worker in the booted patched kernel: with
# -t 0 exactly its SMALL allocations, each with stages adding up to its
# total, gfp and node from vmalloc_alloc_enter, and a symbolised kernel
# stack through vmalloc into the test_vmalloc module; with a threshold,
# exactly the allocations at or above it (checked against a -t 0 tracer
# that ran at the same time), all BIG 4 MiB ones among them; nothing lost;
# text output; a failing vmalloc reported whatever the threshold, with the
# stage that failed; a full ring buffer: records + lost = allocations, lost
# > 0; bad input refused.
. "$(dirname "$0")/../testlib.sh"

small=200 big=50
thresh_us=50	# 4 MiB vmallocs take 100 us and more under TCG; 4 KiB ones 2-40 us
vmslow=$BUILD/bpf/vmslow

# Bad input: refused while parsing, before anything needs root or a kernel.
for args in "-t abc" "-t -1" "-t 1.5" "-t 99999999999999999999" "5 6"; do
	# shellcheck disable=SC2086
	"$vmslow" $args >/dev/null 2>"$BUILD/vmslow-bad.err" && fail "vmslow $args: exit status 0"
	rc=$?
	grep -qE 'invalid threshold|one positional argument' "$BUILD/vmslow-bad.err" ||
		fail "vmslow $args: no message: $(cat "$BUILD/vmslow-bad.err")"
	echo "ok: vmslow $args: exit $rc, says: $(head -n 1 "$BUILD/vmslow-bad.err")"
done

# Whitespace before the number (strtoull would skip it): one word, a tab and 5.
"$vmslow" -t "$(printf '\t5')" >/dev/null 2>"$BUILD/vmslow-bad.err" && fail "vmslow -t '<tab>5': exit status 0"
grep -q 'invalid threshold' "$BUILD/vmslow-bad.err" || fail "vmslow -t '<tab>5': no message: $(cat "$BUILD/vmslow-bad.err")"
echo "ok: vmslow -t '<tab>5': says: $(head -n 1 "$BUILD/vmslow-bad.err")"

res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/vmslow.sh $small $big $thresh_us ||
	fail "guest script failed: $(tail -n 5 "$res/serial.log")"
for t in all slow slowall text failed full; do
	expect_eq "$t exit status after SIGINT" "$(cat "$res/$t.rc")" 0
done
expect_eq "bpftool prog show after vmslow exited (its exit status)" "$(cat "$res/progs-after.rc" 2>/dev/null)" 0
! grep -q 'stages_btf\|enter_btf' "$res/progs-after" || fail "BPF programs still loaded after vmslow exited"

# On a kernel with the whole series the stage times carry gfp and node:
# one program per vmalloc, vmalloc_alloc_enter not attached.
grep -q 'gfp and node from its stage times' "$res/all.err" ||
	fail "vmslow did not take gfp and node from the stage times: $(grep Tracing "$res/all.err")"

# (1) -t 0: every allocation of the worker, one JSON object per line, and a summary.
all=$res/all.out
jq -e . "$all" >/dev/null || fail "all: not JSON lines: $(head -c 300 "$all")"
recs() { jq -c 'select(.summary | not)' "$1"; }
expect_eq "all: records" "$(recs "$all" | wc -l)" $small
expect_eq "all: records of vmalloc_test/0, 4096 bytes, not nested, not failed" \
	"$(recs "$all" | jq -c 'select(.comm == "vmalloc_test/0" and .size == 4096 and .nested == false and .failed == "none")' | wc -l)" $small
expect_eq "all: records whose stages add up to the total" \
	"$(recs "$all" | jq -c 'select(.reserve_ns + .page_array_ns + .pages_ns + .map_ns + .publish_ns == .total_ns and .total_ns > 0)' | wc -l)" $small
expect_eq "all: records with gfp and node (GFP_KERNEL, NUMA_NO_NODE)" \
	"$(recs "$all" | jq -c 'select(.gfp == "0xcc0" and .node == -1)' | wc -l)" $small
expect_eq "all: records with tid, pid, cpu, time" \
	"$(recs "$all" | jq -c 'select(.tid > 0 and .pid > 0 and .cpu >= 0 and .time_ns > 0)' | wc -l)" $small
# The stack: the vmalloc core or vmalloc itself, and the module's frames
# (named from the module_load record: test_vmalloc unloads itself before
# vmslow prints).
core='^(__vmalloc_node_range_noprof|__vmalloc_node_noprof|vmalloc_noprof)\+'
expect_eq "all: stacks through the vmalloc core" \
	"$(recs "$all" | jq -c --arg re "$core" 'select(any(.stack[]; test($re)))' | wc -l)" $small
expect_eq "all: stacks with a [test_vmalloc] frame" \
	"$(recs "$all" | jq -c 'select(any(.stack[]; test("\\[test_vmalloc\\]")))' | wc -l)" $small
# ORC unwinds real frames: the guess unwinder gave stale ones too, the
# same return address back to back.
expect_eq "all: stacks without a frame repeated back to back" \
	"$(recs "$all" | jq -c 'select([.stack as $s | range(1; $s | length) | select($s[.] == $s[. - 1])] | length == 0)' | wc -l)" $small
expect_eq "all: summary records / lost / without enter" \
	"$(jq -r 'select(.summary) | .summary | "\(.records)/\(.lost)/\(.no_enter)"' "$all")" "$small/0/0"
echo "all: first record: $(head -n 1 "$all" | cut -c1-400)"

# (2) -t THRESH against the -t 0 ground truth that ran at the same time:
# the same allocation gives both the same addr, size and stage times.
slow=$res/slow.out truth=$res/slowall.out
key='"\(.addr) \(.size) \(.total_ns) \(.reserve_ns) \(.map_ns)"'
recs "$slow" | jq -r "$key" | sort >"$res/slow.keys"
recs "$truth" | jq -r "select(.total_ns >= $thresh_us * 1000 or .failed != \"none\") | $key" | sort >"$res/truth.keys"
expect_eq "slow: records under the threshold, not failed" \
	"$(recs "$slow" | jq -c "select(.total_ns < $thresh_us * 1000 and .failed == \"none\")" | wc -l)" 0
cmp -s "$res/slow.keys" "$res/truth.keys" ||
	fail "slow: records differ from the -t 0 tracer's at or above ${thresh_us} us: $(diff "$res/slow.keys" "$res/truth.keys" | head -n 5)"
echo "ok: slow: $(wc -l <"$res/slow.keys") records = the -t 0 tracer's at or above ${thresh_us} us"
expect_eq "ground truth: 4 MiB vmallocs" "$(recs "$truth" | jq -c 'select(.size == 4194304)' | wc -l)" $big
expect_eq "slow: 4 MiB vmallocs (all above ${thresh_us} us)" "$(recs "$slow" | jq -c 'select(.size == 4194304)' | wc -l)" $big
n4k=$(recs "$slow" | jq -c 'select(.size == 4096)' | wc -l)
[ "$n4k" -lt $((small / 2)) ] || fail "slow: $n4k of $small 4 KiB vmallocs at or above ${thresh_us} us: the threshold filtered little"
echo "ok: slow: $n4k of $small 4 KiB vmallocs at or above ${thresh_us} us (TCG outliers)"
expect_eq "slow: lost" "$(jq -r 'select(.summary) | .summary.lost' "$slow")" 0
# Nested page arrays (8 KiB for a 4 MiB area) pair with their own entry:
# gfp and node of the nested vmalloc, none without its entry.
expect_eq "ground truth: nested 8 KiB page arrays with gfp and node" \
	"$(recs "$truth" | jq -c 'select(.nested == true and .size == 8192 and .gfp != "" and .node == -1)' | wc -l)" $big
expect_eq "ground truth: 4 MiB vmallocs with GFP_KERNEL and node -1" \
	"$(recs "$truth" | jq -c 'select(.size == 4194304 and .gfp == "0xcc0" and .node == -1)' | wc -l)" $big
expect_eq "ground truth / slow: records without their entry" \
	"$(jq -r 'select(.summary) | .summary.no_enter' "$truth")/$(jq -r 'select(.summary) | .summary.no_enter' "$slow")" 0/0
expect_eq "slow: summary threshold" "$(jq -r 'select(.summary) | .summary.threshold_us' "$slow")" $thresh_us

# (3) Text: one line per allocation, the lost counter at the end.
text=$res/text.out
expect_eq "text: lines of vmalloc_test/0 with every field" \
	"$(grep -cE '^[0-9:]{8}\.[0-9]{6} ts=[0-9]+ pid=[0-9]+ tid=[0-9]+ comm=vmalloc_test/0 cpu=[0-9]+ size=4096 gfp=0xcc0 node=-1 nested=0 failed=none reserve=[0-9]+ page_array=[0-9]+ pages=[0-9]+ map=[0-9]+ publish=[0-9]+ total=[0-9]+ caller=.* stack=.*\[test_vmalloc\]' "$text")" $small
grep -qE "^vmslow: $small records \(threshold 0 us\), lost 0 \(ring buffer full\)" "$text" ||
	fail "text: no final 'lost 0' line: $(tail -n 1 "$text")"
echo "ok: text: $(tail -n 1 "$text")"

# (4) A failure is reported whatever the threshold: align_shift_alloc_test
# asks for ever larger alignments until one fails (once per run).
grep -q 'align_shift_alloc_test passed: [0-9]* failed: 1' "$res/test_vmalloc.dmesg" ||
	fail "align_shift_alloc_test did not fail once: $(grep align_shift "$res/test_vmalloc.dmesg" | tail -n 2)"
failed=$res/failed.out
expect_eq "failed: records with a 1 s threshold (the one failing vmalloc)" "$(recs "$failed" | wc -l)" 1
expect_eq "failed: a 4 KiB vmalloc of vmalloc_test/0, failed in reserve, addr 0" \
	"$(recs "$failed" | jq -c 'select(.comm == "vmalloc_test/0" and .size == 4096 and .failed == "reserve" and .addr == "0x0" and .nested == false)' | wc -l)" 1
echo "ok: failed: $(recs "$failed" | cut -c1-300)"

# (5) A full ring buffer: the reader stopped through SMALL allocations of a
# 4 KiB buffer; every allocation is either a record or counted lost.
full=$res/full.out
nrec=$(recs "$full" | wc -l)
expect_eq "full: summary records = records printed" "$(jq -r 'select(.summary) | .summary.records' "$full")" "$nrec"
nlost=$(jq -r 'select(.summary) | .summary.lost' "$full")
expect_eq "full: records + lost" $((nrec + nlost)) $small
[ "$nlost" -gt 0 ] || fail "full: nothing lost with a 4 KiB ring buffer and a stopped reader"
echo "ok: full: $nrec records + $nlost lost = $small allocations"
