/* ticketrail-ctl.c: a small CLI for integrators and for troubleshooting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <signal.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-protocol.h"

#define DEFAULT_HOST "http://127.0.0.1:8787"
#define CTL_STATION "ticketrail-ctl"

enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1, /* the host is unreachable, answered with an error, or rejected the op */
  EXIT_USAGE = 2,  /* bad arguments or input file */
};

static char *opt_host = NULL;
static char *opt_token = NULL;
static char *opt_station_id = NULL;
static int opt_timeout = 10;

static const GOptionEntry global_entries[] = {
  { "host", 'H', 0, G_OPTION_ARG_STRING, &opt_host, N_ ("Host URL (default http://127.0.0.1:8787)"),
    N_ ("URL") },
  { "token", 't', 0, G_OPTION_ARG_STRING, &opt_token,
    N_ ("Station token from 'pair', sent as a bearer token (default: $TICKETRAIL_TOKEN)"), "T" },
  { "station-id", 0, 0, G_OPTION_ARG_STRING, &opt_station_id,
    N_ ("The station id the token was issued to (default: one per command and process)"),
    N_ ("ID") },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout,
    N_ ("Seconds to wait for each step (default 10)"), "S" },
  { NULL },
};

static const char *const description =
  /* Translators: the end of ticketrail-ctl --help. Command names, option
   * names and the item syntax stay as they are; the lines after each
   * command name are indented by 11 spaces. */
  N_ ("Commands:\n"
      "  health   Print the host's health (GET /api/v1/health)\n"
      "  watch    Print live events, one line each: seq, kind, ticket number, status, op id\n"
      "           (--json prints the raw frames)\n"
      "  create   Create a ticket from flags or from a JSON file (POST /api/v1/tickets)\n"
      "  bump     Set a ticket's or an item's status (POST /api/v1/ops)\n"
      "  pair     Trade a pairing code from the host for a station token, printed on\n"
      "           stdout (ticketrail-ctl pair CODE --station-id ID); use it with\n"
      "           --token and the same --station-id\n"
      "  test     Check the path to the host step by step: TCP connect, HTTP health,\n"
      "           WebSocket handshake with the ticketrail.v1 subprotocol, hello/welcome\n"
      "           round trip, ping/pong latency; stops at the first failure\n"
      "\n"
      "Run 'ticketrail-ctl COMMAND --help' for a command's options.\n"
      "\n"
      "Item syntax for create --item (repeat the option for more items):\n"
      "  \"[QTYx] NAME [STATION] {MODIFIER,MODIFIER} !ALLERGEN !ALLERGEN (NOTE)\"\n"
      "  e.g. --item \"2x Butter Chicken [curry] {extra hot,no onion} !dairy (for table 4's "
      "child)\"\n"
      "  Every part but NAME is optional; QTY is 1 to 999.\n"
      "\n"
      "Exit status:\n"
      "  0  success\n"
      "  1  failure: host unreachable, an error answer, a rejected op, or a failed test step\n"
      "  2  usage error: bad arguments, bad item syntax, unreadable JSON file\n");

static const char *const exit_status_help
  = N_ ("Exit status: 0 success; 1 host unreachable, error answer, rejected op or failed\n"
        "test step; 2 usage error.\n");

static const char *const item_syntax_help =
  /* Translators: the end of ticketrail-ctl create --help; keep the item
   * syntax (QTYx, NAME, [STATION], {MODIFIER,…}, !ALLERGEN, (NOTE)) and the
   * example as they are */
  N_ ("Item syntax: \"[QTYx] NAME [STATION] {MODIFIER,MODIFIER} !ALLERGEN (NOTE)\"\n"
      "  e.g. --item \"2x Butter Chicken [curry] {extra hot,no onion} !dairy (no coriander)\"\n"
      "  Every part but NAME is optional; QTY is 1 to 999.\n"
      "The answer prints the new ticket's number and id: \"#1001 <uuid>\".\n"
      "\n"
      "Exit status: 0 success; 1 host unreachable or error answer; 2 usage error.\n");

/* ---- Helpers ---- */

static SoupSession *
session_new (void)
{
  return soup_session_new_with_options ("timeout", (guint)MAX (opt_timeout, 1), "user-agent",
                                        "ticketrail-ctl/" PACKAGE_VERSION, NULL);
}

static char *
make_url (const char *path)
{
  const char *base = opt_host != NULL ? opt_host : DEFAULT_HOST;
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int)len, base, path);
}

static SoupMessage *
message_new (const char *method, const char *path, GError **error)
{
  g_autofree char *url = make_url (path);
  SoupMessage *msg = soup_message_new (method, url);

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("not a valid host URL: %s"),
                   opt_host ? opt_host : DEFAULT_HOST);
      return NULL;
    }
  if (opt_token != NULL && *opt_token != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", opt_token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  return msg;
}

/* Sends @method @path with an optional JSON body; returns the parsed
 * JSON of a 2xx answer, else NULL with @error naming the status and the
 * host's message. */
