/* tr-station.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-station"

#include "tr-station.h"

#include "tr-error.h"

struct _TrStation
{
  GObject        parent_instance;

  TrStationMode  mode;
  TrStore       *store;
  TrHost        *host;
  TrClient      *client;
};

G_DEFINE_FINAL_TYPE (TrStation, tr_station, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MODE,
  PROP_STORE,
  PROP_HOST,
  PROP_CLIENT,
  PROP_STATION_ID,
  PROP_LINK_STATE,
  N_PROPS
};

enum
{
  OP_REJECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
tr_station_dispose (GObject *object)
{
  TrStation *self = TR_STATION (object);

  tr_station_shutdown (self);
  g_clear_object (&self->host);
  g_clear_object (&self->client);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tr_station_parent_class)->dispose (object);
}

static void
tr_station_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrStation *self = TR_STATION (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_int (value, self->mode);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_HOST:
      g_value_set_object (value, self->host);
      break;
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_STATION_ID:
      g_value_set_string (value, tr_station_get_station_id (self));
      break;
    case PROP_LINK_STATE:
      g_value_set_int (value, tr_station_get_link_state (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_station_class_init (TrStationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_station_dispose;
  object_class->get_property = tr_station_get_property;

  properties[PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL, TR_STATION_MODE_HOST, TR_STATION_MODE_CLIENT,
                      TR_STATION_MODE_HOST, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, TR_TYPE_STORE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST] = g_param_spec_object ("host", NULL, NULL, TR_TYPE_HOST,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, TR_TYPE_CLIENT,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATION_ID] = g_param_spec_string ("station-id", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINK_STATE] =
    g_param_spec_int ("link-state", NULL, NULL, TR_CLIENT_STATE_OFFLINE,
                      TR_CLIENT_STATE_ONLINE_POLLING, TR_CLIENT_STATE_OFFLINE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OP_REJECTED] = g_signal_new ("op-rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING,
                                       G_TYPE_STRING, G_TYPE_STRING);
}

static void
tr_station_init (TrStation *self)
{
}

static void
on_client_state_notify (TrStation *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK_STATE]);
}

static void
on_client_op_rejected (TrStation *self, const char *op_id, const char *code, const char *message)
{
  g_signal_emit (self, signals[OP_REJECTED], 0, op_id, code, message);
}

static TrStore *
open_store (const char *data_dir, const char *file_name, TrStoreDurability durability,
            GError **error)
{
  g_autofree char *dir = data_dir ? g_strdup (data_dir) : tr_store_default_dir ();
  g_autofree char *path = g_build_filename (dir, file_name, NULL);

  return tr_store_open (path, durability, error);
}

TrStation *
tr_station_new_host (const char *data_dir, guint port, gboolean loopback_only, GError **error)
{
  g_autoptr (TrStation) self = NULL;
  g_autoptr (TrStore) store = NULL;

  store = open_store (data_dir, TR_STORE_HOST_FILE, TR_STORE_DURABILITY_FULL, error);
  if (store == NULL)
    return NULL;

  self = g_object_new (TR_TYPE_STATION, NULL);
  self->mode = TR_STATION_MODE_HOST;
  self->store = g_steal_pointer (&store);
  self->host = tr_host_new (self->store);
  g_object_set (self->host, "port", port, "loopback-only", loopback_only, NULL);
  if (!tr_host_start (self->host, error))
    return NULL;
  return g_steal_pointer (&self);
}

TrStation *
tr_station_new_client (const char *data_dir, const char *host_url, const char *station_name,
                       const char *role, GError **error)
{
  g_autoptr (TrStation) self = NULL;
  g_autoptr (TrStore) store = NULL;

  store = open_store (data_dir, TR_STORE_STATION_FILE, TR_STORE_DURABILITY_NORMAL, error);
  if (store == NULL)
    return NULL;

  self = g_object_new (TR_TYPE_STATION, NULL);
  self->mode = TR_STATION_MODE_CLIENT;
  self->store = g_steal_pointer (&store);
  self->client = tr_client_new (self->store, host_url, station_name, role);
  g_signal_connect_object (self->client, "notify::state", G_CALLBACK (on_client_state_notify),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "op-rejected", G_CALLBACK (on_client_op_rejected), self,
                           G_CONNECT_SWAPPED);
  tr_client_start (self->client);
  return g_steal_pointer (&self);
}

TrStationMode
tr_station_get_mode (TrStation *self)
{
  g_return_val_if_fail (TR_IS_STATION (self), TR_STATION_MODE_HOST);
  return self->mode;
}

TrStore *
tr_station_get_store (TrStation *self)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);
  return self->store;
}

TrHost *
tr_station_get_host (TrStation *self)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);
  return self->host;
}

TrClient *
tr_station_get_client (TrStation *self)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);
  return self->client;
}

const char *
tr_station_get_station_id (TrStation *self)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);
  /* Both the host and a client sign their ops with their database's id,
   * which is stable across restarts and unique per device. */
  return self->store ? tr_store_get_db_id (self->store) : NULL;
}

TrClientState
tr_station_get_link_state (TrStation *self)
{
  g_return_val_if_fail (TR_IS_STATION (self), TR_CLIENT_STATE_OFFLINE);

  if (self->mode == TR_STATION_MODE_HOST)
    return self->host && tr_host_is_running (self->host) ? TR_CLIENT_STATE_ONLINE_WEBSOCKET
                                                         : TR_CLIENT_STATE_OFFLINE;
  return self->client ? tr_client_get_state (self->client) : TR_CLIENT_STATE_OFFLINE;
}

gboolean
tr_station_submit (TrStation *self, const TrOp *op, GError **error)
{
  g_autoptr (TrOutcome) outcome = NULL;
  TrErrorCode code = TR_ERROR_INVALID;

  g_return_val_if_fail (TR_IS_STATION (self), FALSE);
  g_return_val_if_fail (op != NULL, FALSE);

  if (self->mode == TR_STATION_MODE_CLIENT)
    return tr_client_submit (self->client, op, error);

  outcome = tr_host_submit_op (self->host, op, error);
  if (outcome == NULL)
    return FALSE;
  if (outcome->result == TR_APPLY_APPLIED ||
      (outcome->result == TR_APPLY_DUPLICATE && outcome->original == TR_APPLY_APPLIED))
    return TRUE;

  tr_error_code_from_string (outcome->error_code, &code);
  g_set_error_literal (error, TR_ERROR, code,
                       outcome->error_message ? outcome->error_message : "rejected");
  return FALSE;
}

void
tr_station_shutdown (TrStation *self)
{
  g_return_if_fail (TR_IS_STATION (self));

  if (self->host != NULL)
    tr_host_stop (self->host);
  if (self->client != NULL)
    tr_client_stop (self->client);
}
