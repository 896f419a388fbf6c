// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "trace_helpers.h"
#include "modules.h"

struct ksym {
	unsigned long addr;
	char *name;
	size_t mod;		/* 1 + its module instance in ksyms.mods; 0: the kernel */
};

/*
 * One load of a module: where its text is and since when it is known.
 * A module that unloads keeps its symbols (its callers stay named) until a
 * later module takes an overlapping range.
 */
struct kmod {
	char name[MODULE_NAME_LEN_MAX];
	unsigned long base, end;
	unsigned long long since_ns;	/* CLOCK_MONOTONIC, as bpf_ktime_get_ns() */
	bool live;		/* in /proc/modules when last read */
	bool has_syms;		/* it has symbols (from kallsyms, or its name) */
	bool reading;		/* its kallsyms symbols are being read */
};

struct ksyms {
	struct ksym *syms;
	size_t n, cap;
	struct kmod *mods;
	size_t nmods;
	char *modules;		/* /proc/modules when last read */
	unsigned long etext;	/* end of the kernel's text, 0 if unknown */
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

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int ksyms__add(struct ksyms *ks, unsigned long addr, const char *name, size_t mod)
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
	k->mod = mod;
	ks->n++;
	return 0;
}

/* Forgets the symbols of module instance MOD (1-based): a later module took its range. */
static void ksyms__drop_mod(struct ksyms *ks, size_t mod)
{
	size_t i, j;

	for (i = j = 0; i < ks->n; i++) {
		if (ks->syms[i].mod == mod)
			free(ks->syms[i].name);
		else
			ks->syms[j++] = ks->syms[i];
	}
	ks->n = j;
	ks->mods[mod - 1].base = ks->mods[mod - 1].end = 0;
	ks->mods[mod - 1].live = false;
}

/*
 * A module instance at [BASE, END), known since SINCE: returns its 1-based
 * index (an existing one if NAME is already there), or 0 if it is older
 * than a module known at an overlapping range, or on error. Older
 * overlapping instances are gone: their symbols are dropped.
 */
static size_t ksyms__module(struct ksyms *ks, const char *name, unsigned long base,
			    unsigned long end, unsigned long long since)
{
	struct kmod *m;
	size_t i;

	for (i = 0; i < ks->nmods; i++)
		if (ks->mods[i].base == base && !strcmp(ks->mods[i].name, name))
			return i + 1;
	for (i = 0; i < ks->nmods; i++) {
		m = &ks->mods[i];
		if (m->base >= end || m->end <= base)
			continue;
		if (m->since_ns > since)
			return 0;
		/* /proc/modules gives a module's total size: live ones may seem to overlap. */
		if (!m->live)
			ksyms__drop_mod(ks, i + 1);
	}
	m = realloc(ks->mods, (ks->nmods + 1) * sizeof(*m));
	if (!m)
		return 0;
	ks->mods = m;
	m = &ks->mods[ks->nmods++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->base = base;
	m->end = end;
	m->since_ns = since;
	return ks->nmods;
}

/* The live instance of module NAME, 1-based, or 0. */
static size_t ksyms__live_module(const struct ksyms *ks, const char *name)
{
	size_t i;

	for (i = ks->nmods; i > 0; i--)
		if (ks->mods[i - 1].live && !strcmp(ks->mods[i - 1].name, name))
			return i;
	return 0;
}

/* /proc/modules: "name size refcount deps state address": the live modules now. */
static void ksyms__read_modules(struct ksyms *ks, const char *text)
{
	unsigned long long since = now_ns();
	char name[MODULE_NAME_LEN_MAX];
	unsigned long size, base;
	const char *line;
	size_t i, m;

	int pass;

	for (i = 0; i < ks->nmods; i++)
		ks->mods[i].live = false;
	/* Those known first (live ones are never dropped), then the new ones. */
	for (pass = 0; pass < 2; pass++) {
		for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
			if (sscanf(line, "%55s %lu %*s %*s %*s %lx", name, &size, &base) != 3 || !base)
				continue;
			for (m = 0; m < ks->nmods; m++)
				if (ks->mods[m].base == base && !strcmp(ks->mods[m].name, name))
					break;
			if ((m < ks->nmods) != !pass)
				continue;
			m = pass ? ksyms__module(ks, name, base, base + size, since) : m + 1;
			if (m)
				ks->mods[m - 1].live = true;
		}
	}
}

