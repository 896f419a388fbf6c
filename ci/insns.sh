#!/usr/bin/env bash
# `make insns`: what the series costs with its tracepoints off, counted in
# instructions instead of timed. make bench's medians move by about its
# 0.5% gate between two builds that differ only outside mm/vmalloc.c
# (other work lands between the test's steps); an instruction count of
# the vmalloc code itself does not.
#
# Boots the baseline and the patched kernel in deterministic mode with
# QEMU logging every block executed in a range of kernel text (ci/vmrun
# --exec-log), around one test_vmalloc case (INSNS_MASK, default 1:
# fix_size, one page vmalloc()+vfree() per loop) at INSNS_LOOPS (2000) and
# twice as many loops. tools/insncount counts each function's instructions;
# the difference between the two boots over INSNS_LOOPS is what one loop
# runs, with boot and setup cancelled out. Prints the functions that differ
# most, writes insns.json, and fails if the patched kernel runs more than
# INSNS_LIMIT (default 10) instructions per loop more than the baseline.
# INSNS_SETTLE: loops of the untimed pass before the counted run (default
# TV_SETTLE_LOOPS, as make bench; 0: none).
# INSNS_RANGE: vmalloc (mm/vmalloc.o's .text, default: about 15 s a boot),
# another object of the kernel build (mm/page_alloc.o), or kernel (all of
# .text: minutes a boot, and the log takes GBs).
set -euo pipefail
prog=insns
# The bench config's kernels, whatever FLAVOR says: they are the ones locked and booted.
export FLAVOR=bench
. "$(dirname "$0")/lib.sh"
cd "$VMSCOPE_TOP"

mask=${INSNS_MASK:-1} loops=${INSNS_LOOPS:-2000} limit=${INSNS_LIMIT:-10} range=${INSNS_RANGE:-vmalloc}
settle=${INSNS_SETTLE:-$TV_SETTLE_LOOPS}
for v in mask loops limit; do
	[[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || die "INSNS_${v^^} must be a positive integer, not '${!v}'"
done
[[ $settle =~ ^[0-9]+$ ]] || die "INSNS_SETTLE must be a number of loops (0: none), not '$settle'"
case $range in
vmalloc) obj=mm/vmalloc.o ;;
kernel) obj= ;;
*.o) obj=$range
	for k in baseline patched; do
		[ -f "$(kernel_out $k bench)/$obj" ] || die "INSNS_RANGE: no $obj in the $k kernel's build"
	done ;;
*) die "INSNS_RANGE must be vmalloc, kernel or an object of the kernel build (mm/page_alloc.o), not '$range'" ;;
esac
count=$BUILD/tools/insncount
[ -x "$count" ] && [ -x "$BUILD/tools/tvreport" ] || die "no $count or tvreport: run 'make tools'"
for k in baseline patched; do
	[ -f "$(kernel_out $k bench)/System.map" ] || die "no $k kernel: run 'make kernels'"
done

mkdir -p "$BUILD/results"
exec 9>"$BUILD/results/.insns.lock"
flock -n 9 || die "another make insns is running"
kernel_lock_timed baseline bench
kernel_lock_timed patched bench
res=$(mktemp -d "$BUILD/results/insns-$(date +%Y%m%d-%H%M%S)-XXXX")
# One results path for every boot: it is on the kernel command line, which
# seeds the guest's entropy (ci/bench.sh).
boot=$BUILD/results/insns-boot
# test_vmalloc cases in the mask: the results each boot must show.
ncases=0
for ((b = mask; b; b >>= 1)); do ncases=$((ncases + (b & 1))); done
trap 'rm -f "$boot"/exec.log' EXIT

# text_range KBUILD: LO-HI (hex) of the text to count in that kernel.
text_range() {
	local kb=$1 off base lo size
	if [ "$range" = kernel ]; then
		echo "$(awk '$3 == "_stext" {print $1}' "$kb/System.map")-$(awk '$3 == "_etext" {print $1}' "$kb/System.map")"
		return
	fi
	# An object's .text is one piece of vmlinux's: its start is where a
	# global function of it landed, less its offset in the object.
	local sym
	sym=$(objdump -t "$kb/$obj" | awk '$2 == "g" && $3 == "F" && $4 == ".text" {print $NF; exit}')
	off=$(objdump -t "$kb/$obj" | awk -v s="$sym" '$NF == s && $4 == ".text" {print $1}')
	base=$(awk -v s="$sym" '$3 == s {print $1; exit}' "$kb/System.map")
	size=$(objdump -h "$kb/$obj" | awk '$2 == ".text" {print $3}')
	[ -n "$sym" ] && [ -n "$off" ] && [ -n "$base" ] && [ -n "$size" ] || die "cannot place $obj's text in $kb/vmlinux"
	lo=$(printf '%x' $((0x$base - 0x$off)))
	printf '%s-%x\n' "$lo" $((0x$lo + 0x$size))
}

