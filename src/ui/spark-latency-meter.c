/* spark-latency-meter.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-latency-meter"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-latency-meter.h"
#include "spark-resources.h"

/* How long a stream may stay silent before the meter calls it stalled. */
#define STALL_USEC       (2 * G_USEC_PER_SEC)
/* Live figures are refreshed at most this often while a response streams. */
#define TICK_MS          100
/* Completed requests listed in the popover. */
#define MAX_HISTORY      5

struct _SparkLatencyMeter
{
  GtkWidget             parent_instance;

  SparkSession         *session;
  GSignalGroup         *session_signals;

  /* SparkTurnTimings *, newest first, at most MAX_HISTORY. */
  GQueue                history;
  SparkConnectionState  state;
  const char           *state_label;
  char                 *summary;

  /* The request streaming now, as seen through the session's signals;
   * replaced by the session's SparkTurnTimings when it completes. */
  gint64                live_sent;
  gint64                live_first_token;
  gint64                live_first_patch;
  gint64                live_last_activity;
  guint                 live_deltas;
  guint                 tick_id;
  guint                 live : 1;
  guint                 dirty : 1;
  guint                 stalled : 1;

  /* Template widgets */
  GtkMenuButton        *button;
  GtkLabel             *completed_value;
  GtkLevelBar          *context_bar;
  GtkLabel             *context_label;
  GtkWidget            *dot;
  GtkLabel             *event_value;
  GtkLabel             *figures_label;
  GtkBox               *history_box;
  GtkLabel             *patch_value;
  GtkPopover           *popover;
  GtkLabel             *popover_state_label;
  GtkLabel             *sent_value;
  GtkLabel             *speed_value;
  GtkLabel             *state_label_widget;
  GtkLabel             *title_label;
  GtkLabel             *token_value;
  GtkLabel             *tokens_value;
  GtkLabel             *transport_value;
};

