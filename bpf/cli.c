// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "probe.h"
#include "trace_helpers.h"

struct cli_env cli = {
	.interval = 99999999,
	.times = 99999999,
};

volatile sig_atomic_t cli_exiting;

enum { OPT_TRACEPOINT = 2000 };

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Trace this process ID only", 0 },
	{ "comm", 'c', "COMM", 0, "Trace this command name only (up to 15 chars)", 0 },
	{ "json", 'j', NULL, 0, "JSON output, one object per interval", 0 },
	{ "json-file", 'o', "FILE", 0, "Also write the JSON to FILE", 0 },
	{ "timestamp", 'T', NULL, 0, "Include a timestamp on each output", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf's too)", 0 },
	{ "tracepoint", OPT_TRACEPOINT, NULL, 0, "Classic tracepoints even where tp_btf works (fields from tracefs)", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	static int pos_args;

	switch (key) {
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case 'p':
		cli.pid = parse_positive(arg, "PID", state);
		break;
	case 'c':
		if (strlen(arg) >= CLI_COMM_LEN)
			argp_error(state, "COMM '%s' is longer than %d characters", arg, CLI_COMM_LEN - 1);
		cli.comm = arg;
		break;
	case 'j':
		cli.json = true;
		break;
	case 'o':
		cli.json_file = arg;
		break;
	case 'T':
		cli.timestamp = true;
		break;
	case 'v':
		cli.verbose = true;
		break;
	case OPT_TRACEPOINT:
		cli.tracepoint = true;
		break;
	case ARGP_KEY_ARG:
		if (pos_args == 0) {
			cli.interval = parse_positive(arg, "interval", state);
			cli.has_interval = true;
		} else if (pos_args == 1) {
			cli.times = parse_positive(arg, "count", state);
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		pos_args++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cli_argp = {
	.options = opts,
	.parser = parse_arg,
};

int cli_libbpf_print(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG && !cli.verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

static void sig_handler(int sig)
{
	cli_exiting = 1;
}

static int cli_setup_signals(void)
{
	if (signal(SIGINT, sig_handler) == SIG_ERR || signal(SIGTERM, sig_handler) == SIG_ERR) {
		fprintf(stderr, "error: cannot set signal handlers: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int cli_open_json_file(const char *tool, FILE **f)
{
	*f = NULL;
	if (!cli.json_file)
		return 0;
	*f = fopen(cli.json_file, "w");
	if (!*f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", tool, cli.json_file, strerror(errno));
		return -1;
	}
	return 0;
}

int cli_close_json_file(const char *tool, FILE *f)
{
	int err;

	if (!f)
		return 0;
	err = ferror(f);
	if (fclose(f) || err) {
		fprintf(stderr, "%s: writing %s failed: %s\n", tool, cli.json_file,
			err ? "write error" : strerror(errno));
		return -1;
	}
	return 0;
}

int cli_init(const struct argp *argp, int argc, char **argv, FILE **jf)
{
	*jf = NULL;
	/* First: a signal during the (slow) load must end the tool, not kill it. */
	if (cli_setup_signals())
		return -1;
	if (argp_parse(argp, argc, argv, 0, NULL, NULL))
		return -1;
	libbpf_set_print(cli_libbpf_print);
	if (probe_environment())
		return -1;
	return cli_open_json_file(program_invocation_short_name, jf);
}

bool cli_tp_btf(const char *event)
{
	return !cli.tracepoint && probe_tp_btf(event);
}

bool cli_last_report(void)
{
	return cli_exiting || cli.times <= 1;
}

static void (*cli_idle)(void *ctx, int ms);
static void *cli_idle_ctx;

void cli_set_idle(void (*idle)(void *ctx, int ms), void *ctx)
{
	cli_idle = idle;
	cli_idle_ctx = ctx;
}

/* wait_interval() with the idle hook in 200 ms steps, so that kernel symbols stay fresh. */
static void cli_wait(struct ksyms *ks)
{
	struct timespec now, end;
	long long ms;

	if (!cli_idle) {
		wait_interval(cli.interval, &cli_exiting, ks);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += cli.interval;
	while (!cli_exiting) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (end.tv_sec - now.tv_sec) * 1000LL + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			break;
		ksyms__refresh(ks);
		cli_idle(cli_idle_ctx, ms < 200 ? (int)ms : 200);
	}
	ksyms__refresh(ks);
}

int cli_loop(int (*report)(void *ctx), void *ctx, struct ksyms *ks)
{
	int err;

	do {
		/* Returns at once if the signal came already: the last interval is printed. */
		cli_wait(ks);
		err = report(ctx);
	} while (!err && !cli_exiting && --cli.times > 0);
	return err;
}
