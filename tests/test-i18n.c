/* test-i18n.c: under German, the person reads German and the model English.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The process runs with LANGUAGE=de and the catalogue the build compiled
 * from po/de.po (SPARK_TEST_LOCALEDIR), in the C.UTF-8 locale: glibc honours
 * LANGUAGE in every locale but "C", so no German locale has to be generated
 * on the machine.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-audience.h"
#include "spark-changeset.h"
#include "spark-file-util.h"
#include "spark-patch-hand-off.h"
#include "spark-test-utils.h"
#include "spark-tools.h"
#include "test-changeset-common.h"
#include "test-session-common.h"

typedef TpWorkspace Fixture;

/* Applies @cs in the person's scope, as the Apply button does: returns the
 * result for the model, with the person's report in *@report. */
static char *
apply_in_person_scope (SparkChangeset  *cs,
                       const char     **report)
{
  g_autoptr(GError) error = NULL;
  char *result = spark_changeset_apply (cs, &error);

  g_assert_no_error (error);
  *report = spark_changeset_get_report (cs);
  g_test_message ("model: %s", result);
  g_test_message ("person: %s", *report);

  return result;
}

/* Fails unless the German catalogue is really in use: every other check
 * here would pass vacuously in English. */
static void
test_catalogue (void)
{
  g_assert_cmpstr (_("Open Folder"), ==, "Ordner öffnen");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u hunk", "%u hunks", 2), ==, "%u Abschnitte");
}

static void
test_scopes (void)
{
  g_assert_cmpint (spark_audience_get (), ==, SPARK_AUDIENCE_PERSON);

  spark_audience_push (SPARK_AUDIENCE_MODEL);
  g_assert_cmpint (spark_audience_get (), ==, SPARK_AUDIENCE_MODEL);
  g_assert_cmpstr (_("Open Folder"), ==, "Open Folder");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u hunk", "%u hunks", 2), ==, "%u hunks");
  g_assert_cmpstr (spark_audience_strerror (ENOENT), ==, "No such file or directory");
  g_assert_cmpstr (spark_audience_pick ("Deutsch", "English"), ==, "English");

  /* Nested: the person's language again, then back to the model's. */
  spark_audience_push (SPARK_AUDIENCE_PERSON);
  g_assert_cmpstr (_("Open Folder"), ==, "Ordner öffnen");
  g_assert_cmpstr (spark_audience_pick ("Deutsch", "English"), ==, "Deutsch");
  spark_audience_pop ();
  g_assert_cmpstr (_("Open Folder"), ==, "Open Folder");
  spark_audience_pop ();

  g_assert_cmpint (spark_audience_get (), ==, SPARK_AUDIENCE_PERSON);
  g_assert_cmpstr (_("Open Folder"), ==, "Ordner öffnen");
  /* The person's strerror is the process's (German only where the C
   * library's catalogue is installed). */
  g_assert_cmpstr (spark_audience_strerror (ENOENT), ==, strerror (ENOENT));
  g_assert_cmpstr (spark_audience_pick ("Deutsch", NULL), ==, "Deutsch");
}

typedef struct
{
  GMutex    lock;
  GCond     cond;
  int       step;
  char     *seen;
} Handshake;

static void
wait_step (Handshake *h,
           int        step)
{
  g_mutex_lock (&h->lock);
  while (h->step < step)
    g_cond_wait (&h->cond, &h->lock);
  g_mutex_unlock (&h->lock);
}

static void
set_step (Handshake *h,
          int        step)
{
  g_mutex_lock (&h->lock);
  h->step = step;
  g_cond_broadcast (&h->cond);
  g_mutex_unlock (&h->lock);
}

static gpointer
model_thread (gpointer data)
{
  Handshake *h = data;

  spark_audience_push (SPARK_AUDIENCE_MODEL);
  h->seen = g_strdup (_("Open Folder"));
  set_step (h, 1);
  wait_step (h, 2);
  spark_audience_pop ();
  return NULL;
}

/* A scope belongs to its thread: a worker speaking to the model does not
 * turn the main thread's text English. */
static void
test_threads (void)
{
  Handshake h = { 0 };
  GThread *thread;

  g_mutex_init (&h.lock);
  g_cond_init (&h.cond);
  thread = g_thread_new ("model", model_thread, &h);
  wait_step (&h, 1);
  g_assert_cmpstr (h.seen, ==, "Open Folder");
  g_assert_cmpint (spark_audience_get (), ==, SPARK_AUDIENCE_PERSON);
  g_assert_cmpstr (_("Open Folder"), ==, "Ordner öffnen");
  set_step (&h, 2);
  g_thread_join (thread);
  g_free (h.seen);
  g_mutex_clear (&h.lock);
  g_cond_clear (&h.cond);
}

/* One apply, two reports: the model's in English, the person's in German,
 * plurals included. */
