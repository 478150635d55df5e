/* tr-test-util.h: files and ports for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes @dir and everything under it; fails the test if anything in it
 * cannot be removed. A missing @dir is fine. */
void
tr_test_remove_tree (const char *dir);

/* A TCP port on 127.0.0.1 that was free a moment ago, for a child process
 * that must be told its port up front. */
guint
tr_test_free_port (void);

G_END_DECLS
