/* The restart rules (init/policy.c) with a fake clock: start limits as
 * systemd has them, backoff doubling and its reset, Restart= table,
 * OOMPolicy=, what a unit does after it went down, Requires=. */
#include <signal.h>

#include "check.h"
#include "../../init/policy.h"

static struct svc_exit ex(enum svc_reason r, int code, int sig)
{
	return (struct svc_exit){ .reason = r, .code = code, .signal = sig };
}

static void test_start_limit(void)
{
	struct start_limit l = { 0 };
	int64_t t = 1000000;   /* fake monotonic ms */
	unsigned ok = 0;

	for (int i = 0; i < 5; i++)
		ok += policy_start_allowed(&l, 10000, 5, t + i * 100);
	CHECK_INT("limit: 5 starts within 10 s allowed", ok, 5);
	CHECK("limit: the 6th within 10 s refused", !policy_start_allowed(&l, 10000, 5, t + 600));
	CHECK("limit: still refused at 9.9 s", !policy_start_allowed(&l, 10000, 5, t + 9999));
	CHECK("limit: a new interval after 10 s", policy_start_allowed(&l, 10000, 5, t + 10000));
	CHECK_INT("limit: the new interval counts from 1", l.num, 1);

	/* any burst systemd takes, at the same cost: a counter, no ring */
	for (unsigned burst = 100; burst <= 1000; burst += 900) {
		struct start_limit b = { 0 };
		unsigned n = 0;

		for (unsigned i = 0; i < burst + 5; i++)
			n += policy_start_allowed(&b, 60000, burst, t + i);
		t_report(burst == 100 ? "limit: StartLimitBurst=100 counts 100" :
					"limit: StartLimitBurst=1000 counts 1000",
			 n == burst, "allowed %u", n);
	}
	struct start_limit z = { 0 };
	unsigned n = 0;
	for (int i = 0; i < 50; i++)
		n += policy_start_allowed(&z, 10000, 0, t + i);
	CHECK_INT("limit: StartLimitBurst=0 is no limit", n, 50);
	z = (struct start_limit){ 0 };
	n = 0;
	for (int i = 0; i < 50; i++)
		n += policy_start_allowed(&z, 0, 5, t + i);
	CHECK_INT("limit: StartLimitIntervalSec=0 is no limit", n, 50);
	/* a clock at 0 (a fake one, or the first ms of boot) still opens one */
	z = (struct start_limit){ 0 };
	n = 0;
	for (int i = 0; i < 3; i++)
		n += policy_start_allowed(&z, 10000, 2, 0);
	CHECK_INT("limit: works from monotonic 0", n, 2);
}

static void test_backoff(void)
{
	uint64_t cur = 0, d[8];

	for (int i = 0; i < 8; i++)
		d[i] = policy_backoff(&cur, 100, 1000, 5);   /* each ran 5 ms: crash loop */
	CHECK("backoff: doubles 100 200 400 800", d[0] == 100 && d[1] == 200 && d[2] == 400 &&
						d[3] == 800);
	CHECK("backoff: capped at RestartMaxSec", d[4] == 1000 && d[7] == 1000);
	/* healthy again after 10x its current delay (the current is 1000) */
	CHECK_U64("backoff: not reset after 9.9x", policy_backoff(&cur, 100, 1000, 9999), 1000);
	CHECK_U64("backoff: reset after 10x", policy_backoff(&cur, 100, 1000, 20000), 100);
	CHECK_U64("backoff: and doubling again", policy_backoff(&cur, 100, 1000, 1), 200);
	cur = 0;
	CHECK_U64("backoff: RestartSec=0 restarts at once", policy_backoff(&cur, 0, 30000, 1), 0);
	CHECK_U64("backoff: RestartSec=0 stays 0", policy_backoff(&cur, 0, 30000, 1), 0);
	cur = 0;
	CHECK_U64("backoff: RestartSec above the max is the max", policy_backoff(&cur, 5000, 2000, 1),
		  2000);
	cur = UINT64_MAX / 2 + 7;
	CHECK_U64("backoff: no overflow", policy_backoff(&cur, 100, UINT64_MAX - 1, 1),
		  UINT64_MAX / 2 + 7);
}

static void test_restart_table(void)
{
	/* rows: exit 0, exit 1, SIGTERM, SIGKILL, OOM, start failed */
	const struct svc_exit e[6] = {
		ex(REASON_EXITED, 0, 0), ex(REASON_EXITED, 1, 0), ex(REASON_KILLED, 143, SIGTERM),
		ex(REASON_KILLED, 137, SIGKILL), ex(REASON_OOM_KILLED, 137, SIGKILL),
		ex(REASON_START_FAILED, 0, 0),
	};
	/* systemd.service(5), "Table 2": which ends restart under each policy */
	static const struct { enum restart_policy p; const char *name; bool want[6]; } t[] = {
		{ RESTART_NO, "no", { 0, 0, 0, 0, 0, 0 } },
		{ RESTART_ALWAYS, "always", { 1, 1, 1, 1, 1, 1 } },
		{ RESTART_ON_SUCCESS, "on-success", { 1, 0, 1, 0, 0, 0 } },
		{ RESTART_ON_FAILURE, "on-failure", { 0, 1, 0, 1, 1, 1 } },
		{ RESTART_ON_ABNORMAL, "on-abnormal", { 0, 0, 0, 1, 1, 0 } },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char name[64], got[8] = "", want[8] = "";

		for (int j = 0; j < 6; j++) {
			got[j] = policy_wants_restart(t[i].p, &e[j]) ? '1' : '0';
			want[j] = t[i].want[j] ? '1' : '0';
		}
		snprintf(name, sizeof name, "restart: Restart=%s", t[i].name);
		CHECK_STR(name, got, want);
	}
}

