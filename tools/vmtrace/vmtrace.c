// SPDX-License-Identifier: GPL-2.0
/*
 * vmtrace: vmlat + vmtree without BPF, from the vmscope series' vmalloc
 * events through tracefs (libtracefs, libtraceevent) or a trace-cmd file
 * (libtracecmd). Subcommands, after rtla:
 *
 *   vmtrace hist [--kernel] [options] [interval] [count]   live, private instance
 *   vmtrace report -i trace.dat [options]                   offline
 *   vmtrace record [-o trace.dat] [COMMAND...]              trace-cmd record -e vmalloc
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include "args.h"
#include "vmtrace.h"
#include "events.h"

struct vt_env env = {
	.max_size = ULLONG_MAX,
	.unit = "nsecs",
	.unit_div = 1,
	.buffer_kb = 8192,
};
volatile sig_atomic_t vt_exiting;

const char *argp_program_version = "vmtrace 0.1";

enum { OPT_MIN = 1000, OPT_MAX, OPT_KERNEL, OPT_BUFFER };

static const struct argp_option common_opts[] = {
	{ "pid", 'p', "PID", 0, "Only this process (its threads at start; frees are anyone's, as in vmtree)", 0 },
	{ "comm", 'c', "COMM", 0, "Only tasks with this name", 0 },
	{ "min-size", OPT_MIN, "SIZE", 0, "Only allocations of at least SIZE bytes (K, M, G suffixes)", 0 },
	{ "max-size", OPT_MAX, "SIZE", 0, "Only allocations of at most SIZE bytes", 0 },
	{ "filter", 'F', "EXPR", 0, "hist: an ftrace filter on vmalloc_alloc_stages' fields, ANDed with the task's (kernel-side: a filtered-out allocation also loses its areas' caller)", 0 },
	{ "microseconds", 'u', NULL, 0, "Histograms in microseconds (default nanoseconds)", 0 },
	{ "milliseconds", 'm', NULL, 0, "Histograms in milliseconds", 0 },
	{ "json", 'j', NULL, 0, "JSON, one object per report (the schema of vmlat -j and vmtree -j)", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a timestamp with each report", 0 },
	{},
};

static const struct argp_option hist_opts[] = {
	{ "kernel", OPT_KERNEL, NULL, 0, "Histograms kept in the kernel (ftrace hist triggers): nothing copied out", 0 },
	{ "buffer-kb", OPT_BUFFER, "KB", 0, "Ring buffer per CPU of the private instance (default 8192)", 0 },
	{},
};

static const struct argp_option report_opts[] = {
	{ "input", 'i', "FILE", 0, "trace-cmd data file (default trace.dat)", 0 },
	{},
};

static const struct argp_option record_opts[] = {
	{ "output", 'o', "FILE", 0, "Where trace-cmd writes (default trace.dat)", 0 },
	{},
};

static const char *subcommand;

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		env.pid = parse_positive(arg, "PID", state);
		break;
	case 'c':
		if (!*arg || strlen(arg) >= VT_COMM_LEN || strchr(arg, '"') || strchr(arg, '\\'))
			argp_error(state, "invalid comm '%s': 1 to 15 bytes, no quotes or backslashes", arg);
		env.comm = arg;
		break;
	case OPT_MIN:
		env.min_size = parse_size(arg, state);
		break;
	case OPT_MAX:
		env.max_size = parse_size(arg, state);
		break;
	case 'u':
	case 'm':
		parse_unit(key, &env.unit, &env.unit_div, state);
		break;
	case 'F':
		if (!*arg || strlen(arg) >= VT_FILTER_MAX)
			argp_error(state, "invalid filter: 1 to %d bytes", VT_FILTER_MAX - 1);
		env.filter = arg;
		break;
	case 'j':
		env.json = true;
		break;
	case 'T':
		env.timestamp = true;
		break;
	case ARGP_KEY_END:
		if (env.min_size > env.max_size)
			argp_error(state, "--min-size %llu is above --max-size %llu", env.min_size, env.max_size);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static error_t parse_sub(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_KERNEL:
		env.kernel = true;
		break;
	case OPT_BUFFER:
		env.buffer_kb = parse_positive(arg, "buffer size", state);
		break;
	case 'i':
		env.input = arg;
		break;
	case 'o':
		env.output = arg;
		break;
	case ARGP_KEY_ARG:
		if (!strcmp(subcommand, "record")) {
			env.cmd = &state->argv[state->next - 1];
			state->next = state->argc;
			break;
		}
		if (strcmp(subcommand, "hist"))
			argp_error(state, "unexpected argument '%s'", arg);
		if (state->arg_num == 0)
			env.interval = parse_positive(arg, "interval", state);
		else if (state->arg_num == 1)
			env.count = parse_positive(arg, "count", state);
		else
			argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (env.kernel && env.unit_div != 1)
			argp_error(state, "--kernel keeps nanoseconds (hist triggers bucket the raw field): no -u or -m");
		if (env.kernel && env.count > 1)
			argp_error(state, "--kernel reports once, at the end: no count");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void on_signal(int sig)
{
	vt_exiting = sig;
}

/* tep_find_function_info() returns 1 when ADDR is in a known function. */
const char *vt_tep_namer(void *ctx, unsigned long long addr, char *buf, size_t len)
{
	unsigned long long start = 0;
	unsigned long size = 0;
	const char *name = NULL;

	if (tep_find_function_info(ctx, addr, &name, &start, &size) == 1 && name && addr >= start &&
	    (!size || addr - start < size))
		snprintf(buf, len, "%s+0x%llx", name, addr - start);
	else
		snprintf(buf, len, "0x%llx", addr);
	return buf;
}

