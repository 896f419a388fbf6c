// SPDX-License-Identifier: GPL-2.0
/*
 * vmtree: the vmap area allocator at work. Per reservation: per-node pool
 * hit or free-tree search, nodes the search visited, purge retries. Guard
 * pages reserved and freed during the run, optionally by caller, checked
 * against the kernel's own count in /sys/kernel/debug/vmalloc/state.
 * Counts are cumulative from the start of the run.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmtree.h"
#include "tpfield.h"
#include "vmtree.skel.h"
#include "probe.h"
#include "trace_helpers.h"
#include "cli.h"
#include "json.h"
#include "schema.h"
#include "tool_prom.h"

#define STATE_FILE "/sys/kernel/debug/vmalloc/state"
#define MAX_STATE 32

static struct env {
	bool by_caller;
	bool state;
} env = {
};

const char *argp_program_version = "vmtree 0.1";
static const char doc[] =
"vmap area allocator: free-tree search depth, pool hits, purge retries,\n"
"and guard pages. Needs the vmscope series' vmalloc events.\n"
"\n"
"USAGE: vmtree [-h] [-p PID] [-c COMM] [-C] [-s] [-j] [-o FILE] [-T] [interval] [count]\n"
"\n"
"Counts are cumulative from the start. Memory: about 4 MiB for the areas\n"
"reserved (65536), 0.4 MiB more with -C, and a frame stack (about 0.5 KiB)\n"
"in task storage per thread that vmallocs, freed when the thread exits.\n"
"With -s, the kernel's own tree and\n"
"guard-page state (" STATE_FILE ") at the start and at each\n"
"output, and whether its guard-byte change agrees with the traced one.\n"
"\n"
"EXAMPLES:\n"
"    vmtree               # until Ctrl-C\n"
"    vmtree -s -C         # with the kernel's state, guard pages by caller\n"
"    vmtree -j 5 3        # JSON every 5 seconds, 3 times\n";

static const struct argp_option opts[] = {
	{ "caller", 'C', NULL, 0, "Guard pages by caller (kernel symbol)", 0 },
	{ "state", 's', NULL, 0, "Show the kernel's tree and guard state, start and end", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{

	switch (key) {
	case 'C':
		env.by_caller = true;
		break;
	case 's':
		env.state = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * The kernel's state file: "name value" lines, kept in order, and our own
 * guard counters at the moment it was read.
 */
struct kstate {
	int n;
	char name[MAX_STATE][32];
	unsigned long long val[MAX_STATE];
	__u64 traced_guard, traced_freed;
	bool consistent;	/* no guard event while it was read */
};

