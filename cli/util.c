/*
 * util.c - option parsing, error printing, progress and atomic output for
 * the candor subcommands.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

void cli_parser_init(cli_parser *p, const char *command, const char *synopsis,
                     const char *description, const cli_option *options)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	/* each parse starts at argv[1], whatever parsed before: 0 (not 1) makes
	 * glibc forget its place in a previous argv, which may be gone */
	optind = 0;
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

/*
 * The library's messages name the parameters of its calls ("options.link");
 * the CLI's user knows the flags that set them. The options a command's
 * flags fill, by the name the library gives them.
 */
static const struct {
	const char *param, *flag;
} param_flags[] = {
	{ "options.method", "--method" },
	{ "options.link", "--link" },
	{ "options.intersect", "--intersect" },
	{ "options.ci", "--ci" },
	{ "options.delimiter", "--delimiter" },
};

const char *cli_flag_words(char *buf, size_t size, const char *msg)
{
	size_t o = 0;

	if (!size)
		return msg;
	while (*msg && o + 1 < size) {
		size_t k, n = 0;
		for (k = 0; k < sizeof(param_flags) / sizeof(param_flags[0]); k++) {
			n = strlen(param_flags[k].param);
			/* a whole name: "options.ci" is not the start of "options.cid" */
			if (strncmp(msg, param_flags[k].param, n) == 0 &&
			    !(msg[n] == '_' || (msg[n] >= 'a' && msg[n] <= 'z')))
				break;
		}
		if (k < sizeof(param_flags) / sizeof(param_flags[0])) {
			const int w = snprintf(buf + o, size - o, "%s", param_flags[k].flag);
			o = w < 0 || (size_t)w >= size - o ? size - 1 : o + (size_t)w;
			msg += n;
		} else {
			buf[o++] = *msg++;
		}
	}
	buf[o] = '\0';
	return buf;
}

