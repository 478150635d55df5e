/* tr-client-print.c: the host's printers, asked by a station that follows it
 *
 * A Reprint on a kitchen card of a client station goes to the host as
 * POST /api/v1/tickets/{id}/reprint with the station's own token, as
 * ticketrail-ctl reprint does; a board's token is refused there (403).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client-private.h"
#include "tr-codec.h"
#include "tr-error.h"
#include "tr-printer.h"

#define PRINT_TIMEOUT_S 15

static void
on_reprint_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = _tr_client_get_finish (TR_CLIENT (source), result, &error);
  g_autoptr (JsonNode) root = NULL;
  JsonNode *printers;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  root = tr_json_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || !(printers = json_object_get_member (json_node_get_object (root), "printers"))
      || !JSON_NODE_HOLDS_VALUE (printers) || json_node_get_value_type (printers) != G_TYPE_INT64
      || json_node_get_int (printers) < 0)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_PROTOCOL,
                               "the host's answer to a reprint is not {\"printers\": N}");
      return;
    }
  g_task_return_int (task, (gssize)MIN (json_node_get_int (printers), G_MAXINT));
}

void
tr_client_reprint_async (TrClient *self, const char *ticket_id, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (TR_IS_CLIENT (self));
  g_return_if_fail (ticket_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_client_reprint_async);
  escaped = g_uri_escape_string (ticket_id, NULL, FALSE);
  path = g_strdup_printf ("/api/v1/tickets/%s/reprint", escaped);
  _tr_client_request_async (self, SOUP_METHOD_POST, path, PRINT_TIMEOUT_S, cancellable,
                            on_reprint_read, task);
}

/* ---- The host's printer count while polling (issue 13) ---- */

/* No GTask here: a request in flight must not keep a stopped client
 * alive. Cancelled (the client stopped, disposed or left polling), the
 * callback touches nothing. */
static void
on_health_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
    = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr (JsonNode) root = NULL;
  TrClient *self;
  JsonNode *printers;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  g_clear_object (&self->printers_cancellable);
  /* A failed check is the polling's to report; this only keeps the
   * last count. */
  if (body == NULL)
    return;
  root = tr_json_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  printers = json_object_get_member (json_node_get_object (root), "printers");
  /* As in a pong: absent or odd keeps what is known. */
  if (printers != NULL && JSON_NODE_HOLDS_VALUE (printers)
      && json_node_get_value_type (printers) == G_TYPE_INT64 && json_node_get_int (printers) >= 0)
    _tr_client_note_host_printers (self, (int)MIN (json_node_get_int (printers), G_MAXINT));
}

static gboolean
poll_printers (gpointer user_data)
{
  TrClient *self = user_data;
  g_autofree char *url = NULL;
  g_autoptr (SoupMessage) msg = NULL;

  /* One at a time: a slow host gets no pile of health checks. */
  if (self->printers_cancellable != NULL)
    return G_SOURCE_CONTINUE;
  url = _tr_client_make_url (self, "/api/v1/health");
  if (url == NULL || !(msg = soup_message_new (SOUP_METHOD_GET, url)))
    return G_SOURCE_CONTINUE;
  self->printers_cancellable = g_cancellable_new ();
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    self->printers_cancellable, on_health_read, self);
  return G_SOURCE_CONTINUE;
}

void
_tr_client_printers_stop (TrClient *self)
{
  _tr_client_clear_source (&self->printers_poll);
  if (self->printers_cancellable != NULL)
    g_cancellable_cancel (self->printers_cancellable);
  g_clear_object (&self->printers_cancellable);
}

void
_tr_client_printers_on_state (TrClient *self)
{
  gboolean polling = tr_client_get_state (self) == TR_CLIENT_STATE_ONLINE_POLLING;

  if (polling == (self->printers_poll != NULL))
    return;
  if (!polling)
    {
      _tr_client_printers_stop (self);
      return;
    }
  /* Polling has no pongs: health says it as often as a pong would. */
  self->printers_poll
    = _tr_client_add_timeout (self, MAX (self->heartbeat_interval, 1000u), poll_printers);
  poll_printers (self);
}

void
_tr_client_note_host_printers (TrClient *self, int printers)
{
  printers = MAX (printers, -1);
  if (self->host_printers == printers)
    return;
  self->host_printers = printers;
  g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_HOST_PRINTERS]);
}

int
tr_client_get_host_printers (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), -1);
  return self->host_printers;
}

gboolean
tr_client_reprint_finish (TrClient *self, GAsyncResult *result, guint *out_n_printers,
                          GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return tr_printer_reprint_task_finish (G_TASK (result), out_n_printers, error);
}

static void
on_printers_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = _tr_client_get_finish (TR_CLIENT (source), result, &error);
  GPtrArray *infos;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  infos = tr_printer_infos_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body),
                                  &error);
  if (infos == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, infos, (GDestroyNotify)g_ptr_array_unref);
}

void
tr_client_list_printers_async (TrClient *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (TR_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_client_list_printers_async);
  _tr_client_get_async (self, "/api/v1/printers", PRINT_TIMEOUT_S, cancellable, on_printers_read,
                        task);
}

GPtrArray *
tr_client_list_printers_finish (TrClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
