/* models/model.c - placeholder until its issue lands. */
#include "core/core_int.h"

int candor__models_placeholder(void);
int candor__models_placeholder(void) { return 0; }
