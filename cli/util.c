/*
 * util.c - option parsing, error printing, progress and atomic output for
 * the candor subcommands.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

void cli_parser_init(cli_parser *p, const char *command, const char *synopsis,
                     const char *description, const cli_option *options)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	optind = 1; /* each parse starts at argv[1], whatever parsed before */
	p->command = command;
	p->synopsis = synopsis;
	p->description = description;
	p->options = options;
	for (i = 0; options[i].name && i < CLI_MAX_OPTIONS; i++) {
		p->longopts[i].name = options[i].name;
		p->longopts[i].has_arg = options[i].arg ? required_argument : no_argument;
		p->longopts[i].flag = NULL;
		p->longopts[i].val = options[i].key;
	}
	p->longopts[i].name = "help";
	p->longopts[i].has_arg = no_argument;
	p->longopts[i].val = 'h';
}

void cli_help(const cli_parser *p, FILE *f)
{
	fprintf(f, "usage: %s\n\n%s\n\noptions:\n", p->synopsis, p->description);
	for (const cli_option *o = p->options; o->name; o++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
		         o->arg ? o->arg : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
	fprintf(f, "  %-28s %s\n", "--help", "show this help and exit");
}

int cli_usage_error(const cli_parser *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "candor %s: ", p->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see 'candor %s --help'\n", p->command);
	return CLI_EXIT_USAGE;
}

int cli_next(cli_parser *p, int argc, char **argv, const char **arg)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, ":h", p->longopts, NULL);
	*arg = optarg;
	if (c == 'h') {
		cli_help(p, stdout);
		return 'h';
	}
	if (c == '?') {
		cli_usage_error(p, "unknown option '%s'", argv[optind - 1]);
		return '?';
	}
	if (c == ':') {
		cli_usage_error(p, "option '%s' needs a value", argv[optind - 1]);
		return '?';
	}
	if (c == -1 && optind < argc && !p->operands) {
		cli_usage_error(p, "unexpected argument '%s'", argv[optind]);
		return '?';
	}
	return c;
}

int cli_fail(candor_status status)
{
	const candor_error *e = candor_last_error();
	const char *msg = e->message[0] ? e->message : candor_status_str(status);

	if (e->path[0] && e->line)
		fprintf(stderr, "candor: %s:%llu:%llu: %s\n", e->path,
		        (unsigned long long)e->line, (unsigned long long)e->column, msg);
	else if (e->path[0])
		fprintf(stderr, "candor: %s: %s\n", e->path, msg);
	else
		fprintf(stderr, "candor: %s\n", msg);
	switch (status) {
	case CANDOR_ENOMEM:
	case CANDOR_EINTERNAL:
		return CLI_EXIT_INTERNAL;
	default:
		return CLI_EXIT_USAGE;
	}
}

bool cli_parse_u64(const cli_parser *p, const char *opt, const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-') {
		cli_usage_error(p, "--%s wants a non-negative integer, not '%s'", opt, text);
		return false;
	}
	*out = v;
	return true;
}

bool cli_parse_size(const cli_parser *p, const char *opt, const char *text, size_t *out)
{
	uint64_t v;

	if (!cli_parse_u64(p, opt, text, &v))
		return false;
	if (v > SIZE_MAX) {
		cli_usage_error(p, "--%s: '%s' is too large", opt, text);
		return false;
	}
	*out = (size_t)v;
	return true;
}

bool cli_parse_double(const cli_parser *p, const char *opt, const char *text, double *out)
{
	char *end;
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	double v = c ? strtod_l(text, &end, c) : strtod(text, &end);

	if (c)
		freelocale(c);
	if (end == text || *end || v != v) {
		cli_usage_error(p, "--%s wants a number, not '%s'", opt, text);
		return false;
	}
	*out = v;
	return true;
}

char **cli_split(const char *text, char sep, size_t *n)
{
	size_t count = 1, len = strlen(text);
	char **out, *copy;
	const char *s;

	for (s = text; *s; s++)
		count += *s == sep;
	out = malloc((count + 1) * sizeof(*out) + len + 1);
	if (!out)
		return NULL;
	copy = (char *)(out + count + 1);
	memcpy(copy, text, len + 1);
	count = 0;
	out[count++] = copy;
	for (char *q = copy; *q; q++) {
		if (*q == sep) {
			*q = '\0';
			out[count++] = q + 1;
		}
	}
	out[count] = NULL;
	*n = count;
	return out;
}

