/* SPDX-License-Identifier: GPL-2.0 */
/* log2 for histogram slots (from bcc libbpf-tools' bits.bpf.h). */
#ifndef __VMSCOPE_BITS_BPF_H
#define __VMSCOPE_BITS_BPF_H

static __always_inline __u64 log2(__u32 v)
{
	__u32 shift, r;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u64 log2l(__u64 v)
{
	__u32 hi = v >> 32;

	if (hi)
		return log2(hi) + 32;
	return log2(v);
}

#endif /* __VMSCOPE_BITS_BPF_H */
