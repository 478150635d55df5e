/* tr-test-station.c: one station as its own process, for the failover
 * tests (issue 17)
 *
 *   tr-test-station --data-dir D --url URL --code CODE --ops N --seed S
 *                   [--name NAME] [--fallback-url URL] [--fallback-after-ms MS]
 *
 * It runs a real TrStation in client mode (so DNS-SD following is
 * tr-station-follow.c's own code), pairs with CODE, and on SIGUSR2
 * submits N create-ticket ops at a random pace (10–40 ms, from S). It
 * says on stdout, one line each, flushed:
 *
 *   station ID                 once, its station id
 *   online HOST_ID URL         each time it is online with a host
 *   lineage LINEAGE GEN        each time it learns its lineage or a gen
 *   op OP_ID                   an op journaled in its outbox
 *   rejected OP_ID CODE        the host refused one
 *   fallback URL               it went to the fallback address
 *   done HOST_ID               every op submitted, the outbox empty, online
 *   status HOST_ID URL STATE   on SIGUSR1
 *   stopped HOST_ID URL QUEUED on SIGTERM, after shutting down
 *
 * With --fallback-url, a station offline for --fallback-after-ms
 * (default 3000) goes there, as a manager typing the address would; it
 * never goes back. The test counts lost and duplicated ops from these
 * lines against the promoted host's file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "tr-op.h"
#include "tr-station.h"
#include "tr-store-lineage.h"

typedef struct
{
  TrStation *station;
  GMainLoop *loop;
  GRand *rand;
  char *fallback_url;
  guint fallback_after_ms;
  int ops;
  int submitted;
  gboolean paired;
  gboolean go;       /* SIGUSR2 came: submit */
  gboolean stopping; /* SIGTERM came: the timers end */
  gint64 gen;        /* the last "lineage" line's */
  gboolean done;
  gboolean fell_back;
  gint64 offline_since; /* monotonic µs, 0 while online */
  char *online_host;    /* the host id of the last "online" line */
} Station;

static TrClient *
client_of (Station *s)
{
  return tr_station_get_client (s->station);
}

static gboolean
is_online (Station *s)
{
  TrClientState state = tr_client_get_state (client_of (s));

  return state == TR_CLIENT_STATE_ONLINE_WEBSOCKET || state == TR_CLIENT_STATE_ONLINE_POLLING;
}

static const char *
host_id_of (Station *s)
{
  const char *id = tr_store_get_host_id (tr_station_get_store (s->station));

  return id != NULL && *id != '\0' ? id : "-";
}

static void
say (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

static void
check_done (Station *s)
{
  if (s->done || s->submitted < s->ops || !is_online (s)
      || tr_client_get_queued_ops (client_of (s)) > 0)
    return;
  s->done = TRUE;
  say ("done %s", host_id_of (s));
}

static void
on_state (Station *s)
{
  g_autofree char *url = NULL;

  if (!is_online (s))
    {
      if (s->offline_since == 0)
        s->offline_since = g_get_monotonic_time ();
      return;
    }
  s->offline_since = 0;
  /* The host id is the one it synced with: online means welcomed. */
  if (g_strcmp0 (s->online_host, host_id_of (s)) != 0)
    {
      g_free (s->online_host);
      s->online_host = g_strdup (host_id_of (s));
      g_object_get (client_of (s), "host-url", &url, NULL);
      say ("online %s %s", s->online_host, url);
    }
  check_done (s);
}

static void
on_synced (TrClient *client, gpointer user_data)
{
  on_state (user_data);
}

static void
on_rejected (TrStation *station, const char *op_id, const char *code, const char *message,
             gpointer user_data)
{
  say ("rejected %s %s", op_id, code);
}

static gboolean
submit_tick (gpointer data)
{
  Station *s = data;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrOp) op = NULL;
  g_autoptr (GError) error = NULL;
  TrItem *item;

  if (s->stopping)
    return G_SOURCE_REMOVE;
  if (!s->paired || !s->go)
    return G_SOURCE_CONTINUE;
  if (s->submitted >= s->ops)
    {
      check_done (s);
      return s->done ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
    }
  ticket = tr_ticket_new ();
  ticket->id = tr_uuid_new ();
  ticket->source = TR_SOURCE_APP;
  ticket->order_type = TR_ORDER_TYPE_DINE_IN;
  ticket->table = g_strdup ("7");
  item = tr_item_new ();
  item->id = tr_uuid_new ();
  item->name = g_strdup ("Fries");
  item->quantity = 1;
  g_ptr_array_add (ticket->items, item);
  op = tr_op_new_create_ticket (tr_station_get_station_id (s->station), ticket);
  if (!tr_station_submit (s->station, op, &error))
    {
      g_printerr ("tr-test-station: submit: %s\n", error->message);
      exit (1);
    }
  say ("op %s", op->op_id);
  s->submitted++;
  /* The next one at a random pace: 10–40 ms. */
  g_timeout_add (g_rand_int_range (s->rand, 10, 40), submit_tick, s);
  return G_SOURCE_REMOVE;
}

static gboolean
fallback_tick (gpointer data)
{
  Station *s = data;

  if (s->stopping)
    return G_SOURCE_REMOVE;
  if (s->fell_back || s->offline_since == 0 || !s->paired
      || g_get_monotonic_time () - s->offline_since < (gint64)s->fallback_after_ms * 1000)
    return G_SOURCE_CONTINUE;
  s->fell_back = TRUE;
  say ("fallback %s", s->fallback_url);
  g_object_set (client_of (s), "host-url", s->fallback_url, NULL);
  return G_SOURCE_REMOVE;
}

