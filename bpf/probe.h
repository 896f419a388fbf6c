/* SPDX-License-Identifier: GPL-2.0 */
/* Run-time probes shared by the vmscope tools: what this kernel offers. */
#ifndef __VMSCOPE_PROBE_H
#define __VMSCOPE_PROBE_H

#include <stdbool.h>

/*
 * Checks what every vmscope tool needs (root, kernel BTF, tracefs) and prints
 * a specific error for the first thing missing. Returns 0 or -1.
 */
int probe_environment(void);

/* The mounted tracefs directory, or NULL. */
const char *tracefs_dir(void);

/* True if tracefs has events/CATEGORY/NAME. */
bool probe_tracepoint(const char *category, const char *name);

/* True if kernel BTF describes tracepoint NAME (btf_trace_NAME), i.e. tp_btf works. */
bool probe_tp_btf(const char *name);

/* True if kernel BTF has function NAME (fentry/fexit can attach to it). */
bool probe_btf_func(const char *name);

/* True if /proc/kallsyms lists NAME as a text symbol (kprobes can attach). */
bool probe_ksym(const char *name);

#endif /* __VMSCOPE_PROBE_H */
