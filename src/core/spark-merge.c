/* spark-merge.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-merge"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-merge.h"

/* How it works, in four steps:
 *
 * 1. Each text is split into lines (content without the ending, plus the
 *    ending) and every distinct content gets a small integer id, shared by the
 *    three texts, so lines compare as integers.
 * 2. base→ours and base→theirs are diffed: lines found in only one of the two
 *    texts can never match, so they are set aside first (that keeps wholly
 *    rewritten files cheap); the rest goes through Myers' O(ND) diff in linear
 *    space (forward and backward searches meeting in the middle, then
 *    recursion on both halves). The matched lines give hunks "base [bs, be)
 *    becomes side [ss, se)"; pure insertions and deletions are then slid down
 *    as far as equal lines allow, so the same change lands at the same place
 *    on both sides.
 * 3. The two hunk lists are walked in base order. A hunk that conflicts with
 *    no hunk of the other side is a region of its own; hunks that conflict
 *    (see hunks_conflict()) are gathered, transitively, into one region. A
 *    region with one side's hunks takes that side; with both, it takes ours if
 *    both sides wrote the same lines, else it is a conflict.
 * 4. The result is kept as pieces (lines, conflicts) and rendered: with
 *    markers for get_text(), with the person's choices for resolve(). */

typedef enum
{
  EOL_NONE,
  EOL_LF,
  EOL_CRLF,
} Eol;

static const char * const eol_text[] = { "", "\n", "\r\n" };

enum
{
  SIDE_BASE,
  SIDE_OURS,
  SIDE_THEIRS,
  N_SIDES
};

typedef struct
{
  const char *text;
  gsize       len;  /* without the ending */
  Eol         eol;
  guint       hash;
  guint       id;   /* equal ids ⇔ equal contents */
} Line;

typedef struct
{
  char     *text;
  Line     *lines;
  guint     n_lines;
  gboolean  final_eol;
} Side;

/* Base lines [bs, be) become side lines [ss, se). */
typedef struct
{
  guint bs;
  guint be;
  guint ss;
  guint se;
} Hunk;

/* A line of the merged text, or (line == NULL) a conflict. */
typedef struct
{
  const Line *line;
  Eol         eol;
  guint       conflict;
} Piece;

/* The lines of a conflict on each side: [start[s], end[s]). */
typedef struct
{
  guint start[N_SIDES];
  guint end[N_SIDES];
} Region;

struct _SparkMergeResult
{
  Side      sides[N_SIDES];
  char     *markers[4];
  GArray   *pieces;     /* Piece */
  GArray   *regions;    /* Region, one per conflict */
  GArray   *conflicts;  /* SparkMergeConflict */
  char     *text;
  Eol       default_eol;
  gboolean  final_eol;
};

G_DEFINE_QUARK (spark-merge-error-quark, spark_merge_error)

G_DEFINE_BOXED_TYPE (SparkMergeResult, spark_merge_result,
                     spark_merge_result_ref, spark_merge_result_unref)

/* Lines and ids */

/* A multiply-xorshift hash over eight bytes at a time. */
static guint
hash_bytes (const char *p,
            gsize       len)
{
  guint64 h = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ len;
  guint64 w = 0;

  while (len >= 8)
    {
      memcpy (&w, p, 8);
      h = (h ^ w) * G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
      h ^= h >> 32;
      p += 8;
      len -= 8;
    }

  w = 0;
  memcpy (&w, p, len);
  h = (h ^ w) * G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  h ^= h >> 29;

  return (guint) h;
}

static void
side_init (Side       *side,
           const char *text)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  gsize length = strlen (text);
  const char *p;
  const char *end;

  side->text = g_strndup (text, length);
  p = side->text;
  end = p + length;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      Line line = { p, 0, EOL_NONE, 0, 0 };

      if (nl == NULL)
        {
          line.len = end - p;
          line.hash = hash_bytes (p, line.len);
          g_array_append_val (lines, line);
          break;
        }

      if (nl > p && nl[-1] == '\r')
        {
          line.len = nl - 1 - p;
          line.eol = EOL_CRLF;
        }
      else
        {
          line.len = nl - p;
          line.eol = EOL_LF;
        }
      line.hash = hash_bytes (p, line.len);
      g_array_append_val (lines, line);
      p = nl + 1;
    }

  side->final_eol = length > 0 && side->text[length - 1] == '\n';
  side->n_lines = lines->len;
  side->lines = (Line *) (gpointer) g_array_free (lines, FALSE);
}

