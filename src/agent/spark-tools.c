/* spark-tools.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-tools"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/mman.h>

#if HAVE_VALGRIND_VALGRIND_H
# include <valgrind/valgrind.h>
#endif

#include <glib/gi18n.h>

#include "spark-audience.h"
#include "spark-file-util.h"
#include "spark-responses.h"
#include "spark-tools.h"
#include "spark-workspace.h"

#define SHELL_DEFAULT_TIMEOUT_MS 10000
#define SHELL_MAX_TIMEOUT_MS     120000
#define GREP_MAX_FILE_SIZE       (4 * 1024 * 1024)

struct _SparkTools
{
  GObject  parent_instance;
  char    *root;
  guint    shell_enabled : 1;
};

G_DEFINE_FINAL_TYPE (SparkTools, spark_tools, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ROOT,
  PROP_SHELL_ENABLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char instructions[] =
  "You are Spark, a fast coding assistant working inside one project folder. "
  "Work in small, targeted steps:\n"
  "- Look before you edit: use read_file, list_dir and grep (they are cheap and run at once). "
  "Read only what you need.\n"
  "- Make every change with apply_patch: small hunks with 3 lines of context, never whole-file "
  "rewrites when an update will do. Paths are relative to the project folder.\n"
  "- The person reviews each hunk as it streams; a rejected patch comes back with the reason. "
  "Adjust and try again rather than repeating the same patch.\n"
  "- Do not run tests, builds or other commands unless the person asks; shell needs approval.\n"
  "- Keep answers short: say what you changed and why in a sentence or two.";

static const char apply_patch_description[] =
  "Edit files in the project. This is a FREEFORM tool: send the patch text itself, do not wrap "
  "it in JSON. Format:\n"
  "*** Begin Patch\n"
  "*** Update File: path/to/file.c\n"
  "@@ optional line naming the function or class\n"
  " context line (starts with a space)\n"
  "-removed line\n"
  "+added line\n"
  " context line\n"
  "*** Add File: path/new.txt\n"
  "+every line of the new file, each starting with +\n"
  "*** Delete File: path/old.txt\n"
  "*** End Patch\n"
  "Rules: paths are relative to the project folder; give about 3 lines of context above and "
  "below each change; use several @@ sections for changes far apart; an Update File may be "
  "followed by \"*** Move to: new/path\" to rename.";

static const char apply_patch_grammar[] =
  "start: begin_patch hunk+ end_patch\n"
  "begin_patch: \"*** Begin Patch\" LF\n"
  "end_patch: \"*** End Patch\" LF?\n"
  "\n"
  "hunk: add_hunk | delete_hunk | update_hunk\n"
  "add_hunk: \"*** Add File: \" filename LF add_line+\n"
  "delete_hunk: \"*** Delete File: \" filename LF\n"
  "update_hunk: \"*** Update File: \" filename LF change_move? change?\n"
  "\n"
  "filename: /(.+)/\n"
  "add_line: \"+\" /(.*)/ LF -> line\n"
  "\n"
  "change_move: \"*** Move to: \" filename LF\n"
  "change: (change_context | change_line)+ eof_line?\n"
  "change_context: (\"@@\" | \"@@ \" /(.+)/) LF\n"
  "change_line: (\"+\" | \"-\" | \" \") /(.*)/ LF\n"
  "eof_line: \"*** End of File\" LF\n"
  "\n"
  "%import common.LF\n";

static const char function_tools_json[] =
  "["
  "{\"type\":\"function\",\"name\":\"read_file\","
  " \"description\":\"Read a text file of the project. Lines come numbered. Use offset and limit for long files.\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"path\":{\"type\":\"string\",\"description\":\"Path relative to the project folder\"},"
  "   \"offset\":{\"type\":\"integer\",\"description\":\"First line to read, from 1\"},"
  "   \"limit\":{\"type\":\"integer\",\"description\":\"How many lines (default and maximum 2000)\"}},"
  "  \"required\":[\"path\"],\"additionalProperties\":false}},"
  "{\"type\":\"function\",\"name\":\"list_dir\","
  " \"description\":\"List a folder of the project. Folders end with '/'.\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"path\":{\"type\":\"string\",\"description\":\"Folder relative to the project folder; default '.'\"},"
  "   \"depth\":{\"type\":\"integer\",\"description\":\"How many levels, 1 to 4 (default 1)\"}},"
  "  \"additionalProperties\":false}},"
  "{\"type\":\"function\",\"name\":\"grep\","
  " \"description\":\"Search the project's text files for a regular expression (PCRE). Returns path:line: text.\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"pattern\":{\"type\":\"string\"},"
  "   \"path\":{\"type\":\"string\",\"description\":\"File or folder to search; default '.'\"},"
  "   \"glob\":{\"type\":\"string\",\"description\":\"Only file names matching this glob, e.g. '*.c'\"},"
  "   \"ignore_case\":{\"type\":\"boolean\"}},"
  "  \"required\":[\"pattern\"],\"additionalProperties\":false}}"
  "]";

/* The description is filled in at each request with what is true now
 * (spark_tools_get_sandboxed()): the model must not believe a command is
 * contained when it is not. */
