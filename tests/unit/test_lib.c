/* lib/: the shared helpers (clock, rfile, wfile, json, utf8, rlimits,
 * control_proto). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/clock.h"
#include "lib/control_proto.h"
#include "lib/json.h"
#include "lib/procfs.h"
#include "lib/rfile.h"
#include "lib/rlimits.h"
#include "lib/utf8.h"
#include "lib/wfile.h"

static char dir[] = "/var/tmp/sbx-test-lib.XXXXXX";
static int dfd = -1;

static void test_clock(void)
{
	int64_t m0 = clock_mono_ms(), r0 = clock_real_ms();
	struct timespec nap = { 0, 20 * 1000000 };

	nanosleep(&nap, NULL);
	int64_t m1 = clock_mono_ms();
	CHECK("clock: monotonic moves forward over a 20 ms nap", m1 - m0 >= 20 && m1 - m0 < 5000);
	/* 2020-01-01 in ms: a wall clock, not a monotonic one */
	CHECK("clock: real is wall time", r0 > 1577836800000LL);
}

static void test_wfile_rfile(void)
{
	struct err e = { 0 };
	struct rfile f;
	char buf[16];

	CHECK_INT("wfile: replace creates", wfile_replace(dfd, "a", "hello\n", 6, 0644, &e), 0);
	CHECK_INT("rfile: reads it", rfile_read(dfd, "a", 0, 100, &f), 0);
	CHECK_STR("rfile: content", f.text, "hello\n");
	free(f.text);
	CHECK_INT("wfile: replace again", wfile_replace(dfd, "a", "bye", 3, 0644, &e), 0);
	CHECK_INT("procfs_read: the new content", procfs_read(dfd, "a", buf, sizeof buf), 3);
	CHECK_STR("procfs_read: text", buf, "bye");
	CHECK("wfile: no temp file left", faccessat(dfd, ".a.tmp", F_OK, 0) < 0 && errno == ENOENT);

	/* the temp name is never followed: a link planted there is replaced */
	CHECK_INT("wfile: plant a link", symlinkat("/nonexistent-target", dfd, ".b.tmp"), 0);
	CHECK_INT("wfile: replace past a planted link", wfile_replace(dfd, "b", "x", 1, 0600, &e), 0);
	struct stat st;
	CHECK("wfile: result is a regular file",
	      fstatat(dfd, "b", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode));

	/* a target that is a directory: the rename fails, nothing is left */
	CHECK_INT("wfile: mkdir", mkdirat(dfd, "d", 0755), 0);
	CHECK_INT("wfile: replacing a directory fails", wfile_replace(dfd, "d", "x", 1, 0600, &e), -1);
	CHECK("wfile: the error names the file", strstr(e.msg, "d") != NULL && e.errnum != 0);
	CHECK("wfile: temp removed after a failure",
	      faccessat(dfd, ".d.tmp", F_OK, 0) < 0 && errno == ENOENT);

	CHECK_INT("procfs_read: too large is EFBIG",
		  procfs_read(dfd, "a", buf, 3) == -1 && errno == EFBIG, 1);
	CHECK_INT("rfile: too large refused", rfile_read(dfd, "a", 0, 2, &f), -1);
	CHECK_STR("rfile: too large why", f.why, "too large");
	CHECK_INT("rfile: a directory refused", rfile_read(dfd, "d", 0, 100, &f), -1);
	CHECK_STR("rfile: not regular why", f.why, "not a regular file");
}

struct sink {
	char buf[512];
	size_t len;
};

static void to_sink(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	if (s->len + n < sizeof s->buf) {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
		s->buf[s->len] = '\0';
	}
}

