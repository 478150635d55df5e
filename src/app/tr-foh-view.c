/* tr-foh-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-foh-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-error.h"
#include "tr-foh-view.h"
#include "tr-order-dialog.h"
#include "tr-ticket-object.h"

struct _TrFohView
{
  GtkWidget parent_instance;

  TrStation *station;
  TrClock *clock;
  TrSoundPlayer *sound_player;
  gulong changed_handler;

  /* TrTicketObject per section, in display order. */
  GListStore *sections[TR_FOH_N_SECTIONS];
  /* What the lists show: the sections as they were when the board was
   * last on screen (see sync_shown()). */
  GListStore *shown[TR_FOH_N_SECTIONS];
  gboolean shown_stale;
  GtkListBox *lists[TR_FOH_N_SECTIONS];
  GtkLabel *counts[TR_FOH_N_SECTIONS];
  /* ticket id → section + 1, for the ones listed. */
  GHashTable *listed;
  char *last_toast;
  GtkWindow *dialog;
  /* Which notification services are on the bus (a bit each): sending
   * a notification where nothing listens only fills the log. */
  guint notify_watches[3];
  guint notifiers;

  AdwToastOverlay *toast_overlay;
  GtkWidget *columns;
  GtkLabel *summary_label;
};

G_DEFINE_FINAL_TYPE (TrFohView, tr_foh_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_CLOCK,
  PROP_SOUND_PLAYER,
  N_PROPS
};

enum
{
  TICKET_READY,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *const section_names[] = { "new", "preparing", "ready", "served" };

/* ---- Helpers ---- */

static const char *
section_title (TrFohSection section)
{
  switch (section)
    {
      case TR_FOH_SECTION_NEW:
        return C_ ("front of house section", "New");
      case TR_FOH_SECTION_PREPARING:
        return C_ ("front of house section", "Preparing");
      case TR_FOH_SECTION_READY:
        return C_ ("front of house section", "Ready");
      case TR_FOH_SECTION_SERVED:
        return C_ ("front of house section", "Served");
      case TR_FOH_N_SECTIONS:
      default:
        g_assert_not_reached ();
    }
}

static gint64
now_ms (TrFohView *self)
{
  return tr_clock_get_now (self->clock);
}

/* Where @ticket belongs on the board, or -1 when nowhere. */
static int
section_of (TrFohView *self, const TrTicket *ticket)
{
  switch (ticket->status)
    {
      case TR_TICKET_STATUS_NEW:
        return TR_FOH_SECTION_NEW;
      case TR_TICKET_STATUS_PREPARING:
        return TR_FOH_SECTION_PREPARING;
      case TR_TICKET_STATUS_READY:
        return TR_FOH_SECTION_READY;
      case TR_TICKET_STATUS_SERVED:
        /* A served ticket's last change is its serving. */
        return now_ms (self) - ticket->updated_at <= TR_FOH_SERVED_WINDOW_MS ? TR_FOH_SECTION_SERVED
                                                                             : -1;
      case TR_TICKET_STATUS_CANCELLED:
      case TR_TICKET_N_STATUSES:
      default:
        return -1;
    }
}

/* Oldest first in the kitchen's sections; the served one shows the
 * latest on top, as that is what a server looks for. */
static int
compare_oldest_first (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const TrTicket *ta = tr_ticket_object_get_ticket ((TrTicketObject *)a);
  const TrTicket *tb = tr_ticket_object_get_ticket ((TrTicketObject *)b);

  if (ta->created_at != tb->created_at)
    return ta->created_at < tb->created_at ? -1 : 1;
  if (ta->number != tb->number)
    return ta->number < tb->number ? -1 : 1;
  return g_strcmp0 (ta->id, tb->id);
}

static int
compare_latest_first (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const TrTicket *ta = tr_ticket_object_get_ticket ((TrTicketObject *)a);
  const TrTicket *tb = tr_ticket_object_get_ticket ((TrTicketObject *)b);

  if (ta->updated_at != tb->updated_at)
    return ta->updated_at > tb->updated_at ? -1 : 1;
  return g_strcmp0 (ta->id, tb->id);
}

static gboolean
find_in_section (TrFohView *self, TrFohSection section, const char *ticket_id, guint *position)
{
  GListModel *model = G_LIST_MODEL (self->sections[section]);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TrTicketObject) obj = g_list_model_get_item (model, i);

