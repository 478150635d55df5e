/* test-export-app.c: Reports in PostgreSQL, set up from the app
 *
 * The real application hosts (in a real window, under Xvfb) and a real
 * PostgreSQL runs beside it (tr-test-postgres.c). Through Preferences:
 * a connection string that does not connect shows a clear error, with
 * no password in it, and changes nothing; one that connects tests
 * fine, is saved, and the running host starts exporting, so that its
 * whole log reaches PostgreSQL, as the host monitor's export row says.
 * A bad string after that leaves the running export as it was, and an
 * empty one turns it off.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-export-app"

#include "config.h"

#include <libpq-fe.h>
#include <string.h>

#include "tr-application.h"
#include "tr-demo.h"
#include "tr-exporter.h"
#include "tr-host-monitor.h"
#include "tr-preferences-window.h"
#include "tr-test-postgres.h"
#include "tr-test-sqlite.h"
#include "tr-test-util.h"
#include "tr-test-widgets.h"
#include "tr-window.h"

/* Polling, not a threshold: only this generous limit turns a hang into
 * a failure. */
#define POLL_MS 50
#define GIVE_UP_MS (240 * 1000)

#define ENTRY_TITLE "_Connection String, e.g. postgresql://user@server/database"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir;
  TrApplication *app;
  StepFunc *steps;
  guint step;
  gboolean done;
  gint64 started;

  TrTestPostgres *server;
  PGconn *pg;       /* the test's own look into PostgreSQL */
  char *refused;    /* a server that is not there, with a password */
  char *bad_escape; /* a URI libpq rejects, quoting the password back */
  GtkWidget *prefs;
  GtkWidget *monitor;
  TrExporter *exporter; /* the one the good string started (no ref) */
  gint64 exported;      /* events in PostgreSQL when it first caught up */
  gboolean seeded;
};

static TrTestPostgres *server;

static TrStation *
station (Fixture *f)
{
  return tr_application_get_station (f->app);
}

static TrHost *
host (Fixture *f)
{
  return station (f) ? tr_station_get_host (station (f)) : NULL;
}

static TrExporter *
host_exporter (Fixture *f)
{
  g_autoptr (TrExporter) exporter = NULL;

  g_object_get (host (f), "exporter", &exporter, NULL);
  /* The host keeps its own reference. */
  return exporter;
}

static char *
saved_conninfo (Fixture *f)
{
  return g_settings_get_string (tr_application_get_settings (f->app), "export-conninfo");
}

static GtkWidget *
find_toplevel (Fixture *f, GType type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static GtkWidget *
find_row (GtkWidget *root, GType type, const char *title)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  tr_test_collect_widgets (root, type, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (rows->pdata[i]), title) == 0)
      return rows->pdata[i];
  return NULL;
}

static GtkWidget *
find_button (GtkWidget *root, const char *label)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();

  tr_test_collect_widgets (root, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (buttons->pdata[i]), label) == 0)
      return buttons->pdata[i];
  return NULL;
}

static GtkWidget *
entry_row (Fixture *f)
{
  GtkWidget *row = find_row (f->prefs, ADW_TYPE_ENTRY_ROW, ENTRY_TITLE);

  g_assert_nonnull (row);
  return row;
}

static void
click_test (Fixture *f, const char *conninfo)
{
  GtkWidget *button = find_button (f->prefs, "_Test");

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_editable_set_text (GTK_EDITABLE (entry_row (f)), conninfo);
  g_signal_emit_by_name (button, "clicked");
}

/* What pressing the entry's apply button does. */
static void
apply (Fixture *f, const char *conninfo)
{
  gtk_editable_set_text (GTK_EDITABLE (entry_row (f)), conninfo);
  g_signal_emit_by_name (entry_row (f), "apply");
}

/* The Test result once the test is over, else NULL. */
static const char *
result (Fixture *f)
{
  const char *text = tr_preferences_window_get_export_result (TR_PREFERENCES_WINDOW (f->prefs));

  if (text == NULL || strcmp (text, "Testing…") == 0)
    return NULL;
  return text;
}

static const char *
monitor_status (Fixture *f)
{
  return tr_host_monitor_get_export_status (TR_HOST_MONITOR (f->monitor));
}

/* The host's last seq, read from its file on a connection of our own. */
static gint64
host_head (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, TR_STORE_HOST_FILE, NULL);
  sqlite3 *db = raw_open (path);
  gint64 head = raw_int (db, "SELECT coalesce (max (seq), 0) FROM events");

  sqlite3_close (db);
  return head;
}

/* Events of this host in PostgreSQL, or -1 while there is no schema. */
static gint64
pg_events (Fixture *f, gint64 *out_max_seq)
{
  const char *host_id = tr_store_get_db_id (tr_host_get_store (host (f)));
  const char *params[] = { host_id };
  g_autoptr (PGresult) rows = PQexecParams (
    f->pg, "SELECT count (*), coalesce (max (seq), 0) FROM ticketrail.events WHERE host_id = $1", 1,
    NULL, params, NULL, NULL, 0);

  if (PQresultStatus (rows) != PGRES_TUPLES_OK)
    return -1;
  *out_max_seq = g_ascii_strtoll (PQgetvalue (rows, 0, 1), NULL, 10);
  return g_ascii_strtoll (PQgetvalue (rows, 0, 0), NULL, 10);
}

