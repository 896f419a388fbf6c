/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The open vmallocs of each thread, as a small stack: vmlat pairs an
 * allocation's entry with its exit through it (and times its stages),
 * vmtree finds the caller of the area being reserved. One copy, for both.
 *
 * The stack lives in task storage: created by a thread's first vmalloc,
 * freed by the kernel when the thread exits, so a thread id used again
 * starts empty and there is no map to fill. Per-CPU idle tasks (tid 0) do
 * not vmalloc; they are skipped (an entry there is counted as lost).
 *
 * Entries and exits are seen through separate programs, attached one after
 * the other, and a program run can be missed (recursion, kretprobe
 * maxactive); so an exit may come without its entry (the allocation began
 * before the tracer) and an entry without its exit. Neither may leave a
 * frame behind that turns every later allocation into a nested one, and no
 * allocation may be counted twice:
 *
 * - an exit pops the frame that matches it (size, caller, stack pointer,
 *   address: what each way in knows; 0 = unknown); frames above that one
 *   lost their exit and are dropped (stale); an exit that matches none
 *   touches nothing (it is unmatched);
 * - with the stage events (FRAME_EVENTS), the entry says whether it is
 *   nested: vm_flags has VM_PAGE_ARRAY (a large area's page array, the
 *   only vmalloc inside a vmalloc). An entry without it is top-level: every
 *   frame still open lost its exit. Nothing is guessed;
 * - with fentry or kprobes (FRAME_GUESS, kernels without the series), the
 *   entry checks that the top frame can be its parent (same caller,
 *   smaller, deeper on the stack); a frame that cannot is dropped as
 *   stale, and remembered, so that its exit, should it come after all, is
 *   not counted again as unmatched;
 * - the depth is bounded (MAX_NEST): entries above it are counted lost once,
 *   and their exits absorbed;
 * - with --max-threads (vmlat), a thread that would go beyond that many
 *   threads in vmalloc at once gets frames marked lost: counted once at
 *   entry, their exits absorbed.
 */
#ifndef __VMSCOPE_FRAMES_BPF_H
#define __VMSCOPE_FRAMES_BPF_H

/* vmalloc nests once (a large area's page array); room for more. */
#define MAX_NEST	4
_Static_assert((MAX_NEST & (MAX_NEST - 1)) == 0, "MAX_NEST must be a power of two (index masks)");
#define FRAME_STAGES	5	/* reserve, page_array, pages, map, publish */
#define FRAME_NO_STAGE	0xff	/* frame.next when stage events are not seen */
#define FRAME_PAGE_ARRAY 1	/* frame.next while the page array is allocated */
#define FRAME_GONE	2	/* dropped frames remembered per thread */
#define VM_PAGE_ARRAY_FLAG 0x00002000	/* the series' VM_PAGE_ARRAY (include/linux/vmalloc.h) */

/* How an entry's nesting is known. */
enum frame_way {
	FRAME_GUESS,	/* fentry, kprobe: size, caller, stack pointer */
	FRAME_EVENTS,	/* the series' events: VM_PAGE_ARRAY in vm_flags */
};

struct frame {
	__u64 size;		/* requested size */
	__u64 caller;
	__u64 sp;		/* stack pointer at entry (kprobe), else 0 */
	__u64 addr;		/* the area, once reserved (stage events) */
	__u64 vm_flags;
	__u64 ts_start;
	__u64 ts_last;		/* end of the last stage */
	__u64 stage_ns[FRAME_STAGES];
	__u32 next;		/* the stage running now, or FRAME_NO_STAGE */
	__u32 seen;		/* stages that got time, a bit each */
	__u8 skip;		/* filtered out: tracked for nesting only */
	__u8 lost;		/* not measured (--max-threads): counted at entry */
	__u8 nested;		/* inside another vmalloc */
	__u8 fn_depth[4];	/* vmlat -M funcs: calls open per stage slot */
	__u8 fn_failed;		/* vmlat -M funcs: 1 + the slot whose function failed, 0: none */
};

/* A frame dropped as stale at an entry (FRAME_GUESS): its exit may still come. */
struct frame_key {
	__u64 size, caller, sp;
};

