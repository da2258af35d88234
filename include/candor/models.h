/**
 * @file candor/models.h
 * @brief The model interface: batched prediction of n rows to n x K outputs.
 *
 * A model has an ordered list of feature names, K outputs per row, and says
 * whether those outputs are margins (log-odds, raw scores), probabilities or
 * plain regression values. Rows are passed as a dense row-major matrix of
 * doubles in the model's feature order: numbers as they are, categorical
 * features as their codes in the table's dictionary (see
 * candor_table_matrix()), NaN for missing.
 *
 * Adapters: linear/logistic JSON, XGBoost JSON, an external command
 * (--model-cmd) and a shared-library plugin. candor_model_load() picks the
 * adapter from the file's content.
 *
 * Thread-safety: candor_model_predict() may be called from several threads
 * at once. A model whose candor_model_is_reentrant() is true runs those
 * calls side by side; one that is not (a --model-cmd process serves one
 * batch at a time, a plugin that leaves its `reentrant` flag 0) takes a lock
 * of its own around each call, so its calls are serialised with each other
 * and never with another model's. A model declares itself reentrant by its
 * adapter: the built-in linear, logistic and tree models are, command
 * models are not, plugins say so in candor_plugin::reentrant. A model must
 * not be freed while another thread uses it.
 */
#ifndef CANDOR_MODELS_H
#define CANDOR_MODELS_H

#include <stdbool.h>
#include <stddef.h>

#include "candor/common.h"
#include "candor/datasets.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a model's outputs mean. */
typedef enum candor_output_kind {
	CANDOR_OUTPUT_MARGIN = 1,      /**< log-odds or raw additive score */
	CANDOR_OUTPUT_PROBABILITY = 2, /**< probabilities in [0, 1] */
	CANDOR_OUTPUT_VALUE = 3        /**< a regression value */
} candor_output_kind;

/** The adapter behind a model. */
typedef enum candor_model_type {
	CANDOR_MODEL_LINEAR = 1,   /**< linear regression JSON */
	CANDOR_MODEL_LOGISTIC = 2, /**< logistic regression JSON */
	CANDOR_MODEL_XGBOOST = 3,  /**< XGBoost JSON tree ensemble */
	CANDOR_MODEL_COMMAND = 4,  /**< external command, batch protocol */
	CANDOR_MODEL_PLUGIN = 5,   /**< shared-library plugin */
	CANDOR_MODEL_LIGHTGBM = 6, /**< LightGBM text model (Booster.save_model) */
	CANDOR_MODEL_ENSEMBLE = 7  /**< candor's tree-ensemble JSON (scikit-learn's trees) */
} candor_model_type;

/** An opaque model handle. */
typedef struct candor_model candor_model;

/**
 * Load a model file, choosing the adapter by content: XGBoost JSON (as
 * written by Booster.save_model), linear/logistic JSON, or a shared library
 * (ELF) plugin. Errors name the file, line and column.
 */
CANDOR_API candor_status candor_model_load(candor_model **out, const char *path);

/** Free a model; NULL is accepted. */
CANDOR_API void candor_model_free(candor_model *model);

/** The adapter type. */
CANDOR_API candor_model_type candor_model_type_of(const candor_model *model);
/** Number of input features M. */
CANDOR_API size_t candor_model_nfeatures(const candor_model *model);
/** Name of feature j (borrowed, valid while the model lives). */
CANDOR_API const char *candor_model_feature(const candor_model *model, size_t j);
/** Number of outputs K per row (1 for binary and regression models). */
CANDOR_API size_t candor_model_noutputs(const candor_model *model);
/** What the outputs of candor_model_predict() mean. */
CANDOR_API candor_output_kind candor_model_output_kind(const candor_model *model);
/** True when predict may run on several threads at once. */
CANDOR_API bool candor_model_is_reentrant(const candor_model *model);

/**
 * Predict `n` rows. `x` is n x M row-major in the model's feature order;
 * `out` (caller-allocated) receives n x K row-major outputs.
 *
 * Every adapter's outputs are checked: a value that is not finite, or one
 * outside [0, 1] from a model whose outputs are probabilities, gives
 * CANDOR_EDOMAIN naming the model, the row (0-based, within this call) and
 * the value (the contents of `out` are then unspecified).
 */
CANDOR_API candor_status candor_model_predict(candor_model *model, const double *x, size_t n,
                                              double *out);

