/*
 * chartkit.c - the chart kit under every candor chart: text (pango, pinned
 * font, hinting off), the Okabe-Ito palette, axes with "nice" ticks, the
 * frame of horizontal category charts, and rendering one chart to PNG, SVG
 * or PDF from the same drawing code.
 *
 * Axes follow Heckbert's loose labelling ("Nice numbers for graph labels",
 * Graphics Gems, 1990): the step is 1, 2 or 5 times a power of ten and the
 * axis is widened to whole steps, so every tick label is short and round.
 * Log axes (disparity ratios) use a fixed list of round ratios instead,
 * which keeps 0.8 and 1.25, the usual policy limits, on the axis.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>

#include "report_int.h"

int candor__fmt(char *buf, size_t size, const char *fmt, ...)
{
	locale_t old = uselocale(candor__c_locale());
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	uselocale(old);
	return n;
}

/* ===== mapping and ticks ================================================= */

double candor_chart_map(const candor_chart_axis *axis, double v)
{
	double t, tlo, thi;

	if (axis->log) {
		if (!(v > 0) || !(axis->lo > 0) || !(axis->hi > 0))
			return NAN;
		t = log(v);
		tlo = log(axis->lo);
		thi = log(axis->hi);
	} else {
		t = v;
		tlo = axis->lo;
		thi = axis->hi;
	}
	if (thi == tlo)
		return 0.5 * (axis->p0 + axis->p1);
	/* halves, so that neither difference overflows for any finite ends */
	return axis->p0 + (t / 2 - tlo / 2) / (thi / 2 - tlo / 2) * (axis->p1 - axis->p0);
}

/* Heckbert's nicenum: a "nice" number near x, rounded or taken as ceiling. */
static double nicenum(double x, bool round_it)
{
	const double e = floor(log10(x));
	const double p = pow(10.0, e);
	const double f = x / p;
	double nf;

	if (round_it)
		nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
	else
		nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	return nf * p;
}

/* Most ticks candor_chart_nice_ticks() aims at; a larger target is clamped. */
#define CK_MAX_TARGET 1000

/* The fallback when round ticks cannot be had in doubles (a range that
 * overflows, or one too small for a power of ten): the ends themselves, and
 * their midpoint. Every value stays finite. */
static size_t plain_ticks(double lo, double hi, double *first, double *last, double *step)
{
	*first = lo;
	*last = hi;
	*step = hi / 2 - lo / 2;
	return hi > lo ? 3 : 1;
}

size_t candor_chart_nice_ticks(double lo, double hi, size_t target, double *first, double *last,
                               double *step)
{
	double range, d, a, b, count;

	if (!isfinite(lo) || !isfinite(hi))
		return 0;
	if (lo > hi) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	if (target < 2)
		target = 2;
	if (target > CK_MAX_TARGET)
		target = CK_MAX_TARGET;
	if (hi == lo) {
		const double pad = lo == 0 ? 1 : fabs(lo) * 0.1;
		if (!isfinite(lo - pad) || !isfinite(hi + pad) || lo - pad == lo)
			return plain_ticks(lo, hi, first, last, step);
		lo -= pad;
		hi += pad;
	}
	/* Every loop of the callers runs over the count returned, so it must
	 * be small whatever the input: any value that is not finite, a zero
	 * step (a range in the subnormals) or a count beyond the target falls
	 * back to the plain ends. */
	range = nicenum(hi - lo, false);
	d = nicenum(range / (double)(target - 1), true);
	if (!isfinite(range) || !isfinite(d) || !(d > 0))
		return plain_ticks(lo, hi, first, last, step);
	a = floor(lo / d) * d;
	b = ceil(hi / d) * d;
	/* lo / d may underflow to 0 (a subnormal end beside a huge one) */
	if (a > lo)
		a -= d;
	if (b < hi)
		b += d;
	count = (b - a) / d;
	if (!isfinite(a) || !isfinite(b) || !(count >= 0 && count <= 2.0 * (double)target + 2))
		return plain_ticks(lo, hi, first, last, step);
	/* -0 reads badly on an axis */
	if (a == 0)
		a = 0;
	*first = a;
	*last = b;
	*step = d;
	return (size_t)llround(count) + 1;
}

