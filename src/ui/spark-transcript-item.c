/* spark-transcript-item.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-transcript-item"

#include "config.h"

#include "spark-transcript-item-private.h"

struct _SparkTranscriptItem
{
  GObject              parent_instance;

  SparkTranscriptKind  kind;
  /* Inline: one allocation less per item. Doubles while it streams; a
   * finished item's buffer is cut to its text (fit_text). */
  GString              text;
  char                *item_id;
  char                *call_id;
  char                *name;
  char                *summary;
  char                *output;
  guint                revision;
  guint                success : 1;
  guint                streaming : 1;
};

G_DEFINE_FINAL_TYPE (SparkTranscriptItem, spark_transcript_item, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (SparkTranscriptKind, spark_transcript_kind,
                    G_DEFINE_ENUM_VALUE (SPARK_TRANSCRIPT_KIND_USER, "user"),
                    G_DEFINE_ENUM_VALUE (SPARK_TRANSCRIPT_KIND_ASSISTANT, "assistant"),
                    G_DEFINE_ENUM_VALUE (SPARK_TRANSCRIPT_KIND_REASONING, "reasoning"),
                    G_DEFINE_ENUM_VALUE (SPARK_TRANSCRIPT_KIND_TOOL_CALL, "tool-call"),
                    G_DEFINE_ENUM_VALUE (SPARK_TRANSCRIPT_KIND_ERROR, "error"),
                    G_DEFINE_ENUM_VALUE (SPARK_TRANSCRIPT_KIND_NOTICE, "notice"))

enum {
  PROP_0,
  PROP_CALL_ID,
  PROP_ITEM_ID,
  PROP_KIND,
  PROP_NAME,
  PROP_OUTPUT,
  PROP_REVISION,
  PROP_STREAMING,
  PROP_SUCCESS,
  PROP_SUMMARY,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* The conversation's text is most of what a long session holds: a buffer
 * left at the doubling's next power of two would add up to half of it. */
static void
fit_text (SparkTranscriptItem *self)
{
  if (self->text.allocated_len > self->text.len + 1)
    {
      self->text.str = g_realloc (self->text.str, self->text.len + 1);
      self->text.allocated_len = self->text.len + 1;
    }
}

static void
spark_transcript_item_finalize (GObject *object)
{
  SparkTranscriptItem *self = (SparkTranscriptItem *) object;

  g_free (self->text.str);
  g_clear_pointer (&self->item_id, g_free);
  g_clear_pointer (&self->call_id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->output, g_free);

  G_OBJECT_CLASS (spark_transcript_item_parent_class)->finalize (object);
}

static void
spark_transcript_item_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  SparkTranscriptItem *self = SPARK_TRANSCRIPT_ITEM (object);

  switch (prop_id)
    {
    case PROP_CALL_ID:
      g_value_set_string (value, self->call_id);
      break;

    case PROP_ITEM_ID:
      g_value_set_string (value, self->item_id);
      break;

    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_OUTPUT:
      g_value_set_string (value, self->output);
      break;

    case PROP_REVISION:
      g_value_set_uint (value, self->revision);
      break;

    case PROP_STREAMING:
      g_value_set_boolean (value, self->streaming);
      break;

    case PROP_SUCCESS:
      g_value_set_boolean (value, self->success);
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;

    case PROP_TEXT:
      g_value_set_string (value, self->text.str);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_transcript_item_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  SparkTranscriptItem *self = SPARK_TRANSCRIPT_ITEM (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;

    case PROP_TEXT:
      g_string_assign (&self->text, g_value_get_string (value) ?: "");
      fit_text (self);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_transcript_item_class_init (SparkTranscriptItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_transcript_item_finalize;
  object_class->get_property = spark_transcript_item_get_property;
  object_class->set_property = spark_transcript_item_set_property;

  properties[PROP_CALL_ID] =
    g_param_spec_string ("call-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ITEM_ID] =
    g_param_spec_string ("item-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       SPARK_TYPE_TRANSCRIPT_KIND, SPARK_TRANSCRIPT_KIND_NOTICE,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_OUTPUT] =
    g_param_spec_string ("output", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Not notified: read it when SparkTranscript::item-changed fires. */
  properties[PROP_REVISION] =
    g_param_spec_uint ("revision", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STREAMING] =
    g_param_spec_boolean ("streaming", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SUCCESS] =
    g_param_spec_boolean ("success", NULL, NULL, TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Not notified per delta either (see the header). */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spark_transcript_item_init (SparkTranscriptItem *self)
{
  self->text.str = g_malloc0 (1);
  self->text.allocated_len = 1;
  self->success = TRUE;
}

SparkTranscriptItem *
spark_transcript_item_new (SparkTranscriptKind  kind,
                           const char          *text)
{
  return g_object_new (SPARK_TYPE_TRANSCRIPT_ITEM,
                       "kind", kind,
                       "text", text,
                       NULL);
}

SparkTranscriptKind
spark_transcript_item_get_kind (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), SPARK_TRANSCRIPT_KIND_NOTICE);
  return self->kind;
}

const char *
spark_transcript_item_get_text (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), NULL);
  return self->text.str;
}

gsize
spark_transcript_item_get_length (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), 0);
  return self->text.len;
}

const char *
spark_transcript_item_get_item_id (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), NULL);
  return self->item_id;
}

const char *
spark_transcript_item_get_call_id (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), NULL);
  return self->call_id;
}

