/*
 * file.c - small file helpers shared by the readers and the writers.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ===== temporaries ==========================================================
 *
 * Every output is built under a temporary name beside its target and renamed
 * into place. The name is
 *
 *     TARGET.tmp-PID.START.BOOT-XXXXXX
 *
 * where PID is the writing process, START its start time (clock ticks since
 * boot, /proc/PID/stat field 22), BOOT the first 8 hex digits of the kernel's
 * boot id, and XXXXXX mkdtemp's random part. That is enough for a later run to
 * know a temporary whose process is dead (another boot, no such pid, or a pid
 * now reused by a process that started at another time) and remove it
 * (candor__temp_sweep), while never touching one of a live process.
 *
 * A temporary is always a directory made with mkdtemp (mode 0700, so nobody
 * else can create a name inside it); a file output is written as
 * TEMPDIR/BASENAME inside it, so a library that reopens the file by name
 * (libxlsxwriter does) can never be led through a symlink planted by another
 * user, and the final file still gets mode 0666 less the umask. */

/* Start time (field 22 of /proc/PID/stat) of `pid`; false when unknown. */
static bool proc_start(long pid, unsigned long long *start)
{
	char path[64], buf[1024];
	const char *p;
	FILE *f;
	size_t n;
	int field = 2; /* the command name is field 2 */

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p)
		return false;
	for (p++; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field != 22 || *p < '0' || *p > '9')
		return false;
	*start = strtoull(p, NULL, 10);
	return true;
}

/* The first 8 hex digits of the boot id, "00000000" when unknown. */
static void boot_id(char out[9])
{
	char buf[64];
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	size_t n = 0, k = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	for (size_t i = 0; i < n && k < 8; i++)
		if (isxdigit((unsigned char)buf[i]))
			out[k++] = (char)tolower((unsigned char)buf[i]);
	if (k < 8)
		k = 0;
	for (; k < 8; k++)
		out[k] = '0';
	out[8] = '\0';
}

int candor__temp_tag(char *buf, size_t size)
{
	unsigned long long start = 0;
	char boot[9];

	proc_start((long)getpid(), &start);
	boot_id(boot);
	return snprintf(buf, size, "%ld.%llu.%s", (long)getpid(), start, boot);
}

/* The folder of `path` ("." when none) and its last component. */
static bool split_path(const char *path, char *dir, size_t dsize, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t dlen;

	if (!slash) {
		*base = path;
		snprintf(dir, dsize, ".");
		return true;
	}
	*base = slash + 1;
	dlen = slash == path ? 1 : (size_t)(slash - path);
	if (dlen >= dsize)
		return false;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	return true;
}

int candor__temp_dir(const char *path, char **dir_out)
{
	char tag[96];
	size_t len = strlen(path), size;
	char *tmp;

	*dir_out = NULL;
	while (len > 1 && path[len - 1] == '/')
		len--;
	candor__temp_sweep(path); /* what killed runs left for this target */
	candor__temp_tag(tag, sizeof(tag));
	size = len + strlen(tag) + sizeof(".tmp--XXXXXX");
	tmp = candor__malloc(size);
	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	snprintf(tmp, size, "%.*s.tmp-%s-XXXXXX", (int)len, path, tag);
	if (!mkdtemp(tmp)) {
		const int e = errno;

		candor__free(tmp);
		errno = e;
		return -1;
	}
	*dir_out = tmp;
	return 0;
}

int candor__temp_file(const char *path, char **tmp_out)
{
	char *dir;
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t size;

	*tmp_out = NULL;
	if (!*base) {
		errno = EISDIR;
		return -1;
	}
	if (candor__temp_dir(path, &dir) != 0)
		return -1;
	size = strlen(dir) + strlen(base) + 2;
	*tmp_out = candor__malloc(size);
	if (!*tmp_out) {
		rmdir(dir);
		candor__free(dir);
		errno = ENOMEM;
		return -1;
	}
	snprintf(*tmp_out, size, "%s/%s", dir, base);
	candor__free(dir);
	return 0;
}

int candor__open_temp(const char *path, char **tmp_out)
{
	int fd, e;

	if (candor__temp_file(path, tmp_out) != 0)
		return -1;
	fd = open(*tmp_out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd >= 0)
		return fd;
	e = errno;
	candor__temp_discard(*tmp_out);
	candor__free(*tmp_out);
	*tmp_out = NULL;
	errno = e;
	return -1;
}

