/* SPDX-License-Identifier: GPL-2.0 */
/* Run-time probes shared by the vmscope tools: what this kernel offers. */
#ifndef __VMSCOPE_PROBE_H
#define __VMSCOPE_PROBE_H

#include <stdbool.h>
#include <linux/types.h>

struct bpf_object;
struct bpf_link;
struct tp_field;

/*
 * Checks what every vmscope tool needs (root, kernel BTF, tracefs) and prints
 * a specific error for the first thing missing. Returns 0 or -1.
 */
int probe_environment(void);

/* The mounted tracefs directory, or NULL. */
const char *tracefs_dir(void);
/*
 * Is NAME a line of available_filter_functions ("NAME" or "NAME [module]"):
 * a function fentry/fexit can attach to under that name (a clone such as
 * NAME.constprop.0 is not it)?
 */
bool ftrace_has(const char *name);

/* True if tracefs has events/CATEGORY/NAME. */
bool probe_tracepoint(const char *category, const char *name);

/* True if kernel BTF describes tracepoint NAME (btf_trace_NAME), i.e. tp_btf works. */
bool probe_tp_btf(const char *name);

/* True if kernel BTF has function NAME (fentry/fexit can attach to it). */
bool probe_btf_func(const char *name);

/* True if kernel BTF has struct TYPE with a member MEMBER. */
bool probe_btf_member(const char *type, const char *member);
/* True if /proc/kallsyms lists NAME as a text symbol (kprobes can attach). */
bool probe_ksym(const char *name);

/* A field of a classic tracepoint, by event (in CATEGORY) and name. */
struct tp_field_name {
	const char *event;
	const char *field;
};

/*
 * Fills OUT[i] with where NAMES[i] is in its event's record, from the
 * tracefs format files. Returns 0, or -1 and says which field is missing.
 */
int tracefs_fields(const char *tool, const char *category, const struct tp_field_name *names,
		   int n, struct tp_field *out);

/*
 * tp_btf or classic tracepoints: BTF=true leaves the "tp_btf/" programs
 * to load and not the "tracepoint/" ones, false the other way round
 * (tp_btf/module_load stays as set: it has no classic twin).
 */
void select_tp_programs(struct bpf_object *obj, bool btf);

/* The links of a tool's attached programs: one cleanup for all. */
#define MAX_LINKS 16
struct prog_links {
	struct bpf_link *l[MAX_LINKS];
	int n;
};

/*
 * Attaches every loaded program of OBJ, the exits first ("alloc_exit"
 * events, fexit, kretprobe), so that no allocation whose entry the tool sees
 * can end unseen; then, with ENTRIES_LAST, the other events (stages) before
 * the entries ("alloc_enter", fentry, kprobe), so that an allocation seen
 * to begin is seen in every stage (vmlat); without, the entries before the
 * other events, so that an event inside an allocation finds its entry
 * (vmtree: the caller of an area). SEC("kprobe")/SEC("kretprobe") programs
 * attach to KPROBE_TARGET. Returns 0, or a negative errno (and says what
 * failed); what did attach is in LINKS either way.
 */
int attach_programs(const char *tool, struct bpf_object *obj, const char *kprobe_target,
		    bool entries_last, struct prog_links *links);
void destroy_links(struct prog_links *links);

/* Program runs the kernel skipped, never silently: cumulative since attach. */
struct prog_misses {
	__u64 recursion;	/* bpf_prog_info.recursion_misses, all programs */
	__u64 kprobe;		/* kprobe/kretprobe nmissed (perf link info, 6.7+) */
	/*
	 * kprobe links whose nmissed neither the link info (before 6.7) nor
	 * tracefs' kprobe_profile (libbpf's legacy probes only) tells: then
	 * kprobe is a lower bound, shown as unknown. A state, not a count to
	 * difference.
	 */
	__u64 kprobe_unknown;
};
void read_misses(struct bpf_object *obj, const struct prog_links *links, struct prog_misses *m);

#endif /* __VMSCOPE_PROBE_H */
