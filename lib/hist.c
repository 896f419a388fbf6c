// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>
#include "hist.h"

unsigned long long log2_slot_high(int i)
{
	return 1ULL << (i + 1);
}

static void print_stars(unsigned long long val, unsigned long long max, int width)
{
	int stars = max ? (int)(val * width / max) : 0;
	int i;

	for (i = 0; i < width; i++)
		putchar(i < stars ? '*' : ' ');
	if (val > max)
		putchar('+');
}

void print_log2_hist(const unsigned long long *slots, int n, const char *unit)
{
	int i, first = -1, last = -1;
	unsigned long long max = 0;
	bool wide;

	for (i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (slots[i] > max)
			max = slots[i];
	}
	if (last < 0)
		return;
	/* bcc's layout: narrow columns while the values fit in 10 digits. */
	wide = last >= 32;
	printf("%*s%-*s : count    distribution\n", wide ? 15 : 5, "", wide ? 29 : 19, unit);
	for (i = first; i <= last; i++) {
		unsigned long long low = i ? 1ULL << i : 0;
		unsigned long long high = log2_slot_high(i) - 1;

		printf("%*llu -> %-*llu : %-8llu |", wide ? 20 : 10, low, wide ? 20 : 10, high,
		       (unsigned long long)slots[i]);
		print_stars(slots[i], max, wide ? 20 : 40);
		printf("|\n");
	}
}

void json_log2_hist(FILE *f, const unsigned long long *slots, int n)
{
	bool first = true;
	int i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		fprintf(f, "%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}", first ? "" : ",",
			i ? 1ULL << i : 0ULL, log2_slot_high(i) - 1, (unsigned long long)slots[i]);
		first = false;
	}
	fputc(']', f);
}

void u64s_fold_percpu(unsigned long long *out, const unsigned long long *percpu, int ncpu, size_t words,
		      size_t max_words)
{
	size_t i, first_max = max_words < words ? words - max_words : 0;
	int c;

	memset(out, 0, words * sizeof(*out));
	for (c = 0; c < ncpu; c++)
		for (i = 0; i < words; i++) {
			unsigned long long x = percpu[(size_t)c * words + i];

			if (i < first_max)
				out[i] += x;
			else if (x > out[i])
				out[i] = x;
		}
}
