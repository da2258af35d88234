/*
 * json_loc.c - find a value's byte offset in a JSON text by its path (see
 * json_loc.h). A small forward scanner over a document json-c has already
 * accepted: it skips white space and comments, strings (double or single
 * quoted, with escapes), nested arrays and objects by bracket counting, and
 * scalars up to the next delimiter. Every index is checked against `len`,
 * so a text the scanner does not expect ends the search (SIZE_MAX), never
 * a read out of bounds.
 */
#include <stdbool.h>
#include <string.h>

#include "models/json_loc.h"

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Past white space and C / C++ comments. */
static size_t skip_ws(const char *t, size_t n, size_t i)
{
	for (;;) {
		while (i < n && is_space(t[i]))
			i++;
		if (i + 1 < n && t[i] == '/' && t[i + 1] == '*') {
			i += 2;
			while (i + 1 < n && !(t[i] == '*' && t[i + 1] == '/'))
				i++;
			i = i + 1 < n ? i + 2 : n;
		} else if (i + 1 < n && t[i] == '/' && t[i + 1] == '/') {
			while (i < n && t[i] != '\n')
				i++;
		} else {
			return i;
		}
	}
}

/* Past the string whose opening quote is t[i]. */
static size_t skip_string(const char *t, size_t n, size_t i)
{
	const char q = t[i++];
	while (i < n && t[i] != q)
		i += t[i] == '\\' ? 2 : 1;
	return i < n ? i + 1 : n;
}

/* Past the value starting at t[i]. */
static size_t skip_value(const char *t, size_t n, size_t i)
{
	if (i >= n)
		return n;
	if (t[i] == '"' || t[i] == '\'')
		return skip_string(t, n, i);
	if (t[i] == '{' || t[i] == '[') {
		size_t depth = 0;
		while (i < n) {
			const char ch = t[i];
			if (ch == '"' || ch == '\'') {
				i = skip_string(t, n, i);
				continue;
			}
			if (ch == '/' && i + 1 < n && (t[i + 1] == '*' || t[i + 1] == '/')) {
				i = skip_ws(t, n, i);
				continue;
			}
			if (ch == '{' || ch == '[') {
				depth++;
			} else if (ch == '}' || ch == ']') {
				if (--depth == 0)
					return i + 1;
			}
			i++;
		}
		return n;
	}
	while (i < n && !is_space(t[i]) && t[i] != ',' && t[i] != ']' && t[i] != '}' &&
	       t[i] != '/')
		i++;
	return i;
}

/* The offset of member `key` of the object at t[i] (the last one of that
 * name), or SIZE_MAX. */
static size_t member(const char *t, size_t n, size_t i, const char *key)
{
	const size_t klen = strlen(key);
	size_t found = SIZE_MAX;
	if (i >= n || t[i] != '{')
		return SIZE_MAX;
	i = skip_ws(t, n, i + 1);
	while (i < n && t[i] != '}') {
		if (t[i] != '"' && t[i] != '\'')
			return SIZE_MAX;
		const size_t end = skip_string(t, n, i);
		const bool match = end - i == klen + 2 && memcmp(t + i + 1, key, klen) == 0;
		i = skip_ws(t, n, end);
		if (i >= n || t[i] != ':')
			return SIZE_MAX;
		i = skip_ws(t, n, i + 1);
		if (match)
			found = i;
		i = skip_ws(t, n, skip_value(t, n, i));
		if (i < n && t[i] == ',')
			i = skip_ws(t, n, i + 1);
		else if (i >= n || t[i] != '}')
			return SIZE_MAX;
	}
	return found;
}

/* The offset of element `idx` of the array at t[i], or SIZE_MAX. */
static size_t element(const char *t, size_t n, size_t i, size_t idx)
{
	if (i >= n || t[i] != '[')
		return SIZE_MAX;
	i = skip_ws(t, n, i + 1);
	for (size_t k = 0;; k++) {
		if (i >= n || t[i] == ']')
			return SIZE_MAX;
		if (k == idx)
			return i;
		i = skip_ws(t, n, skip_value(t, n, i));
		if (i >= n || t[i] != ',')
			return SIZE_MAX;
		i = skip_ws(t, n, i + 1);
	}
}

size_t candor__json_locate(const char *text, size_t len, const candor__jloc *at)
{
	const candor__jloc *steps[CANDOR__JLOC_MAX_DEPTH];
	size_t ns = 0, i;

	if (!text)
		return SIZE_MAX;
	for (const candor__jloc *s = at; s; s = s->up) {
		if (ns == CANDOR__JLOC_MAX_DEPTH)
			return SIZE_MAX;
		steps[ns++] = s;
	}
	i = skip_ws(text, len, 0);
	while (ns-- > 0 && i != SIZE_MAX)
		i = steps[ns]->key ? member(text, len, i, steps[ns]->key)
		                   : element(text, len, i, steps[ns]->idx);
	return i < len ? i : SIZE_MAX;
}
