/* tr-kitchen-view-actions.c: the kitchen view's input
 *
 * Each "kitchen." action (a tap, a bump-bar key, the shortcuts window or
 * a test) routes here: gesture → tr-kitchen-rules → op(s) →
 * tr_station_submit(). A refusal becomes a toast in the words of
 * tr_error_describe_refusal(). Also keeps what a cook did on this screen
 * across restarts, the acknowledgements, and follows the recall list,
 * which is not this screen's: it is derived from the tickets the host
 * replicates to every screen (tr-recall.h), so expo can recall what grill
 * bumped, and a recall made anywhere shows everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-kitchen-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-error.h"
#include "tr-kitchen-view-private.h"
#include "tr-reprint.h"

/* Rejections are reported by op id; remembering this many of our own
 * ops lets the toast name the ticket. */
#define MAX_REMEMBERED_OPS 256

/* ---- Ops ---- */

static void
acknowledge (TrKitchenView *self, const char *ticket_id);

static void
remember_op (TrKitchenView *self, const TrOp *op, int number)
{
  if (g_hash_table_size (self->op_numbers) >= MAX_REMEMBERED_OPS)
    g_hash_table_remove_all (self->op_numbers);
  g_hash_table_insert (self->op_numbers, g_strdup (op->op_id), GINT_TO_POINTER (number));
}

/* @why: tr_error_describe_refusal()'s words. */
static void
toast_refusal (TrKitchenView *self, int number, const char *why)
{
  g_autofree char *text = NULL;

  if (number > 0)
    /* Translators: a change to ticket #%d was refused; %s says why */
    text = g_strdup_printf (_ ("#%d not changed: %s"), number, why);
  else
    /* Translators: a change was refused; %s says why */
    text = g_strdup_printf (_ ("Change refused: %s"), why);
  _tr_kitchen_view_show_toast (self, text);
}

void
_tr_kitchen_view_on_op_rejected (TrKitchenView *self, const char *op_id, const char *code,
                                 const char *message)
{
  int number = GPOINTER_TO_INT (g_hash_table_lookup (self->op_numbers, op_id));

  /* The host's message is in the host's language: the toast says why
   * from the code, and the message goes to the log. */
  g_debug ("The host refused op %s: %s: %s", op_id, code, message ? message : "");
  toast_refusal (self, number, tr_error_describe_refusal (code, NULL));
}

/* Submits @op; a refusal becomes a toast. */
static gboolean
submit (TrKitchenView *self, TrOp *op, int number)
{
  g_autoptr (GError) error = NULL;

  remember_op (self, op, number);
  if (tr_station_submit (self->station, op, &error))
    return TRUE;

  toast_refusal (self, number, tr_error_describe_local_refusal (error));
  return FALSE;
}

/* Submits @ops in order, stopping at the first refused, each applying
 * on top of the one before. Returns how many applied. */
static guint
submit_all (TrKitchenView *self, GPtrArray *ops, int number)
{
  guint applied = 0;

  while (applied < ops->len && submit (self, g_ptr_array_index (ops, applied), number))
    applied++;
  return applied;
}

static const TrTicket *
lookup_ticket (TrKitchenView *self, const char *ticket_id)
{
  TrTicketObject *obj = tr_ticket_list_find (self->tickets, ticket_id, NULL);

  return obj ? tr_ticket_object_get_ticket (obj) : NULL;
}

/* ---- The recall list ---- */

/* The host's time, as near as this screen knows it: the window is over
 * the host's timestamps, so that a screen whose clock is off still
 * lists what the others list (the browser does the same). */
static gint64
recalls_now (TrKitchenView *self)
{
  TrClient *client = tr_station_get_client (self->station);

  return tr_clock_get_now (self->clock)
         + (client != NULL ? tr_client_get_host_clock_offset (client) : 0);
}

/* Moves the list's window to the host's time, and says so when the
 * list changed (or @changed says it did). */
static void
recalls_refresh (TrKitchenView *self, gboolean changed)
{
  if (tr_recall_list_set_now (self->recalls, recalls_now (self)))
    changed = TRUE;
  if (changed)
    _tr_kitchen_view_emit_recalls_changed (self);
}

/* Every change to a ticket, from the host or this screen's own op, may
 * change the list: read the ticket as the station now shows it. */