static int read_kstate(struct kstate *ks)
{
	char line[128];
	FILE *f;

	memset(ks, 0, sizeof(*ks));
	f = fopen(STATE_FILE, "r");
	if (!f)
		return -errno;
	while (ks->n < MAX_STATE && fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %llu", ks->name[ks->n], &ks->val[ks->n]) == 2)
			ks->n++;
	fclose(f);
	return ks->n ? 0 : -EINVAL;
}

static long long kstate_get(const struct kstate *ks, const char *name)
{
	int i;

	for (i = 0; i < ks->n; i++)
		if (!strcmp(ks->name[i], name))
			return ks->val[i];
	return -1;
}

struct snapshot {
	struct vmtree_stats s;
	struct prog_misses misses;
	__u64 depth[MAX_DEPTH];
	struct { __u64 caller; struct caller_guard g; } *callers;
	size_t ncallers;
	struct kstate end;
	__u64 module_texts_lost;	/* modules whose text was not recorded */
};

/* Most guard bytes first; ties by caller address, as vmtrace orders them. */
static int caller_cmp(const void *a, const void *b)
{
	const struct caller_guard *x = (const void *)((const char *)a + sizeof(__u64));
	const struct caller_guard *y = (const void *)((const char *)b + sizeof(__u64));
	__u64 ca = *(const __u64 *)a, cb = *(const __u64 *)b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return ca < cb ? -1 : ca > cb;
}

static int read_stats(struct vmtree_bpf *obj, struct vmtree_stats *sum)
{
	__u32 idx = 0;

	return percpu_sum(bpf_map__fd(obj->maps.stats), &idx, (__u64 *)sum, sizeof(*sum) / sizeof(__u64));
}

/*
 * Reads the state file between two reads of our counters, until no guard
 * page came or went in between: then the file and the counters describe
 * the same moment, and their changes can be compared exactly.
 */
static int read_kstate_consistent(struct vmtree_bpf *obj, struct kstate *ks)
{
	struct vmtree_stats a, b;
	int tries, err;

	for (tries = 0; tries < 50; tries++) {
		err = read_stats(obj, &a);
		err = err ?: read_kstate(ks);
		err = err ?: read_stats(obj, &b);
		if (err)
			return err;
		ks->traced_guard = b.guard_bytes;
		ks->traced_freed = b.freed_guard_bytes;
		ks->consistent = a.guard_bytes == b.guard_bytes && a.freed_guard_bytes == b.freed_guard_bytes;
		if (ks->consistent)
			break;
		usleep(10000);
	}
	return 0;
}

static int take_snapshot(struct vmtree_bpf *obj, const struct prog_links *links, struct snapshot *snap)
{
	__u64 key, next, *prev = NULL;
	struct caller_guard g;
	int fd, err = 0;
	__u32 idx;

	free(snap->callers);
	memset(snap, 0, sizeof(*snap));
	/* The state first: the counters printed are then at least as new. */
	if (env.state) {
		err = read_kstate_consistent(obj, &snap->end);
		if (err)
			return err;
	}
	fd = bpf_map__fd(obj->maps.depth_hist);
	for (idx = 0; idx < MAX_DEPTH; idx++) {
		err = percpu_sum(fd, &idx, &snap->depth[idx], 1);
		if (err)
			return err;
	}
	fd = bpf_map__fd(obj->maps.guard_by_caller);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &g)) {
			void *p = realloc(snap->callers, (snap->ncallers + 1) * sizeof(*snap->callers));

			if (!p)
				return -ENOMEM;
			snap->callers = p;
			snap->callers[snap->ncallers].caller = next;
			snap->callers[snap->ncallers].g = g;
			snap->ncallers++;
		}
		key = next;
		prev = &key;
	}
	qsort(snap->callers, snap->ncallers, sizeof(*snap->callers), caller_cmp);
	/* The counters last: they hold at least what the histogram and callers do. */
	err = read_stats(obj, &snap->s);
	if (err)
		return err;
	read_misses(obj->obj, links, &snap->misses);
	snap->module_texts_lost = obj->bss->module_texts_lost;
	return 0;
}

static double pct(__u64 a, __u64 b)
{
	return b ? 100.0 * a / b : 0.0;
}

static const char *caller_name(const struct ksyms *ks, __u64 caller, char *buf, size_t len)
{
	if (!caller)
		return "(outside vmalloc: vmap, ioremap, vm_map_ram...)";
	return ksyms__describe(ks, caller, buf, len);
}

/*
 * The kernel counter's guard_bytes change between the two state reads vs
 * the traced change over the same span: meaningful unfiltered only.
 */
static const char *agreement(const struct snapshot *snap, const struct kstate *start,
			     long long *kdelta, long long *traced)
{
	long long a = kstate_get(start, "guard_bytes"), b = kstate_get(&snap->end, "guard_bytes");

	*kdelta = b - a;
	*traced = (long long)(snap->end.traced_guard - start->traced_guard) -
		  (long long)(snap->end.traced_freed - start->traced_freed);
	if (a < 0 || b < 0)
		return "unknown";
	if (cli.pid || cli.comm)
		return "not comparable (filtered)";
	if (!start->consistent || !snap->end.consistent)
		return "unknown (guard pages kept coming and going while the state was read)";
	return *kdelta == *traced ? "agrees" : "DIFFERS";
}