static const char shell_tool_json[] =
  "{\"type\":\"function\",\"name\":\"shell\","
  " \"description\":\"\","
  " \"parameters\":{\"type\":\"object\",\"properties\":{"
  "   \"command\":{\"type\":\"string\"},"
  "   \"timeout_ms\":{\"type\":\"integer\",\"description\":\"Default 10000, maximum 120000\"}},"
  "  \"required\":[\"command\"],\"additionalProperties\":false}}";

static const char shell_sandboxed[] =
  "Run a shell command in the project folder (needs the person's approval). It runs in a "
  "sandbox: no network, only the project folder writable, the home folder hidden. "
  "Prefer the other tools.";

static const char shell_unsandboxed[] =
  "Run a shell command in the project folder (needs the person's approval). It is NOT "
  "sandboxed on this machine: it runs with the person's own permissions, files and network, "
  "so be careful. Prefer the other tools.";

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    g_assert_not_reached ();

  return json_node_copy (json_parser_get_root (parser));
}

gboolean
spark_tools_is_read_only (const char *name)
{
  return g_strcmp0 (name, "read_file") == 0 ||
         g_strcmp0 (name, "list_dir") == 0 ||
         g_strcmp0 (name, "grep") == 0;
}

/* The same rules as the patches' paths (spark_workspace_resolve()), the
 * project folder itself allowed: one gate for every path the model names. */
char *
spark_tools_resolve_path (const char  *root,
                          const char  *path,
                          GError     **error)
{
  g_autoptr(SparkWorkspace) workspace = NULL;

  if (path == NULL || path[0] == '\0')
    path = ".";

  if (!(workspace = spark_workspace_new (root, error)))
    return NULL;

  return spark_workspace_resolve_full (workspace, path, SPARK_WORKSPACE_RESOLVE_ALLOW_ROOT, error);
}

static const char *
relative_to (const char *root,
             const char *path)
{
  gsize len = strlen (root);

  if (strncmp (path, root, len) == 0)
    {
      path += len;
      while (*path == '/')
        path++;
      return *path ? path : ".";
    }
  return path;
}

static void
append_bounded (GString    *out,
                const char *text,
                gboolean   *truncated)
{
  if (*truncated)
    return;

  if (out->len + strlen (text) > SPARK_TOOLS_MAX_OUTPUT)
    {
      *truncated = TRUE;
      g_string_append (out, "\n[output truncated]\n");
      return;
    }
  g_string_append (out, text);
}

static char *
run_read_file (const char  *root,
               JsonObject  *args,
               GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 offset = spark_json_get_int (args, "offset", 1);
  gint64 limit = spark_json_get_int (args, "limit", SPARK_TOOLS_MAX_READ_LINES);
  gboolean truncated = FALSE;
  gsize length = 0;
  guint n;

  if (spark_json_get_string (args, "path") == NULL)
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           _("read_file needs a “path”"));
      return NULL;
    }

  if (!(path = spark_tools_resolve_path (root, spark_json_get_string (args, "path"), error)))
    return NULL;

  if (!(contents = spark_file_load_text (path, SPARK_FILE_MAX_TEXT_SIZE, &length, NULL, error)))
    return NULL;

  offset = MAX (offset, 1);
  limit = CLAMP (limit, 1, SPARK_TOOLS_MAX_READ_LINES);

  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  if (n > 0 && lines[n - 1][0] == '\0')
    n--;

  if (n == 0)
    return g_strdup ("(empty file)");

  if (offset > n)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, offset);

      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                   /* translators: %1$s is a line number, %2$u a count of lines */
                   g_dngettext (GETTEXT_PACKAGE,
                                "offset %1$s is past the end of the file (%2$u line)",
                                "offset %1$s is past the end of the file (%2$u lines)", n),
                   number, n);
      return NULL;
    }

  for (guint i = offset - 1; i < n && i < offset - 1 + limit && !truncated; i++)
    {
      g_autofree char *line = g_strdup_printf ("%6u\t%s\n", i + 1, lines[i]);
      append_bounded (out, line, &truncated);
    }

  if (offset - 1 + limit < n)
    g_string_append_printf (out, "[%u more lines; read on with offset %" G_GINT64_FORMAT "]\n",
                            (guint) (n - (offset - 1 + limit)), offset + limit);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
