/* test-kitchen-view.c: the kitchen screen as a client of a real
 * ticketrail-host process, in a real window (under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-kitchen-view"

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tr-application.h"
#include "tr-codec.h"
#include "tr-kitchen-view.h"
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
  guint port;
  char *base_url;
  char *pos_token;
  GSubprocess *host;
  SoupSession *session;
  TrApplication *app;
  StepFunc *steps;
  guint step;
  gboolean done;
  gint64 started;

  /* Tickets posted to the host: ids and the ids of their items. */
  char *t1, *t1_burger, *t1_fries; /* grill + fry */
  char *t2, *t2_steak;             /* grill */
  char *t3, *t3_rings;             /* fry */
  char *t4;                        /* posted while the screen is up */
  char *offline_bump_op;
  guint sounds_new;
  gint64 cards_before_t4;
};

/* ---- Files ---- */

/* ---- The host process ---- */

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

  /* Up when its health endpoint answers. */
  while (status != SOUP_STATUS_OK)
    {
      g_autofree char *text = http (f, "GET", "/api/v1/health", NULL, &status);

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_nonnull (g_subprocess_get_identifier (f->host));
      if (status != SOUP_STATUS_OK)
        g_usleep (20 * 1000);
    }
}

/* Pairs @station_id with the host as its owner would: a code from
 * `ticketrail-host pair`, redeemed at /api/v1/pair. Returns the token. */
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

static void
kill_host (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (f->host, SIGKILL);
  g_subprocess_wait (f->host, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->host);
}

/* Posts a ticket as a POS would; returns its id and the ids of its items. */
static char *
post_ticket (Fixture *f, const char *json, char **item0, char **item1)
{
  guint status = 0;
  g_autofree char *reply = http (f, "POST", "/api/v1/tickets", json, &status);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;

  g_assert_cmpuint (status, ==, SOUP_STATUS_CREATED);
  ticket = tr_ticket_from_string (reply, -1, &error);
  g_assert_no_error (error);
  if (item0 != NULL)
    *item0 = g_strdup (((TrItem *)g_ptr_array_index (ticket->items, 0))->id);
  if (item1 != NULL)
    *item1 = g_strdup (((TrItem *)g_ptr_array_index (ticket->items, 1))->id);
  return g_strdup (ticket->id);
}

/* The host's event log (seq > 1; the first event is the oldest ticket's
 * creation, which no check here is about). */
static GPtrArray *
host_events (Fixture *f)
{
  guint status = 0;
  g_autofree char *reply = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_event_free);
  JsonArray *array;

  reply = http (f, "GET", "/api/v1/events?since=1", NULL, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  root = tr_json_parse (reply, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "type"), ==,
                   "events");
  array = json_object_get_array_member (json_node_get_object (root), "events");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      TrEvent *event = tr_event_from_json (json_array_get_element (array, i), &error);

      g_assert_no_error (error);
      g_ptr_array_add (events, event);
    }
  return events;
}

/* ---- The window ---- */

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
indicator_label (Fixture *f)
{
  return tr_connection_indicator_get_label (tr_window_get_indicator (find_window (f)));
}

static TrClient *
client (Fixture *f)
{
  return tr_station_get_client (tr_application_get_station (f->app));
}

static char *
visible_text (GtkWidget *widget)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  GString *text = g_string_new (NULL);

  tr_test_collect_widgets (widget, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_get_mapped (g_ptr_array_index (labels, i)))
      g_string_append_printf (text, "%s\n",
                              gtk_label_get_text (GTK_LABEL (g_ptr_array_index (labels, i))));
  return g_string_free (text, FALSE);
}

/* The mapped card of @ticket_id, or NULL. */
static TrTicketCard *
card_of (Fixture *f, const char *ticket_id)
{
  TrTicketCard *card = tr_kitchen_view_find_card (view (f), ticket_id);

  return card && gtk_widget_get_mapped (GTK_WIDGET (card)) ? card : NULL;
}

/* Clicks the item button of @item_id on @card, as a cook's tap would. */
static void
tap_item (TrTicketCard *card, const char *item_id)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();
  GtkButton *found = NULL;

  tr_test_collect_widgets (GTK_WIDGET (card), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (g_object_get_data (G_OBJECT (buttons->pdata[i]), "item-id"), item_id) == 0)
      found = buttons->pdata[i];
  g_assert_nonnull (found);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (found)));
  g_signal_emit_by_name (found, "clicked");
}