static void
test_apply_report (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autofree char *result = NULL;
  const char *report;
  SparkFileChange *a;

  spark_test_write_file (f->root, "a.c", "one\ntwo\nthree\nfour\nfive\nsix\nseven\n");
  cs = tp_changeset_parsed (f->ws,
                            "*** Begin Patch\n"
                            "*** Update File: a.c\n"
                            "@@\n"
                            " one\n"
                            "-two\n"
                            "+TWO\n"
                            "@@\n"
                            " six\n"
                            "-seven\n"
                            "+SEVEN\n"
                            "*** Add File: b.c\n"
                            "+new\n"
                            "*** End Patch\n");
  a = spark_changeset_get_file (cs, 0);
  g_assert_true (spark_hunk_accept (spark_file_change_get_hunk (a, 0), NULL));
  spark_hunk_reject (spark_file_change_get_hunk (a, 1));
  g_assert_true (spark_hunk_accept (spark_file_change_get_hunk (spark_changeset_get_file (cs, 1), 0),
                                    NULL));

  result = apply_in_person_scope (cs, &report);

  g_assert_cmpstr (result, ==,
                   "Applied 1 of 2 hunks to a.c; rejected hunk 2 because the reviewer rejected it.\n"
                   "Success. Updated the following files:\n"
                   "M a.c\n"
                   "A b.c\n");
  g_assert_cmpstr (report, ==,
                   "1 von 2 Abschnitten auf a.c angewendet.\n"
                   "Abschnitt 2 wurde abgelehnt.\n"
                   "2 Dateien geändert:\n"
                   "M a.c\n"
                   "A b.c\n");
}

/* Two hunks on a.c ("one\ntwo\n"): the second cannot be placed. */
static const char *one_hunk_missing =
  "*** Begin Patch\n"
  "*** Update File: a.c\n"
  "@@\n"
  "-one\n"
  "+ONE\n"
  "@@\n"
  "-missing\n"
  "+MISSING\n"
  "*** End Patch\n";

/* The singular forms, and a hunk that could not be placed: its reason is
 * English for the model, German for the person. */
static void
test_apply_report_singular (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autofree char *result = NULL;
  const char *report;

  spark_test_write_file (f->root, "a.c", "one\ntwo\n");
  cs = tp_changeset_parsed (f->ws, one_hunk_missing);
  g_assert_true (spark_hunk_accept (spark_file_change_get_hunk (spark_changeset_get_file (cs, 0), 0),
                                    NULL));

  result = apply_in_person_scope (cs, &report);

  g_assert_true (g_str_has_prefix (result,
                                   "Applied 1 of 2 hunks to a.c; rejected hunk 2 because it could "
                                   "not be placed (Failed to find expected lines in a.c:).\n"));
  g_assert_true (g_str_has_prefix (report,
                                   "1 von 2 Abschnitten auf a.c angewendet.\n"
                                   "Abschnitt 2 wurde nicht angewendet: Er konnte nicht zugeordnet werden "
                                   "(Die erwarteten Zeilen in a.c wurden nicht gefunden:).\n"
                                   "1 Datei geändert:\n"));
}

/* What the review shows and what the model is told of the same conflict. */
static void
test_conflict_messages (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) person_error = NULL;
  g_autoptr(GError) model_error = NULL;
  SparkHunk *hunk;
  SparkFileChange *missing;

  spark_test_write_file (f->root, "a.c", "one\n");
  cs = tp_changeset_parsed (f->ws,
                            "*** Begin Patch\n"
                            "*** Update File: a.c\n"
                            "@@\n"
                            "-nowhere\n"
                            "+here\n"
                            "*** Update File: gone.c\n"
                            "@@\n"
                            "-x\n"
                            "+y\n"
                            "*** End Patch\n");
  hunk = spark_file_change_get_hunk (spark_changeset_get_file (cs, 0), 0);
  missing = spark_changeset_get_file (cs, 1);

  g_assert_cmpstr (spark_hunk_get_conflict_message (hunk), ==,
                   "Die erwarteten Zeilen in a.c wurden nicht gefunden:\nnowhere");
  g_assert_cmpstr (spark_file_change_get_error (missing)->message, ==,
                   "gone.c kann nicht aktualisiert werden: Die Datei existiert nicht");

  spark_audience_push (SPARK_AUDIENCE_MODEL);
  g_assert_cmpstr (spark_hunk_get_conflict_message (hunk), ==,
                   "Failed to find expected lines in a.c:\nnowhere");
  g_assert_cmpstr (spark_file_change_get_error (missing)->message, ==,
                   "Cannot update gone.c: the file does not exist");
  g_assert_false (spark_changeset_accept_all (cs, &model_error));
  spark_audience_pop ();

  g_assert_false (spark_changeset_accept_all (cs, &person_error));
  g_assert_cmpstr (model_error->message, ==,
                   "Hunk 1 of a.c: Failed to find expected lines in a.c:\nnowhere\n"
                   "Cannot update gone.c: the file does not exist");
  g_assert_cmpstr (person_error->message, ==,
                   "Abschnitt 1 von a.c: Die erwarteten Zeilen in a.c wurden nicht gefunden:\n"
                   "nowhere\n"
                   "gone.c kann nicht aktualisiert werden: Die Datei existiert nicht");
}

/* The apply_patch call end to end: the review (the changeset) is German,
 * everything the model gets back is English. */
