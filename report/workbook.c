/*
 * workbook.c - the audit as an XLSX workbook (libxlsxwriter), for reviewers
 * who filter and sort: Summary, Fairness, Disparities, Summary metrics,
 * Global importance (with a native Excel bar chart), SHAP values, LIME and
 * Charts. The cell layout is documented in docs/report.md and checked cell
 * for cell against audit.json by tests/report/check_workbook.py.
 *
 * Excel cannot hold NaN or Inf: an undefined value is an empty cell with a
 * comment giving the reason. The creation time in the document properties
 * is the audit's time from the manifest, never "now".
 *
 * The file is written under a temporary name beside PATH and renamed over it
 * at the end, so a failure never leaves a half-written workbook nor harms
 * an earlier one. A document without explanations (a fairness-only audit)
 * has no Global importance, SHAP values or LIME sheets.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "report_int.h"

typedef struct wb {
	const candor_audit_doc *doc;
	lxw_workbook *book;
	lxw_format *bold, *head, *fail, *pass, *num;
	lxw_error err;
} wb;

static void keep(wb *w, lxw_error e)
{
	if (e != LXW_NO_ERROR && w->err == LXW_NO_ERROR)
		w->err = e;
}

static void put_str(wb *w, lxw_worksheet *s, lxw_row_t r, lxw_col_t c, const char *v, lxw_format *f)
{
	if (v)
		keep(w, worksheet_write_string(s, r, c, v, f));
}

/* A number, or an empty cell with a comment saying why there is none. */
static void put_num(wb *w, lxw_worksheet *s, lxw_row_t r, lxw_col_t c, double v, const char *why,
                    lxw_format *f)
{
	if (isfinite(v)) {
		keep(w, worksheet_write_number(s, r, c, v, f ? f : w->num));
		return;
	}
	keep(w, worksheet_write_blank(s, r, c, f));
	if (why)
		keep(w, worksheet_write_comment(s, r, c, why));
}

static void header(wb *w, lxw_worksheet *s, lxw_row_t r, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_str(w, s, r, (lxw_col_t)i, names[i], w->head);
}

/* ===== Summary ============================================================ */

