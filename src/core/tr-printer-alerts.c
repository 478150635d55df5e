/* tr-printer-alerts.c: the rules in tr-printer-alerts.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-printer-alerts.h"

typedef struct
{
  gboolean down;
  gint64 down_since; /* valid when down */
  gboolean announced;
  gboolean present; /* in the latest check */
} Watched;

struct _TrPrinterAlerts
{
  gint64 threshold_ms;
  GHashTable *watched; /* name → Watched* */
};

void
tr_printer_alert_free (TrPrinterAlert *alert)
{
  if (alert == NULL)
    return;
  g_free (alert->name);
  g_free (alert);
}

TrPrinterAlerts *
tr_printer_alerts_new (gint64 threshold_ms)
{
  TrPrinterAlerts *self = g_new0 (TrPrinterAlerts, 1);

  self->threshold_ms = MAX (threshold_ms, 0);
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
tr_printer_alerts_free (TrPrinterAlerts *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->watched);
  g_free (self);
}

gint64
tr_printer_alerts_get_threshold (TrPrinterAlerts *self)
{
  return self->threshold_ms;
}

void
tr_printer_alerts_set_threshold (TrPrinterAlerts *self, gint64 threshold_ms)
{
  self->threshold_ms = MAX (threshold_ms, 0);
}

static TrPrinterAlert *
alert_new (const TrPrinterInfo *info, gboolean back, gint64 since, gint64 down_ms)
{
  TrPrinterAlert *alert = g_new0 (TrPrinterAlert, 1);

  alert->back = back;
  alert->name = g_strdup (info->printer->name);
  alert->state = info->state;
  alert->since = since;
  alert->down_ms = down_ms;
  alert->pending_slips = info->pending_slips;
  return alert;
}

GPtrArray *
tr_printer_alerts_check (TrPrinterAlerts *self, GPtrArray *infos, gint64 now)
{
  GPtrArray *alerts = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_alert_free);
  GHashTableIter iter;
  Watched *w;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&w))
    w->present = FALSE;

  for (guint i = 0; infos != NULL && i < infos->len; i++)
    {
      const TrPrinterInfo *info = g_ptr_array_index (infos, i);
      const char *name = info->printer->name;

      w = g_hash_table_lookup (self->watched, name);
      if (w == NULL)
        {
          w = g_new0 (Watched, 1);
          g_hash_table_insert (self->watched, g_strdup (name), w);
        }
      w->present = TRUE;

      if (info->state == TR_PRINTER_STATE_READY)
        {
          if (w->down && w->announced)
            {
              gint64 back_at = info->state_since > 0 ? info->state_since : now;

              g_ptr_array_add (alerts,
                               alert_new (info, TRUE, back_at, MAX (0, back_at - w->down_since)));
            }
          w->down = FALSE;
          w->announced = FALSE;
          continue;
        }
      /* Not reached yet: nothing new is known. */
      if (!tr_printer_state_is_alert (info->state))
        continue;
      if (!w->down)
        {
          w->down = TRUE;
          /* The host's clock says when; a state_since in the future (a
           * clock stepped back) would postpone the alert for ever. */
          w->down_since = info->state_since > 0 ? MIN (info->state_since, now) : now;
          w->announced = FALSE;
        }
      if (!w->announced && now - w->down_since >= self->threshold_ms)
        {
          w->announced = TRUE;
          g_ptr_array_add (alerts, alert_new (info, FALSE, w->down_since, 0));
        }
    }

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&w))
    if (!w->present)
      g_hash_table_iter_remove (&iter);

  return alerts;
}

gint64
tr_printer_alerts_next_due (TrPrinterAlerts *self)
{
  GHashTableIter iter;
  Watched *w;
  gint64 due = -1;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&w))
    if (w->down && !w->announced)
      {
        gint64 at = w->down_since + self->threshold_ms;

        if (due < 0 || at < due)
          due = at;
      }
  return due;
}
