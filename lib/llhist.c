// SPDX-License-Identifier: GPL-2.0
#include "llhist.h"
#include "hist.h"

unsigned long long llh_low(unsigned int i)
{
	unsigned int e;

	if (i < LLH_EXACT)
		return i;
	/* Bucket i = (e - 4) * 16 + m, m = 16..31: low = m << (e - 4). */
	e = (i >> LLH_SUB_BITS) + LLH_SUB_BITS - 1;
	return (unsigned long long)((i & ((1 << LLH_SUB_BITS) - 1)) | (1 << LLH_SUB_BITS)) << (e - LLH_SUB_BITS);
}

unsigned long long llh_width(unsigned int i)
{
	if (i < LLH_EXACT)
		return 1;
	if (i >= LLH_BUCKETS - 1)
		return -llh_low(LLH_BUCKETS - 1);	/* to 2^64 */
	return 1ULL << ((i >> LLH_SUB_BITS) - 1);
}

unsigned long long llh_percentile(const unsigned long long *b, unsigned long long n, unsigned long long max,
				  unsigned int p)
{
	unsigned long long rank, seen = 0, v;
	unsigned int i;

	if (!n)
		return 0;
	if (p > 100)
		p = 100;
	/* ceil(p * n / 100) without overflow for any n; at least rank 1. */
	rank = n / 100 * p + (n % 100 * p + 99) / 100;
	if (!rank)
		rank = 1;
	for (i = 0; i < LLH_BUCKETS; i++) {
		seen += b[i];
		if (seen >= rank)
			break;
	}
	/* The last bucket is open above: its values are known only by the max. */
	if (i >= LLH_BUCKETS - 1)
		return max;
	v = llh_low(i) + llh_width(i) / 2;
	return v < max ? v : max;
}

void llh_log2_slots(const unsigned long long *b, unsigned long long *slots, int n)
{
	unsigned int i;
	int s;

	for (i = 0; i < LLH_BUCKETS; i++) {
		if (!b[i])
			continue;
		s = log2_slot(llh_low(i));
		slots[s < n ? s : n - 1] += b[i];
	}
}
