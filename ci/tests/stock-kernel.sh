#!/usr/bin/env bash
# The tools on kernels without the series, against a known workload with
# exact counts: Debian 12's own 6.1 kernels, amd64 and cloud-amd64
# (ci/stock-kernel.sh: fetched, not installed; booted with its initramfs,
# the host root over 9p and virtiofs respectively) and, when built, the 6.12
# baseline kernel. The workload: ci/kmod's vmalloc_faults built against
# each kernel (Debian's ships no test_vmalloc: CONFIG_TEST_VMALLOC is not
# set), ROUNDS vmallocs of each of 1, 3, 17 and 1024 pages from one
# kthread, the last one nesting a vmalloc for its page array. vmlat -M funcs
# (chosen by itself) times the stage functions the kernel kept; vmlat -M
# kprobe the total; vmcount counts the vmap areas; vmtree says it needs the
# series. Skips (77) when Debian's packages cannot be had.
# timeout: 1800 (Debian's kernels fetched, three boots)
. "$(dirname "$0")/../testlib.sh"

rounds=40
top=$((4 * rounds)) nested=$rounds

check() { # results label via
	local res=$1 m=$2 out=$1/lat.out n st
	cat "$res/lat.err"
	expect_eq "[$m] workload" "$(grep -o 'allocs=[0-9]* failed=[0-9]*' "$res/workload.dmesg")" "allocs=$top failed=0"
	expect_eq "[$m] vmlat exit status after SIGINT" "$(cat "$res/lat.rc")" 0
	expect_eq "[$m] vmlat mode chosen" "$(json_field "$out" mode)" funcs
	expect_eq "[$m] vmlat way in" "$(json_field "$out" funcs.via)" "$3"
	expect_eq "[$m] allocations (incl. nested)" "$(json_field "$out" allocs)" $((top + nested))
	expect_eq "[$m] nested" "$(json_field "$out" nested)" $nested
	expect_eq "[$m] lost" "$(json_field "$out" lost)" 0
	expect_eq "[$m] unmatched" "$(json_field "$out" unmatched)" 0
	expect_eq "[$m] reserve function" "$(json_field "$out" funcs.reserve)" __get_vm_area_node
	[ "$(json_field "$out" funcs.map)" != null ] || fail "[$m] no map function found"
	expect_eq "[$m] stages in other (need the series)" "$(jq -c .funcs.other "$out")" '["page_array","pages","publish"]'
	# Measured stages: one each per allocation (other is the rest of the
	# total, one per allocation by construction); what needs the series
	# is absent (never a zero count). Reserve and map each took time,
	# together no more than the allocations they are part of; every
	# stage-function call was the allocation's own and closed.
	for n in false true; do
		for st in reserve map total; do
			expect_eq "[$m] $st count (nested=$n)" \
				"$(jq "[.hists[] | select(.stage == \"$st\" and .nested == $n) | .count] | add" "$out")" \
				"$([ $n = true ] && echo $nested || echo $top)"
		done
		expect_eq "[$m] 0 < reserve, 0 < map, reserve + map <= total, ns (nested=$n)" \
			"$(jq "[.hists[] | select(.nested == $n)] | (map(select(.stage == \"reserve\").sum_ns) | add) as \$r |
				(map(select(.stage == \"map\").sum_ns) | add) as \$m |
				(map(select(.stage == \"total\").sum_ns) | add) as \$t | \$r > 0 and \$m > 0 and \$r + \$m <= \$t" "$out")" true
	done
	expect_eq "[$m] stray stage-function calls" "$(json_field "$out" stray)" 0
	expect_eq "[$m] stage-function exits lost" "$(json_field "$out" fn_unclosed)" 0
	expect_eq "[$m] failed" "$(json_field "$out" failed)" 0
	expect_eq "[$m] histograms of stages that need the series" \
		"$(jq '[.hists[], .summary[] | select(.stage == "page_array" or .stage == "pages" or .stage == "publish")] | length' "$out")" 0
	grep -q 'apart they need the vmscope series' "$res/lat.err" || fail "[$m] vmlat did not say what needs the series"
	expect_eq "[$m] vmlat -M kprobe allocations" "$(json_field "$res/latk.out" allocs)" $((top + nested))
	expect_eq "[$m] vmlat -M kprobe nested" "$(json_field "$res/latk.out" nested)" $nested
	cat "$res/count.err"
	expect_eq "[$m] vmcount exit status" "$(cat "$res/count.rc")" 0
	expect_eq "[$m] vmcount vmap areas" "$(json_field "$res/count.out" allocs)" $((top + nested))
	expect_eq "[$m] vmcount failed" "$(json_field "$res/count.out" failed)" 0
	expect_eq "[$m] vmtree exit status" "$(cat "$res/vmtree.rc")" 1
	grep -q 'need the vmscope series' "$res/vmtree.err" || fail "[$m] vmtree: $(cat "$res/vmtree.err")"
	! grep -qE 'core_|fn_|alloc_vmap_area' "$res/progs-after" || fail "[$m] BPF programs still loaded after the tools exited"
	echo "[$m] $(jq -c '[.summary[] | {stage, nested, count, avg_ns}]' "$out")"
}

# Both of Debian's x86 flavors: amd64 shares the host root over 9p (its
# modules), cloud-amd64 has no 9p and gets it over virtiofs (ci/vmrun
# --share auto reads that from the kernel's config).
for flavor in amd64 cloud-amd64; do
	m=debian-$flavor rc=0
	stock=$(ci/stock-kernel.sh -f $flavor) || rc=$?
	[ $rc = 0 ] || { [ $rc = 77 ] && exit 77; fail "ci/stock-kernel.sh -f $flavor failed ($rc)"; }
	read -r kernel initrd dir <<<"$stock"
	[ $flavor = amd64 ] && stock_amd64=$stock
	res=$(new_results)
	ci/vmrun -q -c 1 -k "$kernel" -i "$initrd" -r "$res" -- ci/guest/stock.sh $rounds "$dir/vmscope-kmod" ||
		fail "[$m] guest script failed: $(tail -n 5 "$res/serial.log")"
	expect_eq "[$m] kernel" "$(cat "$res/uname")" "$(basename "$dir")"
	expect_eq "[$m] shared over" "$(grep -o 'vmscope.share=virtiofs' "$res/.vmrun/qemu-cmd" || echo 9p)" \
		"$([ $flavor = cloud-amd64 ] && echo vmscope.share=virtiofs || echo 9p)"
	check "$res" $m kprobe
	grep -q 'fexit on alloc_vmap_area' "$res/count.err" || fail "[$m] vmcount did not say how it counts"
done

# ci/stock-kernel.sh off the happy path: without package lists (apt-cache
# fails, as on a machine that never ran apt-get update) it takes what is
# cached; with no mirror and nothing cached it skips (77), never fails.
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
printf '#!/bin/sh\necho "E: no package lists" >&2\nexit 100\n' >"$shim/apt-cache"
printf '#!/bin/sh\necho "E: cannot reach the mirror" >&2\nexit 100\n' >"$shim/apt-get"
chmod +x "$shim/apt-cache" "$shim/apt-get"
rc=0
got=$(PATH=$shim:$PATH ci/stock-kernel.sh -f amd64 2>"$shim/err") || rc=$?
expect_eq "stock-kernel.sh without package lists: exit status" $rc 0
expect_eq "stock-kernel.sh without package lists: the cached kernel" "$got" "$stock_amd64"
# The mirror moved on to a newer ABI that cannot be had: the cached one.
printf '#!/bin/sh\necho "  Depends: linux-image-6.1.0-9999-amd64"\n' >"$shim/apt-cache"
rc=0
got=$(PATH=$shim:$PATH ci/stock-kernel.sh -f amd64 2>"$shim/err") || rc=$?
expect_eq "stock-kernel.sh, newer ABI not downloadable: exit status" $rc 0
expect_eq "stock-kernel.sh, newer ABI not downloadable: the cached kernel" "$got" "$stock_amd64"
[ ! -e "$BUILD/stock/6.1.0-9999-amd64" ] || fail "stock-kernel.sh left build/stock/6.1.0-9999-amd64 behind"
rc=0
PATH=$shim:$PATH BUILD=$shim/build ci/stock-kernel.sh -f amd64 >/dev/null 2>"$shim/err" || rc=$?
expect_eq "stock-kernel.sh with no mirror and nothing cached: exit status (skip)" $rc 77
echo "ok: it says: $(tail -n 1 "$shim/err")"

if [ ! -f "$(kernel_out baseline)/arch/x86/boot/bzImage" ]; then
	skip "baseline kernel not built (make baseline): its half not run; Debian's kernels passed"
fi
res=$(new_results)
ci/vmrun -q -c 1 -k baseline -r "$res" -- sh -c "ci/guest/stock.sh $rounds \$VMSCOPE_KBUILD/vmscope-kmod" ||
	fail "baseline guest script failed: $(tail -n 5 "$res/serial.log")"
check "$res" baseline fentry

# test_vmalloc's align_shift_alloc_test: exactly one NULL, in reserve
# (__get_vm_area_node), in its worker; -M fentry and -M kprobe cannot tell
# the stage.
for t in failf faile failk; do
	cat "$res/$t.err"
	expect_eq "[baseline] align_shift: vmlat $t exit status" "$(cat "$res/$t.rc")" 0
	expect_eq "[baseline] align_shift: vmlat $t failed" "$(json_field "$res/$t.out" failed)" 1
done
expect_eq "[baseline] align_shift: -M funcs failed in reserve" "$(jq -c '[.failed_stage.reserve, .failed_unknown_stage]' "$res/failf.out")" '[1,0]'
for t in faile failk; do
	expect_eq "[baseline] align_shift: $t failed, stage unknown" \
		"$(jq -c '[([.failed_stage[]] | add), .failed_unknown_stage]' "$res/$t.out")" '[0,1]'
done