static JsonNode *
http_json (SoupSession *session, const char *method, const char *path, const char *body,
           GError **error)
{
  g_autoptr (SoupMessage) msg = message_new (method, path, error);
  g_autoptr (GBytes) answer = NULL;
  const char *data;
  gsize size;
  guint status;

  if (msg == NULL)
    return NULL;
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, error);
  if (answer == NULL)
    return NULL;
  data = g_bytes_get_data (answer, &size);
  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autoptr (JsonNode) root = tr_json_parse (data, (gssize)size, NULL);
      const char *message = NULL;

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);
          JsonNode *err = json_object_get_member (object, "error");

          if (err != NULL && JSON_NODE_HOLDS_OBJECT (err))
            object = json_node_get_object (err);
          message = json_object_get_string_member_with_default (object, "message", NULL);
        }
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "HTTP %u %s%s%s", status,
                   soup_message_get_reason_phrase (msg) ? soup_message_get_reason_phrase (msg) : "",
                   message ? ": " : "", message ? message : "");
      return NULL;
    }
  return tr_json_parse (data, (gssize)size, error);
}

static void
print_json (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static int
fail (const char *what, const GError *error)
{
  g_printerr ("ticketrail-ctl: %s: %s\n", what, error ? error->message : _ ("failed"));
  return EXIT_FAILED;
}

static int
usage_error (const char *command, const char *message)
{
  g_printerr ("ticketrail-ctl: %s\n", message);
  /* Translators: %s is a command name, e.g. bump */
  g_printerr (_ ("Try 'ticketrail-ctl %s --help'.\n"), command);
  return EXIT_USAGE;
}

/* Parses @argv with @entries plus the global ones, so --host may come
 * after the command too. */
static gboolean
parse_command (GOptionContext *context, const GOptionEntry *entries, int *argc, char ***argv,
               int *exit_code)
{
  g_autoptr (GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (g_option_context_get_description (context) == NULL)
    g_option_context_set_description (context, exit_status_help);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, global_entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("ticketrail-ctl: %s\n", error->message);
      *exit_code = EXIT_USAGE;
      return FALSE;
    }
  if (*argc > 1)
    {
      g_printerr (_ ("ticketrail-ctl: unexpected argument \"%s\"\n"), (*argv)[1]);
      *exit_code = EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}

/* Runs the default main context until *@done or @timeout_s elapse. */
static gboolean
wait_until (gboolean *done, int timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)MAX (timeout_s, 1) * G_USEC_PER_SEC;

  while (!*done)
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      /* Wake up at least every 100 ms to check the deadline. */
      if (!g_main_context_pending (NULL))
        g_usleep (1000);
      g_main_context_iteration (NULL, FALSE);
    }
  return TRUE;
}

/* ---- WebSocket plumbing shared by watch and test ---- */

typedef struct
{
  gboolean done;
  SoupWebsocketConnection *ws;
  GError *error;
  GQueue frames; /* char* texts, oldest first */
  gboolean closed;
  gushort close_code;
} WsState;

/* Lets a close frame go out and libsoup finish with the socket. */
static void
drain (void)
{
  gint64 end = g_get_monotonic_time () + 200 * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

static void
ws_state_clear (WsState *state)
{
  if (state->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (state->ws, state);
      if (soup_websocket_connection_get_state (state->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (state->ws, TR_CLOSE_NORMAL, NULL);
      g_clear_object (&state->ws);
    }
  g_clear_error (&state->error);
  g_queue_clear_full (&state->frames, g_free);
}

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  WsState *state = user_data;
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    g_queue_push_tail (&state->frames, g_strndup (data, size));
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  WsState *state = user_data;

  state->closed = TRUE;
  state->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WsState *state = user_data;

  state->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &state->error);
  if (state->ws != NULL)
    {
      soup_websocket_connection_set_max_incoming_payload_size (state->ws, 64 * 1024 * 1024);
      soup_websocket_connection_set_keepalive_interval (state->ws, 0);
      g_signal_connect (state->ws, "message", G_CALLBACK (on_ws_message), state);
      g_signal_connect (state->ws, "closed", G_CALLBACK (on_ws_closed), state);
    }
  state->done = TRUE;
}

static gboolean
ws_connect (SoupSession *session, WsState *state, GError **error)
{
  static const char *const protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autoptr (SoupMessage) msg = message_new (SOUP_METHOD_GET, "/api/v1/ws", error);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  if (msg == NULL)
    return FALSE;
  soup_session_websocket_connect_async (session, msg, NULL, (char **)protocols, G_PRIORITY_DEFAULT,
                                        cancellable, on_ws_connected, state);
  if (!wait_until (&state->done, opt_timeout))
    {
      g_cancellable_cancel (cancellable);
      wait_until (&state->done, 5);
      g_clear_error (&state->error);
      g_clear_object (&state->ws);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _ ("no handshake answer within %d s"),
                   opt_timeout);
      return FALSE;
    }
  if (state->ws == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&state->error));
      return FALSE;
    }
  return TRUE;
}

/* Waits for the next frame of type @type, skipping others; an error
 * frame or a close ends the wait. */
