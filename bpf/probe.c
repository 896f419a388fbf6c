// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "probe.h"
#include "tpfield.h"

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

bool probe_btf_member(const char *type, const char *member)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_member *m;
	const struct btf_type *t;
	bool found = false;
	int id, i;

	if (libbpf_get_error(btf))
		return false;
	id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, m = t ? btf_members(t) : NULL; t && i < btf_vlen(t) && !found; i++, m++)
		found = !strcmp(btf__name_by_offset(btf, m->name_off), member);
	btf__free(btf);
	return found;
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

int tracefs_fields(const char *tool, const char *category, const struct tp_field_name *names,
		   int n, struct tp_field *out)
{
	const char *dir = tracefs_dir();
	char path[512], line[512];
	int i;

	for (i = 0; i < n; i++) {
		bool found = false;
		FILE *f;

		snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir ? dir : "", category,
			 names[i].event);
		f = fopen(path, "r");
		if (!f) {
			fprintf(stderr, "%s: cannot read %s: %s\n", tool, path, strerror(errno));
			return -1;
		}
		/* "\tfield:unsigned long size;\toffset:16;\tsize:8;\tsigned:0;" */
		while (!found && fgets(line, sizeof(line), f)) {
			char *decl = strstr(line, "field:"), *semi, *name;
			unsigned int off, size;

			if (!decl || !(semi = strchr(decl, ';')))
				continue;
			*semi = 0;
			name = strrchr(decl, ' ');
			name = name ? name + 1 : decl + 6;
			if (strcmp(name, names[i].field) ||
			    sscanf(semi + 1, " offset:%u; size:%u;", &off, &size) != 2)
				continue;
			if (size != 1 && size != 2 && size != 4 && size != 8)
				break;
			out[i].off = off;
			out[i].size = size;
			found = true;
		}
		fclose(f);
		if (!found) {
			fprintf(stderr, "%s: %s has no field '%s' of 1, 2, 4 or 8 bytes\n", tool, path,
				names[i].field);
			return -1;
		}
	}
	return 0;
}

void select_tp_programs(struct bpf_object *obj, bool btf)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		const char *sec = bpf_program__section_name(p);

		if (btf ? !strncmp(sec, "tracepoint/", 11) :
			  !strncmp(sec, "tp_btf/", 7) && strcmp(sec, "tp_btf/module_load"))
			bpf_program__set_autoload(p, false);
	}
}

/* 0: exits, then the rest and the entries in the order asked for. */
static int attach_rank(const char *sec, bool entries_last)
{
	if (strstr(sec, "alloc_exit") || !strncmp(sec, "fexit", 5) || !strncmp(sec, "kretprobe", 9))
		return 0;
	if (strstr(sec, "alloc_enter") || !strncmp(sec, "fentry", 6) || !strncmp(sec, "kprobe", 6))
		return entries_last ? 2 : 1;
	return entries_last ? 1 : 2;
}

int attach_programs(const char *tool, struct bpf_object *obj, const char *kprobe_target,
		    bool entries_last, struct prog_links *links)
{
	struct bpf_program *p;
	int rank, err;

	for (rank = 0; rank < 3; rank++) {
		bpf_object__for_each_program(p, obj) {
			const char *sec = bpf_program__section_name(p);
			struct bpf_link *l;

			if (!bpf_program__autoload(p) || attach_rank(sec, entries_last) != rank)
				continue;
			if (links->n == MAX_LINKS) {
				fprintf(stderr, "%s: too many programs to attach\n", tool);
				return -E2BIG;
			}
			if (!strcmp(sec, "kprobe") || !strcmp(sec, "kretprobe"))
				l = bpf_program__attach_kprobe(p, sec[1] == 'r', kprobe_target);
			else
				l = bpf_program__attach(p);
			if (!l) {
				err = -errno;
				fprintf(stderr, "%s: failed to attach %s (%s%s%s): %s\n", tool,
					bpf_program__name(p), sec, kprobe_target && sec[0] == 'k' ? " " : "",
					kprobe_target && sec[0] == 'k' ? kprobe_target : "", strerror(-err));
				return err;
			}
			links->l[links->n++] = l;
		}
	}
	return 0;
}

