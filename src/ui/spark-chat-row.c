/* spark-chat-row.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-chat-row"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <adwaita.h>

#include "spark-chat-row.h"
#include "spark-markdown-view.h"

/* How much of a tool's output the row shows; the model got all of it. */
#define MAX_OUTPUT_BYTES (16 * 1024)
/* How much of the text goes into the accessible label. */
#define LABEL_CHARS 80

struct _SparkChatRow
{
  GtkWidget            parent_instance;

  SparkTranscriptItem *item;
  int                  kind;          /* of the children built, -1 for none */
  guint                revision;      /* of the item last shown */
  char                *accessible_label;

  GtkWidget           *clamp;
  GtkWidget           *content;
  /* Depending on the kind: */
  GtkLabel            *label;         /* user, error, notice text; tool summary */
  GtkLabel            *title;         /* reasoning: Thinking… / Thought for a moment */
  GtkLabel            *output;        /* tool output */
  GtkExpander         *expander;
  GtkSpinner          *spinner;
  GtkWidget           *review;        /* apply_patch: "Review" */
  GtkImage            *icon;
  SparkMarkdownView   *markdown;
};

G_DEFINE_FINAL_TYPE (SparkChatRow, spark_chat_row, GTK_TYPE_WIDGET)

enum {
  REVIEW,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_review_clicked (GtkButton    *button,
                   SparkChatRow *self)
{
  g_signal_emit (self, signals[REVIEW], 0);
}

/* The whole summary when the title cuts it short. Asked for when shown:
 * setting a tooltip asks the X server where the pointer is, a round trip in
 * each frame while a streaming patch changes its summary. */
static gboolean
on_summary_query_tooltip (GtkWidget    *label,
                          int           x,
                          int           y,
                          gboolean      keyboard_mode,
                          GtkTooltip   *tooltip,
                          SparkChatRow *self)
{
  const char *summary = self->item ? spark_transcript_item_get_summary (self->item) : NULL;

  if (summary == NULL || summary[0] == '\0')
    return FALSE;

  gtk_tooltip_set_text (tooltip, summary);
  return TRUE;
}

static GtkWidget *
new_label (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_focusable (label, FALSE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);

  return label;
}

static void
clear_children (SparkChatRow *self)
{
  adw_clamp_set_child (ADW_CLAMP (self->clamp), NULL);
  self->content = NULL;
  self->label = NULL;
  self->title = NULL;
  self->output = NULL;
  self->expander = NULL;
  self->spinner = NULL;
  self->review = NULL;
  self->icon = NULL;
  self->markdown = NULL;
  self->kind = -1;
}

static void
build_children (SparkChatRow        *self,
                SparkTranscriptKind  kind)
{
  GtkWidget *box;
  GtkWidget *header;

  clear_children (self);
  self->kind = kind;

  switch (kind)
    {
    case SPARK_TRANSCRIPT_KIND_USER:
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      gtk_widget_set_halign (box, GTK_ALIGN_END);
      gtk_widget_add_css_class (box, "spark-chat-user");
      self->label = GTK_LABEL (new_label (NULL));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->label));
      self->content = box;
      break;

    case SPARK_TRANSCRIPT_KIND_ASSISTANT:
      self->markdown = SPARK_MARKDOWN_VIEW (spark_markdown_view_new ());
      gtk_widget_add_css_class (GTK_WIDGET (self->markdown), "spark-chat-assistant");
      self->content = GTK_WIDGET (self->markdown);
      break;

    case SPARK_TRANSCRIPT_KIND_REASONING:
      self->expander = GTK_EXPANDER (gtk_expander_new (NULL));
      self->title = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_add_css_class (GTK_WIDGET (self->title), "dim-label");
      gtk_expander_set_label_widget (self->expander, GTK_WIDGET (self->title));
      self->markdown = SPARK_MARKDOWN_VIEW (spark_markdown_view_new ());
      gtk_widget_add_css_class (GTK_WIDGET (self->markdown), "dim-label");
      gtk_widget_set_margin_top (GTK_WIDGET (self->markdown), 6);
      gtk_expander_set_child (self->expander, GTK_WIDGET (self->markdown));
      gtk_widget_add_css_class (GTK_WIDGET (self->expander), "spark-chat-reasoning");
      self->content = GTK_WIDGET (self->expander);
      break;

