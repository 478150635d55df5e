/* tr-station-printers.c: what the app asks of the kitchen printers
 *
 * On a host, in process (TrHost); on a client, over HTTP with the
 * station's token (tr-client-print.c). Configuration and test pages are
 * the host's only: the Preferences page of a client shows none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-station"

#include "config.h"

#include "tr-station.h"

#include "tr-error.h"

static void
reprinted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  guint n = 0;
  gboolean ok = TR_IS_HOST (source) ? tr_host_reprint_finish (TR_HOST (source), result, &n, &error)
                                    : tr_client_reprint_finish (TR_CLIENT (source), result, &n,
                                                                &error);

  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

void
tr_station_reprint_async (TrStation *self, const char *ticket_id, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (TR_IS_STATION (self));
  g_return_if_fail (ticket_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_station_reprint_async);
  if (tr_station_get_mode (self) == TR_STATION_MODE_HOST)
    tr_host_reprint_async (tr_station_get_host (self), ticket_id, cancellable, reprinted_cb, task);
  else
    tr_client_reprint_async (tr_station_get_client (self), ticket_id, cancellable, reprinted_cb,
                             task);
}

gboolean
tr_station_reprint_finish (TrStation *self, GAsyncResult *result, guint *out_n_printers,
                           GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return tr_printer_reprint_task_finish (G_TASK (result), out_n_printers, error);
}

GPtrArray *
tr_station_list_printers (TrStation *self)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);

  if (tr_station_get_mode (self) == TR_STATION_MODE_HOST)
    return tr_host_list_printers (tr_station_get_host (self));
  return g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_info_free);
}

static void
test_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (tr_host_print_test_page_finish (TR_HOST (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tr_station_print_test_page_async (TrStation *self, const char *name, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (TR_IS_STATION (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_station_print_test_page_async);
  if (tr_station_get_mode (self) != TR_STATION_MODE_HOST)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID,
                               "printers are set up on the host station");
      g_object_unref (task);
      return;
    }
  tr_host_print_test_page_async (tr_station_get_host (self), name, cancellable, test_page_cb,
                                 task);
}

gboolean
tr_station_print_test_page_finish (TrStation *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
