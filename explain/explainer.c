/*
 * explainer.c - the driver: the explainer handle, and candor_explain() as a
 * thin wrapper of it.
 *
 * candor_explainer_new() validates every option in one pass, picks the
 * method (auto: TreeSHAP for tree ensembles, linear SHAP for linear and
 * logistic models, KernelSHAP otherwise), and builds everything that does
 * not depend on the explained rows, once: a copy of the background, its
 * predictions and base values g(E f), LIME's training statistics, the
 * TreeSHAP plan (per-leaf tables, interventional weights and base values).
 * The handle is read-only after that. candor_explainer_run() predicts the
 * rows, then explains them in parallel with OpenMP; each thread allocates
 * one workspace of the method for the call and reuses it for all its rows.
 * Row r draws from a GSL mt19937 stream seeded with candor__stream_seed(seed,
 * id of r, 0) and every reduction runs in a fixed order, so the numbers of a
 * row depend neither on the thread count nor on which run (window) it is
 * explained in: windows over the same rows and ids give, bit for bit, the
 * values of one run over all of them.
 *
 * Errors raised on a worker thread are copied, with path, line and column,
 * into the calling thread's error record before a run returns.
 */
#include <math.h>
#include <omp.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "explain/explain_int.h"
#include "explain/treeshap_int.h"

struct candor_explainer {
	candor_model *model;         /* borrowed: outlives the explainer */
	candor_background *bg;       /* an owned copy, or NULL */
	bool *categorical;           /* m flags, owned, or NULL */
	candor__ctx ctx;             /* options resolved; read-only after _new */
	const candor__method *meth;  /* NULL for linear and tree */
	double *base;                /* k: g(E f) over the background */
	candor__lime_stats *lime;
	candor__treeshap_plan *tree; /* TREE */
	candor_tree_mode tree_mode;
	bool interactions;
};

candor_status candor_explainer_options_init(candor_explainer_options *opts, unsigned int version)
{
	return candor__options_init(opts,
	                            version == CANDOR_EXPLAINER_OPTIONS_VERSION ? sizeof(*opts) : 0,
	                            version, CANDOR_EXPLAINER_OPTIONS_VERSION,
	                            "candor_explainer_options");
}

/* ===== options =========================================================== */

/* The defaults and checks shared by candor_explain() and the explainer, for
 * every method but TREE (resolved before). */
static candor_status check_options(candor_explain_options *o, const candor_model *model,
                                   const candor_background *bg, size_t m)
{
	switch (o->method) {
	case CANDOR_METHOD_EXACT: case CANDOR_METHOD_KERNEL: case CANDOR_METHOD_PERMUTATION:
	case CANDOR_METHOD_LINEAR: case CANDOR_METHOD_LIME:
		break;
	case CANDOR_METHOD_TREE:
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "the tree method is candor_treeshap() or candor_explainer_new(), "
		                     "not candor_explain()");
	default:
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "no explanation method chosen");
	}
	if (o->link == 0)
		o->link = CANDOR_LINK_IDENTITY;
	if (o->link != CANDOR_LINK_IDENTITY && o->link != CANDOR_LINK_LOGIT)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "unknown link %d", (int)o->link);
	if (o->link == CANDOR_LINK_LOGIT && o->method != CANDOR_METHOD_LINEAR &&
	    candor_model_output_kind(model) != CANDOR_OUTPUT_PROBABILITY)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "the logit link needs a model whose outputs are probabilities");
	if (!bg)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "no background data");
	if (bg->m != m)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "the background has %zu columns, the model %zu features", bg->m, m);
	if (o->max_batch_rows == 0)
		o->max_batch_rows = 8192;
	if (o->max_exact_features == 0)
		o->max_exact_features = 16;
	if (o->threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "threads must be >= 0");
	if (!(o->target_stderr >= 0))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "the target standard error must be >= 0");
	if (o->method == CANDOR_METHOD_LIME) {
		if (o->nsamples == 0)
			o->nsamples = 5000;
		if (o->nsamples < 2)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "LIME needs at least 2 samples per row, not %zu", o->nsamples);
		if (o->lime_sampling == 0)
			o->lime_sampling = CANDOR_LIME_QUARTILE;
		if (o->lime_sampling != CANDOR_LIME_QUARTILE && o->lime_sampling != CANDOR_LIME_CONTINUOUS)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "unknown LIME sampling %d",
			                     (int)o->lime_sampling);
		if (o->lime_kernel_width == 0)
			o->lime_kernel_width = 0.75 * sqrt((double)m);
		if (!(o->lime_kernel_width > 0) || !isfinite(o->lime_kernel_width))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "the LIME kernel width must be > 0");
		if (o->lime_selection == 0)
			o->lime_selection = CANDOR_LIME_SELECT_AUTO;
		if (o->lime_selection < CANDOR_LIME_SELECT_AUTO ||
		    o->lime_selection > CANDOR_LIME_SELECT_LASSO)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "unknown LIME feature selection %d",
			                     (int)o->lime_selection);
		if (o->lime_num_features == 0)
			o->lime_num_features = 10;
		if (o->lime_num_features > m)
			o->lime_num_features = m;
		if (o->lime_ridge_alpha == 0)
			o->lime_ridge_alpha = 1.0;
		if (!(o->lime_ridge_alpha > 0))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "the LIME ridge alpha must be > 0");
	} else if (o->method == CANDOR_METHOD_KERNEL || o->method == CANDOR_METHOD_PERMUTATION) {
		if (o->nsamples == 0)
			o->nsamples = 2 * m + 2048;
	}
	return CANDOR_OK;
}

