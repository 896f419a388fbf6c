#!/usr/bin/env bash
# Debian's perf (linux-perf, perf 6.1) reads the series' 6.12 events as they
# are: perf stat counts test_vmalloc's worker (LOOPS one-page vmallocs)
# exactly per event, and perf record + perf script give every field of
# vmalloc_alloc_stages, the stages adding up to total_ns in every record.
#
# What perf cannot do here: name the worker. 6.12 names a kthread in
# copy_process() (kernel_thread() with a name), which emits neither a
# PERF_RECORD_COMM nor task:task_rename, so perf script shows the worker
# under its parent's comm, kthreadd. The worker is therefore picked in the
# kernel (--filter 'comm == "vmalloc_test/0"', evaluated on current->comm)
# and, in an unfiltered recording, by the tid that filter gave.
. "$(dirname "$0")/../testlib.sh"

loops=200
command -v perf >/dev/null || compgen -G '/usr/bin/perf_[0-9]*' >/dev/null ||
	fail "no perf on this machine (Debian: linux-perf; ci/deps.sh installs it)"
res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/perf-events.sh $loops ||
	fail "guest run failed: $(tail -n 5 "$res/serial.log")"
cat "$res/perf-version"

# perf stat, system-wide with the comm filter: exactly one of each per allocation.
stat_count() { # file event
	awk -F, -v ev="vmalloc:$2" '$3 == ev { print $1 }' "$1"
}
for ev in vmalloc_alloc_enter vmalloc_va_reserved vmalloc_page_array vmalloc_pages_alloc \
	  vmalloc_pages_map vmalloc_alloc_exit vmalloc_alloc_stages vmalloc_area_free \
	  alloc_vmap_area free_vmap_area_noflush; do
	expect_eq "perf stat --filter comm: $ev" "$(stat_count "$res/stat-worker.csv" $ev)" $loops
	# Without the filter insmod's own vmallocs (module loading) count too.
	n=$(stat_count "$res/stat-all.csv" $ev)
	[ "${n:-0}" -ge $loops ] || fail "perf stat -a: $ev counted ${n:-nothing}, want >= $loops"
done
echo "ok: perf stat -a without a filter: every event >= $loops"

# perf script: no parse warning; every field of vmalloc_alloc_stages present.
for what in worker all; do
	[ ! -s "$res/$what.script-err" ] || fail "perf script ($what) complained: $(head -n 5 "$res/$what.script-err")"
	grep -q 'FAILED TO PARSE' "$res/$what.txt" && fail "perf script ($what) could not parse a record: $(grep -m1 'FAILED TO PARSE' "$res/$what.txt")"
done
echo "ok: perf script parsed every record, no warning"
head -n 1 "$res/worker.txt"
for f in addr size total_ns reserve_ns page_array_ns pages_ns map_ns publish_ns nested failed_stage caller; do
	grep -q " $f=" <(head -n 1 "$res/worker.txt") || fail "perf script shows no $f= field: $(head -n 1 "$res/worker.txt")"
done
echo "ok: perf script shows every vmalloc_alloc_stages field"

# check_records FILE TID WHAT: records of TID (all if empty): how many, and
# how many with a stage sum other than total_ns, no time or a failure.
check_records() {
	awk -v tid="$2" '
	tid == "" || $2 == tid {
		n++
		delete v
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["total_ns"] != v["reserve_ns"] + v["page_array_ns"] + v["pages_ns"] + v["map_ns"] + v["publish_ns"] ||
		    v["total_ns"] == 0 || v["failed_stage"] != "none") bad++
	}
	END { print n + 0, bad + 0 }' "$1"
}
# The filtered recording: the worker only, one thread.
tids=$(awk '{ print $2 }' "$res/worker.txt" | sort -u)
expect_eq "perf record --filter comm: threads" "$(wc -w <<<"$tids")" 1
expect_eq "perf record --filter comm: records, bad records" "$(check_records "$res/worker.txt" "")" "$loops 0"
comm=$(awk 'NR == 1 { print $1 }' "$res/worker.txt")
ncomm=$(grep -c "PERF_RECORD_COMM.*:$tids/$tids\$" "$res/worker.task-events" || true)
echo "note: perf script names the worker '$comm' (kernel comm vmalloc_test/0); PERF_RECORD_COMM records for its tid $tids: $ncomm"
# The unfiltered recording: the worker is the thread whose caller is in the
# module and that made LOOPS allocations; every record of any thread adds up.
wtid=$(awk '/caller=0x/ { n[$2]++ } END { for (t in n) print n[t], t }' "$res/all.txt" | sort -rn | awk 'NR == 1 { print $2 }')
expect_eq "perf record -a: the worker's records, bad records" "$(check_records "$res/all.txt" "$wtid")" "$loops 0"
read -r n bad < <(check_records "$res/all.txt" "")
[ "$n" -ge $loops ] || fail "perf record -a: $n records, want >= $loops"
expect_eq "perf record -a: records of any thread whose stages do not add up" "$bad" 0