static void
test_hand_off (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SparkToolCall) call = NULL;
  g_autoptr(SparkToolCall) bad_call = NULL;
  g_autoptr(SparkPatchHandOff) hand_off = NULL;
  g_autoptr(SparkPatchHandOff) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  SparkChangeset *cs;

  spark_test_write_file (f->root, "a.c", "one\ntwo\n");

  /* An invalid patch: the model hears why in English. */
  bad_call = spark_tool_call_new (SPARK_TOOL_CALL_CUSTOM, "ctc_0", "call_0", "apply_patch");
  bad = spark_patch_hand_off_new (f->root, bad_call);
  _spark_tool_call_append_delta (bad_call, "*** Begin Patch\n*** Frobnicate File: a.c\n*** End Patch\n");
  g_assert_false (spark_patch_hand_off_finish (bad, &error));
  g_test_message ("invalid: %s", error->message);
  g_assert_nonnull (strstr (error->message, "is not a valid hunk header"));
  g_clear_error (&error);

  call = spark_tool_call_new (SPARK_TOOL_CALL_CUSTOM, "ctc_1", "call_1", "apply_patch");
  hand_off = spark_patch_hand_off_new (f->root, call);
  _spark_tool_call_append_delta (call, one_hunk_missing);
  g_assert_true (spark_patch_hand_off_finish (hand_off, &error));
  g_assert_no_error (error);
  cs = spark_patch_hand_off_get_changeset (hand_off);
  g_assert_cmpstr (spark_hunk_get_conflict_message (spark_file_change_get_hunk (spark_changeset_get_file (cs, 0), 1)),
                   ==, "Die erwarteten Zeilen in a.c wurden nicht gefunden:\nmissing");

  /* Approving an unreviewed patch accepts it whole: the conflict is the
   * model's error, in English. */
  g_assert_null (spark_patch_hand_off_apply (hand_off, &error));
  g_assert_cmpstr (error->message, ==, "Hunk 2 of a.c: Failed to find expected lines in a.c:\nmissing");
  g_clear_error (&error);

  /* Reviewed: the first hunk applies; the model's text is English, the
   * person's report German. */
  g_assert_true (spark_hunk_accept (spark_file_change_get_hunk (spark_changeset_get_file (cs, 0), 0),
                                    NULL));
  output = spark_patch_hand_off_apply (hand_off, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (output, ==,
                   "Applied 1 of 2 hunks to a.c; rejected hunk 2 because it could not be placed "
                   "(Failed to find expected lines in a.c:).\n"
                   "Success. Updated the following files:\nM a.c\n");
  g_assert_cmpstr (spark_changeset_get_report (spark_patch_hand_off_get_changeset (hand_off)), ==,
                   "1 von 2 Abschnitten auf a.c angewendet.\n"
                   "Abschnitt 2 wurde nicht angewendet: Er konnte nicht zugeordnet werden "
                   "(Die erwarteten Zeilen in a.c wurden nicht gefunden:).\n"
                   "1 Datei geändert:\nM a.c\n");
}

static void
tool_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  char **output = user_data;
  gboolean success = TRUE;
  g_autoptr(GError) error = NULL;

  *output = spark_tools_run_finish (SPARK_TOOLS (object), result, &success, &error);
  g_assert_no_error (error);
  g_assert_false (success);
}

/* A tool's error is for the model: English, also where GLib and the C
 * library speak German. */
static void
test_tool_error (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SparkTools) tools = spark_tools_new (f->root);
  g_autofree char *binary = NULL;
  g_autofree char *outside = NULL;
  char bytes[] = { 'a', '\0', 'b', '\n' };

  binary = g_build_filename (f->root, "blob.bin", NULL);
  g_assert_true (g_file_set_contents (binary, bytes, sizeof bytes, NULL));

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SparkToolCall) call = spark_tool_call_new (SPARK_TOOL_CALL_FUNCTION, "fc_1", "call_1",
                                                           "read_file");
      g_autoptr(JsonObject) item = json_object_new ();
      char *output = NULL;

      json_object_set_string_member (item, "arguments",
                                     i == 0 ? "{\"path\":\"blob.bin\"}" : "{\"path\":\"nope.txt\"}");
      _spark_tool_call_complete (call, item);
      spark_tools_run_async (tools, call, NULL, tool_done, &output);
      while (output == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_test_message ("tool: %s", output);
      if (i == 0)
        g_assert_cmpstr (output, ==,
                         "Error: “blob.bin” looks like a binary file and cannot be edited as text");
      else
        g_assert_true (g_str_has_prefix (output, "Error: ") &&
                       g_str_has_suffix (output, ": No such file or directory"));
      g_free (output);
    }

  /* …while the same error, made for the person, is German. */
  {
    g_autoptr(GError) error = NULL;
    gsize length;
    SparkNewline newline;

    g_assert_null (spark_file_load_text (binary, SPARK_FILE_MAX_TEXT_SIZE, &length, &newline, &error));
    g_assert_true (g_str_has_suffix (error->message,
                                     "scheint eine Binärdatei zu sein und kann nicht als Text "
                                     "bearbeitet werden"));
  }
}

/* The agent's errors, through the session against the fake server: what the
 * person reads is German, what the model is told stays English. */

