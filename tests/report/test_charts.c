/*
 * test_charts.c - the chart kit and every chart type: nice ticks and the
 * data-to-pixel mapping as numbers, then each chart rendered to PNG and SVG;
 * the PNG must have the asked size and pixel probes must find bars, points,
 * whiskers, thresholds and bands where the data puts them; every SVG must
 * parse (tests/report/check_svg.py, python3 xml.etree).
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "candor/report.h"

#define W 800
#define H 500

static char tmpdir[256];

/* ---- helpers ------------------------------------------------------------ */

typedef struct rgb8 {
	int r, g, b;
} rgb8;

/* Okabe-Ito values, as written in report/report_int.h */
static const rgb8 BLUE = {0x00, 0x72, 0xB2};
static const rgb8 VERMILLION = {0xD5, 0x5E, 0x00};
static const rgb8 ORANGE = {0xE6, 0x9F, 0x00};

typedef struct chart_call {
	int kind;
	candor_chart_layout *layout;
	candor_status status;
} chart_call;

static const char *imp_features[] = {"age", "income_k", "credit_score", "debt_ratio",
                                     "loan_amount_k", "zip_score"};
static const double imp_values[] = {0.113, 0.874, 0.532, 0.291, 0.047, 0.238};

static const double lime_w[] = {-0.21, 0.45, 0.12, -0.33, 0.02, 0.08};

static const char *groups[] = {"White", "Black", "Hispanic", "Asian"};
static const double sr[] = {0.612, 0.387, 0.453, 0.598};
static const double sr_lo[] = {0.581, 0.341, 0.402, 0.541};
static const double sr_hi[] = {0.642, 0.435, 0.505, 0.652};
static const bool sr_fail[] = {false, true, true, false};
static const double ratios[] = {1.0, 0.632, 0.740, 0.977};

static const double wf_shap[] = {0.31, -0.52, 0.18, -0.07, 0.02, 0.44};
static const double wf_vals[] = {37, 42.5, 655, 0.41, 12, 0.73};

#define NR 40
static double bs_shap[NR * 6], bs_vals[NR * 6], dep_x[NR], dep_y[NR];

static void fill_swarm(void)
{
	/* a fixed linear-congruential sequence: high-entropy but reproducible */
	uint32_t s = 12345;
	for (size_t i = 0; i < NR; i++)
		for (size_t j = 0; j < 6; j++) {
			s = s * 1103515245u + 12345u;
			const double u = (double)((s >> 8) & 0xffff) / 65535.0;
			bs_vals[i * 6 + j] = u * 10;
			bs_shap[i * 6 + j] = (u - 0.5) * imp_values[j] * 2;
		}
	for (size_t i = 0; i < NR; i++) {
		dep_x[i] = bs_vals[i * 6 + 1] * 10;
		dep_y[i] = bs_shap[i * 6 + 1];
	}
}

enum { K_IMPORTANCE, K_LIME, K_BEESWARM, K_WATERFALL, K_DEPENDENCE, K_GROUP, K_DISPARITY, K_N };
static const char *kind_names[K_N] = {"importance", "lime", "beeswarm", "waterfall",
                                      "dependence", "group", "disparity"};

static candor_status draw(struct _cairo *cr, double w, double h, void *payload)
{
	chart_call *c = payload;

	switch (c->kind) {
	case K_IMPORTANCE:
		return candor_chart_importance(cr, w, h, imp_features, imp_values, 6, NULL, c->layout);
	case K_LIME:
		return candor_chart_lime(cr, w, h, imp_features, lime_w, 6, NULL, c->layout);
	case K_BEESWARM:
		return candor_chart_beeswarm(cr, w, h, imp_features, 6, bs_shap, bs_vals, NR, NULL,
		                             c->layout);
	case K_WATERFALL:
		return candor_chart_waterfall(cr, w, h, imp_features, wf_shap, wf_vals, 6, -0.25, NULL,
		                              c->layout);
	case K_DEPENDENCE:
		return candor_chart_dependence(cr, w, h, "income_k", dep_x, dep_y, NR, NULL, c->layout);
	case K_GROUP:
		return candor_chart_group_bars(cr, w, h, "selection_rate", groups, sr, sr_lo, sr_hi, 4,
		                               0.5, sr_fail, NULL, c->layout);
	case K_DISPARITY:
		return candor_chart_disparity(cr, w, h, "selection_rate", "White", groups, ratios, 4,
		                              0.8, 1.25, NULL, c->layout);
	}
	return CANDOR_EINVAL;
}

