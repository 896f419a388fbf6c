/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus export for the vmscope tools: the text exposition format
 * (version 0.0.4, what node_exporter and Cloudflare's ebpf_exporter
 * serve), an HTTP endpoint polled from the tool's own loop, and a textfile
 * for node_exporter's textfile collector. Nothing here knows a tool: a
 * tool gives a collector that writes its metrics with the helpers below.
 */
#ifndef VMSCOPE_PROM_H
#define VMSCOPE_PROM_H

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

/* Caller labels with -C: this many, the rest summed into caller="other". */
#define PROM_MAX_CALLERS_DEFAULT	32
#define PROM_MAX_CALLERS_LIMIT		1024
/* The textfile is rewritten this often at most (and at each interval, and at exit). */
#define PROM_TEXTFILE_SECS		5
/*
 * A client has this long from its connection to send its request head,
 * and to take each part of the answer (the time restarts while it reads).
 */
#define PROM_CLIENT_MS			1000
/* After the answer, what the client still sends is read (not reset) this long. */
#define PROM_DRAIN_MS			200
/* A request head at most this long (less one), else 431. */
#define PROM_HEAD_MAX			4096
/* Clients served at once; more wait in the listen backlog. */
#define PROM_MAX_CLIENTS		16

/* --prometheus [ADDR:]PORT, --textfile PATH, --max-callers N. */
struct prom_opts {
	const char *listen;	/* as given */
	const char *textfile;
	int max_callers;
	/* parsed --prometheus */
	int family;		/* AF_INET or AF_INET6; 0: no endpoint */
	unsigned char addr[16];
	int port;
};
extern struct prom_opts prom_opts;
/* An argp child parser with the three options, for vmlat and vmtree. */
extern const struct argp prom_argp;

/* Writes the metrics to F; returns 0 or a negative errno. */
typedef int (*prom_collect_fn)(FILE *f, void *ctx);

struct prom;
/*
 * Opens what the options ask for: the listening socket (a port in use, an
 * address not on this machine: a message and -1) and a check that the
 * textfile's directory takes files. *P stays NULL when neither is asked.
 */
int prom_open(const char *tool, struct prom **p);
/* The collector, once the maps exist; textfile every PERIOD s (and at exit). */
void prom_set_collector(struct prom *p, prom_collect_fn fn, void *ctx, int period);
/* prom_poll() returns as soon as *STOP is set (the tool's exit flag). */
void prom_set_stop(struct prom *p, const volatile sig_atomic_t *stop);
/* The port listened on (port 0 asked: the one the kernel chose); -1: none. */
int prom_port(const struct prom *p);
/*
 * Rewrites the textfile when due, then serves the clients for MS
 * milliseconds (0: what is ready now): accepts, reads requests, writes
 * answers, all non-blocking in one poll. Returns early on a signal or
 * once *stop is set.
 */
void prom_poll(struct prom *p, int ms);
/* Writes the textfile now (tmp file + rename); 0 or -1 having said why. */
int prom_write_textfile(struct prom *p);
/* The final textfile (left in place), the socket closed. NULL: nothing. */
int prom_close(struct prom *p);

/* Writers. NAME is the full sample name of counters (with _total). */
void prom_family(FILE *f, const char *name, const char *type, const char *help);
/* S with \, " and newline escaped, for a label value (BUF of LEN, truncated). */
const char *prom_escape(const char *s, char *buf, size_t len);
/* V / 10^DECIMALS, exactly, without trailing zeros (ns as seconds: 9). */
const char *prom_decimal(unsigned long long v, int decimals, char *buf, size_t len);
/* NAME{LABELS} V; LABELS may be NULL or "". */
void prom_u64(FILE *f, const char *name, const char *labels, unsigned long long v);
void prom_s64(FILE *f, const char *name, const char *labels, long long v);
/*
 * A histogram from per-slot counts: slot I holds the values up to LE[I]
 * (inclusive) for I < NLE, the slots from NLE on only +Inf. Cumulative
 * _bucket{LABELS,le=...}, then _sum (SUM / 10^DECIMALS, as LE) and _count.
 */
void prom_histogram(FILE *f, const char *name, const char *labels, const unsigned long long *slots,
		    int nslots, const unsigned long long *le, int nle, int decimals, unsigned long long sum);

/*
 * A bounded label: the first MAX label values seen get their own index for
 * good, later ones share "other" (index MAX), so that a series never moves
 * from one value to another and the cardinality stays at MAX + 1. Indexed
 * by the value, so that two keys (addresses) of one name make one series,
 * not two with the same labels; a key keeps the index it got first.
 */
struct prom_cap {
	int max, n;
	char **names;		/* [n] */
	int nkeys;
	unsigned long long *keys;	/* [nkeys], with an index below max */
	int *idx;
};
/* KEY's index (0..max): NAME's, given to it if new and there is room; -1: no memory. */
int prom_cap_index(struct prom_cap *c, unsigned long long key, const char *name);
/* The label value of index I: its name, or "other". */
const char *prom_cap_name(const struct prom_cap *c, int i);
void prom_cap_free(struct prom_cap *c);

#endif
