// SPDX-License-Identifier: GPL-2.0
/* lib/hist.c and lib/schema.c: slots as vmlat.bpf.c computes them, JSON as the tests read it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"
#include "schema.h"

static void test_log2_slot(void **state)
{
	assert_int_equal(log2_slot(0), 0);
	assert_int_equal(log2_slot(1), 0);
	assert_int_equal(log2_slot(2), 1);
	assert_int_equal(log2_slot(3), 1);
	assert_int_equal(log2_slot(4), 2);
	assert_int_equal(log2_slot(1023), 9);
	assert_int_equal(log2_slot(1024), 10);
	assert_int_equal(log2_slot(0xffffffffULL), 31);
	/* 2^32 and more: the last slot, as the BPF side clamps. */
	assert_int_equal(log2_slot(1ULL << 32), HIST_SLOTS - 1);
	assert_int_equal(log2_slot(~0ULL), HIST_SLOTS - 1);
}

static char *capture(void (*fn)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

static void write_hist(FILE *f, void *arg)
{
	json_log2_hist(f, arg, HIST_SLOTS);
}

static void test_json_hist(void **state)
{
	unsigned long long slots[HIST_SLOTS] = { [0] = 2, [3] = 5 };
	char *s = capture(write_hist, slots);

	assert_string_equal(s, "[{\"low\":0,\"high\":1,\"count\":2},{\"low\":8,\"high\":15,\"count\":5}]");
	free(s);
	memset(slots, 0, sizeof(slots));
	s = capture(write_hist, slots);
	assert_string_equal(s, "[]");
	free(s);
}

static void write_entry(FILE *f, void *arg)
{
	unsigned long long *slots = arg;

	schema_hist_open(f, true, VM_STAGE_MAP, true);
	schema_hist_close(f, 1, 12, slots, HIST_SLOTS);
}

static void test_schema_entry(void **state)
{
	unsigned long long slots[HIST_SLOTS] = { [3] = 1 };
	char *s = capture(write_entry, slots);

	assert_string_equal(s, "{\"stage\":\"map\",\"nested\":true,\"count\":1,\"sum_ns\":12,"
			       "\"slots\":[{\"low\":8,\"high\":15,\"count\":1}]}");
	free(s);
}

/* Per-CPU values as one: sums, but the largest for the last words (maxima). */
static void test_fold_percpu(void **state)
{
	/* 3 CPUs x 4 words, the last 2 maxima: the largest on any CPU, first or last. */
	static const unsigned long long v[3 * 4] = {
		1, 10, 7, 0,
		2, 20, 3, 9,
		4, 40, 5, 8,
	};
	static const unsigned long long want[4] = { 7, 70, 7, 9 }, sums[4] = { 7, 70, 15, 17 };
	unsigned long long out[4] = { 99, 99, 99, 99 };

	u64s_fold_percpu(out, v, 3, 4, 2);
	assert_memory_equal(out, want, sizeof(want));
	/* No maxima: all summed (percpu_sum()); all maxima; one CPU: itself. */
	u64s_fold_percpu(out, v, 3, 4, 0);
	assert_memory_equal(out, sums, sizeof(sums));
	u64s_fold_percpu(out, v, 3, 4, 4);
	assert_int_equal(out[0], 4);
	assert_int_equal(out[1], 40);
	assert_int_equal(out[2], 7);
	assert_int_equal(out[3], 9);
	u64s_fold_percpu(out, v + 4, 1, 4, 2);
	assert_memory_equal(out, v + 4, 4 * sizeof(*out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log2_slot),
		cmocka_unit_test(test_fold_percpu),
		cmocka_unit_test(test_json_hist),
		cmocka_unit_test(test_schema_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
