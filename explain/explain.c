/* explain/explain.c - placeholder until its issue lands. */
#include "core/core_int.h"

int candor__explain_placeholder(void);
int candor__explain_placeholder(void) { return 0; }
