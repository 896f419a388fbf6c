// SPDX-License-Identifier: GPL-2.0
/* tools/vmtrace/agg.c: records into vmlat's and vmtree's figures, with their semantics. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "agg.h"

static unsigned long long count(const struct vt_hist *h)
{
	unsigned long long n = 0;
	int i;

	for (i = 0; i < HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

static void test_alloc_stages(void **state)
{
	struct vt_agg a;
	struct vt_alloc ok = { .addr = 0x1000, .size = 4096, .total_ns = 15, .ns = { 1, 2, 3, 4, 5 } };
	struct vt_alloc fail = { .size = 4096, .total_ns = 7, .ns = { 3, 4 }, .kstage = KSTAGE_PAGE_ARRAY };

	vt_agg_init(&a);
	vt_agg_alloc(&a, &ok);
	vt_agg_alloc(&a, &fail);
	ok.nested = true;
	vt_agg_alloc(&a, &ok);
	assert_int_equal(count(&a.h[0][VM_STAGE_RESERVE]), 2);
	assert_int_equal(count(&a.h[0][VM_STAGE_PAGE_ARRAY]), 2);
	/* A failed allocation's stages after the one that failed get nothing. */
	assert_int_equal(count(&a.h[0][VM_STAGE_PAGES]), 1);
	assert_int_equal(count(&a.h[0][VM_STAGE_TOTAL]), 2);
	assert_int_equal(count(&a.h[1][VM_STAGE_TOTAL]), 1);
	assert_int_equal(a.h[0][VM_STAGE_TOTAL].sum_ns, 22);
	assert_int_equal(a.h[0][VM_STAGE_RESERVE].slots[1], 1);	/* 3 ns */
	assert_int_equal(a.failed, 1);
	assert_int_equal(a.failed_stage[VM_STAGE_PAGE_ARRAY], 1);
	/* The summary's buckets (ns, exact below 32) and maxima. */
	assert_int_equal(a.h[0][VM_STAGE_TOTAL].ll[15], 1);
	assert_int_equal(a.h[0][VM_STAGE_TOTAL].ll[7], 1);
	assert_int_equal(a.max_ns[0][VM_STAGE_TOTAL], 15);
	assert_int_equal(a.max_ns[0][VM_STAGE_PAGE_ARRAY], 4);
	vt_agg_next_interval(&a);
	assert_int_equal(count(&a.h[0][VM_STAGE_TOTAL]), 0);
	assert_int_equal(a.h[0][VM_STAGE_TOTAL].ll[15], 0);
	assert_int_equal(a.failed, 0);
	/* A maximum since the start: an interval does not reset it. */
	assert_int_equal(a.max_ns[0][VM_STAGE_TOTAL], 15);
	vt_agg_free(&a);
}

static void test_size_filter_and_unit(void **state)
{
	struct vt_agg a;
	struct vt_alloc r = { .size = 8192, .total_ns = 5000, .ns = { 5000 } };

	vt_agg_init(&a);
	a.unit_div = 1000;
	a.min_size = 4096;
	a.max_size = 8192;
	vt_agg_alloc(&a, &r);
	r.size = 8193;
	vt_agg_alloc(&a, &r);
	assert_int_equal(count(&a.h[0][VM_STAGE_TOTAL]), 1);
	assert_int_equal(a.h[0][VM_STAGE_TOTAL].slots[2], 1);	/* 5 us */
	assert_int_equal(a.h[0][VM_STAGE_TOTAL].sum_ns, 5000);	/* exact, whatever the unit */
	vt_agg_free(&a);
}

