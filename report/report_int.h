/*
 * report_int.h - helpers shared by the report module's files (not installed):
 * the chart kit's drawing context (chartkit.c), the Okabe-Ito palette, and
 * locale-independent text formatting.
 */
#ifndef CANDOR_REPORT_INT_H
#define CANDOR_REPORT_INT_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include "candor/report.h"
#include "core/core_int.h"

/* ---- Okabe & Ito (2008), "Color Universal Design" -------------------------
 * Eight colours that stay apart under protanopia, deuteranopia and
 * tritanopia. Charts use blue for "fine"/negative, vermillion for
 * "fails"/positive, and the others for series. */
typedef struct ck_rgb {
	double r, g, b;
} ck_rgb;

#define CK_BLACK ((ck_rgb){0.0, 0.0, 0.0})
#define CK_ORANGE ((ck_rgb){0xE6 / 255.0, 0x9F / 255.0, 0x00 / 255.0})
#define CK_SKYBLUE ((ck_rgb){0x56 / 255.0, 0xB4 / 255.0, 0xE9 / 255.0})
#define CK_GREEN ((ck_rgb){0x00 / 255.0, 0x9E / 255.0, 0x73 / 255.0})
#define CK_YELLOW ((ck_rgb){0xF0 / 255.0, 0xE4 / 255.0, 0x42 / 255.0})
#define CK_BLUE ((ck_rgb){0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0})
#define CK_VERMILLION ((ck_rgb){0xD5 / 255.0, 0x5E / 255.0, 0x00 / 255.0})
#define CK_PURPLE ((ck_rgb){0xCC / 255.0, 0x79 / 255.0, 0xA7 / 255.0})
#define CK_GREY ((ck_rgb){0.6, 0.6, 0.6})
#define CK_LIGHTGREY ((ck_rgb){0.9, 0.9, 0.9})

/* A drawing context: the caller's cairo_t, the page size and the text
 * machinery (one PangoLayout reused for every string). */
typedef struct ck_ctx {
	cairo_t *cr;
	double w, h;
	double fs; /* base font size, device units */
	const char *family;
	size_t max_display;
	PangoLayout *layout;
	PangoFontDescription *font;
} ck_ctx;

/* Text anchors: ax, ay in {0, 0.5, 1} = left/centre/right, top/middle/bottom. */
candor_status candor__ck_begin(ck_ctx *c, cairo_t *cr, double w, double h,
                               const candor_chart_options *opts);
void candor__ck_end(ck_ctx *c);
/* Status of the cairo context as a candor status (with message). */
candor_status candor__ck_status(cairo_t *cr);
void candor__ck_text(ck_ctx *c, const char *s, double x, double y, double ax, double ay,
                     double scale, bool bold, double angle);
void candor__ck_text_size(ck_ctx *c, const char *s, double scale, bool bold, double *w,
                          double *h);
void candor__ck_color(cairo_t *cr, ck_rgb c, double alpha);
/* Colour ramp from blue (t = 0) through a light purple to vermillion (t = 1). */
ck_rgb candor__ck_ramp(double t);

/* Draw a chart's white background and title; returns the y below the title. */
double candor__ck_title(ck_ctx *c, const char *title);

/* Ticks of an axis: linear ones from candor_chart_nice_ticks, log ones
 * from a fixed list of round ratios. Returns the count written (<= cap). */
size_t candor__ck_ticks(const candor_chart_axis *ax, double *ticks, size_t cap);
/* A tick label for v at the precision the step needs. */
void candor__ck_ticklabel(char *buf, size_t size, double v, double step, bool log);

/* Lay out and draw the frame of a horizontal chart with one row per slot:
 * labels[0..k) down the left, x axis (ax->lo, hi, log set by the caller;
 * widened to nice ticks when linear) along the bottom with grid lines and
 * `xlabel` below. Fills layout (plot rect, axes, nslots). `top` is the y
 * below the title; `right_pad` leaves room (e.g. a colour bar). */
void candor__ck_hframe(ck_ctx *c, const char *const *labels, size_t k, candor_chart_axis *ax,
                       const char *xlabel, double top, double right_pad,
                       candor_chart_layout *layout);

/* ===== the audit document (doc.c) ====================================== */

#include <json-c/json.h>

struct candor_audit_doc {
	json_object *root;
	json_object *manifest;     /* borrowed from root; may be NULL */
	json_object *fairness;     /* borrowed; never NULL in a valid document */
	json_object *explanations; /* borrowed; may be NULL (no model) */
};

/* Members: NULL when absent. */
json_object *candor__jget(json_object *o, const char *key);
/* A number: the member itself, or its "value" when it is an object; NaN
 * when absent, null or not a number. */
double candor__jnum(json_object *o, const char *key);
double candor__jval(json_object *v);
/* A string member, NULL when absent or not a string. */
const char *candor__jstr(json_object *o, const char *key);
size_t candor__jlen(json_object *arr);
json_object *candor__jidx(json_object *arr, size_t i);
/* Number j of array member `key` (NaN when missing). */
double candor__jarr_num(json_object *o, const char *key, size_t j);

/* The group metric names present in the document, in first-seen order
 * (borrowed strings; *n receives the count). Caller frees the array. */
const char **candor__doc_metrics(const candor_audit_doc *doc, size_t *n);
/* A check's kind ("min", "max", "max_difference", "min_ratio") and bound. */
const char *candor__check_kind(json_object *check, double *bound);
/* True when the group's value of `metric` breaks a failed check. */
bool candor__cell_fails(const candor_audit_doc *doc, json_object *group, const char *metric);
/* The reference group object of an attribute, NULL if none. */
json_object *candor__doc_reference(const candor_audit_doc *doc, const char *attribute);
/* One plain-words sentence about a check, into buf. */
void candor__check_sentence(char *buf, size_t size, json_object *check);
/* The plain-words definition of a metric, or NULL. */
const char *candor__metric_definition(const char *metric);
/* The manifest time as seconds since the epoch; 0 when absent or invalid. */
int64_t candor__doc_time(const candor_audit_doc *doc);

/* ===== the document's charts (doccharts.c) ============================= */

/* Size of chart files (px for PNG, pt for SVG). */
#define CANDOR__CHART_W 900
#define CANDOR__CHART_H 540

size_t candor__doc_nchart(const candor_audit_doc *doc);
/* Name (file stem) and caption of chart i; draw it on cr when cr != NULL. */
candor_status candor__doc_chart(const candor_audit_doc *doc, size_t i, char *name, size_t namesz,
                                char *caption, size_t capsz, cairo_t *cr, double w, double h);
/* Whether chart i belongs to `attribute` (NULL: an explanation chart). */
bool candor__doc_chart_is(const candor_audit_doc *doc, size_t i, const char *attribute);

/* snprintf in the C locale (decimal point '.', whatever LC_NUMERIC says). */
int candor__fmt(char *buf, size_t size, const char *fmt, ...) CANDOR__PRINTF(3, 4);

#endif
