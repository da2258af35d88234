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
 * Thread-safety: candor_model_predict() on a model whose
 * candor_model_is_reentrant() is true may be called from several threads at
 * once; otherwise the caller serialises the calls (an external process
 * serves one batch at a time).
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
	CANDOR_MODEL_PLUGIN = 5    /**< shared-library plugin */
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
 */
CANDOR_API candor_status candor_model_predict(candor_model *model, const double *x, size_t n,
                                              double *out);

/**
 * Map the model's features onto columns of `table`: cols[j] receives the
 * column index of feature j. CANDOR_ENOTFOUND names the first missing one.
 */
CANDOR_API candor_status candor_model_bind(const candor_model *model, const candor_table *table,
                                           size_t *cols);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_MODELS_H */
