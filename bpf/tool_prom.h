/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlat's and vmtree's metrics for Prometheus (../lib/prom.h): read from
 * their maps at each scrape, cumulative since the tool started. A tool
 * calls *_prom_open() before loading (a port in use fails early),
 * *_prom_start() once attached, *_prom_close() before its maps go.
 */
#ifndef __VMSCOPE_TOOL_PROM_H
#define __VMSCOPE_TOOL_PROM_H

#include <stdbool.h>
#include <linux/types.h>
#include "prom.h"

struct bpf_object;
struct prog_links;
struct ksyms;
struct hist_key;
struct hist;

/* Where vmlat's counts are. */
struct vmlat_prom_src {
	struct bpf_object *obj;
	const struct prog_links *links;
	int flat_fd, hash_fd, stats_fd;
	bool breakdown;		/* -C, -P or -S: the hash holds the histograms */
	bool by_caller;
	int module_texts_fd;	/* -C: modules seen loading, named before labels are made */
	const char *mode;
	const char *via;	/* the way in: tp_btf, tracepoint, fentry, kprobe */
	unsigned int stages;	/* the stages the mode measures, 1 << stage each */
	unsigned long long unit_div;	/* ns per histogram unit */
	struct ksyms *ks;
};

/* vmlat.c: top-level (IDX 0) or nested (1) stage histograms of the flat map, summed over CPUs (maxima taken), slots filled in as vmlat shows them. */
struct stage_hists;
int vmlat_read_flat(int fd, __u32 idx, unsigned long long unit_div, struct stage_hists *sh);
int vmlat_prom_open(void);
int vmlat_prom_start(const struct vmlat_prom_src *src);
/* A breakdown histogram taken out of the map (pruned) with its last value. */
void vmlat_prom_retire(const struct hist_key *key, const struct hist *h);
int vmlat_prom_close(void);

/* Where vmtree's counts are. */
struct vmtree_prom_src {
	struct bpf_object *obj;
	const struct prog_links *links;
	int stats_fd, depth_fd, callers_fd;
	bool by_caller;
	int module_texts_fd;
	struct ksyms *ks;
};

int vmtree_prom_open(void);
int vmtree_prom_start(const struct vmtree_prom_src *src);
int vmtree_prom_close(void);

#endif
