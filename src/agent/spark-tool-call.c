/* spark-tool-call.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-tool-call"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-agent-enums.h"
#include "spark-responses.h"
#include "spark-tool-call.h"

/* Pulls the value of "input" out of a JSON object while it streams, so a patch
 * sent as a JSON function ({"input":"*** Begin Patch\n..."}) can be shown as it
 * arrives. Handles escapes split across deltas. */
typedef enum
{
  SCAN_SEEK_KEY,
  SCAN_IN_KEY,
  SCAN_SEEK_COLON,
  SCAN_SEEK_VALUE,
  SCAN_SEEK_OTHER_VALUE,
  SCAN_IN_VALUE,
  SCAN_DONE,
} ScanState;

struct _SparkToolCall
{
  GObject            parent_instance;

  SparkToolCallKind  kind;
  char              *item_id;
  char              *call_id;
  char              *name;
  GString           *input;
  GString           *patch_text;
  char              *reason;
  char              *error_message;
  SparkDecision      decision;
  gsize              oversize;

  /* JSON "input" scanner state */
  ScanState          scan;
  GString           *key;
  GString           *escape;
  gunichar           high_surrogate;
  guint              in_escape : 1;
  guint              in_other_string : 1;
  guint              complete : 1;
  guint              is_patch : 1;     /* named apply_patch: asked for every delta */
};

G_DEFINE_FINAL_TYPE (SparkToolCall, spark_tool_call, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_ITEM_ID,
  PROP_CALL_ID,
  PROP_NAME,
  PROP_DECISION,
  N_PROPS
};