      if (g_strcmp0 (tr_ticket_object_get_id (obj), ticket_id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

char *
tr_foh_dup_ready_announcement (const TrTicket *ticket)
{
  g_return_val_if_fail (ticket != NULL, NULL);

  if (ticket->order_type == TR_ORDER_TYPE_DINE_IN && ticket->table != NULL
      && *ticket->table != '\0')
    /* Translators: announced when a dine-in order is ready, e.g. "Table 12 is ready" */
    return g_strdup_printf (_ ("Table %s is ready"), ticket->table);
  if (ticket->number > 0)
    /* Translators: announced when an order is ready, e.g. "Order #1042 is ready" */
    return g_strdup_printf (_ ("Order #%d is ready"), ticket->number);
  return g_strdup (_ ("An order is ready"));
}

static void
show_toast (TrFohView *self, const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
}

/* ---- Counts ---- */

static void
update_counts (TrFohView *self)
{
  guint n[TR_FOH_N_SECTIONS];
  g_autofree char *kitchen = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *summary = NULL;

  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      g_autofree char *text = NULL;

      n[s] = g_list_model_get_n_items (G_LIST_MODEL (self->sections[s]));
      text = g_strdup_printf ("%u", n[s]);
      gtk_label_set_text (self->counts[s], text);
    }

  ready = g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE, "%u order ready", "%u orders ready", n[TR_FOH_SECTION_READY]),
    n[TR_FOH_SECTION_READY]);
  kitchen = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u in the kitchen", "%u in the kitchen",
                                          n[TR_FOH_SECTION_NEW] + n[TR_FOH_SECTION_PREPARING]),
                             n[TR_FOH_SECTION_NEW] + n[TR_FOH_SECTION_PREPARING]);
  /* Translators: the front-of-house summary, e.g. "2 orders ready · 5 in the kitchen" */
  summary = g_strdup_printf (_ ("%s · %s"), ready, kitchen);
  gtk_label_set_text (self->summary_label, summary);
}

/* ---- Rows ---- */

static char *
format_minutes (gint64 ms)
{
  gint64 minutes = MAX (0, ms) / 60000;

  if (minutes < 1)
    return g_strdup (_ ("just now"));
  if (minutes < 60)
    /* Translators: a short duration in minutes */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u min", "%u min", (gulong)minutes),
                            (guint)minutes);
  /* Translators: a duration in hours and minutes, e.g. "1 h 05" */
  return g_strdup_printf (_ ("%u h %02u"), (guint)(minutes / 60), (guint)(minutes % 60));
}

static void
update_time_label (TrFohView *self, GtkLabel *label)
{
  TrTicketObject *obj = g_object_get_data (G_OBJECT (label), "ticket");
  const TrTicket *ticket = tr_ticket_object_get_ticket (obj);
  gint64 now = now_ms (self);
  g_autofree char *span = NULL;
  g_autofree char *text = NULL;

  switch (ticket->status)
    {
      case TR_TICKET_STATUS_READY:
        span = format_minutes (now - ticket->updated_at);
        /* Translators: how long a ready order has waited at the pass */
        text = g_strdup_printf (_ ("Waiting %s"), span);
        break;
      case TR_TICKET_STATUS_SERVED:
        if (now - ticket->updated_at < 60000)
          text = g_strdup (_ ("Served just now"));
        else
          {
            span = format_minutes (now - ticket->updated_at);
            /* Translators: when an order was served, e.g. "Served 5 min ago" */
            text = g_strdup_printf (_ ("Served %s ago"), span);
          }
        break;
      case TR_TICKET_STATUS_NEW:
      case TR_TICKET_STATUS_PREPARING:
      case TR_TICKET_STATUS_CANCELLED:
      case TR_TICKET_N_STATUSES:
      default:
        text = format_minutes (now - ticket->created_at);
        break;
    }
  gtk_label_set_text (label, text);
}

static GtkWidget *
action_button (const char *label, const char *icon, const char *action, const char *ticket_id,
               const char *style, const char *tooltip)
{
  GtkWidget *button = gtk_button_new ();

  if (label != NULL)
    {
      GtkWidget *content = adw_button_content_new ();

      adw_button_content_set_label (ADW_BUTTON_CONTENT (content), label);
      adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
      adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon);
      gtk_button_set_child (GTK_BUTTON (button), content);
    }
  else
    gtk_button_set_icon_name (GTK_BUTTON (button), icon);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", ticket_id);
  gtk_widget_add_css_class (button, "foh-action");
  if (style != NULL)
    gtk_widget_add_css_class (button, style);
  if (tooltip != NULL)
    gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

