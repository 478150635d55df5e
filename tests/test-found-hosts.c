/* test-found-hosts.c: the list of hosts found, when there is none to show
 *
 * With no Avahi to talk to, the first-run page and Preferences must say
 * why the list is empty instead of looking forever. (With a daemon, the
 * list's source, TrDnssdBrowser, is tested in test-dnssd.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-found-hosts"

#include <string.h>

#include "tr-found-hosts.h"

#define WAIT_S 60

static void
test_says_avahi_is_not_running (void)
{
  GtkWidget *window = gtk_window_new ();
  TrFoundHosts *hosts = TR_FOUND_HOSTS (tr_found_hosts_new ());
  TrDnssdBrowser *browser = tr_found_hosts_get_browser (hosts);
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (hosts));
  gtk_window_present (GTK_WINDOW (window));

  if (tr_dnssd_browser_get_state (browser) == TR_DNSSD_STATE_UNSUPPORTED)
    {
      g_assert_nonnull (strstr (tr_found_hosts_get_status (hosts), "cannot look for hosts"));
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  while (tr_dnssd_browser_get_state (browser) == TR_DNSSD_STATE_STARTING
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (tr_dnssd_browser_get_state (browser), ==, TR_DNSSD_STATE_NO_DAEMON);
  g_assert_nonnull (strstr (tr_found_hosts_get_status (hosts), "Avahi is not running"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (browser)), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  /* A system bus that does not exist: Avahi cannot be reached, and the
   * machine's own daemon, if any, is never asked. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/ticketrail-test-bus", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/found-hosts/says-avahi-is-not-running", test_says_avahi_is_not_running);
  return g_test_run ();
}