list_dir_recurse (const char *root,
                  const char *dir,
                  guint       depth,
                  guint       max_depth,
                  GString    *out,
                  guint      *count,
                  gboolean   *truncated)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *d;
  const char *name;

  if (!(d = g_dir_open (dir, 0, NULL)))
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (g_ascii_strcasecmp (name, ".git") != 0)
        g_ptr_array_add (names, g_strdup (name));
    }
  g_dir_close (d);
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len && !*truncated; i++)
    {
      g_autofree char *child = g_build_filename (dir, names->pdata[i], NULL);
      gboolean is_dir = g_file_test (child, G_FILE_TEST_IS_DIR) &&
                        !g_file_test (child, G_FILE_TEST_IS_SYMLINK);

      if (++(*count) > SPARK_TOOLS_MAX_LIST_ENTRIES)
        {
          *truncated = TRUE;
          g_string_append_printf (out, "[more than %u entries; list a subfolder]\n",
                                  SPARK_TOOLS_MAX_LIST_ENTRIES);
          return;
        }

      for (guint j = 1; j < depth; j++)
        g_string_append (out, "  ");
      g_string_append_printf (out, "%s%s\n", (char *) names->pdata[i], is_dir ? "/" : "");

      if (is_dir && depth < max_depth)
        list_dir_recurse (root, child, depth + 1, max_depth, out, count, truncated);
    }
}

static char *
run_list_dir (const char  *root,
              JsonObject  *args,
              GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 depth = CLAMP (spark_json_get_int (args, "depth", 1), 1, 4);
  gboolean truncated = FALSE;
  guint count = 0;

  if (!(path = spark_tools_resolve_path (root, spark_json_get_string (args, "path"), error)))
    return NULL;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                   _("“%s” is not a folder"), spark_json_get_string (args, "path"));
      return NULL;
    }

  list_dir_recurse (root, path, 1, depth, out, &count, &truncated);
  if (out->len == 0)
    g_string_append (out, "(empty folder)\n");

  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct
{
  const char   *root;
  GRegex       *regex;
  GPatternSpec *glob;
  GString      *out;
  guint         matches;
  gboolean      truncated;
} GrepState;

static void
grep_file (GrepState  *state,
           const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length = 0;

  if (state->glob != NULL)
    {
      g_autofree char *base = g_path_get_basename (path);
#if GLIB_CHECK_VERSION (2, 70, 0)
      if (!g_pattern_spec_match_string (state->glob, base))
#else
      if (!g_pattern_match_string (state->glob, base))
#endif
        return;
    }

  if (!(contents = spark_file_load_text (path, GREP_MAX_FILE_SIZE, &length, NULL, NULL)))
    return;   /* binary, too large or unreadable: skipped */

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && !state->truncated; i++)
    {
      if (g_regex_match (state->regex, lines[i], 0, NULL))
        {
          g_autofree char *line = NULL;
          const char *text = lines[i];
          g_autofree char *cut = NULL;

          if (strlen (text) > 300)
            text = cut = g_strndup (text, 300);

          if (++state->matches > SPARK_TOOLS_MAX_GREP_MATCHES)
            {
              state->truncated = TRUE;
              g_string_append_printf (state->out, "[more than %u matches; narrow the search]\n",
                                      SPARK_TOOLS_MAX_GREP_MATCHES);
              return;
            }
          line = g_strdup_printf ("%s:%u: %s\n", relative_to (state->root, path), i + 1, text);
          append_bounded (state->out, line, &state->truncated);
        }
    }
}

static void
grep_recurse (GrepState  *state,
              const char *dir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *d;
  const char *name;

  if (!(d = g_dir_open (dir, 0, NULL)))
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (g_ascii_strcasecmp (name, ".git") != 0)
        g_ptr_array_add (names, g_strdup (name));
    }
  g_dir_close (d);
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len && !state->truncated; i++)
    {
      g_autofree char *child = g_build_filename (dir, names->pdata[i], NULL);

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        grep_recurse (state, child);
      else if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
        grep_file (state, child);
    }
}

static char *
run_grep (const char  *root,
          JsonObject  *args,
          GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *canonical_root = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GError) regex_error = NULL;
  GrepState state = { 0 };
  const char *pattern = spark_json_get_string (args, "pattern");
  const char *glob = spark_json_get_string (args, "glob");
  JsonNode *ignore_case = json_object_get_member (args, "ignore_case");
  GRegexCompileFlags flags = G_REGEX_OPTIMIZE;

#if HAVE_VALGRIND_VALGRIND_H
  /* G_REGEX_OPTIMIZE compiles with PCRE2's JIT, whose code reads past the
   * subject on purpose: memcheck reports that, with no stack to suppress
   * it by. Under valgrind the interpreter finds the same matches. */
  if (RUNNING_ON_VALGRIND)
    flags &= ~G_REGEX_OPTIMIZE;