    case SPARK_TRANSCRIPT_KIND_TOOL_CALL:
      self->expander = GTK_EXPANDER (gtk_expander_new (NULL));
      header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      self->icon = GTK_IMAGE (gtk_image_new_from_icon_name ("utilities-terminal-symbolic"));
      gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->icon));
      self->label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_ellipsize (self->label, PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (self->label, 0.0);
      gtk_widget_add_css_class (GTK_WIDGET (self->label), "monospace");
      gtk_widget_set_has_tooltip (GTK_WIDGET (self->label), TRUE);
      g_signal_connect (self->label, "query-tooltip", G_CALLBACK (on_summary_query_tooltip), self);
      gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->label));
      self->spinner = GTK_SPINNER (gtk_spinner_new ());
      gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->spinner));
      /* translators: on a chat row of a proposed patch: show it in the review pane */
      self->review = gtk_button_new_with_label (_("Review"));
      gtk_widget_add_css_class (self->review, "flat");
      gtk_widget_add_css_class (self->review, "spark-tool-review");
      gtk_widget_set_valign (self->review, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->review),
                                      /* translators: accessible name of the button that shows a patch in the review pane */
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Review Patch"),
                                      -1);
      g_signal_connect (self->review, "clicked", G_CALLBACK (on_review_clicked), self);
      gtk_box_append (GTK_BOX (header), self->review);
      gtk_expander_set_label_widget (self->expander, header);
      self->output = GTK_LABEL (new_label ("monospace"));
      gtk_label_set_wrap_mode (self->output, PANGO_WRAP_CHAR);
      gtk_widget_add_css_class (GTK_WIDGET (self->output), "spark-tool-output");
      gtk_expander_set_child (self->expander, GTK_WIDGET (self->output));
      gtk_widget_add_css_class (GTK_WIDGET (self->expander), "spark-chat-tool");
      self->content = GTK_WIDGET (self->expander);
      break;

    case SPARK_TRANSCRIPT_KIND_ERROR:
      /* The label alone, no icon beside it: GTK 4.8 measures a wrapping
       * label next to an icon inconsistently (a critical in debug runs). */
      self->label = GTK_LABEL (new_label ("spark-chat-error"));
      gtk_widget_add_css_class (GTK_WIDGET (self->label), "error");
      self->content = GTK_WIDGET (self->label);
      break;

    case SPARK_TRANSCRIPT_KIND_NOTICE:
    default:
      self->label = GTK_LABEL (new_label ("dim-label"));
      gtk_label_set_xalign (self->label, 0.5);
      gtk_label_set_justify (self->label, GTK_JUSTIFY_CENTER);
      gtk_widget_add_css_class (GTK_WIDGET (self->label), "spark-chat-notice");
      self->content = GTK_WIDGET (self->label);
      break;
    }

  adw_clamp_set_child (ADW_CLAMP (self->clamp), self->content);
}

static const char *
role_name (SparkTranscriptKind kind)
{
  switch (kind)
    {
    case SPARK_TRANSCRIPT_KIND_USER:
      /* translators: accessible name of a chat row, before its text: "You: fix the build" */
      return _("You");
    case SPARK_TRANSCRIPT_KIND_ASSISTANT:
      /* translators: accessible name of a chat row written by the model */
      return _("Assistant");
    case SPARK_TRANSCRIPT_KIND_REASONING:
      /* translators: accessible name of a chat row with the model's reasoning summary */
      return _("Reasoning");
    case SPARK_TRANSCRIPT_KIND_TOOL_CALL:
      /* translators: accessible name of a chat row for a tool the model ran: "Tool call: read_file a.c" */
      return _("Tool call");
    case SPARK_TRANSCRIPT_KIND_ERROR:
      /* translators: accessible name of a chat row with an error */
      return _("Error");
    case SPARK_TRANSCRIPT_KIND_NOTICE:
    default:
      /* translators: accessible name of a chat row with a short notice ("Stopped") */
      return _("Notice");
    }
}