static void
on_ticket_changed_for_recalls (TrKitchenView *self, const char *ticket_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = tr_station_get_ticket (self->station, ticket_id, &error);
  gboolean changed;

  if (ticket != NULL)
    changed = tr_recall_list_update (self->recalls, ticket);
  else if (error == NULL)
    changed = tr_recall_list_remove (self->recalls, ticket_id);
  else
    {
      /* The next change reads it again. */
      g_debug ("Cannot read ticket %s for the recall list: %s", ticket_id, error->message);
      return;
    }
  recalls_refresh (self, changed);
}

static void
on_clock_tick_for_recalls (TrKitchenView *self)
{
  recalls_refresh (self, FALSE);
}

void
_tr_kitchen_view_follow_recalls (TrKitchenView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  gint64 now = recalls_now (self);

  /* Open tickets and those closed within the window: not the host's
   * whole history. */
  tickets = tr_station_list_recent_tickets (self->station, now - TR_RECALL_WINDOW_MS, &error);
  if (tickets == NULL)
    g_debug ("Cannot read the tickets for the recall list: %s", error->message);
  for (guint i = 0; tickets != NULL && i < tickets->len; i++)
    tr_recall_list_update (self->recalls, g_ptr_array_index (tickets, i));
  tr_recall_list_set_now (self->recalls, now);

  g_signal_connect_object (self->station, "ticket-changed",
                           G_CALLBACK (on_ticket_changed_for_recalls), self, G_CONNECT_SWAPPED);
  /* Bumps leave the list 30 minutes on, with no ticket changing. */
  g_signal_connect_object (self->clock, "tick", G_CALLBACK (on_clock_tick_for_recalls), self,
                           G_CONNECT_SWAPPED);
}

/* ---- Gestures ---- */

static void
dismiss (TrKitchenView *self, const char *ticket_id)
{
  guint position = self->selected_pos;
  gboolean was_selected = g_strcmp0 (ticket_id, self->selected_id) == 0;

  if (tr_ticket_list_dismiss (self->tickets, ticket_id) && was_selected)
    _tr_kitchen_view_select_position (self, position);
}

static void
bump (TrKitchenView *self, const char *ticket_id)
{
  const TrTicket *ticket = lookup_ticket (self, ticket_id);
  TrKitchenScreen screen = _tr_kitchen_view_get_screen (self);
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GError) error = NULL;
  TrBumpAction action;
  int number;

  if (ticket == NULL)
    return;

  ops = tr_kitchen_rules_bump (&screen, ticket, tr_station_get_station_id (self->station), &action,
                               &error);
  if (ops == NULL)
    {
      toast_refusal (self, ticket->number, tr_error_describe_local_refusal (error));
      return;
    }
  switch (action)
    {
      case TR_BUMP_DISMISS:
        dismiss (self, ticket_id);
        return;
      case TR_BUMP_ACKNOWLEDGE:
        acknowledge (self, ticket_id);
        return;
      case TR_BUMP_SUBMIT:
      default:
        break;
    }

  /* The ticket object goes away as soon as the first op applies. The
   * recall list follows from the ticket the ops changed. */
  number = ticket->number;
  submit_all (self, ops, number);
}

static void
recall (TrKitchenView *self, const char *ticket_id)
{
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (GError) error = NULL;
  const char *station_id = tr_station_get_station_id (self->station);
  TrKitchenScreen screen = _tr_kitchen_view_get_screen (self);
  g_autoptr (GPtrArray) ops = NULL;
  const TrRecall *entry = tr_recall_list_find (self->recalls, ticket_id);
  int number;

  if (entry == NULL)
    return;
  number = entry->number;

  /* A bumped ticket has left the board; the station still has it, as
   * it is now, whoever bumped it. */
  ticket = tr_station_get_ticket (self->station, ticket_id, &error);
  if (ticket == NULL)
    {
      toast_refusal (self, number,
                     error ? tr_error_describe_local_refusal (error)
                           : tr_error_describe_refusal ("unknown_ticket", NULL));
      return;
    }

  ops = tr_recall_build_ops (&screen, ticket, station_id, &error);
  if (ops == NULL)
    toast_refusal (self, number, tr_error_describe_local_refusal (error));
  else if (ops->len == 0)
    {
      /* Translators: recalling ticket #%d did nothing */
      g_autofree char *text = g_strdup_printf (_ ("#%d is already back on the line"), number);

      _tr_kitchen_view_show_toast (self, text);
    }
  else
    submit_all (self, ops, ticket->number);

  _tr_kitchen_view_select_id (self, ticket->id, TRUE);
}

