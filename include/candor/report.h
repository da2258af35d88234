/**
 * @file candor/report.h
 * @brief Charts (cairo), the audit document (audit.json), the XLSX workbook,
 *        the PDF report and the reproducibility manifest.
 *
 * **Charts.** Every chart is fed by plain arrays and draws onto a `cairo_t`
 * the caller provides, so the same code renders PNG, SVG and PDF (as kplot
 * does). Text is set with pango in a pinned font ("DejaVu Sans" by default,
 * Debian package fonts-dejavu-core) with hinting off, so output is the same on
 * every machine that has the font. Colours come from the Okabe-Ito palette,
 * which stays distinguishable under the common colour-vision deficiencies.
 * Each draw call can fill a ::candor_chart_layout that says where the data
 * went (the plot rectangle and both axes' data-to-device mappings), so a test
 * or a caller placing annotations can compute the pixel of any value with
 * candor_chart_map().
 *
 * @code
 * cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 800, 500);
 * cairo_t *cr = cairo_create(s);
 * const char *features[] = {"income_k", "age"};
 * const double mean_abs[] = {0.41, 0.12};
 * candor_chart_layout where;
 * candor_chart_importance(cr, 800, 500, features, mean_abs, 2, NULL, &where);
 * cairo_surface_write_to_png(s, "importance.png");
 * @endcode
 *
 * **Reports.** An audit is held as a ::candor_audit_doc, the parsed form of
 * `audit.json` (its keys are documented in docs/report.md; the "fairness"
 * member keeps DESIGN.md's fairness JSON keys). A document is made by the
 * audit module (candor/audit.h: candor_audit_run(),
 * candor_audit_doc_from_fairness()) or read from audit.json here. This
 * module only renders: the workbook, the PDF and the chart files are all
 * drawn from a document and nothing else, so `candor report --from
 * audit.json` renders them again without recomputing anything.
 *
 * Thread-safety: the functions keep no global mutable state of their own and
 * may run on several threads with different cairo contexts and documents.
 * (pango and fontconfig keep process-wide caches that are themselves locked.)
 */
#ifndef CANDOR_REPORT_H
#define CANDOR_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candor/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cairo's context type, declared here so that this header needs no cairo
 * include path; it is the same struct as cairo.h's `cairo_t`. */
struct _cairo;

/* ===== chart kit ========================================================= */

/** Most categories (bars, beeswarm rows, groups) one chart draws. */
#define CANDOR_CHART_MAX_SLOTS 64

/** Default font family of charts and reports (package fonts-dejavu-core). */
#define CANDOR_CHART_FONT "DejaVu Sans"

/** One axis: a data range and the device coordinates it maps onto. */
typedef struct candor_chart_axis {
	double lo, hi; /**< data values at the two ends of the axis */
	bool log;      /**< logarithmic scale (lo, hi > 0) */
	double p0, p1; /**< device coordinates of lo and hi (p1 < p0 for an upward y axis) */
} candor_chart_axis;

/**
 * Where a chart put its data, in device units (pixels for PNG, points for
 * PDF and SVG). For charts with one row per category (every chart except the
 * dependence scatter) the y axis is categorical: lo = 0, hi = nslots, p0 at
 * the top, so slot k is centred at candor_chart_map(&y, k + 0.5), and
 * order[k] is the index, in the caller's arrays, of the item drawn in slot k.
 * A layout passed to a draw call is zero or has order/order_size set (a
 * layout of automatic storage holds garbage: initialise it with `= {0}`).
 */
typedef struct candor_chart_layout {
	double plot_x, plot_y, plot_w, plot_h; /**< the plot rectangle */
	candor_chart_axis x, y;                /**< data-to-device mapping of each axis */
	size_t nslots;                         /**< categories drawn (0 for the scatter) */
	/** The caller's buffer of order_size entries, set before the call
	 *  (NULL: not wanted): order[k] receives the caller's index of the item
	 *  in slot k, for k < min(nslots, order_size). The draw calls clear the
	 *  other fields and keep these two. */
	size_t *order;
	size_t order_size;
} candor_chart_layout;

/** Options shared by the charts. Zero means the default; NULL means all defaults. */
typedef struct candor_chart_options {
	unsigned int version;    /**< CANDOR_CHART_OPTIONS_VERSION */
	const char *title;       /**< NULL: the chart's default title; "" for none */
	const char *font_family; /**< NULL: CANDOR_CHART_FONT */
	double font_size;        /**< base text size in device units; 0: height / 45, at least 9 */
	size_t max_display;      /**< most features shown; 0: 12 (never above CANDOR_CHART_MAX_SLOTS) */
} candor_chart_options;

#define CANDOR_CHART_OPTIONS_VERSION 1
#define CANDOR_CHART_OPTIONS_INIT { .version = CANDOR_CHART_OPTIONS_VERSION }

