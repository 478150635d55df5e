/* tr-station.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-station"

#include "tr-station.h"

#include "tr-error.h"
#include "tr-store-training.h"

struct _TrStation
{
  GObject parent_instance;

  TrStationMode mode;
  /* What the station reads: its own station.db, or on a host a
   * read-only connection to host.db (the host keeps the writing one). */
  TrStore *store;
  TrHost *host;
  TrClient *client;
  /* Host mode: ticket id → InFlight, for the tickets this station's own
   * ops are on their way to the writer for. */
  GHashTable *in_flight;
  guint n_in_flight;
  /* Host mode: serving training.db rather than host.db. */
  gboolean training;
  /* "can-reprint" as last notified (issue 13). */
  gboolean can_reprint;
};

/* A ticket as this station's ops in flight will leave it: the next op
 * on it is checked against that, as a client checks against its
 * optimistic state, so that a bump and a second tap in quick succession
 * are judged in order. */
typedef struct
{
  TrTicket *ticket;
  guint n_ops;
} InFlight;

static void
in_flight_free (gpointer data)
{
  InFlight *in_flight = data;

  g_clear_pointer (&in_flight->ticket, tr_ticket_free);
  g_free (in_flight);
}

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
  PROP_TRAINING,
  PROP_CAN_REPRINT,
  N_PROPS
};

enum
{
  OP_REJECTED,
  TICKET_CHANGED,
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
  g_clear_pointer (&self->in_flight, g_hash_table_unref);

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
      case PROP_TRAINING:
        g_value_set_boolean (value, tr_station_is_training (self));
        break;
      case PROP_CAN_REPRINT:
        g_value_set_boolean (value, self->can_reprint);
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

  properties[PROP_MODE]
    = g_param_spec_int ("mode", NULL, NULL, TR_STATION_MODE_HOST, TR_STATION_MODE_CLIENT,
                        TR_STATION_MODE_HOST, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, TR_TYPE_STORE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST] = g_param_spec_object ("host", NULL, NULL, TR_TYPE_HOST,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, TR_TYPE_CLIENT,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATION_ID] = g_param_spec_string ("station-id", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINK_STATE] = g_param_spec_int (
    "link-state", NULL, NULL, TR_CLIENT_STATE_OFFLINE, TR_CLIENT_STATE_ONLINE_POLLING,
    TR_CLIENT_STATE_OFFLINE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TRAINING]
    = g_param_spec_boolean ("training", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REPRINT]
    = g_param_spec_boolean ("can-reprint", NULL, NULL, TRUE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OP_REJECTED]
    = g_signal_new ("op-rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  signals[TICKET_CHANGED]
    = g_signal_new ("ticket-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
tr_station_init (TrStation *self)
{
  self->can_reprint = TRUE;
}

/* Host mode: its own host has a printer that takes a reprint. A
 * client: its host did not say it has none (-1, unknown, keeps an older
 * host's Reprint). */
static gboolean
compute_can_reprint (TrStation *self)
{
  if (self->mode == TR_STATION_MODE_HOST)
    return self->host != NULL && tr_host_count_reprint_printers (self->host) > 0;
  return self->client == NULL || tr_client_get_host_printers (self->client) != 0;
}

/* The host's "printers-changed" comes for every state change of a
 * printer too: notify only when the answer changes. */
static void
update_can_reprint (TrStation *self)
{
  gboolean can = compute_can_reprint (self);

  if (can == self->can_reprint)
    return;
  self->can_reprint = can;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REPRINT]);
}

static void
on_client_state_notify (TrStation *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK_STATE]);
}

static void
on_client_training_notify (TrStation *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINING]);
}

static void
on_client_op_rejected (TrStation *self, const char *op_id, const char *code, const char *message)
{
  g_signal_emit (self, signals[OP_REJECTED], 0, op_id, code, message);
}

static void
on_ticket_changed (TrStation *self, const char *ticket_id)
{
  g_signal_emit (self, signals[TICKET_CHANGED], 0, ticket_id);
}

/* The host announces each commit on its own main context with the events
 * it made; a ticket changed twice in one commit is announced once. */
static void
on_host_events_committed (TrStation *self, GPtrArray *events)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < events->len; i++)
    {
      const TrEvent *event = g_ptr_array_index (events, i);
      const char *ticket_id = event->ticket != NULL ? event->ticket->id : NULL;

      if (ticket_id != NULL && g_hash_table_add (seen, (gpointer)ticket_id))
        on_ticket_changed (self, ticket_id);
    }
}

static char *
store_path (const char *data_dir, const char *file_name)
{
  g_autofree char *dir = data_dir ? g_strdup (data_dir) : tr_store_default_dir ();

  return g_build_filename (dir, file_name, NULL);
}

