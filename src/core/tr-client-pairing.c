/* tr-client-pairing.c: pairing a station with a code, and pinning the
 * host's TLS certificate; the Authorization header
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client.h"
#include "tr-client-private.h"

#include <glib/gi18n-lib.h>

#include <libsoup/soup.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-protocol.h"

static gboolean
refuse_certificate_cb (gpointer user_data)
{
  TrClient *self = user_data;
  const char *message = g_object_get_data (G_OBJECT (self), "tr-refused-certificate");

  if (message != NULL && self->running)
    _tr_client_set_unauthorized (self, "certificate", message);
  return G_SOURCE_REMOVE;
}

/* Over HTTPS the host's certificate is self-signed: what vouches for it
 * is its fingerprint, pinned when the station paired (trust on first
 * use). Before pairing there is nothing to pin, and the pairing answer
 * must then name the certificate this connection saw. */
static gboolean
on_accept_certificate (SoupMessage *msg, GTlsCertificate *certificate, GTlsCertificateFlags errors,
                       gpointer user_data)
{
  TrClient *self = user_data;
  const char *pinned = tr_store_get_host_fingerprint (self->store);
  g_autofree char *seen = tr_tls_certificate_fingerprint (certificate);

  g_object_set_data_full (G_OBJECT (msg), "tr-fingerprint", g_strdup (seen), g_free);
  /* Pairing (again) is a manager's deliberate act with a code from the
   * host; the answer then names the certificate to pin. */
  if (g_object_get_data (G_OBJECT (msg), "tr-pairing") != NULL)
    return TRUE;
  if (pinned == NULL)
    return FALSE;
  if (g_strcmp0 (seen, pinned) == 0)
    return TRUE;
  {
    g_autofree char *message = g_strdup_printf (
      _ (
        "The host's certificate changed (fingerprint %s, paired with %s): refusing it. If the host "
        "was reinstalled, pair this station again; otherwise someone may be impersonating it"),
      /* Translators: in place of a certificate fingerprint. */
      seen ? seen : _ ("unknown"), pinned);

    g_message ("%s", message);
    /* Not from inside libsoup's handshake: it fails on its own once
     * this returns FALSE. */
    g_object_set_data_full (G_OBJECT (self), "tr-refused-certificate", g_steal_pointer (&message),
                            g_free);
    g_idle_add_full (G_PRIORITY_DEFAULT, refuse_certificate_cb, g_object_ref (self),
                     g_object_unref);
  }
  return FALSE;
}

void
_tr_client_add_auth (TrClient *self, SoupMessage *msg)
{
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self, 0);
  if (self->token != NULL && self->token[0] != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", self->token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
}

/* ---- Pairing ---- */

/* Keeps the token the host's answer holds and reconnects with it; FALSE
 * with @error when there is none. */
static gboolean
take_pair_reply (TrClient *self, SoupSession *session, GAsyncResult *result, GError **error)
{
  SoupMessage *msg = soup_session_get_async_result_message (session, result);
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (session, result, error);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object = NULL;
  const char *token, *host_id, *fingerprint;
  guint status;

  if (body == NULL)
    return FALSE;
  status = soup_message_get_status (msg);
  root = tr_json_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    object = json_node_get_object (root);
  if (status != SOUP_STATUS_OK)
    {
      JsonObject *err = object != NULL && json_object_has_member (object, "error")
                            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "error"))
                          ? json_object_get_object_member (object, "error")
                          : NULL;
      const char *message
        = err != NULL ? json_object_get_string_member_with_default (err, "message", NULL) : NULL;

      g_set_error (error, TR_ERROR,
                   status == 429   ? TR_ERROR_LIMIT
                   : status == 401 ? TR_ERROR_UNAUTHORIZED
                                   : TR_ERROR_PROTOCOL,
                   "%s", message ? message : soup_status_get_phrase (status));
      return FALSE;
    }
  token = object ? json_object_get_string_member_with_default (object, "token", NULL) : NULL;
  host_id = object ? json_object_get_string_member_with_default (object, "host_id", NULL) : NULL;
  fingerprint
    = object ? json_object_get_string_member_with_default (object, "fingerprint", NULL) : NULL;
  if (token == NULL || *token == '\0')
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "the host's answer has no token");
      return FALSE;
    }
  /* Over HTTPS, the host names its certificate, and it must be the one
   * this connection saw. */
  if (g_object_get_data (G_OBJECT (msg), "tr-fingerprint") != NULL
      && g_strcmp0 (fingerprint, g_object_get_data (G_OBJECT (msg), "tr-fingerprint")) != 0)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_UNAUTHORIZED,
                   "the host's certificate (%s) is not the one it names (%s)",
                   (char *)g_object_get_data (G_OBJECT (msg), "tr-fingerprint"),
                   fingerprint ? fingerprint : "none");
      return FALSE;
    }
  if (!tr_store_set_station_token (self->store, host_id, token, fingerprint, error))
    return FALSE;
  g_object_set (self, "token", token, NULL);
  /* At once, not after the backoff the refusals built up; a refusal of
   * the old token held meanwhile goes with the old connection. */
  tr_client_refresh (self);
  return TRUE;
}

static void
on_pair_replied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TrClient *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  g_assert (self->pairings > 0);
  self->pairings--;
  if (take_pair_reply (self, SOUP_SESSION (source), result, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* No new token after all: a refusal of the old one held meanwhile
   * stands (the host revoked the station, say). */
  if (self->pairings == 0)
    _tr_client_release_held_refusal (self);
  g_task_return_error (task, g_steal_pointer (&error));
}

void
tr_client_pair_async (TrClient *self, const char *code, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (JsonNode) request = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *url = NULL;
  JsonObject *object, *station;
  char *body;

  g_return_if_fail (TR_IS_CLIENT (self));
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_client_pair_async);
  url = _tr_client_make_url (self, "/api/v1/pair");
  if (!(msg = soup_message_new (SOUP_METHOD_POST, url)))
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID, "not a valid host URL: %s",
                               self->host_url ? self->host_url : "");
      return;
    }
  request = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  station = json_object_new ();
  json_object_set_string_member (object, "code", code);
  json_object_set_string_member (station, "id", self->station_id);
  json_object_set_string_member (station, "name", self->station_name);
  json_object_set_string_member (station, "role", self->role);
  json_object_set_object_member (object, "station", station);
  json_node_take_object (request, object);
  body = tr_json_to_string (request);
  bytes = g_bytes_new_take (body, strlen (body));
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  g_object_set_data (G_OBJECT (msg), "tr-pairing", GINT_TO_POINTER (1));
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self, 0);
  self->pairings++;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    on_pair_replied, g_steal_pointer (&task));
}

gboolean
tr_client_pair_finish (TrClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
