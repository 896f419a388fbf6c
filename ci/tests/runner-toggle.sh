#!/usr/bin/env bash
# Live kernel text patching under load on 2 vCPUs: the upstream
# alloc_vmap_area event (a static key) flipped on and off TOGGLE_PAIRS
# times (default 100; make stress: 1500) while a test_vmalloc worker runs
# that code on the other vCPU. QEMU 7.2's multi-threaded TCG oopses on int3
# here, the baseline kernel too (VMSCOPE_TCG_THREAD=multi reproduces it);
# vmrun runs several vCPUs single-threaded, and this test keeps it so.
# Both kernels, no oops.
# timeout: 2000 (two guests of up to 900 s)
. "$(dirname "$0")/../testlib.sh"
pairs=${TOGGLE_PAIRS:-100}

for k in patched baseline; do
	[ -f "$(kernel_out $k)/arch/x86/boot/bzImage" ] || { echo "no $k kernel"; exit 77; }
	res=$(new_results)
	ci/vmrun -q -c 2 -t 900 -k $k -r "$res" -- ci/guest/toggle.sh "$pairs"
	rc=$?
	grep -a 'flips:' "$res/serial.log" | tr -d '\r' || true
	expect_eq "$k kernel: vmrun status after $((2 * pairs)) flips under load (125: oops)" $rc 0
	if [ "$(cat "$res/.vmrun/accel")" = tcg ] && [ "${VMSCOPE_TCG_THREAD:-single}" = single ]; then
		grep -q 'thread=single' "$res/.vmrun/qemu-cmd" ||
			fail "a 2-vCPU TCG guest ran multi-threaded: $(cat "$res/.vmrun/qemu-cmd")"
		echo "ok: $k kernel ran under single-threaded TCG"
	fi
done
