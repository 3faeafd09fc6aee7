/* spark-bench-gtk.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <pthread.h>
#include <time.h>

#include "spark-bench-gtk.h"
#include "spark-fake-server.h"

struct _SparkBenchServer
{
  GMutex           lock;
  GCond            cond;
  GThread         *thread;
  pthread_t        pthread;
  GMainContext    *context;
  GMainLoop       *loop;
  SparkFakeServer *server;
  char            *base_url;
};

static gpointer
server_thread_main (gpointer data)
{
  SparkBenchServer *self = data;
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  self->server = spark_fake_server_new ();
  self->loop = g_main_loop_new (context, FALSE);

  g_mutex_lock (&self->lock);
  self->pthread = pthread_self ();
  self->context = context;
  self->base_url = g_strdup (spark_fake_server_get_base_url (self->server));
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

  spark_fake_server_free (self->server);
  g_main_loop_unref (self->loop);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

SparkBenchServer *
spark_bench_server_start (void)
{
  SparkBenchServer *self = g_new0 (SparkBenchServer, 1);

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  g_mutex_lock (&self->lock);
  self->thread = g_thread_new ("fake-server", server_thread_main, self);
  while (self->base_url == NULL)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  return self;
}

typedef struct
{
  SparkBenchServer *self;
  GSourceFunc       func;
  gpointer          data;
  gboolean          done;
} Call;

static gboolean
call_in_thread_cb (gpointer data)
{
  Call *call = data;

  call->func (call->data);

  g_mutex_lock (&call->self->lock);
  call->done = TRUE;
  g_cond_broadcast (&call->self->cond);
  g_mutex_unlock (&call->self->lock);

  return G_SOURCE_REMOVE;
}

/* Runs @func in the server thread and waits for it: the fake server is not
 * thread-safe. */
