/* test-recall-app.c: recall is shared by every screen
 *
 * A real ticketrail-host process, the app as the expo (station B) in a
 * real window under Xvfb, and a second station in-process: a TrStation
 * client (station A, the grill) with a store of its own, paired like
 * any other. The grill bumps its part of a ticket; the expo, which never
 * bumped it, lists it in its Recall popover and recalls it from there;
 * the host's log shows the grill's items back on the line, and the grill
 * station sees it too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-recall-app"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "tr-application.h"
#include "tr-codec.h"
#include "tr-kitchen-view.h"
#include "tr-recall.h"
#include "tr-window.h"
#include "tr-test-util.h"
#include "tr-test-widgets.h"

/* Polling, not a threshold: each step waits as long as it takes, and
 * only this generous limit turns a hang into a failure. */
#define POLL_MS 50
#define GIVE_UP_MS (240 * 1000)

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *host_dir;
  char *app_dir;
  char *grill_dir;
  guint port;
  char *base_url;
  char *pos_token;
  GSubprocess *host;
  SoupSession *session;
  TrApplication *app;
  TrStation *grill; /* station A */
  StepFunc *steps;
  guint step;
  gboolean done;
  gint64 started;

  char *t1, *t1_burger, *t1_fries; /* grill + fry */
  int t1_number;
};

/* ---- The host ---- */

