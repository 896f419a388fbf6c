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
#include "vmcount.skel.h"
#include "probe.h"
#include "trace_helpers.h"
#include "cli.h"

const char *argp_program_version = "vmcount 0.1";
static const char doc[] =
"Count vmap area allocations (the vmalloc:alloc_vmap_area tracepoint).\n"
"\n"
"USAGE: vmcount [-h] [-p PID] [-c COMM] [-j] [-o FILE] [-T] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    vmcount              # count until Ctrl-C, then print the totals\n"
"    vmcount 1 5          # print counts every second, 5 times\n"
"    vmcount -p 185       # only allocations made by PID 185\n"
"    vmcount -c vmalloc_test/0 -j   # one thread by name, JSON output\n";

static int read_stats(int fd, struct vmcount_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vmcount_stats *v;
	__u32 key = 0;
	int i, err;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, &key, v);
	if (!err) {
		memset(sum, 0, sizeof(*sum));
		for (i = 0; i < ncpu; i++) {
			sum->allocs += v[i].allocs;
			sum->failed += v[i].failed;
			sum->bytes += v[i].bytes;
		}
		/* Per-interval counts: start the next interval from zero. */
		memset(v, 0, ncpu * sizeof(*v));
		err = bpf_map_update_elem(fd, &key, v, BPF_ANY);
	}
	free(v);
	return err ? -errno : 0;
}

static void print_json(FILE *f, const struct vmcount_stats *s, const char *ts)
{
	fprintf(f, "{");
	if (cli.timestamp)
		fprintf(f, "\"time\":\"%s\",", ts);
	fprintf(f, "\"allocs\":%llu,\"failed\":%llu,\"bytes\":%llu}\n",
		(unsigned long long)s->allocs, (unsigned long long)s->failed,
		(unsigned long long)s->bytes);
	fflush(f);
}

static void print_stats(const struct vmcount_stats *s, FILE *jf)
{
	char ts[16] = "";

	if (cli.timestamp)
		timestamp(ts, sizeof(ts));
	if (jf)
		print_json(jf, s, ts);
	if (cli.json) {
		print_json(stdout, s, ts);
	} else {
		if (cli.timestamp)
			printf("%-8s ", ts);
		printf("allocs %llu  failed %llu  bytes %llu\n",
		       (unsigned long long)s->allocs, (unsigned long long)s->failed,
		       (unsigned long long)s->bytes);
	}
	fflush(stdout);
}

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
	struct vmcount_stats s;
	struct vmcount_bpf *obj = NULL;
	FILE *jf = NULL;
	bool use_btf;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 1;

	libbpf_set_print(cli_libbpf_print);
	err = probe_environment();
	if (err)
		return 1;
	if (cli_open_json_file("vmcount", &jf))
		return 1;
	if (!probe_tracepoint("vmalloc", "alloc_vmap_area")) {
		fprintf(stderr, "vmcount: this kernel has no vmalloc:alloc_vmap_area tracepoint (needs Linux 6.2+ with CONFIG_TRACEPOINTS)\n");
		return 1;
	}

	obj = vmcount_bpf__open();
	if (!obj) {
		fprintf(stderr, "vmcount: failed to open BPF object: %s\n", strerror(errno));
		return 1;
	}
	obj->rodata->targ_tgid = cli.pid;
	if (cli.comm) {
		obj->rodata->filter_comm = true;
		strncpy((char *)obj->rodata->targ_comm, cli.comm, TASK_COMM_LEN - 1);
	}
	/* tp_btf is cheaper (no tracefs record copy); fall back when absent. */
	use_btf = probe_tp_btf("alloc_vmap_area");
	bpf_program__set_autoload(obj->progs.alloc_vmap_area_btf, use_btf);
	bpf_program__set_autoload(obj->progs.alloc_vmap_area_tp, !use_btf);

	err = vmcount_bpf__load(obj);
	if (err) {
		fprintf(stderr, "vmcount: failed to load BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}
	err = vmcount_bpf__attach(obj);
	if (err) {
		fprintf(stderr, "vmcount: failed to attach BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}

	if (cli_setup_signals()) {
		err = 1;
		goto cleanup;
	}
	fprintf(stderr, "Tracing vmap area allocations (%s)... Hit Ctrl-C to end.\n",
		use_btf ? "tp_btf" : "tracepoint");

	while (!cli_exiting) {
		/* sleep() returns early on a signal: the last interval is printed. */
		sleep(cli.interval);
		err = read_stats(bpf_map__fd(obj->maps.stats), &s);
		if (err) {
			fprintf(stderr, "vmcount: failed to read counters: %s\n", strerror(-err));
			break;
		}
		print_stats(&s, jf);
		if (--cli.times == 0)
			break;
	}

cleanup:
	vmcount_bpf__destroy(obj);
	if (jf)
		fclose(jf);
	return err != 0;
}
