// SPDX-License-Identifier: GPL-2.0
/*
 * vmcount: count vmap area allocations through the upstream
 * vmalloc:alloc_vmap_area tracepoint (Linux 6.2+). tp_btf when the kernel's
 * BTF has the tracepoint, the classic tracepoint otherwise; on a kernel
 * without it (before 6.2: Debian 12's 6.1), fexit on alloc_vmap_area()
 * itself, where the build kept it as a symbol. The loader chooses at run
 * time.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vmcount.h"
#include "filter.bpf.h"
#include "tpfield.bpf.h"

/* Where the classic tracepoint's fields are (the fallback without BTF). */
const volatile struct tp_field tpf[NR_TPF] = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vmcount_stats);
} stats SEC(".maps");

static __always_inline int count(unsigned long size, int failed)
{
	struct vmcount_stats *s;
	__u32 zero = 0;

	if (!task_matches())
		return 0;
	s = bpf_map_lookup_elem(&stats, &zero);
	if (!s)
		return 0;
	if (failed) {
		s->failed++;
	} else {
		s->allocs++;
		s->bytes += size;
	}
	return 0;
}

SEC("tp_btf/alloc_vmap_area")
int BPF_PROG(alloc_vmap_area_btf, unsigned long addr, unsigned long size,
	     unsigned long align, unsigned long vstart, unsigned long vend,
	     int failed)
{
	return count(size, failed);
}

SEC("tracepoint/vmalloc/alloc_vmap_area")
int alloc_vmap_area_tp(void *ctx)
{
	return count(tp_read(ctx, &tpf[TPF_SIZE]), tp_read(ctx, &tpf[TPF_FAILED]));
}

/*
 * Before 6.2: the function the event is in; an ERR_PTR return is a
 * failure. A call, not an attempt: the tracepoint fires on each try inside
 * it (a failure, a purge of lazily freed areas, the retry's success), this
 * once (the success). The loader checks available_filter_functions first.
 */
SEC("fexit/alloc_vmap_area")
int BPF_PROG(alloc_vmap_area_fexit, unsigned long size)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return count(size, ret >= (__u64)-4095);
}

char LICENSE[] SEC("license") = "GPL";