static GtkWidget *
create_row (gpointer item, gpointer user_data)
{
  TrFohView *self = user_data;
  TrTicketObject *obj = item;
  const TrTicket *ticket = tr_ticket_object_get_ticket (obj);
  const char *id = tr_ticket_object_get_id (obj);
  g_autofree char *title = tr_ticket_object_dup_title (obj);
  g_autofree char *destination = tr_ticket_object_dup_destination (obj);
  g_autofree char *summary = tr_ticket_object_dup_summary (obj);
  g_autofree char *accessible = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label;
  GtkWidget *actions;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (box, "foh-ticket");
  gtk_widget_add_css_class (
    row, section_names[ticket->status <= TR_TICKET_STATUS_SERVED ? ticket->status
                                                                 : TR_TICKET_STATUS_SERVED]);
  g_object_set_data_full (G_OBJECT (row), "ticket-id", g_strdup (id), g_free);

  label = gtk_label_new (title);
  gtk_widget_add_css_class (label, "foh-number");
  gtk_box_append (GTK_BOX (top), label);
  label = gtk_label_new (destination);
  gtk_widget_add_css_class (label, "foh-destination");
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  /* Long texts wrap or shorten rather than widen the column: four
   * columns must fit a 1280-pixel screen. */
  gtk_label_set_max_width_chars (GTK_LABEL (label), 12);
  gtk_box_append (GTK_BOX (top), label);
  label = gtk_label_new (NULL);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "foh-time");
  gtk_widget_add_css_class (label, "numeric");
  g_object_set_data_full (G_OBJECT (label), "ticket", g_object_ref (obj), g_object_unref);
  g_object_set_data (G_OBJECT (row), "time-label", label);
  update_time_label (self, GTK_LABEL (label));
  gtk_box_append (GTK_BOX (top), label);
  gtk_box_append (GTK_BOX (box), top);

  if (ticket->priority == TR_PRIORITY_RUSH)
    {
      GtkWidget *badge = gtk_label_new (_ ("RUSH"));

      gtk_widget_add_css_class (badge, "rush-badge");
      gtk_widget_set_halign (badge, GTK_ALIGN_START);
      gtk_box_append (GTK_BOX (box), badge);
    }

  label = gtk_label_new (summary);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "foh-items");
  gtk_box_append (GTK_BOX (box), label);

  if (ticket->note != NULL && *ticket->note != '\0')
    {
      label = gtk_label_new (ticket->note);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "foh-note");
      gtk_box_append (GTK_BOX (box), label);
    }

  actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (actions, "foh-actions");
  switch (ticket->status)
    {
      case TR_TICKET_STATUS_READY:
        {
          GtkWidget *serve = action_button (_ ("Mark _Served"), "object-select-symbolic",
                                            "foh.mark-served", id, "suggested-action", NULL);

          gtk_widget_set_hexpand (serve, TRUE);
          gtk_box_append (GTK_BOX (actions), serve);
          gtk_box_append (GTK_BOX (actions),
                          action_button (NULL, "document-edit-symbolic", "foh.amend", id, NULL,
                                         _ ("Amend Order")));
          gtk_box_append (GTK_BOX (actions),
                          action_button (NULL, "edit-delete-symbolic", "foh.cancel", id,
                                         "destructive-action", _ ("Cancel Order")));
        }
        break;
      case TR_TICKET_STATUS_NEW:
      case TR_TICKET_STATUS_PREPARING:
        {
          GtkWidget *amend
            = action_button (_ ("_Amend"), "document-edit-symbolic", "foh.amend", id, NULL,
                             _ ("Add or void items, change the note "
                                "or table"));

          gtk_widget_set_hexpand (amend, TRUE);
          gtk_box_append (GTK_BOX (actions), amend);
          gtk_box_append (GTK_BOX (actions),
                          action_button (_ ("_Cancel"), "edit-delete-symbolic", "foh.cancel", id,
                                         "destructive-action", _ ("Cancel Order")));
        }
        break;
      case TR_TICKET_STATUS_SERVED:
      case TR_TICKET_STATUS_CANCELLED:
      case TR_TICKET_N_STATUSES:
      default:
        break;
    }
  if (gtk_widget_get_first_child (actions) != NULL)
    gtk_box_append (GTK_BOX (box), actions);
  else
    g_object_ref_sink (actions), g_object_unref (actions);

  /* Translators: what a screen reader says for an order, e.g. "#1042, Table 12, Ready: 2 × Naan" */
  accessible = g_strdup_printf (_ ("%s, %s, %s: %s"), title, destination,
                                tr_ticket_object_get_status_label (obj), summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

/* ---- Following the store ---- */

static void
announce_ready (TrFohView *self, const TrTicket *ticket)
{
  g_autofree char *text = tr_foh_dup_ready_announcement (ticket);
  GApplication *app = g_application_get_default ();

  show_toast (self, text);
  tr_sound_player_play (self->sound_player, TR_SOUND_CHANGED_TICKET);

  if (self->notifiers > 0 && app != NULL && g_application_get_is_registered (app))
    {
      g_autoptr (GNotification) notification = g_notification_new (text);
      g_autoptr (TrTicketObject) obj = tr_ticket_object_new (ticket);
      g_autofree char *body = tr_ticket_object_dup_summary (obj);
      g_autofree char *id = g_strconcat ("ticket-ready-", ticket->id, NULL);

      g_notification_set_body (notification, body);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      g_application_send_notification (app, id, notification);
    }

  g_signal_emit (self, signals[TICKET_READY], 0, ticket->id, text);
}

static void
place_ticket (TrFohView *self, const char *ticket_id, const TrTicket *ticket, gboolean announce)
{
  int was = GPOINTER_TO_INT (g_hash_table_lookup (self->listed, ticket_id)) - 1;
  int now = ticket ? section_of (self, ticket) : -1;
  guint position;

  if (was >= 0 && find_in_section (self, was, ticket_id, &position))
    g_list_store_remove (self->sections[was], position);

  if (now >= 0)
    {
      g_autoptr (TrTicketObject) obj = tr_ticket_object_new (ticket);

      g_list_store_insert_sorted (
        self->sections[now], obj,
        now == TR_FOH_SECTION_SERVED ? compare_latest_first : compare_oldest_first, NULL);
      g_hash_table_insert (self->listed, g_strdup (ticket_id), GINT_TO_POINTER (now + 1));
    }
  else
    g_hash_table_remove (self->listed, ticket_id);

  if (announce && now == TR_FOH_SECTION_READY && was != TR_FOH_SECTION_READY)
    announce_ready (self, ticket);
}

static void
on_ticket_changed (TrFohView *self, const char *ticket_id, TrStation *station)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = tr_station_get_ticket (station, ticket_id, &error);

  if (error != NULL)
    {
      /* The board keeps what it showed rather than going blank. */
      g_warning ("Cannot read ticket %s: %s", ticket_id, error->message);
      return;
    }
  place_ticket (self, ticket_id, ticket, TRUE);
  update_counts (self);
}

