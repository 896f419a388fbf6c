#!/usr/bin/env bash
# What users get wrong, each refused with a specific message and a
# non-zero exit, before anything is built or booted: JOBS=0, an unknown
# FLAVOR (make and vmrun), a kernel older than the series or configs it
# was built from or holding only a prefix of the series, a results
# directory that cannot be made. (A non-6.12 or
# already patched KSRC: kernel-series; the tools' bad input: bpf-errors.)
. "$(dirname "$0")/../testlib.sh"

check() { # want-status want-message command...
	local want=$1 msg=$2 out rc; shift 2
	out=$("$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = "$want" ] || fail "$*: status $rc, want $want: $out"
	grep -q -- "$msg" <<<"$out" || fail "$*: message '$(tail -n 3 <<<"$out")' lacks '$msg'"
	echo "ok: $* -> $rc: $(grep -m1 -- "$msg" <<<"$out")"
}
check 2 "JOBS must be a positive number" env JOBS=0 make -s kernel
check 2 "unknown FLAVOR 'nonsense'" env FLAVOR=nonsense make -s kernel
check 1 "unknown FLAVOR 'nonsense'" ci/vmrun -q -f nonsense -- true
check 1 "no patched kernel at .*FLAVOR=bench make kernel" env BUILD=/nonexistent/build ci/vmrun -q -- true
check 1 "cannot create results directory" ci/vmrun -q -r /proc/vmscope-results -- true
# A build of a prefix of the series (series-bisect's), also one whose full
# rebuild never came: refused.
part=$(mktemp -d "$BUILD/bad-input-XXXX")
trap 'rm -rf "$part"' EXIT
mkdir -p "$part/kernel/patched-bench/arch/x86/boot"
: >"$part/kernel/patched-bench/arch/x86/boot/bzImage"
echo 3 >"$part/kernel/patched-bench/.vmscope-partial"
check 1 "holds patches 1..3 of the series only" env BUILD="$part" ci/vmrun -q -- true
rm -rf "$part"
trap - EXIT

# A config fragment newer than the built kernel: stale, refused, until rebuilt.
stamp=$(kernel_out patched)/.vmscope-built
[ -f "$stamp" ] || fail "no build stamp at $stamp (make kernel first)"
frag=configs/base.config
old=$(stat -c %y "$frag")
trap 'touch -d "$old" "$frag"' EXIT
touch -d "$(date -d "$(stat -c %y "$stamp") + 1 minute")" "$frag"
check 1 "older than .*base.config.*rebuild it" ci/vmrun -q -- true
touch -d "$old" "$frag"
ci/vmrun -q -- true || fail "the kernel is not accepted once the fragment is as old as before"
echo "ok: accepted again once the fragment is not newer than the build"
# Another flavor's layer is not an input of the bench kernel.
other=configs/kcsan.config
old2=$(stat -c %y "$other")
trap 'touch -d "$old" "$frag"; touch -d "$old2" "$other"' EXIT
touch -d "$(date -d "$(stat -c %y "$stamp") + 1 minute")" "$other"
ci/vmrun -q -- true || fail "a newer $other made the bench kernel stale"
touch -d "$old2" "$other"
echo "ok: another flavor's config layer does not make the bench kernel stale"
! pgrep -f "qemu-system-x86_64.*$BUILD/results/bad-input" >/dev/null || fail "QEMU left running"
