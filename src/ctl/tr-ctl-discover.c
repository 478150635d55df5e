/* tr-ctl-discover.c: the discover command: the hosts on the LAN
 *
 * Browses DNS-SD for a while and prints every host found with its TXT
 * fields. Needs no --host: finding one is the point.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-dnssd-browser.h"

#define DEFAULT_WAIT_S 3

typedef struct
{
  GMainLoop *loop;
  guint want; /* stop once this many are listed; 0: wait the full time */
  gboolean timed_out;
} Discovery;

static gboolean
timeout_cb (gpointer user_data)
{
  Discovery *discovery = user_data;

  discovery->timed_out = TRUE;
  g_main_loop_quit (discovery->loop);
  return G_SOURCE_REMOVE;
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, gpointer user_data)
{
  Discovery *discovery = user_data;

  if (discovery->want > 0 && g_list_model_get_n_items (model) >= discovery->want)
    g_main_loop_quit (discovery->loop);
}

static JsonNode *
host_to_json (TrDnssdHost *host)
{
  const TrDnssdTxt *txt = tr_dnssd_host_get_txt (host);
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "name", txt->name);
  json_object_set_string_member (object, "service_name", tr_dnssd_host_get_service_name (host));
  json_object_set_string_member (object, "address", tr_dnssd_host_get_address (host));
  json_object_set_int_member (object, "port", tr_dnssd_host_get_port (host));
  json_object_set_string_member (object, "url", tr_dnssd_host_get_url (host));
  json_object_set_string_member (object, "lineage", txt->lineage);
  json_object_set_string_member (object, "host_id", txt->host_id);
  json_object_set_int_member (object, "gen", txt->gen);
  json_object_set_boolean_member (object, "tls", txt->tls);
  json_node_take_object (node, object);
  return node;
}

int
_tr_ctl_cmd_discover (int argc, char **argv)
{
  int wait_s = DEFAULT_WAIT_S;
  int count = 0;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "wait", 'w', 0, G_OPTION_ARG_INT, &wait_s, N_ ("Seconds to listen for hosts (default 3)"),
      "S" },
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, N_ ("Stop as soon as N hosts are found"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_ ("Print one JSON object: the DNS-SD state and the hosts"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context
    = g_option_context_new (N_ ("- list the Ticketrail hosts on this network (DNS-SD)"));
  g_autoptr (TrDnssdBrowser) browser = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  Discovery discovery = { 0 };
  TrDnssdState state;
  guint timeout_id, n;
  int exit_code;

  g_option_context_set_description (
    context, N_ ("Exit status: 0 when at least one host was found; 1 when none was, or when\n"
                 "Avahi is not running; 2 usage error.\n"));
  if (!_tr_ctl_parse_command (context, entries, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 1)
    return _tr_ctl_usage_error ("discover", _ ("discover takes no arguments"));
  if (wait_s < 1 || wait_s > 3600 || count < 0)
    return _tr_ctl_usage_error ("discover", _ ("--wait is 1 to 3600 seconds, --count 0 or more"));

  loop = g_main_loop_new (NULL, FALSE);
  discovery.loop = loop;
  discovery.want = (guint)count;
  browser = tr_dnssd_browser_new ();
  g_signal_connect (browser, "items-changed", G_CALLBACK (items_changed_cb), &discovery);
  tr_dnssd_browser_start (browser);
  timeout_id = g_timeout_add_seconds ((guint)wait_s, timeout_cb, &discovery);
  if (tr_dnssd_browser_get_state (browser) != TR_DNSSD_STATE_UNSUPPORTED)
    g_main_loop_run (loop);
  if (!discovery.timed_out)
    g_source_remove (timeout_id);

  state = tr_dnssd_browser_get_state (browser);
  n = g_list_model_get_n_items (G_LIST_MODEL (browser));
  if (json)
    {
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      JsonArray *hosts = json_array_new ();

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (TrDnssdHost) host = g_list_model_get_item (G_LIST_MODEL (browser), i);

          json_array_add_element (hosts, host_to_json (host));
        }
      json_object_set_string_member (object, "state", tr_dnssd_state_to_string (state));
      json_object_set_array_member (object, "hosts", hosts);
      json_node_take_object (root, object);
      _tr_ctl_print_json (root);
    }
  else
    for (guint i = 0; i < n; i++)
      {
        g_autoptr (TrDnssdHost) host = g_list_model_get_item (G_LIST_MODEL (browser), i);
        const TrDnssdTxt *txt = tr_dnssd_host_get_txt (host);

        g_print ("%s\t%s\tlineage=%s gen=%" G_GINT64_FORMAT " host_id=%s tls=%d\n", txt->name,
                 tr_dnssd_host_get_url (host), txt->lineage, txt->gen, txt->host_id,
                 txt->tls ? 1 : 0);
      }

  switch (state)
    {
      case TR_DNSSD_STATE_UNSUPPORTED:
        g_printerr (_ ("discover: this ticketrail-ctl was built without DNS-SD (Avahi)\n"));
        return TR_CTL_EXIT_FAILED;
      case TR_DNSSD_STATE_NO_DAEMON:
        g_printerr (_ ("discover: Avahi is not running, so hosts cannot be found by name; "
                       "give the host's address instead\n"));
        return TR_CTL_EXIT_FAILED;
      case TR_DNSSD_STATE_FAILED:
        g_printerr (_ ("discover: Avahi failed (see the log)\n"));
        return TR_CTL_EXIT_FAILED;
      default:
        break;
    }
  if (n == 0)
    {
      g_printerr (_ ("discover: no Ticketrail host found within %d s\n"), wait_s);
      return TR_CTL_EXIT_FAILED;
    }
  return TR_CTL_EXIT_OK;
}
