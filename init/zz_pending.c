/* TEMPORARY weak stand-ins so the tree links while helpers finish their
 * modules; the lead deletes this file at integration. */
#include <stdio.h>

#include "boot.h"
#include "control.h"
#include "ctl_remote.h"
#include "logbuf.h"
#include "shutdown.h"

#define WEAK __attribute__((weak))

WEAK int control_open(struct sup *sv, const char *path, struct err *e) { (void)sv; (void)path; return err_set(e, 0, "pending"); }
WEAK void control_log_appended(struct sup *sv, struct svc *s) { (void)sv; (void)s; }
WEAK void control_close_all(struct sup *sv) { (void)sv; }
WEAK void shutdown_run(struct sup *sv, enum shutdown_kind how) { (void)sv; (void)how; }
WEAK int ctl_remote(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "pending\n"); return 2; }
WEAK int logbuf_init(struct logbuf *lb, size_t size) { (void)size; lb->ring = NULL; return -1; }
WEAK void logbuf_free(struct logbuf *lb) { (void)lb; }
WEAK void logbuf_feed(struct logbuf *lb, int stream, const char *data, size_t len, int64_t now_ms) { (void)lb; (void)stream; (void)data; (void)len; (void)now_ms; }
WEAK void logbuf_flush(struct logbuf *lb, int64_t now_ms) { (void)lb; (void)now_ms; }
WEAK void boot_cmdline(struct boot_opts *o) { (void)o; }
WEAK int boot_mounts(struct err *e) { (void)e; return 0; }
WEAK int boot_leave_initramfs(struct err *e) { (void)e; return 0; }
WEAK int boot_console(struct err *e) { return err_set(e, 0, "pending"); }
WEAK void boot_hostname(void) { }
WEAK int boot_run_dir(const char *dir, struct err *e) { (void)dir; (void)e; return 0; }