/* Render chart `kind` to PNG and SVG in tmpdir, check the PNG's size and
 * return it loaded (caller destroys). */
static cairo_surface_t *render(int kind, candor_chart_layout *L)
{
	char png[400], svg[400];
	chart_call c = {kind, L, CANDOR_OK};
	cairo_surface_t *s;

	snprintf(png, sizeof(png), "%s/%s.png", tmpdir, kind_names[kind]);
	snprintf(svg, sizeof(svg), "%s/%s.svg", tmpdir, kind_names[kind]);
	assert_int_equal(candor_chart_render(svg, CANDOR_CHART_SVG, W, H, draw, &c), CANDOR_OK);
	assert_int_equal(candor_chart_render(png, CANDOR_CHART_PNG, W, H, draw, &c), CANDOR_OK);
	s = cairo_image_surface_create_from_png(png);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(s), W);
	assert_int_equal(cairo_image_surface_get_height(s), H);
	return s;
}

static rgb8 pixel(cairo_surface_t *s, double x, double y)
{
	const int ix = (int)floor(x), iy = (int)floor(y);
	const int stride = cairo_image_surface_get_stride(s);
	const unsigned char *d = cairo_image_surface_get_data(s);
	uint32_t p;

	assert_true(ix >= 0 && iy >= 0 && ix < W && iy < H);
	memcpy(&p, d + (size_t)iy * (size_t)stride + (size_t)ix * 4, 4);
	/* opaque (white background), so no un-premultiplying is needed */
	return (rgb8){(int)((p >> 16) & 255), (int)((p >> 8) & 255), (int)(p & 255)};
}

