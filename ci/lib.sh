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

elapsed() { # seconds -> m:ss
	printf '%d:%02d' $(($1 / 60)) $(($1 % 60))
}
