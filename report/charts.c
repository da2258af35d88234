/*
 * charts.c - the audit's chart types, each drawn from plain arrays onto a
 * caller's cairo_t through the chart kit (chartkit.c): mean |SHAP| bars,
 * LIME weight bars, the SHAP summary beeswarm, a waterfall of one
 * prediction, a dependence scatter, per-group fairness bars with interval
 * whiskers and the policy threshold, and the disparity chart on a log axis.
 *
 * The SHAP charts follow the conventions of Lundberg's shap package (summary
 * plot ordering by mean |SHAP|, colouring by feature value clipped to the 5th
 * and 95th percentiles, waterfall from E[f(x)] at the bottom to f(x) at the
 * top), so readers who know those plots read these the same way.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* ===== helpers =========================================================== */

typedef struct keyed {
	double key;
	size_t idx;
} keyed;

/* Descending by key, NaN last, ties by index: a total, deterministic order. */
static int keyed_desc(const void *pa, const void *pb)
{
	const keyed *a = pa, *b = pb;
	const bool na = isnan(a->key), nb = isnan(b->key);

	if (na != nb)
		return na ? 1 : -1;
	if (!na && a->key != b->key)
		return a->key > b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int dbl_cmp(const void *pa, const void *pb)
{
	const double a = *(const double *)pa, b = *(const double *)pb;
	return a < b ? -1 : a > b;
}

/* Fill order[0..k) with the indices of the k largest keys (k = min(n, cap)). */
static candor_status top_k(size_t *order, size_t *k, const double *keys, size_t n, size_t cap)
{
	keyed *kv = candor__mallocarray(n, sizeof(*kv));

	if (!kv)
		return CANDOR_ENOMEM;
	for (size_t i = 0; i < n; i++)
		kv[i] = (keyed){keys[i], i};
	qsort(kv, n, sizeof(*kv), keyed_desc);
	*k = n < cap ? n : cap;
	for (size_t i = 0; i < *k; i++)
		order[i] = kv[i].idx;
	candor__free(kv);
	return CANDOR_OK;
}

static candor_status check_common(const void *names, const void *vals, size_t n, const char *what)
{
	if (n == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "%s chart: nothing to draw", what);
	if (!names || !vals)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "%s chart: missing names or values",
		                     what);
	return CANDOR_OK;
}

/* Every string a chart hands to pango must be UTF-8 (pango would print a
 * warning, and the library never prints). NULL entries are drawn as "". */
static candor_status check_text(const char *const *s, size_t n, const char *what)
{
	for (size_t i = 0; s && i < n; i++)
		if (s[i] && !g_utf8_validate(s[i], -1, NULL))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "%s chart: name %zu is not valid UTF-8", what, i + 1);
	return CANDOR_OK;
}

/* Values whose range or sum does not fit a double cannot be drawn. */
static candor_status check_range(double lo, double hi, const char *what)
{
	if (!isfinite(lo) || !isfinite(hi) || !isfinite(hi - lo))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "%s chart: the values' range overflows a double", what);
	return CANDOR_OK;
}

static candor_status finish(ck_ctx *c, candor_status st)
{
	cairo_t *cr = c->cr;

	candor__ck_end(c);
	if (st == CANDOR_OK)
		st = candor__ck_status(cr);
	return st;
}

/* A layout's fields are cleared, but the caller's order buffer is kept. */
static void reset(candor_chart_layout *L)
{
	size_t *buf = L->order, size = L->order_size;

	memset(L, 0, sizeof(*L));
	L->order = buf;
	L->order_size = size;
}

/* Copy the slots' order into the caller's buffer (as much as it holds). */
static void copy_order(candor_chart_layout *L, const size_t *order)
{
	if (L->order)
		for (size_t s = 0; s < L->nslots && s < L->order_size; s++)
			L->order[s] = order[s];
}

static candor_status finish_order(ck_ctx *c, candor_status st, candor_chart_layout *L,
                                  const size_t *order)
{
	st = finish(c, st);
	if (st == CANDOR_OK)
		copy_order(L, order);
	return st;
}

static double slot_h(const candor_chart_layout *L)
{
	return L->nslots ? L->plot_h / (double)L->nslots : L->plot_h;
}

static void bar(cairo_t *cr, double x0, double x1, double yc, double hh, ck_rgb col)
{
	candor__ck_color(cr, col, 1);
	cairo_rectangle(cr, fmin(x0, x1), yc - hh / 2, fabs(x1 - x0), hh);
	cairo_fill(cr);
}

