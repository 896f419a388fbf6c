#!/usr/bin/env bash
# vmlat and vmtree as Prometheus exporters, against the real thing: the
# patched kernel boots with one port forwarded from the host's 127.0.0.1
# (vmrun -p) to vmlat's /metrics in the guest, a workload of LOOPS known
# vmallocs runs (ci/guest/prometheus.sh), then on the host:
#  - curl's scrape passes `promtool check metrics` and counts LOOPS;
#  - Debian's prometheus, started here on 127.0.0.1 with its own config and
#    storage, scrapes it every second; its HTTP API gives the count (LOOPS,
#    exact) and a histogram_quantile(0.99) of the total latency inside the
#    bucket the scrape's own buckets put it in;
#  - no process this test started listens on anything but loopback (by
#    pid); in the guest the default address is 127.0.0.1, the asked one
#    is used;
#  - the textfiles (written at the tools' exit) pass promtool and hold the
#    same exact counts; the stages' _sum add up to the total's to the ns;
#    vmtree's counts add up; -C keeps at most
#    --max-callers 1 caller values plus "other"; the endpoint answers 404,
#    405 and HEAD as it should.
# Everything started here is stopped on every exit path.
# timeout: 1200 (its guest may run 900 s)
. "$(dirname "$0")/../testlib.sh"

loops=500 gport=9101
for c in prometheus promtool curl ss jq python3; do
	command -v $c >/dev/null || fail "no $c: run 'make deps' (prometheus: Debian's package)"
done
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
hport=$(free_port) pport=$(free_port)
[ "$hport" != "$pport" ] || pport=$(free_port)

res=$(new_results)
tmp=$(mktemp -d)
vmpid='' prompid=''
# stop_all [GRACE]: Prometheus, then the guest: told to end (host-done),
# given GRACE tenths of a second, then vmrun is stopped (its trap kills QEMU).
stop_all() {
	local grace=${1:-300}
	if [ -n "$prompid" ]; then
		kill "$prompid" 2>/dev/null
		while kill -0 "$prompid" 2>/dev/null; do sleep 0.1; done
		prompid=''
	fi
	touch "$res/host-done" 2>/dev/null
	if [ -n "$vmpid" ]; then
		for ((i = 0; i < grace; i++)); do kill -0 "$vmpid" 2>/dev/null || break; sleep 0.1; done
		kill "$vmpid" 2>/dev/null
		while kill -0 "$vmpid" 2>/dev/null; do sleep 0.1; done
		vmpid=''
	fi
	rm -rf "$tmp"
}
trap 'stop_all' EXIT
# Interrupted: everything stopped now, synchronously, before exiting.
trap 'stop_all 0; exit 130' INT
trap 'stop_all 0; exit 143' TERM HUP

# free_port's port is free again before QEMU binds it: another program may
# take it meanwhile. QEMU's failing to forward it is retried on another.
for attempt in 1 2 3; do
	rm -f "$res/qemu.stderr"
	ci/vmrun -q -t 900 -p "$hport:$gport" -r "$res" -- ci/guest/prometheus.sh $loops $gport &
	vmpid=$!
	for _ in $(seq 6000); do
		[ -e "$res/workload-done" ] && break
		kill -0 "$vmpid" 2>/dev/null || break
		sleep 0.1
	done
	[ -e "$res/workload-done" ] && break
	kill -0 "$vmpid" 2>/dev/null && fail "no workload-done after 600 s"
	wait "$vmpid" 2>/dev/null
	vmpid=''
	if [ $attempt -lt 3 ] && grep -qi 'host forwarding' "$res/qemu.stderr" 2>/dev/null; then
		echo "note: host port $hport taken before QEMU bound it: $(head -n 1 "$res/qemu.stderr"); another"
		hport=$(free_port)
		[ "$hport" != "$pport" ] || hport=$(free_port)
		continue
	fi
	fail "guest ended before the workload was done: $(tail -n 5 "$res/serial.log" 2>/dev/null) $(tail -n 3 "$res/qemu.stderr" 2>/dev/null)"
done
echo "ok: guest eth0: $(grep -o 'inet [0-9./]*' "$res/guest-ip")"

# (1) A scrape through the forwarded port: the text format, exact count.
lat='vmscope_vmalloc_latency_seconds'
curl -sf --max-time 10 -o "$res/scrape.txt" "http://127.0.0.1:$hport/metrics" ||
	fail "curl http://127.0.0.1:$hport/metrics failed"
promtool check metrics <"$res/scrape.txt" >"$res/promtool-scrape.out" 2>&1 ||
	fail "promtool check metrics: $(cat "$res/promtool-scrape.out")"
[ ! -s "$res/promtool-scrape.out" ] || fail "promtool check metrics: $(cat "$res/promtool-scrape.out")"
echo "ok: promtool check metrics on the scrape: clean ($(wc -l <"$res/scrape.txt") lines)"
sample() { # FILE NAME{LABELS}: its value
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}
expect_eq "scrape: ${lat}_count{stage=\"total\",nested=\"0\"}" \
	"$(sample "$res/scrape.txt" "${lat}_count{stage=\"total\",nested=\"0\"}")" $loops