static guint
line_hash (gconstpointer data)
{
  return ((const Line *) data)->hash;
}

static gboolean
line_equal (gconstpointer a,
            gconstpointer b)
{
  const Line *la = a;
  const Line *lb = b;

  return la->hash == lb->hash && la->len == lb->len && memcmp (la->text, lb->text, la->len) == 0;
}

/* Gives each line an id; returns the number of ids. */
static guint
intern_lines (Side *sides)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (line_hash, line_equal);
  guint next = 0;

  for (guint s = 0; s < N_SIDES; s++)
    for (guint i = 0; i < sides[s].n_lines; i++)
      {
        Line *line = &sides[s].lines[i];
        gpointer value = g_hash_table_lookup (ids, line);

        if (value != NULL)
          {
            line->id = GPOINTER_TO_UINT (value) - 1;
          }
        else
          {
            line->id = next++;
            g_hash_table_insert (ids, line, GUINT_TO_POINTER (next));
          }
      }

  return next;
}

/* Myers' diff in linear space.
 *
 * vf[k] is the furthest x reached on diagonal k = x - y by the forward search
 * (with at most d edits so far), vb[k] the same for the backward search run on
 * the reversed texts; -1 is "not reached yet". Both arrays are indexed from
 * -(length of b) - 1 to (length of a) + 1. */

typedef struct
{
  const guint *a;
  const guint *b;
  gboolean    *ma;
  gboolean    *mb;
  int         *vf;
  int         *vb;
  int          max_cost;
} Myers;

/* The furthest x on diagonal k one edit after the previous step: a move down
 * from k + 1 or right from k - 1, clamped to the grid (a point clamped back
 * along the border is still reachable with that many edits), or what k
 * already had. */
static inline int
myers_step (const int *v,
            int        k,
            int        n,
            int        m)
{
  int x = v[k];

  if (v[k + 1] >= 0)
    x = MAX (x, MIN (v[k + 1], m + k));
  if (v[k - 1] >= 0)
    x = MAX (x, MIN (v[k - 1] + 1, n));

  return x;
}

/* Finds a point (*sx, *sy) on a shortest edit path of a[0..n) → b[0..m),
 * where the forward and backward searches meet. Past my->max_cost edits it
 * gives up on a shortest path and splits at the point either search has
 * taken furthest (x + y): the diff stays valid, only no longer minimal, and
 * very different texts cost O((n + m) · max_cost) per split instead of
 * O((n + m) · D). */
static gboolean
myers_split (Myers *my,
             int    a0,
             int    a1,
             int    b0,
             int    b1,
             int   *sx,
             int   *sy)
{
  const guint *a = my->a + a0;
  const guint *b = my->b + b0;
  int n = a1 - a0;
  int m = b1 - b0;
  int delta = n - m;
  gboolean odd = (delta % 2) != 0;
  int *vf = my->vf;
  int *vb = my->vb;

  for (int k = -m - 1; k <= n + 1; k++)
    vf[k] = vb[k] = -1;

  for (int d = 0; d <= n + m; d++)
    {
      int lo = MAX (-d, -m);
      int hi = MIN (d, n);

      if ((lo + d) % 2 != 0)
        lo++;

      for (int k = lo; k <= hi; k += 2)
        {
          int x = d == 0 ? 0 : myers_step (vf, k, n, m);
          int y = x - k;
          int kb = delta - k;

          while (x < n && y < m && a[x] == b[y])
            {
              x++;
              y++;
            }
          vf[k] = x;

          /* The backward search has done d - 1 steps. */
          if (odd && vb[kb] >= 0 && x + vb[kb] >= n)
            {
              *sx = x;
              *sy = y;
              return TRUE;
            }
        }

      for (int k = lo; k <= hi; k += 2)
        {
          int x = d == 0 ? 0 : myers_step (vb, k, n, m);
          int y = x - k;
          int kf = delta - k;

          while (x < n && y < m && a[n - 1 - x] == b[m - 1 - y])
            {
              x++;
              y++;
            }
          vb[k] = x;

          if (!odd && vf[kf] >= 0 && x + vf[kf] >= n)
            {
              *sx = n - x;
              *sy = m - y;
              return TRUE;
            }
        }

      if (d >= my->max_cost)
        {
          int best = -1;

          for (int k = lo; k <= hi; k += 2)
            {
              if (vf[k] >= 0 && 2 * vf[k] - k > best)
                {
                  best = 2 * vf[k] - k;
                  *sx = vf[k];
                  *sy = vf[k] - k;
                }
              if (vb[k] >= 0 && 2 * vb[k] - k > best)
                {
                  best = 2 * vb[k] - k;
                  *sx = n - vb[k];
                  *sy = m - (vb[k] - k);
                }
            }

          return best > 0;
        }
    }

  return FALSE;
}