static void value_label(ck_ctx *c, double v, double x, double y, bool left_side)
{
	char buf[32];

	candor__fmt(buf, sizeof(buf), "%.3g", v);
	candor__ck_color(c->cr, (ck_rgb){0.2, 0.2, 0.2}, 1);
	candor__ck_text(c, buf, left_side ? x - c->fs * 0.3 : x + c->fs * 0.3, y, left_side ? 1 : 0,
	                0.5, 0.85, false, 0);
}

static void zero_line(ck_ctx *c, const candor_chart_layout *L)
{
	if (L->x.lo < 0 && L->x.hi > 0) {
		const double x = candor_chart_map(&L->x, 0);
		cairo_set_line_width(c->cr, fmax(0.75, c->fs / 10));
		candor__ck_color(c->cr, (ck_rgb){0.3, 0.3, 0.3}, 1);
		cairo_move_to(c->cr, x, L->plot_y);
		cairo_line_to(c->cr, x, L->plot_y + L->plot_h);
		cairo_stroke(c->cr);
	}
}

/* ===== mean |SHAP| and LIME bars ========================================= */

static candor_status signed_bars(cairo_t *cr, double w, double h, const char *const *features,
                                 const double *v, size_t n, const candor_chart_options *opts,
                                 candor_chart_layout *L, const char *what, const char *def_title,
                                 const char *xlabel, bool by_abs)
{
	size_t order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout local = {0};
	const char *labels[CANDOR_CHART_MAX_SLOTS];
	double *keys = NULL, lo = 0, hi = 0, top;
	size_t k = 0;
	ck_ctx c;
	candor_status st = check_common(features, v, n, what);

	if (st == CANDOR_OK)
		st = check_text(features, n, what);
	if (st)
		return st;
	if (!L)
		L = &local;
	reset(L);
	st = candor__ck_begin(&c, cr, w, h, opts);
	if (st)
		return st;
	keys = candor__mallocarray(n, sizeof(*keys));
	if (!keys)
		return finish(&c, CANDOR_ENOMEM);
	for (size_t i = 0; i < n; i++)
		keys[i] = by_abs ? fabs(v[i]) : v[i];
	st = top_k(order, &k, keys, n, c.max_display);
	candor__free(keys);
	if (st)
		return finish(&c, st);
	for (size_t s = 0; s < k; s++) {
		const double x = v[order[s]];
		labels[s] = features[order[s]];
		if (isfinite(x)) {
			lo = fmin(lo, x);
			hi = fmax(hi, x);
		}
	}
	if (lo == 0 && hi == 0)
		hi = 1;
	/* room for the value labels beside the longest bars */
	const double pad = 0.08 * (hi - lo);
	if ((st = check_range(lo - pad, hi + pad, what)))
		return finish(&c, st);
	candor_chart_axis ax = {lo < 0 ? lo - pad : 0, hi > 0 ? hi + pad : 0, false, 0, 0};
	top = candor__ck_title(&c, opts && opts->title ? opts->title : def_title);
	candor__ck_hframe(&c, labels, k, &ax, xlabel, top, 0, L);
	const double sh = slot_h(L);
	for (size_t s = 0; s < k; s++) {
		const double x = v[order[s]], yc = candor_chart_map(&L->y, (double)s + 0.5);
		if (!isfinite(x)) {
			candor__ck_color(cr, CK_GREY, 1);
			candor__ck_text(&c, "n/a", candor_chart_map(&L->x, 0) + c.fs * 0.3, yc, 0, 0.5,
			                0.85, false, 0);
			continue;
		}
		bar(cr, candor_chart_map(&L->x, 0), candor_chart_map(&L->x, x), yc, sh * 0.62,
		    by_abs ? (x >= 0 ? CK_VERMILLION : CK_BLUE) : CK_BLUE);
		value_label(&c, x, candor_chart_map(&L->x, x), yc, x < 0);
	}
	zero_line(&c, L);
	return finish_order(&c, CANDOR_OK, L, order);
}

candor_status candor_chart_importance(cairo_t *cr, double width, double height,
                                      const char *const *features, const double *mean_abs,
                                      size_t n, const candor_chart_options *opts,
                                      candor_chart_layout *layout)
{
	for (size_t i = 0; mean_abs && i < n; i++)
		if (mean_abs[i] < 0)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "importance chart: mean |SHAP| of '%s' is negative",
			                     features && features[i] ? features[i] : "?");
	return signed_bars(cr, width, height, features, mean_abs, n, opts, layout, "importance",
	                   "Global importance", "mean |SHAP value| (average impact on the output)",
	                   false);
}

