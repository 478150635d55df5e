/* tr-station-standby.c: a native station that is also its host's
 * standby, and every station's fallback address (tr-station-standby.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-station"

#include "config.h"

#include "tr-station-standby.h"

#include <glib/gstdio.h>
#include <errno.h>

#include "tr-error.h"
#include "tr-promotion.h"
#include "tr-standby.h"
#include "tr-store-replica.h"

#define POLL_MS 300

/* What the standby's thread shares with the main context: set by the
 * thread under the mutex, read by the keeper's poll. */
typedef struct
{
  GMutex mutex;
  gint64 head_seq;
  gboolean running; /* paired and following */
  char *failure;
} Shared;

typedef struct _TrStationStandby TrStationStandbyOwner;

/* The standby's thread, its context and loop: handed whole to whoever
 * stops it (the object, or the promotion's task). */
typedef struct
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  TrStationStandbyOwner *owner; /* outlives the thread: joined first */
} Worker;

struct _TrStationStandby
{
  GObject parent_instance;

  TrStation *station; /* not a ref: this lives in the station's data */
  char *data_dir;
  char *standby_dir;
  guint listen_port;

  Worker *worker;        /* the standby's thread, or NULL */
  GTask *pending_invite; /* clearing the old copy for the newest invitation */
  char *pair_url;
  char *pair_code;
  Shared shared;
  TrStandby *thread_standby; /* the thread's own: only it touches this */

  guint poll_id;
  gboolean active;
  gint64 head_seq;

  /* The fallback: the host's address while the link was last up. */
  char *home_url;
  gint64 down_since; /* monotonic ms, 0 while up */
  guint fallback_id;
  guint fallback_delay;
  gulong state_handler;
  gulong invite_handler;
};

enum
{
  PROP_0,
  PROP_ACTIVE,
  PROP_HEAD_SEQ,
  N_PROPS
};

enum
{
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TrStationStandby, tr_station_standby, G_TYPE_OBJECT)

static GQuark
keeper_quark (void)
{
  return g_quark_from_static_string ("tr-station-standby");
}

/* ---- The standby's thread ---- */

static gboolean
publish_cb (gpointer user_data)
{
  TrStationStandby *self = user_data;
  TrStandby *standby = self->thread_standby;

  g_mutex_lock (&self->shared.mutex);
  self->shared.head_seq = tr_standby_get_head_seq (standby);
  g_mutex_unlock (&self->shared.mutex);
  return G_SOURCE_CONTINUE;
}

static void
set_failure (TrStationStandby *self, const char *message)
{
  g_mutex_lock (&self->shared.mutex);
  g_free (self->shared.failure);
  self->shared.failure = g_strdup (message);
  self->shared.running = FALSE;
  g_mutex_unlock (&self->shared.mutex);
}

static gpointer
standby_thread (gpointer data)
{
  Worker *worker = data;
  TrStationStandby *self = worker->owner;
  g_autoptr (TrStandby) standby = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSource) publish = NULL;

  g_main_context_push_thread_default (worker->context);
  /* Made here: its session belongs to this thread's context. */
  standby = tr_standby_new (self->standby_dir);
  tr_standby_set_listen_port (standby, self->listen_port);
  if (self->pair_code != NULL
      && !tr_standby_pair (standby, self->pair_url, self->pair_code, &error))
    {
      g_message ("Becoming the standby failed: %s", error->message);
      set_failure (self, error->message);
      goto out;
    }
  if (!tr_standby_start (standby, &error))
    {
      g_message ("The standby cannot start: %s", error->message);
      set_failure (self, error->message);
      goto out;
    }
  self->thread_standby = standby;
  g_mutex_lock (&self->shared.mutex);
  self->shared.running = TRUE;
  self->shared.head_seq = tr_standby_get_head_seq (standby);
  g_mutex_unlock (&self->shared.mutex);
  publish = g_timeout_source_new (POLL_MS);
  g_source_set_callback (publish, publish_cb, self, NULL);
  g_source_attach (publish, worker->context);
  g_main_loop_run (worker->loop);
  g_source_destroy (publish);
  tr_standby_stop (standby);
  self->thread_standby = NULL;
  g_mutex_lock (&self->shared.mutex);
  self->shared.head_seq = tr_standby_get_head_seq (standby);
  self->shared.running = FALSE;
  g_mutex_unlock (&self->shared.mutex);
out:
  g_clear_object (&standby);
  /* Let the session's last callbacks run on this context. */
  while (g_main_context_iteration (worker->context, FALSE))
    ;
  g_main_context_pop_thread_default (worker->context);
  return NULL;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static Worker *
