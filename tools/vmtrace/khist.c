// SPDX-License-Identifier: GPL-2.0
/*
 * vmtrace hist --kernel: the histograms kept by ftrace hist triggers in the
 * private instance, read back once at the end; no record reaches user
 * space. A hist trigger has at most 3 keys and buckets a field with .log2
 * as ceil(log2(v)) (the kernel's ilog2(roundup_pow_of_two(v))): its slot k
 * holds (2^(k-1), 2^k], one off vmlat's floor for values that are not a
 * power of two, so the slots are printed with the kernel's bounds. Counts
 * and sums are exact. Guard pages by caller and frees need the pairing the
 * live path does (address to caller): not here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vmtrace.h"
#include "json.h"

static const char *const stage_fields[VM_NR_STAGES] = {
	"reserve_ns", "page_array_ns", "pages_ns", "map_ns", "publish_ns", "total_ns",
};
/* vmlat counts a stage when the allocation reached it (kernel stage numbers). */
static const char *const stage_reached[VM_NR_STAGES] = {
	NULL, "(stage == 0 || stage >= 3)", "(stage == 0 || stage >= 4)", "(stage == 0 || stage >= 5)",
	"stage == 0", NULL,
};

struct khist {
	unsigned long long slots[2][VM_NR_STAGES][HIST_SLOTS + 1];	/* by ceil(log2) */
	unsigned long long count[2][VM_NR_STAGES], sum[2][VM_NR_STAGES];
	unsigned long long failed_kstage[8];
	struct vm_tree_counts tree;
	unsigned long long depth[VM_MAX_DEPTH];
	unsigned long long dropped;	/* the hist tables' "Dropped:": entries that did not fit */
};

/*
 * The triggers set: a hist per stage, the failed stages, two on
 * vmalloc_va_reserved. Each kept as its spec and filter: the same text with
 * ":pause" pauses it, with "!" removes it.
 */
#define NR_TRIGGERS	(VM_NR_STAGES + 3)
static struct { const char *event; char *spec, *filter; } triggers[NR_TRIGGERS];
static int ntriggers;

/* Writes "[!]SPEC[:pause][ if FILTER]" to EVENT's trigger file. */
static int write_trigger(struct vt_trace *t, int i, const char *prefix, const char *suffix)
{
	char *cmd;
	int ret;

	if (asprintf(&cmd, "%s%s%s%s%s", prefix, triggers[i].spec, suffix, triggers[i].filter ? " if " : "",
		     triggers[i].filter ? triggers[i].filter : "") < 0)
		return -1;
	ret = tracefs_event_file_append(t->inst, "vmalloc", triggers[i].event, "trigger", cmd);
	if (ret < 0)
		fprintf(stderr, "vmtrace: the kernel refused the hist trigger '%s' on vmalloc:%s: %s\n", cmd,
			triggers[i].event, strerror(errno));
	free(cmd);
	return ret < 0 ? -1 : 0;
}

static int add_trigger(struct vt_trace *t, const char *event, const char *spec, const char *f1, const char *f2)
{
	int i = ntriggers;

	if (i >= NR_TRIGGERS) {
		fprintf(stderr, "vmtrace: internal error: more than %d hist triggers\n", NR_TRIGGERS);
		return -1;
	}
	triggers[i].event = event;
	triggers[i].spec = strdup(spec);
	triggers[i].filter = NULL;
	if (!triggers[i].spec ||
	    ((f1 || f2) && asprintf(&triggers[i].filter, "%s%s%s%s%s", f1 ? f1 : "", f1 && f2 ? " && " : "",
				    f2 ? "(" : "", f2 ? f2 : "", f2 ? ")" : "") < 0)) {
		free(triggers[i].spec);
		fprintf(stderr, "vmtrace: out of memory\n");
		return -1;
	}
	if (write_trigger(t, i, "", "")) {
		free(triggers[i].spec);
		free(triggers[i].filter);
		return -1;
	}
	ntriggers++;
	return 0;
}

/* A number after "NAME:" in LINE (a hist entry), or 0. */
static unsigned long long num_after(const char *line, const char *name, bool *found)
{
	const char *p = strstr(line, name);

	if (!p) {
		*found = false;
		return 0;
	}
	p += strlen(name);
	while (*p == ' ' || *p == '~')
		p++;
	if (!strncmp(p, "2^", 2))
		p += 2;
	return strtoull(p, NULL, 10);
}

/*
 * Each "{ key: v, ... } hitcount: n  field: sum" line of the hist file's
 * section whose trigger info has KEYS into FN.
 */
static int read_hist(struct vt_trace *t, const char *event, const char *keys,
		     void (*fn)(struct khist *, int, const char *), struct khist *k)
{
	char *s = tracefs_event_file_read(t->inst, "vmalloc", event, "hist", NULL), *line, *save;
	bool ours = false;

	if (!s) {
		fprintf(stderr, "vmtrace: cannot read vmalloc:%s's hist: %s\n", event, strerror(errno));
		return -1;
	}
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *d = line + strspn(line, " ");

		if (!strncmp(line, "# trigger info: ", 16))
			ours = strstr(line, keys) != NULL;
		else if (ours && line[0] == '{')
			fn(k, 0, line);
		else if (ours && !strncmp(d, "Dropped:", 8))
			k->dropped += strtoull(d + 8, NULL, 10);
	}
	free(s);
	return 0;
}