static bool near(rgb8 a, rgb8 b, int tol)
{
	return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

static bool is_background(rgb8 a)
{
	/* white, or the light row shading (0.965 * 255 = 246) */
	return a.r >= 240 && a.g >= 240 && a.b >= 240;
}

/* ---- numbers ------------------------------------------------------------ */

static void test_nice_ticks(void **state)
{
	double a, b, d;
	(void)state;

	/* worked by hand with Heckbert's nicenum: range nicenum(0.87) = 1,
	 * step nicenum(1 / 5, round) = 0.2 */
	assert_int_equal(candor_chart_nice_ticks(0, 0.87, 6, &a, &b, &d), 6);
	assert_float_equal(a, 0, 1e-12);
	assert_float_equal(b, 1.0, 1e-12);
	assert_float_equal(d, 0.2, 1e-12);
	/* range nicenum(84) = 100, step nicenum(25, round) = 20 */
	assert_int_equal(candor_chart_nice_ticks(13, 97, 6, &a, &b, &d), 6);
	assert_float_equal(a, 0, 1e-12);
	assert_float_equal(b, 100, 1e-12);
	assert_float_equal(d, 20, 1e-12);
	/* range nicenum(0.078) = 0.1, step 0.02, widened to whole steps */
	assert_int_equal(candor_chart_nice_ticks(-0.031, 0.047, 6, &a, &b, &d), 6);
	assert_float_equal(a, -0.04, 1e-12);
	assert_float_equal(b, 0.06, 1e-12);
	assert_float_equal(d, 0.02, 1e-12);
	/* a single value is widened around itself */
	assert_true(candor_chart_nice_ticks(5, 5, 6, &a, &b, &d) >= 2);
	assert_true(a < 5 && b > 5);
	assert_int_equal(candor_chart_nice_ticks(NAN, 1, 6, &a, &b, &d), 0);
}

static void test_map(void **state)
{
	const candor_chart_axis lin = {0, 2, false, 100, 500};
	const candor_chart_axis up = {0, 1, false, 400, 100};
	const candor_chart_axis lg = {0.5, 2, true, 0, 200};
	(void)state;

	assert_float_equal(candor_chart_map(&lin, 0.5), 200, 1e-9);
	assert_float_equal(candor_chart_map(&up, 0.25), 325, 1e-9);
	/* log axis: 1 is the geometric middle of [0.5, 2] */
	assert_float_equal(candor_chart_map(&lg, 1.0), 100, 1e-9);
	assert_float_equal(candor_chart_map(&lg, 0.8), 200 * (log(0.8) - log(0.5)) / log(4), 1e-9);
	assert_true(isnan(candor_chart_map(&lg, 0)));
}

/* ---- charts ------------------------------------------------------------- */

static void test_importance(void **state)
{
	size_t L_order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout L = { .order = L_order, .order_size = CANDOR_CHART_MAX_SLOTS };
	cairo_surface_t *s;
	(void)state;

	s = render(K_IMPORTANCE, &L);
	assert_int_equal(L.nslots, 6);
	/* largest on top: income_k 0.874, credit_score 0.532, debt_ratio 0.291 ... */
	assert_int_equal(L.order[0], 1);
	assert_int_equal(L.order[1], 2);
	assert_int_equal(L.order[2], 3);
	assert_int_equal(L.order[5], 4);
	assert_true(L.x.lo == 0 && L.x.hi >= 0.874);
	assert_true(L.plot_x > 0 && L.plot_x + L.plot_w < W && L.plot_y > 0 && L.plot_y + L.plot_h < H);
	for (size_t k = 0; k < L.nslots; k++) {
		const double v = imp_values[L.order[k]];
		const double yc = candor_chart_map(&L.y, (double)k + 0.5);
		const double xe = candor_chart_map(&L.x, v);
		/* the mapping, as numbers: a linear axis from plot_x */
		assert_float_equal(xe, L.plot_x + v / (L.x.hi - L.x.lo) * L.plot_w, 1e-9);
		assert_float_equal(yc, L.plot_y + ((double)k + 0.5) * L.plot_h / 6, 1e-9);
		/* inside the bar: blue; just past its end (below the value label): background */
		assert_true(near(pixel(s, (L.plot_x + xe) / 2, yc), BLUE, 2));
		assert_true(near(pixel(s, xe - 2, yc + 3), BLUE, 2));
		assert_true(is_background(pixel(s, xe + 2, yc + L.plot_h / 6 * 0.28)));
	}
	cairo_surface_destroy(s);
	/* a shorter order buffer gets the first slots only; NULL gets none */
	size_t two[3] = {99, 99, 99};
	candor_chart_layout L2 = { .order = two, .order_size = 2 };
	s = render(K_IMPORTANCE, &L2);
	assert_int_equal(L2.nslots, 6);
	assert_int_equal(two[0], 1);
	assert_int_equal(two[1], 2);
	assert_int_equal(two[2], 99);
	assert_true(L2.order == two && L2.order_size == 2);
	cairo_surface_destroy(s);
	candor_chart_layout L0 = {0};
	s = render(K_IMPORTANCE, &L0);
	assert_int_equal(L0.nslots, 6);
	assert_null(L0.order);
	cairo_surface_destroy(s);
}

static void test_lime(void **state)
{
	size_t L_order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout L = { .order = L_order, .order_size = CANDOR_CHART_MAX_SLOTS };
	cairo_surface_t *s;
	(void)state;

	s = render(K_LIME, &L);
	/* largest |weight| first: 0.45 (income_k), -0.33 (debt_ratio), -0.21 (age) */
	assert_int_equal(L.order[0], 1);
	assert_int_equal(L.order[1], 3);
	assert_int_equal(L.order[2], 0);
	assert_true(L.x.lo <= -0.33 && L.x.hi >= 0.45);
	const double x0 = candor_chart_map(&L.x, 0);
	for (size_t k = 0; k < L.nslots; k++) {
		const double v = lime_w[L.order[k]], yc = candor_chart_map(&L.y, (double)k + 0.5);
		const double xe = candor_chart_map(&L.x, v);
		if (fabs(xe - x0) < 6)
			continue; /* too thin to probe */
		assert_true(near(pixel(s, (x0 + xe) / 2, yc), v > 0 ? VERMILLION : BLUE, 2));
	}
	cairo_surface_destroy(s);
}

static void test_group_bars(void **state)
{
	size_t L_order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout L = { .order = L_order, .order_size = CANDOR_CHART_MAX_SLOTS };
	cairo_surface_t *s;
	bool found_threshold = false;
	(void)state;

	s = render(K_GROUP, &L);
	assert_int_equal(L.nslots, 4);
	/* rates: the axis spans exactly [0, 1] */
	assert_float_equal(L.x.lo, 0, 0);
	assert_float_equal(L.x.hi, 1, 0);
	const double sh = L.plot_h / 4;
	for (size_t g = 0; g < 4; g++) {
		const double yc = candor_chart_map(&L.y, (double)g + 0.5);
		const double xe = candor_chart_map(&L.x, sr[g]);
		assert_int_equal(L.order[g], g);
		/* groups in the caller's order; failing ones vermillion */
		assert_true(near(pixel(s, L.plot_x + 5, yc + sh * 0.2), sr_fail[g] ? VERMILLION : BLUE, 2));
		assert_true(near(pixel(s, xe - 2, yc + sh * 0.2), sr_fail[g] ? VERMILLION : BLUE, 2));
		/* past the whisker's end and below the label: background */
		assert_true(is_background(pixel(s, candor_chart_map(&L.x, sr_hi[g]) + 3, yc + sh * 0.2)));
		/* the whisker: a dark line at the centre, beyond the bar's end */
		const double xw = (xe + candor_chart_map(&L.x, sr_hi[g])) / 2;
		if (candor_chart_map(&L.x, sr_hi[g]) - xe > 4) {
			const rgb8 p = pixel(s, xw, yc);
			assert_true(p.r < 90 && p.g < 90 && p.b < 90);
		}
	}
	/* the dashed policy line at 0.5, in orange, somewhere down its column */
	const double xt = candor_chart_map(&L.x, 0.5);
	for (double y = L.plot_y; y < L.plot_y + L.plot_h; y += 1)
		if (near(pixel(s, xt, y), ORANGE, 40))
			found_threshold = true;
	assert_true(found_threshold);
	cairo_surface_destroy(s);
}

static void test_disparity(void **state)
{
	size_t L_order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout L = { .order = L_order, .order_size = CANDOR_CHART_MAX_SLOTS };
	cairo_surface_t *s;
	(void)state;

	s = render(K_DISPARITY, &L);
	assert_true(L.x.log);
	/* symmetric in log around 1 and wide enough for 0.632 and the band */
	assert_float_equal(L.x.lo * L.x.hi, 1, 1e-9);
	assert_true(L.x.lo < 0.632 && L.x.hi > 1.25);
	assert_float_equal(candor_chart_map(&L.x, 1), L.plot_x + L.plot_w / 2, 1e-6);
	const double sh = L.plot_h / 4;
	for (size_t g = 1; g < 4; g++) {
		const double yc = candor_chart_map(&L.y, (double)g + 0.5);
		const bool out = ratios[g] < 0.8 || ratios[g] > 1.25;
		assert_true(near(pixel(s, candor_chart_map(&L.x, ratios[g]), yc), out ? VERMILLION : BLUE, 2));
	}
	/* the band is shaded (green tint) between 0.8 and 1.25, away from the
	 * stems; outside it the row is plain */
	const double yb = candor_chart_map(&L.y, 0.5) + sh * 0.4;
	const rgb8 in = pixel(s, candor_chart_map(&L.x, 1.1), yb);
	const rgb8 outside = pixel(s, candor_chart_map(&L.x, 0.7), yb);
	assert_true(in.g > in.r + 10);
	assert_true(abs(outside.g - outside.r) <= 2);
	cairo_surface_destroy(s);
}

static void test_waterfall(void **state)
{
	size_t L_order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout L = { .order = L_order, .order_size = CANDOR_CHART_MAX_SLOTS };
	cairo_surface_t *s;
	double cum = -0.25;
	(void)state;

	s = render(K_WATERFALL, &L);
	assert_int_equal(L.nslots, 6);
	/* |shap| descending: -0.52 (income_k), 0.44 (zip_score), 0.31 (age) */
	assert_int_equal(L.order[0], 1);
	assert_int_equal(L.order[1], 5);
	assert_int_equal(L.order[2], 0);
	/* walk up from the bottom: each bar spans [cum, cum + phi] */
	for (size_t k = L.nslots; k-- > 0;) {
		const double phi = wf_shap[L.order[k]], yc = candor_chart_map(&L.y, (double)k + 0.5);
		const double mid = candor_chart_map(&L.x, cum + phi / 2);
		if (fabs(candor_chart_map(&L.x, cum + phi) - candor_chart_map(&L.x, cum)) > 4)
			assert_true(near(pixel(s, mid, yc), phi > 0 ? VERMILLION : BLUE, 2));
		cum += phi;
	}
	/* the top bar ends at f(x) = base + sum */
	assert_float_equal(cum, -0.25 + 0.31 - 0.52 + 0.18 - 0.07 + 0.02 + 0.44, 1e-12);
	cairo_surface_destroy(s);
}

static void test_waterfall_other(void **state)
{
	candor_chart_options o = CANDOR_CHART_OPTIONS_INIT;
	size_t L_order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout L = { .order = L_order, .order_size = CANDOR_CHART_MAX_SLOTS };
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
	cairo_t *cr = cairo_create(s);
	(void)state;

	o.max_display = 3;
	assert_int_equal(candor_chart_waterfall(cr, W, H, imp_features, wf_shap, NULL, 6, 0, &o, &L),
	                 CANDOR_OK);
	/* two features, then one row for the other four, marked by index n */
	assert_int_equal(L.nslots, 3);
	assert_int_equal(L.order[2], 6);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
}

static void test_beeswarm(void **state)
{
	size_t L_order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout L = { .order = L_order, .order_size = CANDOR_CHART_MAX_SLOTS };
	cairo_surface_t *s;
	(void)state;

	s = render(K_BEESWARM, &L);
	assert_int_equal(L.nslots, 6);
	/* ordered by mean |SHAP|, which follows imp_values by construction */
	assert_int_equal(L.order[0], 1);
	assert_int_equal(L.order[5], 4);
	/* every point of the top row is drawn within its row around x(shap):
	 * find a coloured (non-grey, non-background) pixel near each */
	const double sh = L.plot_h / 6;
	for (size_t i = 0; i < NR; i += 7) {
		const double x = candor_chart_map(&L.x, bs_shap[i * 6 + 1]);
		const double y0 = candor_chart_map(&L.y, 0.0), y1 = candor_chart_map(&L.y, 1.0);
		bool found = false;
		assert_true(y1 - y0 > sh - 1e-6 && y1 - y0 < sh + 1e-6);
		for (double y = y0; y < y1 && !found; y += 1) {
			const rgb8 p = pixel(s, x, y);
			const int hi = p.r > p.g ? (p.r > p.b ? p.r : p.b) : (p.g > p.b ? p.g : p.b);
			const int lo = p.r < p.g ? (p.r < p.b ? p.r : p.b) : (p.g < p.b ? p.g : p.b);
			if (hi - lo > 30) /* coloured: not background, grid or text */
				found = true;
		}
		assert_true(found);
	}
	cairo_surface_destroy(s);
}

static void test_dependence(void **state)
{
	size_t L_order[CANDOR_CHART_MAX_SLOTS];
	candor_chart_layout L = { .order = L_order, .order_size = CANDOR_CHART_MAX_SLOTS };
	cairo_surface_t *s;
	(void)state;

	s = render(K_DEPENDENCE, &L);
	assert_int_equal(L.nslots, 0);
	/* y axis points up */
	assert_true(L.y.p0 > L.y.p1);
	for (size_t i = 0; i < NR; i += 5) {
		const rgb8 p = pixel(s, candor_chart_map(&L.x, dep_x[i]), candor_chart_map(&L.y, dep_y[i]));
		/* semi-transparent blue over white or over another point */
		assert_true(p.b > p.r + 40);
	}
	cairo_surface_destroy(s);
}

static void test_svgs_parse(void **state)
{
	char cmd[700];
	const char *py = getenv("PYTHON");
	const char *src = getenv("CANDOR_SOURCE_ROOT");
	(void)state;

	if (!src)
		src = ".";
	/* every chart has been rendered by the tests above; render again so
	 * this test can run alone */
	for (int k = 0; k < K_N; k++) {
		size_t L_order[CANDOR_CHART_MAX_SLOTS];
		candor_chart_layout L = { .order = L_order, .order_size = CANDOR_CHART_MAX_SLOTS };
		cairo_surface_destroy(render(k, &L));
	}
	snprintf(cmd, sizeof(cmd), "%s %s/tests/report/check_svg.py %d %d %s/*.svg",
	         py ? py : "/usr/bin/python3", src, W, H, tmpdir);
	assert_int_equal(system(cmd), 0);
}

static void test_pdf_render(void **state)
{
	char path[400];
	chart_call c = {K_GROUP, NULL, CANDOR_OK};
	FILE *f;
	char head[8] = {0};
	(void)state;

	snprintf(path, sizeof(path), "%s/group.pdf", tmpdir);
	assert_int_equal(candor_chart_render(path, CANDOR_CHART_PDF, W, H, draw, &c), CANDOR_OK);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 5, f), 5);
	fclose(f);
	assert_string_equal(head, "%PDF-");
}