static void
load_tickets (TrFohView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = tr_station_list_tickets (self->station, FALSE, &error);

  if (tickets == NULL)
    {
      g_warning ("Cannot list tickets: %s", error->message);
      return;
    }
  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (tickets, i);

      place_ticket (self, ticket->id, ticket, FALSE);
    }
  update_counts (self);
}

/* The host's message is in the host's language: the toast says why from
 * the code, and the message goes to the log. */
static void
on_op_rejected (TrFohView *self, const char *op_id, const char *code, const char *message)
{
  g_autofree char *text = NULL;

  g_debug ("The host refused op %s: %s: %s", op_id, code, message ? message : "");
  text = g_strdup_printf (
    /* Translators: the host refused a change made on this screen; %s says
     * why, e.g. "someone else changed it first" */
    _ ("The host refused a change: %s"), tr_error_describe_refusal (code, NULL));
  show_toast (self, text);
}

static void
on_tick (TrFohView *self)
{
  GListModel *served = G_LIST_MODEL (self->sections[TR_FOH_SECTION_SERVED]);
  gboolean pruned = FALSE;

  /* Served orders leave the board once their half hour is up; the list
   * is newest first, so the expired ones are at the end. */
  for (guint i = g_list_model_get_n_items (served); i > 0; i--)
    {
      g_autoptr (TrTicketObject) obj = g_list_model_get_item (served, i - 1);

      if (section_of (self, tr_ticket_object_get_ticket (obj)) == TR_FOH_SECTION_SERVED)
        break;
      g_hash_table_remove (self->listed, tr_ticket_object_get_id (obj));
      g_list_store_remove (self->sections[TR_FOH_SECTION_SERVED], i - 1);
      pruned = TRUE;
    }
  if (pruned)
    update_counts (self);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->lists[s])); row != NULL;
         row = gtk_widget_get_next_sibling (row))
      {
        GtkLabel *label = g_object_get_data (G_OBJECT (row), "time-label");

        if (label != NULL)
          update_time_label (self, label);
      }
}

/* ---- Actions ---- */

/* Submits @op to mark the order @title served, or, with @title NULL, to
 * cancel it; a refusal becomes a toast. */
static void
submit (TrFohView *self, TrOp *op, const char *title)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tr_station_submit (self->station, op, &error))
    return;
  if (title != NULL)
    /* Translators: the first %s is an order, e.g. "Table 12" or "#1042";
     * the second says why, e.g. "Cannot mark Table 12 served: it is
     * already closed" */
    text = g_strdup_printf (_ ("Cannot mark %s served: %s"), title,
                            tr_error_describe_local_refusal (error));
  else
    /* Translators: %s says why, e.g. "someone else changed it first" */
    text = g_strdup_printf (_ ("Cannot cancel the order: %s"),
                            tr_error_describe_local_refusal (error));
  show_toast (self, text);
}

