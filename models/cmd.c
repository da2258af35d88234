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
 * answers while we are still sending a large batch cannot deadlock us.
 *
 * What is checked, so that an answer is never taken for another row's:
 *  - every exchange (request and complete answer) ends within `timeout`
 *    seconds, however the bytes trickle in;
 *  - every line is bounded (candor__cmd_line_max), so a reply without a
 *    newline cannot grow memory;
 *  - nothing may follow an answer, and nothing may arrive between two
 *    exchanges: an extra line would shift every later row by one;
 *  - if the command's main process exits while something it started keeps
 *    the socket open, that is reported as the exit it is (with its status).
 * A command that exits, sends something that is not the expected answer, or
 * runs out of time, gives CANDOR_EIO with a message saying which; the
 * process group is then killed and reaped, and the model refuses further
 * calls. The values themselves (finite; within [0, 1] for probabilities)
 * are checked for every adapter by candor_model_predict().
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

/* ===== the reply parsers ==================================================
 * Pure functions on memory (tests/fuzz/modelcmd_fuzz.c drives them). */

size_t candor__cmd_line_max(size_t k, size_t line)
{
	/* k fields, k - 1 commas, "\r\n" */
	const size_t numbers = k * (CANDOR__CMD_FIELD_MAX + 1) + 1;

	if (k == 0)
		return CANDOR__CMD_TEXT_MAX;
	return line == 0 && numbers < CANDOR__CMD_TEXT_MAX ? CANDOR__CMD_TEXT_MAX : numbers;
}

void candor__cmd_scan_init(candor__cmd_scan *sc, size_t want, size_t k)
{
	memset(sc, 0, sizeof(*sc));
	sc->want = want;
	sc->k = k;
}

/* "error", then a blank or the end of the line. */
static bool is_error_line(const char *p, size_t len)
{
	return len >= 5 && memcmp(p, "error", 5) == 0 &&
	       (len == 5 || p[5] == ' ' || p[5] == '\r' || p[5] == '\n');
}

candor__cmd_scan_result candor__cmd_scan_feed(candor__cmd_scan *sc, const char *buf, size_t len)
{
	if (sc->error)
		return CANDOR__CMD_DONE;
	if (sc->lines == sc->want)
		return len > sc->pos ? CANDOR__CMD_EXTRA : CANDOR__CMD_DONE;
	while (sc->pos < len) {
		const size_t max = candor__cmd_line_max(sc->k, sc->lines);
		const size_t room = sc->line_start + max - sc->pos; /* bytes this line may still take */
		const size_t avail = len - sc->pos;
		const char *nl = memchr(buf + sc->pos, '\n', avail < room ? avail : room);

		if (!nl) {
			if (avail >= room)
				return CANDOR__CMD_LONG;
			sc->pos = len;
			return CANDOR__CMD_MORE;
		}
		sc->pos = (size_t)(nl - buf) + 1;
		if (sc->lines == 0 && is_error_line(buf + sc->line_start, sc->pos - sc->line_start)) {
			sc->error = true;
			return CANDOR__CMD_DONE;
		}
		sc->lines++;
		sc->line_start = sc->pos;
		if (sc->lines == sc->want)
			return len > sc->pos ? CANDOR__CMD_EXTRA : CANDOR__CMD_DONE;
	}
	return CANDOR__CMD_MORE;
}

static bool bad_at(candor__cmd_bad *bad, size_t line, const char *text, size_t len,
                   const char *why)
{
	bad->line = line;
	bad->text = text;
	bad->len = len;
	bad->why = why;
	return false;
}

