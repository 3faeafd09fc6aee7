/* test-latency-meter.c: SparkLatencyMeter against the fake server: the time
 * to first token matches the server's configured event delay within a
 * frame, the state goes streaming → warm, a silent stream shows stalled,
 * HTTP fallback and no session; screenshots of the popover on the way.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "spark-latency-meter.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"
#include "test-session-common.h"

typedef struct
{
  SessionFixture     s;
  GtkWindow         *window;
  SparkLatencyMeter *meter;
  GPtrArray         *labels;      /* state labels seen, consecutive duplicates dropped */
  SparkTurnTimings  *last;        /* the session's timings of the last response */
  double             live_ttft;   /* the meter's TTFT at the first text delta */
  gboolean           turn_done;
} Fixture;

static void
state_cb (SparkSession *session,
          GParamSpec   *pspec,
          Fixture      *f)
{
  /* Connected after the meter's own handler: the meter is up to date. */
  const char *label = spark_latency_meter_get_state_label (f->meter);

  if (f->labels->len == 0 ||
      g_strcmp0 (g_ptr_array_index (f->labels, f->labels->len - 1), label) != 0)
    g_ptr_array_add (f->labels, g_strdup (label));
}

static void
text_delta_cb (SparkSession *session,
               const char   *item_id,
               const char   *delta,
               Fixture      *f)
{
  if (f->live_ttft < 0)
    f->live_ttft = spark_latency_meter_get_ttft_ms (f->meter);
}

static void
completed_cb (SparkSession     *session,
              const char       *id,
              SparkTurnTimings *timings,
              Fixture          *f)
{
  g_clear_pointer (&f->last, spark_turn_timings_free);
  f->last = spark_turn_timings_copy (timings);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *header;

  session_fixture_setup (&f->s, data);
  f->labels = g_ptr_array_new_with_free_func (g_free);
  f->live_ttft = -1;
  spark_session_set_context_window (f->s.session, 2000);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 520, 120);
  header = gtk_header_bar_new ();
  f->meter = spark_latency_meter_new ();
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), GTK_WIDGET (f->meter));
  gtk_window_set_titlebar (f->window, header);
  gtk_window_set_child (f->window, gtk_label_new ("Spark"));
  gtk_window_present (f->window);

  spark_latency_meter_set_session (f->meter, f->s.session);
  g_signal_connect (f->s.session, "notify::connection-state", G_CALLBACK (state_cb), f);
  g_signal_connect (f->s.session, "text-delta", G_CALLBACK (text_delta_cb), f);
  g_signal_connect (f->s.session, "response-completed", G_CALLBACK (completed_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (f->s.session, f);
  g_object_add_weak_pointer (G_OBJECT (f->meter), (gpointer *) &f->meter);
  gtk_window_destroy (f->window);
  g_assert_null (f->meter);
  session_fixture_teardown (&f->s, data);
  g_ptr_array_unref (f->labels);
  g_clear_pointer (&f->last, spark_turn_timings_free);
}

static void
start (Fixture *f)
{
  session_fixture_start (&f->s);
  g_assert_no_error (f->s.start_error);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  spark_session_run_finish (SPARK_SESSION (object), result, &error);
  f->turn_done = TRUE;
}

static void
begin_turn (Fixture    *f,
            const char *prompt)
{
  f->turn_done = FALSE;
  f->live_ttft = -1;
  g_ptr_array_set_size (f->labels, 0);
  spark_session_run_async (f->s.session, prompt, NULL, run_cb, f);
}

/* The number of events the server sends before the first text delta: with
 * an event delay D the first event goes out at once and each next one D
 * later, so the first token leaves the server N × D after the request. */
static guint
events_before_first_text (const char *stream)
{
  g_autofree char *path = spark_fake_server_stream_path (stream);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *event;

      if (lines[i][0] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      event = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (event, "type", ""),
                     "response.output_text.delta") == 0)
        return n;
      n++;
    }
  g_assert_not_reached ();
  return 0;
}