int cli_fail(candor_status status)
{
	const candor_error *e = candor_last_error();
	char words[1024];
	const char *msg = e->message[0] ? cli_flag_words(words, sizeof(words), e->message)
	                                : candor_status_str(status);

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

int cli_fail_staged(candor_status status, const cli_atomic *a)
{
	const candor_error *e = candor_last_error();
	char words[1024];

	if (a && a->tmp && strcmp(e->path, a->tmp) == 0) {
		fprintf(stderr, "candor: %s: %s\n", a->path,
		        e->message[0] ? cli_flag_words(words, sizeof(words), e->message)
		                      : candor_status_str(status));
		return status == CANDOR_ENOMEM || status == CANDOR_EINTERNAL ? CLI_EXIT_INTERNAL
		                                                             : CLI_EXIT_USAGE;
	}
	return cli_fail(status);
}

/* "[1, 100]", "(0, 1]", "[0, inf)" for a usage message. */
static void format_bounds(char *buf, size_t size, double min, double max, unsigned open)
{
	snprintf(buf, size, "%c%.15g, %.15g%c", (open & CLI_OPEN_MIN) ? '(' : '[', min, max,
	         (open & CLI_OPEN_MAX) ? ')' : ']');
}

bool cli_parse_u64(const cli_parser *p, const char *opt, const char *text, uint64_t min,
                   uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	/* digits only: strtoull would take a sign ("-1" wraps) and spaces */
	if (text[0] < '0' || text[0] > '9' || errno || *end || v < min || v > max) {
		cli_usage_error(p, "--%s wants an integer in [%llu, %llu], not '%s'", opt,
		                (unsigned long long)min, (unsigned long long)max, text);
		return false;
	}
	*out = v;
	return true;
}

bool cli_parse_size(const cli_parser *p, const char *opt, const char *text, size_t min,
                    size_t max, size_t *out)
{
	uint64_t v;

	if (!cli_parse_u64(p, opt, text, min, max, &v))
		return false;
	*out = (size_t)v;
	return true;
}

bool cli_parse_double(const cli_parser *p, const char *opt, const char *text, double min,
                      double max, unsigned open, double *out)
{
	char *end;
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	double v;
	bool ok;

	errno = 0;
	v = c ? strtod_l(text, &end, c) : strtod(text, &end);
	if (c)
		freelocale(c);
	ok = end != text && !*end && v == v && errno != ERANGE &&
	     ((open & CLI_OPEN_MIN) ? v > min : v >= min) &&
	     ((open & CLI_OPEN_MAX) ? v < max : v <= max);
	if (!ok) {
		char bounds[64];

		format_bounds(bounds, sizeof(bounds), min, max, open);
		cli_usage_error(p, "--%s wants a number in %s, not '%s'", opt, bounds, text);
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

/* ===== atomic outputs =======================================================
 *
 * Each output is written as TEMPDIR/BASENAME inside a private folder that
 * candor_temp_dir_new() makes beside the target (mode 0700, named
 * TARGET.tmp-PID.START.BOOT-XXXXXX so that a later run knows a stale one).
 * The FILE of a written output goes through a cookie that keeps the errno of
 * the first failed write, so the message names the real cause even when the
 * failure happened long before the commit. cli_atomic_commit() renames the
 * outputs of one run together: every one is swapped with its target
 * (renameat2 RENAME_EXCHANGE, or RENAME_NOREPLACE for a new file), and when a
 * later one fails the earlier swaps are undone, so either every target has
 * its new content or every target still has its old one. */

typedef struct cli_sink {
	int fd;
	int err; /* errno of the first failed write, 0 if none */
} cli_sink;

static ssize_t sink_write(void *cookie, const char *buf, size_t size)
{
	cli_sink *k = cookie;
	size_t done = 0;

	while (done < size) {
		const ssize_t n = write(k->fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!k->err)
				k->err = n < 0 ? errno : ENOSPC;
			return done ? (ssize_t)done : -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int sink_close(void *cookie)
{
	cli_sink *k = cookie;
	int rc = 0;

	if (k->fd >= 0 && fsync(k->fd) != 0 && !k->err && errno != EINVAL)
		k->err = errno;
	if (k->fd >= 0 && close(k->fd) != 0 && !k->err)
		k->err = errno;
	k->fd = -1;
	if (k->err)
		rc = -1;
	return rc;
}

static void atomic_free(cli_atomic *a)
{
	free(a->path);
	free(a->tmp);
	candor_free(a->tmpdir);
	free(a->sink);
	memset(a, 0, sizeof(*a));
}

/* The private folder and the temporary's name for `path`. */
static bool atomic_prepare(cli_atomic *a, const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	candor_status st;
	size_t size;

	memset(a, 0, sizeof(*a));
	if (!*base) {
		fprintf(stderr, "candor: %s: an output file name cannot end in '/'\n", path);
		return false;
	}
	a->path = strdup(path);
	if (!a->path) {
		fprintf(stderr, "candor: out of memory\n");
		return false;
	}
	st = candor_temp_dir_new(&a->tmpdir, path);
	if (st != CANDOR_OK) {
		cli_fail(st);
		atomic_free(a);
		return false;
	}
	size = strlen(a->tmpdir) + strlen(base) + 2;
	a->tmp = malloc(size);
	if (!a->tmp) {
		fprintf(stderr, "candor: out of memory\n");
		candor_temp_remove(a->tmpdir);
		atomic_free(a);
		return false;
	}
	snprintf(a->tmp, size, "%s/%s", a->tmpdir, base);
	return true;
}

FILE *cli_atomic_open(cli_atomic *a, const char *path)
{
	static const cookie_io_functions_t io = { NULL, sink_write, NULL, sink_close };
	int fd;

	if (!atomic_prepare(a, path))
		return NULL;
	/* not mkstemp: its 0600 would make every output private; O_EXCL with
	 * 0666 inside our 0700 folder lets the umask decide */
	fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	a->sink = calloc(1, sizeof(*a->sink));
	if (fd < 0 || !a->sink) {
		fprintf(stderr, "candor: %s: cannot write: %s\n", path,
		        strerror(fd < 0 ? errno : ENOMEM));
		if (fd >= 0)
			close(fd);
		candor_temp_remove(a->tmpdir);
		atomic_free(a);
		return NULL;
	}
	a->sink->fd = fd;
	a->f = fopencookie(a->sink, "w", io);
	if (!a->f) {
		fprintf(stderr, "candor: %s: cannot write: %s\n", path, strerror(errno));
		close(fd);
		candor_temp_remove(a->tmpdir);
		atomic_free(a);
		return NULL;
	}
	setvbuf(a->f, NULL, _IOFBF, 1 << 16);
	return a->f;
}

const char *cli_atomic_stage(cli_atomic *a, const char *path)
{
	if (!atomic_prepare(a, path))
		return NULL;
	a->staged = true;
	return a->tmp;
}

/* Close the stream of a (if any); false after printing the real error. */
static bool atomic_finish(cli_atomic *a, bool report)
{
	int e = 0;

	if (!a->f)
		return true;
	if (fflush(a->f) != 0 || ferror(a->f))
		e = a->sink->err ? a->sink->err : EIO;
	if (fclose(a->f) != 0 && !e)
		e = a->sink->err ? a->sink->err : EIO;
	a->f = NULL;
	if (e && report)
		fprintf(stderr, "candor: %s: write failed: %s\n", a->path, strerror(e));
	return e == 0;
}

/* The target may be replaced: absent, or a regular file (never a symlink,
 * a device, a FIFO or a folder: docs/cli-outputs.md). */
static bool target_replaceable(const char *path, bool *exists)
{
	struct stat sb;

	*exists = false;
	if (lstat(path, &sb) != 0)
		return errno == ENOENT;
	*exists = true;
	return S_ISREG(sb.st_mode);
}

int cli_atomic_commit(cli_atomic *outs, size_t n, bool commit)
{
	int rc = CLI_EXIT_OK;
	size_t done = 0;
	sigset_t held;
	bool held_set = false;
	bool *swapped = calloc(n ? n : 1, sizeof(*swapped));

	if (!swapped) {
		fprintf(stderr, "candor: out of memory\n");
		commit = false;
		rc = CLI_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!outs[i].path)
			continue;
		if (!atomic_finish(&outs[i], commit) && commit) {
			commit = false;
			rc = CLI_EXIT_USAGE;
		}
	}
	for (size_t i = 0; commit && i < n; i++) {
		bool exists;

		if (!outs[i].path)
			continue;
		if (!target_replaceable(outs[i].path, &exists)) {
			fprintf(stderr, "candor: %s: not a regular file; refusing to replace it\n",
			        outs[i].path);
			commit = false;
			rc = CLI_EXIT_USAGE;
		}
	}
	if (commit) {
		cli_signals_hold(&held);
		held_set = true;
	}
	for (done = 0; commit && done < n; done++) {
		cli_atomic *a = &outs[done];
		bool exists;
		int r;

		if (!a->path)
			continue;
		target_replaceable(a->path, &exists);
		r = renameat2(AT_FDCWD, a->tmp, AT_FDCWD, a->path, exists ? RENAME_EXCHANGE : RENAME_NOREPLACE);
		if (r != 0 && errno == EINVAL) /* a file system without renameat2 flags */
			r = rename(a->tmp, a->path);
		else if (r == 0)
			swapped[done] = exists;
		if (r != 0) {
			fprintf(stderr, "candor: %s: cannot rename into place: %s\n", a->path,
			        strerror(errno));
			rc = CLI_EXIT_USAGE;
			/* undo: the targets renamed so far get their old content back */
			for (size_t j = 0; j < done; j++) {
				if (!outs[j].path)
					continue;
				if (swapped[j])
					renameat2(AT_FDCWD, outs[j].tmp, AT_FDCWD, outs[j].path, RENAME_EXCHANGE);
				else
					rename(outs[j].path, outs[j].tmp);
			}
			commit = false;
			break;
		}
	}
	if (held_set)
		cli_signals_release(&held);
	/* the private folders now hold the old contents, or the uncommitted new
	 * ones: remove them either way */
	for (size_t i = 0; i < n; i++) {
		if (!outs[i].path)
			continue;
		candor_temp_remove(outs[i].tmpdir);
		atomic_free(&outs[i]);
	}
	free(swapped);
	return rc;
}

int cli_atomic_close(cli_atomic *a, bool commit)
{
	return cli_atomic_commit(a, 1, commit);
}

/* ===== output path checks ================================================= */

/* What one path names: the file (when it exists), and for a path that may
 * be created, its folder and last component. */
typedef struct path_id {
	bool exists, has_parent;
	dev_t dev, pdev;
	ino_t ino, pino;
	const char *base;
	size_t baselen;
} path_id;

#define TREE_MAX 100000 /* entries of an --out folder compared (docs/cli-outputs.md) */

typedef struct tree_ids {
	dev_t *dev;
	ino_t *ino;
	bool *dir;
	size_t n, cap;
} tree_ids;

static void identify(const char *path, bool follow, path_id *id)
{
	struct stat sb;
	size_t len = strlen(path);
	char *dir;

	memset(id, 0, sizeof(*id));
	if ((follow ? stat(path, &sb) : lstat(path, &sb)) == 0) {
		id->exists = true;
		id->dev = sb.st_dev;
		id->ino = sb.st_ino;
	}
	while (len > 1 && path[len - 1] == '/')
		len--;
	dir = strndup(path, len);
	if (!dir)
		return;
	{
		char *slash = strrchr(dir, '/');

		id->base = path + (slash ? (size_t)(slash - dir) + 1 : 0);
		id->baselen = len - (size_t)(id->base - path);
		if (slash == dir)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		if (stat(slash ? dir : ".", &sb) == 0) {
			id->has_parent = true;
			id->pdev = sb.st_dev;
			id->pino = sb.st_ino;
		}
	}
	free(dir);
}

static bool tree_add(tree_ids *t, dev_t dev, ino_t ino, bool dir)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		dev_t *d = realloc(t->dev, cap * sizeof(*d));
		ino_t *i;
		bool *b;

		if (d)
			t->dev = d;
		i = d ? realloc(t->ino, cap * sizeof(*i)) : NULL;
		if (i)
			t->ino = i;
		b = i ? realloc(t->dir, cap * sizeof(*b)) : NULL;
		if (!b)
			return false;
		t->dir = b;
		t->cap = cap;
	}
	t->dev[t->n] = dev;
	t->ino[t->n] = ino;
	t->dir[t->n] = dir;
	t->n++;
	return true;
}

/* Every entry of the folder tree at `path` (not following symlinks). */
static void tree_collect(tree_ids *t, const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL && t->n < TREE_MAX) {
		char sub[4096];
		struct stat sb;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub) ||
		    lstat(sub, &sb) != 0)
			continue;
		if (!tree_add(t, sb.st_dev, sb.st_ino, S_ISDIR(sb.st_mode)))
			break;
		if (S_ISDIR(sb.st_mode) && depth > 0)
			tree_collect(t, sub, depth - 1);
	}
	closedir(d);
}

