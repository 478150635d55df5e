/* test-foh-view.c: the front-of-house board and the order dialog, on a
 * real host station (SQLite file, server on loopback) in a real window
 * (under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-foh-view"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tr-error.h"
#include "tr-foh-view.h"
#include "tr-menu.h"
#include "tr-order-dialog.h"
#include "tr-ticket-object.h"
#include "tr-test-util.h"
#include "tr-test-widgets.h"

#define GIVE_UP_US (120 * G_USEC_PER_SEC)

typedef struct
{
  char *dir;
  TrStation *station;
  TrClock *clock;
  TrSoundPlayer *player;
  GtkWindow *window;
  TrFohView *view;
  guint ready_signals;
  char *ready_text;
  guint sounds;
} Fixture;

/* ---- Helpers ---- */

typedef gboolean (*Condition) (Fixture *f, gconstpointer data);

/* Runs the main loop until @cond holds; only the generous limit turns a
 * hang into a failure. */
static void
wait_for (Fixture *f, Condition cond, gconstpointer data)
{
  gint64 deadline = g_get_monotonic_time () + GIVE_UP_US;

  while (!cond (f, data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
is_mapped (Fixture *f, gconstpointer widget)
{
  return gtk_widget_get_mapped (GTK_WIDGET (widget));
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

/* The entry row titled @title (mnemonic underscores ignored). */
static GtkEditable *
find_entry_row (GtkWidget *root, const char *title)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  tr_test_collect_widgets (root, ADW_TYPE_ENTRY_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      const char *t = adw_preferences_row_get_title (g_ptr_array_index (rows, i));
      g_autoptr (GString) plain = g_string_new (t);

      g_string_replace (plain, "_", "", 0);
      if (g_strcmp0 (plain->str, title) == 0)
        return GTK_EDITABLE (g_ptr_array_index (rows, i));
    }
  g_error ("No entry row “%s”", title);
}

static TrTicket *
make_ticket (const char *table, TrOrderType type, const char *name, int quantity)
{
  TrTicket *ticket = tr_ticket_new ();
  TrItem *item = tr_item_new ();

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup (table);
  ticket->order_type = type;
  item->id = tr_uuid_new ();
  item->name = g_strdup (name);
  item->quantity = quantity;
  item->station = g_strdup ("grill");
  g_ptr_array_add (ticket->items, item);
  return ticket;
}

static gboolean
settled (Fixture *f, gconstpointer data)
{
  return tr_station_get_n_ops_in_flight (f->station) == 0;
}

/* Creates a ticket through the station, as any station would. */
static char *
submit_ticket (Fixture *f, const char *table, TrOrderType type, const char *name)
{
  g_autoptr (TrTicket) ticket = make_ticket (table, type, name, 2);
  g_autoptr (TrOp) op = tr_op_new_create_ticket ("pos", ticket);
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_station_submit (f->station, op, &error));
  g_assert_no_error (error);
  wait_for (f, settled, NULL);
  return g_strdup (ticket->id);
}

static void
set_status (Fixture *f, const char *ticket_id, TrTicketStatus status)
{
  g_autoptr (TrOp) op = tr_op_new_set_ticket_status ("kitchen", ticket_id, status);
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_station_submit (f->station, op, &error));
  g_assert_no_error (error);
  wait_for (f, settled, NULL);
}

static TrTicket *
stored (Fixture *f, const char *ticket_id)
{
  g_autoptr (GError) error = NULL;
  TrTicket *ticket;

  /* A view's action commits on the host's writer thread: read what it
   * did once it is on disk. */
  wait_for (f, settled, NULL);
  ticket = tr_store_get_ticket (tr_station_get_store (f->station), ticket_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ticket);
  return ticket;
}

static TrTicketStatus
stored_status (Fixture *f, const char *ticket_id)
{
  g_autoptr (TrTicket) ticket = stored (f, ticket_id);

  return ticket->status;
}

static gint64
head_seq (Fixture *f)
{
  wait_for (f, settled, NULL);
  return tr_store_get_head_seq (tr_station_get_store (f->station));
}

static guint
section_len (Fixture *f, TrFohSection section)
{
  return g_list_model_get_n_items (tr_foh_view_get_section (f->view, section));
}

/* The count label next to a section's title. */
static const char *
count_label (Fixture *f, TrFohSection section)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  guint seen = 0;

  tr_test_collect_widgets (GTK_WIDGET (f->view), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (labels, i), "foh-count")
        && seen++ == (guint)section)
      return gtk_label_get_text (g_ptr_array_index (labels, i));
  g_error ("No count label for section %d", section);
}

