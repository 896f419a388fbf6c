// SPDX-License-Identifier: GPL-2.0
/*
 * vmlat: per-stage vmalloc latency. Four ways in, chosen by the loader:
 *
 * - stages: the series' vmalloc_alloc_stages, one event per allocation
 *   with every stage's time, taken by the kernel: no per-thread state;
 * - events: the series' six stage events, paired per thread;
 * - fentry/fexit or kprobe/kretprobe on the vmalloc core, on a kernel
 *   without the series: the total only;
 * - funcs: the same, plus the functions of the allocation path that the
 *   kernel's build kept as symbols, timed per allocation (a stock kernel's
 *   stages, as far as its symbols allow).
 *
 * (The last three through the frames below: each thread has a small stack
 * of open allocations, so a vmalloc nested in another (a large area's page
 * array) gets its own frame, and its time is part of its parent's
 * page_array stage. tp_btf first, classic tracepoints without BTF.)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bits.bpf.h"
#include "vmlat.h"
#include "filter.bpf.h"
#include "modules.bpf.h"
#include "frames.bpf.h"
#include "tpfield.bpf.h"
#include "stagetimes.bpf.h"

const volatile __u64 min_size = 0;
const volatile __u64 max_size = ~0ULL;
const volatile __u64 unit_div = 1;	/* ns per display unit */
const volatile bool by_caller = false;
const volatile bool by_pid = false;
const volatile bool by_size = false;
/* -M funcs: stage functions attached; all of area, pages and map (split). */
const volatile bool funcs = false;
const volatile bool funcs_split = false;
/*
 * The programs can be preempted (fentry/fexit): per-CPU updates atomic.
 * fentry/fexit run with migration disabled but preemption enabled (6.12:
 * __bpf_prog_enter_recur), so another task can update the same per-CPU
 * value between a read and its write. The same program does not run
 * twice at once on a CPU (its prog->active counter: the second run is
 * counted as missed), but core_fentry and core_fexit share the counters,
 * and a kernel may change that. Preemption is disabled around every other
 * way in: tp_btf and classic tracepoints (__DO_TRACE's
 * preempt_disable_notrace), kprobes (int3 or ftrace handler) and
 * kretprobes (rethook_trampoline_handler): plain updates there, and the
 * default program (stages_btf) never reads this.
 */
const volatile bool preemptible = false;
/* Where the classic tracepoints' fields are (the fallback without BTF). */
const volatile struct tp_field tpf[NR_TPF] = {};

/* All stages of top-level (0) and nested (1) allocations (struct stage_hists). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct stage_hists);
} hists_flat SEC(".maps");

/*
 * Breakdown by caller, process or size class: sized by the loader (1
 * without). One value for all CPUs (atomic adds), allocated as used; the
 * loader deletes keys that stay idle.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vmlat_stats);
} stats SEC(".maps");

static __always_inline struct vmlat_stats *get_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

/* *P += N, per-CPU: atomic where the programs can be preempted. */
static __always_inline void pcpu_add(__u64 *p, __u64 n)
{
	if (preemptible)
		__sync_fetch_and_add(p, n);
	else
		*p += n;
}

/* The default program's (stages_btf: tp_btf, not preemptible). */
static __always_inline int count_lost_hist(void)
{
	struct vmlat_stats *s = get_stats();

	if (s)
		s->lost_hist++;
	return 0;
}

static __always_inline bool no_breakdown(void)
{
	return !by_caller && !by_pid && !by_size;
}

/*
 * For v < 2^16, filled in by the loader: floor(log2(v)) (the log2 slot) and
 * the log-linear bucket (lib/llhist.h: below 2^16 it fits a byte). Most
 * stage times are below 65 us, and one load beats a dozen instructions
 * six times per vmalloc (BPF has no count-leading-zeros instruction).
 */
const volatile __u8 log2_u16[1 << 16] = {};
const volatile __u8 ll_u16[1 << 16] = {};

/* The log2 slot of V: 2^32 units and more share the last one. */
static __always_inline __u32 log2_slot(__u64 v)
{
	if (v >> 16)
		return v >> 32 ? MAX_SLOTS - 1 : log2(v);
	return log2_u16[v & 0xffff];
}

static __always_inline __u32 ll_bucket(__u64 ns)
{
	if (ns >> 16)
		return llh_bucket_log2(ns, log2l(ns));
	return ll_u16[ns & 0xffff];
}

