/* tr-test-proxy.h: a fault-injecting TCP proxy for tests
 *
 * Listens on 127.0.0.1 on an ephemeral port and forwards every accepted
 * connection to 127.0.0.1:target_port, on the thread-default main
 * context of tr_test_proxy_new(). Faults are switched on and off while
 * connections live, so a test can cut a station off from its host the
 * way a real network does: refused connects, reset or cleanly closed
 * sockets, and a path that silently stops carrying bytes.
 *
 * Data flows one chunk at a time per direction, so the slower faults
 * keep TCP's order: a delay (with jitter) holds each chunk before it
 * goes on, and splitting writes a chunk one byte per write(), with
 * TCP_NODELAY, so the peer reads frames in pieces.
 *
 * A connection accepted while blackholed is not connected to the target
 * until the mode changes: on a dead path the far end sees nothing.
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
  /* Carry the client's bytes to the target but hold the target's
   * replies, as a path that fails one way: requests land, answers
   * (acks) do not. */
  TR_TEST_PROXY_HALF_OPEN,
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

/* Holds every chunk @delay_ms plus a uniform 0..@jitter_ms before
 * passing it on, in order; 0, 0 turns it off. Chunks already held keep
 * their time. */
void
tr_test_proxy_set_delay (TrTestProxy *proxy, guint delay_ms, guint jitter_ms);

/* With @split, every byte goes out in a write() of its own (both ways),
 * so the peer sees messages cut at every possible point. */
void
tr_test_proxy_set_split (TrTestProxy *proxy, gboolean split);

/* Connects to the target from @address (a loopback address such as
 * "127.0.0.12"; NULL: any), so that each proxied client has its own
 * peer address, as separate devices would. For connections made after
 * the call. */
void
tr_test_proxy_set_source_address (TrTestProxy *proxy, const char *address);

/* Called with each chunk as it is read, before any fault applies:
 * @to_target TRUE for the client's bytes, FALSE for the target's. */
typedef void (*TrTestProxyTap) (TrTestProxy *proxy, gboolean to_target, const guint8 *data,
                                gsize length, gpointer user_data);

void
tr_test_proxy_set_tap (TrTestProxy *proxy, TrTestProxyTap tap, gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrTestProxy, tr_test_proxy_free)

G_END_DECLS
