/* spark-approval-policy.h — who decides whether a tool call may run.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-tool-call.h"

G_BEGIN_DECLS

#define SPARK_TYPE_APPROVAL_POLICY (spark_approval_policy_get_type ())

G_DECLARE_FINAL_TYPE (SparkApprovalPolicy, spark_approval_policy, SPARK, APPROVAL_POLICY, GObject)

SparkApprovalPolicy *spark_approval_policy_new      (SparkApprovalMode    mode);
SparkApprovalMode    spark_approval_policy_get_mode (SparkApprovalPolicy *self);
void                 spark_approval_policy_set_mode (SparkApprovalPolicy *self,
                                                     SparkApprovalMode    mode);
void                 spark_approval_policy_review   (SparkApprovalPolicy *self,
                                                     SparkToolCall       *call);

G_END_DECLS