TrStation *
tr_station_new_host (const char *data_dir, guint port, gboolean loopback_only, GError **error)
{
  return tr_station_new_host_full (data_dir, port, loopback_only, FALSE, error);
}

TrStation *
tr_station_new_host_full (const char *data_dir, guint port, gboolean loopback_only,
                          gboolean training, GError **error)
{
  g_autoptr (TrStation) self = NULL;
  g_autoptr (TrStore) store = NULL;
  g_autofree char *path
    = store_path (data_dir, training ? TR_STORE_TRAINING_FILE : TR_STORE_HOST_FILE);

  /* The writing connection goes to the host, its one owner. */
  store = tr_store_open (path, TR_STORE_DURABILITY_FULL, error);
  if (store == NULL)
    return NULL;
  if (training)
    {
      g_autofree char *live_path = store_path (data_dir, TR_STORE_HOST_FILE);

      /* Before the host owns the store: paired stations follow the host
       * into training with the tokens they have. host.db is only read. */
      if (!tr_store_copy_pairings (store, live_path, error))
        return NULL;
    }

  self = g_object_new (TR_TYPE_STATION, NULL);
  self->mode = TR_STATION_MODE_HOST;
  self->training = training;
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, in_flight_free);
  self->host = tr_host_new (store);
  g_object_set (self->host, "port", port, "loopback-only", loopback_only, "training", training,
                NULL);

  /* Opened after the writer has created and migrated the file. */
  self->store = tr_store_open_readonly (path, error);
  if (self->store == NULL)
    return NULL;

  /* The host's writer thread owns its store; commits reach this thread
   * as events on the host's main context. */
  g_signal_connect_object (self->host, "events-committed", G_CALLBACK (on_host_events_committed),
                           self, G_CONNECT_SWAPPED);

  if (!tr_host_start (self->host, error))
    return NULL;
  g_signal_connect_object (self->host, "printers-changed", G_CALLBACK (update_can_reprint), self,
                           G_CONNECT_SWAPPED);
  self->can_reprint = compute_can_reprint (self);
  return g_steal_pointer (&self);
}

TrStation *
tr_station_new_client (const char *data_dir, const char *host_url, const char *station_name,
                       const char *role, GError **error)
{
  g_autoptr (TrStation) self = NULL;
  g_autoptr (TrStore) store = NULL;
  g_autofree char *path = store_path (data_dir, TR_STORE_STATION_FILE);

  store = tr_store_open (path, TR_STORE_DURABILITY_NORMAL, error);
  if (store == NULL)
    return NULL;

  self = g_object_new (TR_TYPE_STATION, NULL);
  self->mode = TR_STATION_MODE_CLIENT;
  self->store = g_steal_pointer (&store);
  g_signal_connect_object (self->store, "ticket-changed", G_CALLBACK (on_ticket_changed), self,
                           G_CONNECT_SWAPPED);
  self->client = tr_client_new (self->store, host_url, station_name, role);
  g_signal_connect_object (self->client, "notify::state", G_CALLBACK (on_client_state_notify), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "op-rejected", G_CALLBACK (on_client_op_rejected), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "notify::host-training",
                           G_CALLBACK (on_client_training_notify), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "notify::host-printers", G_CALLBACK (update_can_reprint),
                           self, G_CONNECT_SWAPPED);
  tr_client_start (self->client);
  tr_station_follow_start (self);
  return g_steal_pointer (&self);
}

