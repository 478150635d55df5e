/* tr-sound-player.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-sound-player"

#include "config.h"

#include <gtk/gtk.h>

#include "tr-sound-player.h"

#define SOUNDS_PATH "/io/github/ticketrail/Ticketrail/sounds/"

struct _TrSoundPlayer
{
  GObject parent_instance;
  gboolean muted;
  GtkMediaStream *streams[TR_N_SOUNDS];
  guint warm_up_idle;
  /* While set, ticket sounds are only this one's (not a reference):
   * see tr_sound_player_set_ticket_sounds_owner(). */
  gconstpointer ticket_sounds_owner;
};

G_DEFINE_FINAL_TYPE (TrSoundPlayer, tr_sound_player, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MUTED,
  N_PROPS
};

enum
{
  PLAYED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *const sound_files[TR_N_SOUNDS] = {
  [TR_SOUND_NEW_TICKET] = "ticket-new.oga",
  [TR_SOUND_CHANGED_TICKET] = "ticket-changed.oga",
  /* The changed-ticket chime until the alert has a sound of its own:
   * it is the one cooks already stop for. */
  [TR_SOUND_LINK_ALERT] = "ticket-changed.oga",
};

static GtkMediaStream *
ensure_stream (TrSoundPlayer *self, TrSound sound)
{
  if (self->streams[sound] == NULL)
    {
      g_autofree char *path = g_strconcat (SOUNDS_PATH, sound_files[sound], NULL);

      self->streams[sound] = gtk_media_file_new_for_resource (path);
    }
  return self->streams[sound];
}

/* The first media stream loads GTK's media backend (GStreamer, where it
 * is installed) on the main thread. Doing that once the app has started
 * keeps it out of the first burst of events that chimes. */
static gboolean
warm_up (gpointer user_data)
{
  TrSoundPlayer *self = user_data;

  self->warm_up_idle = 0;
  /* Made in the application's init, it can tick before GTK starts (or
   * when it never does, as with --version): no media backend then, and
   * the first chime loads it instead. */
  if (!self->muted && gtk_is_initialized ())
    for (guint i = 0; i < TR_N_SOUNDS; i++)
      ensure_stream (self, i);
  return G_SOURCE_REMOVE;
}

static void
tr_sound_player_dispose (GObject *object)
{
  TrSoundPlayer *self = TR_SOUND_PLAYER (object);

  g_clear_handle_id (&self->warm_up_idle, g_source_remove);
  for (guint i = 0; i < TR_N_SOUNDS; i++)
    g_clear_object (&self->streams[i]);

  G_OBJECT_CLASS (tr_sound_player_parent_class)->dispose (object);
}

static void
tr_sound_player_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrSoundPlayer *self = TR_SOUND_PLAYER (object);

  switch (prop_id)
    {
      case PROP_MUTED:
        g_value_set_boolean (value, self->muted);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_sound_player_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  TrSoundPlayer *self = TR_SOUND_PLAYER (object);

  switch (prop_id)
    {
      case PROP_MUTED:
        tr_sound_player_set_muted (self, g_value_get_boolean (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_sound_player_class_init (TrSoundPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_sound_player_dispose;
  object_class->get_property = tr_sound_player_get_property;
  object_class->set_property = tr_sound_player_set_property;

  properties[PROP_MUTED]
    = g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PLAYED] = g_signal_new ("played", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
tr_sound_player_init (TrSoundPlayer *self)
{
  self->warm_up_idle = g_idle_add_full (G_PRIORITY_LOW, warm_up, self, NULL);
}

TrSoundPlayer *
tr_sound_player_new (void)
{
  return g_object_new (TR_TYPE_SOUND_PLAYER, NULL);
}

gboolean
tr_sound_player_get_muted (TrSoundPlayer *self)
{
  g_return_val_if_fail (TR_IS_SOUND_PLAYER (self), TRUE);

  return self->muted;
}

void
tr_sound_player_set_muted (TrSoundPlayer *self, gboolean muted)
{
  g_return_if_fail (TR_IS_SOUND_PLAYER (self));

  muted = !!muted;
  if (self->muted == muted)
    return;
  self->muted = muted;
  if (muted)
    for (guint i = 0; i < TR_N_SOUNDS; i++)
      if (self->streams[i] != NULL)
        gtk_media_stream_pause (self->streams[i]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

void
tr_sound_player_set_ticket_sounds_owner (TrSoundPlayer *self, gconstpointer owner)
{
  g_return_if_fail (TR_IS_SOUND_PLAYER (self));

  self->ticket_sounds_owner = owner;
}

void
tr_sound_player_play (TrSoundPlayer *self, TrSound sound)
{
  tr_sound_player_play_for (self, NULL, sound);
}

void
tr_sound_player_play_for (TrSoundPlayer *self, gconstpointer owner, TrSound sound)
{
  GtkMediaStream *stream;

  g_return_if_fail (TR_IS_SOUND_PLAYER (self));
  g_return_if_fail (sound < TR_N_SOUNDS);

  if (self->muted)
    return;
  if (self->ticket_sounds_owner != NULL && owner != self->ticket_sounds_owner
      && (sound == TR_SOUND_NEW_TICKET || sound == TR_SOUND_CHANGED_TICKET))
    return;

  stream = ensure_stream (self, sound);

  /* Without a media backend GTK hands out a stream that is already in
   * error; there is nothing to play then, and nothing worth a warning. */
  if (gtk_media_stream_get_error (stream) != NULL)
    {
      g_debug ("Cannot play %s: %s", sound_files[sound],
               gtk_media_stream_get_error (stream)->message);
    }
  else
    {
      if (gtk_media_stream_get_playing (stream))
        gtk_media_stream_pause (stream);
      if (gtk_media_stream_is_seekable (stream))
        gtk_media_stream_seek (stream, 0);
      gtk_media_stream_play (stream);
    }

  g_signal_emit (self, signals[PLAYED], 0, (int)sound);
}