#endif

  if (pattern == NULL || pattern[0] == '\0')
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           _("grep needs a “pattern”"));
      return NULL;
    }

  if (ignore_case != NULL && JSON_NODE_HOLDS_VALUE (ignore_case) &&
      json_node_get_value_type (ignore_case) == G_TYPE_BOOLEAN && json_node_get_boolean (ignore_case))
    flags |= G_REGEX_CASELESS;

  if (!(regex = g_regex_new (pattern, flags, 0, &regex_error)))
    {
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                   _("Invalid pattern: %s"), regex_error->message);
      return NULL;
    }

  if (!(path = spark_tools_resolve_path (root, spark_json_get_string (args, "path"), error)))
    return NULL;

  canonical_root = realpath (root, NULL);
  state.root = canonical_root ? canonical_root : root;
  state.regex = regex;
  state.glob = glob ? g_pattern_spec_new (glob) : NULL;
  state.out = g_string_new (NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    grep_recurse (&state, path);
  else
    grep_file (&state, path);

  g_clear_pointer (&state.glob, g_pattern_spec_free);
  if (state.matches == 0)
    g_string_append (state.out, "No matches.\n");

  return g_string_free (state.out, FALSE);
}

typedef struct
{
  SparkToolCall *call;
  char          *root;
  char          *name;
  JsonObject    *args;
  char          *output;
  char          *error_message;   /* for the person: why it failed */
  gboolean       success;
} RunData;

static void
run_data_free (RunData *data)
{
  g_clear_object (&data->call);
  g_free (data->root);
  g_free (data->name);
  g_free (data->error_message);
  g_clear_pointer (&data->args, json_object_unref);
  g_free (data->output);
  g_free (data);
}

static char *
run_read_only (RunData  *data,
               GError  **error)
{
  if (g_strcmp0 (data->name, "read_file") == 0)
    return run_read_file (data->root, data->args, error);
  else if (g_strcmp0 (data->name, "list_dir") == 0)
    return run_list_dir (data->root, data->args, error);
  else if (g_strcmp0 (data->name, "grep") == 0)
    return run_grep (data->root, data->args, error);
  g_assert_not_reached ();
}

static void
run_read_only_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  RunData *data = task_data;
  g_autoptr(GError) error = NULL;
  char *output = NULL;

  /* Everything a tool says is for the model: English whatever the locale. */
  spark_audience_push (SPARK_AUDIENCE_MODEL);
  output = run_read_only (data, &error);
  spark_audience_pop ();

  if (output != NULL)
    {
      data->output = output;
      data->success = TRUE;
    }
  else
    {
      g_autoptr(GError) person_error = NULL;
      g_autofree char *again = NULL;

      data->output = g_strdup_printf ("Error: %s", error->message);
      data->success = FALSE;

      /* The person reads why in their language: a read-only tool can be
       * asked again, only to say so (this thread speaks to the person now).
       * Had it worked this time, the model's reason is all there is. */
      again = run_read_only (data, &person_error);
      data->error_message = g_strdup (person_error != NULL ? person_error->message
                                                           : error->message);
    }

  g_task_return_boolean (task, TRUE);
}

/* What every sandbox gets: no network, its own process namespace (no other
 * process, and so no other process's environment, is visible, and all of
 * it dies with bwrap), its own session (no terminal to inject input into). */
static const char * const sandbox_flags[] = {
  "--unshare-net", "--unshare-pid", "--new-session", "--die-with-parent",
};

/* Whether @bwrap can build a sandbox here (user namespaces may be off).
 * Asked once per binary and process: a few milliseconds. */
static gboolean
bwrap_works (const char *bwrap)
{
  static const char * const probe_mounts[] = {
    "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
  };
  static GMutex lock;
  static char *probed;
  static gboolean works;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = NULL;
  int status = 0;

  if (g_strcmp0 (probed, bwrap) == 0)
    return works;

  /* No child of Spark gets the key, the probe included. */
  envp = g_environ_unsetenv (g_get_environ (), "OPENAI_API_KEY");

  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) bwrap);
  for (guint i = 0; i < G_N_ELEMENTS (probe_mounts); i++)
    g_ptr_array_add (argv, (char *) probe_mounts[i]);
  for (guint i = 0; i < G_N_ELEMENTS (sandbox_flags); i++)
    g_ptr_array_add (argv, (char *) sandbox_flags[i]);
  g_ptr_array_add (argv, (char *) "true");
  g_ptr_array_add (argv, NULL);

  works = g_spawn_sync (NULL, (char **) argv->pdata, envp,
                        G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, &status, &error) &&
          g_spawn_check_wait_status (status, &error);
  if (!works)
    g_message ("%s cannot build a sandbox here, shell commands run without one: %s",
               bwrap, error->message);

  g_free (probed);
  probed = g_strdup (bwrap);

  return works;
}

