/* tr-promote-banner.c: "The host is not answering" (tr-promote-banner.h)
 *
 * The view only draws and routes: when the host counts as unreachable,
 * how far behind the copy is and what promotion does are
 * tr-promotion.c's and tr-station-standby.c's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-promote-banner.h"

#include <glib/gi18n.h>

#include "tr-dnssd-browser.h"
#include "tr-promotion.h"
#include "tr-station-standby.h"
#include "tr-store-lineage.h"

#define TICK_MS 250

struct _TrPromoteBanner
{
  GtkWidget parent_instance;

  GtkRevealer *revealer;
  GtkLabel *label;
  GtkButton *button;

  TrStation *station;
  TrStationStandby *keeper; /* the station's: not a ref */
  gint64 down_since;        /* monotonic ms, 0 while the link is up */
  guint tick_id;
  guint delay_ms;
  gboolean promoting;
  char *failure; /* why the last promotion failed, shown until the link is back */
  GCancellable *cancellable;
  /* A host: replaced by a promoted standby (the generation), and the
   * browser that looks for the new host then. */
  gint64 superseded_by;
  TrDnssdBrowser *browser;
  guint auto_promote_s; /* 0: only by the button */
  gboolean heard_host;  /* the link was up once since this banner was made */
};

G_DEFINE_FINAL_TYPE (TrPromoteBanner, tr_promote_banner, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_AUTO_PROMOTE_SECONDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
start_promotion (TrPromoteBanner *self);

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static void
update_superseded (TrPromoteBanner *self)
{
  TrHost *host = tr_station_get_host (self->station);
  gint64 gen = host != NULL ? tr_host_get_superseded_by (host) : 0;
  g_autofree char *text = NULL;

  if (gen == 0 || gen == self->superseded_by)
    return;
  self->superseded_by = gen;
  /* Find the new host to rejoin (unless discovery is off). */
  if (self->browser == NULL && g_strcmp0 (g_getenv ("TICKETRAIL_DNSSD"), "0") != 0)
    {
      self->browser = tr_dnssd_browser_new ();
      tr_dnssd_browser_start (self->browser);
    }
  text = g_strdup (_ ("Another station is now the host. This station no longer takes changes."));
  gtk_label_set_label (self->label, text);
  gtk_button_set_label (self->button, _ ("_Rejoin as a Station"));
  gtk_widget_set_visible (GTK_WIDGET (self->button), TRUE);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
}

/* Rejoin: the new host of this restaurant if DNS-SD sees it, else the
 * Preferences, where its address can be typed. */
static void
rejoin (TrPromoteBanner *self)
{
  GApplication *app = g_application_get_default ();
  g_autofree char *lineage = NULL;
  gint64 gen = 0;
  TrDnssdHost *pick = NULL;

  if (self->browser != NULL
      && tr_store_get_lineage (tr_station_get_store (self->station), &lineage, &gen, NULL)
      && lineage != NULL)
    pick = tr_dnssd_browser_pick_host (self->browser, lineage, self->superseded_by, NULL);
  if (app == NULL)
    return;
  if (pick != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), "join",
                                    g_variant_new_string (tr_dnssd_host_get_url (pick)));
  else
    {
      gtk_label_set_label (self->label,
                           _ ("The new host was not found on the network: enter its address "
                              "in Preferences to rejoin"));
      g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
    }
}

static void
update (TrPromoteBanner *self)
{
  gboolean show = !self->promoting
                  && tr_promotion_host_unreachable (self->down_since, now_ms (), self->delay_ms);
  gboolean standby = self->keeper != NULL && tr_station_standby_is_active (self->keeper);

  if (show && self->failure != NULL)
    gtk_label_set_label (self->label, self->failure);
  else if (show)
    gtk_label_set_label (
      self->label,
      standby ? _ ("The host is not answering. This station is its standby and can take over.")
              /* Translators: --promote is a command-line flag, keep it. */
              : _ ("The host is not answering. Promote the standby from its screen or with "
                   "ticketrail-host --promote"));
  gtk_widget_set_visible (GTK_WIDGET (self->button), standby);
  gtk_revealer_set_reveal_child (self->revealer, show);
}

/* The highest generation DNS-SD shows for this station's lineage, the
 * host it follows left out (a killed host's record outlives it in
 * Avahi's cache); -1 when none, or when DNS-SD does not run here. */
