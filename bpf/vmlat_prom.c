// SPDX-License-Identifier: GPL-2.0
/*
 * vmlat's Prometheus metrics: per-stage latency histograms in seconds
 * (labels stage, nested, and caller with -C), failures per stage, what was
 * lost, program runs the kernel missed. Read from the maps at each scrape:
 * the BPF side keeps everything cumulative, so these are counters since
 * the start. Breakdown histograms that vmlat prunes from its hash keep
 * their counts here (retired), so that no counter ever goes down.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmlat.h"
#include "probe.h"
#include "trace_helpers.h"
#include "cli.h"
#include "schema.h"
#include "tool_prom.h"

#define NAME_LAT "vmscope_vmalloc_latency_seconds"

static struct {
	struct prom *p;
	struct vmlat_prom_src src;
	struct prom_cap callers;
	struct hist *retired;	/* [callers.max + 1][2][NR_STAGES] */
	__u64 kprobe_missed;	/* the highest read: links go before the last scrape */
} vp;

static struct hist *slot_of(struct hist *base, int label, int nested, int stage)
{
	return &base[(label * 2 + nested) * NR_STAGES + stage];
}

static void hist_add(struct hist *a, const struct hist *b)
{
	for (int i = 0; i < MAX_SLOTS; i++)
		a->slots[i] += b->slots[i];
	a->sum_ns += b->sum_ns;
}

/* The label index of KEY: 0 without -C, else its caller's (capped). */
static int label_of(const struct hist_key *key)
{
	char buf[256];

	if (!vp.src.by_caller)
		return 0;
	return prom_cap_index(&vp.callers, key->caller,
			      key->caller ? ksyms__describe(vp.src.ks, key->caller, buf, sizeof(buf)) : "none");
}

static bool measured(int stage)
{
	return !vp.src.stages || (vp.src.stages >> stage & 1);
}

static int nlabels(void)
{
	return vp.src.by_caller ? vp.callers.max + 1 : 1;
}

void vmlat_prom_retire(const struct hist_key *key, const struct hist *h)
{
	int l;

	/* Without -C the exporter reads the flat map, which loses nothing. */
	if (!vp.retired || !vp.src.by_caller)
		return;
	l = label_of(key);
	if (l >= 0)
		hist_add(slot_of(vp.retired, l, !!key->nested, key->stage % NR_STAGES), h);
}

/* Every histogram, summed per label set: retired + what the maps hold now. */
static int gather(struct hist *all)
{
	struct hist_key key, next, *prev = NULL;
	struct stage_hists sh;
	struct hist h;
	__u32 idx;
	int i, l, err;

	memcpy(all, vp.retired, sizeof(*all) * nlabels() * 2 * NR_STAGES);
	/* Without -C (-P, -S or no breakdown) the exact per-CPU map: the labels are stage and nested only. */
	for (idx = 0; idx < 2 && !vp.src.by_caller; idx++) {
		err = vmlat_read_flat(vp.src.flat_fd, idx, vp.src.unit_div, &sh);
		if (err)
			return err;
		for (i = 0; i < NR_STAGES; i++)
			hist_add(slot_of(all, 0, idx, i), &sh.h[i]);
	}
	while (vp.src.by_caller && !bpf_map_get_next_key(vp.src.hash_fd, prev, &next)) {
		if (!bpf_map_lookup_elem(vp.src.hash_fd, &next, &h)) {
			l = label_of(&next);
			if (l < 0)
				return -ENOMEM;
			hist_add(slot_of(all, l, !!next.nested, next.stage % NR_STAGES), &h);
		}
		key = next;
		prev = &key;
	}
	return 0;
}

static unsigned long long count_of(const struct hist *h)
{
	unsigned long long c = 0;

	for (int i = 0; i < MAX_SLOTS; i++)
		c += h->slots[i];
	return c;
}