# run KERNEL LOOPS: one boot; $res/KERNEL-LOOPS.json from insncount.
run() {
	local k=$1 n=$2 kb r start=$SECONDS
	kb=$(kernel_out "$k" bench)
	r=$(text_range "$kb")
	rm -rf "$boot" && mkdir -p "$boot"
	say "[$k, $n loops] booting, counting blocks in $r"
	# (9>&-: a killed make insns must not leave its lock to the guest.)
	if ! ci/vmrun -q -D -k "$k" -r "$boot" -X "$r:$boot/exec.log" -- \
		ci/guest/test-vmalloc.sh --settle "$settle" run_test_mask="$mask" test_loop_count="$n" $TV_TIMED_ARGS 9>&-; then
		rm -f "$boot/exec.log"
		mv "$boot" "$res/$k-$n"
		die "$k, $n loops: guest run failed (log: $res/$k-$n/serial.log)"
	fi
	# test-vmalloc.sh exits 0 whatever insmod did: the log says whether
	# every case ran all its loops and passed.
	"$BUILD/tools/tvreport" -j -l "$k-$n" "$boot/dmesg" >"$res/$k-$n.tv.json" &&
		jq -e --argjson n "$n" --argjson c "$ncases" '[.results[] | .loops == $n and .failed == 0] | length == $c and all' \
			"$res/$k-$n.tv.json" >/dev/null || {
		rm -f "$boot/exec.log"
		mv "$boot" "$res/$k-$n"
		die "$k, $n loops: test_vmalloc did not run $n loops and pass (dmesg: $res/$k-$n/dmesg)"
	}
	if ! "$count" -j -m "$kb/System.map" -r "$r" "$boot/exec.log" >"$res/$k-$n.json"; then
		rm -f "$boot/exec.log"
		mv "$boot" "$res/$k-$n"
		die "$k, $n loops: insncount failed on the log"
	fi
	rm -f "$boot/exec.log"
	mv "$boot" "$res/$k-$n"
	say "[$k, $n loops] done in $(elapsed $((SECONDS - start))): $(jq .total "$res/$k-$n.json") instructions"
}

for k in baseline patched; do
	run "$k" "$loops"
	run "$k" $((2 * loops))
done

# Per function: (count at 2N - count at N) / N, both kernels; names that
# exist in one kernel only count as 0 in the other.
jq -n --argjson loops "$loops" --argjson settle "$settle" --argjson limit "$limit" --arg range "$range" --argjson mask "$mask" \
	--slurpfile b1 "$res/baseline-$loops.json" --slurpfile b2 "$res/baseline-$((2 * loops)).json" \
	--slurpfile p1 "$res/patched-$loops.json" --slurpfile p2 "$res/patched-$((2 * loops)).json" '
	# Static functions of one name (other objects, INSNS_RANGE=kernel) add up.
	def byname: group_by(.name) | map({ key: .[0].name, value: (map(.insns) | add) }) | from_entries;
	def per($a; $b): ($a[0].functions | byname) as $x | ($b[0].functions | byname) as $y
		| reduce (($x + $y) | keys[]) as $f ({}; .[$f] = ((($y[$f] // 0) - ($x[$f] // 0)) / $loops));
	def r2: (. * 100 | round) / 100;
	per($b1; $b2) as $b | per($p1; $p2) as $p
	| { mode: "instructions per test_vmalloc loop, QEMU TCG execution log, deterministic boots",
	    run_test_mask: $mask, settle_loops: $settle, loops: $loops, range: $range, limit: $limit,
	    functions: [ (($b + $p) | keys[]) as $f
		| { name: $f, baseline: ($b[$f] // 0 | r2), patched: ($p[$f] // 0 | r2),
		    diff: ((($p[$f] // 0) - ($b[$f] // 0)) | r2) } ]
		| map(select(.baseline != 0 or .patched != 0)) | sort_by(-(.diff | fabs)),
	    baseline: (($b2[0].total - $b1[0].total) / $loops | r2),
	    patched: (($p2[0].total - $p1[0].total) / $loops | r2) }
	| .diff = (.patched - .baseline | r2)
	# vmalloc.o or the kernel: the allocator itself must have run each loop.
	| .measured = (.baseline > 0 and .patched > 0 and (($range | endswith(".o")) or
		([.functions[] | select(.name == "__vmalloc_node_range_noprof") | .baseline > 0 and .patched > 0] | any)))
	| .pass = (.measured and .diff <= $limit)' >"$res/insns.json"

echo
echo "Instructions per loop (test_vmalloc run_test_mask=$mask, $range text; (2N - N loops) / N, N = $loops)"
printf '%-40s %10s %10s %8s\n' function baseline patched diff
jq -r '.functions[:12][] | [.name, .baseline, .patched, .diff] | @tsv' "$res/insns.json" |
	while IFS=$'\t' read -r f b p d; do printf '%-40s %10s %10s %8s\n' "$f" "$b" "$p" "$d"; done
jq -r '["total", .baseline, .patched, .diff] | @tsv' "$res/insns.json" |
	while IFS=$'\t' read -r f b p d; do printf '%-40s %10s %10s %8s\n' "$f" "$b" "$p" "$d"; done
say "results: $res/insns.json"
[ "$(jq .measured "$res/insns.json")" = true ] ||
	die "nothing measured: no instruction per loop, or no __vmalloc_node_range_noprof run in the range"
[ "$(jq .pass "$res/insns.json")" = true ] ||
	die "the patched kernel runs $(jq .diff "$res/insns.json") instructions more per loop than the baseline (limit $limit)"
say "PASS: $(jq .diff "$res/insns.json") instructions per loop over the baseline (limit $limit)"