static void
tap_item (TrKitchenView *self, const char *ticket_id, const char *item_id)
{
  const TrTicket *ticket = lookup_ticket (self, ticket_id);
  TrKitchenScreen screen = _tr_kitchen_view_get_screen (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOp) op = NULL;
  int number;

  if (ticket == NULL)
    return;

  number = ticket->number;
  op = tr_kitchen_rules_tap_item (&screen, ticket, item_id,
                                  tr_station_get_station_id (self->station), &error);
  _tr_kitchen_view_select_id (self, ticket_id, FALSE);
  if (op == NULL)
    toast_refusal (self, number, tr_error_describe_local_refusal (error));
  else
    submit (self, op, number);
}

/* ---- Acknowledgements ---- */

static void
save_acks (TrKitchenView *self)
{
  GVariantBuilder builder;
  GHashTableIter iter;
  gpointer key, value;

  if (self->settings == NULL)
    return;

  /* Only tickets still listed matter; the rest would only grow. */
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sx}"));
  g_hash_table_iter_init (&iter, self->acks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (tr_ticket_list_find (self->tickets, key, NULL) == NULL)
        g_hash_table_iter_remove (&iter);
      else
        g_variant_builder_add (&builder, "{sx}", key, *(gint64 *)value);
    }
  g_settings_set_value (self->settings, "acknowledged-changes", g_variant_builder_end (&builder));
}

void
_tr_kitchen_view_load_state (TrKitchenView *self)
{
  g_autoptr (GVariant) acks = NULL;
  GVariantIter iter;
  const char *id;
  gint64 at;

  if (self->settings == NULL)
    return;
  acks = g_settings_get_value (self->settings, "acknowledged-changes");
  g_variant_iter_init (&iter, acks);
  while (g_variant_iter_next (&iter, "{&sx}", &id, &at))
    {
      gint64 *copy = g_new (gint64, 1);

      *copy = at;
      g_hash_table_insert (self->acks, g_strdup (id), copy);
    }
}

static void
acknowledge (TrKitchenView *self, const char *ticket_id)
{
  const TrTicket *ticket = lookup_ticket (self, ticket_id);
  TrTicketCard *card;
  gint64 *at;

  if (ticket == NULL)
    return;

  at = g_new (gint64, 1);
  *at = tr_ticket_last_change_at (ticket);
  g_hash_table_insert (self->acks, g_strdup (ticket_id), at);
  save_acks (self);

  if ((card = g_hash_table_lookup (self->cards, ticket_id)) != NULL)
    tr_ticket_card_set_acknowledged (card, *at);
  /* A void that left nothing to cook was only shown for the news. */
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);
}

/* ---- Actions ---- */

static void
action_select (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  int n = g_variant_get_int32 (param);

  /* Bump bars number the cards on screen from 1; a key past the last
   * does nothing rather than jumping somewhere unexpected. */
  if (n >= 1 && (guint)n <= g_list_model_get_n_items (G_LIST_MODEL (self->page_model)))
    _tr_kitchen_view_select_position (self, self->page * self->page_size + (guint)n - 1);
}

static void
action_move (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  int columns = (int)_tr_kitchen_view_n_columns (self);

  if (g_str_equal (action_name, "kitchen.move-left"))
    _tr_kitchen_view_move_selection (self, -1);
  else if (g_str_equal (action_name, "kitchen.move-right"))
    _tr_kitchen_view_move_selection (self, 1);
  else if (g_str_equal (action_name, "kitchen.move-up"))
    _tr_kitchen_view_move_selection (self, -columns);
  else if (g_str_equal (action_name, "kitchen.move-down"))
    _tr_kitchen_view_move_selection (self, columns);
  else if (g_str_equal (action_name, "kitchen.page-up"))
    _tr_kitchen_view_move_selection (self, -(int)self->page_size);
  else if (g_str_equal (action_name, "kitchen.page-down"))
    _tr_kitchen_view_move_selection (self, (int)self->page_size);
  else if (g_str_equal (action_name, "kitchen.first"))
    _tr_kitchen_view_select_position (self, 0);
  else if (g_str_equal (action_name, "kitchen.last"))
    _tr_kitchen_view_select_position (self, G_MAXUINT);
}

