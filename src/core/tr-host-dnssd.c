/* tr-host-dnssd.c: advertising a running host, with its lineage and gen
 *
 * The advertiser hangs off the host as qdata so TrHost's own struct and
 * files stay as they are. The lineage and gen come from the host's
 * database, through the host's writer (_tr_host_write_async), because a
 * new database gets them on its first start and the writer is the one
 * thing that writes host.db.
 *
 * It also browses for its own lineage (issue 17, no split brain): an old
 * host that comes back after its standby was promoted sees the higher
 * generation advertised and stops accepting ops at once, before any
 * station's hello tells it, and names the new host's address to the
 * stations it turns away. Once superseded it withdraws its own record
 * (a join list must not offer a host that refuses ops) and keeps
 * browsing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include <string.h>

#include "tr-host-dnssd.h"

#include "tr-host-private.h"

#include "tr-dnssd-browser.h"
#include "tr-store-lineage.h"

typedef struct
{
  GCancellable *cancellable; /* cancelled by stop: a late lineage read is dropped */
  TrDnssdAdvertiser *advertiser;
  TrDnssdBrowser *browser; /* this lineage's other hosts: a newer gen supersedes this one */
} HostDnssd;

/* What the writer read, handed to the completion (refcounted: the
 * writer frees its data once it has run, before the completion). */
typedef struct
{
  char *lineage;
  gint64 gen;
} Lineage;

static GQuark
dnssd_quark (void)
{
  return g_quark_from_static_string ("tr-host-dnssd");
}

static GQuark
name_quark (void)
{
  return g_quark_from_static_string ("tr-host-dnssd-name");
}

/* A live host of this lineage with a higher generation than ours and
 * another host id replaced this one: refuse ops from now on. */
static void
on_lineage_hosts_changed (TrDnssdBrowser *browser, guint position, guint removed, guint added,
                          gpointer user_data)
{
  TrHost *host = user_data;
  TrDnssdHost *newest = NULL;
  gint64 newest_gen = 0;
  guint n;

  if (host->lineage == NULL)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (browser));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TrDnssdHost) item = g_list_model_get_item (G_LIST_MODEL (browser), i);
      const TrDnssdTxt *txt = tr_dnssd_host_get_txt (item);

      if (g_strcmp0 (txt->lineage, host->lineage) != 0 || txt->gen <= host->gen
          || txt->gen <= newest_gen || g_strcmp0 (txt->host_id, host->db_id) == 0)
        continue;
      newest = item;
      newest_gen = txt->gen;
    }
  if (newest != NULL)
    _tr_host_supersede (host, newest_gen, tr_dnssd_host_get_url (newest));
}

static void
host_dnssd_free (gpointer data)
{
  HostDnssd *state = data;

  g_cancellable_cancel (state->cancellable);
  g_object_unref (state->cancellable);
  if (state->advertiser != NULL)
    {
      tr_dnssd_advertiser_stop (state->advertiser);
      g_object_unref (state->advertiser);
    }
  if (state->browser != NULL)
    {
      g_signal_handlers_disconnect_matched (state->browser, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                            G_CALLBACK (on_lineage_hosts_changed), NULL);
      tr_dnssd_browser_stop (state->browser);
      g_object_unref (state->browser);
    }
  g_free (state);
}

static void
lineage_clear (gpointer data)
{
  g_free (((Lineage *)data)->lineage);
}

static void
lineage_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, lineage_clear);
}

static gboolean
ensure_lineage_write (TrStore *store, gpointer data, GError **error)
{
  Lineage *lineage = data;

  return tr_store_ensure_lineage (store, &lineage->lineage, &lineage->gen, error);
}

void
tr_host_set_advertised_name (TrHost *host, const char *name)
{
  g_return_if_fail (TR_IS_HOST (host));

  g_object_set_qdata_full (G_OBJECT (host), name_quark (), g_strdup (name), g_free);
}

TrDnssdAdvertiser *
tr_host_get_advertiser (TrHost *host)
{
  HostDnssd *state;

  g_return_val_if_fail (TR_IS_HOST (host), NULL);

  state = g_object_get_qdata (G_OBJECT (host), dnssd_quark ());
  return state != NULL ? state->advertiser : NULL;
}