/** Fill `opts` with the defaults of `version` (zero and the version);
 *  CANDOR_EINVAL for an unknown version. */
CANDOR_API candor_status candor_chart_options_init(candor_chart_options *opts,
                                                   unsigned int version);

/** The device coordinate of data value `v` on `axis` (NaN when v is not on a log axis' domain). */
CANDOR_API double candor_chart_map(const candor_chart_axis *axis, double v);

/**
 * "Nice" axis ticks (Heckbert, Graphics Gems 1990, loose labelling): about
 * `target` ticks covering [lo, hi] at a step of 1, 2 or 5 times a power of
 * ten. Fills the first tick, last tick and step; returns the tick count, or
 * 0 when lo or hi is not finite. lo == hi is widened around the value.
 */
CANDOR_API size_t candor_chart_nice_ticks(double lo, double hi, size_t target, double *first,
                                          double *last, double *step);

/**
 * Mean |SHAP| bars, largest on top (at most max_display features). Draws
 * `n` features with names `features[j]` and values `mean_abs[j]` >= 0.
 */
CANDOR_API candor_status candor_chart_importance(struct _cairo *cr, double width, double height,
                                                 const char *const *features,
                                                 const double *mean_abs, size_t n,
                                                 const candor_chart_options *opts,
                                                 candor_chart_layout *layout);

/**
 * LIME weight bars for one row, signed (positive weights in vermillion to the
 * right of zero, negative in blue), largest |weight| on top.
 */
CANDOR_API candor_status candor_chart_lime(struct _cairo *cr, double width, double height,
                                           const char *const *features, const double *weights,
                                           size_t n, const candor_chart_options *opts,
                                           candor_chart_layout *layout);

/**
 * SHAP summary beeswarm: one row per feature (sorted by mean |SHAP|, largest
 * on top), one point per explained row at its SHAP value, coloured from blue
 * (low) to vermillion (high) by the feature's value scaled between its 5th and
 * 95th percentiles (grey when missing). `shap` and `values` are nrows x
 * nfeatures, row-major; `values` may be NULL (points drawn grey). Points
 * that share a row and a position are stacked up and down (deterministic).
 */
CANDOR_API candor_status candor_chart_beeswarm(struct _cairo *cr, double width, double height,
                                               const char *const *features, size_t nfeatures,
                                               const double *shap, const double *values,
                                               size_t nrows, const candor_chart_options *opts,
                                               candor_chart_layout *layout);

/**
 * Waterfall of one prediction: from base_value (the expected output, bottom)
 * each feature's contribution `shap[j]` is added as a bar; the largest
 * |contribution| is on top, where the bars end at base_value + sum(shap).
 * Features beyond max_display - 1 are summed into one "N other features"
 * row, which comes last in `order` with index n. `values` (may be NULL) are
 * shown beside the names.
 */
CANDOR_API candor_status candor_chart_waterfall(struct _cairo *cr, double width, double height,
                                                const char *const *features, const double *shap,
                                                const double *values, size_t n, double base_value,
                                                const candor_chart_options *opts,
                                                candor_chart_layout *layout);

/**
 * Dependence scatter for one feature: x = the feature's value, y = its SHAP
 * value, for n rows (NaN pairs skipped). Both axes are numeric.
 */
CANDOR_API candor_status candor_chart_dependence(struct _cairo *cr, double width, double height,
                                                 const char *feature, const double *x,
                                                 const double *shap, size_t n,
                                                 const candor_chart_options *opts,
                                                 candor_chart_layout *layout);

/**
 * Per-group bars of one fairness metric, one slot per group in the given
 * order, with interval whiskers [lo[g], hi[g]] (lo/hi may be NULL; NaN entries
 * draw none) and the policy threshold as a dashed line (NaN: none). A NaN
 * value is written "n/a". Bars of groups with fail[g] true (fail may be
 * NULL) are vermillion, the others blue. The x axis spans [0, 1] when every
 * number lies there.
 */
CANDOR_API candor_status candor_chart_group_bars(struct _cairo *cr, double width, double height,
                                                 const char *metric,
                                                 const char *const *groups, const double *values,
                                                 const double *lo, const double *hi, size_t n,
                                                 double threshold, const bool *fail,
                                                 const candor_chart_options *opts,
                                                 candor_chart_layout *layout);

/**
 * Disparity chart: each group's ratio of `metric` to the reference group's,
 * on a log axis centred on 1, as a stem from 1 to the ratio. The band
 * [band_lo, band_hi] (e.g. 0.8-1.25, the four-fifths rule and its inverse) is
 * shaded; ratios outside it are vermillion. NaN or non-positive ratios are
 * written "n/a".
 */
