/* PROVISIONAL (the lead's stand-in until helper-6's control.h lands). */
#ifndef SBX_CONTROL_H
#define SBX_CONTROL_H

#include "../lib/err.h"

struct sup;
struct svc;

int control_open(struct sup *sv, const char *path, struct err *e);
void control_log_appended(struct sup *sv, struct svc *s);
void control_close_all(struct sup *sv);

#endif
