/*
 * error.c - the thread-local error record and status names.
 *
 * The record lives in thread-local storage, so concurrent calls on different
 * handles never see each other's messages. Its message and path are not cut
 * at a fixed size: each lives in a small buffer inside the record and moves
 * to the heap when it is longer (up to CANDOR_ERROR_MAX_TEXT, beyond which it
 * is cut with a "..." marker). A thread's heap text is freed at its exit by a
 * pthread key destructor. An out-of-memory failure must not allocate: it
 * writes a fixed message into the inline buffer, and a text that cannot get
 * its heap buffer is cut to the inline one, with the marker.
 *
 * The text recorded may come from the record itself (a caller forwarding
 * candor_last_error()->message into a new error): it is always written to
 * storage other than the one it is read from, then swapped in.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

#define INLINE_TEXT 256
static const char marker[] = "...";

typedef struct text {
	char *heap;              /* NULL while the text fits `inl` */
	char inl[INLINE_TEXT];
} text;

typedef struct record {
	candor_error pub;        /* what candor_last_error() shows */
	text message, path;
	bool keyed;              /* the exit destructor knows this record */
} record;

static _Thread_local record tls;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static bool exit_key_ok;

static void release(void *p)
{
	record *r = p;

	free(r->message.heap);
	free(r->path.heap);
	r->message.heap = r->path.heap = NULL;
	r->pub.message = r->message.inl;
	r->pub.path = r->path.inl;
}

static void make_key(void)
{
	exit_key_ok = pthread_key_create(&exit_key, release) == 0;
}

/* The record of this thread, with its views pointing at its text. */
static record *rec(void)
{
	record *r = &tls;

	if (!r->pub.message) {
		r->pub.message = r->message.heap ? r->message.heap : r->message.inl;
		r->pub.path = r->path.heap ? r->path.heap : r->path.inl;
	}
	return r;
}

/* The longest prefix of s[0..n) that ends on a UTF-8 character boundary. */
static size_t char_boundary(const char *s, size_t n)
{
	size_t k = n;

	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k;
}

/* Cut buf (holding `len` > cap - 1 bytes of text, `cap` bytes of room, at
 * least sizeof(marker)) to fit, ending in the marker. */
static void cut(char *buf, size_t cap)
{
	size_t k = char_boundary(buf, cap - sizeof(marker));

	memcpy(buf + k, marker, sizeof(marker));
}

/* A text formatted but not yet installed: on the heap, or in `small`. */
typedef struct pending {
	char *heap;
	char small[INLINE_TEXT];
} pending;

/* Make the pending text the text of t (freeing t's old heap text). */
static void install(record *r, text *t, pending *p)
{
	char *old = t->heap;

	t->heap = p->heap;
	if (!p->heap)
		memcpy(t->inl, p->small, strlen(p->small) + 1);
	free(old);
	if (t->heap && !r->keyed) {
		pthread_once(&exit_once, make_key);
		if (exit_key_ok && pthread_setspecific(exit_key, r) == 0)
			r->keyed = true;
	}
}

static void install_str(record *r, text *t, const char *small)
{
	pending p = { NULL, "" };

	memcpy(p.small, small, strlen(small) + 1);
	install(r, t, &p);
}

static void format(pending *p, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	p->heap = NULL;
	va_copy(again, ap);
	n = vsnprintf(p->small, sizeof(p->small), fmt, ap);
	if (n < 0) {
		memcpy(p->small, "(unprintable message)", sizeof("(unprintable message)"));
	} else if ((size_t)n >= sizeof(p->small)) {
		const size_t cap = (size_t)n + 1 > CANDOR_ERROR_MAX_TEXT + 1 ? CANDOR_ERROR_MAX_TEXT + 1
		                                                            : (size_t)n + 1;

		p->heap = malloc(cap);
		if (!p->heap) {
			cut(p->small, sizeof(p->small));
		} else {
			vsnprintf(p->heap, cap, fmt, again);
			if ((size_t)n >= cap)
				cut(p->heap, cap);
		}
	}
	va_end(again);
}

static void format_str(pending *p, const char *fmt, ...) CANDOR__PRINTF(2, 3);
static void format_str(pending *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format(p, fmt, ap);
	va_end(ap);
}

static void publish(record *r)
{
	r->pub.message = r->message.heap ? r->message.heap : r->message.inl;
	r->pub.path = r->path.heap ? r->path.heap : r->path.inl;
}

const candor_error *candor_last_error(void)
{
	return &rec()->pub;
}

void candor_error_clear(void)
{
	record *r = rec();

	r->pub.status = CANDOR_OK;
	r->pub.line = r->pub.column = 0;
	install_str(r, &r->message, "");
	install_str(r, &r->path, "");
	publish(r);
}

void candor__error_reset(void)
{
	candor_error_clear();
}

candor_status candor__error(candor_status status, const char *path, uint64_t line,
                            uint64_t column, const char *fmt, ...)
{
	record *r = rec();
	pending msg, where;
	va_list ap;

	/* Both texts are made before either is replaced: either may be read
	 * from the record's own text. */
	va_start(ap, fmt);
	format(&msg, fmt, ap);
	va_end(ap);
	format_str(&where, "%s", path ? path : "");
	install(r, &r->message, &msg);
	install(r, &r->path, &where);
	r->pub.status = status;
	r->pub.line = line;
	r->pub.column = column;
	publish(r);
	return status;
}

candor_status candor__oom(void)
{
	record *r = rec();

	r->pub.status = CANDOR_ENOMEM;
	r->pub.line = r->pub.column = 0;
	install_str(r, &r->message, "out of memory");
	install_str(r, &r->path, "");
	publish(r);
	return CANDOR_ENOMEM;
}

candor_status candor__error_save(candor__saved_error *s)
{
	const candor_error *e = candor_last_error();

	s->status = e->status;
	s->line = e->line;
	s->column = e->column;
	s->message = strdup(e->message);
	s->path = strdup(e->path);
	return e->status;
}

candor_status candor__error_restore(candor__saved_error *s)
{
	candor_status st = s->status;

	if (st == CANDOR_OK)
		candor_error_clear();
	else if (!s->message || !s->path || (st == CANDOR_ENOMEM && strcmp(s->message, "out of memory") == 0))
		candor__oom();
	else
		candor__error(st, s->path[0] ? s->path : NULL, s->line, s->column, "%s", s->message);
	free(s->message);
	free(s->path);
	s->message = s->path = NULL;
	return st;
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
	return CANDOR_VERSION;
}

int candor_version_number(void)
{
	return CANDOR_VERSION_NUMBER;
}

candor_status candor__options_init(void *opts, size_t size, unsigned int version,
                                   unsigned int current, const char *what)
{
	if (!opts)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "%s: NULL options", what);
	if (size == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "%s: version %u is unknown (this library knows 1 to %u)", what,
		                     version, current);
	memset(opts, 0, size);
	memcpy(opts, &version, sizeof(version));
	return CANDOR_OK;
}
