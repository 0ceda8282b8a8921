#include "rlimits.h"

#define ENTRY(n, b) [RLIMIT_##n] = { "Limit" #n, "RLIMIT_" #n, b },

const struct rlimits_entry rlimits_table[RLIMITS_N] = { RLIMITS_EACH(ENTRY) };
