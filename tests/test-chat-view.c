/* test-chat-view.c — the chat pane under Xvfb: a fast Markdown stream drawn
 * once a frame, code blocks in source views, links, reasoning and tool rows,
 * the message box keys, Stop, accessible labels; screenshots on the way.
 *
 * GTK 4.8 has no public API to synthesize key presses, so the keys go through
 * spark_chat_view_handle_key(), the function the message box's key
 * controller calls, and the buttons through their actions.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "spark-chat-row.h"
#include "spark-fake-server.h"
#include "spark-chat-view.h"
#include "spark-markdown.h"
#include "spark-markdown-view.h"
#include "spark-project.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"

#define N_DELTAS 5000
#define DELTAS_PER_SECOND 5000

static gboolean
has_label (GtkWidget  *widget,
           const char *label)
{
  g_autofree char *error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                               GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                               label);
  if (error != NULL)
    g_test_message ("accessible label: %s", error);
  return error == NULL;
}

static GtkWidget *
find_by_label (GtkWidget  *root,
               GType       type,
               const char *label)
{
  g_autoptr(GPtrArray) all = spark_test_find_all (root, type);

  for (guint i = 0; i < all->len; i++)
    {
      if (has_label (all->pdata[i], label))
        return all->pdata[i];
    }

  return NULL;
}

static SparkChatRow *
row_for (GtkWidget           *view,
         SparkTranscriptItem *item)
{
  g_autoptr(GPtrArray) rows = spark_test_find_all (view, SPARK_TYPE_CHAT_ROW);

  for (guint i = 0; i < rows->len; i++)
    {
      if (spark_chat_row_get_item (rows->pdata[i]) == item)
        return rows->pdata[i];
    }

  return NULL;
}

static GtkWindow *
show_view (SparkChatView **view_out,
           int             width,
           int             height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *view = spark_chat_view_new ();

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, view);
  gtk_window_present (window);
  SPARK_TEST_WAIT_UNTIL (gtk_widget_get_mapped (view));
  spark_test_spin (100);

  *view_out = SPARK_CHAT_VIEW (view);
  return window;
}

/* Markdown */

static void
test_markdown_render (void)
{
  g_autoptr(GPtrArray) blocks = NULL;
  g_autoptr(GRegex) links = g_regex_new ("</?a[^>]*>", 0, 0, NULL);
  SparkMarkdownBlock *b;

  blocks = spark_markdown_render ("# Title\n\nSome *emph*, **strong**, `a<b>` & "
                                  "[a link](https://example.com/?a=1&b=2).\n\n"
                                  "- one\n- two\n  1. inner\n\n"
                                  "```c\nint x = 1 < 2;\n```\n\n"
                                  "<div>raw</div>\n\n> quoted\n", -1);
  g_assert_cmpuint (blocks->len, ==, 7);

  b = blocks->pdata[0];
  g_assert_false (b->code);
  g_assert_cmpstr (b->content, ==, "<span weight=\"bold\" size=\"xx-large\">Title</span>");

  b = blocks->pdata[1];
  g_assert_cmpstr (b->content, ==,
                   "Some <i>emph</i>, <b>strong</b>, <span font_family=\"monospace\" "
                   "background=\"#808080\" bgalpha=\"18%\">a&lt;b&gt;</span> &amp; "
                   "<a href=\"https://example.com/?a=1&amp;b=2\">a link</a>.");

  /* One label per item of a top-level list, close together. */
  b = blocks->pdata[2];
  g_assert_cmpstr (b->content, ==, "•  one");
  g_assert_false (b->tight);
  b = blocks->pdata[3];
  g_assert_cmpstr (b->content, ==, "•  two\n   1. inner");
  g_assert_true (b->tight);

  b = blocks->pdata[4];
  g_assert_true (b->code);
  g_assert_false (b->tight);
  g_assert_cmpstr (b->language, ==, "c");
  g_assert_cmpstr (b->content, ==, "int x = 1 < 2;");

  b = blocks->pdata[5];
  g_assert_cmpstr (b->content, ==, "&lt;div&gt;raw&lt;/div&gt;");

  b = blocks->pdata[6];
  g_assert_true (g_str_has_suffix (b->content, "quoted"));

  /* Every markup block parses (<a> is GtkLabel's, not Pango's). */
  for (guint i = 0; i < blocks->len; i++)
    {
      g_autofree char *plain = NULL;

      b = blocks->pdata[i];
      if (b->code)
        continue;
      plain = g_regex_replace (links, b->content, -1, 0, "", 0, NULL);
      g_assert_true (pango_parse_markup (plain, -1, 0, NULL, NULL, NULL, NULL));
    }

  /* An unfinished fence is a code block already. */
  g_clear_pointer (&blocks, g_ptr_array_unref);
  blocks = spark_markdown_render ("Look:\n\n```python\ndef f():\n    pass", -1);
  g_assert_cmpuint (blocks->len, ==, 2);
  b = blocks->pdata[1];
  g_assert_true (b->code);
  g_assert_cmpstr (b->language, ==, "python");
  g_assert_cmpstr (b->content, ==, "def f():\n    pass");
}

/* The streamed answer: a heading, a list, a C block and a link. */
static char *
make_answer (void)
{
  GString *s = g_string_new ("## Fixing the build\n\n"
                             "The linker fails because `util.c` is *not* in the sources. "
                             "Here is what changes:\n\n"
                             "1. Add **util.c** to `ui_sources`.\n"
                             "2. Declare `util ()` in a header.\n"
                             "3. Rebuild with `ninja -C build`.\n\n"
                             "```c\n"
                             "#include <stdio.h>\n"
                             "\n"
                             "int\n"
                             "util (void)\n"
                             "{\n"
                             "  return printf (\"%d\\n\", 42) > 0;\n"
                             "}\n"
                             "```\n\n"
                             "See the [meson manual](https://mesonbuild.com/Reference-manual.html) "
                             "for `files()`.\n\n");

  /* Paragraphs and lists up to a long answer. */
  for (guint i = 0; s->len < 24000; i++)
    {
      if (i % 4 == 0)
        g_string_append_printf (s, "\nStep %u checks the **whole** tree again, so nothing "
                                   "that built before breaks now; the log stays short.\n\n", i);
      g_string_append_printf (s, "- Point %u: the change keeps *every* caller working, "
                                 "and `make test` still passes on the %u-th try.\n", i, i);
    }

  g_string_append (s, "\nThat is all.");
  return g_string_free (s, FALSE);
}