/* The bubblewrap binary the shell tool runs commands in: $SPARK_BWRAP when
 * set (a path that is not an executable, e.g. /nonexistent, turns the
 * sandbox off), else `bwrap` from PATH. NULL when there is none or when it
 * cannot build a sandbox on this system. */
static char *
find_bwrap (void)
{
  const char *override = g_getenv ("SPARK_BWRAP");
  g_autofree char *bwrap = NULL;

  if (override != NULL && override[0] != '\0')
    bwrap = g_find_program_in_path (override);
  else
    bwrap = g_find_program_in_path ("bwrap");

  if (bwrap == NULL || !bwrap_works (bwrap))
    return NULL;

  return g_steal_pointer (&bwrap);
}

/* Whether @path is @dir or inside it (both canonical). */
static gboolean
path_is_within (const char *path,
                const char *dir)
{
  gsize len = strlen (dir);

  if (strncmp (path, dir, len) != 0)
    return FALSE;

  return path[len] == '\0' || path[len] == '/' || (len > 0 && dir[len - 1] == '/');
}

static void
push_args (GPtrArray  *argv,
           const char *first,
           ...)
{
  va_list args;

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
}

/* The command line for @command: inside bubblewrap when @bwrap is not NULL.
 * The sandbox sees the whole file system read-only, the project folder
 * @root writable, an empty /tmp, and an empty $HOME and $XDG_RUNTIME_DIR
 * (the person's files, keyring and session bus sockets), with the
 * sandbox_flags above. */
static GPtrArray *
shell_argv_new (const char *bwrap,
                const char *root,
                const char *command)
{
  static const char * const private_dirs[] = { "HOME", "XDG_RUNTIME_DIR" };
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  if (bwrap != NULL)
    {
      g_autoptr(GPtrArray) hidden = g_ptr_array_new_with_free_func (free);

      for (guint i = 0; i < G_N_ELEMENTS (private_dirs); i++)
        {
          const char *value = g_getenv (private_dirs[i]);
          char *dir = value != NULL && g_path_is_absolute (value) ? realpath (value, NULL) : NULL;

          /* "/" cannot be hidden; a home that is the project stays visible. */
          if (dir == NULL || strcmp (dir, "/") == 0 || strcmp (dir, root) == 0 ||
              !g_file_test (dir, G_FILE_TEST_IS_DIR))
            free (dir);
          else
            g_ptr_array_add (hidden, dir);
        }

      push_args (argv, bwrap,
                 "--ro-bind", "/", "/",
                 "--dev", "/dev",
                 "--proc", "/proc",
                 "--tmpfs", "/tmp",
                 NULL);
      /* A folder that holds the project is hidden first and the project
       * bound back into it; any other one is hidden after the bind. */
      for (guint i = 0; i < hidden->len; i++)
        if (path_is_within (root, hidden->pdata[i]))
          push_args (argv, "--tmpfs", hidden->pdata[i], NULL);
      push_args (argv, "--bind", root, root, NULL);
      for (guint i = 0; i < hidden->len; i++)
        if (!path_is_within (root, hidden->pdata[i]))
          push_args (argv, "--tmpfs", hidden->pdata[i], NULL);
      for (guint i = 0; i < G_N_ELEMENTS (sandbox_flags); i++)
        push_args (argv, sandbox_flags[i], NULL);
      push_args (argv, "--chdir", root, "--", NULL);
    }

  push_args (argv, "/bin/sh", "-c", command, NULL);
  g_ptr_array_add (argv, NULL);

  return argv;
}

typedef struct
{
  GSubprocess *subprocess;
  GByteArray  *output;       /* the first SPARK_TOOLS_MAX_OUTPUT bytes */
  guint64      output_size;  /* everything the command wrote */
  pid_t        pgid;
  guint        timeout_ms;
  guint        timeout_id;
  guint        timed_out : 1;
  guint        sandboxed : 1;
} ShellState;

static void
shell_child_setup (gpointer data)
{
  pid_t *pgid = data;

  /* Its own process group, so a timeout kills the command's children too
   * (they would otherwise keep the output pipe open). Its id goes to the
   * parent through shared memory: GSubprocess forgets the pid as soon as
   * the shell is reaped, which can happen before the parent asks. */
  setpgid (0, 0);
  *pgid = getpid ();
}

static void
kill_group (ShellState *state)
{
  /* By the group id saved at spawn: the leader may be gone already while
   * its children still hold the pipe. */
  if (state->pgid > 0)
    kill (-state->pgid, SIGKILL);
  g_subprocess_force_exit (state->subprocess);
}

