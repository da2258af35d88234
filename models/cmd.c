/*
 * cmd.c - a model served by an external command (--model-cmd), speaking the
 * batch protocol documented in docs/explain.md:
 *
 *   candor -> command   candor-model-cmd 1            (hello, protocol version)
 *                       f1,f2,...,fM                  (CSV header: feature names)
 *   command -> candor   ok K KIND                     (K outputs; probability|margin|value)
 *   then, per batch:
 *   candor -> command   predict N
 *                       N CSV rows of original values (categories as their
 *                       strings, missing as an empty field, RFC 4180 quoting)
 *   command -> candor   N lines of K comma-separated numbers
 *                       (or one line "error MESSAGE")
 *   at the end candor closes the command's stdin; the command exits.
 *
 * The command runs once, under /bin/sh -c, for the model's whole life. Its
 * stdin and stdout are the two ends of one AF_UNIX stream socket, so we can
 * send with MSG_NOSIGNAL: a command that dies never raises SIGPIPE in the
 * host (no signal disposition of the host is touched). Reading and writing
 * are multiplexed with poll() on a non-blocking socket, so a command that
 * answers while we are still sending a large batch cannot deadlock us, and
 * a command that makes no progress for `timeout` seconds is killed. A
 * command that exits, sends something that is not the expected answer, or
 * stalls, gives CANDOR_EIO with a message saying which; the process is then
 * killed and reaped, and the model refuses further calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "models/models_int.h"

extern char **environ;

/* Formatted numbers, direct-mapped by bit pattern. The rows an explainer
 * sends are built from a few distinct values (the explained row and the
 * background), so nearly every number is formatted once. */
#define NUMCACHE 8192
typedef struct num_text {
	uint64_t bits;
	uint8_t len; /* 0: empty slot */
	char text[31];
} num_text;

typedef struct cmd_state {
	pid_t pid;
	int fd;
	bool broken;
	char *command;      /* for messages */
	size_t m, k, max_batch;
	int timeout_ms;
	char ***levels;     /* per feature: NULL (numeric) or the level strings */
	size_t *nlevels;
	char *obuf;         /* outgoing request */
	size_t ocap;
	char *ibuf;         /* incoming bytes */
	size_t icap, ilen;
	num_text *cache;    /* NUMCACHE entries */
} cmd_state;

/* ===== buffers ============================================================ */

static bool out_reserve(cmd_state *s, size_t len, size_t more)
{
	if (len + more + 1 <= s->ocap)
		return true;
	size_t cap = s->ocap ? s->ocap : 4096;

	while (cap < len + more + 1)
		cap *= 2;
	char *nb = candor__realloc(s->obuf, cap);

	if (!nb)
		return false;
	s->obuf = nb;
	s->ocap = cap;
	return true;
}

static bool out_str(cmd_state *s, size_t *len, const char *str, bool csv)
{
	size_t n = strlen(str);
	bool quote = csv && strpbrk(str, ",\"\r\n") != NULL;

	if (!out_reserve(s, *len, 2 * n + 2))
		return false;
	if (!quote) {
		memcpy(s->obuf + *len, str, n);
		*len += n;
		return true;
	}
	s->obuf[(*len)++] = '"';
	for (; *str; str++) {
		if (*str == '"')
			s->obuf[(*len)++] = '"';
		s->obuf[(*len)++] = *str;
	}
	s->obuf[(*len)++] = '"';
	return true;
}

/* ===== the process ======================================================== */

static void kill_and_reap(cmd_state *s, int *status)
{
	int st = 0;

	if (s->pid > 0) {
		/* The command runs in its own process group: kill the shell and
		 * whatever it started. */
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
		candor__children_remove(s->pid); /* before the reap frees its pgid */
		while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
			;
		s->pid = -1;
	}
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	if (status)
		*status = st;
	s->broken = true;
}

/* Describe how the process ended (after kill_and_reap or an EOF). */
static void exit_text(int st, char *buf, size_t size)
{
	if (WIFEXITED(st))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, size, "was killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, size, "stopped");
}