candor_status candor_chart_lime(cairo_t *cr, double width, double height,
                                const char *const *features, const double *weights, size_t n,
                                const candor_chart_options *opts, candor_chart_layout *layout)
{
	return signed_bars(cr, width, height, features, weights, n, opts, layout, "LIME",
	                   "LIME local weights", "weight in the local linear surrogate", true);
}

/* ===== beeswarm ========================================================== */

/* The q-quantile of sorted x[0..n) (linear interpolation, type 7). */
static double quantile_sorted(const double *x, size_t n, double q)
{
	const double pos = q * (double)(n - 1);
	const size_t i = (size_t)floor(pos);
	const double f = pos - (double)i;

	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + f * (x[i + 1] - x[i]);
}

static void colour_bar(ck_ctx *c, const candor_chart_layout *L)
{
	cairo_t *cr = c->cr;
	const double x = L->plot_x + L->plot_w + c->fs * 1.2, bw = c->fs * 0.6;
	const double y0 = L->plot_y + L->plot_h * 0.15, y1 = L->plot_y + L->plot_h * 0.85;
	cairo_pattern_t *p = cairo_pattern_create_linear(0, y1, 0, y0);

	for (int i = 0; i <= 10; i++) {
		const ck_rgb col = candor__ck_ramp(i / 10.0);
		cairo_pattern_add_color_stop_rgb(p, i / 10.0, col.r, col.g, col.b);
	}
	cairo_set_source(cr, p);
	cairo_rectangle(cr, x, y0, bw, y1 - y0);
	cairo_fill(cr);
	cairo_pattern_destroy(p);
	candor__ck_color(cr, CK_BLACK, 1);
	candor__ck_text(c, "high", x + bw / 2, y0 - c->fs * 0.2, 0.5, 1, 0.8, false, 0);
	candor__ck_text(c, "low", x + bw / 2, y1 + c->fs * 0.2, 0.5, 0, 0.8, false, 0);
	candor__ck_text(c, "feature value", x + bw + c->fs * 0.3, (y0 + y1) / 2, 0.5, 0, 0.8, false,
	                -M_PI / 2);
}

