/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parser for the kernel's lib/test_vmalloc.c results, as they appear in
 * dmesg or a serial log:
 *   Summary: <test> passed: P failed: F repeat: R loops: L avg: A usec
 *   All test took worker<N>=<C> cycles
 * The summaries of one worker come before its "All test took" line.
 */
#ifndef __VMSCOPE_TVPARSE_H
#define __VMSCOPE_TVPARSE_H

#include <stddef.h>

#define TV_NAME_MAX 48

struct tv_result {
	char test[TV_NAME_MAX];
	int worker;		/* -1 until its worker's closing line is seen */
	long passed;
	long failed;
	long repeat;
	long loops;
	unsigned long long avg_usec;
};

struct tv_report {
	struct tv_result *results;
	size_t n;
	size_t cap;
	int workers;		/* closing "All test took" lines seen */
};

/*
 * Feeds one line. Returns 1 if it was a test_vmalloc line, 0 if it was
 * something else, -1 if it looked like a summary but did not parse, and
 * -2 when out of memory.
 */
int tv_parse_line(struct tv_report *rep, const char *line);

/* Tests that failed at least once (failed > 0 or passed == 0). */
size_t tv_count_failed(const struct tv_report *rep);

void tv_report_free(struct tv_report *rep);

#endif /* __VMSCOPE_TVPARSE_H */
