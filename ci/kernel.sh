#!/usr/bin/env bash
# Kernel source, quilt series, config and build for the vmscope test kernels.
#
#   ci/kernel.sh source            extract/validate the pristine 6.12.y tree
#   ci/kernel.sh patch             make the patched tree (copy + quilt push -a)
#   ci/kernel.sh unpatch           pop the series from the patched tree
#   ci/kernel.sh build VARIANT     configure + build VARIANT (patched|baseline),
#                                  and ci/kmod's test modules against it
#   ci/kernel.sh version           print the kernel version in use
#
# Environment: KSRC (own 6.12.y tree, never modified), FLAVOR (bench|debug|kcsan),
# BUILD (output root, default ./build), JOBS (make -j, default nproc+1),
# SERIES_UPTO=N (patched variant with only the first N patches: bisecting).
set -euo pipefail
prog=kernel.sh
. "$(dirname "$0")/lib.sh"

PRISTINE_DIR=$BUILD/src/linux
PATCHED_DIR=$BUILD/src/patched
TARBALL_GLOB='/usr/src/linux-source-6.12.tar.*'

# The tree every variant starts from: KSRC, or Debian's linux-source-6.12.
pristine_tree() {
	if [ -n "${KSRC:-}" ]; then
		[ -f "$KSRC/Makefile" ] && [ -f "$KSRC/mm/vmalloc.c" ] ||
			die "KSRC=$KSRC is not a kernel source tree (no Makefile or mm/vmalloc.c)"
		echo "$(cd "$KSRC" && pwd)"
		return
	fi
	local tarball stamp
	# shellcheck disable=SC2086
	tarball=$(ls $TARBALL_GLOB 2>/dev/null | head -n 1) ||
		true
	[ -n "$tarball" ] ||
		die "no $TARBALL_GLOB: run 'make deps' (package linux-source-6.12) or set KSRC=/path/to/linux-6.12.y"
	stamp="$tarball $(stat -c %Y "$tarball")"
	if [ ! -f "$PRISTINE_DIR/.vmscope-tarball" ] ||
	   [ "$(cat "$PRISTINE_DIR/.vmscope-tarball")" != "$stamp" ]; then
		say "extracting $tarball"
		rm -rf "$PRISTINE_DIR" "$PRISTINE_DIR.tmp"
		mkdir -p "$PRISTINE_DIR.tmp"
		tar xf "$tarball" -C "$PRISTINE_DIR.tmp" --strip-components=1
		echo "$stamp" >"$PRISTINE_DIR.tmp/.vmscope-tarball"
		mv "$PRISTINE_DIR.tmp" "$PRISTINE_DIR"
	fi
	echo "$PRISTINE_DIR"
}

tree_version() {
	make -s -C "$1" kernelversion 2>/dev/null
}

check_tree() {
	local src=$1 ver
	ver=$(tree_version "$src") || die "$src: 'make kernelversion' failed"
	case "$ver" in
	6.12|6.12.*) ;;
	*) die "$src is Linux $ver; vmscope's series is for 6.12.y" ;;
	esac
	if [ -f "$src/.config" ] || [ -d "$src/include/config" ]; then
		die "$src has been configured or built in-tree; run 'make mrproper' there (vmscope builds out of tree)"
	fi
}

series_hash() {
	{
		echo "upto ${SERIES_UPTO:-all}"
		cat "$PATCHES/series" 2>/dev/null || true
		series_patches | while read -r p; do cat "$PATCHES/$p"; done
	} | sha256sum | cut -d' ' -f1
}

quilt_in() { # run quilt in the patched tree against our patches/
	(cd "$PATCHED_DIR" && QUILT_PATCHES=$PATCHES QUILT_PC=.pc quilt --quiltrc - "$@")
}