/* ===== building the explainer ============================================ */

void candor_explainer_free(candor_explainer *ex)
{
	if (!ex)
		return;
	candor__treeshap_plan_free(ex->tree);
	candor__lime_stats_free(ex->lime);
	candor__free(ex->base);
	candor__free(ex->categorical);
	candor_background_free(ex->bg);
	candor__free(ex);
}

static candor_status copy_background(candor_background **out, const candor_background *bg)
{
	candor_background *c = candor__calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return CANDOR_ENOMEM;
	c->n = bg->n;
	c->m = bg->m;
	c->x = candor__mallocarray(bg->n ? bg->n : 1, (bg->m ? bg->m : 1) * sizeof(double));
	c->w = candor__mallocarray(bg->n ? bg->n : 1, sizeof(double));
	if (!c->x || !c->w) {
		candor_background_free(c);
		return CANDOR_ENOMEM;
	}
	memcpy(c->x, bg->x, bg->n * bg->m * sizeof(double));
	memcpy(c->w, bg->w, bg->n * sizeof(double));
	*out = c;
	return CANDOR_OK;
}

/* The tree method: a TreeSHAP plan. */
static candor_status new_tree(candor_explainer *ex, const candor_background *bg,
                              const candor_explainer_options *in)
{
	const candor_model *model = ex->model;
	const size_t m = ex->ctx.m;
	candor_status st;

	if (!candor_treeshap_supports(model))
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "TreeSHAP needs a tree ensemble (XGBoost, LightGBM); this model is "
		                     "not one");
	/* values are margins: log-odds for a model of probabilities */
	if (in->link == CANDOR_LINK_IDENTITY &&
	    candor_model_output_kind(model) == CANDOR_OUTPUT_PROBABILITY)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "TreeSHAP values of this model are log-odds: options.link must be "
		                     "0 or logit, not identity");
	if (in->link == CANDOR_LINK_LOGIT &&
	    candor_model_output_kind(model) != CANDOR_OUTPUT_PROBABILITY)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "the logit link needs a model whose outputs are probabilities");
	if (in->link != 0 && in->link != CANDOR_LINK_IDENTITY && in->link != CANDOR_LINK_LOGIT)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "unknown link %d", (int)in->link);
	ex->tree_mode = in->tree_mode ? in->tree_mode
	                : bg ? CANDOR_TREE_INTERVENTIONAL : CANDOR_TREE_PATH_DEPENDENT;
	if (ex->tree_mode != CANDOR_TREE_PATH_DEPENDENT && ex->tree_mode != CANDOR_TREE_INTERVENTIONAL)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "unknown options.tree_mode %d",
		                     (int)in->tree_mode);
	ex->interactions = in->interactions != 0;
	if (ex->tree_mode == CANDOR_TREE_PATH_DEPENDENT)
		return candor__treeshap_plan_new(&ex->tree, model, true, NULL, 0);
	if (ex->interactions)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "interaction values are path-dependent TreeSHAP; options.tree_mode "
		                     "interventional has none");
	if (!bg || bg->n == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "interventional TreeSHAP needs a background (the background "
		                     "argument is NULL)");
	if (bg->m != m)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "the background has %zu columns, the model %zu features", bg->m, m);
	/* it weighs background rows equally: a weighted summary would be read wrong */
	for (size_t b = 1; b < bg->n; b++)
		if (bg->w[b] != bg->w[0])
			return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
			                     "interventional TreeSHAP weighs background rows equally; this "
			                     "background has unequal weights (a k-means summary?): give "
			                     "it rows, not a weighted summary");
	st = copy_background(&ex->bg, bg);
	if (st != CANDOR_OK)
		return st;
	return candor__treeshap_plan_new(&ex->tree, model, false, ex->bg->x, ex->bg->n);
}

