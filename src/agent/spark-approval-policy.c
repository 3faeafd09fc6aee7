/* spark-approval-policy.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-approval-policy"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-agent-enums.h"
#include "spark-approval-policy.h"

struct _SparkApprovalPolicy
{
  GObject           parent_instance;
  SparkApprovalMode mode;
};

G_DEFINE_FINAL_TYPE (SparkApprovalPolicy, spark_approval_policy, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODE,
  N_PROPS
};

enum {
  REVIEW,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
spark_approval_policy_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  SparkApprovalPolicy *self = SPARK_APPROVAL_POLICY (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_approval_policy_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  SparkApprovalPolicy *self = SPARK_APPROVAL_POLICY (object);

  switch (prop_id)
    {
    case PROP_MODE:
      spark_approval_policy_set_mode (self, g_value_get_enum (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_approval_policy_class_init (SparkApprovalPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = spark_approval_policy_get_property;
  object_class->set_property = spark_approval_policy_set_property;

  /* What happens to calls nobody reviews: none rejects every call that
   * changes something, edits approves apply_patch, all approves shell too. */
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL,
                       SPARK_TYPE_APPROVAL_MODE, SPARK_APPROVAL_MODE_NONE,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkApprovalPolicy::review:
   * @call: a #SparkToolCall that needs a decision
   *
   * A handler that returns %TRUE takes the call and must later call
   * spark_tool_call_approve(), spark_tool_call_edit() or
   * spark_tool_call_reject() on it (from any main-loop iteration).
   * Unhandled calls are decided by #SparkApprovalPolicy:mode.
   *
   * Returns: %TRUE if the handler will decide
   */
  signals[REVIEW] =
    g_signal_new ("review",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, SPARK_TYPE_TOOL_CALL);
}

static void
spark_approval_policy_init (SparkApprovalPolicy *self)
{
}

SparkApprovalPolicy *
spark_approval_policy_new (SparkApprovalMode mode)
{
  return g_object_new (SPARK_TYPE_APPROVAL_POLICY, "mode", mode, NULL);
}

SparkApprovalMode
spark_approval_policy_get_mode (SparkApprovalPolicy *self)
{
  g_return_val_if_fail (SPARK_IS_APPROVAL_POLICY (self), SPARK_APPROVAL_MODE_NONE);

  return self->mode;
}

void
spark_approval_policy_set_mode (SparkApprovalPolicy *self,
                                SparkApprovalMode    mode)
{
  g_return_if_fail (SPARK_IS_APPROVAL_POLICY (self));

  if (self->mode != mode)
    {
      self->mode = mode;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
    }
}

void
spark_approval_policy_review (SparkApprovalPolicy *self,
                              SparkToolCall       *call)
{
  gboolean handled = FALSE;

  g_return_if_fail (SPARK_IS_APPROVAL_POLICY (self));
  g_return_if_fail (SPARK_IS_TOOL_CALL (call));

  g_signal_emit (self, signals[REVIEW], 0, call, &handled);
  if (handled)
    return;

  if (self->mode == SPARK_APPROVAL_MODE_ALL)
    spark_tool_call_approve (call);
  else if (self->mode == SPARK_APPROVAL_MODE_EDITS && spark_tool_call_is_patch (call))
    spark_tool_call_approve (call);
  else if (spark_tool_call_is_patch (call))
    {
      /* The reason is the model's (English); the person reads theirs. */
      _spark_tool_call_set_error_message (call, _("Not applied: edits need approval and none "
                                                  "was given"));
      spark_tool_call_reject (call, "Not applied: edits need approval and none was given");
    }
  else
    {
      _spark_tool_call_set_error_message (call, _("Not run: commands need approval and none "
                                                  "was given"));
      spark_tool_call_reject (call, "Not run: commands need approval and none was given");
    }
}