/* The row of @ticket_id in the board, NULL when not shown. */
static GtkWidget *
row_of (Fixture *f, const char *ticket_id)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  tr_test_collect_widgets (GTK_WIDGET (f->view), GTK_TYPE_LIST_BOX_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (g_object_get_data (rows->pdata[i], "ticket-id"), ticket_id) == 0)
      return rows->pdata[i];
  return NULL;
}

static GtkButton *
button_with_action (GtkWidget *root, const char *action)
{
  return GTK_BUTTON (tr_test_find_actionable (root, GTK_TYPE_BUTTON, action));
}

static void
on_ready (TrFohView *view, const char *ticket_id, const char *text, Fixture *f)
{
  f->ready_signals++;
  g_free (f->ready_text);
  f->ready_text = g_strdup (text);
}

static void
on_played (TrSoundPlayer *player, int sound, Fixture *f)
{
  f->sounds++;
}

/* ---- Fixture ---- */

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ticketrail-foh-XXXXXX", &error);
  g_assert_no_error (error);
  f->station = tr_station_new_host (f->dir, 0, TRUE, &error);
  g_assert_no_error (error);
  f->clock = tr_clock_new ();
  f->player = tr_sound_player_new ();
  /* Counted, not heard. */
  tr_sound_player_set_muted (f->player, FALSE);
  g_signal_connect (f->player, "played", G_CALLBACK (on_played), f);
}

static void
show_view (Fixture *f)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1280, 800);
  f->view = TR_FOH_VIEW (tr_foh_view_new (f->station, f->clock, f->player));
  g_signal_connect (f->view, "ticket-ready", G_CALLBACK (on_ready), f);
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);
  wait_for (f, is_mapped, f->view);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->window != NULL)
    gtk_window_destroy (f->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  tr_station_shutdown (f->station);
  g_assert_finalize_object (f->station);
  g_clear_object (&f->clock);
  g_assert_finalize_object (f->player);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->ready_text);
}

/* ---- Board ---- */

static gboolean
ready_announced (Fixture *f, gconstpointer data)
{
  return f->ready_signals >= GPOINTER_TO_UINT (data);
}

