// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agg.h"
#include "json.h"

void vt_agg_init(struct vt_agg *a)
{
	memset(a, 0, sizeof(*a));
	a->unit_div = 1;
	a->max_size = ~0ULL;
}

void vt_agg_free(struct vt_agg *a)
{
	free(a->areas);
	free(a->callers);
	free(a->tasks);
	a->areas = NULL;
	a->callers = NULL;
	a->tasks = NULL;
	a->areas_cap = a->areas_used = a->ncallers = a->tasks_cap = a->tasks_used = 0;
}

/* The kernel's failed stage to vmlat's (bpf/vmlat.bpf.c failed_to_stage()). */
static int failed_to_stage(int kstage)
{
	switch (kstage) {
	case KSTAGE_PAGE_ARRAY: return VM_STAGE_PAGE_ARRAY;
	case KSTAGE_PAGES: return VM_STAGE_PAGES;
	case KSTAGE_MAP: return VM_STAGE_MAP;
	default: return VM_STAGE_RESERVE;
	}
}

static void hist_add(struct vt_hist *h, unsigned long long *max, unsigned long long ns, unsigned long long div)
{
	h->slots[log2_slot(div == 1 ? ns : ns / div)]++;
	h->sum_ns += ns;
	h->ll[llh_bucket(ns)]++;
	if (ns > *max)
		*max = ns;
}


/* --- areas: address -> guard and caller, linear probing --- */

/* Fibonacci hashing: the product's high bits (its low bits are the key's low bits). */
static size_t fib_hash(unsigned long long key, size_t cap)
{
	unsigned int bits = 0;

	while ((1ULL << bits) < cap)
		bits++;
	return bits ? (size_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - bits)) : 0;
}

static size_t area_hash(unsigned long long addr, size_t cap)
{
	return fib_hash(addr >> 12, cap);
}

static struct vt_area *area_find(const struct vt_agg *a, unsigned long long addr)
{
	size_t i;

	if (!a->areas_cap)
		return NULL;
	for (i = area_hash(addr, a->areas_cap); a->areas[i].used; i = (i + 1) & (a->areas_cap - 1))
		if (a->areas[i].addr == addr)
			return &a->areas[i];
	return NULL;
}

static int area_grow(struct vt_agg *a)
{
	size_t cap = a->areas_cap ? a->areas_cap * 2 : 1024, i, j;
	struct vt_area *n = calloc(cap, sizeof(*n));

	if (!n)
		return -1;
	for (i = 0; i < a->areas_cap; i++) {
		if (!a->areas[i].used)
			continue;
		for (j = area_hash(a->areas[i].addr, cap); n[j].used; j = (j + 1) & (cap - 1))
			;
		n[j] = a->areas[i];
	}
	free(a->areas);
	a->areas = n;
	a->areas_cap = cap;
	return 0;
}

static struct vt_area *area_insert(struct vt_agg *a, unsigned long long addr)
{
	struct vt_area *e = area_find(a, addr);
	size_t i;

	if (e)
		return e;
	if ((a->areas_used + 1) * 4 > a->areas_cap * 3 && area_grow(a))
		return NULL;
	for (i = area_hash(addr, a->areas_cap); a->areas[i].used; i = (i + 1) & (a->areas_cap - 1))
		;
	e = &a->areas[i];
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->addr = addr;
	a->areas_used++;
	return e;
}