# Files the applied series touches (from quilt's backups), one per line.
touched_files() {
	[ -d "$PATCHED_DIR/.pc" ] || return 0
	(cd "$PATCHED_DIR/.pc" && find . -mindepth 2 -type f ! -name '.*' |
		cut -d/ -f3-) | sort -u
}

# Undo the applied patches from quilt's backups, newest first, as quilt
# pop does: an empty backup stands for a file the patch created.
restore_from_pc() {
	local p f
	tac "$PATCHED_DIR/.pc/applied-patches" | while read -r p; do
		[ -d "$PATCHED_DIR/.pc/$p" ] || continue
		(cd "$PATCHED_DIR/.pc/$p" && find . -type f ! -name '.*' | cut -c3-) | while read -r f; do
			if [ -s "$PATCHED_DIR/.pc/$p/$f" ]; then
				cp -p "$PATCHED_DIR/.pc/$p/$f" "$PATCHED_DIR/$f"
			else
				rm -f "$PATCHED_DIR/$f"
			fi
		done
	done || die "cannot restore $PATCHED_DIR from quilt's backups"
}

cmd_unpatch() {
	[ -d "$PATCHED_DIR" ] || { say "no patched tree; nothing to unpatch"; return 0; }
	local files
	files=$(touched_files)
	if [ -d "$PATCHED_DIR/.pc" ] && [ -n "$(quilt_in applied 2>/dev/null || true)" ]; then
		# -f: restore from quilt's backups even if patches/ changed since.
		quilt_in pop -a -f -q >/dev/null 2>&1 || restore_from_pc
	elif [ -s "$PATCHED_DIR/.pc/applied-patches" ]; then
		# quilt cannot read its own state when an applied patch has left
		# patches/ (renamed, deleted): restore from its backups directly.
		restore_from_pc
	fi
	# Restored files keep old mtimes; make them newer than their objects.
	[ -z "$files" ] || (cd "$PATCHED_DIR" && echo "$files" | xargs -r touch --no-create)
	# quilt remembers its patches directory in .pc; start afresh next time.
	rm -rf "$PATCHED_DIR/.pc" "$PATCHED_DIR/.vmscope-series"
	say "series removed from $PATCHED_DIR"
}

cmd_patch() {
	local src want have first out
	src=$(pristine_tree)
	check_tree "$src"
	want=$(series_hash)
	if [ ! -f "$PATCHED_DIR/Makefile" ] ||
	   [ "$(cat "$PATCHED_DIR/.vmscope-src" 2>/dev/null)" != "$src" ]; then
		say "copying $src to $PATCHED_DIR"
		rm -rf "$PATCHED_DIR"
		mkdir -p "$(dirname "$PATCHED_DIR")"
		rsync -a --exclude=.git --exclude=.pc "$src/" "$PATCHED_DIR/"
		rm -f "$PATCHED_DIR/.vmscope-series"
		echo "$src" >"$PATCHED_DIR/.vmscope-src"
	fi
	have=$(cat "$PATCHED_DIR/.vmscope-series" 2>/dev/null || true)
	if [ "$have" = "$want" ]; then
		echo "$PATCHED_DIR"
		return
	fi
	[ -z "$(touched_files)" ] || cmd_unpatch
	if [ -z "$(series_patches)" ]; then
		echo "$want" >"$PATCHED_DIR/.vmscope-series"
		say "patches/series is empty: the patched tree equals the baseline"
		echo "$PATCHED_DIR"
		return
	fi
	# A tree that already carries the series would fail half-way; say so.
	first=$(series_patches | head -n 1)
	if (cd "$PATCHED_DIR" && patch -p1 -R --dry-run -s -f <"$PATCHES/$first" >/dev/null 2>&1); then
		die "$src already contains $first: give a tree without the vmscope series"
	fi
	rm -rf "$PATCHED_DIR/.pc"
	if ! out=$(quilt_in push "${SERIES_UPTO:--a}" --fuzz=0 2>&1); then
		quilt_in pop -a -f -q >/dev/null 2>&1 || true
		rm -rf "$PATCHED_DIR/.pc"
		printf '%s\n' "$out" >&2
		die "the series does not apply cleanly to $src (Linux $(tree_version "$src")); tree left unpatched"
	fi
	if printf '%s\n' "$out" | grep -Eiq 'offset|fuzz'; then
		printf '%s\n' "$out" | grep -Ei 'offset|fuzz|Applying' >&2
		quilt_in pop -a -f -q >/dev/null 2>&1 || true
		rm -rf "$PATCHED_DIR/.pc"
		die "the series applies only with offsets/fuzz to $src; refresh the patches"
	fi
	(cd "$PATCHED_DIR" && touched_files | xargs -r touch --no-create)
	echo "$want" >"$PATCHED_DIR/.vmscope-series"
	say "applied ${SERIES_UPTO:-all $(series_patches | wc -l)} patches to $PATCHED_DIR"
	echo "$PATCHED_DIR"
}

