/* fairness/fairness.c - placeholder until its issue lands. */
#include "core/core_int.h"

int candor__fairness_placeholder(void);
int candor__fairness_placeholder(void) { return 0; }