static void print_text(const struct snapshot *snap, const struct kstate *start, const struct ksyms *ks)
{
	const struct vmtree_stats *s = &snap->s;
	char buf[256], ts[16];
	__u64 max = 0;
	int i, first = -1, last = -1;

	if (cli.timestamp)
		printf("%s\n", timestamp(ts, sizeof(ts)));
	printf("vmap area reservations: %llu (failed %llu)\n", (unsigned long long)s->reserved,
	       (unsigned long long)s->failed);
	printf("  per-node pool hits %llu (%.1f%%), free-tree searches %llu, purge retries %llu (in %llu reservations)\n",
	       (unsigned long long)s->pool_hits, pct(s->pool_hits, s->reserved),
	       (unsigned long long)s->tree_searches, (unsigned long long)s->purges, (unsigned long long)s->purged);
	for (i = 0; i < MAX_DEPTH; i++) {
		if (snap->depth[i] && first < 0)
			first = i;
		if (snap->depth[i])
			last = i;
		if (snap->depth[i] > max)
			max = snap->depth[i];
	}
	if (last >= 0) {
		printf("\nfree-tree search depth (nodes visited per search), average %.1f\n",
		       s->tree_searches ? (double)s->depth_sum / s->tree_searches : 0.0);
		printf("     nodes : count    distribution\n");
		for (i = first; i <= last; i++) {
			int stars = max ? (int)(snap->depth[i] * 40 / max) : 0;

			printf("%9d%s : %-8llu |%-40.*s|\n", i, i == MAX_DEPTH - 1 ? "+" : " ",
			       (unsigned long long)snap->depth[i], stars,
			       "****************************************");
		}
	}
	printf("\nguard pages\n");
	printf("  reserved: %llu areas, %llu bytes; vmallocs without a guard page (VM_NO_GUARD): %llu\n",
	       (unsigned long long)s->guard_areas, (unsigned long long)s->guard_bytes,
	       (unsigned long long)s->noguard_vmallocs);
	printf("  freed:    %llu areas, %llu bytes (reserved before the run: %llu areas, %llu bytes)\n",
	       (unsigned long long)s->freed_guard_areas, (unsigned long long)s->freed_guard_bytes,
	       (unsigned long long)s->freed_before_areas, (unsigned long long)s->freed_before_bytes);
	printf("  live change: %+lld bytes\n", (long long)s->guard_bytes - (long long)s->freed_guard_bytes);
	if (env.state && start->n) {
		long long kd, td;
		const char *verdict = agreement(snap, start, &kd, &td);

		printf("  kernel counter guard_bytes: %lld -> %lld (%+lld); traced over the same span: %+lld: %s\n",
		       kstate_get(start, "guard_bytes"), kstate_get(&snap->end, "guard_bytes"), kd, td, verdict);
		printf("\nkernel state (%s) %14s %20s\n", STATE_FILE, "start", "now");
		for (i = 0; i < snap->end.n; i++) {
			long long v = kstate_get(start, snap->end.name[i]);
			char sv[24] = "-";

			if (v >= 0)
				snprintf(sv, sizeof(sv), "%lld", v);
			printf("  %-24s %20s %20llu\n", snap->end.name[i], sv, snap->end.val[i]);
		}
	}
	if (env.by_caller) {
		printf("\nguard pages by caller (areas reserved during the run)\n");
		printf("  %-52s %8s %10s %8s %10s %10s\n", "caller", "areas", "bytes", "freed", "bytes", "live");
		for (i = 0; i < (int)snap->ncallers; i++) {
			const struct caller_guard *g = &snap->callers[i].g;

			printf("  %-52.52s %8llu %10llu %8llu %10llu %10lld\n",
			       caller_name(ks, snap->callers[i].caller, buf, sizeof(buf)),
			       (unsigned long long)g->areas, (unsigned long long)g->bytes,
			       (unsigned long long)g->freed_areas, (unsigned long long)g->freed_bytes,
			       (long long)g->bytes - (long long)g->freed_bytes);
		}
	}
	if (s->lost)
		printf("\nlost: %llu areas not tracked (a map was full)\n", (unsigned long long)s->lost);
	if (snap->module_texts_lost)
		printf("modules not recorded (map full; their callers show as addresses): %llu\n",
		       (unsigned long long)snap->module_texts_lost);
	if (s->lost_frames || s->stale)
		printf("callers not tracked: %llu vmallocs (no task storage, nesting too deep), %llu whose exit was missed\n",
		       (unsigned long long)s->lost_frames, (unsigned long long)s->stale);
	printf("program runs missed by the kernel: %llu (BPF recursion)\n",
	       (unsigned long long)snap->misses.recursion);
	fflush(stdout);
}

/* vmtree's counters in the shared schema's form (lib/schema.h). */
static void tree_counts(const struct vmtree_stats *s, struct vm_tree_counts *c)
{
	*c = (struct vm_tree_counts){
		.reserved = s->reserved, .failed = s->failed, .pool_hits = s->pool_hits,
		.tree_searches = s->tree_searches, .depth_sum = s->depth_sum, .purges = s->purges,
		.purged = s->purged, .guard_areas = s->guard_areas, .guard_bytes = s->guard_bytes,
		.noguard_vmallocs = s->noguard_vmallocs, .freed_guard_areas = s->freed_guard_areas,
		.freed_guard_bytes = s->freed_guard_bytes, .freed_before_areas = s->freed_before_areas,
		.freed_before_bytes = s->freed_before_bytes,
	};
}