/* The command closed its output: wait a moment for it to exit, then say how. */
static candor_status died(cmd_state *s, const char *when)
{
	int st = 0;
	char how[64];
	pid_t r = 0;

	for (int i = 0; i < 200 && s->pid > 0; i++) {
		r = waitpid(s->pid, &st, WNOHANG);
		if (r == s->pid) {
			candor__children_remove(s->pid);
			kill(-s->pid, SIGKILL);
			s->pid = -1;
			break;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (s->pid > 0) {
		kill_and_reap(s, &st);
		snprintf(how, sizeof(how), "closed its output");
	} else {
		kill_and_reap(s, NULL);
		exit_text(st, how, sizeof(how));
	}
	return candor__error(CANDOR_EIO, NULL, 0, 0, "model command '%s' %s %s", s->command, how,
	                     when);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Send s->obuf[0..olen) while collecting `lines` complete answer lines into
 * s->ibuf (s->ilen bytes, lines ending in '\n'). An "error ..." line ends
 * the exchange early. `when` describes the exchange for messages.
 */
static candor_status exchange(cmd_state *s, size_t olen, size_t lines, const char *when)
{
	size_t sent = 0, got = 0, scanned = 0;
	double last = now_ms();

	s->ilen = 0;
	while (sent < olen || got < lines) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };
		double left = (double)s->timeout_ms - (now_ms() - last);
		int r;

		if (sent < olen)
			pfd.events |= POLLOUT;
		if (left <= 0)
			r = 0;
		else
			r = poll(&pfd, 1, (int)ceil(left));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			kill_and_reap(s, NULL);
			return candor__error(CANDOR_EIO, NULL, 0, 0, "model command '%s': poll failed: %s",
			                     s->command, strerror(errno));
		}
		if (r == 0) {
			kill_and_reap(s, NULL);
			return candor__error(CANDOR_EIO, NULL, 0, 0,
			                     "model command '%s' made no progress for %.3g s %s; it was "
			                     "stopped (see --model-timeout)",
			                     s->command, s->timeout_ms / 1000.0, when);
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n;

			if (s->icap - s->ilen < 65536) {
				size_t cap = s->icap ? s->icap * 2 : 131072;
				char *nb = candor__realloc(s->ibuf, cap);

				if (!nb) {
					kill_and_reap(s, NULL);
					return CANDOR_ENOMEM;
				}
				s->ibuf = nb;
				s->icap = cap;
			}
			n = recv(s->fd, s->ibuf + s->ilen, s->icap - s->ilen - 1, 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				continue;
			if (n <= 0)
				return died(s, when);
			s->ilen += (size_t)n;
			last = now_ms();
			for (; scanned < s->ilen; scanned++) {
				if (s->ibuf[scanned] != '\n')
					continue;
				/* An error line ends the exchange: it is the whole answer. */
				if (got == 0 && strncmp(s->ibuf, "error", 5) == 0)
					return CANDOR_OK;
				got++;
			}
			if (got > lines) {
				kill_and_reap(s, NULL);
				return candor__error(CANDOR_EIO, NULL, 0, 0,
				                     "model command '%s' answered more lines than asked %s",
				                     s->command, when);
			}
			continue;
		}
		if (pfd.revents & POLLOUT) {
			ssize_t n = send(s->fd, s->obuf + sent, olen - sent, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					continue;
				if (errno == EPIPE || errno == ECONNRESET)
					return died(s, when);
				kill_and_reap(s, NULL);
				return candor__error(CANDOR_EIO, NULL, 0, 0,
				                     "model command '%s': cannot write: %s", s->command,
				                     strerror(errno));
			}
			sent += (size_t)n;
			last = now_ms();
		}
	}
	return CANDOR_OK;
}

/* If the answer is an "error ..." line, turn it into the error. */
static bool answer_is_error(cmd_state *s, candor_status *st, const char *when)
{
	char *nl;

	if (s->ilen < 5 || strncmp(s->ibuf, "error", 5) != 0)
		return false;
	nl = memchr(s->ibuf, '\n', s->ilen);
	if (nl)
		*nl = '\0';
	if (nl > s->ibuf && nl[-1] == '\r')
		nl[-1] = '\0';
	*st = candor__error(CANDOR_EIO, NULL, 0, 0, "model command '%s' reported an error %s: %s",
	                    s->command, when, s->ibuf + 5 + (s->ibuf[5] == ' '));
	kill_and_reap(s, NULL);
	return true;
}

static candor_status garbage(cmd_state *s, const char *when, size_t line, const char *text,
                             size_t len, const char *what)
{
	char shown[64];
	size_t n = len < sizeof(shown) - 1 ? len : sizeof(shown) - 1;

	for (size_t i = 0; i < n; i++)
		shown[i] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
	shown[n] = '\0';
	kill_and_reap(s, NULL);
	return candor__error(CANDOR_EIO, NULL, 0, 0,
	                     "model command '%s' answered garbage %s: line %zu '%s%s': %s", s->command,
	                     when, line, shown, len > n ? "..." : "", what);
}

/* ===== predict ============================================================ */

static candor_status request(cmd_state *s, const double *x, size_t n, size_t *olen)
{
	size_t len = 0;
	char num[48];

	if (!out_reserve(s, 0, 32))
		return CANDOR_ENOMEM;
	len = (size_t)snprintf(s->obuf, s->ocap, "predict %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < s->m; j++) {
			const double v = x[i * s->m + j];

			if (j && !out_str(s, &len, ",", false))
				return CANDOR_ENOMEM;
			if (isnan(v))
				continue;
			if (s->levels[j]) {
				if (v < 0 || v >= (double)s->nlevels[j] || v != floor(v))
					return candor__error(CANDOR_EINVAL, NULL, 0, 0,
					                     "model command: value %g of categorical feature %zu "
					                     "is not a code of its dictionary", v, j);
				if (!out_str(s, &len, s->levels[j][(size_t)v], true))
					return CANDOR_ENOMEM;
			} else {
				uint64_t bits;
				num_text *e;

				memcpy(&bits, &v, sizeof(bits));
				e = &s->cache[candor__splitmix64(bits) & (NUMCACHE - 1)];
				if (e->len == 0 || e->bits != bits) {
					if (!isfinite(v))
						snprintf(num, sizeof(num), "%s", v > 0 ? "inf" : "-inf");
					else
						candor__format_double(num, sizeof(num), v);
					e->bits = bits;
					e->len = (uint8_t)strlen(num);
					memcpy(e->text, num, e->len);
				}
				if (!out_reserve(s, len, e->len))
					return CANDOR_ENOMEM;
				memcpy(s->obuf + len, e->text, e->len);
				len += e->len;
			}
		}
		if (!out_str(s, &len, "\n", false))
			return CANDOR_ENOMEM;
	}
	*olen = len;
	return CANDOR_OK;
}

