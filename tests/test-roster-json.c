/* test-roster-json.c: the host's roster to JSON and back (tr-roster-json.c),
 * as the host writes it and a front-of-house station reads it to watch
 * the other screens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-roster-json"

#include "tr-roster-json.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-link-alerts.h"

#define S ((gint64)1000)
/* 2026-03-10 12:00:00 UTC */
#define NOON ((gint64)1773144000 * 1000)

static TrStationInfo *
info_new (const char *id, const char *name, gboolean connected, gint64 since, gint64 seen,
          int close_code)
{
  TrStationInfo *info = g_new0 (TrStationInfo, 1);

  info->station_id = g_strdup (id);
  info->name = g_strdup (name);
  info->role = g_strdup ("kitchen");
  info->connected = connected;
  info->transport = g_strdup ("websocket");
  info->address = g_strdup ("192.168.1.31");
  info->connected_since = since;
  info->last_seen = seen;
  info->close_code = close_code;
  info->latency_ms = connected ? 4 : -1;
  info->queued_ops = 2;
  info->reconnects = 3;
  info->last_seq = connected ? 5120 : -1;
  info->paired = TRUE;
  return info;
}

static GPtrArray *
stations_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)tr_station_info_free);
}

static char *
encode (GPtrArray *stations, gint64 now)
{
  g_autoptr (JsonNode) node = tr_roster_to_json (stations, now, 5120);

  return tr_json_to_string (node);
}

static const TrStationInfo *
find (TrRoster *roster, const char *id)
{
  for (guint i = 0; i < roster->stations->len; i++)
    {
      const TrStationInfo *info = roster->stations->pdata[i];

      if (g_str_equal (info->station_id, id))
        return info;
    }
  g_error ("%s is not in the roster", id);
}

/* What the host writes, a station reads back as the host had it: a
 * disconnected station keeps when its last link began and how it
 * ended, which the alert rules need. */
static void
test_round_trip (void)
{
  g_autoptr (GPtrArray) stations = stations_new ();
  g_autoptr (TrRoster) roster = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  const TrStationInfo *info;
  TrStationInfo *revoked;

  g_ptr_array_add (stations, info_new ("grill", "Grill", TRUE, NOON - 60 * S, NOON, 0));
  g_ptr_array_add (stations, info_new ("fry", "Fry", FALSE, NOON - 120 * S, NOON - 30 * S, 1006));
  revoked = info_new ("old", NULL, FALSE, 0, NOON - 3600 * S, 0);
  revoked->revoked = TRUE;
  g_ptr_array_add (stations, revoked);
  json = encode (stations, NOON + 5);

  /* The old members keep their meaning: connected_since is 0 for a
   * station that is not connected. */
  g_assert_nonnull (strstr (json, "\"station\":\"fry\""));
  g_assert_nonnull (strstr (json, "\"connected_since\":0,\"link_since\":1773143880000"));
  g_assert_nonnull (strstr (json, "\"close_code\":1006"));

  roster = tr_roster_parse (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (roster->now, ==, NOON + 5);
  g_assert_cmpint (roster->head_seq, ==, 5120);
  g_assert_cmpuint (roster->stations->len, ==, 3);

  info = find (roster, "grill");
  g_assert_nonnull (info);
  g_assert_cmpstr (info->name, ==, "Grill");
  g_assert_cmpstr (info->role, ==, "kitchen");
  g_assert_true (info->connected);
  g_assert_cmpstr (info->transport, ==, "websocket");
  g_assert_cmpstr (info->address, ==, "192.168.1.31");
  g_assert_cmpint (info->connected_since, ==, NOON - 60 * S);
  g_assert_cmpint (info->last_seen, ==, NOON);
  g_assert_cmpint (info->close_code, ==, 0);
  g_assert_cmpint (info->latency_ms, ==, 4);
  g_assert_cmpuint (info->queued_ops, ==, 2);
  g_assert_cmpuint (info->reconnects, ==, 3);
  g_assert_cmpint (info->last_seq, ==, 5120);
  g_assert_true (info->paired);
  g_assert_false (info->revoked);

  info = find (roster, "fry");
  g_assert_false (info->connected);
  g_assert_null (info->transport);
  g_assert_cmpint (info->connected_since, ==, NOON - 120 * S);
  g_assert_cmpint (info->last_seen, ==, NOON - 30 * S);
  g_assert_cmpint (info->close_code, ==, 1006);
  g_assert_cmpint (info->latency_ms, ==, -1);
  g_assert_cmpint (info->last_seq, ==, -1);

  info = find (roster, "old");
  g_assert_null (info->name);
  g_assert_true (info->revoked);
  g_assert_cmpint (info->connected_since, ==, 0);
}

/* A host from before link_since and close_code: the rest is read, and
 * those count as unknown. */
static void
test_older_host (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrRoster) roster = tr_roster_parse (
    "{\"now\":1773144000000,\"head_seq\":7,\"stations\":["
    "{\"station\":\"grill\",\"name\":\"Grill\",\"role\":\"kitchen\",\"connected\":false,"
    "\"transport\":null,\"address\":null,\"connected_since\":0,\"last_seen\":1773143990000,"
    "\"reconnects\":0,\"latency_ms\":null,\"queued_ops\":0,\"last_seq\":7,\"paired\":true,"
    "\"revoked\":false}]}",
    -1, &error);
  const TrStationInfo *info;

  g_assert_no_error (error);
  info = find (roster, "grill");
  g_assert_nonnull (info);
  g_assert_false (info->connected);
  g_assert_cmpint (info->connected_since, ==, 0);
  g_assert_cmpint (info->close_code, ==, 0);
  g_assert_cmpint (info->last_seen, ==, NOON - 10 * S);
}

