/* spark-markdown-view.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-markdown-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "spark-markdown.h"
#include "spark-markdown-view.h"

/* The narrowest a text block asks to be, in characters. */
#define MIN_CHARS 20

typedef struct
{
  GtkWidget       *widget;
  GtkLabel        *label;
  GtkSourceBuffer *buffer;
  gboolean         code;
  int              tight;
  char            *content;
  char            *language;
} Block;

struct _SparkMarkdownView
{
  GtkWidget  parent_instance;

  GPtrArray *blocks;
  guint      n_updates;

  /* A streaming answer only grows, and its finished top-level blocks never
   * change: the text up to @stable_end (whose hash is @stable_hash) made
   * the first @stable_blocks blocks, and is not parsed again. */
  gsize      stable_end;
  guint      stable_hash;
  guint      stable_blocks;
  /* A raw HTML block may run past blank lines: no new split point. */
  gboolean   frozen;
  /* A link reference definition changes links anywhere: whole renders. */
  gboolean   whole;
};

G_DEFINE_FINAL_TYPE (SparkMarkdownView, spark_markdown_view, GTK_TYPE_WIDGET)

static void
block_free (Block *block)
{
  if (block->widget != NULL)
    gtk_widget_unparent (block->widget);
  g_free (block->content);
  g_free (block->language);
  g_free (block);
}

static void
update_scheme (GtkSourceBuffer *buffer)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (schemes, id);

  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (schemes,
                                                         adw_style_manager_get_dark (manager) ?
                                                         "classic-dark" : "classic");
  gtk_source_buffer_set_style_scheme (buffer, scheme);
}

static void
on_dark_changed (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 GtkSourceBuffer *buffer)
{
  update_scheme (buffer);
}

static GtkSourceLanguage *
find_language (const char *name)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  GtkSourceLanguage *language;
  g_autofree char *file_name = NULL;
  static const struct { const char *alias; const char *id; } aliases[] = {
    { "bash", "sh" }, { "shell", "sh" }, { "zsh", "sh" }, { "console", "sh" },
    { "py", "python3" }, { "python", "python3" }, { "js", "js" }, { "ts", "typescript" },
    { "rs", "rust" }, { "c++", "cpp" }, { "h", "c" }, { "yml", "yaml" }, { "md", "markdown" },
    { "patch", "diff" }, { "jsonl", "json" }, { "rb", "ruby" },
  };

  if (name == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      if (g_str_equal (name, aliases[i].alias) &&
          (language = gtk_source_language_manager_get_language (manager, aliases[i].id)))
        return language;
    }

  if ((language = gtk_source_language_manager_get_language (manager, name)))
    return language;

  /* "go", "toml", "meson"... as a file extension. */
  file_name = g_strconcat ("file.", name, NULL);
  return gtk_source_language_manager_guess_language (manager, file_name, NULL);
}

/* Links come from the model: open only web and mail links, and in the
 * person's browser, never through an arbitrary scheme handler. */
static gboolean
on_activate_link (GtkLabel   *label,
                  const char *uri,
                  gpointer    user_data)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (label));

  if (scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 &&
       g_ascii_strcasecmp (scheme, "https") != 0 &&
       g_ascii_strcasecmp (scheme, "mailto") != 0))
    {
      g_debug ("Not opening a link with scheme %s", scheme ? scheme : "(none)");
      return TRUE;
    }

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);

    gtk_uri_launcher_launch (launcher, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                             NULL, NULL, NULL);
  }
#else
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
#endif

  return TRUE;
}

static void
on_copy_clicked (GtkButton     *button,
                 GtkTextBuffer *buffer)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
}

static gboolean
on_copy_query_tooltip (GtkWidget  *copy,
                       int         x,
                       int         y,
                       gboolean    keyboard_mode,
                       GtkTooltip *tooltip,
                       gpointer    user_data)
{
  /* translators: tooltip of the button that copies a code block of the chat */
  gtk_tooltip_set_text (tooltip, _("Copy"));
  return TRUE;
}

