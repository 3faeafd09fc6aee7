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

struct _SparkBenchFrames
{
  GtkWidget *widget;
  guint      tick_id;
  gint64     last;
  GArray    *intervals;
};

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

  return self;
}

GArray *
spark_bench_frames_stop (SparkBenchFrames *self)
{
  GArray *intervals = self->intervals;

  gtk_widget_remove_tick_callback (self->widget, self->tick_id);
  g_object_unref (self->widget);
  g_free (self);

  return intervals;
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
