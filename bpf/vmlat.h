/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by vmlat.bpf.c and vmlat.c. */
#ifndef __VMLAT_H
#define __VMLAT_H

#include "llhist.h"

#define TASK_COMM_LEN	16
#define MAX_SLOTS	32

/*
 * The stages of the series' stage model, in call order. Each stage event
 * ends one stage; vmalloc_alloc_exit ends the last one reached (publish on
 * success, the failed stage on failure). A stage's time runs from the
 * previous event of the same allocation, so the stages of an allocation add
 * up to its total exactly.
 */
enum vmlat_stage {
	STAGE_RESERVE,		/* vmalloc_alloc_enter -> vmalloc_va_reserved */
	STAGE_PAGE_ARRAY,	/* -> vmalloc_page_array (may nest a vmalloc) */
	STAGE_PAGES,		/* -> vmalloc_pages_alloc */
	STAGE_MAP,		/* -> vmalloc_pages_map */
	STAGE_PUBLISH,		/* -> vmalloc_alloc_exit */
	STAGE_TOTAL,		/* enter -> exit */
	NR_STAGES,
};

/* How the BPF side sees allocations: chosen by the loader at run time. */
enum vmlat_mode {
	MODE_STAGES,	/* vmalloc_alloc_stages: one event per allocation */
	MODE_EVENTS,	/* the six stage events, paired per thread */
	MODE_FENTRY,	/* fentry/fexit on the vmalloc core: total only */
	MODE_KPROBE,	/* kprobe/kretprobe on the vmalloc core: total only */
	MODE_FUNCS,	/* fentry (else kprobes) on the core and the stage functions a stock kernel has */
	NR_MODES,
};

/*
 * -M funcs: the functions of the allocation path a stock kernel keeps as
 * symbols, each timed into one stage slot of the allocation's frame. The
 * area function (__vmalloc_area_node) holds page_array, pages and map: with
 * all three of FN_AREA, FN_PAGES, FN_MAP, page_array is what is left of it
 * and publish what is left of the total. Otherwise the publish slot holds
 * what is left of the total: "other", the stages not measured.
 */
enum vmlat_fn {
	FN_RESERVE = STAGE_RESERVE,	/* __get_vm_area_node */
	FN_AREA = STAGE_PAGE_ARRAY,	/* __vmalloc_area_node (whole) */
	FN_PAGES = STAGE_PAGES,		/* vm_area_alloc_pages */
	FN_MAP = STAGE_MAP,		/* vmap_pages_range(_noflush) */
};

/* A histogram's key: the stage, plus what the user asked to break down by. */
struct hist_key {
	__u64 caller;		/* -C: vmalloc's caller argument */
	__u32 pid;		/* -P: thread group id */
	__u32 size_log2;	/* -S: log2 of the requested size */
	__u32 stage;
	__u32 nested;		/* allocated inside another vmalloc */
	char comm[TASK_COMM_LEN];	/* -P */
};

/* A histogram's count is the sum of its slots: added up in user space. */
struct hist {
	__u64 slots[MAX_SLOTS];
	__u64 sum_ns;		/* exact, whatever the display unit */
};

/*
 * Every stage's histogram of top-level (index 0) or nested (1) allocations
 * in one map value: one lookup per allocation. The log2 histograms serve
 * when there is no breakdown (in ns, their slots are left empty: the loader
 * adds them up from the log-linear buckets); the summary's log-linear
 * buckets (ns, lib/llhist.h), sums and exact maxima are kept with a
 * breakdown too. The maxima last: the loader copies a value in
 * address order and the programs store a maximum before its bucket, so a
 * value it sees bucketed is under the maximum it reads.
 */
struct stage_hists {
	struct hist h[NR_STAGES];
	__u64 ll[NR_STAGES][LLH_BUCKETS];
	__u64 max_ns[NR_STAGES];	/* per CPU: the loader takes the largest */
};

/*
 * Allocations measured, and of them nested, are the total histograms'
 * counts. Everything is cumulative from the start: the loader prints
 * differences, so an interval loses nothing to a reset.
 */
struct vmlat_stats {
	__u64 failed;		/* allocations that returned NULL */
	__u64 failed_stage[NR_STAGES];
	__u64 unmatched;	/* exits whose entry came before the tracer */
	__u64 lost_frames;	/* entries not measured: --max-threads, too deep, no task storage */
	__u64 lost_hist;	/* histogram updates lost: map full */
	__u64 stray;		/* stage events not matching the open allocation */
	__u64 stale;		/* entries whose exit was missed (frames dropped) */
	/*
	 * -M funcs: stage-function calls entered in an allocation and still
	 * open at its end (their exit missed: kretprobe maxactive); their
	 * time is in no stage, the rest ("other") is then too large.
	 */
	__u64 fn_unclosed;
};

/* Classic-tracepoint fields (tpfield.h), found in tracefs by the loader. */
enum vmlat_tp_field {
	TPF_ST_SIZE, TPF_ST_CALLER, TPF_ST_NESTED, TPF_ST_STAGE, TPF_ST_TOTAL,
	TPF_ST_RESERVE, TPF_ST_PAGE_ARRAY, TPF_ST_PAGES, TPF_ST_MAP, TPF_ST_PUBLISH,
	TPF_EN_SIZE, TPF_EN_CALLER, TPF_EN_VM_FLAGS,
	TPF_RES_ADDR, TPF_PA_ADDR, TPF_PG_ADDR, TPF_MAP_ADDR,
	TPF_EX_ADDR, TPF_EX_SIZE, TPF_EX_STAGE,
	NR_TPF,
};

#endif /* __VMLAT_H */