/* Remove the private folder that holds `tmp` (candor__temp_file's name). */
static void rmdir_parent(const char *tmp)
{
	char dir[4096];
	const char *base;

	if (split_path(tmp, dir, sizeof(dir), &base))
		rmdir(dir);
}

int candor__temp_commit(const char *tmp, const char *path)
{
	if (rename(tmp, path) != 0)
		return -1;
	rmdir_parent(tmp);
	return 0;
}

void candor__temp_discard(const char *tmp)
{
	if (!tmp)
		return;
	unlink(tmp);
	rmdir_parent(tmp);
}

/* Remove the tree under the open folder `dfd` (closed here), to `depth`
 * levels; symlinks are removed, never followed. */
static void remove_at(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;

	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat sb;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (depth > 0) {
				const int sub = openat(dfd, e->d_name,
				                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub >= 0)
					remove_at(sub, depth - 1);
			}
			unlinkat(dfd, e->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dfd, e->d_name, 0);
		}
	}
	closedir(d);
}

void candor__remove_tree(const char *path)
{
	struct stat sb;
	int fd;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		remove_at(fd, 16);
	rmdir(path);
}

/* Parse "PID.START.BOOT-XXXXXX" (the part after "TARGET.tmp-"). */
static bool parse_tag(const char *s, long *pid, unsigned long long *start, char boot[9])
{
	char *end;
	size_t k;

	if (*s < '1' || *s > '9')
		return false;
	errno = 0;
	*pid = strtol(s, &end, 10);
	if (errno || *end != '.' || *pid <= 0)
		return false;
	s = end + 1;
	if (*s < '0' || *s > '9')
		return false;
	*start = strtoull(s, &end, 10);
	if (errno || *end != '.')
		return false;
	s = end + 1;
	for (k = 0; k < 8; k++) {
		if (!isxdigit((unsigned char)s[k]) || isupper((unsigned char)s[k]))
			return false;
		boot[k] = s[k];
	}
	boot[8] = '\0';
	s += 8;
	if (*s++ != '-')
		return false;
	for (k = 0; k < 6; k++)
		if (!isalnum((unsigned char)s[k]))
			return false;
	return s[6] == '\0';
}

bool candor__temp_is_stale(const char *tag)
{
	long pid;
	unsigned long long start, now;
	char boot[9], ours[9];

	if (!parse_tag(tag, &pid, &start, boot))
		return false;
	boot_id(ours);
	if (strcmp(ours, "00000000") != 0 && strcmp(boot, "00000000") != 0 &&
	    strcmp(boot, ours) != 0)
		return true; /* written before the last boot */
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return true; /* no such process */
	if (start != 0 && proc_start(pid, &now) && now != start)
		return true; /* the pid now belongs to another process */
	return false;
}

void candor__temp_sweep(const char *path)
{
	char dir[4096], copy[4096], prefix[4096 + 8];
	const char *base;
	size_t len = strlen(path), plen;
	DIR *d;
	struct dirent *e;

	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len >= sizeof(dir))
		return;
	memcpy(copy, path, len);
	copy[len] = '\0';
	if (!split_path(copy, dir, sizeof(dir), &base) || !*base)
		return;
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%s.tmp-", base);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char sub[8200];

		if (strncmp(e->d_name, prefix, plen) != 0 || !candor__temp_is_stale(e->d_name + plen))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) < sizeof(sub))
			candor__remove_tree(sub);
	}
	closedir(d);
}

/* ===== public face of the temporaries ==================================== */

candor_status candor_temp_dir_new(char **out, const char *path)
{
	if (!out || !path || !path[0])
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "temp_dir_new: no path");
	if (candor__temp_dir(path, out) != 0)
		return errno == ENOMEM ? candor__oom()
		                       : candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s",
		                                       strerror(errno));
	return CANDOR_OK;
}

int candor_temp_prefix(char *buf, size_t size, const char *path)
{
	char tag[96];
	size_t len, b;

	if (!path)
		return -1;
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	for (b = len; b > 0 && path[b - 1] != '/'; b--)
		;
	candor__temp_tag(tag, sizeof(tag));
	return snprintf(buf, size, "%.*s.tmp-%s-", (int)(len - b), path + b, tag);
}

void candor_temp_remove(const char *tmp)
{
	if (tmp)
		candor__remove_tree(tmp);
}

void candor_temp_sweep(const char *path)
{
	if (path && path[0])
		candor__temp_sweep(path);
}

void candor_free(void *p)
{
	candor__free(p);
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
