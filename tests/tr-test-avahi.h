/* tr-test-avahi.h: a private avahi-daemon for the DNS-SD tests
 *
 * The test process moves itself into a new network namespace
 * (unshare(CLONE_NEWNET), so it vanishes with the process even after a
 * crash), makes a veth pair there with multicast on, and runs a private
 * dbus-daemon (a system-bus-like config in a temp dir, reached through
 * DBUS_SYSTEM_BUS_ADDRESS) and an avahi-daemon allowed on the veth only.
 * No mDNS packet ever leaves through the machine's own interfaces: they
 * are not in this namespace.
 *
 * avahi-daemon keeps its pid file in /run/avahi-daemon whatever its
 * config says, so only one such test runs at a time: setup takes an
 * exclusive lock (and meson runs them with is_parallel: false).
 *
 * Needs root, ip, dbus-daemon and avahi-daemon. When any is missing
 * setup fails with the reason; tr_test_avahi_unavailable() then fails
 * the test under CI=true and skips it elsewhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Call first thing in main(), before any thread exists: the namespace
 * is the calling thread's. Starts the bus, not avahi-daemon. */
gboolean tr_test_avahi_setup              (GError **error);
/* Stops what setup started; call at the end of main(). */
void     tr_test_avahi_teardown           (void);

/* Starts avahi-daemon and waits until it is up; stops it (SIGTERM, and
 * waits for it to exit). */
gboolean tr_test_avahi_start_daemon       (GError **error);
void     tr_test_avahi_stop_daemon        (void);

/* The address of the veth end avahi-daemon publishes on. */
const char *tr_test_avahi_address         (void);

/* For a test whose setup failed with @reason: g_test_fail() with it
 * under CI=true (no silent skip in CI), g_test_skip() elsewhere. */
void     tr_test_avahi_unavailable        (const char *reason);

/* Runs the thread-default main context until @done is TRUE or
 * @timeout_s pass; TRUE when @done. Generous timeouts, never asserted
 * as a measurement. */
gboolean tr_test_avahi_wait               (gboolean (*done) (gpointer data),
                                           gpointer  data,
                                           guint     timeout_s);

G_END_DECLS
