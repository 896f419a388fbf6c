/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON schema vmlat, vmtree and vmtrace share: one writer for each
 * piece, so that `vmlat -j`/`vmtree -j` and `vmtrace hist|report -j` say the
 * same thing under the same keys (ci/tests/vmtrace-agreement.sh compares
 * them field by field).
 */
#ifndef __VMSCOPE_SCHEMA_H
#define __VMSCOPE_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "llhist.h"

/* vmlat's stages, in call order, then the total. */
enum vm_stage {
	VM_STAGE_RESERVE, VM_STAGE_PAGE_ARRAY, VM_STAGE_PAGES, VM_STAGE_MAP, VM_STAGE_PUBLISH,
	VM_STAGE_TOTAL, VM_NR_STAGES,
};
extern const char *const vm_stage_names[VM_NR_STAGES];
/*
 * A stage shown under another name in histograms and the summary (vmlat
 * -M funcs: the publish slot holding the rest, "other"); NULL: its own.
 */
void vm_stage_label(int stage, const char *name);
const char *vm_stage_name(int stage);

/* Free-tree search depths kept: the last slot holds everything deeper. */
#define VM_MAX_DEPTH	64

/* One entry of "hists": {"stage":..,"nested":.. (the caller adds keys here) */
void schema_hist_open(FILE *f, bool first, int stage, bool nested);
/* ..,"count":..,"sum_ns":..,"slots":[..]} */
void schema_hist_close(FILE *f, unsigned long long count, unsigned long long sum_ns, const unsigned long long *slots, int n);

/* What vmtree counts per reservation and free (cumulative). */
struct vm_tree_counts {
	unsigned long long reserved, failed, pool_hits, tree_searches, depth_sum, purges, purged;
	unsigned long long guard_areas, guard_bytes, noguard_vmallocs;
	unsigned long long freed_guard_areas, freed_guard_bytes, freed_before_areas, freed_before_bytes;
};
/* "reserved":..,"depth_hist":[..],"guard":{..} (no braces around) */
void schema_tree(FILE *f, const struct vm_tree_counts *c, const unsigned long long *depth, int n);
/* The same with guard{} holding only "areas" and "bytes" reserved (vmtrace hist --kernel: nothing else is measured). */
void schema_tree_reserved_only(FILE *f, const struct vm_tree_counts *c, const unsigned long long *depth, int n);
/* One entry of "guard_by_caller" (CALLER NULL: outside vmalloc). */
void schema_guard_caller(FILE *f, bool first, const char *caller, unsigned long long areas, unsigned long long bytes,
			 unsigned long long freed_areas, unsigned long long freed_bytes);

/*
 * One stage's figures for the summary, top-level or nested: COUNT
 * allocations taking SUM_NS; their log-linear buckets (lib/llhist.h) and
 * exact maximum when DIST (a tool that has them: not hist triggers).
 */
struct vm_summary_in {
	unsigned long long count, sum_ns, max_ns;
	unsigned long long b[LLH_BUCKETS];
};

/* What the summary shows of one stage (rows with a count only). */
struct vm_summary_row {
	int stage;
	bool nested;
	unsigned long long count, avg_ns, p50_ns, p90_ns, p99_ns, max_ns;
	double share_pct;	/* of its group's (top-level or nested) total time */
};

/* The rows of IN ([nested][stage]) into ROWS (2 * VM_NR_STAGES at most); returns how many. */
int vm_summary_rows(const struct vm_summary_in in[2][VM_NR_STAGES], bool dist, struct vm_summary_row *rows);
/*
 * "summary":[{"stage":..,"nested":..,"count":..,"share_pct":..,"avg_ns":..,
 * "p50_ns":..,"p90_ns":..,"p99_ns":..,"max_ns":..}],"summary_bound":{..}
 * (no braces around). Without DIST the percentiles and max are null and
 * the bound says why.
 */
void schema_summary(FILE *f, const struct vm_summary_in in[2][VM_NR_STAGES], bool dist);
/*
 * The same as an aligned table on stdout, in human units (80 columns for
 * counts up to 10 digits). MAX_ALL: reports per interval, whose max is
 * since the start: the column says "max(all)", not "max".
 */
void print_summary(const struct vm_summary_in in[2][VM_NR_STAGES], bool dist, bool max_all);
/* NS as 3 significant digits and a unit, 6 characters at most (870ns, 1.23us, 18.4Gs). */
const char *human_ns(unsigned long long ns, char *buf, size_t len);

#endif /* __VMSCOPE_SCHEMA_H */
