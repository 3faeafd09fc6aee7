/* spark-patch-parser.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-patch-parser"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-patch-parser.h"
#include "spark-patch-private.h"

#define BEGIN_PATCH   "*** Begin Patch"
#define END_PATCH     "*** End Patch"
#define ADD_FILE      "*** Add File: "
#define DELETE_FILE   "*** Delete File: "
#define UPDATE_FILE   "*** Update File: "
#define MOVE_TO       "*** Move to: "
#define END_OF_FILE   "*** End of File"
#define ENVIRONMENT   "*** Environment ID: "

typedef enum
{
  STATE_START,          /* before *** Begin Patch */
  STATE_HEREDOC,        /* after <<EOF, before *** Begin Patch */
  STATE_OPS,            /* between operations */
  STATE_ADD,            /* inside *** Add File */
  STATE_UPDATE_HEADER,  /* after *** Update File, before knowing about Move to */
  STATE_UPDATE,         /* inside *** Update File, no chunk open */
  STATE_ANCHORS,        /* @@ lines read, no chunk line yet */
  STATE_CHUNK,          /* inside a chunk with at least one line */
  STATE_END,            /* after *** End Patch */
  STATE_DONE,           /* finished */
  STATE_FAILED,
} ParserState;

typedef enum
{
  JSON_BEFORE_OBJECT,
  JSON_BEFORE_KEY,
  JSON_IN_KEY,
  JSON_AFTER_KEY,
  JSON_BEFORE_VALUE,
  JSON_IN_INPUT,
  JSON_SKIP_VALUE,
  JSON_AFTER_VALUE,
  JSON_DONE,
} JsonState;

struct _SparkPatchParser
{
  GObject             parent_instance;

  GListStore         *files;
  GString            *line;          /* the current, incomplete line */
  GError             *error;

  ParserState         state;
  guint               line_no;       /* number of complete lines read */
  guint               error_line;
  gboolean            heredoc;
  gboolean            heredoc_closed;
  gboolean            env_seen;

  /* The operation being read. */
  SparkFileChange    *current;
  char               *update_path;
  guint               update_line;
  GPtrArray          *add_lines;
  guint               n_chunks;

  /* The chunk being read. */
  GPtrArray          *anchors;
  GPtrArray          *old_lines;
  GPtrArray          *new_lines;
  guint               chunk_line;

  /* JSON arguments wire form. */
  SparkPatchWireForm  wire_form;
  JsonState           json_state;
  GString            *json_key;
  gboolean            json_escape;
  gboolean            json_in_string;
  guint               json_depth;
  int                 json_unicode_left;   /* hex digits still expected, or -1 */
  gunichar            json_unicode;
  gunichar            json_high_surrogate;
  gboolean            json_seen_input;
};

G_DEFINE_FINAL_TYPE (SparkPatchParser, spark_patch_parser, G_TYPE_OBJECT)

G_DEFINE_QUARK (spark-patch-error-quark, spark_patch_error)