steal_worker (TrStationStandby *self)
{
  return g_steal_pointer (&self->worker);
}

/* Blocks until the standby's thread ended (its copy closed). */
static void
worker_stop (gpointer data)
{
  Worker *worker = data;

  if (worker == NULL)
    return;
  /* A source, not g_main_loop_quit(): it also ends a loop that has not
   * begun to run yet (the thread may still be pairing or copying). */
  g_main_context_invoke (worker->context, quit_cb, worker->loop);
  g_thread_join (worker->thread);
  g_main_loop_unref (worker->loop);
  g_main_context_unref (worker->context);
  g_free (worker);
}

static void
stop_thread (TrStationStandby *self)
{
  worker_stop (steal_worker (self));
}

static void
start_thread (TrStationStandby *self, const char *pair_url, const char *pair_code)
{
  stop_thread (self);
  g_free (self->pair_url);
  g_free (self->pair_code);
  self->pair_url = g_strdup (pair_url);
  self->pair_code = g_strdup (pair_code);
  g_mutex_lock (&self->shared.mutex);
  g_clear_pointer (&self->shared.failure, g_free);
  g_mutex_unlock (&self->shared.mutex);
  g_mkdir_with_parents (self->standby_dir, 0700);
  self->worker = g_new0 (Worker, 1);
  self->worker->owner = self;
  self->worker->context = g_main_context_new ();
  self->worker->loop = g_main_loop_new (self->worker->context, FALSE);
  self->worker->thread = g_thread_new ("tr-standby", standby_thread, self->worker);
}

static gboolean
poll_cb (gpointer user_data)
{
  TrStationStandby *self = user_data;
  g_autofree char *failure = NULL;
  gboolean active;
  gint64 head;

  g_mutex_lock (&self->shared.mutex);
  active = self->shared.running;
  head = self->shared.head_seq;
  failure = g_steal_pointer (&self->shared.failure);
  g_mutex_unlock (&self->shared.mutex);

  g_object_freeze_notify (G_OBJECT (self));
  if (active != self->active)
    {
      self->active = active;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
    }
  if (head != self->head_seq)
    {
      self->head_seq = head;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEAD_SEQ]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  if (failure != NULL)
    g_signal_emit (self, signals[FAILED], 0, failure);
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  Worker *worker; /* the standby that ran until now, or NULL */
  char *url;
  char *code;
} Invite;

static void
invite_free (gpointer data)
{
  Invite *invite = data;

  worker_stop (invite->worker);
  g_free (invite->url);
  g_free (invite->code);
  g_free (invite);
}

/* Off the loop: the old standby's thread may be in the middle of a copy. */
static void
clear_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  TrStationStandby *self = source;
  Invite *invite = task_data;
  g_autofree char *ini = g_build_filename (self->standby_dir, "standby.ini", NULL);
  g_autofree char *db = g_build_filename (self->standby_dir, "ticketrail.db", NULL);
  const char *suffixes[] = { "", "-wal", "-shm", NULL };

  worker_stop (g_steal_pointer (&invite->worker));
  /* A new pairing: a fresh copy, never one of another host. */
  g_unlink (ini);
  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

      g_unlink (path);
    }
  g_task_return_boolean (task, TRUE);
}

static void
clear_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrStationStandby *self = TR_STATION_STANDBY (source);
  Invite *invite = g_task_get_task_data (G_TASK (result));

  /* Another invitation came meanwhile: the newest one wins. */
  if (self->pending_invite == G_TASK (result))
    {
      self->pending_invite = NULL;
      start_thread (self, invite->url, invite->code);
    }
}

static void
on_invite (TrStationStandby *self, const char *code, TrClient *client)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, clear_done, NULL);
  Invite *invite = g_new0 (Invite, 1);

  g_message ("The host asked this station to be its standby");
  g_object_get (client, "host-url", &invite->url, NULL);
  invite->code = g_strdup (code);
  invite->worker = steal_worker (self);
  g_task_set_task_data (task, invite, invite_free);
  self->pending_invite = task;
  g_task_run_in_thread (task, clear_thread);
}

/* ---- The fallback address ---- */

