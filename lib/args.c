// SPDX-License-Identifier: GPL-2.0
/* Option arguments shared by the bpf/ tools and tools/vmtrace. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

long parse_positive(const char *arg, const char *what, struct argp_state *state)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v <= 0 || v > INT_MAX)
		argp_error(state, "invalid %s '%s': want a positive integer", what, arg);
	return v;
}

unsigned long long parse_size(const char *arg, struct argp_state *state)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || errno || arg[0] == '-')
		argp_error(state, "invalid size '%s': want bytes, optionally with K, M or G", arg);
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	}
	if (*end || v > ULLONG_MAX / mul)
		argp_error(state, "invalid size '%s': want bytes, optionally with K, M or G", arg);
	return v * mul;
}

void parse_unit(int key, const char **unit, unsigned long long *div, struct argp_state *state)
{
	const char *want = key == 'u' ? "usecs" : "msecs";

	if (*div != 1 && strcmp(*unit, want))
		argp_error(state, "-u and -m exclude each other: one unit");
	*unit = want;
	*div = key == 'u' ? 1000 : 1000000;
}