CANDOR_API candor_status candor_chart_disparity(struct _cairo *cr, double width, double height,
                                                const char *metric, const char *reference,
                                                const char *const *groups, const double *ratios,
                                                size_t n, double band_lo, double band_hi,
                                                const candor_chart_options *opts,
                                                candor_chart_layout *layout);

/**
 * Release pango's default font map (the charts' text cache). Call it at most
 * once, at the end, when no thread is drawing any more. cairo's and
 * fontconfig's own process-wide caches are left to the process's exit:
 * tearing them down while any of their objects is referenced aborts.
 * Programs that simply exit need not call it.
 */
CANDOR_API void candor_report_release_caches(void);

/** File formats of candor_chart_render(). */
typedef enum candor_chart_format {
	CANDOR_CHART_PNG = 1, /**< width x height pixels, ARGB */
	CANDOR_CHART_SVG = 2, /**< width x height points */
	CANDOR_CHART_PDF = 3  /**< one page of width x height points, pinned metadata */
} candor_chart_format;

/** A drawing callback for candor_chart_render(): draw one chart onto `cr`. */
typedef candor_status (*candor_chart_draw_fn)(struct _cairo *cr, double width, double height,
                                              void *payload);

/**
 * Create a surface of `format` and size width x height, call `draw` on it,
 * and write it to `path`. PDF metadata (creator, dates) is pinned so that
 * the file is the same on every run. Returns CANDOR_EIO when the file cannot
 * be written, or the status of `draw`.
 */
CANDOR_API candor_status candor_chart_render(const char *path, candor_chart_format format,
                                             double width, double height,
                                             candor_chart_draw_fn draw, void *payload);

/* ===== the audit document and its reports ================================ */

/**
 * An audit document (opaque; its content never changes once made). Made by
 * candor_audit_doc_parse() and candor_audit_doc_read() here, or by the
 * audit module (candor/audit.h); the caller owns it and frees it with
 * candor_audit_doc_free(). One thread at a time may use a document (json-c
 * keeps its serialisation buffers in the tree, so even writing its JSON
 * updates them); different documents may be used on different threads.
 */
typedef struct candor_audit_doc candor_audit_doc;

/**
 * Parse an audit document from `len` bytes of JSON; `name` names it in
 * errors. CANDOR_EPARSE (with line and column) when the text is not JSON or
 * lacks "kind": "candor-audit", a "fairness" object with "groups", or a
 * "verdict" of "pass" or "fail".
 */
CANDOR_API candor_status candor_audit_doc_parse(candor_audit_doc **out, const char *text,
                                                size_t len, const char *name);
/** Read and parse an audit.json file; CANDOR_EIO when it cannot be read. */
CANDOR_API candor_status candor_audit_doc_read(candor_audit_doc **out, const char *path);
/** Free a document; NULL is accepted. */
CANDOR_API void candor_audit_doc_free(candor_audit_doc *doc);
/** True when the document's verdict is "pass". */
CANDOR_API bool candor_audit_doc_passed(const candor_audit_doc *doc);
/** Write the document as indented JSON to `path` (no NaN: they are null). */
CANDOR_API candor_status candor_audit_doc_write_json(const candor_audit_doc *doc, const char *path);

/**
 * Write the XLSX workbook: sheets Summary (verdict, checks, manifest),
 * Fairness (one row per group, failing cells highlighted, frozen header,
 * autofilter), Disparities, Summary metrics, Global importance (with a
 * native bar chart), SHAP values, LIME and Charts (the PNG charts). Undefined
 * values are empty cells carrying a comment with the reason. The document
 * properties' creation time is the manifest's time, so the same document
 * always gives the same workbook contents.
 */
CANDOR_API candor_status candor_report_workbook(const candor_audit_doc *doc, const char *path);

/**
 * Write the PDF report (A4): title page, executive summary, a section per
 * sensitive attribute with its table and charts, the explanations (with
 * the features that drive the gap between groups), an appendix defining
 * every metric shown and the reproducibility manifest. `pages` (may be
 * NULL) receives the page count.
 */
CANDOR_API candor_status candor_report_pdf(const candor_audit_doc *doc, const char *path,
                                           size_t *pages);

/**
 * Render every chart of the document as DIR/NAME.png (900 x 540 px) and
 * DIR/NAME.svg; `dir` must exist. The names are listed in docs/report.md.
 */
CANDOR_API candor_status candor_report_charts(const candor_audit_doc *doc, const char *dir);

/**
 * Write DIR/audit.json, DIR/audit.xlsx, DIR/report.pdf and DIR/charts/ in
 * one step: everything is built in a new folder beside DIR and swapped into
 * place at the end, so a failure leaves an earlier DIR untouched. An
 * existing DIR must be empty or hold an earlier report (an audit.json);
 * otherwise CANDOR_EINVAL and nothing is touched.
 */
CANDOR_API candor_status candor_report_write_dir(const candor_audit_doc *doc, const char *dir);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_REPORT_H */