typedef SessionFixture SFixture;

/* A file of the session store, as the session names it. */
static char *
store_path (SFixture   *f,
            const char *name)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, f->root, -1);

  return g_strdup_printf ("%s/%s/%s.jsonl", f->store, hash, name);
}

static void
assert_has (const char *haystack,
            const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("“%s” not in “%s”", needle, haystack ? haystack : "(null)");
}

/* A damaged session file is refused in German (spark-history.c, and the
 * compaction record in spark-session.c). */
static void
test_agent_resume_damaged (SFixture      *f,
                           gconstpointer  data)
{
  static const struct { const char *contents; const char *message; } cases[] = {
    { "{\"type\":\"session\"}\n{\"type\":\"item\",\"item\":{\"type\":\"message\"}\n",
      ": Zeile 2 ist kein JSON" },
    { "{\"type\":\"session\"}\n\n{\"type\":\"compacted\",\"upto\":5,\"output\":[]}\n",
      ": Zeile 3 ist kein gültiger Verdichtungseintrag" },
  };
  g_autofree char *first = store_path (f, "first");
  g_autofree char *dir = g_path_get_dirname (first);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = g_strdup_printf ("damaged-%u", i);
      g_autofree char *path = store_path (f, id);
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].contents, -1, NULL));
      g_assert_false (spark_session_resume (f->session, id, &error));
      g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED);
      g_test_message ("person: %s", error->message);
      g_assert_true (g_str_has_prefix (error->message, path));
      assert_has (error->message, cases[i].message);
    }
}

/* The session file changed under a running session: reading an item back
 * and the turn that needs it fail in German. */
static void
test_agent_history_changed (SFixture      *f,
                            gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) item = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  session_fixture_run_on (f, f->session, "keep this", 10);
  g_assert_no_error (f->turn_error);

  path = store_path (f, spark_session_get_id (f->session));
  session_file_overwrite (path, "keep", "KEEP");

  item = spark_session_dup_item (f->session, 0, &error);
  g_assert_null (item);
  g_test_message ("person: %s", error->message);
  assert_has (error->message, "wurde auf dem Datenträger verändert: Element 1 des Gesprächs "
                              "kann nicht wieder gelesen werden");

  /* The server lost the chain: the full resend needs the item. */
  session_fixture_run_on (f, f->session, "two", 10);
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED);
  assert_has (f->turn_error->message, "Die Sitzungsdatei ");
}

/* The key would travel in clear text: the turn ends in German. */
static void
test_agent_insecure_key (SFixture      *f,
                         gconstpointer  data)
{
  g_autoptr(SparkSession) remote = spark_session_new (f->root);

  g_object_set (remote, "endpoint", "http://192.0.2.1:9/v1", "api-key", TEST_KEY,
                "store-dir", NULL, NULL);
  spark_session_set_retry_policy (remote, 0, 1);
  session_fixture_run_on (f, remote, "hi", 10);
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_INSECURE);
  g_test_message ("person: %s", f->turn_error->message);
  g_assert_cmpstr (f->turn_error->message, ==,
                   "Der API-Schlüssel wird nicht unverschlüsselt an 192.0.2.1 gesendet. "
                   "Verwenden Sie https:// oder eine Loopback-Adresse");
  spark_session_close (remote);
}

/* An error chunk of a Chat Completions server (spark-chat-wire.c). */
static void
test_agent_chat_server_error (SFixture      *f,
                              gconstpointer  data)
{
  spark_session_set_wire_api (f->session, SPARK_WIRE_API_CHAT);
  spark_fake_server_push_text (f->server, "{\"error\":{\"message\":\"model not loaded\"}}\n");
  session_fixture_run_on (f, f->session, "hi", 10);
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_SERVER);
  g_assert_cmpstr (f->turn_error->message, ==, "Serverfehler: model not loaded");

  spark_fake_server_push_text (f->server, "{\"error\":{}}\n");
  session_fixture_run_on (f, f->session, "hi", 10);
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_SERVER);
  g_assert_cmpstr (f->turn_error->message, ==,
                   "Der Server hat einen Fehler ohne Beschreibung gemeldet");
}

static void
compact_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;

  g_assert_null (spark_compaction_compact_finish (result, error));
  g_assert_nonnull (*error);
}

