// SPDX-License-Identifier: GPL-2.0
/* lib/prom.c: the text format's pieces (escaping, exact decimals, cumulative buckets) and the label cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "prom.h"

static void test_escape(void **state)
{
	char buf[64];

	assert_string_equal(prom_escape("plain+0x1a [mod]", buf, sizeof(buf)), "plain+0x1a [mod]");
	assert_string_equal(prom_escape("a\"b\\c\nd", buf, sizeof(buf)), "a\\\"b\\\\c\\nd");
	/* Truncated, never half an escape. */
	assert_string_equal(prom_escape("\"\"\"", buf, 5), "\\\"");
}

static void test_decimal(void **state)
{
	char buf[32];

	assert_string_equal(prom_decimal(0, 9, buf, sizeof(buf)), "0");
	assert_string_equal(prom_decimal(1, 9, buf, sizeof(buf)), "0.000000001");
	assert_string_equal(prom_decimal(4095, 9, buf, sizeof(buf)), "0.000004095");
	assert_string_equal(prom_decimal(1500000000, 9, buf, sizeof(buf)), "1.5");
	assert_string_equal(prom_decimal(4294967295ULL, 9, buf, sizeof(buf)), "4.294967295");
	assert_string_equal(prom_decimal(~0ULL, 9, buf, sizeof(buf)), "18446744073.709551615");
	assert_string_equal(prom_decimal(62, 0, buf, sizeof(buf)), "62");
}

static void test_histogram(void **state)
{
	unsigned long long slots[4] = { 1, 2, 0, 3 }, le[3] = { 1, 3, 7 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	prom_histogram(f, "x_seconds", "stage=\"total\"", slots, 4, le, 3, 9, 1234567891);
	prom_histogram(f, "d", NULL, slots, 4, le, 3, 0, 40);
	fclose(f);
	assert_string_equal(buf,
		"x_seconds_bucket{stage=\"total\",le=\"0.000000001\"} 1\n"
		"x_seconds_bucket{stage=\"total\",le=\"0.000000003\"} 3\n"
		"x_seconds_bucket{stage=\"total\",le=\"0.000000007\"} 3\n"
		"x_seconds_bucket{stage=\"total\",le=\"+Inf\"} 6\n"
		"x_seconds_sum{stage=\"total\"} 1.234567891\n"
		"x_seconds_count{stage=\"total\"} 6\n"
		"d_bucket{le=\"1\"} 1\n"
		"d_bucket{le=\"3\"} 3\n"
		"d_bucket{le=\"7\"} 3\n"
		"d_bucket{le=\"+Inf\"} 6\n"
		"d_sum 40\n"
		"d_count 6\n");
	free(buf);
}

static void test_family(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	prom_family(f, "a_total", "counter", "back\\slash\nnewline");
	fclose(f);
	assert_string_equal(buf, "# HELP a_total back\\\\slash\\nnewline\n# TYPE a_total counter\n");
	free(buf);
}

static void test_cap(void **state)
{
	struct prom_cap c = { .max = 2 };

	assert_int_equal(prom_cap_index(&c, 10, "ten"), 0);
	assert_int_equal(prom_cap_index(&c, 20, "twenty"), 1);
	assert_int_equal(prom_cap_index(&c, 30, "thirty"), 2);	/* other */
	assert_int_equal(prom_cap_index(&c, 10, "ten"), 0);	/* kept for good */
	assert_int_equal(prom_cap_index(&c, 40, "forty"), 2);
	assert_string_equal(prom_cap_name(&c, 1), "twenty");
	assert_string_equal(prom_cap_name(&c, 2), "other");
	prom_cap_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
