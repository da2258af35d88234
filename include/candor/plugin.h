/**
 * @file candor/plugin.h
 * @brief The C entry point of a model plugin: a shared library that
 *        candor_model_load() opens with dlopen() when the model file is ELF.
 *
 * A plugin exports one function, `candor_plugin_init`, of type
 * ::candor_plugin_init_fn. candor calls it once with a zeroed
 * ::candor_plugin and the ABI version it speaks; the plugin fills in the
 * fields and returns 0, or writes a one-line reason into `plugin->error` and
 * returns nonzero. This header needs nothing but the C standard library, so
 * a plugin does not link libcandor.
 *
 * @code
 * #include <candor/plugin.h>
 *
 * static const char *names[] = { "age", "income_k" };
 *
 * static int predict(void *state, const double *x, size_t n, double *out)
 * {
 *     for (size_t i = 0; i < n; i++)
 *         out[i] = 0.01 * x[2 * i] + 0.002 * x[2 * i + 1];
 *     return 0;
 * }
 *
 * CANDOR_PLUGIN_EXPORT int candor_plugin_init(candor_plugin *p, unsigned int abi)
 * {
 *     if (abi < CANDOR_PLUGIN_ABI_VERSION)
 *         return 1;
 *     p->abi_version = CANDOR_PLUGIN_ABI_VERSION;
 *     p->nfeatures = 2;
 *     p->features = names;
 *     p->noutputs = 1;
 *     p->output_kind = 3;      // CANDOR_OUTPUT_VALUE
 *     p->reentrant = 1;
 *     p->predict = predict;
 *     return 0;
 * }
 * @endcode
 * Build: `cc -shared -fPIC -o model.so model.c`; use: `candor explain --model
 * ./model.so ...`.
 */
#ifndef CANDOR_PLUGIN_H
#define CANDOR_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header describes. */
#define CANDOR_PLUGIN_ABI_VERSION 1u

/** The name of the symbol a plugin exports. */
#define CANDOR_PLUGIN_ENTRY "candor_plugin_init"

#if defined(__GNUC__)
#define CANDOR_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define CANDOR_PLUGIN_EXPORT
#endif

/** What a plugin tells candor about its model. */
typedef struct candor_plugin {
	unsigned int abi_version;  /**< set to CANDOR_PLUGIN_ABI_VERSION */
	size_t nfeatures;          /**< M >= 1 */
	const char *const *features; /**< M names; copied by candor after init */
	size_t noutputs;           /**< K >= 1 */
	int output_kind;           /**< 1 margin, 2 probability, 3 value (::candor_output_kind) */
	int reentrant;             /**< nonzero when predict may run on several threads at once */
	void *state;               /**< the plugin's own data, passed back to predict and destroy */
	/**
	 * Predict n rows: x is n x M row-major (categorical features as codes of
	 * the data's dictionaries, NaN missing); out receives n x K row-major.
	 * Return 0, or nonzero after writing a reason into `error`.
	 */
	int (*predict)(void *state, const double *x, size_t n, double *out);
	/** Free `state`; may be NULL. Called once, before dlclose. */
	void (*destroy)(void *state);
	/** A one-line reason for a nonzero return of init or predict. */
	char error[256];
} candor_plugin;

/** The entry point: fill `plugin` and return 0. `abi_version` is candor's. */
typedef int (*candor_plugin_init_fn)(candor_plugin *plugin, unsigned int abi_version);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_PLUGIN_H */