static GError *
compact_against (SFixture *f)
{
  g_autoptr(JsonObject) body = json_object_new ();
  GError *error = NULL;

  json_object_set_string_member (body, "model", "test-model");
  json_object_set_array_member (body, "input", json_array_new ());
  spark_compaction_compact_async (spark_fake_server_get_base_url (f->server), TEST_KEY, NULL, body,
                                  NULL, compact_done, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("person: %s", error->message);
  return error;
}

/* The compact endpoint's failures, over real HTTP (spark-compaction.c). */
static void
test_agent_compaction_errors (SFixture      *f,
                              gconstpointer  data)
{
  g_autoptr(GError) missing = NULL;
  g_autoptr(GError) failed = NULL;
  g_autoptr(GError) bare = NULL;
  g_autoptr(GError) garbled = NULL;

  missing = compact_against (f);
  g_assert_error (missing, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_COMPACT_UNSUPPORTED);
  g_assert_cmpstr (missing->message, ==,
                   "Der Server bietet keinen Endpunkt für die Verdichtung (HTTP 404)");

  spark_fake_server_set_compact_reply (f->server, 503,
                                       "{\"error\":{\"message\":\"try later\"}}");
  failed = compact_against (f);
  g_assert_error (failed, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_UNAVAILABLE);
  g_assert_cmpstr (failed->message, ==,
                   "Die Verdichtung ist fehlgeschlagen: HTTP 503 Service Unavailable: try later");

  spark_fake_server_set_compact_reply (f->server, 403, "nope");
  bare = compact_against (f);
  g_assert_error (bare, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_HTTP);
  g_assert_cmpstr (bare->message, ==, "Die Verdichtung ist fehlgeschlagen: HTTP 403 Forbidden");

  spark_fake_server_set_compact_reply (f->server, 200, "{\"output\":[{\"id\":\"x\"}]}");
  garbled = compact_against (f);
  g_assert_error (garbled, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
  g_assert_cmpstr (garbled->message, ==,
                   "Element 1 der Antwort auf die Verdichtung hat keinen „type“");
}

static void
on_call_output (SparkSession  *session,
                SparkToolCall *call,
                const char    *output,
                gboolean       success,
                GPtrArray     *person)
{
  g_assert_false (success);
  g_ptr_array_add (person, g_strdup (spark_tool_call_get_error_message (call)));
}

/* What the server got back for its calls: the outputs, in order. */
static GPtrArray *
outputs_sent (SFixture *f)
{
  g_autoptr(GPtrArray) reqs = spark_fake_server_dup_generating (f->server);
  GPtrArray *outputs = g_ptr_array_new ();

  for (guint i = 0; i < reqs->len; i++)
    {
      JsonArray *input = json_object_get_array_member (reqs->pdata[i], "input");

      for (guint j = 0; input != NULL && j < json_array_get_length (input); j++)
        {
          JsonObject *item = json_array_get_object_element (input, j);
          const char *type = spark_json_get_string (item, "type");

          if (g_strcmp0 (type, "function_call_output") == 0 ||
              g_strcmp0 (type, "custom_tool_call_output") == 0)
            g_ptr_array_add (outputs, (gpointer) spark_json_get_string (item, "output"));
        }
    }
  return outputs;
}

static char *
replace_all (const char *text,
             const char *old,
             const char *new)
{
  g_auto(GStrv) parts = g_strsplit (text, old, -1);

  return g_strjoinv (new, parts);
}

/* tests/streams/call-read-file, calling @tool on @path instead. */
static char *
call_stream (const char *tool,
             const char *path)
{
  g_autofree char *file = spark_fake_server_stream_path ("call-read-file");
  g_autofree char *text = NULL;
  g_autofree char *on_path = NULL;

  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  on_path = replace_all (text, "hello.txt", path);
  return replace_all (on_path, "read_file", tool);
}

/* A tool that fails: the model is told in English (and that is what goes
 * over the wire), the person reads why in German (spark-tools.c,
 * spark-approval-policy.c). */
static void
test_agent_tool_errors (SFixture      *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) person = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sent = NULL;
  g_autofree char *binary = call_stream ("read_file", "blob.bin");
  g_autofree char *folder = call_stream ("list_dir", "a.txt");
  g_autofree char *shell = NULL;
  char bytes[] = { 'a', '\0', 'b', '\n' };
  g_autofree char *blob = g_build_filename (f->root, "blob.bin", NULL);
  g_autofree char *contents = NULL;

  {
    g_autofree char *file = spark_fake_server_stream_path ("call-shell");
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
    shell = replace_all (text, "\\\"command\\\": \\\"echo from-shell > shell.txt\\\"", "");
    g_assert_cmpstr (shell, !=, text);
  }
  g_assert_true (g_file_set_contents (blob, bytes, sizeof bytes, NULL));
  spark_test_write_file (f->root, "a.txt", "a\n");
  g_signal_connect (f->session, "tool-call-output", G_CALLBACK (on_call_output), person);

  spark_fake_server_push_text (f->server, binary);
  spark_fake_server_push_stream (f->server, "text-done");
  session_fixture_run_on (f, f->session, "read it", 10);
  g_assert_no_error (f->turn_error);

  /* list_dir on a file */
  spark_fake_server_push_text (f->server, folder);
  spark_fake_server_push_stream (f->server, "text-done");
  session_fixture_run_on (f, f->session, "list it", 10);
  g_assert_no_error (f->turn_error);

  /* An edit nobody may approve: the policy refuses it. */
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");
  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_stream (f->server, "text-done");
  session_fixture_run_on (f, f->session, "edit it", 10);
  g_assert_no_error (f->turn_error);

  /* A shell call without its command. */
  spark_tools_set_shell_enabled (spark_session_get_tools (f->session), TRUE);
  spark_approval_policy_set_mode (spark_session_get_approval_policy (f->session),
                                  SPARK_APPROVAL_MODE_ALL);
  spark_fake_server_push_text (f->server, shell);
  spark_fake_server_push_stream (f->server, "text-done");
  session_fixture_run_on (f, f->session, "run it", 10);
  g_assert_no_error (f->turn_error);

  sent = outputs_sent (f);
  g_assert_cmpuint (sent->len, ==, 4);
  g_assert_cmpuint (person->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_test_message ("model: %s\nperson: %s", (char *) sent->pdata[i], (char *) person->pdata[i]);

  g_assert_cmpstr (sent->pdata[0], ==,
                   "Error: “blob.bin” looks like a binary file and cannot be edited as text");
  assert_has (person->pdata[0], "scheint eine Binärdatei zu sein und kann nicht als Text "
                                "bearbeitet werden");
  g_assert_cmpstr (sent->pdata[1], ==, "Error: “a.txt” is not a folder");
  g_assert_cmpstr (person->pdata[1], ==, "„a.txt“ ist kein Ordner");
  g_assert_cmpstr (sent->pdata[2], ==,
                   "Rejected by the user: Not applied: edits need approval and none was given");
  g_assert_cmpstr (person->pdata[2], ==,
                   "Nicht angewendet: Änderungen brauchen eine Freigabe, und es wurde keine "
                   "erteilt");
  g_assert_cmpstr (sent->pdata[3], ==, "Error: shell needs a “command”");
  g_assert_cmpstr (person->pdata[3], ==, "shell benötigt einen „command“");
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nworld\n");
}

/* The JSON reader's own words (spark-responses.c) inside a tool's refusal:
 * English to the model, German to the person. */
static void
test_agent_tool_arguments (SFixture      *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) person = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sent = NULL;
  /* The arguments' text is {"path": "a\u0000b"}. */
  g_autofree char *nul = call_stream ("read_file", "a\\\\u0000b");

  g_signal_connect (f->session, "tool-call-output", G_CALLBACK (on_call_output), person);
  spark_fake_server_push_text (f->server, nul);
  spark_fake_server_push_stream (f->server, "text-done");
  session_fixture_run_on (f, f->session, "read it", 10);
  g_assert_no_error (f->turn_error);

  sent = outputs_sent (f);
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpuint (person->len, ==, 1);
  g_test_message ("model: %s\nperson: %s", (char *) sent->pdata[0], (char *) person->pdata[0]);
  assert_has (sent->pdata[0], "(a NUL character (\\u0000) in a string)");
  g_assert_cmpstr (person->pdata[0], ==,
                   "Die Argumente von read_file sind kein JSON-Objekt (ein NUL-Zeichen "
                   "(\\u0000) in einer Zeichenkette)");
}

/* An apply_patch_call without its operation: the JSON reader's refusal
 * reaches the model (spark-patch-hand-off.c reads it outside a model
 * scope), so it stays English. */
static void
test_agent_hosted_patch_empty (SFixture      *f,
                               gconstpointer  data)
{
  g_autofree char *file = spark_fake_server_stream_path ("patch-hosted");
  g_autofree char *text = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) reqs = NULL;
  const char *output = NULL;
  JsonArray *input;

  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  cut = replace_all (text, "\"operation\":{\"type\":\"update_file\",\"path\":\"hello.txt\","
                           "\"diff\":\"@@\\n hello\\n-world\\n+there\\n\"}", "\"x\":1");
  g_assert_cmpstr (cut, !=, text);
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");
  spark_approval_policy_set_mode (spark_session_get_approval_policy (f->session),
                                  SPARK_APPROVAL_MODE_ALL);
  spark_fake_server_push_text (f->server, cut);
  spark_fake_server_push_stream (f->server, "text-done");
  session_fixture_run_on (f, f->session, "edit it", 10);
  g_assert_no_error (f->turn_error);

  reqs = spark_fake_server_dup_generating (f->server);
  g_assert_cmpuint (reqs->len, ==, 2);
  input = json_object_get_array_member (reqs->pdata[1], "input");
  for (guint i = 0; i < json_array_get_length (input); i++)
    {
      JsonObject *item = json_array_get_object_element (input, i);

      if (g_strcmp0 (spark_json_get_string (item, "type"), "apply_patch_call_output") == 0)
        output = spark_json_get_string (item, "output");
    }
  g_test_message ("model: %s", output);
  g_assert_cmpstr (output, ==, "Error: invalid patch: no JSON value");
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nworld\n");
}