static void
update_accessible_label (SparkChatRow *self)
{
  SparkTranscriptKind kind = spark_transcript_item_get_kind (self->item);
  const char *text;
  g_autofree char *start = NULL;
  g_autofree char *label = NULL;
  const char *end;
  glong n_chars = 0;

  if (kind == SPARK_TRANSCRIPT_KIND_TOOL_CALL)
    text = spark_transcript_item_get_summary (self->item);
  else
    text = spark_transcript_item_get_text (self->item);
  if (text == NULL)
    text = "";

  /* Only the start of the text: walk at most LABEL_CHARS characters, so a
   * long streaming answer costs nothing here. */
  for (end = text; *end != '\0' && n_chars < LABEL_CHARS; end = g_utf8_next_char (end))
    n_chars++;
  start = g_strndup (text, end - text);
  g_strdelimit (start, "\n\r\t", ' ');
  g_strstrip (start);

  if (start[0] == '\0' && kind == SPARK_TRANSCRIPT_KIND_REASONING)
    label = g_strdup (role_name (kind));
  else
    {
      g_autofree char *shown = g_strconcat (start, *end != '\0' ? "…" : "", NULL);

      /* translators: accessible name of a chat message: who speaks ("You",
       * "Assistant"…), then the start of what they said */
      label = g_strdup_printf (_("%1$s: %2$s"), role_name (kind), shown);
    }

  if (g_strcmp0 (label, self->accessible_label) == 0)
    return;

  g_free (self->accessible_label);
  self->accessible_label = g_steal_pointer (&label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->accessible_label,
                                  -1);
}

static void
update_tool_call (SparkChatRow *self)
{
  const char *summary = spark_transcript_item_get_summary (self->item);
  const char *output = spark_transcript_item_get_output (self->item);
  gboolean streaming = spark_transcript_item_get_streaming (self->item);
  gboolean success = spark_transcript_item_get_success (self->item);
  const char *name = spark_transcript_item_get_name (self->item);
  const char *icon;

  gtk_label_set_text (self->label, summary ? summary : name ? name : "");
  gtk_spinner_set_spinning (self->spinner, streaming);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), streaming);
  gtk_widget_set_visible (self->review, g_strcmp0 (name, "apply_patch") == 0);

  if (g_strcmp0 (name, "apply_patch") == 0)
    icon = "document-edit-symbolic";
  else if (g_strcmp0 (name, "grep") == 0)
    icon = "system-search-symbolic";
  else if (g_strcmp0 (name, "read_file") == 0 || g_strcmp0 (name, "list_dir") == 0)
    icon = "folder-documents-symbolic";
  else
    icon = "utilities-terminal-symbolic";
  if (!success)
    icon = "dialog-warning-symbolic";
  gtk_image_set_from_icon_name (self->icon, icon);

  if (success)
    gtk_widget_remove_css_class (GTK_WIDGET (self->expander), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->expander), "error");

  /* What unfolds: the tool's output, or while a patch waits for its
   * output, the patch itself. */
  if ((output == NULL || output[0] == '\0') && g_strcmp0 (name, "apply_patch") == 0)
    output = spark_transcript_item_get_text (self->item);

  if (output != NULL && output[0] != '\0')
    {
      gsize length = strlen (output);

      if (length > MAX_OUTPUT_BYTES)
        {
          const char *cut = g_utf8_find_prev_char (output, output + MAX_OUTPUT_BYTES);
          g_autofree char *shown = g_strndup (output, cut ? cut - output : MAX_OUTPUT_BYTES);
          /* translators: after the start of a long tool output in the chat */
          g_autofree char *text = g_strconcat (shown, "\n", _("[…output cut]"), NULL);

          gtk_label_set_text (self->output, text);
        }
      else
        {
          g_autofree char *shown = g_strdup (output);

          /* No empty last line under the output. */
          gtk_label_set_text (self->output, g_strchomp (shown));
        }
    }
  else
    gtk_label_set_text (self->output, "");

  /* Nothing to unfold yet: no empty box under the row (the expander stays
   * sensitive for the Review button in its title). */
  gtk_widget_set_visible (GTK_WIDGET (self->output), output != NULL && output[0] != '\0');
}

