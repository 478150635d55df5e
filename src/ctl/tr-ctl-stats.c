/* tr-ctl-stats.c: the stats command: speed of service over a range
 * (GET /api/v1/stats, or /api/v1/stats.csv with --csv)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-error.h"

static char *opt_from = NULL;
static char *opt_to = NULL;
static gboolean opt_csv = FALSE;
static gboolean opt_json = FALSE;
static int opt_warn = 0;
static int opt_late = 0;

static const GOptionEntry stats_entries[] = {
  { "from", 0, 0, G_OPTION_ARG_STRING, &opt_from,
    /* Translators: the formats are examples to type: keep them as they are */
    N_ ("Start of the range (tickets created from then): ms since the epoch, or a local date or "
        "time like 2026-03-10 or 2026-03-10T18:00 (default: 24 hours before --to)"),
    N_ ("WHEN") },
  { "to", 0, 0, G_OPTION_ARG_STRING, &opt_to, N_ ("End of the range, excluded (default: now)"),
    N_ ("WHEN") },
  { "csv", 0, 0, G_OPTION_ARG_NONE, &opt_csv, N_ ("Print one CSV row per ticket"), NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_ ("Print the host's JSON answer"), NULL },
  { "warn-minutes", 0, 0, G_OPTION_ARG_INT, &opt_warn,
    N_ ("Minutes before a ticket counts as late-ish (default 8)"), N_ ("MIN") },
  { "late-minutes", 0, 0, G_OPTION_ARG_INT, &opt_late,
    N_ ("Minutes before a ticket counts as late (default 15)"), N_ ("MIN") },
  { NULL },
};

/* @text as ms since the epoch: digits are ms; else ISO 8601, a date
 * alone being its local midnight, a time without a zone local. */
static gboolean
parse_when (const char *option, const char *text, gint64 *out, GError **error)
{
  g_autoptr (GTimeZone) local = g_time_zone_new_local ();
  g_autoptr (GDateTime) time = NULL;
  guint64 ms;

  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &ms, NULL))
    {
      *out = (gint64)ms;
      return TRUE;
    }
  time = g_date_time_new_from_iso8601 (text, local);
  if (time == NULL && strlen (text) == 10)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00", NULL);

      time = g_date_time_new_from_iso8601 (midnight, local);
    }
  if (time == NULL)
    {
      /* Translators: %s is an option name (--from), then what was typed */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("%s: \"%s\" is neither ms since the epoch nor a date or time"), option, text);
      return FALSE;
    }
  *out = g_date_time_to_unix (time) * 1000 + g_date_time_get_microsecond (time) / 1000;
  return TRUE;
}

/* m:ss, or – for no data. */
static char *
format_ms (gint64 ms)
{
  if (ms < 0)
    return g_strdup ("–");
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d", ms / 60000, (int)(ms / 1000 % 60));
}

static gint64
summary_member (JsonObject *object, const char *summary, const char *member)
{
  JsonNode *node = json_object_get_member (object, summary);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return -1;
  return json_object_get_int_member_with_default (json_node_get_object (node), member, -1);
}

static void
print_summary_row (const char *label, JsonObject *object, const char *summary)
{
  static const char *const members[] = { "avg", "p50", "p90", "max" };

  g_print ("  %-16s", label);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autofree char *text = format_ms (summary_member (object, summary, members[i]));

      g_print (" %8s", text);
    }
  g_print ("\n");
}

static void
print_groups (JsonObject *root, const char *member, const char *key, const char *count,
              const char *title)
{
  JsonArray *array = json_object_get_array_member (root, member);

  if (array == NULL || json_array_get_length (array) == 0)
    return;
  g_print ("\n%s\n", title);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *group = json_array_get_object_element (array, i);
      JsonNode *name = json_object_get_member (group, key);
      gint64 n = json_object_get_int_member_with_default (group, count, 0);
      g_autofree char *avg = format_ms (summary_member (group, "ready_time_ms", "avg"));
      g_autofree char *p90 = format_ms (summary_member (group, "ready_time_ms", "p90"));
      g_autofree char *label = NULL;

      if (n == 0)
        continue;
      if (g_str_equal (member, "by_hour"))
        label = g_strdup_printf ("%02d:00", (int)json_object_get_int_member (group, key));
      else if (name != NULL && JSON_NODE_HOLDS_VALUE (name))
        label = g_strdup (json_node_get_string (name));
      else
        /* Translators: the kitchen route of items routed to no station */
        label = g_strdup (_ ("(no station)"));
      /* Translators: a line of the stats command's table: a station, an
       * order type or an hour; a count; the average and p90 time to
       * ready (m:ss); the late count. Keep the %-… widths. */
      g_print (_ ("  %-16s %5d   avg %s   p90 %s   late %d\n"), label, (int)n, avg, p90,
               (int)json_object_get_int_member_with_default (group, "late", 0));
    }
}