expect_eq "scrape: failures with no stage" "$(sample "$res/scrape.txt" 'vmscope_vmalloc_failures_total{stage="unknown"}')" 0
expect_eq "scrape: mode" "$(grep -c '^vmscope_vmlat_mode_info{mode="stages",via="tp_btf"} 1$' "$res/scrape.txt")" 1
expect_eq "scrape: le=\"+Inf\" bucket = _count" \
	"$(sample "$res/scrape.txt" "${lat}_bucket{stage=\"total\",nested=\"0\",le=\"+Inf\"}")" $loops

# (2) Prometheus, on loopback, scraping every second.
cat >"$tmp/prometheus.yml" <<EOF2
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: vmlat
    static_configs:
      - targets: ['127.0.0.1:$hport']
EOF2
promtool check config "$tmp/prometheus.yml" >/dev/null || fail "promtool check config failed"
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
	--web.listen-address="127.0.0.1:$pport" >"$res/prometheus.log" 2>&1 &
prompid=$!
api="http://127.0.0.1:$pport/api/v1"
query() { # PROMQL: the first result's value, or nothing
	curl -sf --max-time 5 --data-urlencode "query=$1" "$api/query" 2>/dev/null |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}
up=
for _ in $(seq 600); do
	kill -0 "$prompid" 2>/dev/null || fail "prometheus exited: $(tail -n 5 "$res/prometheus.log")"
	up=$(query 'up{job="vmlat"}')
	[ "$up" = 1 ] && break
	sleep 0.1
