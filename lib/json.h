/* The one JSON writer, for the OCI spec export (config/oci.c) and the
 * status output (init/status_fmt.c): pretty-printed (2-space indent),
 * streamed to an fd through a fixed buffer (output size never costs
 * memory), or handed piece by piece to a sink (PID 1's bounded reply
 * buffer). Strings are escaped so that the output is valid JSON whatever
 * the bytes: quotes, backslashes and control characters (DEL and the C1
 * controls U+0080..U+009F included) as \uXXXX, bytes that are not UTF-8
 * as \ufffd. Errors are
 * sticky: the emit calls return nothing, and json_finish() reports the
 * first failure (write error, nesting too deep, misuse), which keeps the
 * code that builds a document a flat list of calls. */
#ifndef SBX_JSON_H
#define SBX_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define JSON_MAX_DEPTH 16
#define JSON_BUF_SIZE 4096

/* Takes n bytes of output; its own errors are its own (a bounded buffer
 * that keeps a sticky "failed"). */
typedef void (*json_sink_fn)(void *ctx, const char *p, size_t n);

struct json {
	int fd;
	json_sink_fn sink;                /* when set, fd and buf are unused */
	void *sink_ctx;
	unsigned depth;
	bool empty[JSON_MAX_DEPTH + 1];   /* container at this depth has no item yet */
	bool is_obj[JSON_MAX_DEPTH + 1];
	bool after_key;                   /* a key was written, its value is next */
	bool failed;
	struct err err;
	size_t len;
	char buf[JSON_BUF_SIZE];
};

void json_init(struct json *j, int fd);
void json_init_sink(struct json *j, json_sink_fn sink, void *ctx);

/* Values: inside an array, or after json_key() inside an object. */
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *s);   /* NULL writes null */
void json_strn(struct json *j, const char *s, size_t n);   /* n bytes of s */
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

void json_key(struct json *j, const char *k);

/* Shorthands for a key and its value. */
void json_kv_str(struct json *j, const char *k, const char *v);
void json_kv_int(struct json *j, const char *k, int64_t v);
void json_kv_uint(struct json *j, const char *k, uint64_t v);
void json_kv_bool(struct json *j, const char *k, bool v);
/* The value, or null when !valid. */
void json_kv_int_or_null(struct json *j, const char *k, bool valid, int64_t v);
void json_kv_uint_or_null(struct json *j, const char *k, bool valid, uint64_t v);

/* End the document with a newline and flush. 0, or -1 with the first
 * error in *e (also when containers are left open). With a sink, only the
 * writer's own errors (misuse) count. */
int json_finish(struct json *j, struct err *e);

#endif
