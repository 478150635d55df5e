/* tr-test-host-process.h: the real ticketrail-host as a child process,
 * for the tests that start, pair with, stop or kill it
 *
 * Every child is spawned so that it dies with the test process: a test
 * that fails aborts, and a host it left running (or SIGSTOPped) would
 * hold its port and data directory after it. Reads are blocking: a
 * child that exits early ends them with EOF, which fails the test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* $TICKETRAIL_HOST_BIN, which meson sets; fails the test without it. */
const char *
tr_test_host_process_binary (void);

/* Spawns @argv with its stdout piped to us. @env: NULL, or NAME, VALUE
 * pairs ending with NULL, set in the child's environment. */
GSubprocess *
tr_test_host_process_spawn (const char *const *argv, const char *const *env);

/* `ticketrail-host --loopback --port 0 --data-dir @data_dir @extra…`
 * (@extra NULL-terminated, or NULL), once it listens: its URL
 * (http://127.0.0.1:PORT) in *@out_url and, when @out_line is not NULL,
 * the "listening on" line in *@out_line. Lines before that one (a
 * --promote says so first) are passed over. */
GSubprocess *
tr_test_host_process_start (const char *data_dir, const char *const *extra, char **out_url,
                            char **out_line);

/* A host that a test kills (SIGKILL, as a crash would) and starts again
 * over the same data directory, with the URL it listens on this time. */
typedef struct
{
  GSubprocess *process;
  char *url;
} TrTestHostProcess;

/* tr_test_host_process_start (@data_dir, NULL, …), in a
 * TrTestHostProcess. */
TrTestHostProcess *
tr_test_host_process_new (const char *data_dir);

/* SIGKILLs @host's process, reaps it, and frees @host. */
void
tr_test_host_process_kill_and_free (TrTestHostProcess *host);

/* `ticketrail-host --standby-of @host_url --data-dir @data_dir
 * --pairing-code @code` (@code NULL: a standby paired before), once its
 * first line says "standby of". */
GSubprocess *
tr_test_host_process_start_standby (const char *host_url, const char *data_dir, const char *code);

/* Runs @argv to its end with @flags (G_SUBPROCESS_FLAGS_STDOUT_PIPE,
 * …_STDERR_PIPE or …_STDERR_MERGE for @out and @err) in the C locale, so
 * that a test can match its messages: its exit status, or -1 when a
 * signal ended it. @out and @err may be NULL. */
int
tr_test_host_process_run (const char *const *argv, GSubprocessFlags flags, char **out, char **err);

/* `ticketrail-host pair --data-dir @data_dir`: the six-digit code it
 * printed ("Pairing code: 123456" in any language: the first six
 * digits). One code at a time: a new one replaces the last. */
char *
tr_test_host_process_pair_code (const char *data_dir);

/* SIGCONT (it may be SIGSTOPped) then SIGTERM; waits for it and clears
 * *@process. A NULL *@process is fine. */
void
tr_test_host_process_stop (GSubprocess **process);

/* SIGKILL, as a crash or a power cut would; reaps it and clears
 * *@process. */
void
tr_test_host_process_kill (GSubprocess **process);

/* GET @url/api/v1/health, which must answer 200: its JSON object. */
JsonObject *
tr_test_host_process_health (SoupSession *session, const char *url);

G_END_DECLS
