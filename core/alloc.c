/*
 * alloc.c - the one place candor allocates memory.
 *
 * Every wrapper records the out-of-memory error itself, so callers just
 * propagate CANDOR_ENOMEM. The fail-after-N hook (per thread, off by
 * default) lets tests walk every allocation failure path under ASan, in the
 * manner of libgit2's failalloc.c.
 */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

static _Thread_local long failalloc_countdown = -1;

void candor__failalloc_arm(long n)
{
	failalloc_countdown = n;
}

static bool should_fail(void)
{
	if (failalloc_countdown < 0)
		return false;
	if (failalloc_countdown == 0) {
		failalloc_countdown = -1;
		return true;
	}
	failalloc_countdown--;
	return false;
}

void *candor__malloc(size_t size)
{
	void *p = should_fail() ? NULL : malloc(size ? size : 1);

	if (!p)
		candor__oom();
	return p;
}

void *candor__calloc(size_t n, size_t size)
{
	void *p = should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);

	if (!p)
		candor__oom();
	return p;
}

void *candor__mallocarray(size_t n, size_t size)
{
	size_t total;

	if (candor__mul_overflow(n, size, &total)) {
		candor__oom();
		return NULL;
	}
	return candor__malloc(total);
}

void *candor__realloc(void *p, size_t size)
{
	void *q = should_fail() ? NULL : realloc(p, size ? size : 1);

	if (!q)
		candor__oom();
	return q;
}

void *candor__reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (candor__mul_overflow(n, size, &total)) {
		candor__oom();
		return NULL;
	}
	return candor__realloc(p, total);
}

char *candor__strndup(const char *s, size_t n)
{
	char *d = candor__malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

char *candor__strdup(const char *s)
{
	return candor__strndup(s, strlen(s));
}

void candor__free(void *p)
{
	free(p);
}
