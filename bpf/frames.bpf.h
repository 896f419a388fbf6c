/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The open vmallocs of each thread, as a small stack: vmlat pairs an
 * allocation's entry with its exit through it (and times its stages),
 * vmtree finds the caller of the area being reserved. One copy, for both.
 *
 * Entries and exits are seen through separate programs, attached one after
 * the other, and a program run can be missed (recursion, kretprobe
 * maxactive); so an exit may come without its entry (the allocation began
 * before the tracer) and an entry without its exit. Neither may leave a
 * frame behind that turns every later allocation into a nested one:
 *
 * - an exit pops the frame that matches it (size, caller, stack pointer,
 *   address: what each way in knows; 0 = unknown); frames above that one
 *   lost their exit and are dropped; an exit that matches none touches
 *   nothing (it is unmatched);
 * - an entry checks that the top frame can be its parent (a nested vmalloc
 *   is its parent's page array: same caller, smaller, deeper on the stack,
 *   during the parent's page_array stage where stages are seen); a frame
 *   that cannot is stale and dropped;
 * - the depth is bounded (MAX_NEST), and what does not fit is counted.
 */
#ifndef __VMSCOPE_FRAMES_BPF_H
#define __VMSCOPE_FRAMES_BPF_H

/* vmalloc nests once (a large area's page array); room for more. */
#define MAX_NEST	4
#define FRAME_STAGES	5	/* reserve, page_array, pages, map, publish */
#define FRAME_NO_STAGE	0xff	/* frame.next when stage events are not seen */
#define FRAME_PAGE_ARRAY 1	/* frame.next while the page array is allocated */

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
	__u32 skip;		/* filtered out: tracked for nesting only */
	__u32 pad;
};

struct frames {
	__u32 depth;
	__u32 lost;		/* entries above the top that did not fit */
	struct frame f[MAX_NEST];
};

/* max_entries: the threads with a vmalloc in flight at once (the loader sets it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* thread id */
	__type(value, struct frames);
} frames SEC(".maps");

/*
 * Entries that found the map full: no frame to remember them by, so their
 * exits would look unmatched. That many frameless exits are theirs.
 */
__u64 frames_untracked = 0;

/* What frame_pop() found for an exit. */
enum frame_exit {
	FRAME_MATCHED,		/* *fp is its frame, popped */
	FRAME_LOST,		/* an entry that did not fit: counted on entry */
	FRAME_UNMATCHED,	/* no entry seen: began before the tracer */
};

static __always_inline bool frame_can_nest(const struct frame *parent, __u64 size,
					   __u64 caller, __u64 sp)
{
	if (parent->caller != caller || size >= parent->size)
		return false;
	if (sp && parent->sp && sp >= parent->sp)
		return false;
	return parent->next == FRAME_NO_STAGE || parent->next == FRAME_PAGE_ARRAY;
}

/*
 * An allocation starts: a new frame on this thread's stack, zeroed but for
 * the keys, or NULL if it did not fit (counted in *lost). Stale frames
 * dropped on the way are added to *stale.
 */
static __always_inline struct frame *frame_push(__u64 size, __u64 caller, __u64 sp,
						bool stages, __u64 *stale, __u64 *lost)
{
	static const struct frames empty;	/* too big for the BPF stack */
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct frames *fs;
	struct frame *f;
	__u32 d;
	int i;

	fs = bpf_map_lookup_elem(&frames, &tid);
	if (!fs) {
		if (bpf_map_update_elem(&frames, &tid, &empty, BPF_NOEXIST) == 0)
			fs = bpf_map_lookup_elem(&frames, &tid);
		if (!fs) {
			__sync_fetch_and_add(&frames_untracked, 1);
			(*lost)++;
			return NULL;
		}
	}
	for (i = 0; i < MAX_NEST && fs->depth; i++) {
		if (fs->depth > MAX_NEST) {
			fs->depth = 0;	/* cannot happen; never trust it */
			break;
		}
		if (!fs->lost && frame_can_nest(&fs->f[(fs->depth - 1) & (MAX_NEST - 1)], size, caller, sp))
			break;
		/* Its exit was missed: drop it, and any entry above it that did not fit. */
		fs->depth--;
		fs->lost = 0;
		(*stale)++;
	}
	d = fs->depth;
	if (d >= MAX_NEST) {
		fs->lost++;
		(*lost)++;
		return NULL;
	}
	fs->depth = d + 1;
	/* The mask is for the verifier: the compiler would drop it after the check. */
	asm volatile("" : "+r"(d));
	f = &fs->f[d & (MAX_NEST - 1)];
	__builtin_memset(f, 0, sizeof(*f));
	f->size = size;
	f->caller = caller;
	f->sp = sp;
	f->next = stages ? 0 : FRAME_NO_STAGE;
	return f;
}