static TrTicket *
lookup_ticket (TrFohView *self, const char *ticket_id)
{
  g_autoptr (GError) error = NULL;
  TrTicket *ticket = tr_station_get_ticket (self->station, ticket_id, &error);

  if (ticket == NULL)
    show_toast (self, error ? error->message : _ ("That order is no longer there"));
  return ticket;
}

static void
forget_dialog (gpointer data, GObject *where_the_object_was)
{
  TrFohView *self = data;

  if ((GObject *)self->dialog == where_the_object_was)
    self->dialog = NULL;
}

static void
track_dialog (TrFohView *self, GtkWindow *dialog)
{
  if (self->dialog != NULL)
    g_object_weak_unref (G_OBJECT (self->dialog), forget_dialog, self);
  self->dialog = dialog;
  g_object_weak_ref (G_OBJECT (dialog), forget_dialog, self);
}

static void
open_order_dialog (TrFohView *self, const TrTicket *ticket)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  TrOrderDialog *dialog;

  dialog
    = tr_order_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->station, ticket);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_new_order (GtkWidget *widget, const char *action_name, GVariant *param)
{
  open_order_dialog (TR_FOH_VIEW (widget), NULL);
}

static void
action_amend (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrFohView *self = TR_FOH_VIEW (widget);
  g_autoptr (TrTicket) ticket = lookup_ticket (self, g_variant_get_string (param, NULL));

  if (ticket == NULL)
    return;
  if (!tr_ticket_is_open (ticket))
    {
      show_toast (self, _ ("A served or cancelled order cannot be changed"));
      return;
    }
  open_order_dialog (self, ticket);
}

static void
mark_served (TrFohView *self, const char *ticket_id)
{
  g_autoptr (TrTicket) ticket = lookup_ticket (self, ticket_id);
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrTicketObject) obj = NULL;
  g_autofree char *title = NULL;

  if (ticket == NULL)
    return;
  obj = tr_ticket_object_new (ticket);
  title = tr_ticket_object_dup_title (obj);
  op = tr_op_new_set_ticket_status (tr_station_get_station_id (self->station), ticket_id,
                                    TR_TICKET_STATUS_SERVED);
  submit (self, op, title);
}

