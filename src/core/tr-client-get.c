/* tr-client-get.c: reading from the host with this station's token
 *
 * A station that follows a host has only the tickets; what else a view
 * shows (the speed-of-service figures, tr-client-stats.c; the roster a
 * front-of-house screen watches for dropped screens, here) it asks the
 * host over HTTP with its own token, as ticketrail-ctl does. The link's
 * own session is used, so a pinned certificate is checked the same way;
 * each request has its own timeout, so a view whose host went away hears
 * so in seconds rather than after TCP's minutes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client-private.h"
#include "tr-codec.h"
#include "tr-error.h"
#include "tr-roster-json.h"

/* The roster is small and read often: an answer slower than this is a
 * host in trouble, and the next read will ask again. */
#define ROSTER_TIMEOUT_S 10

typedef struct
{
  GCancellable *request; /* the HTTP request's: the caller's, or the timeout, cancel it */
  GCancellable *caller;  /* or NULL */
  gulong caller_id;
  GSource *timeout;
  guint timeout_s;
  gboolean timed_out;
} GetRequest;

static void
get_request_free (gpointer data)
{
  GetRequest *request = data;

  if (request->caller != NULL)
    g_cancellable_disconnect (request->caller, request->caller_id);
  g_clear_object (&request->caller);
  if (request->timeout != NULL)
    g_source_destroy (request->timeout);
  g_clear_pointer (&request->timeout, g_source_unref);
  g_clear_object (&request->request);
  g_free (request);
}

static void
on_caller_cancelled (GCancellable *caller, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
on_timeout (gpointer user_data)
{
  GetRequest *request = user_data;

  request->timed_out = TRUE;
  g_cancellable_cancel (request->request);
  return G_SOURCE_REMOVE;
}

/* The refusal the host's error body gives ({"error":{"code","message"}}),
 * by HTTP status. */
static GError *
refusal_error (guint status, GBytes *body)
{
  g_autoptr (JsonNode) root = NULL;
  const char *message = NULL;
  TrErrorCode code;

  root = tr_json_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonNode *error = json_object_get_member (json_node_get_object (root), "error");

      if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
        message = json_object_get_string_member_with_default (json_node_get_object (error),
                                                              "message", NULL);
    }
  switch (status)
    {
      case SOUP_STATUS_UNAUTHORIZED:
        code = TR_ERROR_UNAUTHORIZED;
        break;
      case SOUP_STATUS_FORBIDDEN:
        code = TR_ERROR_FORBIDDEN;
        break;
      case 429:
        code = TR_ERROR_LIMIT;
        break;
      default:
        code = TR_ERROR_PROTOCOL;
        break;
    }
  return g_error_new (TR_ERROR, code, "HTTP %u: %s", status,
                      message != NULL ? message : soup_status_get_phrase (status));
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GetRequest *request = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
    = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (body == NULL)
    {
      if (request->timed_out)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                 "the host did not answer in %u s", request->timeout_s);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_task_return_error (task, refusal_error (soup_message_get_status (msg), body));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify)g_bytes_unref);
}

void
_tr_client_get_async (TrClient *self, const char *path, guint timeout_s, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  _tr_client_request_async (self, SOUP_METHOD_GET, path, timeout_s, cancellable, callback,
                            user_data);
}

void
_tr_client_request_async (TrClient *self, const char *method, const char *path, guint timeout_s,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  GetRequest *request;
  const char *token;

  g_return_if_fail (TR_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _tr_client_get_async);
  url = _tr_client_make_url (self, path);
  if (url == NULL || !(msg = soup_message_new (method, url)))
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID, "not a valid host URL: %s",
                               self->host_url ? self->host_url : "");
      return;
    }
  _tr_client_add_auth (self, msg);
  /* A client not started yet has not read its token from the store. */
  token = tr_store_get_station_token (self->store);
  if ((self->token == NULL || *self->token == '\0') && token != NULL && *token != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }

  request = g_new0 (GetRequest, 1);
  request->request = g_cancellable_new ();
  request->timeout_s = timeout_s;
  if (cancellable != NULL)
    {
      request->caller = g_object_ref (cancellable);
      request->caller_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                  g_object_ref (request->request), g_object_unref);
    }
  request->timeout = g_timeout_source_new_seconds (timeout_s);
  g_source_set_callback (request->timeout, on_timeout, request, NULL);
  g_source_attach (request->timeout, g_main_context_get_thread_default ());
  g_task_set_task_data (task, request, get_request_free);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, request->request,
                                    on_read, g_steal_pointer (&task));
}

GBytes *
_tr_client_get_finish (TrClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- GET /api/v1/stations ---- */

static void
on_roster_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = _tr_client_get_finish (TR_CLIENT (source), result, &error);
  TrRoster *roster;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  roster = tr_roster_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), &error);
  if (roster == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, roster, (GDestroyNotify)tr_roster_free);
}

void
tr_client_get_roster_async (TrClient *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task;

  g_return_if_fail (TR_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_client_get_roster_async);
  _tr_client_get_async (self, "/api/v1/stations", ROSTER_TIMEOUT_S, cancellable, on_roster_read,
                        task);
}

TrRoster *
tr_client_get_roster_finish (TrClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
