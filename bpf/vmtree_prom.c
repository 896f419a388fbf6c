// SPDX-License-Identifier: GPL-2.0
/*
 * vmtree's Prometheus metrics: vmap area reservations (pool hits, free-tree
 * searches and their depth as a histogram of nodes visited, purges,
 * failures), guard pages reserved, freed and live, what was lost. Read from
 * the maps at each scrape; the BPF side keeps them cumulative since the
 * start, and nothing is ever taken out of its maps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmtree.h"
#include "probe.h"
#include "trace_helpers.h"
#include "cli.h"
#include "tool_prom.h"

static struct {
	struct prom *p;
	struct vmtree_prom_src src;
	struct prom_cap callers;
} tp;

static void counter(FILE *f, const char *name, const char *help, unsigned long long v)
{
	prom_family(f, name, "counter", help);
	prom_u64(f, name, NULL, v);
}

/* Guard pages per caller (-C), capped: the rest summed as caller="other". */
static int collect_callers(FILE *f)
{
	struct caller_guard *sum, g;
	__u64 key, next, *prev = NULL;
	char buf[256], labels[600], esc[512];
	int n = tp.callers.max + 1, i, l;

	sum = calloc(n, sizeof(*sum));
	if (!sum)
		return -ENOMEM;
	/* A caller's label is made once: name callers in modules gone already (test_vmalloc). */
	ksyms__add_module_texts(tp.src.ks, tp.src.module_texts_fd);
	while (!bpf_map_get_next_key(tp.src.callers_fd, prev, &next)) {
		if (!bpf_map_lookup_elem(tp.src.callers_fd, &next, &g)) {
			l = prom_cap_index(&tp.callers, next,
					   next ? ksyms__describe(tp.src.ks, next, buf, sizeof(buf)) : "none");
			if (l < 0) {
				free(sum);
				return -ENOMEM;
			}
			sum[l].areas += g.areas;
			sum[l].bytes += g.bytes;
			sum[l].freed_areas += g.freed_areas;
			sum[l].freed_bytes += g.freed_bytes;
		}
		key = next;
		prev = &key;
	}
	prom_family(f, "vmscope_vmap_caller_guard_areas_total", "counter",
		    "vmap areas with a guard page reserved or freed during the run, by vmalloc caller "
		    "(none: outside vmalloc; other: beyond --max-callers)");
	for (i = 0; i < n; i++) {
		if (!sum[i].areas && !sum[i].freed_areas)
			continue;
		prom_escape(prom_cap_name(&tp.callers, i), esc, sizeof(esc));
		snprintf(labels, sizeof(labels), "caller=\"%s\",event=\"reserved\"", esc);
		prom_u64(f, "vmscope_vmap_caller_guard_areas_total", labels, sum[i].areas);
		snprintf(labels, sizeof(labels), "caller=\"%s\",event=\"freed\"", esc);
		prom_u64(f, "vmscope_vmap_caller_guard_areas_total", labels, sum[i].freed_areas);
	}
	prom_family(f, "vmscope_vmap_caller_guard_bytes_total", "counter",
		    "guard-page bytes reserved or freed during the run, by vmalloc caller");
	for (i = 0; i < n; i++) {
		if (!sum[i].areas && !sum[i].freed_areas)
			continue;
		prom_escape(prom_cap_name(&tp.callers, i), esc, sizeof(esc));
		snprintf(labels, sizeof(labels), "caller=\"%s\",event=\"reserved\"", esc);
		prom_u64(f, "vmscope_vmap_caller_guard_bytes_total", labels, sum[i].bytes);
		snprintf(labels, sizeof(labels), "caller=\"%s\",event=\"freed\"", esc);
		prom_u64(f, "vmscope_vmap_caller_guard_bytes_total", labels, sum[i].freed_bytes);
	}
	free(sum);
	return 0;
}

