/* test-host-stats.c: GET /api/v1/stats and /api/v1/stats.csv on a real
 * host, over a real store file, on loopback
 *
 * The store's clock is a fake one the test sets before each op, so the
 * tickets have known times and the figures known values: averages, p50
 * and p90 are checked to the millisecond, and the CSV is parsed back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-host-stats"

#include <libsoup/soup.h>
#include <string.h>

#include "tr-client.h"
#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-store-private.h"
#include "tr-store.h"
#include "tr-test-util.h"

#define GIVE_UP_MS 120000
#define MIN_MS ((gint64)60000)
/* 2026-03-10 23:40:00 UTC: the service runs past midnight. */
#define T0 ((gint64)1773186000 * 1000)
#define N_TICKETS 10

typedef struct
{
  char *dir;
  TrStore *store;
  TrHost *host;
  SoupSession *session;
  char *base_url;
  char *token;
} Fixture;

/* The writer thread reads it: set between ops, which the test waits for. */
static GMutex clock_lock;
static gint64 clock_now;

static gint64
fake_clock (gpointer user_data)
{
  gint64 now;

  g_mutex_lock (&clock_lock);
  now = clock_now;
  g_mutex_unlock (&clock_lock);
  return now;
}

static void
set_clock (gint64 now)
{
  g_mutex_lock (&clock_lock);
  clock_now = now;
  g_mutex_unlock (&clock_lock);
}