static void
myers_compare (Myers *my,
               int    a0,
               int    a1,
               int    b0,
               int    b1)
{
  for (;;)
    {
      int sx;
      int sy;

      while (a0 < a1 && b0 < b1 && my->a[a0] == my->b[b0])
        {
          my->ma[a0++] = TRUE;
          my->mb[b0++] = TRUE;
        }
      while (a0 < a1 && b0 < b1 && my->a[a1 - 1] == my->b[b1 - 1])
        {
          my->ma[--a1] = TRUE;
          my->mb[--b1] = TRUE;
        }

      if (a0 == a1 || b0 == b1)
        return;

      /* Both texts are left with at least two edits between them, so the
       * searches meet strictly inside the grid. */
      if (!myers_split (my, a0, a1, b0, b1, &sx, &sy) ||
          (sx == 0 && sy == 0) ||
          (sx == a1 - a0 && sy == b1 - b0))
        {
          g_warn_if_reached ();
          return;
        }

      /* Recurse into the smaller half and loop on the other: the stack
       * stays O(log (n + m)) deep. */
      if (sx + sy <= (a1 - a0) + (b1 - b0) - sx - sy)
        {
          myers_compare (my, a0, a0 + sx, b0, b0 + sy);
          a0 += sx;
          b0 += sy;
        }
      else
        {
          myers_compare (my, a0 + sx, a1, b0 + sy, b1);
          a1 = a0 + sx;
          b1 = b0 + sy;
        }
    }
}

/* Slides pure insertions and deletions down over equal lines, and joins a
 * hunk to the next one when they come to touch. */
static void
slide_hunks (GArray     *hunks,
             const Line *a,
             guint       na,
             const Line *b)
{
  for (guint i = 0; i < hunks->len; i++)
    {
      Hunk *h = &g_array_index (hunks, Hunk, i);
      gboolean has_next = i + 1 < hunks->len;
      guint limit = has_next ? g_array_index (hunks, Hunk, i + 1).bs : na;

      if (h->bs == h->be)
        {
          while (h->be < limit && b[h->ss].id == b[h->se].id)
            {
              h->bs++;
              h->be++;
              h->ss++;
              h->se++;
            }
        }
      else if (h->ss == h->se)
        {
          while (h->be < limit && a[h->bs].id == a[h->be].id)
            {
              h->bs++;
              h->be++;
              h->ss++;
              h->se++;
            }
        }

      if (has_next && h->be == limit)
        {
          const Hunk *next = &g_array_index (hunks, Hunk, i + 1);

          h->be = next->be;
          h->se = next->se;
          g_array_remove_index (hunks, i + 1);
        }
    }
}