/* Live callers are named from /proc/kallsyms, read once (the file's own in report). */
static void load_kallsyms(struct tep_handle *tep)
{
	size_t len = 0, cap = 1 << 20;
	char *buf = malloc(cap), *n;
	FILE *f = fopen("/proc/kallsyms", "r");
	size_t got;

	if (!f || !buf) {
		fprintf(stderr, "vmtrace: cannot read /proc/kallsyms: callers as addresses\n");
		goto out;
	}
	while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (cap - len > 1)
			continue;
		n = realloc(buf, cap * 2);
		if (!n)
			goto out;
		buf = n;
		cap *= 2;
	}
	buf[len] = 0;
	if (tep_parse_kallsyms(tep, buf))
		fprintf(stderr, "vmtrace: cannot parse /proc/kallsyms: callers as addresses\n");
out:
	if (f)
		fclose(f);
	free(buf);
}

/*
 * The kernel-side filters: the task (-p: common_pid of the process's
 * threads now; -c: comm), the same on allocations and reservations, so that
 * an area meets its vmalloc's event (the caller). The sizes are applied in
 * user space (agg.c), as report does: a kernel-side size filter would drop
 * the event that names the areas' caller. -F is the exception: it stays a
 * kernel filter on vmalloc_alloc_stages (its fields, any expression).
 * Frees are never filtered: vmtree counts the free of an area it saw
 * reserved whoever frees it.
 */
static int build_filters(char *stages, char *res, size_t len)
{
	char task[4096] = "";
	size_t n = 0;

	if (env.pid) {
		char path[64];
		struct dirent *d;
		DIR *dir;

		snprintf(path, sizeof(path), "/proc/%d/task", env.pid);
		dir = opendir(path);
		if (!dir) {
			fprintf(stderr, "vmtrace: no process %d: %s\n", env.pid, strerror(errno));
			return -1;
		}
		n += snprintf(task + n, sizeof(task) - n, "(");
		while ((d = readdir(dir)) && n < sizeof(task) - 64) {
			if (d->d_name[0] == '.')
				continue;
			n += snprintf(task + n, sizeof(task) - n, "%scommon_pid == %s", task[1] ? " || " : "",
				      d->d_name);
		}
		if (d) {
			fprintf(stderr, "vmtrace: process %d has too many threads for a kernel filter\n", env.pid);
			closedir(dir);
			return -1;
		}
		closedir(dir);
		snprintf(task + n, sizeof(task) - n, ")");
	}
	if (env.comm) {
		n = strlen(task);
		snprintf(task + n, sizeof(task) - n, "%scomm == \"%s\"", n ? " && " : "", env.comm);
	}
	snprintf(res, len, "%s", task);
	snprintf(stages, len, "%s", task);
	if (env.filter) {
		n = strlen(stages);
		snprintf(stages + n, len - n, "%s(%s)", n ? " && " : "", env.filter);
	}
	return 0;
}