static gboolean
fallback_cb (gpointer user_data)
{
  TrStationStandby *self = user_data;
  TrClient *client = tr_station_get_client (self->station);
  const char *standby_url = tr_client_get_standby_url (client);
  g_autofree char *url = NULL;
  gint64 now = g_get_monotonic_time () / 1000;
  const char *pick;

  /* No standby named: nothing to try but the host. */
  if (standby_url == NULL)
    return G_SOURCE_CONTINUE;
  g_object_get (client, "host-url", &url, NULL);
  /* Moved by someone else (DNS-SD following, a person): that address is
   * the host to try now, and the turns start again from it. */
  if (g_strcmp0 (url, self->home_url) != 0 && g_strcmp0 (url, standby_url) != 0)
    {
      g_free (self->home_url);
      self->home_url = g_steal_pointer (&url);
      self->down_since = MAX (now, 1);
      return G_SOURCE_CONTINUE;
    }
  pick = tr_promotion_pick_url (self->home_url, standby_url, now - self->down_since,
                                self->fallback_delay);
  if (pick != NULL && g_strcmp0 (pick, url) != 0)
    {
      g_message ("The host is unreachable: trying %s", pick);
      /* Changing the URL makes the client reconnect there at once. */
      g_object_set (client, "host-url", pick, NULL);
    }
  return G_SOURCE_CONTINUE;
}

static void
on_state (TrStationStandby *self, GParamSpec *pspec, TrClient *client)
{
  TrClientState state = tr_client_get_state (client);
  gboolean online
    = state == TR_CLIENT_STATE_ONLINE_WEBSOCKET || state == TR_CLIENT_STATE_ONLINE_POLLING;

  if (online)
    {
      g_free (self->home_url);
      g_object_get (client, "host-url", &self->home_url, NULL);
      self->down_since = 0;
      g_clear_handle_id (&self->fallback_id, g_source_remove);
      return;
    }
  if (self->down_since == 0)
    self->down_since = MAX (g_get_monotonic_time () / 1000, 1);
  if (self->fallback_id == 0)
    self->fallback_id = g_timeout_add (MIN (self->fallback_delay / 4 + 1, 1000), fallback_cb, self);
}

/* ---- The object ---- */

static void
tr_station_standby_dispose (GObject *object)
{
  TrStationStandby *self = TR_STATION_STANDBY (object);

  /* An invitation still clearing the old copy starts nothing now. */
  self->pending_invite = NULL;
  stop_thread (self);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_handle_id (&self->fallback_id, g_source_remove);
  G_OBJECT_CLASS (tr_station_standby_parent_class)->dispose (object);
}

static void
tr_station_standby_finalize (GObject *object)
{
  TrStationStandby *self = TR_STATION_STANDBY (object);

  g_free (self->data_dir);
  g_free (self->standby_dir);
  g_free (self->pair_url);
  g_free (self->pair_code);
  g_free (self->home_url);
  g_free (self->shared.failure);
  g_mutex_clear (&self->shared.mutex);
  G_OBJECT_CLASS (tr_station_standby_parent_class)->finalize (object);
}

