/* EnvironmentFile= contents (config/envfile.c): systemd's format, byte for
 * byte, and every odd input ends as a skipped assignment, never a read
 * past the text. */
#include <stdlib.h>

#include "check.h"
#include "../../config/envfile.h"

static char out[65536];
static size_t calls;
static bool bad_name;   /* an assignment handed over whose name is not valid */

/* Collect the assignments as "KEY=VALUE|" (and check kv[kvlen] == 0). */
static void add(void *ctx, const char *kv, size_t kvlen)
{
	size_t n = strlen(out);

	(void)ctx;
	calls++;
	size_t k = strcspn(kv, "=");
	if (k == 0 || k == kvlen || (kv[0] >= '0' && kv[0] <= '9') ||
	    strspn(kv, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != k)
		bad_name = true;
	if (kv[kvlen] != '\0' || strlen(kv) != kvlen) {
		snprintf(out + n, sizeof out - n, "<len mismatch>|");
		return;
	}
	snprintf(out + n, sizeof out - n, "%s|", kv);
}

static int parse_n(const char *text, size_t len)
{
	out[0] = '\0';
	calls = 0;
	return envfile_parse(text, len, add, NULL);
}

/* text parses to want ("KEY=VALUE|..."), with `skipped` refused. */
static void expect(const char *name, const char *text, const char *want, int skipped)
{
	int r = parse_n(text, strlen(text));

	if (t_report(name, strcmp(out, want) == 0 && r == skipped,
		     "got \"%s\" (%d skipped), want \"%s\" (%d skipped)", out, r, want, skipped))
		return;
}

static void test_basics(void)
{
	expect("envfile: plain", "A=1\nB=two\n", "A=1|B=two|", 0);
	expect("envfile: no final newline", "A=1\nB=2", "A=1|B=2|", 0);
	expect("envfile: empty text", "", "", 0);
	expect("envfile: empty value", "A=\nB=\n", "A=|B=|", 0);
	expect("envfile: empty value at end", "A=", "A=|", 0);
	expect("envfile: comments and blank lines",
	       "# a comment\n\n; another\n   # indented\nA=1\n\n", "A=1|", 0);
	expect("envfile: a comment is a whole line only", "A=1 # not a comment\n",
	       "A=1 # not a comment|", 0);
	expect("envfile: blanks around key and value", "  A  =   x y  \t\n", "A=x y|", 0);
	expect("envfile: line without = ignored", "JUNK\nA=1\nmore junk here\n", "A=1|", 0);
	expect("envfile: CRLF", "A=1\r\nB=2\r\n", "A=1|B=2|", 0);
	expect("envfile: = in the value", "URL=a=b=c\n", "URL=a=b=c|", 0);
	expect("envfile: order and repeats kept", "A=1\nB=2\nA=3\n", "A=1|B=2|A=3|", 0);
	expect("envfile: lower case and digits in names", "lower_1=x\n_X=y\n", "lower_1=x|_X=y|", 0);
}

static void test_quotes(void)
{
	expect("envfile: single quotes literal", "A='x \\n \" $y'\n", "A=x \\n \" $y|", 0);
	expect("envfile: single quotes span lines", "A='one\ntwo'\nB=3\n", "A=one\ntwo|B=3|", 0);
	expect("envfile: single quotes keep blanks", "A='  x  '\n", "A=  x  |", 0);
	expect("envfile: double quotes unescape \" \\ ` $",
	       "A=\"q\\\" b\\\\ t\\` d\\$\"\n", "A=q\" b\\ t` d$|", 0);
	expect("envfile: double quotes keep other backslashes", "A=\"a\\nb\\x\"\n",
	       "A=a\\nb\\x|", 0);
	expect("envfile: double quotes continuation", "A=\"one \\\ntwo\"\n", "A=one two|", 0);
	expect("envfile: double quotes span lines", "A=\"one\ntwo\"\n", "A=one\ntwo|", 0);
	expect("envfile: blanks outside quotes dropped", "A=  \"x\"  \n", "A=x|", 0);
	expect("envfile: quoted parts join", "A=\"x\"'y'z\n", "A=xyz|", 0);
	expect("envfile: quote after the first character is literal", "A=x\"y\"\n",
	       "A=x\"y\"|", 0);
	expect("envfile: unterminated double quote runs to the end", "A=\"x\nB=2\n",
	       "A=x\nB=2\n|", 0);
	expect("envfile: unterminated single quote runs to the end", "A='x", "A=x|", 0);
	expect("envfile: # inside quotes", "A=\"#x\"\n", "A=#x|", 0);
}

static void test_escapes(void)
{
	expect("envfile: unquoted backslash takes the next char", "A=a\\ b\\\\c\\$\n",
	       "A=a b\\c$|", 0);
	expect("envfile: unquoted continuation", "A=one\\\ntwo\nB=3\n", "A=onetwo|B=3|", 0);
	expect("envfile: escaped trailing blank kept", "A=x\\ \n", "A=x |", 0);
	expect("envfile: leading escape", "A=\\#x\n", "A=#x|", 0);
	expect("envfile: backslash at the very end", "A=x\\", "A=x|", 0);
	expect("envfile: comment continued by backslash", "# one \\\nA=hidden\nB=2\n", "B=2|", 0);
}

static void test_skipped(void)
{
	expect("envfile: export is not systemd's", "export A=1\nB=2\n", "B=2|", 1);
	expect("envfile: name with a dash", "A-B=1\nC=2\n", "C=2|", 1);
	expect("envfile: name starting with a digit", "1A=1\n", "", 1);
	expect("envfile: empty name", "==x\nB=2\n", "B=2|", 1);
	expect("envfile: a line starting with = has no key: ignored", "=x\nB=2\n", "B=2|", 0);
	expect("envfile: invalid UTF-8 value", "A=\xff\xfe\nB=2\n", "B=2|", 1);
	expect("envfile: overlong UTF-8", "A=\xc0\xaf\n", "", 1);
	expect("envfile: UTF-8 surrogate", "A=\xed\xa0\x80\n", "", 1);
	expect("envfile: truncated UTF-8 at the end", "A=\xe2\x82", "", 1);
	expect("envfile: valid UTF-8 kept", "A=\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n",
	       "A=\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|", 0);

	static const char nul[] = "A=x\0y\nB=2\n";
	int r = parse_n(nul, sizeof nul - 1);
	t_report("envfile: NUL byte skips the assignment", strcmp(out, "B=2|") == 0 && r == 1,
		 "got \"%s\" (%d)", out, r);
	static const char nul_key[] = "\0A=1\nB=2\n";
	r = parse_n(nul_key, sizeof nul_key - 1);
	t_report("envfile: NUL byte in the name", strcmp(out, "B=2|") == 0 && r == 1,
		 "got \"%s\" (%d)", out, r);
}

static void test_bounds(void)
{
	size_t big = ENVFILE_ENTRY_MAX + 100;
	char *t = malloc(big + 64);

	if (!t) {
		t_report("envfile: bounds", false, "out of memory");
		return;
	}
	/* exactly ENVFILE_ENTRY_MAX bytes of KEY=VALUE: taken */
	memcpy(t, "A=", 2);
	memset(t + 2, 'x', ENVFILE_ENTRY_MAX - 2);
	memcpy(t + ENVFILE_ENTRY_MAX, "\nB=2\n", 6);
	int r = parse_n(t, strlen(t));
	t_report("envfile: entry of the maximum length taken", r == 0 && calls == 2 &&
		 strlen(out) == ENVFILE_ENTRY_MAX + 1 + 4, "%d skipped, %zu calls, %zu bytes",
		 r, calls, strlen(out));
	/* one more: skipped, the next line still read */
	memcpy(t, "A=", 2);
	memset(t + 2, 'x', ENVFILE_ENTRY_MAX - 1);
	memcpy(t + ENVFILE_ENTRY_MAX + 1, "\nB=2\n", 6);
	r = parse_n(t, strlen(t));
	t_report("envfile: longer entry skipped", r == 1 && strcmp(out, "B=2|") == 0,
		 "%d skipped, got %.40s", r, out);
	/* the parser reads only [0, len): a text cut inside a value */
	memcpy(t, "A=12345\nB=2\n", 13);
	r = parse_n(t, 5);
	t_report("envfile: reads only len bytes", r == 0 && strcmp(out, "A=123|") == 0,
		 "got \"%s\"", out);
	free(t);
}

/* Random text over the bytes that matter: terminates, stays in bounds
 * (the ASan build), and hands over only assignments with valid names. */
static void test_random(void)
{
	static char buf[4096];
	static const char alphabet[] = "AB_9=\\\"' \t\n\r#;x-\xc3\xa9\xff";
	unsigned seed = 12345;
	size_t total = 0;

	bad_name = false;
	for (int round = 0; round < 2000 && !bad_name; round++) {
		seed = seed * 1103515245u + 12345u;
		size_t n = (size_t)((seed >> 8) % sizeof buf);

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		parse_n(buf, n);
		total += calls;
	}
	t_report("envfile: random text", !bad_name && total > 1000,
		 "%zu assignments, a bad name among them: %d", total, bad_name);
}

int main(void)
{
	test_basics();
	test_quotes();
	test_escapes();
	test_skipped();
	test_bounds();
	test_random();
	return t_exit();
}
