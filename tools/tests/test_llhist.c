// SPDX-License-Identifier: GPL-2.0
/*
 * lib/llhist.c and the summary in lib/schema.c: bucket boundaries and
 * clamping, and percentiles against the exact nearest-rank ones of known
 * data sets, within the stated bound (1/32 of the exact value).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <cmocka.h>
#include "hist.h"
#include "llhist.h"
#include "schema.h"

/*
 * The BPF side's headers, built here: floor(log2) as the programs compute
 * it (bpf/bits.bpf.h: no clz in BPF), renamed from math.h's log2/log2l;
 * and the per-CPU value vmlat folds (bpf/vmlat.h).
 */
typedef uint32_t __u32;
typedef uint64_t __u64;
#define log2 bpf_log2
#define log2l bpf_log2l
#include "bits.bpf.h"
#undef log2
#undef log2l
#include "vmlat.h"

static void test_bucket_boundaries(void **state)
{
	unsigned long long v;

	for (v = 0; v < LLH_EXACT; v++)
		assert_int_equal(llh_bucket(v), v);
	assert_int_equal(llh_bucket(32), 32);	/* 32..33: 2 ns wide */
	assert_int_equal(llh_bucket(33), 32);
	assert_int_equal(llh_bucket(34), 33);
	assert_int_equal(llh_bucket(63), 47);
	assert_int_equal(llh_bucket(64), 48);	/* 64..67 */
	assert_int_equal(llh_bucket(67), 48);
	assert_int_equal(llh_bucket(68), 49);
	assert_int_equal(llh_bucket(1000), llh_bucket(1023));	/* 992..1023 */
	assert_int_equal(llh_bucket(991) + 1, llh_bucket(992));
	/* Below 2^16 in a byte (the BPF side's table). */
	assert_int_equal(llh_bucket(65535), LLH_U16_BUCKETS - 1);
	/* The top: 2^35 and more clamped into the last bucket. */
	assert_int_equal(llh_bucket((1ULL << 35) - 1), LLH_BUCKETS - 1);
	assert_int_equal(llh_bucket(1ULL << 35), LLH_BUCKETS - 1);
	assert_int_equal(llh_bucket(~0ULL), LLH_BUCKETS - 1);
	assert_int_equal(llh_bucket((1ULL << 35) - (1ULL << 30) - 1), LLH_BUCKETS - 2);
	assert_int_equal(LLH_BUCKETS, 512);
}

static void test_bucket_bounds(void **state)
{
	unsigned int i;

	for (i = 0; i < LLH_BUCKETS - 1; i++) {
		unsigned long long lo = llh_low(i), w = llh_width(i);

		assert_int_equal(llh_bucket(lo), i);
		assert_int_equal(llh_bucket(lo + w - 1), i);
		assert_int_equal(llh_bucket(lo + w), i + 1);
		assert_int_equal(llh_low(i + 1), lo + w);
		/* At most 1/16 of its lower bound wide: the bound's source. */
		if (i >= LLH_EXACT)
			assert_true(w * 16 <= lo);
		else
			assert_int_equal(w, 1);
	}
	assert_int_equal(llh_low(LLH_BUCKETS - 1), (1ULL << 35) - (1ULL << 30));
}

static void test_bpf_log2_agrees(void **state)
{
	unsigned long long v = 1;
	unsigned int i;

	srandom(1);
	for (i = 0; i < 200000; i++) {
		v = ((unsigned long long)random() << 31 | random()) >> (random() % 62);
		assert_int_equal(llh_bucket_log2(v, bpf_log2l(v)), llh_bucket(v));
	}
}