static GtkMenuButton *
meter_button (SparkLatencyMeter *meter)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (meter));

  g_assert_true (GTK_IS_MENU_BUTTON (child));
  return GTK_MENU_BUTTON (child);
}

static void
test_ttft (Fixture       *f,
           gconstpointer  data)
{
  const guint delay_ms = 200;
  guint n = events_before_first_text ("text-hello");
  GtkMenuButton *button = meter_button (f->meter);
  GtkWidget *popover;
  double ttft, session_ttft, expected, since_first_event;
  g_autofree char *ms_text = NULL;

  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "Offline");
  g_assert_cmpfloat (spark_latency_meter_get_ttft_ms (f->meter), <, 0);

  start (f);
  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "Warm");

  /* A quick request first, for the history. */
  spark_fake_server_push_stream (f->s.server, "text-hello");
  begin_turn (f, "hello");
  SPARK_TEST_WAIT_UNTIL (f->turn_done);
  g_assert_nonnull (f->last);

  /* The measured one. */
  spark_fake_server_set_event_delay (f->s.server, delay_ms * 1000);
  spark_fake_server_push_stream (f->s.server, "text-hello");
  begin_turn (f, "hello again");
  SPARK_TEST_WAIT_UNTIL (f->turn_done);

  g_assert_cmpuint (f->labels->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->labels, 0), ==, "Streaming");
  g_assert_cmpstr (g_ptr_array_index (f->labels, 1), ==, "Warm");
  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "Warm");
  g_assert_false (spark_latency_meter_get_stalled (f->meter));

  ttft = spark_latency_meter_get_ttft_ms (f->meter);
  session_ttft = spark_turn_timings_ms_since_sent (f->last, f->last->first_text);
  since_first_event = (f->last->first_text - f->last->first_event) / 1000.0;
  expected = n * (double) delay_ms;
  g_test_message ("configured delay %u ms x %u events before the first text delta = %.0f ms; "
                  "meter TTFT %.2f ms (live %.2f ms), first event -> first token %.2f ms, "
                  "first event %.2f ms after sending",
                  delay_ms, n, expected, ttft, f->live_ttft, since_first_event,
                  spark_turn_timings_ms_since_sent (f->last, f->last->first_event));
  g_assert_cmpuint (n, ==, 4);

  /* The meter shows what the session measured, and what it showed live
   * at the first delta agrees with it. */
  g_assert_cmpfloat_with_epsilon (ttft, session_ttft, 0.001);
  g_assert_cmpfloat_with_epsilon (f->live_ttft, ttft, 1.0);

  /* It counts the server's delays up to the first text delta: never less
   * than the delays before it, and not the next event's delay too (the
   * upper bound is an event, not a frame, so that a loaded machine does not
   * fail it; how fast the path is, is the speed suite's figure 3). */
  g_assert_cmpfloat (ttft, >=, expected);
  g_assert_cmpfloat (ttft, <, expected + delay_ms);
  g_assert_cmpfloat (since_first_event, >=, expected - 1.0);
  g_assert_cmpfloat (since_first_event, <, expected + delay_ms);

  /* The header shows it, and so does the accessible description. */
  ms_text = g_strdup_printf ("Time to first token %.0f ms", ttft);
  g_assert_nonnull (strstr (spark_latency_meter_get_summary (f->meter), ms_text));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       spark_latency_meter_get_summary (f->meter));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Latency");

  spark_test_save_screenshot (GTK_WIDGET (f->window), "latency-meter-button.png");

  popover = GTK_WIDGET (gtk_menu_button_get_popover (button));
  gtk_menu_button_popup (button);
  SPARK_TEST_WAIT_UNTIL (gtk_widget_get_mapped (popover));
  spark_test_save_screenshot (popover, "latency-meter.png");
  gtk_menu_button_popdown (button);
}

