// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "schema.h"
#include "hist.h"
#include "json.h"

const char *const vm_stage_names[VM_NR_STAGES] = {
	"reserve", "page_array", "pages", "map", "publish", "total",
};

static const char *stage_labels[VM_NR_STAGES];

void vm_stage_label(int stage, const char *name)
{
	if (stage >= 0 && stage < VM_NR_STAGES)
		stage_labels[stage] = name;
}

const char *vm_stage_name(int stage)
{
	return stage_labels[stage] ? stage_labels[stage] : vm_stage_names[stage];
}

void schema_hist_open(FILE *f, bool first, int stage, bool nested)
{
	fprintf(f, "%s{\"stage\":\"%s\",\"nested\":%s", first ? "" : ",", vm_stage_name(stage),
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

int vm_summary_rows(const struct vm_summary_in in[2][VM_NR_STAGES], bool dist, struct vm_summary_row *rows)
{
	int n = 0, nest, st;

	for (nest = 0; nest < 2; nest++) {
		unsigned long long total = in[nest][VM_STAGE_TOTAL].sum_ns;

		for (st = 0; st < VM_NR_STAGES; st++) {
			const struct vm_summary_in *s = &in[nest][st];
			struct vm_summary_row *r = &rows[n];

			if (!s->count)
				continue;
			memset(r, 0, sizeof(*r));
			r->stage = st;
			r->nested = nest;
			r->count = s->count;
			r->avg_ns = s->sum_ns / s->count;
			r->share_pct = total ? 100.0 * s->sum_ns / total : 0.0;
			if (dist) {
				r->p50_ns = llh_percentile(s->b, s->count, s->max_ns, 50);
				r->p90_ns = llh_percentile(s->b, s->count, s->max_ns, 90);
				r->p99_ns = llh_percentile(s->b, s->count, s->max_ns, 99);
				r->max_ns = s->max_ns;
			}
			n++;
		}
	}
	return n;
}

void schema_summary(FILE *f, const struct vm_summary_in in[2][VM_NR_STAGES], bool dist)
{
	struct vm_summary_row rows[2 * VM_NR_STAGES];
	int i, n = vm_summary_rows(in, dist, rows);

	fprintf(f, "\"summary\":[");
	for (i = 0; i < n; i++) {
		const struct vm_summary_row *r = &rows[i];

		schema_hist_open(f, !i, r->stage, r->nested);
		fprintf(f, ",\"count\":%llu,\"share_pct\":%.2f,\"avg_ns\":%llu", r->count, r->share_pct, r->avg_ns);
		if (dist)
			fprintf(f, ",\"p50_ns\":%llu,\"p90_ns\":%llu,\"p99_ns\":%llu,\"max_ns\":%llu}",
				r->p50_ns, r->p90_ns, r->p99_ns, r->max_ns);
		else
			fprintf(f, ",\"p50_ns\":null,\"p90_ns\":null,\"p99_ns\":null,\"max_ns\":null}");
	}
	if (dist)
		fprintf(f, "],\"summary_bound\":{\"percentile\":\"nearest-rank\",\"value\":\"bucket middle, at most max_ns\","
			"\"rel_error\":%.5f,\"exact_below_ns\":%d,\"open_above_ns\":%llu,\"max\":\"exact, since the start\"}",
			1.0 / LLH_REL_ERR_DEN, LLH_EXACT, llh_low(LLH_BUCKETS - 1));
	else
		fprintf(f, "],\"summary_bound\":{\"percentile\":null,\"why\":\"hist triggers keep log2 buckets only: "
			"no percentiles or max; count, share and average are exact\"}");
}

/*
 * NS in 3 significant digits and a unit, 6 characters at most: 870ns,
 * 1.23us, 45.6ms, 2.00s; 1000 s and more in ks, Ms, Gs (2^64 ns: 18.4Gs).
 */
const char *human_ns(unsigned long long ns, char *buf, size_t len)
{
	static const char *const units[] = { "ns", "us", "ms", "s", "ks", "Ms", "Gs" };
	double v = ns;
	int u = 0;

	if (ns < 1000) {
		snprintf(buf, len, "%lluns", ns);
		return buf;
	}
	while (v >= 999.5 && u < 6) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, v < 9.995 ? "%.2f%s" : v < 99.95 ? "%.1f%s" : "%.0f%s", v, units[u]);
	return buf;
}

void print_summary(const struct vm_summary_in in[2][VM_NR_STAGES], bool dist, bool max_all)
{
	struct vm_summary_row rows[2 * VM_NR_STAGES];
	int i, n = vm_summary_rows(in, dist, rows), cw = 10;
	char b[6][16];

	if (!n)
		return;
	/* Counts: 10 digits wide, wider when one needs it (up to 20). */
	for (i = 0; i < n; i++)
		cw = snprintf(NULL, 0, "%llu", rows[i].count) > cw ? snprintf(NULL, 0, "%llu", rows[i].count) : cw;
	if (dist) {
		printf("\nsummary: percentiles nearest-rank within %.1f%% (exact < %d ns; >=%.1f s: max)\n",
		       100.0 / LLH_REL_ERR_DEN, LLH_EXACT, llh_low(LLH_BUCKETS - 1) / 1e9);
		if (max_all)
			printf("max(all): the exact max since the start, not this interval's\n");
	} else
		printf("\nsummary: no percentiles or max (hist triggers keep log2 buckets only)\n");
	printf("  %-10s %-6s %*s %6s %7s %7s %7s %7s %8s\n", "stage", "nested", cw, "count", "share", "avg",
	       "p50", "p90", "p99", max_all ? "max(all)" : "max");
	for (i = 0; i < n; i++) {
		const struct vm_summary_row *r = &rows[i];

		printf("  %-10s %-6s %*llu %5.1f%% %7s", vm_stage_name(r->stage), r->nested ? "yes" : "no",
		       cw, r->count, r->share_pct, human_ns(r->avg_ns, b[0], sizeof(b[0])));
		if (dist)
			printf(" %7s %7s %7s %8s\n", human_ns(r->p50_ns, b[1], sizeof(b[1])),
			       human_ns(r->p90_ns, b[2], sizeof(b[2])), human_ns(r->p99_ns, b[3], sizeof(b[3])),
			       human_ns(r->max_ns, b[4], sizeof(b[4])));
		else
			printf(" %7s %7s %7s %8s\n", "-", "-", "-", "-");
	}
}
