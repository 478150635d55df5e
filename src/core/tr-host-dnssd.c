/* tr-host-dnssd.c: advertising a running host, with its lineage and gen
 *
 * The advertiser hangs off the host as qdata so TrHost's own struct and
 * files stay as they are. The lineage and gen come from the host's
 * database, through the host's writer (_tr_host_write_async), because a
 * new database gets them on its first start and the writer is the one
 * thing that writes host.db.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "tr-host-dnssd.h"

#include "tr-host-private.h"

#include "tr-store-lineage.h"

typedef struct
{
  GCancellable *cancellable; /* cancelled by stop: a late lineage read is dropped */
  TrDnssdAdvertiser *advertiser;
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
  txt = tr_dnssd_txt_new (lineage->lineage, tr_store_get_db_id (tr_host_get_store (host)),
                          lineage->gen, tls, name);
  state->advertiser = tr_dnssd_advertiser_new (tr_host_get_bound_port (host), txt);
  tr_dnssd_advertiser_start (state->advertiser);

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
