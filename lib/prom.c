// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition, its HTTP endpoint and its textfile: see
 * prom.h. The endpoint is deliberately small: one request per connection
 * (Connection: close), GET or HEAD of /metrics, served from the tool's
 * main loop: one non-blocking poll over the listener and all its clients,
 * bounded by the time the loop gives it, so that slow or stuck clients
 * never hold the tool (nor one another) up.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "args.h"
#include "prom.h"

struct prom_opts prom_opts = {
	.max_callers = PROM_MAX_CALLERS_DEFAULT,
};

enum { OPT_PROMETHEUS = 3000, OPT_TEXTFILE, OPT_MAX_CALLERS };

static const struct argp_option opts[] = {
	{ NULL, 0, NULL, 0, "Prometheus export (counts since the start, read at each scrape):", 50 },
	{ "prometheus", OPT_PROMETHEUS, "[ADDR:]PORT", 0,
	  "Serve /metrics over HTTP on PORT (ADDR: an IPv4 address or [IPv6]; default 127.0.0.1)", 50 },
	{ "textfile", OPT_TEXTFILE, "PATH", 0,
	  "Write the metrics to PATH (node_exporter's textfile collector: a .prom file), atomically, "
	  "at each interval (at most 5 s apart) and at exit; left in place", 50 },
	{ "max-callers", OPT_MAX_CALLERS, "N", 0,
	  "With -C: at most N caller label values, the rest as caller=\"other\" (default 32)", 50 },
	{},
};

/* [ADDR:]PORT: a port 1..65535, an IPv4 address or a bracketed IPv6 one. */
static void parse_listen(const char *arg, struct argp_state *state)
{
	const char *colon = strrchr(arg, ':'), *port = colon ? colon + 1 : arg;
	char host[64], *end;
	size_t hl;
	long v;

	if (arg[0] == '[' && !strstr(arg, "]:")) {
		argp_error(state, "--prometheus '%s': an IPv6 address wants a port: [ADDR]:PORT", arg);
		return;
	}
	errno = 0;
	v = strtol(port, &end, 10);
	/* Digits only: strtol would take " 9100" and "+9100". */
	if (!*port || port[strspn(port, "0123456789")] || *end || errno || v < 1 || v > 65535)
		argp_error(state, "--prometheus '%s': invalid port '%s': want 1-65535", arg, port);
	prom_opts.port = v;
	prom_opts.family = AF_INET;
	if (!colon) {
		inet_pton(AF_INET, "127.0.0.1", prom_opts.addr);
		return;
	}
	hl = colon - arg;
	if (hl >= sizeof(host)) {
		argp_error(state, "--prometheus '%s': address too long", arg);
		return;
	}
	memcpy(host, arg, hl);
	host[hl] = 0;
	if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = 0;
		prom_opts.family = AF_INET6;
		if (inet_pton(AF_INET6, host + 1, prom_opts.addr) == 1)
			return;
	} else if (inet_pton(AF_INET, host, prom_opts.addr) == 1) {
		return;
	}
	argp_error(state, "--prometheus '%s': invalid address '%.*s': want an IPv4 address or [IPv6] (no names)",
		   arg, (int)hl, arg);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_PROMETHEUS:
		prom_opts.listen = arg;
		parse_listen(arg, state);
		break;
	case OPT_TEXTFILE:
		if (!*arg)
			argp_error(state, "--textfile: empty path");
		prom_opts.textfile = arg;
		break;
	case OPT_MAX_CALLERS:
		prom_opts.max_callers = parse_positive(arg, "caller count", state);
		if (prom_opts.max_callers > PROM_MAX_CALLERS_LIMIT)
			argp_error(state, "--max-callers %d: at most %d", prom_opts.max_callers, PROM_MAX_CALLERS_LIMIT);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp prom_argp = {
	.options = opts,
	.parser = parse_arg,
};

struct prom {
	const char *tool;
	int fd;			/* listening socket, -1: none */
	char *tmp;		/* textfile's temporary name, NULL: no textfile */
	prom_collect_fn collect;
	void *ctx;
	int period;		/* textfile, seconds */
	struct timespec next;	/* textfile due */
	bool textfile_failed;	/* said so (once until it works again) */
	const volatile sig_atomic_t *stop;	/* the tool is ending: prom_poll returns */
	struct timespec accept_after;	/* out of descriptors: no accept before */
	int ncl;
	struct prom_client *cl[PROM_MAX_CLIENTS];
};

static void now_plus(struct timespec *t, int secs)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += secs;
}

