// SPDX-License-Identifier: GPL-2.0
/*
 * vmlat: log2 histograms of vmalloc latency, per stage of the vmscope
 * series' stage model (reserve, page_array, pages, map, publish) and in
 * total. Without the series, the stages the kernel's symbols allow (-M
 * funcs) or the total only (fentry/fexit, else kprobes).
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmlat.h"
#include "tpfield.h"
#include "vmlat.skel.h"
#include "probe.h"
#include "trace_helpers.h"
#include "cli.h"
#include "json.h"
#include "schema.h"
#include "stockfn.h"
#include "tool_prom.h"

/* Stage names and their order are the shared schema's (lib/schema.h). */
#define stage_names vm_stage_names
_Static_assert((int)NR_STAGES == (int)VM_NR_STAGES && (int)STAGE_TOTAL == (int)VM_STAGE_TOTAL, "vmlat stages");
/* A per-CPU map value holds 32 KiB at most. */
_Static_assert(sizeof(struct stage_hists) <= 32768, "stage_hists too large for a per-CPU value");
/*
 * read_cumulative() folds a value as u64 words, its last NR_STAGES the
 * maxima (percpu_fold()), and interval() differences all words before
 * max_ns: max_ns last, nothing after it, nothing but u64s.
 */
_Static_assert(offsetof(struct stage_hists, max_ns) + sizeof(((struct stage_hists *)0)->max_ns) ==
	       sizeof(struct stage_hists), "max_ns is the last field of stage_hists, no padding after it");
_Static_assert(sizeof(((struct stage_hists *)0)->max_ns) == NR_STAGES * sizeof(__u64) &&
	       sizeof(struct stage_hists) % sizeof(__u64) == 0, "stage_hists is u64 words, NR_STAGES maxima last");
/* The BPF side's table keeps a log-linear bucket below 2^16 in a byte. */
_Static_assert(LLH_U16_BUCKETS <= 256, "log-linear buckets below 2^16 in a byte");

/* Histograms a breakdown (-C, -P, -S) can hold: keys x stages. */
#define MAX_KEYS 8192
/*
 * Breakdown histograms that saw nothing for this many intervals are taken
 * out of the map (their counts are kept in the previous snapshot), so that
 * a long run with a changing population does not fill it.
 */
#define PRUNE_IDLE 1
/* --max-threads: at most as many threads as a kernel can have. */
#define MAX_THREADS_LIMIT (4 << 20)

static const char *const mode_names[NR_MODES] = { "stages", "events", "fentry", "kprobe", "funcs" };

/* -M funcs: the stage functions found, and the way in. */
static struct stock_fns stock;

/* The first event each stage mode needs (the others come with it). */
static const char *const mode_event[NR_MODES] = { "vmalloc_alloc_stages", "vmalloc_alloc_enter" };

/*
 * The stages MODE measures, a bit each: all with the series; the total
 * only with fentry and kprobe; -M funcs those of the functions found, the
 * publish slot holding the rest ("other") unless split.
 */
static unsigned int measured_stages(int mode)
{
	unsigned int m = 1u << STAGE_TOTAL;

	if (mode == MODE_FENTRY || mode == MODE_KPROBE)
		return m;
	if (mode != MODE_FUNCS || stock.split)
		return (1u << NR_STAGES) - 1;
	m |= 1u << STAGE_PUBLISH;
	if (stock.name[FN_RESERVE][0])
		m |= 1u << STAGE_RESERVE;
	if (stock.name[FN_PAGES][0])
		m |= 1u << STAGE_PAGES;
	if (stock.name[FN_MAP][0])
		m |= 1u << STAGE_MAP;
	return m;
}

static bool stage_mode(int mode)
{
	return mode == MODE_STAGES || mode == MODE_EVENTS;
}

static struct env {
	unsigned long long min_size, max_size;
	int mode;		/* -1: choose */
	const char *unit;
	unsigned long long unit_div;
	bool by_caller, by_pid, by_size;
	int max_threads;	/* 0: no limit */
	int hist_entries;
} env = {
	.hist_entries = MAX_KEYS,
	.max_size = ULLONG_MAX,
	.mode = -1,
	.unit = "nsecs",
	.unit_div = 1,
};