candor_status candor_chart_beeswarm(cairo_t *cr, double width, double height,
                                    const char *const *features, size_t nfeatures,
                                    const double *shap, const double *values, size_t nrows,
                                    const candor_chart_options *opts,
                                    candor_chart_layout *layout)
{
	size_t order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout local = {0}, *L = layout ? layout : &local;
	const char *labels[CANDOR_CHART_MAX_SLOTS];
	double *keys = NULL, *col = NULL, lo = INFINITY, hi = -INFINITY, top;
	size_t k = 0, *bins = NULL, nbins;
	ck_ctx c;
	candor_status st = check_common(features, shap, nfeatures, "beeswarm");

	if (st == CANDOR_OK)
		st = check_text(features, nfeatures, "beeswarm");
	if (st)
		return st;
	if (nrows == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "beeswarm chart: no rows");
	reset(L);
	st = candor__ck_begin(&c, cr, width, height, opts);
	if (st)
		return st;
	keys = candor__calloc(nfeatures, sizeof(*keys));
	col = candor__mallocarray(nrows, sizeof(*col));
	if (!keys || !col) {
		st = CANDOR_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nrows; i++)
		for (size_t j = 0; j < nfeatures; j++) {
			const double s = shap[i * nfeatures + j];
			if (isfinite(s))
				keys[j] += fabs(s) / (double)nrows;
		}
	st = top_k(order, &k, keys, nfeatures, c.max_display);
	if (st)
		goto out;
	for (size_t s = 0; s < k; s++) {
		labels[s] = features[order[s]];
		for (size_t i = 0; i < nrows; i++) {
			const double v = shap[i * nfeatures + order[s]];
			if (isfinite(v)) {
				lo = fmin(lo, v);
				hi = fmax(hi, v);
			}
		}
	}
	if (!(lo <= hi))
		lo = hi = 0;
	candor_chart_axis ax = {lo, hi, false, 0, 0};
	top = candor__ck_title(&c, opts && opts->title ? opts->title : "SHAP summary");
	candor__ck_hframe(&c, labels, k, &ax, "SHAP value (impact on the model output)", top,
	                  c.fs * 4, L);
	zero_line(&c, L);
	const double sh = slot_h(L);
	const double r = fmax(1.2, fmin(sh * 0.07, c.fs * 0.28));
	nbins = (size_t)(L->plot_w / (2 * r)) + 2;
	bins = candor__calloc(nbins, sizeof(*bins));
	if (!bins) {
		st = CANDOR_ENOMEM;
		goto out;
	}
	for (size_t s = 0; s < k; s++) {
		const size_t j = order[s];
		const double yc = candor_chart_map(&L->y, (double)s + 0.5), maxoff = sh * 0.4;
		double qlo = 0, qhi = 0;
		size_t m = 0;

		/* colour scale: the feature's 5th..95th percentile, as shap does, so
		 * a few outliers do not wash out everyone else's colour */
		if (values) {
			for (size_t i = 0; i < nrows; i++)
				if (isfinite(values[i * nfeatures + j]))
					col[m++] = values[i * nfeatures + j];
			if (m) {
				qsort(col, m, sizeof(*col), dbl_cmp);
				qlo = quantile_sorted(col, m, 0.05);
				qhi = quantile_sorted(col, m, 0.95);
				if (qlo == qhi) {
					qlo = col[0];
					qhi = col[m - 1];
				}
			}
		}
		memset(bins, 0, nbins * sizeof(*bins));
		for (size_t i = 0; i < nrows; i++) {
			const double v = shap[i * nfeatures + j];
			const double fv = values ? values[i * nfeatures + j] : NAN;
			double x, off;
			size_t b, cnt;

			if (!isfinite(v))
				continue;
			x = candor_chart_map(&L->x, v);
			b = (size_t)fmax(0, fmin((double)nbins - 1, (x - L->plot_x) / (2 * r)));
			cnt = bins[b]++;
			/* stack alternately below and above the row's centre line;
			 * wrap round when the row is full (dense rows stay inside) */
			off = (double)((cnt + 1) / 2) * r * 1.6;
			if (maxoff > 0)
				off = fmod(off, maxoff);
			if (cnt % 2)
				off = -off;
			if (isfinite(fv))
				candor__ck_color(cr,
				                 candor__ck_ramp(qhi > qlo ? (fv - qlo) / (qhi - qlo) : 0.5), 0.9);
			else
				candor__ck_color(cr, CK_GREY, 0.9);
			cairo_new_sub_path(cr);
			cairo_arc(cr, x, yc + off, r, 0, 2 * M_PI);
			cairo_fill(cr);
		}
	}
	colour_bar(&c, L);
out:
	if (st == CANDOR_OK)
		copy_order(L, order);
	candor__free(keys);
	candor__free(col);
	candor__free(bins);
	return finish(&c, st);
}

/* ===== waterfall ========================================================= */