static candor_status parse_answer(cmd_state *s, size_t n, double *out, const char *when)
{
	const char *p = s->ibuf, *end = s->ibuf + s->ilen;

	for (size_t i = 0; i < n; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *q = p, *le;

		if (!nl)
			return garbage(s, when, i + 1, p, (size_t)(end - p), "incomplete line");
		le = nl;
		if (le > p && le[-1] == '\r')
			le--;
		for (size_t kk = 0; kk < s->k; kk++) {
			const char *f = q, *fe = q;

			while (fe < le && *fe != ',')
				fe++;
			if (kk + 1 < s->k && fe == le)
				return garbage(s, when, i + 1, p, (size_t)(le - p), "too few numbers");
			if (kk + 1 == s->k && fe != le)
				return garbage(s, when, i + 1, p, (size_t)(le - p), "too many numbers");
			while (f < fe && (*f == ' ' || *f == '\t'))
				f++;
			const char *te = fe;
			while (te > f && (te[-1] == ' ' || te[-1] == '\t'))
				te--;
			if (te - f == 3 && strncmp(f, "nan", 3) == 0)
				out[i * s->k + kk] = NAN;
			else if (!candor__parse_double(f, (size_t)(te - f), &out[i * s->k + kk]))
				return garbage(s, when, i + 1, p, (size_t)(le - p), "not a number");
			q = fe + 1;
		}
		p = nl + 1;
	}
	return CANDOR_OK;
}

