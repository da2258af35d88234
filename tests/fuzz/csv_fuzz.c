/*
 * csv_fuzz.c - libFuzzer target for the CSV reader.
 *
 * Differential: each input is read from memory and from a file read in tiny
 * blocks (1 to 13 bytes, so every record crosses block boundaries); both
 * must give the same status, the same error position and the same table.
 * An input whose first byte is '#' is read with tiny bounds (field, record,
 * columns) taken from its next three bytes and with "nan" and "NA" as
 * missing-value tokens, so that every bound is hit at every place a block
 * can cut; the rest is the CSV.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "datasets/datasets_int.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tokens[] = {"nan", "NA"};
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
	const candor_csv_options *opts = NULL;
	candor_table *a = NULL, *b = NULL;
	candor_status sa, sb;
	uint64_t line, col;
	char path[64];
	int fd;

	if (size >= 4 && data[0] == '#') {
		o.max_field_bytes = 1 + data[1] % 16;
		o.max_record_bytes = 1 + data[2] % 48;
		o.max_columns = 1 + data[3] % 8;
		o.missing_tokens = tokens;
		o.nmissing_tokens = 2;
		opts = &o;
		data += 4;
		size -= 4;
	}
	sa = candor_csv_read_buffer(&a, (const char *)data, size, opts);
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
	sb = candor_csv_read(&b, path, opts);
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
