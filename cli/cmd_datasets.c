/* cli/cmd_datasets.c - in progress */
#include "cmd.h"
int cmd_datasets(int argc, char **argv) { (void)argc; (void)argv; return 3; }
