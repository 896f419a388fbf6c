#!/bin/bash
# Guest side of ci/tests/bpf-output.sh: vmlat -P (JSON and text) and vmtree
# while one process, renamed with prctl(PR_SET_NAME) to a name with a
# quote, a control byte and a backslash, then to "second", loads
# test_vmalloc (its own vmallocs: the module file and image); the maps each
# tool creates (bpftool, by the tool's pid); the programs' missed runs.
# Usage: output.sh [BPF-DIR]   (BPF-DIR: other builds of the tools)
. "$VMSCOPE_TOP/ci/guest/lib.sh"
BPF=${1:-$BPF}
out=$VMSCOPE_RESULTS
start_tracer pjson '^Tracing' "$BPF/vmlat" -j -P || exit 1
start_tracer ptext '^Tracing' "$BPF/vmlat" -P || exit 1
start_tracer plain '^Tracing' "$BPF/vmlat" -j || exit 1
start_tracer tree '^Tracing' "$BPF/vmtree" -j || exit 1
start_tracer count '^Tracing' "$BPF/vmcount" -j || exit 1
start_tracer events '^Tracing' "$BPF/vmlat" -j -M events -C || exit 1
# Each tool's maps and programs: the BPF objects its file descriptors hold.
for t in pjson ptext plain tree count events; do
	grep -hE '^(map|prog)_id:' /proc/"$(tracer_pid $t)"/fdinfo/* | sed "s/^/$t /"
done >"$out/ids"
bpftool -j map show >"$out/maps.json"
perl -e '
	my ($ko, @names) = @ARGV;
	for my $n (@names) {
		syscall(157, 15, $n) == 0 or die "prctl: $!";	# PR_SET_NAME
		open(my $fh, "<", $ko) or die "$ko: $!";
		my $params = "run_test_mask=1 test_loop_count=1";
		syscall(313, fileno($fh), $params, 0);	# finit_module: fails by design
		close($fh);
	}
	print "$$\n";
' "$TEST_VMALLOC" "$(printf 'a"b\001c\\')" second >"$out/perl.pid"
# What the kernel says each tool's programs missed, just before they report it.
bpftool -j prog show >"$out/progs.json"
for t in pjson ptext plain tree count events; do stop_tracer $t; done
exit 0
