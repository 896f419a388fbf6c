// SPDX-License-Identifier: GPL-2.0
/*
 * insncount: the instructions a QEMU guest executed, per kernel function,
 * from QEMU's execution log (ci/vmrun --exec-log: -d nochain,exec,in_asm).
 *
 * in_asm prints each translated block ("IN:" and one "0x...:" line per
 * guest instruction) just before its first execution; exec prints a
 * "Trace N: HOST [CSBASE/PC/FLAGS/CFLAGS]" line per execution (nochain:
 * every one). A block is known by its host address until a new
 * translation reuses it. Each block's executions times its instructions
 * go to the function whose System.map symbol is the nearest at or below
 * its guest PC: a block never spans two functions, since control enters
 * a function only at a jump target.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

static struct {
	const char *map;
	const char *log;
	uint64_t lo, hi;
	bool json;
} env = { .hi = UINT64_MAX };

const char *argp_program_version = "insncount 0.1";
static const char doc[] =
"Count the instructions a QEMU guest executed per kernel function, from a\n"
"QEMU log of -d nochain,exec,in_asm (ci/vmrun --exec-log).\n"
"\n"
"USAGE: insncount -m SYSTEM.MAP [-r LO-HI] [-j] [LOG]   (LOG defaults to standard input)\n"
"\n"
"Prints one line per function that ran (instructions, name), by address,\n"
"and the total. Exit status: 0, or 2 on bad input (no block executed in\n"
"the range, a log line that is not QEMU's, an unreadable file).\n"
"\n"
"EXAMPLES:\n"
"    insncount -m build/kernel/patched-bench/System.map exec.log\n"
"    insncount -j -m System.map -r ffffffff81237a40-ffffffff81243600 exec.log\n";

static const struct argp_option opts[] = {
	{ "map", 'm', "SYSTEM.MAP", 0, "The kernel's System.map (nm output of vmlinux)", 0 },
	{ "range", 'r', "LO-HI", 0, "Count only blocks whose guest PC is in [LO, HI), hex", 0 },
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{},
};

static int parse_hex(const char *s, char **end, uint64_t *v)
{
	errno = 0;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	*v = strtoull(s, end, 16);
	return errno || *end == s ? -1 : 0;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 'm':
		env.map = arg;
		break;
	case 'r':
		if (parse_hex(arg, &end, &env.lo) || *end != '-' ||
		    parse_hex(end + 1, &end, &env.hi) || *end || env.lo >= env.hi)
			argp_error(state, "--range wants LO-HI in hex with LO < HI, not '%s'", arg);
		break;
	case 'j':
		env.json = true;
		break;
	case ARGP_KEY_ARG:
		if (env.log)
			argp_error(state, "unexpected argument '%s': one LOG at most", arg);
		env.log = arg;
		break;
	case ARGP_KEY_END:
		if (!env.map)
			argp_error(state, "-m SYSTEM.MAP is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct sym {
	uint64_t addr;
	char *name;
	unsigned long long insns;
	size_t order;	/* line in the map: of two names at one address, the first wins */
};

static struct sym *syms;
static size_t nsyms;
/* The end of the kernel's text (_etext), if the map has it: code above is not its. */
static uint64_t text_end = UINT64_MAX;

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Text symbols (t, T, w, W) of a System.map, sorted, one per address. */
static int load_map(const char *path)
{
	char line[1024], type, name[512];
	size_t cap = 0, lineno = 0, i, j;
	uint64_t addr;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "insncount: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (sscanf(line, "%" SCNx64 " %c %511s", &addr, &type, name) != 3) {
			fprintf(stderr, "insncount: %s:%zu: not a System.map line\n", path, lineno);
			fclose(f);
			return -1;
		}
		if (!strcmp(name, "_etext"))
			text_end = addr;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (nsyms == cap) {
			cap = cap ? 2 * cap : 4096;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms) {
				fprintf(stderr, "insncount: out of memory\n");
				exit(2);
			}
		}
		syms[nsyms].addr = addr;
		syms[nsyms].insns = 0;
		syms[nsyms].order = nsyms;
		syms[nsyms].name = strdup(name);
		if (!syms[nsyms].name) {
			fprintf(stderr, "insncount: out of memory\n");
			exit(2);
		}
		nsyms++;
	}
	fclose(f);
	if (!nsyms) {
		fprintf(stderr, "insncount: %s: no text symbols\n", path);
		return -1;
	}
	qsort(syms, nsyms, sizeof(*syms), cmp_sym);
	for (i = 0, j = 0; i < nsyms; i++) {
		if (j && syms[j - 1].addr == syms[i].addr) {
			free(syms[i].name);
			continue;
		}
		syms[j++] = syms[i];
	}
	nsyms = j;
	return 0;
}

