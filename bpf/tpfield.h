/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A field of a classic tracepoint's record, where the event's tracefs
 * format file puts it. The classic-tracepoint programs read their fields
 * through these, not through CO-RE: they are the fallback for kernels whose
 * BTF lacks the event (no btf_trace_X), and so lacks its
 * trace_event_raw_X too.
 */
#ifndef __VMSCOPE_TPFIELD_H
#define __VMSCOPE_TPFIELD_H

struct tp_field {
	__u16 off;
	__u16 size;		/* 1, 2, 4 or 8 */
};

#endif /* __VMSCOPE_TPFIELD_H */