size_t candor__ck_ticks(const candor_chart_axis *ax, double *ticks, size_t cap)
{
	size_t n = 0;

	if (ax->log) {
		static const double round_ratios[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.8, 1,
		                                      1.25, 2, 4, 5, 10, 20, 50, 100};
		for (size_t i = 0; i < sizeof(round_ratios) / sizeof(round_ratios[0]) && n < cap; i++)
			if (round_ratios[i] >= ax->lo * (1 - 1e-9) && round_ratios[i] <= ax->hi * (1 + 1e-9))
				ticks[n++] = round_ratios[i];
		return n;
	}
	double first, last, step;
	size_t k = candor_chart_nice_ticks(ax->lo, ax->hi, 6, &first, &last, &step);
	for (size_t i = 0; i < k && n < cap; i++) {
		const double v = first + (double)i * step;
		if (v >= ax->lo - step * 1e-9 && v <= ax->hi + step * 1e-9)
			ticks[n++] = fabs(v) < step * 1e-9 ? 0 : v;
	}
	return n;
}

void candor__ck_ticklabel(char *buf, size_t size, double v, double step, bool log_axis)
{
	if (log_axis) {
		candor__fmt(buf, size, "%g", v);
		return;
	}
	int dec = step > 0 ? (int)-floor(log10(step) + 1e-9) : 0;
	if (dec < 0)
		dec = 0;
	if (dec > 8)
		dec = 8;
	candor__fmt(buf, size, "%.*f", dec, v);
}

/* ===== context and text ================================================== */

candor_status candor__ck_status(cairo_t *cr)
{
	const cairo_status_t s = cairo_status(cr);

	if (s == CAIRO_STATUS_SUCCESS)
		return CANDOR_OK;
	if (s == CAIRO_STATUS_NO_MEMORY)
		return candor__oom();
	if (s == CAIRO_STATUS_WRITE_ERROR || s == CAIRO_STATUS_FILE_NOT_FOUND)
		return candor__error(CANDOR_EIO, NULL, 0, 0, "cannot write chart: %s",
		                     cairo_status_to_string(s));
	return candor__error(CANDOR_EINTERNAL, NULL, 0, 0, "cairo: %s", cairo_status_to_string(s));
}

candor_status candor__ck_begin(ck_ctx *c, cairo_t *cr, double w, double h,
                               const candor_chart_options *opts)
{
	const candor_chart_options defaults = CANDOR_CHART_OPTIONS_INIT;
	cairo_font_options_t *fo;

	memset(c, 0, sizeof(*c));
	if (!cr)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "chart: no cairo context");
	if (!opts)
		opts = &defaults;
	if (opts->version != CANDOR_CHART_OPTIONS_VERSION)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "chart options: version %u is not %u", opts->version,
		                     CANDOR_CHART_OPTIONS_VERSION);
	if (!(w >= 100 && h >= 80 && w <= 1e5 && h <= 1e5))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "chart size %gx%g is outside 100x80 .. 100000x100000", w, h);
	if ((opts->title && !g_utf8_validate(opts->title, -1, NULL)) ||
	    (opts->font_family && !g_utf8_validate(opts->font_family, -1, NULL)))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "chart options: the title or font family is not valid UTF-8");
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		return candor__ck_status(cr);
	c->cr = cr;
	c->w = w;
	c->h = h;
	c->family = opts->font_family ? opts->font_family : CANDOR_CHART_FONT;
	c->fs = opts->font_size > 0 ? opts->font_size : fmax(9.0, h / 45.0);
	c->max_display = opts->max_display ? opts->max_display : 12;
	if (c->max_display > CANDOR_CHART_MAX_SLOTS)
		c->max_display = CANDOR_CHART_MAX_SLOTS;
	c->layout = pango_cairo_create_layout(cr);
	c->font = pango_font_description_new();
	if (!c->layout || !c->font) {
		candor__ck_end(c);
		return candor__oom();
	}
	/* Hinting off: glyph positions then depend on the font alone, not on
	 * the surface, so PNG, SVG and PDF set the same text the same way. */
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	pango_cairo_context_set_font_options(pango_layout_get_context(c->layout), fo);
	cairo_font_options_destroy(fo);
	pango_font_description_set_family(c->font, c->family);
	cairo_save(cr);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
	return CANDOR_OK;
}

