/*
 * test_temp.c - temporaries of outputs (core/file.c; docs/cli-outputs.md).
 *
 * Oracles: the file system (lstat of what was made: its type, its mode, its
 * folder) and the kernel's own records (/proc/self/stat read with sscanf,
 * /proc/sys/kernel/random/boot_id), never the library's formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core_int.h"

static char dir[256];

static unsigned long long my_start(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	unsigned long long v = 0;
	char *p;

	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')') + 2;
	/* fields 3..21 skipped, 22 read */
	sscanf(p, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu", &v);
	return v;
}

static void my_boot(char out[9])
{
	char buf[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	size_t k = 0;

	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (char *p = buf; *p && k < 8; p++)
		if (*p != '-')
			out[k++] = *p;
	out[8] = '\0';
}

/* The file lives in a private 0700 folder named TARGET.tmp-PID.START.BOOT-XXXXXX
 * beside the target; commit renames it over the target and removes the folder. */
static void test_private_folder(void **state)
{
	char target[300], want[400], boot[9], *tmp = NULL, *slash;
	struct stat sb;
	int fd;

	(void)state;
	snprintf(target, sizeof(target), "%s/out.csv", dir);
	fd = candor__open_temp(target, &tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
	assert_int_equal(lstat(tmp, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	slash = strrchr(tmp, '/');
	assert_string_equal(slash + 1, "out.csv");
	*slash = '\0';
	assert_int_equal(lstat(tmp, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	my_boot(boot);
	snprintf(want, sizeof(want), "%s/out.csv.tmp-%ld.%llu.%s-", dir, (long)getpid(), my_start(),
	         boot);
	assert_int_equal(strncmp(tmp, want, strlen(want)), 0);
	assert_int_equal(strlen(tmp), strlen(want) + 6);
	*slash = '/';
	assert_int_equal(candor__temp_commit(tmp, target), 0);
	assert_int_equal(lstat(target, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	*slash = '\0';
	assert_int_not_equal(lstat(tmp, &sb), 0); /* the private folder is gone */
	candor__free(tmp);
	unlink(target);
}

static void test_stale(void **state)
{
	char tag[128], boot[9];
	pid_t dead = fork();

	(void)state;
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	my_boot(boot);
	snprintf(tag, sizeof(tag), "%ld.%llu.%s-abc123", (long)getpid(), my_start(), boot);
	assert_false(candor__temp_is_stale(tag)); /* ours: alive */
	snprintf(tag, sizeof(tag), "%ld.%llu.%s-abc123", (long)getpid(), my_start() + 1, boot);
	assert_true(candor__temp_is_stale(tag)); /* our pid, another start: reused */
	snprintf(tag, sizeof(tag), "%ld.5.%s-abc123", (long)dead, boot);
	assert_true(candor__temp_is_stale(tag)); /* no such process */
	snprintf(tag, sizeof(tag), "%ld.%llu.%s-abc123", (long)getpid(), my_start(),
	         boot[0] == 'f' ? "00000001" : "ffffffff");
	assert_true(candor__temp_is_stale(tag)); /* another boot */
	assert_false(candor__temp_is_stale("abc"));
	snprintf(tag, sizeof(tag), "%ld.5.%s-abc12", (long)dead, boot);
	assert_false(candor__temp_is_stale(tag)); /* not exactly our form */
	snprintf(tag, sizeof(tag), "%ld.5.%s-abc1234", (long)dead, boot);
	assert_false(candor__temp_is_stale(tag));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_folder),
		cmocka_unit_test(test_stale),
	};
	int rc;

	snprintf(dir, sizeof(dir), "%s/candor-temp-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
