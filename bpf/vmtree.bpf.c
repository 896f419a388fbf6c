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
#include "frames.bpf.h"
#include "tpfield.bpf.h"

#define VM_NO_GUARD_FLAG	0x00000040	/* include/linux/vmalloc.h */

const volatile bool by_caller = false;
/* Where the classic tracepoints' fields are (the fallback without BTF). */
const volatile struct tp_field tpf[NR_TPF] = {};

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

/* Areas with a guard page reserved during the run: address -> caller. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} live SEC(".maps");

/* Shared by all CPUs: updated with atomic adds. 1 entry unless -C. */
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

/*
 * The open vmallocs of a thread (frames.bpf.h): who asked, with which flags.
 * Only for the threads asked for (-p, -c): reserved() looks at no other.
 */
static __always_inline int push_caller(__u64 size, __u64 caller, __u64 vm_flags)
{
	struct vmtree_stats *s;
	bool lost = false;

	if (!task_matches())
		return 0;
	s = get_stats();
	if (!s)
		return 0;
	frame_push(size, caller, 0, vm_flags, FRAME_EVENTS, false, &s->stale, &lost);
	if (lost)
		s->lost_frames++;
	return 0;
}

static __always_inline int pop_caller(__u64 size)
{
	struct vmtree_stats *s;
	struct frame *f = NULL;

	if (!task_matches())
		return 0;
	s = get_stats();
	if (s)
		frame_pop(size, 0, 0, 0, &f, &s->stale);
	return 0;
}

/* The innermost open vmalloc of this thread; false for vmap() and friends. */
static __always_inline bool current_caller(__u64 *caller, __u64 *vm_flags)
{
	struct frame *f = frame_top();

	if (!f)
		return false;
	*caller = f->caller;
	*vm_flags = f->vm_flags;
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
	__sync_fetch_and_add(&cg->areas, 1);
	__sync_fetch_and_add(&cg->bytes, guard);
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
			__sync_fetch_and_add(&cg->freed_areas, 1);
			__sync_fetch_and_add(&cg->freed_bytes, guard);
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
	return push_caller(size, caller, vm_flags);
}

SEC("tp_btf/vmalloc_alloc_exit")
int BPF_PROG(exit_btf)
{
	__u64 size = 0;

	bpf_probe_read_kernel(&size, sizeof(size), (__u64 *)ctx + 1);
	return pop_caller(size);
}

/* Classic tracepoints: fields where tracefs says they are (tpfield.h). */
SEC("tracepoint/vmalloc/vmalloc_va_reserved")
int reserved_tp(void *ctx)
{
	return reserved(tp_read(ctx, &tpf[TPF_RES_ADDR]), tp_read(ctx, &tpf[TPF_RES_GUARD]),
			tp_read(ctx, &tpf[TPF_RES_POOL_HIT]), tp_read(ctx, &tpf[TPF_RES_DEPTH]),
			tp_read(ctx, &tpf[TPF_RES_PURGES]), tp_read(ctx, &tpf[TPF_RES_FAILED]));
}

SEC("tracepoint/vmalloc/vmalloc_area_free")
int free_tp(void *ctx)
{
	return area_free(tp_read(ctx, &tpf[TPF_FREE_ADDR]), tp_read(ctx, &tpf[TPF_FREE_GUARD]));
}

SEC("tracepoint/vmalloc/vmalloc_alloc_enter")
int enter_tp(void *ctx)
{
	return push_caller(tp_read(ctx, &tpf[TPF_EN_SIZE]), tp_read(ctx, &tpf[TPF_EN_CALLER]),
			   tp_read(ctx, &tpf[TPF_EN_VM_FLAGS]));
}

SEC("tracepoint/vmalloc/vmalloc_alloc_exit")
int exit_tp(void *ctx)
{
	return pop_caller(tp_read(ctx, &tpf[TPF_EX_SIZE]));
}

char LICENSE[] SEC("license") = "GPL";
