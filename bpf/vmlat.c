// SPDX-License-Identifier: GPL-2.0
/*
 * vmlat: log2 histograms of vmalloc latency, per stage of the vmscope
 * series' stage model (reserve, page_array, pages, map, publish) and in
 * total. Without the series, the total only (fentry/fexit, else kprobes).
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmlat.h"
#include "vmlat.skel.h"
#include "probe.h"
#include "trace_helpers.h"
#include "cli.h"

static const char *const stage_names[NR_STAGES] = {
	"reserve", "page_array", "pages", "map", "publish", "total",
};

static const char *const mode_names[NR_MODES] = { "stages", "events", "fentry", "kprobe" };

/* The first event each stage mode needs (the others come with it). */
static const char *const mode_event[NR_MODES] = { "vmalloc_alloc_stages", "vmalloc_alloc_enter" };

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
	int max_threads;
} env = {
	.max_threads = 4096,
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
"parent's page_array stage. Without the series: the total only.\n"
"\n"
"Modes: stages (vmalloc_alloc_stages: the kernel times the stages, one\n"
"event per allocation; the default), events (the six stage events, paired\n"
"per thread; costs several times as much), fentry or kprobe (total only).\n"
"\n"
"EXAMPLES:\n"
"    vmlat                 # histograms until Ctrl-C\n"
"    vmlat -u 1 10         # in microseconds, every second, 10 times\n"
"    vmlat -C              # one set of histograms per caller\n"
"    vmlat -S -s 1M        # per size class, allocations of 1 MiB or more\n"
"    vmlat -c vmalloc_test/0 -j   # one thread by name, JSON\n"
"    vmlat -M events       # stages from the six stage events\n"
"    vmlat -M fentry       # total only, fentry/fexit (what needs no series)\n";

enum { OPT_MIN = 's', OPT_MAX = 'z', OPT_THREADS = 1000 };

static const struct argp_option opts[] = {
	{ "microseconds", 'u', NULL, 0, "Histograms in microseconds (default nanoseconds)", 0 },
	{ "milliseconds", 'm', NULL, 0, "Histograms in milliseconds", 0 },
	{ "caller", 'C', NULL, 0, "Histograms per caller (kernel symbol)", 0 },
	{ "process", 'P', NULL, 0, "Histograms per process (PID and comm)", 0 },
	{ "size", 'S', NULL, 0, "Histograms per size class (power of 2)", 0 },
	{ "min-size", OPT_MIN, "SIZE", 0, "Only allocations of at least SIZE bytes (K, M, G suffixes)", 0 },
	{ "max-size", OPT_MAX, "SIZE", 0, "Only allocations of at most SIZE bytes", 0 },
	{ "mode", 'M', "MODE", 0, "stages, events, fentry or kprobe (default: the best this kernel has)", 0 },
	{ "max-threads", OPT_THREADS, "N", 0, "Threads with a vmalloc in flight at once that can be tracked (default 4096; beyond: counted as lost)", 0 },
	{},
};

static unsigned long long parse_size(const char *arg, struct argp_state *state)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || errno || arg[0] == '-')
		argp_error(state, "invalid size '%s': want bytes, optionally with K, M or G", arg);
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	}
	if (*end || v > ULLONG_MAX / mul)
		argp_error(state, "invalid size '%s': want bytes, optionally with K, M or G", arg);
	return v * mul;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	int i;

	switch (key) {
	case 'u':
		env.unit = "usecs";
		env.unit_div = 1000;
		break;
	case 'm':
		env.unit = "msecs";
		env.unit_div = 1000000;
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
		for (i = 0; i < NR_MODES; i++)
			if (!strcmp(arg, mode_names[i]))
				env.mode = i;
		if (env.mode < 0)
			argp_error(state, "unknown mode '%s' (want stages, events, fentry or kprobe)", arg);
		break;
	case OPT_THREADS:
		env.max_threads = parse_positive(arg, "thread count", state);
		break;
	case ARGP_KEY_END:
		if (env.min_size > env.max_size)
			argp_error(state, "--min-size %llu is above --max-size %llu", env.min_size, env.max_size);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* One interval's data, summed over CPUs. */
struct entry {
	struct hist_key key;
	struct hist h;
	__u64 count;
};

struct snapshot {
	struct vmlat_stats stats;
	__u64 allocs, nested;	/* the total histograms' counts */
	struct entry *e;
	size_t n;
};

/* KEY's histogram from each CPU's value, STRIDE bytes apart from FIRST. */
static int add_entry(struct snapshot *snap, const struct hist_key *key, const void *first,
		     size_t stride, int ncpu)
{
	struct entry *e, *p;
	int c, i;

	p = realloc(snap->e, (snap->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	snap->e = p;
	e = &snap->e[snap->n];
	memset(e, 0, sizeof(*e));
	e->key = *key;
	for (c = 0; c < ncpu; c++) {
		const struct hist *h = (const void *)((const char *)first + c * stride);

		for (i = 0; i < MAX_SLOTS; i++) {
			e->h.slots[i] += h->slots[i];
			e->count += h->slots[i];
		}
		e->h.sum_ns += h->sum_ns;
	}
	if (!e->count)
		return 0;
	if (key->stage == STAGE_TOTAL) {
		snap->allocs += e->count;
		if (key->nested)
			snap->nested += e->count;
	}
	snap->n++;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct hist_key *x = &((const struct entry *)a)->key, *y = &((const struct entry *)b)->key;

	if (x->caller != y->caller)
		return x->caller < y->caller ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->size_log2 != y->size_log2)
		return x->size_log2 < y->size_log2 ? -1 : 1;
	if (x->nested != y->nested)
		return x->nested < y->nested ? -1 : 1;
	return (int)x->stage - (int)y->stage;
}

/* Read and reset every counter and histogram: per-interval figures. */
static int take_snapshot(struct vmlat_bpf *obj, struct snapshot *snap)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vmlat_stats *st = NULL;
	struct stage_hists *sh = NULL;
	struct hist *h = NULL;
	struct hist_key key, next, *prev = NULL;
	int fd, err = 0, c, i;
	__u32 idx;

	memset(snap, 0, sizeof(*snap));
	if (ncpu <= 0)
		return -EINVAL;
	h = calloc(ncpu, sizeof(*h));
	sh = calloc(ncpu, sizeof(*sh));
	st = calloc(ncpu, sizeof(*st));
	if (!h || !sh || !st) {
		err = -ENOMEM;
		goto out;
	}

	fd = bpf_map__fd(obj->maps.stats);
	idx = 0;
	if (bpf_map_lookup_elem(fd, &idx, st)) {
		err = -errno;
		goto out;
	}
	for (c = 0; c < ncpu; c++) {
		__u64 *dst = (__u64 *)&snap->stats, *src = (__u64 *)&st[c];

		for (i = 0; i < (int)(sizeof(*st) / sizeof(__u64)); i++)
			dst[i] += src[i];
	}
	memset(st, 0, ncpu * sizeof(*st));
	bpf_map_update_elem(fd, &idx, st, BPF_ANY);

	fd = bpf_map__fd(obj->maps.hists_flat);
	for (idx = 0; idx < 2; idx++) {	/* top level, nested */
		if (bpf_map_lookup_elem(fd, &idx, sh)) {
			err = -errno;
			goto out;
		}
		for (i = 0; i < NR_STAGES; i++) {
			memset(&key, 0, sizeof(key));
			key.stage = i;
			key.nested = idx;
			err = add_entry(snap, &key, &sh[0].h[i], sizeof(*sh), ncpu);
			if (err)
				goto out;
		}
		memset(sh, 0, ncpu * sizeof(*sh));
		bpf_map_update_elem(fd, &idx, sh, BPF_ANY);
	}

	fd = bpf_map__fd(obj->maps.hists);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, h)) {
			err = add_entry(snap, &next, h, sizeof(*h), ncpu);
			if (err)
				goto out;
		}
		key = next;
		prev = &key;
	}
	/* Delete after the walk: deleting during it would restart it. */
	while (!bpf_map_get_next_key(fd, NULL, &next))
		if (bpf_map_delete_elem(fd, &next))
			break;
	qsort(snap->e, snap->n, sizeof(*snap->e), entry_cmp);
