#!/bin/bash
# Guest side of ci/tests/prometheus-export.sh: vmlat and vmtree as
# exporters around a workload of known size, test_vmalloc's worker
# (vmalloc_test/0) doing LOOPS fix_size vmallocs of 4 KiB, each one vmap
# area with a guard page:
#  - lat: vmlat -c vmalloc_test/0, /metrics on 10.0.2.15:GUESTPORT (what
#    vmrun -p forwards from the host's loopback) and a textfile;
#  - tree: vmtree -c vmalloc_test/0, /metrics on the guest's 127.0.0.1
#    (port only: the default address), scraped here, and a textfile;
#  - callers: vmlat -C --max-callers 1, every vmalloc, textfile only.
# Then waits (bounded) for the host to write host-done: it scrapes and runs
# Prometheus meanwhile. The textfiles' last write is at the tools' exit.
# Usage: prometheus.sh LOOPS GUESTPORT
. "$VMSCOPE_TOP/ci/guest/lib.sh"
loops=${1:?loops} gport=${2:?guest port} res=$VMSCOPE_RESULTS
ip -4 addr show dev eth0 >"$res/guest-ip" 2>&1
start_tracer lat '^Tracing' "$BPF/vmlat" -c vmalloc_test/0 --prometheus "10.0.2.15:$gport" \
	--textfile "$res/vmlat.prom" 1 || exit 1
start_tracer tree '^Tracing' "$BPF/vmtree" -c vmalloc_test/0 --prometheus 9102 \
	--textfile "$res/vmtree.prom" 1 || exit 1
start_tracer callers '^Tracing' "$BPF/vmlat" -C --max-callers 1 --textfile "$res/vmlat-callers.prom" 1 || exit 1
ss -ltnH >"$res/guest-listeners"
run_test_vmalloc nr_threads=1 run_test_mask=1 test_loop_count="$loops"
touch "$res/workload-done"

# The endpoint's answers to what is not a scrape, and vmtree's scrape.
{
	curl -s -o /dev/null -w '/ %{http_code}\n' "http://10.0.2.15:$gport/"
	curl -s -o /dev/null -w 'POST %{http_code}\n' -X POST "http://10.0.2.15:$gport/metrics"
	curl -s -o /dev/null -w 'HEAD %{http_code}\n' -I "http://10.0.2.15:$gport/metrics"
	curl -s -o "$res/vmtree.http" -w 'vmtree %{http_code}\n' http://127.0.0.1:9102/metrics
} >"$res/guest-http" 2>&1

for _ in $(seq 3000); do
	[ -e "$res/host-done" ] && break
	sleep 0.1
done
[ -e "$res/host-done" ] || echo "no host-done after 300 s" >"$res/guest-timeout"
for t in lat tree callers; do stop_tracer $t; done
exit 0