static char *
http (Fixture *f, const char *method, const char *path, const char *body, guint *status)
{
  g_autofree char *url = g_strconcat (f->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;

  if (f->pos_token != NULL)
    {
      g_autofree char *bearer = g_strdup_printf ("Bearer %s", f->pos_token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (f->session, msg, NULL, &error);
  if (reply == NULL)
    {
      *status = 0;
      return NULL;
    }
  *status = soup_message_get_status (msg);
  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

static void
start_host (Fixture *f)
{
  const char *bin = g_getenv ("TICKETRAIL_HOST_BIN");
  g_autofree char *port = g_strdup_printf ("%u", f->port);
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint status = 0;

  g_assert_nonnull (bin);
  f->host = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, bin, "--loopback",
                              "--port", port, "--data-dir", f->host_dir, NULL);
  g_assert_no_error (error);

  while (status != SOUP_STATUS_OK)
    {
      g_autofree char *text = http (f, "GET", "/api/v1/health", NULL, &status);

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (status != SOUP_STATUS_OK)
        g_usleep (20 * 1000);
    }
}

/* Pairs @station_id with a code from `ticketrail-host pair`, as its
 * owner would. Returns the token. */
static char *
pair_station (Fixture *f, const char *station_id, const char *role)
{
  const char *bin = g_getenv ("TICKETRAIL_HOST_BIN");
  g_autoptr (GSubprocess) pair = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *body = NULL;
  g_autofree char *reply = NULL;
  g_autoptr (JsonNode) root = NULL;
  const char *line;
  char code[7] = { 0 };
  guint status = 0;

  pair = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, bin, "pair", "--data-dir",
                           f->host_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (pair, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (pair));
  line = strstr (out, "Pairing code: ");
  g_assert_nonnull (line);
  memcpy (code, line + strlen ("Pairing code: "), 6);

  body = g_strdup_printf ("{\"code\":\"%s\",\"station\":{\"id\":\"%s\",\"name\":\"test\","
                          "\"role\":\"%s\"}}",
                          code, station_id, role);
  reply = http (f, "POST", "/api/v1/pair", body, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  root = tr_json_parse (reply, -1, &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (json_node_get_object (root), "token"));
}

static char *
post_ticket (Fixture *f, const char *json, char **item0, char **item1, int *number)
{
  guint status = 0;
  g_autofree char *reply = http (f, "POST", "/api/v1/tickets", json, &status);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;

  g_assert_cmpuint (status, ==, SOUP_STATUS_CREATED);
  ticket = tr_ticket_from_string (reply, -1, &error);
  g_assert_no_error (error);
  *item0 = g_strdup (((TrItem *)g_ptr_array_index (ticket->items, 0))->id);
  *item1 = g_strdup (((TrItem *)g_ptr_array_index (ticket->items, 1))->id);
  *number = ticket->number;
  return g_strdup (ticket->id);
}

/* The newest event of @station_id on @ticket_id in the host's log, or
 * NULL. */
static TrEvent *
host_last_event (Fixture *f, const char *station_id, const char *ticket_id)
{
  guint status = 0;
  g_autofree char *reply = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  TrEvent *found = NULL;
  JsonArray *array;

  /* since=0 would answer with a snapshot; since=1 skips only the
   * first ticket's creation, which no check here is about. */
  reply = http (f, "GET", "/api/v1/events?since=1", NULL, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  root = tr_json_parse (reply, -1, &error);
  g_assert_no_error (error);
  array = json_object_get_array_member (json_node_get_object (root), "events");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr (TrEvent) event = tr_event_from_json (json_array_get_element (array, i), &error);

      g_assert_no_error (error);
      if (g_strcmp0 (event->station_id, station_id) == 0 && event->ticket != NULL
          && g_strcmp0 (event->ticket->id, ticket_id) == 0)
        {
          g_clear_pointer (&found, tr_event_free);
          found = g_steal_pointer (&event);
        }
    }
  return found;
}

/* ---- The app ---- */

static TrWindow *
find_window (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static TrKitchenView *
view (Fixture *f)
{
  TrWindow *window = find_window (f);

  return window ? tr_window_get_kitchen_view (window) : NULL;
}

static const char *
app_station_id (Fixture *f)
{
  return tr_station_get_station_id (tr_application_get_station (f->app));
}

/* The mapped rows of the Recall popover. */
static GPtrArray *
recall_rows (Fixture *f)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();
  GPtrArray *rows = g_ptr_array_new ();

  tr_test_collect_widgets (GTK_WIDGET (find_window (f)), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (gtk_widget_has_css_class (buttons->pdata[i], "recall-row")
        && gtk_widget_get_mapped (buttons->pdata[i]))
      g_ptr_array_add (rows, buttons->pdata[i]);
  return rows;
}

/* ---- Steps ---- */

static gboolean
step_pair_app (Fixture *f)
{
  g_autofree char *token = NULL;
  TrClient *client;

  if (tr_application_get_station (f->app) == NULL || find_window (f) == NULL)
    return FALSE;
  client = tr_station_get_client (tr_application_get_station (f->app));
  token = pair_station (f, app_station_id (f), "expo");
  g_object_set (client, "token", token, NULL);
  tr_client_refresh (client);
  return TRUE;
}

/* Both stations follow the host and hold the ticket. */
static gboolean
step_both_live (Fixture *f)
{
  g_autoptr (TrTicket) on_grill = NULL;
  g_autoptr (TrTicket) on_expo = NULL;

  if (tr_station_get_link_state (f->grill) != TR_CLIENT_STATE_ONLINE_WEBSOCKET
      || tr_station_get_link_state (tr_application_get_station (f->app))
           != TR_CLIENT_STATE_ONLINE_WEBSOCKET)
    return FALSE;
  on_grill = tr_station_get_ticket (f->grill, f->t1, NULL);
  on_expo = tr_station_get_ticket (tr_application_get_station (f->app), f->t1, NULL);
  if (on_grill == NULL || on_expo == NULL || view (f) == NULL)
    return FALSE;

  g_assert_cmpstr (tr_kitchen_view_get_role (view (f)), ==, "expo");
  /* Nothing bumped anywhere yet. */
  g_assert_cmpuint (tr_kitchen_view_get_n_recalls (view (f)), ==, 0);
  return TRUE;
}

/* Station A, the grill, bumps its part: the bump goes through its own
 * client to the host, as any screen's does. */
static gboolean
step_grill_bumps (Fixture *f)
{
  const TrKitchenScreen grill = { TR_KITCHEN_ROLE_KITCHEN, "grill" };
  g_autoptr (TrTicket) ticket = tr_station_get_ticket (f->grill, f->t1, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  TrBumpAction action;

  ops
    = tr_kitchen_rules_bump (&grill, ticket, tr_station_get_station_id (f->grill), &action, &error);
  g_assert_no_error (error);
  g_assert_cmpint (action, ==, TR_BUMP_SUBMIT);
  g_assert_cmpuint (ops->len, ==, 1);
  for (guint i = 0; i < ops->len; i++)
    {
      g_assert_true (tr_station_submit (f->grill, ops->pdata[i], &error));
      g_assert_no_error (error);
    }
  return TRUE;
}

/* The host confirmed it, and the expo, which never bumped it, lists it
 * as the newest recall, with the host's time. */
static gboolean
step_expo_lists_it (Fixture *f)
{
  g_autoptr (TrEvent) bump = host_last_event (f, tr_station_get_station_id (f->grill), f->t1);
  const char *id;
  int number = 0;
  gint64 bumped_at = 0;

  if (bump == NULL || tr_kitchen_view_get_n_recalls (view (f)) == 0)
    return FALSE;
  g_assert_cmpint (tr_ticket_find_item (bump->ticket, f->t1_burger)->status, ==,
                   TR_ITEM_STATUS_READY);

  id = tr_kitchen_view_get_recall (view (f), 0, &number, &bumped_at);
  g_assert_cmpstr (id, ==, f->t1);
  g_assert_cmpint (number, ==, f->t1_number);
  /* Listed at the host's time once the host's event arrived here. */
  if (bumped_at != tr_ticket_find_item (bump->ticket, f->t1_burger)->ready_at)
    return FALSE;
  g_assert_cmpuint (tr_kitchen_view_get_n_recalls (view (f)), ==, 1);
  return TRUE;
}

/* The cook on the expo opens Recall (Ctrl+R) and picks the ticket. */
static gboolean
step_recall_from_popover (Fixture *f)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *expected = g_strdup_printf ("#%d ", f->t1_number);

  g_assert_true (
    gtk_widget_activate_action (GTK_WIDGET (find_window (f)), "win.show-recall", NULL));
  rows = recall_rows (f);
  if (rows->len == 0)
    return FALSE;
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_true (g_str_has_prefix (gtk_button_get_label (rows->pdata[0]), expected));
  g_signal_emit_by_name (rows->pdata[0], "clicked");
  return TRUE;
}

/* The host's state shows it un-bumped, by the expo's op; the list is
 * empty on the expo, and the grill station has it back on its line. */
static gboolean
step_host_unbumped (Fixture *f)
{
  g_autoptr (TrEvent) recall = host_last_event (f, app_station_id (f), f->t1);
  g_autoptr (TrTicket) on_grill = NULL;
  g_autoptr (GPtrArray) grill_tickets = NULL;
  g_autoptr (GPtrArray) grill_list = NULL;

  if (recall == NULL)
    return FALSE;
  g_assert_cmpint (recall->kind, ==, TR_EVENT_ITEM_STATUS);
  g_assert_cmpint (tr_ticket_find_item (recall->ticket, f->t1_burger)->status, ==,
                   TR_ITEM_STATUS_PREPARING);
  g_assert_cmpint (tr_ticket_find_item (recall->ticket, f->t1_fries)->status, ==,
                   TR_ITEM_STATUS_PENDING);
  g_assert_cmpint (recall->ticket->status, ==, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpuint (tr_kitchen_view_get_n_recalls (view (f)), ==, 0);

  /* Visible on the grill: the burger is back to make, and the grill's
   * own list, computed the same way, is empty too. */
  on_grill = tr_station_get_ticket (f->grill, f->t1, NULL);
  if (tr_ticket_find_item (on_grill, f->t1_burger)->status != TR_ITEM_STATUS_PREPARING)
    return FALSE;
  grill_tickets = tr_station_list_recent_tickets (f->grill, 0, NULL);
  grill_list = tr_recall_list_build (grill_tickets, g_get_real_time () / 1000);
  g_assert_cmpuint (grill_list->len, ==, 0);
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
    g_error ("Gave up waiting at step %u", f->step);

  while (f->steps[f->step] != NULL && f->steps[f->step](f))
    f->step++;

  return f->steps[f->step] == NULL ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
test_recall_across_stations (void)
{
  StepFunc steps[] = { step_pair_app,
                       step_both_live,
                       step_grill_bumps,
                       step_expo_lists_it,
                       step_recall_from_popover,
                       step_host_unbumped,
                       step_quit,
                       NULL };
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr (GError) error = NULL;
  g_autofree char *grill_token = NULL;
  g_autofree char *join = NULL;

  f->host_dir = g_dir_make_tmp ("ticketrail-recall-host-XXXXXX", &error);
  g_assert_no_error (error);
  f->app_dir = g_dir_make_tmp ("ticketrail-recall-app-XXXXXX", &error);
  g_assert_no_error (error);
  f->grill_dir = g_dir_make_tmp ("ticketrail-recall-grill-XXXXXX", &error);
  g_assert_no_error (error);
  f->port = tr_test_free_port ();
  f->base_url = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  f->session = soup_session_new ();
  start_host (f);
  f->pos_token = pair_station (f, "test-pos", "pos");

  f->t1 = post_ticket (f,
                       "{\"table\":\"9\",\"items\":["
                       "{\"name\":\"Burger\",\"quantity\":1,\"station\":\"grill\"},"
                       "{\"name\":\"Fries\",\"quantity\":1,\"station\":\"fry\"}]}",
                       &f->t1_burger, &f->t1_fries, &f->t1_number);

  /* Station A: a second station, in this process, on the same loop. */
  f->grill = tr_station_new_client (f->grill_dir, f->base_url, "Grill", "kitchen", &error);
  g_assert_no_error (error);
  grill_token = pair_station (f, tr_station_get_station_id (f->grill), "kitchen");
  g_object_set (tr_station_get_client (f->grill), "token", grill_token, NULL);
  tr_client_refresh (tr_station_get_client (f->grill));

  /* Station B: the app, as the expo. */
  f->app = tr_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
  join = g_strdup (f->base_url);
  {
    char *argv[] = { (char *)"ticketrail", (char *)"--data-dir", f->app_dir, (char *)"--join", join,
                     (char *)"--role",     (char *)"expo",       NULL };

    f->steps = steps;
    f->started = g_get_monotonic_time () / 1000;
    g_timeout_add (POLL_MS, poll_steps, f);
    g_assert_cmpint (g_application_run (G_APPLICATION (f->app), G_N_ELEMENTS (argv) - 1, argv), ==,
                     0);
  }
  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (f->done);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (steps) - 1);

  tr_station_shutdown (f->grill);
  g_clear_object (&f->grill);
  g_assert_finalize_object (f->app);
  g_subprocess_send_signal (f->host, SIGKILL);
  g_subprocess_wait (f->host, NULL, NULL);
  g_clear_object (&f->host);
  g_clear_object (&f->session);
  tr_test_remove_tree (f->host_dir);
  tr_test_remove_tree (f->app_dir);
  tr_test_remove_tree (f->grill_dir);
  g_free (f->host_dir);
  g_free (f->app_dir);
  g_free (f->grill_dir);
  g_free (f->base_url);
  g_free (f->pos_token);
  g_free (f->t1);
  g_free (f->t1_burger);
  g_free (f->t1_fries);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/recall-app/across-stations", test_recall_across_stations);

  return g_test_run ();
}
