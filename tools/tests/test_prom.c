// SPDX-License-Identifier: GPL-2.0
/* lib/prom.c: the text format's pieces (escaping, exact decimals, cumulative buckets) and the label cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "prom.h"

static void test_escape(void **state)
{
	char buf[64];

	assert_string_equal(prom_escape("plain+0x1a [mod]", buf, sizeof(buf)), "plain+0x1a [mod]");
	assert_string_equal(prom_escape("a\"b\\c\nd", buf, sizeof(buf)), "a\\\"b\\\\c\\nd");
	/* Truncated, never half an escape. */
	assert_string_equal(prom_escape("\"\"\"", buf, 5), "\\\"");
}

static void test_decimal(void **state)
{
	char buf[32];

	assert_string_equal(prom_decimal(0, 9, buf, sizeof(buf)), "0");
	assert_string_equal(prom_decimal(1, 9, buf, sizeof(buf)), "0.000000001");
	assert_string_equal(prom_decimal(4095, 9, buf, sizeof(buf)), "0.000004095");
	assert_string_equal(prom_decimal(1500000000, 9, buf, sizeof(buf)), "1.5");
	assert_string_equal(prom_decimal(4294967295ULL, 9, buf, sizeof(buf)), "4.294967295");
	assert_string_equal(prom_decimal(~0ULL, 9, buf, sizeof(buf)), "18446744073.709551615");
	assert_string_equal(prom_decimal(62, 0, buf, sizeof(buf)), "62");
}

