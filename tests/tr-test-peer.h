/* tr-test-peer.h: a host's HTTP API and a raw WebSocket station, for
 * tests that drive a real host on loopback (in-process or a child
 * ticketrail-host) the way a station would
 *
 * Every wait gives up after TR_TEST_PEER_GIVE_UP_MS with g_error(): a
 * test that hangs tells what it waited for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define TR_TEST_PEER_GIVE_UP_MS 120000

typedef gboolean (*TrTestCondition) (gpointer data);

/* Iterates the thread-default context until @condition holds. */
void tr_test_wait_for (TrTestCondition condition, gpointer data, const char *what);

/* @method @base_url@path with a bearer @token (NULL: none) and a JSON
 * @body (NULL: none); the body of the answer, its status in *@status
 * and, when @content_type is not NULL, its Content-Type. */
char *tr_test_http_full (SoupSession *session, const char *base_url, const char *method,
                         const char *path, const char *body, const char *token, guint *status,
                         char **content_type);
char *tr_test_http (SoupSession *session, const char *base_url, const char *method,
                    const char *path, const char *body, const char *token, guint *status);

/* Pairs @station_id (role kitchen) with @code: the token. */
char *tr_test_pair (SoupSession *session, const char *base_url, const char *code,
                    const char *station_id, const char *name);

typedef struct
{
  SoupWebsocketConnection *ws;
  GQueue frames; /* char* texts, oldest first */
  gboolean closed;
  GError *error;
  gboolean done;
} TrTestPeer;

/* Connects to /api/v1/ws, says hello as @station_id with @token, and
 * waits for the welcome. The host counts the station connected only
 * once its catch-up is sent, a little later. */
TrTestPeer *tr_test_peer_connect (SoupSession *session, const char *base_url,
                                  const char *station_id, const char *token);
/* The same, with @name in the hello. */
TrTestPeer *tr_test_peer_connect_named (SoupSession *session, const char *base_url,
                                        const char *station_id, const char *name,
                                        const char *token);
/* The next frame of @type (a TrFrame*, to free), skipping others (events
 * before an ack); g_error() when the host closes first. */
gpointer tr_test_peer_wait_frame (TrTestPeer *peer, int type);
/* Closes with @code and waits for the close handshake. */
void tr_test_peer_close (TrTestPeer *peer, gushort code);
/* Cuts the TCP connection with no close frame, as a pulled cable does,
 * and waits until the socket is gone. */
void tr_test_peer_cut (TrTestPeer *peer);
/* Waits until the host closes the connection (it stopped or died). */
void tr_test_peer_wait_closed (TrTestPeer *peer);
void tr_test_peer_free (TrTestPeer *peer);

G_END_DECLS
