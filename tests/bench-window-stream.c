/* bench-window-stream.c: a stream from the socket to the screen, in the real window
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures (issue 7), each against a naive client measured in the same run:
 * a GtkTextView per stream (the chat, the patch) in a window of the same
 * size, fed one gtk_text_buffer_insert per delta, its JSON parsed with
 * JsonParser, over the same WebSocket from the same fake server.
 *
 *   1  window_cpu_per_token    client CPU per delta, socket → on screen,
 *                              10,000 text deltas then a 20-file patch
 *                              streaming at 5,000 deltas/s
 *   3  first_delta_to_frame    first text delta received → the end of the
 *                              first frame that shows it (idle window)
 *   4  frame_p50/p99/max       frame intervals while that stream arrives
 *
 * The fake server runs in its own thread: the client's CPU is the process's
 * minus that thread's. Run it under xvfb-run and dbus-run-session, with the
 * accessibility bus on (no GTK_A11Y=none).
 */

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "spark-application.h"
#include "spark-bench.h"
#include "spark-bench-gtk.h"
#include "spark-bench-streams.h"
#include "spark-chat-row.h"
#include "spark-chat-view.h"
#include "spark-session.h"
#include "spark-transcript.h"
#include "spark-window.h"

#define TEXT_DELTAS       10000
#define DELTA_BYTES       4
#define PATCH_FILES       12
#define PATCH_HUNKS       5
#define FILE_LINES        200
#define DELTAS_PER_SECOND 5000
#define STREAM_RUNS       3
#define LATENCY_TURNS     10
#define FRAME_MS          (1000.0 / 60.0)
/* Between the events of a short answer: the first delta comes a few frames
 * after the prompt, as it does from a real server. */
#define SHORT_EVENT_DELAY 20000

/* First delta → first frame that shows it. */
typedef struct
{
  gboolean   armed;
  gint64     delta_time;
  gint64     delta_frame;
  gint64     shown_time;
  gint64     shown_frame;
  GtkWidget *widget;
  gboolean (*shows) (gpointer data);
  gpointer   data;
} Probe;

static void
probe_arm (Probe *probe)
{
  probe->armed = TRUE;
  probe->delta_time = probe->shown_time = 0;
}

static void
probe_delta (Probe *probe)
{
  GdkFrameClock *clock;

  if (!probe->armed || probe->delta_time != 0)
    return;

  probe->delta_time = g_get_monotonic_time ();
  clock = gtk_widget_get_frame_clock (probe->widget);
  probe->delta_frame = clock ? gdk_frame_clock_get_frame_counter (clock) : 0;
}

static void
probe_after_paint_cb (GdkFrameClock *clock,
                      Probe         *probe)
{
  if (!probe->armed || probe->delta_time == 0 || probe->shown_time != 0)
    return;

  if (probe->shows (probe->data))
    {
      probe->shown_time = g_get_monotonic_time ();
      probe->shown_frame = gdk_frame_clock_get_frame_counter (clock);
      probe->armed = FALSE;
    }
}

static void
probe_attach (Probe     *probe,
              GtkWidget *window)
{
  probe->widget = window;
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (probe_after_paint_cb), probe);
}

static void
probe_detach (Probe *probe)
{
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (probe->widget), probe);
}

/* What one side measured. */
typedef struct
{
  double  cpu_us_per_delta[STREAM_RUNS];
  GArray *frames;
  double  latency_ms[LATENCY_TURNS];
  double  latency_frames[LATENCY_TURNS];
} Results;

static void
present (GtkWindow *window)
{
  gtk_window_set_default_size (window, 1280, 800);
  gtk_window_present (window);
  SPARK_BENCH_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)), "the window");
  spark_bench_iterate_ms (300);
}

static gint64
client_cpu_us (SparkBenchServer *server)
{
  return spark_bench_process_cpu_us () - spark_bench_server_get_cpu_us (server);
}

/* Spark ------------------------------------------------------------------ */

typedef struct
{
  SparkWindow *window;
  guint        first_item;
} SparkSide;