static guint n_ticks;

static gboolean
count_ticks (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  gint64 *last = data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (*last != 0)
    last[1] = MAX (last[1], now - *last);
  *last = now;
  n_ticks++;
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  GPtrArray *sent;
  GPtrArray *steered;
  GPtrArray *queued;
  guint      stops;
} Emitted;

static void
on_send (SparkChatView *view,
         const char    *text,
         Emitted       *e)
{
  g_ptr_array_add (e->sent, g_strdup (text));
}

static void
on_steer (SparkChatView *view,
          const char    *text,
          Emitted       *e)
{
  g_ptr_array_add (e->steered, g_strdup (text));
}

static void
on_queue (SparkChatView *view,
          const char    *text,
          Emitted       *e)
{
  g_ptr_array_add (e->queued, g_strdup (text));
}

static void
on_review (SparkChatView  *view,
           const char     *call_id,
           char          **reviewed)
{
  g_free (*reviewed);
  *reviewed = g_strdup (call_id);
}

static void
on_stop (SparkChatView *view,
         Emitted       *e)
{
  e->stops++;
}

/* What a markdown view shows, block by block, as spark_markdown_render()
 * gives it: the markup of a text block, the text of a code block. */
static void
assert_view_shows (SparkMarkdownView *view,
                   const char        *text,
                   gsize              length)
{
  g_autoptr(GPtrArray) blocks = spark_markdown_render (text, length);
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));

  for (guint i = 0; i < blocks->len; i++, child = gtk_widget_get_next_sibling (child))
    {
      SparkMarkdownBlock *b = blocks->pdata[i];
      int margin = i == 0 ? 0 : b->tight ? 3 : 10;

      g_assert_nonnull (child);
      g_assert_cmpint (gtk_widget_get_margin_top (child), ==, margin);
      if (b->code)
        {
          g_autoptr(GPtrArray) sources = spark_test_find_all (child, GTK_SOURCE_TYPE_VIEW);
          GtkTextBuffer *buffer;
          GtkTextIter start, end;
          g_autofree char *shown = NULL;

          g_assert_cmpuint (sources->len, ==, 1);
          buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (sources->pdata[0]));
          gtk_text_buffer_get_bounds (buffer, &start, &end);
          shown = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
          g_assert_cmpstr (shown, ==, b->content);
        }
      else
        {
          g_assert_true (GTK_IS_LABEL (child));
          g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child)), ==, b->content);
        }
    }
  g_assert_null (child);
}

/* A streaming answer is parsed from its last finished block on: what it
 * shows after each delta is what the whole text parsed at once gives, for
 * the constructs that could tie a block to what comes after it. */
static void
test_markdown_incremental (void)
{
  const char *text =
    "# Title\n\nA paragraph\nwith a second line.\n\n"
    "Setext heading\n===\n\n"
    "- loose\n\n- list\n\n  continued item\n\nAfter the list.\n\n"
    "1. one\n2. two\n\nthen text.\n\n"
    "- tight\n- until\n\n- a gap makes it loose\n\nText.\n\n"
    "```c\nint x;\n\nnot a paragraph\n\n# not a heading\n```\n\n"
    "````md\n```python\n\ninside\n```\n\nstill inside\n````\n\n"
    "~~~\n\nin tildes\n~~~\n\n"
    "> quote\n\nout of it.\n\n"
    "<!--\n\nhidden\n\n-->\n\nvisible\n\n"
    "See [the ref][r] now.\n\n"
    "More text.\n\n"
    "[r]: https://example.org/ref\n\nThe end.\n";
  g_autoptr(GtkWidget) view = g_object_ref_sink (spark_markdown_view_new ());
  g_autoptr(GtkWidget) other = g_object_ref_sink (spark_markdown_view_new ());
  gsize length = strlen (text);

  /* Three bytes a delta, then seven (other splits), checked at each. */
  for (gsize n = 1; n <= length; n = MIN (n + 3, length) + (n == length))
    {
      spark_markdown_view_set_markdown (SPARK_MARKDOWN_VIEW (view), text, n);
      assert_view_shows (SPARK_MARKDOWN_VIEW (view), text, n);
    }
  for (gsize n = 1; n <= length; n = MIN (n + 7, length) + (n == length))
    spark_markdown_view_set_markdown (SPARK_MARKDOWN_VIEW (other), text, n);
  assert_view_shows (SPARK_MARKDOWN_VIEW (other), text, length);

  /* Another text in the same view (a recycled row) starts over. */
  spark_markdown_view_set_markdown (SPARK_MARKDOWN_VIEW (view), "Other\n\nwords", -1);
  assert_view_shows (SPARK_MARKDOWN_VIEW (view), "Other\n\nwords", strlen ("Other\n\nwords"));
}