/* Anything else is refused with where and why, and nothing is given
 * back. */
static void
test_bad (void)
{
  static const struct
  {
    const char *json;
    const char *message;
  } cases[] = {
    { "{\"now\":1,\"stations\":[", NULL },
    { "[]", "roster: expected an object" },
    { "{\"stations\":[]}", "now: missing" },
    { "{\"now\":\"noon\",\"stations\":[]}", "now: must be an integer" },
    { "{\"now\":0,\"stations\":[]}", "now: out of range" },
    { "{\"now\":1}", "stations: missing" },
    { "{\"now\":1,\"stations\":{}}", "stations: must be an array" },
    { "{\"now\":1,\"stations\":[7]}", "stations[0]: must be an object" },
    { "{\"now\":1,\"stations\":[{\"connected\":true,\"last_seen\":1}]}",
      "stations[0]: station: must be a station id" },
    { "{\"now\":1,\"stations\":[{\"station\":\"\",\"connected\":true,\"last_seen\":1}]}",
      "stations[0]: station: must be a station id" },
    { "{\"now\":1,\"stations\":[{\"station\":\"a\",\"last_seen\":1}]}",
      "stations[0].connected: missing" },
    { "{\"now\":1,\"stations\":[{\"station\":\"a\",\"connected\":\"yes\",\"last_seen\":1}]}",
      "stations[0].connected: must be true or false" },
    { "{\"now\":1,\"stations\":[{\"station\":\"a\",\"connected\":false}]}",
      "stations[0].last_seen: missing" },
    { "{\"now\":1,\"stations\":[{\"station\":\"a\",\"connected\":false,\"last_seen\":-5}]}",
      "stations[0].last_seen: out of range" },
    { "{\"now\":1,\"stations\":[{\"station\":\"a\",\"connected\":false,\"last_seen\":1,"
      "\"close_code\":70000}]}",
      "stations[0].close_code: out of range" },
    { "{\"now\":1,\"stations\":[{\"station\":\"a\",\"connected\":false,\"last_seen\":1,"
      "\"link_since\":1.5}]}",
      "stations[0].link_since: must be an integer" },
    { "{\"now\":1,\"stations\":[{\"station\":\"a\",\"connected\":false,\"last_seen\":1,"
      "\"revoked\":1}]}",
      "stations[0].revoked: must be true or false" },
    { "{\"now\":1,\"stations\":[{\"station\":\"a\",\"connected\":false,\"last_seen\":1,"
      "\"name\":42}]}",
      "stations[0].name: must be a string or null" },
    { "{\"now\":1,\"stations\":[{\"station\":\"a\",\"connected\":true,\"last_seen\":1},"
      "{\"station\":\"a\",\"connected\":false,\"last_seen\":1}]}",
      "stations[1].station: a is listed twice" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TrRoster) roster = tr_roster_parse (cases[i].json, -1, &error);

      g_test_message ("%s", cases[i].json);
      g_assert_null (roster);
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* As a front-of-house station uses it: each roster that reads feeds
 * the rules, one that does not changes nothing, and the station never
 * announces itself. */
static void
test_feeds_alerts (void)
{
  g_autoptr (TrLinkAlerts) alerts = tr_link_alerts_new (30 * S);
  const char *const skip[] = { "pass", NULL };
  g_autoptr (GPtrArray) stations = stations_new ();
  g_autoptr (GPtrArray) a = NULL;
  g_autoptr (TrRoster) roster = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;

  g_ptr_array_add (stations, info_new ("grill", "Grill", TRUE, NOON, NOON, 0));
  g_ptr_array_add (stations, info_new ("pass", "Pass", TRUE, NOON, NOON, 0));
  json = encode (stations, NOON + 1 * S);
  roster = tr_roster_parse (json, -1, &error);
  g_assert_no_error (error);
  a = tr_link_alerts_check_stations (alerts, roster->stations, skip, roster->now);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);
  g_clear_pointer (&roster, tr_roster_free);
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&stations, g_ptr_array_unref);

  /* A garbled answer is not read: nothing is fed. */
  g_assert_null (tr_roster_parse ("{\"now\":", -1, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, -1);

  /* Both went at 10 s; the watcher itself ("pass") is never announced. */
  stations = stations_new ();
  g_ptr_array_add (stations, info_new ("grill", "Grill", FALSE, NOON, NOON + 10 * S, 1006));
  g_ptr_array_add (stations, info_new ("pass", "Pass", FALSE, NOON, NOON + 10 * S, 1006));
  json = encode (stations, NOON + 40 * S);
  roster = tr_roster_parse (json, -1, &error);
  g_assert_no_error (error);
  a = tr_link_alerts_check_stations (alerts, roster->stations, skip, roster->now);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpstr (((TrLinkAlert *)a->pdata[0])->station_id, ==, "grill");
  g_assert_cmpint (((TrLinkAlert *)a->pdata[0])->kind, ==, TR_LINK_ALERT_OFFLINE);
  g_assert_cmpint (((TrLinkAlert *)a->pdata[0])->since, ==, NOON + 10 * S);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/roster-json/round-trip", test_round_trip);
  g_test_add_func ("/roster-json/older-host", test_older_host);
  g_test_add_func ("/roster-json/bad", test_bad);
  g_test_add_func ("/roster-json/feeds-alerts", test_feeds_alerts);

  return g_test_run ();
}
