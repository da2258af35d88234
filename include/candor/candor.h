/**
 * @file candor/candor.h
 * @brief The whole public API of libcandor: include this one header.
 */
#ifndef CANDOR_CANDOR_H
#define CANDOR_CANDOR_H

#include "candor/common.h"
#include "candor/datasets.h"
#include "candor/models.h"
#include "candor/fairness.h"
#include "candor/mitigate.h"
#include "candor/explain.h"
#include "candor/treeshap.h"
#include "candor/plugin.h"
#include "candor/report.h"
#include "candor/audit.h"

#endif