static void
test_stream (void)
{
  g_autoptr(SparkTranscript) transcript = spark_transcript_new ();
  g_autofree char *answer = make_answer ();
  g_autoptr(GPtrArray) views = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  SparkTranscriptItem *reasoning, *item, *call, *patch, *error, *notice;
  g_autofree char *reviewed = NULL;
  SparkChatView *view;
  GtkWindow *window;
  SparkChatRow *row;
  SparkMarkdownView *markdown;
  GtkSourceBuffer *code_buffer = NULL;
  gboolean link_found = FALSE;
  gsize length = strlen (answer);
  gsize step = length / N_DELTAS;
  gint64 start, ticks[2] = { 0, 0 };
  guint tick_id, renders, markdown_updates, deltas, n_frames;
  double seconds;
  GtkAdjustment *vadjustment;

  window = show_view (&view, 760, 900);
  spark_chat_view_set_models (view, (const char * const[]) { "gpt-5.3-codex-spark", "gpt-5", NULL });
  spark_chat_view_set_transcript (view, transcript);
  spark_chat_view_set_busy (view, TRUE);

  spark_transcript_append (transcript, SPARK_TRANSCRIPT_KIND_USER,
                           "The build fails with “undefined reference to util”. Can you fix it?");
  reasoning = spark_transcript_begin (transcript, SPARK_TRANSCRIPT_KIND_REASONING, "rs_1");
  spark_transcript_append_text (transcript, reasoning, "**Reading the build files**\n\n", -1);
  spark_transcript_append_text (transcript, reasoning, "The error names `util`, so the source list "
                                "must be missing a file.", -1);
  spark_test_spin (100);
  row = row_for (GTK_WIDGET (view), reasoning);
  g_assert_nonnull (row);
  g_assert_true (has_label (GTK_WIDGET (row), "Reasoning: **Reading the build files**  The error names `util`, so the source list must be…"));

  call = spark_transcript_begin_tool_call (transcript, "fc_1", "call_1", "grep");
  spark_transcript_set_streaming (transcript, reasoning, FALSE);
  spark_transcript_set_summary (transcript, call, "grep \"util\" — 3 matches");
  spark_transcript_set_output (transcript, call,
                               "src/meson.build:4:   'main.c',\nsrc/main.c:12:   util ();\n"
                               "src/util.c:1: int util (void)\n", TRUE);
  spark_transcript_set_streaming (transcript, call, FALSE);

  patch = spark_transcript_begin_tool_call (transcript, "ctc_1", "call_patch", "apply_patch");
  spark_transcript_append_text (transcript, patch, "*** Begin Patch\n*** Update File: src/meson.build\n", -1);
  spark_transcript_set_summary (transcript, patch, "apply_patch — 2 files, +10 −3");

  item = spark_transcript_begin (transcript, SPARK_TRANSCRIPT_KIND_ASSISTANT, "msg_1");

  tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (view), count_ticks, ticks, NULL);
  n_ticks = 0;
  renders = spark_chat_view_get_n_renders (view);

  /* 5,000 small deltas at 5,000 a second, the main loop running in between
   * as it would with the socket. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_DELTAS; i++)
    {
      gsize offset = i * step;
      gsize next = i + 1 == N_DELTAS ? length : offset + step;
      gint64 due = start + (gint64) i * G_USEC_PER_SEC / DELTAS_PER_SECOND;

      while (g_get_monotonic_time () < due)
        {
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (100);
        }
      spark_transcript_append_text (transcript, item, answer + offset, next - offset);

      if (i == N_DELTAS / 2)
        {
          spark_test_spin (50);
          spark_test_save_screenshot (GTK_WIDGET (window), "chat-mid-stream.png");
          /* The screenshot is not a frame: measure gaps from the next one. */
          ticks[0] = 0;
        }
    }
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  /* Frames while it streamed; what follows (new rows, the busy state) is
   * not part of the measure. */
  spark_test_spin (20);
  gtk_widget_remove_tick_callback (GTK_WIDGET (view), tick_id);
  n_frames = n_ticks;
  spark_transcript_set_streaming (transcript, item, FALSE);
  spark_chat_view_set_busy (view, FALSE);
  error = spark_transcript_append (transcript, SPARK_TRANSCRIPT_KIND_ERROR,
                                   "The server closed the connection (1011). Spark retried 3 times "
                                   "and gave up; check the endpoint in Preferences.");
  notice = spark_transcript_append (transcript, SPARK_TRANSCRIPT_KIND_NOTICE, "Stopped");
  spark_test_spin (300);

  deltas = spark_transcript_get_n_deltas (transcript);
  renders = spark_chat_view_get_n_renders (view) - renders;
  row = row_for (GTK_WIDGET (view), item);
  g_assert_nonnull (row);
  markdown = g_ptr_array_index ((views = spark_test_find_all (GTK_WIDGET (row), SPARK_TYPE_MARKDOWN_VIEW)), 0);
  markdown_updates = spark_markdown_view_get_n_updates (markdown);

  g_test_message ("%u deltas in %.2f s; %u frames (longest gap %.1f ms); "
                  "%u row renders; %u label/buffer updates in the answer",
                  deltas, seconds, n_frames, ticks[1] / 1000.0, renders, markdown_updates);
  g_print ("# coalescing: %u deltas in %.2f s -> %u frames, %u row renders, "
           "%u markdown label/buffer updates, longest frame gap %.1f ms\n",
           deltas, seconds, n_frames, renders, markdown_updates, ticks[1] / 1000.0);

  g_assert_cmpuint (deltas, >=, N_DELTAS);
  /* At most one render a frame (plus the rows added after the stream). */
  g_assert_cmpuint (renders, <=, n_frames + 8);
  g_assert_cmpuint (renders, <, deltas / 20);
  g_assert_cmpuint (markdown_updates, <, deltas / 10);

  /* The final text: the code in a source view with C highlighting, the link
   * in a label. */
  sources = spark_test_find_all (GTK_WIDGET (row), GTK_SOURCE_TYPE_VIEW);
  g_assert_cmpuint (sources->len, ==, 1);
  code_buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (sources->pdata[0]));
  {
    GtkTextIter s, e;
    g_autofree char *code = NULL;

    gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (code_buffer), &s, &e);
    code = gtk_text_buffer_get_text (GTK_TEXT_BUFFER (code_buffer), &s, &e, FALSE);
    g_assert_cmpstr (code, ==,
                     "#include <stdio.h>\n\nint\nutil (void)\n{\n  return printf (\"%d\\n\", 42) > 0;\n}");
    g_assert_nonnull (gtk_source_buffer_get_language (code_buffer));
    g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (code_buffer)), ==, "c");

    /* "Copy Code" puts the code on the clipboard. */
    {
      GtkWidget *copy = find_by_label (GTK_WIDGET (row), GTK_TYPE_BUTTON, "Copy Code");
      GdkContentProvider *content;
      g_auto(GValue) value = G_VALUE_INIT;

      g_assert_nonnull (copy);
      g_signal_emit_by_name (copy, "clicked");
      content = gdk_clipboard_get_content (gtk_widget_get_clipboard (copy));
      g_assert_nonnull (content);
      g_value_init (&value, G_TYPE_STRING);
      g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
      g_assert_cmpstr (g_value_get_string (&value), ==, code);
    }
  }

  labels = spark_test_find_all (GTK_WIDGET (row), GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    {
      const char *markup = gtk_label_get_label (labels->pdata[i]);

      if (strstr (markup, "<a href=\"https://mesonbuild.com/Reference-manual.html\">meson manual</a>"))
        {
          gboolean handled = FALSE;

          /* Links the model wrote only open in a browser: other schemes are
           * swallowed, not handed to whatever handles them. */
          g_signal_emit_by_name (labels->pdata[i], "activate-link", "file:///etc/passwd", &handled);
          g_assert_true (handled);
          link_found = TRUE;
        }
      if (i == 0)
        g_assert_cmpstr (markup, ==, "<span weight=\"bold\" size=\"x-large\">Fixing the build</span>");
    }
  g_assert_true (link_found);
  g_assert_true (g_str_has_suffix (gtk_label_get_label (labels->pdata[labels->len - 1]), "That is all."));
  g_assert_true (has_label (GTK_WIDGET (row), "Assistant: ## Fixing the build  The linker fails because `util.c` is *not* in the sources.…"));

  /* The transcript followed the end while it streamed. */
  vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (row), GTK_TYPE_SCROLLED_WINDOW)));
  g_test_message ("adjustment: value %.0f upper %.0f page %.0f",
                  gtk_adjustment_get_value (vadjustment), gtk_adjustment_get_upper (vadjustment),
                  gtk_adjustment_get_page_size (vadjustment));
  g_assert_true (spark_chat_view_get_following (view));
  SPARK_TEST_WAIT_UNTIL (gtk_adjustment_get_value (vadjustment) >=
                         gtk_adjustment_get_upper (vadjustment) - gtk_adjustment_get_page_size (vadjustment) - 1);
  g_assert_true (has_label (GTK_WIDGET (row_for (GTK_WIDGET (view), error)),
                            "Error: The server closed the connection (1011). Spark retried 3 times and gave up; chec…"));
  g_assert_true (has_label (GTK_WIDGET (row_for (GTK_WIDGET (view), notice)), "Notice: Stopped"));
  spark_test_save_screenshot (GTK_WIDGET (window), "chat-end.png");

  /* Scrolled up, it stays put while text arrives; back at the end, it follows again. */
  gtk_adjustment_set_value (vadjustment, 0);
  g_assert_false (spark_chat_view_get_following (view));
  item = spark_transcript_begin (transcript, SPARK_TRANSCRIPT_KIND_ASSISTANT, "msg_2");
  for (guint i = 0; i < 200; i++)
    spark_transcript_append_text (transcript, item, "More text arrives while the person reads. ", -1);
  spark_test_spin (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, 0);
  gtk_adjustment_set_value (vadjustment,
                            gtk_adjustment_get_upper (vadjustment) - gtk_adjustment_get_page_size (vadjustment));
  g_assert_true (spark_chat_view_get_following (view));

  /* The top of the conversation, with the reasoning and the tool call. */
  gtk_adjustment_set_value (vadjustment, 0);
  spark_test_spin (200);
  row = row_for (GTK_WIDGET (view), call);
  g_assert_nonnull (row);
  g_assert_true (has_label (GTK_WIDGET (row), "Tool call: grep \"util\" — 3 matches"));
  {
    g_autoptr(GPtrArray) expanders = spark_test_find_all (GTK_WIDGET (row), GTK_TYPE_EXPANDER);

    g_assert_cmpuint (expanders->len, ==, 1);
    gtk_expander_set_expanded (expanders->pdata[0], TRUE);
  }
  {
    GtkWidget *review = find_by_label (GTK_WIDGET (row), GTK_TYPE_BUTTON, "Review Patch");

    /* Only a patch has something to review. */
    g_assert_false (review != NULL && gtk_widget_get_visible (review));
  }
  row = row_for (GTK_WIDGET (view), patch);
  g_assert_nonnull (row);
  g_assert_true (has_label (GTK_WIDGET (row), "Tool call: apply_patch — 2 files, +10 −3"));
  {
    GtkWidget *review = find_by_label (GTK_WIDGET (row), GTK_TYPE_BUTTON, "Review Patch");

    g_assert_nonnull (review);
    g_assert_true (gtk_widget_get_visible (review));
    g_signal_connect (view, "review", G_CALLBACK (on_review), &reviewed);
    g_signal_emit_by_name (review, "clicked");
    g_assert_cmpstr (reviewed, ==, "call_patch");
  }
  row = row_for (GTK_WIDGET (view), reasoning);
  {
    g_autoptr(GPtrArray) expanders = spark_test_find_all (GTK_WIDGET (row), GTK_TYPE_EXPANDER);
    GtkWidget *title = gtk_expander_get_label_widget (expanders->pdata[0]);

    g_assert_false (gtk_expander_get_expanded (expanders->pdata[0]));
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==, "Thought for a moment");
    gtk_expander_set_expanded (expanders->pdata[0], TRUE);
  }
  /* The list keeps the middle of the view in place as rows above it grow:
   * back to the top for the picture. */
  spark_test_spin (100);
  gtk_adjustment_set_value (vadjustment, 0);
  spark_test_spin (200);
  g_test_message ("top: value %.0f upper %.0f following %d", gtk_adjustment_get_value (vadjustment),
                  gtk_adjustment_get_upper (vadjustment), spark_chat_view_get_following (view));
  spark_test_save_screenshot (GTK_WIDGET (window), "chat-top.png");

  /* Dark: the code follows with the dark scheme. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  spark_test_spin (300);
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (code_buffer)), ==,
                   "Adwaita-dark");
  spark_test_save_screenshot (GTK_WIDGET (window), "chat-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (window);
}

static void
test_message_box (void)
{
  Emitted e = {
    g_ptr_array_new_with_free_func (g_free),
    g_ptr_array_new_with_free_func (g_free),
    g_ptr_array_new_with_free_func (g_free),
    0
  };
  SparkChatView *view;
  GtkWindow *window = show_view (&view, 600, 500);
  GtkWidget *message, *send, *stop;
  g_autofree char *text = NULL;

  g_signal_connect (view, "send", G_CALLBACK (on_send), &e);
  g_signal_connect (view, "steer", G_CALLBACK (on_steer), &e);
  g_signal_connect (view, "queue", G_CALLBACK (on_queue), &e);
  g_signal_connect (view, "stop", G_CALLBACK (on_stop), &e);

  /* Accessible labels, exactly. */
  message = find_by_label (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW, "Message");
  send = find_by_label (GTK_WIDGET (view), GTK_TYPE_BUTTON, "Send");
  stop = find_by_label (GTK_WIDGET (view), GTK_TYPE_BUTTON, "Stop");
  g_assert_nonnull (message);
  g_assert_nonnull (send);
  g_assert_nonnull (stop);

  /* Enter sends and clears; an empty box sends nothing. */
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.focus-message", NULL);
  spark_chat_view_set_message (view, "Fix the build");
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Return, 0));
  g_assert_cmpuint (e.sent->len, ==, 1);
  g_assert_cmpstr (e.sent->pdata[0], ==, "Fix the build");
  text = spark_chat_view_dup_message (view);
  g_assert_cmpstr (text, ==, "");
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_KP_Enter, 0));
  g_assert_cmpuint (e.sent->len, ==, 1);

  /* Shift+Enter is a new line at the cursor. */
  spark_chat_view_set_message (view, "line one");
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Return, GDK_SHIFT_MASK));
  g_clear_pointer (&text, g_free);
  text = spark_chat_view_dup_message (view);
  g_assert_cmpstr (text, ==, "line one\n");
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (message)), "line two", -1);
  g_assert_cmpuint (e.sent->len, ==, 1);

  /* While an input method composes, Enter is the input method's. */
  g_signal_emit_by_name (message, "preedit-changed", "ka");
  g_assert_false (spark_chat_view_handle_key (view, GDK_KEY_Return, 0));
  g_signal_emit_by_name (message, "preedit-changed", "");
  g_assert_cmpuint (e.sent->len, ==, 1);

  /* Other keys are the text view's. */
  g_assert_false (spark_chat_view_handle_key (view, GDK_KEY_a, 0));

  /* The Send button is the same as Enter. */
  g_signal_emit_by_name (send, "clicked");
  g_assert_cmpuint (e.sent->len, ==, 2);
  g_assert_cmpstr (e.sent->pdata[1], ==, "line one\nline two");

  /* Not busy: Ctrl+Enter and Alt+Enter just send; Stop is hidden and does nothing. */
  spark_chat_view_set_message (view, "a");
  spark_chat_view_handle_key (view, GDK_KEY_Return, GDK_CONTROL_MASK);
  spark_chat_view_set_message (view, "b");
  spark_chat_view_handle_key (view, GDK_KEY_Return, GDK_ALT_MASK);
  g_assert_cmpuint (e.sent->len, ==, 4);
  g_assert_false (gtk_widget_get_visible (stop));
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.stop", NULL);
  g_assert_cmpuint (e.stops, ==, 0);

  /* Busy: Ctrl+Enter steers, Alt+Enter queues, Stop shows and stops. */
  spark_chat_view_set_busy (view, TRUE);
  g_assert_true (spark_chat_view_get_busy (view));
  g_assert_true (gtk_widget_get_visible (stop));
  spark_chat_view_set_message (view, "use tabs");
  spark_chat_view_handle_key (view, GDK_KEY_Return, GDK_CONTROL_MASK);
  spark_chat_view_set_message (view, "then run the tests");
  spark_chat_view_handle_key (view, GDK_KEY_Return, GDK_ALT_MASK);
  g_assert_cmpuint (e.steered->len, ==, 1);
  g_assert_cmpstr (e.steered->pdata[0], ==, "use tabs");
  g_assert_cmpuint (e.queued->len, ==, 1);
  g_assert_cmpstr (e.queued->pdata[0], ==, "then run the tests");
  g_signal_emit_by_name (stop, "clicked");
  g_assert_cmpuint (e.stops, ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.stop", NULL);
  g_assert_cmpuint (e.stops, ==, 2);
  spark_chat_view_set_busy (view, FALSE);
  g_assert_false (gtk_widget_get_visible (stop));

  /* The model picker: hidden until there are models, the current one kept. */
  {
    g_autoptr(GPtrArray) dropdowns = spark_test_find_all (GTK_WIDGET (view), GTK_TYPE_DROP_DOWN);

    g_assert_false (gtk_widget_get_visible (dropdowns->pdata[0]));
    spark_chat_view_set_model (view, "my-model");
    g_assert_true (gtk_widget_get_visible (dropdowns->pdata[0]));
  }
  spark_chat_view_set_models (view, (const char * const[]) { "gpt-5", "gpt-5.3-codex-spark", NULL });
  g_assert_cmpstr (spark_chat_view_get_model (view), ==, "my-model");
  spark_chat_view_set_model (view, "gpt-5");
  {
    g_autoptr(GPtrArray) dropdowns = spark_test_find_all (GTK_WIDGET (view), GTK_TYPE_DROP_DOWN);
    GtkDropDown *dropdown = dropdowns->pdata[0];

    g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, 0);
    gtk_drop_down_set_selected (dropdown, 1);
    g_assert_cmpstr (spark_chat_view_get_model (view), ==, "gpt-5.3-codex-spark");
  }

  /* Empty state with a setup notice. */
  spark_chat_view_set_notice (view, "No API key: set <b>OPENAI_API_KEY</b> or add one in Preferences.");
  spark_test_spin (400);
  spark_test_save_screenshot (GTK_WIDGET (window), "chat-empty.png");
  spark_chat_view_set_notice (view, NULL);

  gtk_window_destroy (window);
  g_ptr_array_unref (e.sent);
  g_ptr_array_unref (e.steered);
  g_ptr_array_unref (e.queued);
}