G_DEFINE_FINAL_TYPE (SparkLatencyMeter, spark_latency_meter, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_STALLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update (SparkLatencyMeter *self);

static void
set_label_text (GtkLabel   *label,
                const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_text (label, text);
}

static double
timings_ttft_ms (const SparkTurnTimings *timings)
{
  if (timings->first_text != 0)
    return spark_turn_timings_ms_since_sent (timings, timings->first_text);
  return spark_turn_timings_ms_since_sent (timings, timings->first_patch_byte);
}

static const SparkTurnTimings *
last_timings (SparkLatencyMeter *self)
{
  return g_queue_peek_head (&self->history);
}

static double
live_tokens_per_second (SparkLatencyMeter *self,
                        gint64             now)
{
  /* Deltas stand in for tokens until the usage arrives with the
   * completion: servers send about one token per delta. */
  if (self->live_first_token == 0 || self->live_deltas < 2 ||
      now - self->live_first_token < 100 * 1000)
    return 0.0;
  return self->live_deltas / ((now - self->live_first_token) / (double) G_USEC_PER_SEC);
}

/* A rate over less than this is noise (a local server answers at once). */
#define MIN_RATE_SPAN_USEC (50 * 1000)

static double
timings_rate (const SparkTurnTimings *timings)
{
  gint64 start = timings->first_event ? timings->first_event : timings->request_sent;

  if (timings->completed - start < MIN_RATE_SPAN_USEC)
    return 0.0;
  return spark_turn_timings_get_tokens_per_second (timings);
}

static double
current_ttft_ms (SparkLatencyMeter *self)
{
  const SparkTurnTimings *last;

  if (self->live)
    {
      if (self->live_first_token == 0)
        return -1.0;
      return (self->live_first_token - self->live_sent) / 1000.0;
    }
  if ((last = last_timings (self)) != NULL)
    return timings_ttft_ms (last);
  return -1.0;
}

static double
current_tokens_per_second (SparkLatencyMeter *self,
                           gint64             now)
{
  const SparkTurnTimings *last;

  if (self->live)
    return live_tokens_per_second (self, now);
  if ((last = last_timings (self)) != NULL)
    return timings_rate (last);
  return 0.0;
}

static guint
stall_seconds (SparkLatencyMeter *self,
               gint64             now)
{
  gint64 since = MAX (self->live_sent, self->live_last_activity);

  if (!self->live || now - since < STALL_USEC)
    return 0;
  return (guint) ((now - since) / G_USEC_PER_SEC);
}

static const char *
state_to_label (SparkLatencyMeter    *self,
                SparkConnectionState  state)
{
  switch (state)
    {
    case SPARK_CONNECTION_STATE_CONNECTING:
      /* translators: connection state in the latency meter */
      return _("Connecting");
    case SPARK_CONNECTION_STATE_WARM:
      if (self->session != NULL && spark_session_get_fell_back (self->session))
        /* translators: connection state in the latency meter: WebSocket was refused, requests go over plain HTTP */
        return _("HTTP fallback");
      /* translators: connection state in the latency meter: connected and ready, the next request starts at once */
      return _("Warm");
    case SPARK_CONNECTION_STATE_STREAMING:
      /* translators: connection state in the latency meter: a response is arriving */
      return _("Streaming");
    case SPARK_CONNECTION_STATE_RECONNECTING:
      /* translators: connection state in the latency meter */
      return _("Reconnecting");
    case SPARK_CONNECTION_STATE_FALLBACK:
      /* translators: connection state in the latency meter: WebSocket was refused, requests go over plain HTTP */
      return _("HTTP fallback");
    case SPARK_CONNECTION_STATE_OFFLINE:
    default:
      /* translators: connection state in the latency meter */
      return _("Offline");
    }
}

static const char *
state_to_css_class (SparkLatencyMeter    *self,
                    SparkConnectionState  state)
{
  switch (state)
    {
    case SPARK_CONNECTION_STATE_CONNECTING:
      return "connecting";
    case SPARK_CONNECTION_STATE_WARM:
      if (self->session != NULL && spark_session_get_fell_back (self->session))
        return "fallback";
      return "warm";
    case SPARK_CONNECTION_STATE_STREAMING:
      return "streaming";
    case SPARK_CONNECTION_STATE_RECONNECTING:
      return "reconnecting";
    case SPARK_CONNECTION_STATE_FALLBACK:
      return "fallback";
    case SPARK_CONNECTION_STATE_OFFLINE:
    default:
      return "offline";
    }
}

static char *
format_ms (double ms)
{
  if (ms < 0)
    /* translators: a timing that did not happen (no patch in the response, say) */
    return g_strdup (C_("timing", "—"));
  /* translators: a duration in milliseconds, keep it short */
  return g_strdup_printf (_("%.*f ms"), ms > 0 && ms < 10 ? 1 : 0, ms);
}

static char *
format_rate (double tokens_per_second)
{
  /* translators: output tokens per second, keep it short */
  return g_strdup_printf (_("%.0f tok/s"), tokens_per_second);
}

static const char *
transport_label (const char *transport)
{
  if (g_strcmp0 (transport, "websocket") == 0)
    return "WebSocket";
  if (g_strcmp0 (transport, "http") == 0)
    return "HTTP";
  if (g_strcmp0 (transport, "chat") == 0)
    /* translators: the transport of a request: plain HTTP to a Chat Completions endpoint */
    return _("HTTP (chat)");
  return transport != NULL ? transport : "";
}

static char *
describe_timings (const SparkTurnTimings *timings)
{
  g_autofree char *ttft = format_ms (timings_ttft_ms (timings));
  g_autofree char *total = format_ms (spark_turn_timings_ms_since_sent (timings, timings->completed));
  double rate = timings_rate (timings);

  if (rate > 0)
    {
      g_autofree char *rate_text = format_rate (rate);

      /* translators: one past request in the latency popover: time to first token,
       * total time, speed, e.g. "first token 210 ms · done 930 ms · 42 tok/s" */
      return g_strdup_printf (_("first token %s · done %s · %s"), ttft, total, rate_text);
    }
  /* translators: one past request in the latency popover: time to first token,
   * total time, e.g. "first token 210 ms · done 930 ms" */
  return g_strdup_printf (_("first token %s · done %s"), ttft, total);
}

static void
update_history (SparkLatencyMeter *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_box))) != NULL)
    gtk_box_remove (self->history_box, child);

  if (self->history.length == 0)
    {
      /* translators: in the latency popover, before the first request */
      child = gtk_label_new (_("None yet"));
      gtk_widget_add_css_class (child, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (child), 0);
      gtk_box_append (self->history_box, child);
      return;
    }

  for (const GList *l = self->history.head; l != NULL; l = l->next)
    {
      g_autofree char *text = describe_timings (l->data);

      child = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (child), 0);
      gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (child, "numeric");
      gtk_widget_add_css_class (child, "caption");
      gtk_box_append (self->history_box, child);
    }
}

