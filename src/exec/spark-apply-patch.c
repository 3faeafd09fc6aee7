/* spark-apply-patch.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* `spark apply-patch`, `spark checkpoints` and `spark undo`: the patch
 * engine without a window. Nothing here touches GTK. */

#define G_LOG_DOMAIN "spark-apply-patch"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "spark-changeset.h"
#include "spark-checkpoints.h"
#include "spark-commands.h"
#include "spark-patch-parser.h"
#include "spark-transaction.h"
#include "spark-workspace.h"

#define EXIT_OK     0
#define EXIT_FAILED 1
#define EXIT_USAGE  2

static char *
read_input (const char  *name,
            gsize       *length,
            GError     **error)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;

  if (name != NULL && strcmp (name, "-") != 0)
    {
      char *contents = NULL;

      if (!g_file_get_contents (name, &contents, length, error))
        return NULL;
      return contents;
    }

  in = g_unix_input_stream_new (0, FALSE);
  out = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;

  /* NUL-terminate. */
  *length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  {
    GBytes *bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
    gsize len;
    const char *data = g_bytes_get_data (bytes, &len);
    char *copy = g_malloc (len + 1);

    memcpy (copy, data ? data : "", len);
    copy[len] = '\0';
    g_bytes_unref (bytes);
    return copy;
  }
}

static const char *
kind_name (SparkFileChangeKind kind)
{
  switch (kind)
    {
    case SPARK_FILE_CHANGE_ADD: return "add";
    case SPARK_FILE_CHANGE_DELETE: return "delete";
    case SPARK_FILE_CHANGE_UPDATE: return "update";
    case SPARK_FILE_CHANGE_MOVE: return "move";
    default: g_assert_not_reached ();
    }
}

static const char *
state_name (SparkHunkState state)
{
  switch (state)
    {
    case SPARK_HUNK_PENDING: return "pending";
    case SPARK_HUNK_ACCEPTED: return "accepted";
    case SPARK_HUNK_REJECTED: return "rejected";
    case SPARK_HUNK_EDITED: return "edited";
    case SPARK_HUNK_CONFLICT: return "conflict";
    default: g_assert_not_reached ();
    }
}

static void
print_json (gboolean          ok,
            gboolean          dry_run,
            SparkChangeset   *changeset,
            SparkTransaction *transaction,
            const char       *result,
            const GError     *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  SparkCheckpoint *cp = transaction ? spark_transaction_get_checkpoint (transaction) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, ok);
  json_builder_set_member_name (b, "dry_run");
  json_builder_add_boolean_value (b, dry_run);
  if (result != NULL)
    {
      json_builder_set_member_name (b, "result");
      json_builder_add_string_value (b, result);
    }
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->message);
    }
  if (cp != NULL)
    {
      json_builder_set_member_name (b, "checkpoint");
      json_builder_add_string_value (b, cp->id);
    }

  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; changeset && i < spark_changeset_get_n_files (changeset); i++)
    {
      SparkFileChange *file = spark_changeset_get_file (changeset, i);
      const GError *ferror = spark_file_change_get_error (file);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, spark_file_change_get_path (file));
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kind_name (spark_file_change_get_kind (file)));
      if (spark_file_change_get_move_path (file))
        {
          json_builder_set_member_name (b, "move_path");
          json_builder_add_string_value (b, spark_file_change_get_move_path (file));
        }
      if (ferror != NULL)
        {
          json_builder_set_member_name (b, "error");
          json_builder_add_string_value (b, ferror->message);
        }
      json_builder_set_member_name (b, "hunks");
      json_builder_begin_array (b);
      for (guint h = 0; h < spark_file_change_get_n_hunks (file); h++)
        {
          SparkHunk *hunk = spark_file_change_get_hunk (file, h);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, state_name (spark_hunk_get_state (hunk)));
          json_builder_set_member_name (b, "start_line");
          json_builder_add_int_value (b, spark_hunk_get_start_line (hunk));
          json_builder_set_member_name (b, "line_count");
          json_builder_add_int_value (b, spark_hunk_get_line_count (hunk));
          json_builder_set_member_name (b, "patch_line");
          json_builder_add_int_value (b, spark_hunk_get_patch_line (hunk));
          if (spark_hunk_get_conflict_message (hunk))
            {
              json_builder_set_member_name (b, "conflict");
              json_builder_add_string_value (b, spark_hunk_get_conflict_message (hunk));
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

static SparkWorkspace *
open_workspace (const char *root,
                int        *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  SparkWorkspace *workspace = spark_workspace_new (root ? root : cwd, &error);

  if (workspace == NULL)
    {
      g_printerr ("spark: %s\n", error->message);
      *status = EXIT_USAGE;
    }
  return workspace;
}

/* Parses the options of `spark @command` and leaves its operands in @argv,
 * refusing more than @max_operands. FALSE (usage error) after saying why. */
static gboolean
parse_command_line (const char    *command,
                    const char    *params,
                    const char    *summary,
                    GOptionEntry  *entries,
                    int            max_operands,
                    int           *argc,
                    char        ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (params);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, TRUE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("spark %s: %s\n", command, error->message);
      return FALSE;
    }
  if (*argc > max_operands + 1)
    {
      g_printerr ("spark %s: %s\n", command, _("too many arguments"));
      return FALSE;
    }
  return TRUE;
}