static bool due(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static const char *listen_name(char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(prom_opts.family, prom_opts.addr, a, sizeof(a));
	snprintf(buf, len, prom_opts.family == AF_INET6 ? "[%s]:%d" : "%s:%d", a, prom_opts.port);
	return buf;
}

static int open_socket(struct prom *p)
{
	struct sockaddr_storage ss = {};
	socklen_t sl;
	char name[80];
	int one = 1;

	if (prom_opts.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(prom_opts.port);
		memcpy(&s6->sin6_addr, prom_opts.addr, 16);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(prom_opts.port);
		memcpy(&s4->sin_addr, prom_opts.addr, 4);
		sl = sizeof(*s4);
	}
	p->fd = socket(prom_opts.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		fprintf(stderr, "%s: --prometheus: cannot create a socket: %s\n", p->tool, strerror(errno));
		return -1;
	}
	/* A restarted tool binds again at once (TIME_WAIT); a listener still refuses it. */
	setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(p->fd, (struct sockaddr *)&ss, sl) || listen(p->fd, 16)) {
		fprintf(stderr, "%s: --prometheus: cannot listen on %s: %s%s\n", p->tool,
			listen_name(name, sizeof(name)), strerror(errno),
			errno == EADDRINUSE ? " (another program has this port)" : "");
		return -1;
	}
	if (!prom_opts.port)	/* port 0 (tests): the kernel's choice */
		prom_opts.port = prom_port(p);
	fprintf(stderr, "%s: serving Prometheus metrics on http://%s/metrics\n", p->tool,
		listen_name(name, sizeof(name)));
	return 0;
}

/*
 * A new temporary file next to the textfile (mkstemp: a name nobody could
 * have put a symlink at), 0644 for node_exporter; -1 and errno on failure.
 */
static int textfile_tmp(struct prom *p)
{
	int fd;

	strcpy(p->tmp + strlen(prom_opts.textfile), ".XXXXXX");
	fd = mkostemp(p->tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0644)) {
		int e = errno;

		close(fd);
		unlink(p->tmp);
		errno = e;
		return -1;
	}
	return fd;
}

/* The textfile's directory must take files: tried once at the start. */
static int check_textfile(struct prom *p)
{
	int fd;

	if (asprintf(&p->tmp, "%s.XXXXXX", prom_opts.textfile) < 0) {
		p->tmp = NULL;
		return -1;
	}
	fd = textfile_tmp(p);
	if (fd < 0) {
		fprintf(stderr, "%s: --textfile: cannot write %s (a temporary file next to it): %s\n", p->tool,
			prom_opts.textfile, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(p->tmp);
	return 0;
}

int prom_open(const char *tool, struct prom **pp)
{
	struct prom *p;

	*pp = NULL;
	if (!prom_opts.listen && !prom_opts.textfile)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", tool);
		return -1;
	}
	p->tool = tool;
	p->fd = -1;
	*pp = p;
	if (prom_opts.listen && open_socket(p))
		return -1;
	if (prom_opts.textfile && check_textfile(p))
		return -1;
	return 0;
}

void prom_set_stop(struct prom *p, const volatile sig_atomic_t *stop)
{
	if (p)
		p->stop = stop;
}

int prom_port(const struct prom *p)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (!p || p->fd < 0 || getsockname(p->fd, (struct sockaddr *)&ss, &sl))
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
		     ((struct sockaddr_in *)&ss)->sin_port);
}

void prom_set_collector(struct prom *p, prom_collect_fn fn, void *ctx, int period)
{
	if (!p)
		return;
	p->collect = fn;
	p->ctx = ctx;
	p->period = period < PROM_TEXTFILE_SECS ? period : PROM_TEXTFILE_SECS;
	now_plus(&p->next, 0);	/* the first one at once */
}

/* The metrics in memory; NULL on failure. */
static char *render(struct prom *p, size_t *len)
{
	char *buf = NULL;
	FILE *f;
	int err;

	if (!p->collect)
		return NULL;
	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	err = p->collect(f, p->ctx);
	if (fclose(f) || err) {
		free(buf);
		return NULL;
	}
	return buf;
}

