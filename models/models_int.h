/*
 * models_int.h - the model handle's private layout and the adapter vtable
 * (not installed). Each adapter (linear.c, xgboost.c, cmd.c, plugin.c) fills
 * a candor_model with its vtable and private state; model.c holds the
 * public functions and the by-content dispatch of candor_model_load().
 */
#ifndef CANDOR_MODELS_INT_H
#define CANDOR_MODELS_INT_H

#include <pthread.h>

#include "core/json_int.h"

#include "candor/models.h"
#include "core/core_int.h"

typedef struct candor__model_vtable {
	/* x: n x M row-major; out: n x K row-major. */
	candor_status (*predict)(void *state, const double *x, size_t n, double *out);
	void (*free)(void *state);
} candor__model_vtable;

struct candor_model {
	candor_model_type type;
	const candor__model_vtable *vt;
	void *state;               /* the adapter's own data, freed by vt->free */
	char **features;           /* M names, owned */
	size_t nfeatures;
	size_t noutputs;           /* K */
	candor_output_kind output_kind;
	bool reentrant;
	char *name;                /* for messages: the file, buffer name or command; owned */
	/* Held around every predict call of a model that is not reentrant
	 * (candor_model_predict), and by anything else that talks to the
	 * adapter's state between calls (candor__cmd_settle): one lock per
	 * model, so two models never wait for each other. */
	pthread_mutex_t lock;
};

/* Allocate a model with `nfeatures` NULL feature names (calloc'd) and its
 * lock, to be filled by an adapter. Freed with candor_model_free(). */
candor_status candor__model_alloc(candor_model **out, size_t nfeatures);

/* Adapters of JSON models: `doc` is the document read by the JSON core
 * (borrowed), which also reports an error at any of its values. */
candor_status candor__linear_load(candor_model **out, const candor__json *doc);
candor_status candor__xgboost_load(candor_model **out, const candor__json *doc);
candor_status candor__plugin_load(candor_model **out, const char *path);

/* The tree ensemble behind a tree model (XGBoost, LightGBM): see
 * candor__tree_ensemble_of() in tree_int.h, the one tree engine. */

/* ---- additions by the models/explainers issue (model.c, linear.c, cmd.c,
 * plugin.c); nothing above changes. ---- */

/* The margin-space form of a linear/logistic model: margin(x) = intercept +
 * sum coef[j] * x[j] (mean and scale folded in). Returns false for any other
 * model. Used by linear SHAP. */
bool candor__linear_margin_form(const candor_model *model, const double **coef,
                                double *intercept);

/* children.c: the registry of live model-command process groups, read by
 * candor_terminate_children(). add: 0, or -1 when MAX_CHILDREN (256) groups
 * are already registered. remove: before the group's leader is reaped. */
#include <sys/types.h>
int candor__children_add(pid_t pgid);
void candor__children_remove(pid_t pgid);

/* ---- additions by issue 9 (model.c, cmd.c): the --model-cmd reply parsers,
 * pure functions on memory so that tests/fuzz/modelcmd_fuzz.c can drive
 * them without a process. Bounds (docs/explain.md, "The --model-cmd
 * protocol"): a number field, blanks included, is at most
 * CANDOR__CMD_FIELD_MAX bytes, so an answer line of K numbers is at most
 * 65 K + 1 bytes counting its "\r\n"; the handshake answer and an error
 * line at most CANDOR__CMD_TEXT_MAX bytes. ---- */
#define CANDOR__CMD_FIELD_MAX 64
#define CANDOR__CMD_TEXT_MAX 4096

/* The longest line `line` (0-based) of a reply may be, '\n' included: k
 * numbers per line, or k == 0 for the handshake answer. */
size_t candor__cmd_line_max(size_t k, size_t line);

/* Scanning a reply as its bytes arrive: `want` lines of `k` numbers (k == 0:
 * the one-line handshake answer), or one "error ..." line instead. */
typedef struct candor__cmd_scan {
	size_t want, k;
	size_t lines;      /* complete lines seen */
	size_t pos;        /* bytes scanned */
	size_t line_start; /* offset of the line being received */
	bool error;        /* the reply is an "error ..." line */
} candor__cmd_scan;

typedef enum candor__cmd_scan_result {
	CANDOR__CMD_MORE = 0, /* the reply is not complete yet */
	CANDOR__CMD_DONE,     /* exactly the reply: `want` lines or one error line */
	CANDOR__CMD_LONG,     /* a line is longer than candor__cmd_line_max() */
	CANDOR__CMD_EXTRA     /* bytes follow the complete reply */
} candor__cmd_scan_result;

void candor__cmd_scan_init(candor__cmd_scan *sc, size_t want, size_t k);
/* buf[0..len): every byte of the reply received so far (len only grows
 * between calls). A chunking of the same bytes gives the same result. */
candor__cmd_scan_result candor__cmd_scan_feed(candor__cmd_scan *sc, const char *buf, size_t len);

/* Where a reply is wrong: 1-based line, the line's bytes, and why. */
typedef struct candor__cmd_bad {
	size_t line;
	const char *text;
	size_t len;
	const char *why;
} candor__cmd_bad;

/* The handshake answer `ok K KIND` (line[0..len), without its "\r\n"). */
bool candor__cmd_parse_hello(const char *line, size_t len, size_t *k, candor_output_kind *kind,
                             candor__cmd_bad *bad);
/* A complete reply of n lines of k numbers ("nan" allowed: the model
 * layer's output check names it) into out (n x k). */
bool candor__cmd_parse_reply(const char *buf, size_t len, size_t n, size_t k, double *out,
                             candor__cmd_bad *bad);

/* After a run of predict calls: wait up to grace_ms for output that a
 * command model sent after its last answer (a late extra line would have
 * shifted that answer), and report it as CANDOR_EIO. CANDOR_OK for every
 * other model. */
candor_status candor__cmd_settle(candor_model *model, int grace_ms);

/* ---- additions by the tree-ensemble issue (lightgbm.c) ---- */

/* LightGBM's text model: its first line is "tree". */
bool candor__lightgbm_detect(const char *text, size_t len);
candor_status candor__lightgbm_load(candor_model **out, const char *text, size_t len,
                                    const char *path);

/* ---- additions by the scikit-learn issue (ensemble.c) ---- */

/* candor's tree-ensemble JSON: a top-level object with a "format" member. */
bool candor__ensemble_detect(json_object *root);
candor_status candor__ensemble_load(candor_model **out, const candor__json *doc);

#endif
