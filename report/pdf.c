/*
 * pdf.c - the PDF report for compliance reviewers (cairo PDF surface, text
 * set by pango): a title page; an executive summary that states the verdict
 * and each failing check in plain words; a section per sensitive attribute
 * with its table and charts; the explanations, including which features
 * drive the gap between groups; an appendix defining every metric shown;
 * and the reproducibility manifest (version, command line, seed, threads,
 * time and the SHA-256 of every input file).
 *
 * Layout is a single flowing column on A4 with a cursor: each block asks
 * for its height and starts a new page when it does not fit. Charts are
 * drawn with the same code as the PNG/SVG files, as vectors. The PDF's
 * metadata dates are the audit's time, so the same audit.json always
 * renders the same file.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>

#include "report_int.h"

#define PW 595.276 /* A4 in points */
#define PH 841.890
#define MX 56.0
#define MTOP 56.0
#define MBOT 64.0
#define TW (PW - 2 * MX)

typedef struct pdf {
	const candor_audit_doc *doc;
	cairo_t *cr;
	PangoLayout *lay;
	PangoFontDescription *font;
	double y;
	size_t page;
	candor_status st;
} pdf;

static void footer(pdf *p)
{
	char buf[64];

	candor__fmt(buf, sizeof(buf), "candor audit report - page %zu", p->page);
	pango_font_description_set_family(p->font, CANDOR_CHART_FONT);
	pango_font_description_set_absolute_size(p->font, 8 * PANGO_SCALE);
	pango_font_description_set_weight(p->font, PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(p->lay, p->font);
	pango_layout_set_width(p->lay, -1);
	pango_layout_set_text(p->lay, buf, -1);
	cairo_set_source_rgb(p->cr, 0.45, 0.45, 0.45);
	cairo_move_to(p->cr, MX, PH - MBOT + 24);
	pango_cairo_show_layout(p->cr, p->lay);
}

static void new_page(pdf *p)
{
	footer(p);
	cairo_show_page(p->cr);
	p->page++;
	p->y = MTOP;
}

static void need(pdf *p, double h)
{
	if (p->y + h > PH - MBOT && p->y > MTOP + 1)
		new_page(p);
}

/* Set text in the layout; returns its height. */
static double prepare(pdf *p, const char *text, double size, bool bold, bool mono, double width)
{
	PangoRectangle lr;

	pango_font_description_set_family(p->font, mono ? "DejaVu Sans Mono" : CANDOR_CHART_FONT);
	pango_font_description_set_absolute_size(p->font, size * PANGO_SCALE);
	pango_font_description_set_weight(p->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(p->lay, p->font);
	pango_layout_set_width(p->lay, width > 0 ? (int)(width * PANGO_SCALE) : -1);
	pango_layout_set_wrap(p->lay, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(p->lay, text, -1);
	pango_layout_get_extents(p->lay, NULL, &lr);
	return (double)lr.height / PANGO_SCALE;
}

static void text_at(pdf *p, const char *text, double x, double y, double size, bool bold, bool mono,
                    double width, ck_rgb col)
{
	prepare(p, text, size, bold, mono, width);
	candor__ck_color(p->cr, col, 1);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, p->lay);
}

/* A wrapped paragraph at indent `ind`, then `after` points of space. */
static void para(pdf *p, const char *text, double size, bool bold, double ind, double after, ck_rgb col)
{
	const double h = prepare(p, text, size, bold, false, TW - ind);

	need(p, h);
	text_at(p, text, MX + ind, p->y, size, bold, false, TW - ind, col);
	p->y += h + after;
}

static void heading(pdf *p, const char *text, double size)
{
	need(p, size * 4); /* never leave a heading alone at the foot of a page */
	p->y += size * 0.4;
	para(p, text, size, true, 0, size * 0.5, CK_BLACK);
}

static void bullet(pdf *p, const char *text, ck_rgb col)
{
	const double h = prepare(p, text, 10, false, false, TW - 14);

	need(p, h);
	text_at(p, "\xe2\x80\xa2", MX + 2, p->y, 10, false, false, 0, col);
	text_at(p, text, MX + 14, p->y, 10, false, false, TW - 14, CK_BLACK);
	p->y += h + 4;
}

/* Draw document chart i at the cursor, with its caption. */
static void chart(pdf *p, size_t i)
{
	const double w = TW, h = TW * 0.6;
	char name[128], cap[400];

	if (p->st)
		return;
	need(p, h + 30);
	cairo_save(p->cr);
	cairo_translate(p->cr, MX, p->y);
	p->st = candor__doc_chart(p->doc, i, name, sizeof(name), cap, sizeof(cap), p->cr, w, h);
	cairo_restore(p->cr);
	p->y += h + 4;
	para(p, cap, 8.5, false, 0, 12, (ck_rgb){0.3, 0.3, 0.3});
}

static void fmt_num(char *buf, size_t size, double v)
{
	if (isfinite(v))
		candor__fmt(buf, size, "%.4f", v);
	else
		candor__fmt(buf, size, "n/a");
}

/* ===== sections ========================================================== */

/* The path of the manifest's input with this role, NULL if none. */
static const char *file_path(json_object *man, const char *role)
{
	json_object *files = candor__jget(man, "files");

	for (size_t i = 0; i < candor__jlen(files); i++) {
		const char *r = candor__jstr(candor__jidx(files, i), "role");
		if (r && strcmp(r, role) == 0)
			return candor__jstr(candor__jidx(files, i), "path");
	}
	return NULL;
}

static void title_page(pdf *p)
{
	const bool ok = candor_audit_doc_passed(p->doc);
	json_object *man = p->doc->manifest;
	char buf[600];

	p->y = 200;
	para(p, "Fairness and explainability audit", 26, true, 0, 16, CK_BLACK);
	const char *mpath = file_path(man, "model"), *dpath = file_path(man, "data");
	candor__fmt(buf, sizeof(buf), "Model: %s (%s)", mpath ? mpath : "-",
	            candor__jstr(man, "model_type") ? candor__jstr(man, "model_type") : "model");
	para(p, buf, 12, false, 0, 4, (ck_rgb){0.25, 0.25, 0.25});
	candor__fmt(buf, sizeof(buf), "Data: %s; %.0f rows audited", dpath ? dpath : "-",
	            candor__jnum(p->doc->fairness, "n"));
	para(p, buf, 12, false, 0, 30, (ck_rgb){0.25, 0.25, 0.25});
	/* the verdict, in a box that cannot be missed */
	const ck_rgb col = ok ? CK_GREEN : CK_VERMILLION;
	candor__ck_color(p->cr, col, 1);
	cairo_rectangle(p->cr, MX, p->y, TW, 70);
	cairo_fill(p->cr);
	text_at(p, ok ? "VERDICT: PASS" : "VERDICT: FAIL", MX + 20, p->y + 18, 26, true, false, 0,
	        (ck_rgb){1, 1, 1});
	p->y += 100;
	candor__fmt(buf, sizeof(buf), "Audit time: %s\ncandor %s",
	            candor__jstr(man, "time") ? candor__jstr(man, "time") : "-",
	            candor__jstr(p->doc->root, "candor_version") ? candor__jstr(p->doc->root, "candor_version") : "?");
	para(p, buf, 11, false, 0, 4, (ck_rgb){0.25, 0.25, 0.25});
	new_page(p);
}

static void executive_summary(pdf *p)
{
	json_object *checks = candor__jget(p->doc->fairness, "checks");
	json_object *attrs = candor__jget(p->doc->fairness, "attributes");
	const size_t nc = candor__jlen(checks);
	size_t failed = 0;
	char buf[700];

	for (size_t i = 0; i < nc; i++) {
		json_object *ps = candor__jget(candor__jidx(checks, i), "pass");
		failed += !(ps && json_object_get_boolean(ps));
	}
	heading(p, "Executive summary", 18);
	if (nc == 0)
		candor__fmt(buf, sizeof(buf),
		            "Verdict: PASS. No policy was given, so no check could fail; the numbers "
		            "below describe the model's behaviour across groups.");
	else if (failed)
		candor__fmt(buf, sizeof(buf),
		            "Verdict: FAIL. The model fails %zu of the policy's %zu checks. Each failing "
		            "check is listed below in plain words.",
		            failed, nc);
	else
		candor__fmt(buf, sizeof(buf), "Verdict: PASS. The model passes all %zu of the policy's checks.",
		            nc);
	para(p, buf, 11, true, 0, 10, failed ? CK_VERMILLION : CK_BLACK);
	candor__fmt(buf, sizeof(buf), "The audit covers %.0f rows and %zu sensitive attribute%s:",
	            candor__jnum(p->doc->fairness, "n"), candor__jlen(attrs), candor__jlen(attrs) == 1 ? "" : "s");
	for (size_t a = 0; a < candor__jlen(attrs); a++) {
		const char *an = json_object_get_string(candor__jidx(attrs, a));
		const char *ref = candor__jstr(candor__jget(p->doc->fairness, "reference"), an);
		char part[200];
		candor__fmt(part, sizeof(part), "%s %s (reference group: %s)", a ? "," : "", an, ref ? ref : "-");
		strncat(buf, part, sizeof(buf) - strlen(buf) - 1);
	}
	strncat(buf, ".", sizeof(buf) - strlen(buf) - 1);
	para(p, buf, 10, false, 0, 10, CK_BLACK);
	if (failed) {
		para(p, "Failing checks", 12, true, 0, 4, CK_BLACK);
		for (size_t i = 0; i < nc; i++) {
			json_object *c = candor__jidx(checks, i), *ps = candor__jget(c, "pass");
			if (ps && json_object_get_boolean(ps))
				continue;
			candor__check_sentence(buf, sizeof(buf), c);
			bullet(p, buf, CK_VERMILLION);
		}
		p->y += 6;
	}
	if (nc > failed) {
		para(p, "Passing checks", 12, true, 0, 4, CK_BLACK);
		for (size_t i = 0; i < nc; i++) {
			json_object *c = candor__jidx(checks, i), *ps = candor__jget(c, "pass");
			if (!(ps && json_object_get_boolean(ps)))
				continue;
			candor__check_sentence(buf, sizeof(buf), c);
			bullet(p, buf, CK_BLUE);
		}
	}
	new_page(p);
}

/* The metrics shown in the per-attribute tables (those present, in this order). */
static const char *const table_metrics[] = {"selection_rate", "base_rate", "tpr", "fpr", "ppv", "accuracy"};
#define NTABLE (sizeof(table_metrics) / sizeof(table_metrics[0]))

static void attribute_section(pdf *p, const char *attr)
{
	json_object *groups = candor__jget(p->doc->fairness, "groups");
	json_object *ds = candor__jget(p->doc->fairness, "disparities");
	const char *ref = candor__jstr(candor__jget(p->doc->fairness, "reference"), attr);
	const char *shown[NTABLE];
	size_t ns = 0;
	char buf[600];

	candor__fmt(buf, sizeof(buf), "Sensitive attribute: %s", attr);
	heading(p, buf, 16);
	candor__fmt(buf, sizeof(buf),
	            "Each group's decision rates with their 95%% intervals. The reference group is %s. "
	            "Values in vermillion break a failed policy check.",
	            ref ? ref : "not set");
	para(p, buf, 10, false, 0, 8, CK_BLACK);
	for (size_t m = 0; m < NTABLE; m++)
		for (size_t g = 0; g < candor__jlen(groups); g++)
			if (candor__jget(candor__jget(candor__jidx(groups, g), "metrics"), table_metrics[m])) {
				shown[ns++] = table_metrics[m];
				break;
			}
	/* the table: group, n, then the metrics */
	const double c0 = 110, c1 = 50, cw = (TW - c0 - c1) / (double)(ns ? ns : 1);
	need(p, 16 * 3);
	text_at(p, "group", MX, p->y, 8.5, true, false, c0, CK_BLACK);
	text_at(p, "n", MX + c0, p->y, 8.5, true, false, c1, CK_BLACK);
	for (size_t m = 0; m < ns; m++)
		text_at(p, shown[m], MX + c0 + c1 + cw * (double)m, p->y, 8.5, true, false, cw, CK_BLACK);
	p->y += 14;
	cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	cairo_set_line_width(p->cr, 0.6);
	cairo_move_to(p->cr, MX, p->y - 1);
	cairo_line_to(p->cr, MX + TW, p->y - 1);
	cairo_stroke(p->cr);
	for (size_t g = 0; g < candor__jlen(groups); g++) {
		json_object *gr = candor__jidx(groups, g);
		const char *a = candor__jstr(gr, "attribute"), *gn = candor__jstr(gr, "group");
		if (!a || strcmp(a, attr) != 0)
			continue;
		need(p, 14);
		candor__fmt(buf, sizeof(buf), "%s%s", gn ? gn : "?", ref && gn && strcmp(ref, gn) == 0 ? " (ref.)" : "");
		text_at(p, buf, MX, p->y, 9, false, false, c0, CK_BLACK);
		candor__fmt(buf, sizeof(buf), "%.0f", candor__jnum(gr, "n"));
		text_at(p, buf, MX + c0, p->y, 9, false, false, c1, CK_BLACK);
		for (size_t m = 0; m < ns; m++) {
			fmt_num(buf, sizeof(buf), candor__jnum(candor__jget(gr, "metrics"), shown[m]));
			text_at(p, buf, MX + c0 + c1 + cw * (double)m, p->y, 9, false, false, cw,
			        candor__cell_fails(p->doc, gr, shown[m]) ? CK_VERMILLION : CK_BLACK);
		}
		p->y += 14;
	}
	p->y += 8;
	/* disparities in words */
	for (size_t i = 0; i < candor__jlen(ds); i++) {
		json_object *d = candor__jidx(ds, i);
		const char *a = candor__jstr(d, "attribute"), *m = candor__jstr(d, "metric");
		char r[32], df[32], pv[32];
		if (!a || !m || strcmp(a, attr) != 0 || strcmp(m, "selection_rate") != 0)
			continue;
		fmt_num(r, sizeof(r), candor__jnum(d, "ratio"));
		fmt_num(df, sizeof(df), candor__jnum(d, "difference"));
		if (isfinite(candor__jnum(d, "p_value")))
			candor__fmt(pv, sizeof(pv), "%.3g", candor__jnum(d, "p_value"));
		else
			candor__fmt(pv, sizeof(pv), "n/a");
		candor__fmt(buf, sizeof(buf),
		            "%s: selection rate %s times that of %s (difference %s, p = %s).",
		            candor__jstr(d, "group") ? candor__jstr(d, "group") : "?", r,
		            candor__jstr(d, "reference") ? candor__jstr(d, "reference") : "?", df, pv);
		bullet(p, buf, CK_BLUE);
	}
	p->y += 6;
	for (size_t i = 0; i < candor__doc_nchart(p->doc); i++)
		if (candor__doc_chart_is(p->doc, i, attr))
			chart(p, i);
}

static void explanation_section(pdf *p)
{
	json_object *ex = p->doc->explanations, *feats = candor__jget(ex, "features");
	json_object *drivers = candor__jget(ex, "group_drivers");
	char buf[900];

	new_page(p);
	heading(p, "What drives the model", 18);
	candor__fmt(buf, sizeof(buf),
	            "%zu rows were explained with %s SHAP values on the %s scale; each row's values "
	            "add up from the expected output to its prediction. Mean |SHAP| ranks the features "
	            "by their average impact.",
	            candor__jlen(candor__jget(ex, "rows")),
	            candor__jstr(ex, "method") ? candor__jstr(ex, "method") : "?",
	            candor__jstr(ex, "output") ? candor__jstr(ex, "output") : "model output");
	para(p, buf, 10, false, 0, 10, CK_BLACK);
	/* which features drive the gap between groups */
	if (candor__jlen(drivers)) {
		para(p, "Which features drive the gap between groups", 12, true, 0, 4, CK_BLACK);
		para(p,
		     "For each group and its reference, the mean SHAP value of every feature over the "
		     "explained rows of each; the difference says how much of the gap in model output "
		     "each feature carries (largest first).",
		     10, false, 0, 6, CK_BLACK);
		for (size_t i = 0; i < candor__jlen(drivers); i++) {
			json_object *d = candor__jidx(drivers, i), *fs = candor__jget(d, "features");
			size_t len;
			candor__fmt(buf, sizeof(buf), "%s = %s against %s = %s: ",
			            candor__jstr(d, "attribute") ? candor__jstr(d, "attribute") : "?",
			            candor__jstr(d, "group") ? candor__jstr(d, "group") : "?",
			            candor__jstr(d, "attribute") ? candor__jstr(d, "attribute") : "?",
			            candor__jstr(d, "reference") ? candor__jstr(d, "reference") : "?");
			for (size_t k = 0; k < candor__jlen(fs) && k < 4; k++) {
				json_object *f = candor__jidx(fs, k);
				char part[160];
				candor__fmt(part, sizeof(part), "%s%s %+.4f", k ? ", " : "",
				            candor__jstr(f, "feature") ? candor__jstr(f, "feature") : "?",
				            candor__jnum(f, "difference"));
				len = strlen(buf);
				strncat(buf, part, sizeof(buf) - len - 1);
			}
			strncat(buf, ".", sizeof(buf) - strlen(buf) - 1);
			bullet(p, buf, CK_ORANGE);
		}
		p->y += 6;
	}
	(void)feats;
	for (size_t i = 0; i < candor__doc_nchart(p->doc); i++)
		if (candor__doc_chart_is(p->doc, i, NULL))
			chart(p, i);
}

static bool seen(const char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static void appendix(pdf *p)
{
	const char *names[128];
	size_t n = 0, nm = 0;
	const char **metrics = candor__doc_metrics(p->doc, &nm);
	json_object *sum = candor__jget(p->doc->fairness, "summary");
	json_object *checks = candor__jget(p->doc->fairness, "checks");
	char buf[600];

	new_page(p);
	heading(p, "Appendix: the metrics", 16);
	para(p, "Every metric shown in this report. TP, FP, TN and FN count true and false positives and "
	        "negatives, where positive is the favourable decision.",
	     10, false, 0, 8, CK_BLACK);
	for (size_t i = 0; i < nm && n < 128; i++)
		if (!seen(names, n, metrics[i]))
			names[n++] = metrics[i];
	candor__free(metrics);
	if (sum && json_object_is_type(sum, json_type_object)) {
		json_object_object_foreach(sum, key, val)
		{
			if (val && json_object_is_type(val, json_type_object) && !candor__jget(val, "value")) {
				json_object_object_foreach(val, k2, v2)
				{
					(void)v2;
					if (n < 128 && !seen(names, n, k2))
						names[n++] = k2;
				}
			} else if (n < 128 && !seen(names, n, key)) {
				names[n++] = key;
			}
		}
	}
	for (size_t i = 0; i < candor__jlen(checks); i++) {
		const char *m = candor__jstr(candor__jidx(checks, i), "metric");
		if (m && n < 128 && !seen(names, n, m))
			names[n++] = m;
	}
	static const char *const extra[] = {"difference", "ratio", "p_value", "mean_abs_shap"};
	for (size_t i = 0; i < 4 && n < 128; i++)
		if (i < 3 || p->doc->explanations)
			names[n++] = extra[i];
	for (size_t i = 0; i < n; i++) {
		const char *d = candor__metric_definition(names[i]);
		candor__fmt(buf, sizeof(buf), "%s: %s", names[i], d ? d : "see docs/report.md");
		bullet(p, buf, CK_BLACK);
	}
}

static void manifest(pdf *p)
{
	json_object *man = p->doc->manifest, *files = candor__jget(man, "files");
	static const char *const keys[] = {"candor_version", "command_line", "seed", "threads", "time",
	                                   "rows", "explained_rows"};
	char buf[1200];

	p->y += 10;
	heading(p, "Reproducibility manifest", 16);
	para(p, "Running the command line below on files with these SHA-256 digests reproduces every "
	        "number in this report.",
	     10, false, 0, 8, CK_BLACK);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *v = candor__jget(man, keys[i]);
		if (!v)
			continue;
		candor__fmt(buf, sizeof(buf), "%s: %s", keys[i], json_object_get_string(v));
		const double h = prepare(p, buf, 8.5, false, true, TW);
		need(p, h);
		text_at(p, buf, MX, p->y, 8.5, false, true, TW, CK_BLACK);
		p->y += h + 3;
	}
	for (size_t i = 0; i < candor__jlen(files); i++) {
		json_object *f = candor__jidx(files, i);
		candor__fmt(buf, sizeof(buf), "%s: %s\n  sha256 %s",
		            candor__jstr(f, "role") ? candor__jstr(f, "role") : "file",
		            candor__jstr(f, "path") ? candor__jstr(f, "path") : "-",
		            candor__jstr(f, "sha256") ? candor__jstr(f, "sha256") : "(none)");
		const double h = prepare(p, buf, 8.5, false, true, TW);
		need(p, h);
		text_at(p, buf, MX, p->y, 8.5, false, true, TW, CK_BLACK);
		p->y += h + 3;
	}
}

candor_status candor_report_pdf(const candor_audit_doc *doc, const char *path, size_t *pages)
{
	cairo_surface_t *s;
	cairo_font_options_t *fo;
	pdf p = {0};
	char date[40];
	const int64_t t = doc ? candor__doc_time(doc) : 0;

	if (!doc || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "pdf: no document or path");
	s = cairo_pdf_surface_create(path, PW, PH);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		const cairo_status_t cs = cairo_surface_status(s);
		cairo_surface_destroy(s);
		return cs == CAIRO_STATUS_NO_MEMORY ? candor__oom()
		                                    : candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s",
		                                                    cairo_status_to_string(cs));
	}
	if (t > 0) {
		const time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else {
		candor__fmt(date, sizeof(date), "2000-01-01T00:00:00Z");
	}
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "candor audit report");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, "candor");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "candor");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT,
	                               candor_audit_doc_passed(doc) ? "verdict: pass" : "verdict: fail");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date);
	p.doc = doc;
	p.cr = cairo_create(s);
	p.lay = pango_cairo_create_layout(p.cr);
	p.font = pango_font_description_new();
	p.page = 1;
	p.y = MTOP;
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(pango_layout_get_context(p.lay), fo);
	cairo_font_options_destroy(fo);

	title_page(&p);
	executive_summary(&p);
	json_object *attrs = candor__jget(doc->fairness, "attributes");
	for (size_t a = 0; a < candor__jlen(attrs) && !p.st; a++) {
		if (a)
			new_page(&p);
		attribute_section(&p, json_object_get_string(candor__jidx(attrs, a)));
	}
	if (doc->explanations && !p.st)
		explanation_section(&p);
	if (!p.st) {
		appendix(&p);
		manifest(&p);
	}
	footer(&p);
	cairo_show_page(p.cr);
	g_object_unref(p.lay);
	pango_font_description_free(p.font);
	candor_status st = p.st ? p.st : candor__ck_status(p.cr);
	cairo_destroy(p.cr);
	cairo_surface_finish(s);
	if (st == CANDOR_OK && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		st = candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s",
		                   cairo_status_to_string(cairo_surface_status(s)));
	cairo_surface_destroy(s);
	if (st == CANDOR_OK && pages)
		*pages = p.page;
	return st;
}
