/* tr-test-avahi.c: a private avahi-daemon in a network namespace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include "tr-test-avahi.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#define LOCK_PATH "/run/lock/ticketrail-test-avahi.lock"
#define VETH_AVAHI "trdn0"
#define VETH_PEER "trdn1"
#define ADDRESS_AVAHI "10.213.0.1"
#define ADDRESS_PEER "10.213.0.2"
#define START_TIMEOUT_S 30

static struct
{
  int lock_fd;
  char *dir;
  GPid bus_pid;
  GPid avahi_pid;
  char *avahi_daemon;
} harness = { .lock_fd = -1 };

/* The bus and the daemon die with the test: a test that crashes or is
 * killed by its timeout must not leave an avahi-daemon whose pid file
 * stops every later DNS-SD test on the machine. */
static void
die_with_test (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static const char bus_config[]
  = "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>system</type>\n"
    "  <listen>unix:path=%s/bus</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow user=\"*\"/>\n"
    "    <allow own=\"*\"/>\n"
    "    <allow send_type=\"method_call\"/>\n"
    "    <allow send_type=\"signal\"/>\n"
    "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
    "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
    "    <allow receive_type=\"method_call\"/>\n"
    "    <allow receive_type=\"method_return\"/>\n"
    "    <allow receive_type=\"error\"/>\n"
    "    <allow receive_type=\"signal\"/>\n"
    "  </policy>\n"
    "</busconfig>\n";

/* IPv4 only (a link-local IPv6 address would need its zone in a URL),
 * the veth only, and nothing published but what the tests publish. */
static const char avahi_config[] = "[server]\n"
                                   "host-name=tr-test\n"
                                   "use-ipv4=yes\n"
                                   "use-ipv6=no\n"
                                   "allow-interfaces=" VETH_AVAHI "\n"
                                   "enable-dbus=yes\n"
                                   "ratelimit-interval-usec=1000000\n"
                                   "ratelimit-burst=1000\n"
                                   "[wide-area]\n"
                                   "enable-wide-area=no\n"
                                   "[publish]\n"
                                   "publish-hinfo=no\n"
                                   "publish-workstation=no\n"
                                   "publish-addresses=yes\n"
                                   "[reflector]\n"
                                   "[rlimits]\n";

static char *
find_program (const char *name)
{
  static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
  char *path = g_find_program_in_path (name);

  for (guint i = 0; path == NULL && i < G_N_ELEMENTS (dirs); i++)
    {
      char *candidate = g_build_filename (dirs[i], name, NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        path = candidate;
      else
        g_free (candidate);
    }
  return path;
}

static gboolean
run (GError **error, const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;
  int status = 0;

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s", first,
                   err != NULL ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
make_veth (const char *ip, GError **error)
{
  return run (error, ip, "link", "set", "lo", "up", NULL)
         && run (error, ip, "link", "add", VETH_AVAHI, "type", "veth", "peer", "name", VETH_PEER,
                 NULL)
         && run (error, ip, "addr", "add", ADDRESS_AVAHI "/24", "dev", VETH_AVAHI, NULL)
         && run (error, ip, "addr", "add", ADDRESS_PEER "/24", "dev", VETH_PEER, NULL)
         && run (error, ip, "link", "set", VETH_AVAHI, "multicast", "on", "up", NULL)
         && run (error, ip, "link", "set", VETH_PEER, "multicast", "on", "up", NULL);
}

static gboolean
file_exists_cb (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

gboolean
tr_test_avahi_wait (gboolean (*done) (gpointer data), gpointer data, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_s * G_USEC_PER_SEC;
  GMainContext *context = g_main_context_get_thread_default ();

  while (!done (data))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      if (!g_main_context_pending (context))
        g_usleep (2000);
      g_main_context_iteration (context, FALSE);
    }
  return TRUE;
}

gboolean
tr_test_avahi_setup (GError **error)
{
  g_autofree char *ip = NULL;
  g_autofree char *dbus_daemon = NULL;
  g_autofree char *bus_path = NULL;
  g_autofree char *bus_conf = NULL;
  g_autofree char *avahi_conf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *address = NULL;
  const char *bus_argv[4];

  if (geteuid () != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "not root: a private avahi-daemon needs a network namespace");
      return FALSE;
    }
  ip = find_program ("ip");
  dbus_daemon = find_program ("dbus-daemon");
  harness.avahi_daemon = find_program ("avahi-daemon");
  if (ip == NULL || dbus_daemon == NULL || harness.avahi_daemon == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "missing %s (install iproute2, dbus-daemon, avahi-daemon)",
                   ip == NULL ? "ip" : dbus_daemon == NULL ? "dbus-daemon" : "avahi-daemon");
      return FALSE;
    }

  /* One private avahi-daemon at a time on this machine: its pid file. */
  g_mkdir_with_parents ("/run/lock", 0755);
  harness.lock_fd = open (LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (harness.lock_fd < 0 || flock (harness.lock_fd, LOCK_EX) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot lock %s: %s",
                   LOCK_PATH, g_strerror (errno));
      return FALSE;
    }
  if (unshare (CLONE_NEWNET) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot make a network namespace: %s", g_strerror (errno));
      return FALSE;
    }
  if (!make_veth (ip, error))
    return FALSE;

  harness.dir = g_dir_make_tmp ("tr-avahi-XXXXXX", error);
  if (harness.dir == NULL)
    return FALSE;
  bus_path = g_build_filename (harness.dir, "bus", NULL);
  bus_conf = g_build_filename (harness.dir, "bus.conf", NULL);
  avahi_conf = g_build_filename (harness.dir, "avahi-daemon.conf", NULL);
  text = g_strdup_printf (bus_config, harness.dir);
  if (!g_file_set_contents (bus_conf, text, -1, error)
      || !g_file_set_contents (avahi_conf, avahi_config, -1, error))
    return FALSE;

  bus_argv[0] = dbus_daemon;
  bus_argv[1] = g_strconcat ("--config-file=", bus_conf, NULL);
  bus_argv[2] = "--nofork";
  bus_argv[3] = NULL;
  if (!g_spawn_async (NULL, (char **)bus_argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, die_with_test,
                      NULL, &harness.bus_pid, error))
    {
      g_free ((char *)bus_argv[1]);
      return FALSE;
    }
  g_free ((char *)bus_argv[1]);
  if (!tr_test_avahi_wait (file_exists_cb, bus_path, START_TIMEOUT_S))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the private D-Bus did not start");
      return FALSE;
    }
  address = g_strconcat ("unix:path=", bus_path, NULL);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  return TRUE;
}