static void
test_sections (Fixture *f, gconstpointer data)
{
  g_autofree char *fresh = submit_ticket (f, "3", TR_ORDER_TYPE_DINE_IN, "Burger");
  g_autofree char *cooking = submit_ticket (f, "5", TR_ORDER_TYPE_DINE_IN, "Steak");
  g_autofree char *waiting = submit_ticket (f, NULL, TR_ORDER_TYPE_TAKEAWAY, "Fries");
  g_autofree char *done = submit_ticket (f, "9", TR_ORDER_TYPE_DINE_IN, "Salad");
  g_autofree char *gone = submit_ticket (f, "1", TR_ORDER_TYPE_DINE_IN, "Soup");
  g_autofree char *text = NULL;

  set_status (f, cooking, TR_TICKET_STATUS_PREPARING);
  set_status (f, waiting, TR_TICKET_STATUS_READY);
  set_status (f, done, TR_TICKET_STATUS_READY);
  set_status (f, done, TR_TICKET_STATUS_SERVED);
  set_status (f, gone, TR_TICKET_STATUS_CANCELLED);

  show_view (f);

  g_assert_cmpint (tr_foh_view_find_ticket (f->view, fresh), ==, TR_FOH_SECTION_NEW);
  g_assert_cmpint (tr_foh_view_find_ticket (f->view, cooking), ==, TR_FOH_SECTION_PREPARING);
  g_assert_cmpint (tr_foh_view_find_ticket (f->view, waiting), ==, TR_FOH_SECTION_READY);
  g_assert_cmpint (tr_foh_view_find_ticket (f->view, done), ==, TR_FOH_SECTION_SERVED);
  g_assert_cmpint (tr_foh_view_find_ticket (f->view, gone), ==, -1);
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      g_assert_cmpuint (section_len (f, s), ==, 1);
      g_assert_cmpstr (count_label (f, s), ==, "1");
    }
  /* Loading is not "turning ready": nothing is announced for what was
   * already waiting. */
  g_assert_cmpuint (f->ready_signals, ==, 0);

  wait_for (f, is_mapped, row_of (f, waiting));
  text = visible_text (row_of (f, waiting));
  g_assert_nonnull (strstr (text, "Takeaway"));
  g_assert_nonnull (strstr (text, "2 × Fries"));
  g_assert_nonnull (button_with_action (row_of (f, waiting), "foh.mark-served"));
  g_assert_null (button_with_action (row_of (f, fresh), "foh.mark-served"));
  g_assert_nonnull (button_with_action (row_of (f, fresh), "foh.cancel"));

  /* A bump anywhere moves the ticket and announces it, once. */
  set_status (f, cooking, TR_TICKET_STATUS_READY);
  wait_for (f, ready_announced, GUINT_TO_POINTER (1));
  g_assert_cmpstr (f->ready_text, ==, "Table 5 is ready");
  g_assert_cmpstr (tr_foh_view_get_last_toast (f->view), ==, "Table 5 is ready");
  g_assert_cmpuint (f->sounds, ==, 1);
  g_assert_cmpint (tr_foh_view_find_ticket (f->view, cooking), ==, TR_FOH_SECTION_READY);
  g_assert_cmpstr (count_label (f, TR_FOH_SECTION_READY), ==, "2");
  g_assert_cmpstr (count_label (f, TR_FOH_SECTION_PREPARING), ==, "0");

  /* Ready, oldest first. */
  {
    g_autoptr (TrTicketObject) first
      = g_list_model_get_item (tr_foh_view_get_section (f->view, TR_FOH_SECTION_READY), 0);

    g_assert_cmpstr (tr_ticket_object_get_id (first), ==, cooking);
  }

  /* Mark served through the row's button. */
  g_signal_emit_by_name (button_with_action (row_of (f, cooking), "foh.mark-served"), "clicked");
  g_assert_cmpint (stored_status (f, cooking), ==, TR_TICKET_STATUS_SERVED);
  g_assert_cmpint (tr_foh_view_find_ticket (f->view, cooking), ==, TR_FOH_SECTION_SERVED);
  g_assert_cmpstr (count_label (f, TR_FOH_SECTION_SERVED), ==, "2");

  /* Ctrl+Enter's action serves the oldest ready one. */
  gtk_widget_activate_action (GTK_WIDGET (f->view), "foh.serve-next", NULL);
  g_assert_cmpint (stored_status (f, waiting), ==, TR_TICKET_STATUS_SERVED);
  gtk_widget_activate_action (GTK_WIDGET (f->view), "foh.serve-next", NULL);
  g_assert_cmpstr (tr_foh_view_get_last_toast (f->view), ==, "No order is ready");

  /* Straight from new to ready (a cook bumped it unstarted). */
  set_status (f, fresh, TR_TICKET_STATUS_READY);
  wait_for (f, ready_announced, GUINT_TO_POINTER (2));
  g_assert_cmpstr (f->ready_text, ==, "Table 3 is ready");

  /* Served tickets leave the board after 30 minutes. */
  tr_clock_set_offset (f->clock, TR_FOH_SERVED_WINDOW_MS + 60 * 1000);
  g_signal_emit_by_name (f->clock, "tick");
  g_assert_cmpuint (section_len (f, TR_FOH_SECTION_SERVED), ==, 0);
  g_assert_cmpstr (count_label (f, TR_FOH_SECTION_SERVED), ==, "0");
}