/* The wire's errors (spark-ws-transport.c, spark-ws-client.c,
 * spark-sse-transport.c, spark-responses.c), as the person reads them after
 * a turn. */

#define CREATED "{\"type\":\"response.created\",\"sequence_number\":0," \
                "\"response\":{\"id\":\"__RESP__\",\"output\":[]}}\n"

/* Runs one turn against @jsonl (NULL: nothing queued) and returns its
 * error's message. */
static const char *
turn_error_of (SFixture        *f,
               const char      *jsonl,
               SparkAgentError  code)
{
  if (jsonl != NULL)
    spark_fake_server_push_text (f->server, jsonl);
  session_fixture_run_on (f, f->session, "hi", 10);
  g_assert_nonnull (f->turn_error);
  g_test_message ("person: %s", f->turn_error->message);
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, code);

  return f->turn_error->message;
}

static void
test_agent_ws_errors (SFixture      *f,
                      gconstpointer  data)
{
  g_autoptr(SparkSession) nowhere = NULL;

  spark_session_set_transport_kind (f->session, SPARK_TRANSPORT_KIND_WEBSOCKET);
  spark_session_set_retry_policy (f->session, 0, 1);

  /* The upgrade refused, by status. */
  spark_fake_server_refuse_upgrades (f->server, 500, 1, NULL);
  g_assert_cmpstr (turn_error_of (f, NULL, SPARK_AGENT_ERROR_UNAVAILABLE), ==,
                   "WebSocket-Upgrade fehlgeschlagen: HTTP 500 Internal Server Error");
  spark_fake_server_refuse_upgrades (f->server, 403, 1, NULL);
  g_assert_cmpstr (turn_error_of (f, NULL, SPARK_AGENT_ERROR_HTTP), ==,
                   "WebSocket-Upgrade abgelehnt: HTTP 403 Forbidden");
  spark_fake_server_refuse_upgrades (f->server, 429, 1, "3600");
  g_assert_cmpstr (turn_error_of (f, NULL, SPARK_AGENT_ERROR_RATE_LIMITED), ==,
                   "WebSocket-Upgrade abgelehnt: HTTP 429 Unknown Error (Retry-After: 3600)");
  spark_fake_server_refuse_upgrades (f->server, 404, 1, NULL);
  g_assert_cmpstr (turn_error_of (f, NULL, SPARK_AGENT_ERROR_WS_UNSUPPORTED), ==,
                   "Der Server bietet keinen WebSocket-Modus an (HTTP 404 Not Found)");

  /* Closed before response.completed: with a code and reason, and lost. */
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"$\":\"close\",\"code\":4001,\"reason\":\"bye\"}\n",
                                  SPARK_AGENT_ERROR_CLOSED_FINAL), ==,
                   "Der Server hat die WebSocket-Verbindung geschlossen, bevor die Antwort "
                   "vollständig war (Code 4001: bye)");
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"$\":\"close\",\"code\":4002}\n",
                                  SPARK_AGENT_ERROR_CLOSED_FINAL), ==,
                   "Der Server hat die WebSocket-Verbindung geschlossen, bevor die Antwort "
                   "vollständig war (Code 4002)");
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"$\":\"close\",\"code\":1006}\n",
                                  SPARK_AGENT_ERROR_CLOSED), ==,
                   "Die WebSocket-Verbindung ist abgebrochen, bevor die Antwort vollständig "
                   "war (Code 1006, ohne Schließen-Rahmen)");

  /* Frames the client refuses (its own words in brackets) or the
   * transport does. */
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"$\":\"raw-base64\",\"data\":\"/w==\"}\n",
                                  SPARK_AGENT_ERROR_PROTOCOL), ==,
                   "Der Server hat einen Textrahmen gesendet, der kein UTF-8-Text ist (Eine "
                   "Textnachricht, die kein UTF-8 ist)");
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"$\":\"binary\"}\n", SPARK_AGENT_ERROR_PROTOCOL), ==,
                   "Der Server hat einen Binärrahmen gesendet (4 Bytes); die Responses-API "
                   "sendet nur JSON-Textrahmen");

  /* Events that are not what the Responses API sends. */
  g_assert_true (g_str_has_prefix (turn_error_of (f, CREATED "{\"$\":\"raw\",\"text\":\"this is { not json\"}\n",
                                                  SPARK_AGENT_ERROR_PROTOCOL),
                                   "Der Server hat ein Ereignis gesendet, das kein JSON ist ("));
  assert_has (f->turn_error->message, "): this is { not json");
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"$\":\"raw\",\"text\":\"{\\\"a\\\":\\\"\\\\u0000\\\"}\"}\n",
                                  SPARK_AGENT_ERROR_PROTOCOL), ==,
                   "Der Server hat ein Ereignis gesendet, das Spark nicht sicher lesen kann "
                   "(ein NUL-Zeichen (\\u0000) in einer Zeichenkette): {\"a\":\"\\u0000\"}");
  g_assert_cmpstr (turn_error_of (f, CREATED CREATED, SPARK_AGENT_ERROR_PROTOCOL), ==,
                   "Der Server hat das Ereignis 0 doppelt gesendet („response.created“)");
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"type\":\"response.failed\",\"sequence_number\":1,"
                                  "\"response\":{\"error\":{\"code\":\"server_error\","
                                  "\"message\":\"boom\"}}}\n",
                                  SPARK_AGENT_ERROR_RESPONSE_FAILED), ==,
                   "Die Antwort ist fehlgeschlagen (server_error): boom");
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"type\":\"error\",\"status\":500,\"error\":{}}\n",
                                  SPARK_AGENT_ERROR_SERVER), ==,
                   "Serverfehler (Status 500): keine Meldung");
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"type\":\"response.incomplete\",\"sequence_number\":1,"
                                  "\"response\":{}}\n", SPARK_AGENT_ERROR_INCOMPLETE), ==,
                   "Die Antwort ist unvollständig: unbekannter Grund");

  /* Nothing listens there. */
  nowhere = spark_session_new (f->root);
  g_object_set (nowhere, "endpoint", "http://127.0.0.1:1/v1", "store-dir", NULL, NULL);
  spark_session_set_transport_kind (nowhere, SPARK_TRANSPORT_KIND_WEBSOCKET);
  spark_session_set_retry_policy (nowhere, 0, 1);
  session_fixture_run_on (f, nowhere, "hi", 10);
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CONNECT);
  g_test_message ("person: %s", f->turn_error->message);
  g_assert_true (g_str_has_prefix (f->turn_error->message,
                                   "Verbindung zu http://127.0.0.1:1/v1 konnte nicht hergestellt "
                                   "werden: "));
  spark_session_close (nowhere);
}