static struct sym *find_sym(uint64_t pc)
{
	size_t lo = 0, hi = nsyms;

	if (pc < syms[0].addr || pc >= text_end)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	return &syms[lo];
}

/* One translated block, by its host address: guest PC, size, executions. */
struct tb {
	uint64_t host, pc;
	unsigned long long execs;
	unsigned int size;
};

#define TB_BITS 22
static struct tb *tbs;
static unsigned long long unattributed;
static size_t ntbs;

static void flush_tb(struct tb *t)
{
	struct sym *s;

	if (!t->execs)
		return;
	s = find_sym(t->pc);
	if (s)
		s->insns += t->execs * t->size;
	else
		unattributed += t->execs * t->size;
	t->execs = 0;
}

/* The block at HOST; a new entry for it unless LOOKUP (then NULL if unknown). */
static struct tb *get_tb(uint64_t host, bool lookup)
{
	size_t mask = (1ul << TB_BITS) - 1, h = (host * 0x9E3779B97F4A7C15ull) >> (64 - TB_BITS);

	for (;; h = (h + 1) & mask) {
		if (tbs[h].host == host)
			return &tbs[h];
		if (!tbs[h].host) {
			if (lookup)
				return NULL;
			if (++ntbs > mask / 2) {
				fprintf(stderr, "insncount: more than %zu translated blocks\n", mask / 2);
				exit(2);
			}
			tbs[h].host = host;
			return &tbs[h];
		}
	}
}

/* "Trace CPU: HOST [CSBASE/PC/..." or "Stopped ... before HOST [PC]": HOST and PC. */
static int parse_exec(const char *p, uint64_t *host, uint64_t *pc)
{
	char *end;

	if (p[0] == '0' && p[1] == 'x')
		p += 2;
	if (parse_hex(p, &end, host) || strncmp(end, " [", 2))
		return -1;
	p = end + 2;
	if (strchr(p, '/') && strchr(p, '/') < strchr(p, ']'))
		p = strchr(p, '/') + 1;	/* Trace: the PC is the second field */
	return parse_hex(p, &end, pc) || (*end != '/' && *end != ']') ? -1 : 0;
}