static void test_tree_and_guard(void **state)
{
	struct vt_agg a;
	struct vt_reserve r = { .addr = 0x10000, .guard = 4096, .depth = 3 };
	struct vt_alloc al = { .addr = 0x10000, .size = 4096, .caller = 0xabc };
	struct vt_caller *cs;
	size_t n;

	vt_agg_init(&a);
	vt_agg_reserve(&a, &r);
	vt_agg_alloc(&a, &al);
	r.addr = 0x20000;
	r.pool_hit = true;
	r.purges = 2;
	vt_agg_reserve(&a, &r);		/* never named: outside vmalloc */
	r = (struct vt_reserve){ .addr = 0x30000, .guard = 0, .depth = 100 };
	vt_agg_reserve(&a, &r);
	al.addr = 0x30000;
	vt_agg_alloc(&a, &al);		/* a vmalloc without a guard page */
	r = (struct vt_reserve){ .failed = true };
	vt_agg_reserve(&a, &r);
	assert_int_equal(a.tree.reserved, 3);
	assert_int_equal(a.tree.failed, 1);
	assert_int_equal(a.tree.pool_hits, 1);
	assert_int_equal(a.tree.tree_searches, 2);
	assert_int_equal(a.tree.depth_sum, 103);
	assert_int_equal(a.depth[3], 1);
	assert_int_equal(a.depth[VM_MAX_DEPTH - 1], 1);
	assert_int_equal(a.tree.purges, 2);
	assert_int_equal(a.tree.purged, 1);
	assert_int_equal(a.tree.guard_areas, 2);
	assert_int_equal(a.tree.noguard_vmallocs, 1);

	vt_agg_free_area(&a, &(struct vt_free){ .addr = 0x10000, .guard = 4096 });
	vt_agg_free_area(&a, &(struct vt_free){ .addr = 0x90000, .guard = 4096 });	/* before the run */
	assert_int_equal(a.tree.freed_guard_areas, 2);
	assert_int_equal(a.tree.freed_before_areas, 1);
	cs = vt_agg_callers(&a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(cs[0].caller + cs[1].caller, 0xabc);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(cs[i].areas, 1);
		assert_int_equal(cs[i].freed_areas, cs[i].caller ? 1 : 0);
	}
	free(cs);
	vt_agg_free(&a);
}

/* Many areas: the table grows and deletes keep every other one findable. */
static void test_many_areas(void **state)
{
	struct vt_agg a;
	unsigned long long i;
	struct vt_caller *cs;
	size_t n;

	vt_agg_init(&a);
	a.filtered = true;
	for (i = 1; i <= 20000; i++)
		vt_agg_reserve(&a, &(struct vt_reserve){ .addr = i << 12, .guard = 4096, .depth = 1 });
	for (i = 1; i <= 20000; i += 2)
		vt_agg_free_area(&a, &(struct vt_free){ .addr = i << 12, .guard = 4096 });
	assert_int_equal(a.tree.freed_guard_areas, 10000);
	assert_int_equal(a.areas_used, 10000);
	for (i = 2; i <= 20000; i += 2)
		vt_agg_free_area(&a, &(struct vt_free){ .addr = i << 12, .guard = 4096 });
	assert_int_equal(a.tree.freed_guard_areas, 20000);
	assert_int_equal(a.areas_used, 0);
	/* Filtered: a free of an area never seen reserved is another task's. */
	vt_agg_free_area(&a, &(struct vt_free){ .addr = 0x1000, .guard = 4096 });
	assert_int_equal(a.tree.freed_guard_areas, 20000);
	cs = vt_agg_callers(&a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(cs[0].areas, 20000);
	free(cs);
	vt_agg_free(&a);
}

/* vmtree names an area at its reservation: a vmalloc failing after it still names it (addr 0). */
static void test_failed_after_reserve(void **state)
{
	struct vt_agg a;
	struct vt_caller *cs;
	size_t n;

	vt_agg_init(&a);
	vt_agg_reserve(&a, &(struct vt_reserve){ .addr = 0x10000, .guard = 4096, .pid = 7 });
	/* Another task's reservation in between: not this vmalloc's. */
	vt_agg_reserve(&a, &(struct vt_reserve){ .addr = 0x50000, .guard = 4096, .pid = 8 });
	vt_agg_free_area(&a, &(struct vt_free){ .addr = 0x10000, .guard = 4096 });
	vt_agg_alloc(&a, &(struct vt_alloc){ .caller = 0xabc, .kstage = KSTAGE_PAGES, .pid = 7 });
	vt_agg_alloc(&a, &(struct vt_alloc){ .addr = 0x50000, .caller = 0xdef, .pid = 8 });
	cs = vt_agg_callers(&a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(cs[0].caller + cs[1].caller, 0xabc + 0xdef);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(cs[i].areas, 1);
		assert_int_equal(cs[i].bytes, 4096);
		assert_int_equal(cs[i].freed_areas, cs[i].caller == 0xabc ? 1 : 0);
	}
	free(cs);
	assert_int_equal(a.tree.freed_guard_areas, 1);
	assert_int_equal(a.tree.freed_before_areas, 0);
	vt_agg_free(&a);
}

/* VM_NO_GUARD counted at reservation, whether or not the vmalloc then succeeds. */
static void test_noguard_failed(void **state)
{
	struct vt_agg a;

	vt_agg_init(&a);
	vt_agg_reserve(&a, &(struct vt_reserve){ .addr = 0x10000, .guard = 0, .pid = 7 });
	vt_agg_alloc(&a, &(struct vt_alloc){ .caller = 0xabc, .kstage = KSTAGE_MAP, .pid = 7 });
	/* A failed reservation, then a size refused before reserving: neither has a guard to count. */
	vt_agg_reserve(&a, &(struct vt_reserve){ .failed = true, .pid = 7 });
	vt_agg_alloc(&a, &(struct vt_alloc){ .caller = 0xabc, .kstage = KSTAGE_RESERVE, .pid = 7 });
	vt_agg_alloc(&a, &(struct vt_alloc){ .caller = 0xabc, .kstage = KSTAGE_SIZE, .pid = 7 });
	assert_int_equal(a.tree.noguard_vmallocs, 1);
	assert_int_equal(a.failed, 3);
	vt_agg_free(&a);
}

/* A nested vmalloc (the page array) reserves and ends inside its parent; a vmap stays caller 0. */
static void test_nested_pairing(void **state)
{
	struct vt_agg a;
	struct vt_caller *cs;
	size_t n, i;

	vt_agg_init(&a);
	vt_agg_reserve(&a, &(struct vt_reserve){ .addr = 0x90000, .guard = 4096, .pid = 7 });	/* vmap */
	vt_agg_free_area(&a, &(struct vt_free){ .addr = 0x90000, .guard = 4096 });
	vt_agg_reserve(&a, &(struct vt_reserve){ .addr = 0x10000, .guard = 4096, .pid = 7 });
	vt_agg_reserve(&a, &(struct vt_reserve){ .addr = 0x20000, .guard = 4096, .pid = 7 });
	vt_agg_alloc(&a, &(struct vt_alloc){ .addr = 0x20000, .caller = 0x2, .nested = true, .pid = 7 });
	vt_agg_alloc(&a, &(struct vt_alloc){ .addr = 0x10000, .caller = 0x1, .pid = 7 });
	cs = vt_agg_callers(&a, &n);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_int_equal(cs[i].areas, 1);
		assert_int_equal(cs[i].freed_areas, cs[i].caller == 0 ? 1 : 0);
	}
	free(cs);
	vt_agg_free(&a);
}