static void print_json(FILE *f, const struct snapshot *snap, const struct kstate *start, const struct ksyms *ks)
{
	const struct vmtree_stats *s = &snap->s;
	struct vm_tree_counts c;
	char buf[256], ts[16];
	int i;

	fprintf(f, "{");
	if (cli.timestamp) {
		json_kv_str(f, "time", timestamp(ts, sizeof(ts)), 1);
		fprintf(f, ",");
	}
	tree_counts(s, &c);
	schema_tree(f, &c, snap->depth, MAX_DEPTH);
	fprintf(f, ",\"lost\":%llu,\"lost_frames\":%llu,\"stale\":%llu,\"missed_runs\":%llu,\"module_texts_lost\":%llu",
		(unsigned long long)s->lost, (unsigned long long)s->lost_frames, (unsigned long long)s->stale,
		(unsigned long long)snap->misses.recursion, (unsigned long long)snap->module_texts_lost);
	if (env.state && start->n) {
		long long kd, td;
		const char *verdict = agreement(snap, start, &kd, &td);

		fprintf(f, ",\"kernel_guard_change_bytes\":%lld,\"traced_guard_change_bytes\":%lld", kd, td);
		json_kv_str(f, "guard_check", verdict, 0);
		fprintf(f, ",\"state_start\":{");
		for (i = 0; i < start->n; i++) {
			json_str(f, start->name[i]);
			fprintf(f, ":%llu%s", start->val[i], i + 1 < start->n ? "," : "");
		}
		fprintf(f, "},\"state_end\":{");
		for (i = 0; i < snap->end.n; i++) {
			json_str(f, snap->end.name[i]);
			fprintf(f, ":%llu%s", snap->end.val[i], i + 1 < snap->end.n ? "," : "");
		}
		fprintf(f, "}");
	}
	if (env.by_caller) {
		fprintf(f, ",\"guard_by_caller\":[");
		for (i = 0; i < (int)snap->ncallers; i++) {
			const struct caller_guard *g = &snap->callers[i].g;

			schema_guard_caller(f, !i, snap->callers[i].caller ?
					    ksyms__describe(ks, snap->callers[i].caller, buf, sizeof(buf)) : NULL,
					    g->areas, g->bytes, g->freed_areas, g->freed_bytes);
		}
		fprintf(f, "]");
	}
	fprintf(f, "}\n");
	fflush(f);
}

/* The classic tracepoints' fields the BPF side reads (enum vmtree_tp_field). */
static const struct tp_field_name tp_fields[NR_TPF] = {
	[TPF_RES_ADDR] = { "vmalloc_va_reserved", "addr" },
	[TPF_RES_GUARD] = { "vmalloc_va_reserved", "guard" },
	[TPF_RES_POOL_HIT] = { "vmalloc_va_reserved", "pool_hit" },
	[TPF_RES_DEPTH] = { "vmalloc_va_reserved", "depth" },
	[TPF_RES_PURGES] = { "vmalloc_va_reserved", "purges" },
	[TPF_RES_FAILED] = { "vmalloc_va_reserved", "failed" },
	[TPF_FREE_ADDR] = { "vmalloc_area_free", "addr" },
	[TPF_FREE_GUARD] = { "vmalloc_area_free", "guard" },
	[TPF_EN_SIZE] = { "vmalloc_alloc_enter", "size" },
	[TPF_EN_CALLER] = { "vmalloc_alloc_enter", "caller" },
	[TPF_EN_VM_FLAGS] = { "vmalloc_alloc_enter", "vm_flags" },
	[TPF_EX_SIZE] = { "vmalloc_alloc_exit", "size" },
};

/* What the report needs between intervals. */
struct run {
	struct vmtree_bpf *obj;
	struct prog_links links;
	struct snapshot snap;
	struct kstate start;
	struct ksyms *ks;
	FILE *jf;
};