out:
	free(h);
	free(sh);
	free(st);
	return err;
}

static const char *size_class(__u32 log2, char *buf, size_t len)
{
	char lo[16], hi[16];

	snprintf(buf, len, "%s-%s", human_size(1ULL << log2, lo, sizeof(lo)),
		 human_size(1ULL << (log2 + 1), hi, sizeof(hi)));
	return buf;
}

static bool same_group(const struct hist_key *a, const struct hist_key *b)
{
	return a->caller == b->caller && a->pid == b->pid && a->size_log2 == b->size_log2 &&
	       a->nested == b->nested;
}

static void print_text(const struct snapshot *snap, const struct ksyms *ks, int mode)
{
	const struct vmlat_stats *s = &snap->stats;
	char buf[256], ts[16];
	size_t i;

	if (cli.timestamp)
		printf("%s\n", timestamp(ts, sizeof(ts)));
	for (i = 0; i < snap->n; i++) {
		const struct entry *e = &snap->e[i];

		if (!i || !same_group(&e->key, &snap->e[i - 1].key)) {
			printf("\n%s", e->key.nested ? "== nested vmallocs (inside another's page_array)" : "== vmallocs");
			if (env.by_caller)
				printf(", caller %s", ksyms__describe(ks, e->key.caller, buf, sizeof(buf)));
			if (env.by_pid)
				printf(", pid %u (%.16s)", e->key.pid, e->key.comm);
			if (env.by_size)
				printf(", size %s", size_class(e->key.size_log2, buf, sizeof(buf)));
			printf("\n");
		}
		printf("\nstage %s: %llu allocations, average %llu ns\n", stage_names[e->key.stage],
		       (unsigned long long)e->count, (unsigned long long)(e->h.sum_ns / e->count));
		print_log2_hist(e->h.slots, MAX_SLOTS, env.unit);
	}
	printf("\nallocations %llu (nested %llu), failed %llu", (unsigned long long)snap->allocs,
	       (unsigned long long)snap->nested, (unsigned long long)s->failed);
	if (s->failed) {
		int st;

		printf(" [");
		for (st = 0; st < STAGE_TOTAL; st++)
			if (s->failed_stage[st])
				printf(" %s:%llu", stage_names[st], (unsigned long long)s->failed_stage[st]);
		printf(" ]");
	}
	if (mode == MODE_STAGES)
		/* No per-thread state: nothing to lose but histogram slots. */
		printf("\nnot measured: lost %llu (histogram map full); allocations that began before the tracer "
		       "are not reported by the kernel\n", (unsigned long long)s->lost_hist);
	else
		printf("\nnot measured: lost %llu (frame map full or nesting too deep %llu, histogram map full %llu), "
		       "started before the tracer %llu, stray stage events %llu\n",
		       (unsigned long long)(s->lost_frames + s->lost_hist), (unsigned long long)s->lost_frames,
		       (unsigned long long)s->lost_hist, (unsigned long long)s->unmatched,
		       (unsigned long long)s->stray);
	if (!stage_mode(mode))
		printf("total only (%s): stage latencies need the vmscope series' vmalloc events\n",
		       mode_names[mode]);
	fflush(stdout);
}

