/**
 * @file candor/audit.h
 * @brief Running an audit: fairness, explanations and policy into an
 *        in-memory audit document, with its reproducibility manifest.
 *
 * The audit module computes; the report module (candor/report.h) only
 * renders. candor_audit_run() measures a model on a table and returns a
 * ::candor_audit_doc; candor_audit_doc_from_fairness() makes a document
 * from a fairness result alone. The renderers of candor/report.h then write
 * it as audit.json, the workbook, the PDF and the charts, and a document
 * read back from audit.json renders the same files.
 *
 * @code
 * candor_audit_options o = CANDOR_AUDIT_OPTIONS_INIT;
 * const char *sens[] = {"sex", "race"};
 * candor_audit_doc *doc = NULL;
 * o.label = "label";
 * o.sensitive = sens;
 * o.nsensitive = 2;
 * o.policy = policy;                      // NULL: no checks
 * o.time = "2026-12-02T12:00:00Z";        // the caller's clock
 * if (candor_audit_run(&doc, table, model, &o) == CANDOR_OK)
 *         candor_report_write_dir(doc, "report");
 * candor_audit_doc_free(doc);
 * @endcode
 *
 * Ownership: a document returned here belongs to the caller, who frees it
 * with candor_audit_doc_free(); the table, model and policy stay the
 * caller's and are not kept. Thread-safety: the functions keep no global
 * state; audits of different models may run on different threads at once,
 * two audits of one model only when candor_model_is_reentrant() says so
 * (candor/models.h). Within an audit `threads` sets the parallel parts;
 * the results never depend on it.
 */
#ifndef CANDOR_AUDIT_H
#define CANDOR_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candor/common.h"
#include "candor/datasets.h"
#include "candor/fairness.h"
#include "candor/models.h"
#include "candor/report.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Options of candor_audit_run() and candor_audit_doc_from_fairness().
 * Start from ::CANDOR_AUDIT_OPTIONS_INIT (or candor_audit_options_init());
 * zero means the default for every field but `version`. Fields are only
 * ever added at the end, with a new version.
 */
typedef struct candor_audit_options {
	unsigned int version;          /**< CANDOR_AUDIT_OPTIONS_VERSION (1 is still read) */
	const char *label;             /**< required by candor_audit_run(): the true-outcome column */
	const char *const *sensitive;  /**< required by candor_audit_run(): the sensitive attribute columns */
	size_t nsensitive;             /**< >= 1 for candor_audit_run() */
	const char *favorable;         /**< favourable label value; NULL: "1" */
	/** The decision is probability >= threshold, a number in [0, 1].
	 *  0 without threshold_set: 0.5 (0 itself, every row favourable, needs
	 *  threshold_set: a zero must keep meaning "the default"). */
	double threshold;
	const candor_fairness_policy *policy; /**< NULL: no checks (verdict "pass") */
	/** Rows explained with SHAP, evenly spread; 0: 200 (an audit always
	 *  explains; candor_audit_doc_from_fairness() makes one without). */
	size_t explain_rows;
	/** Of those, rows also explained with LIME; 0: 3 (so an audit always
	 *  has at least one LIME row; there is no "none"). */
	size_t lime_rows;
	uint64_t seed;                 /**< seeds the background sample, KernelSHAP and LIME; 0 is a seed */
	int threads;                   /**< >= 0; 0: OpenMP's default; results never depend on it */
	/* the manifest (copied into the document) */
	const char *command_line;      /**< as typed, for the manifest; NULL: "" */
	const char *time;              /**< ISO 8601 UTC, e.g. "2026-11-27T09:30:00Z"; the caller's clock; NULL: "unknown" */
	const char *data_path;         /**< hashed with SHA-256; NULL: none */
	const char *data_note;         /**< data made in memory: how (no digest); NULL: none */
	const char *model_path;        /**< hashed; NULL: none */
	const char *model_text;        /**< an in-memory model: its text is hashed instead */
	const char *policy_path;       /**< hashed; NULL: none */
	/* version 2 */
	/** true: `threshold` as given, 0 included; false: 0 means 0.5. */
	bool threshold_set;
} candor_audit_options;

#define CANDOR_AUDIT_OPTIONS_VERSION 2
#define CANDOR_AUDIT_OPTIONS_INIT { .version = CANDOR_AUDIT_OPTIONS_VERSION }

/**
 * Fill `opts` with the defaults of `version` (all zero but the version),
 * for bindings that cannot use the INIT macro. CANDOR_EINVAL for NULL or a
 * version this library does not know.
 */
CANDOR_API candor_status candor_audit_options_init(candor_audit_options *opts,
                                                   unsigned int version);

/**
 * Audit `model` on `data`: predict every row (a margin goes through the
 * sigmoid; the decision is probability >= threshold), measure the fairness
 * of those decisions against `label` for each sensitive attribute with the
 * policy's checks, explain `explain_rows` rows (linear SHAP for linear and
 * logistic models, TreeSHAP for tree ensembles, KernelSHAP otherwise) and
 * `lime_rows` of them with LIME, find the features that drive the gap in
 * output between each group and its reference, and record the manifest.
 * The document is built in memory (its keys: docs/report.md).
 * Errors: CANDOR_EINVAL for a missing argument, an unknown options version,
 * a threshold outside [0, 1] or negative threads; CANDOR_ENOTFOUND when a
 * model feature, the label or a sensitive column is not in the data;
 * CANDOR_EUNSUPPORTED when a text or number is beyond what an audit
 * document holds (docs/report.md: a value beyond +-1e300, a text over
 * 32767 characters, a name over 256, text that is not UTF-8); the
 * fairness and explain modules' errors.
 */
CANDOR_API candor_status candor_audit_run(candor_audit_doc **out, const candor_table *data,
                                          candor_model *model, const candor_audit_options *opts);

/**
 * A fairness-only audit document from a fairness result, for callers that
 * have decisions but no model (`candor fairness --xlsx`): "fairness" is the
 * result's JSON tree (that of candor_fairness_result_json(), unchanged),
 * "verdict" its pass/fail, and there is no "explanations" member, so the
 * workbook, the PDF and the charts show the fairness parts only. The
 * manifest comes from the manifest fields of `opts` (command_line, time,
 * seed, threads, label, data_path or data_note, policy_path; the data and
 * policy files are hashed); its "rows" is the result's n, and it has no
 * "explained_rows" or "model_type". Without `opts->sensitive` the manifest
 * lists the result's attributes. The model, decision and explanation
 * fields of `opts` are ignored; NULL opts means all defaults (an empty
 * command line, time "unknown").
 * Errors: CANDOR_EINVAL (NULL result, unknown version, negative threads),
 * CANDOR_EIO when a file to hash cannot be read, CANDOR_EUNSUPPORTED as
 * for candor_audit_run(), CANDOR_ENOMEM.
 */
CANDOR_API candor_status candor_audit_doc_from_fairness(candor_audit_doc **out,
                                                        const candor_fairness_result *res,
                                                        const candor_audit_options *opts);

/**
 * SHA-256 of a file's bytes (nettle) as 64 lower-case hex digits and a NUL
 * in `out`, as the manifest records it. CANDOR_EIO when it cannot be read.
 */
CANDOR_API candor_status candor_sha256_file(char out[65], const char *path);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_AUDIT_H */