static candor_status cmd_predict(void *state, const double *x, size_t n, double *out)
{
	cmd_state *s = state;
	char when[64];
	candor_status st;

	if (s->broken)
		return candor__error(CANDOR_EIO, NULL, 0, 0,
		                     "model command '%s' is no longer running after an earlier failure",
		                     s->command);
	for (size_t i = 0; i < n; i += s->max_batch) {
		const size_t cnt = n - i < s->max_batch ? n - i : s->max_batch;
		size_t olen = 0;

		snprintf(when, sizeof(when), "to a batch of %zu rows", cnt);
		st = request(s, x + i * s->m, cnt, &olen);
		if (st == CANDOR_OK)
			st = exchange(s, olen, cnt, when);
		if (st != CANDOR_OK)
			return st;
		if (answer_is_error(s, &st, when))
			return st;
		st = parse_answer(s, cnt, out + i * s->k, when);
		if (st != CANDOR_OK)
			return st;
	}
	return CANDOR_OK;
}

static void cmd_free(void *state)
{
	cmd_state *s = state;

	if (!s)
		return;
	if (s->pid > 0 && s->fd >= 0) {
		/* EOF on its stdin asks the command to exit; give it a second. */
		shutdown(s->fd, SHUT_WR);
		for (int i = 0; i < 100; i++) {
			int st;

			if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
				candor__children_remove(s->pid);
				kill(-s->pid, SIGKILL); /* leftovers of the shell's group */
				s->pid = -1;
				break;
			}
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	kill_and_reap(s, NULL);
	if (s->levels) {
		for (size_t j = 0; j < s->m; j++) {
			if (!s->levels[j])
				continue;
			for (size_t c = 0; c < s->nlevels[j]; c++)
				candor__free(s->levels[j][c]);
			candor__free(s->levels[j]);
		}
	}
	candor__free(s->levels);
	candor__free(s->nlevels);
	candor__free(s->command);
	candor__free(s->obuf);
	candor__free(s->ibuf);
	candor__free(s->cache);
	candor__free(s);
}

static const candor__model_vtable cmd_vt = { cmd_predict, cmd_free };

static candor_status spawn(cmd_state *s, const char *command)
{
	int sv[2];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def, none, all, host;
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)command, NULL };
	bool registered;
	int rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return candor__error(CANDOR_EIO, NULL, 0, 0, "model command: socketpair failed: %s",
		                     strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDOUT_FILENO);
	posix_spawnattr_init(&attr);
	/* The command starts with default signal handling and no blocked signals,
	 * whatever the host does with SIGPIPE. */
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
	                                    POSIX_SPAWN_SETPGROUP);
	/* no signal between the spawn and the registration (children.c) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &host);
	rc = posix_spawn(&s->pid, "/bin/sh", &fa, &attr, argv, environ);
	registered = rc == 0 && candor__children_add(s->pid) == 0;
	pthread_sigmask(SIG_SETMASK, &host, NULL);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		s->pid = -1;
		return candor__error(CANDOR_EIO, NULL, 0, 0, "cannot start model command '%s': %s",
		                     command, strerror(rc));
	}
	s->fd = sv[0];
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	if (!registered) { /* candor_terminate_children() could not reach it */
		kill_and_reap(s, NULL);
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "more than 256 model commands at once");
	}
	return CANDOR_OK;
}

