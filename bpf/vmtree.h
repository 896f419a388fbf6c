/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by vmtree.bpf.c and vmtree.c. */
#ifndef __VMTREE_H
#define __VMTREE_H

#define TASK_COMM_LEN	16
/* Nodes visited per search; the last slot holds everything deeper. */
#define MAX_DEPTH	64

struct vmtree_stats {
	__u64 reserved;		/* vmap areas reserved */
	__u64 failed;		/* reservations that failed */
	__u64 pool_hits;	/* served from a per-node pool */
	__u64 tree_searches;	/* served by a free-tree search */
	__u64 depth_sum;	/* nodes visited, all searches */
	__u64 purges;		/* purge-and-retry rounds */
	__u64 purged;		/* reservations that needed one */
	__u64 guard_areas;	/* reserved with a guard page */
	__u64 guard_bytes;
	__u64 noguard_vmallocs;	/* vmalloc areas reserved without one (VM_NO_GUARD) */
	__u64 freed_guard_areas;	/* areas with a guard page freed */
	__u64 freed_guard_bytes;
	__u64 freed_before_areas;	/* of which reserved before the tracer */
	__u64 freed_before_bytes;
	__u64 lost;		/* areas not tracked: live or caller map full */
	__u64 lost_frames;	/* vmallocs whose caller was not tracked: no task storage, too deep */
	__u64 stale;		/* vmallocs whose exit was missed (frames dropped) */
};

/* Guard-page usage of one caller, from the areas reserved during the run. */
struct caller_guard {
	__u64 areas;
	__u64 bytes;
	__u64 freed_areas;
	__u64 freed_bytes;
};

/* Classic-tracepoint fields (tpfield.h), found in tracefs by the loader. */
enum vmtree_tp_field {
	TPF_RES_ADDR, TPF_RES_GUARD, TPF_RES_POOL_HIT, TPF_RES_DEPTH, TPF_RES_PURGES, TPF_RES_FAILED,
	TPF_FREE_ADDR, TPF_FREE_GUARD,
	TPF_EN_SIZE, TPF_EN_CALLER, TPF_EN_VM_FLAGS,
	TPF_EX_SIZE,
	NR_TPF,
};

#endif /* __VMTREE_H */
