/* tr-link-alerts.c: the rules in tr-link-alerts.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-link-alerts.h"

typedef struct
{
  gboolean up;
  gint64 down_since; /* valid when !up */
  gboolean quiet;    /* this outage is not announced (clean leave, revoked) */
  gboolean announced;
  gboolean present; /* in the latest check */
} Watched;

struct _TrLinkAlerts
{
  gint64 threshold_ms;
  gint64 started;      /* the first check's now; 0 before it */
  GHashTable *watched; /* station_id → Watched* */
};

void
tr_link_alert_free (TrLinkAlert *alert)
{
  if (alert == NULL)
    return;
  g_free (alert->station_id);
  g_free (alert->name);
  g_free (alert);
}

TrLinkAlerts *
tr_link_alerts_new (gint64 threshold_ms)
{
  TrLinkAlerts *self = g_new0 (TrLinkAlerts, 1);

  self->threshold_ms = MAX (threshold_ms, 0);
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
tr_link_alerts_free (TrLinkAlerts *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->watched);
  g_free (self);
}

gint64
tr_link_alerts_get_threshold (TrLinkAlerts *self)
{
  return self->threshold_ms;
}

void
tr_link_alerts_set_threshold (TrLinkAlerts *self, gint64 threshold_ms)
{
  self->threshold_ms = MAX (threshold_ms, 0);
}

gboolean
tr_link_alerts_is_clean_leave (int close_code)
{
  return close_code == 1000 || close_code == 1001;
}

static TrLinkAlert *
alert_new (TrLinkAlertKind kind, const TrLinkObservation *o, gint64 since, gint64 down_ms)
{
  TrLinkAlert *alert = g_new0 (TrLinkAlert, 1);

  alert->kind = kind;
  alert->station_id = g_strdup (o->station_id);
  alert->name = g_strdup (o->name);
  alert->since = since;
  alert->down_ms = down_ms;
  return alert;
}

GPtrArray *
tr_link_alerts_check (TrLinkAlerts *self, const TrLinkObservation *observations,
                      guint n_observations, gint64 now)
{
  GPtrArray *alerts = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_alert_free);
  GHashTableIter iter;
  Watched *w;

  if (self->started == 0)
    self->started = now;
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&w))
    w->present = FALSE;

  for (guint i = 0; i < n_observations; i++)
    {
      const TrLinkObservation *o = &observations[i];

      /* A link that came and went between two checks (the roster's
       * signal is coalesced) still counts: the station connected since
       * the outage we know of, or since the watch began. */
      gboolean missed_link = !o->connected && o->connected_since > 0;

      w = g_hash_table_lookup (self->watched, o->station_id);
      if (w == NULL)
        {
          /* Nothing is known of a station until it is seen up. */
          if (o->revoked
              || (!o->connected && !(missed_link && o->connected_since >= self->started)))
            continue;
          w = g_new0 (Watched, 1);
          g_hash_table_insert (self->watched, g_strdup (o->station_id), w);
          w->up = TRUE;
        }
      w->present = TRUE;

      if (o->connected && !o->revoked)
        {
          if (!w->up && w->announced)
            g_ptr_array_add (alerts, alert_new (TR_LINK_ALERT_BACK, o, o->connected_since,
                                                MAX (0, o->connected_since - w->down_since)));
          w->up = TRUE;
          w->announced = FALSE;
          w->quiet = FALSE;
          continue;
        }

      if (!w->up && missed_link && o->connected_since > w->down_since)
        {
          if (w->announced && !o->revoked)
            g_ptr_array_add (alerts, alert_new (TR_LINK_ALERT_BACK, o, o->connected_since,
                                                o->connected_since - w->down_since));
          w->up = TRUE;
        }
      if (w->up)
        {
          w->up = FALSE;
          w->down_since = o->connected ? now : o->last_seen;
          w->announced = FALSE;
          w->quiet = tr_link_alerts_is_clean_leave (o->close_code);
        }
      /* Revoked while down, announced or not: it is not coming back. */
      if (o->revoked)
        w->quiet = TRUE;
      if (!w->quiet && !w->announced && now - w->down_since >= self->threshold_ms)
        {
          w->announced = TRUE;
          g_ptr_array_add (alerts, alert_new (TR_LINK_ALERT_OFFLINE, o, w->down_since, 0));
        }
    }

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&w))
    if (!w->present)
      g_hash_table_iter_remove (&iter);

  return alerts;
}

GPtrArray *
tr_link_alerts_check_stations (TrLinkAlerts *self, GPtrArray *stations, const char *const *skip,
                               gint64 now)
{
  g_autoptr (GArray) observations
    = g_array_sized_new (FALSE, TRUE, sizeof (TrLinkObservation), stations->len);

  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = stations->pdata[i];
      TrLinkObservation o = {
        .station_id = info->station_id,
        .name = info->name,
        .connected = info->connected,
        .last_seen = info->last_seen,
        .connected_since = info->connected_since,
        .close_code = info->close_code,
        .revoked = info->revoked,
      };

      if (skip != NULL && g_strv_contains (skip, info->station_id))
        continue;
      g_array_append_val (observations, o);
    }
  return tr_link_alerts_check (self, (const TrLinkObservation *)(void *)observations->data,
                               observations->len, now);
}

gint64
tr_link_alerts_next_due (TrLinkAlerts *self)
{
  GHashTableIter iter;
  Watched *w;
  gint64 due = -1;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&w))
    if (!w->up && !w->quiet && !w->announced)
      {
        gint64 at = w->down_since + self->threshold_ms;

        if (due < 0 || at < due)
          due = at;
      }
  return due;
}
