/*
 * read.c - candor_table_read(): a data file, CSV or ARFF, told apart by
 * its content, never by its name.
 *
 * The rule (docs/datasets.md): skip a UTF-8 byte-order mark, blank lines
 * and '%' comment lines; when the first line left starts with @relation
 * (any case) the file is ARFF, otherwise CSV. Two cases could be read
 * either way, and are errors rather than guesses:
 *   - '%' comment lines followed by something other than @relation (an
 *     ARFF file that lost its @relation, or a CSV file whose header starts
 *     with '%');
 *   - a first line that starts with @attribute or @data (an ARFF file
 *     without @relation, or a CSV header named so).
 * A regular file is peeked at (its first PEEK bytes) and then read by the
 * reader chosen, by path, as if it had been named; a pipe or device can be
 * read only once, so it is read whole (bounded as the readers bound it)
 * and parsed from memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datasets_int.h"

#define PEEK ((size_t)1 << 20) /* the decision must come within 1 MiB */

typedef enum { FMT_CSV, FMT_ARFF } data_format;

static bool word_at(const char *s, const char *end, const char *word)
{
	const size_t n = strlen(word);
	return (size_t)(end - s) >= n && strncasecmp(s, word, n) == 0 &&
	       ((size_t)(end - s) == n || s[n] == ' ' || s[n] == '\t' || s[n] == '\r' ||
	        s[n] == '\n');
}

/* Decide from data[0..n); `complete` when that is the whole input. */
static candor_status detect(const char *data, size_t n, bool complete, const char *name,
                            data_format *out)
{
	const char *p = data, *end = data + n;
	uint64_t line = 1, comments = 0;

	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p;

		const bool cut = !eol && !complete; /* it goes on past what was peeked at */
		if (!eol)
			eol = end;
		while (s < eol && (*s == ' ' || *s == '\t'))
			s++;
		/* a line cut short still decides once its start is seen (a CSV
		 * header may be longer than the peek); a blank or comment one
		 * cannot */
		if (cut && (s == eol || *s == '%' || (*s == '@' && eol - s < 16)))
			break;
		if (s == eol || (*s == '\r' && s + 1 == eol)) {
			/* blank */
		} else if (*s == '%') {
			comments++;
		} else {
			const uint64_t col = (uint64_t)(s - p) + 1 + (line == 1 && p != data ? 3 : 0);
			if (word_at(s, eol, "@relation")) {
				*out = FMT_ARFF;
				return CANDOR_OK;
			}
			if (word_at(s, eol, "@attribute") || word_at(s, eol, "@data"))
				return candor__error(CANDOR_EPARSE, name, line, col,
				                     "cannot tell ARFF from CSV: an ARFF file starts with "
				                     "@relation, and a CSV header does not start with "
				                     "@attribute or @data");
			if (comments)
				return candor__error(CANDOR_EPARSE, name, line, col,
				                     "cannot tell ARFF from CSV: '%%' comment lines, then "
				                     "no @relation");
			*out = FMT_CSV;
			return CANDOR_OK;
		}
		line++;
		p = eol + 1;
	}
	if (!complete)
		return candor__error(CANDOR_EPARSE, name, line, 1,
		                     "cannot tell ARFF from CSV within the first %zu bytes", PEEK);
	if (comments)
		return candor__error(CANDOR_EPARSE, name, line, 1,
		                     "cannot tell ARFF from CSV: only '%%' comment lines");
	*out = FMT_CSV; /* empty: the CSV reader says what is missing */
	return CANDOR_OK;
}

/* Options that the ARFF reader has no use for must not be set: a file the
 * caller took for CSV would otherwise be read without them, silently. */
static candor_status arff_options(const candor_csv_options *o, const char *name)
{
	const char *set = NULL;

	if (!o)
		return CANDOR_OK;
	if (o->delimiter)
		set = "options.delimiter";
	else if (o->noverrides)
		set = "options.override_names";
	else if (o->version >= 2 && o->nmissing_tokens)
		set = "options.missing_tokens";
	else if (o->version >= 2 && (o->max_field_bytes || o->max_record_bytes || o->max_columns ||
	                             o->max_stream_bytes))
		set = "options.max_* (the ARFF reader's bounds are the defaults)";
	else if (o->version >= 2 && o->allow_no_rows)
		set = "options.allow_no_rows";
	if (set)
		return candor__error(CANDOR_EINVAL, name, 0, 0,
		                     "the data is ARFF, and %s applies to CSV only", set);
	return CANDOR_OK;
}

static candor_status read_stream(candor_table **out, const char *path, const char *name,
                                 const candor_csv_options *opts)
{
	const uint64_t max_stream = opts && opts->version >= 2 && opts->max_stream_bytes
	                                    ? opts->max_stream_bytes
	                                    : CANDOR_CSV_MAX_STREAM_BYTES;
	const size_t max_record = opts && opts->version >= 2 && opts->max_record_bytes
	                                  ? opts->max_record_bytes
	                                  : CANDOR_CSV_MAX_RECORD_BYTES;
	char *all;
	size_t n;
	bool stopped;
	data_format f;
	candor_status st;

	st = candor__file_read_text(path, name, max_record > SIZE_MAX - 3 ? SIZE_MAX : max_record + 3,
	                            max_stream, &all, &n, &stopped);
	if (st)
		return st;
	st = detect(all, n, true, name, &f);
	if (!st && f == FMT_ARFF && !(st = arff_options(opts, name)))
		st = candor_arff_read_buffer(out, all, n, name);
	else if (!st && f == FMT_CSV) {
		candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
		if (opts)
			o = *opts;
		o.display_name = name;
		st = candor_csv_read_buffer(out, all, n, &o);
	}
	candor__free(all);
	if (stopped && st == CANDOR_OK) {
		candor_table_free(*out);
		*out = NULL;
		return candor__error(CANDOR_EINTERNAL, name, 0, 0,
		                     "stopped reading early but found no error");
	}
	return st;
}

candor_status candor_table_read(candor_table **out, const char *path,
                                const candor_csv_options *opts)
{
	const char *name;
	struct stat sb;
	char *peek;
	size_t n = 0;
	bool eof = false;
	data_format f;
	candor_status st;
	int fd;

	if (!out || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table_read: NULL argument");
	*out = NULL;
	name = opts && opts->display_name ? opts->display_name : path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return candor__error(CANDOR_EIO, name, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
		st = candor__error(CANDOR_EIO, name, 0, 0, "cannot read: %s",
		                   S_ISDIR(sb.st_mode) ? "is a folder" : strerror(errno));
		close(fd);
		return st;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return read_stream(out, path, name, opts);
	}
	if (!(peek = candor__malloc(PEEK))) {
		close(fd);
		return CANDOR_ENOMEM;
	}
	while (n < PEEK) {
		const ssize_t k = read(fd, peek + n, PEEK - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			st = candor__error(CANDOR_EIO, name, 0, 0, "cannot read: %s", strerror(errno));
			candor__free(peek);
			close(fd);
			return st;
		}
		if (k == 0) {
			eof = true;
			break;
		}
		n += (size_t)k;
	}
	close(fd);
	st = detect(peek, n, eof, name, &f);
	candor__free(peek);
	if (st)
		return st;
	if (f == FMT_ARFF)
		return (st = arff_options(opts, name)) ? st : candor__arff_read_named(out, path, name);
	return candor_csv_read(out, path, opts);
}
