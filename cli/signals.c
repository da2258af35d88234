/*
 * signals.c - what a killed candor leaves behind: nothing.
 *
 * On SIGTERM, SIGINT or SIGHUP the handler (1) kills the model commands'
 * process groups (candor_terminate_children: they run in groups of their own,
 * so the signal does not reach them), (2) removes this process's temporaries
 * of every output the run watches (cli_check_paths registers them), and (3)
 * restores the default action and re-raises the signal, so the parent sees
 * candor die of it (exit status 128+N in a shell).
 *
 * The temporaries of a target are the names that start with
 * candor_temp_prefix(), "BASENAME.tmp-PID.START.BOOT-": only this process
 * makes those, in files of the library (the report folder, the workbook, a
 * CSV) as in the CLI's own. The prefix is computed when the output is
 * watched; the handler only uses open, getdents64, unlinkat and the like
 * (raw system calls, all async-signal-safe), on fixed buffers, to a bounded
 * depth. What a SIGKILL leaves, the stale sweep of a later run removes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

#define MAX_WATCH 16
#define REMOVE_DEPTH 6

typedef struct watch {
	char dir[4096];   /* the target's folder */
	char prefix[512]; /* BASENAME.tmp-PID.START.BOOT- */
} watch;

static watch watches[MAX_WATCH];
static atomic_int nwatches;
static atomic_flag cleaning = ATOMIC_FLAG_INIT;
static atomic_int committing; /* a thread is renaming outputs into place */

static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };

struct linux_dirent64_ {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

bool cli_signals_watch(const char *path)
{
	const int i = atomic_load(&nwatches);
	watch *w;
	size_t len = strlen(path);
	const char *slash;

	if (i >= MAX_WATCH)
		return false;
	w = &watches[i];
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len >= sizeof(w->dir))
		return false;
	memcpy(w->dir, path, len);
	w->dir[len] = '\0';
	slash = strrchr(w->dir, '/');
	if (!slash)
		strcpy(w->dir, ".");
	else if (slash == w->dir)
		w->dir[1] = '\0';
	else
		w->dir[slash - w->dir] = '\0';
	if (candor_temp_prefix(w->prefix, sizeof(w->prefix), path) >= (int)sizeof(w->prefix))
		return false;
	atomic_store(&nwatches, i + 1); /* published only once complete */
	return true;
}

/* Remove `name` in folder `dfd`: a file, or a folder tree to `depth`. */
static void remove_at(int dfd, const char *name, int depth)
{
	char buf[2048];
	int fd;

	if (unlinkat(dfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	/* read, remove what was read, and read again from the start until only
	 * "." and ".." remain (removing while reading may skip entries) */
	for (int round = 0; round < 64 && depth > 0; round++) {
		long n, seen = 0;

		lseek(fd, 0, SEEK_SET);
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			for (long off = 0; off < n;) {
				struct linux_dirent64_ *e = (struct linux_dirent64_ *)(buf + off);

				off += e->d_reclen;
				if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
					continue;
				seen++;
				remove_at(fd, e->d_name, depth - 1);
			}
		}
		if (seen == 0)
			break;
	}
	close(fd);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

static void remove_mine(const watch *w)
{
	char buf[4096];
	const size_t plen = strlen(w->prefix);
	const int fd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (fd < 0)
		return;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64_ *e = (struct linux_dirent64_ *)(buf + off);

			off += e->d_reclen;
			if (strncmp(e->d_name, w->prefix, plen) == 0)
				remove_at(fd, e->d_name, REMOVE_DEPTH);
		}
	}
	close(fd);
}

static void on_signal(int sig)
{
	const int saved = errno;
	struct sigaction dfl;
	sigset_t set;

	candor_terminate_children();
	/* in another thread, a commit is renaming the outputs into place (that
	 * thread blocks these signals meanwhile): let it finish, so that the
	 * set is never left half renamed; bounded, at 5 s */
	for (int i = 0; i < 5000 && atomic_load(&committing); i++) {
		const struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	if (!atomic_flag_test_and_set(&cleaning)) {
		const int n = atomic_load(&nwatches);

		for (int i = 0; i < n; i++)
			remove_mine(&watches[i]);
	}
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	errno = saved; /* not reached for these signals */
}

void cli_signals_hold(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
	atomic_fetch_add(&committing, 1);
}

void cli_signals_release(const sigset_t *old)
{
	atomic_fetch_sub(&committing, 1);
	pthread_sigmask(SIG_SETMASK, old, NULL); /* a pending signal acts now */
}

void cli_signals_init(void)
{
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa, old;

		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue; /* nohup, or a background job of a shell: keep it */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		for (size_t j = 0; j < sizeof(sigs) / sizeof(sigs[0]); j++)
			sigaddset(&sa.sa_mask, sigs[j]);
		sigaction(sigs[i], &sa, NULL);
	}
}