static void
action_mark_served (GtkWidget *widget, const char *action_name, GVariant *param)
{
  mark_served (TR_FOH_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_serve_next (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrFohView *self = TR_FOH_VIEW (widget);
  g_autoptr (TrTicketObject) obj
    = g_list_model_get_item (G_LIST_MODEL (self->sections[TR_FOH_SECTION_READY]), 0);

  if (obj == NULL)
    {
      show_toast (self, _ ("No order is ready"));
      return;
    }
  mark_served (self, tr_ticket_object_get_id (obj));
}

static void
on_cancel_response (AdwMessageDialog *dialog, const char *response, TrFohView *self)
{
  const char *ticket_id = g_object_get_data (G_OBJECT (dialog), "ticket-id");
  g_autoptr (TrOp) op = NULL;

  if (g_strcmp0 (response, "cancel-order") != 0)
    return;
  op = tr_op_new_set_ticket_status (tr_station_get_station_id (self->station), ticket_id,
                                    TR_TICKET_STATUS_CANCELLED);
  submit (self, op, NULL);
}

static void
action_cancel (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrFohView *self = TR_FOH_VIEW (widget);
  const char *ticket_id = g_variant_get_string (param, NULL);
  g_autoptr (TrTicket) ticket = lookup_ticket (self, ticket_id);
  g_autoptr (TrTicketObject) obj = NULL;
  g_autofree char *title = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (ticket == NULL)
    return;
  if (!tr_ticket_is_open (ticket))
    {
      show_toast (self, _ ("A served or cancelled order cannot be cancelled"));
      return;
    }
  obj = tr_ticket_object_new (ticket);
  title = tr_ticket_object_dup_title (obj);
  destination = tr_ticket_object_dup_destination (obj);
  /* Translators: e.g. "Cancel Order #1042?" */
  heading = g_strdup_printf (_ ("Cancel Order %s?"), title);
  /* Translators: e.g. "Table 12: the kitchen stops work on it and it leaves every screen." */
  body = g_strdup_printf (_ ("%s: the kitchen stops work on it and it leaves every screen. "
                             "This cannot be undone."),
                          destination);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _ ("_Keep Order"),
                                    "cancel-order", _ ("C_ancel Order"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-order",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data_full (G_OBJECT (dialog), "ticket-id", g_strdup (ticket_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response), self, 0);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Notifications ---- */

static const char *const notifier_names[]
  = { "org.freedesktop.Notifications", "org.gtk.Notifications", "org.freedesktop.portal.Desktop" };

static void
set_notifier (TrFohView *self, const char *name, gboolean present)
{
  for (guint i = 0; i < G_N_ELEMENTS (notifier_names); i++)
    if (g_strcmp0 (name, notifier_names[i]) == 0)
      {
        if (present)
          self->notifiers |= 1u << i;
        else
          self->notifiers &= ~(1u << i);
      }
}

static void
on_notifier_appeared (GDBusConnection *connection, const char *name, const char *owner,
                      gpointer user_data)
{
  set_notifier (TR_FOH_VIEW (user_data), name, TRUE);
}

static void
on_notifier_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  set_notifier (TR_FOH_VIEW (user_data), name, FALSE);
}

static void
watch_notifiers (TrFohView *self)
{
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app ? g_application_get_dbus_connection (app) : NULL;

  if (bus == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (notifier_names); i++)
    self->notify_watches[i]
      = g_bus_watch_name_on_connection (bus, notifier_names[i], G_BUS_NAME_WATCHER_FLAGS_NONE,
                                        on_notifier_appeared, on_notifier_vanished, self, NULL);
}

/* ---- Columns ---- */

/* Four columns side by side when they fit, each at least
 * COLUMN_MIN_WIDTH; otherwise one above the other, full width. (No
 * AdwBreakpoint in libadwaita 1.2, and a flow box lines its children
 * up by their natural width, which wrapped text makes wide.) */
#define COLUMN_MIN_WIDTH 270
#define COLUMN_SPACING 12
#define ROW_SPACING 24

static gboolean
columns_side_by_side (GtkWidget *widget, int width)
{
  int n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n > 0 && width >= n * COLUMN_MIN_WIDTH + (n - 1) * COLUMN_SPACING;
}

static int
column_width (GtkWidget *widget, int width)
{
  int n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return (width - (n - 1) * COLUMN_SPACING) / MAX (n, 1);
}

static GtkSizeRequestMode
columns_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
columns_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                 int *natural, int *minimum_baseline, int *natural_baseline)
{
  gboolean wide;
  int width;

  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int n = 0;

      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          int child_min, child_nat;

          gtk_widget_measure (child, orientation, -1, &child_min, &child_nat, NULL, NULL);
          *minimum = MAX (*minimum, child_min);
          n++;
        }
      *natural = MAX (*minimum, n * COLUMN_MIN_WIDTH + (n - 1) * COLUMN_SPACING);
      return;
    }

  width = for_size;
  if (width < 0)
    gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &width, NULL, NULL, NULL);
  wide = columns_side_by_side (widget, width);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat;

      gtk_widget_measure (child, orientation, wide ? column_width (widget, width) : width,
                          &child_min, &child_nat, NULL, NULL);
      if (wide)
        {
          *minimum = MAX (*minimum, child_min);
          *natural = MAX (*natural, child_nat);
        }
      else
        {
          int gap = *minimum > 0 ? ROW_SPACING : 0;

          *minimum += gap + child_min;
          *natural += gap + child_nat;
        }
    }
}

static void
columns_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  gboolean wide = columns_side_by_side (widget, width);
  int each = column_width (widget, width);
  int x = 0, y = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_height;

      if (wide)
        {
          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, each, NULL, &child_height, NULL,
                              NULL);
          gtk_widget_size_allocate (child,
                                    &(GtkAllocation){ x, 0, each, MAX (child_height, height) }, -1);
          x += each + COLUMN_SPACING;
        }
      else
        {
          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, NULL, &child_height, NULL,
                              NULL);
          gtk_widget_size_allocate (child, &(GtkAllocation){ 0, y, width, child_height }, -1);
          y += child_height + ROW_SPACING;
        }
    }
}

static void
build_column (TrFohView *self, TrFohSection section)
{
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *title = gtk_label_new (section_title (section));
  GtkWidget *count = gtk_label_new ("0");
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *placeholder;
  g_autofree char *css = g_strconcat ("foh-", section_names[section], NULL);

  gtk_widget_add_css_class (column, "foh-column");
  gtk_widget_add_css_class (column, css);
  gtk_widget_add_css_class (header, "foh-column-header");
  gtk_widget_add_css_class (title, "foh-column-title");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (count, "foh-count");
  gtk_widget_add_css_class (count, "numeric");
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), count);
  if (section == TR_FOH_SECTION_SERVED)
    {
      GtkWidget *hint = gtk_label_new (_ ("last 30 min"));

      gtk_widget_add_css_class (hint, "dim-label");
      gtk_widget_set_hexpand (hint, TRUE);
      gtk_label_set_xalign (GTK_LABEL (hint), 1);
      gtk_box_append (GTK_BOX (header), hint);
    }
  gtk_box_append (GTK_BOX (column), header);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_add_css_class (list, "foh-list");
  placeholder = gtk_label_new (section == TR_FOH_SECTION_READY ? _ ("Nothing waiting at the pass")
                                                               : _ ("No orders"));
  gtk_widget_add_css_class (placeholder, "foh-placeholder");
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_list_box_set_placeholder (GTK_LIST_BOX (list), placeholder);
  gtk_list_box_bind_model (GTK_LIST_BOX (list), G_LIST_MODEL (self->shown[section]), create_row,
                           self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  section_title (section), -1);
  gtk_box_append (GTK_BOX (column), list);

  self->lists[section] = GTK_LIST_BOX (list);
  self->counts[section] = GTK_LABEL (count);

  gtk_box_append (GTK_BOX (self->columns), column);
}

