/* SPDX-License-Identifier: GPL-2.0 */
/* User-space helpers shared by the vmscope tools (after bcc's trace_helpers). */
#ifndef __VMSCOPE_TRACE_HELPERS_H
#define __VMSCOPE_TRACE_HELPERS_H

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

/* Kernel text symbols from /proc/kallsyms (modules as "name [mod]"), for callers. */
struct ksyms;
struct ksyms *ksyms__load(void);
struct ksyms *ksyms__load_for(const char *tool, bool wanted);
/* Picks up modules loaded since; keeps those unloaded (their callers stay named). */
void ksyms__refresh(struct ksyms *ks);
void ksyms__free(struct ksyms *ks);
/* Adds the modules a tool's module_texts map (modules.bpf.h) saw load. */
void ksyms__add_module_texts(struct ksyms *ks, int map_fd);
/* "name+0xoff", or the address in hex when unknown. */
const char *ksyms__describe(const struct ksyms *ks, unsigned long addr, char *buf, size_t len);

/* log2 histograms: lib/hist.h, shared with tools/vmtrace. */
#include "hist.h"
#include "args.h"

/* A size for people: 4K, 2M. */
const char *human_size(unsigned long long bytes, char *buf, size_t len);

/*
 * The value of KEY in per-CPU map FD, summed over the possible CPUs, as
 * WORDS u64s (the value is WORDS u64s per CPU). Returns 0 or -errno.
 */
int percpu_sum(int fd, const void *key, __u64 *sum, size_t words);
/* The same, but the last MAX_WORDS u64s are maxima: the largest over the CPUs. */
int percpu_fold(int fd, const void *key, __u64 *sum, size_t words, size_t max_words);
/* A -= B, N u64s: an interval's figures from two cumulative readings. */
void u64s_sub(__u64 *a, const __u64 *b, size_t n);

/* argp helper: a positive int or an argp error naming WHAT. */

/*
 * Sleeps SECS seconds or until *STOP (set by a signal handler), refreshing
 * KS (may be NULL) every 200 ms, so callers in modules get names if the
 * module lives that long (a module gone before that shows as an address).
 */
void wait_interval(int secs, volatile sig_atomic_t *stop, struct ksyms *ks);

/* "HH:MM:SS" now, for -T. */
const char *timestamp(char *buf, size_t len);

#endif /* __VMSCOPE_TRACE_HELPERS_H */
