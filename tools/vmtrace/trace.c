// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace.h"

int vt_trace_create(struct vt_trace *t, size_t buffer_kb)
{
	const char *events[] = { "vmalloc", NULL };

	memset(t, 0, sizeof(*t));
	if (!tracefs_tracing_dir()) {
		fprintf(stderr, "vmtrace: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)\n");
		return -1;
	}
	snprintf(t->name, sizeof(t->name), "vmtrace-%d", (int)getpid());
	if (tracefs_instance_exists(t->name)) {
		fprintf(stderr, "vmtrace: a tracefs instance %s exists already (another vmtrace with this pid?)\n",
			t->name);
		return -1;
	}
	t->inst = tracefs_instance_create(t->name);
	if (!t->inst) {
		fprintf(stderr, "vmtrace: cannot create tracefs instance %s: %s\n", t->name, strerror(errno));
		return -1;
	}
	/* Events are off in a new instance; keep tracing off until the events are set up. */
	tracefs_trace_off(t->inst);
	if (buffer_kb && tracefs_instance_set_buffer_size(t->inst, buffer_kb, -1) < 0)
		fprintf(stderr, "vmtrace: cannot set the buffer to %zu KiB per CPU; using the default\n", buffer_kb);
	/* The vmalloc system only: parsing every format costs seconds in a TCG guest. */
	t->tep = tracefs_local_events_system(NULL, events);
	if (!t->tep) {
		fprintf(stderr, "vmtrace: cannot read the vmalloc event formats from tracefs: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int vt_trace_enable(struct vt_trace *t, const char *event, const char *filter)
{
	struct tep_event *ev = tep_find_event_by_name(t->tep, "vmalloc", event);
	char *err = NULL;

	if (!ev) {
		fprintf(stderr, "vmtrace: this kernel has no vmalloc:%s event (it comes with the vmscope series)\n",
			event);
		return -1;
	}
	/*
	 * Written as it is, for the kernel to check: tracefs_event_filter_apply()
	 * checks first and knows no "comm". When the kernel refuses it,
	 * libtracefs's check says why, if it can.
	 */
	if (filter && tracefs_event_file_write(t->inst, "vmalloc", event, "filter", filter) < 0) {
		tracefs_filter_string_verify(ev, filter, &err);
		fprintf(stderr, "vmtrace: the kernel refused the filter '%s' on vmalloc:%s%s%s\n", filter, event,
			err ? ": " : "", err ? err : "");
		free(err);
		return -1;
	}
	if (tracefs_event_enable(t->inst, "vmalloc", event)) {
		fprintf(stderr, "vmtrace: cannot enable vmalloc:%s: %s\n", event, strerror(errno));
		return -1;
	}
	return 0;
}

void vt_trace_stop(struct vt_trace *t)
{
	if (t->inst)
		tracefs_trace_off(t->inst);
}

void vt_trace_loss(struct vt_trace *t, struct vt_loss *loss)
{
	char path[64], *s;
	int cpu, ncpu = sysconf(_SC_NPROCESSORS_CONF);

	memset(loss, 0, sizeof(*loss));
	for (cpu = 0; cpu < ncpu; cpu++) {
		snprintf(path, sizeof(path), "per_cpu/cpu%d/stats", cpu);
		s = tracefs_instance_file_read(t->inst, path, NULL);
		if (!s)
			continue;
		vt_loss_add_stats(loss, s, NULL);
		free(s);
	}
}

void vt_trace_destroy(struct vt_trace *t)
{
	if (t->inst) {
		tracefs_trace_off(t->inst);
		/* Events and their filters off first: rmdir refuses an instance in use. */
		tracefs_event_disable(t->inst, NULL, NULL);
		if (tracefs_instance_destroy(t->inst))
			fprintf(stderr, "vmtrace: could not remove tracefs instance %s: %s\n", t->name,
				strerror(errno));
		tracefs_instance_free(t->inst);
		t->inst = NULL;
	}
	if (t->tep) {
		tep_free(t->tep);
		t->tep = NULL;
	}
}