/* ---- Showing ---- */

/* The lists follow the sections only while the board is on screen.
 * Hidden behind the kitchen view, rebuilding a row for every changed
 * ticket (and styling it in the next frame) held the main loop for
 * 100-300 ms per burst of 100 events. The sections themselves stay
 * current; when the board is shown again, only the rows of tickets that
 * changed meanwhile are made again. */
static void
on_section_items_changed (TrFohView *self, guint position, guint removed, guint added,
                          GListModel *section)
{
  guint s = 0;
  g_autoptr (GPtrArray) items = NULL;

  if (self->shown_stale || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->shown_stale = TRUE;
      return;
    }
  while (s < TR_FOH_N_SECTIONS && G_LIST_MODEL (self->sections[s]) != section)
    s++;
  g_assert (s < TR_FOH_N_SECTIONS);
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < added; i++)
    g_ptr_array_add (items, g_list_model_get_item (section, position + i));
  g_list_store_splice (self->shown[s], position, removed, items->pdata, added);
}

/* Brings the shown lists up to the sections. A ticket's object is
 * replaced whenever it changes, and both lists keep the same order, so
 * the shown objects still in the section are a subsequence of it: drop
 * the others, then insert what is missing. */
static void
sync_shown (TrFohView *self)
{
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      GListModel *section = G_LIST_MODEL (self->sections[s]);
      GListModel *shown = G_LIST_MODEL (self->shown[s]);
      guint n = g_list_model_get_n_items (section);
      g_autoptr (GHashTable) current = g_hash_table_new (NULL, NULL);
      guint j = 0;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (TrTicketObject) obj = g_list_model_get_item (section, i);

          g_hash_table_add (current, obj);
        }
      for (guint i = g_list_model_get_n_items (shown); i > 0; i--)
        {
          g_autoptr (TrTicketObject) obj = g_list_model_get_item (shown, i - 1);

          if (!g_hash_table_contains (current, obj))
            g_list_store_remove (self->shown[s], i - 1);
        }
      for (guint i = 0; i < n; i++, j++)
        {
          g_autoptr (TrTicketObject) obj = g_list_model_get_item (section, i);
          g_autoptr (TrTicketObject) at = g_list_model_get_item (shown, j);

          if (at != obj)
            g_list_store_insert (self->shown[s], j, obj);
        }

      /* Had the order differed after all, show the section afresh. */
      if (g_list_model_get_n_items (shown) != n)
        {
          g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

          for (guint i = 0; i < n; i++)
            g_ptr_array_add (items, g_list_model_get_item (section, i));
          g_list_store_splice (self->shown[s], 0, g_list_model_get_n_items (shown), items->pdata,
                               n);
        }
    }
  self->shown_stale = FALSE;
}

static void
tr_foh_view_map (GtkWidget *widget)
{
  TrFohView *self = TR_FOH_VIEW (widget);

  if (self->shown_stale)
    sync_shown (self);
  GTK_WIDGET_CLASS (tr_foh_view_parent_class)->map (widget);
}

/* ---- GObject ---- */

static void
tr_foh_view_constructed (GObject *object)
{
  TrFohView *self = (TrFohView *)object;

  G_OBJECT_CLASS (tr_foh_view_parent_class)->constructed (object);

  g_assert (TR_IS_STATION (self->station));
  if (self->clock == NULL)
    self->clock = tr_clock_new ();
  if (self->sound_player == NULL)
    self->sound_player = tr_sound_player_new ();

  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      build_column (self, s);
      g_signal_connect_object (self->sections[s], "items-changed",
                               G_CALLBACK (on_section_items_changed), self, G_CONNECT_SWAPPED);
    }

  load_tickets (self);
  self->changed_handler = g_signal_connect_object (
    self->station, "ticket-changed", G_CALLBACK (on_ticket_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->station, "op-rejected", G_CALLBACK (on_op_rejected), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->clock, "tick", G_CALLBACK (on_tick), self, G_CONNECT_SWAPPED);
  watch_notifiers (self);
}