static const char *
id_at (Fixture *f, TrFohSection section, guint position)
{
  g_autoptr (TrTicketObject) obj
    = g_list_model_get_item (tr_foh_view_get_section (f->view, section), position);

  /* The section keeps its reference. */
  return tr_ticket_object_get_id (obj);
}

/* Rush first (the default): a rush order heads its section, and the
 * rows on screen follow when the setting changes. */
static void
test_rush_first (Fixture *f, gconstpointer data)
{
  g_autofree char *old = submit_ticket (f, "3", TR_ORDER_TYPE_DINE_IN, "Burger");
  g_autofree char *rush = NULL;
  g_autofree char *young = NULL;

  {
    g_autoptr (TrTicket) ticket = make_ticket ("4", TR_ORDER_TYPE_DINE_IN, "Naan", 1);
    g_autoptr (TrOp) op = NULL;
    g_autoptr (GError) error = NULL;

    ticket->priority = TR_PRIORITY_RUSH;
    op = tr_op_new_create_ticket ("pos", ticket);
    g_assert_true (tr_station_submit (f->station, op, &error));
    g_assert_no_error (error);
    rush = g_strdup (ticket->id);
  }
  young = submit_ticket (f, "5", TR_ORDER_TYPE_DINE_IN, "Steak");
  show_view (f);

  g_assert_true (tr_foh_view_get_rush_first (f->view));
  g_assert_cmpuint (section_len (f, TR_FOH_SECTION_NEW), ==, 3);
  g_assert_cmpstr (id_at (f, TR_FOH_SECTION_NEW, 0), ==, rush);
  g_assert_cmpstr (id_at (f, TR_FOH_SECTION_NEW, 1), ==, old);
  g_assert_cmpint (gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row_of (f, rush))), ==, 0);

  g_object_set (f->view, "rush-first", FALSE, NULL);
  g_assert_cmpstr (id_at (f, TR_FOH_SECTION_NEW, 0), ==, old);
  g_assert_cmpstr (id_at (f, TR_FOH_SECTION_NEW, 1), ==, rush);
  g_assert_cmpstr (id_at (f, TR_FOH_SECTION_NEW, 2), ==, young);
  g_assert_cmpint (gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row_of (f, old))), ==, 0);
  g_assert_cmpint (gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row_of (f, rush))), ==, 1);

  /* Back on: a rush that turns ready heads Ready too. */
  tr_foh_view_set_rush_first (f->view, TRUE);
  set_status (f, young, TR_TICKET_STATUS_READY);
  set_status (f, rush, TR_TICKET_STATUS_READY);
  wait_for (f, ready_announced, GUINT_TO_POINTER (2));
  g_assert_cmpstr (id_at (f, TR_FOH_SECTION_READY, 0), ==, rush);
  g_assert_cmpstr (id_at (f, TR_FOH_SECTION_READY, 1), ==, young);
}

static void
test_announcement (void)
{
  g_autoptr (TrTicket) table = make_ticket ("12", TR_ORDER_TYPE_DINE_IN, "Naan", 1);
  g_autoptr (TrTicket) takeaway = make_ticket (NULL, TR_ORDER_TYPE_TAKEAWAY, "Naan", 1);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  a = tr_foh_dup_ready_announcement (table);
  g_assert_cmpstr (a, ==, "Table 12 is ready");
  takeaway->number = 1042;
  b = tr_foh_dup_ready_announcement (takeaway);
  g_assert_cmpstr (b, ==, "Order #1042 is ready");
  takeaway->number = 0;
  c = tr_foh_dup_ready_announcement (takeaway);
  g_assert_cmpstr (c, ==, "An order is ready");
}

/* ---- Order dialog ---- */

static TrOrderDialog *
open_dialog (Fixture *f, const char *action, const char *ticket_id)
{
  GtkWindow *dialog;

  if (ticket_id != NULL)
    gtk_widget_activate_action (GTK_WIDGET (f->view), action, "s", ticket_id);
  else
    gtk_widget_activate_action (GTK_WIDGET (f->view), action, NULL);
  dialog = tr_foh_view_get_dialog (f->view);
  g_assert_true (TR_IS_ORDER_DIALOG (dialog));
  wait_for (f, is_mapped, dialog);
  return TR_ORDER_DIALOG (dialog);
}

