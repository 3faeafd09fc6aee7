/* spark-apply-patch.c — placeholder until the patch engine lands (issue 3). */
#include "config.h"
#include <glib/gi18n.h>
#include "spark-commands.h"

int
spark_apply_patch_main (int argc, char **argv)
{
  g_printerr ("%s\n", _("spark apply-patch is not available in this build"));
  return 2;
}

int
spark_checkpoints_main (int argc, char **argv)
{
  g_printerr ("%s\n", _("spark checkpoints is not available in this build"));
  return 2;
}

int
spark_undo_main (int argc, char **argv)
{
  g_printerr ("%s\n", _("spark undo is not available in this build"));
  return 2;
}
