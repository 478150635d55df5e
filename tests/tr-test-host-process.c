/* tr-test-host-process.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-test-host-process.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "tr-test-peer.h"

const char *
tr_test_host_process_binary (void)
{
  const char *binary = g_getenv ("TICKETRAIL_HOST_BIN");

  g_assert_nonnull (binary);
  return binary;
}

/* In the child, before exec: SIGKILLed when the thread that spawned it
 * (the test's main thread) is gone. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn_with_flags (const char *const *argv, GSubprocessFlags flags, const char *const *env)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr (GError) error = NULL;
  GSubprocess *child;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return child;
}

GSubprocess *
tr_test_host_process_spawn (const char *const *argv, const char *const *env)
{
  return spawn_with_flags (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, env);
}

GSubprocess *
tr_test_host_process_start (const char *data_dir, const char *const *extra, char **out_url,
                            char **out_line)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  const char *port;

  g_ptr_array_add (argv, (char *)tr_test_host_process_binary ());
  g_ptr_array_add (argv, "--loopback");
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, (char *)data_dir);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)extra[i]);
  g_ptr_array_add (argv, NULL);
  child = tr_test_host_process_spawn ((const char *const *)argv->pdata, NULL);
  /* Its port is the kernel's choice (--port 0): the line says which. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  do
    {
      g_free (line);
      line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
    }
  while (strstr (line, "listening on") == NULL);
  port = strrchr (strstr (line, "://"), ':');
  g_assert_nonnull (port);
  *out_url = g_strdup_printf ("http://127.0.0.1:%d", atoi (port + 1));
  if (out_line != NULL)
    *out_line = g_steal_pointer (&line);
  return g_steal_pointer (&child);
}

TrTestHostProcess *
tr_test_host_process_new (const char *data_dir)
{
  TrTestHostProcess *host = g_new0 (TrTestHostProcess, 1);

  host->process = tr_test_host_process_start (data_dir, NULL, &host->url, NULL);
  return host;
}

void
tr_test_host_process_kill_and_free (TrTestHostProcess *host)
{
  tr_test_host_process_kill (&host->process);
  g_free (host->url);
  g_free (host);
}

GSubprocess *
tr_test_host_process_start_standby (const char *host_url, const char *data_dir, const char *code)
{
  const char *argv[]
    = { tr_test_host_process_binary (),         "--standby-of", host_url, "--data-dir", data_dir,
        code != NULL ? "--pairing-code" : NULL, code,           NULL };
  g_autoptr (GSubprocess) child = tr_test_host_process_spawn (argv, NULL);
  g_autoptr (GDataInputStream) lines
    = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "standby of"));
  return g_steal_pointer (&child);
}

int
tr_test_host_process_run (const char *const *argv, GSubprocessFlags flags, char **out, char **err)
{
  const char *const c_locale[] = { "LC_ALL", "C", "LANGUAGE", "", NULL };
  g_autoptr (GSubprocess) process = spawn_with_flags (argv, flags, c_locale);
  g_autoptr (GError) error = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *err_text = NULL;

  /* Read to the end even when the caller does not want it: a child
   * writing to a full pipe nobody reads would never exit. */
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out_text, &err_text, &error));
  g_assert_no_error (error);
  if (out != NULL)
    *out = g_steal_pointer (&out_text);
  if (err != NULL)
    *err = g_steal_pointer (&err_text);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

char *
tr_test_host_process_pair_code (const char *data_dir)
{
  const char *argv[] = { tr_test_host_process_binary (), "pair", "--data-dir", data_dir, NULL };
  g_autofree char *out = NULL;
  const char *code;

  g_assert_cmpint (tr_test_host_process_run (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &out, NULL), ==,
                   0);
  code = strpbrk (out, "0123456789");
  g_assert_nonnull (code);
  return g_strndup (code, 6);
}

void
tr_test_host_process_stop (GSubprocess **process)
{
  if (*process == NULL)
    return;
  /* A stopped process queues SIGTERM until it runs again. */
  g_subprocess_send_signal (*process, SIGCONT);
  g_subprocess_send_signal (*process, SIGTERM);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

void
tr_test_host_process_kill (GSubprocess **process)
{
  g_subprocess_send_signal (*process, SIGKILL);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

JsonObject *
tr_test_host_process_health (SoupSession *session, const char *url)
{
  guint status = 0;
  g_autofree char *body = tr_test_http (session, url, "GET", "/api/v1/health", NULL, NULL, &status);
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}
