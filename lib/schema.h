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

/* vmlat's stages, in call order, then the total. */
enum vm_stage {
	VM_STAGE_RESERVE, VM_STAGE_PAGE_ARRAY, VM_STAGE_PAGES, VM_STAGE_MAP, VM_STAGE_PUBLISH,
	VM_STAGE_TOTAL, VM_NR_STAGES,
};
extern const char *const vm_stage_names[VM_NR_STAGES];

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

#endif /* __VMSCOPE_SCHEMA_H */
