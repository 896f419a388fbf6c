#!/usr/bin/env bash
# Fetch Debian 12's own 6.1 kernel (image, headers, kbuild) into
# build/stock/ABI-FLAVOR/ with apt-get download + dpkg-deb -x (never
# installed on the host), and build the initramfs ci/vmrun boots it with:
# it loads the virtio and 9p (amd64) or virtiofs (cloud-amd64, which has no
# 9p) modules that kernel keeps as modules, mounts the host root over 9p as
# ci/vmrun's own kernels do (over virtiofs when the kernel command line has
# vmscope.share=virtiofs: ci/vmrun adds it for a kernel without 9p), and
# switch_roots to ci/guest-init. A rerun with everything cached is offline.
#
# Prints one line: KERNEL INITRD DIR (DIR/headers is the module build tree,
# DIR/vmscope-kmod ci/kmod's modules built against it).
# Exit 77 when the packages cannot be had (no cached copy, no apt mirror).
set -euo pipefail
prog=stock-kernel
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: ci/stock-kernel.sh [-f FLAVOR] [-a ABI]

FLAVOR: Debian's kernel flavor, amd64 (default) or cloud-amd64. The cloud
flavor has no 9p (CONFIG_NET_9P is not set): its initramfs loads virtiofs
instead, and ci/vmrun (--share auto) shares the host root over virtiofs
when it sees that in the config next to the kernel.
ABI: e.g. 6.1.0-56 (default: the one linux-image-FLAVOR depends on, else
the newest one already in build/stock/).
Environment: VMSCOPE_STOCK_FLAVOR, VMSCOPE_STOCK_ABI for the same.
EOF
}

flavor=${VMSCOPE_STOCK_FLAVOR:-amd64} abi=${VMSCOPE_STOCK_ABI:-}
while [ $# -gt 0 ]; do
	case "$1" in
	-f) flavor=${2:?-f wants a flavor}; shift ;;
	-a) abi=${2:?-a wants an ABI}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
case "$flavor" in
amd64|cloud-amd64) ;;
*) die "unknown flavor '$flavor' (want amd64 or cloud-amd64)" ;;
esac

skip() { say "SKIP: $*"; exit 77; }
stock=$BUILD/stock

# The newest ABI already fetched and unpacked here.
cached_abi() {
	{ find "$stock" -mindepth 3 -maxdepth 3 -path "*/6.1.0-*-$flavor/root/.extracted" 2>/dev/null || true; } |
		sed -n "s|.*/\(6\.1\.0-[0-9]*\)-$flavor/root/.extracted\$|\1|p" | sort -V | tail -n 1
}
# set_abi ABI: the paths and packages of that kernel.
set_abi() {
	abi=$1
	[[ $abi =~ ^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+$ ]] || die "ABI '$abi' does not look like 6.1.0-56"
	kver=$abi-$flavor
	dir=$stock/$kver
	root=$dir/root
	debs=$dir/debs
	mkdir -p "$debs"
	# The image (unsigned: the same kernel as the signed package, no shim
	# needed), the headers of this flavor and of all flavors, and kbuild's tools.
	pkgs=("linux-image-$kver-unsigned" "linux-headers-$kver" "linux-headers-$abi-common" "linux-kbuild-${abi%.*-*}")
}
# fetch_debs: every package of this ABI in $debs, each downloaded into a
# temporary directory and kept only whole (dpkg-deb reads it).
fetch_debs() {
	local p tmp
	for p in "${pkgs[@]}"; do
		[ -n "$(find "$debs" -maxdepth 1 -name "${p}_*.deb" -print -quit)" ] && continue
		say "downloading $p"
		tmp=$(mktemp -d "$debs/.download-XXXX")
		if ! (cd "$tmp" && apt-get download -q "$p" >/dev/null 2>"$dir/apt.err") ||
		   ! dpkg-deb --info "$tmp/${p}_"*.deb >/dev/null 2>>"$dir/apt.err"; then
			rm -rf "$tmp"
			return 1
		fi
		mv "$tmp/${p}_"*.deb "$debs/"
		rm -rf "$tmp"
	done
}

asked_abi=$abi
if [ -z "$abi" ]; then
	# No package lists (a fresh machine) or no apt-cache: the cached one.
	abi=$( { apt-cache depends "linux-image-$flavor" 2>/dev/null || true; } |
		sed -n "s/.*Depends: linux-image-\(6\.1\.0-[0-9]*\)-$flavor\$/\1/p" | sort -V | tail -n 1)
	[ -n "$abi" ] || abi=$(cached_abi)
	[ -n "$abi" ] || skip "apt-cache knows no linux-image-$flavor and nothing is cached in $stock"