/* The other methods: the options resolved as candor_explain() does, the
 * background copied and predicted once, LIME's statistics. `o` holds
 * resolved options (check_options) with row_ids and categorical ignored. */
static candor_status new_agnostic(candor_explainer *ex, const candor_background *bg,
                                  const candor_explain_options *o)
{
	candor__ctx *ctx = &ex->ctx;
	candor_model *model = ex->model;
	const size_t m = ctx->m, k = ctx->k;
	double *bgout = NULL;
	candor_status st = CANDOR_OK;

	ctx->o = *o;
	ctx->o.row_ids = NULL;
	if ((st = copy_background(&ex->bg, bg)) != CANDOR_OK)
		return st;
	ctx->bg = ex->bg;
	if (o->categorical) {
		ex->categorical = candor__mallocarray(m ? m : 1, sizeof(bool));
		if (!ex->categorical)
			return CANDOR_ENOMEM;
		memcpy(ex->categorical, o->categorical, m * sizeof(bool));
	}
	ctx->o.categorical = ex->categorical;
	switch (ctx->o.method) {
	case CANDOR_METHOD_EXACT:
		st = candor__exact_check(ctx);
		ex->meth = &candor__exact_method;
		break;
	case CANDOR_METHOD_KERNEL:
		st = candor__kernel_check(ctx);
		ex->meth = &candor__kernel_method;
		break;
	case CANDOR_METHOD_PERMUTATION:
		st = candor__permutation_check(ctx);
		ex->meth = &candor__permutation_method;
		break;
	case CANDOR_METHOD_LIME:
		ex->meth = &candor__lime_method;
		break;
	default:
		break;
	}
	if (st != CANDOR_OK || ctx->o.method == CANDOR_METHOD_LINEAR)
		return st;
	/* g(E f) over the background */
	bgout = candor__mallocarray(ex->bg->n ? ex->bg->n : 1, k * sizeof(double));
	ex->base = candor__calloc(k, sizeof(double));
	if (!bgout || !ex->base) {
		candor__free(bgout);
		return CANDOR_ENOMEM;
	}
	st = candor_model_predict(model, ex->bg->x, ex->bg->n, bgout);
	if (st == CANDOR_OK) {
		for (size_t kk = 0; kk < k; kk++) {
			double s = 0;

			for (size_t b = 0; b < ex->bg->n; b++)
				s += ex->bg->w[b] * bgout[b * k + kk];
			ex->base[kk] = candor__link(ctx->o.link, s);
		}
	}
	candor__free(bgout);
	if (st != CANDOR_OK)
		return st;
	ctx->base = ex->base;
	if (ctx->o.method == CANDOR_METHOD_LIME) {
		st = candor__lime_stats_new(&ex->lime, ctx);
		ctx->method_data = ex->lime;
	}
	return st;
}