static void
on_turn_finished (SparkSession *session,
                  const GError *error,
                  gboolean     *done)
{
  *done = TRUE;
}

static void
send_to_session (SparkChatView *view,
                 const char    *text,
                 SparkSession  *session)
{
  spark_session_send (session, text);
}

/* The whole pane as the window will wire it: the message box sends to a
 * real session against the fake server, the transcript follows it. */
static void
test_follow_session (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autoptr(SparkTranscript) transcript = spark_transcript_new ();
  SparkSession *session;
  SparkChatView *view;
  GtkWindow *window;
  gboolean done = FALSE;
  SparkTranscriptItem *call, *answer;

  spark_test_write_file (root, "hello.txt", "hello\nworld\n");
  session = spark_session_new (root);
  g_object_set (session,
                "endpoint", spark_fake_server_get_base_url (server),
                "api-key", "sk-test-7f3a9c1e5b2d",
                "model", "test-model",
                "store-dir", NULL,
                NULL);
  spark_fake_server_push_stream (server, "call-grep");
  spark_fake_server_push_stream (server, "text-hello");

  window = show_view (&view, 640, 480);
  spark_transcript_follow_session (transcript, session);
  spark_chat_view_set_transcript (view, transcript);
  g_object_bind_property (session, "busy", view, "busy", G_BINDING_SYNC_CREATE);
  g_signal_connect (view, "send", G_CALLBACK (send_to_session), session);
  g_signal_connect (session, "turn-finished", G_CALLBACK (on_turn_finished), &done);

  spark_chat_view_set_message (view, "Where is world?");
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Return, 0));
  g_assert_true (spark_chat_view_get_busy (view));
  SPARK_TEST_WAIT_UNTIL (done);
  /* Past the cross-fade from the empty page. */
  spark_test_spin (600);

  g_assert_false (spark_chat_view_get_busy (view));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (transcript)), ==, 3);
  call = g_list_model_get_item (G_LIST_MODEL (transcript), 1);
  answer = g_list_model_get_item (G_LIST_MODEL (transcript), 2);
  g_assert_true (has_label (GTK_WIDGET (row_for (GTK_WIDGET (view), call)),
                            "Tool call: grep \"wor.d\" — 1 match"));
  g_assert_true (has_label (GTK_WIDGET (row_for (GTK_WIDGET (view), answer)),
                            "Assistant: Hello, world!"));
  spark_test_save_screenshot (GTK_WIDGET (window), "chat-session.png");
  g_object_unref (call);
  g_object_unref (answer);

  gtk_window_destroy (window);
  spark_transcript_follow_session (transcript, NULL);
  spark_session_close (session);
  g_assert_finalize_object (session);
  spark_fake_server_free (server);
  spark_test_rm_rf (root);
}