candor_status candor_chart_waterfall(cairo_t *cr, double width, double height,
                                     const char *const *features, const double *shap,
                                     const double *values, size_t n, double base_value,
                                     const candor_chart_options *opts,
                                     candor_chart_layout *layout)
{
	size_t order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout local = {0}, *L = layout ? layout : &local;
	char names[CANDOR_CHART_MAX_SLOTS][96];
	const char *labels[CANDOR_CHART_MAX_SLOTS];
	double phi[CANDOR_CHART_MAX_SLOTS], start[CANDOR_CHART_MAX_SLOTS], *keys = NULL;
	double cum, lo, hi, top, fx;
	size_t k = 0, shown;
	ck_ctx c;
	char xlabel[160];
	candor_status st = check_common(features, shap, n, "waterfall");

	if (st == CANDOR_OK)
		st = check_text(features, n, "waterfall");
	if (st)
		return st;
	if (!isfinite(base_value))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "waterfall chart: base value is not finite");
	for (size_t i = 0; i < n; i++)
		if (!isfinite(shap[i]))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "waterfall chart: SHAP value of '%s' is not finite",
			                     features[i] ? features[i] : "?");
	reset(L);
	st = candor__ck_begin(&c, cr, width, height, opts);
	if (st)
		return st;
	keys = candor__mallocarray(n, sizeof(*keys));
	if (!keys)
		return finish(&c, CANDOR_ENOMEM);
	for (size_t i = 0; i < n; i++)
		keys[i] = fabs(shap[i]);
	shown = n <= c.max_display ? n : c.max_display - 1;
	st = top_k(order, &k, keys, n, shown);
	candor__free(keys);
	if (st)
		return finish(&c, st);
	fx = base_value;
	for (size_t i = 0; i < n; i++)
		fx += shap[i];
	for (size_t s = 0; s < k; s++) {
		const size_t j = order[s];
		phi[s] = shap[j];
		if (values && isfinite(values[j]))
			candor__fmt(names[s], sizeof(names[s]), "%s = %.4g", features[j], values[j]);
		else
			candor__fmt(names[s], sizeof(names[s]), "%s", features[j]);
	}
	if (k < n) {
		double rest = 0;
		for (size_t s = 0; s < k; s++)
			rest += phi[s];
		phi[k] = fx - base_value - rest;
		order[k] = n;
		candor__fmt(names[k], sizeof(names[k]), "%zu other features", n - k);
		k++;
	}
	for (size_t s = 0; s < k; s++)
		labels[s] = names[s];
	/* the cumulative sum runs from the bottom slot up */
	cum = base_value;
	lo = hi = base_value;
	for (size_t s = k; s-- > 0;) {
		start[s] = cum;
		cum += phi[s];
		lo = fmin(lo, fmin(start[s], cum));
		hi = fmax(hi, fmax(start[s], cum));
	}
	if ((st = check_range(lo, hi, "waterfall")) || (st = check_range(fx, fx, "waterfall")))
		return finish(&c, st);
	const double pad = hi > lo ? 0.1 * (hi - lo) : 1;
	if ((st = check_range(lo - pad, hi + pad, "waterfall")))
		return finish(&c, st);
	candor_chart_axis ax = {lo - pad, hi + pad, false, 0, 0};
	candor__fmt(xlabel, sizeof(xlabel), "model output: E[f(x)] = %.4g, f(x) = %.4g", base_value,
	            fx);
	top = candor__ck_title(&c, opts && opts->title ? opts->title : "Waterfall of one prediction");
	candor__ck_hframe(&c, labels, k, &ax, xlabel, top, 0, L);
	const double sh = slot_h(L);
	for (size_t s = 0; s < k; s++) {
		const double yc = candor_chart_map(&L->y, (double)s + 0.5);
		const double x0 = candor_chart_map(&L->x, start[s]);
		const double x1 = candor_chart_map(&L->x, start[s] + phi[s]);
		char buf[32];

		bar(cr, x0, x1, yc, sh * 0.62, phi[s] >= 0 ? CK_VERMILLION : CK_BLUE);
		candor__fmt(buf, sizeof(buf), "%+.3g", phi[s]);
		candor__ck_color(cr, (ck_rgb){0.2, 0.2, 0.2}, 1);
		candor__ck_text(&c, buf, phi[s] >= 0 ? x1 + c.fs * 0.3 : x1 - c.fs * 0.3, yc,
		                phi[s] >= 0 ? 0 : 1, 0.5, 0.85, false, 0);
		/* connector to the next bar up */
		if (s > 0) {
			cairo_set_line_width(cr, fmax(0.5, c.fs / 16));
			candor__ck_color(cr, CK_GREY, 1);
			cairo_move_to(cr, x1, yc - sh * 0.31);
			cairo_line_to(cr, x1, yc - sh * 0.69);
			cairo_stroke(cr);
		}
	}
	/* dashed markers of E[f(x)] and f(x) */
	const double dash[] = {c.fs * 0.4, c.fs * 0.3};
	cairo_set_dash(cr, dash, 2, 0);
	cairo_set_line_width(cr, fmax(0.75, c.fs / 12));
	candor__ck_color(cr, (ck_rgb){0.3, 0.3, 0.3}, 1);
	cairo_move_to(cr, candor_chart_map(&L->x, base_value), L->plot_y + L->plot_h);
	cairo_line_to(cr, candor_chart_map(&L->x, base_value), L->plot_y + L->plot_h - sh * 0.2);
	cairo_move_to(cr, candor_chart_map(&L->x, fx), L->plot_y);
	cairo_line_to(cr, candor_chart_map(&L->x, fx), L->plot_y + sh * 0.2);
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
	return finish_order(&c, CANDOR_OK, L, order);
}

/* ===== dependence scatter ================================================ */