enum {
  PATCH_DELTA,
  DECIDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
append_unichar (GString  *out,
                gunichar  c)
{
  g_string_append_unichar (out, g_unichar_validate (c) ? c : 0xFFFD);
}

static void
scan_json_input (SparkToolCall *self,
                 const char    *delta,
                 GString       *out)
{
  for (const char *p = delta; *p != '\0' && self->scan != SCAN_DONE; p++)
    {
      char c = *p;

      switch (self->scan)
        {
        case SCAN_SEEK_KEY:
          if (self->in_other_string)
            {
              if (self->in_escape)
                self->in_escape = FALSE;
              else if (c == '\\')
                self->in_escape = TRUE;
              else if (c == '"')
                self->in_other_string = FALSE;
            }
          else if (c == '"')
            {
              self->scan = SCAN_IN_KEY;
              g_string_truncate (self->key, 0);
            }
          break;

        case SCAN_IN_KEY:
          if (c == '"')
            self->scan = SCAN_SEEK_COLON;
          else
            g_string_append_c (self->key, c);
          break;

        case SCAN_SEEK_COLON:
          if (c == ':')
            {
              if (strcmp (self->key->str, "input") == 0)
                self->scan = SCAN_SEEK_VALUE;
              else
                self->scan = SCAN_SEEK_OTHER_VALUE;
            }
          else if (c == ',' || c == '}')
            {
              self->scan = SCAN_SEEK_KEY;
            }
          break;

        case SCAN_SEEK_OTHER_VALUE:
          /* A string value of another key: skip it, escapes included. */
          if (c == '"')
            {
              self->in_other_string = TRUE;
              self->scan = SCAN_SEEK_KEY;
            }
          else if (!g_ascii_isspace (c))
            self->scan = SCAN_SEEK_KEY;
          break;

        case SCAN_SEEK_VALUE:
          if (c == '"')
            self->scan = SCAN_IN_VALUE;
          else if (!g_ascii_isspace (c))
            self->scan = SCAN_SEEK_KEY;
          break;

        case SCAN_IN_VALUE:
          if (self->in_escape)
            {
              if (self->escape->len > 0 || c == 'u')
                {
                  g_string_append_c (self->escape, c);
                  if (self->escape->len == 5)
                    {
                      gunichar u = g_ascii_strtoull (self->escape->str + 1, NULL, 16);

                      g_string_truncate (self->escape, 0);
                      self->in_escape = FALSE;
                      if (u >= 0xD800 && u < 0xDC00)
                        self->high_surrogate = u;
                      else if (u >= 0xDC00 && u < 0xE000 && self->high_surrogate)
                        {
                          append_unichar (out, 0x10000 + ((self->high_surrogate - 0xD800) << 10) + (u - 0xDC00));
                          self->high_surrogate = 0;
                        }
                      else if (u != 0)
                        append_unichar (out, u);
                      /* A NUL is dropped here, and the whole patch refused
                       * when it is handed off (spark_json_has_nul_escape()). */
                    }
                  break;
                }

              self->in_escape = FALSE;
              switch (c)
                {
                case 'n': g_string_append_c (out, '\n'); break;
                case 't': g_string_append_c (out, '\t'); break;
                case 'r': g_string_append_c (out, '\r'); break;
                case 'b': g_string_append_c (out, '\b'); break;
                case 'f': g_string_append_c (out, '\f'); break;
                default: g_string_append_c (out, c); break;
                }
            }
          else if (c == '\\')
            self->in_escape = TRUE;
          else if (c == '"')
            self->scan = SCAN_DONE;
          else
            g_string_append_c (out, c);
          break;

        case SCAN_DONE:
        default:
          break;
        }
    }
}

static void
spark_tool_call_finalize (GObject *object)
{
  SparkToolCall *self = (SparkToolCall *)object;

  g_clear_pointer (&self->item_id, g_free);
  g_clear_pointer (&self->call_id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->reason, g_free);
  g_clear_pointer (&self->error_message, g_free);
  g_string_free (self->input, TRUE);
  g_string_free (self->patch_text, TRUE);
  g_string_free (self->key, TRUE);
  g_string_free (self->escape, TRUE);

  G_OBJECT_CLASS (spark_tool_call_parent_class)->finalize (object);
}

static void
spark_tool_call_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SparkToolCall *self = SPARK_TOOL_CALL (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_ITEM_ID:
      g_value_set_string (value, self->item_id);
      break;

    case PROP_CALL_ID:
      g_value_set_string (value, self->call_id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_DECISION:
      g_value_set_enum (value, self->decision);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_tool_call_class_init (SparkToolCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_tool_call_finalize;
  object_class->get_property = spark_tool_call_get_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       SPARK_TYPE_TOOL_CALL_KIND, SPARK_TOOL_CALL_FUNCTION,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ITEM_ID] =
    g_param_spec_string ("item-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CALL_ID] =
    g_param_spec_string ("call-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_DECISION] =
    g_param_spec_enum ("decision", NULL, NULL,
                       SPARK_TYPE_DECISION, SPARK_DECISION_PENDING,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkToolCall::patch-delta:
   * @text: newly decoded patch text
   *
   * For apply_patch calls: emitted as patch text arrives, already unwrapped
   * from the JSON of the function form. Feed it to the incremental parser.
   */
  signals[PATCH_DELTA] =
    g_signal_new ("patch-delta",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, g_cclosure_marshal_VOID__STRING,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[PATCH_DELTA], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__STRINGv);

  /**
   * SparkToolCall::decided:
   *
   * Emitted once, when the call is approved, edited or rejected.
   */
  signals[DECIDED] =
    g_signal_new ("decided",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
spark_tool_call_init (SparkToolCall *self)
{
  self->input = g_string_new (NULL);
  self->patch_text = g_string_new (NULL);
  self->key = g_string_new (NULL);
  self->escape = g_string_new (NULL);
}

SparkToolCall *
spark_tool_call_new (SparkToolCallKind  kind,
                     const char        *item_id,
                     const char        *call_id,
                     const char        *name)
{
  SparkToolCall *self = g_object_new (SPARK_TYPE_TOOL_CALL, NULL);

  self->kind = kind;
  self->item_id = g_strdup (item_id);
  self->call_id = g_strdup (call_id);
  self->name = g_strdup (kind == SPARK_TOOL_CALL_HOSTED_PATCH ? "apply_patch" : name);
  self->is_patch = g_strcmp0 (self->name, "apply_patch") == 0;

  return self;
}

SparkToolCallKind
spark_tool_call_get_kind (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), 0);
  return self->kind;
}

const char *
spark_tool_call_get_item_id (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), NULL);
  return self->item_id;
}

const char *
spark_tool_call_get_call_id (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), NULL);
  return self->call_id;
}

const char *
spark_tool_call_get_name (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), NULL);
  return self->name;
}

