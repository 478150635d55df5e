/* tr-foh-view-rows.c: how the board draws its columns and its orders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-foh-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-foh-view-private.h"
#include "tr-ticket-object.h"

static const char *const section_names[] = { "new", "preparing", "ready", "served" };

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

void
_tr_foh_view_update_time_label (TrFohView *self, GtkLabel *label)
{
  TrTicketObject *obj = g_object_get_data (G_OBJECT (label), "ticket");
  const TrTicket *ticket = tr_ticket_object_get_ticket (obj);
  gint64 now = _tr_foh_view_now_ms (self);
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
  TrFohActions allowed = tr_foh_actions_for (ticket);
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
  _tr_foh_view_update_time_label (self, GTK_LABEL (label));
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
  /* Ready: serving is the one thing to do, amend and cancel stay at
   * hand as icons. Still in the kitchen: amend and cancel, labelled. */
  if (allowed & TR_FOH_ACTION_MARK_SERVED)
    {
      GtkWidget *serve = action_button (_ ("Mark _Served"), "object-select-symbolic",
                                        "foh.mark-served", id, "suggested-action", NULL);

      gtk_widget_set_hexpand (serve, TRUE);
      gtk_box_append (GTK_BOX (actions), serve);
      if (allowed & TR_FOH_ACTION_AMEND)
        gtk_box_append (
          GTK_BOX (actions),
          action_button (NULL, "document-edit-symbolic", "foh.amend", id, NULL, _ ("Amend Order")));
      if (allowed & TR_FOH_ACTION_CANCEL)
        gtk_box_append (GTK_BOX (actions),
                        action_button (NULL, "edit-delete-symbolic", "foh.cancel", id,
                                       "destructive-action", _ ("Cancel Order")));
    }
  else
    {
      if (allowed & TR_FOH_ACTION_AMEND)
        {
          GtkWidget *amend
            = action_button (_ ("_Amend"), "document-edit-symbolic", "foh.amend", id, NULL,
                             _ ("Add or void items, change the note "
                                "or table"));

          gtk_widget_set_hexpand (amend, TRUE);
          gtk_box_append (GTK_BOX (actions), amend);
        }
      if (allowed & TR_FOH_ACTION_CANCEL)
        gtk_box_append (GTK_BOX (actions),
                        action_button (_ ("_Cancel"), "edit-delete-symbolic", "foh.cancel", id,
                                       "destructive-action", _ ("Cancel Order")));
    }
  /* Still in the kitchen: its slip can be printed again. Ready, the
   * kitchen is done with it (and the row has no room to spare). */
  if ((allowed & TR_FOH_ACTION_AMEND) && !(allowed & TR_FOH_ACTION_MARK_SERVED))
    {
      GtkWidget *reprint = action_button (NULL, "printer-symbolic", "foh.reprint", id, NULL,
                                          _ ("Reprint the Kitchen Slip"));

      /* Only while a printer can print it (issue 13); kept on the row
       * so that a printer added or removed shows or hides it in place. */
      gtk_widget_set_visible (reprint, tr_station_get_can_reprint (self->station));
      g_object_set_data (G_OBJECT (row), "reprint-button", reprint);
      gtk_box_append (GTK_BOX (actions), reprint);
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

void
_tr_foh_view_show_reprint (TrFohView *self, gboolean can_reprint)
{
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      GtkListBoxRow *row;

      if (self->lists[s] == NULL)
        continue;
      for (int i = 0; (row = gtk_list_box_get_row_at_index (self->lists[s], i)) != NULL; i++)
        {
          GtkWidget *button = g_object_get_data (G_OBJECT (row), "reprint-button");

          if (button != NULL)
            gtk_widget_set_visible (button, can_reprint);
        }
    }
}

void
_tr_foh_view_build_column (TrFohView *self, TrFohSection section)
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