void destroy_links(struct prog_links *links)
{
	while (links->n > 0)
		bpf_link__destroy(links->l[--links->n]);
}

bool ftrace_has(const char *name)
{
	const char *dir = tracefs_dir();
	char path[128], line[256];
	size_t n = strlen(name);
	bool found = false;
	FILE *f;

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/available_filter_functions", dir);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, n) && (line[n] == '\n' || line[n] == ' ');
	fclose(f);
	return found;
}

/*
 * struct bpf_link_info up to perf_event.kprobe.missed (Linux 6.7 UAPI),
 * for older installed headers; the kernel fills what it has.
 */
struct link_info_kprobe {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 pad;
	__u32 perf_type;	/* enum bpf_perf_event_type */
	__u32 pad2;
	__u64 func_name;
	__u32 name_len;
	__u32 offset;
	__u64 addr;
	__u64 missed;
	__u64 cookie;
};

#define LINK_TYPE_PERF_EVENT	7	/* BPF_LINK_TYPE_PERF_EVENT */
#define PERF_EVENT_KPROBE	3	/* BPF_PERF_EVENT_KPROBE */
#define PERF_EVENT_KRETPROBE	4

/*
 * Before 6.7 the link info has no nmissed: libbpf's legacy kprobes (made
 * through tracefs when the kprobe PMU is missing, named libbpf_<pid>_...)
 * have theirs in kprobe_profile's third column. The kprobe PMU's (the
 * usual way, 4.17+) are in no tracefs file. Adds those found to *MISSED;
 * returns how many of UNKNOWN links stay unknown.
 */
static __u64 kprobe_profile_missed(__u64 *missed, __u64 unknown)
{
	static const char *const paths[] = { "/sys/kernel/tracing/kprobe_profile",
					     "/sys/kernel/debug/tracing/kprobe_profile" };
	char line[512], prefix[32], name[256];
	unsigned long long hits, nmissed;
	size_t i;
	FILE *f = NULL;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]) && !f; i++)
		f = fopen(paths[i], "r");
	if (!f)
		return unknown;
	snprintf(prefix, sizeof(prefix), "libbpf_%d_", getpid());
	while (unknown && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %llu %llu", name, &hits, &nmissed) == 3 &&
		    !strncmp(name, prefix, strlen(prefix))) {
			*missed += nmissed;
			unknown--;
		}
	fclose(f);
	return unknown;
}

/* The program of OBJ with kernel id ID is a kprobe's or a kretprobe's. */
static bool prog_is_kprobe(struct bpf_object *obj, __u32 id)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) && info.id == id)
			return bpf_program__type(p) == BPF_PROG_TYPE_KPROBE;
	}
	return false;
}

void read_misses(struct bpf_object *obj, const struct prog_links *links, struct prog_misses *m)
{
	struct bpf_program *p;
	int i;

	memset(m, 0, sizeof(*m));
	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			m->recursion += info.recursion_misses;
	}
	for (i = 0; i < links->n; i++) {
		struct link_info_kprobe info = {};
		__u32 len = sizeof(info);
		bool kp;

		if (bpf_obj_get_info_by_fd(bpf_link__fd(links->l[i]), &info, &len))
			len = 0;
		kp = len && prog_is_kprobe(obj, info.prog_id);
		if (len >= offsetof(struct link_info_kprobe, cookie) && info.type == LINK_TYPE_PERF_EVENT &&
		    (info.perf_type == PERF_EVENT_KPROBE || info.perf_type == PERF_EVENT_KRETPROBE))
			m->kprobe += info.missed;
		else if (kp)
			m->kprobe_unknown++;
	}
	if (m->kprobe_unknown)
		m->kprobe_unknown = kprobe_profile_missed(&m->kprobe, m->kprobe_unknown);
}