/**
 * The threads one candor_model_predict() call of a tree model (XGBoost,
 * LightGBM, tree-ensemble JSON) may use: its rows are split in blocks among
 * them, and the outputs are the same bits for every count. 1 (the default)
 * keeps each call on its caller's thread, which is what a host with its own
 * worker pool wants; 0 means all cores. A call from inside an OpenMP
 * parallel region runs on its own thread (OpenMP does not nest by default).
 * Set it before the model is shared between threads. Errors: CANDOR_EINVAL
 * for threads < 0; CANDOR_EUNSUPPORTED for threads other than 1 on any other
 * model (their calls always run on the caller's thread).
 */
CANDOR_API candor_status candor_model_set_threads(candor_model *model, int threads);

/**
 * Map the model's features onto columns of `table`: cols[j] receives the
 * column index of feature j. CANDOR_ENOTFOUND names the first missing one.
 */
CANDOR_API candor_status candor_model_bind(const candor_model *model, const candor_table *table,
                                           size_t *cols);

/**
 * Check `n` rows `x` (n x M) against what the model's own library accepts,
 * without predicting: CANDOR_EDOMAIN names the first row (0-based, within
 * this call), feature and value it refuses. candor_model_predict() makes
 * the same check; callers that walk a model's trees themselves (TreeSHAP)
 * call this first. Today only scikit-learn's models refuse values: its
 * classic trees take finite float32 values only, HistGradientBoosting's
 * categorical features categories below 256 (docs/models.md).
 */
CANDOR_API candor_status candor_model_check_input(const candor_model *model, const double *x,
                                                  size_t n);

/* ===== additions: loading from memory and the external-command adapter ===== */

/**
 * As candor_model_load() on an in-memory JSON document of `len` bytes
 * (XGBoost or linear/logistic JSON; plugins need a file). `name` is used in
 * error messages (NULL: "<buffer>").
 */
CANDOR_API candor_status candor_model_load_buffer(candor_model **out, const char *data,
                                                  size_t len, const char *name);

/** Options of candor_model_cmd_new(). Zero means the default. */
typedef struct candor_model_cmd_options {
	unsigned int version; /**< CANDOR_MODEL_CMD_OPTIONS_VERSION */
	double timeout;       /**< seconds each exchange (request and whole answer) may take; 0: 60 */
	size_t max_batch;     /**< rows per request; 0: 65536 */
} candor_model_cmd_options;

#define CANDOR_MODEL_CMD_OPTIONS_VERSION 1
#define CANDOR_MODEL_CMD_OPTIONS_INIT { .version = CANDOR_MODEL_CMD_OPTIONS_VERSION }

/** Fill `opts` with the defaults of `version` (zero and the version);
 *  CANDOR_EINVAL for an unknown version. */
CANDOR_API candor_status candor_model_cmd_options_init(candor_model_cmd_options *opts,
                                                       unsigned int version);

/**
 * A model served by an external command (`/bin/sh -c command`), started once
 * and kept for the model's life, speaking the batch protocol of
 * docs/explain.md over its stdin/stdout: a `hello` handshake with the
 * feature names, then `predict N` requests of N CSV rows holding the
 * original values (categorical features as their strings, looked up in the
 * dictionaries of `table`, which are copied), answered by N lines of K
 * numbers. The handshake's answer gives K and the output kind.
 *
 * `features[0..nfeatures)` name columns of `table`; CANDOR_ENOTFOUND when one
 * is absent. A command that exits, answers something else (a line beyond
 * the answer, output no request asked for, a line over its bound) or does
 * not complete an answer within `timeout` seconds gives CANDOR_EIO with a
 * message saying which (the process group is killed and reaped; SIGPIPE
 * never reaches the host). Not reentrant: candor_model_predict()
 * serialises its calls with the model's own lock.
 */
CANDOR_API candor_status candor_model_cmd_new(candor_model **out, const char *command,
                                              const candor_table *table,
                                              const char *const *features, size_t nfeatures,
                                              const candor_model_cmd_options *opts);

/**
 * Kill (SIGKILL) the process group of every model command that is running,
 * for a host that is itself being killed: call it from the host's SIGTERM,
 * SIGINT or SIGHUP handler, before re-raising the signal. Model commands run
 * in process groups of their own, so the signal that kills the host does
 * not reach them; without this call they would run on as orphans.
 *
 * Async-signal-safe (it only reads lock-free atomics and calls kill()), and
 * safe from any thread. The model handles are left as they are: after this
 * call every command model fails its next prediction. This call reads the
 * library's one piece of process-wide state, a fixed list of at most 256
 * live command groups kept by candor_model_cmd_new() and candor_model_free()
 * (candor_model_cmd_new() fails with CANDOR_EUNSUPPORTED beyond 256).
 */
CANDOR_API void candor_terminate_children(void);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_MODELS_H */
