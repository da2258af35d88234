/*
 * explain_int.h - private layouts and helpers shared by the explainers (not
 * installed). Three parts, three files: explainer.c is the driver (the
 * explainer handle: it validates the options and builds everything that
 * does not depend on the explained rows once, then explains rows in
 * parallel, each thread with one workspace of its method); explanation.c
 * is the result object; coalition.c is the methods' helper library
 * (predict, link, coalition values, Gram updates). The methods themselves
 * are exact.c, kernelshap.c, permutation.c, linearshap.c, lime.c and
 * treeshap.c.
 */
#ifndef CANDOR_EXPLAIN_INT_H
#define CANDOR_EXPLAIN_INT_H

#include <gsl/gsl_rng.h>

#include "candor/explain.h"
#include "core/core_int.h"
#include "models/models_int.h"

struct candor_background {
	size_t n, m;
	double *x; /* n x m */
	double *w; /* n, sums to 1 */
};

struct candor_explanation {
	candor_explain_method method;
	candor_link link;
	size_t n, m, k;
	char **features;   /* m names */
	uint64_t *row_ids; /* n */
	double *values;    /* n x k x m */
	double *base;      /* n x k */
	double *pred;      /* n x k */
	double *se;        /* n x k x m or NULL */
	double *local_pred;/* LIME: n x k, else NULL */
	double *score;     /* LIME: n x k, else NULL */
	candor_tree_mode tree_mode; /* TREE: path-dependent or interventional */
	double *inter;     /* TREE with interactions: n x k x (m + 1)^2, else NULL */
};

candor_status candor__explanation_alloc(candor_explanation **out, const candor_model *model,
                                        size_t n, candor_explain_method method,
                                        candor_link link, bool with_se, bool lime,
                                        const uint64_t *row_ids);

/* Values, base values and predictions (the sum of each block) from
 * TreeSHAP's layout phi (n x K x (M + 1), the base value last). */
void candor__explanation_set_contribs(candor_explanation *e, const double *phi);

/* g(p): the link applied to one output. Logit clamps p to [1e-15, 1 - 1e-15]
 * so a saturated model gives large finite values rather than infinities. */
double candor__link(candor_link link, double p);

/* Predict (a model that is not reentrant serialises its calls itself). */
candor_status candor__predict(candor_model *model, const double *x, size_t n, double *out);

/* ---- coalition values ---------------------------------------------------
 * v(S) = g( sum_b w_b f(x_S, b_~S) ) for many coalitions S of one row x,
 * with `chunk` coalitions (chunk * nbg synthetic rows) per predict call. */
typedef struct candor__coal {
	candor_model *model;
	const double *bg, *bgw;
	size_t nbg, m, k;
	candor_link link;
	size_t chunk;
	double *rows; /* chunk * nbg x m */
	double *out;  /* chunk * nbg x k */
	/* Each slot of `rows` keeps the coalition it last held for x = last_x,
	 * so the next coalition in that slot rewrites only the columns that
	 * differ (see candor__coal_eval). */
	uint8_t *slot_mask; /* chunk x m */
	uint8_t *slot_ok;   /* chunk: 1 when the slot holds slot_mask for last_x */
	double *last_x;     /* m */
	double *sums;       /* chunk x k: sum_b w_b f over the background */
} candor__coal;

candor_status candor__coal_init(candor__coal *c, candor_model *model,
                                const candor_background *bg, candor_link link,
                                size_t max_batch_rows);
void candor__coal_free(candor__coal *c);
/* masks: ncoal x m bytes (1 = the feature takes x's value); v: ncoal x k. */
candor_status candor__coal_eval(candor__coal *c, const double *x, const uint8_t *masks,
                                size_t ncoal, double *v);

/* C (p x p, row-major) += A' A for A (n x p, row-major), by cblas_dgemm on
 * blocks the caller keeps small (see coalition.c: dgemm below OpenBLAS's
 * threading threshold runs on the calling thread; dsyrk has no such
 * threshold in 0.3.21, so it is not used). */
void candor__gram_add(double *c, const double *a, size_t n, size_t p);

/* ---- the per-method row explainers --------------------------------------
 * Everything a row explainer needs besides its workspace; read-only. */
typedef struct candor__ctx {
	candor_model *model;
	const candor_background *bg;
	candor_explain_options o;  /* defaults resolved */
	size_t m, k;
	const double *base;        /* k values: g(E f) over the background */
	const void *method_data;   /* LIME: the training statistics */
} candor__ctx;

/* One row's outputs (pointers into the explanation at that row). */
typedef struct candor__row_out {
	double *phi;        /* k x m */
	double *base;       /* k */
	const double *pred; /* k */
	double *se;         /* k x m or NULL */
	double *local_pred; /* LIME: k */
	double *score;      /* LIME: k */
} candor__row_out;

typedef struct candor__method {
	candor_status (*ws_new)(void **ws, const candor__ctx *ctx);
	void (*ws_free)(void *ws);
	candor_status (*row)(void *ws, const candor__ctx *ctx, const double *x, gsl_rng *rng,
	                     candor__row_out *out);
} candor__method;

extern const candor__method candor__exact_method;
extern const candor__method candor__kernel_method;
extern const candor__method candor__permutation_method;
extern const candor__method candor__lime_method;

/* Methods with a check of their own before any work (sizes, budgets). */
candor_status candor__exact_check(const candor__ctx *ctx);
candor_status candor__kernel_check(const candor__ctx *ctx);
candor_status candor__permutation_check(const candor__ctx *ctx);

/* Linear SHAP is closed form and needs no rows loop. */
candor_status candor__linear_shap(const candor__ctx *ctx, const double *x, size_t n,
                                  candor_explanation *e);

/* LIME's training statistics, built once per explainer. */
typedef struct candor__lime_stats candor__lime_stats;
candor_status candor__lime_stats_new(candor__lime_stats **out, const candor__ctx *ctx);
void candor__lime_stats_free(candor__lime_stats *s);

#endif