static int report(void *ctx)
{
	struct run *r = ctx;
	int err;

	/*
	 * The last report: detached first, so that its figures describe one
	 * moment (per caller, the depth histogram and the counters agree).
	 * Not with -s: the kernel's state must be read while tracing.
	 */
	if (cli_last_report() && !env.state)
		destroy_links(&r->links);
	err = take_snapshot(r->obj, &r->links, &r->snap);
	ksyms__add_module_texts(r->ks, bpf_map__fd(r->obj->maps.module_texts));
	if (err) {
		fprintf(stderr, "vmtree: failed to read counters: %s\n", strerror(-err));
		return err;
	}
	if (cli.json)
		print_json(stdout, &r->snap, &r->start, r->ks);
	else
		print_text(&r->snap, &r->start, r->ks);
	if (r->jf)
		print_json(r->jf, &r->snap, &r->start, r->ks);
	return 0;
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
	struct run r = {};
	bool btf;
	int err = 0;

	if (cli_init(&argp, argc, argv, &r.jf))
		return 1;
	if (vmtree_prom_open()) {
		err = 1;
		goto cleanup;
	}
	if (!probe_tracepoint("vmalloc", "vmalloc_va_reserved") || !probe_tracepoint("vmalloc", "vmalloc_area_free")) {
		fprintf(stderr, "vmtree: this kernel has no vmalloc:vmalloc_va_reserved/vmalloc_area_free events: "
			"search depth and guard pages need the vmscope series\n");
		err = 1;
		goto cleanup;
	}
	if (env.state && access(STATE_FILE, R_OK)) {
		fprintf(stderr, "vmtree: -s needs %s (the vmscope series, debugfs mounted): %s\n",
			STATE_FILE, strerror(errno));
		err = 1;
		goto cleanup;
	}

	r.obj = vmtree_bpf__open();
	if (!r.obj) {
		fprintf(stderr, "vmtree: failed to open BPF object: %s\n", strerror(errno));
		err = 1;
		goto cleanup;
	}
	r.obj->rodata->targ_tgid = cli.pid;
	if (cli.comm) {
		r.obj->rodata->filter_comm = true;
		strncpy((char *)r.obj->rodata->targ_comm, cli.comm, TASK_COMM_LEN - 1);
	}
	r.obj->rodata->by_caller = env.by_caller;
	err = bpf_map__set_max_entries(r.obj->maps.guard_by_caller, env.by_caller ? 4096 : 1);
	err = err ?: bpf_map__set_max_entries(r.obj->maps.module_texts, env.by_caller ? 256 : 1);
	if (err) {
		fprintf(stderr, "vmtree: failed to size maps: %s\n", strerror(-err));
		goto cleanup;
	}
	btf = cli_tp_btf("vmalloc_va_reserved");
	select_tp_programs(r.obj->obj, btf);
	if (!btf && tracefs_fields("vmtree", "vmalloc", tp_fields, NR_TPF, (struct tp_field *)r.obj->rodata->tpf)) {
		err = 1;
		goto cleanup;
	}
	/* Names for callers in modules that unload before we print. */
	bpf_program__set_autoload(r.obj->progs.module_load_btf, env.by_caller && probe_tp_btf("module_load"));

	err = vmtree_bpf__load(r.obj);
	if (err) {
		fprintf(stderr, "vmtree: failed to load BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}
	r.ks = ksyms__load_for("vmtree", env.by_caller);
	err = attach_programs("vmtree", r.obj->obj, NULL, false, &r.links);
	err = err ?: vmtree_prom_start(&(struct vmtree_prom_src){
		.obj = r.obj->obj, .links = &r.links, .stats_fd = bpf_map__fd(r.obj->maps.stats),
		.depth_fd = bpf_map__fd(r.obj->maps.depth_hist),
		.callers_fd = bpf_map__fd(r.obj->maps.guard_by_caller), .by_caller = env.by_caller,
		.module_texts_fd = bpf_map__fd(r.obj->maps.module_texts), .ks = r.ks });
	if (err)
		goto cleanup;
	/* After attaching: what the kernel counts from here on, we see. */
	if (env.state) {
		err = read_kstate_consistent(r.obj, &r.start);
		if (err) {
			fprintf(stderr, "vmtree: cannot read %s: %s\n", STATE_FILE, strerror(-err));
			goto cleanup;
		}
	}
	fprintf(stderr, "Tracing vmap area reservations (%s)... Hit Ctrl-C to end.\n", btf ? "tp_btf" : "tracepoint");
	err = cli_loop(report, &r, r.ks);

cleanup:
	/* Its last textfile reads the maps. */
	if (vmtree_prom_close())
		err = 1;
	free(r.snap.callers);
	destroy_links(&r.links);
	vmtree_bpf__destroy(r.obj);
	ksyms__free(r.ks);
	if (cli_close_json_file("vmtree", r.jf))
		err = 1;
	return err != 0;
}