static Block *
block_new (SparkMarkdownView        *self,
           const SparkMarkdownBlock *source)
{
  Block *block = g_new0 (Block, 1);

  block->code = source->code;

  if (!source->code)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      /* A wrapping label without width-chars finds its minimum width by
       * laying its text out at width 0, a character a line: a millisecond
       * for a 150-character paragraph, each frame the paragraph grows (GTK
       * measures the width before every height). At MIN_CHARS a line it
       * takes a fifth of that; the label fills the row either way. */
      gtk_label_set_width_chars (GTK_LABEL (label), MIN_CHARS);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_widget_set_halign (label, GTK_ALIGN_FILL);
      gtk_widget_set_focusable (label, FALSE);
      gtk_widget_add_css_class (label, "spark-markdown-text");
      g_signal_connect (label, "activate-link", G_CALLBACK (on_activate_link), NULL);
      block->label = GTK_LABEL (label);
      block->widget = label;
    }
  else
    {
      GtkWidget *scroller = gtk_scrolled_window_new ();
      GtkWidget *overlay;
      GtkWidget *copy;
      GtkWidget *view;

      block->buffer = gtk_source_buffer_new (NULL);
      gtk_source_buffer_set_highlight_matching_brackets (block->buffer, FALSE);
      update_scheme (block->buffer);
      g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                               G_CALLBACK (on_dark_changed), block->buffer, 0);

      view = gtk_source_view_new_with_buffer (block->buffer);
      g_object_unref (block->buffer);
      gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
      gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
      gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
      gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_NONE);
      gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
      gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
      gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 10);
      gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 10);
      gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                      /* translators: accessible name of a code block in the chat */
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Code"),
                                      -1);

      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                      GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
      gtk_widget_add_css_class (scroller, "spark-code-block");
      gtk_widget_set_overflow (scroller, GTK_OVERFLOW_HIDDEN);

      overlay = gtk_overlay_new ();
      gtk_overlay_set_child (GTK_OVERLAY (overlay), scroller);
      copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
      gtk_widget_set_halign (copy, GTK_ALIGN_END);
      gtk_widget_set_valign (copy, GTK_ALIGN_START);
      gtk_widget_set_margin_top (copy, 4);
      gtk_widget_set_margin_end (copy, 4);
      gtk_widget_add_css_class (copy, "flat");
      gtk_widget_add_css_class (copy, "spark-code-copy");
      /* Not gtk_widget_set_tooltip_text(): GTK 4.8 then asks the X server
       * where the pointer is, two round trips for each code block the
       * streaming answer opens. */
      gtk_widget_set_has_tooltip (copy, TRUE);
      g_signal_connect (copy, "query-tooltip", G_CALLBACK (on_copy_query_tooltip), NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (copy),
                                      /* translators: accessible name of the button that copies a code block */
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy Code"),
                                      -1);
      g_signal_connect_object (copy, "clicked", G_CALLBACK (on_copy_clicked), block->buffer, 0);
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), copy);
      block->widget = overlay;
    }

  block->tight = -1;
  gtk_widget_set_parent (block->widget, GTK_WIDGET (self));

  return block;
}

static void
block_update (SparkMarkdownView        *self,
              Block                    *block,
              const SparkMarkdownBlock *source,
              gboolean                  first)
{
  int tight = first ? 2 : !!source->tight;

  /* Blocks stand apart; the items of a tight list stay close. */
  if (block->tight != tight)
    {
      block->tight = tight;
      gtk_widget_set_margin_top (block->widget, tight == 2 ? 0 : tight ? 3 : 10);
    }

  if (!block->code)
    {
      if (g_strcmp0 (block->content, source->content) == 0)
        return;

      gtk_label_set_markup (block->label, source->content);
      g_free (block->content);
      block->content = g_strdup (source->content);
      self->n_updates++;
      return;
    }

  if (g_strcmp0 (block->language, source->language) != 0)
    {
      g_free (block->language);
      block->language = g_strdup (source->language);
      gtk_source_buffer_set_language (block->buffer, find_language (source->language));
    }

  if (g_strcmp0 (block->content, source->content) == 0)
    return;

  if (block->content != NULL && g_str_has_prefix (source->content, block->content))
    {
      GtkTextIter end;
      gsize have = strlen (block->content);

      /* Streaming code grows at the end: insert only what is new. */
      gtk_text_buffer_get_end_iter (GTK_TEXT_BUFFER (block->buffer), &end);
      gtk_text_buffer_insert (GTK_TEXT_BUFFER (block->buffer), &end,
                              source->content + have, -1);
    }
  else
    gtk_text_buffer_set_text (GTK_TEXT_BUFFER (block->buffer), source->content, -1);

  g_free (block->content);
  block->content = g_strdup (source->content);
  self->n_updates++;
}

static guint
hash_text (const char *text,
           gsize       length)
{
  guint hash = 5381;

  for (gsize i = 0; i < length; i++)
    hash = hash * 33 + (guchar) text[i];

  return hash;
}

/* The start of the line at @line past up to three spaces of indentation. */
static const char *
skip_indent (const char *line,
             const char *end)
{
  for (guint i = 0; i < 3 && line < end && *line == ' '; i++)
    line++;
  return line;
}

/* The length of the run of ` or ~ opening @line (3 or more), or 0. */
static gsize
fence_length (const char *line,
              const char *end)
{
  const char *p = line;

  if (p >= end || (*p != '`' && *p != '~'))
    return 0;
  while (p < end && *p == *line)
    p++;

  return p - line >= 3 ? (gsize) (p - line) : 0;
}