/*
 * The summary's part of stage ST: its maximum first (see struct
 * stage_hists), then its bucket, and the sum. In ns, the log2 slots are
 * not kept here: each log-linear bucket lies in one log2 slot, so the
 * loader adds them up into the slots, exactly (llh_log2_slots()).
 */
static __always_inline void stage_add_ns(struct stage_hists *sh, int st, __u64 ns)
{
	if (ns > sh->max_ns[st])
		sh->max_ns[st] = ns;
	asm volatile("" ::: "memory");
	/* The mask is for the verifier: the table's bytes could be anything. */
	sh->ll[st][ll_bucket(ns) & (LLH_BUCKETS - 1)]++;
	sh->h[st].sum_ns += ns;
}

/*
 * *P = max(*P, V) where another task may store in between: a failed
 * compare-and-swap means someone stored a larger value meanwhile (only
 * maxima are stored here); retried a bounded number of times, for the
 * verifier (once per task preempted on this CPU in mid-update).
 */
#define MAX_CAS_TRIES 8
static __always_inline void max_atomic(__u64 *p, __u64 v)
{
	__u64 old = *p, seen;
	int i;

	for (i = 0; i < MAX_CAS_TRIES && v > old; i++) {
		seen = __sync_val_compare_and_swap(p, old, v);
		if (seen == old)
			break;
		old = seen;
	}
}

/* stage_add_ns() for programs that can be preempted (see preemptible). */
static __always_inline void stage_add_ns_atomic(struct stage_hists *sh, int st, __u64 ns)
{
	max_atomic(&sh->max_ns[st], ns);
	__sync_fetch_and_add(&sh->ll[st][ll_bucket(ns) & (LLH_BUCKETS - 1)], 1);
	__sync_fetch_and_add(&sh->h[st].sum_ns, ns);
}

/* Stage ST of SH, any unit, any way in: the summary in ns, the log2 slot in another display unit. */
static __always_inline void stage_add(struct stage_hists *sh, int st, __u64 ns)
{
	if (preemptible)
		stage_add_ns_atomic(sh, st, ns);
	else
		stage_add_ns(sh, st, ns);
	if (unit_div != 1)
		pcpu_add(&sh->h[st].slots[log2_slot(ns / unit_div) & (MAX_SLOTS - 1)], 1);
}

/* The same into a histogram all CPUs share (the breakdown hash). */
static __always_inline void slot_add_shared(struct hist *h, __u64 ns)
{
	__u64 v = unit_div == 1 ? ns : ns / unit_div;

	__sync_fetch_and_add(&h->slots[log2_slot(v) & (MAX_SLOTS - 1)], 1);
	__sync_fetch_and_add(&h->sum_ns, ns);
}

/*
 * Stage KEY->stage of an allocation into the per-CPU histograms SH (always:
 * the summary) and, with a breakdown, into KEY's histogram in the hash.
 */
static __always_inline void hist_add(struct stage_hists *sh, struct hist_key *key, __u64 ns,
				     struct vmlat_stats *s)
{
	static const struct hist zero_hist;
	struct hist *h;

	if (key->stage < NR_STAGES)
		stage_add(sh, key->stage, ns);
	if (no_breakdown())
		return;
	h = bpf_map_lookup_elem(&hists, key);
	if (!h) {
		bpf_map_update_elem(&hists, key, &zero_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, key);
	}
	if (!h) {
		pcpu_add(&s->lost_hist, 1);
		return;
	}
	slot_add_shared(h, ns);
}

/* Constant indices only: the verifier loses variable ones the compiler clamps. */
static __always_inline void add_stage(struct frame *f, __u32 stage, __u64 ns)
{
	switch (stage) {
	case STAGE_RESERVE: f->stage_ns[STAGE_RESERVE] += ns; break;
	case STAGE_PAGE_ARRAY: f->stage_ns[STAGE_PAGE_ARRAY] += ns; break;
	case STAGE_PAGES: f->stage_ns[STAGE_PAGES] += ns; break;
	case STAGE_MAP: f->stage_ns[STAGE_MAP] += ns; break;
	default: f->stage_ns[STAGE_PUBLISH] += ns; stage = STAGE_PUBLISH; break;
	}
	f->seen |= 1 << stage;
}

