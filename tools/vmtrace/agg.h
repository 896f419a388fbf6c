/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmtrace's aggregation: the three vmalloc events, one record at a time,
 * into what vmlat and vmtree report, with their semantics (bpf/vmlat.bpf.c
 * alloc_stages(), bpf/vmtree.bpf.c reserved() and area_free()). No tracefs
 * here: the live and the offline paths and the unit tests feed it alike.
 */
#ifndef __VMTRACE_AGG_H
#define __VMTRACE_AGG_H

#include <stdbool.h>
#include <stdio.h>
#include "hist.h"
#include "llhist.h"
#include "schema.h"

/* The kernel's enum vmalloc_stage (vmalloc_alloc_stages' stage field). */
enum { KSTAGE_NONE, KSTAGE_SIZE, KSTAGE_RESERVE, KSTAGE_PAGE_ARRAY, KSTAGE_PAGES, KSTAGE_MAP };

struct vt_alloc {		/* vmalloc_alloc_stages */
	unsigned long long addr, size, caller, total_ns;
	int pid;		/* common_pid: pairs it with its task's reservation */
	unsigned long long ns[VM_STAGE_TOTAL];	/* reserve..publish */
	int kstage;		/* failed stage, KSTAGE_NONE on success */
	bool nested;
};

struct vt_reserve {		/* vmalloc_va_reserved */
	unsigned long long addr, guard;
	int pid;		/* common_pid */
	unsigned int depth, purges;
	bool pool_hit, failed;
};

struct vt_free {		/* vmalloc_area_free */
	unsigned long long addr, guard;
};

struct vt_hist {
	unsigned long long slots[HIST_SLOTS];
	unsigned long long sum_ns;
	unsigned long long ll[LLH_BUCKETS];	/* the summary's, in ns (lib/llhist.h) */
};

/* A reserved area, until freed: its guard and, once its vmalloc ends, its caller. */
struct vt_area {
	unsigned long long addr, caller, guard;
	int pid;		/* the task that reserved it */
	bool used, known;	/* known: its vmalloc_alloc_stages came */
};

/*
 * A task's reservations whose vmalloc_alloc_stages has not come yet (a
 * stack: a nested vmalloc reserves and ends inside its parent). vmtree
 * names an area by the innermost vmalloc open in the reserving task; here
 * the task's next vmalloc_alloc_stages pops it, whatever its addr (0 on
 * failure). An area freed before that (a vmalloc failing after its
 * reservation) waits here with its free.
 */
struct vt_pending {
	unsigned long long addr, guard, freed_guard;
	bool failed, freed;
};

#define VT_TASK_DEPTH	32	/* deeper: the oldest are reservations outside vmalloc (vmap) */

struct vt_task {
	int pid, n;		/* pid 0: a free slot */
	struct vt_pending st[VT_TASK_DEPTH];
};

struct vt_caller {
	unsigned long long caller, areas, bytes, freed_areas, freed_bytes;
};

struct vt_agg {
	/* Options, set before the first record. */
	unsigned long long unit_div, min_size, max_size;
	bool filtered;		/* -p/-c: frees of areas not seen reserved are another task's */

	/* vmlat: per interval (vt_agg_next_interval() clears them). */
	struct vt_hist h[2][VM_NR_STAGES];	/* [nested][stage] */
	unsigned long long failed, failed_stage[VM_NR_STAGES];
	/* The summary's maxima: since the start, as vmlat's (a maximum cannot be differenced). */
	unsigned long long max_ns[2][VM_NR_STAGES];

	/* vmtree: cumulative. */
	struct vm_tree_counts tree;
	unsigned long long depth[VM_MAX_DEPTH];
	struct vt_area *areas;	/* open addressing, by address */
	size_t areas_cap, areas_used;
	struct vt_caller *callers;	/* freed areas' guards and areas overwritten */
	size_t ncallers;
	struct vt_task *tasks;	/* open addressing, by pid */
	size_t tasks_cap, tasks_used;

	unsigned long long records;	/* every record seen */
	bool nomem;		/* an allocation failed: figures incomplete */
};

void vt_agg_init(struct vt_agg *a);
void vt_agg_free(struct vt_agg *a);
void vt_agg_alloc(struct vt_agg *a, const struct vt_alloc *r);
void vt_agg_reserve(struct vt_agg *a, const struct vt_reserve *r);
void vt_agg_free_area(struct vt_agg *a, const struct vt_free *r);
/* The vmlat part starts again (vmlat prints intervals, vmtree totals); the maxima stay. */
void vt_agg_next_interval(struct vt_agg *a);

/*
 * Guard pages by caller, freed and live areas together, largest first (as
 * vmtree sorts them). Returns a malloc'ed array of *N entries, or NULL.
 */
struct vt_caller *vt_agg_callers(const struct vt_agg *a, size_t *n);

/* Names a caller for the report; NULL for caller 0 (outside vmalloc). */
typedef const char *(*vt_namer)(void *ctx, unsigned long long addr, char *buf, size_t len);

/* What the report says about events lost on the way (the ring buffer). */
struct vt_loss {
	unsigned long long overrun, dropped, commit_overrun;	/* from per_cpu/cpuN/stats */
	/*
	 * Records flagged as following missed events: the same losses as the
	 * overrun, seen by the reader (so not added to lost); missed_unknown:
	 * some flagged without a count.
	 */
	unsigned long long missed;
	bool missed_unknown;
	bool known;		/* the counts could be read */
};

/* What the ring buffer lost: overrun + dropped + commit overrun. */
unsigned long long vt_loss_lost(const struct vt_loss *l);
/*
 * Adds one per-CPU stats text (the kernel's per_cpu/cpuN/stats, or one
 * CPU's part of a trace-cmd file's cpustats) into L; *ENTRIES (if not NULL)
 * gets its "entries:". Returns 0, or -1 if it has no "overrun:" line.
 */
int vt_loss_add_stats(struct vt_loss *l, const char *text, unsigned long long *entries);

struct vt_print {
	const char *source;	/* "live", "kernel" or "report" */
	const char *unit;	/* nsecs, usecs, msecs */
	const struct vt_loss *loss;
	vt_namer namer;
	void *namer_ctx;
	bool timestamp;
	bool intervals;		/* a report per interval: the summary's max is since the start, "max(all)" */
};

/* Both return 0, or -1 if the output could not be written (said why on stderr). Text: stdout. */
int vt_agg_print_text(const struct vt_agg *a, const struct vt_print *p);
int vt_agg_print_json(FILE *f, const struct vt_agg *a, const struct vt_print *p);
/* Flushes F and checks its error flag: 0, or -1 having said why. */
int vt_output_check(FILE *f);

#endif /* __VMTRACE_AGG_H */
