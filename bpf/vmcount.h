/* SPDX-License-Identifier: GPL-2.0 */
/* vmcount: shared between vmcount.bpf.c and vmcount.c. */
#ifndef __VMCOUNT_H
#define __VMCOUNT_H

#define TASK_COMM_LEN 16

/* One per-CPU slot, cumulative; user space sums the CPUs and prints differences. */
struct vmcount_stats {
	__u64 allocs;	/* alloc_vmap_area events that succeeded */
	__u64 failed;	/* ... that failed */
	__u64 bytes;	/* size asked of the VA allocator (guard page included) */
};

/* Classic-tracepoint fields (tpfield.h), found in tracefs by the loader. */
enum vmcount_tp_field { TPF_SIZE, TPF_FAILED, NR_TPF };

#endif /* __VMCOUNT_H */
