/*
 * candor.c - the candor program's entry point (the program is cli_main()).
 */
#include "cmd.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