/* Adds what /proc/kallsyms has for the kernel (once) and for modules not yet read. */
static void ksyms__add_all(struct ksyms *ks)
{
	char line[512], name[256], mod[64], full[336], type;
	bool first = !ks->n;
	unsigned long addr;
	size_t i, m;
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	for (i = 0; i < ks->nmods; i++)
		ks->mods[i].reading = ks->mods[i].live && !ks->mods[i].has_syms;
	while (fgets(line, sizeof(line), f)) {
		int fields = sscanf(line, "%lx %c %255s [%63[^]]]", &addr, &type, name, mod);

		if (fields < 3 || !addr)
			continue;
		if (fields == 3 && first && !strcmp(name, "_etext"))
			ks->etext = addr;
		if (type != 't' && type != 'T')
			continue;
		if (fields == 3) {
			if (first && ksyms__add(ks, addr, name, 0))
				break;
			continue;
		}
		/* BPF programs come and go, never a vmalloc caller; modules only once. */
		m = strcmp(mod, "bpf") ? ksyms__live_module(ks, mod) : 0;
		if (!m || !ks->mods[m - 1].reading)
			continue;
		snprintf(full, sizeof(full), "%s [%s]", name, mod);
		if (ksyms__add(ks, addr, full, m))
			break;
		/* Not before: a module that went meanwhile has none, and is named from module_texts. */
		ks->mods[m - 1].has_syms = true;
	}
	fclose(f);
	qsort(ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
}

void ksyms__add_module_texts(struct ksyms *ks, int map_fd)
{
	__u64 key, next, *prev = NULL;
	struct module_text t;
	char name[MODULE_NAME_LEN_MAX + 3];
	size_t m;

	if (!ks)
		return;
	while (!bpf_map_get_next_key(map_fd, prev, &next)) {
		if (!bpf_map_lookup_elem(map_fd, &next, &t)) {
			t.name[MODULE_NAME_LEN_MAX - 1] = 0;
			m = ksyms__module(ks, t.name, next, next + (t.size ? t.size : 1), t.loaded_ns);
			/* A module gone before /proc/kallsyms showed its symbols: its name only. */
			if (m && !ks->mods[m - 1].has_syms) {
				snprintf(name, sizeof(name), "[%s]", t.name);
				if (ksyms__add(ks, next, name, m))
					break;
				ks->mods[m - 1].has_syms = true;
			}
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
	ksyms__read_modules(ks, ks->modules);
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
	ksyms__read_modules(ks, mods);
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
	free(ks->mods);
	free(ks->modules);
	free(ks);
}

const char *ksyms__describe(const struct ksyms *ks, unsigned long addr, char *buf, size_t len)
{
	size_t lo = 0, hi = ks ? ks->n : 0;
	const struct ksym *k;
	unsigned long end;

	/* The last symbol at or below addr. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	k = lo ? &ks->syms[lo - 1] : NULL;
	/* Within its module's text, or the kernel's; else not its symbol. */
	if (k && k->mod)
		end = ks->mods[k->mod - 1].end;
	else
		end = ks && ks->etext ? ks->etext : (k ? k->addr + 0x10000 : 0);
	if (!addr || !k || addr >= end)
		snprintf(buf, len, "0x%lx", addr);
	else
		snprintf(buf, len, "%s+0x%lx", k->name, addr - k->addr);
	return buf;
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

int percpu_sum(int fd, const void *key, __u64 *sum, size_t words)
{
	return percpu_fold(fd, key, sum, words, 0);
}

int percpu_fold(int fd, const void *key, __u64 *sum, size_t words, size_t max_words)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	__u64 *v;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpu * words, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(sum, 0, words * sizeof(*sum));
	if (bpf_map_lookup_elem(fd, key, v))
		err = -errno;
	else	/* lib/hist.c, unit-tested */
		u64s_fold_percpu((unsigned long long *)sum, (const unsigned long long *)v, ncpu, words, max_words);
	free(v);
	return err;
}

void u64s_sub(__u64 *a, const __u64 *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		a[i] -= b[i];
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

/*
 * Kernel symbols for a tool that names callers, loaded before it attaches:
 * a module that loads and goes once tracing starts is then named too.
 * NULL (with a warning) when not wanted or /proc/kallsyms is unreadable.
 */
struct ksyms *ksyms__load_for(const char *tool, bool wanted)
{
	struct ksyms *ks;

	if (!wanted)
		return NULL;
	ks = ksyms__load();
	if (!ks)
		fprintf(stderr, "%s: cannot read /proc/kallsyms; callers shown as addresses\n", tool);
	return ks;
}
