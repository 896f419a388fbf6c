// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "stockfn.h"
#include "probe.h"
#include "vmlat.h"

/*
 * Per slot: the program names' part and the functions that may serve it,
 * outermost first (fn_<prog><k>_<way> in vmlat.bpf.c, k the index here).
 * vmap_pages_range calls vmap_pages_range_noflush, which calls
 * __vmap_pages_range_noflush: a build may inline one into the other on the
 * allocation path and still keep an out-of-line copy for other callers
 * (Debian's 6.1 does with vmap_pages_range_noflush), so all are attached.
 */
static const struct {
	const char *prog;
	const char *stage;
	const char *fn[STOCK_FN_NAMES];
} fns[NR_STOCK_FNS] = {
	[FN_RESERVE] = { "reserve", "reserve", { "__get_vm_area_node" } },
	[FN_AREA] = { "area", "page_array", { "__vmalloc_area_node" } },
	[FN_PAGES] = { "pages", "pages", { "vm_area_alloc_pages" } },
	[FN_MAP] = { "map", "map", { "vmap_pages_range", "vmap_pages_range_noflush",
				     "__vmap_pages_range_noflush" } },
};

int stock_fns_probe(struct stock_fns *sf, bool kprobe)
{
	int i, j, n = 0;

	memset(sf, 0, sizeof(*sf));
	sf->kprobe = kprobe;
	for (i = 0; i < NR_STOCK_FNS; i++) {
		for (j = 0; j < STOCK_FN_NAMES && fns[i].fn[j]; j++) {
			const char *fn = fns[i].fn[j];

			if (kprobe ? !probe_ksym(fn) : !probe_btf_func(fn) || !ftrace_has(fn))
				continue;
			sf->has[i][j] = true;
			snprintf(sf->name[i] + strlen(sf->name[i]), sizeof(sf->name[i]) - strlen(sf->name[i]),
				 "%s%s", sf->name[i][0] ? "/" : "", fn);
		}
	}
	sf->split = sf->name[FN_AREA][0] && sf->name[FN_PAGES][0] && sf->name[FN_MAP][0];
	/* The area function alone would only move time out of "other". */
	if (!sf->split) {
		memset(sf->has[FN_AREA], 0, sizeof(sf->has[FN_AREA]));
		sf->name[FN_AREA][0] = 0;
	}
	for (i = 0; i < NR_STOCK_FNS; i++)
		n += !!sf->name[i][0];
	return n;
}

int stock_fns_select(struct bpf_object *obj, const struct stock_fns *sf, bool on)
{
	static const char *const ways[] = { "fentry", "fexit", "kprobe", "kretprobe" };
	struct bpf_program *p;
	char want[64];
	int i, j, w;

	bpf_object__for_each_program(p, obj) {
		const char *name = bpf_program__name(p);

		if (strncmp(name, "fn_", 3))
			continue;
		bpf_program__set_autoload(p, false);
		for (i = 0; on && i < NR_STOCK_FNS; i++) {
			for (j = 0; j < STOCK_FN_NAMES; j++) {
				if (!sf->has[i][j])
					continue;
				for (w = sf->kprobe ? 2 : 0; w < (sf->kprobe ? 4 : 2); w++) {
					snprintf(want, sizeof(want), "fn_%s%d_%s", fns[i].prog, j, ways[w]);
					if (!strcmp(name, want))
						bpf_program__set_autoload(p, true);
				}
			}
		}
	}
	return 0;
}

bool stock_fns_other(const struct stock_fns *sf)
{
	return !sf->split;
}

/* The stages the rest holds, in stage order (none when split). */
static int other_stages(const struct stock_fns *sf, const char **out)
{
	int n = 0;

	if (sf->split)
		return 0;
	if (!sf->name[FN_RESERVE][0])
		out[n++] = "reserve";
	out[n++] = "page_array";
	if (!sf->name[FN_PAGES][0])
		out[n++] = "pages";
	if (!sf->name[FN_MAP][0])
		out[n++] = "map";
	out[n++] = "publish";
	return n;
}

void stock_fns_print(FILE *f, const struct stock_fns *sf)
{
	const char *other[5];
	int i, n = other_stages(sf, other);

	fprintf(f, "stages from the functions this kernel kept (%s):", sf->kprobe ? "kprobe/kretprobe" : "fentry/fexit");
	for (i = 0; i < NR_STOCK_FNS; i++)
		if (sf->name[i][0] && i != FN_AREA)
			fprintf(f, " %s = %s,", fns[i].stage, sf->name[i]);
	if (sf->split) {
		fprintf(f, " page_array = %s less pages and map, publish = the rest of the total\n",
			sf->name[FN_AREA]);
		return;
	}
	fprintf(f, " other = the rest of the total (");
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " + " : "", other[i]);
	fprintf(f, "): inlined here, apart they need the vmscope series\n");
}

void stock_fns_json(FILE *f, const struct stock_fns *sf)
{
	const char *other[5];
	int i, n = other_stages(sf, other);

	fprintf(f, "\"funcs\":{\"via\":\"%s\"", sf->kprobe ? "kprobe" : "fentry");
	for (i = 0; i < NR_STOCK_FNS; i++) {
		const char *key = i == FN_AREA ? "area" : fns[i].stage;

		if (sf->name[i][0])
			fprintf(f, ",\"%s\":\"%s\"", key, sf->name[i]);
		else
			fprintf(f, ",\"%s\":null", key);
	}
	fprintf(f, ",\"other\":[");
	for (i = 0; i < n; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", other[i]);
	fprintf(f, "]}");
}
