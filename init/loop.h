/* PID 1's one event loop: epoll over signalfd, the control socket and its
 * connections, timerfds and the services' stdio pipes. Watches are owned
 * by their callers (embedded in struct svc, a connection ...), so adding
 * one allocates nothing. */
#ifndef SBX_LOOP_H
#define SBX_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

#include "../lib/err.h"

struct loop_watch;
typedef void (*loop_fn)(struct loop_watch *w, uint32_t events);

struct loop_watch {
	int fd;
	loop_fn fn;
	void *ctx;
};

struct loop {
	int epfd;
	int running;
	struct loop_batch *batch;   /* being dispatched: loop_del scrubs it */
};

/* One epoll_wait's events, on loop_run_once's stack; outer: the batch of
 * a loop_run_once that a callback's own loop_run_once interrupted. */
struct loop_batch {
	struct epoll_event *ev;
	int n;
	struct loop_batch *outer;
};

int loop_init(struct loop *l, struct err *e);
/* events: EPOLLIN, EPOLLOUT ...; w must stay valid until loop_del(). */
int loop_add(struct loop *l, struct loop_watch *w, uint32_t events, struct err *e);
int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events, struct err *e);
/* Off epoll, and off the batch being dispatched: once this returns, w
 * may be freed, even from inside another watch's callback. */
void loop_del(struct loop *l, struct loop_watch *w);
/* Wait once (timeout_ms -1 = forever) and dispatch; never fails fatally. */
void loop_run_once(struct loop *l, int timeout_ms);

#endif