/* A long session: thousands of items, a few dozen rows. */
static void
test_long_session (void)
{
  g_autoptr(SparkTranscript) transcript = spark_transcript_new ();
  g_autoptr(GPtrArray) rows = NULL;
  SparkChatView *view;
  GtkWindow *window = show_view (&view, 700, 700);
  GtkAdjustment *vadjustment;
  SparkTranscriptItem *last = NULL;
  gint64 start;

  spark_chat_view_set_transcript (view, transcript);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message %u with `code` and *emphasis*.", i);

      switch (i % 4)
        {
        case 0:
          spark_transcript_append (transcript, SPARK_TRANSCRIPT_KIND_USER, text);
          break;

        case 1:
          last = spark_transcript_begin (transcript, SPARK_TRANSCRIPT_KIND_ASSISTANT, NULL);
          spark_transcript_append_text (transcript, last, text, -1);
          spark_transcript_set_streaming (transcript, last, FALSE);
          break;

        case 2:
          last = spark_transcript_begin_tool_call (transcript, NULL, NULL, "read_file");
          spark_transcript_set_summary (transcript, last, "read_file src/main.c");
          spark_transcript_set_output (transcript, last, "1\tint main;\n", TRUE);
          spark_transcript_set_streaming (transcript, last, FALSE);
          break;

        default:
          last = spark_transcript_begin (transcript, SPARK_TRANSCRIPT_KIND_REASONING, NULL);
          spark_transcript_append_text (transcript, last, text, -1);
          spark_transcript_set_streaming (transcript, last, FALSE);
          break;
        }
    }
  /* The last item's row appears once the view has caught up; a loaded
   * machine may take a while. */
  SPARK_TEST_WAIT_UNTIL (row_for (GTK_WIDGET (view), last) != NULL);
  g_test_message ("3000 items shown in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);

  /* Only what is on screen (and a little around it) has widgets, and the
   * view sits at the end. */
  rows = spark_test_find_all (GTK_WIDGET (view), SPARK_TYPE_CHAT_ROW);
  g_test_message ("%u rows for 3000 items", rows->len);
  g_assert_cmpuint (rows->len, <, 250);
  g_assert_nonnull (row_for (GTK_WIDGET (view), last));
  vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (rows->pdata[0], GTK_TYPE_SCROLLED_WINDOW)));
  g_assert_true (spark_chat_view_get_following (view));
  SPARK_TEST_WAIT_UNTIL (gtk_adjustment_get_value (vadjustment) >=
                         gtk_adjustment_get_upper (vadjustment) - gtk_adjustment_get_page_size (vadjustment) - 1);
  spark_test_save_screenshot (GTK_WIDGET (window), "chat-long.png");

  gtk_window_destroy (window);
}