/* Under the lock, a daemon of the pid file that runs one of our own
 * configurations (host tr-test, a tr-avahi-XXXXXX directory) is left over from a test
 * that died before die_with_test() existed or before teardown: stop it.
 * Any other avahi-daemon is the machine's own, and is left alone. */
static void
stop_stale_test_daemon (void)
{
  g_autofree char *pid_text = NULL;
  g_autofree char *cmdline_path = NULL;
  g_autofree char *cmdline = NULL;
  gsize length = 0;
  pid_t pid;

  if (!g_file_get_contents ("/run/avahi-daemon/pid", &pid_text, NULL, NULL))
    return;
  pid = (pid_t)g_ascii_strtoll (pid_text, NULL, 10);
  if (pid <= 1)
    return;
  cmdline_path = g_strdup_printf ("/proc/%d/cmdline", (int)pid);
  if (!g_file_get_contents (cmdline_path, &cmdline, &length, NULL))
    return;
  for (gsize i = 0; i + 1 < length; i++)
    if (cmdline[i] == '\0')
      cmdline[i] = ' ';
  /* Its title once it runs ("avahi-daemon: running [tr-test.local]",
   * from host-name= in our configuration), or its arguments before. */
  if (strstr (cmdline, "[tr-test.") == NULL && strstr (cmdline, "/tr-avahi-") == NULL)
    return;
  g_printerr ("# stopping avahi-daemon %d, left over by a DNS-SD test that died\n", (int)pid);
  kill (pid, SIGKILL);
  for (int i = 0; i < 100 && kill (pid, 0) == 0; i++)
    g_usleep (50 * 1000);
  g_unlink ("/run/avahi-daemon/pid");
}

static gboolean
daemon_up_cb (gpointer data)
{
  /* avahi-daemon --check: 0 when the daemon of its pid file runs. */
  const char *argv[] = { harness.avahi_daemon, "--check", NULL };
  int status = -1;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

gboolean
tr_test_avahi_start_daemon (GError **error)
{
  g_autofree char *conf = g_build_filename (harness.dir, "avahi-daemon.conf", NULL);
  const char *argv[] = { harness.avahi_daemon, "--no-drop-root", "--no-chroot", "--no-rlimits",
                         "-f", conf, NULL };

  g_return_val_if_fail (harness.avahi_pid == 0, FALSE);

  stop_stale_test_daemon ();
  if (daemon_up_cb (NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "an avahi-daemon already runs on this machine (its pid file is in "
                   "/run/avahi-daemon); stop it to run the DNS-SD tests");
      return FALSE;
    }
  if (!g_spawn_async (NULL, (char **)argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD
                        | (g_test_verbose () ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL),
                      die_with_test, NULL, &harness.avahi_pid, error))
    return FALSE;
  if (!tr_test_avahi_wait (daemon_up_cb, NULL, START_TIMEOUT_S))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "avahi-daemon did not start");
      return FALSE;
    }
  return TRUE;
}

static void
stop_child (GPid *pid)
{
  if (*pid == 0)
    return;
  kill (*pid, SIGTERM);
  waitpid (*pid, NULL, 0);
  g_spawn_close_pid (*pid);
  *pid = 0;
}

void
tr_test_avahi_stop_daemon (void)
{
  stop_child (&harness.avahi_pid);
}

void
tr_test_avahi_teardown (void)
{
  stop_child (&harness.avahi_pid);
  stop_child (&harness.bus_pid);
  if (harness.dir != NULL)
    {
      g_autofree char *bus = g_build_filename (harness.dir, "bus", NULL);
      g_autofree char *bus_conf = g_build_filename (harness.dir, "bus.conf", NULL);
      g_autofree char *avahi_conf = g_build_filename (harness.dir, "avahi-daemon.conf", NULL);

      g_unlink (bus);
      g_unlink (bus_conf);
      g_unlink (avahi_conf);
      g_rmdir (harness.dir);
      g_clear_pointer (&harness.dir, g_free);
    }
  g_clear_pointer (&harness.avahi_daemon, g_free);
  if (harness.lock_fd >= 0)
    close (harness.lock_fd);
  harness.lock_fd = -1;
}

const char *
tr_test_avahi_address (void)
{
  return ADDRESS_AVAHI;
}

void
tr_test_avahi_unavailable (const char *reason)
{
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    {
      g_test_message ("DNS-SD tests cannot run under CI: %s", reason);
      g_test_fail_printf ("no private avahi-daemon: %s", reason);
    }
  else
    g_test_skip_printf ("no private avahi-daemon (%s); under CI=true this fails", reason);
}