static void
update_popover (SparkLatencyMeter *self,
                gint64             now)
{
  const SparkTurnTimings *last = last_timings (self);
  g_autofree char *context = NULL;
  guint used = 0, window = 0;

  set_label_text (self->popover_state_label, self->state_label);

  if (self->live)
    {
      /* Only what the signals show: the first event and the usage come
       * with the completion. */
      g_autofree char *token = NULL;
      g_autofree char *patch = NULL;
      g_autofree char *zero = format_ms (0);
      g_autofree char *elapsed = format_ms ((now - self->live_sent) / 1000.0);
      g_autofree char *deltas = NULL;
      g_autofree char *rate = NULL;
      double tps = live_tokens_per_second (self, now);

      /* translators: heading of the latency popover while a response streams */
      set_label_text (self->title_label, _("Current Request"));
      set_label_text (self->sent_value, zero);
      /* translators: a timing not known yet while the response streams */
      set_label_text (self->event_value, C_("timing", "…"));
      token = self->live_first_token
        ? format_ms ((self->live_first_token - self->live_sent) / 1000.0)
        : g_strdup (C_("timing", "…"));
      set_label_text (self->token_value, token);
      patch = self->live_first_patch
        ? format_ms ((self->live_first_patch - self->live_sent) / 1000.0)
        : g_strdup (C_("timing", "…"));
      set_label_text (self->patch_value, patch);
      {
        /* translators: the "Completed" row while the response still streams: time so far */
        g_autofree char *running = g_strdup_printf (_("running, %s"), elapsed);

        set_label_text (self->completed_value, running);
      }
      /* translators: the "Tokens" row while streaming: text and patch pieces received so far */
      deltas = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u delta so far", "%u deltas so far",
                                             self->live_deltas),
                                self->live_deltas);
      set_label_text (self->tokens_value, deltas);
      rate = tps > 0 ? format_rate (tps) : g_strdup (C_("timing", "…"));
      set_label_text (self->speed_value, rate);
      set_label_text (self->transport_value, C_("timing", "…"));
    }
  else if (last != NULL)
    {
      g_autofree char *event = format_ms (spark_turn_timings_ms_since_sent (last, last->first_event));
      g_autofree char *token = format_ms (spark_turn_timings_ms_since_sent (last, last->first_text));
      g_autofree char *patch = format_ms (spark_turn_timings_ms_since_sent (last, last->first_patch_byte));
      g_autofree char *completed = format_ms (spark_turn_timings_ms_since_sent (last, last->completed));
      g_autofree char *zero = format_ms (0);
      g_autofree char *in = NULL;
      g_autofree char *cached = NULL;
      g_autofree char *out = NULL;
      g_autofree char *tokens = NULL;
      g_autofree char *rate = NULL;
      g_autofree char *transport = NULL;
      double tps = timings_rate (last);

      /* translators: heading of the latency popover: the request that finished last */
      set_label_text (self->title_label, _("Last Request"));
      set_label_text (self->sent_value, zero);
      set_label_text (self->event_value, event);
      set_label_text (self->token_value, token);
      set_label_text (self->patch_value, patch);
      set_label_text (self->completed_value, completed);
      in = g_strdup_printf ("%" G_GINT64_FORMAT, last->input_tokens);
      cached = g_strdup_printf ("%" G_GINT64_FORMAT, last->cached_tokens);
      out = g_strdup_printf ("%" G_GINT64_FORMAT, last->output_tokens);
      /* translators: the "Tokens" row of the latency popover: input (cached) and output tokens,
       * e.g. "120 in (0 cached) · 20 out" */
      tokens = g_strdup_printf (_("%s in (%s cached) · %s out"), in, cached, out);
      set_label_text (self->tokens_value, tokens);
      rate = tps > 0 ? format_rate (tps) : g_strdup (C_("timing", "—"));
      set_label_text (self->speed_value, rate);
      if (last->attempt > 1)
        /* translators: the "Transport" row: transport name and which try this was, e.g. "WebSocket, try 2" */
        transport = g_strdup_printf (_("%s, try %u"), transport_label (last->transport), last->attempt);
      else
        transport = g_strdup (transport_label (last->transport));
      set_label_text (self->transport_value, transport);
    }
  else
    {
      /* translators: heading of the latency popover before the first request */
      set_label_text (self->title_label, _("No Requests Yet"));
      set_label_text (self->sent_value, C_("timing", "—"));
      set_label_text (self->event_value, C_("timing", "—"));
      set_label_text (self->token_value, C_("timing", "—"));
      set_label_text (self->patch_value, C_("timing", "—"));
      set_label_text (self->completed_value, C_("timing", "—"));
      set_label_text (self->tokens_value, C_("timing", "—"));
      set_label_text (self->speed_value, C_("timing", "—"));
      set_label_text (self->transport_value, C_("timing", "—"));
    }

  if (self->session != NULL)
    {
      used = spark_session_get_context_used (self->session);
      window = spark_session_get_context_window (self->session);
    }
  if (window > 0)
    /* translators: context usage: tokens used / tokens the model accepts, e.g.
     * "140 / 128000 tokens"; the plural follows the second number */
    context = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u / %u token", "%u / %u tokens", window),
                               used, window);
  else
    /* translators: context usage when the model's window is unknown */
    context = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u token", "%u tokens", used), used);
  set_label_text (self->context_label, context);
  gtk_level_bar_set_value (self->context_bar, window > 0 ? MIN (1.0, used / (double) window) : 0.0);
}