/* Every event of the host's log is in PostgreSQL once, none missing. */
static gboolean
all_exported (Fixture *f)
{
  gint64 head = host_head (f);
  gint64 max_seq = 0;
  gint64 n = pg_events (f, &max_seq);

  if (n != head)
    return FALSE;
  /* seq starts at 1 and (host_id, seq) is the key: no gap, no double. */
  g_assert_cmpint (max_seq, ==, head);
  return TRUE;
}

static void
add_tickets (Fixture *f, guint n)
{
  g_autoptr (GPtrArray) ops = tr_demo_build_ops (n, g_get_real_time () / 1000);

  tr_station_submit_ops_async (station (f), ops, NULL, NULL, NULL);
}

/* ---- Steps ---- */

static gboolean
step_hosting (Fixture *f)
{
  GtkWidget *window = find_toplevel (f, TR_TYPE_WINDOW);

  if (window == NULL || !gtk_widget_get_mapped (window) || host (f) == NULL
      || !tr_host_is_running (host (f)))
    return FALSE;
  /* Live orders: --demo's would go into training.db, never exported
   * (docs/training.md). */
  if (!f->seeded)
    add_tickets (f, TR_DEMO_N_TICKETS);
  f->seeded = TRUE;
  if (host_head (f) == 0)
    return FALSE;
  g_assert_null (host_exporter (f));
  gtk_widget_activate_action (window, "win.host-monitor", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  return TRUE;
}

/* A URI libpq cannot parse: its error quotes the password back. */
static gboolean
step_windows (Fixture *f)
{
  f->prefs = find_toplevel (f, TR_TYPE_PREFERENCES_WINDOW);
  f->monitor = find_toplevel (f, TR_TYPE_HOST_MONITOR);
  if (f->prefs == NULL || f->monitor == NULL || !gtk_widget_get_mapped (f->prefs))
    return FALSE;
  g_assert_cmpstr (monitor_status (f), ==, "Off");
  /* The group is the host's. */
  g_assert_true (gtk_widget_is_visible (entry_row (f)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (f))), ==, "");
  click_test (f, f->bad_escape);
  return TRUE;
}

static gboolean
step_bad_escape_tested (Fixture *f)
{
  const char *text = result (f);
  g_autofree char *saved = NULL;

  if (text == NULL)
    return FALSE;
  g_test_message ("bad escape: %s", text);
  g_assert_true (g_str_has_prefix (text, "Could not connect: "));
  g_assert_nonnull (strstr (text, "percent-encoded"));
  g_assert_null (strstr (text, "hun%zzter2"));
  g_assert_null (strstr (text, "hunter2"));
  g_assert_nonnull (strstr (text, "***"));
  saved = saved_conninfo (f);
  g_assert_cmpstr (saved, ==, "");
  apply (f, f->refused);
  return TRUE;
}

/* Saving one that does not connect is refused: nothing changes. */
static gboolean
step_refused_not_saved (Fixture *f)
{
  const char *text = result (f);
  g_autofree char *saved = NULL;

  if (text == NULL)
    return FALSE;
  g_test_message ("refused: %s", text);
  g_assert_true (g_str_has_prefix (text, "Not saved. Could not connect: "));
  g_assert_null (strstr (text, "hunter2"));
  saved = saved_conninfo (f);
  g_assert_cmpstr (saved, ==, "");
  g_assert_null (host_exporter (f));
  g_assert_cmpstr (monitor_status (f), ==, "Off");
  g_assert_true (tr_host_is_running (host (f)));
  click_test (f, tr_test_postgres_get_conninfo (f->server));
  return TRUE;
}

/* Test only tests: nothing is saved yet. */
static gboolean
step_good_tested (Fixture *f)
{
  const char *text = result (f);
  g_autofree char *saved = NULL;

  if (text == NULL)
    return FALSE;
  g_assert_true (g_str_has_prefix (text, "Connected to PostgreSQL "));
  saved = saved_conninfo (f);
  g_assert_cmpstr (saved, ==, "");
  g_assert_null (host_exporter (f));
  apply (f, tr_test_postgres_get_conninfo (f->server));
  return TRUE;
}

static gboolean
step_good_saved (Fixture *f)
{
  const char *text = result (f);
  g_autofree char *saved = NULL;

  if (text == NULL)
    return FALSE;
  g_assert_true (g_str_has_prefix (text, "Connected to PostgreSQL "));
  g_assert_true (g_str_has_suffix (text, ". Saved: the host exports there now"));
  saved = saved_conninfo (f);
  g_assert_cmpstr (saved, ==, tr_test_postgres_get_conninfo (f->server));
  /* The running host took it at once. */
  if (host_exporter (f) == NULL)
    return FALSE;
  f->exporter = host_exporter (f);
  g_assert_true (tr_exporter_is_running (f->exporter));
  /* Events committed while it exports stream too. */
  add_tickets (f, 3);
  return TRUE;
}

