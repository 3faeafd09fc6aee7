/* spark-commands.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Headless sub-commands of the `spark` binary. Each takes the arguments after
 * the sub-command name (argv[0] is the sub-command) and returns the process
 * exit status: 0 success, 1 failure, 2 usage error. None needs a display. */
int spark_apply_patch_main (int    argc,
                            char **argv);
int spark_checkpoints_main (int    argc,
                            char **argv);
int spark_undo_main        (int    argc,
                            char **argv);
int spark_exec_main        (int    argc,
                            char **argv);

G_END_DECLS