static void
update (SparkLatencyMeter *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autofree char *figures = NULL;
  double ttft = current_ttft_ms (self);
  double tps = current_tokens_per_second (self, now);
  guint stalled_for = stall_seconds (self, now);
  gboolean stalled = stalled_for > 0;
  const char *css_class;

  self->dirty = FALSE;
  self->state_label = state_to_label (self, self->state);
  css_class = stalled ? "stalled" : state_to_css_class (self, self->state);
  gtk_widget_set_css_classes (self->dot, (const char *[]) { "spark-latency-dot", css_class, NULL });
  set_label_text (self->state_label_widget, self->state_label);
  g_string_append (summary, self->state_label);

  if (stalled)
    {
      /* translators: shown in the header bar when nothing arrived for a while, e.g. "stalled 3 s" */
      figures = g_strdup_printf (_("stalled %u s"), stalled_for);
      g_string_append (summary, ". ");
      g_string_append_printf (summary,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "Nothing arrived for %u second",
                                           "Nothing arrived for %u seconds",
                                           stalled_for),
                              stalled_for);
    }
  else if (ttft >= 0)
    {
      g_autofree char *ttft_text = format_ms (ttft);

      if (tps > 0)
        {
          g_autofree char *rate_text = format_rate (tps);

          /* translators: header bar figures: time to first token · tokens per second */
          figures = g_strdup_printf (_("%s · %s"), ttft_text, rate_text);
        }
      else
        figures = g_strdup (ttft_text);
    }
  else if (self->live)
    /* translators: header bar figures while waiting for the first token */
    figures = g_strdup (_("waiting…"));

  if (ttft >= 0)
    {
      g_string_append (summary, ". ");
      if (tps > 0)
        /* translators: accessible description of the latency meter: milliseconds to the
         * first token, then tokens per second; the plural follows the second number */
        g_string_append_printf (summary,
                                g_dngettext (GETTEXT_PACKAGE,
                                             "Time to first token %.0f ms, %.0f token per second",
                                             "Time to first token %.0f ms, %.0f tokens per second",
                                             (gulong) (tps + 0.5)),
                                ttft, tps);
      else
        /* translators: accessible description of the latency meter */
        g_string_append_printf (summary, _("Time to first token %.0f ms"), ttft);
    }
  if (self->session != NULL && spark_session_get_context_window (self->session) > 0)
    {
      guint context_window = spark_session_get_context_window (self->session);

      g_string_append (summary, ". ");
      /* translators: accessible description of the latency meter; the plural
       * follows the second number */
      g_string_append_printf (summary,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "Context %u of %u token used",
                                           "Context %u of %u tokens used",
                                           context_window),
                              spark_session_get_context_used (self->session), context_window);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->figures_label), figures != NULL);
  set_label_text (self->figures_label, figures != NULL ? figures : "");
  if (stalled)
    gtk_widget_add_css_class (GTK_WIDGET (self->figures_label), "spark-latency-stalled");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->figures_label), "spark-latency-stalled");

  if (g_strcmp0 (summary->str, self->summary) != 0)
    {
      g_free (self->summary);
      self->summary = g_strdup (summary->str);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->summary,
                                      -1);
    }

  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    update_popover (self, now);

  if (self->stalled != stalled)
    {
      self->stalled = stalled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALLED]);
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  SparkLatencyMeter *self = user_data;
  gint64 now = g_get_monotonic_time ();

  /* Deltas only mark the meter dirty; the labels change here, at most
   * every TICK_MS, and every second while stalled (the timer). */
  if (self->dirty || self->stalled != (stall_seconds (self, now) > 0) || self->stalled ||
      gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    update (self);
  return G_SOURCE_CONTINUE;
}

