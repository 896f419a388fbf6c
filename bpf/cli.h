/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every vmscope tool's command line shares: -p PID, -c COMM, -j, -o
 * FILE, -T, -v, [interval] [count], as an argp child parser; libbpf's
 * messages; SIGINT/SIGTERM.
 */
#ifndef __VMSCOPE_CLI_H
#define __VMSCOPE_CLI_H

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#define CLI_COMM_LEN 16	/* TASK_COMM_LEN */

struct ksyms;

struct cli_env {
	pid_t pid;
	const char *comm;
	int interval;		/* seconds */
	bool has_interval;	/* given: reports per interval */
	int times;		/* outputs before exiting */
	bool json;
	const char *json_file;
	bool timestamp;
	bool verbose;
	bool tracepoint;	/* --tracepoint: classic tracepoints even with tp_btf */
};

extern struct cli_env cli;
extern const struct argp cli_argp;
/* Set by SIGINT and SIGTERM once cli_setup_signals() ran. */
extern volatile sig_atomic_t cli_exiting;

/* libbpf's debug output only with -v. */
int cli_libbpf_print(enum libbpf_print_level level, const char *format, va_list args);
/* Opens -o FILE; *f stays NULL without -o. Returns 0 or -1 (and says why). */
int cli_open_json_file(const char *tool, FILE **f);
/*
 * Closes F (NULL: nothing): returns -1, having said so, if anything written
 * to it was lost (a full disk), so that the tool exits non-zero.
 */
int cli_close_json_file(const char *tool, FILE *f);

/*
 * A tool's start, the same for all: parses the command line (the tool's
 * ARGP with cli_argp as its child), sets SIGINT/SIGTERM handlers before
 * anything slow, libbpf's messages, checks the environment (root, BTF,
 * tracefs) and opens -o FILE into *JF. Returns 0, or -1 having said why.
 */
int cli_init(const struct argp *argp, int argc, char **argv, FILE **jf);

/*
 * tp_btf for EVENT, unless --tracepoint or the kernel's BTF lacks it: then
 * the classic tracepoint.
 */
bool cli_tp_btf(const char *event);

/*
 * A tool's main loop: waits an interval (or until a signal), calls
 * REPORT(CTX) to read and print, until count outputs or a signal. There is
 * always one report, even when the signal came first. KS (may be NULL):
 * kernel symbols, refreshed while waiting. Returns REPORT's first error.
 */
int cli_loop(int (*report)(void *ctx), void *ctx, struct ksyms *ks);
/*
 * While cli_loop() waits, IDLE(CTX, MS) instead of sleeping: it must return
 * within about MS milliseconds, or at once on a signal (an exporter's poll).
 */
void cli_set_idle(void (*idle)(void *ctx, int ms), void *ctx);
/* In REPORT: true if this is the last one (count reached or a signal came). */
bool cli_last_report(void);

#endif /* __VMSCOPE_CLI_H */
