/*
 * csv_fuzz.c - libFuzzer target for the CSV reader.
 *
 * Differential: each input is read from memory and from a file read in tiny
 * blocks (1 to 13 bytes, so every record crosses block boundaries); both
 * must give the same status, the same error position and the same table.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "datasets/datasets_int.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	candor_table *a = NULL, *b = NULL;
	candor_status sa, sb;
	uint64_t line, col;
	char path[64];
	int fd;

	sa = candor_csv_read_buffer(&a, (const char *)data, size, NULL);
	line = candor_last_error()->line;
	col = candor_last_error()->column;

	fd = memfd_create("csv_fuzz", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	candor__csv_test_block_size(1 + size % 13);
	sb = candor_csv_read(&b, path, NULL);
	candor__csv_test_block_size(0);
	close(fd);

	if (sa != sb)
		__builtin_trap();
	if (sa == CANDOR_OK)
		fuzz_same_tables(a, b);
	else if (sa == CANDOR_EPARSE &&
	         (candor_last_error()->line != line || candor_last_error()->column != col))
		__builtin_trap();
	candor_table_free(a);
	candor_table_free(b);
	return 0;
}