static gboolean
give_up_cb (gpointer user_data)
{
  g_error ("gave up waiting for an HTTP answer");
  return G_SOURCE_REMOVE;
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GBytes **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

/* The body of @method @path, with the fixture's token unless @token is
 * NULL, and its status and Content-Type. */
static char *
request (Fixture *f, const char *method, const char *path, const char *body, gboolean with_token,
         guint *status, char **content_type)
{
  g_autofree char *url = g_strconcat (f->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  GBytes *answer = NULL;
  guint give_up = g_timeout_add (GIVE_UP_MS, give_up_cb, NULL);
  char *text;

  if (with_token)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", f->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &answer);
  while (answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (give_up);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (
      soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  text = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  g_bytes_unref (answer);
  return text;
}

static JsonObject *
parse_object (const char *text, JsonNode **holder)
{
  g_autoptr (GError) error = NULL;

  *holder = tr_json_parse (text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*holder));
  return json_node_get_object (*holder);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  guint status = 0;

  f->dir = g_dir_make_tmp ("test-host-stats-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "ticketrail.db", NULL);
  f->store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  tr_store_set_clock (f->store, fake_clock, NULL);
  f->host = g_object_new (TR_TYPE_HOST, "store", f->store, "port", 0, "loopback-only", TRUE, NULL);
  g_assert_true (tr_host_start (f->host, &error));
  g_assert_no_error (error);
  f->base_url = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (f->host));
  f->session = soup_session_new ();

  code = tr_host_new_pairing_code (f->host, NULL, &error);
  g_assert_no_error (error);
  body = g_strdup_printf ("{\"code\":\"%s\",\"station\":{\"id\":\"manager\",\"name\":\"Office\","
                          "\"role\":\"kitchen\"}}",
                          code);
  text = request (f, "POST", "/api/v1/pair", body, FALSE, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  f->token = g_strdup (json_object_get_string_member (parse_object (text, &node), "token"));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  tr_host_stop (f->host);
  g_clear_object (&f->host);
  g_clear_object (&f->store);
  g_clear_object (&f->session);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->base_url);
  g_free (f->token);
}

/* Applies @op (owned) at @at through the host's writer. */
static void
submit_at (Fixture *f, TrOp *op, gint64 at)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;

  set_clock (at);
  g_ptr_array_add (ops, op);
  outcomes = tr_host_submit_ops (f->host, ops, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((TrOutcome *)g_ptr_array_index (outcomes, 0))->result, ==, TR_APPLY_APPLIED);
}

static char *
create_at (Fixture *f, const char *table, TrOrderType type, gint64 at)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  const char *stations[] = { "grill", "fry" };

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup (table);
  ticket->order_type = type;
  for (guint i = 0; i < G_N_ELEMENTS (stations); i++)
    {
      TrItem *item = tr_item_new ();

      item->id = g_strdup (stations[i]);
      item->name = g_strdup (stations[i]);
      item->quantity = 1;
      item->station = g_strdup (stations[i]);
      g_ptr_array_add (ticket->items, item);
    }
  submit_at (f, tr_op_new_create_ticket ("pos", ticket), at);
  return g_strdup (ticket->id);
}

/* Ticket i (1 … 10), created at 23:40 + 3(i - 1) min: started after
 * 30 s, ready after i min, served i s later. The last three are ordered
 * after midnight. Plus one cancelled, and one created before the range. */
static void
make_service (Fixture *f)
{
  g_autofree char *before = NULL;
  g_autofree char *cancelled = NULL;

  before = create_at (f, "1", TR_ORDER_TYPE_DINE_IN, T0 - MIN_MS);
  submit_at (f, tr_op_new_set_ticket_status ("kds", before, TR_TICKET_STATUS_READY), T0);

  for (int i = 1; i <= N_TICKETS; i++)
    {
      gint64 created = T0 + (i - 1) * 3 * MIN_MS;
      const char *table = i == 1 ? "Patio, 4 \"B\"" : i == 2 ? "=1+1" : "7";
      g_autofree char *id
        = create_at (f, table, i <= 4 ? TR_ORDER_TYPE_TAKEAWAY : TR_ORDER_TYPE_DINE_IN, created);

      submit_at (f, tr_op_new_set_item_status ("grill", id, "grill", TR_ITEM_STATUS_PREPARING),
                 created + 30000);
      submit_at (f, tr_op_new_set_item_status ("fry", id, "fry", TR_ITEM_STATUS_READY),
                 created + 60000);
      submit_at (f, tr_op_new_set_ticket_status ("kds", id, TR_TICKET_STATUS_READY),
                 created + i * MIN_MS);
      submit_at (f, tr_op_new_set_ticket_status ("expo", id, TR_TICKET_STATUS_SERVED),
                 created + i * MIN_MS + i * 1000);
    }
  cancelled = create_at (f, "9", TR_ORDER_TYPE_DELIVERY, T0 + 5 * MIN_MS);
  submit_at (f, tr_op_new_set_ticket_status ("pos", cancelled, TR_TICKET_STATUS_CANCELLED),
             T0 + 50 * MIN_MS);
}

static void
assert_summary (JsonObject *object, const char *name, gint64 avg, gint64 p50, gint64 p90,
                gint64 max)
{
  JsonObject *summary = json_object_get_object_member (object, name);

  g_assert_nonnull (summary);
  g_assert_cmpint (json_object_get_int_member (summary, "avg"), ==, avg);
  g_assert_cmpint (json_object_get_int_member (summary, "p50"), ==, p50);
  g_assert_cmpint (json_object_get_int_member (summary, "p90"), ==, p90);
  g_assert_cmpint (json_object_get_int_member (summary, "max"), ==, max);
}

static void
test_stats_json (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *type = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *root;
  JsonArray *array;
  guint status = 0;

  make_service (f);
  path = g_strdup_printf ("/api/v1/stats?from=%" G_GINT64_FORMAT "&to=%" G_GINT64_FORMAT
                          "&late_minutes=9",
                          T0, T0 + 60 * MIN_MS);
  text = request (f, "GET", path, NULL, TRUE, &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (type, ==, "application/json");
  root = parse_object (text, &node);
  g_assert_cmpint (json_object_get_int_member (root, "tickets"), ==, N_TICKETS);
  g_assert_cmpint (json_object_get_int_member (root, "cancelled"), ==, 1);
  /* 9 and 10 minutes, against 9; 8 against the default warning. */
  g_assert_cmpint (json_object_get_int_member (root, "late"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (root, "warning"), ==, 1);
  /* 1 … 10 minutes: avg 5.5, nearest-rank p50 5 and p90 9. */
  assert_summary (root, "ready_time_ms", 330000, 5 * MIN_MS, 9 * MIN_MS, 10 * MIN_MS);
  assert_summary (root, "start_time_ms", 30000, 30000, 30000, 30000);
  assert_summary (root, "wait_time_ms", 5500, 5000, 9000, 10000);

  /* fry is ready after a minute every time; grill with the ticket. */
  array = json_object_get_array_member (root, "by_station");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  {
    JsonObject *fry = json_array_get_object_element (array, 0);
    JsonObject *grill = json_array_get_object_element (array, 1);

    g_assert_cmpstr (json_object_get_string_member (fry, "station"), ==, "fry");
    g_assert_cmpint (json_object_get_int_member (fry, "items"), ==, N_TICKETS);
    assert_summary (fry, "ready_time_ms", MIN_MS, MIN_MS, MIN_MS, MIN_MS);
    g_assert_cmpstr (json_object_get_string_member (grill, "station"), ==, "grill");
    assert_summary (grill, "ready_time_ms", 330000, 5 * MIN_MS, 9 * MIN_MS, 10 * MIN_MS);
  }

  array = json_object_get_array_member (root, "by_order_type");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  {
    JsonObject *dine_in = json_array_get_object_element (array, 0);
    JsonObject *takeaway = json_array_get_object_element (array, 1);

    g_assert_cmpstr (json_object_get_string_member (dine_in, "order_type"), ==, "dine_in");
    g_assert_cmpint (json_object_get_int_member (dine_in, "tickets"), ==, 6);
    assert_summary (dine_in, "ready_time_ms", 450000, 7 * MIN_MS, 10 * MIN_MS, 10 * MIN_MS);
    g_assert_cmpstr (json_object_get_string_member (takeaway, "order_type"), ==, "takeaway");
    assert_summary (takeaway, "ready_time_ms", 150000, 2 * MIN_MS, 4 * MIN_MS, 4 * MIN_MS);
  }

  /* TZ=UTC: seven at 23:xx, three after midnight. */
  array = json_object_get_array_member (root, "by_hour");
  g_assert_cmpuint (json_array_get_length (array), ==, 24);
  {
    JsonObject *eleven = json_array_get_object_element (array, 23);
    JsonObject *midnight = json_array_get_object_element (array, 0);

    g_assert_cmpint (json_object_get_int_member (eleven, "hour"), ==, 23);
    g_assert_cmpint (json_object_get_int_member (eleven, "tickets"), ==, 7);
    assert_summary (eleven, "ready_time_ms", 4 * MIN_MS, 4 * MIN_MS, 7 * MIN_MS, 7 * MIN_MS);
    g_assert_cmpint (json_object_get_int_member (midnight, "tickets"), ==, 3);
    assert_summary (midnight, "ready_time_ms", 9 * MIN_MS, 9 * MIN_MS, 10 * MIN_MS, 10 * MIN_MS);
    g_assert_true (
      json_object_get_null_member (json_array_get_object_element (array, 12), "ready_time_ms"));
  }
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&node, json_node_unref);

  /* A range with nothing in it: nulls, not zeros. */
  text = request (f, "GET", "/api/v1/stats?from=1000&to=2000", NULL, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  root = parse_object (text, &node);
  g_assert_cmpint (json_object_get_int_member (root, "tickets"), ==, 0);
  g_assert_true (json_object_get_null_member (root, "ready_time_ms"));
  g_assert_true (json_object_get_null_member (root, "wait_time_ms"));
}

/* A small RFC 4180 reader: rows of fields. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, '"'), p++;
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
        }
      else if (*p == '\r' && p[1] == '\n')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (rows, row);
          row = g_ptr_array_new_with_free_func (g_free);
          p++;
        }
      else
        g_string_append_c (field, *p);
    }
  g_assert_cmpuint (row->len, ==, 0);
  g_assert_cmpuint (field->len, ==, 0);
  g_ptr_array_unref (row);
  g_string_free (field, TRUE);
  return rows;
}

static const char *
cell (GPtrArray *rows, guint row, guint column)
{
  return g_ptr_array_index ((GPtrArray *)g_ptr_array_index (rows, row), column);
}

static void
test_stats_csv (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *type = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GArray) ready = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 sum = 0;
  guint status = 0, n_late = 0;

  make_service (f);
  path = g_strdup_printf ("/api/v1/stats.csv?from=%" G_GINT64_FORMAT "&to=%" G_GINT64_FORMAT
                          "&late_minutes=9",
                          T0, T0 + 60 * MIN_MS);
  text = request (f, "GET", path, NULL, TRUE, &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (type, ==, "text/csv");
  rows = parse_csv (text);
  /* The header, ten tickets and the cancelled one. */
  g_assert_cmpuint (rows->len, ==, 1 + N_TICKETS + 1);
  g_assert_cmpstr (cell (rows, 0, 0), ==, "number");
  g_assert_cmpstr (cell (rows, 0, 8), ==, "ready_time_ms");
  g_assert_cmpstr (cell (rows, 0, 10), ==, "late");
  for (guint r = 1; r < rows->len; r++)
    {
      g_assert_cmpuint (((GPtrArray *)g_ptr_array_index (rows, r))->len, ==, 12);
      if (g_str_equal (cell (rows, r, 11), "cancelled"))
        {
          g_assert_cmpstr (cell (rows, r, 6), ==, "");
          g_assert_cmpstr (cell (rows, r, 8), ==, "");
          continue;
        }
      g_assert_cmpstr (cell (rows, r, 11), ==, "served");
      {
        gint64 ms = g_ascii_strtoll (cell (rows, r, 8), NULL, 10);

        g_array_append_val (ready, ms);
        sum += ms;
      }
      n_late += g_str_equal (cell (rows, r, 10), "1");
      g_assert_cmpstr (cell (rows, r, 7), ==, "30000");
    }
  /* The same figures as the JSON, from the rows. */
  g_assert_cmpuint (ready->len, ==, N_TICKETS);
  g_assert_cmpint (sum / N_TICKETS, ==, 330000);
  g_assert_cmpuint (n_late, ==, 2);
  /* Oldest first: the first is 23:40, ready at 23:41, its table quoted
   * back whole, the second's kept from being a formula. */
  g_assert_cmpstr (cell (rows, 1, 1), ==, "Patio, 4 \"B\"");
  g_assert_cmpstr (cell (rows, 1, 2), ==, "takeaway");
  g_assert_cmpstr (cell (rows, 1, 3), ==, "2026-03-10T23:40:00.000Z");
  g_assert_cmpstr (cell (rows, 1, 5), ==, "2026-03-10T23:41:00.000Z");
  g_assert_cmpstr (cell (rows, 1, 6), ==, "2026-03-10T23:41:01.000Z");
  g_assert_cmpstr (cell (rows, 1, 9), ==, "1000");
  g_assert_cmpstr (cell (rows, 2, 1), ==, "'=1+1");
  g_assert_cmpint (g_ascii_strtoll (cell (rows, 1, 0), NULL, 10), >=, 1001);
}

static void
test_stats_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  guint status = 0;

  text = request (f, "GET", "/api/v1/stats", NULL, FALSE, &status, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_free (text);
  text = request (f, "GET", "/api/v1/stats.csv", NULL, FALSE, &status, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_free (text);
  text = request (f, "GET", "/api/v1/stats?from=2000&to=1000", NULL, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (strstr (text, "\"invalid\""));
  g_free (text);
  text = request (f, "GET", "/api/v1/stats?late_minutes=0", NULL, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  g_free (text);
  text = request (f, "POST", "/api/v1/stats", "{}", TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 405);
  g_free (text);
  text = request (f, "GET", "/api/v1/stats/x", NULL, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 404);
  g_free (text);
  /* No range: the last 24 hours of the real clock, empty here. */
  text = request (f, "GET", "/api/v1/stats", NULL, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (text, "\"tickets\":0"));
}

/* ---- ticketrail-ctl stats ---- */

static void
ctl_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Runs ticketrail-ctl stats with @args against the fixture's host,
 * iterating this thread's loop (the host's) meanwhile; returns its
 * stdout and in *@out_status its exit status. */
static char *
run_ctl (Fixture *f, const char *const *args, int *out_status)
{
  const char *bin = g_getenv ("TICKETRAIL_CTL_BIN");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  guint give_up = g_timeout_add (GIVE_UP_MS, give_up_cb, NULL);

  g_assert_nonnull (bin);
  g_ptr_array_add (argv, (char *)bin);
  g_ptr_array_add (argv, "stats");
  g_ptr_array_add (argv, "--host");
  g_ptr_array_add (argv, f->base_url);
  g_ptr_array_add (argv, "--token");
  g_ptr_array_add (argv, f->token);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);
  /* English, whatever the machine's locale. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, ctl_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (give_up);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, result, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  *out_status = g_subprocess_get_exit_status (process);
  if (*out_status != 0)
    g_test_message ("ticketrail-ctl: %s", err);
  return out;
}

static void
test_ctl_stats (Fixture *f, gconstpointer data)
{
  g_autofree char *from = g_strdup_printf ("%" G_GINT64_FORMAT, T0);
  g_autofree char *to = g_strdup_printf ("%" G_GINT64_FORMAT, T0 + 60 * MIN_MS);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_auto (GStrv) lines = NULL;
  int status = -1;

  make_service (f);
  {
    const char *const args[] = { "--from", from, "--to", to, "--late-minutes", "9", NULL };

    text = run_ctl (f, args, &status);
  }
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (text, "Tickets: 10 (cancelled 1), late-ish 1, late 2, recalls 0\n"));
  g_assert_nonnull (strstr (text, "  Time to ready        5:30     5:00     9:00    10:00\n"));
  g_assert_nonnull (strstr (text, "  Time at the pass     0:05     0:05     0:09     0:10\n"));
  g_assert_nonnull (strstr (text, "  fry                 10   avg 1:00   p90 1:00   late 0\n"));
  g_assert_nonnull (strstr (text, "  23:00                7   avg 4:00   p90 7:00   late 0\n"));
  g_clear_pointer (&text, g_free);

  /* The same range as dates, and the CSV: a header and 11 rows. */
  {
    const char *const args[]
      = { "--from", "2026-03-10T23:40:00Z", "--to", "2026-03-11T00:40:00Z", "--csv", NULL };

    text = run_ctl (f, args, &status);
  }
  g_assert_cmpint (status, ==, 0);
  lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + N_TICKETS + 1 + 1);
  g_assert_true (g_str_has_prefix (lines[0], "number,table,order_type,created,"));
  g_assert_cmpstr (lines[N_TICKETS + 2], ==, "");
  g_clear_pointer (&text, g_free);

  {
    const char *const args[] = { "--from", from, "--to", to, "--json", NULL };

    text = run_ctl (f, args, &status);
  }
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (json_object_get_int_member (parse_object (text, &node), "tickets"), ==,
                   N_TICKETS);
  g_clear_pointer (&text, g_free);

  /* Usage errors are 2; the host's refusal (from after to) 1. */
  {
    const char *const args[] = { "--from", "last tuesday", NULL };

    text = run_ctl (f, args, &status);
  }
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&text, g_free);
  {
    const char *const args[] = { "--from", to, "--to", from, NULL };

    text = run_ctl (f, args, &status);
  }
  g_assert_cmpint (status, ==, 1);
}

static void
report_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  guint give_up = g_timeout_add (GIVE_UP_MS, give_up_cb, NULL);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (give_up);
  return *slot;
}

