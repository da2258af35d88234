/*
 * csv_write.c - write a table as CSV: numbers that read back to the same
 * double, empty fields for missing values, RFC 4180 quoting where needed;
 * an infinite number is an error, never an empty field (docs/datasets.md).
 * The file is written inside a private temporary folder beside the target
 * (candor__open_temp) and renamed into place, so a failure never leaves a
 * half-written file.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets_int.h"

candor_status candor_csv_write(const candor_table *t, const char *path)
{
	char *tmp;
	int fd;
	FILE *f;
	candor_status st = CANDOR_OK;

	if (!t || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "csv_write: NULL argument");
	fd = candor__open_temp(path, &tmp);
	if (fd < 0)
		return errno == ENOMEM ? candor__oom()
		                       : candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s",
		                                       strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		st = candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
		close(fd);
		goto fail;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	for (size_t j = 0; j < t->ncols; j++) {
		if (j)
			fputc(',', f);
		candor__csv_put_text(f, t->cols[j].name);
	}
	fputc('\n', f);
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t j = 0; j < t->ncols; j++) {
			const candor__column *c = &t->cols[j];

			if (j)
				fputc(',', f);
			if (c->type == CANDOR_COL_NUMERIC) {
				char buf[40];

				if (isnan(c->num[i]))
					continue;
				if (isinf(c->num[i])) {
					st = candor__error(CANDOR_EDOMAIN, path, 0, 0,
					                   "column '%s' data row %zu is infinite; CSV has "
					                   "no infinity that reads back (and an empty field "
					                   "would read as missing)", c->name, i + 1);
					fclose(f);
					goto fail;
				}
				candor__format_double(buf, sizeof(buf), c->num[i]);
				fputs(buf, f);
			} else if (c->codes[i] >= 0) {
				candor__csv_put_text(f, c->dict.levels[c->codes[i]]);
			}
		}
		fputc('\n', f);
	}
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		st = candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(errno));
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0) {
		st = candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(errno));
		goto fail;
	}
	if (candor__temp_commit(tmp, path) != 0) {
		st = candor__error(CANDOR_EIO, path, 0, 0, "cannot rename into place: %s",
		                   strerror(errno));
		goto fail;
	}
	candor__free(tmp);
	return CANDOR_OK;
fail:
	candor__temp_discard(tmp);
	candor__free(tmp);
	return st;
}
