/* Value syntaxes of unit files. Each parser returns 0 on success and -1
 * on bad input without touching *out; the caller reports the error with
 * what is accepted. No allocation. */
#ifndef SBX_VALUES_H
#define SBX_VALUES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

int parse_bool(const char *s, bool *out);                  /* yes/no true/false on/off 1/0 */
int parse_u64(const char *s, uint64_t *out);               /* decimal */
int parse_long_range(const char *s, long min, long max, long *out);
int parse_duration_ms(const char *s, uint64_t *ms);        /* 500ms 2s 1min 1h 1d, "1min 30s", bare seconds */
int parse_size(const char *s, uint64_t *bytes);            /* N, N[KMGT] (base 1024), infinity */
int parse_percent_permyriad(const char *s, uint64_t *out); /* "50%" -> 5000, "12.5%" -> 1250 */
int parse_octal_mode(const char *s, mode_t *out);          /* 0022, 027 */
int parse_cpu_list(const char *s);                         /* 0-3,5: validate only */
int parse_signal(const char *s, int *sig);                 /* SIGTERM, TERM, 15 */
int parse_errno_name(const char *s, int *err);             /* EPERM ... */
const char *signal_name(int sig);                          /* "SIGTERM"; NULL if unknown */
const char *errno_name(int err);                           /* "EPERM"; NULL if unknown */

#endif
