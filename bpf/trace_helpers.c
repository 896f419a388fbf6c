// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "trace_helpers.h"
#include "modules.h"

struct ksym {
	unsigned long addr;
	char *name;
};

struct ksyms {
	struct ksym *syms;
	size_t n, cap;
	char *modules;		/* /proc/modules when last read */
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static char *read_small_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, r;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = cap * 2 + 8192);

			if (!p)
				break;
			buf = p;
		}
		r = fread(buf + len, 1, 4096, f);
		len += r;
	} while (r > 0);
	fclose(f);
	if (buf)
		buf[len] = 0;
	return buf;
}

static int ksyms__add(struct ksyms *ks, unsigned long addr, const char *name)
{
	struct ksym *k;

	if (ks->n == ks->cap) {
		struct ksym *p = realloc(ks->syms, (ks->cap = ks->cap ? ks->cap * 2 : 4096) * sizeof(*p));

		if (!p)
			return -1;
		ks->syms = p;
	}
	k = &ks->syms[ks->n];
	k->addr = addr;
	k->name = strdup(name);
	if (!k->name)
		return -1;
	ks->n++;
	return 0;
}

/* Adds what /proc/kallsyms has now; symbols of unloaded modules stay. */
static void ksyms__add_all(struct ksyms *ks)
{
	char line[512], name[256], mod[64], full[336], type;
	unsigned long addr;
	size_t old = ks->n;
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int fields = sscanf(line, "%lx %c %255s [%63[^]]]", &addr, &type, name, mod);

		if (fields < 3 || !addr || (type != 't' && type != 'T'))
			continue;
		if (fields == 4 && !strcmp(mod, "bpf"))
			continue;	/* BPF programs come and go; never a vmalloc caller */
		if (fields == 4 && old) {
			/* Modules seen before are already in. */
			struct ksym key = { .addr = addr };

			if (bsearch(&key, ks->syms, old, sizeof(key), ksym_cmp))
				continue;
		} else if (old) {
			continue;	/* the core kernel does not change */
		}
		if (fields == 4)
			snprintf(full, sizeof(full), "%s [%s]", name, mod);
		if (ksyms__add(ks, addr, fields == 4 ? full : name))
			break;
	}
	fclose(f);
	qsort(ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
}

void ksyms__add_module_texts(struct ksyms *ks, int map_fd)
{
	__u64 key, next, *prev = NULL;
	struct module_text t;
	char name[MODULE_NAME_LEN_MAX + 3];
	size_t old;

	if (!ks)
		return;
	old = ks->n;
	while (!bpf_map_get_next_key(map_fd, prev, &next)) {
		struct ksym probe = { .addr = next };

		if (!bpf_map_lookup_elem(map_fd, &next, &t) &&
		    !bsearch(&probe, ks->syms, old, sizeof(probe), ksym_cmp)) {
			snprintf(name, sizeof(name), "[%.*s]", MODULE_NAME_LEN_MAX - 1, t.name);
			if (ksyms__add(ks, next, name))
				break;
		}
		key = next;
		prev = &key;
	}
	qsort(ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
}

struct ksyms *ksyms__load(void)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return NULL;
	ks->modules = read_small_file("/proc/modules");
	ksyms__add_all(ks);
	if (!ks->n) {
		ksyms__free(ks);
		return NULL;
	}
	return ks;
}

void ksyms__refresh(struct ksyms *ks)
{
	char *mods;

	if (!ks)
		return;
	mods = read_small_file("/proc/modules");
	if (!mods)
		return;
	if (ks->modules && !strcmp(mods, ks->modules)) {
		free(mods);
		return;
	}
	free(ks->modules);
	ks->modules = mods;
	ksyms__add_all(ks);
}

void ksyms__free(struct ksyms *ks)
{
	size_t i;

	if (!ks)
		return;
	for (i = 0; i < ks->n; i++)
		free(ks->syms[i].name);
	free(ks->syms);
	free(ks->modules);
	free(ks);
}

const char *ksyms__describe(const struct ksyms *ks, unsigned long addr, char *buf, size_t len)
{
	size_t lo = 0, hi = ks ? ks->n : 0;

	/* The last symbol at or below addr. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Far from any symbol: a module gone before we saw it, say. */
	if (!addr || lo == 0 || addr - ks->syms[lo - 1].addr > 0x10000)
		snprintf(buf, len, "0x%lx", addr);
	else
		snprintf(buf, len, "%s+0x%lx", ks->syms[lo - 1].name, addr - ks->syms[lo - 1].addr);
	return buf;
}

unsigned long long log2_slot_high(int i)
{
	return 1ULL << (i + 1);
}

static void print_stars(unsigned long long val, unsigned long long max, int width)
{
	int stars = max ? (int)(val * width / max) : 0;
	int i;

	for (i = 0; i < width; i++)
		putchar(i < stars ? '*' : ' ');
	if (val > max)
		putchar('+');
}

void print_log2_hist(const __u64 *slots, int n, const char *unit)
{
	int i, first = -1, last = -1;
	unsigned long long max = 0;
	bool wide;

	for (i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (slots[i] > max)
			max = slots[i];
	}
	if (last < 0)
		return;
	/* bcc's layout: narrow columns while the values fit in 10 digits. */
	wide = last >= 32;
	printf("%*s%-*s : count    distribution\n", wide ? 15 : 5, "", wide ? 29 : 19, unit);
	for (i = first; i <= last; i++) {
		unsigned long long low = i ? 1ULL << i : 0;
		unsigned long long high = log2_slot_high(i) - 1;

		printf("%*llu -> %-*llu : %-8llu |", wide ? 20 : 10, low, wide ? 20 : 10, high,
		       (unsigned long long)slots[i]);
		print_stars(slots[i], max, wide ? 20 : 40);
		printf("|\n");
	}
}

void json_log2_hist(FILE *f, const __u64 *slots, int n)
{
	bool first = true;
	int i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		fprintf(f, "%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}", first ? "" : ",",
			i ? 1ULL << i : 0ULL, log2_slot_high(i) - 1, (unsigned long long)slots[i]);
		first = false;
	}
	fputc(']', f);
}

const char *human_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	int u = 0;

	while (bytes >= 1024 && !(bytes % 1024) && u < 5) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu%c", bytes, units[u]);
	return buf;
}

long parse_positive(const char *arg, const char *what, struct argp_state *state)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v <= 0 || v > INT_MAX)
		argp_error(state, "invalid %s '%s': want a positive integer", what, arg);
	return v;
}

const char *timestamp(char *buf, size_t len)
{
	time_t t = time(NULL);

	strftime(buf, len, "%H:%M:%S", localtime(&t));
	return buf;
}

void wait_interval(int secs, volatile sig_atomic_t *stop, struct ksyms *ks)
{
	struct timespec now, end, step = { 0, 200 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += secs;
	while (!*stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		ksyms__refresh(ks);
		nanosleep(&step, NULL);	/* a signal ends it early */
	}
	ksyms__refresh(ks);
}
