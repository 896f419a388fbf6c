/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by vmslow.bpf.c and vmslow.c. */
#ifndef __VMSLOW_H
#define __VMSLOW_H

#define TASK_COMM_LEN		16
#define VMSLOW_MAX_STACK	32	/* kernel stack frames per record */
#define VMSLOW_NR_STAGES	5	/* reserve, page_array, pages, map, publish */
#define VMSLOW_NEST		4	/* open vmallocs per task (vmalloc nests once) */

/*
 * The kernel's enum vmalloc_stage (include/trace/events/vmalloc.h, ABI):
 * the failed stage of vmalloc_alloc_stages, 0 when the allocation worked.
 */
enum vmslow_kstage {
	KSTAGE_NONE, KSTAGE_SIZE, KSTAGE_RESERVE, KSTAGE_PAGE_ARRAY, KSTAGE_PAGES,
	KSTAGE_MAP, KSTAGE_PUBLISH, NR_KSTAGES,
};

/* One slow or failed vmalloc, as the ring buffer carries it. */
struct vmslow_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) when it ended */
	__u64 addr;		/* returned, 0 on failure */
	__u64 size;		/* requested */
	__u64 caller;
	__u64 gfp;		/* from vmalloc_alloc_enter; valid if has_enter */
	__u64 total_ns;
	__u64 stage_ns[VMSLOW_NR_STAGES];
	__u32 pid;		/* thread group */
	__u32 tid;
	__u32 cpu;
	__s32 node;		/* from vmalloc_alloc_enter; valid if has_enter */
	__u32 kstage;		/* enum vmslow_kstage */
	__u8 nested;		/* the page array of another vmalloc */
	__u8 has_enter;		/* its vmalloc_alloc_enter was seen: gfp, node */
	__u8 pad[2];
	__s32 stack_bytes;	/* bpf_get_stack()'s result: bytes, or -errno */
	char comm[TASK_COMM_LEN];
	__u32 pad2;		/* zeroed: no stale ring contents reach user space */
	__u64 stack[VMSLOW_MAX_STACK];
};

/* Counted per CPU, read at exit. */
struct vmslow_stats {
	__u64 records;		/* written to the ring buffer */
	__u64 lost;		/* not written: ring buffer full */
	__u64 no_enter;		/* records without their enter event (gfp, node unknown) */
	__u64 no_storage;	/* enter events without a per-thread slot (an array: never) */
};

#endif /* __VMSLOW_H */