static int tree_find(const tree_ids *t, dev_t dev, ino_t ino, bool dirs_only)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->dev[i] == dev && t->ino[i] == ino && (!dirs_only || t->dir[i]))
			return 1;
	return 0;
}

static int conflict(const cli_path *a, const cli_path *b, const char *why)
{
	fprintf(stderr, "candor: --%s '%s' and --%s '%s' %s; refusing to run\n", a->option, a->path,
	        b->option, b->path, why);
	return CLI_EXIT_USAGE;
}

int cli_check_paths(const cli_path *paths, size_t n)
{
	path_id *ids = calloc(n ? n : 1, sizeof(*ids));
	tree_ids *trees = calloc(n ? n : 1, sizeof(*trees));
	int rc = CLI_EXIT_OK;

	if (!ids || !trees) {
		free(ids);
		free(trees);
		fprintf(stderr, "candor: out of memory\n");
		return CLI_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < n && rc == CLI_EXIT_OK; i++) {
		const cli_path *p = &paths[i];
		struct stat sb;

		if (!p->path)
			continue;
		if (p->kind == CLI_PATH_OUT && p->path[0] && lstat(p->path, &sb) == 0 &&
		    !S_ISREG(sb.st_mode)) {
			fprintf(stderr,
			        "candor: %s: --%s is not a regular file (%s); candor replaces only "
			        "regular files, so it refuses to write there\n",
			        p->path, p->option,
			        S_ISLNK(sb.st_mode) ? "a symlink" : S_ISDIR(sb.st_mode) ? "a folder"
			        : S_ISCHR(sb.st_mode) ? "a device" : S_ISFIFO(sb.st_mode) ? "a FIFO"
			        : "not a file");
			rc = CLI_EXIT_USAGE;
			break;
		}
		identify(p->path, p->kind != CLI_PATH_OUT_DIR, &ids[i]);
		if (p->kind == CLI_PATH_OUT_DIR && ids[i].exists && lstat(p->path, &sb) == 0 &&
		    S_ISDIR(sb.st_mode))
			tree_collect(&trees[i], p->path, 4);
		if (p->kind != CLI_PATH_IN && p->kind != CLI_PATH_IN_OWN_REPORT)
			cli_signals_watch(p->path);
	}
	for (size_t i = 0; i < n && rc == CLI_EXIT_OK; i++) {
		const cli_path *a = &paths[i];
		const bool a_out = a->kind == CLI_PATH_OUT || a->kind == CLI_PATH_OUT_DIR;

		if (!a->path)
			continue;
		for (size_t j = 0; j < n && rc == CLI_EXIT_OK; j++) {
			const cli_path *b = &paths[j];
			const bool b_out = b->kind == CLI_PATH_OUT || b->kind == CLI_PATH_OUT_DIR;

			if (!b->path || j == i)
				continue;
			if (j > i && (a_out || b_out)) {
				if (ids[i].exists && ids[j].exists && ids[i].dev == ids[j].dev &&
				    ids[i].ino == ids[j].ino)
					rc = conflict(a, b, "are the same file");
				else if (a_out && b_out && ids[i].has_parent && ids[j].has_parent &&
				         ids[i].pdev == ids[j].pdev && ids[i].pino == ids[j].pino &&
				         ids[i].baselen == ids[j].baselen &&
				         memcmp(ids[i].base, ids[j].base, ids[i].baselen) == 0)
					rc = conflict(a, b, "are the same file");
			}
			/* b inside the folder a replaces */
			if (rc == CLI_EXIT_OK && a->kind == CLI_PATH_OUT_DIR && trees[i].n &&
			    b->kind != CLI_PATH_IN_OWN_REPORT &&
			    ((ids[j].exists && tree_find(&trees[i], ids[j].dev, ids[j].ino, false)) ||
			     (b_out && ids[j].has_parent &&
			      ((ids[j].pdev == ids[i].dev && ids[j].pino == ids[i].ino) ||
			       tree_find(&trees[i], ids[j].pdev, ids[j].pino, true)))))
				rc = conflict(b, a, "lies inside that folder, which is replaced whole");
			if (rc == CLI_EXIT_OK && a->kind == CLI_PATH_OUT_DIR && b_out && ids[j].has_parent &&
			    ids[i].exists && ids[j].pdev == ids[i].dev && ids[j].pino == ids[i].ino)
				rc = conflict(b, a, "lies inside that folder, which is replaced whole");
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(trees[i].dev);
		free(trees[i].ino);
		free(trees[i].dir);
	}
	free(trees);
	free(ids);
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
