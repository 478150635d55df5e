/* tr-link-watch.h: telling people when a link drops (issue 15)
 *
 * On a host it watches the roster with the rules of tr-link-alerts.h: a
 * station offline past "offline-threshold" is announced with a
 * notification and the alert sound, and so is its return; the window
 * shows each as a toast ("alert"). On a following station it watches
 * its own link: lost for longer than "host-lost-threshold", it sets
 * "host-lost" (the window's banner), sounds the alert and raises a
 * notification, withdrawn when the link is back. A station the host
 * does not take (unpaired, revoked) is not lost: the pairing dialog
 * says what is wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-sound-player.h"
#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_LINK_WATCH (tr_link_watch_get_type ())
G_DECLARE_FINAL_TYPE (TrLinkWatch, tr_link_watch, TR, LINK_WATCH, GObject)

/* Properties:
 *   "station"              TrStation*      construct-only
 *   "application"          GApplication*   construct-only, may be NULL: where the
 *                                          notifications go (not kept alive by the watch)
 *   "sound-player"         TrSoundPlayer*  construct-only, may be NULL; muted when
 *                                          the "sounds" setting is off
 *   "offline-threshold"    guint  ms a station may be away before the host says so
 *                                 (default 30000; the station-offline-alert-seconds
 *                                 setting can drive it)
 *   "host-lost-threshold"  guint  ms this station may lose its host before it says
 *                                 so (default 10000)
 *   "host-lost"            gboolean  read-only: the host has been out of reach for
 *                                    longer than the threshold
 *   "host-lost-since"      gint64    read-only: ms since the epoch, 0 when not lost
 * Signals:
 *   "alert"  (const char *station_id, const char *text, gboolean back)  a
 *            station's outage, or its end, for a toast
 */
TrLinkWatch *tr_link_watch_new (TrStation     *station,
                                GApplication  *application,
                                TrSoundPlayer *sound_player);

guint        tr_link_watch_get_offline_threshold   (TrLinkWatch *self);
void         tr_link_watch_set_offline_threshold   (TrLinkWatch *self,
                                                    guint        ms);
guint        tr_link_watch_get_host_lost_threshold (TrLinkWatch *self);
void         tr_link_watch_set_host_lost_threshold (TrLinkWatch *self,
                                                    guint        ms);
gboolean     tr_link_watch_get_host_lost           (TrLinkWatch *self);
gint64       tr_link_watch_get_host_lost_since     (TrLinkWatch *self);
/* The text of the last "alert", or NULL (tests). */
const char  *tr_link_watch_get_last_alert          (TrLinkWatch *self);

/* "12:03": a time of day, local, as the alerts say it. */
char        *tr_link_watch_format_time             (gint64 ms);

G_END_DECLS
