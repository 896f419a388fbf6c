#!/bin/bash
# Guest side of ci/tests/bpf-errors.sh: each case runs a tool and records
# "NAME rc" in errors.tsv and its stderr in NAME.err.
. "$VMSCOPE_TOP/ci/guest/lib.sh"
out=$VMSCOPE_RESULTS
case_() { # NAME CMD...
	local name=$1
	shift
	timeout 60 "$@" >"$out/$name.out" 2>"$out/$name.err"
	printf '%s\t%s\n' "$name" $? >>"$out/errors.tsv"
}
: >"$out/errors.tsv"
case_ bad-pid "$BPF/vmlat" -p abc
case_ zero-interval "$BPF/vmlat" 0
case_ extra-arg "$BPF/vmtree" 1 2 3
case_ bad-size "$BPF/vmlat" -s 12Q
case_ min-over-max "$BPF/vmlat" -s 2M -z 1M
case_ bad-mode "$BPF/vmlat" -M nope
case_ bad-second-mode "$BPF/vmlat" -M events -M bogus
case_ two-modes "$BPF/vmlat" -M events -M fentry
case_ two-units "$BPF/vmlat" -u -m
case_ long-comm "$BPF/vmtree" -c averyveryverylongname
case_ bad-option "$BPF/vmtree" -x
case_ json-file "$BPF/vmlat" -o /proc/nonexistent/x.json 1 1
case_ json-full "$BPF/vmlat" -o /dev/full 1 1
case_ json-full-tree "$BPF/vmtree" -o /dev/full 1 1
case_ threads-stages "$BPF/vmlat" -M stages --max-threads 2
case_ threads-default "$BPF/vmlat" --max-threads 2 1 1
case_ threads-big "$BPF/vmlat" -M events --max-threads 99999999
# Exporter options (--prometheus, --textfile, --max-callers).
case_ prom-zero-port "$BPF/vmlat" --prometheus 0
case_ prom-big-port "$BPF/vmtree" --prometheus 127.0.0.1:65536
case_ prom-name "$BPF/vmlat" --prometheus localhost:9100
case_ prom-no-port "$BPF/vmtree" --prometheus 127.0.0.1:
case_ prom-space-port "$BPF/vmlat" --prometheus " 9100"
case_ prom-v6-no-port "$BPF/vmtree" --prometheus "[::1]"
case_ prom-not-here "$BPF/vmlat" --prometheus 192.0.2.1:9100 1 1
start_tracer prom-holder '^Tracing' "$BPF/vmlat" --prometheus 9100 3600 || exit 1
case_ prom-in-use "$BPF/vmtree" --prometheus 127.0.0.1:9100 1 1
stop_tracer prom-holder
case_ textfile-dir "$BPF/vmlat" --textfile /proc/nonexistent/vmlat.prom 1 1
case_ textfile-ro "$BPF/vmtree" --textfile "$VMSCOPE_TOP/vmtree.prom" 1 1
case_ max-callers "$BPF/vmlat" -C --max-callers 0
case_ not-root setpriv --reuid=65534 --regid=65534 --clear-groups "$BPF/vmlat" 1 1
# No kernel BTF: hide /sys/kernel/btf for a moment.
mount -t tmpfs none /sys/kernel/btf
case_ no-btf "$BPF/vmlat" 1 1
umount /sys/kernel/btf
# No tracefs (debugfs would automount it under debug/tracing).
umount /sys/kernel/debug/tracing 2>/dev/null
umount /sys/kernel/tracing /sys/kernel/debug
case_ no-tracefs "$BPF/vmtree" 1 1
mount -t tracefs nodev /sys/kernel/tracing
case_ no-debugfs "$BPF/vmtree" -s 1 1
mount -t debugfs nodev /sys/kernel/debug

# SIGINT and SIGTERM in the middle of a long interval: prompt, clean exit,
# one last report, nothing left attached.
for sig in INT TERM; do
	for tool in vmlat vmtree; do
		name=$tool-$sig
		start_tracer "$name" '^Tracing' "$BPF/$tool" -j 3600 || exit 1
		bpftool prog show >"$out/$name.progs-during"
		sleep 1
		start=$(date +%s%N)
		pid=$(tracer_pid "$name")
		kill -$sig "$pid"
		wait "$pid"
		echo $? >"$out/$name.rc"
		echo $((($(date +%s%N) - start) / 1000000)) >"$out/$name.ms"
		bpftool prog show >"$out/$name.progs-after"
	done
done
exit 0