static gint64
other_host_gen (TrPromoteBanner *self, gint64 *out_own_gen)
{
  TrDnssdBrowser *browser = tr_station_follow_get_browser (self->station);
  TrStore *store = tr_station_get_store (self->station);
  const char *host_id = tr_store_get_host_id (store);
  g_autofree char *lineage = NULL;
  gint64 other = -1;

  *out_own_gen = 0;
  if (!tr_store_get_lineage (store, &lineage, out_own_gen, NULL) || lineage == NULL
      || browser == NULL)
    return -1;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (browser)); i++)
    {
      g_autoptr (TrDnssdHost) host = g_list_model_get_item (G_LIST_MODEL (browser), i);
      const TrDnssdTxt *txt = tr_dnssd_host_get_txt (host);

      if (g_strcmp0 (txt->lineage, lineage) == 0 && g_strcmp0 (txt->host_id, host_id) != 0)
        other = MAX (other, txt->gen);
    }
  return other;
}

static void
maybe_auto_promote (TrPromoteBanner *self)
{
  gint64 own_gen = 0;
  gint64 other_gen;

  if (self->promoting || self->failure != NULL || self->keeper == NULL || self->auto_promote_s == 0)
    return;
  other_gen = other_host_gen (self, &own_gen);
  if (!tr_promotion_should_auto_promote (tr_station_standby_is_active (self->keeper),
                                         self->heard_host, self->auto_promote_s, self->down_since,
                                         now_ms (), own_gen, other_gen))
    return;
  g_message ("No word from the host for %u s: promoting this station's standby copy",
             self->auto_promote_s);
  start_promotion (self);
}

static gboolean
tick_cb (gpointer user_data)
{
  TrPromoteBanner *self = user_data;

  maybe_auto_promote (self);
  update (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
tick_superseded_cb (TrPromoteBanner *self)
{
  update_superseded (self);
  return G_SOURCE_CONTINUE;
}

static void
on_link_state (TrPromoteBanner *self)
{
  TrClientState state = tr_station_get_link_state (self->station);

  if (state == TR_CLIENT_STATE_ONLINE_WEBSOCKET || state == TR_CLIENT_STATE_ONLINE_POLLING)
    {
      self->heard_host = TRUE;
      self->down_since = 0;
      g_clear_pointer (&self->failure, g_free);
      g_clear_handle_id (&self->tick_id, g_source_remove);
    }
  else
    {
      if (self->down_since == 0)
        self->down_since = MAX (now_ms (), 1);
      if (self->tick_id == 0)
        self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
    }
  update (self);
}

static void
on_promoted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrPromoteBanner) self = user_data;
  g_autoptr (GError) error = NULL;
  GApplication *app = g_application_get_default ();
  gint64 gen = 0;

  if (!tr_station_standby_promote_finish (TR_STATION_STANDBY (source), result, &gen, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->promoting = FALSE;
      g_free (self->failure);
      /* Translators: the reason follows. */
      self->failure
        = g_strdup_printf (_ ("This station could not become the host: %s"), error->message);
      update (self);
      return;
    }
  g_message ("Promoted this station's standby copy: generation %" G_GINT64_FORMAT, gen);
  /* The app serves DATA/host.db now: the usual host switch, which
   * advertises the new generation over DNS-SD. */
  if (app != NULL && g_action_group_has_action (G_ACTION_GROUP (app), "host"))
    g_action_group_change_action_state (G_ACTION_GROUP (app), "host", g_variant_new_boolean (TRUE));
}

/* The one path to promotion: the dialog's Make Host, and automatic
 * promotion. */
static void
start_promotion (TrPromoteBanner *self)
{
  if (self->keeper == NULL || self->promoting)
    return;
  self->promoting = TRUE;
  update (self);
  tr_station_standby_promote_async (self->keeper, self->cancellable, on_promoted,
                                    g_object_ref (self));
}

static void
on_response (AdwMessageDialog *dialog, const char *response, TrPromoteBanner *self)
{
  if (g_strcmp0 (response, "promote") == 0)
    start_promotion (self);
}

static void
on_button_clicked (TrPromoteBanner *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  TrClient *client = tr_station_get_client (self->station);
  TrPromotionCheck check;
  g_autofree char *where = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->superseded_by > 0)
    {
      rejoin (self);
      return;
    }
  if (self->keeper == NULL || client == NULL)
    return;
  tr_promotion_check (tr_station_standby_is_active (self->keeper),
                      tr_station_standby_get_head_seq (self->keeper),
                      tr_client_get_newest_head_seq (client), &check);
  where = tr_promotion_describe (&check);
  if (check.fresh)
    body = g_strdup_printf ("%s.\n\n%s", where,
                            _ ("Nothing is missing. The other stations will follow this one by "
                               "themselves. Do it only if the host is really gone."));
  else
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, check.behind);
      g_autofree char *lost = g_strdup_printf (
        /* Translators: how many changes the host announced that this
         * station lacks. */
        ngettext ("%s change would be lost. Do it only if the host is really gone.",
                  "%s changes would be lost. Do it only if the host is really gone.",
                  (gulong)MIN (check.behind, G_MAXINT)),
        count);

      body = g_strdup_printf ("%s.\n\n%s", where, lost);
    }
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _ ("Make This Station the Host?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "promote",
                                    _ ("_Make Host"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "promote",
                                              check.fresh ? ADW_RESPONSE_SUGGESTED
                                                          : ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
tr_promote_banner_dispose (GObject *object)
{
  TrPromoteBanner *self = TR_PROMOTE_BANNER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->browser != NULL)
    tr_dnssd_browser_stop (self->browser);
  g_clear_object (&self->browser);
  if (self->revealer != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->revealer));
  self->revealer = NULL;
  g_clear_object (&self->station);
  g_clear_pointer (&self->failure, g_free);
  G_OBJECT_CLASS (tr_promote_banner_parent_class)->dispose (object);
}

