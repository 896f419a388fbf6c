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
#include "schema.h"

/* The kernel's enum vmalloc_stage (vmalloc_alloc_stages' stage field). */
enum { KSTAGE_NONE, KSTAGE_SIZE, KSTAGE_RESERVE, KSTAGE_PAGE_ARRAY, KSTAGE_PAGES, KSTAGE_MAP };

struct vt_alloc {		/* vmalloc_alloc_stages */
	unsigned long long addr, size, caller, total_ns;
	unsigned long long ns[VM_STAGE_TOTAL];	/* reserve..publish */
	int kstage;		/* failed stage, KSTAGE_NONE on success */
	bool nested;
};

struct vt_reserve {		/* vmalloc_va_reserved */
	unsigned long long addr, guard;
	unsigned int depth, purges;
	bool pool_hit, failed;
};

struct vt_free {		/* vmalloc_area_free */
	unsigned long long addr, guard;
};

struct vt_hist {
	unsigned long long slots[HIST_SLOTS];
	unsigned long long sum_ns;
};

/* A reserved area, until freed: its guard and, once its vmalloc ends, its caller. */
struct vt_area {
	unsigned long long addr, caller, guard;
	bool used, known;	/* known: its vmalloc_alloc_stages came */
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

	/* vmtree: cumulative. */
	struct vm_tree_counts tree;
	unsigned long long depth[VM_MAX_DEPTH];
	struct vt_area *areas;	/* open addressing, by address */
	size_t areas_cap, areas_used;
	struct vt_caller *callers;	/* freed areas' guards and areas overwritten */
	size_t ncallers;

	unsigned long long records;	/* every record seen */
	bool nomem;		/* an allocation failed: figures incomplete */
};

void vt_agg_init(struct vt_agg *a);
void vt_agg_free(struct vt_agg *a);
void vt_agg_alloc(struct vt_agg *a, const struct vt_alloc *r);
void vt_agg_reserve(struct vt_agg *a, const struct vt_reserve *r);
void vt_agg_free_area(struct vt_agg *a, const struct vt_free *r);
/* The vmlat part starts again (vmlat prints intervals, vmtree totals). */
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
	unsigned long long missed;	/* records lost as the reader saw them */
	bool known;		/* the counts could be read */
};

struct vt_print {
	const char *source;	/* "live", "kernel" or "report" */
	const char *unit;	/* nsecs, usecs, msecs */
	const struct vt_loss *loss;
	vt_namer namer;
	void *namer_ctx;
	bool timestamp;
};

void vt_agg_print_text(const struct vt_agg *a, const struct vt_print *p);
void vt_agg_print_json(FILE *f, const struct vt_agg *a, const struct vt_print *p);

#endif /* __VMTRACE_AGG_H */