void candor__ck_end(ck_ctx *c)
{
	if (c->layout) {
		cairo_restore(c->cr);
		g_object_unref(c->layout);
	}
	if (c->font)
		pango_font_description_free(c->font);
	c->layout = NULL;
	c->font = NULL;
}

static void set_text(ck_ctx *c, const char *s, double scale, bool bold)
{
	pango_font_description_set_absolute_size(c->font, c->fs * scale * PANGO_SCALE);
	pango_font_description_set_weight(c->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(c->layout, c->font);
	/* pango prints a warning on invalid UTF-8 and the library never prints:
	 * inputs are checked where they enter (the chart functions, the
	 * document reader), and text cut short by a buffer may still end in
	 * half a character, so anything invalid is mended here (U+FFFD). */
	if (g_utf8_validate(s, -1, NULL)) {
		pango_layout_set_text(c->layout, s, -1);
	} else {
		gchar *ok = g_utf8_make_valid(s, -1);
		pango_layout_set_text(c->layout, ok ? ok : "?", -1);
		g_free(ok);
	}
}

void candor__ck_text_size(ck_ctx *c, const char *s, double scale, bool bold, double *w, double *h)
{
	PangoRectangle logical;

	pango_cairo_update_layout(c->cr, c->layout);
	set_text(c, s, scale, bold);
	pango_layout_get_extents(c->layout, NULL, &logical);
	*w = (double)logical.width / PANGO_SCALE;
	*h = (double)logical.height / PANGO_SCALE;
}

void candor__ck_text(ck_ctx *c, const char *s, double x, double y, double ax, double ay,
                     double scale, bool bold, double angle)
{
	double tw, th;

	/* a coordinate that is not finite would put cairo in its "invalid
	 * matrix" error state: such text is not drawn */
	if (!isfinite(x) || !isfinite(y) || !isfinite(angle))
		return;
	cairo_save(c->cr);
	cairo_translate(c->cr, x, y);
	if (angle != 0)
		cairo_rotate(c->cr, angle);
	candor__ck_text_size(c, s, scale, bold, &tw, &th);
	cairo_move_to(c->cr, -ax * tw, -ay * th);
	pango_cairo_update_layout(c->cr, c->layout);
	pango_cairo_show_layout(c->cr, c->layout);
	cairo_restore(c->cr);
}

void candor__ck_color(cairo_t *cr, ck_rgb c, double alpha)
{
	if (alpha >= 1)
		cairo_set_source_rgb(cr, c.r, c.g, c.b);
	else
		cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

ck_rgb candor__ck_ramp(double t)
{
	/* blue -> light purple -> vermillion: the two ends are Okabe-Ito colours,
	 * and the lightness dip in the middle keeps the ramp readable in grey. */
	const ck_rgb a = CK_BLUE, m = {0.80, 0.62, 0.80}, b = CK_VERMILLION;
	ck_rgb o;

	if (!(t >= 0))
		t = 0;
	if (t > 1)
		t = 1;
	if (t < 0.5) {
		const double u = t * 2;
		o.r = a.r + (m.r - a.r) * u;
		o.g = a.g + (m.g - a.g) * u;
		o.b = a.b + (m.b - a.b) * u;
	} else {
		const double u = (t - 0.5) * 2;
		o.r = m.r + (b.r - m.r) * u;
		o.g = m.g + (b.g - m.g) * u;
		o.b = m.b + (b.b - m.b) * u;
	}
	return o;
}

double candor__ck_title(ck_ctx *c, const char *title)
{
	double tw, th;

	cairo_set_source_rgb(c->cr, 1, 1, 1);
	cairo_rectangle(c->cr, 0, 0, c->w, c->h);
	cairo_fill(c->cr);
	if (!title || !title[0])
		return c->fs;
	candor__ck_text_size(c, title, 1.3, true, &tw, &th);
	candor__ck_color(c->cr, CK_BLACK, 1);
	candor__ck_text(c, title, c->w / 2, c->fs * 0.6, 0.5, 0, 1.3, true, 0);
	return c->fs * 0.6 + th + c->fs * 1.1;
}

/* ===== the horizontal category frame ===================================== */

void candor__ck_hframe(ck_ctx *c, const char *const *labels, size_t k, candor_chart_axis *ax,
                       const char *xlabel, double top, double right_pad,
                       candor_chart_layout *L)
{
	cairo_t *cr = c->cr;
	double maxw = 0, tw, th, ticks[32];
	size_t nt;

	for (size_t i = 0; i < k; i++) {
		candor__ck_text_size(c, labels[i] ? labels[i] : "", 1, false, &tw, &th);
		if (tw > maxw)
			maxw = tw;
	}
	if (maxw > c->w * 0.4)
		maxw = c->w * 0.4;
	if (!ax->log) {
		double first, last, step;
		if (candor_chart_nice_ticks(ax->lo, ax->hi, 6, &first, &last, &step)) {
			ax->lo = first;
			ax->hi = last;
		}
	}
	L->plot_x = c->fs + maxw + c->fs * 0.8;
	L->plot_y = top;
	L->plot_w = c->w - L->plot_x - c->fs * 1.5 - right_pad;
	L->plot_h = c->h - top - c->fs * 4.2;
	ax->p0 = L->plot_x;
	ax->p1 = L->plot_x + L->plot_w;
	L->x = *ax;
	L->y = (candor_chart_axis){0, (double)k, false, L->plot_y, L->plot_y + L->plot_h};
	L->nslots = k;

	/* alternate row shading helps the eye follow a label to its bar */
	for (size_t i = 0; i < k; i += 2) {
		const double y0 = candor_chart_map(&L->y, (double)i);
		const double y1 = candor_chart_map(&L->y, (double)i + 1);
		candor__ck_color(cr, (ck_rgb){0.965, 0.965, 0.965}, 1);
		cairo_rectangle(cr, L->plot_x, y0, L->plot_w, y1 - y0);
		cairo_fill(cr);
	}
	/* grid and tick labels */
	nt = candor__ck_ticks(ax, ticks, 32);
	cairo_set_line_width(cr, fmax(0.5, c->fs / 14));
	double first = 0, last = 0, step = 0;
	if (!ax->log)
		candor_chart_nice_ticks(ax->lo, ax->hi, 6, &first, &last, &step);
	for (size_t i = 0; i < nt; i++) {
		const double x = candor_chart_map(ax, ticks[i]);
		char buf[32];

		candor__ck_color(cr, (ck_rgb){0.82, 0.82, 0.82}, 1);
		cairo_move_to(cr, x, L->plot_y);
		cairo_line_to(cr, x, L->plot_y + L->plot_h);
		cairo_stroke(cr);
		candor__ck_ticklabel(buf, sizeof(buf), ticks[i], step, ax->log);
		candor__ck_color(cr, (ck_rgb){0.25, 0.25, 0.25}, 1);
		candor__ck_text(c, buf, x, L->plot_y + L->plot_h + c->fs * 0.35, 0.5, 0, 0.9, false, 0);
	}
	/* category labels */
	candor__ck_color(cr, CK_BLACK, 1);
	for (size_t i = 0; i < k; i++)
		candor__ck_text(c, labels[i] ? labels[i] : "", L->plot_x - c->fs * 0.5,
		                candor_chart_map(&L->y, (double)i + 0.5), 1, 0.5, 1, false, 0);
	/* axis line and label */
	cairo_set_line_width(cr, fmax(0.75, c->fs / 10));
	candor__ck_color(cr, (ck_rgb){0.3, 0.3, 0.3}, 1);
	cairo_move_to(cr, L->plot_x, L->plot_y + L->plot_h);
	cairo_line_to(cr, L->plot_x + L->plot_w, L->plot_y + L->plot_h);
	cairo_stroke(cr);
	if (xlabel && xlabel[0]) {
		candor__ck_color(cr, CK_BLACK, 1);
		candor__ck_text(c, xlabel, L->plot_x + L->plot_w / 2,
		                L->plot_y + L->plot_h + c->fs * 1.9, 0.5, 0, 1, false, 0);
	}
}

void candor_report_release_caches(void)
{
	/* Only pango's default font map. Tearing down cairo's static data or
	 * fontconfig (cairo_debug_reset_static_data, FcFini) aborts on an
	 * assertion while any of their objects is still referenced, and pango
	 * 1.50 sorts fontsets in a GTask thread that may still hold the font map
	 * a moment after drawing: waiting for it made the abort rarer (about 1
	 * audit in 40 under MALLOC_PERTURB_, FcFini's "fcCacheChains[i] == NULL"),
	 * not impossible. A leak report is better than an abort, so fontconfig's
	 * process-wide caches are left to the exit and suppressed for
	 * LeakSanitizer in tests/lsan.supp. */
	pango_cairo_font_map_set_default(NULL);
}

/* ===== rendering to files ================================================ */

/* The timestamp written into PDF metadata: fixed, so files are reproducible
 * (the audit time lives in the manifest, not in the file's metadata). */
#define CK_PINNED_DATE "2000-01-01T00:00:00Z"

candor_status candor_chart_render(const char *path, candor_chart_format format, double width,
                                  double height, candor_chart_draw_fn draw, void *payload)
{
	cairo_surface_t *s = NULL;
	cairo_t *cr;
	candor_status st;
	cairo_status_t cs;

	if (!path || !draw)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "chart render: no path or no drawing");
	if (!(width >= 100 && height >= 80 && width <= 1e5 && height <= 1e5))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "chart size %gx%g is outside 100x80 .. 100000x100000", width,
		                     height);
	switch (format) {
	case CANDOR_CHART_PNG:
		s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ceil(width), (int)ceil(height));
		break;
	case CANDOR_CHART_SVG:
		s = cairo_svg_surface_create(path, width, height);
		break;
	case CANDOR_CHART_PDF:
		s = cairo_pdf_surface_create(path, width, height);
		if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
			cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "candor");
			cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, CK_PINNED_DATE);
			cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, CK_PINNED_DATE);
		}
		break;
	default:
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "chart render: unknown format %d",
		                     (int)format);
	}
	cs = cairo_surface_status(s);
	if (cs != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(s);
		if (cs == CAIRO_STATUS_NO_MEMORY)
			return candor__oom();
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s",
		                     cairo_status_to_string(cs));
	}
	cr = cairo_create(s);
	st = draw(cr, width, height, payload);
	if (st == CANDOR_OK)
		st = candor__ck_status(cr);
	cairo_destroy(cr);
	if (st == CANDOR_OK && format == CANDOR_CHART_PNG) {
		cs = cairo_surface_write_to_png(s, path);
		if (cs != CAIRO_STATUS_SUCCESS)
			st = candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s",
			                   cairo_status_to_string(cs));
	}
	cairo_surface_finish(s);
	cs = cairo_surface_status(s);
	if (st == CANDOR_OK && cs != CAIRO_STATUS_SUCCESS)
		st = candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s",
		                   cairo_status_to_string(cs));
	cairo_surface_destroy(s);
	return st;
}

candor_status candor_chart_options_init(candor_chart_options *opts, unsigned int version)
{
	return candor__options_init(opts, version == CANDOR_CHART_OPTIONS_VERSION ? sizeof(*opts) : 0,
	                            version, CANDOR_CHART_OPTIONS_VERSION, "candor_chart_options");
}
