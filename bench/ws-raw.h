/* ws-raw.h: a bare WebSocket client for benches, many connections on one
 * epoll loop
 *
 * libsoup's client reads 1 KB per recv and walks its session's list of
 * connections for each new one. In a reconnect storm on one machine that
 * makes the bench, not the host, the slowest part (docs/performance.md,
 * "Where the storm's time goes"). Real stations each read their own
 * catch-up on their own CPU; this client comes closer to that: non-blocking
 * sockets, 256 KB reads, no per-connection sources. It speaks only what a
 * bench needs: the upgrade, masked text frames out, unmasked text frames
 * in, and close.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  /* The TCP connection is up. */
  void (*connected) (gpointer station);
  /* The server answered 101: return the first text frame to send (the
   * hello), newly allocated. */
  char *(*upgraded) (gpointer station);
  /* A whole text message. */
  void (*text) (gpointer station, const char *data, gsize length);
  /* The connection failed or closed. */
  void (*closed) (gpointer station, const char *reason);
} BenchWsRawCallbacks;

/* Opens one connection per element of @stations to ws://127.0.0.1:@port@path
 * with @protocol, and runs them in the calling thread until @done returns
 * TRUE (checked after each batch of events) or @timeout_ms pass. Closes
 * every connection before it returns. FALSE with @error if epoll itself
 * fails; a connection that fails is reported through closed(). */
gboolean bench_ws_raw_run (guint16                     port,
                           const char                 *path,
                           const char                 *protocol,
                           GPtrArray                  *stations,
                           const BenchWsRawCallbacks  *callbacks,
                           gboolean                  (*done) (gpointer data),
                           gpointer                    done_data,
                           guint                       timeout_ms,
                           GError                    **error);

G_END_DECLS
