// SPDX-License-Identifier: GPL-2.0
/*
 * vmslow: every vmalloc slower than a threshold, or failing, as a record
 * in a ring buffer: who, how large, with which gfp flags, where the time
 * went (the series' vmalloc_alloc_stages) and the kernel stack.
 *
 * The series' patch 12 puts the gfp flags and node in the stage times, so
 * vmalloc_alloc_stages alone has everything (times_gfp). Without it,
 * vmalloc_alloc_enter gives them: kept per thread until the allocation's
 * vmalloc_alloc_stages. A
 * nested allocation (a large area's page array, VM_PAGE_ARRAY) begins and
 * ends inside its parent, so the task keeps a small stack: a top-level
 * entry starts it again at slot 0, a nested one goes on top; the stages
 * event of a nested allocation pops it, a top-level one needs no pop (the
 * next top-level entry starts again). So the common case, a top-level
 * allocation under the threshold, returns at once: no map, no clock, no
 * stack.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vmslow.h"
#include "filter.bpf.h"
#include "modules.bpf.h"
#include "stagetimes.bpf.h"

#define VM_PAGE_ARRAY_FLAG 0x00002000	/* the series' VM_PAGE_ARRAY (include/linux/vmalloc.h) */

/* -t: records for allocations that take at least this long (ns); failures always. */
const volatile __u64 threshold_ns = 1000000;
/*
 * The series' stage times carry the allocation's gfp flags and node (its
 * patch 12): vmalloc_alloc_stages alone has all a record needs, and the
 * loader leaves vmalloc_alloc_enter and the per-thread slots unused.
 */
const volatile bool times_gfp = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);	/* the loader may size it */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vmslow_stats);
} stats SEC(".maps");

/* What vmalloc_alloc_enter knew of an allocation that is still open. */
struct open_alloc {
	__u64 size;		/* 0: used or never set */
	__u64 gfp;
	__s32 node;
	__u32 nested;
};

struct task_allocs {
	__u32 depth;		/* may run past VMSLOW_NEST: those are not kept */
	__u32 tid;		/* whose slot this is */
	struct open_alloc a[VMSLOW_NEST];
};

/*
 * Per thread, in an array indexed by the thread id's low bits: a lookup
 * the verifier inlines, where task storage takes a lock-free but longer
 * path on every vmalloc. A slot names its thread; a thread whose id shares
 * the low bits takes the slot over (pid_max is 32768 by default, so ids
 * share them only above that), and the records of the allocations it
 * displaced go without gfp and node (counted as without their entry): a
 * record pairs only with an entry of its own size and nesting in a slot
 * that names its thread. (Two such threads allocating the same size at
 * the same instant on two CPUs could still cross, mid-takeover.)
 */
#define VMSLOW_SLOTS	(1 << 15)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VMSLOW_SLOTS);
	__type(key, __u32);
	__type(value, struct task_allocs);
} task_allocs SEC(".maps");

static __always_inline struct vmslow_stats *get_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline struct task_allocs *allocs_get(bool create)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 key = tid & (VMSLOW_SLOTS - 1);
	struct task_allocs *t;

	/* Per-CPU idle tasks (tid 0) do not vmalloc. */
	if (!tid)
		return NULL;
	t = bpf_map_lookup_elem(&task_allocs, &key);
	if (!t)
		return NULL;
	if (t->tid != tid) {
		if (!create)
			return NULL;
		t->tid = tid;
		t->depth = 0;
	}
	return t;
}