gboolean
tr_station_get_can_reprint (TrStation *self)
{
  g_return_val_if_fail (TR_IS_STATION (self), FALSE);
  return self->can_reprint;
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

gboolean
tr_station_is_training (TrStation *self)
{
  gboolean training = FALSE;

  g_return_val_if_fail (TR_IS_STATION (self), FALSE);

  if (self->mode == TR_STATION_MODE_HOST)
    return self->training;
  if (self->client != NULL)
    g_object_get (self->client, "host-training", &training, NULL);
  return training;
}

static void
on_training_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (tr_host_clear_tickets_finish (TR_HOST (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tr_station_clear_training_async (TrStation *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TR_IS_STATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_station_clear_training_async);
  if (self->mode != TR_STATION_MODE_HOST || !self->training || self->host == NULL)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID,
                               "Only a host in training can clear training tickets");
      return;
    }
  /* The host's writer empties the file: it stays the one writer. The
   * host still serves the old history until it is restarted. */
  tr_host_clear_tickets_async (self->host, cancellable, on_training_cleared,
                               g_steal_pointer (&task));
}

gboolean
tr_station_clear_training_finish (TrStation *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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

void
tr_station_set_timeouts (TrStation *self, const TrTimeouts *timeouts)
{
  TrTimeouts fit;

  g_return_if_fail (TR_IS_STATION (self));
  g_return_if_fail (timeouts != NULL);

  fit = *timeouts;
  tr_timeouts_clamp (&fit);
  /* Only the dead timeout and the backoff's ceiling; the backoff's
   * floor and the WebSocket retry while polling stay as they are. */
  if (self->client != NULL)
    g_object_set (self->client, "heartbeat-interval", fit.heartbeat_interval_ms, "dead-timeout",
                  fit.dead_timeout_ms, "backoff-max", fit.backoff_max_ms, "websocket-failures",
                  fit.websocket_failures, NULL);
  if (self->host != NULL)
    g_object_set (self->host, "heartbeat-timeout", fit.host_heartbeat_timeout_ms, "hello-timeout",
                  fit.hello_timeout_ms, NULL);
}

/* An op the host took (now or the first time it saw it) is TRUE. */
static gboolean
outcome_check (const TrOutcome *outcome, GError **error)
{
  TrErrorCode code = TR_ERROR_INVALID;

  if (outcome->result == TR_APPLY_APPLIED
      || (outcome->result == TR_APPLY_DUPLICATE && outcome->original == TR_APPLY_APPLIED))
    return TRUE;

  tr_error_code_from_string (outcome->error_code, &code);
  g_set_error_literal (error, TR_ERROR, code,
                       outcome->error_message ? outcome->error_message : "rejected");
  return FALSE;
}

typedef struct
{
  TrStation *station;
  char *op_id;
  char *ticket_id;
} HostSubmit;

static void
host_submit_free (HostSubmit *submit)
{
  g_object_unref (submit->station);
  g_free (submit->op_id);
  g_free (submit->ticket_id);
  g_free (submit);
}

static void
host_submit_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HostSubmit *submit = user_data;
  TrStation *self = submit->station;
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;
  InFlight *in_flight;

  outcomes = tr_host_submit_ops_finish (TR_HOST (source), result, &error);
  if (outcomes != NULL && outcomes->len == 1)
    outcome_check (g_ptr_array_index (outcomes, 0), &error);
  else if (outcomes != NULL)
    g_set_error_literal (&error, TR_ERROR, TR_ERROR_STORE, "no outcome for the op");

  self->n_in_flight--;
  in_flight = self->in_flight ? g_hash_table_lookup (self->in_flight, submit->ticket_id) : NULL;
  if (in_flight != NULL && --in_flight->n_ops == 0)
    g_hash_table_remove (self->in_flight, submit->ticket_id);
  /* What was checked here against the ops before it did not hold on the
   * host (another station got there first, or the disk failed): the
   * ticket's next ops are judged against what the host has. */
  if (error != NULL)
    {
      if (self->in_flight != NULL)
        g_hash_table_remove (self->in_flight, submit->ticket_id);
      g_signal_emit (
        self, signals[OP_REJECTED], 0, submit->op_id,
        tr_error_code_to_string (error->domain == TR_ERROR ? error->code : TR_ERROR_STORE),
        error->message);
    }
  host_submit_free (submit);
}

/* Host mode: checked at once against the ticket as it will be, then
 * handed to the host's writer; the loop never waits for the disk. */
static gboolean
host_submit (TrStation *self, const TrOp *op, GError **error)
{
  InFlight *in_flight = g_hash_table_lookup (self->in_flight, op->ticket_id);
  g_autoptr (TrTicket) confirmed = NULL;
  const TrTicket *current = NULL;
  TrApplyContext ctx = { 0, g_get_real_time () / 1000, 0 };
  g_autoptr (TrEvent) event = NULL;
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  HostSubmit *submit;

  if (in_flight != NULL)
    current = in_flight->ticket;
  else
    {
      GError *local_error = NULL;

      confirmed = tr_store_get_ticket (self->store, op->ticket_id, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      current = confirmed;
    }
  event = tr_op_apply (op, current, &ctx, error);
  if (event == NULL)
    return FALSE;

  if (in_flight == NULL)
    {
      in_flight = g_new0 (InFlight, 1);
      g_hash_table_insert (self->in_flight, g_strdup (op->ticket_id), in_flight);
    }
  g_clear_pointer (&in_flight->ticket, tr_ticket_free);
  in_flight->ticket = g_steal_pointer (&event->ticket);
  in_flight->n_ops++;

  submit = g_new0 (HostSubmit, 1);
  submit->station = g_object_ref (self);
  submit->op_id = g_strdup (op->op_id);
  submit->ticket_id = g_strdup (op->ticket_id);
  g_ptr_array_add (ops, tr_op_copy (op));
  self->n_in_flight++;
  tr_host_submit_ops_async (self->host, ops, NULL, host_submit_done_cb, submit);
  return TRUE;
}

guint
tr_station_get_n_ops_in_flight (TrStation *self)
{
  g_return_val_if_fail (TR_IS_STATION (self), 0);
  return self->n_in_flight;
}

gboolean
tr_station_submit (TrStation *self, const TrOp *op, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), FALSE);
  g_return_val_if_fail (op != NULL, FALSE);

  if (self->mode == TR_STATION_MODE_CLIENT)
    return tr_client_submit (self->client, op, error);
  return host_submit (self, op, error);
}