const char *argp_program_version = "vmlat 0.1";
static const char doc[] =
"Summarize vmalloc latency as histograms: per stage and in total.\n"
"\n"
"USAGE: vmlat [-h] [-p PID] [-c COMM] [-u|-m] [-C] [-P] [-S] [-s MIN] [-z MAX]\n"
"             [-M MODE] [-j] [-o FILE] [-T] [interval] [count]\n"
"\n"
"Stages (needs the vmscope series' vmalloc events): reserve (vmap area),\n"
"page_array (may nest a vmalloc), pages, map, publish. They add up to the\n"
"total. A nested vmalloc is reported apart and its time is part of its\n"
"parent's page_array stage. Without the series: the stages whose functions\n"
"the kernel's build kept as symbols (-M funcs), else the total only.\n"
"\n"
"Modes: stages (vmalloc_alloc_stages: the kernel times the stages, one\n"
"event per allocation; the default), events (the six stage events, paired\n"
"per thread; costs several times as much), funcs (a stock kernel: fentry,\n"
"else kprobes, on __get_vm_area_node for reserve, vm_area_alloc_pages for\n"
"pages, vmap_pages_range(_noflush) for map, __vmalloc_area_node for\n"
"page_array, those that are symbols here; the rest of the total as\n"
"\"other\" unless all are), fentry or kprobe (total only).\n"
"\n"
"Without the series (funcs, fentry, kprobe) every NULL return counts in\n"
"failed; its stage only with -M funcs when __get_vm_area_node returned NULL\n"
"(reserve) or a map function an error (map), else \"unknown stage\" (JSON\n"
"failed_unknown_stage). -M funcs times only the allocation's own calls:\n"
"__get_vm_area_node's with the allocation's caller argument, the map\n"
"functions' inside the area reserve returned; others (vmap, ioremap from\n"
"reclaim) count as stray. Calls whose exit was missed (kretprobes run out:\n"
"the kernel's default maxactive, libbpf sets none) count in fn_unclosed,\n"
"their time left in other; kprobe misses are unknown before Linux 6.7.\n"
"\n"
"Summary: before the histograms, per stage: count, share of the total time,\n"
"average, p50/p90/p99 (nearest rank, from log-linear buckets: within 1/32 =\n"
"3.1% of the exact value, exact below 32 ns; from 33.3 s, the open top\n"
"bucket, the max is reported) and the exact maximum; in ns whatever -u/-m\n"
"say, and with or without a breakdown (its histograms may lose updates when\n"
"their map is full, the summary never: lost_hist says how many). With an\n"
"interval, the rest is the interval's but the maximum is since the start:\n"
"max(all) in the text, max_ns in JSON.\n"
"\n"
"Memory: 51 KiB per possible CPU (the summary's buckets); with -C/-P/-S also a\n"
"hash of up to 8192 histograms shared by all CPUs, allocated as used: about\n"
"330 B each, 2.7 MiB at most (histograms idle for an interval are removed).\n"
"The paired modes keep a frame stack (about 0.5 KiB) in task storage for each\n"
"thread that vmallocs while traced, freed when the thread exits.\n"
"\n"
"EXAMPLES:\n"
"    vmlat                 # histograms until Ctrl-C\n"
"    vmlat -u 1 10         # in microseconds, every second, 10 times\n"
"    vmlat -C              # one set of histograms per caller\n"
"    vmlat -S -s 1M        # per size class, allocations of 1 MiB or more\n"
"    vmlat -c vmalloc_test/0 -j   # one thread by name, JSON\n"
"    vmlat -M events       # stages from the six stage events\n"
"    vmlat -M funcs        # a stock kernel's stages, as far as its symbols allow\n"
"    vmlat -M fentry       # total only, fentry/fexit (what needs no series)\n";

enum { OPT_MIN = 's', OPT_MAX = 'z', OPT_THREADS = 1000, OPT_HIST_ENTRIES };

