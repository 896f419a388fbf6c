// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "probe.h"

static const char *const tracefs_paths[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

const char *tracefs_dir(void)
{
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(tracefs_paths) / sizeof(tracefs_paths[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", tracefs_paths[i]);
		if (access(path, F_OK) == 0)
			return tracefs_paths[i];
	}
	return NULL;
}

int probe_environment(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "error: must run as root (BPF and tracefs need CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)\n");
		return -1;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		fprintf(stderr, "error: no kernel BTF at /sys/kernel/btf/vmlinux (needs CONFIG_DEBUG_INFO_BTF=y)\n");
		return -1;
	}
	if (!tracefs_dir()) {
		fprintf(stderr, "error: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)\n");
		return -1;
	}
	return 0;
}

bool probe_tracepoint(const char *category, const char *name)
{
	const char *dir = tracefs_dir();
	char path[256];

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/%s", dir, category, name);
	return access(path, F_OK) == 0;
}

bool probe_tp_btf(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	char type[128];
	bool found;

	if (libbpf_get_error(btf))
		return false;
	snprintf(type, sizeof(type), "btf_trace_%s", name);
	found = btf__find_by_name_kind(btf, type, BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return found;
}