static gboolean
in_model (Fixture *f, const char *ticket_id)
{
  GListModel *model = tr_kitchen_view_get_model (view (f));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (TrTicketObject) obj = g_list_model_get_item (model, i);

      if (g_strcmp0 (tr_ticket_object_get_id (obj), ticket_id) == 0)
        return TRUE;
    }
  return FALSE;
}

static const char *
model_id_at (Fixture *f, guint position)
{
  g_autoptr (TrTicketObject) obj
    = g_list_model_get_item (tr_kitchen_view_get_model (view (f)), position);

  g_assert_nonnull (obj);
  /* The list keeps its own reference; the id outlives this one. */
  return tr_ticket_object_get_id (obj);
}

static gboolean
strv_has (GStrv strv, const char *s)
{
  return strv != NULL && g_strv_contains ((const char *const *)strv, s);
}

/* The events of the host log that our station made on @ticket_id. */
static guint
count_events (GPtrArray *events, const char *station_id, TrEventKind kind, const char *ticket_id)
{
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      TrEvent *e = events->pdata[i];

      if (e->kind == kind && g_strcmp0 (e->station_id, station_id) == 0
          && g_strcmp0 (e->ticket->id, ticket_id) == 0)
        n++;
    }
  return n;
}

static TrEvent *
last_event (GPtrArray *events, const char *station_id, TrEventKind kind, const char *ticket_id)
{
  for (guint i = events->len; i > 0; i--)
    {
      TrEvent *e = events->pdata[i - 1];

      if (e->kind == kind && g_strcmp0 (e->station_id, station_id) == 0
          && g_strcmp0 (e->ticket->id, ticket_id) == 0)
        return e;
    }
  return NULL;
}

static const char *
station_id (Fixture *f)
{
  return tr_station_get_station_id (tr_application_get_station (f->app));
}

/* ---- Steps ---- */

static void
on_played (TrSoundPlayer *player, int sound, Fixture *f)
{
  if (sound == TR_SOUND_NEW_TICKET)
    f->sounds_new++;
}

/* The host admits paired stations only: pair this one, as its owner
 * would, and hand the token to its client. */
static gboolean
step_pair_app (Fixture *f)
{
  g_autofree char *token = NULL;

  if (tr_application_get_station (f->app) == NULL || find_window (f) == NULL)
    return FALSE;
  token = pair_station (f, station_id (f), "kitchen");
  g_object_set (client (f), "token", token, NULL);
  tr_client_refresh (client (f));
  return TRUE;
}

static gboolean
step_cards_shown (Fixture *f)
{
  TrKitchenView *v = view (f);
  g_autofree char *text = NULL;

  if (v == NULL || !gtk_widget_get_mapped (GTK_WIDGET (v)))
    return FALSE;
  if (card_of (f, f->t1) == NULL || card_of (f, f->t2) == NULL || card_of (f, f->t3) == NULL)
    return FALSE;

  g_assert_cmpint (tr_station_get_mode (tr_application_get_station (f->app)), ==,
                   TR_STATION_MODE_CLIENT);
  g_assert_cmpuint (tr_kitchen_view_get_n_cards (v), ==, 3);
  /* Oldest first. */
  g_assert_cmpstr (model_id_at (f, 0), ==, f->t1);
  g_assert_cmpstr (model_id_at (f, 1), ==, f->t2);
  g_assert_cmpstr (model_id_at (f, 2), ==, f->t3);

  text = visible_text (GTK_WIDGET (card_of (f, f->t1)));
  g_assert_nonnull (strstr (text, "Table 4"));
  g_assert_nonnull (strstr (text, "Anna"));
  g_assert_nonnull (strstr (text, "Burger"));
  g_assert_nonnull (strstr (text, "Fries"));
  g_assert_nonnull (strstr (text, "⚠ NUTS"));
  g_assert_nonnull (strstr (text, "+ medium rare"));
  g_assert_nonnull (strstr (text, "RUSH"));
  {
    g_autofree char *t2_text = visible_text (GTK_WIDGET (card_of (f, f->t2)));

    g_assert_null (strstr (t2_text, "RUSH"));
  }
  g_assert_cmpstr (tr_ticket_card_get_timer_text (card_of (f, f->t1)), !=, "");

  /* Shorter backoff, so that the host's restart is noticed quickly;
   * the test is in-process, so it may set the client's tunables. */
  g_object_set (client (f), "backoff-min", 50, "backoff-max", 300, NULL);
  g_signal_connect (tr_application_get_sound_player (f->app), "played", G_CALLBACK (on_played), f);
  return TRUE;
}

