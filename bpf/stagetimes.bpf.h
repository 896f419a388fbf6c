/* SPDX-License-Identifier: GPL-2.0 */
/* vmalloc_alloc_stages' struct vmalloc_stage_times, on any kernel of the series. */
#ifndef __VMSCOPE_STAGETIMES_BPF_H
#define __VMSCOPE_STAGETIMES_BPF_H

#include <bpf/bpf_core_read.h>

/* The members patch 12 added, found by CO-RE where the loader saw them. */
struct vmalloc_stage_times___gfp {
	unsigned int gfp_mask;
	int node;
} __attribute__((preserve_access_index));

/*
 * The series' patch 13 member: the time this allocation's events' probes
 * took, which is in no stage. Found by CO-RE where the kernel has it.
 */
struct vmalloc_stage_times___probe {
	__u64 probe_ns;
} __attribute__((preserve_access_index));

/*
 * The allocation's total, the sum of its stages: end - start, less the
 * other probes' time where the kernel leaves it out of the stages. The
 * field check is resolved at load time; the read is a direct BTF load.
 */
static __always_inline __u64 stage_times_total(const struct vmalloc_stage_times *t)
{
	const struct vmalloc_stage_times___probe *p = (const void *)t;
	__u64 total = t->end - t->start;

	if (bpf_core_field_exists(p->probe_ns))
		total -= p->probe_ns;
	return total;
}

#endif /* __VMSCOPE_STAGETIMES_BPF_H */
