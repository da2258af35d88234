/*
 * file.c - small file helpers shared by the readers and the writers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

candor_status candor__file_read(const char *path, char **out, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	candor_status st;

	*out = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (!f)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	for (;;) {
		size_t got;

		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *b = candor__realloc(buf, ncap);

			if (!b) {
				fclose(f);
				candor__free(buf);
				return CANDOR_ENOMEM;
			}
			buf = b;
			cap = ncap;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		st = candor__error(CANDOR_EIO, path, 0, 0, "read failed: %s", strerror(errno));
		fclose(f);
		candor__free(buf);
		return st;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return CANDOR_OK;
}

void candor__csv_put_text(FILE *f, const char *s)
{
	bool quote = s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' ') ||
	             strpbrk(s, ",\"\r\n") != NULL;

	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
