/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear latency buckets, in nanoseconds, for the summaries of vmlat and
 * vmtrace (percentiles): 16 linear sub-buckets per power of two (HdrHistogram's
 * layout with 4 sub-bucket bits). Values below 32 ns have a bucket each
 * (exact); from 2^e (e >= 5) on, a bucket is 2^(e-4) ns wide, 1/16 of its
 * lower bound at most. The last bucket starts at 2^35 - 2^30 ns (33.3 s, the
 * top sixteenth of 2^34..2^35) and is open above: every larger value is in it.
 *
 * No includes and no user-space types above the #ifndef __bpf__: the BPF
 * programs (bpf/vmlat.bpf.c) include this after vmlinux.h, so that the
 * kernel side and user space (vmlat's loader, tools/vmtrace) bucket alike.
 */
#ifndef __VMSCOPE_LLHIST_H
#define __VMSCOPE_LLHIST_H

#define LLH_SUB_BITS	4
#define LLH_EXACT	(2 << LLH_SUB_BITS)	/* 32: below, a bucket per ns */
#define LLH_MAX_LOG2	34			/* the last power of two bucketed */
#define LLH_BUCKETS	((LLH_MAX_LOG2 - LLH_SUB_BITS + 2) << LLH_SUB_BITS)	/* 512 */
/* Buckets of the values below 2^16: they fit a byte (the BPF side's table). */
#define LLH_U16_BUCKETS	((16 - LLH_SUB_BITS + 1) << LLH_SUB_BITS)	/* 208 */

/*
 * The bucket of V, with LOG2 = floor(log2(V)) (BPF has no count-leading-zeros
 * instruction: each side computes it its way). V < 32: bucket V. Else
 * (LOG2 - 4) * 16 + the top 5 bits of V (16..31): 2^e starts bucket
 * (e - 3) * 16. Clamped to the last bucket.
 */
static inline unsigned int llh_bucket_log2(unsigned long long v, unsigned int log2)
{
	if (v < LLH_EXACT)
		return (unsigned int)v;
	if (log2 > LLH_MAX_LOG2)
		return LLH_BUCKETS - 1;
	return ((log2 - LLH_SUB_BITS) << LLH_SUB_BITS) + (unsigned int)(v >> (log2 - LLH_SUB_BITS));
}

#ifndef __bpf__
#include <stdbool.h>
#include <stdio.h>

static inline unsigned int llh_bucket(unsigned long long v)
{
	return llh_bucket_log2(v, v ? 63 - __builtin_clzll(v) : 0);
}

/* The lowest value of bucket I, and its width (the last bucket's: to 2^64). */
unsigned long long llh_low(unsigned int i);
unsigned long long llh_width(unsigned int i);

/*
 * The error bound of a percentile: the value reported lies within 1/32 of
 * the exact one (LLH_REL_ERR_DEN), exactly it below 32 ns. In the open last
 * bucket (from 2^35 - 2^30 ns, 33.3 s) the max is reported, whatever the
 * exact value.
 */
#define LLH_REL_ERR_DEN	(2 << LLH_SUB_BITS)	/* 32: |reported - exact| <= exact / 32 */

/*
 * Percentile P (1..100) of the N values in buckets B, nearest rank: the
 * value of rank ceil(P/100 * N) in increasing order (1-based). Reported as
 * the middle of its bucket (low + width / 2), or MAX if that is lower
 * (MAX: the exact maximum; never above it), or MAX in the open last
 * bucket. 0 if N is 0.
 */
unsigned long long llh_percentile(const unsigned long long *b, unsigned long long n, unsigned long long max,
				  unsigned int p);

/*
 * The log2 slots (lib/hist.h log2_slot(), N of them) of the values in
 * buckets B, added into SLOTS: exact, as each bucket lies in one slot.
 */
void llh_log2_slots(const unsigned long long *b, unsigned long long *slots, int n);
#endif /* __bpf__ */

#endif /* __VMSCOPE_LLHIST_H */
