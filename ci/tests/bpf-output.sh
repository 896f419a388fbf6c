#!/usr/bin/env bash
# What the tools print: valid JSON whatever a process calls itself (a comm
# set with prctl holds quotes, control bytes, backslashes); vmlat -P one
# block per process and name; program runs the kernel skipped reported in
# text and JSON, equal to what the kernel counts for the tool's programs;
# each tool's maps (those its file descriptors hold) sized to its options (no breakdown:
# no histogram hash, no frame stack, no module table; frames in task
# storage, freed with their thread).
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/output.sh ${BPF_DIR:+"$BPF_DIR"} ||
	fail "guest script failed: $(tail -n 5 "$res/serial.log")"
for t in pjson ptext plain tree count events; do
	expect_eq "$t exit status after SIGINT" "$(cat "$res/$t.rc")" 0
done
for t in pjson plain tree count events; do
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
# Skipped program runs: in the JSON of each tool, in the text, and what the
# kernel counts for that tool's programs (bpftool; the programs its file
# descriptors hold, read while the
# system was idle just before the tools reported: the same figure).
ids_of() { # tool map|prog -> JSON array of the ids its file descriptors hold
	awk -v t="$1" -v k="$2_id:" '$1 == t && $2 == k { print $3 }' "$res/ids" | jq -s -c .
}
for f in pjson:missed_runs plain:missed_runs tree:missed_runs count:missed_runs events:missed_runs; do
	t=${f%%:*} field=${f#*:}
	got=$(jq ".$field" "$res/$t.out" | tail -n 1)
	[[ "$got" =~ ^[0-9]+$ ]] || fail "$t: no $field in the JSON"
	kern=$(jq --argjson ids "$(ids_of "$t" prog)" '[.[] | select(.id as $i | $ids | index($i)) | .recursion_misses // 0] | add // 0' "$res/progs.json")
	nprog=$(jq --argjson ids "$(ids_of "$t" prog)" '[.[] | select(.id as $i | $ids | index($i))] | length' "$res/progs.json")
	[ "$nprog" -gt 0 ] || fail "$t: bpftool lists none of its programs: cannot compare"
	expect_eq "$t: $field = the kernel's recursion_misses of its $nprog programs" "$got" "$kern"
done
[[ "$(jq .kprobe_missed "$res/pjson.out")" =~ ^[0-9]+$ ]] || fail "pjson: no kprobe_missed in the JSON"
grep -q '^program runs missed by the kernel: [0-9]* (BPF recursion)' "$res/ptext.out" || fail "vmlat: missed runs not in the text"
# Maps: each tool's own (by its pid), sized to its options.
maps_of() { # tool name -> "type max_entries" of its map NAME
	jq -r --argjson ids "$(ids_of "$1" map)" --arg n "$2" \
		'[.[] | select(.name == $n and (.id as $i | $ids | index($i))) | "\(.type) \(.max_entries)"] | join(",")' "$res/maps.json"
}
expect_eq "plain vmlat: hists map" "$(maps_of plain hists)" "hash 1"
expect_eq "plain vmlat: module_texts map" "$(maps_of plain module_texts)" "hash 1"
expect_eq "plain vmlat: no frames map (stages mode keeps no per-thread state)" "$(maps_of plain frames)" ""
expect_eq "vmlat -P: hists map (shared by all CPUs)" "$(maps_of pjson hists)" "hash 8192"
expect_eq "vmlat -M events -C: frames in task storage" "$(maps_of events frames)" "task_storage 0"
expect_eq "vmlat -M events -C: module_texts map" "$(maps_of events module_texts)" "hash 256"
expect_eq "vmtree: frames in task storage" "$(maps_of tree frames)" "task_storage 0"
expect_eq "vmtree: guard_by_caller without -C" "$(maps_of tree guard_by_caller)" "hash 1"
