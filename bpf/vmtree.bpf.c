// SPDX-License-Identifier: GPL-2.0
/*
 * vmtree: what the vmap area allocator does per reservation (pool hit or
 * free-tree search, nodes visited, purge retries) and guard pages reserved
 * and freed, from the vmscope series' vmalloc_va_reserved and
 * vmalloc_area_free events; callers from vmalloc_alloc_enter/exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vmtree.h"
#include "filter.bpf.h"
#include "modules.bpf.h"

#define VM_NO_GUARD_FLAG	0x00000040	/* include/linux/vmalloc.h */

const volatile bool by_caller = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vmtree_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_DEPTH);
	__type(key, __u32);
	__type(value, __u64);
} depth_hist SEC(".maps");

/* The open vmallocs of a thread: who asked, with which flags. */
struct callers {
	__u32 depth;
	__u32 pad;
	__u64 caller[MAX_NEST];
	__u64 vm_flags[MAX_NEST];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct callers);
} open_callers SEC(".maps");

/* Areas with a guard page reserved during the run: address -> caller. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct caller_guard);
} guard_by_caller SEC(".maps");

static __always_inline struct vmtree_stats *get_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline int push_caller(__u64 caller, __u64 vm_flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct callers *c, zero = {};
	__u32 d;

	c = bpf_map_lookup_elem(&open_callers, &tid);
	if (!c) {
		bpf_map_update_elem(&open_callers, &tid, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&open_callers, &tid);
		if (!c)
			return 0;
	}
	d = c->depth;
	if (d < MAX_NEST) {
		c->caller[d & (MAX_NEST - 1)] = caller;
		c->vm_flags[d & (MAX_NEST - 1)] = vm_flags;
	}
	c->depth = d + 1;
	return 0;
}

static __always_inline int pop_caller(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct callers *c;

	c = bpf_map_lookup_elem(&open_callers, &tid);
	if (!c)
		return 0;
	if (c->depth > 1)
		c->depth--;
	else
		bpf_map_delete_elem(&open_callers, &tid);
	return 0;
}

/* The innermost open vmalloc of this thread; false for vmap() and friends. */
static __always_inline bool current_caller(__u64 *caller, __u64 *vm_flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct callers *c;
	__u32 d;

	c = bpf_map_lookup_elem(&open_callers, &tid);
	if (!c || !c->depth || c->depth > MAX_NEST)
		return false;
	d = c->depth - 1;
	*caller = c->caller[d & (MAX_NEST - 1)];
	*vm_flags = c->vm_flags[d & (MAX_NEST - 1)];
	return true;
}

static __always_inline int reserved(__u64 addr, __u64 guard, bool pool_hit,
				    __u32 depth, __u32 purges, bool failed)
{
	struct vmtree_stats *s;
	struct caller_guard *cg, zero = {};
	__u64 caller = 0, vm_flags = 0, *cnt;
	bool in_vmalloc;
	__u32 slot;

	if (!task_matches())
		return 0;
	s = get_stats();
	if (!s)
		return 0;
	if (failed) {
		s->failed++;
		return 0;
	}
	s->reserved++;
	if (purges) {
		s->purges += purges;
		s->purged++;
	}
	if (pool_hit) {
		s->pool_hits++;
	} else {
		s->tree_searches++;
		s->depth_sum += depth;
		slot = depth < MAX_DEPTH ? depth : MAX_DEPTH - 1;
		cnt = bpf_map_lookup_elem(&depth_hist, &slot);
		if (cnt)
			(*cnt)++;
	}

	in_vmalloc = current_caller(&caller, &vm_flags);
	if (!guard) {
		if (in_vmalloc && (vm_flags & VM_NO_GUARD_FLAG))
			s->noguard_vmallocs++;
		return 0;
	}
	s->guard_areas++;
	s->guard_bytes += guard;
	if (bpf_map_update_elem(&live, &addr, &caller, BPF_ANY)) {
		s->lost++;
		return 0;
	}
	if (!by_caller)
		return 0;
	cg = bpf_map_lookup_elem(&guard_by_caller, &caller);
	if (!cg) {
		bpf_map_update_elem(&guard_by_caller, &caller, &zero, BPF_NOEXIST);
		cg = bpf_map_lookup_elem(&guard_by_caller, &caller);
		if (!cg) {
			s->lost++;
			return 0;
		}
	}
	cg->areas++;
	cg->bytes += guard;
	return 0;
}