static gboolean
shell_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  ShellState *state = g_object_get_data (G_OBJECT (task), "shell-state");

  state->timeout_id = 0;
  state->timed_out = TRUE;
  kill_group (state);

  return G_SOURCE_REMOVE;
}

static void
shell_state_free (gpointer data)
{
  ShellState *state = data;

  g_clear_handle_id (&state->timeout_id, g_source_remove);
  g_clear_object (&state->subprocess);
  g_clear_pointer (&state->output, g_byte_array_unref);
  g_free (state);
}

/* Ends the call on a read or wait error (cancellation included). */
static void
shell_fail (GTask  *task,
            GError *error)
{
  RunData *data = g_task_get_task_data (task);
  ShellState *state = g_object_get_data (G_OBJECT (task), "shell-state");

  g_clear_handle_id (&state->timeout_id, g_source_remove);
  kill_group (state);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }

  /* GIO said it on the main thread: in the person's language. */
  data->output = g_strdup_printf ("Error: %s", error->message);
  data->error_message = g_strdup (error->message);
  data->success = FALSE;
  g_error_free (error);
  g_task_return_boolean (task, TRUE);
}

static char *
shell_format_output (ShellState  *state,
                     GSubprocess *subprocess)
{
  g_autofree char *text = NULL;
  GString *out;
  gboolean truncated = state->output_size > state->output->len;
  gsize len = state->output->len;

  text = g_utf8_make_valid (len > 0 ? (const char *) state->output->data : "", len);
  out = g_string_new (text);

  if (truncated)
    {
      /* Replacement characters made the text longer than the cap, if any:
       * cut at a character boundary, which also drops the replacement of
       * a character the cap split. */
      if (out->len > SPARK_TOOLS_MAX_OUTPUT)
        {
          const char *end = out->str + SPARK_TOOLS_MAX_OUTPUT;

          while (end > out->str && ((guchar) *end & 0xC0) == 0x80)
            end--;
          g_string_truncate (out, end - out->str);
        }
      g_string_append_printf (out,
                              "\n[output truncated: only the first %u of the %" G_GUINT64_FORMAT
                              " bytes the command wrote are shown]\n",
                              (guint) SPARK_TOOLS_MAX_OUTPUT, state->output_size);
    }

  if (state->timed_out)
    g_string_append_printf (out, "\n[killed: timed out after %u ms]\n", state->timeout_ms);
  else if (g_subprocess_get_if_exited (subprocess))
    g_string_append_printf (out, "\n[exit code %d]\n", g_subprocess_get_exit_status (subprocess));
  else
    g_string_append (out, "\n[killed by a signal]\n");

  if (!state->sandboxed)
    g_string_append (out, "[not sandboxed: bubblewrap (bwrap) is missing or cannot run here, so the "
                          "command ran with the person's own permissions and network]\n");

  return g_string_free (out, FALSE);
}

static void
shell_wait_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  RunData *data = g_task_get_task_data (task);
  ShellState *state = g_object_get_data (G_OBJECT (task), "shell-state");
  GSubprocess *subprocess = G_SUBPROCESS (object);

  if (!g_subprocess_wait_finish (subprocess, result, &error))
    {
      shell_fail (task, g_steal_pointer (&error));
      return;
    }

  g_clear_handle_id (&state->timeout_id, g_source_remove);

  data->success = !state->timed_out && g_subprocess_get_successful (subprocess);
  data->output = shell_format_output (state, subprocess);
  g_task_return_boolean (task, TRUE);
}

/* Reads the output to its end, keeping only the first
 * SPARK_TOOLS_MAX_OUTPUT bytes (`yes` must not fill the memory). */
static void
shell_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  ShellState *state = g_object_get_data (G_OBJECT (task), "shell-state");
  GInputStream *stream = G_INPUT_STREAM (object);
  GCancellable *cancellable = g_task_get_cancellable (task);
  const guint8 *chunk;
  gsize size;

  if (!(bytes = g_input_stream_read_bytes_finish (stream, result, &error)))
    {
      shell_fail (task, g_steal_pointer (&error));
      return;
    }

  chunk = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      /* End of output; the command may still run (the timeout holds). */
      g_subprocess_wait_async (state->subprocess, cancellable, shell_wait_cb, g_steal_pointer (&task));
      return;
    }

  if (state->output->len < SPARK_TOOLS_MAX_OUTPUT)
    g_byte_array_append (state->output, chunk, MIN (size, SPARK_TOOLS_MAX_OUTPUT - state->output->len));
  state->output_size += size;

  g_input_stream_read_bytes_async (stream, 64 * 1024, G_PRIORITY_DEFAULT, cancellable,
                                   shell_read_cb, g_steal_pointer (&task));
}