static gboolean
step_exported (Fixture *f)
{
  if (g_strcmp0 (monitor_status (f), "Connected and up to date") != 0 || !all_exported (f))
    return FALSE;
  f->exported = host_head (f);
  g_assert_cmpint (f->exported, >, 0);
  apply (f, f->refused);
  return TRUE;
}

/* A bad string later leaves the running export alone. */
static gboolean
step_refused_again (Fixture *f)
{
  const char *text = result (f);
  g_autofree char *saved = NULL;

  if (text == NULL)
    return FALSE;
  g_assert_true (g_str_has_prefix (text, "Not saved. Could not connect: "));
  saved = saved_conninfo (f);
  g_assert_cmpstr (saved, ==, tr_test_postgres_get_conninfo (f->server));
  g_assert_true (host_exporter (f) == f->exporter);
  g_assert_true (tr_exporter_is_running (f->exporter));
  add_tickets (f, 2);
  return TRUE;
}

static gboolean
step_still_exporting (Fixture *f)
{
  if (host_head (f) <= f->exported || !all_exported (f)
      || g_strcmp0 (monitor_status (f), "Connected and up to date") != 0)
    return FALSE;
  apply (f, "");
  return TRUE;
}

static gboolean
step_turned_off (Fixture *f)
{
  g_autofree char *saved = saved_conninfo (f);

  if (host_exporter (f) != NULL)
    return FALSE;
  g_assert_cmpstr (result (f), ==, "Reports are off");
  g_assert_cmpstr (saved, ==, "");
  g_assert_cmpstr (monitor_status (f), ==, "Off");
  g_assert_true (tr_host_is_running (host (f)));
  return TRUE;
}

static gboolean
step_quit (Fixture *f)
{
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  f->done = TRUE;
  return TRUE;
}

static gboolean
poll_steps (gpointer data)
{
  Fixture *f = data;

  if (g_get_monotonic_time () / 1000 - f->started > GIVE_UP_MS)
    g_error ("Gave up waiting at step %u (export: %s, Test: %s)", f->step,
             f->monitor ? monitor_status (f) : "?",
             f->prefs ? tr_preferences_window_get_export_result (TR_PREFERENCES_WINDOW (f->prefs))
                      : "?");

  while (f->steps[f->step] != NULL && f->steps[f->step](f))
    f->step++;
  if (f->steps[f->step] == NULL)
    {
      g_assert_true (f->done);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_export_from_preferences (void)
{
  StepFunc steps[] = { step_hosting,           step_windows,       step_bad_escape_tested,
                       step_refused_not_saved, step_good_tested,   step_good_saved,
                       step_exported,          step_refused_again, step_still_exporting,
                       step_turned_off,        step_quit,          NULL };
  g_autoptr (GError) error = NULL;
  Fixture fixture = { 0 }, *f = &fixture;
  const char *argv[]
    = { "ticketrail", "--data-dir", NULL, "--port", "0", "--loopback", "--host", NULL };
  int status;

  f->server = server;
  f->dir = g_dir_make_tmp ("ticketrail-test-export-app-XXXXXX", &error);
  g_assert_no_error (error);
  f->pg = PQconnectdb (tr_test_postgres_get_conninfo (server));
  g_assert_cmpint (PQstatus (f->pg), ==, CONNECTION_OK);
  /* Nothing listens there: tr_test_free_port() only just found it free. */
  f->refused = g_strdup_printf ("host=127.0.0.1 port=%u user=postgres password=hunter2 "
                                "connect_timeout=10",
                                tr_test_free_port ());
  f->bad_escape = g_strdup ("postgresql://postgres:hun%zzter2@127.0.0.1/postgres");

  f->app = tr_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
  argv[2] = f->dir;
  f->steps = steps;
  f->started = g_get_monotonic_time () / 1000;
  g_timeout_add (POLL_MS, poll_steps, f);
  status = g_application_run (G_APPLICATION (f->app), G_N_ELEMENTS (argv) - 1, (char **)argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (f->done);

  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->app);
  PQfinish (f->pg);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->refused);
  g_free (f->bad_escape);
}

static void
skip_without_postgres (void)
{
  g_test_skip ("PostgreSQL did not start (see the message above)");
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  server = tr_test_postgres_new (FALSE, &error);
  if (server == NULL)
    {
      if (tr_test_postgres_required ())
        g_error ("PostgreSQL must start under CI=true: %s", error->message);
      g_test_message ("no PostgreSQL: %s", error->message);
      g_test_add_func ("/export-app/no-postgresql", skip_without_postgres);
    }
  else
    g_test_add_func ("/export-app/preferences", test_export_from_preferences);
  status = g_test_run ();
  g_clear_pointer (&server, tr_test_postgres_free);
  return status;
}
