// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tvparse.h"

static int add_result(struct tv_report *rep, const struct tv_result *r)
{
	struct tv_result *n;
	size_t cap;

	if (rep->n == rep->cap) {
		cap = rep->cap ? rep->cap * 2 : 16;
		n = realloc(rep->results, cap * sizeof(*n));
		if (!n)
			return -2;
		rep->results = n;
		rep->cap = cap;
	}
	rep->results[rep->n++] = *r;
	return 1;
}

int tv_parse_line(struct tv_report *rep, const char *line)
{
	struct tv_result r = { .worker = -1 };
	const char *p;
	int worker, end = 0;
	unsigned long long cycles;
	size_t i;

	p = strstr(line, "Summary: ");
	if (p) {
		/* %47s matches TV_NAME_MAX - 1. */
		if (sscanf(p, "Summary: %47s passed: %ld failed: %ld repeat: %ld loops: %ld avg: %llu usec%n",
			   r.test, &r.passed, &r.failed, &r.repeat, &r.loops,
			   &r.avg_usec, &end) != 6 || !end)
			return -1;
		if (r.passed < 0 || r.failed < 0 || r.repeat < 0 || r.loops < 0)
			return -1;
		return add_result(rep, &r);
	}
	p = strstr(line, "All test took worker");
	if (p) {
		if (sscanf(p, "All test took worker%d=%llu cycles%n", &worker, &cycles, &end) != 2 ||
		    !end || worker < 0)
			return -1;
		for (i = 0; i < rep->n; i++)
			if (rep->results[i].worker < 0)
				rep->results[i].worker = worker;
		rep->workers++;
		return 1;
	}
	return 0;
}

size_t tv_count_failed(const struct tv_report *rep)
{
	size_t i, n = 0;

	for (i = 0; i < rep->n; i++)
		if (rep->results[i].failed > 0 || rep->results[i].passed == 0)
			n++;
	return n;
}

void tv_report_free(struct tv_report *rep)
{
	free(rep->results);
	memset(rep, 0, sizeof(*rep));
}
