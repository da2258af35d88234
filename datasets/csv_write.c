/* datasets/csv_write.c - in progress */
#include "datasets_int.h"
