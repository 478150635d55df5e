/* tr-link-alerts.h: when a dropped link is worth telling people about
 *
 * The host watches its stations, and so do front-of-house and expo
 * stations through the host's roster; a screen that drops in the middle
 * of service must be noticed at the pass, not only by its own red pill.
 * What to announce, and when, is decided here: no I/O, no clock but the
 * one passed in, unit-tested in tests/test-link-alerts.c. The app
 * (src/app/tr-link-watch.c) turns the alerts into toasts, notifications
 * and sounds.
 *
 * The rules:
 *   - A station is watched once it has been seen connected since the
 *     watch began: before that nothing is known (a tablet that is off
 *     when the host starts is not an outage the kitchen lived through).
 *   - A station disconnected for @threshold_ms or more is announced
 *     offline, once per outage, with the time it went.
 *   - Its return is announced only when its outage was: a blip shorter
 *     than the threshold is no news, and neither is its end.
 *   - A clean leave (close code 1000 or 1001: the app quit, the screen
 *     was switched off on purpose) is no outage: staff closed it, they
 *     know. A revoked station is not coming back and is never announced;
 *     revoking one that was announced ends its outage without a return.
 *   - A link that came and went between two checks counts as if both
 *     had been seen (the station's connected_since is after the outage
 *     known, or after the first check).
 *   - A station the roster forgets is forgotten here too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tr-station-info.h"

G_BEGIN_DECLS

/* The default threshold. A setting (station-offline-alert-seconds) may
 * drive it through tr_link_alerts_set_threshold(). */
#define TR_LINK_ALERT_DEFAULT_THRESHOLD_MS ((gint64)30 * 1000)
/* How long a station may lose its host before it says so. */
#define TR_LINK_ALERT_HOST_LOST_MS ((gint64)10 * 1000)

typedef enum
{
  TR_LINK_ALERT_OFFLINE,
  TR_LINK_ALERT_BACK,
} TrLinkAlertKind;

typedef struct
{
  TrLinkAlertKind kind;
  char *station_id;
  char *name;      /* NULL when the station never said */
  gint64 since;    /* ms: when it went (OFFLINE), when it came back (BACK) */
  gint64 down_ms;  /* BACK: how long it was away */
} TrLinkAlert;

void tr_link_alert_free (TrLinkAlert *alert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrLinkAlert, tr_link_alert_free)

/* One station as the roster sees it now. */
typedef struct
{
  const char *station_id;
  const char *name;    /* may be NULL */
  gboolean connected;
  gint64 last_seen;    /* ms: when disconnected, when it went */
  gint64 connected_since; /* ms: when its last link began (kept once down); 0 never */
  int close_code;      /* how its last link ended; 0: none or unknown */
  gboolean revoked;
} TrLinkObservation;

typedef struct _TrLinkAlerts TrLinkAlerts;

TrLinkAlerts *tr_link_alerts_new           (gint64 threshold_ms);
void          tr_link_alerts_free          (TrLinkAlerts *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrLinkAlerts, tr_link_alerts_free)

gint64        tr_link_alerts_get_threshold (TrLinkAlerts *self);
/* Applies from the next check, to outages under way too. */
void          tr_link_alerts_set_threshold (TrLinkAlerts *self, gint64 threshold_ms);

/* Takes the roster as it is at @now (@observations: TrLinkObservation,
 * every station; one not in it is forgotten) and returns the alerts due
 * (TrLinkAlert*, possibly empty, to unref). */
GPtrArray    *tr_link_alerts_check         (TrLinkAlerts            *self,
                                            const TrLinkObservation *observations,
                                            guint                    n_observations,
                                            gint64                   now);
/* tr_link_alerts_check() of @stations (TrStationInfo*: as
 * tr_host_list_stations() or a roster read from the host,
 * tr-roster-json.h, give them), without the stations in @skip (a
 * NULL-terminated list of ids, or NULL): a front-of-house station that
 * reads its host's roster is in it, and never announces itself nor its
 * host. */
GPtrArray    *tr_link_alerts_check_stations (TrLinkAlerts       *self,
                                             GPtrArray          *stations,
                                             const char *const  *skip,
                                             gint64              now);
/* When, at the latest, to check again if nothing changes in between:
 * the earliest moment an outage under way crosses the threshold (ms,
 * the clock of @now), or -1 when none is pending. */
gint64        tr_link_alerts_next_due      (TrLinkAlerts *self);

/* Whether a link that ended with @close_code was left on purpose. */
gboolean      tr_link_alerts_is_clean_leave (int close_code);

G_END_DECLS