const char *
spark_tool_call_get_input (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), NULL);
  return self->input->str;
}

const char *
spark_tool_call_get_patch_text (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), NULL);
  return self->patch_text->str;
}

gboolean
spark_tool_call_is_patch (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), FALSE);
  return self->is_patch;
}

gboolean
spark_tool_call_is_complete (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), FALSE);
  return self->complete;
}

SparkDecision
spark_tool_call_get_decision (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), SPARK_DECISION_PENDING);
  return self->decision;
}

const char *
spark_tool_call_get_reason (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), NULL);
  return self->reason;
}

const char *
spark_tool_call_get_error_message (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), NULL);
  return self->error_message;
}

void
_spark_tool_call_set_error_message (SparkToolCall *self,
                                    const char    *message)
{
  g_return_if_fail (SPARK_IS_TOOL_CALL (self));

  g_free (self->error_message);
  self->error_message = g_strdup (message);
}

static void
decide (SparkToolCall *self,
        SparkDecision  decision,
        const char    *reason)
{
  if (self->decision != SPARK_DECISION_PENDING)
    {
      g_critical ("Tool call %s was already decided", self->call_id);
      return;
    }

  self->decision = decision;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DECISION]);
  g_signal_emit (self, signals[DECIDED], 0);
}

void
spark_tool_call_approve (SparkToolCall *self)
{
  g_return_if_fail (SPARK_IS_TOOL_CALL (self));
  decide (self, SPARK_DECISION_APPROVED, NULL);
}

void
spark_tool_call_reject (SparkToolCall *self,
                        const char    *reason)
{
  g_return_if_fail (SPARK_IS_TOOL_CALL (self));
  decide (self, SPARK_DECISION_REJECTED, reason ? reason : "Rejected by the user");
}

void
spark_tool_call_edit (SparkToolCall *self,
                      const char    *patch_text)
{
  g_return_if_fail (SPARK_IS_TOOL_CALL (self));
  g_return_if_fail (patch_text != NULL);

  g_string_assign (self->patch_text, patch_text);
  decide (self, SPARK_DECISION_APPROVED, "Edited by the user before applying");
}

JsonObject *
spark_tool_call_dup_arguments (SparkToolCall  *self,
                               GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonObject *args;
  const char *text;

  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), NULL);

  text = self->input->len > 0 ? self->input->str : "{}";
  if (!(args = spark_json_parse_object (text, self->input->len > 0 ? (gssize) self->input->len : -1,
                                        &local_error)))
    {
      /* translators: %1$s is a tool's name, %2$s the JSON parser's message */
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                   _("The arguments of %1$s are not a JSON object (%2$s)"), self->name,
                   local_error->message);
      return NULL;
    }

  return args;
}

void
_spark_tool_call_append_delta (SparkToolCall *self,
                               const char    *delta)
{
  g_autoptr(GString) decoded = NULL;

  g_return_if_fail (SPARK_IS_TOOL_CALL (self));

  if (delta == NULL || delta[0] == '\0')
    return;

  /* A patch past the limit is neither kept nor shown: only counted. */
  if (spark_tool_call_is_patch (self) &&
      (self->oversize > 0 || self->input->len + strlen (delta) > SPARK_MAX_PATCH_SIZE))
    {
      self->oversize = MAX (self->oversize, self->input->len) + strlen (delta);
      return;
    }

  g_string_append (self->input, delta);

  if (!spark_tool_call_is_patch (self))
    return;

  if (self->kind == SPARK_TOOL_CALL_CUSTOM)
    {
      g_string_append (self->patch_text, delta);
      g_signal_emit (self, signals[PATCH_DELTA], 0, delta);
      return;
    }

  decoded = g_string_new (NULL);
  scan_json_input (self, delta, decoded);
  if (decoded->len > 0)
    {
      g_string_append (self->patch_text, decoded->str);
      g_signal_emit (self, signals[PATCH_DELTA], 0, decoded->str);
    }
}