/* The hunks turning @base into @side. */
static GArray *
diff_lines (const Side *base,
            const Side *side,
            guint       n_ids)
{
  GArray *hunks = g_array_new (FALSE, FALSE, sizeof (Hunk));
  guint na = base->n_lines;
  guint nb = side->n_lines;
  g_autofree guint8 *in_a = g_new0 (guint8, n_ids + 1);
  g_autofree guint8 *in_b = g_new0 (guint8, n_ids + 1);
  g_autofree guint *fa = g_new (guint, na + 1);
  g_autofree guint *fb = g_new (guint, nb + 1);
  g_autofree guint *fa_map = g_new (guint, na + 1);
  g_autofree guint *fb_map = g_new (guint, nb + 1);
  g_autofree gboolean *ma = NULL;
  g_autofree gboolean *mb = NULL;
  g_autofree int *v = NULL;
  g_autofree guint8 *match_a = g_new0 (guint8, na + 1);
  g_autofree guint8 *match_b = g_new0 (guint8, nb + 1);
  guint nfa = 0;
  guint nfb = 0;
  guint i;
  guint j;
  Myers my;

  for (i = 0; i < na; i++)
    in_a[base->lines[i].id] = 1;
  for (j = 0; j < nb; j++)
    in_b[side->lines[j].id] = 1;

  /* Lines that only one text has cannot match: leave them out. */
  for (i = 0; i < na; i++)
    if (in_b[base->lines[i].id])
      {
        fa[nfa] = base->lines[i].id;
        fa_map[nfa++] = i;
      }
  for (j = 0; j < nb; j++)
    if (in_a[side->lines[j].id])
      {
        fb[nfb] = side->lines[j].id;
        fb_map[nfb++] = j;
      }

  ma = g_new0 (gboolean, nfa + 1);
  mb = g_new0 (gboolean, nfb + 1);
  v = g_new (int, 2 * ((gsize) nfa + nfb + 3));
  my.a = fa;
  my.b = fb;
  my.ma = ma;
  my.mb = mb;
  my.vf = v + nfb + 1;
  my.vb = v + (nfa + nfb + 3) + nfb + 1;
  /* About git's bound: at least 256, 2·√(n + m) for long texts. */
  for (my.max_cost = 1; (gsize) my.max_cost * my.max_cost < (gsize) nfa + nfb; my.max_cost++)
    ;
  my.max_cost = MAX (256, 2 * my.max_cost);
  myers_compare (&my, 0, nfa, 0, nfb);

  for (i = 0; i < nfa; i++)
    if (ma[i])
      match_a[fa_map[i]] = 1;
  for (j = 0; j < nfb; j++)
    if (mb[j])
      match_b[fb_map[j]] = 1;

  /* Matched lines pair up in order. */
  i = j = 0;
  while (i < na || j < nb)
    {
      Hunk h;

      if (i < na && j < nb && match_a[i] && match_b[j])
        {
          i++;
          j++;
          continue;
        }

      h.bs = i;
      h.ss = j;
      while (i < na && !match_a[i])
        i++;
      while (j < nb && !match_b[j])
        j++;
      h.be = i;
      h.se = j;
      g_array_append_val (hunks, h);
    }

  slide_hunks (hunks, base->lines, na, side->lines);

  return hunks;
}

/* Merging */

/* Whether two hunks of different sides cannot both be taken: they share a
 * base line (or an insertion falls strictly inside the other's lines), or
 * they insert at the same place. Hunks that only touch do not conflict. */
static gboolean
hunks_conflict (const Hunk *x,
                const Hunk *y)
{
  if (x->bs < y->be && y->bs < x->be)
    return TRUE;

  return x->bs == x->be && y->bs == y->be && x->bs == y->bs;
}

static gboolean
conflicts_with_any (const Hunk *h,
                    GArray     *hunks,
                    guint       from,
                    guint       to)
{
  for (guint k = to; k > from; k--)
    {
      const Hunk *other = &g_array_index (hunks, Hunk, k - 1);

      if (hunks_conflict (h, other))
        return TRUE;
      /* Earlier hunks end even earlier. */
      if (other->be < h->bs)
        break;
    }

  return FALSE;
}

/* Where the side's lines for base lines [rs, re) end, given that they start
 * at side line @s_start and that the side's hunks in the range are
 * [from, to). */
static guint
side_end (GArray *hunks,
          guint   from,
          guint   to,
          guint   s_start,
          guint   rs,
          guint   re)
{
  gint64 end = (gint64) s_start + (re - rs);

  for (guint k = from; k < to; k++)
    {
      const Hunk *h = &g_array_index (hunks, Hunk, k);

      end += (gint64) (h->se - h->ss) - (gint64) (h->be - h->bs);
    }

  return (guint) end;
}

static Eol
stable_eol (Eol eo,
            Eol eb,
            Eol et)
{
  if (eo != EOL_NONE && eo != eb)
    return eo;
  if (et != EOL_NONE && et != eb)
    return et;
  if (eb != EOL_NONE)
    return eb;

  return eo != EOL_NONE ? eo : et;
}

static void
add_side_lines (SparkMergeResult *self,
                guint             side,
                guint             from,
                guint             to)
{
  for (guint k = from; k < to; k++)
    {
      Piece piece = { &self->sides[side].lines[k], self->sides[side].lines[k].eol, 0 };

      g_array_append_val (self->pieces, piece);
    }
}

static void
add_stable_lines (SparkMergeResult *self,
                  guint             b,
                  guint             o,
                  guint             t,
                  guint             n)
{
  for (guint k = 0; k < n; k++)
    {
      const Line *lo = &self->sides[SIDE_OURS].lines[o + k];
      Piece piece = { lo,
                      stable_eol (lo->eol,
                                  self->sides[SIDE_BASE].lines[b + k].eol,
                                  self->sides[SIDE_THEIRS].lines[t + k].eol),
                      0 };

      g_array_append_val (self->pieces, piece);
    }
}

