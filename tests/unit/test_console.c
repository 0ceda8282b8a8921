/* init/console.c: PID 1's console never blocks, says what it dropped, and
 * escapes control bytes (issue #9 items 9 and 13). The console here is a
 * pipe that nobody reads until the test says so. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "init/console.h"

static int rd;
static char got[1 << 20];
static size_t got_len;

static void slurp(void)
{
	for (;;) {
		ssize_t n = read(rd, got + got_len, sizeof got - 1 - got_len);

		if (n <= 0)
			break;
		got_len += (size_t)n;
	}
	got[got_len] = '\0';
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(void)
{
	int p[2];

	if (pipe(p) < 0)
		return 1;
	rd = p[0];
	fcntl(rd, F_SETFL, O_NONBLOCK);
	console_init(p[1], true);

	console_line("[u] ", "a\033]0;x\007b\r", 9, false);
	slurp();
	CHECK_STR("escape: control bytes as logs shows them", got, "[u] a\\x1b]0;x\\x07b\n");
	/* C1 controls: U+009B is a CSI to the Linux console in UTF-8 mode,
	 * a raw 0x9b to an 8-bit terminal; neither gets through. Other
	 * UTF-8 (é, U+00A0, a 4-byte emoji) passes as it is. */
	got_len = 0;
	console_line("[u] ", "\xc2\x9b" "2J" "\x9b" "5m" "\xc3\xa9\xc2\xa0\xf0\x9f\x98\x80\xed\xa0\x80", 18,
		     false);
	slurp();
	CHECK_STR("escape: C1 controls and invalid UTF-8 escaped, valid UTF-8 kept", got,
		  "[u] \\xc2\\x9b2J\\x9b5m\xc3\xa9\xc2\xa0\xf0\x9f\x98\x80\\xed\\xa0\\x80\n");

	/* a console that never drains: 20000 lines, no call may wait */
	char line[200];
	memset(line, 'z', sizeof line);
	int64_t t0 = now_ms();
	for (int i = 0; i < 20000; i++)
		console_line("[flood] ", line, sizeof line, false);
	int64_t spent = now_ms() - t0;
	CHECK("flood: 20000 lines into a full console in under 2 s", spent < 2000);
	uint64_t dropped = console_dropped();
	CHECK("flood: what did not fit is counted", dropped > 0);

	/* PID 1's own line still fits: units leave it a reserve */
	console_line("sandboxd: ", "still here", 10, true);
	CHECK("reserve: PID 1's own line is not dropped", console_dropped() == dropped);

	/* the console drains: the marker, then the lines after it */
	got_len = 0;
	for (int i = 0; i < 200; i++) {
		slurp();
		console_flush(0);
	}
	console_line("[u] ", "after", 5, false);
	for (int i = 0; i < 20; i++) {
		slurp();
		console_flush(0);
	}
	/* every gap is marked; the marks add up to what was dropped */
	unsigned long long sum = 0, n;
	char *mark = NULL;
	for (char *q = got; (q = strstr(q, "[sandboxd: ")); q++) {
		if (sscanf(q, "[sandboxd: %llu bytes dropped]\n", &n) == 1) {
			sum += n;
			mark = q;
		}
	}
	CHECK_U64("drain: the stream says how many bytes were dropped", sum, dropped);
	CHECK("drain: PID 1's line came through", strstr(got, "sandboxd: still here\n") != NULL);
	CHECK("drain: a line after the drop came through, after the marker",
	      mark && strstr(mark, "[u] after\n") != NULL);
	CHECK("drain: no partial line", strstr(got, "z[") == NULL && strstr(got, "z\n[u] after") == NULL &&
					     strstr(got, "zsandboxd") == NULL);
	return t_exit();
}
