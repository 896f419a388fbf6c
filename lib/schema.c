// SPDX-License-Identifier: GPL-2.0
#include "schema.h"
#include "hist.h"
#include "json.h"

const char *const vm_stage_names[VM_NR_STAGES] = {
	"reserve", "page_array", "pages", "map", "publish", "total",
};

void schema_hist_open(FILE *f, bool first, int stage, bool nested)
{
	fprintf(f, "%s{\"stage\":\"%s\",\"nested\":%s", first ? "" : ",", vm_stage_names[stage],
		nested ? "true" : "false");
}

void schema_hist_close(FILE *f, unsigned long long count, unsigned long long sum_ns, const unsigned long long *slots, int n)
{
	fprintf(f, ",\"count\":%llu,\"sum_ns\":%llu,\"slots\":", (unsigned long long)count,
		(unsigned long long)sum_ns);
	json_log2_hist(f, slots, n);
	fputc('}', f);
}

static void tree_reservations(FILE *f, const struct vm_tree_counts *s, const unsigned long long *depth, int n)
{
	bool first = true;
	int i;

	fprintf(f, "\"reserved\":%llu,\"failed\":%llu,\"pool_hits\":%llu,\"tree_searches\":%llu,"
		"\"depth_sum\":%llu,\"purges\":%llu,\"purged\":%llu,",
		(unsigned long long)s->reserved, (unsigned long long)s->failed, (unsigned long long)s->pool_hits,
		(unsigned long long)s->tree_searches, (unsigned long long)s->depth_sum,
		(unsigned long long)s->purges, (unsigned long long)s->purged);
	fprintf(f, "\"depth_hist\":[");
	for (i = 0; i < n; i++) {
		if (!depth[i])
			continue;
		fprintf(f, "%s{\"nodes\":%d,\"count\":%llu}", first ? "" : ",", i, (unsigned long long)depth[i]);
		first = false;
	}
	fprintf(f, "]");
}

void schema_tree_reserved_only(FILE *f, const struct vm_tree_counts *s, const unsigned long long *depth, int n)
{
	tree_reservations(f, s, depth, n);
	fprintf(f, ",\"guard\":{\"areas\":%llu,\"bytes\":%llu}", (unsigned long long)s->guard_areas,
		(unsigned long long)s->guard_bytes);
}

void schema_tree(FILE *f, const struct vm_tree_counts *s, const unsigned long long *depth, int n)
{
	tree_reservations(f, s, depth, n);
	fprintf(f, ",\"guard\":{\"areas\":%llu,\"bytes\":%llu,\"noguard_vmallocs\":%llu,\"freed_areas\":%llu,"
		"\"freed_bytes\":%llu,\"freed_before_areas\":%llu,\"freed_before_bytes\":%llu,\"live_change_bytes\":%lld}",
		(unsigned long long)s->guard_areas, (unsigned long long)s->guard_bytes,
		(unsigned long long)s->noguard_vmallocs, (unsigned long long)s->freed_guard_areas,
		(unsigned long long)s->freed_guard_bytes, (unsigned long long)s->freed_before_areas,
		(unsigned long long)s->freed_before_bytes,
		(long long)s->guard_bytes - (long long)s->freed_guard_bytes);
}

void schema_guard_caller(FILE *f, bool first, const char *caller, unsigned long long areas, unsigned long long bytes,
			 unsigned long long freed_areas, unsigned long long freed_bytes)
{
	fprintf(f, "%s{", first ? "" : ",");
	json_kv_str(f, "caller", caller ? caller : "(outside vmalloc)", 1);
	fprintf(f, ",\"areas\":%llu,\"bytes\":%llu,\"freed_areas\":%llu,\"freed_bytes\":%llu}",
		(unsigned long long)areas, (unsigned long long)bytes,
		(unsigned long long)freed_areas, (unsigned long long)freed_bytes);
}
