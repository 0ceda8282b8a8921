/* lib/scan: the exact parsers that replace sscanf for procfs, cgroupfs and
 * mountinfo text, with the malformed inputs the kernel never writes. */
#include <string.h>

#include "../../lib/scan.h"
#include "check.h"

/* scan_u64 of s: the value and how many bytes it read, or -1 on false (v
 * must then be left alone). */
static long long u64_at(const char *s, uint64_t *v)
{
	const char *p = s;

	*v = 42;
	if (!scan_u64(&p, v))
		return p == s ? -1 : -2;   /* -2: moved although it failed */
	return p - s;
}

static void test_u64(void)
{
	const char *p;
	uint64_t v;

	CHECK_INT("u64: a number and its newline", u64_at("4194304\n", &v), 7);
	CHECK_U64("u64: its value", v, 4194304);
	CHECK_INT("u64: blanks before it", u64_at(" \t 17 ", &v), 5);
	CHECK_U64("u64: blanks: value", v, 17);
	CHECK_INT("u64: 0", u64_at("0", &v), 1);
	CHECK_U64("u64: 0: value", v, 0);
	CHECK_INT("u64: 2^64 - 1 fits", u64_at("18446744073709551615", &v), 20);
	CHECK_U64("u64: 2^64 - 1: value", v, UINT64_MAX);
	CHECK_INT("u64: 2^64 is refused", u64_at("18446744073709551616", &v), -1);
	CHECK_INT("u64: 10^20 is refused", u64_at("100000000000000000000", &v), -1);
	CHECK_U64("u64: refused: v untouched", v, 42);
	CHECK_INT("u64: -1 is refused (scanf wrapped it)", u64_at("-1", &v), -1);
	CHECK_INT("u64: +1 is refused", u64_at("+1", &v), -1);
	CHECK_INT("u64: \"max\" is refused", u64_at("max\n", &v), -1);
	CHECK_INT("u64: empty text", u64_at("", &v), -1);
	CHECK_INT("u64: only blanks", u64_at("  \n", &v), -1);
	CHECK_INT("u64: stops at the first non-digit", u64_at("12abc", &v), 2);
	p = "12abc";
	CHECK("u64: 12abc is no whole word", scan_u64(&p, &v) && !scan_word_end(p));
	CHECK("u64: word end at a blank", scan_word_end(" x"));
	CHECK("u64: word end at the end", scan_word_end(""));
}

static void test_skip_word(void)
{
	const char *s = "0.01 0.05 0.10 3/187 4242\n", *p;
	char w[8];

	p = scan_skip(s, 3);
	CHECK_STR("skip: three words of loadavg", p, " 3/187 4242\n");
	CHECK("skip: 0 words", scan_skip(s, 0) == s);
	CHECK("skip: all five words", scan_skip(s, 5) && strcmp(scan_skip(s, 5), "\n") == 0);
	CHECK("skip: a sixth word is missing", scan_skip(s, 6) == NULL);
	CHECK("skip: no word in blanks", scan_skip("   ", 1) == NULL);

	p = "  abc\tdef";
	CHECK_INT("word: length", scan_word(&p, w, sizeof w), 3);
	CHECK_STR("word: text", w, "abc");
	CHECK_STR("word: moved past it", p, "\tdef");
	CHECK_INT("word: the next", scan_word(&p, w, sizeof w), 3);
	CHECK_STR("word: the next: text", w, "def");
	CHECK_INT("word: none left", scan_word(&p, w, sizeof w), 0);
	CHECK_STR("word: none left: empty", w, "");
	p = "abcdefghijkl rest";
	CHECK_INT("word: too long: its whole length", scan_word(&p, w, sizeof w), 12);
	CHECK_STR("word: too long: cut to size - 1", w, "abcdefg");
	CHECK_STR("word: too long: moved past all of it", p, " rest");
}

static bool line(const char *l, struct scan_mount *m)
{
	memset(m, 0x55, sizeof *m);
	return scan_mountinfo_line(l, m);
}

static void test_mountinfo(void)
{
	struct scan_mount m;
	char lng[600];

	CHECK("mountinfo: a full line",
	      line("36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 - ext3 /dev/root rw", &m));
	CHECK_INT("mountinfo: id", m.id, 36);
	CHECK_INT("mountinfo: parent", m.parent, 35);
	CHECK_STR("mountinfo: mount point unescaped", m.mp, "/mnt/my disk");
	CHECK_STR("mountinfo: type after the dash", m.type, "ext3");
	CHECK("mountinfo: no optional fields",
	      line("1 1 0:2 / / rw - rootfs rootfs rw", &m) && m.id == 1 &&
	      strcmp(m.mp, "/") == 0 && strcmp(m.type, "rootfs") == 0);
	CHECK("mountinfo: no \" - \" separator", !line("36 35 98:0 / /mnt rw ext3", &m));
	CHECK("mountinfo: no type after it", !line("36 35 98:0 / /mnt rw - ", &m));
	CHECK("mountinfo: a negative id", !line("-3 35 98:0 / /mnt rw - ext3 x rw", &m));
	CHECK("mountinfo: an id with letters", !line("3x 35 98:0 / /mnt rw - ext3 x rw", &m));
	CHECK("mountinfo: an id past LONG_MAX",
	      !line("99999999999999999999 35 98:0 / /mnt rw - ext3 x rw", &m));
	CHECK("mountinfo: no parent", !line("36 - ext3 x rw", &m));
	CHECK("mountinfo: no mount point before the dash", !line("36 35 98:0 / - ext3 x rw", &m));
	CHECK("mountinfo: empty line", !line("", &m));

	/* a mount point longer than 255 bytes is cut, as %255s did */
	memset(lng, 'a', sizeof lng);
	memcpy(lng, "5 4 0:1 / /", 11);
	memcpy(lng + 400, " rw - tmpfs t rw", 17);
	CHECK("mountinfo: a long mount point is read", line(lng, &m));
	CHECK_INT("mountinfo: a long mount point is cut to 255 bytes", strlen(m.mp), 255);
	CHECK_STR("mountinfo: a long mount point: type", m.type, "tmpfs");
}

int main(void)
{
	test_u64();
	test_skip_word();
	test_mountinfo();
	return t_exit();
}