int prom_write_textfile(struct prom *p)
{
	size_t len, off = 0;
	char *buf;
	ssize_t n;
	int fd, err = 0;

	if (!p || !p->tmp || !p->collect)
		return 0;
	buf = render(p, &len);
	if (!buf) {
		if (!p->textfile_failed)
			fprintf(stderr, "%s: --textfile: cannot read the metrics\n", p->tool);
		p->textfile_failed = true;
		return -1;
	}
	fd = textfile_tmp(p);
	if (fd < 0)
		err = errno;
	while (!err && off < len) {
		n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? errno : EIO;
		else
			off += n;
	}
	/* On disk before it replaces the last one: a crash leaves one or the other, whole. */
	if (!err && fsync(fd))
		err = errno;
	if (fd >= 0 && close(fd) && !err)
		err = errno;
	if (!err && rename(p->tmp, prom_opts.textfile))
		err = errno;
	free(buf);
	if (err) {
		if (fd >= 0)
			unlink(p->tmp);
		/* Said once per failure, not at every write: and when it works again. */
		if (!p->textfile_failed)
			fprintf(stderr, "%s: --textfile: cannot write %s: %s\n", p->tool, prom_opts.textfile,
				strerror(err));
		p->textfile_failed = true;
		return -1;
	}
	if (p->textfile_failed)
		fprintf(stderr, "%s: --textfile: %s written again\n", p->tool, prom_opts.textfile);
	p->textfile_failed = false;
	return 0;
}

/* A client's state: reading its request head, writing the answer, draining after it. */
enum { CL_READ, CL_WRITE, CL_DRAIN };

struct prom_client {
	int fd, state;
	size_t got;		/* request head bytes */
	char *out;		/* the answer (malloc'd) */
	size_t outlen, off;
	struct timespec deadline;
	char req[PROM_HEAD_MAX];
};

static void ms_from_now(struct timespec *t, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_nsec += (long)(ms % 1000) * 1000000;
	t->tv_sec += ms / 1000 + t->tv_nsec / 1000000000;
	t->tv_nsec %= 1000000000;
}

static int remaining_ms(const struct timespec *end)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec + 999999) / 1000000;
	return ms > 0 ? (ms > INT_MAX ? INT_MAX : (int)ms) : 0;
}

static void client_close(struct prom *p, int i)
{
	close(p->cl[i]->fd);
	free(p->cl[i]->out);
	free(p->cl[i]);
	p->cl[i] = p->cl[--p->ncl];
}

/* The answer, whole, to send: headers and (unless HEAD) the body. */
static void answer(struct prom_client *c, const char *status, const char *extra, const char *body,
		   size_t len, bool head)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	if (f) {
		fprintf(f, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
			status, !strncmp(status, "200", 3) ? "text/plain; version=0.0.4; charset=utf-8" :
			"text/plain; charset=utf-8", len, extra ? extra : "");
		if (!head && len)
			fwrite(body, 1, len, f);
		if (fclose(f)) {
			free(out);
			out = NULL;
		}
	}
	c->out = out;
	c->outlen = out ? outlen : 0;
	c->off = 0;
	c->state = CL_WRITE;
	ms_from_now(&c->deadline, PROM_CLIENT_MS);
}

/* The end of the request head in BUF, or NULL. */
static const char *head_end(const char *buf, size_t len)
{
	const char *a = memmem(buf, len, "\r\n\r\n", 4), *b = memmem(buf, len, "\n\n", 2);

	return !a ? b : !b ? a : a < b ? a : b;
}

/* A request head is in: its answer. Request line: METHOD SP TARGET SP HTTP/1.x, exactly. */
static void handle(struct prom *p, struct prom_client *c)
{
	char *line = c->req, *eol, *sp1, *sp2, *body;
	size_t len;
	bool head;

	c->req[c->got < sizeof(c->req) ? c->got : sizeof(c->req) - 1] = 0;
	eol = strchr(line, '\n');
	if (eol) {
		*eol = 0;
		if (eol > line && eol[-1] == '\r')
			eol[-1] = 0;
	}
	sp1 = strchr(line, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!eol || !sp1 || sp1 == line || !sp2 || sp2 == sp1 + 1 || strchr(sp2 + 1, ' ') ||
	    (strcmp(sp2 + 1, "HTTP/1.1") && strcmp(sp2 + 1, "HTTP/1.0")) || strchr(line, '\r')) {
		answer(c, "400 Bad Request", NULL, "bad request\n", 12, false);
		return;
	}
	*sp1 = *sp2 = 0;
	head = !strcmp(line, "HEAD");
	if (strcmp(line, "GET") && !head) {
		answer(c, "405 Method Not Allowed", "Allow: GET, HEAD\r\n", "method not allowed\n", 19, false);
		return;
	}
	sp1[1 + strcspn(sp1 + 1, "?")] = 0;
	if (strcmp(sp1 + 1, "/metrics")) {
		answer(c, "404 Not Found", NULL, "not found: try /metrics\n", 24, head);
		return;
	}
	body = render(p, &len);
	if (!body) {
		answer(c, "500 Internal Server Error", NULL, "cannot read the metrics\n", 24, head);
		return;
	}
	answer(c, "200 OK", NULL, body, len, head);
	free(body);
}

