/*
 * children.c - the registry of live model-command process groups.
 *
 * This is the one piece of process-wide mutable state in libcandor, and it
 * exists for one reason: when the host is killed (SIGTERM, SIGINT, SIGHUP),
 * the commands started by candor_model_cmd_new() run in process groups of
 * their own (so that a timeout can kill the shell and all it started), so
 * the terminal's or the service manager's signal does not reach them, and
 * nobody would kill them: they would run on as orphans. A host's signal
 * handler cannot reach the model handles (they live on other stacks and
 * threads), so the library keeps the list, and candor_terminate_children()
 * walks it.
 *
 * Async-signal-safety: the list is a fixed array of lock-free atomic pids;
 * adding and removing are single compare-and-swap operations, and the
 * handler only loads and calls kill(), which POSIX lists as safe. A pid is
 * removed *before* its process is reaped (or just after a WNOHANG reap, while
 * no other process can hold that group id yet), so a group id never names a
 * stranger's group.
 */
#include <signal.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "models/models_int.h"

#define MAX_CHILDREN 256 /* live model commands per process (docs/explain.md) */

static _Atomic pid_t children[MAX_CHILDREN];

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the registry needs lock-free atomics");

int candor__children_add(pid_t pgid)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		pid_t expected = 0;

		if (atomic_compare_exchange_strong(&children[i], &expected, pgid))
			return 0;
	}
	return -1;
}

void candor__children_remove(pid_t pgid)
{
	if (pgid <= 0)
		return;
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		pid_t expected = pgid;

		if (atomic_compare_exchange_strong(&children[i], &expected, 0))
			return;
	}
}

void candor_terminate_children(void)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		const pid_t pgid = atomic_load(&children[i]);

		if (pgid > 0)
			kill(-pgid, SIGKILL);
	}
}