static __always_inline void count_failed(struct vmlat_stats *s, __u32 stage)
{
	switch (stage) {
	case STAGE_RESERVE: pcpu_add(&s->failed_stage[STAGE_RESERVE], 1); break;
	case STAGE_PAGE_ARRAY: pcpu_add(&s->failed_stage[STAGE_PAGE_ARRAY], 1); break;
	case STAGE_PAGES: pcpu_add(&s->failed_stage[STAGE_PAGES], 1); break;
	case STAGE_MAP: pcpu_add(&s->failed_stage[STAGE_MAP], 1); break;
	default: pcpu_add(&s->failed_stage[STAGE_PUBLISH], 1); break;
	}
}

/*
 * One allocation measured, whichever way: the stages in SEEN (a bit each)
 * with their times in NS, and the total, into the histograms of the
 * breakdown asked for; a failure counted, in LAST if that is known (>= 0).
 */
static __always_inline void record_alloc(struct vmlat_stats *s, __u64 size, __u64 caller,
					 bool nested, __u32 seen, const __u64 *ns, __u64 total,
					 bool failed, int last)
{
	struct hist_key key = {};
	struct stage_hists *sh;
	__u32 idx = nested ? 1 : 0;
	int i;

	/* Counted first: whatever happens to the histograms, a failure is not lost. */
	if (failed) {
		pcpu_add(&s->failed, 1);
		if (last >= 0)
			count_failed(s, last);
	}
	sh = bpf_map_lookup_elem(&hists_flat, &idx);
	if (!sh) {
		pcpu_add(&s->lost_hist, 1);
		return;
	}
	if (by_caller)
		key.caller = caller;
	if (by_pid) {
		key.pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(key.comm, sizeof(key.comm));
	}
	if (by_size)
		key.size_log2 = log2l(size);
	key.nested = nested;
	for (i = 0; i < STAGE_TOTAL; i++) {
		if (!(seen & (1 << i)))
			continue;
		key.stage = i;
		hist_add(sh, &key, ns[i], s);
	}
	key.stage = STAGE_TOTAL;
	hist_add(sh, &key, total, s);
}

/*
 * An allocation starts: a frame for it on the thread's stack (frames.bpf.h).
 * SP: the stack pointer at entry where the way in has it (kprobe), else 0.
 * STAGES: the series' stage events are seen (nesting from VM_FLAGS);
 * without, nesting is guessed from size, caller and stack pointer.
 */
static __always_inline int alloc_enter(__u64 size, __u64 caller, __u64 sp, __u64 vm_flags,
				       bool stages)
{
	struct vmlat_stats *s;
	struct frame *f;
	bool skip, lost = false;

	if (!task_matches())
		return 0;
	s = get_stats();
	if (!s)
		return 0;
	skip = size < min_size || size > max_size;
	f = frame_push(size, caller, sp, vm_flags, stages ? FRAME_EVENTS : FRAME_GUESS, stages,
		       &s->stale, &lost);
	/* Lost only if it was to be measured; either way not silent. */
	if (lost && !skip)
		pcpu_add(&s->lost_frames, 1);
	if (!f)
		return 0;
	f->ts_start = f->ts_last = bpf_ktime_get_ns();
	f->skip = skip;
	return 0;
}

/* A stage event: the time since the last one belongs to STAGE. */
static __always_inline int stage_end(enum vmlat_stage stage, __u64 addr)
{
	struct vmlat_stats *s;
	struct frame *f;
	__u64 now;

	f = frame_top();
	if (!f)
		return 0;
	if (stage == STAGE_RESERVE) {
		f->addr = addr;
	} else if (f->addr != addr) {
		s = get_stats();
		if (s)
			s->stray++;
		return 0;
	}
	now = bpf_ktime_get_ns();
	add_stage(f, stage, now - f->ts_last);
	f->ts_last = now;
	f->next = stage + 1;
	return 0;
}

/*
 * -M funcs: a stage function of slot FN begins or ends inside this thread's
 * innermost allocation (elsewhere: not a vmalloc's, ignored). Several
 * functions may serve one slot, one calling the other where the build did
 * not inline it: the outermost call counts. Its slot gets -start, then
 * +end: the sum of its calls' durations. A call whose entry was not seen
 * is not counted.
 *
 * Which calls are the allocation's own: reserve's (__get_vm_area_node)
 * when its caller argument is the allocation's (both known: the core's and
 * its last argument), map's when its start address lies in the area
 * reserve returned (once known). Other calls are a vmap(), ioremap() or
 * vm_map_ram() reached inside the allocation (reclaim, a notifier) or a
 * nested vmalloc whose core entry was missed: counted as stray, not
 * timed. CHECK says what ARG is (the caller, a start address) or CHECK_NONE.
 */