/* Backward-shift deletion: no tombstones, lookups stay short. */
static void area_delete(struct vt_agg *a, struct vt_area *e)
{
	size_t mask = a->areas_cap - 1, i = (size_t)(e - a->areas), j = i, k;

	for (;;) {
		j = (j + 1) & mask;
		if (!a->areas[j].used)
			break;
		k = area_hash(a->areas[j].addr, a->areas_cap);
		/* Move j into the hole at i unless its home k lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		a->areas[i] = a->areas[j];
		i = j;
	}
	a->areas[i].used = false;
	a->areas_used--;
}

static struct vt_caller *caller_get(struct vt_agg *a, unsigned long long caller)
{
	struct vt_caller *c;
	size_t i;

	for (i = 0; i < a->ncallers; i++)
		if (a->callers[i].caller == caller)
			return &a->callers[i];
	c = realloc(a->callers, (a->ncallers + 1) * sizeof(*c));
	if (!c) {
		a->nomem = true;
		return NULL;
	}
	a->callers = c;
	c = &c[a->ncallers++];
	memset(c, 0, sizeof(*c));
	c->caller = caller;
	return c;
}

/* --- tasks: pid -> reservations waiting for their vmalloc_alloc_stages --- */

static struct vt_task *task_find(const struct vt_agg *a, int pid)
{
	size_t i;

	if (!a->tasks_cap)
		return NULL;
	for (i = fib_hash((unsigned int)pid, a->tasks_cap); a->tasks[i].pid; i = (i + 1) & (a->tasks_cap - 1))
		if (a->tasks[i].pid == pid)
			return &a->tasks[i];
	return NULL;
}

/* Tasks are never removed: a pid's empty stack is reused when it comes back. */
static struct vt_task *task_get(struct vt_agg *a, int pid)
{
	struct vt_task *t = task_find(a, pid), *n;
	size_t cap, i, j;

	if (t)
		return t;
	if ((a->tasks_used + 1) * 4 > a->tasks_cap * 3) {
		cap = a->tasks_cap ? a->tasks_cap * 2 : 64;
		n = calloc(cap, sizeof(*n));
		if (!n) {
			a->nomem = true;
			return NULL;
		}
		for (i = 0; i < a->tasks_cap; i++) {
			if (!a->tasks[i].pid)
				continue;
			for (j = fib_hash((unsigned int)a->tasks[i].pid, cap); n[j].pid; j = (j + 1) & (cap - 1))
				;
			n[j] = a->tasks[i];
		}
		free(a->tasks);
		a->tasks = n;
		a->tasks_cap = cap;
	}
	for (i = fib_hash((unsigned int)pid, a->tasks_cap); a->tasks[i].pid; i = (i + 1) & (a->tasks_cap - 1))
		;
	t = &a->tasks[i];
	memset(t, 0, sizeof(*t));
	/* pid 0 (the idle task) marks free slots: keep it apart. */
	t->pid = pid ? pid : -1;
	a->tasks_used++;
	return t;
}

/* A pending reservation that no vmalloc will claim: vmtree's caller 0. */
static void pending_outside(struct vt_agg *a, const struct vt_pending *p)
{
	struct vt_caller *c;
	struct vt_area *e;

	if (!p->failed && !p->freed && (e = area_find(a, p->addr)) && !e->known) {
		e->known = true;	/* caller 0 */
		return;
	}
	if (!p->freed || !p->guard || !(c = caller_get(a, 0)))
		return;
	c->areas++;
	c->bytes += p->guard;
	c->freed_areas++;
	c->freed_bytes += p->freed_guard;
}

static void task_push(struct vt_agg *a, int pid, const struct vt_pending *p)
{
	struct vt_task *t = task_get(a, pid ? pid : -1);

	if (!t)
		return;
	if (t->n == VT_TASK_DEPTH) {
		/* No vmalloc nests this deep: the oldest was reserved outside one. */
		pending_outside(a, &t->st[0]);
		memmove(&t->st[0], &t->st[1], (VT_TASK_DEPTH - 1) * sizeof(t->st[0]));
		t->n--;
	}
	t->st[t->n++] = *p;
}

/*
 * A vmalloc ended (vmalloc_alloc_stages): its reservation is its task's
 * latest pending one (for a success, the one at its addr: anything above is
 * a reservation outside vmalloc). Named as vmtree names it at reservation.
 */
static void task_pop(struct vt_agg *a, const struct vt_alloc *r)
{
	struct vt_task *t = task_find(a, r->pid ? r->pid : -1);
	struct vt_pending p;
	struct vt_caller *c;
	struct vt_area *e;
	int i;

	/* A size refused before any reservation: nothing of it is pending. */
	if (!t || !t->n || r->kstage == KSTAGE_SIZE)
		return;
	i = t->n - 1;
	if (r->addr && !r->kstage) {
		while (i >= 0 && (t->st[i].failed || t->st[i].addr != r->addr))
			i--;
		if (i < 0)
			return;	/* its reservation was not seen */
		while (t->n - 1 > i)
			pending_outside(a, &t->st[--t->n]);
	}
	p = t->st[i];
	t->n = i;
	if (p.failed)
		return;
	if (!p.guard) {
		/* Reserved by a vmalloc without a guard page (vmtree: VM_NO_GUARD in its flags). */
		a->tree.noguard_vmallocs++;
		return;
	}
	if (p.freed) {
		if ((c = caller_get(a, r->caller))) {
			c->areas++;
			c->bytes += p.guard;
			c->freed_areas++;
			c->freed_bytes += p.freed_guard;
		}
		return;
	}
	e = area_find(a, p.addr);
	if (e && !e->known) {
		e->known = true;
		e->caller = r->caller;
	}
}

/* An area freed while its task's vmalloc_alloc_stages is still to come: true if it was pending. */
static bool task_freed(struct vt_agg *a, const struct vt_area *e, unsigned long long guard)
{
	struct vt_task *t = task_find(a, e->pid ? e->pid : -1);
	int i;

	if (!t)
		return false;
	for (i = t->n - 1; i >= 0; i--) {
		if (!t->st[i].failed && !t->st[i].freed && t->st[i].addr == e->addr) {
			t->st[i].freed = true;
			t->st[i].freed_guard = guard;
			return true;
		}
	}
	return false;
}

void vt_agg_alloc(struct vt_agg *a, const struct vt_alloc *r)
{
	int last, i, nested = r->nested ? 1 : 0;

	a->records++;
	/* Its reservation's caller, for guard pages by caller (vmtree's frames). */
	task_pop(a, r);
	if (r->size < a->min_size || r->size > a->max_size)
		return;
	/* The stages up to the last one reached got time. */
	last = r->kstage ? failed_to_stage(r->kstage) : VM_STAGE_PUBLISH;
	for (i = 0; i <= last; i++)
		hist_add(&a->h[nested][i], &a->max_ns[nested][i], r->ns[i], a->unit_div);
	hist_add(&a->h[nested][VM_STAGE_TOTAL], &a->max_ns[nested][VM_STAGE_TOTAL], r->total_ns, a->unit_div);
	if (r->kstage) {
		a->failed++;
		a->failed_stage[last]++;
	}
}

void vt_agg_reserve(struct vt_agg *a, const struct vt_reserve *r)
{
	struct vm_tree_counts *s = &a->tree;
	struct vt_area *e;
	struct vt_caller *c;

	a->records++;
	if (r->failed) {
		s->failed++;
		/* Its vmalloc (if it is one) ends failed at the reserve stage. */
		task_push(a, r->pid, &(struct vt_pending){ .failed = true });
		return;
	}
	s->reserved++;
	if (r->purges) {
		s->purges += r->purges;
		s->purged++;
	}
	if (r->pool_hit) {
		s->pool_hits++;
	} else {
		s->tree_searches++;
		s->depth_sum += r->depth;
		a->depth[r->depth < VM_MAX_DEPTH ? r->depth : VM_MAX_DEPTH - 1]++;
	}
	if (r->guard) {
		s->guard_areas++;
		s->guard_bytes += r->guard;
	}
	e = area_insert(a, r->addr);
	if (!e) {
		a->nomem = true;
		return;
	}
	/* The area there before was never seen freed: it stays counted as reserved. */
	if (e->guard && (c = caller_get(a, e->caller))) {
		c->areas++;
		c->bytes += e->guard;
	}
	e->guard = r->guard;
	e->caller = 0;
	e->known = false;
	e->pid = r->pid;
	task_push(a, r->pid, &(struct vt_pending){ .addr = r->addr, .guard = r->guard });
}

void vt_agg_free_area(struct vt_agg *a, const struct vt_free *r)
{
	struct vm_tree_counts *s = &a->tree;
	struct vt_area *e = area_find(a, r->addr);
	struct vt_caller *c;

	a->records++;
	if (!r->guard || !e || !e->guard) {
		if (e)
			area_delete(a, e);
		if (!r->guard)
			return;
		/* Reserved before the tracer, or by a task filtered out. */
		if (a->filtered)
			return;
		s->freed_before_areas++;
		s->freed_before_bytes += r->guard;
	} else if (!e->known && task_freed(a, e, r->guard)) {
		/* Its vmalloc has not ended: its caller comes with vmalloc_alloc_stages. */
		area_delete(a, e);
	} else {
		c = caller_get(a, e->caller);
		if (c) {
			c->areas++;
			c->bytes += e->guard;
			c->freed_areas++;
			c->freed_bytes += r->guard;
		}
		area_delete(a, e);
	}
	s->freed_guard_areas++;
	s->freed_guard_bytes += r->guard;
}

void vt_agg_next_interval(struct vt_agg *a)
{
	memset(a->h, 0, sizeof(a->h));
	a->failed = 0;
	memset(a->failed_stage, 0, sizeof(a->failed_stage));
}

static int caller_cmp(const void *x, const void *y)
{
	const struct vt_caller *a = x, *b = y;

	if (a->bytes != b->bytes)
		return a->bytes < b->bytes ? 1 : -1;
	return a->caller < b->caller ? -1 : a->caller > b->caller;
}

struct vt_caller *vt_agg_callers(const struct vt_agg *a, size_t *n)
{
	struct vt_caller *out = malloc((a->ncallers + a->areas_used + 2) * sizeof(*out));
	size_t i, j, m;
	int k;

	*n = 0;
	if (!out)
		return NULL;
	memcpy(out, a->callers, a->ncallers * sizeof(*out));
	m = a->ncallers;
	/* Freed while pending: as caller 0 until (if ever) a vmalloc claims them. */
	for (i = 0; i < a->tasks_cap; i++) {
		for (k = 0; a->tasks[i].pid && k < a->tasks[i].n; k++) {
			const struct vt_pending *p = &a->tasks[i].st[k];

			if (!p->freed || !p->guard)
				continue;
			for (j = 0; j < m && out[j].caller; j++)
				;
			if (j == m) {
				memset(&out[m++], 0, sizeof(*out));
				out[j].caller = 0;
			}
			out[j].areas++;
			out[j].bytes += p->guard;
			out[j].freed_areas++;
			out[j].freed_bytes += p->freed_guard;
		}
	}
	/* Areas still live count as reserved by their caller. */
	for (i = 0; i < a->areas_cap; i++) {
		const struct vt_area *e = &a->areas[i];

		if (!e->used || !e->guard)
			continue;
		for (j = 0; j < m && out[j].caller != e->caller; j++)
			;
		if (j == m) {
			memset(&out[m++], 0, sizeof(*out));
			out[j].caller = e->caller;
		}
		out[j].areas++;
		out[j].bytes += e->guard;
	}
	qsort(out, m, sizeof(*out), caller_cmp);
	*n = m;
	return out;
}

static unsigned long long hist_count(const struct vt_hist *h)
{
	unsigned long long n = 0;
	int i;

	for (i = 0; i < HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

/* The summary's figures (lib/schema.c), as vmlat gives them. */
static struct vm_summary_in (*summary_in(const struct vt_agg *a))[VM_NR_STAGES]
{
	struct vm_summary_in (*in)[VM_NR_STAGES] = calloc(2, sizeof(*in));
	int n, st;

	if (!in)
		return NULL;
	for (n = 0; n < 2; n++) {
		for (st = 0; st < VM_NR_STAGES; st++) {
			const struct vt_hist *h = &a->h[n][st];

			in[n][st].count = hist_count(h);
			in[n][st].sum_ns = h->sum_ns;
			in[n][st].max_ns = a->max_ns[n][st];
			memcpy(in[n][st].b, h->ll, sizeof(h->ll));
		}
	}
	return in;
}

static const char *now_hms(char *buf, size_t len)
{
	time_t t = time(NULL);

	strftime(buf, len, "%H:%M:%S", localtime(&t));
	return buf;
}

static const char *name_caller(const struct vt_print *p, unsigned long long caller, char *buf, size_t len)
{
	if (!caller)
		return NULL;
	if (p->namer)
		return p->namer(p->namer_ctx, caller, buf, len);
	snprintf(buf, len, "0x%llx", caller);
	return buf;
}

unsigned long long vt_loss_lost(const struct vt_loss *l)
{
	return l->overrun + l->dropped + l->commit_overrun;
}

/* The number after "NAME: " at a line's start in TEXT; false if there is none. */
static bool stat_line(const char *text, const char *name, unsigned long long *v)
{
	size_t len = strlen(name);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, name, len) && p[len] == ':') {
			*v = strtoull(p + len + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

int vt_loss_add_stats(struct vt_loss *l, const char *text, unsigned long long *entries)
{
	unsigned long long v = 0;

	if (entries)
		*entries = stat_line(text, "entries", &v) ? v : 0;
	if (!stat_line(text, "overrun", &v))
		return -1;
	l->overrun += v;
	if (stat_line(text, "commit overrun", &v))
		l->commit_overrun += v;
	if (stat_line(text, "dropped events", &v))
		l->dropped += v;
	l->known = true;
	return 0;
}

int vt_output_check(FILE *f)
{
	if (fflush(f) || ferror(f)) {
		fprintf(stderr, "vmtrace: cannot write the report: %s\n", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

int vt_agg_print_text(const struct vt_agg *a, const struct vt_print *p)
{
	const struct vm_tree_counts *s = &a->tree;
	unsigned long long allocs = 0, nested = 0, cnt;
	struct vm_summary_in (*in)[VM_NR_STAGES];
	struct vt_caller *cs;
	char buf[256];
	size_t i, n;
	int st, nest;

	if (p->timestamp)
		printf("%s\n", now_hms(buf, sizeof(buf)));
	in = summary_in(a);
	if (!in) {
		fprintf(stderr, "vmtrace: out of memory\n");
		return -1;
	}
	print_summary(in, true, p->intervals);
	free(in);
	for (nest = 0; nest < 2; nest++) {
		bool head = false;

		for (st = 0; st < VM_NR_STAGES; st++) {
			const struct vt_hist *h = &a->h[nest][st];

			cnt = hist_count(h);
			if (!cnt)
				continue;
			if (!head)
				printf("\n%s\n", nest ? "== nested vmallocs (inside another's page_array)" : "== vmallocs");
			head = true;
			printf("\nstage %s: %llu allocations, average %llu ns\n", vm_stage_names[st], cnt,
			       h->sum_ns / cnt);
			print_log2_hist(h->slots, HIST_SLOTS, p->unit);
		}
		cnt = hist_count(&a->h[nest][VM_STAGE_TOTAL]);
		allocs += cnt;
		if (nest)
			nested = cnt;
	}
	printf("\nallocations %llu (nested %llu), failed %llu", allocs, nested, a->failed);
	if (a->failed) {
		printf(" [");
		for (st = 0; st < VM_STAGE_TOTAL; st++)
			if (a->failed_stage[st])
				printf(" %s:%llu", vm_stage_names[st], a->failed_stage[st]);
		printf(" ]");
	}
	printf("\n\nvmap area reservations: %llu (failed %llu)\n", s->reserved, s->failed);
	printf("  per-node pool hits %llu (%.1f%%), free-tree searches %llu, purge retries %llu (in %llu reservations)\n",
	       s->pool_hits, s->reserved ? 100.0 * s->pool_hits / s->reserved : 0.0, s->tree_searches,
	       s->purges, s->purged);
	if (s->tree_searches) {
		unsigned long long max = 0;
		int first = -1, last = -1, i2;

		for (i2 = 0; i2 < VM_MAX_DEPTH; i2++) {
			if (!a->depth[i2])
				continue;
			if (first < 0)
				first = i2;
			last = i2;
			if (a->depth[i2] > max)
				max = a->depth[i2];
		}
		printf("\nfree-tree search depth (nodes visited per search), average %.1f\n",
		       (double)s->depth_sum / s->tree_searches);
		printf("     nodes : count    distribution\n");
		for (i2 = first; i2 <= last; i2++)
			printf("%9d%s : %-8llu |%-40.*s|\n", i2, i2 == VM_MAX_DEPTH - 1 ? "+" : " ", a->depth[i2],
			       max ? (int)(a->depth[i2] * 40 / max) : 0, "****************************************");
	}
	printf("\nguard pages\n");
	printf("  reserved: %llu areas, %llu bytes; vmallocs without a guard page (VM_NO_GUARD): %llu\n",
	       s->guard_areas, s->guard_bytes, s->noguard_vmallocs);
	printf("  freed:    %llu areas, %llu bytes (reserved before the run: %llu areas, %llu bytes)\n",
	       s->freed_guard_areas, s->freed_guard_bytes, s->freed_before_areas, s->freed_before_bytes);
	printf("  live change: %+lld bytes\n", (long long)s->guard_bytes - (long long)s->freed_guard_bytes);
	cs = vt_agg_callers(a, &n);
	if (n) {
		printf("\nguard pages by caller (areas reserved during the run)\n");
		printf("  %-52s %8s %10s %8s %10s %10s\n", "caller", "areas", "bytes", "freed", "bytes", "live");
	}
	for (i = 0; i < n; i++) {
		const char *name = name_caller(p, cs[i].caller, buf, sizeof(buf));

		printf("  %-52.52s %8llu %10llu %8llu %10llu %10lld\n", name ? name : "(outside vmalloc)",
		       cs[i].areas, cs[i].bytes, cs[i].freed_areas, cs[i].freed_bytes,
		       (long long)cs[i].bytes - (long long)cs[i].freed_bytes);
	}
	free(cs);
	if (p->loss && p->loss->known)
		printf("\nevents: %llu read; lost %llu (ring buffer overrun %llu, dropped %llu, commit overrun %llu); "
		       "gaps the reader saw: %llu events%s\n",
		       a->records, vt_loss_lost(p->loss), p->loss->overrun, p->loss->dropped, p->loss->commit_overrun,
		       p->loss->missed, p->loss->missed_unknown ? " and some not counted" : "");
	else
		printf("\nevents: %llu read\n", a->records);
	if (a->nomem)
		printf("out of memory: some areas were not tracked; guard figures are incomplete\n");
	return vt_output_check(stdout);
}

int vt_agg_print_json(FILE *f, const struct vt_agg *a, const struct vt_print *p)
{
	unsigned long long allocs = 0, nested = 0, cnt, lost = 0;
	const struct vt_loss *l = p->loss;
	struct vm_summary_in (*in)[VM_NR_STAGES] = summary_in(a);
	struct vt_caller *cs;
	bool first = true;
	char buf[256];
	size_t i, n;
	int st, nest;

	if (!in) {
		fprintf(stderr, "vmtrace: out of memory\n");
		return -1;
	}
	for (nest = 0; nest < 2; nest++) {
		cnt = hist_count(&a->h[nest][VM_STAGE_TOTAL]);
		allocs += cnt;
		if (nest)
			nested = cnt;
	}
	if (l && l->known)
		lost = vt_loss_lost(l);
	fprintf(f, "{");
	if (p->timestamp) {
		json_kv_str(f, "time", now_hms(buf, sizeof(buf)), 1);
		fprintf(f, ",");
	}
	json_kv_str(f, "source", p->source, 1);
	json_kv_str(f, "mode", "stages", 0);
	json_kv_str(f, "unit", p->unit, 0);
	fprintf(f, ",\"stages\":true,\"allocs\":%llu,\"nested\":%llu,\"failed\":%llu,\"failed_stage\":{",
		allocs, nested, a->failed);
	for (st = 0; st < VM_STAGE_TOTAL; st++)
		fprintf(f, "%s\"%s\":%llu", st ? "," : "", vm_stage_names[st], a->failed_stage[st]);
	fprintf(f, "},\"lost\":%llu,", lost);
	schema_summary(f, in, true);
	free(in);
	fprintf(f, ",\"hists\":[");
	for (nest = 0; nest < 2; nest++) {
		for (st = 0; st < VM_NR_STAGES; st++) {
			const struct vt_hist *h = &a->h[nest][st];

			cnt = hist_count(h);
			if (!cnt)
				continue;
			schema_hist_open(f, first, st, nest);
			schema_hist_close(f, cnt, h->sum_ns, h->slots, HIST_SLOTS);
			first = false;
		}
	}
	fprintf(f, "],\"tree\":{");
	schema_tree(f, &a->tree, a->depth, VM_MAX_DEPTH);
	fprintf(f, ",\"guard_by_caller\":[");
	cs = vt_agg_callers(a, &n);
	for (i = 0; i < n; i++)
		schema_guard_caller(f, !i, name_caller(p, cs[i].caller, buf, sizeof(buf)), cs[i].areas,
				    cs[i].bytes, cs[i].freed_areas, cs[i].freed_bytes);
	free(cs);
	fprintf(f, "]},\"events\":{\"records\":%llu,\"lost\":%llu", a->records, lost);
	if (l && l->known)
		fprintf(f, ",\"overrun\":%llu,\"dropped\":%llu,\"commit_overrun\":%llu",
			l->overrun, l->dropped, l->commit_overrun);
	if (l)
		fprintf(f, ",\"missed\":%llu,\"missed_unknown\":%s", l->missed, l->missed_unknown ? "true" : "false");
	fprintf(f, ",\"incomplete\":%s}}\n", a->nomem ? "true" : "false");
	return vt_output_check(f);
}
