// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "events.h"

const char *const vt_event_names[VT_NR_EV] = {
	"vmalloc_alloc_stages", "vmalloc_va_reserved", "vmalloc_area_free",
};

static const struct { int ev; const char *name; } fields[VT_NR_FIELDS] = {
	[F_ST_ADDR] = { VT_EV_STAGES, "addr" },
	[F_ST_SIZE] = { VT_EV_STAGES, "size" },
	[F_ST_CALLER] = { VT_EV_STAGES, "caller" },
	[F_ST_TOTAL] = { VT_EV_STAGES, "total_ns" },
	[F_ST_RESERVE] = { VT_EV_STAGES, "reserve_ns" },
	[F_ST_PAGE_ARRAY] = { VT_EV_STAGES, "page_array_ns" },
	[F_ST_PAGES] = { VT_EV_STAGES, "pages_ns" },
	[F_ST_MAP] = { VT_EV_STAGES, "map_ns" },
	[F_ST_PUBLISH] = { VT_EV_STAGES, "publish_ns" },
	[F_ST_STAGE] = { VT_EV_STAGES, "stage" },
	[F_ST_NESTED] = { VT_EV_STAGES, "nested" },
	[F_RES_ADDR] = { VT_EV_RESERVED, "addr" },
	[F_RES_GUARD] = { VT_EV_RESERVED, "guard" },
	[F_RES_DEPTH] = { VT_EV_RESERVED, "depth" },
	[F_RES_PURGES] = { VT_EV_RESERVED, "purges" },
	[F_RES_POOL_HIT] = { VT_EV_RESERVED, "pool_hit" },
	[F_RES_FAILED] = { VT_EV_RESERVED, "failed" },
	[F_FREE_ADDR] = { VT_EV_FREE, "addr" },
	[F_FREE_GUARD] = { VT_EV_FREE, "guard" },
};

int vt_events_bind(struct vt_events *ev, struct tep_handle *tep, struct vt_agg *agg, bool need_all,
		   char *err, size_t len)
{
	struct tep_event *e[VT_NR_EV];
	int i;

	memset(ev, 0, sizeof(*ev));
	ev->tep = tep;
	ev->agg = agg;
	for (i = 0; i < VT_NR_EV; i++) {
		e[i] = tep_find_event_by_name(tep, "vmalloc", vt_event_names[i]);
		ev->id[i] = e[i] ? e[i]->id : -1;
		if (!e[i] && need_all) {
			snprintf(err, len, "no vmalloc:%s event (a kernel without the vmscope series?)",
				 vt_event_names[i]);
			return -1;
		}
	}
	for (i = 0; i < VT_NR_FIELDS; i++) {
		struct tep_event *te = e[fields[i].ev];
		struct tep_format_field *f;

		if (!te)
			continue;
		f = tep_find_field(te, fields[i].name);
		/* Numbers of 1 to 8 bytes, within the record: anything else is another format. */
		if (!f || f->size < 1 || f->size > 8 || (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_STRING))) {
			snprintf(err, len, "vmalloc:%s has %s field '%s' (another kernel's event format?)",
				 vt_event_names[fields[i].ev], f ? "an unexpected" : "no", fields[i].name);
			return -1;
		}
		ev->f[i] = f;
	}
	return 0;
}

int vt_events_present(const struct vt_events *ev)
{
	int i, n = 0;

	for (i = 0; i < VT_NR_EV; i++)
		n += ev->id[i] >= 0;
	return n;
}

/* A field's value; a record too short for it reads 0 and is counted as bad. */
static unsigned long long val(struct vt_events *ev, struct tep_record *rec, int field, bool *bad)
{
	struct tep_format_field *f = ev->f[field];
	unsigned long long v = 0;

	if (f->offset + f->size > rec->size || tep_read_number_field(f, rec->data, &v)) {
		*bad = true;
		return 0;
	}
	return v;
}

int vt_events_record(struct vt_events *ev, struct tep_record *rec)
{
	int type;
	bool bad = false;

	if (rec->size < 4)
		return 0;
	type = tep_data_type(ev->tep, rec);
	if (type < 0)
		return 0;
	if (type == ev->id[VT_EV_STAGES]) {
		struct vt_alloc a = {
			.addr = val(ev, rec, F_ST_ADDR, &bad),
			.size = val(ev, rec, F_ST_SIZE, &bad),
			.caller = val(ev, rec, F_ST_CALLER, &bad),
			.total_ns = val(ev, rec, F_ST_TOTAL, &bad),
			.ns = {
				val(ev, rec, F_ST_RESERVE, &bad), val(ev, rec, F_ST_PAGE_ARRAY, &bad),
				val(ev, rec, F_ST_PAGES, &bad), val(ev, rec, F_ST_MAP, &bad),
				val(ev, rec, F_ST_PUBLISH, &bad),
			},
			.kstage = (int)val(ev, rec, F_ST_STAGE, &bad),
			.nested = val(ev, rec, F_ST_NESTED, &bad) != 0,
			.pid = tep_data_pid(ev->tep, rec),
		};

		if (!bad)
			vt_agg_alloc(ev->agg, &a);
	} else if (type == ev->id[VT_EV_RESERVED]) {
		struct vt_reserve r = {
			.addr = val(ev, rec, F_RES_ADDR, &bad),
			.guard = val(ev, rec, F_RES_GUARD, &bad),
			.depth = (unsigned int)val(ev, rec, F_RES_DEPTH, &bad),
			.purges = (unsigned int)val(ev, rec, F_RES_PURGES, &bad),
			.pool_hit = val(ev, rec, F_RES_POOL_HIT, &bad) != 0,
			.failed = val(ev, rec, F_RES_FAILED, &bad) != 0,
			.pid = tep_data_pid(ev->tep, rec),
		};

		if (!bad)
			vt_agg_reserve(ev->agg, &r);
	} else if (type == ev->id[VT_EV_FREE]) {
		struct vt_free r = {
			.addr = val(ev, rec, F_FREE_ADDR, &bad),
			.guard = val(ev, rec, F_FREE_GUARD, &bad),
		};

		if (!bad)
			vt_agg_free_area(ev->agg, &r);
	} else {
		return 0;
	}
	if (bad)
		ev->bad++;
	return 1;
}