static TrFrame *
ws_wait_frame (WsState *state, TrFrameType type, int timeout_s, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_s * G_USEC_PER_SEC;

  for (;;)
    {
      while (!g_queue_is_empty (&state->frames))
        {
          g_autofree char *text = g_queue_pop_head (&state->frames);
          g_autoptr (TrFrame) frame = tr_frame_parse (text, strlen (text), error);

          if (frame == NULL)
            return NULL;
          if (frame->type == TR_FRAME_ERROR)
            {
              /* Translators: the first %s is an error code, e.g. unauthorized,
               * the second the host's message */
              g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, _ ("the host answered %s: %s"),
                           frame->error_code, frame->error_message ? frame->error_message : "");
              return NULL;
            }
          if (frame->type == type)
            return g_steal_pointer (&frame);
        }
      if (state->closed)
        {
          /* Translators: %u is a WebSocket close code, e.g. 1008 */
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                       _ ("the host closed the connection (%u)"), state->close_code);
          return NULL;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          /* Translators: %s is a protocol frame type, e.g. welcome or pong */
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _ ("no %s frame within %d s"),
                       tr_frame_type_to_string (type), timeout_s);
          return NULL;
        }
      if (!g_main_context_pending (NULL))
        g_usleep (1000);
      g_main_context_iteration (NULL, FALSE);
    }
}

static gboolean
ws_send (WsState *state, const char *text, GError **error)
{
  if (state->ws == NULL
      || soup_websocket_connection_get_state (state->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("the connection is closed"));
      return FALSE;
    }
  soup_websocket_connection_send_text (state->ws, text);
  return TRUE;
}

/* The host's id and head from its health endpoint. */
static JsonNode *
get_health (SoupSession *session, const char **host_id, gint64 *head_seq, GError **error)
{
  g_autoptr (JsonNode) root = http_json (session, SOUP_METHOD_GET, "/api/v1/health", NULL, error);
  JsonObject *object;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL,
                           _ ("the health answer is no object"));
      return NULL;
    }
  object = json_node_get_object (root);
  *host_id = json_object_get_string_member_with_default (object, "host_id", NULL);
  *head_seq = json_object_get_int_member_with_default (object, "head_seq", 0);
  if (*host_id == NULL)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL,
                           _ ("the health answer has no host_id: not a Ticketrail host?"));
      return NULL;
    }
  return g_steal_pointer (&root);
}

/* ---- health ---- */

static int
cmd_health (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (N_ ("- print the host's health"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  int exit_code;

  if (!parse_command (context, NULL, &argc, &argv, &exit_code))
    return exit_code;
  session = session_new ();
  root = http_json (session, SOUP_METHOD_GET, "/api/v1/health", NULL, &error);
  if (root == NULL)
    return fail ("health", error);
  print_json (root);
  return EXIT_OK;
}

/* ---- watch ---- */

static gboolean opt_watch_json = FALSE;

static const GOptionEntry watch_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_watch_json, N_ ("Print the raw events frames"), NULL },
  { NULL },
};

