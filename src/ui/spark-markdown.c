/* spark-markdown.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-markdown"

#include "config.h"

#include <string.h>

#include <cmark.h>

#include "spark-markdown.h"

/* Spaces of indentation per level of list. */
#define LIST_INDENT "   "

typedef struct
{
  GPtrArray *blocks;
  GString   *markup;
  /* The bullet or number of a list item, put before its first block. */
  char      *marker;
  guint      depth;
  guint      quote;
  guint      tight;
  /* The next block flushed continues a tight list. */
  gboolean   continues;
} Renderer;

void
spark_markdown_block_free (SparkMarkdownBlock *block)
{
  if (block == NULL)
    return;

  g_free (block->content);
  g_free (block->language);
  g_free (block);
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = NULL;

  if (text == NULL || text[0] == '\0')
    return;

  escaped = g_markup_escape_text (text, -1);
  g_string_append (out, escaped);
}

static void
flush_markup (Renderer *r)
{
  SparkMarkdownBlock *block;

  if (r->markup->len == 0)
    return;

  block = g_new0 (SparkMarkdownBlock, 1);
  block->code = FALSE;
  block->content = g_strdup (r->markup->str);
  block->tight = r->continues;
  g_ptr_array_add (r->blocks, block);
  g_string_truncate (r->markup, 0);
  r->continues = FALSE;
}

/* Starts a block of text: a separator from the previous one, the list
 * indentation and marker, the quote bar. */
static void
begin_block (Renderer *r)
{
  if (r->markup->len > 0)
    g_string_append (r->markup, r->tight > 0 ? "\n" : "\n\n");

  for (guint i = 1; i < r->depth; i++)
    g_string_append (r->markup, LIST_INDENT);

  if (r->marker != NULL)
    {
      g_string_append (r->markup, r->marker);
      g_clear_pointer (&r->marker, g_free);
    }
  else if (r->depth > 0)
    g_string_append (r->markup, LIST_INDENT);

  for (guint i = 0; i < r->quote; i++)
    g_string_append (r->markup, "<span alpha=\"50%\">▎</span> ");
}

static void
render_inlines (Renderer   *r,
                cmark_node *node)
{
  for (cmark_node *child = cmark_node_first_child (node);
       child != NULL;
       child = cmark_node_next (child))
    {
      switch (cmark_node_get_type (child))
        {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_HTML_INLINE:
        case CMARK_NODE_CUSTOM_INLINE:
          append_escaped (r->markup, cmark_node_get_literal (child));
          break;

        case CMARK_NODE_SOFTBREAK:
          g_string_append_c (r->markup, ' ');
          break;

        case CMARK_NODE_LINEBREAK:
          g_string_append_c (r->markup, '\n');
          break;

        case CMARK_NODE_CODE:
          g_string_append (r->markup,
                           "<span font_family=\"monospace\" background=\"#808080\" bgalpha=\"18%\">");
          append_escaped (r->markup, cmark_node_get_literal (child));
          g_string_append (r->markup, "</span>");
          break;

        case CMARK_NODE_EMPH:
          g_string_append (r->markup, "<i>");
          render_inlines (r, child);
          g_string_append (r->markup, "</i>");
          break;

        case CMARK_NODE_STRONG:
          g_string_append (r->markup, "<b>");
          render_inlines (r, child);
          g_string_append (r->markup, "</b>");
          break;

        case CMARK_NODE_LINK:
          {
            const char *url = cmark_node_get_url (child);

            if (url == NULL || url[0] == '\0')
              {
                render_inlines (r, child);
                break;
              }
            g_string_append (r->markup, "<a href=\"");
            append_escaped (r->markup, url);
            g_string_append (r->markup, "\">");
            render_inlines (r, child);
            g_string_append (r->markup, "</a>");
          }
          break;

        case CMARK_NODE_IMAGE:
          /* The alt text stands in for the picture. */
          render_inlines (r, child);
          break;

        case CMARK_NODE_NONE:
        case CMARK_NODE_DOCUMENT:
        case CMARK_NODE_BLOCK_QUOTE:
        case CMARK_NODE_LIST:
        case CMARK_NODE_ITEM:
        case CMARK_NODE_CODE_BLOCK:
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_CUSTOM_BLOCK:
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
        case CMARK_NODE_THEMATIC_BREAK:
        default:
          break;
        }
    }
}

static void render_blocks (Renderer   *r,
                           cmark_node *node);