static candor_explainer *explainer_alloc(candor_model *model)
{
	candor_explainer *ex = candor__calloc(1, sizeof(*ex));

	if (!ex)
		return NULL;
	ex->model = model;
	ex->ctx.model = model;
	ex->ctx.m = candor_model_nfeatures(model);
	ex->ctx.k = candor_model_noutputs(model);
	return ex;
}

candor_status candor_explainer_new(candor_explainer **out, candor_model *model,
                                   const candor_background *bg,
                                   const candor_explainer_options *opts)
{
	candor_explainer_options in;
	candor_explainer *ex;
	candor_status st;

	if (!out || !model)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "explainer_new: NULL argument");
	*out = NULL;
	if (opts && opts->version != CANDOR_EXPLAINER_OPTIONS_VERSION)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "explainer options version %u is not %u", opts->version,
		                     CANDOR_EXPLAINER_OPTIONS_VERSION);
	if (opts)
		in = *opts;
	else
		candor_explainer_options_init(&in, CANDOR_EXPLAINER_OPTIONS_VERSION);
	if (in.threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "options.threads must be >= 0");
	if (!(ex = explainer_alloc(model)))
		return CANDOR_ENOMEM;
	if (in.method == CANDOR_METHOD_AUTO)
		in.method = candor_explainer_auto_method(model);
	if (in.method != CANDOR_METHOD_TREE && (in.tree_mode || in.interactions)) {
		candor_explainer_free(ex);
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "options.%s is for the tree method only",
		                     in.tree_mode ? "tree_mode" : "interactions");
	}
	ex->ctx.o.method = in.method;
	ex->ctx.o.threads = in.threads;
	ex->ctx.o.on_progress = in.on_progress;
	ex->ctx.o.payload = in.payload;
	if (in.method == CANDOR_METHOD_TREE) {
		st = new_tree(ex, bg, &in);
	} else {
		candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;

		o.method = in.method;
		o.link = in.link;
		/* linear SHAP of a logistic model explains its log-odds */
		if (in.method == CANDOR_METHOD_LINEAR && in.link == 0)
			o.link = candor_model_type_of(model) == CANDOR_MODEL_LOGISTIC ? CANDOR_LINK_LOGIT
			                                                               : CANDOR_LINK_IDENTITY;
		o.nsamples = in.nsamples;
		o.seed = in.seed;
		o.threads = in.threads;
		o.target_stderr = in.target_stderr;
		o.max_exact_features = in.max_exact_features;
		o.max_batch_rows = in.max_batch_rows;
		o.lime_sampling = in.lime_sampling;
		o.lime_kernel_width = in.lime_kernel_width;
		o.lime_selection = in.lime_selection;
		o.lime_num_features = in.lime_num_features;
		o.lime_ridge_alpha = in.lime_ridge_alpha;
		o.categorical = in.categorical;
		o.on_progress = in.on_progress;
		o.payload = in.payload;
		st = check_options(&o, model, bg, ex->ctx.m);
		if (st == CANDOR_OK)
			st = new_agnostic(ex, bg, &o);
	}
	if (st != CANDOR_OK) {
		candor_explainer_free(ex);
		return st;
	}
	*out = ex;
	return CANDOR_OK;
}

candor_explain_method candor_explainer_auto_method(const candor_model *model)
{
	const candor_model_type t = candor_model_type_of(model);

	if (candor_treeshap_supports(model))
		return CANDOR_METHOD_TREE;
	return t == CANDOR_MODEL_LINEAR || t == CANDOR_MODEL_LOGISTIC ? CANDOR_METHOD_LINEAR
	                                                              : CANDOR_METHOD_KERNEL;
}

candor_explain_method candor_explainer_method(const candor_explainer *ex)
{
	return ex ? ex->ctx.o.method : CANDOR_METHOD_AUTO;
}

/* ===== running it ======================================================== */

typedef struct worker_error {
	candor_status status;
	candor__saved_error rec; /* a copy: a worker's own record is its thread's */
} worker_error;

static void keep_error(worker_error *we, candor_status st)
{
#pragma omp critical(candor_explain_error)
	{
		if (we->status == CANDOR_OK) {
			we->status = st;
			candor__error_save(&we->rec);
		}
	}
}