static void
action_turn_page (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  guint page = self->page;

  if (g_str_equal (action_name, "kitchen.next-page"))
    page++;
  else if (page > 0)
    page--;
  /* Turning the page by touch selects its first card, as the keys do. */
  _tr_kitchen_view_select_position (self, MIN (page, _tr_kitchen_view_n_pages (self) - 1)
                                            * self->page_size);
}

static void
action_bump_selected (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  g_autofree char *id = g_strdup (self->selected_id);
  guint position = self->selected_pos;

  if (id == NULL)
    {
      _tr_kitchen_view_show_toast (self, _ ("Select a ticket first: press its number, 1 to 9"));
      return;
    }
  bump (self, id);
  /* The next ticket moves up into the bumped one's place; keep the
   * selection there so a cook can bump down the rail. */
  if (!_tr_kitchen_view_find_position (self, id, &position))
    _tr_kitchen_view_select_position (self, position);
}

static void
action_bump (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  g_autofree char *id = g_variant_dup_string (param, NULL);
  guint position = self->selected_pos;
  gboolean was_selected = g_strcmp0 (id, self->selected_id) == 0;

  bump (self, id);
  if (was_selected && !_tr_kitchen_view_find_position (self, id, &position))
    _tr_kitchen_view_select_position (self, position);
}