static GtkWidget *
message_label (TrOrderDialog *dialog)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  tr_test_collect_widgets (GTK_WIDGET (dialog), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (gtk_widget_get_parent (labels->pdata[i]), "order-message"))
      return labels->pdata[i];
  g_error ("No message label");
}

static gboolean
message_shown (Fixture *f, gconstpointer dialog)
{
  GtkWidget *label = message_label ((TrOrderDialog *)dialog);

  return gtk_widget_get_mapped (label)
         && gtk_widget_get_child_visible (gtk_widget_get_parent (label))
         && gtk_revealer_get_child_revealed (
           GTK_REVEALER (gtk_widget_get_ancestor (label, GTK_TYPE_REVEALER)));
}

/* Sends and expects a refusal containing @expected, shown in the
 * dialog, with nothing sent. */
static void
expect_refusal (Fixture *f, TrOrderDialog *dialog, const char *expected)
{
  gint64 head = head_seq (f);
  GtkWidget *label = message_label (dialog);

  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.send", NULL);
  g_assert_nonnull (tr_order_dialog_get_message (dialog));
  g_assert_nonnull (strstr (tr_order_dialog_get_message (dialog), expected));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                   tr_order_dialog_get_message (dialog));
  wait_for (f, message_shown, dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  /* Nothing reached the log. */
  g_assert_cmpint (head_seq (f), ==, head);
}

/* Clicks a message dialog's response button, as a finger would. */
static void
click_response (GtkWindow *dialog, const char *label)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();

  tr_test_collect_widgets (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (buttons->pdata[i]), label) == 0)
      {
        g_signal_emit_by_name (buttons->pdata[i], "clicked");
        return;
      }
  g_error ("No button “%s”", label);
}

static gboolean
dialog_gone (Fixture *f, gconstpointer data)
{
  return tr_foh_view_get_dialog (f->view) == NULL;
}

static void
test_create_order (Fixture *f, gconstpointer data)
{
  TrOrderDialog *dialog;
  g_autoptr (GPtrArray) quantities = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  g_autoptr (GError) error = NULL;
  const TrTicket *ticket;
  const TrItem *item;
  gint64 head;
  g_autofree char *long_text = g_strnfill (TR_MAX_TEXT_BYTES + 1, 'x');

  show_view (f);
  dialog = open_dialog (f, "foh.new-order", NULL);
  g_assert_false (tr_order_dialog_is_amending (dialog));

  /* No items. */
  expect_refusal (f, dialog, "Add at least one item");

  /* Two taps on one dish make two; a second dish is its own line. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 0);
  g_assert_null (tr_order_dialog_get_message (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 0);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 3);
  quantities = tr_order_dialog_get_quantity_buttons (dialog);
  g_assert_cmpuint (quantities->len, ==, 2);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (quantities->pdata[0]), ==, 2);

  /* Quantity 0. */
  gtk_spin_button_set_value (quantities->pdata[1], 0);
  expect_refusal (f, dialog, "the quantity must be from 1 to 999");
  gtk_spin_button_set_value (quantities->pdata[1], 3);

  /* Text over the limit: the note, then an item's name. */
  gtk_editable_set_text (find_entry_row (GTK_WIDGET (dialog), "Note for the kitchen"), long_text);
  expect_refusal (f, dialog, "The note for the kitchen is too long");
  gtk_editable_set_text (find_entry_row (GTK_WIDGET (dialog), "Note for the kitchen"),
                         "Birthday: candle on the dessert");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-custom-item", NULL);
  expect_refusal (f, dialog, "Every item needs a name");
  {
    g_autoptr (GPtrArray) rows = g_ptr_array_new ();
    GtkEditable *name = NULL;

    tr_test_collect_widgets (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, rows);
    for (guint i = 0; i < rows->len; i++)
      if (g_str_has_prefix (adw_preferences_row_get_title (rows->pdata[i]), "_Name")
          && *gtk_editable_get_text (rows->pdata[i]) == '\0')
        name = rows->pdata[i];
    g_assert_nonnull (name);
    gtk_editable_set_text (name, long_text);
    expect_refusal (f, dialog, "is too long");
    gtk_editable_set_text (name, "Chef's special");
  }

  /* Table 12, rush, and send. */
  gtk_editable_set_text (find_entry_row (GTK_WIDGET (dialog), "Table"), "12");
  head = head_seq (f);
  g_object_ref (dialog);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.send", NULL);
  g_assert_null (tr_order_dialog_get_message (dialog));
  /* It closed itself. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_object_unref (dialog);
  wait_for (f, dialog_gone, NULL);
  g_assert_cmpint (head_seq (f), ==, head + 1);

  tickets = tr_store_list_tickets (tr_station_get_store (f->station), TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tickets->len, ==, 1);
  ticket = tickets->pdata[0];
  g_assert_cmpstr (ticket->table, ==, "12");
  g_assert_cmpstr (ticket->note, ==, "Birthday: candle on the dessert");
  g_assert_cmpint (ticket->source, ==, TR_SOURCE_APP);
  g_assert_cmpuint (ticket->items->len, ==, 3);
  item = ticket->items->pdata[0];
  g_assert_cmpstr (item->name, ==, "Classic Burger");
  g_assert_cmpint (item->quantity, ==, 2);
  g_assert_cmpstr (item->station, ==, "grill");
  g_assert_true (g_strv_contains ((const char *const *)item->allergens, "gluten"));
  item = ticket->items->pdata[1];
  g_assert_cmpstr (item->name, ==, "Fries");
  g_assert_cmpint (item->quantity, ==, 3);
  item = ticket->items->pdata[2];
  g_assert_cmpstr (item->name, ==, "Chef's special");
  g_assert_null (item->station);

  /* It is on the board at once. */
  g_assert_cmpint (tr_foh_view_find_ticket (f->view, ticket->id), ==, TR_FOH_SECTION_NEW);
}

