// SPDX-License-Identifier: GPL-2.0
/*
 * vmtrace report: a file from `trace-cmd record -e vmalloc`, read through
 * libtracecmd, into the same aggregation and report as the live path.
 * Callers are named from the kallsyms the file carries.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <trace-cmd.h>
#include "vmtrace.h"
#include "events.h"

/* Exported by libtracecmd 3.1 but declared only in its private header. */
int tracecmd_cpus(struct tracecmd_input *handle);
struct tracecmd_input *tracecmd_alloc_fd(int fd, int flags);
int tracecmd_read_headers(struct tracecmd_input *handle, int state);
const char *tracecmd_get_cpustats(struct tracecmd_input *handle);

#define VT_MAX_CPUS	4096

struct report_ctx {
	struct vt_events ev;
	unsigned long long missed;
	bool missed_unknown;
	unsigned long long *per_cpu;	/* records read, by CPU */
	int ncpus;
};

static bool task_matches(struct tep_handle *tep, struct tep_record *rec)
{
	int pid;
	const char *comm;

	if (!env.pid && !env.comm)
		return true;
	pid = tep_data_pid(tep, rec);
	if (env.pid && pid != env.pid)
		return false;
	if (env.comm) {
		comm = tep_data_comm_from_pid(tep, pid);
		if (!comm || strncmp(comm, env.comm, VT_COMM_LEN - 1))
			return false;
	}
	return true;
}

static int on_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct report_ctx *c = data;
	int type;

	if (cpu >= 0 && cpu < c->ncpus)
		c->per_cpu[cpu]++;
	if (rec->missed_events > 0)
		c->missed += rec->missed_events;
	else if (rec->missed_events < 0)
		c->missed_unknown = true;
	/* The task filter applies to reservations and allocations; frees are anyone's (as in vmtree). */
	if (env.pid || env.comm) {
		type = tep_data_type(c->ev.tep, rec);
		if (type != c->ev.id[VT_EV_FREE] && !task_matches(c->ev.tep, rec))
			return 0;
	}
	vt_events_record(&c->ev, rec);
	return 0;
}

/*
 * The file's cpustats ("CPU: N" then the kernel's per-CPU stats): the
 * ring buffer's losses into LOSS, and each CPU's "entries" against the
 * records read. tracecmd_iterate_events() stops a CPU at a page it cannot
 * parse and still returns 0: a CPU that read fewer records than the stats
 * hold is a corrupt file. 0, or -1 having said why.
 */
static int check_cpustats(struct tracecmd_input *h, const char *file, const struct report_ctx *c,
			  struct vt_loss *loss)
{
	const char *stats = tracecmd_get_cpustats(h), *p, *next;
	unsigned long long entries;
	char *part;
	int cpu;

	if (!stats)
		return 0;	/* not in every file: nothing to check */
	for (p = strstr(stats, "CPU: "); p; p = next) {
		cpu = atoi(p + 5);
		next = strstr(p + 5, "CPU: ");
		part = strndup(p, next ? (size_t)(next - p) : strlen(p));
		if (!part)
			return 0;
		if (!vt_loss_add_stats(loss, part, &entries) && cpu >= 0 && cpu < c->ncpus &&
		    c->per_cpu[cpu] < entries) {
			fprintf(stderr, "vmtrace: %s: CPU %d: %llu records read of the %llu its statistics hold "
				"(a corrupt data page)\n", file, cpu, c->per_cpu[cpu], entries);
			free(part);
			return -1;
		}
		free(part);
	}
	return 0;
}