static gboolean
on_watch_ping (gpointer user_data)
{
  WsState *state = user_data;
  g_autofree char *ping = tr_frame_build_ping (tr_now_ms (), -1, 0);

  ws_send (state, ping, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_watch_interrupt (gpointer user_data)
{
  gboolean *interrupted = user_data;

  *interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
print_event (const TrEvent *event)
{
  const TrTicket *ticket = event->ticket;

  g_print ("%" G_GINT64_FORMAT "\t%s\t#%d\t%s\t%s\n", event->seq,
           tr_event_kind_to_string (event->kind), ticket ? ticket->number : 0,
           ticket ? tr_ticket_status_to_string (ticket->status) : "-",
           event->op_id ? event->op_id : "-");
}

static int
cmd_watch (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (N_ ("- print live events"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (JsonNode) health = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *hello = NULL;
  g_autofree char *station_id = NULL;
  g_autoptr (TrFrame) welcome = NULL;
  WsState state = { 0 };
  const char *host_id = NULL;
  gint64 head_seq = 0;
  guint ping_source;
  guint sigint_source;
  guint sigterm_source;
  gboolean interrupted = FALSE;
  int exit_code;

  if (!parse_command (context, watch_entries, &argc, &argv, &exit_code))
    return exit_code;

  session = session_new ();
  health = get_health (session, &host_id, &head_seq, &error);
  if (health == NULL)
    return fail ("watch", error);
  if (!ws_connect (session, &state, &error))
    {
      ws_state_clear (&state);
      return fail ("watch: WebSocket", error);
    }
  /* since = head with the host's id: no backlog, only live events. */
  station_id = opt_station_id != NULL ? g_strdup (opt_station_id)
                                      : g_strdup_printf (CTL_STATION "-watch-%u", (guint)getpid ());
  hello = tr_frame_build_hello (station_id, "ticketrail-ctl watch", "monitor", opt_token, host_id,
                                head_seq);
  if (!ws_send (&state, hello, &error)
      || !(welcome = ws_wait_frame (&state, TR_FRAME_WELCOME, opt_timeout, &error)))
    {
      ws_state_clear (&state);
      return fail ("watch", error);
    }
  /* Translators: "Watching http://127.0.0.1:8787 (host 4f1c…, head 1042)":
   * a URL, the host's id and a sequence number */
  g_printerr (_ ("Watching %s (host %s, head %lld)\n"), opt_host ? opt_host : DEFAULT_HOST,
              welcome->host_id, (long long)welcome->head_seq);
  /* The header and the event lines are for scripts: not translated. */
  if (!opt_watch_json)
    g_print ("seq\tkind\tticket\tstatus\top_id\n");

  /* The host drops a station it has not heard from in its heartbeat
   * timeout. */
  ping_source = g_timeout_add_seconds (5, on_watch_ping, &state);
  sigint_source = g_unix_signal_add (SIGINT, on_watch_interrupt, &interrupted);
  sigterm_source = g_unix_signal_add (SIGTERM, on_watch_interrupt, &interrupted);
  while (!state.closed && !interrupted)
    {
      while (!g_queue_is_empty (&state.frames))
        {
          g_autofree char *text = g_queue_pop_head (&state.frames);
          g_autoptr (TrFrame) frame = NULL;

          if (opt_watch_json)
            {
              if (strstr (text, "\"type\":\"pong\"") == NULL)
                g_print ("%s\n", text);
              continue;
            }
          frame = tr_frame_parse (text, strlen (text), &error);
          if (frame == NULL)
            {
              g_printerr (_ ("ticketrail-ctl: bad frame: %s\n"), error->message);
              g_clear_error (&error);
              continue;
            }
          if (frame->type == TR_FRAME_EVENTS)
            for (guint i = 0; i < frame->events->len; i++)
              print_event (g_ptr_array_index (frame->events, i));
          else if (frame->type == TR_FRAME_SNAPSHOT)
            g_print ("snapshot at seq %" G_GINT64_FORMAT ": %u tickets\n", frame->seq,
                     frame->tickets->len);
          else if (frame->type == TR_FRAME_ERROR)
            /* Translators: the first %s is an error code, e.g. limit, the
             * second the host's message */
            g_printerr (_ ("host error %s: %s\n"), frame->error_code,
                        frame->error_message ? frame->error_message : "");
        }
      fflush (stdout);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (ping_source);
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  if (interrupted)
    {
      ws_state_clear (&state);
      drain ();
      return EXIT_OK;
    }
  if (state.close_code != 0)
    /* Translators: %u is a WebSocket close code, e.g. 1001 */
    g_printerr (_ ("The host closed the connection (close code %u)\n"), state.close_code);
  else
    g_printerr ("%s\n", _ ("The connection to the host was lost"));
  ws_state_clear (&state);
  return EXIT_FAILED;
}

/* ---- create ---- */

static char *opt_table = NULL;
static char *opt_type = NULL;
static char *opt_server = NULL;
static char *opt_note = NULL;
static char *opt_json_file = NULL;
static gboolean opt_rush = FALSE;
static int opt_guests = 0;
static char **opt_items = NULL;

static const GOptionEntry create_entries[] = {
  { "table", 0, 0, G_OPTION_ARG_STRING, &opt_table, N_ ("Table"), "T" },
  { "type", 0, 0, G_OPTION_ARG_STRING, &opt_type,
    /* Translators: dine_in, takeaway, delivery and pickup are values to
     * type: keep them as they are */
    N_ ("Order type: dine_in, takeaway, delivery or pickup (default dine_in)"), N_ ("TYPE") },
  { "server", 0, 0, G_OPTION_ARG_STRING, &opt_server, N_ ("Server's name"), "S" },
  { "guests", 0, 0, G_OPTION_ARG_INT, &opt_guests, N_ ("Number of guests"), N_ ("N") },
  { "note", 0, 0, G_OPTION_ARG_STRING, &opt_note, N_ ("Ticket note"), N_ ("NOTE") },
  { "rush", 0, 0, G_OPTION_ARG_NONE, &opt_rush, N_ ("Rush priority"), NULL },
  { "item", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &opt_items,
    /* Translators: keep the item syntax of the example as it is */
    N_ ("An item, e.g. \"2x Butter Chicken [curry] {extra hot} !dairy (no coriander)\"; "
        "repeatable"),
    N_ ("SPEC") },
  { "json", 0, 0, G_OPTION_ARG_FILENAME, &opt_json_file,
    N_ ("Send this JSON file as the ticket instead (the POS shape of docs/protocol.md)"),
    N_ ("FILE") },
  { NULL },
};

static char *
strip_dup (const char *start, gsize len)
{
  g_autofree char *copy = g_strndup (start, len);
  return g_strdup (g_strstrip (copy));
}

static GStrv
split_list (const char *start, gsize len)
{
  g_autofree char *copy = g_strndup (start, len);
  g_auto (GStrv) parts = g_strsplit (copy, ",", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

/* "[QTYx] NAME [STATION] {MOD,MOD} !ALLERGEN (NOTE)". */
static TrItem *
parse_item_spec (const char *spec, GError **error)
{
  g_autoptr (TrItem) item = tr_item_new ();
  g_autoptr (GString) name = g_string_new (NULL);
  g_autoptr (GStrvBuilder) allergens = g_strv_builder_new ();
  const char *p = spec;
  char *end;
  guint64 quantity = 1;

  while (g_ascii_isspace (*p))
    p++;
  if (g_ascii_isdigit (*p))
    {
      const char *digits = p;

      quantity = g_ascii_strtoull (p, &end, 10);
      if ((*end == 'x' || *end == 'X') && end > digits && g_ascii_isspace (end[1]))
        p = end + 1;
      else
        quantity = 1; /* a name that starts with a digit, e.g. "7up" */
    }
  if (quantity < TR_MIN_QUANTITY || quantity > TR_MAX_QUANTITY)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: %s is what was given to --item */
                   _ ("item \"%s\": the quantity must be between %d and %d"), spec, TR_MIN_QUANTITY,
                   TR_MAX_QUANTITY);
      return NULL;
    }

  while (*p != '\0')
    {
      char close = 0;

      switch (*p)
        {
          case '[':
            close = ']';
            break;
          case '{':
            close = '}';
            break;
          case '(':
            close = ')';
            break;
          default:
            break;
        }
      if (close != 0)
        {
          const char *start = p + 1;
          const char *stop = strchr (start, close);

          if (stop == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           /* Translators: %s is what was given to --item, %c a
                            * bracket: [ { or ( */
                           _ ("item \"%s\": '%c' is not closed"), spec, *p);
              return NULL;
            }
          if (*p == '[')
            {
              g_free (item->station);
              item->station = strip_dup (start, (gsize)(stop - start));
            }
          else if (*p == '{')
            {
              g_strfreev (item->modifiers);
              item->modifiers = split_list (start, (gsize)(stop - start));
            }
          else
            {
              g_free (item->note);
              item->note = strip_dup (start, (gsize)(stop - start));
            }
          p = stop + 1;
        }
      else if (*p == '!')
        {
          const char *start = ++p;

          while (*p != '\0' && !g_ascii_isspace (*p) && strchr ("[{(!", *p) == NULL)
            p++;
          if (p > start)
            {
              g_autofree char *allergen = g_strndup (start, (gsize)(p - start));
              g_strv_builder_add (allergens, allergen);
            }
        }
      else
        g_string_append_c (name, *p++);
    }

  g_strstrip (name->str);
  /* Collapse the gaps the removed parts left. */
  {
    g_auto (GStrv) words = g_strsplit_set (name->str, " \t", -1);
    g_autoptr (GString) joined = g_string_new (NULL);

    for (guint i = 0; words[i] != NULL; i++)
      if (words[i][0] != '\0')
        g_string_append_printf (joined, "%s%s", joined->len ? " " : "", words[i]);
    g_free (item->name);
    item->name = g_strdup (joined->str);
  }
  if (item->name[0] == '\0')
    {
      /* Translators: %s is what was given to --item */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _ ("item \"%s\": no name"),
                   spec);
      return NULL;
    }
  if (item->station != NULL && item->station[0] == '\0')
    g_clear_pointer (&item->station, g_free);
  if (item->note != NULL && item->note[0] == '\0')
    g_clear_pointer (&item->note, g_free);

  g_free (item->id);
  item->id = tr_uuid_new ();
  item->quantity = (int)quantity;
  g_strfreev (item->allergens);
  item->allergens = g_strv_builder_end (allergens);
  return g_steal_pointer (&item);
}

static char *
ticket_body_from_flags (GError **error)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  gint64 now = tr_now_ms ();

  if (opt_items == NULL || opt_items[0] == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _ ("give at least one --item, or --json FILE"));
      return NULL;
    }
  ticket->id = tr_uuid_new ();
  ticket->source = TR_SOURCE_POS;
  ticket->order_type = TR_ORDER_TYPE_DINE_IN;
  if (opt_type != NULL && !tr_order_type_from_string (opt_type, &ticket->order_type))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: keep the type names as they are */
                   _ ("--type: \"%s\" is not one of dine_in, takeaway, delivery, pickup"),
                   opt_type);
      return NULL;
    }
  if (opt_guests < 0 || opt_guests > TR_MAX_GUESTS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--guests: must be between 0 and %d"), TR_MAX_GUESTS);
      return NULL;
    }
  ticket->table = g_strdup (opt_table);
  ticket->server = g_strdup (opt_server);
  ticket->note = g_strdup (opt_note);
  ticket->guests = opt_guests;
  ticket->priority = opt_rush ? TR_PRIORITY_RUSH : TR_PRIORITY_NORMAL;
  ticket->status = TR_TICKET_STATUS_NEW;
  ticket->recall_status = TR_TICKET_STATUS_NEW;
  ticket->created_at = now;
  ticket->updated_at = now;
  ticket->version = 1;
  for (guint i = 0; opt_items[i] != NULL; i++)
    {
      TrItem *item = parse_item_spec (opt_items[i], error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (ticket->items, item);
    }
  return tr_ticket_to_string (ticket);
}

static int
cmd_create (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (N_ ("- create a ticket"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  JsonObject *object;
  JsonNode *ticket_node;
  int exit_code;

  g_option_context_set_description (context, item_syntax_help);
  if (!parse_command (context, create_entries, &argc, &argv, &exit_code))
    return exit_code;

  if (opt_json_file != NULL)
    {
      gsize length;
      g_autoptr (JsonNode) check = NULL;

      if (!g_file_get_contents (opt_json_file, &body, &length, &error)
          || !(check = tr_json_parse (body, (gssize)length, &error)))
        {
          g_printerr ("ticketrail-ctl: create: %s\n", error->message);
          return EXIT_USAGE;
        }
    }
  else if (!(body = ticket_body_from_flags (&error)))
    {
      g_printerr ("ticketrail-ctl: create: %s\n", error->message);
      return EXIT_USAGE;
    }

  session = session_new ();
  root = http_json (session, SOUP_METHOD_POST, "/api/v1/tickets", body, &error);
  if (root == NULL)
    return fail ("create", error);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      print_json (root);
      return EXIT_OK;
    }
  /* The answer is the ticket, or an object holding it. */
  object = json_node_get_object (root);
  ticket_node = json_object_get_member (object, "ticket");
  if (ticket_node != NULL && JSON_NODE_HOLDS_OBJECT (ticket_node))
    object = json_node_get_object (ticket_node);
  g_print ("#%" G_GINT64_FORMAT " %s\n",
           json_object_get_int_member_with_default (object, "number", 0),
           json_object_get_string_member_with_default (object, "id", "?"));
  return EXIT_OK;
}

/* ---- bump ---- */

static char *opt_ticket = NULL;
static char *opt_item = NULL;
static char *opt_status = NULL;

static const GOptionEntry bump_entries[] = {
  { "ticket", 0, 0, G_OPTION_ARG_STRING, &opt_ticket, N_ ("Ticket id, or #NUMBER for its number"),
    N_ ("ID|#N") },
  { "item", 0, 0, G_OPTION_ARG_STRING, &opt_item,
    N_ ("Bump this item (its id, or its name) instead of the ticket"), N_ ("ID") },
  { "status", 0, 0, G_OPTION_ARG_STRING, &opt_status,
    /* Translators: the status names are values to type: keep them as they
     * are */
    N_ ("Target status (default ready): preparing, ready, served, cancelled; for items pending, "
        "preparing, ready, served, voided"),
    N_ ("STATUS") },
  { NULL },
};

/* The newest ticket with @number (numbers restart each business day). */
static TrTicket *
find_ticket (SoupSession *session, const char *spec, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (TrTicket) found = NULL;
  JsonArray *array = NULL;
  char *end;
  gint64 number = 0;
  gboolean by_number = spec[0] == '#';

  if (by_number)
    {
      number = g_ascii_strtoll (spec + 1, &end, 10);
      if (*end != '\0' || end == spec + 1 || number <= 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("--ticket: \"%s\" is not #NUMBER"), spec);
          return NULL;
        }
    }
  root = http_json (session, SOUP_METHOD_GET, "/api/v1/tickets", NULL, error);
  if (root == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (root))
    array = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root)
           && json_object_has_member (json_node_get_object (root), "tickets"))
    array = json_object_get_array_member (json_node_get_object (root), "tickets");
  if (array == NULL)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL, _ ("the ticket list is malformed"));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr (TrTicket) ticket = tr_ticket_from_json (json_array_get_element (array, i), error);

      if (ticket == NULL)
        return NULL;
      if (by_number ? ticket->number == number : g_str_equal (ticket->id, spec))
        {
          if (found == NULL || ticket->created_at >= found->created_at)
            {
              g_clear_pointer (&found, tr_ticket_free);
              found = g_steal_pointer (&ticket);
            }
        }
    }
  if (found == NULL)
    /* Translators: %s is a ticket id or #NUMBER */
    g_set_error (error, TR_ERROR, TR_ERROR_UNKNOWN_TICKET, _ ("no ticket %s on the host"), spec);
  return g_steal_pointer (&found);
}