static candor_status rows_loop(const candor__method *meth, const candor__ctx *ctx,
                               const double *x, size_t n, candor_explanation *e)
{
	worker_error we = { CANDOR_OK, { CANDOR_OK, NULL, NULL, 0, 0 } };
	uint64_t done = 0;
	const int threads = ctx->o.threads > 0 ? ctx->o.threads : omp_get_max_threads();
	int stop = 0;

#pragma omp parallel num_threads(threads)
	{
		void *ws = NULL;
		gsl_rng *rng = candor__rng_new();
		candor_status st = rng ? meth->ws_new(&ws, ctx) : candor__oom();
		long i;

		if (st != CANDOR_OK)
			keep_error(&we, st);
#pragma omp for schedule(dynamic, 1)
		for (i = 0; i < (long)n; i++) {
			candor__row_out ro;
			const size_t r = (size_t)i;
			int stopped;

#pragma omp atomic read
			stopped = stop;
			if (stopped || st != CANDOR_OK)
				continue;
			ro.phi = e->values + r * e->k * e->m;
			ro.base = e->base + r * e->k;
			ro.pred = e->pred + r * e->k;
			ro.se = e->se ? e->se + r * e->k * e->m : NULL;
			ro.local_pred = e->local_pred ? e->local_pred + r * e->k : NULL;
			ro.score = e->score ? e->score + r * e->k : NULL;
			gsl_rng_set(rng, (unsigned long)candor__stream_seed(ctx->o.seed, e->row_ids[r], 0));
			st = meth->row(ws, ctx, x + r * ctx->m, rng, &ro);
			if (st != CANDOR_OK) {
				keep_error(&we, st);
#pragma omp atomic write
				stop = 1;
				continue;
			}
			if (ctx->o.on_progress) {
#pragma omp critical(candor_explain_progress)
				ctx->o.on_progress(++done, n, ctx->o.payload);
			}
		}
		if (ws)
			meth->ws_free(ws);
		if (rng)
			gsl_rng_free(rng);
	}
	if (we.status != CANDOR_OK)
		return candor__error_restore(&we.rec);
	return CANDOR_OK;
}

static candor_status run_tree(const candor_explainer *ex, const double *x, size_t n,
                              candor_explanation *e)
{
	const size_t m = ex->ctx.m, k = ex->ctx.k;
	candor_treeshap_options to = CANDOR_TREESHAP_OPTIONS_INIT;
	size_t cells;
	double *phi;
	candor_status st;

	to.threads = ex->ctx.o.threads;
	to.on_progress = ex->ctx.o.on_progress;
	to.payload = ex->ctx.o.payload;
	/* the rows TreeSHAP walks, checked as candor_model_predict() would */
	if (n > 0 && (st = candor_model_check_input(ex->model, x, n)) != CANDOR_OK)
		return st;
	if (candor__mul_overflow(n ? n : 1, k * (m + 1), &cells))
		return candor__error(CANDOR_ENOMEM, NULL, 0, 0, "%zu rows are too many to explain", n);
	phi = candor__mallocarray(cells, sizeof(double));
	if (!phi)
		return CANDOR_ENOMEM;
	st = candor__treeshap_plan_run(ex->tree,
	                               ex->tree_mode == CANDOR_TREE_INTERVENTIONAL
	                                       ? CANDOR__TREESHAP_INTERVENTIONAL
	                                       : CANDOR__TREESHAP_PATH,
	                               x, n, phi, &to);
	if (st == CANDOR_OK)
		candor__explanation_set_contribs(e, phi);
	candor__free(phi);
	if (st != CANDOR_OK || !ex->interactions)
		return st;
	/* the interaction values of the same rows, a second kernel */
	if ((st = candor__treeshap_check_interactions(ex->model, n ? n : 1)) != CANDOR_OK)
		return st;
	e->inter = candor__mallocarray((n ? n : 1) * k, (m + 1) * (m + 1) * sizeof(double));
	if (!e->inter)
		return CANDOR_ENOMEM;
	to.on_progress = NULL;
	return candor__treeshap_plan_run(ex->tree, CANDOR__TREESHAP_INTERACTIONS, x, n, e->inter, &to);
}