/* Reads what the client sent; false: close it. */
static bool client_read(struct prom *p, struct prom_client *c)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->req + c->got, sizeof(c->req) - 1 - c->got, MSG_DONTWAIT);
		if (n == 0)
			return false;	/* gone before asking */
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		c->got += n;
		if (head_end(c->req, c->got)) {
			handle(p, c);
			return true;
		}
		if (c->got == sizeof(c->req) - 1) {
			answer(c, "431 Request Header Fields Too Large", NULL, "request head too large\n", 23, false);
			return true;
		}
	}
}

/* Sends what the socket takes; false: close it. */
static bool client_write(struct prom_client *c)
{
	ssize_t n;

	if (!c->out)
		return false;
	while (c->off < c->outlen) {
		n = send(c->fd, c->out + c->off, c->outlen - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		c->off += n;
		/* Progress: a big answer to a slow reader is not cut off. */
		ms_from_now(&c->deadline, PROM_CLIENT_MS);
	}
	/* All sent: FIN, then read what the client still sends so that it gets the answer, not a reset. */
	free(c->out);
	c->out = NULL;
	shutdown(c->fd, SHUT_WR);
	c->state = CL_DRAIN;
	ms_from_now(&c->deadline, PROM_DRAIN_MS);
	return true;
}

static bool client_drain(struct prom_client *c)
{
	char junk[4096];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n <= 0)
			return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
	}
}

/* Accepts what waits, up to the client cap; the rest stays in the backlog. */
static void accept_clients(struct prom *p)
{
	struct prom_client *c;
	int fd;

	while (p->ncl < PROM_MAX_CLIENTS) {
		fd = accept4(p->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/* Out of descriptors: try again a little later, not in a busy loop. */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				ms_from_now(&p->accept_after, 100);
			return;
		}
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->state = CL_READ;
		c->got = 0;
		c->out = NULL;
		/* The whole request head within PROM_CLIENT_MS of the connection, however it trickles in. */
		ms_from_now(&c->deadline, PROM_CLIENT_MS);
		p->cl[p->ncl++] = c;
	}
}

void prom_poll(struct prom *p, int ms)
{
	struct pollfd pfd[PROM_MAX_CLIENTS + 1];
	struct timespec end;
	int i, n, t, nfd, r;
	bool listening;

	if (!p) {
		if (ms > 0)
			poll(NULL, 0, ms);
		return;
	}
	if (p->tmp && p->collect && due(&p->next)) {
		prom_write_textfile(p);
		now_plus(&p->next, p->period);
	}
	if (p->fd < 0) {
		if (ms > 0)
			poll(NULL, 0, ms);	/* a signal ends it early */
		return;
	}
	ms_from_now(&end, ms > 0 ? ms : 0);
	do {
		if (p->stop && *p->stop)
			return;
		/* One poll over the listener and every client: none waits for another. */
		listening = p->ncl < PROM_MAX_CLIENTS && !remaining_ms(&p->accept_after);
		nfd = 0;
		t = remaining_ms(&end);
		if (listening)
			pfd[nfd++] = (struct pollfd){ .fd = p->fd, .events = POLLIN };
		else if (p->ncl < PROM_MAX_CLIENTS && remaining_ms(&p->accept_after) < t)
			t = remaining_ms(&p->accept_after);
		for (i = 0; i < p->ncl; i++) {
			pfd[nfd++] = (struct pollfd){ .fd = p->cl[i]->fd,
						      .events = p->cl[i]->state == CL_WRITE ? POLLOUT : POLLIN };
			if (remaining_ms(&p->cl[i]->deadline) < t)
				t = remaining_ms(&p->cl[i]->deadline);
		}
		r = poll(pfd, nfd, t);
		if (r < 0)
			return;	/* EINTR: a signal, the tool may be ending */
		n = listening ? 1 : 0;
		/* Clients first (the array shifts as they close), from the last. */
		for (i = p->ncl - 1; i >= 0; i--) {
			struct prom_client *c = p->cl[i];
			short re = pfd[n + i].revents;
			bool ok = true;

			if (re) {
				if (c->state == CL_READ)
					ok = client_read(p, c);
				if (ok && c->state == CL_WRITE)
					ok = client_write(c);	/* at once: most answers fit the socket */
				else if (ok && c->state == CL_DRAIN)
					ok = client_drain(c);
			}
			if (!ok || !remaining_ms(&c->deadline))
				client_close(p, i);
		}
		if (listening && pfd[0].revents)
			accept_clients(p);
	} while (remaining_ms(&end));
}

