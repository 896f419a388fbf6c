/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __VMTRACE_H
#define __VMTRACE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include "agg.h"
#include "trace.h"

#define VT_COMM_LEN	16
#define VT_FILTER_MAX	4096	/* -F: the kernel takes a page */

struct vt_env {
	pid_t pid;
	const char *comm;
	const char *filter;		/* -F: more of vmalloc_alloc_stages' filter */
	unsigned long long min_size, max_size;
	const char *unit;
	unsigned long long unit_div;
	int interval, count;
	bool json, timestamp, kernel;
	const char *input;		/* report -i */
	const char *output;		/* record -o */
	size_t buffer_kb;
	char **cmd;			/* record: the command to trace */
};

extern struct vt_env env;
extern volatile sig_atomic_t vt_exiting;

/* hist --kernel: the same histograms from ftrace hist triggers (khist.c). */
int vt_khist_run(struct vt_trace *t, const char *filter_stages, const char *filter_res);
/* report: a trace-cmd .dat through libtracecmd (report.c); the exit status. */
int vt_report(const char *file);
/* The same in this process (the fuzz target: a crash must be seen). */
int vt_report_file(const char *file);
/* Kernel symbol names through TEP's kallsyms: "name+0xoff", or the address. */
const char *vt_tep_namer(void *tep, unsigned long long addr, char *buf, size_t len);

#endif /* __VMTRACE_H */