struct live {
	struct vt_events ev;
	unsigned long long missed;
	bool missed_unknown;
};

static int on_live_record(struct tep_event *e, struct tep_record *rec, int cpu, void *data)
{
	struct live *l = data;

	if (rec->missed_events > 0)
		l->missed += rec->missed_events;
	else if (rec->missed_events < 0)
		l->missed_unknown = true;
	vt_events_record(&l->ev, rec);
	return 0;
}

/* Reads what the instance's buffers hold now. */
static int drain(struct vt_trace *t, struct live *l)
{
	if (tracefs_iterate_raw_events(t->tep, t->inst, NULL, 0, on_live_record, l) < 0) {
		fprintf(stderr, "vmtrace: cannot read the instance's ring buffer: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);	/* a signal ends it early */
}

static int hist_live(struct vt_trace *t)
{
	struct vt_agg agg;
	struct live l = { 0 };
	struct vt_loss loss;
	struct vt_print p = {
		.source = "live", .unit = env.unit, .loss = &loss, .timestamp = env.timestamp,
		.namer = vt_tep_namer, .namer_ctx = t->tep, .intervals = env.interval > 0,
	};
	char err[256];
	int reports = 0, ret = 1;
	long long ms;
	bool last = false;

	vt_agg_init(&agg);
	agg.unit_div = env.unit_div;
	agg.min_size = env.min_size;
	agg.max_size = env.max_size;
	agg.filtered = env.pid || env.comm;
	if (vt_events_bind(&l.ev, t->tep, &agg, true, err, sizeof(err))) {
		fprintf(stderr, "vmtrace: %s\n", err);
		goto out;
	}
	if (tracefs_trace_on(t->inst)) {
		fprintf(stderr, "vmtrace: cannot turn tracing on in %s: %s\n", t->name, strerror(errno));
		goto out;
	}
	load_kallsyms(t->tep);
	fprintf(stderr, "Tracing vmalloc stages and vmap areas (tracefs instance %s)... Hit Ctrl-C to end.\n",
		t->name);
	while (!last) {
		for (ms = 0; !vt_exiting && (!env.interval || ms < env.interval * 1000LL); ms += 100) {
			sleep_ms(100);
			if (drain(t, &l))
				goto out;
		}
		last = vt_exiting || (env.count && reports + 1 >= env.count);
		if (last) {
			/* The last report: recording stopped first, so that it holds every event. */
			vt_trace_stop(t);
			if (drain(t, &l))
				goto out;
		}
		vt_trace_loss(t, &loss);
		loss.missed = l.missed;
		loss.missed_unknown = l.missed_unknown;
		if (env.json ? vt_agg_print_json(stdout, &agg, &p) : vt_agg_print_text(&agg, &p))
			goto out;
		vt_agg_next_interval(&agg);
		reports++;
	}
	ret = 0;
out:
	vt_agg_free(&agg);
	return ret;
}

static int cmd_hist(void)
{
	char fst[8192], fres[8192];
	struct vt_trace t = { 0 };
	int ret = 1, i;

	if (geteuid()) {
		fprintf(stderr, "vmtrace: hist needs root (tracefs instances)\n");
		return 1;
	}
	if (build_filters(fst, fres, sizeof(fst)))
		return 1;
	if (vt_trace_create(&t, env.kernel ? 0 : env.buffer_kb))
		goto out;
	if (vt_exiting)
		goto stopped;
	if (env.kernel) {
		ret = vt_khist_run(&t, fst[0] ? fst : NULL, fres[0] ? fres : NULL);
		goto out;
	}
	for (i = 0; i < VT_NR_EV; i++)
		if (vt_trace_enable(&t, vt_event_names[i],
				    i == VT_EV_STAGES ? (fst[0] ? fst : NULL) :
				    i == VT_EV_RESERVED ? (fres[0] ? fres : NULL) : NULL))
			goto out;
	if (vt_exiting)
		goto stopped;
	ret = hist_live(&t);
	goto out;
stopped:
	fprintf(stderr, "vmtrace: %s while starting: stopped before tracing\n", strsignal(vt_exiting));
out:
	vt_trace_destroy(&t);
	return ret;
}

static int cmd_record(void)
{
	const char *out = env.output ? env.output : "trace.dat";
	char **argv;
	int n = 0, i, ncmd = 0;

	while (env.cmd && env.cmd[ncmd])
		ncmd++;
	argv = calloc(ncmd + 8, sizeof(*argv));
	if (!argv) {
		fprintf(stderr, "vmtrace: out of memory\n");
		return 1;
	}
	argv[n++] = "trace-cmd";
	argv[n++] = "record";
	argv[n++] = "-q";
	argv[n++] = "-e";
	argv[n++] = "vmalloc";
	argv[n++] = "-o";
	argv[n++] = (char *)out;
	for (i = 0; i < ncmd; i++)
		argv[n++] = env.cmd[i];
	argv[n] = NULL;
	signal(SIGPIPE, SIG_DFL);	/* trace-cmd's own, not this process's */
	execvp("trace-cmd", argv);
	fprintf(stderr, "vmtrace: cannot run trace-cmd: %s (install trace-cmd)\n", strerror(errno));
	free(argv);
	return 1;
}

static const char hist_doc[] =
"vmtrace hist: vmalloc stage latency (as vmlat) and vmap areas (as vmtree), live,\n"
"from a private tracefs instance; no BPF.\v"
"EXAMPLES:\n"
"    vmtrace hist                  # until Ctrl-C\n"
"    vmtrace hist -u 1 10          # microseconds, every second, 10 times\n"
"    vmtrace hist -c vmalloc_test/0 -j\n"
"    vmtrace hist --kernel         # histograms kept by ftrace hist triggers\n";
static const char report_doc[] =
"vmtrace report: the same report from a trace-cmd data file (trace-cmd record -e vmalloc).\v"
"EXAMPLES:\n"
"    vmtrace report -i trace.dat -j\n"
"    vmtrace report -i trace.dat -c vmalloc_test/0\n";
static const char record_doc[] =
"vmtrace record: trace-cmd record -e vmalloc [-o FILE] [COMMAND...]\v"
"EXAMPLES:\n"
"    vmtrace record -o trace.dat insmod test_vmalloc.ko\n";

static void usage(FILE *f)
{
	fprintf(f, "usage: vmtrace hist|report|record [OPTIONS]   (vmtrace SUBCOMMAND --help)\n");
}

int main(int argc, char **argv)
{
	static const struct argp common = { common_opts, parse_common, NULL, NULL, NULL, NULL, NULL };
	struct argp_child children[] = { { &common, 0, NULL, 0 }, {} };
	struct argp argp = { NULL, parse_sub, "[interval] [count]", NULL, children, NULL, NULL };
	struct sigaction sa = { .sa_handler = on_signal };

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	subcommand = argv[1];
	if (!strcmp(subcommand, "-h") || !strcmp(subcommand, "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(subcommand, "hist")) {
		argp.options = hist_opts;
		argp.doc = hist_doc;
	} else if (!strcmp(subcommand, "report")) {
		argp.options = report_opts;
		argp.doc = report_doc;
		argp.args_doc = NULL;
	} else if (!strcmp(subcommand, "record")) {
		argp.options = record_opts;
		argp.doc = record_doc;
		argp.args_doc = "[COMMAND...]";
		children[0].argp = NULL;
	} else {
		fprintf(stderr, "vmtrace: unknown subcommand '%s'\n", subcommand);
		usage(stderr);
		return 1;
	}
	/*
	 * Handlers before anything slow: a signal while starting still cleans
	 * up. SIGHUP and SIGQUIT end it as SIGINT does (the last report, the
	 * instance removed); SIGPIPE is ignored: a write to a closed pipe fails
	 * with EPIPE, which ends it with exit 1, instance removed.
	 */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	argv[1] = argv[0];
	if (argp_parse(&argp, argc - 1, argv + 1, ARGP_IN_ORDER, NULL, NULL))
		return 1;
	if (!strcmp(subcommand, "hist"))
		return cmd_hist();
	if (!strcmp(subcommand, "report"))
		return vt_report(env.input ? env.input : "trace.dat");
	return cmd_record();
}