static const struct argp_option opts[] = {
	{ "microseconds", 'u', NULL, 0, "Histograms in microseconds (default nanoseconds)", 0 },
	{ "milliseconds", 'm', NULL, 0, "Histograms in milliseconds", 0 },
	{ "caller", 'C', NULL, 0, "Histograms per caller (kernel symbol)", 0 },
	{ "process", 'P', NULL, 0, "Histograms per process (PID and comm)", 0 },
	{ "size", 'S', NULL, 0, "Histograms per size class (power of 2)", 0 },
	{ "min-size", OPT_MIN, "SIZE", 0, "Only allocations of at least SIZE bytes (K, M, G suffixes)", 0 },
	{ "max-size", OPT_MAX, "SIZE", 0, "Only allocations of at most SIZE bytes", 0 },
	{ "mode", 'M', "MODE", 0, "stages, events, funcs, fentry or kprobe (default: the best this kernel has)", 0 },
	{ "max-threads", OPT_THREADS, "N", 0, "Paired modes: measure at most N threads in vmalloc at once (default: all; beyond: counted as lost)", 0 },
	/* For tests: a small breakdown hash, to see it fill and be pruned. */
	{ "hist-entries", OPT_HIST_ENTRIES, "N", OPTION_HIDDEN, "Breakdown histograms the map holds (default 8192)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	int i;

	switch (key) {
	case 'u':
	case 'm':
		parse_unit(key, &env.unit, &env.unit_div, state);
		break;
	case 'C':
		env.by_caller = true;
		break;
	case 'P':
		env.by_pid = true;
		break;
	case 'S':
		env.by_size = true;
		break;
	case OPT_MIN:
		env.min_size = parse_size(arg, state);
		break;
	case OPT_MAX:
		env.max_size = parse_size(arg, state);
		break;
	case 'M':
		for (i = 0; i < NR_MODES && strcmp(arg, mode_names[i]); i++)
			;
		if (i == NR_MODES)
			argp_error(state, "unknown mode '%s' (want stages, events, funcs, fentry or kprobe)", arg);
		if (env.mode >= 0 && env.mode != i)
			argp_error(state, "-M %s and -M %s: one mode", mode_names[env.mode], arg);
		env.mode = i;
		break;
	case OPT_THREADS:
		env.max_threads = parse_positive(arg, "thread count", state);
		if (env.max_threads > MAX_THREADS_LIMIT)
			argp_error(state, "--max-threads %d: at most %d", env.max_threads, MAX_THREADS_LIMIT);
		break;
	case OPT_HIST_ENTRIES:
		env.hist_entries = parse_positive(arg, "histogram count", state);
		if (env.hist_entries > MAX_KEYS * 16)
			argp_error(state, "--hist-entries %d: at most %d", env.hist_entries, MAX_KEYS * 16);
		break;
	case ARGP_KEY_END:
		if (env.min_size > env.max_size)
			argp_error(state, "--min-size %llu is above --max-size %llu", env.min_size, env.max_size);
		if (env.max_threads && env.mode == MODE_STAGES)
			argp_error(state, "--max-threads: -M stages keeps no per-thread state; it applies to -M events, funcs, fentry and kprobe");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* One histogram, summed over CPUs. */
struct entry {
	struct hist_key key;
	struct hist h;
	__u64 count;
	int idle;		/* intervals it saw nothing (breakdown hash only) */
	bool in_hash;		/* from the breakdown hash */
	bool pruned;		/* taken out of it at this reading */
};

/* Everything the BPF side counted, cumulative, or an interval's difference. */
struct snapshot {
	struct vmlat_stats stats;
	struct prog_misses misses;
	__u64 allocs, nested;	/* the total histograms' counts */
	__u64 module_texts_lost;	/* cumulative: modules whose text was not recorded */
	/* Top-level and nested, for the summary: the maxima stay cumulative (since the start). */
	struct stage_hists flat[2];
	struct entry *e;
	size_t n;
};

static int key_cmp(const struct hist_key *x, const struct hist_key *y)
{
	if (x->caller != y->caller)
		return x->caller < y->caller ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (memcmp(x->comm, y->comm, sizeof(x->comm)))
		return memcmp(x->comm, y->comm, sizeof(x->comm));
	if (x->size_log2 != y->size_log2)
		return x->size_log2 < y->size_log2 ? -1 : 1;
	if (x->nested != y->nested)
		return x->nested < y->nested ? -1 : 1;
	return (int)x->stage - (int)y->stage;
}

static int entry_cmp(const void *a, const void *b)
{
	return key_cmp(&((const struct entry *)a)->key, &((const struct entry *)b)->key);
}

static int add_entry(struct snapshot *snap, const struct hist_key *key, const struct hist *h)
{
	struct entry *p = realloc(snap->e, (snap->n + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	snap->e = p;
	p = &snap->e[snap->n++];
	memset(p, 0, sizeof(*p));
	p->key = *key;
	p->h = *h;
	return 0;
}

static bool breakdown(void)
{
	return env.by_caller || env.by_pid || env.by_size;
}

int vmlat_read_flat(int fd, __u32 idx, unsigned long long unit_div, struct stage_hists *sh)
{
	int err, i;

	err = percpu_fold(fd, &idx, (__u64 *)sh, sizeof(*sh) / sizeof(__u64), NR_STAGES);
	if (err)
		return err;
	/* In ns the BPF side keeps the log-linear buckets only: the slots are their sums. */
	for (i = 0; i < NR_STAGES && unit_div == 1; i++)
		llh_log2_slots(sh->ll[i], (unsigned long long *)sh->h[i].slots, MAX_SLOTS);
	return 0;
}

/*
 * Reads every counter and histogram as they are: cumulative since the
 * start. The counters last: whatever a histogram holds, its losses and
 * failures are in them.
 */
static int read_cumulative(struct vmlat_bpf *obj, const struct prog_links *links, struct snapshot *snap)
{
	struct hist_key key, next, *prev = NULL;
	struct hist h;
	int fd, err, i;
	__u32 idx = 0;

	memset(snap, 0, sizeof(*snap));
	fd = bpf_map__fd(obj->maps.hists_flat);
	for (idx = 0; idx < 2; idx++) {	/* top level, nested */
		struct stage_hists *sh = &snap->flat[idx];

		err = vmlat_read_flat(fd, idx, env.unit_div, sh);
		if (err)
			return err;
		/* With a breakdown, the hash's histograms are shown: these would repeat their sum. */
		for (i = 0; i < NR_STAGES && !breakdown(); i++) {
			memset(&key, 0, sizeof(key));
			key.stage = i;
			key.nested = idx;
			err = add_entry(snap, &key, &sh->h[i]);
			if (err)
				return err;
		}
	}
	fd = bpf_map__fd(obj->maps.hists);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &h)) {
			err = add_entry(snap, &next, &h);
			if (err)
				return err;
			snap->e[snap->n - 1].in_hash = true;
		}
		key = next;
		prev = &key;
	}
	qsort(snap->e, snap->n, sizeof(*snap->e), entry_cmp);
	idx = 0;
	err = percpu_sum(bpf_map__fd(obj->maps.stats), &idx, (__u64 *)&snap->stats,
			 sizeof(snap->stats) / sizeof(__u64));
	if (err)
		return err;
	read_misses(obj->obj, links, &snap->misses);
	snap->module_texts_lost = obj->bss->module_texts_lost;
	return 0;
}

/*
 * Breakdown histograms unchanged since PREV for PRUNE_IDLE intervals are
 * taken out of the map (lookup-and-delete: what came in meanwhile is in the
 * value read). They stay in CUR with that value, so this interval is
 * right; the caller leaves them out of the next PREV, so that a key that
 * comes back starts from zero. Returns how many were pruned.
 */
static size_t prune_idle(struct vmlat_bpf *obj, struct snapshot *cur, const struct snapshot *prev)
{
	int fd = bpf_map__fd(obj->maps.hists);
	size_t i, n = 0;
	struct hist h;

	for (i = 0; i < cur->n; i++) {
		struct entry *e = &cur->e[i];
		const struct entry *p;

		if (!e->in_hash)
			continue;
		p = bsearch(e, prev->e, prev->n, sizeof(*e), entry_cmp);
		e->idle = p && !memcmp(&p->h, &e->h, sizeof(e->h)) ? p->idle + 1 : 0;
		if (e->idle < PRUNE_IDLE || bpf_map_lookup_and_delete_elem(fd, &e->key, &h))
			continue;
		e->h = h;
		e->pruned = true;
		vmlat_prom_retire(&e->key, &h);
		n++;
	}
	return n;
}

/* CUR without the histograms prune_idle() took out of the map: the next PREV. */
static void drop_pruned(struct snapshot *cur)
{
	size_t i, n = 0;

	for (i = 0; i < cur->n; i++)
		if (!cur->e[i].pruned)
			cur->e[n++] = cur->e[i];
	cur->n = n;
}

/*
 * CUR becomes the interval since PREV: counters and histograms subtracted
 * (the BPF side never resets, so nothing falls between two readings), and
 * histograms with nothing new left out.
 */
static void interval(struct snapshot *cur, const struct snapshot *prev)
{
	size_t i, j, n = 0;

	u64s_sub((__u64 *)&cur->stats, (const __u64 *)&prev->stats, sizeof(cur->stats) / sizeof(__u64));
	u64s_sub((__u64 *)&cur->misses, (const __u64 *)&prev->misses,
		 offsetof(struct prog_misses, kprobe_unknown) / sizeof(__u64));
	/* A maximum cannot be differenced: it stays the one since the start. */
	for (i = 0; i < 2; i++)
		u64s_sub((__u64 *)&cur->flat[i], (const __u64 *)&prev->flat[i],
			 offsetof(struct stage_hists, max_ns) / sizeof(__u64));
	cur->allocs = cur->nested = 0;
	for (i = 0; i < cur->n; i++) {
		struct entry *e = &cur->e[i];
		const struct entry *p = bsearch(e, prev->e, prev->n, sizeof(*e), entry_cmp);

		if (p)
			u64s_sub((__u64 *)&e->h, (const __u64 *)&p->h, sizeof(e->h) / sizeof(__u64));
		for (e->count = 0, j = 0; j < MAX_SLOTS; j++)
			e->count += e->h.slots[j];
		if (!e->count)
			continue;
		if (e->key.stage == STAGE_TOTAL) {
			cur->allocs += e->count;
			if (e->key.nested)
				cur->nested += e->count;
		}
		cur->e[n++] = *e;
	}
	cur->n = n;
}

/* The size class of log2 L, [low, high): high is 2^64 for L = 63. */
static unsigned long long size_low(__u32 l)
{
	return l < 64 ? 1ULL << l : 0;
}

static unsigned long long size_max(__u32 l)
{
	return l < 63 ? (1ULL << (l + 1)) - 1 : ULLONG_MAX;
}

static const char *size_class(__u32 log2, char *buf, size_t len)
{
	char lo[16], hi[16];

	if (log2 >= 63)
		snprintf(buf, len, "%s-16E", human_size(size_low(log2), lo, sizeof(lo)));
	else
		snprintf(buf, len, "%s-%s", human_size(size_low(log2), lo, sizeof(lo)),
			 human_size(1ULL << (log2 + 1), hi, sizeof(hi)));
	return buf;
}

static bool same_group(const struct hist_key *a, const struct hist_key *b)
{
	return a->caller == b->caller && a->pid == b->pid && a->size_log2 == b->size_log2 &&
	       a->nested == b->nested && !memcmp(a->comm, b->comm, sizeof(a->comm));
}

/* A comm for the screen: what is not printable as '?'. */
static const char *printable_comm(const char *comm, char *buf)
{
	int i;

	for (i = 0; i < TASK_COMM_LEN - 1 && comm[i]; i++)
		buf[i] = comm[i] >= 0x20 && comm[i] < 0x7f ? comm[i] : '?';
	buf[i] = 0;
	return buf;
}

/* The summary's figures: the log-linear buckets, the exact sums and maxima. */
static struct vm_summary_in (*summary_in(const struct snapshot *snap))[VM_NR_STAGES]
{
	struct vm_summary_in (*in)[VM_NR_STAGES] = calloc(2, sizeof(*in));
	int n, st, i;

	if (!in)
		return NULL;
	for (n = 0; n < 2; n++) {
		for (st = 0; st < NR_STAGES; st++) {
			struct vm_summary_in *p = &in[n][st];

			memcpy(p->b, snap->flat[n].ll[st], sizeof(p->b));
			for (i = 0; i < LLH_BUCKETS; i++)
				p->count += p->b[i];
			p->sum_ns = snap->flat[n].h[st].sum_ns;
			p->max_ns = snap->flat[n].max_ns[st];
		}
	}
	return in;
}

static int print_text(const struct snapshot *snap, const struct ksyms *ks, int mode)
{
	const struct vmlat_stats *s = &snap->stats;
	char buf[256], ts[16], comm[TASK_COMM_LEN];
	struct vm_summary_in (*in)[VM_NR_STAGES];
	size_t i;

	in = summary_in(snap);
	if (!in)
		return -ENOMEM;
	if (cli.timestamp)
		printf("%s\n", timestamp(ts, sizeof(ts)));
	print_summary(in, true, cli.has_interval);
	free(in);
	/* The summary is per CPU and loses nothing; the breakdown's hash can. */
	if (s->lost_hist)
		printf("histogram updates lost (map full): %llu: the histograms below miss them, the summary does not\n",
		       (unsigned long long)s->lost_hist);
	for (i = 0; i < snap->n; i++) {
		const struct entry *e = &snap->e[i];

		if (!i || !same_group(&e->key, &snap->e[i - 1].key)) {
			printf("\n%s", e->key.nested ? "== nested vmallocs (inside another's page_array)" : "== vmallocs");
			if (env.by_caller)
				printf(", caller %s", ksyms__describe(ks, e->key.caller, buf, sizeof(buf)));
			if (env.by_pid)
				printf(", pid %u (%s)", e->key.pid, printable_comm(e->key.comm, comm));
			if (env.by_size)
				printf(", size %s", size_class(e->key.size_log2, buf, sizeof(buf)));
			printf("\n");
		}
		printf("\nstage %s: %llu allocations, average %llu ns\n", vm_stage_name(e->key.stage),
		       (unsigned long long)e->count, (unsigned long long)(e->h.sum_ns / e->count));
		print_log2_hist(e->h.slots, MAX_SLOTS, env.unit);
	}
	printf("\nallocations %llu (nested %llu), failed %llu", (unsigned long long)snap->allocs,
	       (unsigned long long)snap->nested, (unsigned long long)s->failed);
	if (s->failed) {
		__u64 known = 0;
		int st;

		printf(" [");
		for (st = 0; st < STAGE_TOTAL; st++)
			if (s->failed_stage[st]) {
				printf(" %s:%llu", stage_names[st], (unsigned long long)s->failed_stage[st]);
				known += s->failed_stage[st];
			}
		/* -M fentry, kprobe; -M funcs where no stage function returned the failure */
		if (s->failed > known)
			printf(" unknown stage:%llu", (unsigned long long)(s->failed - known));
		printf(" ]");
	}
	if (mode == MODE_STAGES)
		/* No per-thread state: nothing to lose but histogram slots. */
		printf("\nnot measured: lost %llu (histogram map full); allocations that began before the tracer "
		       "are not reported by the kernel\n", (unsigned long long)s->lost_hist);
	else
		printf("\nnot measured: lost %llu (over --max-threads, nesting too deep or no task storage %llu, exit missed %llu, "
		       "histogram map full %llu), started before the tracer %llu, stray stage %s %llu\n",
		       (unsigned long long)(s->lost_frames + s->stale + s->lost_hist),
		       (unsigned long long)s->lost_frames, (unsigned long long)s->stale,
		       (unsigned long long)s->lost_hist, (unsigned long long)s->unmatched,
		       mode == MODE_FUNCS ? "function calls" : "events", (unsigned long long)s->stray);
	if (mode == MODE_FUNCS)
		printf("stage-function exits lost (still open at the allocation's end; their time in other): %llu\n",
		       (unsigned long long)s->fn_unclosed);
	printf("program runs missed by the kernel: %llu (BPF recursion), ", (unsigned long long)snap->misses.recursion);
	if (snap->misses.kprobe_unknown)
		printf("unknown (kprobe/kretprobe: this kernel does not say, %llu seen)\n",
		       (unsigned long long)snap->misses.kprobe);
	else
		printf("%llu (kprobe/kretprobe)\n", (unsigned long long)snap->misses.kprobe);
	if (snap->module_texts_lost)
		printf("modules not recorded (map full; their callers show as addresses): %llu\n",
		       (unsigned long long)snap->module_texts_lost);
	if (mode == MODE_FUNCS)
		stock_fns_print(stdout, &stock);
	else if (!stage_mode(mode))
		printf("total only (%s): stage latencies need the vmscope series' vmalloc events\n",
		       mode_names[mode]);
	fflush(stdout);
	return 0;
}

static int print_json(FILE *f, const struct snapshot *snap, const struct ksyms *ks, int mode)
{
	struct vm_summary_in (*in)[VM_NR_STAGES] = summary_in(snap);
	const struct vmlat_stats *s = &snap->stats;
	char buf[256], ts[16];
	size_t i;
	int st;

	if (!in)
		return -ENOMEM;

	fprintf(f, "{");
	if (cli.timestamp) {
		json_kv_str(f, "time", timestamp(ts, sizeof(ts)), 1);
		fprintf(f, ",");
	}
	json_kv_str(f, "mode", mode_names[mode], 1);
	json_kv_str(f, "unit", env.unit, 0);
	fprintf(f, ",\"stages\":%s,", stage_mode(mode) || mode == MODE_FUNCS ? "true" : "false");
	if (mode == MODE_FUNCS) {
		stock_fns_json(f, &stock);
		fprintf(f, ",");
	}
	fprintf(f, "\"allocs\":%llu,\"nested\":%llu,\"failed\":%llu,\"failed_stage\":{",
		(unsigned long long)snap->allocs, (unsigned long long)snap->nested, (unsigned long long)s->failed);
	for (st = 0; st < STAGE_TOTAL; st++)
		fprintf(f, "%s\"%s\":%llu", st ? "," : "", stage_names[st], (unsigned long long)s->failed_stage[st]);
	{
		__u64 known = 0;
		int st;

		for (st = 0; st < STAGE_TOTAL; st++)
			known += s->failed_stage[st];
		/* failed - sum(failed_stage): the failures whose stage is unknown */
		fprintf(f, "},\"failed_unknown_stage\":%llu", (unsigned long long)(s->failed - known));
	}
	fprintf(f, ",\"lost\":%llu,\"lost_frames\":%llu,\"stale\":%llu,\"lost_hist\":%llu,\"unmatched\":%llu,"
		"\"stray\":%llu,\"fn_unclosed\":%llu,\"missed_runs\":%llu,\"kprobe_missed\":",
		(unsigned long long)(s->lost_frames + s->stale + s->lost_hist), (unsigned long long)s->lost_frames,
		(unsigned long long)s->stale, (unsigned long long)s->lost_hist, (unsigned long long)s->unmatched,
		(unsigned long long)s->stray, (unsigned long long)s->fn_unclosed,
		(unsigned long long)snap->misses.recursion);
	/* null: the kernel does not say (before 6.7, the kprobe PMU's probes) */
	if (snap->misses.kprobe_unknown)
		fprintf(f, "null");
	else
		fprintf(f, "%llu", (unsigned long long)snap->misses.kprobe);
	fprintf(f, ",\"module_texts_lost\":%llu,", (unsigned long long)snap->module_texts_lost);
	schema_summary(f, in, true);
	free(in);
	fprintf(f, ",\"hists\":[");
	for (i = 0; i < snap->n; i++) {
		const struct entry *e = &snap->e[i];

		schema_hist_open(f, !i, e->key.stage, e->key.nested);
		if (env.by_caller)
			json_kv_str(f, "caller", ksyms__describe(ks, e->key.caller, buf, sizeof(buf)), 0);
		if (env.by_pid) {
			fprintf(f, ",\"pid\":%u,\"comm\":", e->key.pid);
			json_strn(f, e->key.comm, sizeof(e->key.comm));
		}
		if (env.by_size)
			fprintf(f, ",\"size_min\":%llu,\"size_max\":%llu", size_low(e->key.size_log2),
				size_max(e->key.size_log2));
		schema_hist_close(f, e->count, e->h.sum_ns, e->h.slots, MAX_SLOTS);
	}
	fprintf(f, "]}\n");
	fflush(f);
	return 0;
}

/* The vmalloc core's name on this kernel (renamed with memory profiling, 6.10). */
static const char *core_function(int mode)
{
	static const char *const names[] = { "__vmalloc_node_range_noprof", "__vmalloc_node_range" };
	int i;

	for (i = 0; i < 2; i++)
		if (mode == MODE_FENTRY || (mode == MODE_FUNCS && !stock.kprobe) ?
		    probe_btf_func(names[i]) : probe_ksym(names[i]))
			return names[i];
	return NULL;
}

/* The classic tracepoints' fields the BPF side reads (enum vmlat_tp_field). */
static const struct tp_field_name tp_fields[NR_TPF] = {
	[TPF_ST_SIZE] = { "vmalloc_alloc_stages", "size" },
	[TPF_ST_CALLER] = { "vmalloc_alloc_stages", "caller" },
	[TPF_ST_NESTED] = { "vmalloc_alloc_stages", "nested" },
	[TPF_ST_STAGE] = { "vmalloc_alloc_stages", "stage" },
	[TPF_ST_TOTAL] = { "vmalloc_alloc_stages", "total_ns" },
	[TPF_ST_RESERVE] = { "vmalloc_alloc_stages", "reserve_ns" },
	[TPF_ST_PAGE_ARRAY] = { "vmalloc_alloc_stages", "page_array_ns" },
	[TPF_ST_PAGES] = { "vmalloc_alloc_stages", "pages_ns" },
	[TPF_ST_MAP] = { "vmalloc_alloc_stages", "map_ns" },
	[TPF_ST_PUBLISH] = { "vmalloc_alloc_stages", "publish_ns" },
	[TPF_EN_SIZE] = { "vmalloc_alloc_enter", "size" },
	[TPF_EN_CALLER] = { "vmalloc_alloc_enter", "caller" },
	[TPF_EN_VM_FLAGS] = { "vmalloc_alloc_enter", "vm_flags" },
	[TPF_RES_ADDR] = { "vmalloc_va_reserved", "addr" },
	[TPF_PA_ADDR] = { "vmalloc_page_array", "addr" },
	[TPF_PG_ADDR] = { "vmalloc_pages_alloc", "addr" },
	[TPF_MAP_ADDR] = { "vmalloc_pages_map", "addr" },
	[TPF_EX_ADDR] = { "vmalloc_alloc_exit", "addr" },
	[TPF_EX_SIZE] = { "vmalloc_alloc_exit", "size" },
	[TPF_EX_STAGE] = { "vmalloc_alloc_exit", "stage" },
};

/* Open and load the programs of MODE; NULL (and a message) if that fails. */
static struct vmlat_bpf *load(int mode, const char *core, bool btf, bool quiet)
{
	struct vmlat_bpf *obj;
	struct bpf_program *p;
	int err, i;

	obj = vmlat_bpf__open();
	if (!obj) {
		fprintf(stderr, "vmlat: failed to open BPF object: %s\n", strerror(errno));
		return NULL;
	}
	obj->rodata->targ_tgid = cli.pid;
	if (cli.comm) {
		obj->rodata->filter_comm = true;
		strncpy((char *)obj->rodata->targ_comm, cli.comm, TASK_COMM_LEN - 1);
	}
	obj->rodata->min_size = env.min_size;
	obj->rodata->max_size = env.max_size;
	obj->rodata->unit_div = env.unit_div;
	for (i = 0; i < 1 << 16; i++) {
		obj->rodata->log2_u16[i] = log2_slot(i);
		obj->rodata->ll_u16[i] = llh_bucket(i);
	}
	obj->rodata->by_caller = env.by_caller;
	obj->rodata->by_pid = env.by_pid;
	obj->rodata->by_size = env.by_size;
	/* fentry/fexit can be preempted: atomic per-CPU updates (vmlat.bpf.c). */
	obj->rodata->preemptible = mode == MODE_FENTRY || (mode == MODE_FUNCS && !stock.kprobe);
	obj->rodata->max_threads = env.max_threads;
	obj->rodata->funcs = mode == MODE_FUNCS;
	obj->rodata->funcs_split = mode == MODE_FUNCS && stock.split;

	/* Maps as large as the options need, and no larger (see --help). */
	err = bpf_map__set_autocreate(obj->maps.frames, mode != MODE_STAGES);
	err = err ?: bpf_map__set_max_entries(obj->maps.hists, breakdown() ? env.hist_entries : 1);
	err = err ?: bpf_map__set_max_entries(obj->maps.module_texts, env.by_caller ? 256 : 1);
	if (err) {
		fprintf(stderr, "vmlat: failed to size maps: %s\n", strerror(-err));
		vmlat_bpf__destroy(obj);
		return NULL;
	}

	bpf_object__for_each_program(p, obj->obj) {
		const char *sec = bpf_program__section_name(p);
		bool on;

		if (!strncmp(sec, "tp_btf/", 7) || !strncmp(sec, "tracepoint/", 11))
			on = strstr(sec, "vmalloc_alloc_stages") ? mode == MODE_STAGES : mode == MODE_EVENTS;
		else if (!strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6))
			on = mode == MODE_FENTRY || (mode == MODE_FUNCS && !stock.kprobe);
		else
			on = mode == MODE_KPROBE || (mode == MODE_FUNCS && stock.kprobe);
		bpf_program__set_autoload(p, on);
	}
	/* The stage functions: those found, in -M funcs only. */
	err = stock_fns_select(obj->obj, &stock, mode == MODE_FUNCS);
	if (err) {
		fprintf(stderr, "vmlat: cannot target the stage functions: %s\n", strerror(-err));
		vmlat_bpf__destroy(obj);
		return NULL;
	}
	if (stage_mode(mode)) {
		select_tp_programs(obj->obj, btf);
		if (!btf && tracefs_fields("vmlat", "vmalloc", tp_fields, NR_TPF,
					   (struct tp_field *)obj->rodata->tpf)) {
			vmlat_bpf__destroy(obj);
			return NULL;
		}
	}
	/* vmalloc_alloc_stages: a short program for the default, one for any option. */
	if (bpf_program__autoload(obj->progs.stages_btf)) {
		bool plain = !breakdown() && !cli.pid && !cli.comm && !env.min_size &&
			     env.max_size == ULLONG_MAX && env.unit_div == 1;

		bpf_program__set_autoload(plain ? obj->progs.stages_any_btf : obj->progs.stages_btf, false);
	}
	/* Names for callers in modules that unload before we print. */
	bpf_program__set_autoload(obj->progs.module_load_btf, env.by_caller && probe_tp_btf("module_load"));
	if (mode == MODE_FENTRY || (mode == MODE_FUNCS && !stock.kprobe)) {
		err = bpf_program__set_attach_target(obj->progs.core_fentry, 0, core);
		err = err ?: bpf_program__set_attach_target(obj->progs.core_fexit, 0, core);
		if (err) {
			fprintf(stderr, "vmlat: cannot target %s: %s\n", core, strerror(-err));
			vmlat_bpf__destroy(obj);
			return NULL;
		}
	}
	if (!quiet || cli.verbose)
		libbpf_set_print(cli_libbpf_print);
	else
		libbpf_set_print(NULL);
	err = vmlat_bpf__load(obj);
	libbpf_set_print(cli_libbpf_print);
	if (err) {
		if (!quiet)
			fprintf(stderr, "vmlat: failed to load BPF programs (%s mode): %s\n",
				mode_names[mode], strerror(-err));
		vmlat_bpf__destroy(obj);
		return NULL;
	}
	return obj;
}

/* What the report needs between intervals. */
struct run {
	struct vmlat_bpf *obj;
	struct prog_links links;
	struct ksyms *ks;
	struct snapshot prev;	/* cumulative, at the last report */
	FILE *jf;
	int mode;
};

static int report(void *ctx)
{
	struct run *r = ctx;
	struct snapshot cum, show;
	struct prog_misses last;
	bool final = cli_last_report();
	int err;

	/*
	 * The last report: detached first, so that its figures describe one
	 * moment (top-level and nested, histograms and counters agree). The
	 * kprobe misses are in the links: read them before.
	 */
	if (final) {
		read_misses(r->obj->obj, &r->links, &last);
		destroy_links(&r->links);
	}
	err = read_cumulative(r->obj, &r->links, &cum);
	if (final) {
		cum.misses.kprobe = last.kprobe;
		cum.misses.kprobe_unknown = last.kprobe_unknown;
	}
	ksyms__add_module_texts(r->ks, bpf_map__fd(r->obj->maps.module_texts));
	if (err) {
		fprintf(stderr, "vmlat: failed to read maps: %s\n", strerror(-err));
		free(cum.e);
		return err;
	}
	if (breakdown())
		prune_idle(r->obj, &cum, &r->prev);
	show = cum;
	show.e = malloc((cum.n ? cum.n : 1) * sizeof(*cum.e));
	if (!show.e) {
		free(cum.e);
		return -ENOMEM;
	}
	memcpy(show.e, cum.e, cum.n * sizeof(*cum.e));
	interval(&show, &r->prev);
	err = cli.json ? print_json(stdout, &show, r->ks, r->mode) : print_text(&show, r->ks, r->mode);
	if (!err && r->jf)
		err = print_json(r->jf, &show, r->ks, r->mode);
	if (err)
		fprintf(stderr, "vmlat: out of memory\n");
	free(show.e);
	free(r->prev.e);
	drop_pruned(&cum);
	r->prev = cum;
	return err;
}

/*
 * -M funcs: the stage functions fentry can attach to, else those kprobes
 * can; false if there are none.
 */
static bool choose_funcs(void)
{
	if (stock_fns_probe(&stock, false))
		return true;
	return stock_fns_probe(&stock, true) > 0;
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_argp, 0, NULL, 0 },
		{ &prom_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = doc,
		.children = children,
	};
	struct run r = { .mode = -1 };
	const char *core = NULL;
	bool has_summary, has_events, fentry, fallback, btf = false;
	int mode, err = 0;

	if (cli_init(&argp, argc, argv, &r.jf))
		return 1;
	if (vmlat_prom_open()) {
		err = 1;
		goto cleanup;
	}

	has_summary = probe_tracepoint("vmalloc", mode_event[MODE_STAGES]);
	has_events = probe_tracepoint("vmalloc", mode_event[MODE_EVENTS]);
	mode = env.mode;
	if ((mode == MODE_STAGES && !has_summary) || (mode == MODE_EVENTS && !has_events)) {
		fprintf(stderr, "vmlat: this kernel has no vmalloc:%s event (it comes with the vmscope series); %s\n",
			mode_event[mode], has_events ? "-M events measures the stages from the per-stage events" :
			"-M funcs measures the stages this kernel's symbols allow, -M fentry or -M kprobe the total");
		err = 1;
		goto cleanup;
	}
	if (mode < 0)
		mode = has_summary ? MODE_STAGES : has_events ? MODE_EVENTS : MODE_FUNCS;
	if (mode == MODE_STAGES && env.max_threads) {
		fprintf(stderr, "vmlat: --max-threads does nothing in the stages mode (this kernel's default: "
			"no per-thread state); use it with -M events, funcs, fentry or kprobe\n");
		err = 1;
		goto cleanup;
	}
	if (!stage_mode(mode)) {
		if (mode == MODE_FUNCS && !choose_funcs()) {
			if (env.mode == MODE_FUNCS) {
				fprintf(stderr, "vmlat: none of the stage functions (__get_vm_area_node, "
					"vm_area_alloc_pages, vmap_pages_range(_noflush), __vmalloc_area_node) "
					"is a symbol fentry or kprobes can attach to here; -M fentry measures the total\n");
				err = 1;
				goto cleanup;
			}
			mode = MODE_FENTRY;
		}
		core = core_function(mode);
		if (!core && mode == MODE_FENTRY && env.mode < 0) {
			mode = MODE_KPROBE;
			core = core_function(mode);
		}
		if (!core) {
			fprintf(stderr, "vmlat: no __vmalloc_node_range(_noprof) in this kernel's %s\n",
				mode == MODE_FENTRY || (mode == MODE_FUNCS && !stock.kprobe) ? "BTF" : "kallsyms");
			err = 1;
			goto cleanup;
		}
	} else {
		btf = cli_tp_btf(mode_event[mode]);
	}

	/*
	 * fentry needs a trampoline-capable JIT, and before Linux 6.6 a
	 * function of at most 6 arguments (__vmalloc_node_range has 9):
	 * try it, else kprobes.
	 */
	fentry = mode == MODE_FENTRY || (mode == MODE_FUNCS && !stock.kprobe);
	fallback = fentry && (env.mode < 0 || mode == MODE_FUNCS);
	r.obj = load(mode, core, btf, fallback);
	if (r.obj && fallback) {
		r.mode = mode;
		err = attach_programs("vmlat", r.obj->obj, core, true, &r.links);
		if (err) {
			destroy_links(&r.links);
			vmlat_bpf__destroy(r.obj);
			r.obj = NULL;
		}
	}
	if (!r.obj && fallback) {
		fprintf(stderr, "vmlat: fentry/fexit unavailable here; using kprobes\n");
		if (mode == MODE_FUNCS && stock_fns_probe(&stock, true) == 0)
			mode = MODE_KPROBE;
		else if (mode == MODE_FENTRY)
			mode = MODE_KPROBE;
		core = core_function(mode);
		if (core)
			r.obj = load(mode, core, false, false);
	}
	if (!r.obj) {
		err = 1;
		goto cleanup;
	}
	if (mode == MODE_FUNCS && stock_fns_other(&stock))
		vm_stage_label(STAGE_PUBLISH, "other");
	r.ks = ksyms__load_for("vmlat", env.by_caller);
	if (!r.links.n) {
		r.mode = mode;
		err = attach_programs("vmlat", r.obj->obj, core, true, &r.links);
		if (err)
			goto cleanup;
	}
	err = vmlat_prom_start(&(struct vmlat_prom_src){
		.obj = r.obj->obj, .links = &r.links, .flat_fd = bpf_map__fd(r.obj->maps.hists_flat),
		.hash_fd = bpf_map__fd(r.obj->maps.hists), .stats_fd = bpf_map__fd(r.obj->maps.stats),
		.breakdown = breakdown(), .by_caller = env.by_caller, .mode = mode_names[r.mode],
		.stages = measured_stages(r.mode),
		.via = stage_mode(r.mode) ? (btf ? "tp_btf" : "tracepoint") :
		       r.mode == MODE_FUNCS ? (stock.kprobe ? "kprobe" : "fentry") : mode_names[r.mode],
		.module_texts_fd = bpf_map__fd(r.obj->maps.module_texts),
		.unit_div = env.unit_div, .ks = r.ks });
	if (err)
		goto cleanup;
	if (stage_mode(mode)) {
		fprintf(stderr, "Tracing vmalloc stages (%s %s%s)... Hit Ctrl-C to end.\n",
			btf ? "tp_btf" : "tracepoint", mode_event[mode],
			mode == MODE_EVENTS ? " and the other stage events" : "");
	} else if (mode == MODE_FUNCS) {
		fprintf(stderr, "vmlat: no vmscope series here; ");
		stock_fns_print(stderr, &stock);
		fprintf(stderr, "Tracing vmalloc stages (funcs: %s on %s and the stage functions)... Hit Ctrl-C to end.\n",
			stock.kprobe ? "kprobe/kretprobe" : "fentry/fexit", core);
	} else {
		fprintf(stderr, "Tracing vmalloc total latency (%s on %s; stage latencies need the vmscope series)... Hit Ctrl-C to end.\n",
			mode == MODE_FENTRY ? "fentry/fexit" : "kprobe/kretprobe", core);
	}
	err = cli_loop(report, &r, r.ks);

cleanup:
	/* Its last textfile reads the maps. */
	if (vmlat_prom_close())
		err = 1;
	destroy_links(&r.links);
	vmlat_bpf__destroy(r.obj);
	ksyms__free(r.ks);
	free(r.prev.e);
	if (cli_close_json_file("vmlat", r.jf))
		err = 1;
	return err != 0;
}