bool candor__cmd_parse_hello(const char *line, size_t len, size_t *k, candor_output_kind *kind,
                             candor__cmd_bad *bad)
{
	static const char *const kinds[] = { "margin", "probability", "value" };
	static const candor_output_kind kv[] = { CANDOR_OUTPUT_MARGIN, CANDOR_OUTPUT_PROBABILITY,
	                                         CANDOR_OUTPUT_VALUE };
	size_t i = 3, v = 0;

	if (len < 3 || memcmp(line, "ok ", 3) != 0)
		return bad_at(bad, 1, line, len, "expected 'ok K KIND'");
	while (i < len && (unsigned)(line[i] - '0') < 10 && i < 3 + 8) {
		v = v * 10 + (size_t)(line[i] - '0');
		i++;
	}
	if (i == 3 || i == len || line[i] != ' ' || v == 0 || v > 1000000)
		return bad_at(bad, 1, line, len, "expected 'ok K KIND' with K from 1 to 1000000");
	i++;
	for (size_t t = 0; t < 3; t++) {
		if (len - i == strlen(kinds[t]) && memcmp(line + i, kinds[t], len - i) == 0) {
			*k = v;
			*kind = kv[t];
			return true;
		}
	}
	return bad_at(bad, 1, line, len, "KIND must be probability, margin or value");
}

bool candor__cmd_parse_reply(const char *buf, size_t len, size_t n, size_t k, double *out,
                             candor__cmd_bad *bad)
{
	const char *p = buf, *end = buf + len;

	for (size_t i = 0; i < n; i++) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL, *q = p, *le;

		if (!nl)
			return bad_at(bad, i + 1, p, (size_t)(end - p), "incomplete line");
		le = nl;
		if (le > p && le[-1] == '\r')
			le--;
		for (size_t kk = 0; kk < k; kk++) {
			const char *f = q, *fe = q, *te;

			while (fe < le && *fe != ',')
				fe++;
			if (kk + 1 < k && fe == le)
				return bad_at(bad, i + 1, p, (size_t)(le - p), "too few numbers");
			if (kk + 1 == k && fe != le)
				return bad_at(bad, i + 1, p, (size_t)(le - p), "too many numbers");
			if (fe - f > CANDOR__CMD_FIELD_MAX)
				return bad_at(bad, i + 1, p, (size_t)(le - p),
				              "a number field is longer than 64 bytes");
			while (f < fe && (*f == ' ' || *f == '\t'))
				f++;
			te = fe;
			while (te > f && (te[-1] == ' ' || te[-1] == '\t'))
				te--;
			if (te - f == 3 && memcmp(f, "nan", 3) == 0)
				out[i * k + kk] = NAN;
			else if (!candor__parse_double(f, (size_t)(te - f), &out[i * k + kk]))
				return bad_at(bad, i + 1, p, (size_t)(le - p), "not a number");
			q = fe + 1;
		}
		p = nl + 1;
	}
	if (p != end)
		return bad_at(bad, n + 1, p, (size_t)(end - p), "more lines than asked");
	return true;
}

/* ===== the exchange ======================================================= */

/* The first line of some output of the model, printable, cut at 60 bytes. */
static void show(char *dst, size_t size, const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	size_t n;

	if (nl && (size_t)(nl - text) + 1 == len)
		len = (size_t)(nl - text) - (nl > text && nl[-1] == '\r');
	n = len < size - 4 ? len : size - 4;

	for (size_t i = 0; i < n; i++)
		dst[i] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
	strcpy(dst + n, len > n ? "..." : "");
}

static candor_status garbage(cmd_state *s, const char *when, const candor__cmd_bad *bad)
{
	char shown[64];

	show(shown, sizeof(shown), bad->text, bad->len);
	kill_and_reap(s, NULL);
	return candor__error(CANDOR_EIO, NULL, 0, 0,
	                     "model command '%s' answered garbage %s: line %zu '%s': %s", s->command,
	                     when, bad->line, shown, bad->why);
}

/* The command's main process has exited (it is not reaped: WNOWAIT), while
 * the socket is still open: a process it started holds it. */
static bool main_exited(const cmd_state *s)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return s->pid > 0 && waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == s->pid;
}

static candor_status exited_holding(cmd_state *s, const char *when)
{
	int st = 0;
	char how[64];

	kill_and_reap(s, &st);
	exit_text(st, how, sizeof(how));
	return candor__error(CANDOR_EIO, NULL, 0, 0,
	                     "model command '%s' %s %s, while a process it started still held its "
	                     "output open (its process group was killed)",
	                     s->command, how, when);
}

