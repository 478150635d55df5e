/* tr-roster-json.h: the host's roster as GET /api/v1/stations sends it
 *
 * The host writes its roster (tr_host_list_stations()) with
 * tr_roster_to_json(); a front-of-house or expo station reads it back
 * with tr_roster_parse() to tell the pass when another screen drops
 * (src/app/tr-link-watch.c), so the two ends share one description of
 * the shape (docs/protocol.md). Decoding is as strict as the codec's: a
 * member of the wrong type, a negative time, a station listed twice are
 * TR_ERROR_INVALID errors whose message is "<path>: <reason>", and
 * nothing is returned. Members an older host does not send (link_since,
 * close_code) default as if unknown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tr-station-info.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 now; /* ms: the host's clock when it answered */
  gint64 head_seq;
  GPtrArray *stations; /* TrStationInfo*, as tr_host_list_stations() gives them */
} TrRoster;

void
tr_roster_free (TrRoster *roster);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrRoster, tr_roster_free)

/* @stations: TrStationInfo*. A disconnected station's connected_since
 * (when its last link began) goes out as link_since; connected_since
 * itself stays 0 for it, as it always was. */
JsonNode *
tr_roster_to_json (GPtrArray *stations, gint64 now, gint64 head_seq);
TrRoster *
tr_roster_from_json (JsonNode *node, GError **error);
/* Parses @data (@length bytes, or NUL-terminated when -1) with
 * tr_json_parse(), then decodes it. */
TrRoster *
tr_roster_parse (const char *data, gssize length, GError **error);

G_END_DECLS
