/* Value syntaxes: sizes, durations, percentages, signals, word splitting. */
#include <errno.h>
#include <signal.h>

#include "check.h"
#include "../../config/values.h"
#include "../../config/words.h"

static void size(const char *in, uint64_t want)
{
	char name[96];
	uint64_t got = 0;

	snprintf(name, sizeof name, "size %s", in);
	if (parse_size(in, &got) < 0)
		t_report(name, false, "rejected");
	else
		CHECK_U64(name, got, want);
}

static void bad_size(const char *in)
{
	char name[96];
	uint64_t got;

	snprintf(name, sizeof name, "size rejects \"%s\"", in);
	CHECK(name, parse_size(in, &got) < 0);
}

static void duration(const char *in, uint64_t want_ms)
{
	char name[96];
	uint64_t got = 0;

	snprintf(name, sizeof name, "duration %s", in);
	if (parse_duration_ms(in, &got) < 0)
		t_report(name, false, "rejected");
	else
		CHECK_U64(name, got, want_ms);
}

static void bad_duration(const char *in)
{
	char name[96];
	uint64_t got;

	snprintf(name, sizeof name, "duration rejects \"%s\"", in);
	CHECK(name, parse_duration_ms(in, &got) < 0);
}

static void percent(const char *in, uint64_t want)
{
	char name[96];
	uint64_t got = 0;

	snprintf(name, sizeof name, "percent %s", in);
	if (parse_percent_permyriad(in, &got) < 0)
		t_report(name, false, "rejected");
	else
		CHECK_U64(name, got, want);
}

static void words(const char *in, int n, const char *w0, const char *wlast)
{
	struct arena a = { 0 };
	struct strv sv = { 0 };
	const char *why = NULL;
	char name[128];

	snprintf(name, sizeof name, "words <%s>", in);
	if (words_split(&a, in, 4096, &sv, &why) < 0) {
		t_report(name, false, "rejected: %s", why);
	} else if ((int)sv.n != n) {
		t_report(name, false, "got %zu words, want %d", sv.n, n);
	} else {
		CHECK_STR(name, sv.v[0], w0);
		snprintf(name, sizeof name, "words <%s> last", in);
		CHECK_STR(name, sv.v[n - 1], wlast);
	}
	arena_free(&a);
}

static void bad_words(const char *in, const char *want_why)
{
	struct arena a = { 0 };
	struct strv sv = { 0 };
	const char *why = NULL;
	char name[128];

	snprintf(name, sizeof name, "words rejects <%s>", in);
	if (words_split(&a, in, 4096, &sv, &why) == 0)
		t_report(name, false, "accepted");
	else
		CHECK_STR(name, why, want_why);
	arena_free(&a);
}

int main(void)
{
	size("0", 0);
	size("4096", 4096);
	size("64M", 67108864);
	size("1K", 1024);
	size("2G", 2147483648ull);
	size("1T", 1099511627776ull);
	size("infinity", UINT64_MAX);
	bad_size("");
	bad_size("64MB");
	bad_size("-1");
	bad_size("1.5G");
	bad_size("99999999999999999999");
	bad_size("17179869184G");   /* 2^64 bytes: overflows */
	bad_size("64m");

	duration("500ms", 500);
	duration("2s", 2000);
	duration("1min", 60000);
	duration("1h", 3600000);
	duration("30", 30000);
	duration("1min 30s", 90000);
	duration("1.5s", 1500);
	duration("100ms", 100);
	bad_duration("");
	bad_duration("5x");
	bad_duration("1min 30");
	bad_duration("-1s");
	bad_duration("s");

	percent("50%", 5000);
	percent("150%", 15000);
	percent("12.5%", 1250);
	percent("0.01%", 1);
	{
		uint64_t q;
		CHECK("percent rejects 50", parse_percent_permyriad("50", &q) < 0);
		CHECK("percent rejects 1.234%", parse_percent_permyriad("1.234%", &q) < 0);
	}

	{
		int sig = 0, e = 0;
		CHECK("signal SIGTERM", parse_signal("SIGTERM", &sig) == 0 && sig == SIGTERM);
		CHECK("signal KILL", parse_signal("KILL", &sig) == 0 && sig == SIGKILL);
		CHECK("signal 10", parse_signal("10", &sig) == 0 && sig == 10);
		CHECK("signal rejects SIGFOO", parse_signal("SIGFOO", &sig) < 0);
		CHECK("signal rejects 0", parse_signal("0", &sig) < 0);
		CHECK_STR("signal name 15", signal_name(15), "SIGTERM");
		CHECK("errno EACCES", parse_errno_name("EACCES", &e) == 0 && e == EACCES);
		CHECK("errno rejects EFOO", parse_errno_name("EFOO", &e) < 0);
		CHECK_STR("errno name 1", errno_name(1), "EPERM");
	}
	{
		mode_t m = 0;
		bool b = false;
		long l = 0;
		CHECK("umask 0027", parse_octal_mode("0027", &m) == 0 && m == 027);
		CHECK("umask rejects 0999", parse_octal_mode("0999", &m) < 0);
		CHECK("bool yes", parse_bool("yes", &b) == 0 && b);
		CHECK("bool off", parse_bool("off", &b) == 0 && !b);
		CHECK("bool rejects maybe", parse_bool("maybe", &b) < 0);
		CHECK("range -1000", parse_long_range("-1000", -1000, 1000, &l) == 0 && l == -1000);
		CHECK("range rejects 1001", parse_long_range("1001", -1000, 1000, &l) < 0);
		CHECK("cpu list 0-1,3", parse_cpu_list("0-1,3") == 0);
		CHECK("cpu list rejects 3-1", parse_cpu_list("3-1") < 0);
		CHECK("cpu list rejects 0,,1", parse_cpu_list("0,,1") < 0);
		CHECK("cpu list rejects empty", parse_cpu_list("") < 0);
	}

	words("/bin/echo a b", 3, "/bin/echo", "b");
	words("  /bin/sh -c 'echo a ; echo \"b\"'  ", 3, "/bin/sh", "echo a ; echo \"b\"");
	words("\"a b\" c\\ d", 2, "a b", "c d");
	words("\"tab\\there\"", 1, "tab\there", "tab\there");
	words("x\\x41y", 1, "xAy", "xAy");
	words("'' x", 2, "", "x");
	words("'lit\\n'", 1, "lit\\n", "lit\\n");
	bad_words("'open", "unterminated single quote");
	bad_words("\"open", "unterminated double quote");
	bad_words("a\\q", "bad backslash escape");
	bad_words("a\\x00", "bad backslash escape");
	return t_exit();
}
