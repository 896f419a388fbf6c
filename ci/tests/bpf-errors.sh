#!/usr/bin/env bash
# vmlat and vmtree refuse bad input and a kernel or system they cannot use
# with a specific message and a non-zero exit (also a -o FILE that could
# not be written: a full disk; exporter addresses and ports that are bad,
# not on the machine or taken, a textfile directory that takes no files),
# and stop cleanly on SIGINT
# and SIGTERM in the middle of an interval, leaving nothing attached.
. "$(dirname "$0")/../testlib.sh"

res=$(new_results)
ci/vmrun -q -r "$res" -- ci/guest/errors.sh || fail "guest script failed: $(tail -n 5 "$res/serial.log")"

# NAME expected-message (an extended regex on stderr)
while read -r name want; do
	rc=$(awk -v n="$name" '$1 == n { print $2 }' "$res/errors.tsv")
	[ -n "$rc" ] || fail "$name: did not run"
	[ "$rc" != 0 ] || fail "$name: exit status 0; stderr: $(cat "$res/$name.err")"
	[ "$rc" != 124 ] || fail "$name: still running after 60 s"
	grep -qE -- "$want" "$res/$name.err" || fail "$name: stderr does not say /$want/: $(cat "$res/$name.err")"
	echo "ok: $name: exit $rc, says: $(grep -E -- "$want" "$res/$name.err" | head -n 1)"
done <<'EOF2'
bad-pid invalid PID 'abc'
zero-interval invalid interval '0'
extra-arg unexpected argument '3'
bad-size invalid size '12Q'
min-over-max --min-size 2097152 is above --max-size 1048576
bad-mode unknown mode 'nope'
bad-second-mode unknown mode 'bogus'
two-modes -M events and -M fentry: one mode
two-units -u and -m exclude each other
long-comm longer than 15 characters
bad-option invalid option
json-file cannot write /proc/nonexistent/x.json
json-full vmlat: writing /dev/full failed
json-full-tree vmtree: writing /dev/full failed
threads-stages --max-threads: -M stages keeps no per-thread state
threads-default --max-threads does nothing in the stages mode
threads-big --max-threads 99999999: at most
prom-zero-port --prometheus '0': invalid port '0': want 1-65535
prom-big-port --prometheus '127.0.0.1:65536': invalid port '65536'
prom-name invalid address 'localhost': want an IPv4 address or \[IPv6\]
prom-no-port --prometheus '127.0.0.1:': invalid port ''
prom-not-here vmlat: --prometheus: cannot listen on 192.0.2.1:9100: Cannot assign requested address
prom-in-use vmtree: --prometheus: cannot listen on 127.0.0.1:9100: Address already in use
textfile-dir vmlat: --textfile: cannot write /proc/nonexistent/vmlat.prom \(a temporary file next to it\): No such file or directory
textfile-ro vmtree: --textfile: cannot write .*vmtree.prom \(a temporary file next to it\): Read-only file system
prom-space-port --prometheus ' 9100': invalid port ' 9100'
prom-v6-no-port --prometheus '\[::1\]': an IPv6 address wants a port
max-callers invalid caller count '0'
not-root vmlat: must run as root
no-btf vmlat: no kernel BTF
no-tracefs vmtree: tracefs is not mounted
no-debugfs needs /sys/kernel/debug/vmalloc/state
EOF2

for sig in INT TERM; do
	for tool in vmlat vmtree; do
		name=$tool-$sig
		expect_eq "$name exit status" "$(cat "$res/$name.rc")" 0
		ms=$(cat "$res/$name.ms")
		[ "$ms" -lt 2000 ] || fail "$name took $ms ms to stop (interval 3600 s)"
		echo "ok: $name stopped in $ms ms"
		jq -e . "$res/$name.out" >/dev/null || fail "$name: no final report: $(cat "$res/$name.out")"
		grep -qE 'btf' "$res/$name.progs-during" || fail "$name: no program loaded while tracing"
		! grep -qE '_btf' "$res/$name.progs-after" || fail "$name: programs still loaded: $(cat "$res/$name.progs-after")"
	done
done