static gboolean
label_shows_text (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;

  if (GTK_IS_LABEL (widget) && gtk_label_get_text (GTK_LABEL (widget))[0] != '\0' &&
      gtk_widget_get_height (widget) > 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (label_shows_text (child))
      return TRUE;

  return FALSE;
}

static SparkChatRow *
find_row (GtkWidget           *widget,
          SparkTranscriptItem *item)
{
  if (SPARK_IS_CHAT_ROW (widget) && spark_chat_row_get_item (SPARK_CHAT_ROW (widget)) == item)
    return SPARK_CHAT_ROW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SparkChatRow *row = find_row (child, item);

      if (row != NULL)
        return row;
    }

  return NULL;
}

/* The answer of this turn has text, and its row on screen shows it. */
static gboolean
spark_shows (gpointer data)
{
  SparkSide *side = data;
  SparkChatView *chat = spark_window_get_chat_view (side->window);
  GListModel *items = G_LIST_MODEL (spark_chat_view_get_transcript (chat));

  for (guint i = side->first_item; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (items, i);
      SparkChatRow *row;

      if (spark_transcript_item_get_kind (item) != SPARK_TRANSCRIPT_KIND_ASSISTANT ||
          spark_transcript_item_get_length (item) == 0)
        continue;

      row = find_row (GTK_WIDGET (chat), item);
      return row != NULL && label_shows_text (GTK_WIDGET (row));
    }

  return FALSE;
}

static gboolean
text_delta_hook (GSignalInvocationHint *hint,
                 guint                  n_params,
                 const GValue          *params,
                 gpointer               data)
{
  probe_delta (data);
  return TRUE;
}

/* Not inlined: `valgrind --tool=callgrind --collect-atstart=no
 * --toggle-collect=run_spark` counts one side's instructions. */
static G_GNUC_NO_INLINE void
run_spark (SparkBenchServer *server,
           const char       *big,
           guint             big_deltas,
           const char       *small,
           Results          *results)
{
  g_autoptr(SparkApplication) app = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = spark_test_make_temp_dir ();
  SparkAssistant *assistant;
  SparkSide side = { 0 };
  Probe probe = { 0 };
  gulong hook;

  for (guint i = 0; i < PATCH_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("src/file-%02u.c", i);
      g_autofree char *text = spark_bench_file_text (i, FILE_LINES);

      spark_test_write_file (dir, name, text);
    }
  spark_test_git (dir, "init", "-q", NULL);

  g_settings_set_string (settings, "endpoint", spark_bench_server_get_base_url (server));
  g_settings_set_string (settings, "transport", "websocket");

  app = spark_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  folder = g_file_new_for_path (dir);
  side.window = spark_application_open_folder (app, folder, NULL);
  present (GTK_WINDOW (side.window));
  assistant = spark_window_get_assistant (side.window);
  SPARK_BENCH_WAIT_UNTIL (spark_assistant_get_ready (assistant), "the assistant");

  probe.shows = spark_shows;
  probe.data = &side;
  probe_attach (&probe, GTK_WIDGET (side.window));
  hook = g_signal_add_emission_hook (g_signal_lookup ("text-delta", SPARK_TYPE_SESSION), 0,
                                     text_delta_hook, &probe, NULL);

  /* 3: an idle window, then the first delta of an answer. */
  spark_bench_server_set_event_delay (server, SHORT_EVENT_DELAY);
  for (guint i = 0; i < LATENCY_TURNS; i++)
    {
      SparkChatView *chat = spark_window_get_chat_view (side.window);

      spark_bench_server_push_text (server, small);
      side.first_item = g_list_model_get_n_items (G_LIST_MODEL (spark_chat_view_get_transcript (chat)));
      probe_arm (&probe);
      g_assert_true (spark_assistant_send (assistant, "Say hello.", &error));
      SPARK_BENCH_WAIT_UNTIL (probe.shown_time != 0 && !spark_assistant_get_busy (assistant),
                              "the answer");
      results->latency_ms[i] = (probe.shown_time - probe.delta_time) / 1000.0;
      results->latency_frames[i] = probe.shown_frame - probe.delta_frame;
      spark_bench_iterate_ms (100);
    }
  probe.armed = FALSE;
  spark_bench_server_set_event_delay (server, 0);

  /* 1 and 4: the long answer and patch at 5,000 deltas a second. */
  spark_bench_server_set_event_delay (server, G_USEC_PER_SEC / DELTAS_PER_SECOND);
  for (guint run = 0; run < STREAM_RUNS; run++)
    {
      SparkBenchFrames *frames;
      g_autoptr(GArray) intervals = NULL;
      gint64 cpu;

      /* The person reads the answer: the chat shows while its text streams
       * (the window turns to the review pane when the patch starts), in
       * every run, not only while no earlier proposal is left in review. */
      gtk_widget_activate_action (GTK_WIDGET (side.window), "win.show-side-page", "s", "chat");
      spark_bench_iterate_ms (100);

      spark_bench_server_push_text (server, big);
      cpu = client_cpu_us (server);
      frames = spark_bench_frames_start (GTK_WIDGET (side.window));
      g_assert_true (spark_assistant_send (assistant, "Change every file.", &error));
      SPARK_BENCH_WAIT_UNTIL (spark_assistant_get_awaiting_approval (assistant), "the proposal");
      /* The frame that shows the end. */
      spark_bench_iterate_ms (2 * FRAME_MS);
      intervals = spark_bench_frames_stop (frames);
      cpu = client_cpu_us (server) - cpu;
      results->cpu_us_per_delta[run] = (double) cpu / big_deltas;
      g_array_append_vals (results->frames, intervals->data, intervals->len);

      /* Reject it: the model hears it and answers briefly. */
      spark_bench_server_push_text (server, small);
      spark_assistant_reject (assistant, "Not now.");
      SPARK_BENCH_WAIT_UNTIL (!spark_assistant_get_busy (assistant), "the turn to end");
      spark_bench_iterate_ms (100);
    }
  spark_bench_server_set_event_delay (server, 0);

  g_signal_remove_emission_hook (g_signal_lookup ("text-delta", SPARK_TYPE_SESSION), hook);
  probe_detach (&probe);
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "transport");
  gtk_window_destroy (GTK_WINDOW (side.window));
  spark_bench_iterate_ms (100);
  spark_test_rm_rf (dir);
}

