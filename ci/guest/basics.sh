#!/bin/bash
# Guest side of ci/tests/boot-basics.sh: what every vmscope tool relies on.
bad=0
check() {
	local desc=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $desc"; else echo "not ok - $desc"; bad=1; fi
}
check "kernel BTF at /sys/kernel/btf/vmlinux" test -r /sys/kernel/btf/vmlinux
check "tracefs has vmalloc:alloc_vmap_area" test -d /sys/kernel/tracing/events/vmalloc/alloc_vmap_area
check "tracefs has vmalloc:free_vmap_area_noflush" test -d /sys/kernel/tracing/events/vmalloc/free_vmap_area_noflush
check "bpffs mounted" grep -q ' /sys/fs/bpf bpf ' /proc/mounts
check "kprobe events available" test -w /sys/kernel/tracing/kprobe_events
check "test_vmalloc.ko built" test -r "$VMSCOPE_KBUILD/lib/test_vmalloc.ko"
check "results directory writable" touch "$VMSCOPE_RESULTS/probe"
check "host binaries run (bpftool)" bpftool version
uname -r >"$VMSCOPE_RESULTS/uname"
nproc >"$VMSCOPE_RESULTS/nproc"
exit $bad