static int collect(FILE *f, void *ctx)
{
	unsigned long long le[MAX_DEPTH - 1];
	__u64 depth[MAX_DEPTH];
	struct vmtree_stats s;
	struct prog_misses m;
	__u32 idx;
	int err = 0;

	for (idx = 0; idx < MAX_DEPTH && !err; idx++)
		err = percpu_sum(tp.src.depth_fd, &idx, &depth[idx], 1);
	/* The counters after the histogram: they hold at least what it does. */
	idx = 0;
	err = err ?: percpu_sum(tp.src.stats_fd, &idx, (__u64 *)&s, sizeof(s) / sizeof(__u64));
	if (err)
		return err;
	read_misses(tp.src.obj, tp.src.links, &m);

	counter(f, "vmscope_vmap_reservations_total", "vmap areas reserved (pool hits + free-tree searches)", s.reserved);
	counter(f, "vmscope_vmap_reservation_failures_total", "vmap area reservations that failed", s.failed);
	counter(f, "vmscope_vmap_pool_hits_total", "reservations served from a per-node pool", s.pool_hits);
	counter(f, "vmscope_vmap_tree_searches_total", "reservations served by a free-tree search", s.tree_searches);
	for (idx = 0; idx < MAX_DEPTH - 1; idx++)
		le[idx] = idx;
	prom_family(f, "vmscope_vmap_search_depth_nodes", "histogram", "free-tree nodes visited per search");
	prom_histogram(f, "vmscope_vmap_search_depth_nodes", NULL, depth, MAX_DEPTH, le, MAX_DEPTH - 1, 0, s.depth_sum);
	counter(f, "vmscope_vmap_purges_total", "purge-and-retry rounds of reservations", s.purges);
	counter(f, "vmscope_vmap_purged_reservations_total", "reservations that needed a purge", s.purged);
	counter(f, "vmscope_vmap_guard_reserved_areas_total", "vmap areas reserved with a guard page", s.guard_areas);
	counter(f, "vmscope_vmap_guard_reserved_bytes_total", "guard-page bytes reserved", s.guard_bytes);
	counter(f, "vmscope_vmap_guard_freed_areas_total",
		"vmap areas with a guard page freed (also those reserved before the start)", s.freed_guard_areas);
	counter(f, "vmscope_vmap_guard_freed_bytes_total", "guard-page bytes freed", s.freed_guard_bytes);
	counter(f, "vmscope_vmap_guard_freed_preexisting_areas_total",
		"of the freed areas, those reserved before the start", s.freed_before_areas);
	counter(f, "vmscope_vmap_guard_freed_preexisting_bytes_total",
		"of the freed guard-page bytes, those reserved before the start", s.freed_before_bytes);
	prom_family(f, "vmscope_vmap_guard_live_areas", "gauge",
		    "vmap areas with a guard page reserved since the start and not freed yet");
	prom_s64(f, "vmscope_vmap_guard_live_areas", NULL,
		 (long long)s.guard_areas - (long long)(s.freed_guard_areas - s.freed_before_areas));
	prom_family(f, "vmscope_vmap_guard_live_bytes", "gauge",
		    "guard-page bytes reserved since the start and not freed yet");
	prom_s64(f, "vmscope_vmap_guard_live_bytes", NULL,
		 (long long)s.guard_bytes - (long long)(s.freed_guard_bytes - s.freed_before_bytes));
	counter(f, "vmscope_vmap_noguard_vmallocs_total", "vmalloc areas reserved without a guard page (VM_NO_GUARD)",
		s.noguard_vmallocs);
	prom_family(f, "vmscope_vmtree_lost_total", "counter",
		    "not tracked: untracked_area (a map was full), frames (callers: no task storage, too deep), "
		    "stale (exit missed)");
	prom_u64(f, "vmscope_vmtree_lost_total", "reason=\"untracked_area\"", s.lost);
	prom_u64(f, "vmscope_vmtree_lost_total", "reason=\"frames\"", s.lost_frames);
	prom_u64(f, "vmscope_vmtree_lost_total", "reason=\"stale\"", s.stale);
	prom_family(f, "vmscope_vmtree_missed_runs_total", "counter", "BPF program runs the kernel skipped (recursion)");
	prom_u64(f, "vmscope_vmtree_missed_runs_total", "cause=\"recursion\"", m.recursion);
	return tp.src.by_caller ? collect_callers(f) : 0;
}

static void idle(void *ctx, int ms)
{
	prom_poll(tp.p, ms);
}

int vmtree_prom_open(void)
{
	return prom_open("vmtree", &tp.p);
}

int vmtree_prom_start(const struct vmtree_prom_src *src)
{
	if (!tp.p)
		return 0;
	tp.src = *src;
	tp.callers.max = src->by_caller ? prom_opts.max_callers : 0;
	prom_set_collector(tp.p, collect, NULL, cli.interval);
	prom_set_stop(tp.p, &cli_exiting);
	cli_set_idle(idle, NULL);
	return 0;
}

int vmtree_prom_close(void)
{
	int err = prom_close(tp.p);

	cli_set_idle(NULL, NULL);
	prom_cap_free(&tp.callers);
	memset(&tp, 0, sizeof(tp));
	return err;
}
