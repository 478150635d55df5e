/* tr-standby-row.c: the host monitor's "Standby" row (tr-standby-row.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-standby-row.h"

#include <glib/gi18n.h>

#include "tr-station-info.h"

struct _TrStandbyRow
{
  AdwActionRow parent_instance;

  TrHost *host;
  GtkDropDown *drop_down;
  GtkStringList *names;
  GPtrArray *ids; /* char*, parallel to names; [0] is None (NULL) */
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (TrStandbyRow, tr_standby_row, ADW_TYPE_ACTION_ROW)

static void
on_selected (TrStandbyRow *self)
{
  guint selected = gtk_drop_down_get_selected (self->drop_down);
  const char *id;
  g_autoptr (GError) error = NULL;

  if (self->updating || selected >= self->ids->len)
    return;
  id = g_ptr_array_index (self->ids, selected);
  if (g_strcmp0 (id, tr_host_get_standby_invited (self->host)) == 0)
    return;
  if (id == NULL ? !tr_host_clear_standby (self->host, &error)
                 : !tr_host_invite_standby (self->host, id, &error))
    g_message ("Changing the standby failed: %s", error->message);
  tr_standby_row_refresh (self);
}

static void
update_subtitle (TrStandbyRow *self)
{
  const char *warning = tr_host_get_standby_warning (self->host);
  const char *invited = tr_host_get_standby_invited (self->host);
  const char *text;

  if (warning != NULL)
    text = warning;
  else if (tr_host_get_standby_connected (self->host))
    text = _ ("In sync: the standby holds every acknowledged change");
  else if (invited != NULL)
    text = _ ("Waiting for the standby to copy the database…");
  else
    text = _ ("No standby: a host failure could lose the last changes");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), text);
  if (tr_host_get_standby_connected (self->host))
    gtk_widget_remove_css_class (GTK_WIDGET (self), "standby-warning");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "standby-warning");
}

void
tr_standby_row_refresh (TrStandbyRow *self)
{
  g_autoptr (GPtrArray) stations = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GPtrArray) labels = NULL;
  const char *invited;
  gboolean same;
  guint selected = 0;

  g_return_if_fail (TR_IS_STANDBY_ROW (self));

  stations = tr_host_list_stations (self->host);
  invited = tr_host_get_standby_invited (self->host);
  ids = g_ptr_array_new_with_free_func (g_free);
  labels = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, g_strdup (C_ ("standby", "None")));
  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);
      gboolean chosen = g_strcmp0 (info->station_id, invited) == 0;

      /* Only a station on a WebSocket can get the invitation; the
       * chosen one stays listed while it reconnects. */
      if (g_strcmp0 (info->role, TR_ROLE_STANDBY) == 0
          || (!chosen && (!info->connected || g_strcmp0 (info->transport, "websocket") != 0)))
        continue;
      if (chosen)
        selected = ids->len;
      g_ptr_array_add (ids, g_strdup (info->station_id));
      g_ptr_array_add (
        labels,
        g_strdup (info->name != NULL && *info->name != '\0' ? info->name : info->station_id));
    }

  same = self->ids != NULL && self->ids->len == ids->len;
  for (guint i = 0; same && i < ids->len; i++)
    same = g_strcmp0 (g_ptr_array_index (ids, i), g_ptr_array_index (self->ids, i)) == 0;
  self->updating = TRUE;
  if (!same)
    {
      g_ptr_array_add (labels, NULL);
      gtk_string_list_splice (self->names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->names)),
                              (const char *const *)labels->pdata);
      g_clear_pointer (&self->ids, g_ptr_array_unref);
      self->ids = g_steal_pointer (&ids);
    }
  if (gtk_drop_down_get_selected (self->drop_down) != selected)
    gtk_drop_down_set_selected (self->drop_down, selected);
  self->updating = FALSE;
  update_subtitle (self);
}

void
tr_standby_row_choose (TrStandbyRow *self, const char *station_id)
{
  g_return_if_fail (TR_IS_STANDBY_ROW (self));

  for (guint i = 0; self->ids != NULL && i < self->ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->ids, i), station_id) == 0)
      {
        gtk_drop_down_set_selected (self->drop_down, i);
        return;
      }
}

static void
tr_standby_row_dispose (GObject *object)
{
  TrStandbyRow *self = TR_STANDBY_ROW (object);

  g_clear_object (&self->host);
  g_clear_pointer (&self->ids, g_ptr_array_unref);
  G_OBJECT_CLASS (tr_standby_row_parent_class)->dispose (object);
}

static void
tr_standby_row_class_init (TrStandbyRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tr_standby_row_dispose;
}

static void
tr_standby_row_init (TrStandbyRow *self)
{
  self->names = gtk_string_list_new (NULL);
  self->drop_down = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (self->names), NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->drop_down), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Standby"), -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), _ ("Standby"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->drop_down));
  adw_action_row_add_prefix (ADW_ACTION_ROW (self),
                             gtk_image_new_from_icon_name ("drive-multidisk-symbolic"));
  g_signal_connect_swapped (self->drop_down, "notify::selected", G_CALLBACK (on_selected), self);
}

GtkWidget *
tr_standby_row_new (TrHost *host)
{
  TrStandbyRow *self;

  g_return_val_if_fail (TR_IS_HOST (host), NULL);

  self = g_object_new (TR_TYPE_STANDBY_ROW, NULL);
  self->host = g_object_ref (host);
  tr_standby_row_refresh (self);
  return GTK_WIDGET (self);
}