static void
assert_report (const TrServiceReport *report)
{
  const TrServiceGroup *fry, *grill;

  g_assert_nonnull (report);
  g_assert_cmpint (report->from, ==, T0);
  g_assert_cmpint (report->to, ==, T0 + 60 * MIN_MS);
  g_assert_cmpint (report->late_ms, ==, 9 * MIN_MS);
  g_assert_cmpuint (report->tickets, ==, N_TICKETS);
  g_assert_cmpuint (report->cancelled, ==, 1);
  g_assert_cmpuint (report->late, ==, 2);
  g_assert_cmpuint (report->warning, ==, 1);
  g_assert_cmpint (report->ready.avg, ==, 330000);
  g_assert_cmpint (report->ready.p90, ==, 9 * MIN_MS);
  g_assert_cmpint (report->wait.avg, ==, 5500);
  g_assert_cmpuint (report->by_station->len, ==, 2);
  fry = g_ptr_array_index (report->by_station, 0);
  grill = g_ptr_array_index (report->by_station, 1);
  g_assert_cmpstr (fry->key, ==, "fry");
  g_assert_cmpint (fry->ready.avg, ==, MIN_MS);
  g_assert_cmpstr (grill->key, ==, "grill");
  g_assert_cmpuint (grill->items, ==, N_TICKETS);
  g_assert_cmpuint (report->by_hour[23].tickets, ==, 7);
}

