# vmscope: top-level targets. `make run` is the main job, `make test` the tests.
#
# Variables: KSRC=/path/to/linux-6.12.y (default: Debian's linux-source-6.12),
# FLAVOR=bench|debug (config layers), BUILD=dir (default ./build), JOBS=N.

BUILD ?= $(CURDIR)/build
FLAVOR ?= bench
export BUILD FLAVOR KSRC JOBS

KBUILD := $(BUILD)/kernel/patched-$(FLAVOR)
BPF_OUT := $(BUILD)/bpf
TOOLS_OUT := $(BUILD)/tools

.PHONY: all deps kernel baseline kernels patch unpatch source bpf tools unit \
	run test bench insns stress stock clean distclean help

all: kernel bpf tools

help:
	@echo 'make run        build what is missing, boot the patched kernel, run test_vmalloc, report'
	@echo 'make test       every test: unit tests, kernel build + boot, BPF, runner failure modes'
	@echo 'make bench      baseline vs patched test_vmalloc in deterministic mode (tracepoints off)'
	@echo 'make insns      instructions per vmalloc()+vfree() in mm/vmalloc.o, baseline vs patched (tracepoints off)'
	@echo 'make stress     debug kernels (KASAN, lockdep, kmemleak), fault injection, concurrency (~1 h)'
	@echo 'make deps       install the Debian packages vmscope needs'
	@echo 'make kernel     build the patched kernel ($(KBUILD))'
	@echo 'make baseline   build the same source and config without the series'
	@echo 'make kernels    both of the above'
	@echo 'make stock      fetch Debian 12'"'"'s 6.1 kernels (amd64, cloud-amd64) into $(BUILD)/stock, initramfs each'
	@echo 'make patch / unpatch / source   manage the patched tree under $(BUILD)/src'
	@echo 'make bpf tools unit             user-space parts and their unit tests'
	@echo 'make clean / distclean          remove tool builds / everything under $(BUILD)'

deps:
	@ci/deps.sh

kernel: deps
	@ci/kernel.sh build patched

baseline: deps
	@ci/kernel.sh build baseline

kernels: kernel baseline

# Debian's own kernels (not installed on the host) and ci/vmrun's initramfs for each.
stock: deps
	@ci/stock-kernel.sh -f amd64 >/dev/null
	@ci/stock-kernel.sh -f cloud-amd64 >/dev/null

patch: deps
	@ci/kernel.sh patch >/dev/null

unpatch:
	@ci/kernel.sh unpatch

source: deps
	@ci/kernel.sh source

# BPF programs need the patched kernel's BTF for vmlinux.h.
bpf: kernel
	@$(MAKE) -s -C bpf OUT=$(BPF_OUT) VMLINUX=$(KBUILD)/vmlinux

tools: deps
	@$(MAKE) -s -C tools OUT=$(TOOLS_OUT)

unit: deps
	@$(MAKE) -s -C tools OUT=$(TOOLS_OUT) unit

run: kernel bpf tools
	@ci/run-main.sh

test: deps
	@ci/test.sh

bench: kernels bpf tools
	@ci/bench.sh

stress: kernels bpf tools
	@ci/stress.sh

insns: kernels tools
	@ci/insns.sh

clean:
	rm -rf $(BPF_OUT) $(TOOLS_OUT) $(BUILD)/results

distclean:
	rm -rf $(BUILD)
