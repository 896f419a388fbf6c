#!/usr/bin/env bash
# vmrun --share virtiofs (auto for Debian's cloud-amd64 kernel, which has
# no 9p): the host root read-only and the results directory writable over
# virtiofs, and no virtiofsd (nor QEMU) left after a normal exit, a timeout,
# SIGINT or SIGTERM. Skips (77) when Debian's packages cannot be had.
# timeout: 1200 (Debian's cloud kernel fetched, four boots)
. "$(dirname "$0")/../testlib.sh"
set -m

rc=0
stock=$(ci/stock-kernel.sh -f cloud-amd64) || rc=$?
[ $rc = 0 ] || { [ $rc = 77 ] && exit 77; fail "ci/stock-kernel.sh -f cloud-amd64 failed ($rc)"; }
read -r kernel initrd _ <<<"$stock"

# left RES WHAT: no QEMU and no virtiofsd of the run in RES.
left() {
	local dir
	dir=$(grep -o '/tmp/vmscope-vfs-[A-Za-z0-9]*' "$1/.vmrun/qemu-cmd" | head -n 1)
	[ -n "$dir" ] || fail "$2: no virtiofs socket directory in $1/.vmrun/qemu-cmd"
	! pgrep -f "qemu-system-x86_64.*$1" || fail "QEMU still running after $2"
	! pgrep -f "virtiofsd.*($dir|$1)" || fail "virtiofsd still running after $2"
	[ ! -e "$dir" ] || fail "$dir still there after $2"
	echo "ok: no QEMU, virtiofsd or socket directory left after $2"
}

res=$(new_results)
ci/vmrun -q -k "$kernel" -i "$initrd" -r "$res" -- sh -c '
	awk "\$2 == \"/\" || \$2 == ENVIRON[\"VMSCOPE_RESULTS\"] { print \$2, \$3, substr(\$4, 1, 2) }" /proc/mounts >$VMSCOPE_RESULTS/mounts
	touch /vmscope-ro-probe 2>/dev/null && echo writable >$VMSCOPE_RESULTS/root-rw
	echo ok >$VMSCOPE_RESULTS/written' || fail "guest command failed: $(tail -n 5 "$res/serial.log")"
expect_eq "mounts" "$(sort "$res/mounts" | tr '\n' ';')" "/ virtiofs ro;$res virtiofs rw;"
[ ! -e "$res/root-rw" ] && [ ! -e /vmscope-ro-probe ] || fail "the guest wrote to the host root"
expect_eq "written through the results share" "$(cat "$res/written")" ok
grep -q 'vmscope.share=virtiofs' "$res/.vmrun/qemu-cmd" || fail "no vmscope.share=virtiofs on the command line"
left "$res" "a normal exit"

res=$(new_results)
out=$(ci/vmrun -q -t 25 -k "$kernel" -i "$initrd" -r "$res" -- sleep 1000 2>&1)
expect_eq "status after a timeout" $? 124
left "$res" "a timeout"

for sig in INT TERM; do
	res=$(new_results)
	# A shell started in the background without job control (nohup CMD &)
	# ignores SIGINT, and its children cannot trap it: restore it.
	env --default-signal=INT,TERM ci/vmrun -q -t 120 -k "$kernel" -i "$initrd" -r "$res" -- sleep 1000 &
	pid=$!
	if ! wait_for 90 "$res/serial.log" 'running the command' $pid; then
		kill -TERM $pid 2>/dev/null
		wait $pid
		fail "the guest command did not start within 90 s, SIG$sig not sent: $(tail -n 5 "$res/serial.log")"
	fi
	pgrep -f "virtiofsd.*$res" >/dev/null || fail "no virtiofsd for the results share"
	kill -$sig $pid
	wait $pid
	expect_eq "vmrun status after SIG$sig" $? $([ $sig = INT ] && echo 130 || echo 143)
	left "$res" "SIG$sig"
done
