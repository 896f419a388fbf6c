/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The three vmalloc events as libtraceevent describes them (from the live
 * kernel or from a trace.dat's saved formats): fields looked up once, by
 * name, then every record decoded through the cached field pointers.
 */
#ifndef __VMTRACE_EVENTS_H
#define __VMTRACE_EVENTS_H

#include <event-parse.h>
#include "agg.h"

enum { VT_EV_STAGES, VT_EV_RESERVED, VT_EV_FREE, VT_NR_EV };
extern const char *const vt_event_names[VT_NR_EV];

enum {
	F_ST_ADDR, F_ST_SIZE, F_ST_CALLER, F_ST_TOTAL, F_ST_RESERVE, F_ST_PAGE_ARRAY, F_ST_PAGES,
	F_ST_MAP, F_ST_PUBLISH, F_ST_STAGE, F_ST_NESTED,
	F_RES_ADDR, F_RES_GUARD, F_RES_DEPTH, F_RES_PURGES, F_RES_POOL_HIT, F_RES_FAILED,
	F_FREE_ADDR, F_FREE_GUARD,
	VT_NR_FIELDS,
};

struct vt_events {
	struct tep_handle *tep;
	int id[VT_NR_EV];	/* -1: not in this trace */
	struct tep_format_field *f[VT_NR_FIELDS];
	struct vt_agg *agg;
	unsigned long long bad;	/* records too short for their format */
};

/*
 * Binds EV to TEP's vmalloc events. Every event present must have every
 * field vmtrace reads (a kernel without the series, or another layout, is
 * refused); NEED_ALL: the three must be there. Returns 0, or -1 with ERR
 * (LEN bytes) saying what is missing.
 */
int vt_events_bind(struct vt_events *ev, struct tep_handle *tep, struct vt_agg *agg, bool need_all,
		   char *err, size_t len);
/* How many of the three events the trace has. */
int vt_events_present(const struct vt_events *ev);
/* One record into the aggregation; other events are ignored. Returns 1 if it was ours. */
int vt_events_record(struct vt_events *ev, struct tep_record *rec);

#endif /* __VMTRACE_EVENTS_H */