static void
run_shell (SparkTools *self,
           GTask      *task,
           RunData    *data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bwrap = find_bwrap ();
  const char *command = spark_json_get_string (data->args, "command");
  gint64 timeout = CLAMP (spark_json_get_int (data->args, "timeout_ms", SHELL_DEFAULT_TIMEOUT_MS),
                          100, SHELL_MAX_TIMEOUT_MS);
  ShellState *state;
  pid_t *shared_pgid;

  if (command == NULL || command[0] == '\0')
    {
      data->output = g_strdup ("Error: shell needs a “command”");
      data->error_message = g_strdup (_("shell needs a “command”"));
      g_task_return_boolean (task, TRUE);
      return;
    }

  argv = shell_argv_new (bwrap, data->root, command);

  /* stdin is /dev/null: a command must not read Spark's terminal (under
   * `spark exec`) or wait for input nobody will type. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_cwd (launcher, data->root);
  /* Never hand the key to a command the model wrote. */
  g_subprocess_launcher_unsetenv (launcher, "OPENAI_API_KEY");

  shared_pgid = mmap (NULL, sizeof *shared_pgid, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared_pgid == MAP_FAILED)
    {
      int errsv = errno;

      spark_audience_push (SPARK_AUDIENCE_MODEL);
      data->output = g_strdup_printf ("Error: %s", spark_audience_strerror (errsv));
      spark_audience_pop ();
      data->error_message = g_strdup_printf (_("The command could not be started: %s"),
                                             spark_audience_strerror (errsv));
      g_task_return_boolean (task, TRUE);
      return;
    }
  *shared_pgid = 0;
  g_subprocess_launcher_set_child_setup (launcher, shell_child_setup, shared_pgid, NULL);

  state = g_new0 (ShellState, 1);
  state->output = g_byte_array_new ();
  state->timeout_ms = timeout;
  state->sandboxed = bwrap != NULL;
  g_object_set_data_full (G_OBJECT (task), "shell-state", state, shell_state_free);

  spark_audience_push (SPARK_AUDIENCE_MODEL);   /* GLib's error, for the model */
  state->subprocess = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  spark_audience_pop ();
  state->pgid = *shared_pgid;
  munmap (shared_pgid, sizeof *shared_pgid);
  if (state->subprocess == NULL)
    {
      data->output = g_strdup_printf ("Error: %s", error->message);
      /* Not started twice to say it in two languages: GLib's reason stays
       * as the model read it. */
      data->error_message = g_strdup_printf (_("The command could not be started: %s"),
                                             error->message);
      g_task_return_boolean (task, TRUE);
      return;
    }

  state->timeout_id = g_timeout_add (timeout, shell_timeout_cb, task);
  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (state->subprocess), 64 * 1024,
                                   G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   shell_read_cb, g_object_ref (task));
}

void
spark_tools_run_async (SparkTools          *self,
                       SparkToolCall       *call,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  RunData *data;
  const char *name;

  g_return_if_fail (SPARK_IS_TOOLS (self));
  g_return_if_fail (SPARK_IS_TOOL_CALL (call));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_tools_run_async);

  name = spark_tool_call_get_name (call);
  data = g_new0 (RunData, 1);
  data->call = g_object_ref (call);
  data->root = g_strdup (self->root);
  data->name = g_strdup (name);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  spark_audience_push (SPARK_AUDIENCE_MODEL);   /* the parser's error, for the model */
  data->args = spark_tool_call_dup_arguments (call, &error);
  spark_audience_pop ();
  if (data->args == NULL)
    {
      g_autoptr(GError) person_error = NULL;
      g_autoptr(JsonObject) again = NULL;

      data->output = g_strdup_printf ("Error: %s", error->message);
      /* …and the same, for the person. */
      again = spark_tool_call_dup_arguments (call, &person_error);
      data->error_message = g_strdup (person_error != NULL ? person_error->message
                                                           : error->message);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (spark_tools_is_read_only (name))
    g_task_run_in_thread (task, run_read_only_worker);
  else if (g_strcmp0 (name, "shell") == 0 && self->shell_enabled)
    run_shell (self, task, data);
  else
    {
      data->output = g_strdup_printf ("Error: unknown tool “%s”", name ? name : "");
      data->error_message = g_strdup_printf (_("The model asked for a tool Spark does not have "
                                               "(“%s”)"), name ? name : "");
      g_task_return_boolean (task, TRUE);
    }
}

char *
spark_tools_run_finish (SparkTools    *self,
                        GAsyncResult  *result,
                        gboolean      *success,
                        GError       **error)
{
  RunData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  data = g_task_get_task_data (G_TASK (result));
  if (success != NULL)
    *success = data->success;
  if (!data->success)
    _spark_tool_call_set_error_message (data->call, data->error_message);

  return g_steal_pointer (&data->output);
}