static void
begin_live (SparkLatencyMeter *self)
{
  self->live = TRUE;
  self->live_sent = g_get_monotonic_time ();
  self->live_first_token = 0;
  self->live_first_patch = 0;
  self->live_last_activity = 0;
  self->live_deltas = 0;
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
}

static void
end_live (SparkLatencyMeter *self)
{
  self->live = FALSE;
  g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
connection_state_cb (SparkLatencyMeter *self,
                     GParamSpec        *pspec,
                     SparkSession      *session)
{
  SparkConnectionState state = spark_session_get_connection_state (session);

  if (state == self->state)
    return;

  /* The session sets STREAMING right after it stamps request_sent. */
  if (state == SPARK_CONNECTION_STATE_STREAMING)
    begin_live (self);
  else if (self->state == SPARK_CONNECTION_STATE_STREAMING)
    end_live (self);

  self->state = state;
  update (self);
}

static void
context_cb (SparkLatencyMeter *self,
            GParamSpec        *pspec,
            SparkSession      *session)
{
  update (self);
}

static void
note_activity (SparkLatencyMeter *self,
               gboolean           is_token,
               gboolean           is_patch)
{
  gint64 now;

  if (!self->live)
    return;

  now = g_get_monotonic_time ();
  self->live_last_activity = now;
  if (is_token)
    {
      self->live_deltas++;
      if (self->live_first_token == 0)
        self->live_first_token = now;
    }
  if (is_patch && self->live_first_patch == 0)
    self->live_first_patch = now;
  self->dirty = TRUE;
}

static void
text_delta_cb (SparkLatencyMeter *self,
               const char        *item_id,
               const char        *delta,
               SparkSession      *session)
{
  note_activity (self, TRUE, FALSE);
}

static void
reasoning_delta_cb (SparkLatencyMeter *self,
                    const char        *item_id,
                    const char        *delta,
                    SparkSession      *session)
{
  note_activity (self, FALSE, FALSE);
}

static void
tool_call_delta_cb (SparkLatencyMeter *self,
                    SparkToolCall     *call,
                    const char        *delta,
                    SparkSession      *session)
{
  gboolean is_patch = spark_tool_call_is_patch (call);

  note_activity (self, is_patch, is_patch);
}

static void
tool_call_started_cb (SparkLatencyMeter *self,
                      SparkToolCall     *call,
                      SparkSession      *session)
{
  note_activity (self, FALSE, FALSE);
}

static void
response_completed_cb (SparkLatencyMeter *self,
                       const char        *response_id,
                       SparkTurnTimings  *timings,
                       SparkSession      *session)
{
  g_queue_push_head (&self->history, spark_turn_timings_copy (timings));
  while (self->history.length > MAX_HISTORY)
    spark_turn_timings_free (g_queue_pop_tail (&self->history));

  /* The session leaves STREAMING right after this signal. */
  end_live (self);
  update_history (self);
  update (self);
}

static void
popover_show_cb (SparkLatencyMeter *self,
                 GtkPopover        *popover)
{
  update_popover (self, g_get_monotonic_time ());
}

static void
spark_latency_meter_dispose (GObject *object)
{
  SparkLatencyMeter *self = SPARK_LATENCY_METER (object);

  end_live (self);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPARK_TYPE_LATENCY_METER);

  G_OBJECT_CLASS (spark_latency_meter_parent_class)->dispose (object);
}

static void
spark_latency_meter_finalize (GObject *object)
{
  SparkLatencyMeter *self = SPARK_LATENCY_METER (object);

  g_queue_clear_full (&self->history, (GDestroyNotify) spark_turn_timings_free);
  g_free (self->summary);

  G_OBJECT_CLASS (spark_latency_meter_parent_class)->finalize (object);
}