static void test_errors(void **state)
{
	candor_chart_options bad = CANDOR_CHART_OPTIONS_INIT;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
	cairo_t *cr = cairo_create(s);
	const double nanv[] = {0.1, NAN};
	chart_call c = {K_IMPORTANCE, NULL, CANDOR_OK};
	const double neg[] = {0.1, -0.2};
	(void)state;

	assert_int_equal(candor_chart_importance(cr, W, H, imp_features, imp_values, 0, NULL, NULL),
	                 CANDOR_EINVAL);
	assert_int_equal(candor_chart_importance(cr, W, H, imp_features, neg, 2, NULL, NULL),
	                 CANDOR_EINVAL);
	bad.version = 99;
	assert_int_equal(candor_chart_importance(cr, W, H, imp_features, imp_values, 6, &bad, NULL),
	                 CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "version"));
	assert_int_equal(candor_chart_importance(cr, 10, 10, imp_features, imp_values, 6, NULL, NULL),
	                 CANDOR_EINVAL);
	assert_int_equal(candor_chart_waterfall(cr, W, H, imp_features, nanv, NULL, 2, 0, NULL, NULL),
	                 CANDOR_EINVAL);
	assert_int_equal(candor_chart_disparity(cr, W, H, "sr", "a", groups, ratios, 4, 0, 1.25, NULL,
	                                        NULL),
	                 CANDOR_EINVAL);
	assert_int_equal(candor_chart_render("/nonexistent-dir/x.png", CANDOR_CHART_PNG, W, H, draw, &c),
	                 CANDOR_EIO);
	assert_int_equal(candor_chart_render("/nonexistent-dir/x.svg", CANDOR_CHART_SVG, W, H, draw, &c),
	                 CANDOR_EIO);
	/* NaN values are drawn as "n/a", not a failure */
	assert_int_equal(candor_chart_group_bars(cr, W, H, "tpr", groups, nanv, NULL, NULL, 2, NAN,
	                                         NULL, NULL, NULL),
	                 CANDOR_OK);
	assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
}