static void print_json(FILE *f, const struct snapshot *snap, const struct ksyms *ks, int mode)
{
	const struct vmlat_stats *s = &snap->stats;
	char buf[256], ts[16];
	size_t i;
	int st;

	fprintf(f, "{");
	if (cli.timestamp)
		fprintf(f, "\"time\":\"%s\",", timestamp(ts, sizeof(ts)));
	fprintf(f, "\"mode\":\"%s\",\"unit\":\"%s\",\"stages\":%s,", mode_names[mode], env.unit,
		stage_mode(mode) ? "true" : "false");
	fprintf(f, "\"allocs\":%llu,\"nested\":%llu,\"failed\":%llu,\"failed_stage\":{",
		(unsigned long long)snap->allocs, (unsigned long long)snap->nested, (unsigned long long)s->failed);
	for (st = 0; st < STAGE_TOTAL; st++)
		fprintf(f, "%s\"%s\":%llu", st ? "," : "", stage_names[st], (unsigned long long)s->failed_stage[st]);
	fprintf(f, "},\"lost\":%llu,\"lost_frames\":%llu,\"lost_hist\":%llu,\"unmatched\":%llu,\"stray\":%llu,\"hists\":[",
		(unsigned long long)(s->lost_frames + s->lost_hist), (unsigned long long)s->lost_frames,
		(unsigned long long)s->lost_hist, (unsigned long long)s->unmatched, (unsigned long long)s->stray);
	for (i = 0; i < snap->n; i++) {
		const struct entry *e = &snap->e[i];

		fprintf(f, "%s{\"stage\":\"%s\",\"nested\":%s", i ? "," : "", stage_names[e->key.stage],
			e->key.nested ? "true" : "false");
		if (env.by_caller)
			fprintf(f, ",\"caller\":\"%s\"", ksyms__describe(ks, e->key.caller, buf, sizeof(buf)));
		if (env.by_pid)
			fprintf(f, ",\"pid\":%u,\"comm\":\"%.16s\"", e->key.pid, e->key.comm);
		if (env.by_size)
			fprintf(f, ",\"size_min\":%llu,\"size_max\":%llu", 1ULL << e->key.size_log2,
				(1ULL << (e->key.size_log2 + 1)) - 1);
		fprintf(f, ",\"count\":%llu,\"sum_ns\":%llu,\"slots\":", (unsigned long long)e->count,
			(unsigned long long)e->h.sum_ns);
		json_log2_hist(f, e->h.slots, MAX_SLOTS);
		fprintf(f, "}");
	}
	fprintf(f, "]}\n");
	fflush(f);
}