/* "@" completion and attachments */

static GtkPopover *
find_popover (SparkChatView *view)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_POPOVER (child))
        return GTK_POPOVER (child);
    }

  return NULL;
}


static void
type_text (SparkChatView *view,
           const char    *text)
{
  GtkTextView *message = GTK_TEXT_VIEW (find_by_label (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW, "Message"));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (message);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    gtk_text_buffer_insert_interactive_at_cursor (buffer, p, g_utf8_next_char (p) - p, TRUE);
}

/* The paths the "@" popover offers, in order. */
static GPtrArray *
mention_paths (SparkChatView *view)
{
  GPtrArray *paths = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      g_autoptr(GPtrArray) rows = NULL;

      if (!GTK_IS_POPOVER (child))
        continue;

      rows = spark_test_find_all (child, GTK_TYPE_LIST_BOX_ROW);
      for (guint i = 0; i < rows->len; i++)
        {
          GtkWidget *label = gtk_list_box_row_get_child (rows->pdata[i]);

          g_ptr_array_add (paths, (gpointer) gtk_label_get_text (GTK_LABEL (label)));
        }
    }

  return paths;
}

static const char *
selected_mention (SparkChatView *view)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      g_autoptr(GPtrArray) lists = NULL;
      GtkListBoxRow *row;

      if (!GTK_IS_POPOVER (child))
        continue;

      lists = spark_test_find_all (child, GTK_TYPE_LIST_BOX);
      g_assert_cmpuint (lists->len, ==, 1);
      row = gtk_list_box_get_selected_row (lists->pdata[0]);
      return row ? gtk_label_get_text (GTK_LABEL (gtk_list_box_row_get_child (row))) : NULL;
    }

  return NULL;
}