done
expect_eq "prometheus: up{job=\"vmlat\"}" "$up" 1
# Every scrape Prometheus made came after the workload: the count is final.
promql="${lat}_count{job=\"vmlat\",stage=\"total\",nested=\"0\"}"
expect_eq "prometheus: $promql" "$(query "$promql")" $loops
promql="histogram_quantile(0.99, ${lat}_bucket{job=\"vmlat\",stage=\"total\",nested=\"0\"})"
q=$(query "$promql")
# Where the scrape's buckets put the 0.99 quantile: the first le whose
# cumulative count reaches 0.99 * count, and the le before it.
read -r lo hi < <(awk -v n=$loops -v pre="${lat}_bucket{stage=\"total\",nested=\"0\",le=\"" '
	index($1, pre) == 1 {
		le = substr($1, length(pre) + 1); sub(/"}$/, "", le)
		if ($2 >= 0.99 * n) { print prev + 0, le; exit }
		prev = le
	}' "$res/scrape.txt")
awk -v q="$q" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(q ~ /^[0-9.e+-]+$/ && q > 0 && q + 0 > lo + 0 && q + 0 <= hi + 0) }' ||
	fail "prometheus: $promql = '$q', want a finite positive number in (${lo}, ${hi}] s"
echo "ok: prometheus: $promql = $q s, in the bucket (${lo}, ${hi}] s"

# (3) Listeners of this test's processes (Prometheus, vmrun's and all it
# started, QEMU among them), found by pid: loopback only.
descendants() { # PID: its children, theirs...
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}
pids=$(descendants "$vmpid")
qpid=$(for p in $pids; do [[ $(ps -o comm= -p "$p") == qemu* ]] && echo "$p"; done | head -n 1)
[ -n "$qpid" ] || fail "no QEMU process under vmrun (pid $vmpid)"
ss -ltnpH >"$res/host-listeners"
for p in "$prompid" "$qpid"; do
	grep -q "pid=$p," "$res/host-listeners" || fail "pid $p listens nowhere: $(cat "$res/host-listeners")"
done
for p in "$prompid" "$vmpid" $pids; do
	bad=$(grep "pid=$p," "$res/host-listeners" | awk '{ print $4 }' | grep -vE '^(127\.0\.0\.1|\[::1\]):' || true)
	[ -z "$bad" ] || fail "pid $p ($(ps -o comm= -p "$p")) listens on $bad"
done
for p in "$prompid" "$qpid"; do
	echo "ok: pid $p ($(ps -o comm= -p "$p")) listens on $(grep "pid=$p," "$res/host-listeners" | awk '{ print $4 }' | paste -sd' ') only"
done
# In the guest: vmtree's --prometheus 9102 (port only) on 127.0.0.1 only, vmlat's where asked.
gl=$(awk '{ print $4 }' "$res/guest-listeners")
grep -qx '127\.0\.0\.1:9102' <<<"$gl" || fail "guest: vmtree --prometheus 9102 not on 127.0.0.1:9102: $gl"
! grep -v '^127\.0\.0\.1:9102$' <<<"$gl" | grep -q ':9102$' || fail "guest: port 9102 not on 127.0.0.1 only: $gl"
grep -qx "10\.0\.2\.15:$gport" <<<"$gl" || fail "guest: vmlat --prometheus 10.0.2.15:$gport not there: $gl"
! grep -v "^10\.0\.2\.15:$gport\$" <<<"$gl" | grep -q ":$gport\$" || fail "guest: port $gport elsewhere too: $gl"
echo "ok: guest listeners: 127.0.0.1:9102 (default address), 10.0.2.15:$gport (asked)"

# (4) Stop Prometheus, then the guest: its tools write their last textfiles.
kill "$prompid"
wait "$prompid" 2>/dev/null
prompid=
touch "$res/host-done"
rc=0
wait "$vmpid" || rc=$?
vmpid=
[ $rc = 0 ] || fail "guest script failed ($rc): $(tail -n 5 "$res/serial.log")"
[ ! -e "$res/guest-timeout" ] || fail "the guest did not see host-done"
for t in lat tree callers; do
	expect_eq "$t exit status after SIGINT" "$(cat "$res/$t.rc")" 0
done
! ss -ltnH | grep -qE ":($hport|$pport)\b" || fail "something still listens on port $hport or $pport"
echo "ok: nothing listens on $hport or $pport any more"

# (5) The textfiles after the tools' exit, and vmtree's scrape in the guest.
for f in vmlat.prom vmtree.prom vmlat-callers.prom vmtree.http; do
	[ -s "$res/$f" ] || fail "no $f"
	promtool check metrics <"$res/$f" >"$res/promtool-$f.out" 2>&1 && [ ! -s "$res/promtool-$f.out" ] ||
		fail "promtool check metrics $f: $(cat "$res/promtool-$f.out")"
	echo "ok: promtool check metrics $f: clean"
done
! ls "$res"/*.prom.?????? >/dev/null 2>&1 || fail "temporary textfiles left: $(ls "$res"/*.prom.??????)"
expect_eq "vmlat.prom: ${lat}_count{stage=\"total\",nested=\"0\"}" \
	"$(sample "$res/vmlat.prom" "${lat}_count{stage=\"total\",nested=\"0\"}")" $loops
# _sum is the exact sum_ns in seconds: the stages' sums add up to the total's to the nanosecond.
ns_sum() { # FILE STAGES-REGEX: the nested="0" _sum of those stages, in ns
	awk -v re="^${lat}_sum[{]stage=\"($2)\",nested=\"0\"[}]\$" '$1 ~ re {
		split($2, p, "."); f = substr(p[2] "000000000", 1, 9); s += p[1] * 1000000000 + f }
		END { printf "%d\n", s }' "$1"
}
total_ns=$(ns_sum "$res/vmlat.prom" total)
[ "$total_ns" -gt 0 ] || fail "vmlat.prom: no total _sum"
expect_eq "vmlat.prom: stage _sums (reserve..publish) in ns = total _sum in ns" \
	"$(ns_sum "$res/vmlat.prom" 'reserve|page_array|pages|map|publish')" "$total_ns"
t=$res/vmtree.prom
expect_eq "vmtree.prom: reservations" "$(sample "$t" vmscope_vmap_reservations_total)" $loops
expect_eq "vmtree.prom: pool hits + tree searches" \
	"$(($(sample "$t" vmscope_vmap_pool_hits_total) + $(sample "$t" vmscope_vmap_tree_searches_total)))" $loops
expect_eq "vmtree.prom: depth histogram _count = tree searches" \
	"$(sample "$t" vmscope_vmap_search_depth_nodes_count)" "$(sample "$t" vmscope_vmap_tree_searches_total)"
expect_eq "vmtree.prom: guard areas reserved" "$(sample "$t" vmscope_vmap_guard_reserved_areas_total)" $loops
expect_eq "vmtree.prom: guard bytes reserved" "$(sample "$t" vmscope_vmap_guard_reserved_bytes_total)" $((loops * 4096))
expect_eq "vmtree.prom: lost (untracked areas)" "$(sample "$t" 'vmscope_vmtree_lost_total{reason="untracked_area"}')" 0
expect_eq "vmtree.http (guest scrape after the workload): reservations" \
	"$(sample "$res/vmtree.http" vmscope_vmap_reservations_total)" $loops
c=$res/vmlat-callers.prom
ncallers=$(grep -o 'caller="[^"]*"' "$c" | sort -u | wc -l)
[ "$ncallers" -ge 1 ] && [ "$ncallers" -le 2 ] || fail "vmlat -C --max-callers 1: $ncallers caller values: $(grep -o 'caller="[^"]*"' "$c" | sort -u)"
grep -q 'caller="other"' "$c" && [ "$ncallers" = 2 ] || [ "$ncallers" = 1 ] ||
	fail "vmlat -C --max-callers 1: two caller values and none is \"other\""
tot=$(awk -v p="${lat}_count{stage=\"total\"," 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$c")
[ "$tot" -ge $loops ] || fail "vmlat -C: $tot allocations in all, fewer than the workload's $loops"
echo "ok: vmlat -C --max-callers 1: caller values $(grep -o 'caller="[^"]*"' "$c" | sort -u | paste -sd' '), $tot allocations"
expect_eq "guest: HTTP answers (/, POST, HEAD, vmtree)" "$(paste -sd' ' "$res/guest-http")" "/ 404 POST 405 HEAD 200 vmtree 200"
