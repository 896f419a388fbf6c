#!/usr/bin/env bash
# Install the Debian packages vmscope needs. Quiet and quick when all are
# there; without root, names the packages to install and fails.
set -euo pipefail
prog=deps
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	# kernel build
	build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils kmod rsync
	dwarves linux-source-6.12 quilt ccache
	# BPF tools
	clang llvm libbpf-dev bpftool pkg-config zlib1g-dev
	# make bench's reference tracer: bcc's funclatency
	libbpf-tools
	# tracefs tools, tests, plots
	libtraceevent-dev libtracefs-dev libtracecmd-dev trace-cmd bpftrace libcmocka-dev gnuplot-nox jq bc
	# plots test: the SVGs parse
	libxml2-utils
	# perf-events test: Debian's perf 6.1 reading the series' events
	linux-perf
	# guests
	qemu-system-x86 busybox-static
	# prometheus-export test: promtool, and a server the test starts itself
	prometheus
)

installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null |
	awk '/install ok installed/ {print $1}') || true
missing=()
for p in "${PACKAGES[@]}"; do
	grep -qx "$p" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" != 0 ]; then
	die "missing Debian packages; as root run: apt-get install ${missing[*]}"
fi
say "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; an install failure may mean stale ones.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed for: ${missing[*]}"
fi
say "installed ${#missing[@]} packages"
# Debian's prometheus enables and starts a server on every address (:9090)
# where systemd runs: vmscope wants the binaries only, not the service.
if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ] &&
   systemctl is-active -q prometheus 2>/dev/null; then
	systemctl disable --now -q prometheus && say "stopped and disabled the prometheus service the package started"
fi