int prom_close(struct prom *p)
{
	int err = 0;

	if (!p)
		return 0;
	while (p->ncl)
		client_close(p, p->ncl - 1);
	if (p->fd >= 0)
		close(p->fd);
	if (p->tmp && p->collect)
		err = prom_write_textfile(p);
	free(p->tmp);
	free(p);
	return err;
}

void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	/* 0.0.4: a counter's family is named like its sample, _total and all. */
	fprintf(f, "# HELP %s ", name);
	for (; *help; help++) {
		if (*help == '\\')
			fputs("\\\\", f);
		else if (*help == '\n')
			fputs("\\n", f);
		else
			fputc(*help, f);
	}
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

const char *prom_escape(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = 0;
	return buf;
}

const char *prom_decimal(unsigned long long v, int decimals, char *buf, size_t len)
{
	unsigned long long div = 1;
	int i, n;

	for (i = 0; i < decimals; i++)
		div *= 10;
	if (div == 1) {
		snprintf(buf, len, "%llu", v);
		return buf;
	}
	n = snprintf(buf, len, "%llu.%0*llu", v / div, decimals, v % div);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = 0;
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = 0;
	return buf;
}

static void labels_open(FILE *f, const char *name, const char *labels, const char *suffix)
{
	fprintf(f, "%s%s", name, suffix);
	if (labels && *labels)
		fprintf(f, "{%s}", labels);
}

void prom_u64(FILE *f, const char *name, const char *labels, unsigned long long v)
{
	labels_open(f, name, labels, "");
	fprintf(f, " %llu\n", v);
}

void prom_s64(FILE *f, const char *name, const char *labels, long long v)
{
	labels_open(f, name, labels, "");
	fprintf(f, " %lld\n", v);
}

void prom_histogram(FILE *f, const char *name, const char *labels, const unsigned long long *slots,
		    int nslots, const unsigned long long *le, int nle, int decimals, unsigned long long sum)
{
	const char *sep = labels && *labels ? "," : "";
	unsigned long long cum = 0;
	char num[32];
	int i;

	for (i = 0; i < nle && i < nslots; i++) {
		cum += slots[i];
		fprintf(f, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels ? labels : "", sep,
			prom_decimal(le[i], decimals, num, sizeof(num)), cum);
	}
	for (; i < nslots; i++)
		cum += slots[i];
	fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels ? labels : "", sep, cum);
	labels_open(f, name, labels, "_sum");
	fprintf(f, " %s\n", prom_decimal(sum, decimals, num, sizeof(num)));
	labels_open(f, name, labels, "_count");
	fprintf(f, " %llu\n", cum);
}

int prom_cap_index(struct prom_cap *c, unsigned long long key, const char *name)
{
	void *k, *x, *nm;
	int i;

	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i] == key)
			return c->idx[i];
	/* Keyed by the label: two addresses of one name (a module loaded again) share it. */
	for (i = 0; i < c->n && strcmp(c->names[i], name); i++)
		;
	if (i == c->n && (c->n >= c->max || !strcmp(name, "other")))
		return c->max;	/* not remembered: the same name, "other" again */
	if (i == c->n) {
		nm = realloc(c->names, (c->n + 1) * sizeof(*c->names));
		if (!nm)
			return -1;
		c->names = nm;
		c->names[c->n] = strdup(name);
		if (!c->names[c->n])
			return -1;
		c->n++;
	}
	/* The address keeps its label for good, whatever it is named later. */
	k = realloc(c->keys, (c->nkeys + 1) * sizeof(*c->keys));
	if (!k)
		return -1;
	c->keys = k;
	x = realloc(c->idx, (c->nkeys + 1) * sizeof(*c->idx));
	if (!x)
		return -1;
	c->idx = x;
	c->keys[c->nkeys] = key;
	c->idx[c->nkeys++] = i;
	return i;
}

const char *prom_cap_name(const struct prom_cap *c, int i)
{
	return i < c->n ? c->names[i] : "other";
}

void prom_cap_free(struct prom_cap *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	free(c->keys);
	free(c->idx);
	memset(c, 0, sizeof(*c));
}