static void
tr_promote_banner_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrPromoteBanner *self = TR_PROMOTE_BANNER (object);

  switch (prop_id)
    {
      case PROP_AUTO_PROMOTE_SECONDS:
        g_value_set_uint (value, self->auto_promote_s);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_promote_banner_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  TrPromoteBanner *self = TR_PROMOTE_BANNER (object);

  switch (prop_id)
    {
      case PROP_AUTO_PROMOTE_SECONDS:
        if (self->auto_promote_s == g_value_get_uint (value))
          return;
        self->auto_promote_s = g_value_get_uint (value);
        g_object_notify_by_pspec (object, pspec);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_promote_banner_class_init (TrPromoteBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_promote_banner_dispose;
  object_class->get_property = tr_promote_banner_get_property;
  object_class->set_property = tr_promote_banner_set_property;
  properties[PROP_AUTO_PROMOTE_SECONDS]
    = g_param_spec_uint ("auto-promote-seconds", NULL, NULL, 0, TR_PROMOTION_AUTO_MAX_S, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tr_promote_banner_init (TrPromoteBanner *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("network-error-symbolic");

  self->cancellable = g_cancellable_new ();
  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_widget_set_parent (GTK_WIDGET (self->revealer), GTK_WIDGET (self));
  gtk_widget_add_css_class (box, "link-banner");
  gtk_widget_add_css_class (box, "promote-banner");
  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (self->label), TRUE);
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_xalign (self->label, 0);
  self->button = GTK_BUTTON (gtk_button_new_with_mnemonic (_ ("_Make This Station the Host")));
  gtk_widget_set_valign (GTK_WIDGET (self->button), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->button), FALSE);
  g_signal_connect_swapped (self->button, "clicked", G_CALLBACK (on_button_clicked), self);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->button));
  gtk_revealer_set_child (self->revealer, box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Host Alert"), -1);
}

GtkWidget *
tr_promote_banner_new (TrStation *station, guint listen_port)
{
  TrPromoteBanner *self;
  TrStore *store;

  g_return_val_if_fail (TR_IS_STATION (station), NULL);

  self = g_object_new (TR_TYPE_PROMOTE_BANNER, NULL);
  self->station = g_object_ref (station);
  self->delay_ms = tr_promotion_unreachable_delay_ms ();
  if (tr_station_get_mode (station) != TR_STATION_MODE_CLIENT)
    {
      /* A host: watch for a promoted standby replacing it. A cheap
       * read; the host has no signal for it. */
      self->tick_id = g_timeout_add (1000, (GSourceFunc)tick_superseded_cb, self);
      return GTK_WIDGET (self);
    }

  store = tr_station_get_store (station);
  if (tr_store_get_path (store) != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (tr_store_get_path (store));

      self->keeper = tr_station_standby_ensure (station, dir, listen_port);
    }
  if (self->keeper != NULL)
    g_signal_connect_object (self->keeper, "notify::active", G_CALLBACK (update), self,
                             G_CONNECT_SWAPPED);
  g_signal_connect_object (station, "notify::link-state", G_CALLBACK (on_link_state), self,
                           G_CONNECT_SWAPPED);
  on_link_state (self);
  return GTK_WIDGET (self);
}

gboolean
tr_promote_banner_get_revealed (TrPromoteBanner *self)
{
  g_return_val_if_fail (TR_IS_PROMOTE_BANNER (self), FALSE);
  return gtk_revealer_get_reveal_child (self->revealer);
}

GtkButton *
tr_promote_banner_get_button (TrPromoteBanner *self)
{
  g_return_val_if_fail (TR_IS_PROMOTE_BANNER (self), NULL);
  return self->button;
}

const char *
tr_promote_banner_get_text (TrPromoteBanner *self)
{
  g_return_val_if_fail (TR_IS_PROMOTE_BANNER (self), NULL);
  return gtk_label_get_label (self->label);
}