SEC("tp_btf/vmalloc_alloc_enter")
int BPF_PROG(enter_btf, unsigned long size, unsigned long align, unsigned long gfp,
	     unsigned long vm_flags, int node)
{
	struct task_allocs *t;
	struct open_alloc *a;
	__u32 d;

	if (!task_matches())
		return 0;
	t = allocs_get(true);
	if (!t) {
		struct vmslow_stats *s = get_stats();

		if (s)
			s->no_storage++;
		return 0;
	}
	d = vm_flags & VM_PAGE_ARRAY_FLAG ? t->depth : 0;
	if (d > 1000)
		d = 0;		/* cannot happen; never trust it */
	t->depth = d + 1;
	if (d >= VMSLOW_NEST)
		return 0;
	a = &t->a[d & (VMSLOW_NEST - 1)];
	a->size = size;
	a->gfp = gfp;
	a->node = node;
	a->nested = !!(vm_flags & VM_PAGE_ARRAY_FLAG);
	return 0;
}

/*
 * The open allocation this stages event ends, or NULL if its entry was
 * not seen (it began before the tracer, or the task was too deep): popped
 * when nested.
 */
static __always_inline struct open_alloc *allocs_pop(bool nested, __u64 size)
{
	struct task_allocs *t = allocs_get(false);
	struct open_alloc *a;
	__u32 d;

	if (!t || !t->depth)
		return NULL;
	d = nested ? t->depth - 1 : 0;
	if (d >= VMSLOW_NEST) {
		if (nested)
			t->depth = d;
		return NULL;
	}
	a = &t->a[d & (VMSLOW_NEST - 1)];
	/*
	 * Only the entry of this very allocation: same size, same nesting.
	 * Anything else (an entry not seen, a slot overwritten by another
	 * vmalloc in between) gives no gfp/node rather than another's.
	 */
	if (a->size != size || a->nested != nested)
		return NULL;
	if (nested)
		t->depth = d;
	return a;
}

/*
 * Arguments are taken as the words they are (see vmlat.bpf.c): NESTED is
 * a bool and STAGE an enum in the event's prototype.
 */
SEC("tp_btf/vmalloc_alloc_stages")
int BPF_PROG(stages_btf, unsigned long addr, unsigned long size, unsigned long caller,
	     unsigned long nested, unsigned long stage, const struct vmalloc_stage_times *times)
{
	struct vmslow_stats *s;
	struct vmslow_event *e;
	struct open_alloc *a;
	__u64 total = stage_times_total(times);
	__u64 id;

	/* The fast path: fast and successful. Only a nested one has a slot to pop. */
	if (total < threshold_ns && !(__u32)stage) {
		if (!times_gfp && (nested & 1))
			allocs_pop(true, size);
		return 0;
	}
	if (!task_matches())
		return 0;
	a = times_gfp ? NULL : allocs_pop(nested & 1, size);
	s = get_stats();
	if (!s)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		s->lost++;
		return 0;
	}
	id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_ns();
	e->addr = addr;
	e->size = size;
	e->caller = caller;
	e->total_ns = total;
	/* Constant offsets: BTF pointers take no variable ones. */
	e->stage_ns[0] = times->ns[0];
	e->stage_ns[1] = times->ns[1];
	e->stage_ns[2] = times->ns[2];
	e->stage_ns[3] = times->ns[3];
	e->stage_ns[4] = times->ns[4];
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->cpu = bpf_get_smp_processor_id();
	e->kstage = (__u32)stage;
	e->nested = nested & 1;
	if (times_gfp) {
		const struct vmalloc_stage_times___gfp *g = (const void *)times;

		e->has_enter = 1;
		e->gfp = BPF_CORE_READ(g, gfp_mask);
		e->node = BPF_CORE_READ(g, node);
	} else {
		e->has_enter = a != NULL;
		e->gfp = a ? a->gfp : 0;
		e->node = a ? a->node : -1;
	}
	e->pad[0] = e->pad[1] = 0;
	e->pad2 = 0;
	if (a)
		a->size = 0;	/* used: never another allocation's */
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/* Flags 0: the kernel stack, no frames skipped; zero-filled past its end. */
	e->stack_bytes = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);
	bpf_ringbuf_submit(e, 0);
	s->records++;
	if (!times_gfp && !a)
		s->no_enter++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