static void
spark_latency_meter_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SparkLatencyMeter *self = SPARK_LATENCY_METER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_STALLED:
      g_value_set_boolean (value, self->stalled);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_latency_meter_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SparkLatencyMeter *self = SPARK_LATENCY_METER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      spark_latency_meter_set_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_latency_meter_class_init (SparkLatencyMeterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_latency_meter_dispose;
  object_class->finalize = spark_latency_meter_finalize;
  object_class->get_property = spark_latency_meter_get_property;
  object_class->set_property = spark_latency_meter_set_property;

  /**
   * SparkLatencyMeter:session:
   * The session whose connection and timings are shown, or %NULL.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         SPARK_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * SparkLatencyMeter:stalled:
   * A response is streaming and nothing arrived for 2 s or more.
   */
  properties[PROP_STALLED] =
    g_param_spec_boolean ("stalled", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sparklatencymeter");

  g_assert (spark_get_resource () != NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sparkcode/Spark/spark-latency-meter.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, button);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, completed_value);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, context_bar);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, context_label);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, dot);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, event_value);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, figures_label);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, history_box);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, patch_value);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, popover);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, popover_state_label);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, sent_value);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, speed_value);
  gtk_widget_class_bind_template_child_full (widget_class, "state_label", FALSE,
                                             G_STRUCT_OFFSET (SparkLatencyMeter, state_label_widget));
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, title_label);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, token_value);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, tokens_value);
  gtk_widget_class_bind_template_child (widget_class, SparkLatencyMeter, transport_value);

  gtk_widget_class_bind_template_callback (widget_class, popover_show_cb);
}

static void
spark_latency_meter_init (SparkLatencyMeter *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_queue_init (&self->history);
  self->state = SPARK_CONNECTION_STATE_OFFLINE;

  /* Context usage: ordinary until 75 %, then a warning, then an error. */
  gtk_level_bar_remove_offset_value (self->context_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->context_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->context_bar, GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_level_bar_add_offset_value (self->context_bar, "spark-context-ok", 0.75);
  gtk_level_bar_add_offset_value (self->context_bar, "spark-context-high", 0.9);
  gtk_level_bar_add_offset_value (self->context_bar, "spark-context-full", 1.0);

  self->session_signals = g_signal_group_new (SPARK_TYPE_SESSION);
  g_signal_group_connect_object (self->session_signals, "notify::connection-state",
                                 G_CALLBACK (connection_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::context-used",
                                 G_CALLBACK (context_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::context-window",
                                 G_CALLBACK (context_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "text-delta",
                                 G_CALLBACK (text_delta_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "reasoning-delta",
                                 G_CALLBACK (reasoning_delta_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "tool-call-started",
                                 G_CALLBACK (tool_call_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "tool-call-delta",
                                 G_CALLBACK (tool_call_delta_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "response-completed",
                                 G_CALLBACK (response_completed_cb), self, G_CONNECT_SWAPPED);

  update_history (self);
  update (self);
}

SparkLatencyMeter *
spark_latency_meter_new (void)
{
  return g_object_new (SPARK_TYPE_LATENCY_METER, NULL);
}

SparkSession *
spark_latency_meter_get_session (SparkLatencyMeter *self)
{
  g_return_val_if_fail (SPARK_IS_LATENCY_METER (self), NULL);

  return self->session;
}

/**
 * spark_latency_meter_set_session:
 * @session: (nullable): the session to follow
 *
 * Follows @session from now on; the figures of the previous session are
 * forgotten.
 */
void
spark_latency_meter_set_session (SparkLatencyMeter *self,
                                 SparkSession      *session)
{
  g_return_if_fail (SPARK_IS_LATENCY_METER (self));
  g_return_if_fail (session == NULL || SPARK_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  end_live (self);
  g_queue_clear_full (&self->history, (GDestroyNotify) spark_turn_timings_free);
  g_signal_group_set_target (self->session_signals, session);

  self->state = session != NULL ? spark_session_get_connection_state (session)
                                : SPARK_CONNECTION_STATE_OFFLINE;
  /* Joining mid-stream: the request went out before we looked. */
  if (self->state == SPARK_CONNECTION_STATE_STREAMING)
    begin_live (self);

  update_history (self);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

double
spark_latency_meter_get_ttft_ms (SparkLatencyMeter *self)
{
  g_return_val_if_fail (SPARK_IS_LATENCY_METER (self), -1.0);

  return current_ttft_ms (self);
}

const char *
spark_latency_meter_get_state_label (SparkLatencyMeter *self)
{
  g_return_val_if_fail (SPARK_IS_LATENCY_METER (self), NULL);

  return self->state_label;
}

gboolean
spark_latency_meter_get_stalled (SparkLatencyMeter *self)
{
  g_return_val_if_fail (SPARK_IS_LATENCY_METER (self), FALSE);

  return self->stalled;
}

const char *
spark_latency_meter_get_summary (SparkLatencyMeter *self)
{
  g_return_val_if_fail (SPARK_IS_LATENCY_METER (self), NULL);

  return self->summary;
}