static void
print_report (JsonObject *root)
{
  /* Translators: the headline of the stats command: tickets, cancelled,
   * late-ish and late counts, then the recalls */
  g_print (_ ("Tickets: %d (cancelled %d), late-ish %d, late %d, recalls %d\n"),
           (int)json_object_get_int_member_with_default (root, "tickets", 0),
           (int)json_object_get_int_member_with_default (root, "cancelled", 0),
           (int)json_object_get_int_member_with_default (root, "warning", 0),
           (int)json_object_get_int_member_with_default (root, "late", 0),
           (int)json_object_get_int_member_with_default (root, "recalls", 0));
  g_print ("\n  %-16s %8s %8s %8s %8s\n", "", "avg", "p50", "p90", "max");
  print_summary_row (_ ("Time to start"), root, "start_time_ms");
  print_summary_row (_ ("Time to ready"), root, "ready_time_ms");
  print_summary_row (_ ("Time at the pass"), root, "wait_time_ms");
  /* Translators: the titles of the stats command's tables; the count is
   * of items, then of tickets */
  print_groups (root, "by_station", "station", "items", _ ("By station (items):"));
  print_groups (root, "by_order_type", "order_type", "tickets", _ ("By order type (tickets):"));
  print_groups (root, "by_hour", "hour", "tickets", _ ("By hour ordered (tickets):"));
}

/* The CSV body of @path, or NULL with @error. */
static char *
get_text (SoupSession *session, const char *path, GError **error)
{
  g_autoptr (SoupMessage) msg = _tr_ctl_message_new (SOUP_METHOD_GET, path, error);
  g_autoptr (GBytes) answer = NULL;
  guint status;

  if (msg == NULL || !(answer = soup_session_send_and_read (session, msg, NULL, error)))
    return NULL;
  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "HTTP %u %s", status,
                   soup_message_get_reason_phrase (msg) ? soup_message_get_reason_phrase (msg)
                                                        : "");
      return NULL;
    }
  return g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
}

int
_tr_ctl_cmd_stats (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) path = g_string_new (NULL);
  gint64 from = 0, to = 0;
  int exit_code = TR_CTL_EXIT_OK;

  g_option_context_set_summary (
    context, _ ("Print the speed of service: times to start, to ready and at the pass, "
                "per station, order type and hour (GET /api/v1/stats)."));
  if (!_tr_ctl_parse_command (context, stats_entries, &argc, &argv, &exit_code))
    return exit_code;
  if ((opt_from != NULL && !parse_when ("--from", opt_from, &from, &error))
      || (opt_to != NULL && !parse_when ("--to", opt_to, &to, &error)))
    return _tr_ctl_usage_error ("stats", error->message);
  if (opt_csv && opt_json)
    return _tr_ctl_usage_error ("stats", _ ("--csv and --json cannot go together"));

  g_string_append (path, opt_csv ? "/api/v1/stats.csv?" : "/api/v1/stats?");
  if (opt_from != NULL)
    g_string_append_printf (path, "from=%" G_GINT64_FORMAT "&", from);
  if (opt_to != NULL)
    g_string_append_printf (path, "to=%" G_GINT64_FORMAT "&", to);
  if (opt_warn != 0)
    g_string_append_printf (path, "warn_minutes=%d&", opt_warn);
  if (opt_late != 0)
    g_string_append_printf (path, "late_minutes=%d&", opt_late);
  g_string_truncate (path, path->len - 1);

  session = _tr_ctl_session_new ();
  if (opt_csv)
    {
      g_autofree char *text = get_text (session, path->str, &error);

      if (text == NULL)
        return _tr_ctl_fail (_ ("stats"), error);
      g_print ("%s", text);
    }
  else
    {
      g_autoptr (JsonNode) root
        = _tr_ctl_http_json (session, SOUP_METHOD_GET, path->str, NULL, &error);

      if (root == NULL)
        return _tr_ctl_fail (_ ("stats"), error);
      if (!JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error_literal (&error, TR_ERROR, TR_ERROR_PROTOCOL,
                               _ ("the stats answer is no object"));
          return _tr_ctl_fail (_ ("stats"), error);
        }
      if (opt_json)
        _tr_ctl_print_json (root);
      else
        print_report (json_node_get_object (root));
    }
  return TR_CTL_EXIT_OK;
}