static void
render_code_block (Renderer   *r,
                   cmark_node *node)
{
  SparkMarkdownBlock *block;
  const char *literal = cmark_node_get_literal (node);
  const char *info = cmark_node_get_fence_info (node);
  gsize length = literal ? strlen (literal) : 0;

  flush_markup (r);
  g_clear_pointer (&r->marker, g_free);

  /* The last newline closes the block; it is not part of the code. */
  if (length > 0 && literal[length - 1] == '\n')
    length--;

  block = g_new0 (SparkMarkdownBlock, 1);
  block->code = TRUE;
  block->content = g_strndup (literal ? literal : "", length);
  if (info != NULL && info[0] != '\0')
    {
      const char *end = info;

      while (*end != '\0' && !g_ascii_isspace (*end) && *end != '{' && *end != ',')
        end++;
      if (end > info)
        block->language = g_ascii_strdown (info, end - info);
    }
  g_ptr_array_add (r->blocks, block);
}

static void
render_list (Renderer   *r,
             cmark_node *node)
{
  gboolean ordered = cmark_node_get_list_type (node) == CMARK_ORDERED_LIST;
  gboolean tight = cmark_node_get_list_tight (node);
  int number = cmark_node_get_list_start (node);

  r->depth++;
  if (tight)
    r->tight++;

  for (cmark_node *item = cmark_node_first_child (node);
       item != NULL;
       item = cmark_node_next (item))
    {
      g_free (r->marker);
      if (ordered)
        r->marker = g_strdup_printf ("%d. ", number++);
      else
        r->marker = g_strdup (r->depth % 2 == 1 ? "•  " : "◦  ");

      if (cmark_node_first_child (item) == NULL)
        begin_block (r);
      else
        render_blocks (r, item);

      /* Each item of a top-level list is its own label, so a long list
       * streaming in only re-lays out its last item. */
      if (r->depth == 1 && r->quote == 0)
        {
          flush_markup (r);
          r->continues = tight;
        }
    }

  /* A nested list leaves the top-level one as it was. */
  if (r->depth == 1)
    r->continues = FALSE;

  g_clear_pointer (&r->marker, g_free);
  if (tight)
    r->tight--;
  r->depth--;
}

static void
render_block (Renderer   *r,
              cmark_node *node)
{
  switch (cmark_node_get_type (node))
    {
    case CMARK_NODE_PARAGRAPH:
      begin_block (r);
      render_inlines (r, node);
      break;

    case CMARK_NODE_HEADING:
      {
        static const char *sizes[] = { "xx-large", "x-large", "large", "medium", "medium", "medium" };
        int level = CLAMP (cmark_node_get_heading_level (node), 1, 6);

        begin_block (r);
        g_string_append_printf (r->markup, "<span weight=\"bold\" size=\"%s\">", sizes[level - 1]);
        render_inlines (r, node);
        g_string_append (r->markup, "</span>");
      }
      break;

    case CMARK_NODE_CODE_BLOCK:
      render_code_block (r, node);
      break;

    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_CUSTOM_BLOCK:
      {
        g_autofree char *text = g_strdup (cmark_node_get_literal (node));

        begin_block (r);
        append_escaped (r->markup, text ? g_strchomp (text) : NULL);
      }
      break;

    case CMARK_NODE_THEMATIC_BREAK:
      begin_block (r);
      g_string_append (r->markup, "<span alpha=\"40%\">────────────</span>");
      break;

    case CMARK_NODE_BLOCK_QUOTE:
      r->quote++;
      render_blocks (r, node);
      r->quote--;
      break;

    case CMARK_NODE_LIST:
      render_list (r, node);
      break;

    case CMARK_NODE_ITEM:
    case CMARK_NODE_DOCUMENT:
      render_blocks (r, node);
      break;

    case CMARK_NODE_NONE:
    case CMARK_NODE_TEXT:
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
    case CMARK_NODE_CODE:
    case CMARK_NODE_HTML_INLINE:
    case CMARK_NODE_CUSTOM_INLINE:
    case CMARK_NODE_EMPH:
    case CMARK_NODE_STRONG:
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE:
    default:
      break;
    }
}

static void
render_blocks (Renderer   *r,
               cmark_node *node)
{
  for (cmark_node *child = cmark_node_first_child (node);
       child != NULL;
       child = cmark_node_next (child))
    {
      render_block (r, child);

      /* Each top-level block is its own widget, so a streaming answer only
       * ever re-lays out its last paragraph. */
      if (cmark_node_get_type (node) == CMARK_NODE_DOCUMENT)
        flush_markup (r);
    }
}

GPtrArray *
spark_markdown_render (const char *text,
                       gssize      length)
{
  Renderer r = { 0 };
  cmark_node *document;

  if (text == NULL)
    text = "";
  if (length < 0)
    length = strlen (text);

  r.blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) spark_markdown_block_free);
  r.markup = g_string_new (NULL);

  document = cmark_parse_document (text, length, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  render_blocks (&r, document);
  flush_markup (&r);
  cmark_node_free (document);

  g_string_free (r.markup, TRUE);
  g_free (r.marker);

  return r.blocks;
}
