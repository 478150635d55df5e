/* tr-test-sqlite.h: reading a database file behind the store's back
 *
 * Tests check what is in the file itself, not what the store says, with
 * their own connection. Each helper fails the test on an SQL error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

sqlite3 *
raw_open (const char *path);
void
raw_exec (sqlite3 *db, const char *sql);
/* The first column of the first row; -1 if there is no row. */
gint64
raw_int (sqlite3 *db, const char *sql);
/* NULL for SQL NULL or no row. */
char *
raw_text (sqlite3 *db, const char *sql);

G_END_DECLS