/* Both axes numeric: grid, ticks and labels of a scatter plot. */
static void xy_frame(ck_ctx *c, candor_chart_layout *L, double top, const char *xlabel,
                     const char *ylabel)
{
	cairo_t *cr = c->cr;
	double t[32], first, last, step;
	size_t nt;
	char buf[32];

	L->plot_x = c->fs * 5.5;
	L->plot_y = top;
	L->plot_w = c->w - L->plot_x - c->fs * 1.5;
	L->plot_h = c->h - top - c->fs * 4.2;
	L->x.p0 = L->plot_x;
	L->x.p1 = L->plot_x + L->plot_w;
	L->y.p0 = L->plot_y + L->plot_h;
	L->y.p1 = L->plot_y;
	cairo_set_line_width(cr, fmax(0.5, c->fs / 14));
	candor_chart_nice_ticks(L->x.lo, L->x.hi, 6, &first, &last, &step);
	nt = candor__ck_ticks(&L->x, t, 32);
	for (size_t i = 0; i < nt; i++) {
		const double x = candor_chart_map(&L->x, t[i]);
		candor__ck_color(cr, (ck_rgb){0.85, 0.85, 0.85}, 1);
		cairo_move_to(cr, x, L->plot_y);
		cairo_line_to(cr, x, L->plot_y + L->plot_h);
		cairo_stroke(cr);
		candor__ck_ticklabel(buf, sizeof(buf), t[i], step, false);
		candor__ck_color(cr, (ck_rgb){0.25, 0.25, 0.25}, 1);
		candor__ck_text(c, buf, x, L->plot_y + L->plot_h + c->fs * 0.35, 0.5, 0, 0.9, false, 0);
	}
	candor_chart_nice_ticks(L->y.lo, L->y.hi, 6, &first, &last, &step);
	nt = candor__ck_ticks(&L->y, t, 32);
	for (size_t i = 0; i < nt; i++) {
		const double y = candor_chart_map(&L->y, t[i]);
		candor__ck_color(cr, (ck_rgb){0.85, 0.85, 0.85}, 1);
		cairo_move_to(cr, L->plot_x, y);
		cairo_line_to(cr, L->plot_x + L->plot_w, y);
		cairo_stroke(cr);
		candor__ck_ticklabel(buf, sizeof(buf), t[i], step, false);
		candor__ck_color(cr, (ck_rgb){0.25, 0.25, 0.25}, 1);
		candor__ck_text(c, buf, L->plot_x - c->fs * 0.35, y, 1, 0.5, 0.9, false, 0);
	}
	candor__ck_color(cr, (ck_rgb){0.3, 0.3, 0.3}, 1);
	cairo_set_line_width(cr, fmax(0.75, c->fs / 10));
	cairo_move_to(cr, L->plot_x, L->plot_y);
	cairo_line_to(cr, L->plot_x, L->plot_y + L->plot_h);
	cairo_line_to(cr, L->plot_x + L->plot_w, L->plot_y + L->plot_h);
	cairo_stroke(cr);
	candor__ck_color(cr, CK_BLACK, 1);
	candor__ck_text(c, xlabel, L->plot_x + L->plot_w / 2, L->plot_y + L->plot_h + c->fs * 1.9,
	                0.5, 0, 1, false, 0);
	candor__ck_text(c, ylabel, c->fs * 0.5, L->plot_y + L->plot_h / 2, 0.5, 0, 1, false,
	                -M_PI / 2);
}

candor_status candor_chart_dependence(cairo_t *cr, double width, double height,
                                      const char *feature, const double *x, const double *shap,
                                      size_t n, const candor_chart_options *opts,
                                      candor_chart_layout *layout)
{
	candor_chart_layout local = {0}, *L = layout ? layout : &local;
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY, f, l, s, top;
	char title[160], ylabel[160];
	ck_ctx c;
	candor_status st = check_common(x, shap, n, "dependence");

	if (st)
		return st;
	if (!feature)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "dependence chart: no feature name");
	if ((st = check_text(&feature, 1, "dependence")))
		return st;
	reset(L);
	st = candor__ck_begin(&c, cr, width, height, opts);
	if (st)
		return st;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(shap[i])) {
			xlo = fmin(xlo, x[i]);
			xhi = fmax(xhi, x[i]);
			ylo = fmin(ylo, shap[i]);
			yhi = fmax(yhi, shap[i]);
		}
	if (!(xlo <= xhi)) {
		xlo = xhi = 0;
		ylo = yhi = 0;
	}
	candor_chart_nice_ticks(xlo, xhi, 6, &f, &l, &s);
	L->x = (candor_chart_axis){f, l, false, 0, 0};
	candor_chart_nice_ticks(ylo, yhi, 6, &f, &l, &s);
	L->y = (candor_chart_axis){f, l, false, 0, 0};
	candor__fmt(title, sizeof(title), "Dependence on %s", feature);
	candor__fmt(ylabel, sizeof(ylabel), "SHAP value of %s", feature);
	top = candor__ck_title(&c, opts && opts->title ? opts->title : title);
	xy_frame(&c, L, top, feature, ylabel);
	const double r = fmax(1.2, c.fs * 0.22);
	candor__ck_color(cr, CK_BLUE, 0.55);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(shap[i]))
			continue;
		cairo_new_sub_path(cr);
		cairo_arc(cr, candor_chart_map(&L->x, x[i]), candor_chart_map(&L->y, shap[i]), r, 0,
		          2 * M_PI);
		cairo_fill(cr);
	}
	return finish(&c, CANDOR_OK);
}

