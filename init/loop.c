#include "loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

int loop_init(struct loop *l, struct err *e)
{
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->running = 1;
	l->batch = NULL;
	if (l->epfd < 0)
		return err_set(e, errno, "epoll_create1");
	return 0;
}

int loop_add(struct loop *l, struct loop_watch *w, uint32_t events, struct err *e)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0)
		return err_set(e, errno, "epoll_ctl add fd %d", w->fd);
	return 0;
}

int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events, struct err *e)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return err_set(e, errno, "epoll_ctl mod fd %d", w->fd);
	return 0;
}

void loop_del(struct loop *l, struct loop_watch *w)
{
	if (w->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	/* An event of this batch still to come may point to w: a callback
	 * (the reaper's, say) ended a command whose output pipe is ready
	 * in the same epoll_wait, and freed its watches. */
	for (struct loop_batch *b = l->batch; b; b = b->outer)
		for (int i = 0; i < b->n; i++)
			if (b->ev[i].data.ptr == w)
				b->ev[i].data.ptr = NULL;
}

void loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event ev[32];
	int n = epoll_wait(l->epfd, ev, 32, timeout_ms);

	/* A callback may delete, and free, a watch that a later event of
	 * this batch points to: loop_del clears that event (NULL here). */
	struct loop_batch b = { .ev = ev, .n = n > 0 ? n : 0, .outer = l->batch };

	l->batch = &b;
	for (int i = 0; i < b.n; i++) {
		struct loop_watch *w = ev[i].data.ptr;

		if (w && w->fn)
			w->fn(w, ev[i].events);
	}
	l->batch = b.outer;
}
