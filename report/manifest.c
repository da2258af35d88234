/*
 * manifest.c - the reproducibility manifest's pieces that touch files:
 * SHA-256 digests of the inputs (nettle, a well-kept implementation rather
 * than our own) and writing a report folder atomically.
 *
 * The folder is built complete under DIR.tmp-XXXXXX beside DIR, then
 * swapped into place with renameat2(RENAME_EXCHANGE) (or a plain rename
 * when DIR does not exist yet), and the old report is removed afterwards.
 * A failure at any step before the swap removes the temporary folder and
 * leaves an earlier DIR exactly as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "report_int.h"

candor_status candor_sha256_file(char out[65], const char *path)
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	unsigned char buf[65536];
	FILE *f;
	size_t n;

	if (!out || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "sha256: no path");
	f = fopen(path, "rb");
	if (!f)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
	sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha256_update(&ctx, n, buf);
	if (ferror(f)) {
		fclose(f);
		return candor__error(CANDOR_EIO, path, 0, 0, "read error");
	}
	fclose(f);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		static const char hex[] = "0123456789abcdef";
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
	return CANDOR_OK;
}

/* Remove a folder tree we created (no symlinks are followed). */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)) != NULL) {
			char sub[4096];
			struct stat sb;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
				remove_tree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* An existing DIR may be replaced only when it is empty or holds an
 * earlier report: we never delete a folder of someone else's files. */
static candor_status check_target(const char *dir, bool *exists)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	bool empty = true, report = false;

	*exists = false;
	if (lstat(dir, &sb) != 0) {
		if (errno == ENOENT)
			return CANDOR_OK;
		return candor__error(CANDOR_EIO, dir, 0, 0, "cannot use the output folder: %s", strerror(errno));
	}
	if (!S_ISDIR(sb.st_mode))
		return candor__error(CANDOR_EINVAL, dir, 0, 0, "output exists and is not a folder");
	d = opendir(dir);
	if (!d)
		return candor__error(CANDOR_EIO, dir, 0, 0, "cannot read the output folder: %s", strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		empty = false;
		if (strcmp(e->d_name, "audit.json") == 0)
			report = true;
	}
	closedir(d);
	if (!empty && !report)
		return candor__error(CANDOR_EINVAL, dir, 0, 0,
		                     "output folder is not empty and holds no earlier report (no audit.json); "
		                     "refusing to replace it");
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
	/* audit.json last: a folder with audit.json is a complete report */
	candor__fmt(path, sizeof(path), "%s/audit.json", tmp);
	return candor_audit_doc_write_json(doc, path);
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
	tmp = candor__malloc(len + sizeof(".tmp-XXXXXX"));
	if (!tmp)
		return CANDOR_ENOMEM;
	memcpy(tmp, dir, len);
	memcpy(tmp + len, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	if (!mkdtemp(tmp)) {
		st = candor__error(CANDOR_EIO, dir, 0, 0, "cannot create the output folder: %s", strerror(errno));
		candor__free(tmp);
		return st;
	}
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
	remove_tree(tmp);
	candor__free(tmp);
	return st;
}