static void test_loss_stats(void **state)
{
	struct vt_loss l = { 0 };
	unsigned long long entries;

	assert_int_equal(vt_loss_add_stats(&l, "entries: 247\noverrun: 3\ncommit overrun: 1\nbytes: 9\n"
					   "dropped events: 2\nread events: 0\n", &entries), 0);
	assert_int_equal(entries, 247);
	assert_int_equal(vt_loss_add_stats(&l, "entries: 0\noverrun: 10\n", NULL), 0);
	assert_int_equal(vt_loss_add_stats(&l, "garbage", &entries), -1);
	l.missed = 13;		/* the reader's gaps: the same losses, not added */
	assert_int_equal(l.overrun, 13);
	assert_int_equal(vt_loss_lost(&l), 16);
}

/* A report that cannot be written is an error, not a silent exit 0. */
static void test_output_error(void **state)
{
	struct vt_agg a;
	struct vt_print p = { .source = "report", .unit = "nsecs" };
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		skip();
	vt_agg_init(&a);
	assert_int_equal(vt_agg_print_json(f, &a, &p), -1);
	fclose(f);
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(vt_agg_print_json(f, &a, &p), 0);
	fclose(f);
	vt_agg_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_stages),
		cmocka_unit_test(test_size_filter_and_unit),
		cmocka_unit_test(test_tree_and_guard),
		cmocka_unit_test(test_many_areas),
		cmocka_unit_test(test_failed_after_reserve),
		cmocka_unit_test(test_noguard_failed),
		cmocka_unit_test(test_nested_pairing),
		cmocka_unit_test(test_loss_stats),
		cmocka_unit_test(test_output_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