/* Issue 9, finding 18: the tick and scale code is total. For any finite or
 * non-finite ends and any target, the tick count stays small (every loop
 * over ticks is bounded), the ticks are finite and cover the data; and
 * every chart, given the extremes of a double, returns OK or EINVAL (never
 * cairo's "invalid matrix", never a hang). */
static void test_extreme_values(void **state)
{
	const double ends[] = {0, 5e-324, -5e-324, 1e-310, 1, -1, 1e300, -1e300, 1e308, -1e308,
	                       DBL_MAX, -DBL_MAX, NAN, INFINITY, -INFINITY};
	const size_t targets[] = {0, 2, 6, 1000, SIZE_MAX};
	const size_t ne = sizeof(ends) / sizeof(ends[0]);
	(void)state;

	for (size_t a = 0; a < ne; a++)
		for (size_t b = 0; b < ne; b++)
			for (size_t t = 0; t < 5; t++) {
				double first = NAN, last = NAN, step = NAN;
				const double lo = ends[a], hi = ends[b];
				const size_t tg = targets[t] < 2 ? 2 : targets[t] > 1000 ? 1000 : targets[t];
				const size_t k = candor_chart_nice_ticks(lo, hi, targets[t], &first, &last, &step);
				if (!isfinite(lo) || !isfinite(hi)) {
					assert_int_equal(k, 0);
					continue;
				}
				assert_true(k >= 1 && k <= 2 * tg + 3);
				assert_true(isfinite(first) && isfinite(last) && isfinite(step) && step >= 0);
				assert_true(first <= fmin(lo, hi) && last >= fmax(lo, hi));
			}

	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 300, 200);
	const char *names[] = {"a", "b", "c"};
	const bool fail[] = {true, false, true};
	for (size_t a = 0; a < ne; a++)
		for (size_t b = 0; b < ne; b++) {
			const double v[] = {ends[a], ends[b], 0.5};
			const double av[] = {fabs(ends[a]), fabs(ends[b]), 0.5};
			const double m[] = {ends[a], ends[b], 1, 2, 3, ends[b]};
			candor_status st[8];
			cairo_t *cr = cairo_create(s);

			st[0] = candor_chart_importance(cr, 300, 200, names, av, 3, NULL, NULL);
			st[1] = candor_chart_lime(cr, 300, 200, names, v, 3, NULL, NULL);
			st[2] = candor_chart_group_bars(cr, 300, 200, "m", names, v, v, av, 3, ends[b], fail,
			                                NULL, NULL);
			st[3] = candor_chart_disparity(cr, 300, 200, "m", "r", names, v, 3, 0.8, 1.25, NULL,
			                               NULL);
			st[4] = candor_chart_waterfall(cr, 300, 200, names, v, v, 3, ends[b], NULL, NULL);
			st[5] = candor_chart_beeswarm(cr, 300, 200, names, 3, m, m, 2, NULL, NULL);
			st[6] = candor_chart_dependence(cr, 300, 200, "a", v, v, 3, NULL, NULL);
			st[7] = candor_chart_dependence(cr, 300, 200, "a", m, m + 3, 3, NULL, NULL);
			for (int q = 0; q < 8; q++) {
				if (st[q] != CANDOR_OK && st[q] != CANDOR_EINVAL)
					fail_msg("chart %d on (%g, %g): status %d: %s", q, ends[a], ends[b],
					         (int)st[q], candor_last_error()->message);
			}
			assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
			cairo_destroy(cr);
		}
	cairo_surface_destroy(s);
}

