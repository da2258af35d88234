/* datasets/arff.c - in progress */
#include "datasets_int.h"