static void
test_stalled (Fixture       *f,
              gconstpointer  data)
{
  start (f);

  /* 2.5 s between events: created at once, then silence the session can
   * see (in_progress and the message item carry no delta) until the
   * first text delta at 10 s. */
  spark_fake_server_set_event_delay (f->s.server, 2500 * 1000);
  spark_fake_server_push_stream (f->s.server, "text-hello");
  begin_turn (f, "hello");

  SPARK_TEST_WAIT_UNTIL (spark_latency_meter_get_state_label (f->meter) != NULL &&
              g_strcmp0 (spark_latency_meter_get_state_label (f->meter), "Streaming") == 0);
  g_assert_false (spark_latency_meter_get_stalled (f->meter));
  g_assert_cmpfloat (spark_latency_meter_get_ttft_ms (f->meter), <, 0);

  SPARK_TEST_WAIT_UNTIL (spark_latency_meter_get_stalled (f->meter));
  g_assert_nonnull (strstr (spark_latency_meter_get_summary (f->meter), "Nothing arrived for 2 seconds"));
  SPARK_TEST_WAIT_UNTIL (strstr (spark_latency_meter_get_summary (f->meter), "Nothing arrived for 3 seconds") != NULL);
  g_assert_true (spark_latency_meter_get_stalled (f->meter));
  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "Streaming");
  spark_test_save_screenshot (GTK_WIDGET (f->window), "latency-meter-stalled.png");

  /* Stopping closes the WebSocket (the only abort it has): offline, and
   * no longer stalled. */
  spark_session_stop (f->s.session);
  SPARK_TEST_WAIT_UNTIL (f->turn_done);
  g_assert_false (spark_latency_meter_get_stalled (f->meter));
  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "Offline");
  g_assert_null (strstr (spark_latency_meter_get_summary (f->meter), "Nothing arrived"));
}

static void
test_fallback (Fixture       *f,
               gconstpointer  data)
{
  spark_fake_server_set_ws_status (f->s.server, 426);
  start (f);
  g_assert_true (spark_session_get_fell_back (f->s.session));
  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "HTTP fallback");

  spark_fake_server_push_stream (f->s.server, "text-hello");
  begin_turn (f, "hello");
  SPARK_TEST_WAIT_UNTIL (f->turn_done);
  g_assert_cmpstr (g_ptr_array_index (f->labels, 0), ==, "Streaming");
  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "HTTP fallback");
  g_assert_cmpfloat (spark_latency_meter_get_ttft_ms (f->meter), >=, 0);
  g_assert_cmpstr (f->last->transport, ==, "http");
}

static void
test_no_session (Fixture       *f,
                 gconstpointer  data)
{
  start (f);
  spark_fake_server_push_stream (f->s.server, "text-hello");
  begin_turn (f, "hello");
  SPARK_TEST_WAIT_UNTIL (f->turn_done);
  g_assert_cmpfloat (spark_latency_meter_get_ttft_ms (f->meter), >=, 0);

  spark_latency_meter_set_session (f->meter, NULL);
  g_assert_null (spark_latency_meter_get_session (f->meter));
  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "Offline");
  g_assert_cmpfloat (spark_latency_meter_get_ttft_ms (f->meter), <, 0);

  /* The old session's signals no longer reach the meter. */
  spark_fake_server_push_stream (f->s.server, "text-hello");
  begin_turn (f, "hello");
  SPARK_TEST_WAIT_UNTIL (f->turn_done);
  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "Offline");
  g_assert_cmpfloat (spark_latency_meter_get_ttft_ms (f->meter), <, 0);

  spark_latency_meter_set_session (f->meter, f->s.session);
  g_assert_cmpstr (spark_latency_meter_get_state_label (f->meter), ==, "Warm");
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init_gtk (&argc, &argv);
  g_type_ensure (SPARK_TYPE_LATENCY_METER);

  g_test_add ("/ui/latency-meter/ttft", Fixture, NULL, fixture_setup, test_ttft, fixture_teardown);
  g_test_add ("/ui/latency-meter/stalled", Fixture, NULL, fixture_setup, test_stalled, fixture_teardown);
  g_test_add ("/ui/latency-meter/fallback", Fixture, NULL, fixture_setup, test_fallback, fixture_teardown);
  g_test_add ("/ui/latency-meter/no-session", Fixture, NULL, fixture_setup, test_no_session, fixture_teardown);

  return g_test_run ();
}
