#!/usr/bin/env bash
# Live kernel text patching under load on 2 vCPUs: every vmalloc event
# flipped on and off 1500 times (3000 static-key flips) while test_vmalloc
# workers run that code on the other vCPU. QEMU 7.2's multi-threaded TCG
# oopses on int3 here (baseline kernel too); vmrun runs several vCPUs
# single-threaded, and this test keeps it so. Both kernels, no oops.
. "$(dirname "$0")/../testlib.sh"

for k in patched baseline; do
	[ -f "$(kernel_out $k)/arch/x86/boot/bzImage" ] || { echo "no $k kernel"; exit 77; }
	res=$(new_results)
	ci/vmrun -q -c 2 -t 300 -k $k -r "$res" -- ci/guest/toggle.sh 1500
	rc=$?
	grep -a 'flips:' "$res/serial.log" | tr -d '\r' || true
	expect_eq "$k kernel: vmrun status after 3000 flips under load (125: oops)" $rc 0
	if [ "$(cat "$res/.vmrun/accel")" = tcg ]; then
		grep -q 'tcg,thread=single' "$res/.vmrun/qemu-cmd" ||
			fail "a 2-vCPU TCG guest ran multi-threaded: $(cat "$res/.vmrun/qemu-cmd")"
		echo "ok: $k kernel ran under single-threaded TCG"
	fi
done
