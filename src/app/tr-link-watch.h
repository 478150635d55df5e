/* tr-link-watch.h: telling people when a link drops (issue 15)
 *
 * On a host it watches the roster with the rules of tr-link-alerts.h: a
 * station offline past "offline-threshold" is announced with a
 * notification and the alert sound, and so is its return; the window
 * shows each as a toast ("alert"). A following station whose "role" is
 * foh or expo does the same with the host's roster, read over HTTP
 * (tr_client_get_roster_async()) while its own link is up, on the host's
 * clock, leaving out itself and its host; a kitchen screen does not.
 * Every following station watches its own link: lost for longer than
 * "host-lost-threshold", it sets "host-lost" (the window's banner),
 * sounds the alert and raises a notification, withdrawn when the link
 * is back. A station the host
 * does not take (unpaired, revoked) is not lost: the pairing dialog
 * says what is wrong.
 * On a host its kitchen printers are watched too, with the rules of
 * tr-printer-alerts.h: one down (offline, paper out, cover open) is
 * announced the same way, and so is its return; the "alert" names it
 * "printer:NAME" where a station is named by its id.
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
 *   "offline-threshold"    guint  ms a station may be away before it is announced
 *                                 (default 30000; the station-offline-alert-seconds
 *                                 setting can drive it)
 *   "host-lost-threshold"  guint  ms this station may lose its host before it says
 *                                 so (default 10000)
 *   "host-lost"            gboolean  read-only: the host has been out of reach for
 *                                    longer than the threshold
 *   "host-lost-since"      gint64    read-only: ms since the epoch, 0 when not lost
 *   "role"                 string    "kitchen" (default), "expo", "foh": on a following
 *                                    station, expo and foh watch the other stations
 *   "watching-stations"    gboolean  read-only: a following station reads its host's
 *                                    roster now (expo or foh, and its link up)
 * Signals:
 *   "alert"  (const char *station_id, const char *text, gboolean back)  a
 *            station's outage (or a printer's), or its end, for a toast
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
const char  *tr_link_watch_get_role                (TrLinkWatch *self);
void         tr_link_watch_set_role                (TrLinkWatch *self,
                                                    const char  *role);
gboolean     tr_link_watch_get_watching_stations   (TrLinkWatch *self);
/* How many rosters a following station has read and checked (tests). */
guint        tr_link_watch_get_roster_reads        (TrLinkWatch *self);
/* The text of the last "alert", or NULL (tests). */
const char  *tr_link_watch_get_last_alert          (TrLinkWatch *self);

/* "12:03": a time of day, local, as the alerts say it. */
char        *tr_link_watch_format_time             (gint64 ms);

G_END_DECLS