enum {
  FILE_STARTED,
  HUNK_COMPLETE,
  FILE_COMPLETE,
  PATCH_COMPLETE,
  ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean process_line (SparkPatchParser *self,
                              const char       *line,
                              guint             line_no);

/* ---- helpers ---------------------------------------------------------- */

static char *
trimmed (const char *line)
{
  return g_strstrip (g_strdup (line));
}

static gboolean
is_blank (const char *line)
{
  for (; *line; line++)
    {
      if (!g_ascii_isspace (*line))
        return FALSE;
    }
  return TRUE;
}

/* A line that is one of the markers ending a chunk or an operation, allowing
 * surrounding whitespace. */
static gboolean
is_marker (const char *t)
{
  return strcmp (t, END_PATCH) == 0 ||
         strcmp (t, END_OF_FILE) == 0 ||
         g_str_has_prefix (t, ADD_FILE) ||
         g_str_has_prefix (t, DELETE_FILE) ||
         g_str_has_prefix (t, UPDATE_FILE);
}

static gboolean
is_chunk_line (const char *line)
{
  return line[0] == '\0' || line[0] == ' ' || line[0] == '+' || line[0] == '-';
}

static gboolean
is_heredoc_start (const char *t)
{
  static const char * const forms[] = { "<<EOF", "<<'EOF'", "<<\"EOF\"" };

  if (g_str_has_prefix (t, "apply_patch "))
    t = g_strchug ((char *) t + strlen ("apply_patch "));

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      if (strcmp (t, forms[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
fail (SparkPatchParser *self,
      guint             line_no,
      gint              code,
      const char       *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (SparkPatchParser *self,
      guint             line_no,
      gint              code,
      const char       *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_assert (self->error == NULL);

  self->error = g_error_new (SPARK_PATCH_ERROR, code,
                             _("line %u: %s"), line_no, message);
  self->error_line = line_no;
  self->state = STATE_FAILED;

  g_signal_emit (self, signals[ERROR], 0, self->error, line_no);

  return FALSE;
}

static char **
take_strv (GPtrArray **array)
{
  GPtrArray *a = g_steal_pointer (array);

  g_ptr_array_add (a, NULL);
  return (char **) g_ptr_array_free (a, FALSE);
}

static GPtrArray *
new_lines_array (void)
{
  return g_ptr_array_new_with_free_func (g_free);
}

static void
start_file (SparkPatchParser    *self,
            SparkFileChangeKind  kind,
            const char          *path,
            const char          *move_path,
            guint                line_no)
{
  g_assert (self->current == NULL);

  self->current = spark_file_change_new (kind, path, move_path);
  _spark_file_change_set_patch_line (self->current, line_no);
  self->n_chunks = 0;
  g_list_store_append (self->files, self->current);

  g_signal_emit (self, signals[FILE_STARTED], 0, self->current);
}

static void
add_hunk (SparkPatchParser *self,
          SparkHunk        *hunk,
          guint             line_no)
{
  _spark_hunk_set_patch_line (hunk, line_no);
  spark_file_change_append_hunk (self->current, hunk);
  g_signal_emit (self, signals[HUNK_COMPLETE], 0, self->current, hunk);
}

static void
complete_file (SparkPatchParser *self)
{
  g_autoptr(SparkFileChange) file = g_steal_pointer (&self->current);

  g_assert (file != NULL);

  _spark_file_change_set_complete (file);
  g_signal_emit (self, signals[FILE_COMPLETE], 0, file);
}

static void
complete_add (SparkPatchParser *self)
{
  g_auto(GStrv) lines = take_strv (&self->add_lines);
  g_autoptr(SparkHunk) hunk = spark_hunk_new (NULL, NULL, (const char * const *) lines, FALSE);

  add_hunk (self, hunk, spark_file_change_get_patch_line (self->current));
  complete_file (self);
  self->state = STATE_OPS;
}

static void
open_chunk (SparkPatchParser *self,
            guint             line_no)
{
  self->anchors = new_lines_array ();
  self->old_lines = new_lines_array ();
  self->new_lines = new_lines_array ();
  self->chunk_line = line_no;
}

static void
complete_chunk (SparkPatchParser *self,
                gboolean          end_of_file)
{
  g_auto(GStrv) anchors = take_strv (&self->anchors);
  g_auto(GStrv) old_lines = take_strv (&self->old_lines);
  g_auto(GStrv) new_lines = take_strv (&self->new_lines);
  g_autoptr(SparkHunk) hunk = NULL;

  hunk = spark_hunk_new ((const char * const *) anchors,
                         (const char * const *) old_lines,
                         (const char * const *) new_lines,
                         end_of_file);
  self->n_chunks++;
  self->state = STATE_UPDATE;
  add_hunk (self, hunk, self->chunk_line);
}

static void
add_anchor (SparkPatchParser *self,
            const char       *line)
{
  g_autofree char *anchor = trimmed (line + 2);

  /* A bare `@@` (or `@@ ` padded with spaces) has no anchor. */
  if (anchor[0] != '\0')
    g_ptr_array_add (self->anchors, g_steal_pointer (&anchor));
}

static void
add_chunk_line (SparkPatchParser *self,
                const char       *line)
{
  switch (line[0])
    {
    case '\0':
      g_ptr_array_add (self->old_lines, g_strdup (""));
      g_ptr_array_add (self->new_lines, g_strdup (""));
      break;

    case ' ':
      g_ptr_array_add (self->old_lines, g_strdup (line + 1));
      g_ptr_array_add (self->new_lines, g_strdup (line + 1));
      break;

    case '-':
      g_ptr_array_add (self->old_lines, g_strdup (line + 1));
      break;

    case '+':
      g_ptr_array_add (self->new_lines, g_strdup (line + 1));
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
start_update (SparkPatchParser *self,
              const char       *move_path)
{
  start_file (self,
              move_path ? SPARK_FILE_CHANGE_MOVE : SPARK_FILE_CHANGE_UPDATE,
              self->update_path, move_path, self->update_line);
  g_clear_pointer (&self->update_path, g_free);
  self->state = STATE_UPDATE;
}

static gboolean
end_update (SparkPatchParser *self)
{
  if (self->n_chunks == 0)
    return fail (self, spark_file_change_get_patch_line (self->current),
                 SPARK_PATCH_ERROR_SYNTAX,
                 _("Update file hunk for path '%s' is empty"),
                 spark_file_change_get_path (self->current));

  complete_file (self);
  self->state = STATE_OPS;
  return TRUE;
}

/* ---- line by line ----------------------------------------------------- */

static gboolean
process_ops_line (SparkPatchParser *self,
                  const char       *line,
                  guint             line_no)
{
  g_autofree char *t = trimmed (line);
  const char *path = NULL;

  if (t[0] == '\0')
    return TRUE;

  if (strcmp (t, END_PATCH) == 0)
    {
      if (g_list_model_get_n_items (G_LIST_MODEL (self->files)) == 0)
        return fail (self, line_no, SPARK_PATCH_ERROR_EMPTY,
                     _("The patch does not contain any file operation; "
                       "nothing would be modified"));
      self->state = STATE_END;
      return TRUE;
    }

  if (g_str_has_prefix (t, ENVIRONMENT) && !self->env_seen &&
      g_list_model_get_n_items (G_LIST_MODEL (self->files)) == 0)
    {
      self->env_seen = TRUE;
      return TRUE;
    }

  if (g_str_has_prefix (t, ADD_FILE))
    path = t + strlen (ADD_FILE);
  else if (g_str_has_prefix (t, DELETE_FILE))
    path = t + strlen (DELETE_FILE);
  else if (g_str_has_prefix (t, UPDATE_FILE))
    path = t + strlen (UPDATE_FILE);
  else
    return fail (self, line_no, SPARK_PATCH_ERROR_SYNTAX,
                 _("'%s' is not a valid hunk header. Valid hunk headers: "
                   "'*** Add File: {path}', '*** Delete File: {path}', "
                   "'*** Update File: {path}'"), t);

  while (*path == ' ' || *path == '\t')
    path++;
  if (*path == '\0')
    return fail (self, line_no, SPARK_PATCH_ERROR_SYNTAX,
                 _("'%s' has no path"), t);

  if (g_str_has_prefix (t, ADD_FILE))
    {
      start_file (self, SPARK_FILE_CHANGE_ADD, path, NULL, line_no);
      self->add_lines = new_lines_array ();
      self->state = STATE_ADD;
    }
  else if (g_str_has_prefix (t, DELETE_FILE))
    {
      g_autoptr(SparkHunk) hunk = spark_hunk_new (NULL, NULL, NULL, FALSE);

      start_file (self, SPARK_FILE_CHANGE_DELETE, path, NULL, line_no);
      add_hunk (self, hunk, line_no);
      complete_file (self);
    }
  else
    {
      self->update_path = g_strdup (path);
      self->update_line = line_no;
      self->state = STATE_UPDATE_HEADER;
    }

  return TRUE;
}

static gboolean
process_line (SparkPatchParser *self,
              const char       *line,
              guint             line_no)
{
  g_autofree char *t = NULL;

  switch (self->state)
    {
    case STATE_START:
    case STATE_HEREDOC:
      if (is_blank (line))
        return TRUE;
      t = trimmed (line);
      if (strcmp (t, BEGIN_PATCH) == 0)
        {
          self->state = STATE_OPS;
          return TRUE;
        }
      if (self->state == STATE_START && is_heredoc_start (t))
        {
          self->heredoc = TRUE;
          self->state = STATE_HEREDOC;
          return TRUE;
        }
      return fail (self, line_no, SPARK_PATCH_ERROR_SYNTAX,
                   _("The first line of the patch must be '*** Begin Patch'"));

    case STATE_OPS:
      return process_ops_line (self, line, line_no);

    case STATE_ADD:
      if (line[0] == '+')
        {
          g_ptr_array_add (self->add_lines, g_strdup (line + 1));
          return TRUE;
        }
      complete_add (self);
      return process_line (self, line, line_no);

    case STATE_UPDATE_HEADER:
      t = trimmed (line);
      if (g_str_has_prefix (t, MOVE_TO))
        {
          const char *move = t + strlen (MOVE_TO);

          while (*move == ' ' || *move == '\t')
            move++;
          if (*move == '\0')
            return fail (self, line_no, SPARK_PATCH_ERROR_SYNTAX,
                         _("'%s' has no path"), t);
          start_update (self, move);
          return TRUE;
        }
      start_update (self, NULL);
      return process_line (self, line, line_no);

    case STATE_UPDATE:
      if (is_blank (line))
        return TRUE;
      t = trimmed (line);
      if (is_marker (t))
        {
          if (!end_update (self))
            return FALSE;
          return process_line (self, line, line_no);
        }
      if (g_str_has_prefix (line, "@@"))
        {
          open_chunk (self, line_no);
          add_anchor (self, line);
          self->state = STATE_ANCHORS;
          return TRUE;
        }
      if (self->n_chunks == 0 && is_chunk_line (line))
        {
          open_chunk (self, line_no);
          add_chunk_line (self, line);
          self->state = STATE_CHUNK;
          return TRUE;
        }
      if (self->n_chunks == 0)
        return fail (self, line_no, SPARK_PATCH_ERROR_SYNTAX,
                     _("Unexpected line found in update hunk: '%s'. Every line should "
                       "start with ' ' (context line), '+' (added line), or '-' "
                       "(removed line)"), line);
      return fail (self, line_no, SPARK_PATCH_ERROR_SYNTAX,
                   _("Expected update hunk to start with a @@ context marker, got: '%s'"),
                   line);

    case STATE_ANCHORS:
      if (g_str_has_prefix (line, "@@"))
        {
          add_anchor (self, line);
          return TRUE;
        }
      t = trimmed (line);
      if (is_marker (t) && line[0] != '\0')
        return fail (self, line_no, SPARK_PATCH_ERROR_SYNTAX,
                     _("Update hunk does not contain any lines"));
      if (is_chunk_line (line))
        {
          add_chunk_line (self, line);
          self->state = STATE_CHUNK;
          return TRUE;
        }
      return fail (self, line_no, SPARK_PATCH_ERROR_SYNTAX,
                   _("Unexpected line found in update hunk: '%s'. Every line should "
                     "start with ' ' (context line), '+' (added line), or '-' "
                     "(removed line)"), line);

    case STATE_CHUNK:
      t = trimmed (line);
      if (strcmp (t, END_OF_FILE) == 0)
        {
          complete_chunk (self, TRUE);
          return TRUE;
        }
      if (is_chunk_line (line) && !(line[0] == ' ' && is_marker (t)))
        {
          add_chunk_line (self, line);
          return TRUE;
        }
      complete_chunk (self, FALSE);
      return process_line (self, line, line_no);

    case STATE_END:
      if (is_blank (line))
        return TRUE;
      t = trimmed (line);
      if (self->heredoc && !self->heredoc_closed && g_str_has_suffix (t, "EOF"))
        {
          self->heredoc_closed = TRUE;
          return TRUE;
        }
      return fail (self, line_no, SPARK_PATCH_ERROR_SYNTAX,
                   _("The last line of the patch must be '*** End Patch'"));

    case STATE_DONE:
    case STATE_FAILED:
    default:
      g_assert_not_reached ();
    }
}

/* Completes what the start of the next, still incomplete line already
 * decides, so review sees a hunk as soon as its last line is known. Any split
 * of the text gives the same events in the same order: this only does early
 * what processing the whole line would do first. */
static void
process_partial_line (SparkPatchParser *self)
{
  const char *p = self->line->str;
  gsize len = self->line->len;

  if (len == 0)
    return;

  switch (self->state)
    {
    case STATE_ADD:
      if (p[0] != '+')
        complete_add (self);
      break;

    case STATE_UPDATE_HEADER:
      if (p[0] != ' ' && p[0] != '\t' && p[0] != '\r' &&
          strncmp (p, MOVE_TO, MIN (len, strlen (MOVE_TO))) != 0)
        start_update (self, NULL);
      break;

    case STATE_CHUNK:
      if (p[0] == ' ' || p[0] == '+' || p[0] == '-' || p[0] == '\r')
        break;
      if (p[0] == '*' &&
          strncmp (p, END_OF_FILE, MIN (len, strlen (END_OF_FILE))) == 0)
        break;
      complete_chunk (self, FALSE);
      break;

    case STATE_START:
    case STATE_HEREDOC:
    case STATE_OPS:
    case STATE_UPDATE:
    case STATE_ANCHORS:
    case STATE_END:
    case STATE_DONE:
    case STATE_FAILED:
    default:
      break;
    }
}

static gboolean
take_line (SparkPatchParser *self)
{
  gsize len = self->line->len;
  const char *end = NULL;

  /* Whatever the bytes of the line decide early was decided already when
   * they came in pieces; decide it now too when the line came whole, so a
   * failure below comes after the same events whatever the split. */
  process_partial_line (self);

  self->line_no++;

  /* CRLF input: drop the CR of the line ending. */
  if (len > 0 && self->line->str[len - 1] == '\r')
    g_string_truncate (self->line, len - 1);

  if (!g_utf8_validate_len (self->line->str, self->line->len, &end))
    return fail (self, self->line_no, SPARK_PATCH_ERROR_SYNTAX,
                 _("The patch is not valid UTF-8 text"));

  if (!process_line (self, self->line->str, self->line_no))
    return FALSE;

  g_string_truncate (self->line, 0);
  return TRUE;
}

static gboolean
feed_text (SparkPatchParser *self,
           const char       *data,
           gsize             len)
{
  while (len > 0)
    {
      const char *nl = memchr (data, '\n', len);
      gsize n = nl ? (gsize) (nl - data) : len;
      const char *nul = memchr (data, '\0', n);

      if (nul != NULL)
        {
          /* Do first what the bytes before the NUL already decide, so the
           * events do not depend on how the text was split. */
          g_string_append_len (self->line, data, nul - data);
          process_partial_line (self);
          return fail (self, self->line_no + 1, SPARK_PATCH_ERROR_SYNTAX,
                       _("The patch contains a NUL byte"));
        }

      g_string_append_len (self->line, data, n);

      if (nl == NULL)
        break;

      if (!take_line (self))
        return FALSE;

      data += n + 1;
      len -= n + 1;
    }

  process_partial_line (self);

  return TRUE;
}

/* ---- JSON arguments ----------------------------------------------------- */

static gboolean
json_fail (SparkPatchParser *self,
           const char       *what)
{
  return fail (self, self->line_no + 1, SPARK_PATCH_ERROR_SYNTAX,
               _("The JSON arguments are not valid: %s"), what);
}

static gboolean
json_emit_char (SparkPatchParser *self,
                gunichar          c)
{
  char buf[8];
  int n = g_unichar_to_utf8 (c, buf);

  return feed_text (self, buf, n);
}

/* One character of a JSON string body. Returns FALSE on error; sets *@end when
 * the closing quote was read. For the input string the unescaped text goes to
 * the patch parser; for a key it goes to json_key. */
static gboolean
json_string_char (SparkPatchParser *self,
                  char              c,
                  GString          *sink,
                  gboolean         *end)
{
  *end = FALSE;

  if (self->json_unicode_left > 0)
    {
      if (!g_ascii_isxdigit (c))
        return json_fail (self, _("bad \\u escape"));
      self->json_unicode = (self->json_unicode << 4) | g_ascii_xdigit_value (c);
      if (--self->json_unicode_left > 0)
        return TRUE;

      self->json_unicode_left = -1;
      if (self->json_unicode >= 0xD800 && self->json_unicode < 0xDC00)
        {
          self->json_high_surrogate = self->json_unicode;
          return TRUE;
        }
      if (self->json_unicode >= 0xDC00 && self->json_unicode < 0xE000)
        {
          gunichar high = self->json_high_surrogate;

          self->json_high_surrogate = 0;
          if (high == 0)
            return json_fail (self, _("lone surrogate"));
          self->json_unicode = 0x10000 + ((high - 0xD800) << 10) + (self->json_unicode - 0xDC00);
        }
      else if (self->json_high_surrogate != 0)
        return json_fail (self, _("lone surrogate"));

      if (self->json_unicode == 0)
        return json_fail (self, _("NUL character"));
      if (sink != NULL)
        {
          g_string_append_unichar (sink, self->json_unicode);
          return TRUE;
        }
      return json_emit_char (self, self->json_unicode);
    }

  if (self->json_high_surrogate != 0 && !(self->json_escape || c == '\\'))
    return json_fail (self, _("lone surrogate"));

  if (self->json_escape)
    {
      char out;

      self->json_escape = FALSE;
      switch (c)
        {
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case '/': out = '/'; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        case 'u':
          self->json_unicode_left = 4;
          self->json_unicode = 0;
          return TRUE;
        default:
          return json_fail (self, _("unknown escape"));
        }
      if (self->json_high_surrogate != 0)
        return json_fail (self, _("lone surrogate"));
      if (sink != NULL)
        {
          g_string_append_c (sink, out);
          return TRUE;
        }
      return feed_text (self, &out, 1);
    }

  if (c == '\\')
    {
      self->json_escape = TRUE;
      return TRUE;
    }

  if (c == '"')
    {
      *end = TRUE;
      return TRUE;
    }

  if ((guchar) c < 0x20)
    return json_fail (self, _("control character in a string"));

  if (sink != NULL)
    {
      g_string_append_c (sink, c);
      return TRUE;
    }
  return feed_text (self, &c, 1);
}

static gboolean
feed_json (SparkPatchParser *self,
           const char       *data,
           gsize             len)
{
  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];
      gboolean end = FALSE;

      if (self->state == STATE_FAILED)
        return FALSE;

      switch (self->json_state)
        {
        case JSON_BEFORE_OBJECT:
          if (g_ascii_isspace (c))
            break;
          if (c != '{')
            return json_fail (self, _("expected an object"));
          self->json_state = JSON_BEFORE_KEY;
          break;

        case JSON_BEFORE_KEY:
          if (g_ascii_isspace (c) || c == ',')
            break;
          if (c == '}')
            {
              self->json_state = JSON_DONE;
              break;
            }
          if (c != '"')
            return json_fail (self, _("expected a member name"));
          g_string_truncate (self->json_key, 0);
          self->json_state = JSON_IN_KEY;
          break;

        case JSON_IN_KEY:
          if (!json_string_char (self, c, self->json_key, &end))
            return FALSE;
          if (end)
            self->json_state = JSON_AFTER_KEY;
          break;

        case JSON_AFTER_KEY:
          if (g_ascii_isspace (c))
            break;
          if (c != ':')
            return json_fail (self, _("expected ':'"));
          self->json_state = JSON_BEFORE_VALUE;
          break;

        case JSON_BEFORE_VALUE:
          if (g_ascii_isspace (c))
            break;
          if (strcmp (self->json_key->str, "input") == 0 && !self->json_seen_input)
            {
              if (c != '"')
                return json_fail (self, _("\"input\" is not a string"));
              self->json_seen_input = TRUE;
              self->json_state = JSON_IN_INPUT;
              break;
            }
          self->json_state = JSON_SKIP_VALUE;
          self->json_depth = 0;
          self->json_in_string = FALSE;
          self->json_escape = FALSE;
          i--;  /* look at this character again */
          break;

        case JSON_IN_INPUT:
          if (!json_string_char (self, c, NULL, &end))
            return FALSE;
          if (end)
            self->json_state = JSON_AFTER_VALUE;
          break;

        case JSON_SKIP_VALUE:
          if (self->json_in_string)
            {
              if (self->json_escape)
                self->json_escape = FALSE;
              else if (c == '\\')
                self->json_escape = TRUE;
              else if (c == '"')
                {
                  self->json_in_string = FALSE;
                  if (self->json_depth == 0)
                    self->json_state = JSON_AFTER_VALUE;
                }
              break;
            }
          if (c == '"')
            self->json_in_string = TRUE;
          else if (c == '{' || c == '[')
            self->json_depth++;
          else if (c == '}' || c == ']')
            {
              if (self->json_depth == 0)
                {
                  /* The end of the object after a scalar. */
                  self->json_state = JSON_AFTER_VALUE;
                  i--;
                  break;
                }
              if (--self->json_depth == 0)
                self->json_state = JSON_AFTER_VALUE;
            }
          else if (c == ',' && self->json_depth == 0)
            self->json_state = JSON_BEFORE_KEY;
          break;

        case JSON_AFTER_VALUE:
          if (g_ascii_isspace (c))
            break;
          if (c == ',')
            self->json_state = JSON_BEFORE_KEY;
          else if (c == '}')
            self->json_state = JSON_DONE;
          else
            return json_fail (self, _("expected ',' or '}'"));
          break;

        case JSON_DONE:
          if (!g_ascii_isspace (c))
            return json_fail (self, _("text after the object"));
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return self->state != STATE_FAILED;
}

/* ---- GObject ------------------------------------------------------------- */

static void
spark_patch_parser_finalize (GObject *object)
{
  SparkPatchParser *self = (SparkPatchParser *)object;

  g_clear_object (&self->files);
  g_clear_object (&self->current);
  g_string_free (self->line, TRUE);
  g_string_free (self->json_key, TRUE);
  g_clear_error (&self->error);
  g_clear_pointer (&self->update_path, g_free);
  g_clear_pointer (&self->add_lines, g_ptr_array_unref);
  g_clear_pointer (&self->anchors, g_ptr_array_unref);
  g_clear_pointer (&self->old_lines, g_ptr_array_unref);
  g_clear_pointer (&self->new_lines, g_ptr_array_unref);

  G_OBJECT_CLASS (spark_patch_parser_parent_class)->finalize (object);
}

static void
spark_patch_parser_class_init (SparkPatchParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_patch_parser_finalize;

  /**
   * SparkPatchParser::file-started:
   * @file: the new operation, already in spark_patch_parser_get_files()
   */
  signals[FILE_STARTED] =
    g_signal_new ("file-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SPARK_TYPE_FILE_CHANGE);

  /**
   * SparkPatchParser::hunk-complete:
   * @file: the operation
   * @hunk: the hunk, already appended to @file
   */
  signals[HUNK_COMPLETE] =
    g_signal_new ("hunk-complete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  SPARK_TYPE_FILE_CHANGE, SPARK_TYPE_HUNK);

  /**
   * SparkPatchParser::file-complete:
   * @file: the operation, which gets no more hunks
   */
  signals[FILE_COMPLETE] =
    g_signal_new ("file-complete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SPARK_TYPE_FILE_CHANGE);

  /**
   * SparkPatchParser::patch-complete:
   *
   * Fires from spark_patch_parser_finish() once the whole patch is valid.
   */
  signals[PATCH_COMPLETE] =
    g_signal_new ("patch-complete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * SparkPatchParser::error:
   * @error: a SPARK_PATCH_ERROR
   * @line: the patch line at fault, from 1
   */
  signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_ERROR, G_TYPE_UINT);
}

static void
spark_patch_parser_init (SparkPatchParser *self)
{
  self->files = g_list_store_new (SPARK_TYPE_FILE_CHANGE);
  self->line = g_string_new (NULL);
  self->json_key = g_string_new (NULL);
  self->json_unicode_left = -1;
  self->state = STATE_START;
}

/* ---- public API ---------------------------------------------------------- */

SparkPatchParser *
spark_patch_parser_new (void)
{
  return g_object_new (SPARK_TYPE_PATCH_PARSER, NULL);
}

void
spark_patch_parser_set_wire_form (SparkPatchParser   *self,
                                  SparkPatchWireForm  form)
{
  g_return_if_fail (SPARK_IS_PATCH_PARSER (self));
  g_return_if_fail (self->line_no == 0 && self->line->len == 0);

  self->wire_form = form;
}

SparkPatchWireForm
spark_patch_parser_get_wire_form (SparkPatchParser *self)
{
  g_return_val_if_fail (SPARK_IS_PATCH_PARSER (self), SPARK_PATCH_WIRE_FREEFORM);
  return self->wire_form;
}

static gboolean
propagate (SparkPatchParser  *self,
           GError           **error)
{
  if (self->error != NULL)
    {
      if (error != NULL)
        *error = g_error_copy (self->error);
      return FALSE;
    }
  return TRUE;
}

gboolean
spark_patch_parser_feed (SparkPatchParser  *self,
                         const char        *data,
                         gssize             len,
                         GError           **error)
{
  g_return_val_if_fail (SPARK_IS_PATCH_PARSER (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (self->state != STATE_DONE, FALSE);

  if (self->state == STATE_FAILED)
    return propagate (self, error);

  if (len < 0)
    len = strlen (data);

  g_object_ref (self);
  if (self->wire_form == SPARK_PATCH_WIRE_JSON_ARGUMENTS)
    feed_json (self, data, len);
  else
    feed_text (self, data, len);
  g_object_unref (self);

  return propagate (self, error);
}

gboolean
spark_patch_parser_finish (SparkPatchParser  *self,
                           GError           **error)
{
  g_autoptr(SparkPatchParser) hold = NULL;

  g_return_val_if_fail (SPARK_IS_PATCH_PARSER (self), FALSE);
  g_return_val_if_fail (self->state != STATE_DONE, FALSE);

  if (self->state == STATE_FAILED)
    return propagate (self, error);

  hold = g_object_ref (self);

  if (self->wire_form == SPARK_PATCH_WIRE_JSON_ARGUMENTS)
    {
      if (self->json_state != JSON_DONE)
        {
          if (self->json_state == JSON_IN_INPUT)
            json_fail (self, _("the \"input\" string is not terminated"));
          else if (!self->json_seen_input)
            json_fail (self, _("no \"input\" string"));
          else
            json_fail (self, _("the object is not terminated"));
          return propagate (self, error);
        }
      if (!self->json_seen_input)
        {
          json_fail (self, _("no \"input\" string"));
          return propagate (self, error);
        }
    }

  /* The last line may lack its newline. */
  if (self->line->len > 0 && !take_line (self))
    return propagate (self, error);

  switch (self->state)
    {
    case STATE_START:
    case STATE_HEREDOC:
      fail (self, self->line_no + 1, SPARK_PATCH_ERROR_SYNTAX,
            _("The first line of the patch must be '*** Begin Patch'"));
      break;

    case STATE_END:
      self->state = STATE_DONE;
      g_signal_emit (self, signals[PATCH_COMPLETE], 0);
      break;

    case STATE_OPS:
    case STATE_ADD:
    case STATE_UPDATE_HEADER:
    case STATE_UPDATE:
    case STATE_ANCHORS:
    case STATE_CHUNK:
      fail (self, self->line_no + 1, SPARK_PATCH_ERROR_SYNTAX,
            _("The last line of the patch must be '*** End Patch'"));
      break;

    case STATE_DONE:
    case STATE_FAILED:
    default:
      g_assert_not_reached ();
    }

  return propagate (self, error);
}

GListModel *
spark_patch_parser_get_files (SparkPatchParser *self)
{
  g_return_val_if_fail (SPARK_IS_PATCH_PARSER (self), NULL);
  return G_LIST_MODEL (self->files);
}

gboolean
spark_patch_parser_get_complete (SparkPatchParser *self)
{
  g_return_val_if_fail (SPARK_IS_PATCH_PARSER (self), FALSE);
  return self->state == STATE_DONE;
}

guint
spark_patch_parser_get_error_line (SparkPatchParser *self)
{
  g_return_val_if_fail (SPARK_IS_PATCH_PARSER (self), 0);
  return self->error_line;
}

/**
 * spark_patch_parse:
 *
 * Returns: (transfer full): a GListModel of SparkFileChange, or %NULL
 */
GListModel *
spark_patch_parse (const char  *text,
                   gssize       len,
                   GError     **error)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();

  g_return_val_if_fail (text != NULL, NULL);

  if (!spark_patch_parser_feed (parser, text, len, error) ||
      !spark_patch_parser_finish (parser, error))
    return NULL;

  return g_object_ref (G_LIST_MODEL (parser->files));
}

/**
 * spark_patch_parse_operation:
 *
 * Returns: (transfer full): the operation, or %NULL
 */
SparkFileChange *
spark_patch_parse_operation (const char  *type,
                             const char  *path,
                             const char  *diff,
                             GError     **error)
{
  g_autoptr(GString) text = g_string_new (BEGIN_PATCH "\n");
  g_autoptr(GListModel) files = NULL;
  g_auto(GStrv) lines = NULL;
  const char *header;
  gboolean add = FALSE, del = FALSE;

  g_return_val_if_fail (type != NULL, NULL);

  if (path == NULL || path[0] == '\0' || strchr (path, '\n') != NULL)
    {
      g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_INVALID_OPERATION,
                   _("The %s operation has no valid path"), type);
      return NULL;
    }

  if (strcmp (type, "create_file") == 0)
    {
      header = ADD_FILE;
      add = TRUE;
    }
  else if (strcmp (type, "update_file") == 0)
    header = UPDATE_FILE;
  else if (strcmp (type, "delete_file") == 0)
    {
      header = DELETE_FILE;
      del = TRUE;
    }
  else
    {
      g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_INVALID_OPERATION,
                   _("Unknown apply_patch operation '%s' (expected create_file, "
                     "update_file or delete_file)"), type);
      return NULL;
    }

  g_string_append_printf (text, "%s%s\n", header, path);

  if (diff != NULL && !del)
    {
      gsize dlen = strlen (diff);
      gboolean all_plus = TRUE;

      /* The hosted tool sends a new file either as `+` lines (V4A) or as
       * plain content; give the parser `+` lines in both cases. */
      lines = g_strsplit (diff, "\n", -1);
      if (dlen > 0 && diff[dlen - 1] == '\n')
        {
          g_free (lines[g_strv_length (lines) - 1]);
          lines[g_strv_length (lines) - 1] = NULL;
        }
      if (add)
        {
          for (guint i = 0; lines[i]; i++)
            {
              if (lines[i][0] != '+')
                all_plus = FALSE;
            }
        }
      for (guint i = 0; lines[i]; i++)
        {
          if (add && !all_plus)
            g_string_append_c (text, '+');
          g_string_append (text, lines[i]);
          g_string_append_c (text, '\n');
        }
    }

  g_string_append (text, END_PATCH "\n");

  files = spark_patch_parse (text->str, text->len, error);
  if (files == NULL)
    return NULL;

  return g_list_model_get_item (files, 0);
}
