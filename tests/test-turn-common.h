/* test-turn-common.h — whole turns through SparkAssistant and the chat
 * transcript against the fake server, without a display (test-faults,
 * test-bad-input).
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-assistant.h"
#include "spark-fake-server.h"
#include "spark-transcript.h"

G_BEGIN_DECLS

typedef struct _TurnFixture TurnFixture;

/* Called while a turn runs, whenever the assistant waits for a decision on
 * its proposal. The default accepts every pending hunk and applies. */
typedef void (*TurnReviewFunc) (TurnFixture *f);

struct _TurnFixture
{
  SparkFakeServer *server;
  char            *root;
  char            *store;
  GSettings       *settings;
  SparkProject    *project;
  SparkAssistant  *assistant;
  SparkSession    *session;      /* the assistant's */
  SparkTranscript *transcript;   /* what the chat pane shows */
  GPtrArray       *errors;       /* GError *: every ::error of the session */
  GPtrArray       *outputs;      /* char *: every tool output sent to the model */
  GString         *states;       /* connection states, space-separated */
  GError          *turn_error;   /* of the latest turn */
  guint            turns;        /* ::turn-finished so far */
  guint            drops;        /* the assistant's ::stream-dropped so far */
  TurnReviewFunc   review;
  TurnReviewFunc   tick;         /* called at every main loop iteration of a turn */
  gpointer         data;         /* for the test */
};

/* A project with hello.txt, an assistant in "ask" mode on @transport
 * ("websocket", "http" or "auto") against a fresh fake server, warmed up. */
void         turn_fixture_setup      (TurnFixture *f,
                                      const char  *transport);
void         turn_fixture_teardown   (TurnFixture *f);

/* Sends @prompt and waits (at most @timeout seconds) for its turn to finish,
 * reviewing proposals meanwhile. Returns the turn's error (borrowed). */
const GError *turn_run               (TurnFixture *f,
                                      const char  *prompt,
                                      guint        timeout);
/* The same, failing the test if the turn ends with an error. */
void         turn_run_ok             (TurnFixture *f,
                                      const char  *prompt);
/* Iterates the main context until @cond (a function of @f) holds. */
void         turn_wait               (TurnFixture *f,
                                      gboolean   (*cond) (TurnFixture *f),
                                      const char  *what);

void         turn_accept_and_apply   (TurnFixture *f);
guint        turn_count_items        (TurnFixture         *f,
                                      SparkTranscriptKind  kind);
/* The text of the last transcript item of @kind, or NULL. */
const char  *turn_last_text          (TurnFixture         *f,
                                      SparkTranscriptKind  kind);
/* The last tool output the model was sent, or NULL. */
const char  *turn_last_output        (TurnFixture         *f);
/* Every generating request's JSON text, joined: what the model was sent. */
char        *turn_dup_requests       (TurnFixture         *f);

G_END_DECLS