/* Issue 9, finding 22: a name that is not UTF-8 is refused before pango
 * sees it (pango would print a warning). */
static void test_invalid_utf8(void **state)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 300, 200);
	cairo_t *cr = cairo_create(s);
	const char *names[] = {"ok", "bad\xff"};
	const double v[] = {0.2, 0.4};
	candor_chart_options o = CANDOR_CHART_OPTIONS_INIT;
	(void)state;

	assert_int_equal(candor_chart_importance(cr, 300, 200, names, v, 2, NULL, NULL),
	                 CANDOR_EINVAL);
	assert_int_equal(candor_chart_group_bars(cr, 300, 200, "m", names, v, NULL, NULL, 2, NAN,
	                                         NULL, NULL, NULL),
	                 CANDOR_EINVAL);
	o.title = "t\xc3";
	assert_int_equal(candor_chart_importance(cr, 300, 200, names, v, 1, &o, NULL), CANDOR_EINVAL);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_ticks), cmocka_unit_test(test_map),
		cmocka_unit_test(test_importance), cmocka_unit_test(test_lime),
		cmocka_unit_test(test_group_bars), cmocka_unit_test(test_disparity),
		cmocka_unit_test(test_waterfall), cmocka_unit_test(test_waterfall_other),
		cmocka_unit_test(test_beeswarm), cmocka_unit_test(test_dependence),
		cmocka_unit_test(test_svgs_parse), cmocka_unit_test(test_pdf_render),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_extreme_values),
		cmocka_unit_test(test_invalid_utf8),
	};
	const char *keep = getenv("CANDOR_KEEP_CHARTS");
	int rc;

	fill_swarm();
	snprintf(tmpdir, sizeof(tmpdir), "%s/candor-charts-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (!keep) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			rc = rc ? rc : 1;
	} else {
		printf("charts kept in %s\n", tmpdir);
	}
	/* drop cairo's and fontconfig's caches so LeakSanitizer sees only ours */
	candor_report_release_caches(); /* fontconfig's caches: tests/lsan.supp */
	return rc;
}
