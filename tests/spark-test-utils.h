/* spark-test-utils.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* g_test_init() plus a quiet default log handler: GLib 2.74's test handler
 * prints every g_debug(), which drowns the TAP output. Warnings and criticals
 * still fail the test. */
void   spark_test_init         (int         *argc,
                                char      ***argv);
void   spark_test_quiet_logs   (void);

/* A fresh folder under the system temporary folder; remove with
 * spark_test_rm_rf(). */
char  *spark_test_make_temp_dir (void);
void   spark_test_rm_rf        (const char  *path);

/* Writes @contents (NUL-terminated) to @root/@relpath, creating parents. */
void   spark_test_write_file   (const char  *root,
                                const char  *relpath,
                                const char  *contents);
char  *spark_test_read_file    (const char  *root,
                                const char  *relpath,
                                gsize       *length);

/* Runs `git ARGS...` in @dir with a fixed identity; asserts success. */
void   spark_test_git          (const char  *dir,
                                ...) G_GNUC_NULL_TERMINATED;

/* Runs `git -c core.quotepath=off ARGS...` in @dir (no identity added) and
 * returns its standard output; asserts success. */
char  *spark_test_git_output   (const char  *dir,
                                ...) G_GNUC_NULL_TERMINATED;

/* Points git and libgit2 at an empty home for the whole process, so no
 * identity or setting of the person running the tests leaks in (libgit2
 * reads its config search paths once). Call once, early in main();
 * returns that home (owned by the caller). */
char  *spark_test_isolate_git_config (void);

/* How much longer deadlines are here than on a plain build: 1, or
 * $SPARK_TEST_DEADLINE_SCALE (the sanitizer run sets it), and at least 20
 * when the test runs under valgrind. spark_test_wait_for() and
 * spark_test_add_deadline() apply it. */
guint  spark_test_deadline_scale (void);

/* Iterates the default main context until *@flag is TRUE, failing the test
 * after @timeout_seconds (times spark_test_deadline_scale()). */
void   spark_test_wait_for     (const gboolean *flag,
                                guint           timeout_seconds);

/* Fails the test with @what if the main loop is still running after
 * @timeout_seconds (times spark_test_deadline_scale()); remove the
 * returned source when done waiting. */
guint  spark_test_add_deadline (guint        timeout_seconds,
                                const char  *what);

/* A session bus for this process alone (and the processes it starts),
 * on which nothing can be D-Bus-activated: starts its dbus-daemon once
 * and returns its address, which DBUS_SESSION_BUS_ADDRESS now holds. Call
 * before anything in the process connects to the session bus. _stop()
 * ends the bus (and the keyring daemon on it); it also ends when the
 * process does. */
const char *spark_test_private_session_bus      (void);
void        spark_test_private_session_bus_stop (void);

/* A private gnome-keyring (secrets only, unlocked with a test password) on
 * the session bus, for the tests that store the key; its files go to
 * $XDG_DATA_HOME/keyrings. Returns the unique bus name that owns
 * org.freedesktop.secrets once it does (NULL and @error on failure, also
 * when another daemon owns that name already: its prompts would hang the
 * test). Makes libsecret in this process (and its children) use it: the
 * tests' environment otherwise points libsecret at a name nobody owns.
 * The daemon stays for the later tests on the bus and ends with it. */
char     *spark_test_start_keyring           (GError     **error);
gboolean  spark_test_secrets_service_running (void);

G_END_DECLS