/* The innermost open allocation of this thread, or NULL. */
static __always_inline struct frame *frame_top(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct frames *fs;

	fs = bpf_map_lookup_elem(&frames, &tid);
	if (!fs || !fs->depth || fs->depth > MAX_NEST || fs->lost)
		return NULL;
	return &fs->f[(fs->depth - 1) & (MAX_NEST - 1)];
}

static __always_inline bool frame_matches(const struct frame *f, __u64 size, __u64 caller,
					  __u64 sp, __u64 addr)
{
	return (!size || f->size == size) && (!caller || f->caller == caller) &&
	       (!sp || !f->sp || f->sp == sp) && (!addr || !f->addr || f->addr == addr);
}

/* Takes one frameless exit as an untracked entry's, if one is pending. */
static __always_inline bool frame_take_untracked(void)
{
	__u64 n = frames_untracked;
	int i;

	for (i = 0; i < 4 && n; i++) {
		__u64 old = __sync_val_compare_and_swap(&frames_untracked, n, n - 1);

		if (old == n)
			return true;
		n = old;
	}
	return false;
}

/*
 * An allocation ends: finds its frame by what the exit knows (0 = unknown)
 * and pops it, with any stale frames above it (added to *stale). On
 * FRAME_MATCHED, *fp is the frame (valid until the next push or pop of this
 * thread) and *depth the number of frames below it (0: top level).
 */
static __always_inline enum frame_exit frame_pop(__u64 size, __u64 caller, __u64 sp, __u64 addr,
						 struct frame **fp, __u32 *depth, __u64 *stale)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct frames *fs;
	__u32 d;
	int i;

	fs = bpf_map_lookup_elem(&frames, &tid);
	if (!fs)
		return frame_take_untracked() ? FRAME_LOST : FRAME_UNMATCHED;
	d = fs->depth;
	if (d > MAX_NEST)
		d = fs->depth = 0;
	if (fs->lost) {
		/* The innermost entry did not fit: unless this is the top frame's exit, it is this. */
		if (!d || !frame_matches(&fs->f[(d - 1) & (MAX_NEST - 1)], size, caller, sp, addr)) {
			fs->lost--;
			return FRAME_LOST;
		}
		fs->lost = 0;	/* theirs were missed */
	}
	for (i = 0; i < MAX_NEST; i++) {
		if (i >= d)
			break;
		if (frame_matches(&fs->f[(d - 1 - i) & (MAX_NEST - 1)], size, caller, sp, addr)) {
			d -= i + 1;
			*stale += i;
			*fp = &fs->f[d & (MAX_NEST - 1)];
			*depth = d;
			fs->depth = d;
			return FRAME_MATCHED;
		}
	}
	return FRAME_UNMATCHED;
}

/* After FRAME_MATCHED, once the frame is used: frees a thread's empty stack. */
static __always_inline void frame_release(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct frames *fs;

	fs = bpf_map_lookup_elem(&frames, &tid);
	if (fs && !fs->depth && !fs->lost)
		bpf_map_delete_elem(&frames, &tid);
}

#endif /* __VMSCOPE_FRAMES_BPF_H */