static void sheet_summary(wb *w)
{
	lxw_worksheet *s = workbook_add_worksheet(w->book, "Summary");
	json_object *checks = candor__jget(w->doc->fairness, "checks");
	json_object *man = w->doc->manifest;
	static const char *const ch[] = {"metric", "attribute", "kind", "bound", "value", "group", "pass"};
	static const char *const keys[] = {"candor_version", "command_line", "seed", "threads", "time",
	                                   "rows", "explained_rows", "label", "model_type"};
	size_t failed = 0;
	lxw_row_t r;
	char sentence[600];

	if (!s) {
		keep(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	worksheet_set_column(s, 0, 0, 22, NULL);
	worksheet_set_column(s, 1, 1, 16, NULL);
	worksheet_set_column(s, 2, 6, 14, NULL);
	for (size_t i = 0; i < candor__jlen(checks); i++) {
		json_object *p = candor__jget(candor__jidx(checks, i), "pass");
		failed += !(p && json_object_get_boolean(p));
	}
	put_str(w, s, 0, 0, "candor audit", w->bold);
	put_str(w, s, 2, 0, "verdict", w->bold);
	put_str(w, s, 2, 1, candor_audit_doc_passed(w->doc) ? "pass" : "fail",
	        candor_audit_doc_passed(w->doc) ? w->pass : w->fail);
	put_str(w, s, 3, 0, "failed checks", w->bold);
	keep(w, worksheet_write_number(s, 3, 1, (double)failed, NULL));
	header(w, s, 5, ch, 7);
	r = 6;
	for (size_t i = 0; i < candor__jlen(checks); i++, r++) {
		json_object *c = candor__jidx(checks, i), *p = candor__jget(c, "pass");
		const bool ok = p && json_object_get_boolean(p);
		double bound;
		const char *kind = candor__check_kind(c, &bound);

		put_str(w, s, r, 0, candor__jstr(c, "metric"), NULL);
		put_str(w, s, r, 1, candor__jstr(c, "attribute"), NULL);
		put_str(w, s, r, 2, kind, NULL);
		put_num(w, s, r, 3, bound, "no bound", NULL);
		put_num(w, s, r, 4, candor__jnum(c, "value"),
		        candor__jstr(c, "reason") ? candor__jstr(c, "reason") : "undefined", ok ? NULL : w->fail);
		put_str(w, s, r, 5, candor__jstr(c, "group"), NULL);
		keep(w, worksheet_write_boolean(s, r, 6, ok, ok ? NULL : w->fail));
		candor__check_sentence(sentence, sizeof(sentence), c);
		put_str(w, s, r, 7, sentence, NULL);
	}
	/* the manifest */
	r++;
	put_str(w, s, r++, 0, "manifest", w->bold);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *v = candor__jget(man, keys[i]);
		if (!v)
			continue;
		put_str(w, s, r, 0, keys[i], NULL);
		if (json_object_is_type(v, json_type_string))
			put_str(w, s, r, 1, json_object_get_string(v), NULL);
		else
			put_num(w, s, r, 1, json_object_get_double(v), "not a number", NULL);
		r++;
	}
	json_object *files = candor__jget(man, "files");
	if (candor__jlen(files)) {
		static const char *const fh[] = {"role", "path", "sha256"};
		r++;
		header(w, s, r++, fh, 3);
		for (size_t i = 0; i < candor__jlen(files); i++, r++) {
			json_object *f = candor__jidx(files, i);
			put_str(w, s, r, 0, candor__jstr(f, "role"), NULL);
			put_str(w, s, r, 1, candor__jstr(f, "path"), NULL);
			put_str(w, s, r, 2, candor__jstr(f, "sha256"), NULL);
		}
	}
}

/* ===== Fairness, Disparities, Summary metrics ============================= */

static void sheet_fairness(wb *w)
{
	lxw_worksheet *s = workbook_add_worksheet(w->book, "Fairness");
	json_object *groups = candor__jget(w->doc->fairness, "groups");
	static const char *const fixed[] = {"attribute", "group", "reference", "n", "tp", "fp", "tn", "fn"};
	static const char *const counts[] = {"n", "tp", "fp", "tn", "fn"};
	size_t nm = 0;
	const char **metrics = candor__doc_metrics(w->doc, &nm);
	const lxw_row_t ng = (lxw_row_t)candor__jlen(groups);
	char name[96];

	if (!s || !metrics) {
		candor__free(metrics);
		keep(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	header(w, s, 0, fixed, 8);
	for (size_t m = 0; m < nm; m++) {
		put_str(w, s, 0, (lxw_col_t)(8 + 3 * m), metrics[m], w->head);
		candor__fmt(name, sizeof(name), "%s_lo", metrics[m]);
		put_str(w, s, 0, (lxw_col_t)(9 + 3 * m), name, w->head);
		candor__fmt(name, sizeof(name), "%s_hi", metrics[m]);
		put_str(w, s, 0, (lxw_col_t)(10 + 3 * m), name, w->head);
	}
	for (lxw_row_t g = 0; g < ng; g++) {
		json_object *gr = candor__jidx(groups, g), *mets = candor__jget(gr, "metrics");
		const char *attr = candor__jstr(gr, "attribute"), *gname = candor__jstr(gr, "group");
		const char *ref = attr ? candor__jstr(candor__jget(w->doc->fairness, "reference"), attr) : NULL;

		put_str(w, s, g + 1, 0, attr, NULL);
		put_str(w, s, g + 1, 1, gname, NULL);
		keep(w, worksheet_write_boolean(s, g + 1, 2, ref && gname && strcmp(ref, gname) == 0, NULL));
		for (size_t c = 0; c < 5; c++)
			put_num(w, s, g + 1, (lxw_col_t)(3 + c), candor__jnum(gr, counts[c]), "missing", NULL);
		for (size_t m = 0; m < nm; m++) {
			json_object *mv = candor__jget(mets, metrics[m]), *ci = candor__jget(mv, "ci");
			const char *why = candor__jstr(mv, "reason");
			const bool bad = candor__cell_fails(w->doc, gr, metrics[m]);

			put_num(w, s, g + 1, (lxw_col_t)(8 + 3 * m), candor__jval(mv),
			        why ? why : "not computed", bad ? w->fail : NULL);
			put_num(w, s, g + 1, (lxw_col_t)(9 + 3 * m), candor__jval(candor__jidx(ci, 0)),
			        candor__jval(mv) == candor__jval(mv) ? "no interval" : NULL, NULL);
			put_num(w, s, g + 1, (lxw_col_t)(10 + 3 * m), candor__jval(candor__jidx(ci, 1)), NULL,
			        NULL);
		}
	}
	worksheet_set_column(s, 0, 1, 14, NULL);
	worksheet_freeze_panes(s, 1, 2);
	keep(w, worksheet_autofilter(s, 0, 0, ng, (lxw_col_t)(7 + 3 * nm)));
	candor__free(metrics);
}

static void sheet_disparities(wb *w)
{
	lxw_worksheet *s = workbook_add_worksheet(w->book, "Disparities");
	json_object *ds = candor__jget(w->doc->fairness, "disparities");
	static const char *const h[] = {"attribute", "metric", "group", "reference", "difference", "ratio", "p_value"};

	if (!s) {
		keep(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	header(w, s, 0, h, 7);
	for (size_t i = 0; i < candor__jlen(ds); i++) {
		json_object *d = candor__jidx(ds, i);
		const lxw_row_t r = (lxw_row_t)i + 1;
		const char *why = candor__jstr(d, "reason");
		const double ratio = candor__jnum(d, "ratio");
		const bool out = isfinite(ratio) && (ratio < 0.8 || ratio > 1.25);

		for (size_t c = 0; c < 4; c++)
			put_str(w, s, r, (lxw_col_t)c, candor__jstr(d, h[c]), NULL);
		put_num(w, s, r, 4, candor__jnum(d, "difference"),
		        candor__jstr(d, "difference_reason") ? candor__jstr(d, "difference_reason") : why, NULL);
		put_num(w, s, r, 5, ratio, candor__jstr(d, "ratio_reason") ? candor__jstr(d, "ratio_reason") : why,
		        out ? w->fail : NULL);
		put_num(w, s, r, 6, candor__jnum(d, "p_value"),
		        candor__jstr(d, "p_value_reason") ? candor__jstr(d, "p_value_reason") : why, NULL);
	}
	worksheet_freeze_panes(s, 1, 0);
	if (candor__jlen(ds))
		keep(w, worksheet_autofilter(s, 0, 0, (lxw_row_t)candor__jlen(ds), 6));
}

/* Per attribute from "summary_by_attribute" ({attribute: {metric: value}})
 * when present, else "summary" ({metric: value}, attribute "all"). */
static void sheet_summary_metrics(wb *w)
{
	lxw_worksheet *s = workbook_add_worksheet(w->book, "Summary metrics");
	json_object *sum = candor__jget(w->doc->fairness, "summary_by_attribute");

	if (!sum)
		sum = candor__jget(w->doc->fairness, "summary");
	static const char *const h[] = {"attribute", "metric", "value"};
	lxw_row_t r = 1;

	if (!s) {
		keep(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	header(w, s, 0, h, 3);
	worksheet_set_column(s, 0, 1, 30, NULL);
	if (!sum || !json_object_is_type(sum, json_type_object))
		return;
	json_object_object_foreach(sum, key, val)
	{
		const bool nested = val && json_object_is_type(val, json_type_object) &&
		                    !candor__jget(val, "value");
		if (nested) {
			json_object_object_foreach(val, k2, v2)
			{
				put_str(w, s, r, 0, key, NULL);
				put_str(w, s, r, 1, k2, NULL);
				put_num(w, s, r, 2, candor__jval(v2),
				        candor__jstr(val, "reason") ? candor__jstr(val, "reason") : "undefined", NULL);
				r++;
			}
		} else {
			put_str(w, s, r, 0, "all", NULL);
			put_str(w, s, r, 1, key, NULL);
			put_num(w, s, r, 2, candor__jval(val), "undefined", NULL);
			r++;
		}
	}
}

/* ===== explanations ====================================================== */

typedef struct imp {
	double v;
	size_t j;
} imp;

static int imp_desc(const void *pa, const void *pb)
{
	const imp *a = pa, *b = pb;
	if (a->v != b->v)
		return a->v > b->v ? -1 : 1;
	return a->j < b->j ? -1 : a->j > b->j;
}

static void sheet_importance(wb *w, json_object *ex, json_object *feats, size_t m)
{
	lxw_worksheet *s = workbook_add_worksheet(w->book, "Global importance");
	static const char *const h[] = {"feature", "mean_abs_shap"};
	imp *order = candor__mallocarray(m ? m : 1, sizeof(*order));

	if (!s || !order) {
		candor__free(order);
		keep(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	header(w, s, 0, h, 2);
	worksheet_set_column(s, 0, 0, 20, NULL);
	for (size_t j = 0; j < m; j++) {
		const double v = candor__jarr_num(ex, "importance", j);
		order[j] = (imp){isfinite(v) ? v : -1, j};
	}
	qsort(order, m, sizeof(*order), imp_desc);
	for (size_t k = 0; k < m; k++) {
		put_str(w, s, (lxw_row_t)k + 1, 0, json_object_get_string(candor__jidx(feats, order[k].j)), NULL);
		put_num(w, s, (lxw_row_t)k + 1, 1, candor__jarr_num(ex, "importance", order[k].j),
		        "undefined", NULL);
	}
	candor__free(order);
	if (m == 0)
		return;
	/* a native chart, so the numbers stay live in Excel */
	lxw_chart *chart = workbook_add_chart(w->book, LXW_CHART_BAR);
	if (!chart) {
		keep(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
	if (!series) {
		keep(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	chart_series_set_categories(series, "Global importance", 1, 0, (lxw_row_t)m, 0);
	chart_series_set_values(series, "Global importance", 1, 1, (lxw_row_t)m, 1);
	lxw_chart_fill fill = {.color = 0x0072B2};
	chart_series_set_fill(series, &fill);
	chart_title_set_name(chart, "Global importance (mean |SHAP|)");
	chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
	chart_axis_set_reverse(chart->y_axis);
	keep(w, worksheet_insert_chart(s, 1, 3, chart));
}

static void sheet_matrix(wb *w, const char *title, json_object *src, json_object *feats, size_t m,
                         const char *const *tail, size_t ntail, const char *rowkey)
{
	lxw_worksheet *s = workbook_add_worksheet(w->book, title);
	json_object *rows = candor__jget(src, rowkey);
	json_object *mat = candor__jget(src, strcmp(title, "LIME") == 0 ? "weights" : "shap");
	const size_t n = candor__jlen(mat);

	if (!s) {
		keep(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	put_str(w, s, 0, 0, "row", w->head);
	for (size_t j = 0; j < m; j++)
		put_str(w, s, 0, (lxw_col_t)(1 + j), json_object_get_string(candor__jidx(feats, j)), w->head);
	for (size_t t = 0; t < ntail; t++)
		put_str(w, s, 0, (lxw_col_t)(1 + m + t), tail[t], w->head);
	for (size_t i = 0; i < n; i++) {
		json_object *r = candor__jidx(mat, i);
		put_num(w, s, (lxw_row_t)i + 1, 0, candor__jval(candor__jidx(rows, i)), "no row id", NULL);
		for (size_t j = 0; j < m; j++)
			put_num(w, s, (lxw_row_t)i + 1, (lxw_col_t)(1 + j), candor__jval(candor__jidx(r, j)),
			        "undefined", NULL);
		for (size_t t = 0; t < ntail; t++)
			put_num(w, s, (lxw_row_t)i + 1, (lxw_col_t)(1 + m + t), candor__jarr_num(src, tail[t], i),
			        "undefined", NULL);
	}
	worksheet_freeze_panes(s, 1, 1);
}

/* ===== charts as images ================================================== */

typedef struct membuf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
} membuf;

static cairo_status_t membuf_write(void *closure, const unsigned char *data, unsigned int len)
{
	membuf *b = closure;

	if (b->len + len > b->cap) {
		size_t cap = (b->len + len) * 2;
		unsigned char *np = candor__realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return CAIRO_STATUS_NO_MEMORY;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return CAIRO_STATUS_SUCCESS;
}

static candor_status sheet_charts(wb *w)
{
	const size_t n = candor__doc_nchart(w->doc);
	lxw_worksheet *s;
	candor_status st = CANDOR_OK;

	if (n == 0)
		return CANDOR_OK;
	s = workbook_add_worksheet(w->book, "Charts");
	if (!s)
		return candor__oom();
	for (size_t i = 0; i < n && st == CANDOR_OK; i++) {
		cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, CANDOR__CHART_W,
		                                                   CANDOR__CHART_H);
		cairo_t *cr = cairo_create(surf);
		char name[128], cap[400];
		membuf b = {0};

		st = candor__doc_chart(w->doc, i, name, sizeof(name), cap, sizeof(cap), cr,
		                       CANDOR__CHART_W, CANDOR__CHART_H);
		cairo_destroy(cr);
		if (st == CANDOR_OK && cairo_surface_write_to_png_stream(surf, membuf_write, &b) !=
		                               CAIRO_STATUS_SUCCESS)
			st = b.oom ? candor__oom()
			           : candor__error(CANDOR_EINTERNAL, NULL, 0, 0, "cannot encode chart %s", name);
		cairo_surface_destroy(surf);
		if (st == CANDOR_OK) {
			lxw_image_options io = {.x_scale = 0.6, .y_scale = 0.6, .description = cap};
			put_str(w, s, (lxw_row_t)(i * 18), 0, name, w->bold);
			keep(w, worksheet_insert_image_buffer_opt(s, (lxw_row_t)(i * 18 + 1), 0, b.p, b.len, &io));
		}
		candor__free(b.p);
	}
	return st;
}

/* ===== the workbook ====================================================== */

/* Create an empty temporary file for `path` (candor__open_temp: inside a
 * private mkdtemp folder, mode 0700, beside `path`; the file itself O_EXCL,
 * mode 0666 less the umask, so the renamed workbook gets the usual
 * permissions); *out receives its name (candor__free it). libxlsxwriter
 * reopens that name with fopen(), which is safe only because nobody else can
 * create or replace a name in the private folder (no symlink can be planted).
 * Creating the file before libxlsxwriter runs also finds an unwritable folder
 * early: libxlsxwriter would notice only at workbook_close(), and print to
 * stderr, which the library must not. */
static candor_status temp_beside(char **out, const char *path)
{
	const int fd = candor__open_temp(path, out);

	if (fd < 0)
		return errno == ENOMEM ? candor__oom()
		                       : candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s",
		                                       strerror(errno));
	close(fd);
	return CANDOR_OK;
}

static candor_status write_book(const candor_audit_doc *doc, const char *path, const char *tmp);

candor_status candor_report_workbook(const candor_audit_doc *doc, const char *path)
{
	char *tmp;
	candor_status st;

	if (!doc || !path || !path[0])
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "workbook: no document or path");
	st = temp_beside(&tmp, path);
	if (st)
		return st;
	st = write_book(doc, path, tmp);
	if (st == CANDOR_OK && candor__temp_commit(tmp, path) != 0)
		st = candor__error(CANDOR_EIO, path, 0, 0, "cannot rename into place: %s", strerror(errno));
	if (st != CANDOR_OK)
		candor__temp_discard(tmp);
	candor__free(tmp);
	return st;
}

/* ===== Excel's limits, checked before libxlsxwriter sees anything ======== *
 * libxlsxwriter prints a warning and refuses a cell beyond Excel's grid;
 * the library never prints, so every sheet's size is checked first. Cell
 * text (at most 32,767 characters) is bounded when the document is read. */
static candor_status check_grid(const char *path, const char *sheet, size_t rows, size_t cols)
{
	if (rows > LXW_ROW_MAX || cols > LXW_COL_MAX)
		return candor__error(CANDOR_EINVAL, path, 0, 0,
		                     "workbook: sheet \"%s\" would need %zu rows and %zu columns; "
		                     "Excel holds at most %d rows and %d columns",
		                     sheet, rows, cols, LXW_ROW_MAX, LXW_COL_MAX);
	return CANDOR_OK;
}

static candor_status check_limits(const candor_audit_doc *doc, const char *path)
{
	json_object *f = doc->fairness, *ex = doc->explanations, *man = doc->manifest;
	size_t nm = 0, nsum = 0;
	const char **metrics = candor__doc_metrics(doc, &nm);
	candor_status st;

	if (!metrics)
		return candor__oom();
	candor__free(metrics);
	json_object *sum = candor__jget(f, "summary_by_attribute");
	if (!sum)
		sum = candor__jget(f, "summary");
	if (sum && json_object_is_type(sum, json_type_object)) {
		json_object_object_foreach(sum, key, val)
		{
			(void)key;
			nsum += val && json_object_is_type(val, json_type_object) ? (size_t)json_object_object_length(val) : 1;
		}
	}
	const size_t m = candor__jlen(candor__jget(ex, "features"));
	if ((st = check_grid(path, "Summary",
	                     12 + candor__jlen(candor__jget(f, "checks")) +
	                             candor__jlen(candor__jget(man, "files")) + 12,
	                     8)) ||
	    (st = check_grid(path, "Fairness", 1 + candor__jlen(candor__jget(f, "groups")), 8 + 3 * nm)) ||
	    (st = check_grid(path, "Disparities", 1 + candor__jlen(candor__jget(f, "disparities")), 7)) ||
	    (st = check_grid(path, "Summary metrics", 1 + nsum, 3)) ||
	    (st = check_grid(path, "Global importance", 1 + m, 4)) ||
	    (st = check_grid(path, "SHAP values", 1 + candor__jlen(candor__jget(ex, "shap")), 1 + m + 2)) ||
	    (st = check_grid(path, "LIME", 1 + candor__jlen(candor__jget(candor__jget(ex, "lime"), "weights")),
	                     1 + m + 4)) ||
	    (st = check_grid(path, "Charts", 18 * candor__doc_nchart(doc) + 1, 1)))
		return st;
	return CANDOR_OK;
}

/* ===== the zip goes to memory; candor writes the file ===================== *
 * libxlsxwriter 1.1.4 prints "[ERROR] workbook_close(): ..." to stderr when
 * its zip output fails (a full disk, a quota), and it has no option to
 * write to a buffer. So its output is an anonymous memory file (memfd,
 * reached through /proc/self/fd), where a write fails only for want of
 * memory, and candor copies the finished bytes into the real file itself,
 * checking every write. Its temporary parts still go to its own tmpdir. */
static candor_status copy_out(int mfd, const char *tmp, const char *path)
{
	struct stat sb;
	unsigned char buf[65536];
	off_t off = 0;
	int out;

	if (fstat(mfd, &sb) != 0)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot read the workbook back: %s",
		                     strerror(errno));
	out = open(tmp, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
	while (off < sb.st_size) {
		const ssize_t r = pread(mfd, buf, sizeof(buf), off);
		if (r <= 0) {
			const int e = r < 0 ? errno : EIO;
			close(out);
			return candor__error(CANDOR_EIO, path, 0, 0, "cannot read the workbook back: %s",
			                     strerror(e));
		}
		for (ssize_t done = 0; done < r;) {
			const ssize_t wr = write(out, buf + done, (size_t)(r - done));
			if (wr < 0 && errno == EINTR)
				continue;
			if (wr <= 0) {
				const int e = wr < 0 ? errno : EIO;
				close(out);
				return candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(e));
			}
			done += wr;
		}
		off += r;
	}
	if (fsync(out) != 0 && errno != EINVAL && errno != EROFS) {
		const int e = errno;
		close(out);
		return candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(e));
	}
	if (close(out) != 0)
		return candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(errno));
	return CANDOR_OK;
}

static candor_status build_book(const candor_audit_doc *doc, const char *path, const char *file);

/* Write the workbook of `doc` to `tmp`; errors name `path`. */
static candor_status write_book(const candor_audit_doc *doc, const char *path, const char *tmp)
{
	char mem[64];
	candor_status st = check_limits(doc, path);
	int mfd;

	if (st)
		return st;
	mfd = memfd_create("candor-workbook", MFD_CLOEXEC);
	if (mfd < 0)
		return errno == ENOMEM ? candor__oom()
		                       : candor__error(CANDOR_EIO, path, 0, 0,
		                                       "cannot make a memory file: %s", strerror(errno));
	candor__fmt(mem, sizeof(mem), "/proc/self/fd/%d", mfd);
	st = build_book(doc, path, mem);
	if (st == CANDOR_OK)
		st = copy_out(mfd, tmp, path);
	close(mfd);
	return st;
}

/* Build the workbook with libxlsxwriter into `file`; errors name `path`. */
static candor_status build_book(const candor_audit_doc *doc, const char *path, const char *file)
{
	wb w = {doc, NULL, NULL, NULL, NULL, NULL, NULL, LXW_NO_ERROR};
	lxw_doc_properties props = {0};
	char comments[64];
	candor_status st;
	lxw_error e;

	if (access(file, W_OK) != 0)
		return candor__error(CANDOR_EIO, path, 0, 0,
		                     "cannot reach the memory file (is /proc mounted?): %s",
		                     strerror(errno));
	w.book = workbook_new(file);
	if (!w.book)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot create the workbook");
	w.bold = workbook_add_format(w.book);
	format_set_bold(w.bold);
	w.head = workbook_add_format(w.book);
	format_set_bold(w.head);
	format_set_bottom(w.head, LXW_BORDER_THIN);
	format_set_bg_color(w.head, 0xE8E8E8);
	/* failing cells: vermillion fill, white bold text (Okabe-Ito) */
	w.fail = workbook_add_format(w.book);
	format_set_bg_color(w.fail, 0xD55E00);
	format_set_font_color(w.fail, 0xFFFFFF);
	format_set_bold(w.fail);
	format_set_num_format(w.fail, "0.0000");
	w.pass = workbook_add_format(w.book);
	format_set_bg_color(w.pass, 0x009E73);
	format_set_font_color(w.pass, 0xFFFFFF);
	format_set_bold(w.pass);
	w.num = workbook_add_format(w.book);
	format_set_num_format(w.num, "0.0000");

	sheet_summary(&w);
	sheet_fairness(&w);
	sheet_disparities(&w);
	sheet_summary_metrics(&w);
	json_object *ex = doc->explanations, *feats = candor__jget(ex, "features");
	const size_t m = candor__jlen(feats);
	st = CANDOR_OK;
	if (ex && m) {
		static const char *const shap_tail[] = {"base_value", "prediction"};
		static const char *const lime_tail[] = {"intercept", "local_prediction", "prediction", "score"};
		sheet_importance(&w, ex, feats, m);
		sheet_matrix(&w, "SHAP values", ex, feats, m, shap_tail, 2, "rows");
		if (candor__jget(ex, "lime"))
			sheet_matrix(&w, "LIME", candor__jget(ex, "lime"), feats, m, lime_tail, 4, "rows");
	}
	st = sheet_charts(&w);

	candor__fmt(comments, sizeof(comments), "verdict: %s", candor_audit_doc_passed(doc) ? "pass" : "fail");
	props.title = "candor audit";
	props.subject = "fairness and explainability audit";
	props.author = "candor";
	props.company = "";
	props.comments = comments;
	props.keywords = "fairness, SHAP, LIME, audit";
	props.created = (time_t)candor__doc_time(doc);
	if (props.created == 0)
		props.created = (time_t)946684800; /* 2000-01-01: pinned, never "now" */
	keep(&w, workbook_set_properties(w.book, &props));
	e = workbook_close(w.book);
	if (st != CANDOR_OK)
		return st;
	if (w.err != LXW_NO_ERROR)
		return w.err == LXW_ERROR_MEMORY_MALLOC_FAILED
		               ? candor__oom()
		               : candor__error(CANDOR_EINTERNAL, path, 0, 0, "workbook: %s", lxw_strerror(w.err));
	if (e != LXW_NO_ERROR)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot write the workbook: %s", lxw_strerror(e));
	return CANDOR_OK;
}
