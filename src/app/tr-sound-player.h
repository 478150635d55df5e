/* tr-sound-player.h: the kitchen's chimes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  TR_SOUND_NEW_TICKET,
  TR_SOUND_CHANGED_TICKET,
  TR_SOUND_LINK_ALERT, /* a screen dropped, or this one lost its host */
  TR_N_SOUNDS
} TrSound;

#define TR_TYPE_SOUND_PLAYER (tr_sound_player_get_type ())
G_DECLARE_FINAL_TYPE (TrSoundPlayer, tr_sound_player, TR, SOUND_PLAYER, GObject)

/* Properties:
 *   "muted"   gboolean  nothing is played (tests, "Mute Sounds")
 * Signals:
 *   "played"  (TrSound as int)  a sound was started; not emitted when muted
 */
TrSoundPlayer *
tr_sound_player_new (void);
gboolean
tr_sound_player_get_muted (TrSoundPlayer *self);
void
tr_sound_player_set_muted (TrSoundPlayer *self, gboolean muted);
/* Plays @sound unless muted. A missing media backend makes it silent,
 * never noisy in the log: a kitchen screen must not fail over a chime. */
void
tr_sound_player_play (TrSoundPlayer *self, TrSound sound);
/* While @owner (not referenced; NULL: nobody) holds them, the ticket
 * sounds (new, changed) play only when @owner asks with
 * tr_sound_player_play_for(): Board mode's chime on a TV, and not the
 * hidden kitchen and front-of-house views' as well. Link alerts still
 * play. */
void
tr_sound_player_set_ticket_sounds_owner (TrSoundPlayer *self, gconstpointer owner);
void
tr_sound_player_play_for (TrSoundPlayer *self, gconstpointer owner, TrSound sound);

G_END_DECLS