# Config layers of a variant: the flavor's, then for the patched kernel
# configs/series.config (options the series itself adds; left out while
# bisecting, as early patches do not define them yet).
layers() {
	local l
	l=$(layers_for_flavor "$FLAVOR")
	[ "$1" != patched ] || [ -n "${SERIES_UPTO:-}" ] || l+=" series"
	echo "$l"
}

# Fragments of variant $1 in layer order, as paths.
fragments() {
	local l
	for l in $(layers "$1"); do
		echo "$VMSCOPE_TOP/configs/$l.config"
	done
}

# Every option a fragment sets must survive olddefconfig; name those that
# did not (usually an unmet dependency).
check_config() {
	local cfg=$1 variant=$2 frag line sym val got bad=0
	for frag in $(fragments "$variant"); do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*) sym=${line%%=*}; val=${line#*=} ;;
			"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; val=n ;;
			*) continue ;;
			esac
			got=$(grep -E "^$sym=" "$cfg" | cut -d= -f2- || true)
			[ -n "$got" ] || got=n
			if [ "$got" != "$val" ]; then
				say "$(basename "$frag"): $sym=$val asked for, got $sym=$got"
				bad=1
			fi
		done <"$frag"
	done
	return $bad
}

configure() {
	local src=$1 out=$2 variant=$3 want
	want=$( { echo "$FLAVOR $src"; fragments "$variant" | xargs cat; } | sha256sum | cut -d' ' -f1)
	if [ -f "$out/.config" ] && [ "$(cat "$out/.vmscope-config" 2>/dev/null)" = "$want" ]; then
		return
	fi
	say "configuring $out: tinyconfig + $(layers "$variant")"
	mkdir -p "$out"
	make -s -C "$src" O="$out" "${MAKEVARS[@]}" tinyconfig >/dev/null
	# shellcheck disable=SC2046
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" $(fragments "$variant") >/dev/null)
	make -s -C "$src" O="$out" "${MAKEVARS[@]}" olddefconfig >/dev/null
	check_config "$out/.config" "$variant" ||
		die "configs/ asked for options that olddefconfig dropped (see above)"
	echo "$want" >"$out/.vmscope-config"
}

# Run make in the background and print a progress line while it works.
make_with_progress() {
	local label=$1 log=$2 stepsfile=$3; shift 3
	local expect start now steps pct pid rc=0
	expect=$(cat "$stepsfile" 2>/dev/null || echo 0)
	start=$(date +%s)
	"$@" >"$log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; exit 130' INT TERM
	while kill -0 "$pid" 2>/dev/null; do
		sleep "${PROGRESS_EVERY:-15}" &
		wait $! || true
		kill -0 "$pid" 2>/dev/null || break
		now=$(date +%s)
		steps=$(grep -c '^  [A-Z]' "$log" || true)
		if [ "$expect" -gt 0 ]; then
			pct=$((steps * 100 / expect)); [ $pct -le 99 ] || pct=99
			say "$label: ${pct}% ($steps/$expect steps, $(elapsed $((now - start))))"
		else
			say "$label: $steps steps, $(elapsed $((now - start))) (first build: no estimate yet)"
		fi
	done
	wait "$pid" || rc=$?
	trap - INT TERM
	if [ $rc -ne 0 ]; then
		tail -n 40 "$log" >&2
		die "$label failed (exit $rc); full log: $log"
	fi
	steps=$(grep -c '^  [A-Z]' "$log" || true)
	# Remember a full build's step count as the estimate for the next one.
	[ "$steps" -le "$expect" ] || echo "$steps" >"$stepsfile"
	say "$label: done in $(elapsed $(($(date +%s) - start)))"
}