/* The same figures without HTTP on the host (tr_host_get_stats_async(),
 * the host station's Service view) and over HTTP with a station's token
 * (tr_client_get_stats_async(), a paired station's). */
static void
test_stats_api (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "station.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) cache = NULL;
  g_autoptr (TrClient) client = NULL;
  g_autoptr (TrServiceReport) report = NULL;
  GAsyncResult *result = NULL;

  make_service (f);

  tr_host_get_stats_async (f->host, T0, T0 + 60 * MIN_MS, 8 * MIN_MS, 9 * MIN_MS, NULL, report_cb,
                           &result);
  report = tr_host_get_stats_finish (f->host, wait_result (&result), &error);
  g_assert_no_error (error);
  assert_report (report);
  g_clear_object (&result);
  g_clear_pointer (&report, tr_service_report_free);

  /* A range the wrong way round is refused before any thread. */
  tr_host_get_stats_async (f->host, T0, T0, 8 * MIN_MS, 9 * MIN_MS, NULL, report_cb, &result);
  report = tr_host_get_stats_finish (f->host, wait_result (&result), &error);
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  g_assert_null (report);
  g_clear_object (&result);
  g_clear_error (&error);

  cache = tr_store_open (path, TR_STORE_DURABILITY_NORMAL, &error);
  g_assert_no_error (error);
  client = tr_client_new (cache, f->base_url, "Office", "kitchen");
  g_object_set (client, "token", f->token, NULL);
  tr_client_get_stats_async (client, T0, T0 + 60 * MIN_MS, 8, 9, NULL, report_cb, &result);
  report = tr_client_get_stats_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  assert_report (report);
  g_clear_object (&result);
  g_clear_pointer (&report, tr_service_report_free);

  /* A token the host does not know: a clear refusal, not figures. */
  g_object_set (client, "token", "not-a-token", NULL);
  tr_client_get_stats_async (client, T0, T0 + 60 * MIN_MS, 8, 9, NULL, report_cb, &result);
  report = tr_client_get_stats_finish (client, wait_result (&result), &error);
  g_assert_error (error, TR_ERROR, TR_ERROR_UNAUTHORIZED);
  g_assert_null (report);
  g_clear_object (&result);
  g_clear_error (&error);

  /* Thresholds the host refuses: its message comes through. */
  g_object_set (client, "token", f->token, NULL);
  tr_client_get_stats_async (client, T0, T0 + 60 * MIN_MS, 8, 999, NULL, report_cb, &result);
  report = tr_client_get_stats_finish (client, wait_result (&result), &error);
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "late_minutes"));
  g_clear_object (&result);
  g_clear_error (&error);

  /* The host gone: the I/O error, not a hang. */
  tr_host_stop (f->host);
  tr_client_get_stats_async (client, T0, T0 + 60 * MIN_MS, 8, 9, NULL, report_cb, &result);
  report = tr_client_get_stats_finish (client, wait_result (&result), &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_null (report);
  g_clear_object (&result);
  g_clear_error (&error);
  tr_host_get_stats_async (f->host, T0, T0 + MIN_MS, 8 * MIN_MS, 9 * MIN_MS, NULL, report_cb,
                           &result);
  report = tr_host_get_stats_finish (f->host, wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_object (&result);
}

int
main (int argc, char **argv)
{
  /* by_hour is in the host's local time. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/host-stats/json", Fixture, NULL, fixture_setup, test_stats_json, fixture_teardown);
  g_test_add ("/host-stats/csv", Fixture, NULL, fixture_setup, test_stats_csv, fixture_teardown);
  g_test_add ("/host-stats/ctl", Fixture, NULL, fixture_setup, test_ctl_stats, fixture_teardown);
  g_test_add ("/host-stats/api", Fixture, NULL, fixture_setup, test_stats_api, fixture_teardown);
  g_test_add ("/host-stats/errors", Fixture, NULL, fixture_setup, test_stats_errors,
              fixture_teardown);
  return g_test_run ();
}