void cli_progress(const char *label, uint64_t done, uint64_t total)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%s %llu/%llu", label, (unsigned long long)done,
	        (unsigned long long)total);
	fflush(stderr);
}

void cli_progress_end(void)
{
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
}

FILE *cli_atomic_open(cli_atomic *a, const char *path)
{
	size_t len = strlen(path);
	int fd = -1;

	memset(a, 0, sizeof(*a));
	a->path = strdup(path);
	a->tmp = malloc(len + sizeof(".tmp-XXXXXX") + 24);
	if (!a->path || !a->tmp) {
		fprintf(stderr, "candor: out of memory\n");
		goto fail;
	}
	/* not mkstemp: its 0600 would make every output private; O_EXCL with
	 * 0666 lets the umask decide, and the pid and address make the name
	 * unlikely to clash */
	for (int attempt = 0; attempt < 100; attempt++) {
		snprintf(a->tmp, len + sizeof(".tmp-XXXXXX") + 24, "%s.tmp-%d-%05x%d", path,
		         (int)getpid(), (unsigned)(((uintptr_t)a >> 4) & 0xfffff), attempt);
		fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		fprintf(stderr, "candor: %s: cannot write: %s\n", path, strerror(errno));
		goto fail;
	}
	a->f = fdopen(fd, "w");
	if (!a->f) {
		fprintf(stderr, "candor: %s: cannot write: %s\n", path, strerror(errno));
		close(fd);
		unlink(a->tmp);
		goto fail;
	}
	return a->f;
fail:
	free(a->path);
	free(a->tmp);
	memset(a, 0, sizeof(*a));
	return NULL;
}

int cli_atomic_close(cli_atomic *a, bool commit)
{
	int rc = CLI_EXIT_OK;

	if (!a->f)
		return CLI_EXIT_OK;
	if (fflush(a->f) != 0 || ferror(a->f)) {
		if (commit)
			fprintf(stderr, "candor: %s: write failed: %s\n", a->path, strerror(errno));
		commit = false;
		rc = CLI_EXIT_USAGE;
	}
	if (fclose(a->f) != 0 && commit) {
		fprintf(stderr, "candor: %s: write failed: %s\n", a->path, strerror(errno));
		commit = false;
		rc = CLI_EXIT_USAGE;
	}
	if (commit && rename(a->tmp, a->path) != 0) {
		fprintf(stderr, "candor: %s: cannot rename into place: %s\n", a->path,
		        strerror(errno));
		commit = false;
		rc = CLI_EXIT_USAGE;
	}
	if (!commit)
		unlink(a->tmp);
	free(a->path);
	free(a->tmp);
	memset(a, 0, sizeof(*a));
	return rc;
}

/* Whether a word must be quoted to reach a POSIX shell as itself: any
 * character outside a set that no shell treats specially (so `&`, `;`, `|`,
 * `<`, `*`, `~`, `#`, `!`, space, quotes, control characters, bytes >= 0x80),
 * and the empty word. */
static bool shell_needs_quote(const char *w)
{
	if (!*w)
		return true;
	for (const unsigned char *c = (const unsigned char *)w; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      strchr("_@%+=:,./-", *c)))
			return true;
	return false;
}

/* "candor" and argv joined with spaces, each word that needs it single-quoted,
 * so that pasting the line into a POSIX shell runs exactly this command. */
char *cli_command_line(int argc, char **argv)
{
	size_t len = 16;
	char *s, *q;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	s = malloc(len);
	if (!s)
		return NULL;
	q = s;
	q += sprintf(q, "candor");
	/* single quotes keep every byte literally; a ' is written '\'' */
	for (int i = 0; i < argc; i++) {
		const bool quote = shell_needs_quote(argv[i]);
		*q++ = ' ';
		if (quote)
			*q++ = '\'';
		for (const char *c = argv[i]; *c; c++) {
			if (*c == '\'') {
				memcpy(q, "'\\''", 4);
				q += 4;
			} else {
				*q++ = *c;
			}
		}
		if (quote)
			*q++ = '\'';
	}
	*q = '\0';
	return s;
}

/* The audit time: SOURCE_DATE_EPOCH when set (reproducible builds'
 * convention), else now. */
void cli_audit_time(char *buf, size_t size)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	struct tm tm;

	if (sde && *sde) {
		char *end;
		unsigned long long v = strtoull(sde, &end, 10);
		if (!*end)
			t = (time_t)v;
	}
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