static gboolean
step_wait_live (Fixture *f)
{
  return g_strcmp0 (indicator_label (f), "Live") == 0;
}

/* An item tapped on the card reaches the host's log. */
static gboolean
step_tap_item (Fixture *f)
{
  tap_item (card_of (f, f->t1), f->t1_burger);
  return TRUE;
}

static gboolean
step_tap_reached_host (Fixture *f)
{
  g_autoptr (GPtrArray) events = host_events (f);
  TrEvent *e = last_event (events, station_id (f), TR_EVENT_ITEM_STATUS, f->t1);

  if (e == NULL)
    return FALSE;
  g_assert_cmpint (tr_ticket_find_item (e->ticket, f->t1_burger)->status, ==,
                   TR_ITEM_STATUS_PREPARING);
  g_assert_cmpint (tr_ticket_find_item (e->ticket, f->t1_fries)->status, ==,
                   TR_ITEM_STATUS_PENDING);
  return TRUE;
}

/* The bump-bar: key 1 selects the first card, Enter bumps it. */
static gboolean
step_select_and_bump (Fixture *f)
{
  TrKitchenView *v = view (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v), "kitchen.select", "i", 2));
  g_assert_cmpstr (tr_kitchen_view_get_selected_ticket (v), ==, f->t2);
  g_assert_true (tr_ticket_card_get_selected (card_of (f, f->t2)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v), "kitchen.move-left", NULL));
  g_assert_cmpstr (tr_kitchen_view_get_selected_ticket (v), ==, f->t1);
  g_assert_false (tr_ticket_card_get_selected (card_of (f, f->t2)));
  g_assert_true (tr_ticket_card_get_selected (card_of (f, f->t1)));
  /* A number past the last card selects nothing new. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v), "kitchen.select", "i", 9));
  g_assert_cmpstr (tr_kitchen_view_get_selected_ticket (v), ==, f->t1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v), "kitchen.select", "i", 1));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v), "kitchen.bump-selected", NULL));

  /* Bumped: it leaves this screen at once, and the selection moves to
   * the card that took its place. */
  g_assert_false (in_model (f, f->t1));
  g_assert_cmpstr (tr_kitchen_view_get_selected_ticket (v), ==, f->t2);
  g_assert_cmpuint (tr_kitchen_view_get_n_recalls (v), ==, 1);
  g_assert_cmpstr (tr_kitchen_view_get_recall (v, 0, NULL, NULL), ==, f->t1);
  return TRUE;
}

static gboolean
step_bump_reached_host (Fixture *f)
{
  g_autoptr (GPtrArray) events = host_events (f);
  TrEvent *e = last_event (events, station_id (f), TR_EVENT_TICKET_STATUS, f->t1);

  if (e == NULL)
    return FALSE;
  g_assert_cmpint (e->ticket->status, ==, TR_TICKET_STATUS_READY);
  return TRUE;
}

/* R recalls the last bumped ticket. */
static gboolean
step_recall (Fixture *f)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view (f)), "kitchen.recall-last", NULL));
  g_assert_true (in_model (f, f->t1));
  g_assert_cmpstr (tr_kitchen_view_get_selected_ticket (view (f)), ==, f->t1);
  g_assert_cmpuint (tr_kitchen_view_get_n_recalls (view (f)), ==, 0);
  return TRUE;
}

static gboolean
step_recall_reached_host (Fixture *f)
{
  g_autoptr (GPtrArray) events = host_events (f);
  TrEvent *e = last_event (events, station_id (f), TR_EVENT_TICKET_STATUS, f->t1);

  g_assert_nonnull (e);
  if (e->ticket->status != TR_TICKET_STATUS_PREPARING)
    return FALSE;
  g_assert_cmpuint (count_events (events, station_id (f), TR_EVENT_TICKET_STATUS, f->t1), ==, 2);
  return card_of (f, f->t1) != NULL;
}

/* Ctrl+Z undoes a bump: bump, undo, and the ticket is back. */
static gboolean
step_undo (Fixture *f)
{
  TrKitchenView *v = view (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v), "kitchen.select", "i", 1));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v), "kitchen.bump-selected", NULL));
  g_assert_false (in_model (f, f->t1));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v), "kitchen.undo-bump", NULL));
  g_assert_true (in_model (f, f->t1));
  return TRUE;
}

