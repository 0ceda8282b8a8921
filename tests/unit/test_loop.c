/* init/loop: a callback that deletes and frees another watch whose event
 * is in the same epoll_wait batch. PID 1 does this when the reaper ends a
 * control command (ExecStartPre= ...) whose output pipe is readable in the
 * same batch: before loop_del scrubbed the batch, the next event called
 * through freed memory (a segfault of PID 1 in CI, a use-after-free under
 * ASan). Here the freed watch is poisoned, so the musl build sees it too. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../init/loop.h"
#include "check.h"

struct pair {
	struct loop *l;
	int calls_first, calls_poisoned;
	int nest;                    /* run loop_run_once inside the callback */
};

static struct pair P;

static void on_poisoned(struct loop_watch *w, uint32_t events)
{
	(void)w, (void)events;
	P.calls_poisoned++;
}

/* Whichever of the two fires first deletes the other and "frees" it: its
 * memory keeps a callback that counts, as a freed chunk reused would. */
static void on_first(struct loop_watch *w, uint32_t events)
{
	struct loop_watch *other = w->ctx;
	char c;

	(void)events;
	if (read(w->fd, &c, 1) != 1 || P.calls_first++)
		return;

	if (P.nest)
		loop_run_once(P.l, 0);   /* an inner batch, then back to this one */
	loop_del(P.l, other);
	close(other->fd);
	other->fd = -1;
	other->fn = on_poisoned;
}

static int run_case(const char *name, int nest)
{
	struct loop l;
	struct err e;
	int a[2], b[2];
	struct loop_watch *wa = calloc(1, sizeof *wa), *wb = calloc(1, sizeof *wb);

	memset(&P, 0, sizeof P);
	if (!wa || !wb || loop_init(&l, &e) < 0 || pipe(a) < 0 || pipe(b) < 0) {
		t_report(name, false, "setup failed");
		return 1;
	}
	/* both callbacks delete the other: the order epoll reports them in
	 * does not matter */
	*wa = (struct loop_watch){ .fd = a[0], .fn = on_first, .ctx = wb };
	*wb = (struct loop_watch){ .fd = b[0], .fn = on_first, .ctx = wa };
	P.l = &l;
	P.nest = nest;
	if (loop_add(&l, wa, EPOLLIN, &e) < 0 || loop_add(&l, wb, EPOLLIN, &e) < 0 ||
	    write(a[1], "x", 1) != 1 || write(b[1], "x", 1) != 1) {
		t_report(name, false, "setup failed: %s", e.msg);
		return 1;
	}
	loop_run_once(&l, 1000);
	/* nested: the inner batch still calls the other (not yet deleted) */
	t_report(name, P.calls_first == 1 + nest && P.calls_poisoned == 0,
		 "first callback %d time(s), the deleted watch's %d time(s) after its delete",
		 P.calls_first, P.calls_poisoned);
	CHECK(nest ? "loop-nested-batch-restored" : "loop-batch-cleared", l.batch == NULL);
	close(a[1]);
	close(b[1]);
	close(l.epfd);
	free(wa);
	free(wb);
	return 0;
}

int main(void)
{
	run_case("loop-deleted-watch-not-called", 0);
	run_case("loop-deleted-watch-not-called-nested", 1);
	return t_exit();
}
