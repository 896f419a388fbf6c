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

static struct env {
	pid_t pid;
	const char *comm;
	int interval;
	int times;
	bool json;
	bool timestamp;
	bool verbose;
} env = {
	.interval = 99999999,
	.times = 99999999,
};

static volatile sig_atomic_t exiting;

const char *argp_program_version = "vmcount 0.1";
static const char doc[] =
"Count vmap area allocations (the vmalloc:alloc_vmap_area tracepoint).\n"
"\n"
"USAGE: vmcount [-h] [-p PID] [-c COMM] [-j] [-T] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    vmcount              # count until Ctrl-C, then print the totals\n"
"    vmcount 1 5          # print counts every second, 5 times\n"
"    vmcount -p 185       # only allocations made by PID 185\n"
"    vmcount -c vmalloc_test/0 -j   # one thread by name, JSON output\n";

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Trace this process ID only", 0 },
	{ "comm", 'c', "COMM", 0, "Trace this command name only (up to 15 chars)", 0 },
	{ "json", 'j', NULL, 0, "JSON output, one object per line", 0 },
	{ "timestamp", 'T', NULL, 0, "Include a timestamp on each output", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static long parse_positive(const char *arg, const char *what, struct argp_state *state)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		argp_error(state, "invalid %s '%s': want a positive integer", what, arg);
	return v;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	static int pos_args;

	switch (key) {
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case 'p':
		env.pid = parse_positive(arg, "PID", state);
		break;
	case 'c':
		if (strlen(arg) >= TASK_COMM_LEN)
			argp_error(state, "COMM '%s' is longer than %d characters",
				   arg, TASK_COMM_LEN - 1);
		env.comm = arg;
		break;
	case 'j':
		env.json = true;
		break;
	case 'T':
		env.timestamp = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case ARGP_KEY_ARG:
		if (pos_args == 0)
			env.interval = parse_positive(arg, "interval", state);
		else if (pos_args == 1)
			env.times = parse_positive(arg, "count", state);
		else
			argp_error(state, "unexpected argument '%s'", arg);
		pos_args++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int libbpf_print_fn(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

static void sig_handler(int sig)
{
	exiting = 1;
}

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

static void print_stats(const struct vmcount_stats *s)
{
	char ts[32] = "";
	time_t t;

	if (env.timestamp) {
		t = time(NULL);
		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
	}
	if (env.json) {
		printf("{");
		if (env.timestamp)
			printf("\"time\":\"%s\",", ts);
		printf("\"allocs\":%llu,\"failed\":%llu,\"bytes\":%llu}\n",
		       (unsigned long long)s->allocs, (unsigned long long)s->failed,
		       (unsigned long long)s->bytes);
	} else {
		if (env.timestamp)
			printf("%-8s ", ts);
		printf("allocs %llu  failed %llu  bytes %llu\n",
		       (unsigned long long)s->allocs, (unsigned long long)s->failed,
		       (unsigned long long)s->bytes);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = doc,
	};
	struct vmcount_stats s;
	struct vmcount_bpf *obj = NULL;
	bool use_btf;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 1;

	libbpf_set_print(libbpf_print_fn);
	err = probe_environment();
	if (err)
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
	obj->rodata->targ_tgid = env.pid;
	if (env.comm) {
		obj->rodata->filter_comm = true;
		strncpy((char *)obj->rodata->targ_comm, env.comm, TASK_COMM_LEN - 1);
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

	if (signal(SIGINT, sig_handler) == SIG_ERR || signal(SIGTERM, sig_handler) == SIG_ERR) {
		fprintf(stderr, "vmcount: cannot set signal handlers: %s\n", strerror(errno));
		err = 1;
		goto cleanup;
	}
	fprintf(stderr, "Tracing vmap area allocations (%s)... Hit Ctrl-C to end.\n",
		use_btf ? "tp_btf" : "tracepoint");

	while (!exiting) {
		/* sleep() returns early on a signal: the last interval is printed. */
		sleep(env.interval);
		err = read_stats(bpf_map__fd(obj->maps.stats), &s);
		if (err) {
			fprintf(stderr, "vmcount: failed to read counters: %s\n", strerror(-err));
			break;
		}
		print_stats(&s);
		if (--env.times == 0)
			break;
	}

cleanup:
	vmcount_bpf__destroy(obj);
	return err != 0;
}