static gboolean
step_undo_reached_host (Fixture *f)
{
  g_autoptr (GPtrArray) events = host_events (f);

  return count_events (events, station_id (f), TR_EVENT_TICKET_STATUS, f->t1) == 4
         && last_event (events, station_id (f), TR_EVENT_TICKET_STATUS, f->t1)->ticket->status
              == TR_TICKET_STATUS_PREPARING;
}

/* The keys are real shortcuts of the view, bound to those actions. */
static gboolean
step_shortcuts (Fixture *f)
{
  struct
  {
    guint keyval;
    GdkModifierType mods;
    const char *action;
  } expected[] = {
    { GDK_KEY_1, 0, "kitchen.select" },
    { GDK_KEY_9, 0, "kitchen.select" },
    { GDK_KEY_Return, 0, "kitchen.bump-selected" },
    { GDK_KEY_r, 0, "kitchen.recall-last" },
    { GDK_KEY_z, GDK_CONTROL_MASK, "kitchen.undo-bump" },
    { GDK_KEY_Left, 0, "kitchen.move-left" },
    { GDK_KEY_Page_Down, 0, "kitchen.page-down" },
    { GDK_KEY_a, 0, "kitchen.acknowledge-selected" },
  };
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view (f)));
  guint found = 0;

  for (guint c = 0; c < g_list_model_get_n_items (controllers); c++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, c);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (controller)); i++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), i);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (!GTK_IS_KEYVAL_TRIGGER (trigger) || !GTK_IS_NAMED_ACTION (action))
            continue;
          for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
            if (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == expected[e].keyval
                && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger))
                     == expected[e].mods)
              {
                g_assert_cmpstr (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), ==,
                                 expected[e].action);
                if (expected[e].keyval == GDK_KEY_9)
                  g_assert_cmpint (g_variant_get_int32 (gtk_shortcut_get_arguments (shortcut)), ==,
                                   9);
                found++;
              }
        }
    }
  g_assert_cmpuint (found, ==, G_N_ELEMENTS (expected));
  /* The view holds the focus, so the keys reach it. */
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view (f))));
  return TRUE;
}

/* A ticket posted now chimes and appears. */
static gboolean
step_post_new (Fixture *f)
{
  f->sounds_new = 0;
  f->t4 = post_ticket (
    f, "{\"table\":\"9\",\"items\":[{\"name\":\"Soup\",\"quantity\":1,\"station\":\"cold\"}]}",
    NULL, NULL);
  return TRUE;
}

static gboolean
step_new_shown (Fixture *f)
{
  if (card_of (f, f->t4) == NULL || f->sounds_new == 0)
    return FALSE;
  g_assert_cmpuint (tr_kitchen_view_get_n_cards (view (f)), ==, 4);
  return TRUE;
}

/* A grill screen: only grill items, only tickets with some. */
static gboolean
step_grill (Fixture *f)
{
  g_settings_set_string (tr_application_get_settings (f->app), "kitchen-station", "grill");
  return TRUE;
}

static gboolean
step_grill_shown (Fixture *f)
{
  TrKitchenView *v = view (f);
  g_auto (GStrv) shown = NULL;
  g_autofree char *text = NULL;

  if (tr_kitchen_view_get_n_cards (v) != 2 || card_of (f, f->t1) == NULL
      || card_of (f, f->t2) == NULL)
    return FALSE;
  g_assert_cmpstr (tr_kitchen_view_get_kitchen_station (v), ==, "grill");
  g_assert_false (in_model (f, f->t3));
  g_assert_false (in_model (f, f->t4));

  shown = tr_ticket_card_dup_shown_item_ids (card_of (f, f->t1));
  g_assert_cmpuint (g_strv_length (shown), ==, 1);
  g_assert_true (strv_has (shown, f->t1_burger));
  text = visible_text (GTK_WIDGET (card_of (f, f->t1)));
  g_assert_nonnull (strstr (text, "Burger"));
  g_assert_null (strstr (text, "Fries"));
  g_assert_nonnull (strstr (text, "+ 1 item at other stations"));

  /* The grill's bump readies the grill's items only. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v), "kitchen.bump", "s", f->t1));
  g_assert_false (in_model (f, f->t1));
  return TRUE;
}

static gboolean
step_grill_bump_reached_host (Fixture *f)
{
  g_autoptr (GPtrArray) events = host_events (f);
  TrEvent *e = last_event (events, station_id (f), TR_EVENT_ITEM_STATUS, f->t1);

  g_assert_nonnull (e);
  if (tr_ticket_find_item (e->ticket, f->t1_burger)->status != TR_ITEM_STATUS_READY)
    return FALSE;
  g_assert_cmpint (tr_ticket_find_item (e->ticket, f->t1_fries)->status, ==,
                   TR_ITEM_STATUS_PENDING);
  /* No ticket-level op came from that bump. */
  g_assert_cmpuint (count_events (events, station_id (f), TR_EVENT_TICKET_STATUS, f->t1), ==, 4);

  /* Back to the whole kitchen. */
  g_settings_set_string (tr_application_get_settings (f->app), "kitchen-station", "");
  return TRUE;
}

