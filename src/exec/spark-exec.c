/* spark-exec.c — placeholder until the agent core lands (issue 4). */
#include "config.h"
#include <glib/gi18n.h>
#include "spark-commands.h"

int
spark_exec_main (int argc, char **argv)
{
  g_printerr ("%s\n", _("spark exec is not available in this build"));
  return 2;
}