static void
tr_station_standby_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrStationStandby *self = TR_STATION_STANDBY (object);

  switch (prop_id)
    {
      case PROP_ACTIVE:
        g_value_set_boolean (value, self->active);
        break;
      case PROP_HEAD_SEQ:
        g_value_set_int64 (value, self->head_seq);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_station_standby_class_init (TrStationStandbyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tr_station_standby_dispose;
  object_class->finalize = tr_station_standby_finalize;
  object_class->get_property = tr_station_standby_get_property;
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, ro);
  properties[PROP_HEAD_SEQ] = g_param_spec_int64 ("head-seq", NULL, NULL, 0, G_MAXINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
tr_station_standby_init (TrStationStandby *self)
{
  g_mutex_init (&self->shared.mutex);
}

static void
keeper_free (gpointer data)
{
  TrStationStandby *self = data;
  TrClient *client = tr_station_get_client (self->station);

  if (client != NULL)
    {
      g_clear_signal_handler (&self->state_handler, client);
      g_clear_signal_handler (&self->invite_handler, client);
    }
  g_object_run_dispose (G_OBJECT (self));
  g_object_unref (self);
}

TrStationStandby *
tr_station_standby_get (TrStation *station)
{
  g_return_val_if_fail (TR_IS_STATION (station), NULL);

  return g_object_get_qdata (G_OBJECT (station), keeper_quark ());
}

TrStationStandby *
tr_station_standby_ensure (TrStation *station, const char *data_dir, guint listen_port)
{
  TrStationStandby *self;
  TrClient *client;
  g_autofree char *ini = NULL;

  g_return_val_if_fail (TR_IS_STATION (station), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);

  if ((self = tr_station_standby_get (station)) != NULL)
    return self;
  if (tr_station_get_mode (station) != TR_STATION_MODE_CLIENT)
    return NULL;
  client = tr_station_get_client (station);
  self = g_object_new (TR_TYPE_STATION_STANDBY, NULL);
  self->station = station;
  self->data_dir = g_strdup (data_dir);
  self->standby_dir = g_build_filename (data_dir, TR_STANDBY_DIR, NULL);
  self->listen_port = listen_port;
  self->fallback_delay = tr_promotion_fallback_delay_ms ();
  g_object_get (client, "host-url", &self->home_url, NULL);
  self->invite_handler
    = g_signal_connect_swapped (client, "standby-invite", G_CALLBACK (on_invite), self);
  self->state_handler
    = g_signal_connect_swapped (client, "notify::state", G_CALLBACK (on_state), self);
  self->poll_id = g_timeout_add (POLL_MS, poll_cb, self);
  g_object_set_qdata_full (G_OBJECT (station), keeper_quark (), self, keeper_free);

  /* Paired as a standby before: carry on keeping the copy. */
  ini = g_build_filename (self->standby_dir, "standby.ini", NULL);
  if (g_file_test (ini, G_FILE_TEST_EXISTS))
    start_thread (self, NULL, NULL);
  on_state (self, NULL, client);
  return self;
}

gboolean
tr_station_standby_is_active (TrStationStandby *self)
{
  g_return_val_if_fail (TR_IS_STATION_STANDBY (self), FALSE);
  return self->active;
}

gint64
tr_station_standby_get_head_seq (TrStationStandby *self)
{
  g_return_val_if_fail (TR_IS_STATION_STANDBY (self), 0);
  return self->head_seq;
}

/* ---- Promotion ---- */

static gboolean
move_file (const char *from, const char *to, GError **error)
{
  if (g_rename (from, to) == 0)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "moving %s to %s: %s", from,
               to, g_strerror (errno));
  return FALSE;
}

static void
promote_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  TrStationStandby *self = source;
  g_autofree char *copy = g_build_filename (self->standby_dir, "ticketrail.db", NULL);
  g_autofree char *ini = g_build_filename (self->standby_dir, "standby.ini", NULL);
  g_autofree char *host = g_build_filename (self->data_dir, TR_STORE_HOST_FILE, NULL);
  g_autoptr (TrStore) store = NULL;
  g_autoptr (GError) error = NULL;
  const char *suffixes[] = { "-wal", "-shm", NULL };
  gint64 gen = 0;

  /* The standby's thread ends first (worker_stop(), the data's destroy
   * notify, joins it here): one writer for the copy. */
  g_task_set_task_data (task, NULL, NULL);
  if (!(store = tr_store_open (copy, TR_STORE_DURABILITY_FULL, &error))
      || !tr_store_promote (store, &gen, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Closed before it moves: the last connection folds its WAL in. */
  g_clear_object (&store);
  if (g_file_test (host, G_FILE_TEST_EXISTS))
    {
      g_autofree char *aside
        = g_strdup_printf ("%s.replaced-%" G_GINT64_FORMAT, host, g_get_real_time () / 1000);

      if (!move_file (host, aside, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      g_autofree char *side = g_strconcat (host, suffixes[i], NULL);
      g_autofree char *copy_side = g_strconcat (copy, suffixes[i], NULL);

      g_unlink (side);
      if (g_file_test (copy_side, G_FILE_TEST_EXISTS))
        move_file (copy_side, side, NULL);
    }
  if (!move_file (copy, host, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* No longer a standby: the next start must not follow the old host. */
  g_unlink (ini);
  g_task_return_int (task, gen);
}

void
tr_station_standby_promote_async (TrStationStandby *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TR_IS_STATION_STANDBY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_station_standby_promote_async);
  if (!self->active && self->worker == NULL)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID,
                               "this station keeps no standby copy");
      return;
    }
  /* Joined on the task's thread: it may be in the middle of a commit. */
  g_task_set_task_data (task, steal_worker (self), worker_stop);
  g_mutex_lock (&self->shared.mutex);
  self->shared.running = FALSE;
  g_mutex_unlock (&self->shared.mutex);
  self->active = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  g_task_run_in_thread (task, promote_thread);
}

gboolean
tr_station_standby_promote_finish (TrStationStandby *self, GAsyncResult *result, gint64 *out_gen,
                                   GError **error)
{
  gssize gen;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  gen = g_task_propagate_int (G_TASK (result), error);
  if (gen < 0)
    return FALSE;
  if (out_gen != NULL)
    *out_gen = gen;
  return TRUE;
}
