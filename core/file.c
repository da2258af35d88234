/*
 * file.c - small file helpers shared by the readers and the writers.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

candor_status candor__file_read_text(const char *path, const char *name, size_t max_line,
                                     uint64_t max_nonregular, char **out, size_t *len,
                                     bool *stopped)
{
	struct stat sb;
	char *buf = NULL;
	size_t n = 0, cap = 0, run = 0;
	bool regular;
	int fd;

	*out = NULL;
	*len = 0;
	*stopped = false;
	if (!name)
		name = path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return candor__error(CANDOR_EIO, name, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
		candor_status st = candor__error(CANDOR_EIO, name, 0, 0, "cannot read: %s",
		                                 S_ISDIR(sb.st_mode) ? "is a folder" : strerror(errno));
		close(fd);
		return st;
	}
	regular = S_ISREG(sb.st_mode);
	for (;;) {
		ssize_t got;
		size_t want;

		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : (size_t)1 << 16;
			char *b;

			/* one byte past the bound tells that there is more */
			if (!regular && ncap > max_nonregular + 2 && max_nonregular < SIZE_MAX - 2)
				ncap = (size_t)max_nonregular + 2;
			if (ncap <= cap) {
				close(fd);
				candor__free(buf);
				return candor__error(CANDOR_EPARSE, name, 0, 0,
				                     "more than %llu bytes from a pipe or device (the "
				                     "max_stream_bytes bound): save the data to a file",
				                     (unsigned long long)max_nonregular);
			}
			b = candor__realloc(buf, ncap);
			if (!b) {
				close(fd);
				candor__free(buf);
				return CANDOR_ENOMEM;
			}
			buf = b;
			cap = ncap;
		}
		want = cap - n - 1;
		got = read(fd, buf + n, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			candor_status st = candor__error(CANDOR_EIO, name, 0, 0, "read failed: %s",
			                                 strerror(errno));
			close(fd);
			candor__free(buf);
			return st;
		}
		if (got == 0)
			break;
		if (!regular && n + (size_t)got > max_nonregular) {
			close(fd);
			candor__free(buf);
			return candor__error(CANDOR_EPARSE, name, 0, 0,
			                     "more than %llu bytes from a pipe or device (the "
			                     "max_stream_bytes bound): save the data to a file",
			                     (unsigned long long)max_nonregular);
		}
		/* stop after a NUL byte or inside an over-long line */
		for (size_t i = n; i < n + (size_t)got; i++) {
			const char c = buf[i];

			if (c == '\0') {
				*stopped = true;
				break;
			}
			if (c == '\n' || c == '\r')
				run = 0;
			else if (++run > max_line) {
				*stopped = true;
				break;
			}
		}
		n += (size_t)got;
		if (*stopped)
			break;
	}
	close(fd);
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

/* Unlike mkstemp (always 0600), open with 0666 so that the user's umask
 * decides the final file's permissions, as for any file a tool writes. The
 * suffix only needs to be unlikely to collide: O_EXCL makes it safe. */
int candor__open_temp(const char *path, char **tmp_out)
{
	static _Thread_local uint64_t counter;
	const size_t len = strlen(path);
	char *tmp = candor__malloc(len + sizeof(".tmp-0123456789ab"));
	uint64_t x = candor__stream_seed((uint64_t)getpid(), (uint64_t)pthread_self(),
	                                 (uint64_t)(uintptr_t)&counter);

	*tmp_out = NULL;
	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	for (int attempt = 0; attempt < 100; attempt++) {
		int fd;

		x = candor__splitmix64(x ^ ++counter);
		snprintf(tmp, len + sizeof(".tmp-0123456789ab"), "%s.tmp-%012llx", path,
		         (unsigned long long)(x & 0xffffffffffffULL));
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*tmp_out = tmp;
			return fd;
		}
		if (errno != EEXIST)
			break;
	}
	candor__free(tmp);
	return -1;
}

void candor__text_position(const char *text, size_t len, size_t off, uint64_t *line,
                           uint64_t *col)
{
	size_t start = 0;
	uint64_t l = 1;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			start = i + 1;
		}
	}
	*line = l;
	*col = (uint64_t)(off - start) + 1;
}