static void test_after_end(void)
{
	struct svc_exit oom = ex(REASON_OOM_KILLED, 137, SIGKILL), crash = ex(REASON_EXITED, 3, 0),
			ok = ex(REASON_EXITED, 0, 0), term = ex(REASON_KILLED, 143, SIGTERM);
	struct policy_end in = { .last = &crash, .restart = RESTART_ON_FAILURE, .want_up = true };

	CHECK_INT("end: a crash under on-failure backs off", policy_after_end(&in), PV_BACKOFF);
	in.restart = RESTART_NO;
	CHECK_INT("end: a crash under Restart=no fails", policy_after_end(&in), PV_FAILED);
	in.last = &ok;
	CHECK_INT("end: exit 0 under Restart=no is inactive", policy_after_end(&in), PV_INACTIVE);
	in.oneshot = true;
	CHECK_INT("end: a oneshot's exit 0 is exited", policy_after_end(&in), PV_EXITED);
	in.oneshot = false;

	in.last = &oom;
	in.restart = RESTART_ON_FAILURE;
	in.oom = OOM_RESTART;
	CHECK_INT("end: OOMPolicy=restart backs off", policy_after_end(&in), PV_BACKOFF);
	in.oom = OOM_STOP;
	CHECK_INT("end: OOMPolicy=stop fails", policy_after_end(&in), PV_FAILED);
	in.oom = OOM_REBOOT;
	CHECK_INT("end: OOMPolicy=reboot reboots", policy_after_end(&in), PV_REBOOT);
	in.restart = RESTART_ALWAYS;
	in.oom = OOM_STOP;
	CHECK_INT("end: OOMPolicy=stop wins over Restart=always", policy_after_end(&in), PV_FAILED);

	/* stopped by us: never a failure, whatever it died of */
	in = (struct policy_end){ .last = &term, .restart = RESTART_ALWAYS, .stop_requested = true };
	CHECK_INT("end: a stop is inactive, not restarted", policy_after_end(&in), PV_INACTIVE);
	in.want_up = true;
	CHECK_INT("end: a restart (stop + start) starts again", policy_after_end(&in), PV_START);
	in.stopping_all = true;
	CHECK_INT("end: no restart during shutdown", policy_after_end(&in), PV_INACTIVE);
	in = (struct policy_end){ .last = &crash, .restart = RESTART_ALWAYS, .want_up = true,
				  .stopping_all = true };
	CHECK_INT("end: no backoff during shutdown", policy_after_end(&in), PV_INACTIVE);
	in = (struct policy_end){ .last = &term, .restart = RESTART_ALWAYS, .stop_requested = true,
				  .dep_failed = true };
	CHECK_INT("end: Requires= failed: dependency failed", policy_after_end(&in), PV_DEP_FAILED);
	in.removed = true;
	CHECK_INT("end: a removed unit is just inactive", policy_after_end(&in), PV_INACTIVE);
}

static void test_deps(void)
{
	CHECK_INT("deps: Requires= failed fails", policy_dep(true, SVC_FAILED, true, false), DEP_FAIL);
	CHECK_INT("deps: After= failed does not", policy_dep(true, SVC_FAILED, false, false), DEP_OK);
	CHECK_INT("deps: Requires= missing fails", policy_dep(false, SVC_INACTIVE, true, false),
		  DEP_FAIL);
	CHECK_INT("deps: After= missing is ignored", policy_dep(false, SVC_INACTIVE, false, false),
		  DEP_OK);
	CHECK_INT("deps: Requires= inactive is started", policy_dep(true, SVC_INACTIVE, true, false),
		  DEP_START);
	CHECK_INT("deps: After= inactive is not", policy_dep(true, SVC_INACTIVE, false, false), DEP_OK);
	CHECK_INT("deps: waiting for a starting unit", policy_dep(true, SVC_STARTING, false, false),
		  DEP_WAIT);
	CHECK_INT("deps: waiting for a unit in backoff", policy_dep(true, SVC_BACKOFF, true, false),
		  DEP_WAIT);
	CHECK_INT("deps: a running service is ready", policy_dep(true, SVC_RUNNING, true, false), DEP_OK);
	CHECK_INT("deps: a running oneshot is not yet", policy_dep(true, SVC_RUNNING, true, true),
		  DEP_WAIT);
	CHECK_INT("deps: an exited oneshot is ready", policy_dep(true, SVC_EXITED, true, true), DEP_OK);
}

int main(void)
{
	test_start_limit();
	test_backoff();
	test_restart_table();
	test_after_end();
	test_deps();
	return t_exit();
}