gboolean
spark_chat_row_update (SparkChatRow *self)
{
  SparkTranscriptKind kind;
  guint revision;

  g_return_val_if_fail (SPARK_IS_CHAT_ROW (self), FALSE);

  if (self->item == NULL)
    return FALSE;

  revision = spark_transcript_item_get_revision (self->item);
  kind = spark_transcript_item_get_kind (self->item);
  if ((int) kind == self->kind && revision == self->revision && self->accessible_label != NULL)
    return FALSE;

  if ((int) kind != self->kind)
    build_children (self, kind);
  self->revision = revision;

  switch (kind)
    {
    case SPARK_TRANSCRIPT_KIND_ASSISTANT:
      spark_markdown_view_set_markdown (self->markdown,
                                        spark_transcript_item_get_text (self->item),
                                        spark_transcript_item_get_length (self->item));
      break;

    case SPARK_TRANSCRIPT_KIND_REASONING:
      gtk_label_set_text (self->title,
                          spark_transcript_item_get_streaming (self->item) ?
                          /* translators: the model is reasoning; its summary folds away */
                          _("Thinking…") :
                          /* translators: the model finished reasoning; click to read the summary */
                          _("Thought for a moment"));
      spark_markdown_view_set_markdown (self->markdown,
                                        spark_transcript_item_get_text (self->item),
                                        spark_transcript_item_get_length (self->item));
      break;

    case SPARK_TRANSCRIPT_KIND_TOOL_CALL:
      update_tool_call (self);
      break;

    case SPARK_TRANSCRIPT_KIND_USER:
    case SPARK_TRANSCRIPT_KIND_ERROR:
    case SPARK_TRANSCRIPT_KIND_NOTICE:
    default:
      gtk_label_set_text (self->label, spark_transcript_item_get_text (self->item));
      break;
    }

  update_accessible_label (self);

  return TRUE;
}

SparkTranscriptItem *
spark_chat_row_get_item (SparkChatRow *self)
{
  g_return_val_if_fail (SPARK_IS_CHAT_ROW (self), NULL);
  return self->item;
}

void
spark_chat_row_set_item (SparkChatRow        *self,
                         SparkTranscriptItem *item)
{
  g_return_if_fail (SPARK_IS_CHAT_ROW (self));
  g_return_if_fail (!item || SPARK_IS_TRANSCRIPT_ITEM (item));

  if (!g_set_object (&self->item, item))
    return;

  g_clear_pointer (&self->accessible_label, g_free);
  if (item == NULL)
    return;

  /* A recycled row of another kind starts over; the same kind keeps its
   * widgets and only has its content replaced. */
  if ((int) spark_transcript_item_get_kind (item) != self->kind)
    build_children (self, spark_transcript_item_get_kind (item));
  else if (self->expander != NULL)
    gtk_expander_set_expanded (self->expander, FALSE);
  self->revision = G_MAXUINT;

  spark_chat_row_update (self);
}

GtkWidget *
spark_chat_row_new (void)
{
  return g_object_new (SPARK_TYPE_CHAT_ROW, NULL);
}

static void
spark_chat_row_dispose (GObject *object)
{
  SparkChatRow *self = (SparkChatRow *) object;

  g_clear_pointer (&self->clamp, gtk_widget_unparent);
  g_clear_object (&self->item);
  g_clear_pointer (&self->accessible_label, g_free);

  G_OBJECT_CLASS (spark_chat_row_parent_class)->dispose (object);
}

static void
spark_chat_row_class_init (SparkChatRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_chat_row_dispose;

  /* The "Review" button of an apply_patch row was clicked. */
  signals[REVIEW] =
    g_signal_new ("review", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
spark_chat_row_init (SparkChatRow *self)
{
  self->kind = -1;
  self->clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (self->clamp), 820);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (self->clamp), 600);
  gtk_widget_set_parent (self->clamp, GTK_WIDGET (self));
}
