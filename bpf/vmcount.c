// SPDX-License-Identifier: GPL-2.0
/*
 * vmcount: count vmap area allocations (vmalloc:alloc_vmap_area) per
 * interval, optionally for one process or command name.
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "vmcount.h"
#include "tpfield.h"
#include "vmcount.skel.h"
#include "probe.h"
#include "trace_helpers.h"
#include "cli.h"
#include "json.h"

const char *argp_program_version = "vmcount 0.1";
static const char doc[] =
"Count vmap area allocations (the vmalloc:alloc_vmap_area tracepoint; on\n"
"kernels before 6.2, fexit on alloc_vmap_area() where it is a symbol).\n"
"\n"
"Every vmap area counts: vmalloc's, and vmap(), vm_map_ram() (large ones),\n"
"ioremap() and module loading's. The tracepoint fires per attempt: an\n"
"allocation that fails, purges lazily freed areas and succeeds on its retry\n"
"counts one failure and one allocation. fexit sees calls: that allocation\n"
"is one success, retries are not seen, and a failure is a call that\n"
"returned an error (ERR_PTR).\n"
"\n"
"USAGE: vmcount [-h] [-p PID] [-c COMM] [-j] [-o FILE] [-T] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    vmcount              # count until Ctrl-C, then print the totals\n"
"    vmcount 1 5          # print counts every second, 5 times\n"
"    vmcount -p 185       # only allocations made by PID 185\n"
"    vmcount -c vmalloc_test/0 -j   # one thread by name, JSON output\n";

/* What the report needs between intervals. */
struct run {
	struct vmcount_bpf *obj;
	struct prog_links links;
	struct vmcount_stats prev;	/* cumulative, at the last report */
	struct prog_misses prev_misses;
	FILE *jf;
};

static void print_json(FILE *f, const struct vmcount_stats *s, const struct prog_misses *m, const char *ts)
{
	fprintf(f, "{");
	if (cli.timestamp) {
		json_kv_str(f, "time", ts, 1);
		fprintf(f, ",");
	}
	fprintf(f, "\"allocs\":%llu,\"failed\":%llu,\"bytes\":%llu,\"missed_runs\":%llu}\n",
		(unsigned long long)s->allocs, (unsigned long long)s->failed,
		(unsigned long long)s->bytes, (unsigned long long)m->recursion);
	fflush(f);
}

/* The interval's counts: differences of cumulative ones, so none falls between two reads. */
static int report(void *ctx)
{
	struct run *r = ctx;
	struct vmcount_stats cum, s;
	struct prog_misses m, mcum;
	char ts[16] = "";
	__u32 key = 0;
	int err;

	err = percpu_sum(bpf_map__fd(r->obj->maps.stats), &key, (__u64 *)&cum, sizeof(cum) / sizeof(__u64));
	if (err) {
		fprintf(stderr, "vmcount: failed to read counters: %s\n", strerror(-err));
		return err;
	}
	read_misses(r->obj->obj, &r->links, &mcum);
	s = cum;
	m = mcum;
	u64s_sub((__u64 *)&s, (const __u64 *)&r->prev, sizeof(s) / sizeof(__u64));
	u64s_sub((__u64 *)&m, (const __u64 *)&r->prev_misses, sizeof(m) / sizeof(__u64));
	r->prev = cum;
	r->prev_misses = mcum;

	if (cli.timestamp)
		timestamp(ts, sizeof(ts));
	if (r->jf)
		print_json(r->jf, &s, &m, ts);
	if (cli.json) {
		print_json(stdout, &s, &m, ts);
	} else {
		if (cli.timestamp)
			printf("%-8s ", ts);
		printf("allocs %llu  failed %llu  bytes %llu  missed runs %llu\n",
		       (unsigned long long)s.allocs, (unsigned long long)s.failed,
		       (unsigned long long)s.bytes, (unsigned long long)m.recursion);
	}
	fflush(stdout);
	return 0;
}

static const struct tp_field_name tp_fields[NR_TPF] = {
	[TPF_SIZE] = { "alloc_vmap_area", "size" },
	[TPF_FAILED] = { "alloc_vmap_area", "failed" },
};

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = {
		.doc = doc,
		.children = children,
	};
	struct run r = {};
	bool use_btf, has_tp;
	int err = 0;

	if (cli_init(&argp, argc, argv, &r.jf))
		return 1;
	has_tp = probe_tracepoint("vmalloc", "alloc_vmap_area");
	if (!has_tp && !probe_btf_func("alloc_vmap_area")) {
		fprintf(stderr, "vmcount: this kernel has no vmalloc:alloc_vmap_area tracepoint (needs Linux 6.2+ with "
			"CONFIG_TRACEPOINTS) and no alloc_vmap_area() in its BTF to attach fexit to\n");
		err = 1;
		goto cleanup;
	}
	/* In BTF, but the build may have kept only a clone (.constprop, .isra): fexit cannot attach. */
	if (!has_tp && !ftrace_has("alloc_vmap_area")) {
		fprintf(stderr, "vmcount: this kernel has no vmalloc:alloc_vmap_area tracepoint (needs Linux 6.2+) and "
			"alloc_vmap_area() is not in available_filter_functions (inlined or only a clone such as "
			"alloc_vmap_area.constprop.0, or no tracefs): fexit cannot attach\n");
		err = 1;
		goto cleanup;
	}

	r.obj = vmcount_bpf__open();
	if (!r.obj) {
		fprintf(stderr, "vmcount: failed to open BPF object: %s\n", strerror(errno));
		err = 1;
		goto cleanup;
	}
	r.obj->rodata->targ_tgid = cli.pid;
	if (cli.comm) {
		r.obj->rodata->filter_comm = true;
		strncpy((char *)r.obj->rodata->targ_comm, cli.comm, TASK_COMM_LEN - 1);
	}
	/* tp_btf is cheaper (no tracefs record copy); fall back when absent. */
	use_btf = has_tp && cli_tp_btf("alloc_vmap_area");
	select_tp_programs(r.obj->obj, use_btf);
	bpf_program__set_autoload(r.obj->progs.alloc_vmap_area_fexit, !has_tp);
	if (!has_tp) {
		bpf_program__set_autoload(r.obj->progs.alloc_vmap_area_tp, false);
		bpf_program__set_autoload(r.obj->progs.alloc_vmap_area_btf, false);
	}
	if (has_tp && !use_btf && tracefs_fields("vmcount", "vmalloc", tp_fields, NR_TPF, (struct tp_field *)r.obj->rodata->tpf)) {
		err = 1;
		goto cleanup;
	}
	err = vmcount_bpf__load(r.obj);
	if (err) {
		fprintf(stderr, "vmcount: failed to load BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}
	err = attach_programs("vmcount", r.obj->obj, NULL, true, &r.links);
	if (err)
		goto cleanup;
	fprintf(stderr, "Tracing vmap area allocations (%s)... Hit Ctrl-C to end.\n",
		!has_tp ? "fexit on alloc_vmap_area: no vmalloc:alloc_vmap_area tracepoint here; calls, "
			  "retries after a purge not seen" :
		use_btf ? "tp_btf" : "tracepoint");
	err = cli_loop(report, &r, NULL);

cleanup:
	destroy_links(&r.links);
	vmcount_bpf__destroy(r.obj);
	if (cli_close_json_file("vmcount", r.jf))
		err = 1;
	return err != 0;
}
