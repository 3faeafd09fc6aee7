/* spark-chat-wire.h — Chat Completions streaming, seen as Responses events.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _SparkChatStream SparkChatStream;

typedef void (*SparkChatEmitFunc) (JsonObject *event,
                                   gpointer    user_data);

/* Turns a Responses request body into a /chat/completions body: instructions
 * become the system message, items become messages, custom tools become JSON
 * functions taking {"input": string}. */
JsonObject      *spark_chat_build_request (JsonObject        *responses_request);

/* Turns chat.completion.chunk objects into the Responses events the session
 * understands (response.created, output_item.added, output_text.delta,
 * function_call_arguments.delta, output_item.done, response.completed). */
SparkChatStream *spark_chat_stream_new    (SparkChatEmitFunc  emit,
                                           gpointer           user_data);
void             spark_chat_stream_free   (SparkChatStream   *stream);
gboolean         spark_chat_stream_feed   (SparkChatStream   *stream,
                                           JsonObject        *chunk,
                                           GError           **error);
void             spark_chat_stream_finish (SparkChatStream   *stream);
gboolean         spark_chat_stream_is_finished (SparkChatStream *stream);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkChatStream, spark_chat_stream_free)

G_END_DECLS
