/* The console queue (console.h). A ring of CONSOLE_QUEUE bytes in .bss:
 * nothing here allocates, blocks or fails loudly; what cannot be written
 * is counted and said. */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "status_fmt.h"
#include "../lib/clock.h"

static struct {
	int fd_plus1;            /* 0: not set up, stderr (zeroed: in .bss) */
	struct loop *loop;
	struct loop_watch w;
	bool watching;           /* EPOLLOUT armed */
	size_t head, len;        /* ring: oldest byte at head */
	uint64_t pending_drop;   /* dropped, not yet said in the stream */
	uint64_t dropped;        /* ever */
	char q[CONSOLE_QUEUE];
} con;

#define CON_FD (con.fd_plus1 ? con.fd_plus1 - 1 : 2)

void console_init(int fd, bool own_fd)
{
	struct stat st;

	con.fd_plus1 = fd + 1;
	if (own_fd) {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		return;
	}
	/* a pipe or a terminal reopened through /proc is a new open file
	 * description: O_NONBLOCK on it leaves the caller's alone */
	if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
		char path[32];
		int nfd;

		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		nfd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (nfd >= 0)
			con.fd_plus1 = nfd + 1;
	}
}

static size_t room(void)
{
	return sizeof con.q - con.len;
}

static void enqueue(const char *p, size_t n)
{
	size_t tail = (con.head + con.len) % sizeof con.q;
	size_t first = n < sizeof con.q - tail ? n : sizeof con.q - tail;

	memcpy(con.q + tail, p, first);
	memcpy(con.q, p + first, n - first);
	con.len += n;
}

/* Say what was dropped, once there is room to say it (before a line of
 * PID 1's own, in the reserve too). */
static void note_drops(bool own)
{
	char m[64];
	int n;

	if (!con.pending_drop)
		return;
	n = snprintf(m, sizeof m, "[sandboxd: %llu bytes dropped]\n",
		     (unsigned long long)con.pending_drop);
	if (n > 0 && (size_t)n + (own ? 0 : CONSOLE_RESERVE) <= room()) {
		enqueue(m, (size_t)n);
		con.pending_drop = 0;
	}
}

static void watch(bool on)
{
	struct err e;

	if (!con.loop || on == con.watching)
		return;
	if (on) {
		con.w.fd = CON_FD;
		/* a regular file cannot be watched, but never says EAGAIN */
		con.watching = loop_add(con.loop, &con.w, EPOLLOUT, &e) == 0;
	} else {
		loop_del(con.loop, &con.w);
		con.watching = false;
	}
}

/* Write up to budget bytes, non-blocking; 1 when something is left. */
static int drain(size_t budget)
{
	while (con.len && budget) {
		size_t contig = sizeof con.q - con.head < con.len ? sizeof con.q - con.head : con.len;
		size_t n = contig < budget ? contig : budget;
		ssize_t w = write(CON_FD, con.q + con.head, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			/* the console is broken (EIO, hung up): forget the queue */
			con.dropped += con.len;
			con.head = con.len = 0;
			break;
		}
		con.head = (con.head + (size_t)w) % sizeof con.q;
		con.len -= (size_t)w;
		budget -= (size_t)w;
	}
	note_drops(false);
	if (!con.len)
		con.head = 0;
	watch(con.len != 0);
	return con.len != 0;
}

static void on_writable(struct loop_watch *w, uint32_t events)
{
	(void)w;
	(void)events;
	drain(CONSOLE_BUDGET);
}

void console_attach(struct loop *l)
{
	con.loop = l;
	con.w = (struct loop_watch){ .fd = CON_FD, .fn = on_writable };
	if (con.len)
		drain(CONSOLE_BUDGET);
}

void console_line(const char *prefix, const char *text, size_t len, bool own)
{
	char line[128 + 4 * CONSOLE_TEXT_MAX + 2];
	size_t p = strlen(prefix), k;

	if (p > 128)
		p = 128;
	if (len > CONSOLE_TEXT_MAX)
		len = CONSOLE_TEXT_MAX;
	memcpy(line, prefix, p);
	k = p + sf_escape(text, len, line + p);
	line[k++] = '\n';
	note_drops(own);
	if (k > room() || (!own && k + CONSOLE_RESERVE > room())) {
		con.pending_drop += k;
		con.dropped += k;
		return;
	}
	enqueue(line, k);
	/* written now when the console takes it: order and promptness */
	if (!con.watching)
		drain(CONSOLE_BUDGET);
}

void console_flush(int max_ms)
{
	int64_t t0 = clock_mono_ms();

	while (drain(CONSOLE_QUEUE)) {
		struct pollfd pfd = { .fd = CON_FD, .events = POLLOUT };
		int64_t spent = clock_mono_ms() - t0;

		if (spent >= max_ms || poll(&pfd, 1, (int)(max_ms - spent)) <= 0)
			return;
	}
}

uint64_t console_dropped(void)
{
	return con.dropped;
}