static void
test_agent_sse_errors (SFixture      *f,
                       gconstpointer  data)
{
  g_autoptr(SparkSession) nowhere = NULL;

  spark_session_set_transport_kind (f->session, SPARK_TRANSPORT_KIND_HTTP);
  spark_session_set_retry_policy (f->session, 0, 1);

  /* The body ends before response.completed. */
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"$\":\"close\",\"code\":1000}\n",
                                  SPARK_AGENT_ERROR_CLOSED), ==,
                   "Der Datenstrom wurde geschlossen, bevor die Antwort vollständig war");
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"$\":\"raw-base64\",\"data\":\"/w==\"}\n",
                                  SPARK_AGENT_ERROR_PROTOCOL), ==,
                   "Der Server hat ein Ereignis gesendet, das kein UTF-8-Text ist: data: \\xff");
  g_assert_cmpstr (turn_error_of (f, CREATED "{\"$\":\"raw\",\"text\":\"[1]\"}\n",
                                  SPARK_AGENT_ERROR_PROTOCOL), ==,
                   "Der Server hat ein Ereignis gesendet, das kein JSON-Objekt ist: [1]");

  nowhere = spark_session_new (f->root);
  g_object_set (nowhere, "endpoint", "http://127.0.0.1:1/v1", "store-dir", NULL, NULL);
  spark_session_set_transport_kind (nowhere, SPARK_TRANSPORT_KIND_HTTP);
  spark_session_set_retry_policy (nowhere, 0, 1);
  session_fixture_run_on (f, nowhere, "hi", 10);
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CONNECT);
  g_test_message ("person: %s", f->turn_error->message);
  g_assert_true (g_str_has_prefix (f->turn_error->message,
                                   "http://127.0.0.1:1/v1 ist nicht erreichbar: "));
  spark_session_close (nowhere);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "de", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, SPARK_TEST_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  spark_test_init (&argc, &argv);

  g_test_add_func ("/i18n/catalogue", test_catalogue);
  g_test_add_func ("/i18n/audience/scopes", test_scopes);
  g_test_add_func ("/i18n/audience/threads", test_threads);
  g_test_add ("/i18n/apply-report", Fixture, NULL, tp_workspace_setup, test_apply_report, tp_workspace_teardown);
  g_test_add ("/i18n/apply-report/singular", Fixture, NULL, tp_workspace_setup, test_apply_report_singular, tp_workspace_teardown);
  g_test_add ("/i18n/conflict-messages", Fixture, NULL, tp_workspace_setup, test_conflict_messages, tp_workspace_teardown);
  g_test_add ("/i18n/hand-off", Fixture, NULL, tp_workspace_setup, test_hand_off, tp_workspace_teardown);
  g_test_add ("/i18n/tool-error", Fixture, NULL, tp_workspace_setup, test_tool_error, tp_workspace_teardown);
  g_test_add ("/i18n/agent/resume-damaged", SFixture, NULL, session_fixture_setup,
              test_agent_resume_damaged, session_fixture_teardown);
  g_test_add ("/i18n/agent/history-changed", SFixture, NULL, session_fixture_setup,
              test_agent_history_changed, session_fixture_teardown);
  g_test_add ("/i18n/agent/insecure-key", SFixture, NULL, session_fixture_setup,
              test_agent_insecure_key, session_fixture_teardown);
  g_test_add ("/i18n/agent/chat-server-error", SFixture, NULL, session_fixture_setup,
              test_agent_chat_server_error, session_fixture_teardown);
  g_test_add ("/i18n/agent/compaction-errors", SFixture, NULL, session_fixture_setup,
              test_agent_compaction_errors, session_fixture_teardown);
  g_test_add ("/i18n/agent/tool-errors", SFixture, NULL, session_fixture_setup,
              test_agent_tool_errors, session_fixture_teardown);
  g_test_add ("/i18n/agent/tool-arguments", SFixture, NULL, session_fixture_setup,
              test_agent_tool_arguments, session_fixture_teardown);
  g_test_add ("/i18n/agent/hosted-patch-empty", SFixture, NULL, session_fixture_setup,
              test_agent_hosted_patch_empty, session_fixture_teardown);
  g_test_add ("/i18n/agent/ws-errors", SFixture, NULL, session_fixture_setup,
              test_agent_ws_errors, session_fixture_teardown);
  g_test_add ("/i18n/agent/sse-errors", SFixture, NULL, session_fixture_setup,
              test_agent_sse_errors, session_fixture_teardown);

  return g_test_run ();
}