static int collect(FILE *f, void *ctx)
{
	struct hist *all = calloc(nlabels() * 2 * NR_STAGES, sizeof(*all));
	unsigned long long le[MAX_SLOTS - 1];
	struct vmlat_stats s;
	struct prog_misses m;
	char labels[640], esc[512];
	unsigned long long staged = 0;
	__u32 idx = 0;
	int err, l, n, st;

	if (!all)
		return -ENOMEM;
	/* A caller's label is made once: name callers in modules gone already (test_vmalloc). */
	if (vp.src.by_caller)
		ksyms__add_module_texts(vp.src.ks, vp.src.module_texts_fd);
	err = gather(all);
	/* The counters after the histograms: they hold at least what those do. */
	err = err ?: percpu_sum(vp.src.stats_fd, &idx, (__u64 *)&s, sizeof(s) / sizeof(__u64));
	if (err) {
		free(all);
		return err;
	}
	read_misses(vp.src.obj, vp.src.links, &m);
	if (m.kprobe > vp.kprobe_missed)
		vp.kprobe_missed = m.kprobe;

	prom_family(f, "vmscope_vmlat_mode_info", "gauge",
		    "vmlat's source of events: mode stages, events (the series' events), funcs (a stock kernel's functions), "
		    "fentry or kprobe (total only); via tp_btf, tracepoint, fentry or kprobe");
	snprintf(labels, sizeof(labels), "mode=\"%s\",via=\"%s\"", vp.src.mode, vp.src.via ? vp.src.via : "");
	prom_u64(f, "vmscope_vmlat_mode_info", labels, 1);

	/* Slot I holds up to 2^(I+1) - 1 display units: in ns, up to 2^(I+1) * unit - 1. */
	for (n = 0; n < MAX_SLOTS - 1; n++)
		le[n] = log2_slot_high(n) * vp.src.unit_div - 1;
	prom_family(f, NAME_LAT, "histogram",
		    "vmalloc latency per stage of the vmscope stage model (reserve, page_array, pages, map, publish) "
		    "and in total; nested: a vmalloc inside another's page_array stage");
	for (l = 0; l < nlabels(); l++) {
		for (n = 0; n < 2; n++) {
			for (st = 0; st < NR_STAGES; st++) {
				const struct hist *h = slot_of(all, l, n, st);

				/* Only what the mode measures (total only: stage="total"). */
				if (!measured(st))
					continue;
				/* With -C a label set shows once it has counted something. */
				if (vp.src.by_caller && !count_of(h))
					continue;
				snprintf(labels, sizeof(labels), "stage=\"%s\",nested=\"%d\"", vm_stage_name(st), n);
				if (vp.src.by_caller)
					snprintf(labels + strlen(labels), sizeof(labels) - strlen(labels),
						 ",caller=\"%s\"", prom_escape(prom_cap_name(&vp.callers, l), esc, sizeof(esc)));
				prom_histogram(f, NAME_LAT, labels, h->slots, MAX_SLOTS, le, MAX_SLOTS - 1, 9, h->sum_ns);
			}
		}
	}
	free(all);

	prom_family(f, "vmscope_vmalloc_failures_total", "counter",
		    "vmallocs that returned NULL, by the stage that failed (unknown: the mode does not tell)");
	for (st = 0; st < STAGE_TOTAL; st++) {
		if (!measured(st))
			continue;
		snprintf(labels, sizeof(labels), "stage=\"%s\"", vm_stage_name(st));
		prom_u64(f, "vmscope_vmalloc_failures_total", labels, s.failed_stage[st]);
		staged += s.failed_stage[st];
	}
	/* All failures count: total-only and funcs modes know no stage (or not every one). */
	prom_u64(f, "vmscope_vmalloc_failures_total", "stage=\"unknown\"", s.failed > staged ? s.failed - staged : 0);
	prom_family(f, "vmscope_vmlat_lost_total", "counter",
		    "vmallocs not measured: frames (over --max-threads, nesting too deep, no task storage), "
		    "stale (exit missed), histogram_map_full");
	prom_u64(f, "vmscope_vmlat_lost_total", "reason=\"frames\"", s.lost_frames);
	prom_u64(f, "vmscope_vmlat_lost_total", "reason=\"stale\"", s.stale);
	prom_u64(f, "vmscope_vmlat_lost_total", "reason=\"histogram_map_full\"", s.lost_hist);
	prom_family(f, "vmscope_vmlat_unmatched_total", "counter", "vmalloc exits whose entry came before the tracer");
	prom_u64(f, "vmscope_vmlat_unmatched_total", NULL, s.unmatched);
	prom_family(f, "vmscope_vmlat_stray_events_total", "counter", "stage events not matching the open vmalloc");
	prom_u64(f, "vmscope_vmlat_stray_events_total", NULL, s.stray);
	prom_family(f, "vmscope_vmlat_missed_runs_total", "counter",
		    "BPF program runs the kernel skipped: recursion, kprobe (kprobe mode)");
	prom_u64(f, "vmscope_vmlat_missed_runs_total", "cause=\"recursion\"", m.recursion);
	prom_u64(f, "vmscope_vmlat_missed_runs_total", "cause=\"kprobe\"", vp.kprobe_missed);
	return 0;
}

static void idle(void *ctx, int ms)
{
	prom_poll(vp.p, ms);
}

int vmlat_prom_open(void)
{
	return prom_open("vmlat", &vp.p);
}

int vmlat_prom_start(const struct vmlat_prom_src *src)
{
	if (!vp.p)
		return 0;
	vp.src = *src;
	vp.callers.max = src->by_caller ? prom_opts.max_callers : 0;
	vp.retired = calloc(nlabels() * 2 * NR_STAGES, sizeof(*vp.retired));
	if (!vp.retired) {
		fprintf(stderr, "vmlat: out of memory for the exporter\n");
		return -ENOMEM;
	}
	prom_set_collector(vp.p, collect, NULL, cli.interval);
	prom_set_stop(vp.p, &cli_exiting);
	cli_set_idle(idle, NULL);
	return 0;
}

int vmlat_prom_close(void)
{
	int err = prom_close(vp.p);

	cli_set_idle(NULL, NULL);
	prom_cap_free(&vp.callers);
	free(vp.retired);
	memset(&vp, 0, sizeof(vp));
	return err;
}