cmd_build() {
	local variant=${1:-patched} src out jobs
	# Bad settings are refused before anything is touched.
	layers_for_flavor "$FLAVOR" >/dev/null
	[[ ${JOBS:-1} =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive number of make jobs, not '$JOBS'"
	out=$(kernel_out "$variant")
	kernel_lock_build "$variant"
	case "$variant" in
	patched) src=$(cmd_patch) ;;
	baseline) src=$(pristine_tree); check_tree "$src" ;;
	esac
	jobs=${JOBS:-$(($(nproc) + 1))}
	MAKEVARS=()
	if command -v ccache >/dev/null 2>&1 && [ "${CCACHE:-1}" != 0 ]; then
		# Clones in other folders share the cache: hash relative paths.
		export CCACHE_BASEDIR=$VMSCOPE_TOP CCACHE_NOHASHDIR=1
		MAKEVARS+=("CC=ccache gcc")
	fi
	configure "$src" "$out" "$variant"
	# A prefix of the series (series-bisect) is marked so that ci/vmrun
	# refuses it until the full series is built again, also if this build
	# or that one never finishes.
	if [ "$variant" = patched ] && [ -n "${SERIES_UPTO:-}" ]; then
		rm -f "$out/.vmscope-built"
		echo "$SERIES_UPTO" >"$out/.vmscope-partial"
	fi
	# Not make's own flags: an outer "make -s" would silence the step lines
	# that the progress counts.
	make_with_progress "kbuild $variant-$FLAVOR" "$out/build.log" "$BUILD/kernel/.steps-$FLAVOR" \
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$src" O="$out" "${MAKEVARS[@]}" -j"$jobs" bzImage modules
	# vmscope's own test modules (ci/kmod), built against this kernel.
	rm -rf "$out/vmscope-kmod"
	cp -r "$VMSCOPE_TOP/ci/kmod" "$out/vmscope-kmod"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$out" "${MAKEVARS[@]}" \
		M="$out/vmscope-kmod" modules >"$out/vmscope-kmod.log" 2>&1 || {
		cat "$out/vmscope-kmod.log" >&2
		die "ci/kmod did not build against $out"
	}
	tree_version "$src" >"$out/.vmscope-version"
	# ci/vmrun refuses a kernel older than the series and configs it was
	# built from: this stamp says when it last matched them.
	[ -n "${SERIES_UPTO:-}" ] || { rm -f "$out/.vmscope-partial"; touch "$out/.vmscope-built"; }
	say "$variant-$FLAVOR: Linux $(cat "$out/.vmscope-version") ($(git -C "$VMSCOPE_TOP" rev-parse --short HEAD 2>/dev/null || echo no-git)) -> $out/arch/x86/boot/bzImage"
}

cmd_version() {
	tree_version "$(pristine_tree)"
}

case "${1:-}" in
source) src=$(pristine_tree); check_tree "$src"; echo "$src (Linux $(tree_version "$src"))" ;;
patch) cmd_patch ;;
unpatch) cmd_unpatch ;;
build) shift; cmd_build "$@" ;;
version) cmd_version ;;
*) die "usage: ci/kernel.sh source|patch|unpatch|build [patched|baseline]|version" ;;
esac