static void
tr_foh_view_dispose (GObject *object)
{
  TrFohView *self = (TrFohView *)object;

  for (guint i = 0; i < G_N_ELEMENTS (self->notify_watches); i++)
    g_clear_handle_id (&self->notify_watches[i], g_bus_unwatch_name);
  if (self->dialog != NULL)
    {
      GtkWindow *dialog = self->dialog;

      g_object_weak_unref (G_OBJECT (dialog), forget_dialog, self);
      self->dialog = NULL;
      gtk_window_destroy (dialog);
    }
  if (self->station != NULL && self->changed_handler != 0)
    g_clear_signal_handler (&self->changed_handler, self->station);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_FOH_VIEW);
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      g_clear_object (&self->sections[s]);
      g_clear_object (&self->shown[s]);
    }
  g_clear_object (&self->station);
  g_clear_object (&self->clock);
  g_clear_object (&self->sound_player);

  G_OBJECT_CLASS (tr_foh_view_parent_class)->dispose (object);
}

static void
tr_foh_view_finalize (GObject *object)
{
  TrFohView *self = (TrFohView *)object;

  g_clear_pointer (&self->listed, g_hash_table_unref);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (tr_foh_view_parent_class)->finalize (object);
}

static void
tr_foh_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrFohView *self = TR_FOH_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_CLOCK:
        g_value_set_object (value, self->clock);
        break;
      case PROP_SOUND_PLAYER:
        g_value_set_object (value, self->sound_player);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_foh_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrFohView *self = TR_FOH_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case PROP_CLOCK:
        self->clock = g_value_dup_object (value);
        break;
      case PROP_SOUND_PLAYER:
        self->sound_player = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_foh_view_class_init (TrFohViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_foh_view_constructed;
  object_class->dispose = tr_foh_view_dispose;
  widget_class->map = tr_foh_view_map;
  object_class->finalize = tr_foh_view_finalize;
  object_class->get_property = tr_foh_view_get_property;
  object_class->set_property = tr_foh_view_set_property;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, TR_TYPE_CLOCK, construct);
  properties[PROP_SOUND_PLAYER]
    = g_param_spec_object ("sound-player", NULL, NULL, TR_TYPE_SOUND_PLAYER, construct);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TICKET_READY]
    = g_signal_new ("ticket-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ticketrail/Ticketrail/tr-foh-view.ui");
  gtk_widget_class_set_css_name (widget_class, "fohview");
  gtk_widget_class_bind_template_child (widget_class, TrFohView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TrFohView, columns);
  gtk_widget_class_bind_template_child (widget_class, TrFohView, summary_label);

  gtk_widget_class_install_action (widget_class, "foh.new-order", NULL, action_new_order);
  gtk_widget_class_install_action (widget_class, "foh.amend", "s", action_amend);
  gtk_widget_class_install_action (widget_class, "foh.mark-served", "s", action_mark_served);
  gtk_widget_class_install_action (widget_class, "foh.serve-next", NULL, action_serve_next);
  gtk_widget_class_install_action (widget_class, "foh.cancel", "s", action_cancel);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "foh.new-order",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "foh.serve-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "foh.serve-next", NULL);
}

static void
tr_foh_view_init (TrFohView *self)
{
  self->listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      self->sections[s] = g_list_store_new (TR_TYPE_TICKET_OBJECT);
      self->shown[s] = g_list_store_new (TR_TYPE_TICKET_OBJECT);
    }
  self->shown_stale = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_layout_manager (
    self->columns, gtk_custom_layout_new (columns_request_mode, columns_measure, columns_allocate));
}

GtkWidget *
tr_foh_view_new (TrStation *station, TrClock *clock, TrSoundPlayer *sound_player)
{
  g_return_val_if_fail (TR_IS_STATION (station), NULL);
  g_return_val_if_fail (clock == NULL || TR_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (sound_player == NULL || TR_IS_SOUND_PLAYER (sound_player), NULL);

  return g_object_new (TR_TYPE_FOH_VIEW, "station", station, "clock", clock, "sound-player",
                       sound_player, NULL);
}

TrStation *
tr_foh_view_get_station (TrFohView *self)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), NULL);
  return self->station;
}

GListModel *
tr_foh_view_get_section (TrFohView *self, TrFohSection section)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), NULL);
  g_return_val_if_fail (section < TR_FOH_N_SECTIONS, NULL);
  return G_LIST_MODEL (self->sections[section]);
}

int
tr_foh_view_find_ticket (TrFohView *self, const char *ticket_id)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), -1);
  g_return_val_if_fail (ticket_id != NULL, -1);
  return GPOINTER_TO_INT (g_hash_table_lookup (self->listed, ticket_id)) - 1;
}

const char *
tr_foh_view_get_last_toast (TrFohView *self)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), NULL);
  return self->last_toast;
}

GtkWindow *
tr_foh_view_get_dialog (TrFohView *self)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), NULL);
  return self->dialog;
}