static void
test_amend_and_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *id = submit_ticket (f, "4", TR_ORDER_TYPE_DINE_IN, "Steak");
  TrOrderDialog *dialog;
  g_autoptr (TrTicket) before = NULL;
  g_autoptr (TrTicket) after = NULL;
  GtkWindow *confirm;
  const char *void_target = NULL;
  gint64 head;

  show_view (f);
  before = stored (f, id);

  /* Nothing changed: refused, nothing sent. */
  dialog = open_dialog (f, "foh.amend", id);
  g_assert_true (tr_order_dialog_is_amending (dialog));
  expect_refusal (f, dialog, "Nothing has changed");

  /* Voiding the only item would leave an empty order. */
  {
    g_autoptr (GPtrArray) toggles = g_ptr_array_new ();

    tr_test_collect_widgets (GTK_WIDGET (dialog), GTK_TYPE_TOGGLE_BUTTON, toggles);
    for (guint i = 0; i < toggles->len; i++)
      if (g_strcmp0 (gtk_actionable_get_action_name (toggles->pdata[i]), "order.void-item") == 0)
        void_target
          = g_variant_get_string (gtk_actionable_get_action_target_value (toggles->pdata[i]), NULL);
    g_assert_nonnull (void_target);
  }
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.void-item", "s", void_target);
  expect_refusal (f, dialog, "cancel the order instead");

  /* Void it, add another dish, move the table. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 1);
  gtk_editable_set_text (find_entry_row (GTK_WIDGET (dialog), "Table"), "14");
  head = head_seq (f);
  g_assert_true (tr_order_dialog_send (dialog));
  wait_for (f, dialog_gone, NULL);
  g_assert_cmpint (head_seq (f), ==, head + 1);

  after = stored (f, id);
  g_assert_cmpstr (after->table, ==, "14");
  g_assert_cmpuint (after->items->len, ==, 2);
  g_assert_cmpint (((TrItem *)after->items->pdata[0])->status, ==, TR_ITEM_STATUS_VOIDED);
  g_assert_cmpstr (((TrItem *)after->items->pdata[1])->name, ==, "Grilled Chicken Sandwich");
  g_assert_cmpint (after->version, >, before->version);

  /* Cancel asks first; "Keep" keeps it. */
  gtk_widget_activate_action (GTK_WIDGET (f->view), "foh.cancel", "s", id);
  confirm = tr_foh_view_get_dialog (f->view);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (confirm));
  wait_for (f, is_mapped, confirm);
  head = head_seq (f);
  click_response (confirm, "_Keep Order");
  wait_for (f, dialog_gone, NULL);
  g_assert_cmpint (head_seq (f), ==, head);
  g_assert_cmpint (tr_foh_view_find_ticket (f->view, id), ==, TR_FOH_SECTION_NEW);

  gtk_widget_activate_action (GTK_WIDGET (f->view), "foh.cancel", "s", id);
  confirm = tr_foh_view_get_dialog (f->view);
  wait_for (f, is_mapped, confirm);
  click_response (confirm, "C_ancel Order");
  wait_for (f, dialog_gone, NULL);
  g_assert_cmpint (head_seq (f), ==, head + 1);
  g_clear_pointer (&after, tr_ticket_free);
  after = stored (f, id);
  g_assert_cmpint (after->status, ==, TR_TICKET_STATUS_CANCELLED);
  g_assert_cmpint (tr_foh_view_find_ticket (f->view, id), ==, -1);

  /* A cancelled order cannot be amended: a toast says so. */
  gtk_widget_activate_action (GTK_WIDGET (f->view), "foh.amend", "s", id);
  g_assert_null (tr_foh_view_get_dialog (f->view));
  g_assert_cmpstr (tr_foh_view_get_last_toast (f->view), ==,
                   "A served or cancelled order cannot be changed");
}