candor_status candor_explainer_run_ids(candor_explanation **out, const candor_explainer *ex,
                                       const double *x, size_t n, const uint64_t *row_ids)
{
	const candor__ctx *ctx;
	candor_explanation *e = NULL;
	candor_status st = CANDOR_OK;
	const bool tree = ex && ex->ctx.o.method == CANDOR_METHOD_TREE;

	if (!out || !ex || (n && !x))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "explainer_run: NULL argument");
	*out = NULL;
	ctx = &ex->ctx;
	st = candor__explanation_alloc(&e, ex->model, n, ctx->o.method,
	                               tree ? CANDOR_LINK_IDENTITY : ctx->o.link,
	                               !tree && ctx->o.method != CANDOR_METHOD_LIME,
	                               ctx->o.method == CANDOR_METHOD_LIME, row_ids);
	if (st != CANDOR_OK)
		return st;
	if (tree) {
		e->tree_mode = ex->tree_mode;
		st = run_tree(ex, x, n, e);
		goto done;
	}
	if (ctx->o.method == CANDOR_METHOD_LINEAR) {
		st = candor__linear_shap(ctx, x, n, e);
		goto done;
	}
	/* The predictions, in large batches. */
	for (size_t i = 0; i < n && st == CANDOR_OK; i += ctx->o.max_batch_rows) {
		size_t cnt = n - i < ctx->o.max_batch_rows ? n - i : ctx->o.max_batch_rows;

		st = candor_model_predict(ex->model, x + i * ctx->m, cnt, e->pred + i * ctx->k);
	}
	if (st != CANDOR_OK)
		goto done;
	for (size_t i = 0; i < n * ctx->k; i++)
		e->pred[i] = candor__link(ctx->o.link, e->pred[i]);
	st = rows_loop(ex->meth, ctx, x, n, e);
	/* validation: a command model must not have sent more than its answers */
	if (st == CANDOR_OK)
		st = candor__cmd_settle(ex->model, 50);
done:
	if (st != CANDOR_OK) {
		candor_explanation_free(e);
		return st;
	}
	*out = e;
	return CANDOR_OK;
}

candor_status candor_explainer_run(candor_explanation **out, const candor_explainer *ex,
                                   const double *x, size_t n)
{
	return candor_explainer_run_ids(out, ex, x, n, NULL);
}

/* ===== candor_explain(): one explainer for one call ====================== */

candor_status candor_explain(candor_explanation **out, candor_model *model, const double *x,
                             size_t n, const candor_background *bg,
                             const candor_explain_options *opts)
{
	candor_explain_options o;
	candor_explainer *ex;
	candor_status st;

	if (!out || !model || (n && !x))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "explain: NULL argument");
	*out = NULL;
	if (opts) {
		if (opts->version != CANDOR_EXPLAIN_OPTIONS_VERSION)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "explain options version %u is not %u", opts->version,
			                     CANDOR_EXPLAIN_OPTIONS_VERSION);
		o = *opts;
	} else {
		candor_explain_options d = CANDOR_EXPLAIN_OPTIONS_INIT;
		o = d;
	}
	st = check_options(&o, model, bg, candor_model_nfeatures(model));
	if (st != CANDOR_OK)
		return st;
	if (!(ex = explainer_alloc(model)))
		return CANDOR_ENOMEM;
	st = new_agnostic(ex, bg, &o);
	if (st == CANDOR_OK)
		st = candor_explainer_run_ids(out, ex, x, n, o.row_ids);
	candor_explainer_free(ex);
	return st;
}

candor_status candor_explain_options_init(candor_explain_options *opts, unsigned int version)
{
	return candor__options_init(opts,
	                            version == CANDOR_EXPLAIN_OPTIONS_VERSION ? sizeof(*opts) : 0,
	                            version, CANDOR_EXPLAIN_OPTIONS_VERSION, "candor_explain_options");
}