enum fn_check { CHECK_NONE, CHECK_CALLER, CHECK_MAP };

/* Reserve's CALLER is not allocation F's (both known). */
static __always_inline bool caller_mismatch(const struct frame *f, __u64 caller)
{
	return caller && f->caller && caller != f->caller;
}

/*
 * A map function's start ADDR outside allocation F's area (once known):
 * its size in pages, in 2 MiB where vmalloc may map huge pages (from
 * PMD_SIZE on), chunks of it starting anywhere below.
 */
static __always_inline bool map_mismatch(const struct frame *f, __u64 addr)
{
	__u64 len;

	if (!f->addr)
		return false;
	len = f->size >= (1 << 21) ? (f->size + (1 << 21) - 1) & ~((1ULL << 21) - 1)
				   : (f->size + 4095) & ~4095ULL;
	return addr - f->addr >= len;
}

static __always_inline bool fn_mismatch(const struct frame *f, int check, __u64 arg)
{
	switch (check) {
	case CHECK_CALLER: return caller_mismatch(f, arg);
	case CHECK_MAP: return map_mismatch(f, arg);
	default: return false;
	}
}

static __always_inline int fn_begin(int fn, int check, __u64 arg)
{
	struct frame *f = frame_top();
	struct vmlat_stats *s;

	if (!f)
		return 0;
	/* Kept apart: merged with frame_top's, 6.1's verifier loses the NULL check. */
	asm volatile("" : "+r"(f));
	if (fn_mismatch(f, check, arg)) {
		s = get_stats();
		if (s)
			pcpu_add(&s->stray, 1);
		return 0;
	}
	if (f->fn_depth[fn & 3]++)
		return 0;
	add_stage(f, fn, -bpf_ktime_get_ns());
	f->seen &= ~(1 << fn);	/* not yet: set when it ends */
	return 0;
}

/*
 * FAILED: the call returned its failure (reserve's NULL, map's error): the
 * allocation's failed stage, if it fails; AREA: reserve's area start.
 * A kretprobe has no arguments (CHECK_NONE): its entry decided.
 */
static __always_inline int fn_end(int fn, int check, __u64 arg, bool failed, __u64 area)
{
	struct frame *f = frame_top();

	if (!f)
		return 0;
	asm volatile("" : "+r"(f));
	if (fn_mismatch(f, check, arg) || !f->fn_depth[fn & 3] || --f->fn_depth[fn & 3])
		return 0;
	add_stage(f, fn, bpf_ktime_get_ns());
	if (failed && !f->fn_failed)
		f->fn_failed = 1 + fn;
	if (fn == FN_RESERVE && area && !f->addr)
		f->addr = area;
	return 0;
}

/* struct vm_struct's addr, of reserve's return (0: NULL). */
static __always_inline __u64 vm_addr(__u64 vm)
{
	return vm ? (__u64)BPF_CORE_READ((struct vm_struct *)vm, addr) : 0;
}

/* Returns A - B, or 0 (a stage function's exit missed: never negative). */
static __always_inline __u64 ns_left(__u64 a, __u64 b)
{
	return a > b ? a - b : 0;
}

/*
 * -M funcs, at the allocation's end: TOTAL less the stage functions' times
 * into the publish slot (the rest, "other"; with the split, the area
 * function's time less pages and map into page_array, and the rest of the
 * total into publish). A function still open missed its exit: dropped,
 * counted in fn_unclosed (its time is then in "other").
 */