static gboolean
step_kill_host (Fixture *f)
{
  /* t1 is back for the fryer's part; wait until everything shows. */
  if (tr_kitchen_view_get_n_cards (view (f)) != 4)
    return FALSE;
  kill_host (f);
  return TRUE;
}

static gboolean
step_offline_shown (Fixture *f)
{
  const char *label = indicator_label (f);

  return g_str_has_prefix (label, "Offline") || g_str_has_prefix (label, "Reconnecting");
}

/* A bump while offline is queued, and the indicator says so. */
static gboolean
step_offline_bump (Fixture *f)
{
  g_autoptr (GPtrArray) outbox = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view (f)), "kitchen.bump", "s", f->t2));
  g_assert_false (in_model (f, f->t2));
  outbox = tr_store_outbox_list (tr_application_get_store (f->app), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);
  f->offline_bump_op = g_strdup (((TrOp *)outbox->pdata[0])->op_id);
  g_assert_cmpstr (((TrOp *)outbox->pdata[0])->ticket_id, ==, f->t2);
  return TRUE;
}

static gboolean
step_queued_shown (Fixture *f)
{
  return strstr (indicator_label (f), "1 change queued") != NULL
         && g_str_has_prefix (indicator_label (f), "Offline");
}

/* An item tapped offline carries the pending mark on its card. */
static gboolean
step_offline_tap (Fixture *f)
{
  tap_item (card_of (f, f->t3), f->t3_rings);
  return TRUE;
}

static gboolean
step_pending_shown (Fixture *f)
{
  TrTicketCard *card = card_of (f, f->t3);

  if (card == NULL || !tr_ticket_card_get_pending (card))
    return FALSE;
  g_assert_nonnull (strstr (indicator_label (f), "2 changes queued"));
  g_assert_false (tr_ticket_card_get_pending (card_of (f, f->t4)));
  return TRUE;
}

static gboolean
step_restart_host (Fixture *f)
{
  start_host (f);
  return TRUE;
}

static gboolean
step_back_online (Fixture *f)
{
  g_autoptr (GPtrArray) events = NULL;
  guint n = 0;

  if (g_strcmp0 (indicator_label (f), "Live") != 0 || tr_client_get_queued_ops (client (f)) != 0)
    return FALSE;
  if (card_of (f, f->t3) == NULL || tr_ticket_card_get_pending (card_of (f, f->t3)))
    return FALSE;

  g_assert_cmpuint (tr_store_outbox_count (tr_application_get_store (f->app)), ==, 0);
  events = host_events (f);
  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (((TrEvent *)events->pdata[i])->op_id, f->offline_bump_op) == 0)
      {
        n++;
        g_assert_cmpint (((TrEvent *)events->pdata[i])->ticket->status, ==, TR_TICKET_STATUS_READY);
      }
  g_assert_cmpuint (n, ==, 1);
  g_assert_false (in_model (f, f->t2));
  return TRUE;
}