static int read_log(FILE *f, const char *name)
{
	char line[4096];
	unsigned long long lineno = 0, traces = 0;
	unsigned int block = 0;
	uint64_t block_pc = 0;
	bool in_block = false, pending = false;

	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (in_block) {
			/* One guest instruction per "0x...:" line, until another line. */
			if (!strncmp(line, "0x", 2)) {
				if (!block++ && parse_hex(line + 2, &(char *){ NULL }, &block_pc)) {
					fprintf(stderr, "insncount: %s:%llu: not a guest instruction line\n",
						name, lineno);
					return -1;
				}
				continue;
			}
			in_block = false;
			pending = block > 0;
			/* and this line is read as any other */
		}
		if (!strncmp(line, "IN:", 3)) {
			in_block = true;
			block = 0;
			continue;
		}
		if (!strncmp(line, "Trace ", 6)) {
			uint64_t host, pc;
			char *p = strchr(line, ':');
			struct tb *t;

			if (!p || parse_exec(p + 2, &host, &pc)) {
				fprintf(stderr, "insncount: %s:%llu: not a QEMU exec trace line\n",
					name, lineno);
				return -1;
			}
			if (strncmp(line, "Trace 0:", 8)) {
				fprintf(stderr, "insncount: %s:%llu: a second vCPU: the log must come from one (vmrun -D)\n",
					name, lineno);
				return -1;
			}
			t = get_tb(host, false);
			if (pending) {
				/* The block just translated runs first. */
				if (pc != block_pc) {
					fprintf(stderr, "insncount: %s:%llu: block at %#" PRIx64
						" ran right after the translation of %#" PRIx64 "\n",
						name, lineno, pc, block_pc);
					return -1;
				}
				flush_tb(t);
				t->pc = pc;
				t->size = block;
				pending = false;
			} else if (!t->size || t->pc != pc) {
				fprintf(stderr, "insncount: %s:%llu: block at %#" PRIx64
					" ran with no translation logged for it (in_asm missing?)\n",
					name, lineno, pc);
				return -1;
			}
			if (pc >= env.lo && pc < env.hi)
				t->execs++;
			traces++;
			continue;
		}
		/* A block QEMU logged with "Trace" but left before running it. */
		if (!strncmp(line, "Stopped execution of TB chain before ", 37)) {
			uint64_t host, pc;
			struct tb *t;

			if (parse_exec(line + 37, &host, &pc)) {
				fprintf(stderr, "insncount: %s:%llu: not a QEMU stopped-execution line\n",
					name, lineno);
				return -1;
			}
			t = get_tb(host, true);
			if (t && t->pc == pc && t->execs && pc >= env.lo && pc < env.hi)
				t->execs--;
			continue;
		}
		/* Anything else (separators, other -d output) is not ours. */
	}
	if (ferror(f)) {
		fprintf(stderr, "insncount: %s: read error\n", name);
		return -1;
	}
	if (!traces) {
		fprintf(stderr, "insncount: %s: no executed block in the log (was it -d nochain,exec,in_asm?)\n",
			name);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	unsigned long long total = 0;
	const char *name;
	bool first = true;
	size_t i;
	FILE *f;
	int err;

	argp_err_exit_status = 2;
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 2;
	if (load_map(env.map))
		return 2;
	tbs = calloc(1ul << TB_BITS, sizeof(*tbs));
	if (!tbs) {
		fprintf(stderr, "insncount: out of memory\n");
		return 2;
	}
	name = env.log ? env.log : "<stdin>";
	f = env.log ? fopen(env.log, "r") : stdin;
	if (!f) {
		fprintf(stderr, "insncount: %s: %s\n", env.log, strerror(errno));
		return 2;
	}
	err = read_log(f, name);
	if (f != stdin)
		fclose(f);
	if (err)
		return 2;
	for (i = 0; i < (1ul << TB_BITS); i++)
		flush_tb(&tbs[i]);
	for (i = 0; i < nsyms; i++)
		total += syms[i].insns;
	if (!total) {
		fprintf(stderr, "insncount: %s: no instruction executed in the range\n", name);
		return 2;
	}

	if (env.json) {
		printf("{\"total\":%llu,\"unattributed\":%llu,\"functions\":[", total + unattributed,
		       unattributed);
		for (i = 0; i < nsyms; i++) {
			if (!syms[i].insns)
				continue;
			printf("%s{\"name\":", first ? "" : ",");
			json_str(stdout, syms[i].name);
			printf(",\"addr\":\"%" PRIx64 "\",\"insns\":%llu}", syms[i].addr, syms[i].insns);
			first = false;
		}
		printf("]}\n");
		return 0;
	}
	for (i = 0; i < nsyms; i++)
		if (syms[i].insns)
			printf("%14llu %s\n", syms[i].insns, syms[i].name);
	if (unattributed)
		printf("%14llu (outside the kernel text of the map)\n", unattributed);
	printf("%14llu total\n", total + unattributed);
	return 0;
}
