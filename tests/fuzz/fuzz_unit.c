/* libFuzzer target for the unit parser: any bytes must either parse into
 * a spec or be rejected with diagnostics, without crashes, leaks or
 * undefined behaviour. Built by `./build.sh fuzz` and the test suite. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/oci.h"
#include "config/unit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_emit(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = { .emit = no_emit, .ctx = NULL, .count = 0 };
	struct spec *s;
	char *buf;

	/* unit_parse_text takes a C string: the input up to its first NUL. */
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';

	s = unit_parse_text("fuzz", "fuzz.unit", buf, &d);
	if (s) {
		/* and what `sandboxctl spec` makes of it: the defaults the
		 * parser adds (mounts, sizes, limits) are exported too */
		static int null_fd = -2;
		struct err e;

		if (null_fd == -2)
			null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null_fd >= 0)
			(void)oci_write_spec(s, null_fd, &e);
		spec_free(s);
	}
	free(buf);
	return 0;
}