static void
paired_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Station *s = user_data;
  g_autoptr (GError) error = NULL;

  if (!tr_client_pair_finish (TR_CLIENT (source), result, &error))
    {
      g_printerr ("tr-test-station: pairing: %s\n", error->message);
      exit (1);
    }
  s->paired = TRUE;
}

static gboolean
on_usr1 (gpointer data)
{
  Station *s = data;
  g_autofree char *url = NULL;

  g_object_get (client_of (s), "host-url", &url, NULL);
  say ("status %s %s %s", host_id_of (s), url, is_online (s) ? "online" : "offline");
  return G_SOURCE_CONTINUE;
}

static gboolean
on_usr2 (gpointer data)
{
  ((Station *)data)->go = TRUE;
  return G_SOURCE_CONTINUE;
}

/* What tr-station-follow.c learnt from DNS-SD, as it keeps it. */
static gboolean
lineage_tick (gpointer data)
{
  Station *s = data;
  g_autofree char *lineage = NULL;
  gint64 gen = 0;

  if (s->stopping)
    return G_SOURCE_REMOVE;
  if (tr_store_get_lineage (tr_station_get_store (s->station), &lineage, &gen, NULL)
      && lineage != NULL && gen != s->gen)
    {
      s->gen = gen;
      say ("lineage %s %" G_GINT64_FORMAT, lineage, gen);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_term (gpointer data)
{
  g_main_loop_quit (((Station *)data)->loop);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— a station for the failover tests");
  g_autoptr (GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *url = NULL;
  g_autofree char *code = NULL;
  g_autofree char *name = NULL;
  g_autofree char *final_url = NULL;
  int fallback_after_ms = 3000;
  g_autofree char *seed = NULL;
  Station s = { 0 };
  guint usr1_id, usr2_id, term_id, int_id;
  const GOptionEntry entries[]
    = { { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "station.db's folder", "DIR" },
        { "url", 0, 0, G_OPTION_ARG_STRING, &url, "the host to join", "URL" },
        { "code", 0, 0, G_OPTION_ARG_STRING, &code, "a pairing code of that host", "CODE" },
        { "name", 0, 0, G_OPTION_ARG_STRING, &name, "the station's name", "NAME" },
        { "ops", 0, 0, G_OPTION_ARG_INT, &s.ops, "ops to submit", "N" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "seed of the pace", "S" },
        { "fallback-url", 0, 0, G_OPTION_ARG_STRING, &s.fallback_url,
          "where to go after being offline a while", "URL" },
        { "fallback-after-ms", 0, 0, G_OPTION_ARG_INT, &fallback_after_ms,
          "offline this long before the fallback", "MS" },
        { NULL } };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("tr-test-station: %s\n", error->message);
      return 2;
    }
  if (data_dir == NULL || url == NULL || code == NULL || s.ops < 0)
    {
      g_printerr ("tr-test-station: --data-dir, --url and --code are needed\n");
      return 2;
    }
  s.fallback_after_ms = (guint)MAX (fallback_after_ms, 0);
  s.rand = g_rand_new_with_seed (seed != NULL ? (guint32)g_ascii_strtoull (seed, NULL, 10) : 0);
  s.loop = g_main_loop_new (NULL, FALSE);
  s.station
    = tr_station_new_client (data_dir, url, name != NULL ? name : "Line", "kitchen", &error);
  if (s.station == NULL)
    {
      g_printerr ("tr-test-station: %s\n", error->message);
      return 1;
    }
  say ("station %s", tr_station_get_station_id (s.station));
  s.offline_since = g_get_monotonic_time ();
  g_signal_connect_swapped (client_of (&s), "notify::state", G_CALLBACK (on_state), &s);
  g_signal_connect_swapped (client_of (&s), "notify::queued-ops", G_CALLBACK (check_done), &s);
  g_signal_connect (client_of (&s), "synced", G_CALLBACK (on_synced), &s);
  g_signal_connect (s.station, "op-rejected", G_CALLBACK (on_rejected), &s);
  tr_client_pair_async (client_of (&s), code, NULL, paired_cb, &s);
  g_timeout_add (g_rand_int_range (s.rand, 10, 40), submit_tick, &s);
  if (s.fallback_url != NULL)
    g_timeout_add (100, fallback_tick, &s);
  g_timeout_add (100, lineage_tick, &s);
  usr1_id = g_unix_signal_add (SIGUSR1, on_usr1, &s);
  usr2_id = g_unix_signal_add (SIGUSR2, on_usr2, &s);
  term_id = g_unix_signal_add (SIGTERM, on_term, &s);
  int_id = g_unix_signal_add (SIGINT, on_term, &s);

  g_main_loop_run (s.loop);

  s.stopping = TRUE;
  g_object_get (client_of (&s), "host-url", &final_url, NULL);
  {
    guint queued = tr_client_get_queued_ops (client_of (&s));
    g_autofree char *host_id = g_strdup (host_id_of (&s));

    tr_station_shutdown (s.station);
    say ("stopped %s %s %u", host_id, final_url, queued);
  }
  g_source_remove (usr1_id);
  g_source_remove (usr2_id);
  g_source_remove (term_id);
  g_source_remove (int_id);
  g_clear_object (&s.station);
  g_main_loop_unref (s.loop);
  g_rand_free (s.rand);
  g_free (s.fallback_url);
  g_free (s.online_host);
  return 0;
}