typedef struct
{
  char *text;
  GStrv attachments;
  char *attached_text;
} Sent;

static void
on_send_with_attachments (SparkChatView *view,
                          const char    *text,
                          Sent          *sent)
{
  g_free (sent->text);
  g_strfreev (sent->attachments);
  g_free (sent->attached_text);
  sent->text = g_strdup (text);
  sent->attachments = spark_chat_view_dup_attachments (view);
  sent->attached_text = spark_chat_view_dup_attached_text (view);
}

static void
test_mention (void)
{
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autoptr(GFile) file = g_file_new_for_path (root);
  g_autoptr(SparkProject) project = spark_project_new (file);
  g_autoptr(GPtrArray) paths = NULL;
  g_auto(GStrv) attachments = NULL;
  g_autofree char *text = NULL;
  Sent sent = { NULL, NULL, NULL };
  SparkChatView *view;
  GtkWindow *window;

  spark_test_write_file (root, "src/ui/window.c", "int window;\n");
  spark_test_write_file (root, "src/ui/widget.c", "int widget;\n");
  spark_test_write_file (root, "src/ui/window.h", "extern int window;\n");
  spark_test_write_file (root, "README.md", "# Readme\n");
  spark_test_write_file (root, "docs/install.md", "Install\n");

  window = show_view (&view, 600, 500);
  g_signal_connect (view, "send", G_CALLBACK (on_send_with_attachments), &sent);
  spark_chat_view_set_project (view, project);
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.focus-message", NULL);

  /* No popover for an "@" inside a word. */
  type_text (view, "mail@win");
  spark_test_spin (200);
  g_assert_false (spark_chat_view_get_completing (view));
  spark_chat_view_set_message (view, NULL);

  /* "@win" lists the window files first, the best one selected. */
  type_text (view, "Look at @win");
  SPARK_TEST_WAIT_UNTIL (spark_chat_view_get_completing (view));
  spark_test_spin (100);
  paths = mention_paths (view);
  g_assert_cmpuint (paths->len, >=, 2);
  g_assert_true (g_str_has_prefix (paths->pdata[0], "src/ui/window."));
  g_assert_true (g_str_has_prefix (paths->pdata[1], "src/ui/window."));
  for (guint i = 0; i < paths->len; i++)
    g_assert_cmpstr (paths->pdata[i], !=, "README.md");
  g_assert_cmpstr (selected_mention (view), ==, paths->pdata[0]);
  spark_test_save_screenshot (GTK_WIDGET (window), "chat-mention-window.png");
  spark_test_save_screenshot_with_popover (window, find_popover (view), "chat-mention.png");

  /* Down and Up move the selection (wrapping); other keys pass. */
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Down, 0));
  g_assert_cmpstr (selected_mention (view), ==, paths->pdata[1]);
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Up, 0));
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Up, 0));
  g_assert_cmpstr (selected_mention (view), ==, paths->pdata[paths->len - 1]);
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Down, 0));
  g_assert_false (spark_chat_view_handle_key (view, GDK_KEY_a, 0));

  /* "@wind" narrows; Enter inserts the selected path, not a send. */
  type_text (view, "dow.c");
  spark_test_spin (50);
  g_ptr_array_unref (paths);
  paths = mention_paths (view);
  g_assert_cmpstr (paths->pdata[0], ==, "src/ui/window.c");
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Return, 0));
  g_assert_null (sent.text);
  g_assert_false (spark_chat_view_get_completing (view));
  text = spark_chat_view_dup_message (view);
  g_assert_cmpstr (text, ==, "Look at @src/ui/window.c ");
  attachments = spark_chat_view_dup_attachments (view);
  g_assert_cmpuint (g_strv_length (attachments), ==, 1);
  g_assert_cmpstr (attachments[0], ==, "src/ui/window.c");

  /* Tab completes too; Escape closes without touching the text, and the
   * same "@" stays closed while typing on. */
  type_text (view, "and @READ");
  SPARK_TEST_WAIT_UNTIL (spark_chat_view_get_completing (view));
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Tab, 0));
  type_text (view, "and @inst");
  SPARK_TEST_WAIT_UNTIL (spark_chat_view_get_completing (view));
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Escape, 0));
  g_assert_false (spark_chat_view_get_completing (view));
  type_text (view, "a");
  spark_test_spin (50);
  g_assert_false (spark_chat_view_get_completing (view));
  g_clear_pointer (&text, g_free);
  text = spark_chat_view_dup_message (view);
  g_assert_cmpstr (text, ==, "Look at @src/ui/window.c and @README.md and @insta");

  /* A typed path that exists counts; a missing one or one outside does not. */
  type_text (view, " @docs/install.md, @nope.c @../etc/passwd");
  g_strfreev (attachments);
  attachments = spark_chat_view_dup_attachments (view);
  g_assert_cmpuint (g_strv_length (attachments), ==, 3);
  g_assert_cmpstr (attachments[0], ==, "src/ui/window.c");
  g_assert_cmpstr (attachments[1], ==, "README.md");
  g_assert_cmpstr (attachments[2], ==, "docs/install.md");

  /* Enter sends: the handler reads the attachments of the sent message. */
  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Return, 0));
  g_assert_nonnull (sent.text);
  g_assert_cmpuint (g_strv_length (sent.attachments), ==, 3);
  g_assert_cmpstr (sent.attachments[2], ==, "docs/install.md");
  g_assert_null (sent.attached_text);
  g_strfreev (attachments);
  attachments = spark_chat_view_dup_attachments (view);
  g_assert_cmpuint (g_strv_length (attachments), ==, 0);

  gtk_window_destroy (window);
  g_free (sent.text);
  g_strfreev (sent.attachments);
  g_free (sent.attached_text);
  spark_test_rm_rf (root);
}