/* The naive client --------------------------------------------------------- */

typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *conn;
  GError                  *error;
  GtkTextView             *chat_view;
  GtkTextView             *patch_view;
  Probe                    probe;
  gint                     first_char;
  gboolean                 done;
} Naive;

static void
naive_insert (GtkTextView *view,
              const char  *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, -1);
  gtk_text_view_scroll_mark_onscreen (view, gtk_text_buffer_get_insert (buffer));
}

static void
naive_message_cb (SoupWebsocketConnection *conn,
                  int                      type,
                  GBytes                  *message,
                  Naive                   *naive)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  JsonObject *event;
  const char *kind;

  if (!json_parser_load_from_data (parser, data, length, NULL))
    return;
  event = json_node_get_object (json_parser_get_root (parser));
  kind = json_object_get_string_member_with_default (event, "type", "");

  if (g_str_equal (kind, "response.output_text.delta"))
    {
      probe_delta (&naive->probe);
      naive_insert (naive->chat_view, json_object_get_string_member (event, "delta"));
    }
  else if (g_str_equal (kind, "response.custom_tool_call_input.delta"))
    naive_insert (naive->patch_view, json_object_get_string_member (event, "delta"));
  else if (g_str_equal (kind, "response.completed") || g_str_equal (kind, "error"))
    naive->done = TRUE;
}

static void
naive_connect_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  Naive *naive = data;

  naive->conn = soup_session_websocket_connect_finish (SOUP_SESSION (object), result,
                                                       &naive->error);
  if (naive->error != NULL)
    g_error ("Naive client: %s", naive->error->message);
  g_signal_connect (naive->conn, "message", G_CALLBACK (naive_message_cb), naive);
}

static gboolean
naive_shows (gpointer data)
{
  Naive *naive = data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (naive->chat_view);

  return gtk_widget_get_mapped (GTK_WIDGET (naive->chat_view)) &&
         gtk_text_buffer_get_char_count (buffer) > naive->first_char;
}

static GtkTextView *
naive_view (GtkWidget **scroller)
{
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  *scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (*scroller), view);
  return GTK_TEXT_VIEW (view);
}

