/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmtrace's private tracefs instance (after rtla's trace.c): created with a
 * unique name, never the global buffer; destroyed on every exit path, since
 * a leftover instance keeps its buffer and its events on.
 */
#ifndef __VMTRACE_TRACE_H
#define __VMTRACE_TRACE_H

#include <stdbool.h>
#include <tracefs.h>
#include "agg.h"

struct vt_trace {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	char name[64];
};

/* Creates "vmtrace-PID" and its view of the kernel's events. 0 or -1 (said why). */
int vt_trace_create(struct vt_trace *t, size_t buffer_kb);
/* Enables vmalloc:EVENT in the instance, with FILTER (NULL: none). 0 or -1 (said why). */
int vt_trace_enable(struct vt_trace *t, const char *event, const char *filter);
/* Stops recording (the buffer keeps what it has). */
void vt_trace_stop(struct vt_trace *t);
/* Sums the instance's per_cpu/cpuN/stats into LOSS. */
void vt_trace_loss(struct vt_trace *t, struct vt_loss *loss);
/* Disables everything and removes the instance; safe to call twice. */
void vt_trace_destroy(struct vt_trace *t);

#endif /* __VMTRACE_TRACE_H */
