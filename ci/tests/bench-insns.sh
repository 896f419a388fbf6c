#!/usr/bin/env bash
# The disabled cost, counted: make insns (ci/insns.sh) at 1000 and 2000
# fix_size loops on both kernels. With no probe on any vmalloc event, the
# patched kernel runs at most INSNS_LIMIT (10) instructions per
# vmalloc()+vfree() more than the baseline in mm/vmalloc.o, none of them in
# the events' helpers; and insncount counts a log it is given exactly.
. "$(dirname "$0")/../testlib.sh"

count=$BUILD/tools/insncount
res=$(new_results)

# insncount on a log whose answer is known: block A (3 instructions) runs
# twice, B (2) once (logged twice, left once before it ran: "Stopped"),
# then a new translation reuses A's host address for C
# (4 instructions, same function as A) and runs once; D lies outside -r.
cat >"$res/map" <<'EOF'
ffffffff81000000 T f_one
ffffffff81000100 t f_two
ffffffff81000100 t f_two_alias
ffffffff81000200 T f_out
EOF
cat >"$res/log" <<'EOF'
----------------
IN: f_one
0xffffffff81000000:  nop
0xffffffff81000001:  nop
0xffffffff81000002:  jmp 0xffffffff81000100

Trace 0: 0x7f0000000040 [00000000/ffffffff81000000/00000000/00000000] f_one
----------------
IN: f_two
0xffffffff81000100:  nop
0xffffffff81000101:  ret

Trace 0: 0x7f0000000080 [00000000/ffffffff81000100/00000000/00000000] f_two
Trace 0: 0x7f0000000080 [00000000/ffffffff81000100/00000000/00000000] f_two
Stopped execution of TB chain before 0x7f0000000080 [ffffffff81000100] f_two
Trace 0: 0x7f0000000040 [00000000/ffffffff81000000/00000000/00000000] f_one
----------------
IN: f_one
0xffffffff81000010:  nop
0xffffffff81000011:  nop
0xffffffff81000012:  nop
0xffffffff81000013:  ret

Trace 0: 0x7f0000000040 [00000000/ffffffff81000010/00000000/00000000] f_one
----------------
IN: f_out
0xffffffff81000200:  ret

Trace 0: 0x7f00000000c0 [00000000/ffffffff81000200/00000000/00000000] f_out
EOF
"$count" -j -m "$res/map" -r ffffffff81000000-ffffffff81000200 "$res/log" >"$res/known.json" ||
	fail "insncount failed on the known log"
expect_eq "insncount: f_one (2 x 3 + 4)" "$(jq '.functions[] | select(.name == "f_one") | .insns' "$res/known.json")" 10
expect_eq "insncount: f_two, the first name at its address" \
	"$(jq -c '[.functions[] | select(.name | startswith("f_two")) | [.name, .insns]]' "$res/known.json")" '[["f_two",2]]'
expect_eq "insncount: total, f_out outside the range" "$(jq .total "$res/known.json")" 12
# Bad input: a specific message and exit 2.
printf 'Trace 0: garbage\n' >"$res/bad.log"
out=$("$count" -m "$res/map" "$res/bad.log" 2>&1) && fail "insncount accepted a bad log"
expect_eq "insncount: bad log exit status" "$("$count" -m "$res/map" "$res/bad.log" >/dev/null 2>&1; echo $?)" 2
grep -q "bad.log:1: not a QEMU exec trace line" <<<"$out" || fail "insncount's message: $out"
# A block that runs where another was just translated: refused.
sed 's/^0xffffffff81000010:/0xffffffff81000020:/' "$res/log" >"$res/mismatch.log"
out=$("$count" -m "$res/map" "$res/mismatch.log" 2>&1) && fail "insncount accepted a block run at another address than translated"
grep -q "ran right after the translation of 0xffffffff81000020" <<<"$out" || fail "insncount's message for the mismatch: $out"
out=$("$count" -m "$res/map" -r 2-1 "$res/log" 2>&1) && fail "insncount accepted the range 2-1"
grep -q "LO < HI" <<<"$out" || fail "insncount's message for 2-1: $out"
out=$(INSNS_LOOPS=0 bash ci/insns.sh 2>&1) && fail "make insns accepted INSNS_LOOPS=0"
grep -q "INSNS_LOOPS must be a positive integer" <<<"$out" || fail "make insns' message: $out"

# The real kernels.
env INSNS_LOOPS=1000 INSNS_MASK=1 INSNS_RANGE=vmalloc INSNS_LIMIT=10 bash ci/insns.sh >"$res/insns.out" 2>&1 || { cat "$res/insns.out"; fail "make insns failed"; }
cat "$res/insns.out"
j=$(sed -n 's/^insns: results: //p' "$res/insns.out")
[ -f "$j" ] || fail "no insns.json named in the output"
# A one-page vmalloc()+vfree() runs about 2350 instructions in mm/vmalloc.o.
jq -e '.baseline > 1500 and .patched > 1500' "$j" >/dev/null || fail "implausible totals: $(jq -c '{baseline, patched}' "$j")"
jq -e '(.functions[] | select(.name == "__vmalloc_node_range_noprof") | .baseline) > 100' "$j" >/dev/null ||
	fail "the baseline's __vmalloc_node_range_noprof did not run in every loop"
# Tracing off: one body, the allocator's own functions in every loop, and
# none of the events' cold helpers (vmalloc_trace_*, vmap_area_trace_*).
for f in __vmalloc_node_range_noprof alloc_vmap_area; do
	jq -e --arg f "$f" '(.functions[] | select(.name == $f) | .patched) > 100' "$j" >/dev/null ||
		fail "$f did not run in every loop of the patched kernel"
done
# From the symbol table: a copy that never ran would not be in insns.json.
expect_eq "no second copy of the allocator in mm/vmalloc.o" \
	"$(nm "$(kernel_out patched bench)/mm/vmalloc.o" | grep -cE ' [tT] [a-z_]*_(un)?traced(\.|$)')" 0
expect_eq "the events' helpers run with no probe attached" \
	"$(jq '[.functions[] | select(.name | test("^(vmalloc_trace|vmap_area_trace)_")) | .patched] | add // 0' "$j")" 0
echo "instructions per loop over the baseline: $(jq .diff "$j") (limit 10)"
