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

struct cli_env {
	pid_t pid;
	const char *comm;
	int interval;		/* seconds */
	int times;		/* outputs before exiting */
	bool json;
	const char *json_file;
	bool timestamp;
	bool verbose;
};

extern struct cli_env cli;
extern const struct argp cli_argp;
/* Set by SIGINT and SIGTERM once cli_setup_signals() ran. */
extern volatile sig_atomic_t cli_exiting;

/* libbpf's debug output only with -v. */
int cli_libbpf_print(enum libbpf_print_level level, const char *format, va_list args);
int cli_setup_signals(void);
/* Opens -o FILE; *f stays NULL without -o. Returns 0 or -1 (and says why). */
int cli_open_json_file(const char *tool, FILE **f);

#endif /* __VMSCOPE_CLI_H */