/* ===== fairness: per-group bars and disparities ========================== */

candor_status candor_chart_group_bars(cairo_t *cr, double width, double height, const char *metric,
                                      const char *const *groups, const double *values,
                                      const double *lo, const double *hi, size_t n,
                                      double threshold, const bool *fail,
                                      const candor_chart_options *opts,
                                      candor_chart_layout *layout)
{
	size_t order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout local = {0}, *L = layout ? layout : &local;
	const char *labels[CANDOR_CHART_MAX_SLOTS];
	double vmin = 0, vmax = 0, top;
	char title[160];
	ck_ctx c;
	size_t k;
	candor_status st = check_common(groups, values, n, "group");

	if (st)
		return st;
	if (!metric)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "group chart: no metric name");
	if ((st = check_text(&metric, 1, "group")) || (st = check_text(groups, n, "group")))
		return st;
	reset(L);
	st = candor__ck_begin(&c, cr, width, height, opts);
	if (st)
		return st;
	k = n < CANDOR_CHART_MAX_SLOTS ? n : CANDOR_CHART_MAX_SLOTS;
	for (size_t g = 0; g < k; g++) {
		const double cand[3] = {values[g], lo ? lo[g] : NAN, hi ? hi[g] : NAN};
		order[g] = g;
		labels[g] = groups[g];
		for (int q = 0; q < 3; q++)
			if (isfinite(cand[q])) {
				vmin = fmin(vmin, cand[q]);
				vmax = fmax(vmax, cand[q]);
			}
	}
	if (isfinite(threshold)) {
		vmin = fmin(vmin, threshold);
		vmax = fmax(vmax, threshold);
	}
	/* rates live in [0, 1]: show the whole range so groups compare honestly */
	if (vmin >= 0 && vmax <= 1)
		vmax = 1;
	else if (vmax == vmin)
		vmax = vmin + 1;
	candor_chart_axis ax = {vmin, vmax, false, 0, 0};
	candor__fmt(title, sizeof(title), "%s by group", metric);
	top = candor__ck_title(&c, opts && opts->title ? opts->title : title);
	candor__ck_hframe(&c, labels, k, &ax, metric, top, 0, L);
	const double sh = slot_h(L), x0 = candor_chart_map(&L->x, fmax(0, L->x.lo));
	for (size_t g = 0; g < k; g++) {
		const double yc = candor_chart_map(&L->y, (double)g + 0.5);
		const double wl = lo ? lo[g] : NAN, wh = hi ? hi[g] : NAN;
		double xend;

		if (!isfinite(values[g])) {
			candor__ck_color(cr, CK_GREY, 1);
			candor__ck_text(&c, "n/a", x0 + c.fs * 0.3, yc, 0, 0.5, 0.85, false, 0);
			continue;
		}
		xend = candor_chart_map(&L->x, values[g]);
		bar(cr, x0, xend, yc, sh * 0.6, fail && fail[g] ? CK_VERMILLION : CK_BLUE);
		if (isfinite(wl) && isfinite(wh)) {
			const double a = candor_chart_map(&L->x, wl), b = candor_chart_map(&L->x, wh);
			cairo_set_line_width(cr, fmax(1, c.fs / 9));
			candor__ck_color(cr, CK_BLACK, 1);
			cairo_move_to(cr, a, yc);
			cairo_line_to(cr, b, yc);
			cairo_move_to(cr, a, yc - sh * 0.15);
			cairo_line_to(cr, a, yc + sh * 0.15);
			cairo_move_to(cr, b, yc - sh * 0.15);
			cairo_line_to(cr, b, yc + sh * 0.15);
			cairo_stroke(cr);
			xend = fmax(xend, b);
		}
		value_label(&c, values[g], xend, yc - sh * 0.18, false);
	}
	if (isfinite(threshold)) {
		const double x = candor_chart_map(&L->x, threshold), dash[] = {c.fs * 0.5, c.fs * 0.3};
		char buf[48];

		cairo_set_dash(cr, dash, 2, 0);
		cairo_set_line_width(cr, fmax(1, c.fs / 8));
		candor__ck_color(cr, CK_ORANGE, 1);
		cairo_move_to(cr, x, L->plot_y);
		cairo_line_to(cr, x, L->plot_y + L->plot_h);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		candor__fmt(buf, sizeof(buf), "policy %.3g", threshold);
		candor__ck_color(cr, CK_BLACK, 1);
		candor__ck_text(&c, buf, x, L->plot_y - c.fs * 0.1, 0.5, 1, 0.8, false, 0);
	}
	return finish_order(&c, CANDOR_OK, L, order);
}