static __always_inline int area_free(__u64 addr, __u64 guard)
{
	struct vmtree_stats *s;
	struct caller_guard *cg;
	__u64 *caller;

	if (!guard)
		return 0;
	s = get_stats();
	if (!s)
		return 0;
	caller = bpf_map_lookup_elem(&live, &addr);
	if (!caller) {
		/* Reserved before the tracer, or by a task filtered out. */
		if (targ_tgid || filter_comm)
			return 0;
		s->freed_before_areas++;
		s->freed_before_bytes += guard;
	} else if (by_caller) {
		cg = bpf_map_lookup_elem(&guard_by_caller, caller);
		if (cg) {
			cg->freed_areas++;
			cg->freed_bytes += guard;
		}
	}
	if (caller)
		bpf_map_delete_elem(&live, &addr);
	s->freed_guard_areas++;
	s->freed_guard_bytes += guard;
	return 0;
}

/* The series' events through BTF; classic tracepoints below. */
SEC("tp_btf/vmalloc_va_reserved")
int BPF_PROG(reserved_btf, unsigned long addr, unsigned long size, unsigned long guard,
	     bool pool_hit, unsigned int depth, unsigned int purges, bool failed)
{
	return reserved(addr, guard, pool_hit, depth, purges, failed);
}

SEC("tp_btf/vmalloc_area_free")
int BPF_PROG(free_btf, unsigned long addr, unsigned long size, unsigned long guard)
{
	return area_free(addr, guard);
}

/* "const void *caller" fails 6.12's context check: read it as a word. */
SEC("tp_btf/vmalloc_alloc_enter")
int BPF_PROG(enter_btf, unsigned long size, unsigned long align, gfp_t gfp,
	     unsigned long vm_flags)
{
	__u64 caller = 0;

	bpf_probe_read_kernel(&caller, sizeof(caller), (__u64 *)ctx + 5);
	return push_caller(caller, vm_flags);
}

SEC("tp_btf/vmalloc_alloc_exit")
int BPF_PROG(exit_btf)
{
	return pop_caller();
}

SEC("tracepoint/vmalloc/vmalloc_va_reserved")
int reserved_tp(struct trace_event_raw_vmalloc_va_reserved *ctx)
{
	return reserved(BPF_CORE_READ(ctx, addr), BPF_CORE_READ(ctx, guard),
			BPF_CORE_READ(ctx, pool_hit), BPF_CORE_READ(ctx, depth),
			BPF_CORE_READ(ctx, purges), BPF_CORE_READ(ctx, failed));
}

SEC("tracepoint/vmalloc/vmalloc_area_free")
int free_tp(struct trace_event_raw_vmalloc_area_free *ctx)
{
	return area_free(BPF_CORE_READ(ctx, addr), BPF_CORE_READ(ctx, guard));
}

SEC("tracepoint/vmalloc/vmalloc_alloc_enter")
int enter_tp(struct trace_event_raw_vmalloc_alloc_enter *ctx)
{
	return push_caller(BPF_CORE_READ(ctx, caller), BPF_CORE_READ(ctx, vm_flags));
}

SEC("tracepoint/vmalloc/vmalloc_alloc_exit")
int exit_tp(struct trace_event_raw_vmalloc_alloc_exit *ctx)
{
	return pop_caller();
}

char LICENSE[] SEC("license") = "GPL";