JsonArray *
spark_tools_dup_definitions (SparkTools   *self,
                             SparkWireApi  wire_api)
{
  g_autoptr(JsonNode) node = NULL;
  JsonArray *tools;
  JsonObject *patch;

  g_return_val_if_fail (SPARK_IS_TOOLS (self), NULL);

  node = parse_json (function_tools_json);
  tools = json_array_ref (json_node_get_array (node));

  patch = json_object_new ();
  json_object_set_string_member (patch, "name", "apply_patch");
  if (wire_api == SPARK_WIRE_API_RESPONSES)
    {
      JsonObject *format = json_object_new ();

      json_object_set_string_member (patch, "type", "custom");
      json_object_set_string_member (patch, "description", apply_patch_description);
      json_object_set_string_member (format, "type", "grammar");
      json_object_set_string_member (format, "syntax", "lark");
      json_object_set_string_member (format, "definition", apply_patch_grammar);
      json_object_set_object_member (patch, "format", format);
    }
  else
    {
      g_autofree char *description = NULL;

      /* Local servers rarely support grammars: a JSON function with one string. */
      description = g_strconcat (apply_patch_description,
                                 "\nAs a JSON function: pass the whole patch text as the "
                                 "\"input\" string.", NULL);
      json_object_set_string_member (patch, "type", "function");
      json_object_set_string_member (patch, "description", description);
      json_object_set_member (patch, "parameters",
                              parse_json ("{\"type\":\"object\",\"properties\":{\"input\":"
                                          "{\"type\":\"string\",\"description\":\"The entire patch, "
                                          "from *** Begin Patch to *** End Patch\"}},"
                                          "\"required\":[\"input\"],\"additionalProperties\":false}"));
    }
  json_array_add_object_element (tools, patch);

  if (self->shell_enabled)
    {
      JsonNode *shell = parse_json (shell_tool_json);

      json_object_set_string_member (json_node_get_object (shell), "description",
                                     spark_tools_get_sandboxed (self) ? shell_sandboxed
                                                                      : shell_unsandboxed);
      json_array_add_element (tools, shell);
    }

  return tools;
}

const char *
spark_tools_get_instructions (SparkTools *self)
{
  return instructions;
}

static void
spark_tools_finalize (GObject *object)
{
  SparkTools *self = (SparkTools *)object;

  g_clear_pointer (&self->root, g_free);

  G_OBJECT_CLASS (spark_tools_parent_class)->finalize (object);
}

static void
spark_tools_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SparkTools *self = SPARK_TOOLS (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      g_value_set_string (value, self->root);
      break;

    case PROP_SHELL_ENABLED:
      g_value_set_boolean (value, self->shell_enabled);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_tools_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SparkTools *self = SPARK_TOOLS (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      {
        const char *root = g_value_get_string (value);
        char *real = root ? realpath (root, NULL) : NULL;

        g_free (self->root);
        self->root = real ? real : g_canonicalize_filename (root ? root : ".", NULL);
      }
      break;

    case PROP_SHELL_ENABLED:
      spark_tools_set_shell_enabled (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_tools_class_init (SparkToolsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_tools_finalize;
  object_class->get_property = spark_tools_get_property;
  object_class->set_property = spark_tools_set_property;

  properties[PROP_ROOT] =
    g_param_spec_string ("root", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SHELL_ENABLED] =
    g_param_spec_boolean ("shell-enabled", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spark_tools_init (SparkTools *self)
{
  self->shell_enabled = TRUE;
}

SparkTools *
spark_tools_new (const char *root)
{
  return g_object_new (SPARK_TYPE_TOOLS, "root", root, NULL);
}

const char *
spark_tools_get_root (SparkTools *self)
{
  g_return_val_if_fail (SPARK_IS_TOOLS (self), NULL);
  return self->root;
}

gboolean
spark_tools_get_shell_enabled (SparkTools *self)
{
  g_return_val_if_fail (SPARK_IS_TOOLS (self), FALSE);
  return self->shell_enabled;
}

void
spark_tools_set_shell_enabled (SparkTools *self,
                               gboolean    enabled)
{
  g_return_if_fail (SPARK_IS_TOOLS (self));

  enabled = !!enabled;
  if (self->shell_enabled != enabled)
    {
      self->shell_enabled = enabled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHELL_ENABLED]);
    }
}

gboolean
spark_tools_get_sandboxed (SparkTools *self)
{
  g_autofree char *bwrap = NULL;

  g_return_val_if_fail (SPARK_IS_TOOLS (self), FALSE);

  bwrap = find_bwrap ();
  return bwrap != NULL;
}
