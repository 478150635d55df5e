/* tr-test-postgres.c: a throwaway PostgreSQL server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-test-postgres.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <unistd.h>

#include "tr-test-util.h"

#define DEFAULT_BINDIR "/usr/lib/postgresql/15/bin"
#define SERVER_USER "nobody"

struct _TrTestPostgres
{
  char *dir;      /* ours: the server's files go under it */
  char *data_dir; /* DIR/data */
  char *log_path;
  char *bindir;
  char *conninfo;
  guint port;
  gboolean fsync;
  gboolean running;
};

gboolean
tr_test_postgres_required (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0;
}

/* Runs @argv (NULL-terminated), as SERVER_USER when we are root. */
static gboolean
run (TrTestPostgres *pg, const char *const *argv, GError **error)
{
  g_autoptr (GPtrArray) full = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (geteuid () == 0)
    {
      g_ptr_array_add (full, (gpointer) "runuser");
      g_ptr_array_add (full, (gpointer) "-u");
      g_ptr_array_add (full, (gpointer)SERVER_USER);
      g_ptr_array_add (full, (gpointer) "--");
    }
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, (gpointer)argv[i]);
  g_ptr_array_add (full, NULL);

  /* The server inherits no test-only environment (ASAN_OPTIONS…) that
   * could matter, and must not inherit the test's working folder, which
   * "nobody" may not be allowed to enter. */
  if (!g_spawn_sync (pg->dir, (char **)full->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                     &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *log = NULL;

      g_file_get_contents (pg->log_path, &log, NULL, NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s%s\n%s", argv[0], out, err,
                   log ? log : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
give_to_server_user (const char *path, GError **error)
{
  struct passwd *user;

  if (geteuid () != 0)
    return TRUE;
  user = getpwnam (SERVER_USER);
  if (user == NULL || chown (path, user->pw_uid, user->pw_gid) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "cannot give %s to user %s",
                   path, SERVER_USER);
      return FALSE;
    }
  return TRUE;
}

/* A test that aborts (a failed assertion) never reaches
 * tr_test_postgres_free(): a shell watches this process and, once it is
 * gone, stops the server and removes its folder. Its output goes to
 * /dev/null so that it never holds the test's pipes open. */
static gboolean
start_watchdog (TrTestPostgres *pg, GError **error)
{
  g_autofree char *pg_ctl = g_build_filename (pg->bindir, "pg_ctl", NULL);
  g_autofree char *pid = g_strdup_printf ("%d", (int)getpid ());
  g_autofree char *as_server = g_strdup (geteuid () == 0 ? "runuser -u " SERVER_USER " -- " : "");
  g_autofree char *quoted_ctl = g_shell_quote (pg_ctl);
  g_autofree char *quoted_data = g_shell_quote (pg->data_dir);
  g_autofree char *quoted_dir = g_shell_quote (pg->dir);
  g_autofree char *script = g_strdup_printf (
    "while kill -0 %s 2>/dev/null; do sleep 1; done;"
    " if [ -f %s/postmaster.pid ]; then %s%s -D %s -m immediate stop; fi; rm -rf %s",
    pid, quoted_data, as_server, quoted_ctl, quoted_data, quoted_dir);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };

  return g_spawn_async ("/", (char **)argv, NULL,
                        G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL
                          | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, error);
}

TrTestPostgres *
tr_test_postgres_new (gboolean fsync, GError **error)
{
  g_autoptr (TrTestPostgres) pg = g_new0 (TrTestPostgres, 1);
  g_autofree char *initdb = NULL;
  const char *bindir = g_getenv ("TR_TEST_PG_BINDIR");

  pg->bindir = g_strdup (bindir ? bindir : DEFAULT_BINDIR);
  pg->fsync = fsync;
  initdb = g_build_filename (pg->bindir, "initdb", NULL);
  if (!g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s not found: install postgresql-15 (scripts/install-deps)", initdb);
      return NULL;
    }
  pg->dir = g_dir_make_tmp ("ticketrail-pg-XXXXXX", error);
  if (pg->dir == NULL)
    return NULL;
  /* /tmp/ticketrail-pg-X is 0700: the server user must enter it. */
  if (!give_to_server_user (pg->dir, error))
    return NULL;
  pg->data_dir = g_build_filename (pg->dir, "data", NULL);
  pg->log_path = g_build_filename (pg->dir, "server.log", NULL);
  pg->port = tr_test_free_port ();
  pg->conninfo = g_strdup_printf ("host=127.0.0.1 port=%u user=postgres dbname=postgres", pg->port);

  /* Before initdb: from here on, something is there to clean up. */
  if (!start_watchdog (pg, error))
    return NULL;
  {
    const char *argv[] = { initdb,     "-D", pg->data_dir, "-A",         "trust",     "-U",
                           "postgres", "-E", "UTF8",       "--locale=C", "--no-sync", NULL };

    if (!run (pg, argv, error))
      return NULL;
  }
  if (!tr_test_postgres_start (pg, error))
    return NULL;
  return g_steal_pointer (&pg);
}

gboolean
tr_test_postgres_start (TrTestPostgres *pg, GError **error)
{
  g_autofree char *pg_ctl = g_build_filename (pg->bindir, "pg_ctl", NULL);
  g_autofree char *options = g_strdup_printf (
    "-p %u -k %s -c listen_addresses=127.0.0.1 -c fsync=%s -c max_connections=200"
    " -c shared_buffers=64MB",
    pg->port, pg->dir, pg->fsync ? "on" : "off");
  const char *argv[] = { pg_ctl,  "-D", pg->data_dir, "-l",  pg->log_path, "-o",
                         options, "-w", "-t",         "120", "start",      NULL };

  if (!run (pg, argv, error))
    return FALSE;
  pg->running = TRUE;
  return TRUE;
}

gboolean
tr_test_postgres_kill (TrTestPostgres *pg, GError **error)
{
  g_autofree char *pg_ctl = g_build_filename (pg->bindir, "pg_ctl", NULL);
  const char *argv[] = { pg_ctl, "-D", pg->data_dir, "-m", "immediate", "-w", "stop", NULL };

  if (!run (pg, argv, error))
    return FALSE;
  pg->running = FALSE;
  return TRUE;
}

const char *
tr_test_postgres_get_conninfo (TrTestPostgres *pg)
{
  return pg->conninfo;
}

const char *
tr_test_postgres_get_data_dir (TrTestPostgres *pg)
{
  return pg->data_dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR)
              && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_remove (child);
        }
    }
  g_rmdir (path);
}

void
tr_test_postgres_free (TrTestPostgres *pg)
{
  if (pg == NULL)
    return;
  if (pg->running)
    tr_test_postgres_kill (pg, NULL);
  /* Not tr_test_remove_tree(): this also runs outside a test (the
   * bench), and must not abort on a file the server left. */
  if (pg->dir != NULL)
    remove_tree (pg->dir);
  g_free (pg->dir);
  g_free (pg->data_dir);
  g_free (pg->log_path);
  g_free (pg->bindir);
  g_free (pg->conninfo);
  g_free (pg);
}
