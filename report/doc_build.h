/*
 * doc_build.h - how the audit module (audit/) hands report/ a document it
 * built in memory (not installed). report/ owns the document type; audit/
 * builds its json-c tree and nothing is written out and read back.
 */
#ifndef CANDOR_REPORT_DOC_BUILD_H
#define CANDOR_REPORT_DOC_BUILD_H

#include <json-c/json.h>

#include "candor/report.h"

/* Wrap `root` (taken, whatever happens) as a document. The builder
 * guarantees what candor_audit_doc_parse() checks of a text: "kind" is
 * "candor-audit", "fairness" an object with "groups", "verdict" "pass" or
 * "fail" (else CANDOR_EINTERNAL), and the bounds of docs/report.md. */
candor_status candor__doc_adopt(candor_audit_doc **out, json_object *root);

#endif