static void
action_dismiss (GtkWidget *widget, const char *action_name, GVariant *param)
{
  dismiss (TR_KITCHEN_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_tap_item (GtkWidget *widget, const char *action_name, GVariant *param)
{
  const char *ticket_id, *item_id;

  g_variant_get (param, "(&s&s)", &ticket_id, &item_id);
  tap_item (TR_KITCHEN_VIEW (widget), ticket_id, item_id);
}

static void
action_acknowledge (GtkWidget *widget, const char *action_name, GVariant *param)
{
  acknowledge (TR_KITCHEN_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_acknowledge_selected (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  g_autofree char *id = g_strdup (self->selected_id);

  if (id != NULL)
    acknowledge (self, id);
}

static void
action_recall (GtkWidget *widget, const char *action_name, GVariant *param)
{
  recall (TR_KITCHEN_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_recall_last (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  g_autofree char *id = NULL;

  if (tr_recall_list_get_n_recalls (self->recalls) == 0)
    {
      _tr_kitchen_view_show_toast (self, _ ("Nothing to recall"));
      return;
    }
  id = g_strdup (tr_recall_list_get (self->recalls, 0)->ticket_id);
  recall (self, id);
}

/* ---- Reprint ---- */

static void
show_toast (GtkWidget *widget, const char *text)
{
  _tr_kitchen_view_show_toast (TR_KITCHEN_VIEW (widget), text);
}

/* The host prints it again, marked REPRINT, on the printers that serve
 * the ticket's stations. */
static void
reprint (TrKitchenView *self, const char *ticket_id)
{
  tr_reprint_ticket (self->station, ticket_id, GTK_WIDGET (self), show_toast);
}

static void
action_reprint (GtkWidget *widget, const char *action_name, GVariant *param)
{
  reprint (TR_KITCHEN_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_reprint_selected (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  g_autofree char *id = g_strdup (self->selected_id);

  if (id == NULL)
    {
      _tr_kitchen_view_show_toast (self, _ ("Select a ticket first: press its number, 1 to 9"));
      return;
    }
  reprint (self, id);
}

/* Issue 13: Reprint only where a printer can print it. The actions go
 * off with the buttons, so P does nothing rather than say "No printer
 * prints" (and the button of a card would only grey out). */
static void
update_can_reprint (TrKitchenView *self)
{
  gboolean can = tr_station_get_can_reprint (self->station);
  GHashTableIter iter;
  gpointer card;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "kitchen.reprint", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "kitchen.reprint-selected", can);
  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &card))
    tr_ticket_card_set_can_reprint (card, can);
}

void
_tr_kitchen_view_follow_can_reprint (TrKitchenView *self)
{
  g_signal_connect_object (self->station, "notify::can-reprint", G_CALLBACK (update_can_reprint),
                           self, G_CONNECT_SWAPPED);
  update_can_reprint (self);
}

/* ---- Keys ---- */

static void
add_key (GtkWidgetClass *widget_class, guint keyval, GdkModifierType mods, const char *action,
         const char *format, ...)
{
  GtkShortcutTrigger *trigger = gtk_keyval_trigger_new (keyval, mods);
  GtkShortcutAction *shortcut_action = gtk_named_action_new (action);
  GtkShortcut *shortcut = gtk_shortcut_new (trigger, shortcut_action);
  va_list args;

  if (format != NULL)
    {
      va_start (args, format);
      gtk_shortcut_set_arguments (shortcut, g_variant_new_va (format, NULL, &args));
      va_end (args);
    }
  gtk_widget_class_add_shortcut (widget_class, shortcut);
  g_object_unref (shortcut);
}

void
_tr_kitchen_view_class_actions_init (GtkWidgetClass *widget_class)
{
  const char *const moves[]
    = { "kitchen.move-left", "kitchen.move-right", "kitchen.move-up", "kitchen.move-down",
        "kitchen.page-up",   "kitchen.page-down",  "kitchen.first",   "kitchen.last" };
  const guint move_keys[][2]
    = { { GDK_KEY_Left, GDK_KEY_KP_Left },       { GDK_KEY_Right, GDK_KEY_KP_Right },
        { GDK_KEY_Up, GDK_KEY_KP_Up },           { GDK_KEY_Down, GDK_KEY_KP_Down },
        { GDK_KEY_Page_Up, GDK_KEY_KP_Page_Up }, { GDK_KEY_Page_Down, GDK_KEY_KP_Page_Down },
        { GDK_KEY_Home, GDK_KEY_KP_Home },       { GDK_KEY_End, GDK_KEY_KP_End } };

  gtk_widget_class_install_action (widget_class, "kitchen.select", "i", action_select);
  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    gtk_widget_class_install_action (widget_class, moves[i], NULL, action_move);
  gtk_widget_class_install_action (widget_class, "kitchen.previous-page", NULL, action_turn_page);
  gtk_widget_class_install_action (widget_class, "kitchen.next-page", NULL, action_turn_page);
  gtk_widget_class_install_action (widget_class, "kitchen.bump-selected", NULL,
                                   action_bump_selected);
  gtk_widget_class_install_action (widget_class, "kitchen.bump", "s", action_bump);
  gtk_widget_class_install_action (widget_class, "kitchen.dismiss", "s", action_dismiss);
  gtk_widget_class_install_action (widget_class, "kitchen.tap-item", "(ss)", action_tap_item);
  gtk_widget_class_install_action (widget_class, "kitchen.acknowledge", "s", action_acknowledge);
  gtk_widget_class_install_action (widget_class, "kitchen.acknowledge-selected", NULL,
                                   action_acknowledge_selected);
  gtk_widget_class_install_action (widget_class, "kitchen.recall", "s", action_recall);
  gtk_widget_class_install_action (widget_class, "kitchen.recall-last", NULL, action_recall_last);
  /* Undoing a bump is recalling it; both keys are on bump bars. */
  gtk_widget_class_install_action (widget_class, "kitchen.undo-bump", NULL, action_recall_last);
  gtk_widget_class_install_property_action (widget_class, "kitchen.all-day", "all-day-visible");
  gtk_widget_class_install_action (widget_class, "kitchen.reprint", "s", action_reprint);
  gtk_widget_class_install_action (widget_class, "kitchen.reprint-selected", NULL,
                                   action_reprint_selected);

  for (guint n = 1; n <= 9; n++)
    {
      add_key (widget_class, GDK_KEY_0 + n, 0, "kitchen.select", "i", (gint32)n);
      add_key (widget_class, GDK_KEY_KP_0 + n, 0, "kitchen.select", "i", (gint32)n);
    }
  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      add_key (widget_class, move_keys[i][0], 0, moves[i], NULL);
      add_key (widget_class, move_keys[i][1], 0, moves[i], NULL);
    }
  add_key (widget_class, GDK_KEY_Return, 0, "kitchen.bump-selected", NULL);
  add_key (widget_class, GDK_KEY_KP_Enter, 0, "kitchen.bump-selected", NULL);
  add_key (widget_class, GDK_KEY_ISO_Enter, 0, "kitchen.bump-selected", NULL);
  add_key (widget_class, GDK_KEY_r, 0, "kitchen.recall-last", NULL);
  add_key (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "kitchen.undo-bump", NULL);
  add_key (widget_class, GDK_KEY_a, 0, "kitchen.acknowledge-selected", NULL);
  add_key (widget_class, GDK_KEY_p, 0, "kitchen.reprint-selected", NULL);
}