static gboolean
same_lines (const Line *x,
            guint       nx,
            const Line *y,
            guint       ny)
{
  if (nx != ny)
    return FALSE;

  for (guint k = 0; k < nx; k++)
    if (x[k].id != y[k].id)
      return FALSE;

  return TRUE;
}

static char *
side_slice (const Side *side,
            guint       from,
            guint       to)
{
  const Line *last;

  if (from >= to)
    return g_strdup ("");

  last = &side->lines[to - 1];

  return g_strndup (side->lines[from].text,
                    (last->text + last->len + strlen (eol_text[last->eol])) - side->lines[from].text);
}

static void
add_conflict (SparkMergeResult *self,
              const Region     *region)
{
  SparkMergeConflict conflict = { 0 };
  Piece piece = { NULL, EOL_NONE, self->regions->len };

  conflict.ours = side_slice (&self->sides[SIDE_OURS], region->start[SIDE_OURS], region->end[SIDE_OURS]);
  conflict.base = side_slice (&self->sides[SIDE_BASE], region->start[SIDE_BASE], region->end[SIDE_BASE]);
  conflict.theirs = side_slice (&self->sides[SIDE_THEIRS], region->start[SIDE_THEIRS], region->end[SIDE_THEIRS]);
  conflict.ours_line = region->start[SIDE_OURS];
  conflict.ours_n_lines = region->end[SIDE_OURS] - region->start[SIDE_OURS];
  conflict.base_line = region->start[SIDE_BASE];
  conflict.base_n_lines = region->end[SIDE_BASE] - region->start[SIDE_BASE];
  conflict.theirs_line = region->start[SIDE_THEIRS];
  conflict.theirs_n_lines = region->end[SIDE_THEIRS] - region->start[SIDE_THEIRS];

  g_array_append_val (self->regions, *region);
  g_array_append_val (self->conflicts, conflict);
  g_array_append_val (self->pieces, piece);
}

static void
merge (SparkMergeResult *self,
       GArray           *oh,
       GArray           *th)
{
  guint i = 0;
  guint j = 0;
  guint b_cur = 0;
  guint o_cur = 0;
  guint t_cur = 0;

  while (i < oh->len || j < th->len)
    {
      const Hunk *o = i < oh->len ? &g_array_index (oh, Hunk, i) : NULL;
      const Hunk *t = j < th->len ? &g_array_index (th, Hunk, j) : NULL;
      guint i1 = i;
      guint j1 = j;
      guint rs = G_MAXUINT;
      guint re = 0;
      Region region;

      if (t == NULL || (o != NULL && !hunks_conflict (o, t) && o->be <= t->bs))
        {
          i1 = i + 1;
        }
      else if (o == NULL || !hunks_conflict (o, t))
        {
          j1 = j + 1;
        }
      else
        {
          gboolean grew = TRUE;

          i1 = i + 1;
          j1 = j + 1;
          while (grew)
            {
              grew = FALSE;
              while (i1 < oh->len && conflicts_with_any (&g_array_index (oh, Hunk, i1), th, j, j1))
                {
                  i1++;
                  grew = TRUE;
                }
              while (j1 < th->len && conflicts_with_any (&g_array_index (th, Hunk, j1), oh, i, i1))
                {
                  j1++;
                  grew = TRUE;
                }
            }
        }

      for (guint k = i; k < i1; k++)
        {
          rs = MIN (rs, g_array_index (oh, Hunk, k).bs);
          re = MAX (re, g_array_index (oh, Hunk, k).be);
        }
      for (guint k = j; k < j1; k++)
        {
          rs = MIN (rs, g_array_index (th, Hunk, k).bs);
          re = MAX (re, g_array_index (th, Hunk, k).be);
        }
      g_assert (rs >= b_cur && re >= rs);

      add_stable_lines (self, b_cur, o_cur, t_cur, rs - b_cur);

      region.start[SIDE_BASE] = rs;
      region.end[SIDE_BASE] = re;
      region.start[SIDE_OURS] = o_cur + (rs - b_cur);
      region.end[SIDE_OURS] = side_end (oh, i, i1, region.start[SIDE_OURS], rs, re);
      region.start[SIDE_THEIRS] = t_cur + (rs - b_cur);
      region.end[SIDE_THEIRS] = side_end (th, j, j1, region.start[SIDE_THEIRS], rs, re);

      if (j == j1 ||
          (i != i1 &&
           same_lines (&self->sides[SIDE_OURS].lines[region.start[SIDE_OURS]],
                       region.end[SIDE_OURS] - region.start[SIDE_OURS],
                       &self->sides[SIDE_THEIRS].lines[region.start[SIDE_THEIRS]],
                       region.end[SIDE_THEIRS] - region.start[SIDE_THEIRS])))
        add_side_lines (self, SIDE_OURS, region.start[SIDE_OURS], region.end[SIDE_OURS]);
      else if (i == i1)
        add_side_lines (self, SIDE_THEIRS, region.start[SIDE_THEIRS], region.end[SIDE_THEIRS]);
      else
        add_conflict (self, &region);

      b_cur = re;
      o_cur = region.end[SIDE_OURS];
      t_cur = region.end[SIDE_THEIRS];
      i = i1;
      j = j1;
    }

  g_assert (self->sides[SIDE_BASE].n_lines - b_cur == self->sides[SIDE_OURS].n_lines - o_cur);
  g_assert (self->sides[SIDE_BASE].n_lines - b_cur == self->sides[SIDE_THEIRS].n_lines - t_cur);
  add_stable_lines (self, b_cur, o_cur, t_cur, self->sides[SIDE_BASE].n_lines - b_cur);
}

