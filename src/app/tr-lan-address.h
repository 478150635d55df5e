/* tr-lan-address.h: the addresses other stations should enter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-station.h"

G_BEGIN_DECLS

/* This machine's IPv4 addresses on interfaces that are up, loopback
 * left out, in interface order. */
GStrv
tr_lan_addresses (void);
/* "192.168.1.20:8787" for each of them when @station hosts on every
 * interface; "127.0.0.1:PORT" when it serves loopback only (or the
 * machine has no other address). Empty for a client or a stopped host. */
GStrv
tr_station_dup_join_addresses (TrStation *station);

G_END_DECLS
