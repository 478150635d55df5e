/* tr-client-stats.c: speed of service, asked of the host
 *
 * A station that follows a host has only the tickets, not the timings
 * the figures come from: it asks GET /api/v1/stats with its own token
 * (tr-client-get.c), as ticketrail-ctl stats does, and reads the answer
 * with the decoder the host's encoder is tested against
 * (tr-service-json.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client-private.h"
#include "tr-error.h"
#include "tr-service-json.h"

#define STATS_TIMEOUT_S 20

static void
on_stats_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = _tr_client_get_finish (TR_CLIENT (source), result, &error);
  TrServiceReport *report;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  report = tr_service_report_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body),
                                    &error);
  if (report == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, report, (GDestroyNotify)tr_service_report_free);
}

void
tr_client_get_stats_async (TrClient *self, gint64 from, gint64 to, guint warn_minutes,
                           guint late_minutes, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (TR_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_client_get_stats_async);
  path = g_strdup_printf ("/api/v1/stats?from=%" G_GINT64_FORMAT "&to=%" G_GINT64_FORMAT
                          "&warn_minutes=%u&late_minutes=%u",
                          from, to, warn_minutes, late_minutes);
  _tr_client_get_async (self, path, STATS_TIMEOUT_S, cancellable, on_stats_read, task);
}

TrServiceReport *
tr_client_get_stats_finish (TrClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