/* Rendering */

typedef struct
{
  GString    *out;
  const char *text;
  gsize       len;
  Eol         eol;
  gboolean    pending;
  guint       n_lines;
  Eol         default_eol;
} Emitter;

/* Writes the pending line; the last one ends with a newline only when
 * @final_eol says so, and any other line always ends with one. */
static void
emitter_flush (Emitter  *e,
               gboolean  last,
               gboolean  final_eol)
{
  if (!e->pending)
    return;

  g_string_append_len (e->out, e->text, e->len);
  if (!last || final_eol)
    g_string_append (e->out, eol_text[e->eol != EOL_NONE ? e->eol : e->default_eol]);
  e->pending = FALSE;
}

static void
emit (Emitter    *e,
      const char *text,
      gsize       len,
      Eol         eol)
{
  emitter_flush (e, FALSE, FALSE);
  e->text = text;
  e->len = len;
  e->eol = eol;
  e->pending = TRUE;
  e->n_lines++;
}

static void
emit_side (Emitter    *e,
           const Side *side,
           guint       from,
           guint       to)
{
  for (guint k = from; k < to; k++)
    emit (e, side->lines[k].text, side->lines[k].len, side->lines[k].eol);
}

static void
emit_text (Emitter    *e,
           const char *text)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *nl = strchr (p, '\n');

      if (nl == NULL)
        {
          emit (e, p, strlen (p), EOL_NONE);
          break;
        }
      if (nl > p && nl[-1] == '\r')
        emit (e, p, nl - 1 - p, EOL_CRLF);
      else
        emit (e, p, nl - p, EOL_LF);
      p = nl + 1;
    }
}

/* With @markers, conflicts are written with markers and their place is
 * recorded; else @choices says what replaces each. */