static void test_json(void)
{
	struct sink s = { .len = 0 };
	struct json j;
	struct err e = { 0 };

	json_init_sink(&j, to_sink, &s);
	json_obj_begin(&j);
	json_kv_str(&j, "a", "x\"\\\x01\x7f\xff\xc3\xa9");
	json_kv_int_or_null(&j, "n", false, 5);
	json_kv_uint_or_null(&j, "u", true, 7);
	json_obj_end(&j);
	CHECK_INT("json sink: finish", json_finish(&j, &e), 0);
	CHECK_STR("json sink: escaped, pretty",
		  s.buf, "{\n  \"a\": \"x\\\"\\\\\\u0001\\u007f\\ufffd\xc3\xa9\",\n"
			 "  \"n\": null,\n  \"u\": 7\n}\n");

	/* the C1 controls (U+009B: a CSI to some terminals) escaped; U+00A0
	 * and a lone 0xc2 are not C1 */
	s.len = 0;
	json_init_sink(&j, to_sink, &s);
	json_str(&j, "a\xc2\x9b" "31m\xc2\x80\xc2\xa0\xc2");
	CHECK_INT("json C1: finish", json_finish(&j, &e), 0);
	CHECK_STR("json C1: escaped", s.buf, "\"a\\u009b31m\\u0080\xc2\xa0\\ufffd\"\n");

	s.len = 0;
	json_init_sink(&j, to_sink, &s);
	json_arr_begin(&j);
	CHECK_INT("json sink: unclosed fails", json_finish(&j, &e), -1);
}

static void test_utf8(void)
{
	CHECK_INT("utf8: ascii", utf8_seq((const unsigned char *)"a", 1), 1);
	CHECK_INT("utf8: two bytes", utf8_seq((const unsigned char *)"\xc3\xa9", 2), 2);
	CHECK_INT("utf8: cut short", utf8_seq((const unsigned char *)"\xc3", 1), 0);
	CHECK_INT("utf8: overlong", utf8_seq((const unsigned char *)"\xe0\x80\x80", 3), 0);
	CHECK_INT("utf8: surrogate", utf8_seq((const unsigned char *)"\xed\xa0\x80", 3), 0);
}

static void test_rlimits(void)
{
	CHECK_STR("rlimits: key", rlimits_table[RLIMIT_NOFILE].key, "LimitNOFILE");
	CHECK_STR("rlimits: oci", rlimits_table[RLIMIT_RTTIME].oci, "RLIMIT_RTTIME");
	CHECK("rlimits: AS is bytes", rlimits_table[RLIMIT_AS].bytes);
	CHECK("rlimits: NPROC is a count", !rlimits_table[RLIMIT_NPROC].bytes);
	bool all = true;
	for (int i = 0; i < RLIMITS_N; i++)
		all &= rlimits_table[i].key && rlimits_table[i].oci;
	CHECK("rlimits: every limit named", all);
}

static void test_proto(void)
{
	bool round = true;

	for (int v = 0; v < CTLV_COUNT; v++) {
		const char *w = control_verb_word((enum control_verb)v);

		round &= w && control_verb_find(w, strlen(w)) == v;
	}
	CHECK("proto: every verb's word finds the verb", round);
	CHECK_INT("proto: unknown word", control_verb_find("stat", 4), -1);
	CHECK_INT("proto: prefix is not a verb", control_verb_find("status-js", 9), -1);
	CHECK("proto: past the verbs", control_verb_word((enum control_verb)CTLV_COUNT) == NULL);
	CHECK_INT("proto: logs takes UNIT N F", control_verb_args(CTLV_LOGS), CONTROL_ARGS_LOGS);

	char path[128];
	setenv("SANDBOXD_RUN_DIR", "/run/x", 1);
	CHECK_INT("proto: socket path", control_socket_path(path, sizeof path), 0);
	CHECK_STR("proto: socket path text", path, "/run/x/" CONTROL_SOCK_NAME);
	CHECK_INT("proto: socket path too small", control_socket_path(path, 8), -1);
	unsetenv("SANDBOXD_RUN_DIR");
}

int main(void)
{
	if (!mkdtemp(dir) || (dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		t_report("setup", false, "mkdtemp %s: %s", dir, strerror(errno));
		return t_exit();
	}
	test_clock();
	test_wfile_rfile();
	test_json();
	test_utf8();
	test_rlimits();
	test_proto();
	unlinkat(dfd, "a", 0);
	unlinkat(dfd, "b", 0);
	unlinkat(dfd, "d", AT_REMOVEDIR);
	close(dfd);
	rmdir(dir);
	return t_exit();
}
