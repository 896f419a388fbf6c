/* SPDX-License-Identifier: GPL-2.0 */
/* Option arguments shared by the bpf/ tools and tools/vmtrace. */
#ifndef VMSCOPE_ARGS_H
#define VMSCOPE_ARGS_H

#include <argp.h>

/* A positive int (1..INT_MAX), or argp_error() naming WHAT. */
long parse_positive(const char *arg, const char *what, struct argp_state *state);
/* Bytes, optionally with a K, M or G suffix, or argp_error(). */
unsigned long long parse_size(const char *arg, struct argp_state *state);
/* -u or -m (KEY): histograms in usecs or msecs; the two exclude each other. */
void parse_unit(int key, const char **unit, unsigned long long *div, struct argp_state *state);

#endif