const char *
spark_transcript_item_get_name (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), NULL);
  return self->name;
}

const char *
spark_transcript_item_get_summary (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), NULL);
  return self->summary;
}

const char *
spark_transcript_item_get_output (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), NULL);
  return self->output;
}

gboolean
spark_transcript_item_get_success (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), FALSE);
  return self->success;
}

gboolean
spark_transcript_item_get_streaming (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), FALSE);
  return self->streaming;
}

guint
spark_transcript_item_get_revision (SparkTranscriptItem *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT_ITEM (self), 0);
  return self->revision;
}

void
_spark_transcript_item_append_text (SparkTranscriptItem *self,
                                    const char          *text,
                                    gssize               length)
{
  g_assert (SPARK_IS_TRANSCRIPT_ITEM (self));

  g_string_append_len (&self->text, text, length);
  self->revision++;
}

void
_spark_transcript_item_set_text (SparkTranscriptItem *self,
                                 const char          *text)
{
  g_assert (SPARK_IS_TRANSCRIPT_ITEM (self));

  g_string_assign (&self->text, text ?: "");
  if (!self->streaming)
    fit_text (self);
  self->revision++;
}

void
_spark_transcript_item_set_ids (SparkTranscriptItem *self,
                                const char          *item_id,
                                const char          *call_id)
{
  g_assert (SPARK_IS_TRANSCRIPT_ITEM (self));

  if (replace_string (&self->item_id, item_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM_ID]);
  if (replace_string (&self->call_id, call_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL_ID]);
}

void
_spark_transcript_item_set_name (SparkTranscriptItem *self,
                                 const char          *name)
{
  g_assert (SPARK_IS_TRANSCRIPT_ITEM (self));

  if (replace_string (&self->name, name))
    {
      self->revision++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }
}

void
_spark_transcript_item_set_summary (SparkTranscriptItem *self,
                                    const char          *summary)
{
  g_assert (SPARK_IS_TRANSCRIPT_ITEM (self));

  if (replace_string (&self->summary, summary))
    {
      self->revision++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
    }
}

void
_spark_transcript_item_set_output (SparkTranscriptItem *self,
                                   const char          *output,
                                   gboolean             success)
{
  g_assert (SPARK_IS_TRANSCRIPT_ITEM (self));

  success = !!success;
  if (replace_string (&self->output, output))
    {
      self->revision++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTPUT]);
    }
  if (self->success != success)
    {
      self->success = success;
      self->revision++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUCCESS]);
    }
}

void
_spark_transcript_item_set_streaming (SparkTranscriptItem *self,
                                      gboolean             streaming)
{
  g_assert (SPARK_IS_TRANSCRIPT_ITEM (self));

  streaming = !!streaming;
  if (self->streaming != streaming)
    {
      self->streaming = streaming;
      if (!streaming)
        fit_text (self);
      self->revision++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
    }
}