static char *
patch_from_operation (JsonObject *operation)
{
  const char *type = spark_json_get_string (operation, "type");
  const char *path = spark_json_get_string (operation, "path");
  const char *diff = spark_json_get_string (operation, "diff");
  GString *str;

  if (path == NULL)
    return NULL;

  str = g_string_new ("*** Begin Patch\n");
  if (g_strcmp0 (type, "create_file") == 0)
    {
      g_auto(GStrv) lines = g_strsplit (diff ? diff : "", "\n", -1);
      guint n = g_strv_length (lines);

      g_string_append_printf (str, "*** Add File: %s\n", path);
      /* V4A create diffs are "+" lines; tolerate bare content too. */
      if (n > 0 && lines[n - 1][0] == '\0')
        n--;
      for (guint i = 0; i < n; i++)
        g_string_append_printf (str, "%s%s\n", lines[i][0] == '+' ? "" : "+", lines[i]);
    }
  else if (g_strcmp0 (type, "update_file") == 0)
    {
      g_string_append_printf (str, "*** Update File: %s\n", path);
      if (diff != NULL)
        {
          g_string_append (str, diff);
          if (!g_str_has_suffix (diff, "\n"))
            g_string_append_c (str, '\n');
        }
    }
  else if (g_strcmp0 (type, "delete_file") == 0)
    {
      g_string_append_printf (str, "*** Delete File: %s\n", path);
    }
  else
    {
      g_string_free (str, TRUE);
      return NULL;
    }
  g_string_append (str, "*** End Patch\n");

  return g_string_free (str, FALSE);
}

void
_spark_tool_call_complete (SparkToolCall *self,
                           JsonObject    *item)
{
  const char *full = NULL;

  g_return_if_fail (SPARK_IS_TOOL_CALL (self));

  self->complete = TRUE;

  switch (self->kind)
    {
    case SPARK_TOOL_CALL_FUNCTION:
      full = spark_json_get_string (item, "arguments");
      break;

    case SPARK_TOOL_CALL_CUSTOM:
      full = spark_json_get_string (item, "input");
      break;

    case SPARK_TOOL_CALL_HOSTED_PATCH:
      {
        JsonObject *operation = spark_json_get_object (item, "operation");
        g_autofree char *patch = NULL;
        g_autofree char *text = operation ? spark_responses_to_string (operation) : NULL;

        if (text != NULL && strlen (text) > SPARK_MAX_PATCH_SIZE)
          {
            self->oversize = strlen (text);
            return;
          }
        patch = operation ? patch_from_operation (operation) : NULL;

        g_string_assign (self->input, text ? text : "");
        if (patch != NULL && self->patch_text->len == 0)
          {
            g_string_assign (self->patch_text, patch);
            g_signal_emit (self, signals[PATCH_DELTA], 0, patch);
          }
        return;
      }

    default:
      g_assert_not_reached ();
    }

  if (full != NULL && spark_tool_call_is_patch (self) && strlen (full) > SPARK_MAX_PATCH_SIZE)
    {
      self->oversize = strlen (full);
      return;
    }

  /* The done item is authoritative: deltas may have been lost or absent. */
  if (full != NULL && strcmp (full, self->input->str) != 0)
    {
      if (g_str_has_prefix (full, self->input->str))
        _spark_tool_call_append_delta (self, full + self->input->len);
      else
        {
          g_string_truncate (self->input, 0);
          g_string_truncate (self->patch_text, 0);
          self->scan = SCAN_SEEK_KEY;
          self->in_escape = self->in_other_string = FALSE;
          _spark_tool_call_append_delta (self, full);
        }
    }
}

gsize
spark_tool_call_get_oversize (SparkToolCall *self)
{
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (self), 0);

  return self->oversize;
}
