/* spark-editor-page.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

#define SPARK_TYPE_EDITOR_PAGE (spark_editor_page_get_type ())

G_DECLARE_FINAL_TYPE (SparkEditorPage, spark_editor_page, SPARK, EDITOR_PAGE, GtkWidget)

SparkEditorPage *spark_editor_page_new                  (GFile                *file);
GFile           *spark_editor_page_get_file             (SparkEditorPage      *self);
const char      *spark_editor_page_get_title            (SparkEditorPage      *self);
gboolean         spark_editor_page_get_modified         (SparkEditorPage      *self);
gboolean         spark_editor_page_get_loading          (SparkEditorPage      *self);
const char      *spark_editor_page_get_error_message    (SparkEditorPage      *self);
gboolean         spark_editor_page_get_changed_on_disk  (SparkEditorPage      *self);
gboolean         spark_editor_page_get_deleted_on_disk  (SparkEditorPage      *self);
GtkSourceBuffer *spark_editor_page_get_buffer           (SparkEditorPage      *self);
GtkSourceView   *spark_editor_page_get_view             (SparkEditorPage      *self);
void             spark_editor_page_grab_focus_editor    (SparkEditorPage      *self);
void             spark_editor_page_begin_search         (SparkEditorPage      *self,
                                                         const char           *text);
void             spark_editor_page_save_async           (SparkEditorPage      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         spark_editor_page_save_finish          (SparkEditorPage      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void             spark_editor_page_confirm_close_async  (SparkEditorPage      *self,
                                                         GtkWindow            *parent,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         spark_editor_page_confirm_close_finish (SparkEditorPage      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

char            *spark_editor_page_dup_disk_text        (SparkEditorPage      *self,
                                                         gsize                *length);
void             spark_editor_page_take_written_text    (SparkEditorPage      *self,
                                                         const char           *bytes,
                                                         gsize                 length);

G_END_DECLS
