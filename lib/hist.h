/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log2 histograms as every vmscope tool keeps and prints them (bcc's
 * layout): the BPF tools (bpf/) and the tracefs ones (tools/vmtrace) build
 * this one file, so that their slots, text and JSON are the same.
 */
#ifndef __VMSCOPE_HIST_H
#define __VMSCOPE_HIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Slots of a latency histogram: 2^31 units and more share the last one. */
#define HIST_SLOTS	32

/*
 * The slot of V, as vmlat.bpf.c computes it: floor(log2(V)), 0 and 1 in
 * slot 0, V >= 2^32 in the last slot.
 */
static inline int log2_slot(unsigned long long v)
{
	if (v >> 32)
		return HIST_SLOTS - 1;
	return v ? 31 - __builtin_clz((unsigned int)v) : 0;
}

/* Upper bound (exclusive) of log2 slot I: slot 0 holds 0 and 1. */
unsigned long long log2_slot_high(int i);
/* bcc's log2 histogram on screen, and the same as a JSON array. */
void print_log2_hist(const unsigned long long *slots, int n, const char *unit);
void json_log2_hist(FILE *f, const unsigned long long *slots, int n);

/*
 * A per-CPU map value as one: PERCPU holds NCPU values of WORDS u64s each
 * (as bpf_map_lookup_elem() gives a per-CPU value); OUT gets their sums,
 * but the largest over the CPUs for the last MAX_WORDS words (maxima).
 */
void u64s_fold_percpu(unsigned long long *out, const unsigned long long *percpu, int ncpu, size_t words,
		      size_t max_words);

#endif /* __VMSCOPE_HIST_H */