static void test_histogram(void **state)
{
	unsigned long long slots[4] = { 1, 2, 0, 3 }, le[3] = { 1, 3, 7 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	prom_histogram(f, "x_seconds", "stage=\"total\"", slots, 4, le, 3, 9, 1234567891);
	prom_histogram(f, "d", NULL, slots, 4, le, 3, 0, 40);
	fclose(f);
	assert_string_equal(buf,
		"x_seconds_bucket{stage=\"total\",le=\"0.000000001\"} 1\n"
		"x_seconds_bucket{stage=\"total\",le=\"0.000000003\"} 3\n"
		"x_seconds_bucket{stage=\"total\",le=\"0.000000007\"} 3\n"
		"x_seconds_bucket{stage=\"total\",le=\"+Inf\"} 6\n"
		"x_seconds_sum{stage=\"total\"} 1.234567891\n"
		"x_seconds_count{stage=\"total\"} 6\n"
		"d_bucket{le=\"1\"} 1\n"
		"d_bucket{le=\"3\"} 3\n"
		"d_bucket{le=\"7\"} 3\n"
		"d_bucket{le=\"+Inf\"} 6\n"
		"d_sum 40\n"
		"d_count 6\n");
	free(buf);
}

static void test_family(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	prom_family(f, "a_total", "counter", "back\\slash\nnewline");
	fclose(f);
	assert_string_equal(buf, "# HELP a_total back\\\\slash\\nnewline\n# TYPE a_total counter\n");
	free(buf);
}

static void test_cap(void **state)
{
	struct prom_cap c = { .max = 2 };

	assert_int_equal(prom_cap_index(&c, 10, "ten"), 0);
	assert_int_equal(prom_cap_index(&c, 20, "twenty"), 1);
	assert_int_equal(prom_cap_index(&c, 30, "thirty"), 2);	/* other */
	assert_int_equal(prom_cap_index(&c, 10, "ten"), 0);	/* kept for good */
	assert_int_equal(prom_cap_index(&c, 40, "forty"), 2);
	assert_string_equal(prom_cap_name(&c, 1), "twenty");
	assert_string_equal(prom_cap_name(&c, 2), "other");
	prom_cap_free(&c);
}

/* Two addresses of one name (a module loaded again elsewhere): one label set, not two alike. */
static void test_cap_by_name(void **state)
{
	struct prom_cap c = { .max = 2 };

	assert_int_equal(prom_cap_index(&c, 0x1000, "f [m]"), 0);
	assert_int_equal(prom_cap_index(&c, 0x2000, "f [m]"), 0);
	assert_int_equal(prom_cap_index(&c, 0x3000, "g"), 1);
	assert_int_equal(prom_cap_index(&c, 0x4000, "f [m]"), 0);	/* at the cap: still its own */
	assert_int_equal(prom_cap_index(&c, 0x5000, "h"), 2);
	/* An address keeps its label, even named otherwise later. */
	assert_int_equal(prom_cap_index(&c, 0x2000, "0x2000"), 0);
	assert_int_equal(prom_cap_index(&c, 0x6000, "other"), 2);
	prom_cap_free(&c);
}

/* The HTTP endpoint, on 127.0.0.1 and a port of the kernel's choosing, driven by prom_poll(). */
static int metrics(FILE *f, void *ctx)
{
	prom_u64(f, "m_total", NULL, 42);
	return 0;
}

static struct prom *server(void)
{
	struct prom *p;

	memset(&prom_opts, 0, sizeof(prom_opts));
	prom_opts.listen = "127.0.0.1:0";
	prom_opts.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", prom_opts.addr);
	prom_opts.port = 0;
	assert_int_equal(prom_open("test", &p), 0);
	assert_non_null(p);
	prom_set_collector(p, metrics, NULL, 5);
	assert_true(prom_port(p) > 0);
	return p;
}

static int client(struct prom *p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(prom_port(p)) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* What FD gets until the server closes, polling P meanwhile (at most 3 s). */
static char *response(struct prom *p, int fd)
{
	static char buf[65536];
	size_t got = 0;
	long long end = now_ms() + 3000;
	ssize_t n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (now_ms() < end && got < sizeof(buf) - 1) {
		prom_poll(p, 20);
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n == 0)
			break;
		if (n > 0)
			got += n;
		else if (errno != EAGAIN)
			fail_msg("recv: %s after %zu bytes", strerror(errno), got);
	}
	buf[got] = 0;
	return buf;
}

static void send_str(int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

static void test_http_get(void **state)
{
	struct prom *p = server();
	int fd = client(p);
	char *r;

	/* The request in two parts, with a poll between. */
	send_str(fd, "GET /metr");
	prom_poll(p, 50);
	send_str(fd, "ics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
	r = response(p, fd);
	assert_true(!strncmp(r, "HTTP/1.1 200 OK\r\n", 17));
	assert_non_null(strstr(r, "version=0.0.4"));
	assert_non_null(strstr(r, "\r\n\r\nm_total 42\n"));
	close(fd);
	prom_close(p);
}

static void expect_status(const char *req, const char *status)
{
	struct prom *p = server();
	int fd = client(p);
	char *r;

	send_str(fd, req);
	r = response(p, fd);
	if (strncmp(r, status, strlen(status)))
		fail_msg("'%s': '%.40s', want '%s'", req, r, status);
	close(fd);
	prom_close(p);
}

static void test_http_errors(void **state)
{
	char big[PROM_HEAD_MAX + 100];

	expect_status("GET /other HTTP/1.1\r\n\r\n", "HTTP/1.1 404 ");
	expect_status("POST /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 405 ");
	expect_status("GET  /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 400 ");
	expect_status("GET /metrics HTTP/1.1 x\r\n\r\n", "HTTP/1.1 400 ");
	expect_status("GET /metrics HTTP/2.0\r\n\r\n", "HTTP/1.1 400 ");
	expect_status("GET /metrics\r\n\r\n", "HTTP/1.1 400 ");
	expect_status("HEAD /metrics HTTP/1.0\n\n", "HTTP/1.1 200 ");
	/* A head over the buffer, no end in sight: 431 (and no reset for the bytes unread). */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	expect_status(big, "HTTP/1.1 431 ");
}

/* Idle clients cost prom_poll nothing beyond its time, and go after PROM_CLIENT_MS. */
static void test_http_idle(void **state)
{
	struct prom *p = server();
	int idle[20], fd, i;
	long long t;
	char c;

	/* Accepted as they come (16), the rest in the backlog (a full backlog would stall connect). */
	for (i = 0; i < 20; i++) {
		idle[i] = client(p);
		prom_poll(p, 0);
	}
	t = now_ms();
	prom_poll(p, 100);
	assert_true(now_ms() - t < 400);
	/* A client behind them is served all the same, once the first are dropped. */
	fd = client(p);
	send_str(fd, "GET /metrics HTTP/1.1\r\n\r\n");
	t = now_ms();
	while (now_ms() - t < PROM_CLIENT_MS + 500) {
		long long t0 = now_ms();

		prom_poll(p, 50);
		assert_true(now_ms() - t0 < 300);
	}
	assert_true(!strncmp(response(p, fd), "HTTP/1.1 200 ", 13));
	close(fd);
	/* The idle ones are closed (the last four accepted late, closed later). */
	for (i = 0; i < 20; i++) {
		fcntl(idle[i], F_SETFL, O_NONBLOCK);
		t = now_ms();
		while (recv(idle[i], &c, 1, 0) < 0 && errno == EAGAIN && now_ms() - t < 2 * PROM_CLIENT_MS)
			prom_poll(p, 20);
		assert_int_equal(recv(idle[i], &c, 1, 0), 0);
		close(idle[i]);
	}
	prom_close(p);
}

static volatile sig_atomic_t stop_flag;

static void on_alarm(int sig)
{
	stop_flag = 1;
}

/* A signal ends prom_poll's wait at once, also with a client in the middle of its request. */
static void test_http_signal(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };
	struct prom *p = server();
	int fd = client(p);
	long long t;

	prom_set_stop(p, &stop_flag);
	send_str(fd, "GET /metr");
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	t = now_ms();
	prom_poll(p, 3000);
	assert_true(now_ms() - t < 1000);
	/* The tool is ending: no wait at all. */
	t = now_ms();
	prom_poll(p, 3000);
	assert_true(now_ms() - t < 100);
	stop_flag = 0;
	close(fd);
	prom_close(p);
}

/* The textfile: a mkstemp name in its directory, 0644, renamed; fails and recovers with the directory. */
static void test_textfile(void **state)
{
	char dir[] = "/tmp/test_prom.XXXXXX", path[64], buf[128];
	struct prom *p;
	struct stat st;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.prom", dir);
	memset(&prom_opts, 0, sizeof(prom_opts));
	prom_opts.textfile = path;
	assert_int_equal(prom_open("test", &p), 0);
	prom_set_collector(p, metrics, NULL, 5);
	/* A symlink where the old code put its temporary file is left alone. */
	snprintf(buf, sizeof(buf), "%s.%d.tmp", path, (int)getpid());
	assert_int_equal(symlink("/nonexistent/victim", buf), 0);
	assert_int_equal(prom_write_textfile(p), 0);
	assert_int_equal(lstat(buf, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	unlink(buf);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "m_total 42\n");
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(prom_write_textfile(p), -1);
	assert_int_equal(prom_write_textfile(p), -1);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(prom_write_textfile(p), 0);
	assert_int_equal(prom_close(p), 0);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);	/* nothing else left in it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_cap_by_name),
		cmocka_unit_test(test_http_get),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_http_idle),
		cmocka_unit_test(test_http_signal),
		cmocka_unit_test(test_textfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
