// SPDX-License-Identifier: GPL-2.0
/* Unit tests for tvparse.c (cmocka). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "tvparse.h"

static int teardown(void **state)
{
	tv_report_free(*state);
	return 0;
}

static int setup(void **state)
{
	static struct tv_report rep;

	memset(&rep, 0, sizeof(rep));
	*state = &rep;
	return 0;
}

static void summary_with_dmesg_prefix(void **state)
{
	struct tv_report *rep = *state;

	assert_int_equal(tv_parse_line(rep,
		"[   12.345678] Summary: fix_size_alloc_test passed: 1 failed: 0 repeat: 1 loops: 20000 avg: 82707 usec\n"), 1);
	assert_int_equal(rep->n, 1);
	assert_string_equal(rep->results[0].test, "fix_size_alloc_test");
	assert_int_equal(rep->results[0].passed, 1);
	assert_int_equal(rep->results[0].failed, 0);
	assert_int_equal(rep->results[0].repeat, 1);
	assert_int_equal(rep->results[0].loops, 20000);
	assert_int_equal(rep->results[0].avg_usec, 82707);
	assert_int_equal(rep->results[0].worker, -1);
}

static void serial_console_line_with_cr(void **state)
{
	struct tv_report *rep = *state;

	assert_int_equal(tv_parse_line(rep,
		"Summary: full_fit_alloc_test passed: 3 failed: 0 repeat: 3 loops: 5 avg: 9 usec\r\n"), 1);
	assert_int_equal(rep->results[0].passed, 3);
}

static void other_lines_are_ignored(void **state)
{
	struct tv_report *rep = *state;

	assert_int_equal(tv_parse_line(rep, "[    0.000000] Linux version 6.12.117\n"), 0);
	assert_int_equal(tv_parse_line(rep, ""), 0);
	assert_int_equal(rep->n, 0);
}

static void malformed_summary_is_reported(void **state)
{
	struct tv_report *rep = *state;

	assert_int_equal(tv_parse_line(rep, "Summary: fix_size_alloc_test passed: x failed: 0\n"), -1);
	assert_int_equal(tv_parse_line(rep,
		"Summary: t passed: 1 failed: 0 repeat: 1 loops: 2 avg: 3\n"), -1);
	assert_int_equal(tv_parse_line(rep,
		"Summary: t passed: -1 failed: 0 repeat: 1 loops: 2 avg: 3 usec\n"), -1);
	assert_int_equal(tv_parse_line(rep, "All test took worker=12 cycles\n"), -1);
	assert_int_equal(rep->n, 0);
}

static void workers_are_assigned_in_order(void **state)
{
	struct tv_report *rep = *state;

	tv_parse_line(rep, "Summary: a passed: 1 failed: 0 repeat: 1 loops: 1 avg: 1 usec");
	tv_parse_line(rep, "Summary: b passed: 1 failed: 0 repeat: 1 loops: 1 avg: 1 usec");
	assert_int_equal(tv_parse_line(rep, "All test took worker0=123 cycles"), 1);
	tv_parse_line(rep, "Summary: a passed: 1 failed: 0 repeat: 1 loops: 1 avg: 2 usec");
	assert_int_equal(tv_parse_line(rep, "All test took worker1=456 cycles"), 1);
	assert_int_equal(rep->n, 3);
	assert_int_equal(rep->workers, 2);
	assert_int_equal(rep->results[0].worker, 0);
	assert_int_equal(rep->results[1].worker, 0);
	assert_int_equal(rep->results[2].worker, 1);
}

static void failures_are_counted(void **state)
{
	struct tv_report *rep = *state;

	tv_parse_line(rep, "Summary: ok passed: 2 failed: 0 repeat: 2 loops: 1 avg: 1 usec");
	tv_parse_line(rep, "Summary: bad passed: 1 failed: 1 repeat: 2 loops: 1 avg: 1 usec");
	tv_parse_line(rep, "Summary: none passed: 0 failed: 0 repeat: 1 loops: 1 avg: 1 usec");
	assert_int_equal(tv_count_failed(rep), 2);
}

static void long_names_are_bounded(void **state)
{
	struct tv_report *rep = *state;
	char line[256];

	snprintf(line, sizeof(line), "Summary: %s passed: 1 failed: 0 repeat: 1 loops: 1 avg: 1 usec",
		 "a_test_name_that_is_much_longer_than_forty_seven_characters_in_all");
	/* The name is cut at TV_NAME_MAX - 1; the rest no longer matches. */
	assert_int_equal(tv_parse_line(rep, line), -1);
	assert_int_equal(rep->n, 0);
}

static void many_results_grow_the_array(void **state)
{
	struct tv_report *rep = *state;
	int i;

	for (i = 0; i < 100; i++)
		assert_int_equal(tv_parse_line(rep,
			"Summary: t passed: 1 failed: 0 repeat: 1 loops: 1 avg: 1 usec"), 1);
	assert_int_equal(rep->n, 100);
	assert_true(rep->cap >= 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(summary_with_dmesg_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(serial_console_line_with_cr, setup, teardown),
		cmocka_unit_test_setup_teardown(other_lines_are_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_summary_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(workers_are_assigned_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(failures_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(long_names_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(many_results_grow_the_array, setup, teardown),
	};

	return cmocka_run_group_tests_name("tvparse", tests, NULL, NULL);
}
