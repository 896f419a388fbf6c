// SPDX-License-Identifier: GPL-2.0
/*
 * vmslow: every vmalloc slower than a threshold, or failing, one line each
 * (text or JSON): when, who, what was asked, where the time went stage by
 * stage, and the kernel stack. Needs the vmscope series'
 * vmalloc_alloc_stages and vmalloc_alloc_enter events, through tp_btf.
 */
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vmslow.h"
#include "vmslow.skel.h"
#include "probe.h"
#include "trace_helpers.h"
#include "cli.h"
#include "json.h"
#include "schema.h"

_Static_assert(VMSLOW_NR_STAGES == VM_STAGE_TOTAL, "vmslow stages are the schema's");

/* The kernel's enum vmalloc_stage, by number. */
static const char *const kstage_names[NR_KSTAGES] = {
	"none", "size", "reserve", "page_array", "pages", "map", "publish",
};

#define DEFAULT_THRESHOLD_US 1000
/* A threshold whose nanoseconds still fit a u64 with room: about 584 years. */
#define MAX_THRESHOLD_US (ULLONG_MAX / 1000)

static struct env {
	unsigned long long threshold_us;
	unsigned long ringbuf_kib;
} env = {
	.threshold_us = DEFAULT_THRESHOLD_US,
	.ringbuf_kib = 1024,
};

const char *argp_program_version = "vmslow 0.1";
static const char doc[] =
"Print every vmalloc slower than a threshold, or failing, with its stages\n"
"and kernel stack: one line each, or one JSON object per line with -j.\n"
"\n"
"USAGE: vmslow [-h] [-t USEC] [-p PID] [-c COMM] [-j] [-o FILE] [duration]\n"
"\n"
"Each record: time (CLOCK_MONOTONIC ns; wall clock in text), PID, TID,\n"
"comm, CPU, size, gfp flags, node, nested, failed stage, each stage's time\n"
"(reserve, page_array, pages, map, publish) and the total, and up to 32\n"
"kernel stack frames. Records the ring buffer had no room for are counted\n"
"and printed at the end (JSON: a last {\"summary\":...} line).\n"
"Needs the vmscope series' vmalloc_alloc_stages and vmalloc_alloc_enter events.\n"
"\n"
"EXAMPLES:\n"
"    vmslow                # vmallocs of 1 ms or more, and failures, until Ctrl-C\n"
"    vmslow -t 100 10      # 100 us or more, for 10 seconds\n"
"    vmslow -t 0 -c vmalloc_test/0 -j   # every vmalloc of one thread, JSON\n";

enum { OPT_RINGBUF = 1000 };