candor_status candor_model_cmd_new(candor_model **out, const char *command,
                                   const candor_table *table, const char *const *features,
                                   size_t nfeatures, const candor_model_cmd_options *opts)
{
	candor_model_cmd_options o = CANDOR_MODEL_CMD_OPTIONS_INIT;
	candor_model *model = NULL;
	cmd_state *s = NULL;
	candor_status st;
	size_t len = 0;
	char *p, *e;
	unsigned long kk;

	if (!out || !command || !table || (nfeatures && !features))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "model_cmd_new: NULL argument");
	*out = NULL;
	if (opts) {
		if (opts->version != CANDOR_MODEL_CMD_OPTIONS_VERSION)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "model command options version %u is not %u", opts->version,
			                     CANDOR_MODEL_CMD_OPTIONS_VERSION);
		o = *opts;
	}
	if (nfeatures == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "a model command needs features");
	if (!(o.timeout >= 0) || o.timeout > 86400)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "model command timeout %g s is out of range",
		                     o.timeout);
	st = candor__model_alloc(&model, nfeatures);
	if (st != CANDOR_OK)
		return st;
	s = candor__calloc(1, sizeof(*s));
	if (!s) {
		candor_model_free(model);
		return CANDOR_ENOMEM;
	}
	s->pid = -1;
	s->fd = -1;
	s->m = nfeatures;
	s->max_batch = o.max_batch ? o.max_batch : 65536;
	s->timeout_ms = (int)((o.timeout > 0 ? o.timeout : 60.0) * 1000.0);
	if (s->timeout_ms < 1)
		s->timeout_ms = 1;
	s->command = candor__strdup(command);
	s->levels = candor__calloc(nfeatures, sizeof(char **));
	s->nlevels = candor__calloc(nfeatures, sizeof(size_t));
	s->cache = candor__calloc(NUMCACHE, sizeof(num_text));
	model->type = CANDOR_MODEL_COMMAND;
	model->vt = &cmd_vt;
	model->state = s;
	model->reentrant = false;
	if (!s->command || !s->levels || !s->nlevels || !s->cache) {
		st = CANDOR_ENOMEM;
		goto fail;
	}
	/* Features, their columns and the categorical dictionaries (copied). */
	for (size_t j = 0; j < nfeatures; j++) {
		size_t col;

		if (!features[j] || candor_table_find(table, features[j], &col) != CANDOR_OK) {
			st = candor__error(CANDOR_ENOTFOUND, NULL, 0, 0,
			                   "the data has no column '%s', which the model needs",
			                   features[j] ? features[j] : "(null)");
			goto fail;
		}
		model->features[j] = candor__strdup(features[j]);
		if (!model->features[j]) {
			st = CANDOR_ENOMEM;
			goto fail;
		}
		if (candor_table_coltype(table, col) == CANDOR_COL_CATEGORICAL) {
			size_t nl = candor_table_nlevels(table, col);

			s->levels[j] = candor__calloc(nl ? nl : 1, sizeof(char *));
			if (!s->levels[j]) {
				st = CANDOR_ENOMEM;
				goto fail;
			}
			s->nlevels[j] = nl;
			for (size_t c = 0; c < nl; c++) {
				s->levels[j][c] = candor__strdup(candor_table_level(table, col, (int32_t)c));
				if (!s->levels[j][c]) {
					st = CANDOR_ENOMEM;
					goto fail;
				}
			}
		}
	}
	st = spawn(s, command);
	if (st != CANDOR_OK)
		goto fail;
	/* Handshake. */
	if (!out_reserve(s, 0, 64)) {
		st = CANDOR_ENOMEM;
		goto fail;
	}
	len = (size_t)snprintf(s->obuf, s->ocap, "candor-model-cmd 1\n");
	for (size_t j = 0; j < nfeatures; j++) {
		if ((j && !out_str(s, &len, ",", false)) || !out_str(s, &len, features[j], true)) {
			st = CANDOR_ENOMEM;
			goto fail;
		}
	}
	if (!out_str(s, &len, "\n", false)) {
		st = CANDOR_ENOMEM;
		goto fail;
	}
	st = exchange(s, len, 1, "to the handshake");
	if (st != CANDOR_OK || answer_is_error(s, &st, "to the handshake"))
		goto fail;
	p = s->ibuf;
	e = memchr(p, '\n', s->ilen);
	*e = '\0';
	if (e > p && e[-1] == '\r')
		e[-1] = '\0';
	if (strncmp(p, "ok ", 3) != 0) {
		st = garbage(s, "to the handshake", 1, p, strlen(p), "expected 'ok K KIND'");
		goto fail;
	}
	kk = strtoul(p + 3, &e, 10);
	if (kk == 0 || kk > 1000000 || *e != ' ') {
		st = garbage(s, "to the handshake", 1, p, strlen(p), "expected 'ok K KIND'");
		goto fail;
	}
	e++;
	if (strcmp(e, "probability") == 0)
		model->output_kind = CANDOR_OUTPUT_PROBABILITY;
	else if (strcmp(e, "margin") == 0)
		model->output_kind = CANDOR_OUTPUT_MARGIN;
	else if (strcmp(e, "value") == 0)
		model->output_kind = CANDOR_OUTPUT_VALUE;
	else {
		st = garbage(s, "to the handshake", 1, p, strlen(p),
		             "KIND must be probability, margin or value");
		goto fail;
	}
	s->k = model->noutputs = (size_t)kk;
	*out = model;
	return CANDOR_OK;
fail:
	candor_model_free(model);
	return st;
}