/* The vmalloc core's name on this kernel (renamed with memory profiling, 6.10). */
static const char *core_function(int mode)
{
	static const char *const names[] = { "__vmalloc_node_range_noprof", "__vmalloc_node_range" };
	int i;

	for (i = 0; i < 2; i++)
		if (mode == MODE_FENTRY ? probe_btf_func(names[i]) : probe_ksym(names[i]))
			return names[i];
	return NULL;
}

/* Open and load the programs of MODE; NULL (and a message) if that fails. */
static struct vmlat_bpf *load(int mode, const char *core, bool quiet)
{
	struct vmlat_bpf *obj;
	struct bpf_program *p;
	bool btf = stage_mode(mode) && probe_tp_btf(mode_event[mode]);
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
	for (i = 1; i < (int)sizeof(obj->rodata->log2_u16); i++)
		obj->rodata->log2_u16[i] = 31 - __builtin_clz(i);
	obj->rodata->by_caller = env.by_caller;
	obj->rodata->by_pid = env.by_pid;
	obj->rodata->by_size = env.by_size;

	/* Only the paired modes keep per-thread frames. */
	bpf_map__set_max_entries(obj->maps.frames, mode == MODE_STAGES ? 1 : env.max_threads);
	bpf_object__for_each_program(p, obj->obj) {
		const char *sec = bpf_program__section_name(p);
		bool on;

		if (!strncmp(sec, "tp_btf/", 7) || !strncmp(sec, "tracepoint/", 11))
			on = (strstr(sec, "vmalloc_alloc_stages") ? mode == MODE_STAGES : mode == MODE_EVENTS) &&
			     btf == !strncmp(sec, "tp_btf/", 7);
		else if (!strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6))
			on = mode == MODE_FENTRY;
		else
			on = mode == MODE_KPROBE;
		bpf_program__set_autoload(p, on);
	}
	/* vmalloc_alloc_stages: a short program for the default, one for any option. */
	if (bpf_program__autoload(obj->progs.stages_btf)) {
		bool plain = !env.by_caller && !env.by_pid && !env.by_size && !cli.pid && !cli.comm &&
			     !env.min_size && env.max_size == ULLONG_MAX && env.unit_div == 1;

		bpf_program__set_autoload(plain ? obj->progs.stages_any_btf : obj->progs.stages_btf, false);
	}
	/* Names for callers in modules that unload before we print. */
	bpf_program__set_autoload(obj->progs.module_load_btf, env.by_caller && probe_tp_btf("module_load"));
	if (mode == MODE_FENTRY) {
		bpf_program__set_attach_target(obj->progs.core_fentry, 0, core);
		bpf_program__set_attach_target(obj->progs.core_fexit, 0, core);
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

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = doc,
		.children = children,
	};
	struct bpf_link *links[3] = {};
	struct vmlat_bpf *obj = NULL;
	struct ksyms *ks = NULL;
	struct snapshot snap = {};
	FILE *jf = NULL;
	const char *core = NULL;
	bool has_summary, has_events;
	int mode, err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 1;

	libbpf_set_print(cli_libbpf_print);
	if (probe_environment())
		return 1;
	if (cli_open_json_file("vmlat", &jf))
		return 1;

	has_summary = probe_tracepoint("vmalloc", mode_event[MODE_STAGES]);
	has_events = probe_tracepoint("vmalloc", mode_event[MODE_EVENTS]);
	mode = env.mode;
	if ((mode == MODE_STAGES && !has_summary) || (mode == MODE_EVENTS && !has_events)) {
		fprintf(stderr, "vmlat: this kernel has no vmalloc:%s event (it comes with the vmscope series); %s\n",
			mode_event[mode], has_events ? "-M events measures the stages from the per-stage events" :
			"-M fentry or -M kprobe measure the total without the series");
		err = 1;
		goto cleanup;
	}
	if (mode < 0)
		mode = has_summary ? MODE_STAGES : has_events ? MODE_EVENTS : MODE_FENTRY;
	if (!stage_mode(mode)) {
		core = core_function(mode);
		if (!core && mode == MODE_FENTRY && env.mode < 0) {
			mode = MODE_KPROBE;
			core = core_function(mode);
		}
		if (!core) {
			fprintf(stderr, "vmlat: no __vmalloc_node_range(_noprof) in this kernel's %s\n",
				mode == MODE_FENTRY ? "BTF" : "kallsyms");
			err = 1;
			goto cleanup;
		}
	}

	/* fentry needs a trampoline-capable JIT: try it, else kprobes. */
	obj = load(mode, core, mode == MODE_FENTRY && env.mode < 0);
	if (!obj && mode == MODE_FENTRY && env.mode < 0) {
		fprintf(stderr, "vmlat: fentry/fexit unavailable here; using kprobes\n");
		mode = MODE_KPROBE;
		core = core_function(mode);
		if (core)
			obj = load(mode, core, false);
	}
	if (!obj) {
		err = 1;
		goto cleanup;
	}
	if (mode == MODE_KPROBE) {
		links[0] = bpf_program__attach_kprobe(obj->progs.core_kprobe, false, core);
		links[1] = bpf_program__attach_kprobe(obj->progs.core_kretprobe, true, core);
		if (!links[0] || !links[1]) {
			err = -errno;
			fprintf(stderr, "vmlat: failed to attach kprobes to %s: %s\n", core, strerror(-err));
			goto cleanup;
		}
		if (bpf_program__autoload(obj->progs.module_load_btf)) {
			links[2] = bpf_program__attach(obj->progs.module_load_btf);
			if (!links[2])
				fprintf(stderr, "vmlat: module names unavailable: %s\n", strerror(errno));
		}
	} else {
		err = vmlat_bpf__attach(obj);
		if (err) {
			fprintf(stderr, "vmlat: failed to attach BPF programs: %s\n", strerror(-err));
			goto cleanup;
		}
	}
	if (env.by_caller) {
		ks = ksyms__load();
		if (!ks)
			fprintf(stderr, "vmlat: cannot read /proc/kallsyms; callers shown as addresses\n");
	}

	if (cli_setup_signals()) {
		err = 1;
		goto cleanup;
	}
	if (stage_mode(mode))
		fprintf(stderr, "Tracing vmalloc stages (%s %s%s)... Hit Ctrl-C to end.\n",
			probe_tp_btf(mode_event[mode]) ? "tp_btf" : "tracepoint", mode_event[mode],
			mode == MODE_EVENTS ? " and the other stage events" : "");
	else
		fprintf(stderr, "Tracing vmalloc total latency (%s on %s; stage latencies need the vmscope series)... Hit Ctrl-C to end.\n",
			mode == MODE_FENTRY ? "fentry/fexit" : "kprobe/kretprobe", core);

	while (!cli_exiting) {
		/* Returns early on a signal: the last interval is printed. */
		wait_interval(cli.interval, &cli_exiting, ks);
		err = take_snapshot(obj, &snap);
		ksyms__add_module_texts(ks, bpf_map__fd(obj->maps.module_texts));
		if (err) {
			fprintf(stderr, "vmlat: failed to read maps: %s\n", strerror(-err));
			break;
		}
		if (cli.json)
			print_json(stdout, &snap, ks, mode);
		else
			print_text(&snap, ks, mode);
		if (jf)
			print_json(jf, &snap, ks, mode);
		free(snap.e);
		snap.e = NULL;
		if (--cli.times == 0)
			break;
	}

cleanup:
	bpf_link__destroy(links[0]);
	bpf_link__destroy(links[1]);
	bpf_link__destroy(links[2]);
	vmlat_bpf__destroy(obj);
	ksyms__free(ks);
	if (jf)
		fclose(jf);
	return err != 0;
}