static int cur_stage;

static void on_stage_line(struct khist *k, int unused, const char *line)
{
	char key[32];
	bool ok = true;
	unsigned long long nested = num_after(line, "nested:", &ok), slot, hits, sum;

	snprintf(key, sizeof(key), "%s:", stage_fields[cur_stage]);
	slot = num_after(line, key, &ok);
	hits = num_after(line, "hitcount:", &ok);
	/* The value's sum follows the hitcount. */
	sum = ok ? num_after(strstr(line, "hitcount:"), key, &ok) : 0;
	if (!ok)
		return;
	nested = !!nested;
	k->slots[nested][cur_stage][slot < HIST_SLOTS ? slot : HIST_SLOTS] += hits;
	k->count[nested][cur_stage] += hits;
	k->sum[nested][cur_stage] += sum;
}

static void on_failed_line(struct khist *k, int unused, const char *line)
{
	bool ok = true;
	unsigned long long st = num_after(line, "stage:", &ok), hits = num_after(line, "hitcount:", &ok);

	if (ok && st < 8)
		k->failed_kstage[st] += hits;
}

static void on_reserve_line(struct khist *k, int unused, const char *line)
{
	bool ok = true;
	unsigned long long hit = num_after(line, "pool_hit:", &ok), failed = num_after(line, "failed:", &ok);
	unsigned long long depth = num_after(line, "depth:", &ok), hits = num_after(line, "hitcount:", &ok);

	if (!ok)
		return;
	if (failed) {
		k->tree.failed += hits;
		return;
	}
	k->tree.reserved += hits;
	if (hit) {
		k->tree.pool_hits += hits;
	} else {
		k->tree.tree_searches += hits;
		k->tree.depth_sum += depth * hits;
		k->depth[depth < VM_MAX_DEPTH ? depth : VM_MAX_DEPTH - 1] += hits;
	}
}

/* Successful reservations by guard size and purge retries. */
static void on_guard_line(struct khist *k, int unused, const char *line)
{
	bool ok = true;
	unsigned long long guard = num_after(line, "guard:", &ok), purges = num_after(line, "purges:", &ok);
	unsigned long long hits = num_after(line, "hitcount:", &ok);

	if (!ok)
		return;
	if (guard) {
		k->tree.guard_areas += hits;
		k->tree.guard_bytes += guard * hits;
	}
	if (purges) {
		k->tree.purged += hits;
		k->tree.purges += purges * hits;
	}
}

/*
 * The summary: counts, shares and averages are exact; a hist trigger has no
 * log-linear buckets and no maximum, so no percentiles or max (said so, in
 * the text and the JSON, rather than figures from log2 buckets 2x apart).
 */
static struct vm_summary_in (*summary_in(const struct khist *k))[VM_NR_STAGES]
{
	struct vm_summary_in (*in)[VM_NR_STAGES] = calloc(2, sizeof(*in));
	int n, st;

	for (n = 0; in && n < 2; n++) {
		for (st = 0; st < VM_NR_STAGES; st++) {
			in[n][st].count = k->count[n][st];
			in[n][st].sum_ns = k->sum[n][st];
		}
	}
	if (!in)
		fprintf(stderr, "vmtrace: out of memory\n");
	return in;
}