static void
call_in_thread (SparkBenchServer *self,
                GSourceFunc       func,
                gpointer          data)
{
  Call call = { self, func, data, FALSE };
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, call_in_thread_cb, &call, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);

  g_mutex_lock (&self->lock);
  while (!call.done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

static gboolean
quit_cb (gpointer data)
{
  SparkBenchServer *self = data;

  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

void
spark_bench_server_stop (SparkBenchServer *self)
{
  if (self == NULL)
    return;

  call_in_thread (self, quit_cb, self);
  g_thread_join (self->thread);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->base_url);
  g_free (self);
}

const char *
spark_bench_server_get_base_url (SparkBenchServer *self)
{
  return self->base_url;
}

typedef struct
{
  SparkBenchServer *self;
  const char       *text;
  guint             delay;
} Push;

static gboolean
push_text_cb (gpointer data)
{
  Push *push = data;

  spark_fake_server_push_text (push->self->server, push->text);
  return G_SOURCE_REMOVE;
}

void
spark_bench_server_push_text (SparkBenchServer *self,
                              const char       *jsonl)
{
  Push push = { self, jsonl, 0 };

  call_in_thread (self, push_text_cb, &push);
}

static gboolean
set_delay_cb (gpointer data)
{
  Push *push = data;

  spark_fake_server_set_event_delay (push->self->server, push->delay);
  return G_SOURCE_REMOVE;
}

void
spark_bench_server_set_event_delay (SparkBenchServer *self,
                                    guint             usec)
{
  Push push = { self, NULL, usec };

  call_in_thread (self, set_delay_cb, &push);
}

static gint64
clock_us (clockid_t clock)
{
  struct timespec ts;

  if (clock_gettime (clock, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

gint64
spark_bench_server_get_cpu_us (SparkBenchServer *self)
{
  clockid_t clock;

  if (pthread_getcpuclockid (self->pthread, &clock) != 0)
    g_error ("Cannot read the server thread's CPU clock");
  return clock_us (clock);
}

gint64
spark_bench_process_cpu_us (void)
{
  return clock_us (CLOCK_PROCESS_CPUTIME_ID);
}

/* Frames */

/* With SPARK_BENCH_FRAME_DETAIL set, each frame's phases are timed and the
 * long frames are printed to stderr on stop: where their time went. */
typedef enum
{
  PHASE_BEFORE_PAINT,
  PHASE_UPDATE,
  PHASE_LAYOUT,
  PHASE_PAINT,
  PHASE_AFTER_PAINT,
  N_PHASES
} Phase;

typedef struct
{
  gint64 at[N_PHASES];
  gint64 cpu[N_PHASES];    /* the main thread's CPU time, robust to load */
} FrameTimes;

struct _SparkBenchFrames
{
  GtkWidget     *widget;
  guint          tick_id;
  gint64         last;
  GArray        *intervals;
  GdkFrameClock *clock;
  GArray        *detail;       /* FrameTimes, or NULL */
  gulong         handlers[N_PHASES];
};

static void
phase_cb (GdkFrameClock    *clock,
          SparkBenchFrames *self,
          Phase             phase)
{
  FrameTimes *frame;

  if (phase == PHASE_BEFORE_PAINT)
    g_array_set_size (self->detail, self->detail->len + 1);
  if (self->detail->len == 0)
    return;

  frame = &g_array_index (self->detail, FrameTimes, self->detail->len - 1);
  frame->at[phase] = g_get_monotonic_time ();
  frame->cpu[phase] = clock_us (CLOCK_THREAD_CPUTIME_ID);
}

#define PHASE_CB(name, phase)                                           \
  static void name (GdkFrameClock *c, gpointer d) { phase_cb (c, d, phase); }
PHASE_CB (before_paint_cb, PHASE_BEFORE_PAINT)
PHASE_CB (update_cb, PHASE_UPDATE)
PHASE_CB (layout_cb, PHASE_LAYOUT)
PHASE_CB (paint_cb, PHASE_PAINT)
PHASE_CB (after_paint_cb, PHASE_AFTER_PAINT)
#undef PHASE_CB

/* The handlers run after GTK's own (connected after): each time is the end
 * of that phase. Frame n's interval runs from the end of frame n-1 to the end
 * of frame n: the gap (the main loop's other sources), then each phase. */
static void
print_detail (GArray *detail)
{
  double gap_total = 0, phase_total[N_PHASES] = { 0 };
  double gap_cpu_total = 0, cpu_total[N_PHASES] = { 0 };

  for (guint i = 1; i < detail->len; i++)
    {
      FrameTimes *prev = &g_array_index (detail, FrameTimes, i - 1);
      FrameTimes *f = &g_array_index (detail, FrameTimes, i);
      double gap, update, layout, paint, total;
      double gap_cpu, update_cpu, layout_cpu, paint_cpu;

      if (prev->at[PHASE_AFTER_PAINT] == 0 || f->at[PHASE_AFTER_PAINT] == 0 ||
          f->at[PHASE_UPDATE] == 0 || f->at[PHASE_LAYOUT] == 0 || f->at[PHASE_PAINT] == 0)
        continue;

      gap = (f->at[PHASE_BEFORE_PAINT] - prev->at[PHASE_AFTER_PAINT]) / 1000.0;
      update = (f->at[PHASE_UPDATE] - f->at[PHASE_BEFORE_PAINT]) / 1000.0;
      layout = (f->at[PHASE_LAYOUT] - f->at[PHASE_UPDATE]) / 1000.0;
      paint = (f->at[PHASE_PAINT] - f->at[PHASE_LAYOUT]) / 1000.0;
      total = (f->at[PHASE_AFTER_PAINT] - prev->at[PHASE_AFTER_PAINT]) / 1000.0;
      gap_cpu = (f->cpu[PHASE_BEFORE_PAINT] - prev->cpu[PHASE_AFTER_PAINT]) / 1000.0;
      update_cpu = (f->cpu[PHASE_UPDATE] - f->cpu[PHASE_BEFORE_PAINT]) / 1000.0;
      layout_cpu = (f->cpu[PHASE_LAYOUT] - f->cpu[PHASE_UPDATE]) / 1000.0;
      paint_cpu = (f->cpu[PHASE_PAINT] - f->cpu[PHASE_LAYOUT]) / 1000.0;
      gap_total += gap;
      phase_total[PHASE_UPDATE] += update;
      phase_total[PHASE_LAYOUT] += layout;
      phase_total[PHASE_PAINT] += paint;
      gap_cpu_total += gap_cpu;
      cpu_total[PHASE_UPDATE] += update_cpu;
      cpu_total[PHASE_LAYOUT] += layout_cpu;
      cpu_total[PHASE_PAINT] += paint_cpu;

      if (total > 20.0 || gap_cpu + update_cpu + layout_cpu + paint_cpu > 12.0)
        g_printerr ("frame %4u at %" G_GINT64_FORMAT ": %6.2f ms = gap %6.2f + update %6.2f + "
                    "layout %6.2f + paint %6.2f; cpu gap %6.2f update %6.2f layout %6.2f "
                    "paint %6.2f\n", i, f->at[PHASE_BEFORE_PAINT], total, gap, update, layout,
                    paint, gap_cpu, update_cpu, layout_cpu, paint_cpu);
    }
  g_printerr ("%u frames: gap %.0f ms, update %.0f ms, layout %.0f ms, paint %.0f ms; "
              "cpu: gap %.0f ms, update %.0f ms, layout %.0f ms, paint %.0f ms\n",
              detail->len, gap_total, phase_total[PHASE_UPDATE], phase_total[PHASE_LAYOUT],
              phase_total[PHASE_PAINT], gap_cpu_total, cpu_total[PHASE_UPDATE],
              cpu_total[PHASE_LAYOUT], cpu_total[PHASE_PAINT]);
}

static gboolean
frame_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       data)
{
  SparkBenchFrames *self = data;
  gint64 now = g_get_monotonic_time ();

  if (self->last != 0)
    {
      double ms = (now - self->last) / 1000.0;

      g_array_append_val (self->intervals, ms);
    }
  self->last = now;

  return G_SOURCE_CONTINUE;
}

SparkBenchFrames *
spark_bench_frames_start (GtkWidget *widget)
{
  SparkBenchFrames *self = g_new0 (SparkBenchFrames, 1);

  self->widget = g_object_ref (widget);
  self->intervals = g_array_new (FALSE, FALSE, sizeof (double));
  self->tick_id = gtk_widget_add_tick_callback (widget, frame_tick_cb, self, NULL);

  if (g_getenv ("SPARK_BENCH_FRAME_DETAIL") != NULL)
    {
      self->clock = g_object_ref (gtk_widget_get_frame_clock (widget));
      self->detail = g_array_new (FALSE, TRUE, sizeof (FrameTimes));
      self->handlers[PHASE_BEFORE_PAINT] =
        g_signal_connect_after (self->clock, "before-paint", G_CALLBACK (before_paint_cb), self);
      self->handlers[PHASE_UPDATE] =
        g_signal_connect_after (self->clock, "update", G_CALLBACK (update_cb), self);
      self->handlers[PHASE_LAYOUT] =
        g_signal_connect_after (self->clock, "layout", G_CALLBACK (layout_cb), self);
      self->handlers[PHASE_PAINT] =
        g_signal_connect_after (self->clock, "paint", G_CALLBACK (paint_cb), self);
      self->handlers[PHASE_AFTER_PAINT] =
        g_signal_connect_after (self->clock, "after-paint", G_CALLBACK (after_paint_cb), self);
    }

  return self;
}

GArray *
spark_bench_frames_stop (SparkBenchFrames *self)
{
  GArray *intervals = self->intervals;

  gtk_widget_remove_tick_callback (self->widget, self->tick_id);
  if (self->detail != NULL)
    {
      for (guint i = 0; i < N_PHASES; i++)
        g_signal_handler_disconnect (self->clock, self->handlers[i]);
      print_detail (self->detail);
      g_array_unref (self->detail);
      g_object_unref (self->clock);
    }
  g_object_unref (self->widget);
  g_free (self);

  return intervals;
}

guint
spark_bench_deadline_s (void)
{
  const char *env = g_getenv ("SPARK_BENCH_DEADLINE");
  guint64 seconds = env ? g_ascii_strtoull (env, NULL, 10) : 0;

  return seconds > 0 ? (guint) seconds : 60;
}

void
spark_bench_iterate_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (500);
    }
}

GtkWidget *
spark_bench_find_widget (GtkWidget *widget,
                         GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = spark_bench_find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}
