/* tr-test-proxy.h: a fault-injecting TCP proxy for tests
 *
 * Listens on 127.0.0.1 on an ephemeral port and forwards every accepted
 * connection to 127.0.0.1:target_port, on the thread-default main
 * context of tr_test_proxy_new(). Faults are switched on and off while
 * connections live, so a test can cut a station off from its host the
 * way a real network does: refused connects, reset or cleanly closed
 * sockets, and a path that silently stops carrying bytes.
 *
 * Data flows through per-direction chunk queues, so later faults (delay
 * and jitter per chunk, splitting into single bytes) slot in as more
 * setters without changing the ones here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  /* Forward both ways (held bytes of a former blackhole go out first). */
  TR_TEST_PROXY_FORWARD,
  /* Close each new connection at once; current ones keep forwarding. */
  TR_TEST_PROXY_REFUSE,
  /* Accept and keep every connection open but carry no bytes either way. */
  TR_TEST_PROXY_BLACKHOLE,
} TrTestProxyMode;

typedef struct _TrTestProxy TrTestProxy;

TrTestProxy *
tr_test_proxy_new (guint target_port, GError **error);
void
tr_test_proxy_free (TrTestProxy *proxy);

guint
tr_test_proxy_get_port (TrTestProxy *proxy);
/* The URL a client uses to reach the target through the proxy. */
char *
tr_test_proxy_get_url (TrTestProxy *proxy);
void
tr_test_proxy_set_target_port (TrTestProxy *proxy, guint target_port);

void
tr_test_proxy_set_mode (TrTestProxy *proxy, TrTestProxyMode mode);
TrTestProxyMode
tr_test_proxy_get_mode (TrTestProxy *proxy);

/* Closes every current connection, both sides: with @reset an RST
 * (SO_LINGER 0), else a clean FIN. Returns how many were closed. */
guint
tr_test_proxy_cut (TrTestProxy *proxy, gboolean reset);

/* Connections open now, and accepted since creation. */
guint
tr_test_proxy_get_n_connections (TrTestProxy *proxy);
guint
tr_test_proxy_get_n_accepted (TrTestProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrTestProxy, tr_test_proxy_free)

G_END_DECLS