static __always_inline void funcs_rest(struct frame *f, __u64 total, struct vmlat_stats *s)
{
	__u64 *ns = f->stage_ns;
	__u64 r = 0, a = 0, p = 0, m = 0;
	int i;

	for (i = 0; i < 4; i++)
		if (f->fn_depth[i]) {
			f->seen &= ~(1 << i);
			pcpu_add(&s->fn_unclosed, 1);
		}
	if (f->seen & (1 << FN_RESERVE))
		r = ns[STAGE_RESERVE];
	if (f->seen & (1 << FN_PAGES))
		p = ns[STAGE_PAGES];
	if (f->seen & (1 << FN_MAP))
		m = ns[STAGE_MAP];
	if (funcs_split && (f->seen & (1 << FN_AREA))) {
		a = ns[STAGE_PAGE_ARRAY];
		ns[STAGE_PAGE_ARRAY] = ns_left(a, p + m);
		ns[STAGE_PUBLISH] = ns_left(total, r + a);
	} else {
		f->seen &= ~(1 << FN_AREA);
		ns[STAGE_PUBLISH] = ns_left(total, r + p + m);
	}
	f->seen |= 1 << STAGE_PUBLISH;
}

/*
 * An allocation ends: record its stages (STAGES: seen through the stage
 * events, not just the core's entry and return) and pop its frame. SIZE,
 * CALLER, SP, ADDR: what this exit knows of its allocation (0: unknown),
 * to find its frame.
 */
static __always_inline int alloc_exit(bool stages, bool failed, int failed_stage, __u64 size,
				      __u64 caller, __u64 sp, __u64 addr)
{
	struct vmlat_stats *s;
	struct frame *f = NULL;
	__u64 now = bpf_ktime_get_ns();
	__u32 last;

	if (!task_matches())
		return 0;
	s = get_stats();
	if (!s)
		return 0;
	switch (frame_pop(size, caller, sp, addr, &f, &s->stale)) {
	case FRAME_MATCHED:
		break;
	case FRAME_UNMATCHED:
		if (!size || (size >= min_size && size <= max_size))
			pcpu_add(&s->unmatched, 1);
		return 0;
	default:
		return 0;	/* counted when it began: lost or stale */
	}
	if (!f || f->skip)
		return 0;
	last = failed ? failed_stage : f->next;
	if (stages)
		add_stage(f, last, now - f->ts_last);
	if (funcs)
		funcs_rest(f, now - f->ts_start, s);
	/*
	 * Without the stage events, a failure's stage is known only where a
	 * stage function returned its failure (-M funcs): else -1, unknown.
	 */
	record_alloc(s, f->size, f->caller, f->nested, f->seen, f->stage_ns,
		     now - f->ts_start, failed,
		     stages ? (int)last : funcs && f->fn_failed ? f->fn_failed - 1 : -1);
	return 0;
}

/* The kernel's enum vmalloc_stage (failed_stage of vmalloc_alloc_exit) to ours. */
static __always_inline int failed_to_stage(int kstage)
{
	switch (kstage) {
	case 3: return STAGE_PAGE_ARRAY;	/* VMALLOC_STAGE_PAGE_ARRAY */
	case 4: return STAGE_PAGES;		/* VMALLOC_STAGE_PAGES */
	case 5: return STAGE_MAP;		/* VMALLOC_STAGE_MAP */
	default: return STAGE_RESERVE;		/* SIZE, RESERVE */
	}
}

/*
 * One allocation as vmalloc_alloc_stages reports it: NS holds the time of
 * each stage (STAGE_RESERVE..STAGE_PUBLISH); those up to the last one
 * reached add up to TOTAL.
 */
static __always_inline int alloc_stages(__u64 size, __u64 caller, bool nested,
					int kstage, __u64 total, const __u64 *ns)
{
	struct vmlat_stats *s;
	int last;

	if (size < min_size || size > max_size || !task_matches())
		return 0;
	s = get_stats();
	if (!s)
		return 0;
	/* The stages up to the last one reached got time. */
	last = kstage ? failed_to_stage(kstage) : STAGE_PUBLISH;
	record_alloc(s, size, caller, nested, (2u << last) - 1, ns, total, kstage, last);
	return 0;
}

/* Any allocation, any breakdown: the stage times copied out first. */
static __always_inline int alloc_stages_btf(__u64 size, __u64 caller, bool nested, int stage,
					    const struct vmalloc_stage_times *times)
{
	/* Constant offsets: BTF pointers take no variable ones. */
	__u64 ns[STAGE_TOTAL] = {
		times->ns[0], times->ns[1], times->ns[2], times->ns[3], times->ns[4],
	};

	return alloc_stages(size, caller, nested, stage, stage_times_total(times), ns);
}

