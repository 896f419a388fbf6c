/* SPDX-License-Identifier: GPL-2.0 */
/* Reads a classic tracepoint's field at the offset the loader found (tpfield.h). */
#ifndef __VMSCOPE_TPFIELD_BPF_H
#define __VMSCOPE_TPFIELD_BPF_H

#include "tpfield.h"

/* F comes from .rodata: the verifier sees constants. Unsigned, zero-extended. */
static __always_inline __u64 tp_read(void *ctx, const volatile struct tp_field *f)
{
	__u16 off = f->off, size = f->size;
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (char *)ctx + off);
	if (size < 8)
		v &= (1ULL << (size * 8)) - 1;
	return v;
}

#endif /* __VMSCOPE_TPFIELD_BPF_H */
