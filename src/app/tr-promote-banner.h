/* tr-promote-banner.h: "The host is not answering", and Make This
 * Station the Host (issue 17; docs/reliability.md "Promotion on a
 * station")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_PROMOTE_BANNER (tr_promote_banner_get_type ())
G_DECLARE_FINAL_TYPE (TrPromoteBanner, tr_promote_banner, TR, PROMOTE_BANNER, GtkWidget)

/* A banner over the window of a client station: it shows once the host
 * has been unreachable for tr_promotion_unreachable_delay_ms() (30 s).
 * On this station's standby (tr-station-standby.h, made here with
 * @listen_port, the port this station would host on) it offers Make
 * This Station the Host: a dialog with how far behind the copy is, then
 * the promotion, then app.host. Elsewhere it says who can promote. On
 * a host it shows once a promoted standby replaced it
 * (tr_host_get_superseded_by()): "Another station is now the host",
 * with Rejoin as a Station (app.join to the new host DNS-SD finds, else
 * app.preferences to type its address).
 *
 * Property "auto-promote-seconds" (guint, 0 = off; the
 * "standby-auto-promote-seconds" setting): on the standby, promote by
 * the same path as the button, without the dialog, once the host has
 * been unreachable that long (tr_promotion_should_auto_promote()). */
GtkWidget *tr_promote_banner_new           (TrStation *station,
                                            guint      listen_port);
/* For tests and screenshots. */
gboolean   tr_promote_banner_get_revealed  (TrPromoteBanner *self);
GtkButton *tr_promote_banner_get_button    (TrPromoteBanner *self);
const char *tr_promote_banner_get_text     (TrPromoteBanner *self);

G_END_DECLS