fi
set_abi "$abi"
if ! fetch_debs; then
	why=$(grep -v -e unsandboxed "$dir/apt.err" | head -n 2 || true)
	fallback=$(cached_abi)
	# The mirror moved on (a newer ABI) or is out of reach: what is cached still serves.
	if [ -z "$asked_abi" ] && [ -n "$fallback" ] && [ "$fallback" != "$abi" ]; then
		say "cannot download the $abi packages ($why); using the cached $fallback"
		[ -f "$root/.extracted" ] || rm -rf "$dir"
		set_abi "$fallback"
		fetch_debs || skip "cached $fallback incomplete and not downloadable"
	else
		skip "apt-get download failed: $why"
	fi
fi
if [ ! -f "$root/.extracted" ]; then
	rm -rf "$root"
	mkdir -p "$root"
	for p in "${pkgs[@]}"; do
		dpkg-deb -x "$(find "$debs" -maxdepth 1 -name "${p}_*.deb" | sort -V | tail -n 1)" "$root"
	done
	touch "$root/.extracted"
fi
kernel=$root/boot/vmlinuz-$kver
[ -f "$kernel" ] || die "no $kernel in the image package"
# How ci/vmrun can share the host root with it: 9p, else virtiofs.
config=$root/boot/config-$kver
if grep -qx 'CONFIG_NET_9P=[ym]' "$config"; then
	share_mods="virtio_pci 9pnet_virtio 9p"
elif grep -qx 'CONFIG_VIRTIO_FS=[ym]' "$config"; then
	share_mods="virtio_pci virtiofs"
else
	die "$kver has neither 9p nor virtiofs: ci/vmrun cannot share the host root with it"
fi
# The headers package includes its common part from /usr/src: the extracted copy.
headers=$root/usr/src/linux-headers-$kver
sed -i "s|^include /usr/src/|include $root/usr/src/|" "$headers/Makefile"
ln -sfn "$headers" "$dir/headers"

# vmscope's test modules (ci/kmod) against that kernel's headers.
kmod=$dir/vmscope-kmod
if [ ! -f "$kmod/vmalloc_faults.ko" ] || [ -n "$(find "$VMSCOPE_TOP/ci/kmod" -newer "$kmod/vmalloc_faults.ko")" ]; then
	rm -rf "$kmod"
	cp -r "$VMSCOPE_TOP/ci/kmod" "$kmod"
	make -C "$headers" M="$kmod" modules >"$kmod.log" 2>&1 || {
		cat "$kmod.log" >&2
		die "ci/kmod did not build against $headers"
	}
fi

# The modules the shared root needs, dependencies first (modinfo's depends).
mods=$root/lib/modules/$kver
modpath() { find "$mods/kernel" -name "$1.ko" -print -quit; }
order=()
add_mod() {
	local m=$1 d path
	[[ " ${order[*]} " == *" $m "* ]] && return
	path=$(modpath "$m")
	[ -n "$path" ] || return 0 # built in
	for d in $(modinfo -F depends "$path" | tr ',' ' '); do
		add_mod "$d"
	done
	order+=("$m")
}
for m in $share_mods; do
	add_mod "$m"
done

initrd=$dir/initrd.cpio.gz
if [ ! -f "$initrd" ] || [ "$0" -nt "$initrd" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,lib/modules}
	cp /bin/busybox "$tmp/bin/busybox" || die "no /bin/busybox: run 'make deps' (busybox-static)"
	for m in "${order[@]}"; do
		cp "$(modpath "$m")" "$tmp/lib/modules/"
	done
	printf '%s\n' "${order[@]}" >"$tmp/lib/modules/order"
	cat >"$tmp/init" <<'EOF'
#!/bin/busybox sh
# vmscope's initramfs for a stock kernel: the 9p or virtiofs modules, the
# host root (over virtiofs with vmscope.share=virtiofs on the command line,
# else 9p), then ci/guest-init (init= on the command line) with this init's
# arguments.
/bin/busybox mkdir -p /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
fail() { echo "vmscope-initrd: $*" >/dev/console; echo b >/proc/sysrq-trigger; sleep 10; }
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko || fail "insmod $m failed"
done
init= flags= share=9p
for a in $(cat /proc/cmdline); do
	case "$a" in
	init=*) init=${a#init=} ;;
	rootflags=*) flags=${a#rootflags=} ;;
	vmscope.share=*) share=${a#vmscope.share=} ;;
	esac
done
if [ "$share" = virtiofs ]; then
	mount -t virtiofs -o ro hostroot /newroot || fail "cannot mount the host root over virtiofs"
else
	mount -t 9p -o "ro,$flags" hostroot /newroot || fail "cannot mount the host root over 9p"
fi
[ -x "/newroot$init" ] || fail "no init '$init' on the host root"
umount /proc
exec switch_root /newroot "$init" "$@"
EOF
	chmod +x "$tmp/init"
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
fi
echo "$kernel $initrd $dir"
