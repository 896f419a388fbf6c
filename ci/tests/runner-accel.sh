#!/usr/bin/env bash
# vmrun picks KVM only where a guest prints under it, and never hangs on a
# /dev/kvm that accepts QEMU but runs no guest:
#  - VMSCOPE_ACCEL is checked; VMSCOPE_ACCEL=tcg boots under TCG;
#  - the real probe on this machine (a boot of the kernel under KVM) gives
#    an answer, cached, and a guest that boots with it;
#  - a QEMU whose KVM guests print nothing (a stand-in on PATH) makes the
#    probe answer tcg, and a cached "kvm" that has gone silent is booted
#    once more under TCG, saying so (also where there is no KVM: a
#    stand-in /dev/kvm, VMSCOPE_KVM_DEV).
. "$(dirname "$0")/../testlib.sh"
tmp=$(mktemp -d "$BUILD/accel-test-XXXX")
trap 'rm -rf "$tmp"' EXIT

out=$(VMSCOPE_ACCEL=fast ci/vmrun -q -- true 2>&1)
expect_eq "status with VMSCOPE_ACCEL=fast" $? 2
grep -q "VMSCOPE_ACCEL wants auto, kvm or tcg" <<<"$out" || fail "no clear message: $out"

res=$(new_results)
VMSCOPE_ACCEL=tcg ci/vmrun -q -r "$res" -- true || fail "VMSCOPE_ACCEL=tcg boot failed"
expect_eq "accelerator with VMSCOPE_ACCEL=tcg" "$(cat "$res/.vmrun/accel")" tcg

# The real probe, as a fresh build directory would run it.
res=$(new_results)
s=$SECONDS
out=$(VMSCOPE_ACCEL_CACHE=$tmp/real ci/vmrun -q -t 120 -r "$res" -- true 2>&1) ||
	fail "boot after the real probe failed: $out"
echo "$out"
if [ -w /dev/kvm ]; then
	grep -q 'probing KVM' <<<"$out" || fail "no KVM probe although /dev/kvm is writable"
	answer=$(cat "$tmp/real")
	echo "ok: this machine's KVM probe says '$answer' (probe and boot: $((SECONDS - s)) s)"
	expect_eq "accelerator used after the probe" "$(cat "$res/.vmrun/accel")" "$answer"
else
	echo "ok: no writable /dev/kvm; TCG without a probe"
	expect_eq "accelerator without /dev/kvm" "$(cat "$res/.vmrun/accel")" tcg
fi
grep -q 'running the command' "$res/serial.log" || fail "the guest printed nothing"

# The silent-KVM cases never run a KVM guest: a stand-in /dev/kvm will do.
: >"$tmp/kvm"

# A QEMU whose KVM guests never print: runs, says nothing, until killed.
real_qemu=$(command -v qemu-system-x86_64)
mkdir -p "$tmp/bin"
cat >"$tmp/bin/qemu-system-x86_64" <<EOS
#!/bin/bash
for a in "\$@"; do [ "\$a" = -enable-kvm ] && exec -a vmscope-silent-kvm sleep 1000; done
exec $real_qemu "\$@"
EOS
chmod +x "$tmp/bin/qemu-system-x86_64"

res=$(new_results)
s=$SECONDS
out=$(PATH=$tmp/bin:$PATH VMSCOPE_KVM_DEV=$tmp/kvm VMSCOPE_ACCEL_CACHE=$tmp/silent VMSCOPE_KVM_PROBE_SECS=2 \
	ci/vmrun -q -t 60 -r "$res" -- true 2>&1) || fail "boot after a silent probe failed: $out"
echo "$out"
expect_eq "probe answer for a KVM that prints nothing" "$(cat "$tmp/silent")" tcg
expect_eq "accelerator used" "$(cat "$res/.vmrun/accel")" tcg
echo "ok: silent KVM probed and booted under TCG in $((SECONDS - s)) s"
! pgrep -f vmscope-silent-kvm >/dev/null || fail "the silent probe QEMU was left running"

echo "kvm host" >"$tmp/stale"
res=$(new_results)
s=$SECONDS
out=$(PATH=$tmp/bin:$PATH VMSCOPE_KVM_DEV=$tmp/kvm VMSCOPE_ACCEL_CACHE=$tmp/stale VMSCOPE_KVM_FIRST_LINE_SECS=3 \
	ci/vmrun -q -t 60 -r "$res" -- true 2>&1)
rc=$?
echo "$out"
expect_eq "status of a boot whose cached KVM went silent" $rc 0
grep -q 'no console output under KVM .*booting once more under TCG' <<<"$out" || fail "no fallback message: $out"
expect_eq "accelerator of the second boot" "$(cat "$res/.vmrun/accel")" tcg
expect_eq "cache after the fallback" "$(cat "$tmp/stale")" tcg
[ -f "$res/serial-kvm.log" ] || fail "the silent boot's log was not kept"
echo "ok: fell back to TCG in $((SECONDS - s)) s"
! pgrep -f vmscope-silent-kvm >/dev/null || fail "the silent QEMU was left running"