/* The log2 slots added up from the buckets equal those of the values themselves. */
static void test_log2_slots(void **state)
{
	unsigned long long b[LLH_BUCKETS] = { 0 }, direct[HIST_SLOTS] = { 0 }, derived[HIST_SLOTS] = { 0 }, v;
	unsigned int i;

	srandom(7);
	for (i = 0; i < 100000; i++) {
		v = ((unsigned long long)random() << 31 | random()) >> (random() % 62);
		b[llh_bucket(v)]++;
		direct[log2_slot(v)]++;
	}
	for (v = 0; v < 70000; v++) {	/* every value below 2^16 and a bit */
		b[llh_bucket(v)]++;
		direct[log2_slot(v)]++;
	}
	llh_log2_slots(b, derived, HIST_SLOTS);
	assert_memory_equal(direct, derived, sizeof(direct));
}

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Every percentile 1..100 of V (N values) within the bound of the exact nearest-rank one. */
static void check_set(unsigned long long *v, size_t n)
{
	unsigned long long *b = calloc(LLH_BUCKETS, sizeof(*b)), max = 0;
	unsigned int p;
	size_t i;

	assert_non_null(b);
	for (i = 0; i < n; i++) {
		b[llh_bucket(v[i])]++;
		if (v[i] > max)
			max = v[i];
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	for (p = 1; p <= 100; p++) {
		size_t rank = (size_t)ceil(p * (double)n / 100);
		unsigned long long exact = v[(rank ? rank : 1) - 1];
		unsigned long long got = llh_percentile(b, n, max, p);
		unsigned long long err = got > exact ? got - exact : exact - got;

		if (err * LLH_REL_ERR_DEN > exact)
			fail_msg("p%u of %zu values: got %llu, exact %llu", p, n, got, exact);
		assert_true(got <= max);
		if (exact < LLH_EXACT)
			assert_int_equal(got, exact);
	}
	free(b);
}

static void test_percentiles(void **state)
{
	size_t n = 100000, i;
	unsigned long long *v = calloc(n, sizeof(*v));

	assert_non_null(v);
	/* 1..1000 once each: p50 = 500, p90 = 900, p99 = 990 exactly, reported within 1/32. */
	for (i = 0; i < 1000; i++)
		v[i] = i + 1;
	check_set(v, 1000);
	/* Log-normal latencies around 5 us, and a long tail. */
	srandom(42);
	for (i = 0; i < n; i++) {
		double u1 = (random() + 1.0) / 2147483649.0, u2 = random() / 2147483648.0;

		v[i] = (unsigned long long)exp(8.5 + 1.5 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
	}
	check_set(v, n);
	/* Small values (exact), one value, two values far apart, all equal. */
	for (i = 0; i < 100; i++)
		v[i] = i % 31;
	check_set(v, 100);
	v[0] = 123456789;
	check_set(v, 1);
	v[0] = 40;
	v[1] = 1ULL << 33;
	check_set(v, 2);
	for (i = 0; i < 1000; i++)
		v[i] = 65535;
	check_set(v, 1000);
	free(v);
}

static void test_percentile_rank(void **state)
{
	unsigned long long b[LLH_BUCKETS] = { 0 };

	/* 99 values of 1 and one of 20: p99 is rank 99 (1), p100 rank 100 (20). */
	b[1] = 99;
	b[20] = 1;
	assert_int_equal(llh_percentile(b, 100, 20, 99), 1);
	assert_int_equal(llh_percentile(b, 100, 20, 100), 20);
	/* One value: every percentile is it. */
	memset(b, 0, sizeof(b));
	b[llh_bucket(1000)] = 1;
	assert_int_equal(llh_percentile(b, 1, 1000, 50), 1000);	/* the middle (1008) is above the max */
	assert_int_equal(llh_percentile(b, 0, 0, 50), 0);
	/* The open last bucket: the max. */
	memset(b, 0, sizeof(b));
	b[LLH_BUCKETS - 1] = 3;
	assert_int_equal(llh_percentile(b, 3, 1ULL << 40, 50), 1ULL << 40);
}

/*
 * vmlat's per-CPU struct stage_hists folded as read_cumulative() does
 * (percpu_fold(): its last NR_STAGES words the maxima): buckets and sums
 * added up over the CPUs, each stage's max the largest of any CPU.
 */
static void test_fold_stage_hists(void **state)
{
	struct stage_hists *cpu = calloc(3, sizeof(*cpu)), *out = calloc(1, sizeof(*out));
	int c, st;

	assert_non_null(cpu);
	assert_non_null(out);
	for (c = 0; c < 3; c++)
		for (st = 0; st < NR_STAGES; st++) {
			cpu[c].ll[st][llh_bucket(100 * (c + 1))] = c + 1;
			cpu[c].h[st].sum_ns = 100 * (c + 1) * (c + 1);
			/* The largest on a different CPU for each stage, never the last alone. */
			cpu[c].max_ns[st] = c == st % 3 ? 5000 + st : 100 * (c + 1);
		}
	u64s_fold_percpu((unsigned long long *)out, (const unsigned long long *)cpu, 3,
			 sizeof(*out) / sizeof(__u64), NR_STAGES);
	for (st = 0; st < NR_STAGES; st++) {
		assert_int_equal(out->max_ns[st], 5000 + st);
		assert_int_equal(out->h[st].sum_ns, 100 + 400 + 900);
		for (c = 0; c < 3; c++)
			assert_int_equal(out->ll[st][llh_bucket(100 * (c + 1))], c + 1);
	}
	free(cpu);
	free(out);
}

static void test_summary_json(void **state)
{
	static struct vm_summary_in in[2][VM_NR_STAGES];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	in[0][VM_STAGE_RESERVE].count = 2;
	in[0][VM_STAGE_RESERVE].sum_ns = 10;
	in[0][VM_STAGE_RESERVE].max_ns = 6;
	in[0][VM_STAGE_RESERVE].b[4] = 1;
	in[0][VM_STAGE_RESERVE].b[6] = 1;
	in[0][VM_STAGE_TOTAL] = in[0][VM_STAGE_RESERVE];
	in[0][VM_STAGE_TOTAL].sum_ns = 40;
	schema_summary(f, in, true);
	fclose(f);
	assert_string_equal(buf, "\"summary\":["
		"{\"stage\":\"reserve\",\"nested\":false,\"count\":2,\"share_pct\":25.00,\"avg_ns\":5,"
		"\"p50_ns\":4,\"p90_ns\":6,\"p99_ns\":6,\"max_ns\":6},"
		"{\"stage\":\"total\",\"nested\":false,\"count\":2,\"share_pct\":100.00,\"avg_ns\":20,"
		"\"p50_ns\":4,\"p90_ns\":6,\"p99_ns\":6,\"max_ns\":6}],"
		"\"summary_bound\":{\"percentile\":\"nearest-rank\",\"value\":\"bucket middle, at most max_ns\","
		"\"rel_error\":0.03125,\"exact_below_ns\":32,\"open_above_ns\":33285996544,"
		"\"max\":\"exact, since the start\"}");
	free(buf);
}

/* FN(ARG)'s stdout as a string (print_summary() writes there). */
static char *stdout_of(void (*fn)(void *), void *arg)
{
	FILE *tmp = tmpfile();
	int saved = dup(1);
	char *buf = calloc(1, 8192);

	assert_non_null(tmp);
	assert_non_null(buf);
	fflush(stdout);
	dup2(fileno(tmp), 1);
	fn(arg);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	assert_true(fread(buf, 1, 8191, tmp) > 0);
	fclose(tmp);
	return buf;
}

static void show_all(void *in)
{
	print_summary(in, true, true);
}

static void show_one(void *in)
{
	print_summary(in, true, false);
}

/*
 * The table's columns stay aligned in 80 columns: values from 1000 s up (to
 * 2^64 ns) in 6 characters (ks, Ms, Gs), a count of 20 digits widening its
 * column; the max column says max(all) when reports are per interval.
 */
static void test_summary_text(void **state)
{
	static struct vm_summary_in in[2][VM_NR_STAGES];
	char buf[16], *out, *line, *save = NULL;
	size_t width = 0, rows = 0;
	unsigned long long v;

	for (v = 1; v && v < ~0ULL / 3; v *= 3)
		assert_true(strlen(human_ns(v, buf, sizeof(buf))) <= 6);
	assert_string_equal(human_ns(999499999999ULL, buf, sizeof(buf)), "999s");
	assert_string_equal(human_ns(1234000000000ULL, buf, sizeof(buf)), "1.23ks");
	assert_string_equal(human_ns(~0ULL, buf, sizeof(buf)), "18.4Gs");
	in[0][VM_STAGE_TOTAL].count = 12345678901ULL;	/* 11 digits */
	in[0][VM_STAGE_TOTAL].sum_ns = 4000000000000ULL * 3;
	in[0][VM_STAGE_TOTAL].max_ns = ~0ULL;
	in[0][VM_STAGE_TOTAL].b[LLH_BUCKETS - 1] = 12345678901ULL;
	in[0][VM_STAGE_RESERVE] = in[0][VM_STAGE_TOTAL];
	in[0][VM_STAGE_RESERVE].count = 7;
	in[0][VM_STAGE_RESERVE].b[LLH_BUCKETS - 1] = 7;
	in[1][VM_STAGE_TOTAL].count = ~0ULL;		/* 20 digits */
	in[1][VM_STAGE_TOTAL].sum_ns = ~0ULL;
	in[1][VM_STAGE_TOTAL].max_ns = 1500000000000ULL;
	in[1][VM_STAGE_TOTAL].b[llh_bucket(1500000000000ULL)] = ~0ULL;
	out = stdout_of(show_all, in);
	assert_non_null(strstr(out, " max(all)\n"));
	assert_non_null(strstr(out, "18.4Gs\n"));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "  ", 2))
			continue;	/* the header lines */
		/* The header and every row end at the same column: none overflowed. */
		if (!width)
			width = strlen(line);
		if (strlen(line) != width)
			fail_msg("misaligned: '%s' (%zu columns, the header %zu)", line, strlen(line), width);
		rows++;
	}
	assert_int_equal(rows, 4);
	free(out);
	/* One report for the whole run, counts up to 10 digits: max, 80 columns. */
	in[0][VM_STAGE_TOTAL].count = in[0][VM_STAGE_TOTAL].b[LLH_BUCKETS - 1] = 1234567890;
	in[1][VM_STAGE_TOTAL].count = in[1][VM_STAGE_TOTAL].b[llh_bucket(1500000000000ULL)] = 1;
	out = stdout_of(show_one, in);
	assert_null(strstr(out, "max(all)"));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 80)
			fail_msg("over 80 columns: '%s'", line);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_boundaries),
		cmocka_unit_test(test_bucket_bounds),
		cmocka_unit_test(test_bpf_log2_agrees),
		cmocka_unit_test(test_log2_slots),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_percentile_rank),
		cmocka_unit_test(test_fold_stage_hists),
		cmocka_unit_test(test_summary_json),
		cmocka_unit_test(test_summary_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