static void
test_attach_text (void)
{
  g_autofree char *attached = NULL;
  GtkWidget *remove;
  Sent sent = { NULL, NULL, NULL };
  SparkChatView *view;
  GtkWindow *window = show_view (&view, 600, 500);

  g_signal_connect (view, "send", G_CALLBACK (on_send_with_attachments), &sent);
  g_assert_null (spark_chat_view_dup_attached_text (view));

  spark_chat_view_attach_text (view, "src/main.c:3-4", "int\nmain (void)\n");
  spark_chat_view_attach_text (view, "notes.md", "Use ``` fences");
  spark_chat_view_attach_text (view, "drop.txt", "dropped");
  g_assert_cmpuint (spark_chat_view_get_n_attached_texts (view), ==, 3);
  spark_chat_view_set_message (view, "Explain these");
  spark_test_spin (100);
  spark_test_save_screenshot (GTK_WIDGET (window), "chat-attachments.png");

  /* Each chip has a remove button named after it. */
  remove = find_by_label (GTK_WIDGET (view), GTK_TYPE_BUTTON, "Remove drop.txt");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_assert_cmpuint (spark_chat_view_get_n_attached_texts (view), ==, 2);

  attached = spark_chat_view_dup_attached_text (view);
  g_assert_cmpstr (attached, ==,
                   "src/main.c:3-4\n```\nint\nmain (void)\n```\n"
                   "\nnotes.md\n````\nUse ``` fences\n````\n");

  g_assert_true (spark_chat_view_handle_key (view, GDK_KEY_Return, 0));
  g_assert_cmpstr (sent.text, ==, "Explain these");
  g_assert_cmpstr (sent.attached_text, ==, attached);
  g_assert_cmpuint (spark_chat_view_get_n_attached_texts (view), ==, 0);
  g_assert_null (spark_chat_view_dup_attached_text (view));

  gtk_window_destroy (window);
  g_free (sent.text);
  g_strfreev (sent.attachments);
  g_free (sent.attached_text);
}

static void
test_mention_dispose (void)
{
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autoptr(GFile) file = g_file_new_for_path (root);
  g_autoptr(SparkProject) project = spark_project_new (file);
  GtkWidget *view = spark_chat_view_new ();

  /* The view goes away while the project's files are being listed. */
  spark_test_write_file (root, "a.txt", "a\n");
  g_object_ref_sink (view);
  spark_chat_view_set_project (SPARK_CHAT_VIEW (view), project);
  spark_chat_view_set_message (SPARK_CHAT_VIEW (view), "@a");
  spark_chat_view_attach_text (SPARK_CHAT_VIEW (view), "a.txt", "a");
  g_assert_finalize_object (view);
  spark_test_spin (200);

  spark_test_rm_rf (root);
}

static void
test_dispose (void)
{
  g_autoptr(SparkTranscript) transcript = spark_transcript_new ();
  GtkWidget *view = spark_chat_view_new ();
  SparkTranscriptItem *item;

  g_object_ref_sink (view);
  spark_chat_view_set_transcript (SPARK_CHAT_VIEW (view), transcript);
  item = spark_transcript_begin (transcript, SPARK_TRANSCRIPT_KIND_ASSISTANT, NULL);
  spark_transcript_append_text (transcript, item, "pending", -1);
  g_assert_finalize_object (view);
  /* The transcript lives on without the view. */
  spark_transcript_append_text (transcript, item, " more", -1);
  g_assert_cmpstr (spark_transcript_item_get_text (item), ==, "pending more");
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init_gtk (&argc, &argv);
  gtk_source_init ();
  g_type_ensure (SPARK_TYPE_CHAT_VIEW);

  g_test_add_func ("/ui/chat-view/markdown", test_markdown_render);
  g_test_add_func ("/ui/chat-view/markdown-incremental", test_markdown_incremental);
  g_test_add_func ("/ui/chat-view/stream", test_stream);
  g_test_add_func ("/ui/chat-view/message-box", test_message_box);
  g_test_add_func ("/ui/chat-view/follow-session", test_follow_session);
  g_test_add_func ("/ui/chat-view/long-session", test_long_session);
  g_test_add_func ("/ui/chat-view/mention", test_mention);
  g_test_add_func ("/ui/chat-view/attach-text", test_attach_text);
  g_test_add_func ("/ui/chat-view/mention-dispose", test_mention_dispose);
  g_test_add_func ("/ui/chat-view/dispose", test_dispose);

  return g_test_run ();
}
