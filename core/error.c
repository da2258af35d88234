/*
 * error.c - the thread-local error record and status names.
 *
 * The record lives in thread-local storage, so concurrent calls on different
 * handles never see each other's messages. An out-of-memory failure must not
 * allocate, so it writes a fixed message into the same preallocated record.
 */
#include <stdio.h>
#include <string.h>

#include "core_int.h"

static _Thread_local candor_error tls_error;

const candor_error *candor_last_error(void)
{
	return &tls_error;
}

void candor_error_clear(void)
{
	memset(&tls_error, 0, sizeof(tls_error));
}

void candor__error_reset(void)
{
	candor_error_clear();
}

candor_status candor__error(candor_status status, const char *path, uint64_t line,
                            uint64_t column, const char *fmt, ...)
{
	candor_error *e = &tls_error;
	va_list ap;

	e->status = status;
	e->line = line;
	e->column = column;
	if (path)
		snprintf(e->path, sizeof(e->path), "%s", path);
	else
		e->path[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return status;
}

candor_status candor__oom(void)
{
	candor_error *e = &tls_error;

	e->status = CANDOR_ENOMEM;
	e->path[0] = '\0';
	e->line = e->column = 0;
	memcpy(e->message, "out of memory", sizeof("out of memory"));
	return CANDOR_ENOMEM;
}

const char *candor_status_str(candor_status status)
{
	switch (status) {
	case CANDOR_OK: return "success";
	case CANDOR_EINVAL: return "invalid argument";
	case CANDOR_EPARSE: return "parse error";
	case CANDOR_EIO: return "input/output error";
	case CANDOR_ENOMEM: return "out of memory";
	case CANDOR_EUNSUPPORTED: return "unsupported";
	case CANDOR_EDOMAIN: return "undefined for this input";
	case CANDOR_ENOTFOUND: return "not found";
	case CANDOR_EINTERNAL: return "internal error";
	}
	return "unknown status";
}

const char *candor_version(void)
{
	return CANDOR_VERSION_STRING;
}