/* A change the host refuses says why, in a toast. */
static gboolean
step_rejection_toast (Fixture *f)
{
  g_autofree char *text = NULL;

  g_signal_emit_by_name (tr_application_get_station (f->app), "op-rejected", "no-such-op",
                         "illegal_transition", "ticket cannot go from served to preparing");
  text = visible_text (GTK_WIDGET (view (f)));
  g_assert_nonnull (strstr (text, "Change refused: someone else changed it first"));
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
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->host_dir = g_dir_make_tmp ("ticketrail-kv-host-XXXXXX", &error);
  g_assert_no_error (error);
  f->app_dir = g_dir_make_tmp ("ticketrail-kv-app-XXXXXX", &error);
  g_assert_no_error (error);
  f->port = tr_test_free_port ();
  f->base_url = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  f->session = soup_session_new ();
  start_host (f);
  f->pos_token = pair_station (f, "test-pos", "pos");

  f->app = tr_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->app);
  if (f->host != NULL)
    kill_host (f);
  g_clear_object (&f->session);
  tr_test_remove_tree (f->host_dir);
  tr_test_remove_tree (f->app_dir);
  g_free (f->host_dir);
  g_free (f->app_dir);
  g_free (f->base_url);
  g_free (f->pos_token);
  g_free (f->t1);
  g_free (f->t1_burger);
  g_free (f->t1_fries);
  g_free (f->t2);
  g_free (f->t2_steak);
  g_free (f->t3);
  g_free (f->t3_rings);
  g_free (f->t4);
  g_free (f->offline_bump_op);
}

static void
test_kitchen_against_host (Fixture *f, gconstpointer data)
{
  StepFunc steps[] = { step_pair_app,
                       step_cards_shown,
                       step_wait_live,
                       step_tap_item,
                       step_tap_reached_host,
                       step_select_and_bump,
                       step_bump_reached_host,
                       step_recall,
                       step_recall_reached_host,
                       step_undo,
                       step_undo_reached_host,
                       step_shortcuts,
                       step_post_new,
                       step_new_shown,
                       step_grill,
                       step_grill_shown,
                       step_grill_bump_reached_host,
                       step_kill_host,
                       step_offline_shown,
                       step_offline_bump,
                       step_queued_shown,
                       step_offline_tap,
                       step_pending_shown,
                       step_restart_host,
                       step_back_online,
                       step_rejection_toast,
                       step_quit,
                       NULL };
  g_autofree char *join = g_strdup (f->base_url);
  char *argv[]
    = { (char *)"ticketrail", (char *)"--data-dir", f->app_dir, (char *)"--join", join, NULL };

  f->t1 = post_ticket (
    f,
    "{\"table\":\"4\",\"server\":\"Anna\",\"priority\":\"rush\",\"items\":["
    "{\"name\":\"Burger\",\"quantity\":1,\"station\":\"grill\",\"allergens\":[\"nuts\"],"
    "\"modifiers\":[\"medium rare\"]},"
    "{\"name\":\"Fries\",\"quantity\":2,\"station\":\"fry\"}]}",
    &f->t1_burger, &f->t1_fries);
  f->t2 = post_ticket (
    f, "{\"table\":\"7\",\"items\":[{\"name\":\"Steak\",\"quantity\":1,\"station\":\"grill\"}]}",
    &f->t2_steak, NULL);
  f->t3 = post_ticket (
    f,
    "{\"order_type\":\"takeaway\",\"items\":[{\"name\":\"Onion Rings\",\"quantity\":3,"
    "\"station\":\"fry\"}]}",
    &f->t3_rings, NULL);

  f->steps = steps;
  f->started = g_get_monotonic_time () / 1000;
  g_timeout_add (POLL_MS, poll_steps, f);

  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), G_N_ELEMENTS (argv) - 1, argv), ==,
                   0);
  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_true (f->done);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (steps) - 1);
}

/* --demo adds tickets on the host; a client refuses it and says why,
 * and opens nothing. */
static void
test_client_refuses_demo (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ticketrail-kv-demo-XXXXXX", &error);

  g_assert_no_error (error);
  if (g_test_subprocess ())
    {
      g_autoptr (TrApplication) app = tr_application_new ();
      char *argv[] = { (char *)"ticketrail",
                       (char *)"--data-dir",
                       (char *)g_getenv ("KV_DIR"),
                       (char *)"--join",
                       (char *)"127.0.0.1:9",
                       (char *)"--demo",
                       NULL };

      g_application_set_flags (G_APPLICATION (app), g_application_get_flags (G_APPLICATION (app))
                                                      | G_APPLICATION_NON_UNIQUE);
      exit (g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv));
    }

  g_setenv ("KV_DIR", dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*--demo adds sample tickets on the host*");
  tr_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/kitchen-view/against-host", Fixture, NULL, fixture_set_up,
              test_kitchen_against_host, fixture_tear_down);
  g_test_add_func ("/kitchen-view/client-refuses-demo", test_client_refuses_demo);

  return g_test_run ();
}