/* Grow s->ibuf so that a recv can take at least 64 KiB. */
static bool in_reserve(cmd_state *s)
{
	if (s->icap - s->ilen >= 65536)
		return true;
	size_t cap = s->icap ? s->icap * 2 : 131072;
	char *nb = candor__realloc(s->ibuf, cap);

	if (!nb)
		return false;
	s->ibuf = nb;
	s->icap = cap;
	return true;
}

/*
 * Bytes that are readable now, with no request outstanding (before a
 * request, and right after a complete answer), are output no request asked
 * for: an extra line would otherwise be taken as the first line of the next
 * answer and shift every later row. Data at s->ibuf + s->ilen, not kept.
 */
static candor_status check_quiet(cmd_state *s, const char *when, bool eof_ok)
{
	struct pollfd pfd = { s->fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
		return CANDOR_OK;
	if (!in_reserve(s)) {
		kill_and_reap(s, NULL);
		return CANDOR_ENOMEM;
	}
	n = recv(s->fd, s->ibuf + s->ilen, s->icap - s->ilen - 1, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return CANDOR_OK;
	if (n == 0)
		return eof_ok ? CANDOR_OK : died(s, when);
	if (n < 0) {
		kill_and_reap(s, NULL);
		return candor__error(CANDOR_EIO, NULL, 0, 0, "model command '%s': cannot read: %s",
		                     s->command, strerror(errno));
	}
	{
		char shown[64];

		show(shown, sizeof(shown), s->ibuf + s->ilen, (size_t)n);
		kill_and_reap(s, NULL);
		return candor__error(CANDOR_EIO, NULL, 0, 0,
		                     "model command '%s' sent output that no request asked for, %s "
		                     "'%s' (one answer per request, and nothing else)",
		                     s->command, eof_ok ? "after its answer" : "before the request",
		                     shown);
	}
}

/*
 * Send s->obuf[0..olen) while collecting the answer into s->ibuf (s->ilen
 * bytes): `lines` lines of `k` numbers (k == 0: the handshake's one line),
 * or one "error ..." line. The whole exchange must end within the timeout
 * (a trickling command cannot outlive it), no line may exceed its bound
 * (so a reply without newlines cannot grow memory), and nothing may follow
 * the answer. `when` describes the exchange for messages.
 */
static candor_status exchange(cmd_state *s, size_t olen, size_t lines, size_t k, const char *when)
{
	const double deadline = now_ms() + (double)s->timeout_ms;
	size_t sent = 0;
	candor__cmd_scan sc;
	candor__cmd_scan_result res = CANDOR__CMD_MORE;
	candor_status st;

	s->ilen = 0;
	candor__cmd_scan_init(&sc, lines, k);
	st = check_quiet(s, when, false);
	if (st != CANDOR_OK)
		return st;
	while (sent < olen || res == CANDOR__CMD_MORE) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };
		const double left = deadline - now_ms();
		int r;

		if (left <= 0) {
			kill_and_reap(s, NULL);
			return candor__error(CANDOR_EIO, NULL, 0, 0,
			                     "model command '%s' did not answer %s within %.3g s (the "
			                     "timeout); it was stopped",
			                     s->command, when, s->timeout_ms / 1000.0);
		}
		if (sent < olen)
			pfd.events |= POLLOUT;
		/* Wake up at least every 100 ms to see whether the command exited. */
		r = poll(&pfd, 1, left < 100 ? (int)ceil(left) : 100);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			kill_and_reap(s, NULL);
			return candor__error(CANDOR_EIO, NULL, 0, 0, "model command '%s': poll failed: %s",
			                     s->command, strerror(errno));
		}
		if (r == 0) {
			if (main_exited(s))
				return exited_holding(s, when);
			continue;
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n;

			if (!in_reserve(s)) {
				kill_and_reap(s, NULL);
				return CANDOR_ENOMEM;
			}
			n = recv(s->fd, s->ibuf + s->ilen, s->icap - s->ilen - 1, 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				continue;
			if (n <= 0)
				return died(s, when);
			s->ilen += (size_t)n;
			res = candor__cmd_scan_feed(&sc, s->ibuf, s->ilen);
			if (res == CANDOR__CMD_DONE && sc.error)
				return CANDOR_OK; /* an error line is the whole answer */
			if (res == CANDOR__CMD_LONG || res == CANDOR__CMD_EXTRA) {
				const candor__cmd_bad bad = {
					sc.lines + 1, s->ibuf + sc.line_start, s->ilen - sc.line_start,
					res == CANDOR__CMD_LONG ? "the line is longer than the protocol allows"
					                        : "more lines than asked"
				};
				return garbage(s, when, &bad);
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
		}
	}
	/* An EOF right after a complete answer is reported by the next request. */
	return check_quiet(s, when, true);
}

/* If the answer is an "error ..." line, turn it into the error. */
static bool answer_is_error(cmd_state *s, candor_status *st, const char *when)
{
	char *nl;

	if (!is_error_line(s->ibuf, s->ilen))
		return false;
	nl = memchr(s->ibuf, '\n', s->ilen);
	if (nl)
		*nl = '\0';
	if (nl > s->ibuf && nl[-1] == '\r')
		nl[-1] = '\0';
	for (char *c = s->ibuf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	*st = candor__error(CANDOR_EIO, NULL, 0, 0, "model command '%s' reported an error %s: %s",
	                    s->command, when, s->ibuf + 5 + (s->ibuf[5] == ' '));
	kill_and_reap(s, NULL);
	return true;
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

static candor_status cmd_predict(void *state, const double *x, size_t n, double *out)
{
	cmd_state *s = state;
	char when[64];
	candor_status st;
	candor__cmd_bad bad;

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
			st = exchange(s, olen, cnt, s->k, when);
		if (st != CANDOR_OK)
			return st;
		if (answer_is_error(s, &st, when))
			return st;
		if (!candor__cmd_parse_reply(s->ibuf, s->ilen, cnt, s->k, out + i * s->k, &bad))
			return garbage(s, when, &bad);
	}
	return CANDOR_OK;
}

candor_status candor__cmd_settle(candor_model *model, int grace_ms)
{
	cmd_state *s;
	struct pollfd pfd;
	candor_status st;
	int r;

	if (!model || model->type != CANDOR_MODEL_COMMAND)
		return CANDOR_OK;
	s = model->state;
	/* the model's lock: another thread may be in a predict call */
	pthread_mutex_lock(&model->lock);
	if (s->broken || s->fd < 0) {
		pthread_mutex_unlock(&model->lock);
		return CANDOR_OK;
	}
	pfd.fd = s->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	do
		r = poll(&pfd, 1, grace_ms);
	while (r < 0 && errno == EINTR);
	st = r <= 0 ? CANDOR_OK : check_quiet(s, "after its last answer", true);
	pthread_mutex_unlock(&model->lock);
	return st;
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
	size_t len = 0, hl, kk = 0;
	candor__cmd_bad bad;

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
	model->name = candor__strdup(command);
	s->levels = candor__calloc(nfeatures, sizeof(char **));
	s->nlevels = candor__calloc(nfeatures, sizeof(size_t));
	s->cache = candor__calloc(NUMCACHE, sizeof(num_text));
	model->type = CANDOR_MODEL_COMMAND;
	model->vt = &cmd_vt;
	model->state = s;
	model->reentrant = false;
	if (!s->command || !model->name || !s->levels || !s->nlevels || !s->cache) {
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
	st = exchange(s, len, 1, 0, "to the handshake");
	if (st != CANDOR_OK || answer_is_error(s, &st, "to the handshake"))
		goto fail;
	hl = s->ilen - 1; /* the scan ended at the line's '\n' */
	if (hl > 0 && s->ibuf[hl - 1] == '\r')
		hl--;
	if (!candor__cmd_parse_hello(s->ibuf, hl, &kk, &model->output_kind, &bad)) {
		st = garbage(s, "to the handshake", &bad);
		goto fail;
	}
	s->k = model->noutputs = kk;
	*out = model;
	return CANDOR_OK;
fail:
	candor_model_free(model);
	return st;
}

candor_status candor_model_cmd_options_init(candor_model_cmd_options *opts, unsigned int version)
{
	return candor__options_init(opts, version == CANDOR_MODEL_CMD_OPTIONS_VERSION ? sizeof(*opts) : 0,
	                            version, CANDOR_MODEL_CMD_OPTIONS_VERSION,
	                            "candor_model_cmd_options");
}