static void
host_ops_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GPtrArray) outcomes = NULL;
  GError *error = NULL;

  outcomes = tr_host_submit_ops_finish (TR_HOST (source), result, &error);
  if (outcomes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < outcomes->len; i++)
    if (!outcome_check (g_ptr_array_index (outcomes, i), &error))
      {
        g_task_return_error (task, error);
        return;
      }
  g_task_return_boolean (task, TRUE);
}

void
tr_station_submit_ops_async (TrStation *self, GPtrArray *ops, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TR_IS_STATION (self));
  g_return_if_fail (ops != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_station_submit_ops_async);

  if (self->mode == TR_STATION_MODE_HOST)
    {
      tr_host_submit_ops_async (self->host, ops, cancellable, host_ops_done_cb,
                                g_steal_pointer (&task));
      return;
    }

  /* Each op is applied locally and queued in its own transaction, as if
   * tapped in turn; the client sends the outbox in order. */
  for (guint i = 0; i < ops->len; i++)
    {
      GError *error = NULL;

      if (!tr_client_submit (self->client, g_ptr_array_index (ops, i), &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

gboolean
tr_station_submit_ops_finish (TrStation *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tr_station_submit_ops_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

TrTicket *
tr_station_get_ticket (TrStation *self, const char *ticket_id, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);
  g_return_val_if_fail (ticket_id != NULL, NULL);

  return tr_store_get_ticket (self->store, ticket_id, error);
}

GPtrArray *
tr_station_list_tickets (TrStation *self, gboolean open_only, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);

  return tr_store_list_tickets (self->store, open_only, NULL, error);
}

GPtrArray *
tr_station_list_recent_tickets (TrStation *self, gint64 since, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);

  return tr_store_list_recent_tickets (self->store, since, error);
}

GPtrArray *
tr_station_list_outbox (TrStation *self, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);

  if (self->mode == TR_STATION_MODE_HOST)
    return g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  return tr_store_outbox_list (self->store, error);
}

char *
tr_station_load_menu (TrStation *self, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);

  return tr_store_get_menu (self->store, error);
}

static void
host_menu_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (tr_host_save_menu_finish (TR_HOST (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tr_station_save_menu_async (TrStation *self, const char *menu_json, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (TR_IS_STATION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_station_save_menu_async);

  if (self->mode == TR_STATION_MODE_HOST)
    {
      tr_host_save_menu_async (self->host, menu_json, cancellable, host_menu_written_cb,
                               g_steal_pointer (&task));
      return;
    }

  /* A station's menu is its own, kept in its own cache file, which no
   * one writes from another thread: a small write in place. */
  if (tr_store_set_menu (self->store, menu_json, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

gboolean
tr_station_save_menu_finish (TrStation *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tr_station_save_menu_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Speed of service ---- */

static void
host_stats_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  TrServiceReport *report = tr_host_get_stats_finish (TR_HOST (source), result, &error);

  if (report != NULL)
    g_task_return_pointer (task, report, (GDestroyNotify)tr_service_report_free);
  else
    g_task_return_error (task, error);
}

static void
client_stats_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  TrServiceReport *report = tr_client_get_stats_finish (TR_CLIENT (source), result, &error);

  if (report != NULL)
    g_task_return_pointer (task, report, (GDestroyNotify)tr_service_report_free);
  else
    g_task_return_error (task, error);
}

void
tr_station_get_stats_async (TrStation *self, gint64 from, gint64 to, guint warn_minutes,
                            guint late_minutes, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TR_IS_STATION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_station_get_stats_async);
  /* The host's own bounds, so that both ways refuse the same. */
  if (warn_minutes < 1 || warn_minutes > 240 || late_minutes < 1 || late_minutes > 240)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID,
                               "warn_minutes, late_minutes: 1 to 240");
      return;
    }
  if (self->mode == TR_STATION_MODE_HOST)
    tr_host_get_stats_async (self->host, from, to, (gint64)warn_minutes * 60000,
                             (gint64)late_minutes * 60000, cancellable, host_stats_cb,
                             g_steal_pointer (&task));
  else
    tr_client_get_stats_async (self->client, from, to, warn_minutes, late_minutes, cancellable,
                               client_stats_cb, g_steal_pointer (&task));
}

TrServiceReport *
tr_station_get_stats_finish (TrStation *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TR_IS_STATION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tr_station_get_stats_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
tr_station_shutdown (TrStation *self)
{
  g_return_if_fail (TR_IS_STATION (self));

  if (self->host != NULL)
    tr_host_stop (self->host);
  tr_station_follow_stop (self);
  if (self->client != NULL)
    tr_client_stop (self->client);
}
