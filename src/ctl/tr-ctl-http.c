/* tr-ctl-http.c: HTTP requests to the host, with the global options applied
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-error.h"

SoupSession *
_tr_ctl_session_new (void)
{
  return soup_session_new_with_options ("timeout", (guint)MAX (_tr_ctl_options.timeout, 1),
                                        "user-agent", "ticketrail-ctl/" PACKAGE_VERSION, NULL);
}

char *
_tr_ctl_make_url (const char *path)
{
  const char *base = _tr_ctl_options.host != NULL ? _tr_ctl_options.host : TR_CTL_DEFAULT_HOST;
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int)len, base, path);
}

SoupMessage *
_tr_ctl_message_new (const char *method, const char *path, GError **error)
{
  g_autofree char *url = _tr_ctl_make_url (path);
  SoupMessage *msg = soup_message_new (method, url);

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("not a valid host URL: %s"),
                   _tr_ctl_options.host ? _tr_ctl_options.host : TR_CTL_DEFAULT_HOST);
      return NULL;
    }
  if (_tr_ctl_options.token != NULL && *_tr_ctl_options.token != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", _tr_ctl_options.token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  return msg;
}

/* Sends @method @path with an optional JSON body; returns the parsed
 * JSON of a 2xx answer, else NULL with @error naming the status and the
 * host's message. */
JsonNode *
_tr_ctl_http_json (SoupSession *session, const char *method, const char *path, const char *body,
                   GError **error)
{
  g_autoptr (SoupMessage) msg = _tr_ctl_message_new (method, path, error);
  g_autoptr (GBytes) answer = NULL;
  const char *data;
  gsize size;
  guint status;

  if (msg == NULL)
    return NULL;
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, error);
  if (answer == NULL)
    return NULL;
  data = g_bytes_get_data (answer, &size);
  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autoptr (JsonNode) root = tr_json_parse (data, (gssize)size, NULL);
      const char *message = NULL;

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);
          JsonNode *err = json_object_get_member (object, "error");

          if (err != NULL && JSON_NODE_HOLDS_OBJECT (err))
            object = json_node_get_object (err);
          message = json_object_get_string_member_with_default (object, "message", NULL);
        }
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "HTTP %u %s%s%s", status,
                   soup_message_get_reason_phrase (msg) ? soup_message_get_reason_phrase (msg) : "",
                   message ? ": " : "", message ? message : "");
      return NULL;
    }
  return tr_json_parse (data, (gssize)size, error);
}

void
_tr_ctl_print_json (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* The host's id and head from its health endpoint. */
JsonNode *
_tr_ctl_get_health (SoupSession *session, const char **host_id, gint64 *head_seq, GError **error)
{
  g_autoptr (JsonNode) root
    = _tr_ctl_http_json (session, SOUP_METHOD_GET, "/api/v1/health", NULL, error);
  JsonObject *object;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL,
                           _ ("the health answer is no object"));
      return NULL;
    }
  object = json_node_get_object (root);
  *host_id = json_object_get_string_member_with_default (object, "host_id", NULL);
  *head_seq = json_object_get_int_member_with_default (object, "head_seq", 0);
  if (*host_id == NULL)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL,
                           _ ("the health answer has no host_id: not a Ticketrail host?"));
      return NULL;
    }
  return g_steal_pointer (&root);
}