/*
 * The default: no breakdown, no filter, nanoseconds. This runs for every
 * vmalloc, so it is kept short for the common case, a successful
 * allocation: one lookup, six stages (a log-linear bucket, a sum and a
 * maximum each; the log2 slots come from the buckets), no read of an option
 * (the verifier drops the branches on read-only options, but not the
 * reads). Arguments are taken as the words they are: bool and int would
 * cost conversions.
 */
SEC("tp_btf/vmalloc_alloc_stages")
int BPF_PROG(stages_btf, unsigned long addr, unsigned long size,
	     unsigned long caller, unsigned long nested, unsigned long stage,
	     const struct vmalloc_stage_times *times)
{
	struct stage_hists *sh;
	__u32 idx = nested & 1;

	if (stage)
		return alloc_stages_btf(size, caller, nested & 1, stage, times);
	sh = bpf_map_lookup_elem(&hists_flat, &idx);
	if (!sh)
		return count_lost_hist();
	stage_add_ns(sh, STAGE_RESERVE, times->ns[0]);
	stage_add_ns(sh, STAGE_PAGE_ARRAY, times->ns[1]);
	stage_add_ns(sh, STAGE_PAGES, times->ns[2]);
	stage_add_ns(sh, STAGE_MAP, times->ns[3]);
	stage_add_ns(sh, STAGE_PUBLISH, times->ns[4]);
	stage_add_ns(sh, STAGE_TOTAL, stage_times_total(times));
	return 0;
}

/* Any option: breakdowns (-C, -P, -S), filters (-p, -c, -s, -z), units. */
SEC("tp_btf/vmalloc_alloc_stages")
int BPF_PROG(stages_any_btf, unsigned long addr, unsigned long size,
	     unsigned long caller, bool nested, int stage,
	     const struct vmalloc_stage_times *times)
{
	return alloc_stages_btf(size, caller, nested, stage, times);
}

/* The classic tracepoint: fields where tracefs says they are (tpfield.h). */
SEC("tracepoint/vmalloc/vmalloc_alloc_stages")
int stages_tp(void *ctx)
{
	__u64 ns[STAGE_TOTAL] = {
		tp_read(ctx, &tpf[TPF_ST_RESERVE]), tp_read(ctx, &tpf[TPF_ST_PAGE_ARRAY]),
		tp_read(ctx, &tpf[TPF_ST_PAGES]), tp_read(ctx, &tpf[TPF_ST_MAP]),
		tp_read(ctx, &tpf[TPF_ST_PUBLISH]),
	};

	return alloc_stages(tp_read(ctx, &tpf[TPF_ST_SIZE]), tp_read(ctx, &tpf[TPF_ST_CALLER]),
			    tp_read(ctx, &tpf[TPF_ST_NESTED]), tp_read(ctx, &tpf[TPF_ST_STAGE]),
			    tp_read(ctx, &tpf[TPF_ST_TOTAL]), ns);
}

/* The series' stage events through BTF: raw arguments, no record copy. */
/*
 * A "const void *" argument fails the 6.12 verifier's context check (it
 * takes only void * as a scalar), so pointer arguments are read as words.
 */
static __always_inline __u64 ctx_word(void *ctx, int n)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (__u64 *)ctx + n);
	return v;
}

SEC("tp_btf/vmalloc_alloc_enter")
int BPF_PROG(enter_btf, unsigned long size, unsigned long align, unsigned long gfp,
	     unsigned long vm_flags)
{
	return alloc_enter(size, ctx_word(ctx, 5), 0, vm_flags, true);
}

SEC("tp_btf/vmalloc_va_reserved")
int BPF_PROG(reserved_btf, unsigned long addr)
{
	return stage_end(STAGE_RESERVE, addr);
}

SEC("tp_btf/vmalloc_page_array")
int BPF_PROG(page_array_btf, unsigned long addr)
{
	return stage_end(STAGE_PAGE_ARRAY, addr);
}

SEC("tp_btf/vmalloc_pages_alloc")
int BPF_PROG(pages_btf, unsigned long addr)
{
	return stage_end(STAGE_PAGES, addr);
}

SEC("tp_btf/vmalloc_pages_map")
int BPF_PROG(map_btf, unsigned long addr)
{
	return stage_end(STAGE_MAP, addr);
}

