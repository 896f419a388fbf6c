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
#include "vmtree.skel.h"
#include "probe.h"
#include "trace_helpers.h"
#include "cli.h"

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
"Counts are cumulative from the start. With -s, the kernel's own tree and\n"
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
	__u64 depth[MAX_DEPTH];
	struct { __u64 caller; struct caller_guard g; } *callers;
	size_t ncallers;
	struct kstate end;
};

static int caller_cmp(const void *a, const void *b)
{
	const struct caller_guard *x = (const void *)((const char *)a + sizeof(__u64));
	const struct caller_guard *y = (const void *)((const char *)b + sizeof(__u64));

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

static int read_stats(struct vmtree_bpf *obj, struct vmtree_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus(), c, i, err = 0;
	struct vmtree_stats *st;
	__u32 idx = 0;

	if (ncpu <= 0)
		return -EINVAL;
	st = calloc(ncpu, sizeof(*st));
	if (!st)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(bpf_map__fd(obj->maps.stats), &idx, st))
		err = -errno;
	for (c = 0; !err && c < ncpu; c++)
		for (i = 0; i < (int)(sizeof(*st) / sizeof(__u64)); i++)
			((__u64 *)sum)[i] += ((__u64 *)&st[c])[i];
	free(st);
	return err;
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

static int take_snapshot(struct vmtree_bpf *obj, struct snapshot *snap)
{
	int ncpu = libbpf_num_possible_cpus(), fd, c, err = 0;
	__u64 *vals = NULL, key, next, *prev = NULL;
	struct caller_guard g;
	__u32 idx;

	free(snap->callers);
	memset(snap, 0, sizeof(*snap));
	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals) {
		err = -ENOMEM;
		goto out;
	}
	/* The state first: the counters printed are then at least as new. */
	if (env.state) {
		err = read_kstate_consistent(obj, &snap->end);
		if (err)
			goto out;
	}
	err = read_stats(obj, &snap->s);
	if (err)
		goto out;
	fd = bpf_map__fd(obj->maps.depth_hist);
	for (idx = 0; idx < MAX_DEPTH; idx++) {
		if (bpf_map_lookup_elem(fd, &idx, vals)) {
			err = -errno;
			goto out;
		}
		for (c = 0; c < ncpu; c++)
			snap->depth[idx] += vals[c];
	}
	fd = bpf_map__fd(obj->maps.guard_by_caller);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &g)) {
			void *p = realloc(snap->callers, (snap->ncallers + 1) * sizeof(*snap->callers));

			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			snap->callers = p;
			snap->callers[snap->ncallers].caller = next;
			snap->callers[snap->ncallers].g = g;
			snap->ncallers++;
		}
		key = next;
		prev = &key;
	}
	qsort(snap->callers, snap->ncallers, sizeof(*snap->callers), caller_cmp);
out:
	free(vals);
	return err;
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
		for (i = 0; i < snap->end.n; i++)
			printf("  %-24s %20llu %20llu\n", snap->end.name[i],
			       (unsigned long long)kstate_get(start, snap->end.name[i]), snap->end.val[i]);
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
	fflush(stdout);
}