static void
naive_send (Naive *naive)
{
  naive->done = FALSE;
  soup_websocket_connection_send_text (naive->conn,
                                       "{\"type\":\"response.create\",\"model\":\"bench\","
                                       "\"input\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
}

static G_GNUC_NO_INLINE void
run_naive (SparkBenchServer *server,
           const char       *big,
           guint             big_deltas,
           const char       *small,
           Results          *results)
{
  g_autofree char *url = g_strconcat ("ws", spark_bench_server_get_base_url (server) + strlen ("http"),
                                      "/responses", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  GtkWidget *left, *right;
  Naive naive = { 0 };

  naive.chat_view = naive_view (&right);
  naive.patch_view = naive_view (&left);
  gtk_paned_set_start_child (GTK_PANED (paned), left);
  gtk_paned_set_end_child (GTK_PANED (paned), right);
  gtk_paned_set_position (GTK_PANED (paned), 800);
  gtk_window_set_child (GTK_WINDOW (window), paned);
  present (GTK_WINDOW (window));

  naive.session = soup_session_new ();
  soup_session_websocket_connect_async (naive.session, message, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, naive_connect_cb, &naive);
  SPARK_BENCH_WAIT_UNTIL (naive.conn != NULL, "the naive client's socket");

  naive.probe.shows = naive_shows;
  naive.probe.data = &naive;
  probe_attach (&naive.probe, window);

  spark_bench_server_set_event_delay (server, SHORT_EVENT_DELAY);
  for (guint i = 0; i < LATENCY_TURNS; i++)
    {
      spark_bench_server_push_text (server, small);
      naive.first_char = gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (naive.chat_view));
      probe_arm (&naive.probe);
      naive_send (&naive);
      SPARK_BENCH_WAIT_UNTIL (naive.probe.shown_time != 0 && naive.done, "the naive answer");
      results->latency_ms[i] = (naive.probe.shown_time - naive.probe.delta_time) / 1000.0;
      results->latency_frames[i] = naive.probe.shown_frame - naive.probe.delta_frame;
      spark_bench_iterate_ms (100);
    }
  naive.probe.armed = FALSE;
  spark_bench_server_set_event_delay (server, 0);

  spark_bench_server_set_event_delay (server, G_USEC_PER_SEC / DELTAS_PER_SECOND);
  for (guint run = 0; run < STREAM_RUNS; run++)
    {
      SparkBenchFrames *frames;
      g_autoptr(GArray) intervals = NULL;
      gint64 cpu;

      spark_bench_server_push_text (server, big);
      cpu = client_cpu_us (server);
      frames = spark_bench_frames_start (window);
      naive_send (&naive);
      SPARK_BENCH_WAIT_UNTIL (naive.done, "the naive stream");
      spark_bench_iterate_ms (2 * FRAME_MS);
      intervals = spark_bench_frames_stop (frames);
      cpu = client_cpu_us (server) - cpu;
      results->cpu_us_per_delta[run] = (double) cpu / big_deltas;
      g_array_append_vals (results->frames, intervals->data, intervals->len);
      spark_bench_iterate_ms (100);
    }
  spark_bench_server_set_event_delay (server, 0);

  probe_detach (&naive.probe);
  soup_websocket_connection_close (naive.conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&naive.conn);
  g_clear_object (&naive.session);
  gtk_window_destroy (GTK_WINDOW (window));
  spark_bench_iterate_ms (100);
}

/* Figures ------------------------------------------------------------------ */

static const char *
renderer_name (void)
{
  const char *env = g_getenv ("GSK_RENDERER");

  return env != NULL ? env : "default";
}

static void
print_figures (Results *spark,
               Results *naive,
               guint    big_deltas)
{
  const char *baseline = "GtkTextView, one insert per delta";
  g_autofree char *stream_note = NULL;
  g_autofree char *latency_note = NULL;
  g_autofree char *frames_note = NULL;
  double spark_cpu = spark_bench_quantile (spark->cpu_us_per_delta, STREAM_RUNS, 0.5);
  double naive_cpu = spark_bench_quantile (naive->cpu_us_per_delta, STREAM_RUNS, 0.5);
  double spark_frames_late = spark_bench_quantile (spark->latency_frames, LATENCY_TURNS, 0.5);
  double naive_frames_late = spark_bench_quantile (naive->latency_frames, LATENCY_TURNS, 0.5);
  double spark_latency_max = spark_bench_quantile (spark->latency_ms, LATENCY_TURNS, 1.0);
  double spark_latency = spark_bench_quantile (spark->latency_ms, LATENCY_TURNS, 0.5);
  double naive_latency = spark_bench_quantile (naive->latency_ms, LATENCY_TURNS, 0.5);
  double *sf = (double *) spark->frames->data, *nf = (double *) naive->frames->data;
  guint sn = spark->frames->len, nn = naive->frames->len;

  stream_note = g_strdup_printf ("%u text deltas then a %u-file patch (%u deltas in all) at "
                                 "%u/s, median of %u runs; client = process minus the fake "
                                 "server's thread; renderer %s",
                                 TEXT_DELTAS, PATCH_FILES, big_deltas, DELTAS_PER_SECOND,
                                 STREAM_RUNS, renderer_name ());
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "1", .name = "window_cpu_per_token", .value = spark_cpu, .unit = "us",
    .baseline = baseline, .baseline_value = naive_cpu, .note = stream_note });

  latency_note = g_strdup_printf ("median of %u answers to an idle window (max %.1f ms); "
                                  "renderer %s", LATENCY_TURNS, spark_latency_max,
                                  renderer_name ());
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "3", .name = "first_delta_to_frame", .value = spark_latency, .unit = "ms",
    .baseline = baseline, .baseline_value = naive_latency,
    .target_op = "<=", .target = FRAME_MS, .note = latency_note });
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "3", .name = "first_delta_frames", .value = spark_frames_late, .unit = "frames",
    .baseline = baseline, .baseline_value = naive_frames_late,
    .target_op = "<=", .target = 1,
    .note = "frames begun after the delta arrived until the one that shows it, median "
            "(1: the next frame)" });

  frames_note = g_strdup_printf ("%u frames over %u runs of the stream above (baseline: %u "
                                 "frames); renderer %s", sn, STREAM_RUNS, nn, renderer_name ());
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "4", .name = "frame_p50", .value = spark_bench_quantile (sf, sn, 0.5), .unit = "ms",
    .baseline = baseline, .baseline_value = spark_bench_quantile (nf, nn, 0.5),
    .note = frames_note });
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "4", .name = "frame_p99", .value = spark_bench_quantile (sf, sn, 0.99), .unit = "ms",
    .baseline = baseline, .baseline_value = spark_bench_quantile (nf, nn, 0.99),
    .target_op = "<=", .target = FRAME_MS, .note = frames_note });
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "4", .name = "frame_max", .value = spark_bench_quantile (sf, sn, 1.0), .unit = "ms",
    .baseline = baseline, .baseline_value = spark_bench_quantile (nf, nn, 1.0),
    .target_op = "<=", .target = 50, .note = frames_note });
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *text = spark_bench_markdown (TEXT_DELTAS * DELTA_BYTES);
  g_autofree char *patch = spark_bench_patch (PATCH_FILES, PATCH_HUNKS, FILE_LINES);
  g_autofree char *big = NULL;
  g_autofree char *small = NULL;
  SparkBenchServer *server;
  Results spark = { 0 }, naive = { 0 };
  guint big_deltas = 0;
  const char *side = g_getenv ("SPARK_BENCH_SIDE");

  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("OPENAI_BASE_URL");
  gtk_init ();
  spark_test_quiet_logs ();

  big = spark_bench_response (text, patch, DELTA_BYTES, &big_deltas);
  small = spark_bench_response ("Hello! Here is a short answer, in a few deltas.", NULL,
                                DELTA_BYTES, NULL);
  spark.frames = g_array_new (FALSE, FALSE, sizeof (double));
  naive.frames = g_array_new (FALSE, FALSE, sizeof (double));

  server = spark_bench_server_start ();
  /* SPARK_BENCH_SIDE=spark or naive runs one side alone, for profiling: no
   * figures then, only that side's frames on stderr. */
  if (side == NULL || g_str_equal (side, "spark"))
    run_spark (server, big, big_deltas, small, &spark);
  if (side == NULL || g_str_equal (side, "naive"))
    run_naive (server, big, big_deltas, small, &naive);
  spark_bench_server_stop (server);

  if (side == NULL)
    print_figures (&spark, &naive, big_deltas);
  else
    {
      Results *r = g_str_equal (side, "spark") ? &spark : &naive;
      double *f = (double *) r->frames->data;

      g_printerr ("%s: %u frames, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", side,
                  r->frames->len, spark_bench_quantile (f, r->frames->len, 0.5),
                  spark_bench_quantile (f, r->frames->len, 0.99),
                  spark_bench_quantile (f, r->frames->len, 1.0));
    }

  g_array_unref (spark.frames);
  g_array_unref (naive.frames);
  return 0;
}