SEC("tp_btf/vmalloc_alloc_exit")
int BPF_PROG(exit_btf)
{
	__u64 addr = ctx_word(ctx, 0);

	return alloc_exit(true, !addr, failed_to_stage(ctx_word(ctx, 2)), ctx_word(ctx, 1), 0, 0, addr);
}

/* The same through classic tracepoints, when BTF lacks the events. */
SEC("tracepoint/vmalloc/vmalloc_alloc_enter")
int enter_tp(void *ctx)
{
	return alloc_enter(tp_read(ctx, &tpf[TPF_EN_SIZE]), tp_read(ctx, &tpf[TPF_EN_CALLER]), 0,
			   tp_read(ctx, &tpf[TPF_EN_VM_FLAGS]), true);
}

SEC("tracepoint/vmalloc/vmalloc_va_reserved")
int reserved_tp(void *ctx)
{
	return stage_end(STAGE_RESERVE, tp_read(ctx, &tpf[TPF_RES_ADDR]));
}

SEC("tracepoint/vmalloc/vmalloc_page_array")
int page_array_tp(void *ctx)
{
	return stage_end(STAGE_PAGE_ARRAY, tp_read(ctx, &tpf[TPF_PA_ADDR]));
}

SEC("tracepoint/vmalloc/vmalloc_pages_alloc")
int pages_tp(void *ctx)
{
	return stage_end(STAGE_PAGES, tp_read(ctx, &tpf[TPF_PG_ADDR]));
}

SEC("tracepoint/vmalloc/vmalloc_pages_map")
int map_tp(void *ctx)
{
	return stage_end(STAGE_MAP, tp_read(ctx, &tpf[TPF_MAP_ADDR]));
}

SEC("tracepoint/vmalloc/vmalloc_alloc_exit")
int exit_tp(void *ctx)
{
	__u64 addr = tp_read(ctx, &tpf[TPF_EX_ADDR]);

	return alloc_exit(true, !addr, failed_to_stage(tp_read(ctx, &tpf[TPF_EX_STAGE])),
			  tp_read(ctx, &tpf[TPF_EX_SIZE]), 0, 0, addr);
}

/*
 * Without the series: the vmalloc core as a whole. The loader retargets
 * these to __vmalloc_node_range on kernels before the _noprof rename.
 * fexit sees the arguments too: its frame is found by size and caller.
 */
SEC("fentry/__vmalloc_node_range_noprof")
int BPF_PROG(core_fentry, unsigned long size)
{
	__u64 caller = 0;

	bpf_get_func_arg(ctx, 8, &caller);
	return alloc_enter(size, caller, 0, 0, false);
}

SEC("fexit/__vmalloc_node_range_noprof")
int BPF_PROG(core_fexit, unsigned long size)
{
	__u64 ret = 0, caller = 0;

	bpf_get_func_arg(ctx, 8, &caller);
	bpf_get_func_ret(ctx, &ret);
	return alloc_exit(false, !ret, 0, size, caller, 0, 0);
}

/*
 * x86-64: arguments 7-9 are on the stack, above the return address, where
 * the stack pointer is at entry; at the return it is 8 bytes higher: a
 * kretprobe finds its kprobe's frame by it.
 */
SEC("kprobe")
int BPF_KPROBE(core_kprobe, unsigned long size)
{
	__u64 caller = 0;

	bpf_probe_read_kernel(&caller, sizeof(caller), (void *)(PT_REGS_SP(ctx) + 24));
	return alloc_enter(size, caller, PT_REGS_SP(ctx), 0, false);
}

SEC("kretprobe")
int BPF_KRETPROBE(core_kretprobe, void *ret)
{
	return alloc_exit(false, !ret, 0, 0, 0, PT_REGS_SP(ctx) - 8, 0);
}

/*
 * -M funcs: the stage functions of a stock kernel, per slot all the names
 * that may serve it (the loader attaches those its BTF and ftrace, or
 * kallsyms, have). kprobes where fentry cannot attach.
 */