static int print_khist(const struct khist *k)
{
	unsigned long long allocs = k->count[0][VM_STAGE_TOTAL] + k->count[1][VM_STAGE_TOTAL], failed = 0;
	struct vm_summary_in (*in)[VM_NR_STAGES] = summary_in(k);
	bool first = true;
	int n, st, i;

	if (!in)
		return -1;
	for (i = 1; i < 8; i++)
		failed += k->failed_kstage[i];
	if (env.json) {
		printf("{\"source\":\"kernel\",\"mode\":\"stages\",\"unit\":\"nsecs\",\"stages\":true,\"allocs\":%llu,"
		       "\"nested\":%llu,\"failed\":%llu,", allocs, k->count[1][VM_STAGE_TOTAL], failed);
		schema_summary(stdout, in, false);
		free(in);
		printf(",\"slots_bound\":\"ceil\",\"hists\":[");
		for (n = 0; n < 2; n++)
			for (st = 0; st < VM_NR_STAGES; st++) {
				bool f2 = true;

				if (!k->count[n][st])
					continue;
				schema_hist_open(stdout, first, st, n);
				printf(",\"count\":%llu,\"sum_ns\":%llu,\"slots\":[", k->count[n][st], k->sum[n][st]);
				for (i = 0; i <= HIST_SLOTS; i++) {
					if (!k->slots[n][st][i])
						continue;
					printf("%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}", f2 ? "" : ",",
					       i ? (1ULL << (i - 1)) + 1 : 0, i < 64 ? 1ULL << i : ~0ULL,
					       k->slots[n][st][i]);
					f2 = false;
				}
				printf("]}");
				first = false;
			}
		/* Frees and VM_NO_GUARD need the address pairing: not measured, so not printed. */
		printf("],\"tree\":{");
		schema_tree_reserved_only(stdout, &k->tree, k->depth, VM_MAX_DEPTH);
		printf("},\"dropped\":%llu}\n", k->dropped);
		return vt_output_check(stdout);
	}
	print_summary(in, false, false);
	free(in);
	for (n = 0; n < 2; n++)
		for (st = 0; st < VM_NR_STAGES; st++) {
			if (!k->count[n][st])
				continue;
			printf("\n%s stage %s: %llu allocations, average %llu ns (kernel buckets: (2^(k-1), 2^k])\n",
			       n ? "nested" : "top-level", vm_stage_names[st], k->count[n][st],
			       k->sum[n][st] / k->count[n][st]);
			for (i = 0; i <= HIST_SLOTS; i++)
				if (k->slots[n][st][i])
					printf("%20llu -> %-20llu : %llu\n", i ? (1ULL << (i - 1)) + 1 : 0, 1ULL << i,
					       k->slots[n][st][i]);
		}
	printf("\nallocations %llu (nested %llu), failed %llu\n", allocs, k->count[1][VM_STAGE_TOTAL], failed);
	printf("vmap area reservations: %llu (failed %llu), pool hits %llu, free-tree searches %llu (nodes %llu), "
	       "purge retries %llu; guard pages reserved: %llu bytes\n", k->tree.reserved, k->tree.failed,
	       k->tree.pool_hits, k->tree.tree_searches, k->tree.depth_sum, k->tree.purges, k->tree.guard_bytes);
	printf("(frees and guard pages by caller: not with --kernel)\n");
	return vt_output_check(stdout);
}

int vt_khist_run(struct vt_trace *t, const char *filter_stages, const char *filter_res)
{
	struct khist *k = calloc(1, sizeof(*k));
	char spec[256];
	int st, ret = 1;
	struct timespec step = { 0, 100 * 1000 * 1000 };
	long long waited = 0;

	if (!k)
		return 1;
	for (st = 0; st < VM_NR_STAGES; st++) {
		snprintf(spec, sizeof(spec), "hist:keys=nested,%s.log2:vals=hitcount,%s:size=256",
			 stage_fields[st], stage_fields[st]);
		if (add_trigger(t, "vmalloc_alloc_stages", spec, stage_reached[st], filter_stages))
			goto out;
	}
	if (add_trigger(t, "vmalloc_alloc_stages", "hist:keys=stage:vals=hitcount:size=128", "stage != 0", filter_stages))
		goto out;
	if (add_trigger(t, "vmalloc_va_reserved", "hist:keys=failed,pool_hit,depth:vals=hitcount:size=1024",
			NULL, filter_res) ||
	    add_trigger(t, "vmalloc_va_reserved", "hist:keys=guard,purges:vals=hitcount:size=128", "failed == 0",
			filter_res))
		goto out;
	fprintf(stderr, "Tracing vmalloc stages into hist triggers (tracefs instance %s)... Hit Ctrl-C to end.\n",
		t->name);
	/* Triggers fire whether or not the events are recorded: nothing to read until the end. */
	while (!vt_exiting && (!env.interval || waited < env.interval * 1000LL)) {
		nanosleep(&step, NULL);
		waited += 100;
	}
	/* Paused, the tables hold still while they are read one after the other. */
	for (st = 0; st < ntriggers; st++)
		if (write_trigger(t, st, "", ":pause"))
			goto out;
	/* Read one after the other: a vmalloc meanwhile may show in some and not others. */
	for (cur_stage = 0; cur_stage < VM_NR_STAGES; cur_stage++) {
		snprintf(spec, sizeof(spec), "keys=nested,%s.log2:", stage_fields[cur_stage]);
		if (read_hist(t, "vmalloc_alloc_stages", spec, on_stage_line, k))
			goto out;
	}
	if (read_hist(t, "vmalloc_alloc_stages", "keys=stage:", on_failed_line, k) ||
	    read_hist(t, "vmalloc_va_reserved", "keys=failed,pool_hit,depth:", on_reserve_line, k) ||
	    read_hist(t, "vmalloc_va_reserved", "keys=guard,purges:", on_guard_line, k))
		goto out;
	if (print_khist(k))
		goto out;
	if (k->dropped) {
		fprintf(stderr, "vmtrace: the hist tables were full: %llu events dropped, the figures are incomplete\n",
			k->dropped);
		goto out;
	}
	ret = 0;
out:
	/* A trigger holds its event: the instance cannot go before them. */
	while (ntriggers-- > 0) {
		write_trigger(t, ntriggers, "!", "");
		free(triggers[ntriggers].spec);
		free(triggers[ntriggers].filter);
	}
	ntriggers = 0;
	free(k);
	return ret;
}
