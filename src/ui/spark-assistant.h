/* spark-assistant.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-changeset.h"
#include "spark-project.h"
#include "spark-session.h"

G_BEGIN_DECLS

typedef enum
{
  SPARK_COMMAND_DENY,
  SPARK_COMMAND_RUN,
  SPARK_COMMAND_RUN_ALWAYS,
} SparkCommandDecision;

#define SPARK_TYPE_ASSISTANT (spark_assistant_get_type ())

G_DECLARE_FINAL_TYPE (SparkAssistant, spark_assistant, SPARK, ASSISTANT, GObject)

SparkAssistant *spark_assistant_new             (SparkProject   *project,
                                                 GSettings      *settings);
SparkSession   *spark_assistant_get_session     (SparkAssistant *self);
const char     *spark_assistant_get_notice      (SparkAssistant *self);
gboolean        spark_assistant_get_ready       (SparkAssistant *self);
gboolean        spark_assistant_get_busy        (SparkAssistant *self);
SparkChangeset *spark_assistant_get_changeset   (SparkAssistant *self);
gboolean        spark_assistant_get_awaiting_approval (SparkAssistant *self);
gboolean        spark_assistant_get_streaming   (SparkAssistant *self);
gboolean        spark_assistant_get_salvaged    (SparkAssistant *self);
const char * const *spark_assistant_get_models  (SparkAssistant *self);
gboolean        spark_assistant_send            (SparkAssistant *self,
                                                 const char     *prompt,
                                                 GError        **error);
gboolean        spark_assistant_steer           (SparkAssistant *self,
                                                 const char     *text,
                                                 GError        **error);
void            spark_assistant_queue           (SparkAssistant *self,
                                                 const char     *text);
void            spark_assistant_stop            (SparkAssistant *self);
gboolean        spark_assistant_apply           (SparkAssistant *self,
                                                 GError        **error);
void            spark_assistant_reject          (SparkAssistant *self,
                                                 const char     *reason);
void            spark_assistant_decide_command  (SparkAssistant *self,
                                                 SparkToolCall  *call,
                                                 SparkCommandDecision decision);

G_END_DECLS
