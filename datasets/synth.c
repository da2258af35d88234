/* datasets/synth.c - in progress */
#include "datasets_int.h"
