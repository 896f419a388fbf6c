# shellcheck shell=bash
# Shared by the ci/ scripts: paths, messages, and the kernel variant names.
# Source it; it defines nothing that runs on its own.

VMSCOPE_TOP=${VMSCOPE_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$VMSCOPE_TOP/build}
FLAVOR=${FLAVOR:-bench}

prog=${prog:-$(basename "$0")}

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

# Config layers per flavor: base + tracing, then speed or debugging aids.
layers_for_flavor() {
	case "$1" in
	bench) echo "base tracing bench" ;;
	debug) echo "base tracing debug" ;;
	kcsan) echo "base tracing kcsan" ;;
	*) die "unknown FLAVOR '$1' (want: bench, debug, kcsan)" ;;
	esac
}

# Where a kernel variant (patched, baseline) of a flavor is built.
kernel_out() {
	case "$1" in
	patched|baseline) echo "$BUILD/kernel/$1-${2:-$FLAVOR}" ;;
	*) die "unknown kernel variant '$1' (want: patched, baseline)" ;;
	esac
}

# A kernel is not rebuilt while it is timed: make bench and make insns hold
# its lock shared (kernel_lock_timed), a build holds it exclusive
# (kernel_lock_build). make test's series-bisect builds prefixes of the
# series into the patched kernel's directory: a bench booting it meanwhile
# times a prefix (patches 1-7: fix_size +1.2%; README, "Boot states").
kernel_lock_file() { echo "$BUILD/kernel/.lock-$1-${2:-$FLAVOR}"; }

# kernel_lock_timed VARIANT [FLAVOR]: a shared lock on the kernel, held on a
# new descriptor until the script exits; fails at once if a build holds it.
kernel_lock_timed() {
	local fd
	mkdir -p "$BUILD/kernel"
	exec {fd}>>"$(kernel_lock_file "$@")"
	flock -s -n "$fd" || die "the $1-${2:-$FLAVOR} kernel is being built: time it when the build is done"
}

# kernel_lock_build VARIANT: the exclusive lock for a build, waiting (up to
# KERNEL_LOCK_WAIT seconds, default 7200) while a bench times the kernel.
kernel_lock_build() {
	local fd wait=${KERNEL_LOCK_WAIT:-7200}
	[[ $wait =~ ^[0-9]+$ ]] || die "KERNEL_LOCK_WAIT wants seconds, not '$wait'"
	mkdir -p "$BUILD/kernel"
	exec {fd}>>"$(kernel_lock_file "$1")"
	flock -x -n "$fd" && return
	say "waiting for make bench or make insns to finish timing the $1-$FLAVOR kernel (up to $wait s)"
	flock -x -w "$wait" "$fd" ||
		die "the $1-$FLAVOR kernel was still being timed after $wait s (make bench or make insns): not rebuilt"
}

# The quilt series: patch file names in order, comments and blank lines left out.
PATCHES=${PATCHES:-$VMSCOPE_TOP/patches} # tests point this elsewhere
series_patches() {
	[ -f "$PATCHES/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series" | awk '{print $1}'
}

# The test_vmalloc cases that make run and make bench time: fix_size,
# full_fit, random_size, fix_align, random_size_align. Not
# align_shift_alloc_test: it asks for alignments a 64-bit vmalloc space
# cannot give and fails on every kernel. One worker, fixed order.
TV_TIMED_MASK=59
TV_TIMED_LOOPS=20000
TV_TIMED_ARGS="nr_threads=1 sequential_test_order=1"
# Every timed boot first runs the same cases untimed at this many loops
# (ci/guest/lib.sh tv_settle): the boot's own history otherwise decides the
# state a run starts from (README, "Boot states").
TV_SETTLE_LOOPS=2000

elapsed() { # seconds -> m:ss
	printf '%d:%02d' $(($1 / 60)) $(($1 % 60))
}
