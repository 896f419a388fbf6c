/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlat -M funcs: the functions of the vmalloc allocation path that a stock
 * kernel's build kept as symbols (the rest were inlined), one per stage
 * slot (enum vmlat_fn), found at run time in BTF and ftrace's
 * available_filter_functions (fentry) or kallsyms (kprobes).
 */
#ifndef __VMSCOPE_STOCKFN_H
#define __VMSCOPE_STOCKFN_H

#include <stdbool.h>
#include <stdio.h>

struct bpf_object;

#define NR_STOCK_FNS 4	/* reserve, area, pages, map: enum vmlat_fn */
#define STOCK_FN_NAMES 3	/* names that may serve one slot */

struct stock_fns {
	bool kprobe;				/* kprobes: fentry cannot attach */
	bool split;				/* area, pages and map: all five stages */
	bool has[NR_STOCK_FNS][STOCK_FN_NAMES];	/* which names are symbols here */
	char name[NR_STOCK_FNS][96];		/* those, joined by '/'; "": none */
};

/* Fills SF for fentry (KPROBE false) or kprobes; returns how many were found. */
int stock_fns_probe(struct stock_fns *sf, bool kprobe);
/*
 * Before load: the fn_* programs of OBJ on for the functions found (and
 * the way in of SF), off otherwise (ON false: all off). 0 or a negative errno.
 */
int stock_fns_select(struct bpf_object *obj, const struct stock_fns *sf, bool on);
/* One line: which stages are measured by which function, which need the series. */
void stock_fns_print(FILE *f, const struct stock_fns *sf);
/* "funcs":{"via":..,"reserve":"fn"|null,...,"other":[stages in the rest]} (no braces around). */
void stock_fns_json(FILE *f, const struct stock_fns *sf);
/* The stages the publish slot holds when not split ("other"). */
bool stock_fns_other(const struct stock_fns *sf);

#endif /* __VMSCOPE_STOCKFN_H */
