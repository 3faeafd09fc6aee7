/* main.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "spark-application.h"
#include "spark-commands.h"

static const struct {
  const char *name;
  int (*main) (int argc, char **argv);
} commands[] = {
  { "apply-patch", spark_apply_patch_main },
  { "checkpoints", spark_checkpoints_main },
  { "undo", spark_undo_main },
  { "exec", spark_exec_main },
};

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SparkApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Headless sub-commands never touch GTK, so they run without a display. */
  if (argc > 1)
    {
      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        {
          if (strcmp (argv[1], commands[i].name) == 0)
            {
              g_autofree char *prgname = g_strdup_printf ("spark %s", commands[i].name);

              /* So that --help says "spark apply-patch [OPTION…]". */
              g_set_prgname (prgname);
              return commands[i].main (argc - 1, argv + 1);
            }
        }
    }

  app = spark_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
