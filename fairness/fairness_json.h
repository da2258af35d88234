/*
 * fairness_json.h - the fairness result as a json-c tree (not installed).
 *
 * One builder of the tree (json.c): candor_fairness_result_json()
 * serialises it for the fairness JSON file, and the audit (audit/) puts the
 * same tree into its document as "fairness", so the two never disagree.
 */
#ifndef CANDOR_FAIRNESS_JSON_H
#define CANDOR_FAIRNESS_JSON_H

#include <json-c/json.h>

#include "candor/fairness.h"

/* The result's tree, DESIGN.md's "Fairness JSON" keys; the caller owns it
 * (json_object_put). Every number is the object json-c gives when it reads
 * back the number's shortest text (an int when the text has no '.' or
 * exponent, so -0 is 0), which makes the serialised tree and a tree read
 * from that text the same, member for member. CANDOR_ENOMEM, or
 * CANDOR_EINVAL for a NULL argument. */
candor_status candor__fairness_result_tree(const candor_fairness_result *result,
                                           json_object **out);

#endif