SEC("fentry/__get_vm_area_node")
int BPF_PROG(fn_reserve0_fentry)
{
	__u64 caller = 0;

	bpf_get_func_arg(ctx, 8, &caller);
	return fn_begin(FN_RESERVE, CHECK_CALLER, caller);
}
SEC("fexit/__get_vm_area_node")
int BPF_PROG(fn_reserve0_fexit)
{
	__u64 caller = 0, ret = 0;

	bpf_get_func_arg(ctx, 8, &caller);
	bpf_get_func_ret(ctx, &ret);
	return fn_end(FN_RESERVE, CHECK_CALLER, caller, !ret, vm_addr(ret));
}
SEC("fentry/__vmalloc_area_node")
int BPF_PROG(fn_area0_fentry) { return fn_begin(FN_AREA, CHECK_NONE, 0); }
/* Its NULL may be the page array's, the pages' or the map's: no stage told. */
SEC("fexit/__vmalloc_area_node")
int BPF_PROG(fn_area0_fexit) { return fn_end(FN_AREA, CHECK_NONE, 0, false, 0); }
SEC("fentry/vm_area_alloc_pages")
int BPF_PROG(fn_pages0_fentry) { return fn_begin(FN_PAGES, CHECK_NONE, 0); }
SEC("fexit/vm_area_alloc_pages")
int BPF_PROG(fn_pages0_fexit) { return fn_end(FN_PAGES, CHECK_NONE, 0, false, 0); }

/* The map functions: (addr, end, ...), an int return (< 0: failed). */
#define MAP_FENTRY(name, fn)						\
SEC("fentry/" #fn)							\
int BPF_PROG(name##_fentry)						\
{									\
	__u64 addr = 0;							\
									\
	bpf_get_func_arg(ctx, 0, &addr);				\
	return fn_begin(FN_MAP, CHECK_MAP, addr);				\
}									\
SEC("fexit/" #fn)							\
int BPF_PROG(name##_fexit)						\
{									\
	__u64 addr = 0, ret = 0;					\
									\
	bpf_get_func_arg(ctx, 0, &addr);				\
	bpf_get_func_ret(ctx, &ret);					\
	return fn_end(FN_MAP, CHECK_MAP, addr, (int)ret < 0, 0);\
}
MAP_FENTRY(fn_map0, vmap_pages_range)
MAP_FENTRY(fn_map1, vmap_pages_range_noflush)
MAP_FENTRY(fn_map2, __vmap_pages_range_noflush)

/*
 * kprobes: the caller is __get_vm_area_node's ninth argument, on the stack
 * (see core_kprobe). A kretprobe has no arguments: its call's entry decided.
 */
SEC("kprobe/__get_vm_area_node")
int BPF_KPROBE(fn_reserve0_kprobe)
{
	__u64 caller = 0;

	bpf_probe_read_kernel(&caller, sizeof(caller), (void *)(PT_REGS_SP(ctx) + 24));
	return fn_begin(FN_RESERVE, CHECK_CALLER, caller);
}
SEC("kretprobe/__get_vm_area_node")
int BPF_KRETPROBE(fn_reserve0_kretprobe, void *ret)
{
	return fn_end(FN_RESERVE, CHECK_NONE, 0, !ret, vm_addr((__u64)ret));
}
SEC("kprobe/__vmalloc_area_node")
int BPF_KPROBE(fn_area0_kprobe) { return fn_begin(FN_AREA, CHECK_NONE, 0); }
SEC("kretprobe/__vmalloc_area_node")
int BPF_KRETPROBE(fn_area0_kretprobe) { return fn_end(FN_AREA, CHECK_NONE, 0, false, 0); }
SEC("kprobe/vm_area_alloc_pages")
int BPF_KPROBE(fn_pages0_kprobe) { return fn_begin(FN_PAGES, CHECK_NONE, 0); }
SEC("kretprobe/vm_area_alloc_pages")
int BPF_KRETPROBE(fn_pages0_kretprobe) { return fn_end(FN_PAGES, CHECK_NONE, 0, false, 0); }

#define MAP_KPROBE(name, fn)						\
SEC("kprobe/" #fn)							\
int BPF_KPROBE(name##_kprobe, unsigned long addr)			\
{									\
	return fn_begin(FN_MAP, CHECK_MAP, addr);				\
}									\
SEC("kretprobe/" #fn)							\
int BPF_KRETPROBE(name##_kretprobe, long ret)				\
{									\
	return fn_end(FN_MAP, CHECK_NONE, 0, (int)ret < 0, 0);		\
}
MAP_KPROBE(fn_map0, vmap_pages_range)
MAP_KPROBE(fn_map1, vmap_pages_range_noflush)
MAP_KPROBE(fn_map2, __vmap_pages_range_noflush)

char LICENSE[] SEC("license") = "GPL";