static const struct argp_option opts[] = {
	{ "threshold", 't', "USEC", 0, "Allocations taking at least USEC microseconds (default 1000; 0: all); failures always", 0 },
	{ "ringbuf-kib", OPT_RINGBUF, "KIB", 0, "Ring buffer size in KiB, a power of 2 (default 1024)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	unsigned long long v;
	char *end;

	switch (key) {
	case 't':
		errno = 0;
		v = strtoull(arg, &end, 10);
		/* A digit first: strtoull would skip spaces, tabs and a sign. */
		if (!isdigit((unsigned char)arg[0]) || *end || errno || v > MAX_THRESHOLD_US)
			argp_error(state, "invalid threshold '%s': want microseconds, 0 to %llu",
				   arg, MAX_THRESHOLD_US);
		env.threshold_us = v;
		break;
	case OPT_RINGBUF:
		v = parse_positive(arg, "ring buffer size", state);
		if (v < 4 || v > (1 << 20) || (v & (v - 1)))
			argp_error(state, "--ringbuf-kib %llu: want a power of 2 from 4 to 1048576", v);
		env.ringbuf_kib = v;
		break;
	case ARGP_KEY_END:
		/* cli's [interval] [count]: vmslow streams, so one number, the duration. */
		if (cli.times != 99999999)
			argp_error(state, "one positional argument, the duration in seconds (records stream as they come)");
		if (cli.tracepoint)
			argp_error(state, "--tracepoint is not supported: vmslow reads the stage times through tp_btf only");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct run {
	struct vmslow_bpf *obj;
	struct prog_links links;
	struct ring_buffer *rb;
	struct ksyms *ks;
	FILE *jf;
	long long realtime_off_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	unsigned long long shown;
	unsigned long long last_sym_retry_ns;
	int err;			/* first output error */
};

static long long clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A comm for the screen: what is not printable as '?'. */
static const char *printable_comm(const char *comm, char *buf)
{
	int i;

	for (i = 0; i < TASK_COMM_LEN - 1 && comm[i]; i++)
		buf[i] = comm[i] > 0x20 && comm[i] < 0x7f ? comm[i] : '?';
	buf[i] = 0;
	return buf;
}

static int nr_frames(const struct vmslow_event *e)
{
	int n = e->stack_bytes > 0 ? e->stack_bytes / 8 : 0;

	return n > VMSLOW_MAX_STACK ? VMSLOW_MAX_STACK : n;
}

/*
 * Frames in modules loaded since the symbols were read: once in a while,
 * pick up /proc/kallsyms again and the modules the BPF side saw load (a
 * module gone by now, like test_vmalloc, is named from those).
 */
static void resolve_modules(struct run *r, const struct vmslow_event *e)
{
	char buf[256];
	long long now;
	int i;

	if (!r->ks)
		return;
	for (i = 0; i < nr_frames(e); i++)
		if (!strncmp(ksyms__describe(r->ks, e->stack[i], buf, sizeof(buf)), "0x", 2))
			break;
	if (i == nr_frames(e))
		return;
	now = clock_ns(CLOCK_MONOTONIC);
	if (now - (long long)r->last_sym_retry_ns < 100000000LL)
		return;
	r->last_sym_retry_ns = now;
	ksyms__refresh(r->ks);
	ksyms__add_module_texts(r->ks, bpf_map__fd(r->obj->maps.module_texts));
}

static void print_json(FILE *f, const struct run *r, const struct vmslow_event *e)
{
	char buf[256];
	int i;

	fprintf(f, "{\"time_ns\":%llu,\"pid\":%u,\"tid\":%u,\"comm\":", (unsigned long long)e->ts_ns,
		e->pid, e->tid);
	json_strn(f, e->comm, sizeof(e->comm));
	fprintf(f, ",\"cpu\":%u,\"addr\":\"0x%llx\",\"size\":%llu", e->cpu, (unsigned long long)e->addr,
		(unsigned long long)e->size);
	json_kv_str(f, "caller", ksyms__describe(r->ks, e->caller, buf, sizeof(buf)), 0);
	if (e->has_enter)
		fprintf(f, ",\"gfp\":\"0x%llx\",\"node\":%d", (unsigned long long)e->gfp, e->node);
	else
		fprintf(f, ",\"gfp\":null,\"node\":null");
	fprintf(f, ",\"nested\":%s", e->nested ? "true" : "false");
	json_kv_str(f, "failed", e->kstage < NR_KSTAGES ? kstage_names[e->kstage] : "unknown", 0);
	for (i = 0; i < VMSLOW_NR_STAGES; i++)
		fprintf(f, ",\"%s_ns\":%llu", vm_stage_names[i], (unsigned long long)e->stage_ns[i]);
	fprintf(f, ",\"total_ns\":%llu,\"stack\":[", (unsigned long long)e->total_ns);
	for (i = 0; i < nr_frames(e); i++) {
		if (i)
			fputc(',', f);
		json_str(f, ksyms__describe(r->ks, e->stack[i], buf, sizeof(buf)));
	}
	fprintf(f, "]");
	if (e->stack_bytes < 0)
		fprintf(f, ",\"stack_error\":%d", e->stack_bytes);
	fprintf(f, "}\n");
}

static void print_text(const struct run *r, const struct vmslow_event *e)
{
	long long wall = (long long)e->ts_ns + r->realtime_off_ns;
	time_t secs = wall / 1000000000LL;
	char tbuf[16], comm[TASK_COMM_LEN], buf[256];
	struct tm tm;
	int i;

	localtime_r(&secs, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	printf("%s.%06lld ts=%llu pid=%u tid=%u comm=%s cpu=%u size=%llu", tbuf,
	       (wall % 1000000000LL) / 1000, (unsigned long long)e->ts_ns, e->pid, e->tid,
	       printable_comm(e->comm, comm), e->cpu, (unsigned long long)e->size);
	if (e->has_enter)
		printf(" gfp=0x%llx node=%d", (unsigned long long)e->gfp, e->node);
	else
		printf(" gfp=? node=?");
	printf(" nested=%d failed=%s", e->nested,
	       e->kstage < NR_KSTAGES ? kstage_names[e->kstage] : "unknown");
	for (i = 0; i < VMSLOW_NR_STAGES; i++)
		printf(" %s=%llu", vm_stage_names[i], (unsigned long long)e->stage_ns[i]);
	printf(" total=%llu caller=%s stack=", (unsigned long long)e->total_ns,
	       ksyms__describe(r->ks, e->caller, buf, sizeof(buf)));
	for (i = 0; i < nr_frames(e); i++)
		printf("%s%s", i ? ";" : "", ksyms__describe(r->ks, e->stack[i], buf, sizeof(buf)));
	if (e->stack_bytes < 0)
		printf("(error %d)", e->stack_bytes);
	printf("\n");
}

static int handle_event(void *ctx, void *data, size_t len)
{
	struct run *r = ctx;
	const struct vmslow_event *e = data;

	if (len < sizeof(*e))
		return 0;
	resolve_modules(r, e);
	if (cli.json)
		print_json(stdout, r, e);
	else
		print_text(r, e);
	if (r->jf)
		print_json(r->jf, r, e);
	r->shown++;
	return 0;
}

/* The last line: what was recorded, and what was not. */
static int summary(struct run *r)
{
	struct vmslow_stats s;
	struct prog_misses m;
	__u32 zero = 0;
	int err, i;

	err = percpu_sum(bpf_map__fd(r->obj->maps.stats), &zero, (__u64 *)&s, sizeof(s) / sizeof(__u64));
	if (err) {
		fprintf(stderr, "vmslow: failed to read counters: %s\n", strerror(-err));
		return err;
	}
	read_misses(r->obj->obj, &r->links, &m);
	for (i = 0; i < 2; i++) {
		FILE *f = i ? r->jf : stdout;

		if (!f || (!i && !cli.json))
			continue;
		fprintf(f, "{\"summary\":{\"threshold_us\":%llu,\"records\":%llu,\"shown\":%llu,\"lost\":%llu,"
			"\"no_enter\":%llu,\"no_storage\":%llu,\"missed_runs\":%llu}}\n", env.threshold_us,
			(unsigned long long)s.records, r->shown, (unsigned long long)s.lost,
			(unsigned long long)s.no_enter, (unsigned long long)s.no_storage,
			(unsigned long long)m.recursion);
	}
	if (!cli.json)
		printf("vmslow: %llu records (threshold %llu us), lost %llu (ring buffer full), "
		       "without gfp/node (entry not seen) %llu, entries without a slot %llu, "
		       "program runs missed %llu\n",
		       (unsigned long long)s.records, env.threshold_us, (unsigned long long)s.lost,
		       (unsigned long long)s.no_enter, (unsigned long long)s.no_storage,
		       (unsigned long long)m.recursion);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = doc,
		.children = children,
	};
	struct run r = {};
	long long end_ns = 0;
	int err = 0;

	if (cli_init(&argp, argc, argv, &r.jf))
		return 1;
	if (!probe_tracepoint("vmalloc", "vmalloc_alloc_stages") || !probe_tp_btf("vmalloc_alloc_stages") ||
	    !probe_tp_btf("vmalloc_alloc_enter")) {
		fprintf(stderr, "vmslow: this kernel has no vmalloc:vmalloc_alloc_stages and vmalloc_alloc_enter "
			"in its BTF (they come with the vmscope series)\n");
		err = 1;
		goto cleanup;
	}

	r.obj = vmslow_bpf__open();
	if (!r.obj) {
		fprintf(stderr, "vmslow: failed to open BPF object: %s\n", strerror(errno));
		err = 1;
		goto cleanup;
	}
	r.obj->rodata->threshold_ns = env.threshold_us * 1000;
	r.obj->rodata->targ_tgid = cli.pid;
	if (cli.comm) {
		r.obj->rodata->filter_comm = true;
		strncpy((char *)r.obj->rodata->targ_comm, cli.comm, TASK_COMM_LEN - 1);
	}
	err = bpf_map__set_max_entries(r.obj->maps.events, env.ringbuf_kib * 1024);
	if (err) {
		fprintf(stderr, "vmslow: failed to size the ring buffer: %s\n", strerror(-err));
		goto cleanup;
	}
	/* Names for stack frames in modules that unload before we print. */
	bpf_program__set_autoload(r.obj->progs.module_load_btf, probe_tp_btf("module_load"));
	/* gfp and node in the stage times (the series' patch 12): one program per vmalloc. */
	r.obj->rodata->times_gfp = probe_btf_member("vmalloc_stage_times", "gfp_mask");
	bpf_program__set_autoload(r.obj->progs.enter_btf, !r.obj->rodata->times_gfp);
	/* The per-thread slots (3.4 MB) only serve vmalloc_alloc_enter. */
	err = r.obj->rodata->times_gfp ? bpf_map__set_max_entries(r.obj->maps.task_allocs, 1) : 0;
	if (err) {
		fprintf(stderr, "vmslow: failed to size the slot array: %s\n", strerror(-err));
		goto cleanup;
	}
	err = vmslow_bpf__load(r.obj);
	if (err) {
		fprintf(stderr, "vmslow: failed to load BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}
	r.ks = ksyms__load_for("vmslow", true);
	r.rb = ring_buffer__new(bpf_map__fd(r.obj->maps.events), handle_event, &r, NULL);
	if (!r.rb) {
		err = -errno;
		fprintf(stderr, "vmslow: failed to create the ring buffer reader: %s\n", strerror(errno));
		goto cleanup;
	}
	r.realtime_off_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	err = attach_programs("vmslow", r.obj->obj, NULL, true, &r.links);
	if (err)
		goto cleanup;
	fprintf(stderr, "Tracing vmallocs of %llu us or more, and failures (tp_btf vmalloc_alloc_stages%s)... "
		"Hit Ctrl-C to end.\n", env.threshold_us,
		r.obj->rodata->times_gfp ? ", gfp and node from its stage times" : " and vmalloc_alloc_enter");
	if (cli.interval != 99999999)
		end_ns = clock_ns(CLOCK_MONOTONIC) + cli.interval * 1000000000LL;
	while (!cli_exiting && (!end_ns || clock_ns(CLOCK_MONOTONIC) < end_ns)) {
		err = ring_buffer__poll(r.rb, 100);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err < 0) {
			fprintf(stderr, "vmslow: reading the ring buffer failed: %s\n", strerror(-err));
			goto cleanup;
		}
		err = 0;
	}
	/* Detached first, so that the summary and the records agree. */
	destroy_links(&r.links);
	err = ring_buffer__consume(r.rb);
	err = err < 0 ? err : summary(&r);

cleanup:
	destroy_links(&r.links);
	ring_buffer__free(r.rb);
	vmslow_bpf__destroy(r.obj);
	ksyms__free(r.ks);
	if (fflush(stdout) || ferror(stdout))
		err = 1;
	if (cli_close_json_file("vmslow", r.jf))
		err = 1;
	return err != 0;
}
