#!/usr/bin/env bash
# What the tools print: valid JSON whatever a process calls itself (a comm
# set with prctl holds quotes, control bytes, backslashes); vmlat -P one
# block per process and name; program runs the kernel skipped reported in
# text and JSON; maps sized to the options (no breakdown: no histogram
# hash, no frame stack, no module table).
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/output.sh ${BPF_DIR:+"$BPF_DIR"} ||
	fail "guest script failed: $(tail -n 5 "$res/serial.log")"
for t in pjson ptext plain tree count; do
	expect_eq "$t exit status after SIGINT" "$(cat "$res/$t.rc")" 0
done
for t in pjson plain tree count; do
	jq -e . "$res/$t.out" >/dev/null || fail "$t: invalid JSON: $(head -c 600 "$res/$t.out")"
	echo "ok: $t: valid JSON"
done
pid=$(cat "$res/perl.pid")
# The name as set: a"b, byte 1, c, backslash.
expect_eq "comm as set, through JSON" \
	"$(jq -r --argjson p "$pid" '[.hists[] | select(.pid == $p and .stage == "total") | .comm] | unique | map(@json) | join(" ")' "$res/pjson.out")" \
	'"a\"b\u0001c\\" "second"'
# Text: one block per process and name, each stage once in it.
dups=$(awk '/^== /{blk=$0} /^stage /{n[blk " " $2]++} END {for (k in n) if (n[k] > 1) print k}' "$res/ptext.out")
[ -z "$dups" ] || fail "vmlat -P: a stage twice in one block: $dups"
grep -q "pid $pid (a\"b?c\\\\)" "$res/ptext.out" || fail "vmlat -P: no block for pid $pid as 'a\"b?c\\': $(grep "pid $pid" "$res/ptext.out")"
grep -q "pid $pid (second)" "$res/ptext.out" || fail "vmlat -P: no block for pid $pid as 'second'"
echo "ok: vmlat -P: one block per process and name: $(grep -c "pid $pid " "$res/ptext.out") for pid $pid"
# Skipped program runs: in the JSON of each tool, in the text.
for f in pjson:missed_runs pjson:kprobe_missed plain:missed_runs tree:missed_runs count:missed_runs; do
	[[ "$(jq ".${f#*:}" "$res/${f%%:*}.out")" =~ ^[0-9]+$ ]] || fail "${f%%:*}: no ${f#*:} in the JSON"
	echo "ok: ${f%%:*}: ${f#*:} = $(jq ".${f#*:}" "$res/${f%%:*}.out")"
done
grep -q '^program runs missed by the kernel: [0-9]* (BPF recursion)' "$res/ptext.out" || fail "vmlat: missed runs not in the text"
# Maps: what a plain vmlat (no breakdown, stages mode) needs and no more.
for m in hists frames module_texts; do
	sizes=$(jq -r --arg n "$m" '[.[] | select(.name == $n) | .max_entries] | sort | map(tostring) | join(" ")' "$res/maps.json")
	echo "max_entries of the $m maps (vmlat -P -j, -P, plain; vmtree): $sizes"
	[[ " $sizes " == *" 1 "* ]] || fail "$m: no vmlat sized it to 1 entry: $sizes"
done
expect_eq "hists maps of 8192 entries (the two vmlat -P)" \
	"$(jq '[.[] | select(.name == "hists" and .max_entries == 8192)] | length' "$res/maps.json")" 2