struct frames {
	__u32 depth;
	__u32 overflow;		/* entries above the top that did not fit */
	__u32 admitted;		/* holds one of --max-threads' slots */
	__u32 gone_next;
	struct frame f[MAX_NEST];
	struct frame_key gone[FRAME_GONE];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct frames);
} frames SEC(".maps");

/* --max-threads: threads with a vmalloc open at once that are measured (0: all). */
const volatile __u32 max_threads = 0;
__u64 threads_in_flight = 0;

/* This thread's stack; NULL for idle tasks, and if storage cannot be had. */
static __always_inline struct frames *frames_get(bool create)
{
	if (!(__u32)bpf_get_current_pid_tgid())
		return NULL;
	return bpf_task_storage_get(&frames, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

static __always_inline void frames_set_depth(struct frames *fs, __u32 d)
{
	fs->depth = d;
	if (!d && !fs->overflow && fs->admitted) {
		fs->admitted = 0;
		__sync_fetch_and_add(&threads_in_flight, -1);
	}
}

static __always_inline bool frame_can_nest(const struct frame *parent, __u64 size,
					   __u64 caller, __u64 sp)
{
	if (parent->caller != caller || size >= parent->size)
		return false;
	if (sp && parent->sp && sp >= parent->sp)
		return false;
	return parent->next == FRAME_NO_STAGE || parent->next == FRAME_PAGE_ARRAY;
}

static __always_inline void frame_forget(struct frames *fs, const struct frame *f)
{
	struct frame_key *g = &fs->gone[fs->gone_next & (FRAME_GONE - 1)];

	g->size = f->size;
	g->caller = f->caller;
	g->sp = f->sp;
	fs->gone_next++;
}

/*
 * An allocation starts: a new frame on this thread's stack, zeroed but for
 * the keys, or NULL. *LOST is set when the allocation will not be measured
 * (no frame, or a frame marked lost): the caller counts it, once. Frames
 * whose exit was missed are dropped on the way and added to *STALE
 * (atomically: a per-CPU counter that fentry and fexit programs, which can
 * be preempted, both add to; a rare path).
 */
static __always_inline struct frame *frame_push(__u64 size, __u64 caller, __u64 sp, __u64 vm_flags,
						enum frame_way way, bool stages, __u64 *stale,
						bool *lost)
{
	struct frames *fs;
	struct frame *f;
	bool nested;
	__u32 d;
	int i;

	fs = frames_get(true);
	if (!fs) {
		*lost = true;
		return NULL;
	}
	d = fs->depth;
	if (d > MAX_NEST)
		d = 0;	/* cannot happen; never trust it */
	if (way == FRAME_EVENTS) {
		nested = vm_flags & VM_PAGE_ARRAY_FLAG;
		if (!nested) {
			/* Top level: whatever is still open missed its exit. */
			for (i = 0; i < MAX_NEST; i++) {
				if (i >= d)
					break;
				if (!fs->f[i & (MAX_NEST - 1)].lost)
					__sync_fetch_and_add(stale, 1);
			}
			d = 0;
			fs->overflow = 0;	/* counted lost at entry; their exits were missed */
		}
	} else {
		if (fs->overflow) {
			/* Inside an entry that did not fit: deeper still. */
			fs->overflow++;
			*lost = true;
			return NULL;
		}
		for (i = 0; i < MAX_NEST && d; i++) {
			f = &fs->f[(d - 1) & (MAX_NEST - 1)];
			if (frame_can_nest(f, size, caller, sp))
				break;
			/* Its exit was missed, we think: dropped, and remembered in case it comes. */
			if (!f->lost)
				__sync_fetch_and_add(stale, 1);
			frame_forget(fs, f);
			d--;
		}
		nested = d > 0;
	}
	if (d >= MAX_NEST) {
		fs->depth = d;
		fs->overflow++;
		*lost = true;
		return NULL;
	}
	if (!d && max_threads && !fs->admitted) {
		if (__sync_fetch_and_add(&threads_in_flight, 1) < max_threads)
			fs->admitted = 1;
		else
			__sync_fetch_and_add(&threads_in_flight, -1);
	}
	fs->depth = d + 1;
	/* The mask is for the verifier: the compiler would drop it after the check. */
	asm volatile("" : "+r"(d));
	f = &fs->f[d & (MAX_NEST - 1)];
	__builtin_memset(f, 0, sizeof(*f));
	f->size = size;
	f->caller = caller;
	f->sp = sp;
	f->vm_flags = vm_flags;
	f->nested = nested;
	f->lost = max_threads && !fs->admitted;
	f->next = stages ? 0 : FRAME_NO_STAGE;
	*lost = f->lost;
	return f;
}

/* The innermost open allocation of this thread, if it is measured; else NULL. */
static __always_inline struct frame *frame_top(void)
{
	struct frames *fs = frames_get(false);
	struct frame *f;

	if (!fs || !fs->depth || fs->depth > MAX_NEST || fs->overflow)
		return NULL;
	f = &fs->f[(fs->depth - 1) & (MAX_NEST - 1)];
	return f->lost ? NULL : f;
}

static __always_inline bool frame_matches(const struct frame *f, __u64 size, __u64 caller,
					  __u64 sp, __u64 addr)
{
	return (!size || f->size == size) && (!caller || f->caller == caller) &&
	       (!sp || !f->sp || f->sp == sp) && (!addr || !f->addr || f->addr == addr);
}

/* What frame_pop() found for an exit. */
enum frame_exit {
	FRAME_MATCHED,		/* *fp is its frame, popped */
	FRAME_LOST,		/* counted when it began (lost or stale): nothing to do */
	FRAME_UNMATCHED,	/* no entry seen: began before the tracer */
};

/*
 * An allocation ends: finds its frame by what the exit knows (0 = unknown)
 * and pops it, with any stale frames above it (added to *stale). On
 * FRAME_MATCHED, *fp is the frame (valid until the next push of this
 * thread).
 */
static __always_inline enum frame_exit frame_pop(__u64 size, __u64 caller, __u64 sp, __u64 addr,
						 struct frame **fp, __u64 *stale)
{
	struct frames *fs;
	struct frame *f;
	__u32 d;
	int i, j;

	if (!(__u32)bpf_get_current_pid_tgid())
		return FRAME_LOST;	/* idle task: counted lost at entry */
	fs = frames_get(false);
	if (!fs)
		return FRAME_UNMATCHED;
	d = fs->depth;
	if (d > MAX_NEST)
		d = fs->depth = 0;
	if (fs->overflow) {
		/* The innermost entry did not fit: unless this is the top frame's exit, it is this. */
		if (!d || !frame_matches(&fs->f[(d - 1) & (MAX_NEST - 1)], size, caller, sp, addr)) {
			fs->overflow--;
			if (!fs->overflow)
				frames_set_depth(fs, d);
			return FRAME_LOST;
		}
		fs->overflow = 0;	/* theirs were missed (counted lost at entry) */
	}
	for (i = 0; i < MAX_NEST; i++) {
		if (i >= d)
			break;
		f = &fs->f[(d - 1 - i) & (MAX_NEST - 1)];
		if (!frame_matches(f, size, caller, sp, addr))
			continue;
		/* The frames above it missed their exits. */
		for (j = 0; j < MAX_NEST; j++) {
			if (j >= i)
				break;
			if (!fs->f[(d - 1 - j) & (MAX_NEST - 1)].lost)
				__sync_fetch_and_add(stale, 1);
		}
		d -= i + 1;
		*fp = f;
		frames_set_depth(fs, d);
		return f->lost ? FRAME_LOST : FRAME_MATCHED;
	}
	/* A frame dropped at an entry whose exit came after all: counted then. */
	for (i = 0; i < FRAME_GONE; i++) {
		struct frame_key *g = &fs->gone[i];

		if (g->size && (!size || g->size == size) && (!caller || g->caller == caller) &&
		    (!sp || !g->sp || g->sp == sp)) {
			g->size = 0;
			return FRAME_LOST;
		}
	}
	return FRAME_UNMATCHED;
}

#endif /* __VMSCOPE_FRAMES_BPF_H */
