#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"
#include "wfile.h"

static void fail(struct json *j, int errnum, const char *what)
{
	if (j->failed)
		return;
	j->failed = true;
	err_set(&j->err, errnum, "writing JSON: %s", what);
}

static void flush(struct json *j)
{
	if (!j->failed && j->len && wfile_write_all(j->fd, j->buf, j->len) < 0)
		fail(j, errno, "write");
	j->len = 0;
}

static void put(struct json *j, const char *p, size_t n)
{
	if (j->sink) {
		if (!j->failed && n)
			j->sink(j->sink_ctx, p, n);
		return;
	}
	while (!j->failed && n) {
		size_t room = sizeof j->buf - j->len;
		size_t k = n < room ? n : room;

		memcpy(j->buf + j->len, p, k);
		j->len += k;
		p += k;
		n -= k;
		if (j->len == sizeof j->buf)
			flush(j);
	}
}

static void puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void newline_indent(struct json *j, unsigned depth)
{
	put(j, "\n", 1);
	for (unsigned i = 0; i < depth; i++)
		put(j, "  ", 2);
}

/* Separator and indentation before a value or key at the current depth. */
static void begin_item(struct json *j, bool is_key)
{
	if (j->failed)
		return;
	if (j->after_key) {
		if (is_key)
			fail(j, 0, "key after key");
		j->after_key = false;
		return;
	}
	if (j->depth == 0) {
		if (!j->empty[0])
			fail(j, 0, "more than one top-level value");
		j->empty[0] = false;
		return;
	}
	if (j->is_obj[j->depth] != is_key) {
		fail(j, 0, is_key ? "key inside an array" : "value without a key");
		return;
	}
	if (!j->empty[j->depth])
		put(j, ",", 1);
	j->empty[j->depth] = false;
	newline_indent(j, j->depth);
}

static void put_string(struct json *j, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0, i = 0;

	put(j, "\"", 1);
	while (i < len) {
		size_t k = utf8_seq(s + i, len - i);
		char esc[8];
		size_t n;

		if (k == 0) {
			memcpy(esc, "\\ufffd", 6);   /* not UTF-8: keep the JSON valid */
			n = 6;
		} else if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)s[i];
			n = 2;
		} else if (s[i] < 0x20 || s[i] == 0x7f || (s[i] == 0xc2 && s[i + 1] < 0xa0)) {
			/* C0, DEL and the C1 controls (U+0080..U+009F: U+009B is
			 * a CSI to some terminals) escaped, never raw */
			unsigned char c = s[i] == 0xc2 ? s[i + 1] : s[i];

			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		} else {
			i += k;   /* plain text, UTF-8 included, goes out in runs */
			continue;
		}
		put(j, str + run, i - run);
		put(j, esc, n);
		i += k ? k : 1;   /* a C1 control: both of its bytes */
		run = i;
	}
	put(j, str + run, i - run);
	put(j, "\"", 1);
}

void json_init(struct json *j, int fd)
{
	memset(j, 0, offsetof(struct json, buf));
	j->fd = fd;
	j->empty[0] = true;
}

void json_init_sink(struct json *j, json_sink_fn sink, void *ctx)
{
	json_init(j, -1);
	j->sink = sink;
	j->sink_ctx = ctx;
}

static void open_container(struct json *j, bool obj)
{
	begin_item(j, false);
	if (j->failed)
		return;
	if (j->depth == JSON_MAX_DEPTH) {
		fail(j, 0, "nesting too deep");
		return;
	}
	j->depth++;
	j->empty[j->depth] = true;
	j->is_obj[j->depth] = obj;
	put(j, obj ? "{" : "[", 1);
}

static void close_container(struct json *j, bool obj)
{
	if (j->failed)
		return;
	if (j->depth == 0 || j->is_obj[j->depth] != obj || j->after_key) {
		fail(j, 0, "unbalanced close");
		return;
	}
	if (!j->empty[j->depth])
		newline_indent(j, j->depth - 1);
	j->depth--;
	put(j, obj ? "}" : "]", 1);
}

void json_obj_begin(struct json *j)
{
	open_container(j, true);
}

void json_obj_end(struct json *j)
{
	close_container(j, true);
}

void json_arr_begin(struct json *j)
{
	open_container(j, false);
}

void json_arr_end(struct json *j)
{
	close_container(j, false);
}

void json_key(struct json *j, const char *k)
{
	begin_item(j, true);
	if (j->failed)
		return;
	put_string(j, k, strlen(k));
	put(j, ": ", 2);
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	begin_item(j, false);
	if (s)
		put_string(j, s, strlen(s));
	else
		puts_(j, "null");
}

void json_strn(struct json *j, const char *s, size_t n)
{
	begin_item(j, false);
	put_string(j, s, n);
}

void json_int(struct json *j, int64_t v)
{
	char num[24];

	begin_item(j, false);
	snprintf(num, sizeof num, "%" PRId64, v);
	puts_(j, num);
}

void json_uint(struct json *j, uint64_t v)
{
	char num[24];

	begin_item(j, false);
	snprintf(num, sizeof num, "%" PRIu64, v);
	puts_(j, num);
}

void json_bool(struct json *j, bool v)
{
	begin_item(j, false);
	puts_(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	begin_item(j, false);
	puts_(j, "null");
}

void json_kv_str(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_str(j, v);
}

void json_kv_int(struct json *j, const char *k, int64_t v)
{
	json_key(j, k);
	json_int(j, v);
}

void json_kv_uint(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_uint(j, v);
}

void json_kv_bool(struct json *j, const char *k, bool v)
{
	json_key(j, k);
	json_bool(j, v);
}

void json_kv_int_or_null(struct json *j, const char *k, bool valid, int64_t v)
{
	json_key(j, k);
	if (valid)
		json_int(j, v);
	else
		json_null(j);
}

void json_kv_uint_or_null(struct json *j, const char *k, bool valid, uint64_t v)
{
	json_key(j, k);
	if (valid)
		json_uint(j, v);
	else
		json_null(j);
}

int json_finish(struct json *j, struct err *e)
{
	if (!j->failed && (j->depth || j->after_key || j->empty[0]))
		fail(j, 0, "document incomplete");
	put(j, "\n", 1);
	flush(j);
	if (j->failed) {
		*e = j->err;
		return -1;
	}
	return 0;
}
