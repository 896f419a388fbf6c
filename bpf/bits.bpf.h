/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log2 for histogram slots. BPF has no count-leading-zeros instruction, and
 * vmlat runs this six times per vmalloc, so it is a short branch tree and a
 * byte table (about 12 instructions) rather than bcc's branch-free version
 * (bits.bpf.h in libbpf-tools, about 30).
 */
#ifndef __VMSCOPE_BITS_BPF_H
#define __VMSCOPE_BITS_BPF_H

/* floor(log2(v)) of a byte; 0 for 0, as bcc's log2 gives. */
static const volatile __u8 byte_log2[256] = {
	0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
};

/*
 * byte_log2[] of V's low byte. The mask looks redundant to the compiler
 * where it knows V < 256, but the verifier wants it: the barrier keeps it.
 */
static __always_inline __u64 byte_log2_of(__u32 v)
{
	barrier_var(v);
	return byte_log2[v & 255];
}

/* floor(log2(v)) for v > 0, else 0. */
static __always_inline __u64 log2(__u32 v)
{
	if (v >> 16) {
		if (v >> 24)
			return 24 + byte_log2_of(v >> 24);
		return 16 + byte_log2_of(v >> 16);
	}
	if (v >> 8)
		return 8 + byte_log2_of(v >> 8);
	return byte_log2_of(v);
}

static __always_inline __u64 log2l(__u64 v)
{
	if (v >> 32)
		return 32 + log2(v >> 32);
	return log2(v);
}

#endif /* __VMSCOPE_BITS_BPF_H */
