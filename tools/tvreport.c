// SPDX-License-Identifier: GPL-2.0
/*
 * tvreport: turn test_vmalloc's dmesg summaries into a table or JSON, and
 * say whether every test passed.
 */
#include <argp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tvparse.h"

static struct {
	bool json;
	const char *file;
	const char *label;
} env;

const char *argp_program_version = "tvreport 0.1";
static const char doc[] =
"Report lib/test_vmalloc.c results from a kernel log.\n"
"\n"
"USAGE: tvreport [-j] [-l LABEL] [FILE]   (FILE defaults to standard input)\n"
"\n"
"Exit status: 0 all tests passed, 1 a test failed, 2 no results or bad input.\n"
"\n"
"EXAMPLES:\n"
"    dmesg | tvreport            # table of the last test_vmalloc run\n"
"    tvreport -j serial.log      # JSON, one object per test and worker\n";

static const struct argp_option opts[] = {
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{ "label", 'l', "LABEL", 0, "Label for the run (kernel variant, say)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		env.json = true;
		break;
	case 'l':
		env.label = arg;
		break;
	case ARGP_KEY_ARG:
		if (env.file)
			argp_error(state, "unexpected argument '%s': one FILE at most", arg);
		env.file = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void print_table(const struct tv_report *rep)
{
	size_t i;

	if (env.label)
		printf("test_vmalloc results: %s\n", env.label);
	printf("%-32s %6s %7s %7s %9s %12s\n", "test", "worker", "passed", "failed", "loops",
	       "avg usec");
	for (i = 0; i < rep->n; i++) {
		const struct tv_result *r = &rep->results[i];

		printf("%-32s %6d %7ld %7ld %9ld %12llu\n", r->test, r->worker, r->passed,
		       r->failed, r->loops, r->avg_usec);
	}
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_json(const struct tv_report *rep)
{
	size_t i;

	printf("{\"label\":");
	json_string(env.label ? env.label : "");
	printf(",\"failed_tests\":%zu,\"results\":[", tv_count_failed(rep));
	for (i = 0; i < rep->n; i++) {
		const struct tv_result *r = &rep->results[i];

		printf("%s{\"test\":", i ? "," : "");
		json_string(r->test);
		printf(",\"worker\":%d,\"passed\":%ld,\"failed\":%ld,"
		       "\"repeat\":%ld,\"loops\":%ld,\"avg_usec\":%llu}",
		       r->worker, r->passed, r->failed, r->repeat, r->loops, r->avg_usec);
	}
	printf("]}\n");
}

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	struct tv_report rep = {};
	char *line = NULL;
	size_t len = 0, lineno = 0;
	FILE *f = stdin;
	int ret = 2, r;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	if (env.file) {
		f = fopen(env.file, "r");
		if (!f) {
			fprintf(stderr, "tvreport: cannot open %s: %s\n", env.file, strerror(errno));
			return 2;
		}
	}
	while (getline(&line, &len, f) != -1) {
		lineno++;
		r = tv_parse_line(&rep, line);
		if (r == -2) {
			fprintf(stderr, "tvreport: out of memory\n");
			goto out;
		}
		if (r == -1)
			fprintf(stderr, "tvreport: %s:%zu: malformed test_vmalloc line: %s",
				env.file ? env.file : "<stdin>", lineno, line);
	}
	if (ferror(f)) {
		fprintf(stderr, "tvreport: read error: %s\n", strerror(errno));
		goto out;
	}
	if (!rep.n) {
		fprintf(stderr, "tvreport: no test_vmalloc summaries found in %s\n",
			env.file ? env.file : "<stdin>");
		goto out;
	}
	if (env.json)
		print_json(&rep);
	else
		print_table(&rep);
	ret = tv_count_failed(&rep) ? 1 : 0;
	if (ret && !env.json)
		printf("%zu test(s) FAILED\n", tv_count_failed(&rep));
out:
	free(line);
	tv_report_free(&rep);
	if (f != stdin)
		fclose(f);
	return ret;
}