/* On a station that follows a host, a refused order does not reach the
 * outbox either. The host is unreachable, so whatever is sent waits
 * there. */
static void
test_refusal_leaves_outbox (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ticketrail-foh-client-XXXXXX", &error);
  g_autoptr (TrStation) station = NULL;
  GtkWindow *window;
  TrOrderDialog *dialog;
  g_autoptr (GPtrArray) quantities = NULL;
  TrStore *store;
  Fixture f = { 0 };

  g_assert_no_error (error);
  station = tr_station_new_client (dir, "http://127.0.0.1:9", "Till 1", "foh", &error);
  g_assert_no_error (error);
  store = tr_station_get_store (station);

  window = GTK_WINDOW (gtk_window_new ());
  dialog = tr_order_dialog_new (window, station, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  wait_for (&f, is_mapped, dialog);

  g_assert_false (tr_order_dialog_send (dialog));
  g_assert_cmpuint (tr_store_outbox_count (store), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 2);
  quantities = tr_order_dialog_get_quantity_buttons (dialog);
  gtk_spin_button_set_value (quantities->pdata[0], 0);
  g_assert_false (tr_order_dialog_send (dialog));
  g_assert_nonnull (strstr (tr_order_dialog_get_message (dialog), "quantity"));
  g_assert_cmpuint (tr_store_outbox_count (store), ==, 0);

  gtk_spin_button_set_value (quantities->pdata[0], 1);
  g_object_ref (dialog);
  g_assert_true (tr_order_dialog_send (dialog));
  g_assert_cmpuint (tr_store_outbox_count (store), ==, 1);
  g_object_unref (dialog);

  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  tr_station_shutdown (station);
  g_assert_finalize_object (g_steal_pointer (&station));
  tr_test_remove_tree (dir);
}

/* ---- Menu ---- */

static void
on_menu_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static gboolean
has_result (Fixture *f, gconstpointer data)
{
  return *(gconstpointer const *)data != NULL;
}

static void
test_menu (Fixture *f, gconstpointer data)
{
  TrStore *store = tr_station_get_store (f->station);
  g_autoptr (GPtrArray) menu = NULL;
  g_autoptr (GPtrArray) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *stored_json = NULL;
  g_autofree char *too_long = NULL;
  g_autofree char *doc = NULL;
  const char *const allergens[] = { "fish", NULL };
  GAsyncResult *saved = NULL;

  /* A new store has none: the starter menu stands in. */
  stored_json = tr_store_get_menu (store, &error);
  g_assert_no_error (error);
  g_assert_null (stored_json);
  menu = tr_menu_load (f->station, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (menu->len, >, 5);

  /* What the station reads is not the host's to write behind it. */
  g_assert_false (tr_store_set_menu (store, "[]", &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_STORE);
  g_clear_error (&error);

  /* Edited and saved through the station (the host's writer), it comes
   * back the same, from the file. */
  g_ptr_array_set_size (menu, 0);
  g_ptr_array_add (menu, tr_menu_item_new ("Fish Tacos", "grill", NULL, allergens));
  g_ptr_array_add (menu, tr_menu_item_new ("Lemonade", NULL, NULL, NULL));
  json = tr_menu_to_json (menu);
  tr_station_save_menu_async (f->station, json, NULL, on_menu_saved, &saved);
  g_clear_pointer (&json, g_free);
  wait_for (f, has_result, &saved);
  g_assert_true (tr_station_save_menu_finish (f->station, saved, &error));
  g_assert_no_error (error);
  g_clear_object (&saved);
  back = tr_menu_load (f->station, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  g_assert_cmpstr (((TrMenuItem *)back->pdata[0])->name, ==, "Fish Tacos");
  g_assert_cmpstr (((TrMenuItem *)back->pdata[0])->station, ==, "grill");
  g_assert_cmpstr (((TrMenuItem *)back->pdata[0])->allergens[0], ==, "fish");
  g_assert_null (((TrMenuItem *)back->pdata[1])->station);

  /* The dialog offers that menu. */
  show_view (f);
  {
    TrOrderDialog *dialog = open_dialog (f, "foh.new-order", NULL);
    g_autofree char *text = visible_text (GTK_WIDGET (dialog));

    g_assert_nonnull (strstr (text, "Fish Tacos"));
    g_assert_nonnull (strstr (text, "Lemonade"));
    g_assert_null (strstr (text, "Classic Burger"));
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  /* Documents that are not menus are refused with the path of the fault. */
  g_assert_null (tr_menu_parse ("{}", &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (tr_menu_parse ("[{\"name\":\"\"}]", &error));
  g_assert_nonnull (strstr (error->message, "menu[0].name"));
  g_clear_error (&error);
  g_assert_null (tr_menu_parse ("[{\"name\":\"A\",\"allergens\":[1]}]", &error));
  g_assert_nonnull (strstr (error->message, "menu[0].allergens[0]"));
  g_clear_error (&error);
  g_assert_null (tr_menu_parse ("[{\"name\":[\"A\"]}]", &error));
  g_clear_error (&error);
  too_long = g_strnfill (TR_MAX_TEXT_BYTES + 1, 'y');
  doc = g_strdup_printf ("[{\"name\":\"%s\"}]", too_long);
  g_assert_null (tr_menu_parse (doc, &error));
  g_assert_nonnull (strstr (error->message, "longer than"));
  g_clear_error (&error);
  g_assert_null (tr_menu_parse ("not json", &error));
  g_clear_error (&error);

  json = tr_menu_to_json (back);
  g_assert_nonnull (strstr (json, "\"Fish Tacos\""));
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/foh/announcement", test_announcement);
  g_test_add ("/foh/sections", Fixture, NULL, fixture_set_up, test_sections, fixture_tear_down);
  g_test_add ("/foh/rush-first", Fixture, NULL, fixture_set_up, test_rush_first, fixture_tear_down);
  g_test_add ("/foh/create-order", Fixture, NULL, fixture_set_up, test_create_order,
              fixture_tear_down);
  g_test_add ("/foh/amend-and-cancel", Fixture, NULL, fixture_set_up, test_amend_and_cancel,
              fixture_tear_down);
  g_test_add_func ("/foh/refusal-leaves-outbox", test_refusal_leaves_outbox);
  g_test_add ("/foh/menu", Fixture, NULL, fixture_set_up, test_menu, fixture_tear_down);

  return g_test_run ();
}
