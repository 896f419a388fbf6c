// SPDX-License-Identifier: GPL-2.0
/*
 * vmtrace report: a file from `trace-cmd record -e vmalloc`, read through
 * libtracecmd, into the same aggregation and report as the live path.
 * Callers are named from the kallsyms the file carries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <trace-cmd.h>
#include "vmtrace.h"
#include "events.h"

struct report_ctx {
	struct vt_events ev;
	unsigned long long missed;
	bool missed_unknown;
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

int vt_report_file(const char *file)
{
	struct tracecmd_input *h = NULL;
	struct report_ctx c;
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
	h = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
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
	loss.known = true;
	loss.missed = c.missed;
	if (c.missed_unknown)
		fprintf(stderr, "vmtrace: %s: the ring buffer lost events (how many is not known)\n", file);
	p.namer = vt_tep_namer;
	p.namer_ctx = c.ev.tep;
	if (env.json)
		vt_agg_print_json(stdout, &agg, &p);
	else
		vt_agg_print_text(&agg, &p);
	ret = 0;
out:
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
 * message and exit 1, never a core dump.
 */
int vt_report(const char *file)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return vt_report_file(file);
	if (!pid)
		_exit(vt_report_file(file));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "vmtrace: %s: corrupt trace-cmd data file (libtracecmd crashed reading it: %s)\n",
			file, strsignal(WTERMSIG(status)));
		return 1;
	}
	return WEXITSTATUS(status);
}