static void
lineage_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrHost *host = TR_HOST (source);
  Lineage *lineage = user_data;
  HostDnssd *state = g_object_get_qdata (G_OBJECT (host), dnssd_quark ());
  g_autoptr (GError) error = NULL;
  g_autoptr (TrDnssdTxt) txt = NULL;
  g_autofree char *default_name = NULL;
  const char *name;
  gboolean tls;

  if (!_tr_host_write_finish (host, result, &error))
    {
      g_message ("not advertising this host: %s", error->message);
      goto out;
    }
  /* Stopped (or restarted) while the writer was busy. */
  if (state == NULL || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    goto out;

  name = g_object_get_qdata (G_OBJECT (host), name_quark ());
  if (name == NULL)
    name = default_name = g_strdup_printf ("Ticketrail on %s", g_get_host_name ());
  tls = tr_host_get_tls_fingerprint (host) != NULL;
  /* Already replaced (a station's hello said so while the writer was
   * busy): browse for the newer host, advertise nothing. */
  if (host->superseded_by > 0)
    goto browse;
  txt = tr_dnssd_txt_new (lineage->lineage, tr_store_get_db_id (tr_host_get_store (host)),
                          lineage->gen, tls, name);
  state->advertiser = tr_dnssd_advertiser_new (tr_host_get_bound_port (host), txt);
  tr_dnssd_advertiser_start (state->advertiser);
browse:
  /* On the same context as the advertiser: the host's. */
  state->browser = tr_dnssd_browser_new ();
  g_signal_connect (state->browser, "items-changed", G_CALLBACK (on_lineage_hosts_changed), host);
  tr_dnssd_browser_start (state->browser);

out:
  lineage_unref (lineage);
}

void
_tr_host_dnssd_start (TrHost *host)
{
  HostDnssd *state;
  Lineage *lineage;
  gboolean loopback_only = FALSE;

  g_return_if_fail (TR_IS_HOST (host));

  g_object_get (host, "loopback-only", &loopback_only, NULL);
  if (loopback_only || g_strcmp0 (g_getenv ("TICKETRAIL_DNSSD"), "0") == 0)
    return;

  state = g_new0 (HostDnssd, 1);
  state->cancellable = g_cancellable_new ();
  g_object_set_qdata_full (G_OBJECT (host), dnssd_quark (), state, host_dnssd_free);

  lineage = g_atomic_rc_box_new0 (Lineage);
  _tr_host_write_async (host, ensure_lineage_write, g_atomic_rc_box_acquire (lineage),
                        lineage_unref, state->cancellable, lineage_ready_cb, lineage);
}

void
_tr_host_dnssd_stop (TrHost *host)
{
  g_return_if_fail (TR_IS_HOST (host));

  g_object_set_qdata (G_OBJECT (host), dnssd_quark (), NULL);
}

void
_tr_host_dnssd_withdraw (TrHost *host)
{
  HostDnssd *state;

  g_return_if_fail (TR_IS_HOST (host));

  state = g_object_get_qdata (G_OBJECT (host), dnssd_quark ());
  if (state == NULL || state->advertiser == NULL
      || tr_dnssd_advertiser_get_state (state->advertiser) == TR_DNSSD_STATE_STOPPED)
    return;
  /* The daemon sends goodbye packets: browsers drop it at once. */
  g_message ("Withdrawing this host's DNS-SD record (generation %" G_GINT64_FORMAT
             "): it was replaced",
             host->gen);
  tr_dnssd_advertiser_stop (state->advertiser);
}

/* ---- Superseded (issue 17): the new host's address ---- */

void
_tr_host_supersede (TrHost *self, gint64 gen, const char *url)
{
  g_return_if_fail (TR_IS_HOST (self));

  if (gen <= self->gen || gen < self->superseded_by)
    return;
  /* Before the check closes the stations: their 4410 names it. */
  if (url != NULL && (gen > self->superseded_by || self->superseded_url == NULL))
    {
      g_free (self->superseded_url);
      self->superseded_url = g_strdup (url);
    }
  if (gen > self->superseded_by)
    g_message ("DNS-SD shows generation %" G_GINT64_FORMAT " of this restaurant's host at %s", gen,
               url != NULL ? url : "an unknown address");
  _tr_host_check_superseded (self, gen);
}

char *
_tr_host_superseded_message (TrHost *self)
{
  if (self->superseded_url != NULL)
    return g_strdup_printf ("this host was replaced by generation %" G_GINT64_FORMAT
                            " of the restaurant's host; connect to the new host at %s",
                            self->superseded_by, self->superseded_url);
  return g_strdup_printf ("this host was replaced by generation %" G_GINT64_FORMAT
                          " of the restaurant's host; connect to the new host",
                          self->superseded_by);
}

char *
_tr_host_superseded_reason (TrHost *self)
{
  /* RFC 6455: a close frame's reason fits in 123 bytes. */
  if (self->superseded_url != NULL && strlen (self->superseded_url) <= 123 - strlen ("superseded "))
    return g_strconcat ("superseded ", self->superseded_url, NULL);
  return g_strdup ("superseded");
}
