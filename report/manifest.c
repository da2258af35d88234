/*
 * manifest.c - writing a report folder atomically (the manifest's digests
 * of the inputs are the audit module's: audit/manifest.c).
 *
 * The folder is built complete under DIR.tmp-PID.START.BOOT-XXXXXX beside
 * DIR (core/file.c), then swapped into place with renameat2(RENAME_EXCHANGE)
 * (or a plain rename when DIR does not exist yet), and the old report is
 * removed afterwards. A failure at any step before the swap removes the
 * temporary folder and leaves an earlier DIR exactly as it was. An existing
 * DIR is replaced only when it is empty or is a report folder candor made
 * (its .candor-report lists every entry in it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_int.h"

/* ===== the folder's own list of files ======================================
 *
 * A report folder holds CANDOR_MARKER, a list of every file and folder candor
 * wrote into it ("f audit.json", "d charts", ...), written last. An existing
 * --out folder is replaced only when it is empty, or when it holds that list
 * and nothing that is not on it: a folder of someone else's files (even one
 * with an audit.json in it) is never removed. */
#define CANDOR_MARKER ".candor-report"
#define MARKER_HEAD "candor report folder 1\n"
#define MARKER_MAX (1u << 20)  /* bytes of the list */
#define TREE_DEPTH 4           /* levels of folders in a report */

/* Write "f REL" / "d REL" for each entry under dir/rel, folders first. */
static candor_status list_tree(FILE *out, const char *dir, const char *rel, int depth)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	candor_status st = CANDOR_OK;

	candor__fmt(path, sizeof(path), "%s%s%s", dir, rel[0] ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
	while (st == CANDOR_OK && (e = readdir(d)) != NULL) {
		char sub[4096], full[8200];
		struct stat sb;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (!rel[0] && strcmp(e->d_name, CANDOR_MARKER) == 0))
			continue;
		if (strchr(e->d_name, '\n'))
			st = candor__error(CANDOR_EINTERNAL, path, 0, 0, "a report file name holds a line break");
		candor__fmt(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
		candor__fmt(full, sizeof(full), "%s/%s", dir, sub);
		if (st || lstat(full, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			fprintf(out, "d %s\n", sub);
			if (depth > 0)
				st = list_tree(out, dir, sub, depth - 1);
		} else {
			fprintf(out, "f %s\n", sub);
		}
	}
	closedir(d);
	return st;
}

static candor_status write_marker(const char *tmp)
{
	char path[4096];
	FILE *f;
	candor_status st;

	candor__fmt(path, sizeof(path), "%s/%s", tmp, CANDOR_MARKER);
	f = fopen(path, "wx");
	if (!f)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
	fputs(MARKER_HEAD, f);
	st = list_tree(f, tmp, "", TREE_DEPTH);
	if (fflush(f) != 0 || ferror(f)) {
		if (st == CANDOR_OK)
			st = candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(errno));
	}
	if (fclose(f) != 0 && st == CANDOR_OK)
		st = candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(errno));
	return st;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every entry under dir/rel must be on the sorted list `items` ("f REL",
 * "d REL"); *stray receives the first one that is not (its "f REL"). */
static candor_status walk_check(const char *dir, const char *rel, char **items, size_t n,
                                int depth, char *stray, size_t stray_size)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	candor_status st = CANDOR_OK;

	candor__fmt(path, sizeof(path), "%s%s%s", dir, rel[0] ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot read the output folder: %s",
		                     strerror(errno));
	while (st == CANDOR_OK && !stray[0] && (e = readdir(d)) != NULL) {
		char sub[4096], full[8200], item[4200];
		const char *key = item;
		struct stat sb;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (!rel[0] && strcmp(e->d_name, CANDOR_MARKER) == 0))
			continue;
		candor__fmt(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
		candor__fmt(full, sizeof(full), "%s/%s", dir, sub);
		if (lstat(full, &sb) != 0) {
			snprintf(stray, stray_size, "%s", sub);
			break;
		}
		candor__fmt(item, sizeof(item), "%c %s",
		            S_ISDIR(sb.st_mode) ? 'd' : S_ISREG(sb.st_mode) ? 'f' : '?', sub);
		if (!bsearch(&key, items, n, sizeof(*items), cmp_str)) {
			snprintf(stray, stray_size, "%s", sub);
			break;
		}
		if (S_ISDIR(sb.st_mode)) {
			if (depth <= 0)
				snprintf(stray, stray_size, "%s", sub);
			else
				st = walk_check(dir, sub, items, n, depth - 1, stray, stray_size);
		}
	}
	closedir(d);
	return st;
}

/* The existing folder `dir` holds exactly what its CANDOR_MARKER lists
 * (or nothing at all)? */
