/*
 * audit_int.h - the audit module's private helpers, shared by its files
 * (not installed).
 *
 *   audit.c     the pipeline: predictions, fairness, explanations, the
 *               document's tree
 *   manifest.c  the reproducibility manifest and file digests
 *   check.c     the bounds of an audit document, checked on the built tree
 */
#ifndef CANDOR_AUDIT_INT_H
#define CANDOR_AUDIT_INT_H

#include <json-c/json.h>

#include "candor/audit.h"
#include "core/core_int.h"

/* The manifest of an audit of `nrows` rows with `nexpl` of them explained.
 * `model` is NULL for a fairness-only document (decisions read from the
 * data): then "explained_rows" and "model_type" are left out, and so is the
 * model file. */
candor_status candor__audit_manifest(json_object **out, const candor_audit_options *o,
                                     size_t nrows, size_t nexpl, const candor_model *model);

/* Check a built document's tree against the bounds a reader of audit.json
 * holds it to (docs/report.md, report/doc.c): every text valid UTF-8 of at
 * most 32767 characters, every key of at most 256, every number within
 * +-1e300. CANDOR_EUNSUPPORTED naming the member otherwise. (The domains of
 * counts, shares and p-values hold by construction.) */
candor_status candor__audit_check(json_object *root);

#endif