/* The last offset in (@start, @length] where a new top-level block starts
 * that nothing before it can change and that nothing after it can join: a
 * line after an empty line, outside any code fence, starting with a letter
 * or "#" (no list item, quote, indented code or setext underline continues
 * across that). Returns @start when there is none. Sets self->frozen at raw
 * HTML (its blocks may run past empty lines) and self->whole at a link
 * reference definition (it changes links before it too). */
static gsize
find_split (SparkMarkdownView *self,
            const char        *text,
            gsize              start,
            gsize              length)
{
  const char *end = text + length;
  const char *line = text + start;
  char fence = 0;
  gsize fence_len = 0, split = start;

  while (line < end)
    {
      const char *eol = memchr (line, '\n', end - line);
      const char *first = skip_indent (line, eol ? eol : end);
      gsize run;

      /* Only whole lines count: the last one may still grow. */
      if (eol == NULL)
        break;

      run = fence_length (first, eol);
      if (fence != 0)
        {
          const char *rest = first + run;

          while (rest < eol && (*rest == ' ' || *rest == '\t' || *rest == '\r'))
            rest++;
          /* A closing fence is as long at least, and has nothing after it. */
          if (run >= fence_len && *first == fence && rest == eol)
            fence = 0;
        }
      else if (run > 0 && (*first == '~' || memchr (first + run, '`', eol - first - run) == NULL))
        {
          fence = *first;
          fence_len = run;
        }
      else if (first < eol && *first == '[')
        self->whole = TRUE;
      else if (first < eol && *first == '<')
        self->frozen = TRUE;
      else if (!self->frozen && line - text >= (gssize) start + 2 && line[-1] == '\n' &&
               line[-2] == '\n' && first == line && (g_ascii_isalpha (*line) || *line == '#'))
        split = line - text;

      line = eol + 1;
    }

  return split;
}

/* Shows @sources as the blocks from @index on; returns the index after them. */
static guint
show_blocks (SparkMarkdownView *self,
             GPtrArray         *sources,
             guint              index)
{
  for (guint i = 0; i < sources->len; i++, index++)
    {
      const SparkMarkdownBlock *source = g_ptr_array_index (sources, i);
      Block *block = index < self->blocks->len ? g_ptr_array_index (self->blocks, index) : NULL;

      if (block != NULL && block->code != source->code)
        {
          /* A different kind of block from here on: rebuild the rest. */
          g_ptr_array_set_size (self->blocks, index);
          block = NULL;
        }

      if (block == NULL)
        {
          block = block_new (self, source);
          g_ptr_array_add (self->blocks, block);
        }

      block_update (self, block, source, index == 0);
    }

  return index;
}

void
spark_markdown_view_set_markdown (SparkMarkdownView *self,
                                  const char        *text,
                                  gssize             length)
{
  g_autoptr(GPtrArray) sources = NULL;
  gsize start, split;
  guint index;

  g_return_if_fail (SPARK_IS_MARKDOWN_VIEW (self));

  if (text == NULL)
    text = "";
  if (length < 0)
    length = strlen (text);

  /* The same text, grown: parse only what follows its finished blocks. */
  if (self->stable_end > 0 && (gsize) length >= self->stable_end &&
      hash_text (text, self->stable_end) == self->stable_hash)
    {
      start = self->stable_end;
      index = self->stable_blocks;
    }
  else
    {
      start = self->stable_end = 0;
      index = self->stable_blocks = 0;
      self->frozen = self->whole = FALSE;
    }

  split = find_split (self, text, start, length);
  if (self->whole)
    {
      start = split = self->stable_end = 0;
      index = self->stable_blocks = 0;
    }

  if (split > start)
    {
      sources = spark_markdown_render (text + start, split - start);
      index = show_blocks (self, sources, index);
      g_clear_pointer (&sources, g_ptr_array_unref);

      self->stable_end = split;
      self->stable_hash = hash_text (text, split);
      self->stable_blocks = index;
      start = split;
    }

  sources = spark_markdown_render (text + start, length - start);
  index = show_blocks (self, sources, index);

  if (self->blocks->len > index)
    g_ptr_array_set_size (self->blocks, index);
}

guint
spark_markdown_view_get_n_updates (SparkMarkdownView *self)
{
  g_return_val_if_fail (SPARK_IS_MARKDOWN_VIEW (self), 0);
  return self->n_updates;
}

GtkWidget *
spark_markdown_view_new (void)
{
  return g_object_new (SPARK_TYPE_MARKDOWN_VIEW, NULL);
}

static void
spark_markdown_view_dispose (GObject *object)
{
  SparkMarkdownView *self = (SparkMarkdownView *) object;

  g_clear_pointer (&self->blocks, g_ptr_array_unref);

  G_OBJECT_CLASS (spark_markdown_view_parent_class)->dispose (object);
}

static void
spark_markdown_view_class_init (SparkMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_markdown_view_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "markdownview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
spark_markdown_view_init (SparkMarkdownView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  self->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
}