static candor_status check_owned(const char *dir)
{
	char path[4096], stray[4096] = "";
	char *text = NULL, **items = NULL;
	size_t len = 0, n = 0, cap = 0;
	struct stat sb;
	candor_status st;
	DIR *d;
	struct dirent *e;
	bool empty = true;

	d = opendir(dir);
	if (!d)
		return candor__error(CANDOR_EIO, dir, 0, 0, "cannot read the output folder: %s",
		                     strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	if (empty)
		return CANDOR_OK;
	candor__fmt(path, sizeof(path), "%s/%s", dir, CANDOR_MARKER);
	if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > (off_t)MARKER_MAX)
		return candor__error(CANDOR_EINVAL, dir, 0, 0,
		                     "output folder is not empty and is not a report folder candor "
		                     "made (no valid " CANDOR_MARKER "); refusing to replace it");
	st = candor__file_read(path, &text, &len);
	if (st)
		return st;
	if (len < sizeof(MARKER_HEAD) - 1 || memcmp(text, MARKER_HEAD, sizeof(MARKER_HEAD) - 1) != 0 ||
	    memchr(text, '\0', len) || text[len - 1] != '\n') {
		candor__free(text);
		return candor__error(CANDOR_EINVAL, path, 0, 0,
		                     "not a list of report files candor wrote; refusing to replace "
		                     "the output folder");
	}
	for (char *p = text + sizeof(MARKER_HEAD) - 1; *p; ) {
		char *nl = strchr(p, '\n');

		*nl = '\0';
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			char **ni = candor__reallocarray(items, ncap, sizeof(*items));

			if (!ni) {
				candor__free(items);
				candor__free(text);
				return CANDOR_ENOMEM;
			}
			items = ni;
			cap = ncap;
		}
		items[n++] = p;
		p = nl + 1;
	}
	if (n)
		qsort(items, n, sizeof(*items), cmp_str);
	st = walk_check(dir, "", items, n, TREE_DEPTH, stray, sizeof(stray));
	candor__free(items);
	candor__free(text);
	if (st == CANDOR_OK && stray[0])
		st = candor__error(CANDOR_EINVAL, dir, 0, 0,
		                   "output folder holds '%s', which candor did not write; refusing to "
		                   "replace it", stray);
	return st;
}

/* An existing DIR may be replaced only when it is empty or is a report
 * folder candor made and holds nothing else: we never delete a folder of
 * someone else's files. */
static candor_status check_target(const char *dir, bool *exists)
{
	struct stat sb;
	candor_status st;

	*exists = false;
	if (lstat(dir, &sb) != 0) {
		if (errno == ENOENT)
			return CANDOR_OK;
		return candor__error(CANDOR_EIO, dir, 0, 0, "cannot use the output folder: %s", strerror(errno));
	}
	if (!S_ISDIR(sb.st_mode))
		return candor__error(CANDOR_EINVAL, dir, 0, 0,
		                     "output exists and is not a folder (a symlink or a file is never "
		                     "replaced)");
	st = check_owned(dir);
	if (st)
		return st;
	*exists = true;
	return CANDOR_OK;
}

static candor_status build(const candor_audit_doc *doc, const char *tmp)
{
	char path[4096];
	candor_status st;

	candor__fmt(path, sizeof(path), "%s/charts", tmp);
	if (mkdir(path, 0777) != 0)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
	st = candor_report_charts(doc, path);
	if (st)
		return st;
	candor__fmt(path, sizeof(path), "%s/audit.xlsx", tmp);
	st = candor_report_workbook(doc, path);
	if (st)
		return st;
	candor__fmt(path, sizeof(path), "%s/report.pdf", tmp);
	st = candor_report_pdf(doc, path, NULL);
	if (st)
		return st;
	candor__fmt(path, sizeof(path), "%s/audit.json", tmp);
	st = candor_audit_doc_write_json(doc, path);
	if (st)
		return st;
	/* the list of what candor wrote last: it makes the folder one that a
	 * later run may replace */
	return write_marker(tmp);
}

candor_status candor_report_write_dir(const candor_audit_doc *doc, const char *dir)
{
	char *tmp = NULL;
	size_t len;
	bool exists;
	candor_status st;

	if (!doc || !dir || !dir[0])
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "report: no document or folder");
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len > 3000)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "output folder name is too long");
	st = check_target(dir, &exists);
	if (st)
		return st;
	/* DIR.tmp-PID.START.BOOT-XXXXXX (core/file.c): removes what killed runs
	 * left for DIR, and names this run's temporary so that a later run can
	 * tell when it is stale */
	if (candor__temp_dir(dir, &tmp) != 0)
		return errno == ENOMEM ? candor__oom()
		                       : candor__error(CANDOR_EIO, dir, 0, 0,
		                                       "cannot create the output folder: %s",
		                                       strerror(errno));
	chmod(tmp, 0755);
	st = build(doc, tmp);
	if (st == CANDOR_OK) {
		char *target = candor__strndup(dir, len);
		if (!target) {
			st = CANDOR_ENOMEM;
		} else if (exists) {
			/* swap atomically: the new report takes DIR's name, the old
			 * one takes the temporary name and is then removed */
			if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) != 0)
				st = candor__error(CANDOR_EIO, dir, 0, 0, "cannot replace the output folder: %s",
				                   strerror(errno));
		} else if (rename(tmp, target) != 0) {
			st = candor__error(CANDOR_EIO, dir, 0, 0, "cannot create the output folder: %s",
			                   strerror(errno));
		}
		candor__free(target);
	}
	/* on success tmp now holds the old report (or nothing); on failure
	 * it holds the half-built new one: remove it either way */
	candor__remove_tree(tmp);
	candor__free(tmp);
	return st;
}
