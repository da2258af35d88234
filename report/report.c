/* report/report.c - placeholder until its issue lands. */
#include "core/core_int.h"

int candor__report_placeholder(void);
int candor__report_placeholder(void) { return 0; }
