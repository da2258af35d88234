/*
 * check.c - a built audit document within the bounds of the reader.
 *
 * candor report --from reads audit.json with report/doc.c, which refuses
 * a text of over 32767 characters (Excel's cell limit), a key of over 256,
 * text that is not UTF-8, and numbers beyond +-1e300 (docs/report.md). The
 * audit builds its document in memory, so this walk holds the tree to the
 * same bounds before the document is handed out: an audit never makes a
 * document that its own reader would refuse. The numbers' domains (counts,
 * shares, p-values) hold by construction: the fairness module makes them,
 * and the options are checked (threads >= 0). The bounds must stay those
 * of report/doc.c (DV_MAX_STRING, DV_MAX_KEY, DV_MAX_MAGNITUDE).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit_int.h"
#include "datasets/datasets_int.h"

#define AUDIT_MAX_STRING 32767
#define AUDIT_MAX_KEY 256
#define AUDIT_MAX_MAGNITUDE 1e300

typedef struct walk {
	char path[240];
	size_t len;
} walk;

/* Characters (code points) of valid UTF-8 text; (size_t)-1 when not valid. */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;

	if (candor__utf8_valid_prefix((const unsigned char *)s, n) != n)
		return (size_t)-1;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Append ".key" or "[i]" to the path; returns the length to go back to. */
static size_t push(walk *w, const char *key, size_t idx)
{
	const size_t at = w->len;
	int k;

	if (key)
		k = snprintf(w->path + at, sizeof(w->path) - at, "%s%.40s", at ? "." : "", key);
	else
		k = snprintf(w->path + at, sizeof(w->path) - at, "[%zu]", idx);
	if (k > 0)
		w->len = at + (size_t)k < sizeof(w->path) ? at + (size_t)k : sizeof(w->path) - 1;
	return at;
}

static candor_status fail(const walk *w, const char *what)
{
	char path[sizeof(w->path)];

	/* names come from the data; messages reach terminals */
	memcpy(path, w->path, sizeof(path));
	for (char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0, "audit document: %s %s",
	                     w->len ? path : "the document", what);
}

static candor_status visit(walk *w, json_object *o, int depth)
{
	candor_status st = CANDOR_OK;

	if (depth > 32)
		return fail(w, "is nested too deeply");
	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, key, val)
		{
			const size_t at = push(w, key, 0);
			const size_t kc = chars(key, strlen(key));

			if (kc == (size_t)-1)
				st = fail(w, "is a key that is not valid UTF-8");
			else if (kc > AUDIT_MAX_KEY)
				st = fail(w, "is a key of over 256 characters");
			else
				st = visit(w, val, depth + 1);
			w->len = at;
			w->path[at] = '\0';
			if (st)
				return st;
		}
		return CANDOR_OK;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			const size_t at = push(w, NULL, i);

			st = visit(w, json_object_array_get_idx(o, i), depth + 1);
			w->len = at;
			w->path[at] = '\0';
			if (st)
				return st;
		}
		return CANDOR_OK;
	case json_type_string: {
		const size_t c = chars(json_object_get_string(o), (size_t)json_object_get_string_len(o));

		if (c == (size_t)-1)
			return fail(w, "is text that is not valid UTF-8");
		if (c > AUDIT_MAX_STRING)
			return fail(w, "is text of over 32767 characters");
		return CANDOR_OK;
	}
	case json_type_double: {
		const double v = json_object_get_double(o);
		char msg[80];

		if (!(fabs(v) <= AUDIT_MAX_MAGNITUDE)) {
			snprintf(msg, sizeof(msg), "is %.17g, beyond the +-1e300 a document holds", v);
			return fail(w, msg);
		}
		return CANDOR_OK;
	}
	default:
		return CANDOR_OK; /* null, booleans, integers */
	}
}

candor_status candor__audit_check(json_object *root)
{
	walk w = {{0}, 0};

	return visit(&w, root, 0);
}