int vt_report_file(const char *file)
{
	struct tracecmd_input *h = NULL;
	struct report_ctx c = { .per_cpu = NULL };
	struct vt_agg agg;
	struct vt_loss loss = { 0 };
	struct vt_print p = {
		.source = "report", .unit = env.unit, .loss = &loss, .timestamp = env.timestamp,
	};
	char err[256];
	struct stat st;
	int fd, ret = 1;

	vt_agg_init(&agg);
	if (env.filter) {
		fprintf(stderr, "vmtrace: -F filters in the kernel: hist only (report takes -p, -c and the sizes)\n");
		return 1;
	}
	agg.unit_div = env.unit_div;
	agg.min_size = env.min_size;
	agg.max_size = env.max_size;
	agg.filtered = env.pid || env.comm;
	fd = open(file, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "vmtrace: cannot open %s: %s\n", file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 16) {
		fprintf(stderr, "vmtrace: %s: not a trace-cmd data file (%s)\n", file,
			S_ISREG(st.st_mode) ? "too short" : "not a regular file");
		goto out;
	}
	/* libtracecmd says why it fails at its own log level: keep it quiet, say it once here. */
	tracecmd_set_loglevel(TEP_LOG_NONE);
	/*
	 * tracecmd_open_fd() without its error path: on a file whose CPU data
	 * is cut short, 3.1.6's tracecmd_close() of the half-read handle
	 * crashes. Such a handle is left (this process ends soon).
	 */
	h = tracecmd_alloc_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (h && (tracecmd_read_headers(h, 0) < 0 || tracecmd_init_data(h) < 0)) {
		h = NULL;
		fd = -1;	/* the half-read handle owns it */
	}
	if (!h) {
		fprintf(stderr, "vmtrace: %s: not a readable trace-cmd data file (corrupt, truncated or another format)\n",
			file);
		goto out;
	}
	fd = -1;	/* the handle owns it */
	if (vt_events_bind(&c.ev, tracecmd_get_tep(h), &agg, false, err, sizeof(err))) {
		fprintf(stderr, "vmtrace: %s: %s\n", file, err);
		goto out;
	}
	c.missed = 0;
	c.missed_unknown = false;
	c.ncpus = tracecmd_cpus(h);
	if (c.ncpus < 1 || c.ncpus > VT_MAX_CPUS) {
		fprintf(stderr, "vmtrace: %s: %d CPUs in the file header (corrupt file)\n", file, c.ncpus);
		goto out;
	}
	c.per_cpu = calloc(c.ncpus, sizeof(*c.per_cpu));
	if (!c.per_cpu) {
		fprintf(stderr, "vmtrace: out of memory\n");
		goto out;
	}
	if (c.ev.id[VT_EV_STAGES] < 0 && c.ev.id[VT_EV_RESERVED] < 0) {
		fprintf(stderr, "vmtrace: %s: no vmalloc_alloc_stages or vmalloc_va_reserved events "
			"(record with trace-cmd record -e vmalloc on a kernel with the vmscope series)\n", file);
		goto out;
	}
	if (tracecmd_iterate_events(h, NULL, 0, on_record, &c) < 0) {
		fprintf(stderr, "vmtrace: %s: the event data cannot be read (truncated or corrupt)\n", file);
		goto out;
	}
	if (c.ev.bad) {
		fprintf(stderr, "vmtrace: %s: %llu records shorter than their event format (corrupt file)\n",
			file, c.ev.bad);
		goto out;
	}
	if (!agg.records) {
		fprintf(stderr, "vmtrace: %s: no vmalloc events recorded%s\n", file,
			env.pid || env.comm ? " for this task" : "");
		goto out;
	}
	if (check_cpustats(h, file, &c, &loss))
		goto out;
	loss.known = true;
	loss.missed = c.missed;
	loss.missed_unknown = c.missed_unknown;
	if (c.missed_unknown)
		fprintf(stderr, "vmtrace: %s: the ring buffer lost events (how many is not known)\n", file);
	p.namer = vt_tep_namer;
	p.namer_ctx = c.ev.tep;
	if (env.json ? vt_agg_print_json(stdout, &agg, &p) : vt_agg_print_text(&agg, &p))
		goto out;
	ret = 0;
out:
	free(c.per_cpu);
	if (h)
		tracecmd_close(h);
	if (fd >= 0)
		close(fd);
	vt_agg_free(&agg);
	return ret;
}

/*
 * libtracecmd 3.1.6 itself crashes on some corrupt files (a NULL
 * dereference in tracecmd_open_fd()'s error path, found by the fuzz
 * target): the file is read in a child, so that such a file still gets a
 * message and exit 1, never a core dump. VMTRACE_NO_FORK=1 reads it in this
 * process (tests and the fuzzer: a crash must be seen).
 */
int vt_report(const char *file)
{
	const char *nofork = getenv("VMTRACE_NO_FORK");
	pid_t pid, parent = getpid();
	bool forwarded = false;
	int status, sig;

	if (nofork && !strcmp(nofork, "1"))
		return vt_report_file(file);
	fflush(stdout);
	/* An inherited SIG_IGN would reap the child itself: waitpid() would fail. */
	signal(SIGCHLD, SIG_DFL);
	pid = fork();
	if (pid < 0)
		return vt_report_file(file);
	if (!pid) {
		/* Ctrl-C ends the reading child at once; it does not outlive vmtrace. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		_exit(vt_report_file(file));
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "vmtrace: cannot wait for the reading process: %s\n", strerror(errno));
			kill(pid, SIGKILL);
			return 1;
		}
		if (vt_exiting && !forwarded) {
			kill(pid, vt_exiting);
			forwarded = true;
		}
	}
	if (!WIFSIGNALED(status))
		return WEXITSTATUS(status);
	sig = WTERMSIG(status);
	if (sig == SIGPIPE)
		fprintf(stderr, "vmtrace: cannot write the report: %s\n", strerror(EPIPE));
	else if (forwarded && sig == vt_exiting)
		fprintf(stderr, "vmtrace: %s: stopped by %s\n", file, strsignal(sig));
	else
		fprintf(stderr, "vmtrace: %s: corrupt trace-cmd data file: crashed reading it (signal %d)\n",
			file, sig);
	return 1;
}
