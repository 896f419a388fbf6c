// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
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
		fprintf(stderr, "%s: must run as root (BPF and tracefs need CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)\n", program_invocation_short_name);
		return -1;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		fprintf(stderr, "%s: no kernel BTF at /sys/kernel/btf/vmlinux (needs CONFIG_DEBUG_INFO_BTF=y)\n", program_invocation_short_name);
		return -1;
	}
	if (!tracefs_dir()) {
		fprintf(stderr, "%s: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)\n", program_invocation_short_name);
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

static bool btf_has(const char *name, int kind)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (libbpf_get_error(btf))
		return false;
	found = btf__find_by_name_kind(btf, name, kind) > 0;
	btf__free(btf);
	return found;
}

bool probe_tp_btf(const char *name)
{
	char type[128];

	snprintf(type, sizeof(type), "btf_trace_%s", name);
	return btf_has(type, BTF_KIND_TYPEDEF);
}

bool probe_btf_func(const char *name)
{
	return btf_has(name, BTF_KIND_FUNC);
}

bool probe_ksym(const char *name)
{
	char line[512], sym[256], type;
	unsigned long addr;
	bool found = false;
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx %c %255s", &addr, &type, sym) == 3 &&
			(type == 't' || type == 'T') && !strcmp(sym, name);
	fclose(f);
	return found;
}