static char *
render (SparkMergeResult       *self,
        gboolean                markers,
        const SparkMergeChoice *choices)
{
  Emitter e = { 0 };

  e.out = g_string_sized_new (strlen (self->sides[SIDE_OURS].text) + strlen (self->sides[SIDE_THEIRS].text) / 8 + 64);
  e.default_eol = self->default_eol;

  for (guint p = 0; p < self->pieces->len; p++)
    {
      const Piece *piece = &g_array_index (self->pieces, Piece, p);
      const Region *region;
      const Side *sides = self->sides;

      if (piece->line != NULL)
        {
          emit (&e, piece->line->text, piece->line->len, piece->eol);
          continue;
        }

      region = &g_array_index (self->regions, Region, piece->conflict);

      if (markers)
        {
          SparkMergeConflict *conflict = &g_array_index (self->conflicts, SparkMergeConflict,
                                                         piece->conflict);

          conflict->start_line = e.n_lines;
          emit (&e, self->markers[0], strlen (self->markers[0]), EOL_NONE);
          emit_side (&e, &sides[SIDE_OURS], region->start[SIDE_OURS], region->end[SIDE_OURS]);
          emit (&e, self->markers[1], strlen (self->markers[1]), EOL_NONE);
          emit_side (&e, &sides[SIDE_BASE], region->start[SIDE_BASE], region->end[SIDE_BASE]);
          emit (&e, self->markers[2], strlen (self->markers[2]), EOL_NONE);
          emit_side (&e, &sides[SIDE_THEIRS], region->start[SIDE_THEIRS], region->end[SIDE_THEIRS]);
          emit (&e, self->markers[3], strlen (self->markers[3]), EOL_NONE);
          conflict->n_lines = e.n_lines - conflict->start_line;
          continue;
        }

      switch (choices[piece->conflict].kind)
        {
        case SPARK_MERGE_CHOOSE_OURS:
          emit_side (&e, &sides[SIDE_OURS], region->start[SIDE_OURS], region->end[SIDE_OURS]);
          break;

        case SPARK_MERGE_CHOOSE_THEIRS:
          emit_side (&e, &sides[SIDE_THEIRS], region->start[SIDE_THEIRS], region->end[SIDE_THEIRS]);
          break;

        case SPARK_MERGE_CHOOSE_BOTH:
          emit_side (&e, &sides[SIDE_OURS], region->start[SIDE_OURS], region->end[SIDE_OURS]);
          emit_side (&e, &sides[SIDE_THEIRS], region->start[SIDE_THEIRS], region->end[SIDE_THEIRS]);
          break;

        case SPARK_MERGE_CHOOSE_BASE:
          emit_side (&e, &sides[SIDE_BASE], region->start[SIDE_BASE], region->end[SIDE_BASE]);
          break;

        case SPARK_MERGE_CHOOSE_CUSTOM:
          if (choices[piece->conflict].text != NULL)
            emit_text (&e, choices[piece->conflict].text);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  emitter_flush (&e, TRUE, self->final_eol);

  return g_string_free (e.out, FALSE);
}

static Eol
first_eol (const Side *side)
{
  for (guint k = 0; k < side->n_lines; k++)
    if (side->lines[k].eol != EOL_NONE)
      return side->lines[k].eol;

  return EOL_NONE;
}

static void
conflict_clear (gpointer data)
{
  SparkMergeConflict *conflict = data;

  g_free (conflict->ours);
  g_free (conflict->base);
  g_free (conflict->theirs);
}

static void
result_clear (gpointer data)
{
  SparkMergeResult *self = data;

  for (guint s = 0; s < N_SIDES; s++)
    {
      g_free (self->sides[s].text);
      g_free (self->sides[s].lines);
    }
  for (guint k = 0; k < G_N_ELEMENTS (self->markers); k++)
    g_free (self->markers[k]);
  g_clear_pointer (&self->pieces, g_array_unref);
  g_clear_pointer (&self->regions, g_array_unref);
  g_clear_pointer (&self->conflicts, g_array_unref);
  g_free (self->text);
}

static gboolean
check_utf8 (const char  *text,
            const char  *label,
            GError     **error)
{
  const char *end;

  if (g_utf8_validate (text, -1, &end))
    return TRUE;

  g_set_error (error, SPARK_MERGE_ERROR, SPARK_MERGE_ERROR_INVALID_UTF8,
               /* Translators: %s is the name of a side of the merge (“yours”,
                * “proposed”…), %lu is a byte offset */
               _("Cannot merge: the side “%s” is not valid UTF-8 (at byte %lu)"),
               label, (gulong) (end - text));
  return FALSE;
}

static char *
make_marker (const char *bar,
             const char *label)
{
  if (label == NULL || *label == '\0')
    return g_strdup (bar);

  return g_strconcat (bar, " ", label, NULL);
}

/* Public API */

SparkMergeResult *
spark_merge_three_way_full (const char  *base,
                            const char  *ours,
                            const char  *theirs,
                            const char  *base_label,
                            const char  *ours_label,
                            const char  *theirs_label,
                            GError     **error)
{
  g_autoptr(SparkMergeResult) self = NULL;
  g_autoptr(GArray) ours_hunks = NULL;
  g_autoptr(GArray) theirs_hunks = NULL;
  gboolean b_eol;
  gboolean o_eol;
  gboolean t_eol;
  guint n_ids;

  g_return_val_if_fail (base != NULL, NULL);
  g_return_val_if_fail (ours != NULL, NULL);
  g_return_val_if_fail (theirs != NULL, NULL);
  g_return_val_if_fail (base_label == NULL || strchr (base_label, '\n') == NULL, NULL);
  g_return_val_if_fail (ours_label == NULL || strchr (ours_label, '\n') == NULL, NULL);
  g_return_val_if_fail (theirs_label == NULL || strchr (theirs_label, '\n') == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (base_label == NULL)
    base_label = "base";
  if (ours_label == NULL)
    ours_label = "ours";
  if (theirs_label == NULL)
    theirs_label = "theirs";

  if (!check_utf8 (base, base_label, error) ||
      !check_utf8 (ours, ours_label, error) ||
      !check_utf8 (theirs, theirs_label, error))
    return NULL;

  self = g_atomic_rc_box_new0 (SparkMergeResult);
  self->pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  self->regions = g_array_new (FALSE, FALSE, sizeof (Region));
  self->conflicts = g_array_new (FALSE, TRUE, sizeof (SparkMergeConflict));
  g_array_set_clear_func (self->conflicts, conflict_clear);
  self->markers[0] = make_marker ("<<<<<<<", ours_label);
  self->markers[1] = make_marker ("|||||||", base_label);
  self->markers[2] = g_strdup ("=======");
  self->markers[3] = make_marker (">>>>>>>", theirs_label);

  side_init (&self->sides[SIDE_BASE], base);
  side_init (&self->sides[SIDE_OURS], ours);
  side_init (&self->sides[SIDE_THEIRS], theirs);

  /* The final newline is merged like a line: a side that changed it wins
   * (ours first); an empty side has no say. */
  b_eol = self->sides[SIDE_BASE].final_eol;
  o_eol = self->sides[SIDE_OURS].n_lines > 0 ? self->sides[SIDE_OURS].final_eol : b_eol;
  t_eol = self->sides[SIDE_THEIRS].n_lines > 0 ? self->sides[SIDE_THEIRS].final_eol : b_eol;
  self->final_eol = o_eol != b_eol ? o_eol : t_eol;

  self->default_eol = first_eol (&self->sides[SIDE_OURS]);
  if (self->default_eol == EOL_NONE)
    self->default_eol = first_eol (&self->sides[SIDE_THEIRS]);
  if (self->default_eol == EOL_NONE)
    self->default_eol = first_eol (&self->sides[SIDE_BASE]);
  if (self->default_eol == EOL_NONE)
    self->default_eol = EOL_LF;

  n_ids = intern_lines (self->sides);
  ours_hunks = diff_lines (&self->sides[SIDE_BASE], &self->sides[SIDE_OURS], n_ids);
  theirs_hunks = diff_lines (&self->sides[SIDE_BASE], &self->sides[SIDE_THEIRS], n_ids);
  merge (self, ours_hunks, theirs_hunks);

  self->text = render (self, TRUE, NULL);

  return g_steal_pointer (&self);
}

SparkMergeResult *
spark_merge_three_way (const char  *base,
                       const char  *ours,
                       const char  *theirs,
                       GError     **error)
{
  return spark_merge_three_way_full (base, ours, theirs, NULL, NULL, NULL, error);
}

SparkMergeResult *
spark_merge_result_ref (SparkMergeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
spark_merge_result_unref (SparkMergeResult *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, result_clear);
}

gboolean
spark_merge_result_has_conflicts (const SparkMergeResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->conflicts->len > 0;
}

guint
spark_merge_result_get_n_conflicts (const SparkMergeResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->conflicts->len;
}

const char *
spark_merge_result_get_text (const SparkMergeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

const SparkMergeConflict *
spark_merge_result_get_conflict (const SparkMergeResult *self,
                                 guint                   i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->conflicts->len, NULL);

  return &g_array_index (self->conflicts, SparkMergeConflict, i);
}

char *
spark_merge_result_resolve (const SparkMergeResult *self,
                            const SparkMergeChoice *choices,
                            guint                   n_choices)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_choices == self->conflicts->len, NULL);
  g_return_val_if_fail (choices != NULL || n_choices == 0, NULL);

  for (guint k = 0; k < n_choices; k++)
    {
      g_return_val_if_fail (choices[k].kind <= SPARK_MERGE_CHOOSE_CUSTOM, NULL);
      g_return_val_if_fail (choices[k].text == NULL || g_utf8_validate (choices[k].text, -1, NULL), NULL);
    }

  /* Without markers, render() leaves the result untouched. */
  return render ((SparkMergeResult *) self, FALSE, choices);
}