static int
cmd_bump (int argc, char **argv)
{
  g_autoptr (GOptionContext) context
    = g_option_context_new (N_ ("- set a ticket's or item's status"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrOp) op = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  const char *status = opt_status;
  JsonNode *ack;
  int exit_code;

  if (!parse_command (context, bump_entries, &argc, &argv, &exit_code))
    return exit_code;
  if (opt_ticket == NULL)
    return usage_error ("bump", _ ("--ticket is required"));
  status = opt_status != NULL ? opt_status : "ready";

  session = session_new ();
  if (opt_ticket[0] != '#')
    {
      /* An id needs no lookup, unless an item is named by its name. */
      ticket = tr_ticket_new ();
      ticket->id = g_strdup (opt_ticket);
    }
  /* A number needs the list; so does an item, which may be named. */
  if (ticket == NULL || opt_item != NULL)
    {
      g_clear_pointer (&ticket, tr_ticket_free);
      ticket = find_ticket (session, opt_ticket, &error);
      if (ticket == NULL)
        return fail ("bump", error);
    }

  if (opt_item != NULL)
    {
      TrItemStatus item_status;
      const char *item_id = opt_item;

      if (!tr_item_status_from_string (status, &item_status))
        return usage_error ("bump", _ ("--status is not an item status"));
      if (tr_ticket_find_item (ticket, opt_item) == NULL)
        {
          item_id = NULL;
          for (guint i = 0; i < ticket->items->len; i++)
            {
              TrItem *item = g_ptr_array_index (ticket->items, i);
              if (g_ascii_strcasecmp (item->name, opt_item) == 0)
                {
                  item_id = item->id;
                  break;
                }
            }
          if (item_id == NULL)
            {
              /* Translators: %d is a ticket number, %s an item's name */
              g_printerr (_ ("ticketrail-ctl: bump: ticket #%d has no item \"%s\"\n"),
                          ticket->number, opt_item);
              return EXIT_FAILED;
            }
        }
      op = tr_op_new_set_item_status (CTL_STATION, ticket->id, item_id, item_status);
    }
  else
    {
      TrTicketStatus ticket_status;

      if (!tr_ticket_status_from_string (status, &ticket_status))
        return usage_error ("bump", _ ("--status is not a ticket status"));
      op = tr_op_new_set_ticket_status (CTL_STATION, ticket->id, ticket_status);
    }

  body = tr_op_to_string (op);
  root = http_json (session, SOUP_METHOD_POST, "/api/v1/ops", body, &error);
  if (root == NULL)
    return fail ("bump", error);
  /* {"acks":[…]} holding our one ack. */
  ack = root;
  if (JSON_NODE_HOLDS_OBJECT (root) && json_object_has_member (json_node_get_object (root), "acks"))
    {
      JsonArray *acks = json_object_get_array_member (json_node_get_object (root), "acks");

      if (acks != NULL && json_array_get_length (acks) > 0)
        ack = json_array_get_element (acks, 0);
    }
  print_json (ack);
  if (JSON_NODE_HOLDS_OBJECT (ack)
      && g_strcmp0 (
           json_object_get_string_member_with_default (json_node_get_object (ack), "result", NULL),
           "rejected")
           == 0)
    return EXIT_FAILED;
  return EXIT_OK;
}

/* ---- test ---- */

static gint64 step_start;

static void
step_begin (const char *what)
{
  /* Pad by characters, not bytes: the step names hold arrows. */
  g_print ("%s%*s ", what, (int)MAX (0, 42 - (glong)g_utf8_strlen (what, -1)), "");
  fflush (stdout);
  step_start = g_get_monotonic_time ();
}

static double
step_ms (void)
{
  return (double)(g_get_monotonic_time () - step_start) / 1000.0;
}

static void
step_ok (const char *detail)
{
  g_print ("ok   %8.2f ms  %s\n", step_ms (), detail ? detail : "");
}

static int
step_fail (const char *hint, const GError *error)
{
  g_print ("FAIL %8.2f ms\n", step_ms ());
  g_printerr ("ticketrail-ctl: test: %s\n  %s\n", error ? error->message : _ ("failed"), hint);
  return EXIT_FAILED;
}

static int
cmd_test (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (N_ ("- check the path to the host"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (GSocketClient) client = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (JsonNode) health = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) welcome = NULL;
  g_autoptr (TrFrame) pong = NULL;
  g_autofree char *url = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *hello = NULL;
  g_autofree char *ping = NULL;
  g_autofree char *station_id = NULL;
  WsState state = { 0 };
  const char *host_id = NULL;
  const char *protocol;
  gint64 head_seq = 0;
  gint64 sent;
  int port;
  int exit_code;

  if (!parse_command (context, NULL, &argc, &argv, &exit_code))
    return exit_code;

  url = make_url ("");
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      if (error != NULL)
        /* Translators: %s is a URL, then why it is not valid */
        g_printerr (_ ("ticketrail-ctl: test: not a valid host URL \"%s\": %s\n"), url,
                    error->message);
      else
        /* Translators: %s is a URL */
        g_printerr (_ ("ticketrail-ctl: test: not a valid host URL \"%s\"\n"), url);
      return EXIT_USAGE;
    }
  port = g_uri_get_port (uri);
  if (port < 0)
    port = g_str_equal (g_uri_get_scheme (uri), "https") ? 443 : 80;

  /* 1. TCP */
  /* Translators: a step of ticketrail-ctl test; %s:%d is an address and
   * port. Keep it under 42 characters, the width of the step column */
  detail = g_strdup_printf (_ ("TCP connect to %s:%d"), g_uri_get_host (uri), port);
  step_begin (detail);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, (guint)MAX (opt_timeout, 1));
  connection
    = g_socket_client_connect_to_host (client, g_uri_get_host (uri), (guint16)port, NULL, &error);
  if (connection == NULL)
    return step_fail (_ ("Is the host running, and is the address and port right? A firewall?"),
                      error);
  step_ok (NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  /* 2. HTTP health */
  session = session_new ();
  step_begin ("HTTP GET /api/v1/health");
  health = get_health (session, &host_id, &head_seq, &error);
  if (health == NULL)
    return step_fail (
      _ ("The port answers but not as a Ticketrail host (or a proxy is in the way)."), error);
  g_free (detail);
  /* Translators: the host's id and the sequence number of its newest event */
  detail = g_strdup_printf (_ ("host %s, head seq %lld"), host_id, (long long)head_seq);
  step_ok (detail);

  /* 3. WebSocket handshake */
  g_free (detail);
  /* Translators: a step of ticketrail-ctl test; %s is the subprotocol name,
   * ticketrail.v1 */
  detail = g_strdup_printf (_ ("WebSocket handshake (%s)"), TR_PROTOCOL_SUBPROTOCOL);
  step_begin (detail);
  if (!ws_connect (session, &state, &error))
    {
      ws_state_clear (&state);
      return step_fail (_ ("HTTP works but WebSocket does not: a proxy that strips Upgrade, or a "
                           "host started with --no-websocket. Stations fall back to polling."),
                        error);
    }
  protocol = soup_websocket_connection_get_protocol (state.ws);
  if (g_strcmp0 (protocol, TR_PROTOCOL_SUBPROTOCOL) != 0)
    {
      if (protocol != NULL)
        /* Translators: %s is a WebSocket subprotocol name */
        g_set_error (&error, TR_ERROR, TR_ERROR_PROTOCOL, _ ("the host chose subprotocol \"%s\""),
                     protocol);
      else
        g_set_error_literal (&error, TR_ERROR, TR_ERROR_PROTOCOL,
                             _ ("the host chose no subprotocol"));
      ws_state_clear (&state);
      return step_fail (_ ("The host speaks another protocol version."), error);
    }
  step_ok (protocol);

  /* 4. hello / welcome */
  step_begin ("hello → welcome");
  station_id = opt_station_id != NULL ? g_strdup (opt_station_id)
                                      : g_strdup_printf (CTL_STATION "-test-%u", (guint)getpid ());
  hello = tr_frame_build_hello (station_id, "ticketrail-ctl test", "monitor", opt_token, host_id,
                                head_seq);
  if (!ws_send (&state, hello, &error)
      || !(welcome = ws_wait_frame (&state, TR_FRAME_WELCOME, opt_timeout, &error)))
    {
      ws_state_clear (&state);
      return step_fail (_ ("The host refused the hello: check --token."), error);
    }
  g_free (detail);
  detail = g_strdup_printf (_ ("host %s, head seq %lld"), welcome->host_id,
                            (long long)welcome->head_seq);
  step_ok (detail);

  /* 5. ping / pong */
  step_begin ("ping → pong");
  sent = tr_now_ms ();
  ping = tr_frame_build_ping (sent, head_seq, 0);
  if (!ws_send (&state, ping, &error)
      || !(pong = ws_wait_frame (&state, TR_FRAME_PONG, opt_timeout, &error)))
    {
      ws_state_clear (&state);
      return step_fail (_ ("The connection opened but the host does not answer pings."), error);
    }
  /* Translators: the detail of the ping → pong step of ticketrail-ctl test */
  step_ok (_ ("round trip"));

  ws_state_clear (&state);
  drain ();
  g_print ("%s\n", _ ("All checks passed."));
  return EXIT_OK;
}

/* ---- main ---- */

/* ---- pair ---- */

static int
cmd_pair (int argc, char **argv)
{
  g_autoptr (GOptionContext) context
    /* Translators: CODE is a placeholder: keep it as it is */
    = g_option_context_new (N_ ("CODE - trade a pairing code for a station token"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (JsonNode) request = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *station_id = NULL;
  JsonObject *object, *station;
  const char *token;
  int exit_code;

  g_option_context_set_description (
    context, N_ ("The host prints a code with 'ticketrail-host pair' or shows one in its station "
                 "monitor.\nThe token goes to stdout; keep it secret, and pass the same "
                 "--station-id with it.\n"));
  if (!parse_command (context, NULL, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return usage_error ("pair", _ ("pair needs exactly one CODE"));

  station_id = opt_station_id != NULL ? g_strdup (opt_station_id)
                                      : g_strdup_printf (CTL_STATION "-%s", g_get_host_name ());
  request = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  station = json_object_new ();
  json_object_set_string_member (object, "code", argv[1]);
  json_object_set_string_member (station, "id", station_id);
  json_object_set_string_member (station, "name", "ticketrail-ctl");
  json_object_set_string_member (station, "role", "monitor");
  json_object_set_object_member (object, "station", station);
  json_node_take_object (request, object);
  body = tr_json_to_string (request);

  session = session_new ();
  /* The pairing endpoint takes no token. */
  g_clear_pointer (&opt_token, g_free);
  root = http_json (session, SOUP_METHOD_POST, "/api/v1/pair", body, &error);
  if (root == NULL)
    return fail ("pair", error);
  token
    = JSON_NODE_HOLDS_OBJECT (root)
        ? json_object_get_string_member_with_default (json_node_get_object (root), "token", NULL)
        : NULL;
  if (token == NULL)
    {
      g_printerr ("ticketrail-ctl: pair: %s\n", _ ("the host's answer has no token"));
      return EXIT_FAILED;
    }
  g_print ("%s\n", token);
  /* Translators: both %s are the same station id; keep the command line
   * as it is */
  g_printerr (_ ("Paired as station %s. Use: ticketrail-ctl --station-id %s --token TOKEN …\n"),
              station_id, station_id);
  return EXIT_OK;
}

typedef struct
{
  const char *name;
  int (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "health", cmd_health }, { "watch", cmd_watch }, { "create", cmd_create },
  { "bump", cmd_bump },     { "test", cmd_test },   { "pair", cmd_pair },
};

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  gboolean version = FALSE;
  /* As in the app's main.c: an installed copy in a temporary prefix (the
   * install and translation tests) finds its own catalogues. */
  const char *localedir = g_getenv ("TICKETRAIL_LOCALEDIR");
  const GOptionEntry version_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Print the version"), NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Translators: COMMAND and OPTIONS are placeholders: keep them as they are */
  context = g_option_context_new (N_ ("COMMAND [OPTIONS] - talk to a Ticketrail host"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, global_entries, NULL);
  g_option_context_add_main_entries (context, version_entries, NULL);
  /* Stop at the command: its options are its own. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ticketrail-ctl: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (version)
    {
      g_print ("ticketrail-ctl %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  /* Keeps the token out of the process list. */
  if (opt_token == NULL && g_getenv ("TICKETRAIL_TOKEN") != NULL)
    opt_token = g_strdup (g_getenv ("TICKETRAIL_TOKEN"));
  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return EXIT_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *prgname = g_strdup_printf ("ticketrail-ctl %s", argv[1]);

        g_set_prgname (prgname);
        /* The command sees itself as argv[0]. */
        return commands[i].run (argc - 1, argv + 1);
      }

  /* Translators: %s is what was typed as the command */
  g_printerr (_ ("ticketrail-ctl: unknown command \"%s\"; try --help\n"), argv[1]);
  return EXIT_USAGE;
}