static void print_json(FILE *f, const struct snapshot *snap, const struct kstate *start, const struct ksyms *ks)
{
	const struct vmtree_stats *s = &snap->s;
	char buf[256], ts[16];
	bool first = true;
	int i;

	fprintf(f, "{");
	if (cli.timestamp)
		fprintf(f, "\"time\":\"%s\",", timestamp(ts, sizeof(ts)));
	fprintf(f, "\"reserved\":%llu,\"failed\":%llu,\"pool_hits\":%llu,\"tree_searches\":%llu,"
		"\"depth_sum\":%llu,\"purges\":%llu,\"purged\":%llu,",
		(unsigned long long)s->reserved, (unsigned long long)s->failed, (unsigned long long)s->pool_hits,
		(unsigned long long)s->tree_searches, (unsigned long long)s->depth_sum,
		(unsigned long long)s->purges, (unsigned long long)s->purged);
	fprintf(f, "\"depth_hist\":[");
	for (i = 0; i < MAX_DEPTH; i++) {
		if (!snap->depth[i])
			continue;
		fprintf(f, "%s{\"nodes\":%d,\"count\":%llu}", first ? "" : ",", i, (unsigned long long)snap->depth[i]);
		first = false;
	}
	fprintf(f, "],\"guard\":{\"areas\":%llu,\"bytes\":%llu,\"noguard_vmallocs\":%llu,\"freed_areas\":%llu,"
		"\"freed_bytes\":%llu,\"freed_before_areas\":%llu,\"freed_before_bytes\":%llu,\"live_change_bytes\":%lld}",
		(unsigned long long)s->guard_areas, (unsigned long long)s->guard_bytes,
		(unsigned long long)s->noguard_vmallocs, (unsigned long long)s->freed_guard_areas,
		(unsigned long long)s->freed_guard_bytes, (unsigned long long)s->freed_before_areas,
		(unsigned long long)s->freed_before_bytes,
		(long long)s->guard_bytes - (long long)s->freed_guard_bytes);
	fprintf(f, ",\"lost\":%llu", (unsigned long long)s->lost);
	if (env.state && start->n) {
		long long kd, td;
		const char *verdict = agreement(snap, start, &kd, &td);

		fprintf(f, ",\"kernel_guard_change_bytes\":%lld,\"traced_guard_change_bytes\":%lld,"
			"\"guard_check\":\"%s\",\"state_start\":{", kd, td, verdict);
		for (i = 0; i < start->n; i++)
			fprintf(f, "%s\"%s\":%llu", i ? "," : "", start->name[i], start->val[i]);
		fprintf(f, "},\"state_end\":{");
		for (i = 0; i < snap->end.n; i++)
			fprintf(f, "%s\"%s\":%llu", i ? "," : "", snap->end.name[i], snap->end.val[i]);
		fprintf(f, "}");
	}
	if (env.by_caller) {
		fprintf(f, ",\"guard_by_caller\":[");
		for (i = 0; i < (int)snap->ncallers; i++) {
			const struct caller_guard *g = &snap->callers[i].g;

			fprintf(f, "%s{\"caller\":\"%s\",\"areas\":%llu,\"bytes\":%llu,\"freed_areas\":%llu,\"freed_bytes\":%llu}",
				i ? "," : "", snap->callers[i].caller ? ksyms__describe(ks, snap->callers[i].caller, buf, sizeof(buf)) : "(outside vmalloc)",
				(unsigned long long)g->areas, (unsigned long long)g->bytes,
				(unsigned long long)g->freed_areas, (unsigned long long)g->freed_bytes);
		}
		fprintf(f, "]");
	}
	fprintf(f, "}\n");
	fflush(f);
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
	struct vmtree_bpf *obj = NULL;
	struct snapshot snap = {};
	struct kstate start = {};
	struct ksyms *ks = NULL;
	struct bpf_program *p;
	FILE *jf = NULL;
	bool btf;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 1;

	libbpf_set_print(cli_libbpf_print);
	if (probe_environment())
		return 1;
	if (!probe_tracepoint("vmalloc", "vmalloc_va_reserved") || !probe_tracepoint("vmalloc", "vmalloc_area_free")) {
		fprintf(stderr, "vmtree: this kernel has no vmalloc:vmalloc_va_reserved/vmalloc_area_free events: "
			"search depth and guard pages need the vmscope series\n");
		return 1;
	}
	if (env.state && access(STATE_FILE, R_OK)) {
		fprintf(stderr, "vmtree: -s needs %s (the vmscope series, debugfs mounted): %s\n",
			STATE_FILE, strerror(errno));
		return 1;
	}
	if (cli_open_json_file("vmtree", &jf))
		return 1;

	obj = vmtree_bpf__open();
	if (!obj) {
		fprintf(stderr, "vmtree: failed to open BPF object: %s\n", strerror(errno));
		err = 1;
		goto cleanup;
	}
	obj->rodata->targ_tgid = cli.pid;
	if (cli.comm) {
		obj->rodata->filter_comm = true;
		strncpy((char *)obj->rodata->targ_comm, cli.comm, TASK_COMM_LEN - 1);
	}
	obj->rodata->by_caller = env.by_caller;
	btf = probe_tp_btf("vmalloc_va_reserved");
	bpf_object__for_each_program(p, obj->obj)
		bpf_program__set_autoload(p, !strncmp(bpf_program__section_name(p), "tp_btf/", 7) == btf);
	/* Names for callers in modules that unload before we print. */
	bpf_program__set_autoload(obj->progs.module_load_btf, env.by_caller && probe_tp_btf("module_load"));

	err = vmtree_bpf__load(obj);
	if (err) {
		fprintf(stderr, "vmtree: failed to load BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}
	err = vmtree_bpf__attach(obj);
	if (err) {
		fprintf(stderr, "vmtree: failed to attach BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}
	/* After attaching: what the kernel counts from here on, we see. */
	if (env.state) {
		err = read_kstate_consistent(obj, &start);
		if (err) {
			fprintf(stderr, "vmtree: cannot read %s: %s\n", STATE_FILE, strerror(-err));
			goto cleanup;
		}
	}
	if (env.by_caller) {
		ks = ksyms__load();
		if (!ks)
			fprintf(stderr, "vmtree: cannot read /proc/kallsyms; callers shown as addresses\n");
	}
	if (cli_setup_signals()) {
		err = 1;
		goto cleanup;
	}
	fprintf(stderr, "Tracing vmap area reservations (%s)... Hit Ctrl-C to end.\n", btf ? "tp_btf" : "tracepoint");

	while (!cli_exiting) {
		/* Returns early on a signal: the last interval is printed. */
		wait_interval(cli.interval, &cli_exiting, ks);
		err = take_snapshot(obj, &snap);
		ksyms__add_module_texts(ks, bpf_map__fd(obj->maps.module_texts));
		if (err) {
			fprintf(stderr, "vmtree: failed to read counters: %s\n", strerror(-err));
			break;
		}
		if (cli.json)
			print_json(stdout, &snap, &start, ks);
		else
			print_text(&snap, &start, ks);
		if (jf)
			print_json(jf, &snap, &start, ks);
		if (--cli.times == 0)
			break;
	}

cleanup:
	free(snap.callers);
	vmtree_bpf__destroy(obj);
	ksyms__free(ks);
	if (jf)
		fclose(jf);
	return err != 0;
}
