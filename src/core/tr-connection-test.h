/* tr-connection-test.h: "Test connection", step by step
 *
 * Runs the four things a station needs from its host, in order, and
 * times each one: a TCP connect, the HTTP health endpoint, the
 * WebSocket handshake, and a ping/pong round trip over that WebSocket.
 * A step that fails ends the run; the steps after it are reported as
 * skipped. The app's connection popover and `ticketrail-ctl test` share
 * this code, so both say the same thing about the same network.
 *
 * The ping is sent before any hello, so the host answers it without
 * counting the test as a station.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  TR_CONNECTION_STEP_TCP,
  TR_CONNECTION_STEP_HTTP,
  TR_CONNECTION_STEP_WEBSOCKET,
  TR_CONNECTION_STEP_ROUND_TRIP,
  TR_CONNECTION_N_STEPS
} TrConnectionStep;

typedef enum
{
  TR_CONNECTION_STEP_PENDING,
  TR_CONNECTION_STEP_OK,
  TR_CONNECTION_STEP_FAILED,
  TR_CONNECTION_STEP_SKIPPED,
} TrConnectionStepStatus;

/* "tcp" "http" "websocket" "round_trip" */
const char *
tr_connection_step_to_string (TrConnectionStep step);

typedef struct
{
  TrConnectionStep step;
  TrConnectionStepStatus status;
  gint64 elapsed_us; /* how long the step took; 0 when skipped */
  char *detail;      /* e.g. "HTTP 200", or the error; may be NULL */
} TrConnectionStepResult;

void
tr_connection_step_result_free (TrConnectionStepResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrConnectionStepResult, tr_connection_step_result_free)

/* Called on the caller's main context as each step ends (skipped ones
 * included), so a UI can fill its list as the test goes. */
typedef void (*TrConnectionStepFunc) (const TrConnectionStepResult *result, gpointer user_data);

/* @host_url: "http://HOST:PORT" as the client uses it (a missing port
 * means TR_DEFAULT_PORT). @token may be NULL. @timeout_ms bounds each
 * step (0: 5000). The run completes even when a step fails; @error from
 * _finish is only set for a host URL that cannot be parsed or a
 * cancellation. */
void
tr_connection_test_run_async (const char *host_url, const char *token, guint timeout_ms,
                              TrConnectionStepFunc step_func, gpointer step_data,
                              GDestroyNotify step_data_destroy, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
/* TrConnectionStepResult*, one per step in order, or NULL with @error. */
GPtrArray *
tr_connection_test_run_finish (GAsyncResult *result, GError **error);
/* TRUE when every step in @results succeeded. */
gboolean
tr_connection_test_passed (GPtrArray *results);

G_END_DECLS