int
spark_apply_patch_main (int    argc,
                        char **argv)
{
  g_autofree char *root = NULL;
  gboolean dry_run = FALSE;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, N_("Project folder (default: the current folder)"), N_("DIR") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Print the hunks and conflicts, change nothing"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkWorkspace) workspace = NULL;
  g_autoptr(SparkPatchParser) parser = NULL;
  g_autoptr(SparkChangeset) changeset = NULL;
  g_autoptr(SparkTransaction) transaction = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  int status = EXIT_OK;

  if (!parse_command_line ("apply-patch", "[FILE|-]",
                           _("Apply an apply_patch patch (standard input by default), all or nothing."),
                           entries, 1, &argc, &argv))
    return EXIT_USAGE;

  text = read_input (argc == 2 ? argv[1] : NULL, &length, &error);
  if (text == NULL)
    {
      g_printerr ("spark apply-patch: %s\n", error->message);
      return EXIT_USAGE;
    }

  workspace = open_workspace (root, &status);
  if (workspace == NULL)
    return status;

  parser = spark_patch_parser_new ();
  changeset = spark_changeset_new (workspace);
  spark_changeset_follow_parser (changeset, parser);

  if (!spark_patch_parser_feed (parser, text, length, &error) ||
      !spark_patch_parser_finish (parser, &error))
    {
      g_printerr ("%s\n", error->message);
      if (json)
        print_json (FALSE, dry_run, changeset, NULL, NULL, error);
      return EXIT_FAILED;
    }

  if (dry_run)
    {
      g_autofree char *listing = spark_changeset_describe (changeset);
      gboolean clean = spark_changeset_count_state (changeset, SPARK_HUNK_CONFLICT) == 0;

      if (json)
        print_json (clean, TRUE, changeset, NULL, NULL, NULL);
      else
        g_print ("%s", listing);
      return clean ? EXIT_OK : EXIT_FAILED;
    }

  if (!spark_changeset_accept_all (changeset, &error))
    {
      g_printerr ("%s\n%s\n", error->message, _("The patch was not applied; nothing was changed."));
      if (json)
        print_json (FALSE, FALSE, changeset, NULL, NULL, error);
      return EXIT_FAILED;
    }

  transaction = spark_transaction_new (workspace, changeset);
  if (!spark_transaction_run (transaction, &error))
    {
      g_printerr ("%s\n", error->message);
      if (json)
        print_json (FALSE, FALSE, changeset, transaction, NULL, error);
      return EXIT_FAILED;
    }

  if (json)
    print_json (TRUE, FALSE, changeset, transaction,
                spark_transaction_get_result_text (transaction), NULL);
  else
    g_print ("%s", spark_transaction_get_result_text (transaction));

  return EXIT_OK;
}

int
spark_checkpoints_main (int    argc,
                        char **argv)
{
  g_autofree char *root = NULL;
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, N_("Project folder (default: the current folder)"), N_("DIR") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkWorkspace) workspace = NULL;
  g_autoptr(SparkCheckpoints) checkpoints = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int status = EXIT_OK;

  if (!parse_command_line ("checkpoints", NULL, _("List the checkpoints recorded before each apply."),
                           entries, 0, &argc, &argv))
    return EXIT_USAGE;

  workspace = open_workspace (root, &status);
  if (workspace == NULL)
    return status;

  checkpoints = spark_checkpoints_new (workspace, &error);
  if (checkpoints == NULL || (list = spark_checkpoints_list (checkpoints, &error)) == NULL)
    {
      g_printerr ("spark checkpoints: %s\n", error->message);
      return EXIT_FAILED;
    }

  for (guint i = 0; i < list->len; i++)
    {
      SparkCheckpoint *cp = g_ptr_array_index (list, i);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (cp->time);
      g_autofree char *when = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");

      g_print ("%s\t%s\t%s%s%.12s%s\n", cp->id, when, cp->summary,
               cp->commit ? " (" : "", cp->commit ? cp->commit : "", cp->commit ? ")" : "");
    }

  return EXIT_OK;
}

int
spark_undo_main (int    argc,
                 char **argv)
{
  g_autofree char *root = NULL;
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, N_("Project folder (default: the current folder)"), N_("DIR") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkWorkspace) workspace = NULL;
  g_autoptr(SparkCheckpoints) checkpoints = NULL;
  g_autoptr(SparkCheckpoint) before = NULL;
  g_autofree char *id = NULL;
  int status = EXIT_OK;

  if (!parse_command_line ("undo", "[ID]",
                           _("Restore the tree of a checkpoint (the latest by default). "
                             "The current tree is recorded first, so the undo can be undone."),
                           entries, 1, &argc, &argv))
    return EXIT_USAGE;
  if (argc == 2)
    id = g_strdup (argv[1]);

  workspace = open_workspace (root, &status);
  if (workspace == NULL)
    return status;

  checkpoints = spark_checkpoints_new (workspace, &error);
  if (checkpoints != NULL && id == NULL)
    {
      g_autoptr(GPtrArray) list = spark_checkpoints_list (checkpoints, &error);

      if (list != NULL && list->len > 0)
        id = g_strdup (((SparkCheckpoint *) g_ptr_array_index (list, list->len - 1))->id);
    }
  if (checkpoints == NULL || !spark_checkpoints_restore (checkpoints, id, &before, &error))
    {
      g_printerr ("spark undo: %s\n", error->message);
      return EXIT_FAILED;
    }

  g_print (_("Restored checkpoint %s. The tree before the undo is checkpoint %s "
             "(`spark undo %s` brings it back).\n"),
           id, before->id, before->id);

  return EXIT_OK;
}
