/* review-32bit (issue #12): what a 32-bit build gets wrong where a 64-bit
 * one cannot. Built and run on every architecture; the checks only fail on
 * 32-bit arm with the bugs present, and pass on x86-64 and arm64.
 *
 * stdfile-largefile-*: StandardOutput=file:/append: opens a new file with
 * a raw openat2(2). The kernel adds O_LARGEFILE to open(2) and openat(2)
 * on every architecture whose off_t is 64-bit, and to openat2(2) only
 * there too (force_o_largefile()); musl adds it to its own open() and
 * openat() on 32-bit, but nobody adds it to a raw openat2. On armhf the
 * service's log then stops at 2 GiB - 1: the write past it fails with EFBIG
 * and SIGXFSZ kills the service (its default action). Sparse files: no
 * disk space is used. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"

#include "../../sandbox/stdfile.h"

#define PAST_2G 0x80000000LL   /* MAX_NON_LFS + 1 */

static char dir[64];

/* fd's open flags carry O_LARGEFILE, and a byte lands at 2 GiB. */
static void check_large(const char *name, int fd, bool append)
{
	char n1[96], n2[96];
	int fl = fcntl(fd, F_GETFL);
	ssize_t w;

	snprintf(n1, sizeof n1, "%s-o-largefile", name);
	if (O_LARGEFILE == 0)   /* glibc on a 64-bit arch: the kernel's own, unnamed */
		t_skip(n1, "this libc names O_LARGEFILE 0 (a 64-bit kernel sets it itself)");
	else
		t_report(n1, fl >= 0 && (fl & O_LARGEFILE), "flags 0%o lack O_LARGEFILE (0%o)",
			 (unsigned)fl, (unsigned)O_LARGEFILE);
	snprintf(n2, sizeof n2, "%s-write-past-2g", name);
	if (append) {
		/* append: lands at the end, 2 GiB */
		if (ftruncate(fd, (off_t)PAST_2G) < 0) {
			t_report(n2, false, "ftruncate to 2 GiB: %s", strerror(errno));
			return;
		}
		w = write(fd, "x", 1);
	} else {
		w = pwrite(fd, "x", 1, (off_t)PAST_2G);
	}
	t_report(n2, w == 1, "write at 2 GiB: %zd (%s)", w, w < 0 ? strerror(errno) : "short");
}

static void one(const char *name, bool append, bool exists)
{
	char path[128];
	struct step_fail f = { 0 };
	int fd;

	snprintf(path, sizeof path, "%s/%s.log", dir, name);
	unlink(path);
	if (exists) {
		int c = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);

		if (c < 0) {
			t_report(name, false, "create %s: %s", path, strerror(errno));
			return;
		}
		close(c);
	}
	fd = sbx_stdfile_open("StandardOutput", path, append, &f);
	if (!t_report(name, fd >= 0, "sbx_stdfile_open(%s): %s: %s", path, f.path ? f.path : "",
		      strerror(f.errnum)))
		return;
	check_large(name, fd, append);
	close(fd);
	unlink(path);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	/* a service writing past 2 GiB is told EFBIG, not killed, here */
	signal(SIGXFSZ, SIG_IGN);
	snprintf(dir, sizeof dir, "%s/r32.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		t_report("review32-tmpdir", false, "mkdtemp %s: %s", dir, strerror(errno));
		return t_exit();
	}
	qu_need(QU_OPENAT2);
	one("stdfile-largefile-new-file", false, false);
	one("stdfile-largefile-new-append", true, false);
	one("stdfile-largefile-old-file", false, true);
	one("stdfile-largefile-old-append", true, true);
	qu_done();
	rmdir(dir);
	return t_exit();
}