candor_status candor_chart_disparity(cairo_t *cr, double width, double height, const char *metric,
                                     const char *reference, const char *const *groups,
                                     const double *ratios, size_t n, double band_lo,
                                     double band_hi, const candor_chart_options *opts,
                                     candor_chart_layout *layout)
{
	size_t order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout local = {0}, *L = layout ? layout : &local;
	const char *labels[CANDOR_CHART_MAX_SLOTS];
	double m = log(1.5), top;
	char title[200], xlabel[160];
	ck_ctx c;
	size_t k;
	candor_status st = check_common(groups, ratios, n, "disparity");

	if (st)
		return st;
	if (!metric || !reference)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "disparity chart: no metric or reference");
	if ((st = check_text(&metric, 1, "disparity")) || (st = check_text(&reference, 1, "disparity")) ||
	    (st = check_text(groups, n, "disparity")))
		return st;
	if (!(band_lo > 0 && band_hi >= band_lo && isfinite(band_hi)))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "disparity chart: band [%g, %g] is not a positive interval", band_lo,
		                     band_hi);
	reset(L);
	st = candor__ck_begin(&c, cr, width, height, opts);
	if (st)
		return st;
	k = n < CANDOR_CHART_MAX_SLOTS ? n : CANDOR_CHART_MAX_SLOTS;
	m = fmax(m, fmax(fabs(log(band_lo)), fabs(log(band_hi))) * 1.15);
	for (size_t g = 0; g < k; g++) {
		order[g] = g;
		labels[g] = groups[g];
		if (ratios[g] > 0 && isfinite(ratios[g]))
			m = fmax(m, fabs(log(ratios[g])) * 1.1);
	}
	/* symmetric around 1 so that "half" and "double" are equally far away */
	candor_chart_axis ax = {exp(-m), exp(m), true, 0, 0};
	candor__fmt(title, sizeof(title), "%s ratio to %s", metric, reference);
	candor__fmt(xlabel, sizeof(xlabel), "ratio to the reference group (log scale); shaded %g-%g",
	            band_lo, band_hi);
	top = candor__ck_title(&c, opts && opts->title ? opts->title : title);
	candor__ck_hframe(&c, labels, k, &ax, xlabel, top, 0, L);
	/* the band, then the line at 1 */
	const double bx0 = candor_chart_map(&L->x, fmax(band_lo, L->x.lo));
	const double bx1 = candor_chart_map(&L->x, fmin(band_hi, L->x.hi));
	candor__ck_color(cr, CK_GREEN, 0.16);
	cairo_rectangle(cr, bx0, L->plot_y, bx1 - bx0, L->plot_h);
	cairo_fill(cr);
	const double x1 = candor_chart_map(&L->x, 1.0), sh = slot_h(L);
	cairo_set_line_width(cr, fmax(1, c.fs / 9));
	candor__ck_color(cr, (ck_rgb){0.3, 0.3, 0.3}, 1);
	cairo_move_to(cr, x1, L->plot_y);
	cairo_line_to(cr, x1, L->plot_y + L->plot_h);
	cairo_stroke(cr);
	for (size_t g = 0; g < k; g++) {
		const double yc = candor_chart_map(&L->y, (double)g + 0.5), r = ratios[g];
		if (!(r > 0) || !isfinite(r)) {
			candor__ck_color(cr, CK_GREY, 1);
			candor__ck_text(&c, "n/a", x1 + c.fs * 0.3, yc, 0, 0.5, 0.85, false, 0);
			continue;
		}
		const ck_rgb col = (r < band_lo || r > band_hi) ? CK_VERMILLION : CK_BLUE;
		const double xr = candor_chart_map(&L->x, r);
		bar(cr, x1, xr, yc, fmax(1.5, sh * 0.06), col);
		candor__ck_color(cr, col, 1);
		cairo_new_sub_path(cr);
		cairo_arc(cr, xr, yc, fmin(sh * 0.25, c.fs * 0.55), 0, 2 * M_PI);
		cairo_fill(cr);
		value_label(&c, r, xr + (r >= 1 ? c.fs * 0.4 : -c.fs * 0.4), yc - sh * 0.3, r < 1);
	}
	return finish_order(&c, CANDOR_OK, L, order);
}
